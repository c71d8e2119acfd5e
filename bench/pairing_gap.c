/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pairing_gap: the gap between the services lookup and the hosts lookup of
 * one getaddrinfo(name, service) call, on many threads at once, while busy
 * threads keep every core loaded.  It sizes the pseudo-service pairing
 * window (src/scope.h); BENCHMARKS.md "Pairing window" has the figures.
 *
 *   LD_LIBRARY_PATH=DIR pairing_gap [THREADS [LOOKUPS [HOGS]]]
 *
 * DIR holds libnss_gapprobe.so.2 (bench/nss_gapprobe.c).  Prints the number
 * of samples and their percentiles in microseconds.  Needs no root and no
 * network: the probe declines every hosts lookup. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int __nss_configure_lookup(const char *db, const char *service_line);

static int lookups = 1000;
static atomic_bool stop;

static void *lookup_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < lookups; i++) {
		struct addrinfo *res = NULL;
		/* socktype 0: glibc asks the services of every protocol, then
		 * the hosts (docs/glibc-facts.md) */
		if (getaddrinfo("gap.example", "gapsrv", NULL, &res) == 0)
			freeaddrinfo(res);
	}
	return NULL;
}

static void *hog_thread(void *arg)
{
	volatile unsigned long *spin = arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		(*spin)++;
	return NULL;
}

static int compare(const void *a, const void *b)
{
	long long x = *(const long long *)a;
	long long y = *(const long long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int threads = argc > 1 ? atoi(argv[1]) : 32;
	int hogs = argc > 3 ? atoi(argv[3]) : 4;
	static unsigned long spins[64];
	pthread_t t[256];
	pthread_t h[64];

	lookups = argc > 2 ? atoi(argv[2]) : 1000;
	if (threads < 1 || threads > 256 || hogs < 0 || hogs > 64 || lookups < 1)
		return fprintf(stderr, "usage: pairing_gap [THREADS [LOOKUPS [HOGS]]]\n"), 64;
	__nss_configure_lookup("services", "gapprobe");
	__nss_configure_lookup("hosts", "gapprobe");
	lookup_thread(&(int){0}); /* loads the module */
	void *probe = dlopen("libnss_gapprobe.so.2", RTLD_NOW | RTLD_NOLOAD);
	const long long *(*samples_of)(size_t *) =
		probe != NULL ? (const long long *(*)(size_t *))dlsym(probe, "gapprobe_samples") : NULL;
	if (samples_of == NULL)
		return fprintf(stderr, "pairing_gap: libnss_gapprobe.so.2 not loaded\n"), 2;
	for (int i = 0; i < hogs; i++)
		pthread_create(&h[i], NULL, hog_thread, &spins[i]);
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, lookup_thread, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < hogs; i++)
		pthread_join(h[i], NULL);

	size_t n;
	const long long *raw = samples_of(&n);
	long long *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (sorted == NULL || n == 0)
		return fprintf(stderr, "pairing_gap: no samples\n"), 2;
	memcpy(sorted, raw, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), compare);
	printf("pairing gap: %zu samples, %d threads, %d busy threads: median %.1f us, p99 %.1f "
	       "us, p99.9 %.1f us, max %.1f us\n", n, threads, hogs, sorted[n / 2] / 1e3,
	       sorted[n * 99 / 100] / 1e3, sorted[n * 999 / 1000] / 1e3, sorted[n - 1] / 1e3);
	free(sorted);
	return 0;
}
