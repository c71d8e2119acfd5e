/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench_driver: timed host lookups through NSS, for bench/run.sh.
 *
 * usage: bench_driver [-n N] [-w W] [-b CMD] [-a CMD] [-q] MODE ARGS
 *   gai NAME SERVICE  getaddrinfo(NAME, SERVICE) with AF_UNSPEC, SOCK_DGRAM,
 *                     no flags (SERVICE "-": NULL); glibc asks the hosts
 *                     modules' gethostbyname4_r, and with a pseudo-service
 *                     ("sipsrv") the services modules first
 *   ghbn NAME         gethostbyname(NAME): the modules' gethostbyname_r
 *                     (srvsip's full failover list)
 *   rtt NAME [K]      K (default 1) raw UDP queries (NAME, A) at once to the
 *                     first nameserver of resolv.conf, waiting for every
 *                     answer; no NSS, no libresolv send path: the physical
 *                     round trip the lookups are measured against (K > 1: of
 *                     a burst, as a batch of address queries sends)
 * Options, output and exit status: see bench_common.h.
 *
 * The measured lookups run inside bench_measured(), which valgrind
 * --tool=callgrind --toggle-collect=bench_measured counts alone (the warm-up
 * lookup before it loads the NSS modules and is not counted). */
#include "bench_common.h"

#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>

enum mode { MODE_GAI, MODE_GHBN, MODE_RTT };

struct job {
	enum mode mode;
	const char *name;
	const char *service;
	/* rtt */
	int fd;
	int burst;
	uint8_t query[512];
	int query_len;
};

static void record_sockaddr(struct sample *s, const struct sockaddr *sa)
{
	s->family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(s->first, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(s->first, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

static void lookup_gai(const struct job *job, struct sample *s)
{
	struct addrinfo hints, *res = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	s->error = getaddrinfo(job->name, job->service, &hints, &res);
	if (s->error != 0)
		return;
	record_sockaddr(s, res->ai_addr);
	for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next)
		s->naddrs++;
	freeaddrinfo(res);
}

static void lookup_ghbn(const struct job *job, struct sample *s)
{
	const struct hostent *he = gethostbyname(job->name);

	if (he == NULL || he->h_addr_list[0] == NULL) {
		s->error = he == NULL ? (h_errno != 0 ? h_errno : -1) : NO_DATA;
		return;
	}
	s->family = he->h_addrtype;
	memcpy(s->first, he->h_addr_list[0], (size_t)he->h_length);
	while (he->h_addr_list[s->naddrs] != NULL)
		s->naddrs++;
}

/* job->burst queries (IDs base .. base+burst-1), every reply: the round
 * trip of the network alone (plus the server's answer time). */
static void lookup_rtt(struct job *job, struct sample *s)
{
	uint8_t reply[4096];
	uint16_t base = (uint16_t)random();
	unsigned long answered = 0; /* bit i: reply to query i seen (burst <= 64) */
	int left = job->burst;

	for (int i = 0; i < job->burst; i++) {
		uint16_t id = (uint16_t)(base + i);
		job->query[0] = (uint8_t)(id >> 8);
		job->query[1] = (uint8_t)id;
		if (send(job->fd, job->query, (size_t)job->query_len, 0) != job->query_len) {
			s->error = errno;
			return;
		}
	}
	while (left > 0) {
		struct pollfd p = {job->fd, POLLIN, 0};
		if (poll(&p, 1, 5000) <= 0) {
			s->error = ETIMEDOUT;
			return;
		}
		ssize_t len = recv(job->fd, reply, sizeof(reply), 0);
		if (len < 12)
			continue;
		uint16_t k = (uint16_t)(((reply[0] << 8) | reply[1]) - base);
		if (k < job->burst && !(answered & (1ul << k))) {
			answered |= 1ul << k;
			s->naddrs = (unsigned)((reply[6] << 8) | reply[7]); /* ANCOUNT */
			s->family = AF_INET;
			left--;
		}
	}
}

static void lookup_once(void *ctx, struct sample *s)
{
	struct job *job = ctx;

	memset(s, 0, sizeof(*s));
	switch (job->mode) {
	case MODE_GAI: lookup_gai(job, s); break;
	case MODE_GHBN: lookup_ghbn(job, s); break;
	case MODE_RTT: lookup_rtt(job, s); break;
	}
}

/* The measured lookups: the only function callgrind collects (noipa: never
 * inlined nor cloned, so the symbol name stays). */
__attribute__((noipa)) void bench_measured(void *job, struct sample *samples, long n, int quiet);
__attribute__((noipa)) void bench_measured(void *job, struct sample *samples, long n, int quiet)
{
	bench_loop(lookup_once, job, samples, n, quiet);
}

static int open_rtt(struct job *job)
{
	struct __res_state st;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0 || st.nscount < 1 || st.nsaddr_list[0].sin_family != AF_INET)
		return -1;
	job->query_len = res_nmkquery(&st, ns_o_query, job->name, ns_c_in, ns_t_a, NULL, 0, NULL,
				      job->query, sizeof(job->query));
	job->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = job->query_len > 12 && job->fd >= 0 &&
				 connect(job->fd, (const struct sockaddr *)&st.nsaddr_list[0],
					 sizeof(st.nsaddr_list[0])) == 0
			 ? 0
			 : -1;
	res_nclose(&st);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_driver [-n N] [-w W] [-b CMD] [-a CMD] [-q] "
			"gai NAME SERVICE | ghbn NAME | rtt NAME [K]\n");
	return 64;
}

int main(int argc, char **argv)
{
	struct bench_options o;
	struct job job;
	int i = bench_parse_options(argc, argv, &o);

	if (i < 0 || i + 2 > argc)
		return usage();
	memset(&job, 0, sizeof(job));
	job.name = argv[i + 1];
	if (strcmp(argv[i], "gai") == 0 && i + 3 == argc) {
		job.mode = MODE_GAI;
		job.service = strcmp(argv[i + 2], "-") == 0 ? NULL : argv[i + 2];
	} else if (strcmp(argv[i], "ghbn") == 0 && i + 2 == argc) {
		job.mode = MODE_GHBN;
	} else if (strcmp(argv[i], "rtt") == 0 && (i + 2 == argc || i + 3 == argc)) {
		job.mode = MODE_RTT;
		job.burst = i + 3 == argc ? (int)strtol(argv[i + 2], NULL, 10) : 1;
		if (job.burst < 1 || job.burst > 64)
			return usage();
		srandom((unsigned)getpid());
		if (open_rtt(&job) != 0) {
			fprintf(stderr, "bench_driver: rtt: no IPv4 nameserver in resolv.conf\n");
			return 1;
		}
	} else {
		return usage();
	}
	return bench_run("bench_driver", job.name, &o, lookup_once, bench_measured, &job);
}
