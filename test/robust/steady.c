/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* steady: many lookups in one process leave its fds and memory where they
 * were (issue "Robustness" 4).
 *
 * usage: steady N OUT
 * Runs N lookups through NSS (getaddrinfo / gethostbyname / gethostbyname_r),
 * cycling through this mix of ten (i = lookup number):
 *   in scope (7/10)
 *     0, 5  getaddrinfo("sipdomain.com", "sipsrv")        pseudo-service pairing
 *     1     getaddrinfo("_sip._udp.sipdomain.com", NULL)  SRV owner name
 *     2     gethostbyname("sipdomain.com")                listed domain, failover list
 *     3, 7  getaddrinfo("h<i>.robust.test", "5060")       listed suffix, a new name
 *           each time: never in the module's reply cache, one SRV query each
 *     4     gethostbyname_r("h<i>.robust.test") with a 16-octet buffer (ERANGE,
 *           result stashed) then 8 KiB (taken from the stash)
 *   out of scope (3/10), answered by the dns module
 *     6     getaddrinfo("www.plain.test", NULL)
 *     8     getaddrinfo("nosuch<i>.plain.test", NULL)     NXDOMAIN
 *     9     gethostbyname("www.plain.test")
 * /etc/srvsip.conf must list "domain sipdomain.com" and "domain .robust.test".
 * Every result is checked (first address in the expected set, or the
 * expected error).  OUT gets key=value lines: the fd lists (before the first
 * lookup, at 10% and at 100%), VmRSS/VmHWM in kB at 10% and 100%, the bytes
 * malloc'ed and not freed (mallinfo2 uordblks + hblkhd) at 10%, 55% and
 * 100%, counts, errors and the
 * elapsed time.  Exit status 1 when any result was wrong. */
#include <malloc.h>
#include <time.h>

#include "robust.h"

static long errors;
static FILE *out;

static bool first_in(const char *first, const char *a, const char *b, const char *c)
{
	return strcmp(first, a) == 0 || strcmp(first, b) == 0 || (c && strcmp(first, c) == 0);
}

static void bad(long i, const char *what, const char *name, const char *got)
{
	if (errors++ < 20)
		fprintf(out, "error lookup=%ld %s(%s) -> %s\n", i, what, name, got);
}

static void gai(long i, const char *name, const char *service, const char *a, const char *b,
		const char *c, int want_rc)
{
	struct addrinfo hints, *res = NULL;
	char first[64];
	memset(&hints, 0, sizeof(hints));
	int rc = getaddrinfo(name, service, &hints, &res);
	if (rc != 0) {
		if (rc != want_rc || a != NULL)
			bad(i, "getaddrinfo", name, robust_eai_name(rc));
		return;
	}
	robust_sa_ntop(res->ai_addr, first, sizeof(first));
	if (a == NULL || !first_in(first, a, b, c))
		bad(i, "getaddrinfo", name, first);
	freeaddrinfo(res);
}

static void ghbn(long i, const char *name, const char *a, const char *b, const char *c)
{
	char first[64];
	struct hostent *he = gethostbyname(name);
	if (he == NULL) {
		bad(i, "gethostbyname", name, robust_herr_name(h_errno));
		return;
	}
	robust_ntop(he->h_addrtype, he->h_addr_list[0], first, sizeof(first));
	if (!first_in(first, a, b, c))
		bad(i, "gethostbyname", name, first);
}

static void ghbn_erange(long i, const char *name, const char *a, const char *b)
{
	static char big[8192];
	char tiny[16], first[64];
	struct hostent he, *result = NULL;
	int herr = 0;
	int rc = gethostbyname_r(name, &he, tiny, sizeof(tiny), &result, &herr);
	if (rc != ERANGE) {
		bad(i, "gethostbyname_r(16 octets)", name, rc == 0 ? "success" : strerror(rc));
		return;
	}
	rc = gethostbyname_r(name, &he, big, sizeof(big), &result, &herr);
	if (rc != 0 || result == NULL) {
		bad(i, "gethostbyname_r(8 KiB)", name, robust_herr_name(herr));
		return;
	}
	robust_ntop(he.h_addrtype, he.h_addr_list[0], first, sizeof(first));
	if (!first_in(first, a, b, NULL))
		bad(i, "gethostbyname_r", name, first);
}

