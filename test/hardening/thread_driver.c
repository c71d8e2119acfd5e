/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Concurrency driver for the sanitizer builds (test/hardening/sanitize.mk).
 *
 * THREADS threads (default 32) each make LOOKUPS lookups (default 1000)
 * through the module's real NSS entry points, linked with the module's
 * objects and test/hardening/fake_transport.c instead of src/resolver.c:
 *   - pseudo-service pairing: _nss_srvsip_getservbyname_r("sipsrv", ...)
 *     then a hosts lookup of "sipdomain.com" on the same thread
 *   - SRV owner names: "_sip._udp.sipdomain.com"
 *   - a `domain .example.test` line of the driver's own config file
 *   - out of scope names (NSS_STATUS_UNAVAIL expected)
 *   - the ERANGE retry (a buffer too small, then a large one)
 * through _nss_srvsip_gethostbyname4_r, _nss_srvsip_gethostbyname_r and
 * _nss_srvsip_gethostbyname3_r, validating every result against the fake
 * zone.  Some threads fork() half-way: the child makes a lookup and exits 0
 * when it succeeded; the parent waits for it.  Meanwhile another thread
 * rewrites the module's config file (cache on/off, debug on/off), so that
 * reloads race with lookups.
 *
 * Exits 0 when every check passed; the sanitizers add their own exit codes. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_transport.h"

NSS_DECLARE_MODULE_FUNCTIONS(srvsip)

#ifndef SRVSIP_CONFIG_PATH
#error "build with -DSRVSIP_CONFIG_PATH (the module's config file)"
#endif

#define BUFLEN 4096

static unsigned nthreads = 32;
static unsigned nlookups = 1000;
static bool config_active; /* the config file is trusted: its domain line applies */
static unsigned long checks;
static unsigned long failures;
static unsigned long forks_ok;
static bool forks = true; /* FORKS=0 turns the fork checks off */
static unsigned long calls;

struct worker {
	unsigned id;
	uint64_t rng;
	unsigned scenario;
	pthread_t thread;
};

static void failed(const struct worker *w, int line, const char *what)
{
	unsigned long n = __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	if (n <= 20)
		fprintf(stderr, "thread_driver: FAIL thread %u scenario %u line %d: %s\n", w->id,
			w->scenario, line, what);
}

