/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by bench/bench_driver.c and bench/naive_pipeline.c: options, the
 * per-sample record, hooks and output.  Header-only (two small programs).
 *
 * Common options (before the mode):
 *   -n N     measured lookups (default 21)
 *   -w W     warm-up lookups before them (default 1): loads the NSS modules,
 *            reads nsswitch.conf/resolv.conf, fills the module's cache
 *   -b CMD   run CMD (system()) after the warm-up, just before the measured
 *            lookups (bench/run.sh zeroes the iptables counters there)
 *   -a CMD   run CMD just after the measured lookups (reads the counters)
 *   -q       quiet and untimed (callgrind and strace runs): no clock reads
 *            inside bench_measured, no per-sample lines
 *
 * Output (stdout, after the measured lookups): one line per lookup,
 *   MICROSECONDS FIRST_ADDRESS NADDRS      success
 *   MICROSECONDS error CODE                failure (EAI_* or h_errno)
 * Exit status: 0 every lookup (warm-up included) succeeded, 1 one failed,
 * 2 a hook failed, 64 usage.
 *
 * Around bench_measured() main calls getppid() twice: strace shows the
 * measured window as the lines between those two markers. */
#ifndef SRVSIP_BENCH_COMMON_H
#define SRVSIP_BENCH_COMMON_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct sample {
	long us;           /* wall time of the lookup (0 with -q) */
	int error;         /* 0: success; else EAI_* / h_errno */
	int family;        /* of the first address */
	uint8_t first[16]; /* first address returned */
	unsigned naddrs;   /* addresses returned */
};

struct bench_options {
	long n;
	long warmup;
	const char *before;
	const char *after;
	int quiet;
};

static inline long bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000000L + ts.tv_nsec / 1000L;
}

/* Parses the common options; returns the index of the first operand or -1. */
static inline int bench_parse_options(int argc, char **argv, struct bench_options *o)
{
	int opt;

	o->n = 21;
	o->warmup = 1;
	o->before = NULL;
	o->after = NULL;
	o->quiet = 0;
	while ((opt = getopt(argc, argv, "+n:w:b:a:q")) != -1) {
		switch (opt) {
		case 'n': o->n = strtol(optarg, NULL, 10); break;
		case 'w': o->warmup = strtol(optarg, NULL, 10); break;
		case 'b': o->before = optarg; break;
		case 'a': o->after = optarg; break;
		case 'q': o->quiet = 1; break;
		default: return -1;
		}
	}
	if (o->n < 1 || o->n > 1000000 || o->warmup < 0 || o->warmup > 1000)
		return -1;
	return optind;
}

static inline int bench_hook(const char *cmd)
{
	if (cmd == NULL)
		return 0;
	fflush(NULL);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void bench_marker(void)
{
	(void)getppid(); /* a system call strace shows: the measured window */
}

/* Prints the samples; returns 1 when one failed. */
static inline int bench_print(const struct sample *s, long n, int quiet)
{
	int failed = 0;

	for (long i = 0; i < n; i++) {
		char text[INET6_ADDRSTRLEN];
		if (s[i].error != 0) {
			failed = 1;
			if (!quiet)
				printf("%ld error %d\n", s[i].us, s[i].error);
			continue;
		}
		if (quiet)
			continue;
		if (inet_ntop(s[i].family, s[i].first, text, sizeof(text)) == NULL)
			snprintf(text, sizeof(text), "?");
		printf("%ld %s %u\n", s[i].us, text, s[i].naddrs);
	}
	return failed;
}

/* One lookup of the program into *s (which it clears first); ctx is the
 * program's own. */
typedef void bench_lookup_fn(void *ctx, struct sample *s);

/* The measured loop, timed unless quiet.  Each program calls it from its own
 * bench_measured() (noipa, so the symbol callgrind collects stays). */
static inline void bench_loop(bench_lookup_fn *lookup, void *ctx, struct sample *samples, long n,
			      int quiet)
{
	for (long i = 0; i < n; i++) {
		long t0 = quiet ? 0 : bench_now_us();
		lookup(ctx, &samples[i]);
		if (!quiet)
			samples[i].us = bench_now_us() - t0;
	}
}

/* main's common part: warm-up, hook -b, marker, measured(), marker, hook
 * -a, output.  `what` names the lookup in messages.  Returns the exit
 * status (see the top of this file). */
static inline int bench_run(const char *prog, const char *what, const struct bench_options *o,
			    bench_lookup_fn *lookup,
			    void (*measured)(void *ctx, struct sample *samples, long n, int quiet),
			    void *ctx)
{
	struct sample *samples = calloc((size_t)o->n, sizeof(*samples));
	struct sample warm;
	int failed = 0;

	if (samples == NULL)
		return 1;
	for (long w = 0; w < o->warmup; w++) {
		lookup(ctx, &warm);
		if (warm.error != 0) {
			fprintf(stderr, "%s: warm-up lookup of %s failed: %d\n", prog, what, warm.error);
			failed = 1;
		}
	}
	if (bench_hook(o->before) != 0) {
		free(samples);
		return 2;
	}
	bench_marker();
	measured(ctx, samples, o->n, o->quiet);
	bench_marker();
	if (bench_hook(o->after) != 0) {
		free(samples);
		return 2;
	}
	failed |= bench_print(samples, o->n, o->quiet);
	free(samples);
	return failed;
}

#endif