/* Bytes the program has malloc'ed and not freed (all arenas, mmapped too). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static char fds_start[16384], fds_10[16384], fds_end[16384];

int main(int argc, char **argv)
{
	if (argc != 3)
		return 64;
	long n = atol(argv[1]);
	out = fopen(argv[2], "we");
	if (out == NULL || n < 10)
		return 64;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int nfds_start = robust_fd_snapshot(fds_start, sizeof(fds_start));
	int nfds_10 = -1;
	long rss_10 = -1, hwm_10 = -1;
	size_t heap_10 = 0, heap_55 = 0;
	long in_scope = 0, out_scope = 0;
	char name[64];

	for (long i = 0; i < n; i++) {
		switch (i % 10) {
		case 0:
		case 5:
			gai(i, "sipdomain.com", "sipsrv", "127.0.0.11", "127.0.0.13", NULL, 0);
			break;
		case 1:
			gai(i, "_sip._udp.sipdomain.com", NULL, "127.0.0.11", "127.0.0.13", NULL, 0);
			break;
		case 2:
			ghbn(i, "sipdomain.com", "127.0.0.11", "127.0.0.13", NULL);
			break;
		case 3:
		case 7:
			snprintf(name, sizeof(name), "h%ld.robust.test", i);
			gai(i, name, "5060", "127.0.0.63", "127.0.0.64", NULL, 0);
			break;
		case 4:
			snprintf(name, sizeof(name), "h%ld.robust.test", i);
			ghbn_erange(i, name, "127.0.0.63", "127.0.0.64");
			break;
		case 6:
			gai(i, "www.plain.test", NULL, "127.0.0.50", "fd53::50", NULL, 0);
			break;
		case 8:
			snprintf(name, sizeof(name), "nosuch%ld.plain.test", i);
			gai(i, name, NULL, NULL, NULL, NULL, EAI_NONAME);
			break;
		case 9:
			ghbn(i, "www.plain.test", "127.0.0.50", "127.0.0.50", NULL);
			break;
		}
		if (i % 10 == 6 || i % 10 == 8 || i % 10 == 9)
			out_scope++;
		else
			in_scope++;
		if (i + 1 == n / 10) {
			nfds_10 = robust_fd_snapshot(fds_10, sizeof(fds_10));
			rss_10 = robust_status_kb("VmRSS");
			hwm_10 = robust_status_kb("VmHWM");
			heap_10 = heap_in_use();
		}
		if (i + 1 == n * 55 / 100)
			heap_55 = heap_in_use();
	}
	int nfds_end = robust_fd_snapshot(fds_end, sizeof(fds_end));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	char module[1024];
	fprintf(out, "module=%s\n", robust_module_path(module, sizeof(module)));
	fprintf(out, "lookups=%ld\nin_scope=%ld\nout_of_scope=%ld\nerrors=%ld\n", n, in_scope,
		out_scope, errors);
	fprintf(out, "nfds_start=%d\nnfds_10=%d\nnfds_end=%d\n", nfds_start, nfds_10, nfds_end);
	fprintf(out, "fds_start=%s\nfds_10=%s\nfds_end=%s\n", fds_start, fds_10, fds_end);
	fprintf(out, "rss_10_kb=%ld\nrss_end_kb=%ld\nhwm_10_kb=%ld\nhwm_end_kb=%ld\n", rss_10,
		robust_status_kb("VmRSS"), hwm_10, robust_status_kb("VmHWM"));
	fprintf(out, "heap_in_use_10=%zu\nheap_in_use_55=%zu\nheap_in_use_end=%zu\n", heap_10,
		heap_55, heap_in_use());
	fprintf(out, "seconds=%.1f\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fclose(out);
	return errors ? 1 : 0;
}