#define expect(w, cond)                                                                      \
	do {                                                                                 \
		__atomic_add_fetch(&checks, 1, __ATOMIC_RELAXED);                            \
		if (!(cond))                                                                 \
			failed((w), __LINE__, #cond);                                        \
	} while (0)

static uint32_t next_random(struct worker *w)
{
	/* xorshift64*: the driver's own, so the module's sources need none. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return (uint32_t)((w->rng * 0x2545f4914f6cdd1dull) >> 32);
}

static bool inside(const void *p, size_t n, const char *buf, size_t buflen)
{
	const char *c = p;
	return c >= buf && n <= buflen && c <= buf + buflen - n;
}

static const struct fake_host *host_named(const char *name)
{
	for (size_t i = 0; i < FAKE_NHOSTS; i++)
		if (strcasecmp(fake_hosts[i].name, name) == 0)
			return &fake_hosts[i];
	return NULL;
}

/* ---- entry points with fresh, exactly sized buffers ---------------------- */

static void pair(struct worker *w, const char *service, const char *proto, int port)
{
	struct servent se;
	char *buf = malloc(BUFLEN);
	int err = 0;

	expect(w, buf != NULL);
	if (buf == NULL)
		return;
	enum nss_status st = _nss_srvsip_getservbyname_r(service, proto, &se, buf, BUFLEN, &err);
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	expect(w, st == NSS_STATUS_SUCCESS);
	if (st == NSS_STATUS_SUCCESS) {
		expect(w, se.s_port == (int)htons((uint16_t)port));
		expect(w, inside(se.s_name, strlen(se.s_name) + 1, buf, BUFLEN));
		expect(w, strcmp(se.s_name, service) == 0);
		expect(w, strcmp(se.s_proto, proto ? proto : "udp") == 0);
		expect(w, inside(se.s_aliases, sizeof(char *), buf, BUFLEN) && se.s_aliases[0] == NULL);
	}
	free(buf);
}

enum expect_kind {
	EXPECT_SELECTED, /* one address: the RFC 2782 choice of priority 0 */
	EXPECT_FAILOVER, /* all six targets in priority order */
	EXPECT_UNAVAIL,  /* out of scope */
};

static void check_tuples(struct worker *w, enum nss_status st, struct gaih_addrtuple *pat,
			 const char *buf, size_t buflen, enum expect_kind kind, int32_t ttl)
{
	if (kind == EXPECT_UNAVAIL) {
		expect(w, st == NSS_STATUS_UNAVAIL);
		return;
	}
	expect(w, st == NSS_STATUS_SUCCESS);
	if (st != NSS_STATUS_SUCCESS) {
		fprintf(stderr, "thread_driver: status %d\n", (int)st);
		return;
	}
	expect(w, pat != NULL);
	if (pat == NULL)
		return;
	expect(w, inside(pat, sizeof(*pat), buf, buflen));
	expect(w, pat->next == NULL); /* getaddrinfo gets the selected target only */
	expect(w, pat->family == AF_INET);
	expect(w, pat->name != NULL && inside(pat->name, strlen(pat->name) + 1, buf, buflen));
	expect(w, ttl > 0 && ttl <= 3600);
	const struct fake_host *h = host_named(pat->name);
	expect(w, h != NULL && h->priority == 0);
	if (h != NULL)
		expect(w, memcmp(pat->addr, h->addr, 4) == 0);
}

static enum nss_status lookup4(struct worker *w, const char *name, enum expect_kind kind,
			       size_t first_buflen)
{
	struct gaih_addrtuple *pat = NULL;
	int err = 0;
	int herr = 0;
	int32_t ttl = -1;
	size_t buflen = first_buflen ? first_buflen : BUFLEN;
	char *buf = malloc(buflen);

	expect(w, buf != NULL);
	if (buf == NULL)
		return NSS_STATUS_TRYAGAIN;
	enum nss_status st = _nss_srvsip_gethostbyname4_r(name, &pat, buf, buflen, &err, &herr, &ttl);
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (first_buflen != 0 && kind != EXPECT_UNAVAIL) {
		/* Too small: glibc's contract is TRYAGAIN + ERANGE + NETDB_INTERNAL,
		 * then the same call again with a larger buffer. */
		expect(w, st == NSS_STATUS_TRYAGAIN && err == ERANGE && herr == NETDB_INTERNAL);
		if (!(st == NSS_STATUS_TRYAGAIN && err == ERANGE))
			fprintf(stderr, "thread_driver: small buffer %zu: status %d errno %d h_errno %d\n",
				buflen, (int)st, err, herr);
		free(buf);
		buflen = BUFLEN;
		buf = malloc(buflen);
		expect(w, buf != NULL);
		if (buf == NULL)
			return NSS_STATUS_TRYAGAIN;
		pat = NULL;
		st = _nss_srvsip_gethostbyname4_r(name, &pat, buf, buflen, &err, &herr, &ttl);
		__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	}
	check_tuples(w, st, pat, buf, buflen, kind, ttl);
	free(buf);
	return st;
}

/* gethostbyname_r (failover list) or gethostbyname3_r (selected only). */
static void lookup_hostent(struct worker *w, const char *name, bool three, enum expect_kind kind)
{
	struct hostent he;
	int err = 0;
	int herr = 0;
	int32_t ttl = -1;
	char *canon = NULL;
	char *buf = malloc(BUFLEN);
	enum nss_status st;

	expect(w, buf != NULL);
	if (buf == NULL)
		return;
	memset(&he, 0, sizeof(he));
	if (three)
		st = _nss_srvsip_gethostbyname3_r(name, AF_INET, &he, buf, BUFLEN, &err, &herr, &ttl,
						  &canon);
	else
		st = _nss_srvsip_gethostbyname_r(name, &he, buf, BUFLEN, &err, &herr);
	__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	if (kind == EXPECT_UNAVAIL) {
		expect(w, st == NSS_STATUS_UNAVAIL);
		free(buf);
		return;
	}
	expect(w, st == NSS_STATUS_SUCCESS);
	if (st != NSS_STATUS_SUCCESS) {
		free(buf);
		return;
	}
	expect(w, he.h_addrtype == AF_INET && he.h_length == 4);
	expect(w, he.h_name != NULL && inside(he.h_name, strlen(he.h_name) + 1, buf, BUFLEN));
	expect(w, he.h_aliases != NULL && inside(he.h_aliases, sizeof(char *), buf, BUFLEN));
	expect(w, he.h_addr_list != NULL && inside(he.h_addr_list, sizeof(char *), buf, BUFLEN));
	if (he.h_name == NULL || he.h_aliases == NULL || he.h_addr_list == NULL) {
		free(buf);
		return;
	}
	if (three) {
		expect(w, canon == he.h_name);
		expect(w, ttl > 0 && ttl <= 3600);
	}
	/* The queried name is an alias when it is not the target's name. */
	if (strcasecmp(name, he.h_name) != 0) {
		expect(w, he.h_aliases[0] != NULL && strcasecmp(he.h_aliases[0], name) == 0);
		expect(w, he.h_aliases[0] == NULL || he.h_aliases[1] == NULL);
	}
	size_t n = 0;
	while (n < 32 && he.h_addr_list[n] != NULL) {
		expect(w, inside(he.h_addr_list[n], 4, buf, BUFLEN));
		n++;
	}
	const struct fake_host *first = host_named(he.h_name);
	expect(w, first != NULL && first->priority == 0);
	if (first == NULL || n == 0) {
		free(buf);
		return;
	}
	expect(w, memcmp(he.h_addr_list[0], first->addr, 4) == 0);
	if (kind == EXPECT_SELECTED) {
		expect(w, n == 1);
	} else {
		/* Failover: every target once, priority groups in order. */
		expect(w, n == FAKE_NHOSTS);
		if (n == FAKE_NHOSTS) {
			bool seen[FAKE_NHOSTS] = {false};
			for (size_t i = 0; i < n; i++) {
				for (size_t k = 0; k < FAKE_NHOSTS; k++) {
					if (memcmp(he.h_addr_list[i], fake_hosts[k].addr, 4) != 0)
						continue;
					expect(w, !seen[k]);
					seen[k] = true;
					expect(w, fake_hosts[k].priority == i / 2);
				}
			}
			for (size_t k = 0; k < FAKE_NHOSTS; k++)
				expect(w, seen[k]);
		}
	}
	free(buf);
}

/* ---- scenarios ------------------------------------------------------------ */

#define NSCENARIOS 12

static void scenario(struct worker *w, unsigned which)
{
	char name[64];

	w->scenario = which;
	switch (which) {
	case 0: /* getaddrinfo("sipdomain.com", "sipsrv") */
		pair(w, "sipsrv", "udp", 5060);
		lookup4(w, "sipdomain.com", EXPECT_SELECTED, 0);
		break;
	case 1: /* gethostbyname after getservbyname: the failover list */
		pair(w, "sipsrv", "tcp", 5060);
		lookup_hostent(w, "sipdomain.com", false, EXPECT_FAILOVER);
		break;
	case 2:
		lookup4(w, "_sip._udp.sipdomain.com", EXPECT_SELECTED, 0);
		break;
	case 3:
		lookup_hostent(w, "_sip._udp.sipdomain.com", false, EXPECT_FAILOVER);
		break;
	case 4:
		lookup4(w, "www.example.net", EXPECT_UNAVAIL, 0);
		break;
	case 5: /* no pairing: the bare domain is not in scope */
		lookup_hostent(w, "sipdomain.com", false, EXPECT_UNAVAIL);
		break;
	case 6: /* a config `domain .example.test` line */
		snprintf(name, sizeof(name), "voice%u.example.test", next_random(w) % 300);
		lookup4(w, name, config_active ? EXPECT_SELECTED : EXPECT_UNAVAIL, 0);
		break;
	case 7: /* getaddrinfo with AI_CANONNAME */
		pair(w, "sipsrv", NULL, 5060);
		lookup_hostent(w, "sipdomain.com", true, EXPECT_SELECTED);
		break;
	case 8: /* ERANGE, then the retry glibc makes */
		pair(w, "sipsrv", "udp", 5060);
		lookup4(w, "sipdomain.com", EXPECT_SELECTED, 1 + next_random(w) % 24);
		break;
	case 9: { /* a services lookup the module does not answer pairs nothing */
		struct servent se;
		char *buf = malloc(BUFLEN);
		int err = 0;
		expect(w, buf != NULL);
		if (buf != NULL) {
			expect(w, _nss_srvsip_getservbyname_r("http", "tcp", &se, buf, BUFLEN, &err) ==
					  NSS_STATUS_NOTFOUND);
			free(buf);
		}
		lookup4(w, "sipdomain.com", EXPECT_UNAVAIL, 0);
		break;
	}
	case 10: /* stunsrv: no _stun._udp SRV: the module steps aside */
		pair(w, "stunsrv", "udp", 3478);
		lookup4(w, "sipdomain.com", EXPECT_UNAVAIL, 0);
		break;
	case 11: /* an owner name under the config's domain, failover list */
		snprintf(name, sizeof(name), "_sip._tcp.voice%u.example.test", next_random(w) % 300);
		lookup_hostent(w, name, false, EXPECT_FAILOVER);
		break;
	}
}

static void fork_and_check(struct worker *w)
{
	pid_t pid = fork();

	expect(w, pid >= 0);
	if (pid == 0) {
		/* The child: locks the module's other threads held are usable. */
		unsigned long before = __atomic_load_n(&failures, __ATOMIC_RELAXED);
		pair(w, "sipsrv", "udp", 5060);
		enum nss_status st = lookup4(w, "sipdomain.com", EXPECT_SELECTED, 0);
		bool ok = st == NSS_STATUS_SUCCESS &&
			  __atomic_load_n(&failures, __ATOMIC_RELAXED) == before;
		_exit(ok ? 0 : 1);
	}
	if (pid > 0) {
		int status = 0;
		pid_t got;
		do
			got = waitpid(pid, &status, 0);
		while (got < 0 && errno == EINTR);
		expect(w, got == pid);
		expect(w, WIFEXITED(status) && WEXITSTATUS(status) == 0);
		if (got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
			__atomic_add_fetch(&forks_ok, 1, __ATOMIC_RELAXED);
		else
			fprintf(stderr, "thread_driver: child of thread %u: status %#x\n", w->id,
				(unsigned)status);
	}
}

static void *run(void *arg)
{
	struct worker *w = arg;

	for (unsigned i = 0; i < nlookups; i++) {
		if (forks && i == nlookups / 2 && w->id % 8 == 3)
			fork_and_check(w);
		scenario(w, next_random(w) % NSCENARIOS);
	}
	return NULL;
}

/* Rewrites the config file every 200 ms while the workers run (atomic
 * rename), switching the cache and debug logging on and off, so the module
 * reloads it under load.  The domain line never changes: expectations hold. */
static bool stop_rewriting;

static void *rewrite_config(void *arg)
{
	static const char *const contents[2] = {
		"# thread_driver: version A\ndebug\ndomain .example.test\n",
		"# thread_driver: version B\ndomain .example.test\ncache off\nallow-cname\n",
	};
	char tmp[512];
	unsigned *rewrites = arg;

	snprintf(tmp, sizeof(tmp), "%s.tmp", SRVSIP_CONFIG_PATH);
	for (unsigned k = 0; !__atomic_load_n(&stop_rewriting, __ATOMIC_RELAXED); k++) {
		FILE *f = fopen(tmp, "w");
		if (f != NULL) {
			fputs(contents[k % 2], f);
			if (fclose(f) == 0 && chmod(tmp, 0644) == 0 && rename(tmp, SRVSIP_CONFIG_PATH) == 0)
				(*rewrites)++;
		}
		usleep(200 * 1000);
	}
	return NULL;
}

static unsigned env_unsigned(const char *name, unsigned fallback)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return fallback;
	unsigned long n = strtoul(v, NULL, 10);
	return n > 0 && n < 100000 ? (unsigned)n : fallback;
}

int main(void)
{
	struct stat st;

	nthreads = env_unsigned("THREADS", nthreads);
	nlookups = env_unsigned("LOOKUPS", nlookups);
	/* FORKS=0: ASan's allocator is not fork-safe with threads (clang 14:
	 * the child can hang in it); the TSan run and the e2e run fork. */
	const char *f = getenv("FORKS");
	forks = f == NULL || strcmp(f, "0") != 0;
	/* The module ignores a config file that is not root's (DESIGN.md). */
	config_active = stat(SRVSIP_CONFIG_PATH, &st) == 0 && S_ISREG(st.st_mode) &&
			st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;

	struct worker *workers = calloc(nthreads, sizeof(*workers));
	pthread_t rewriter;
	unsigned rewrites = 0;
	bool rewriting = false;
	if (workers == NULL)
		return 2;
	if (config_active)
		rewriting = pthread_create(&rewriter, NULL, rewrite_config, &rewrites) == 0;
	for (unsigned t = 0; t < nthreads; t++) {
		workers[t].id = t;
		workers[t].rng = 0x9e3779b97f4a7c15ull * (t + 1);
		if (pthread_create(&workers[t].thread, NULL, run, &workers[t]) != 0) {
			fprintf(stderr, "thread_driver: pthread_create failed\n");
			return 2;
		}
	}
	for (unsigned t = 0; t < nthreads; t++)
		pthread_join(workers[t].thread, NULL);
	free(workers);
	if (rewriting) {
		__atomic_store_n(&stop_rewriting, true, __ATOMIC_RELAXED);
		pthread_join(rewriter, NULL);
	}

	printf("thread_driver: %u threads x %u lookups: %lu NSS calls, %lu checks, %lu failed; "
	       "%lu forks ok; %lu fake DNS queries; config %s, rewritten %u times\n",
	       nthreads, nlookups, calls, checks, failures, forks_ok, fake_transport_queries(),
	       config_active ? "active" : "ignored (not root's)", rewrites);
	return failures == 0 ? 0 : 1;
}
