/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dlopen_module: loads a built or installed libnss_srvsip.so.2 with dlopen
 * (as glibc does) and calls every exported entry point at many buffer
 * sizes, the way systemd's test-nss-hosts exercises NSS modules.
 *
 *   dlopen_module [--dns] PATH
 *
 * Always: every entry point is found; out-of-scope names give UNAVAIL /
 * NO_RECOVERY and leave the buffer untouched; getservbyname_r answers the
 * pseudo-services with ERANGE until the servent fits; a new thread's first
 * lookups while malloc fails get a status.  With --dns (run by
 * test/dlopen/run.sh in a private user, network and mount namespace whose
 * resolv.conf points at 127.0.0.1), a small DNS server in this process
 * answers, and the in-scope lookups are swept too: TRYAGAIN + ERANGE +
 * NETDB_INTERNAL until the result fits, then SUCCESS with NETDB_SUCCESS,
 * errno unchanged, every pointer inside the buffer, nothing written past
 * it; no SRV records: UNAVAIL.  Exit 0 when every check passed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef enum nss_status (*hbn4_fn)(const char *, struct gaih_addrtuple **, char *, size_t,
				   int *, int *, int32_t *);
typedef enum nss_status (*hbn3_fn)(const char *, int, struct hostent *, char *, size_t, int *,
				   int *, int32_t *, char **);
typedef enum nss_status (*hbn2_fn)(const char *, int, struct hostent *, char *, size_t, int *,
				   int *);
typedef enum nss_status (*hbn_fn)(const char *, struct hostent *, char *, size_t, int *, int *);
typedef enum nss_status (*sbn_fn)(const char *, const char *, struct servent *, char *, size_t,
				  int *);

static struct {
	hbn4_fn hbn4;
	hbn3_fn hbn3;
	hbn2_fn hbn2;
	hbn_fn hbn;
	sbn_fn sbn;
} m;

static unsigned checks, failures;

#define CHECK(cond, ...)                                                                     \
	do {                                                                                 \
		checks++;                                                                    \
		if (!(cond)) {                                                               \
			failures++;                                                          \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                 \
			fprintf(stderr, __VA_ARGS__);                                        \
			fputc('\n', stderr);                                                 \
		}                                                                            \
	} while (0)

/* ---- calls with guard zones ------------------------------------------ */

#define GUARD 64
#define POISON 0xa5
#define MAX_BUF 4096
static unsigned char arena[GUARD + MAX_BUF + GUARD];

enum ep { EP4, EP3, EP2, EP1 };
static const char *const ep_names[] = {"gethostbyname4_r", "gethostbyname3_r",
				       "gethostbyname2_r", "gethostbyname_r"};

struct call {
	enum nss_status status;
	int err, herr;
	struct gaih_addrtuple *pat;
	struct hostent he;
	char *canon;
	int32_t ttl;
};

static char *poisoned(size_t len)
{
	memset(arena, POISON, sizeof(arena));
	return (char *)arena + GUARD + (MAX_BUF - len); /* the buffer ends at the guard */
}

static bool untouched(const unsigned char *from, const unsigned char *to)
{
	for (; from < to; from++)
		if (*from != POISON)
			return false;
	return true;
}

static struct call call_ep(enum ep ep, const char *name, int af, char *buf, size_t len)
{
	struct call c = {.err = 4242, .herr = 4242, .ttl = -7};

	switch (ep) {
	case EP4: c.status = m.hbn4(name, &c.pat, buf, len, &c.err, &c.herr, &c.ttl); break;
	case EP3: c.status = m.hbn3(name, af, &c.he, buf, len, &c.err, &c.herr, &c.ttl, &c.canon); break;
	case EP2: c.status = m.hbn2(name, af, &c.he, buf, len, &c.err, &c.herr); break;
	case EP1: c.status = m.hbn(name, &c.he, buf, len, &c.err, &c.herr); break;
	}
	return c;
}

static bool inside(const void *p, size_t size, const char *buf, size_t len)
{
	const char *q = p;
	return q >= buf && size <= len && q <= buf + len - size;
}

/* A successful result points into the buffer only. */
static void check_result(enum ep ep, const struct call *c, const char *buf, size_t len)
{
	if (ep == EP4) {
		unsigned n = 0;
		for (const struct gaih_addrtuple *t = c->pat; t != NULL && n < 64; t = t->next, n++)
			CHECK(inside(t, sizeof(*t), buf, len) && inside(t->name, 1, buf, len),
			      "%s: tuple %u outside the buffer", ep_names[ep], n);
		CHECK(n >= 1, "%s: success without a tuple", ep_names[ep]);
		return;
	}
	const struct hostent *he = &c->he;
	CHECK(inside(he->h_name, 1, buf, len) && inside(he->h_addr_list, sizeof(char *), buf, len) &&
	      inside(he->h_aliases, sizeof(char *), buf, len),
	      "%s: hostent outside the buffer", ep_names[ep]);
	CHECK(he->h_addr_list[0] != NULL && inside(he->h_addr_list[0], (size_t)he->h_length, buf, len),
	      "%s: no address, or outside the buffer", ep_names[ep]);
}

/* Every buffer length from 0 until success: TRYAGAIN, ERANGE and
 * NETDB_INTERNAL before, nothing written outside the buffer ever. */
static void sweep(enum ep ep, const char *name, int af)
{
	for (size_t len = 0; len <= MAX_BUF; len += len < 256 ? 1 : 64) {
		char *buf = poisoned(len);
		errno = 4243;
		struct call c = call_ep(ep, name, af, buf, len);
		int after = errno;
		CHECK(untouched(arena, (unsigned char *)buf) &&
		      untouched((unsigned char *)buf + len, arena + sizeof(arena)),
		      "%s(%s) len %zu: written outside the buffer", ep_names[ep], name, len);
		if (c.status == NSS_STATUS_SUCCESS) {
			CHECK(c.herr == NETDB_SUCCESS, "%s(%s): h_errno %d on success", ep_names[ep],
			      name, c.herr);
			CHECK(after == 4243, "%s(%s): errno changed on success", ep_names[ep], name);
			check_result(ep, &c, buf, len);
			return;
		}
		CHECK(c.status == NSS_STATUS_TRYAGAIN && c.err == ERANGE && c.herr == NETDB_INTERNAL,
		      "%s(%s) len %zu: status %d errno %d h_errno %d", ep_names[ep], name, len,
		      c.status, c.err, c.herr);
		if (c.status != NSS_STATUS_TRYAGAIN)
			return;
	}
	CHECK(false, "%s(%s): no success with %d octets", ep_names[ep], name, MAX_BUF);
}

static void expect_status(enum ep ep, const char *name, int af, enum nss_status want, int herr)
{
	static const size_t sizes[] = {0, 1, 16, 512, MAX_BUF};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *buf = poisoned(sizes[i]);
		struct call c = call_ep(ep, name, af, buf, sizes[i]);
		CHECK(c.status == want && c.herr == herr, "%s(\"%.40s\", %d) len %zu: status %d h_errno "
		      "%d, expected %d %d", ep_names[ep], name, af, sizes[i], c.status, c.herr, want,
		      herr);
		if (want != NSS_STATUS_SUCCESS)
			CHECK(untouched(arena, arena + sizeof(arena)),
			      "%s(\"%.40s\"): buffer written without a result", ep_names[ep], name);
	}
}

/* ---- the checks -------------------------------------------------------- */

static void out_of_scope(void)
{
	char long_name[400];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	const char *names[] = {"localhost", "www.example.invalid", "", ".", "a..b",
			       "_sip.example.invalid", "\xff\xfe.example", long_name};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int ep = EP4; ep <= EP1; ep++)
			expect_status((enum ep)ep, names[i], AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY);
}

/* How many more pthread keys this process could make now. */
static int free_pthread_keys(void)
{
	static pthread_key_t keys[PTHREAD_KEYS_MAX];
	int n = 0;

	while (n < PTHREAD_KEYS_MAX && pthread_key_create(&keys[n], NULL) == 0)
		n++;
	for (int i = 0; i < n; i++)
		pthread_key_delete(keys[i]);
	return n;
}

/* The module's first pseudo-service answer makes the pairing's key only:
 * a program keeps every key the module does not need (the stash's is made
 * at the first ERANGE). */
static void pairing_costs_one_key(void)
{
	struct servent se;
	int err = 0;
	char buf[256];
	int before = free_pthread_keys();
	enum nss_status st = m.sbn("sipsrv", "udp", &se, buf, sizeof(buf), &err);
	int used = before - free_pthread_keys();

	CHECK(st == NSS_STATUS_SUCCESS && used == 1,
	      "first getservbyname_r(sipsrv): status %d, %d pthread keys made (want 1)", st, used);
}

static void services(void)
{
	const char *protos[] = {"udp", "tcp"};
	for (int p = 0; p < 2; p++) {
		for (size_t len = 0; len <= 256; len++) {
			struct servent se;
			int err = 0;
			char *buf = poisoned(len);
			enum nss_status st = m.sbn("sipsrv", protos[p], &se, buf, len, &err);
			CHECK(untouched(arena, (unsigned char *)buf) &&
			      untouched((unsigned char *)buf + len, arena + sizeof(arena)),
			      "getservbyname_r len %zu: written outside the buffer", len);
			if (st == NSS_STATUS_SUCCESS) {
				CHECK(ntohs((uint16_t)se.s_port) == 5060 &&
				      strcmp(se.s_proto, protos[p]) == 0 && inside(se.s_name, 7, buf, len),
				      "getservbyname_r: wrong servent");
				break;
			}
			CHECK(st == NSS_STATUS_TRYAGAIN && err == ERANGE,
			      "getservbyname_r len %zu: status %d errno %d", len, st, err);
		}
		struct servent se;
		int err = 0;
		char buf[256];
		CHECK(m.sbn("http", protos[p], &se, buf, sizeof(buf), &err) == NSS_STATUS_NOTFOUND,
		      "getservbyname_r(http) answered");
	}
}

/* ---- a thread's first lookups without memory ----------------------------- */

/* malloc and calloc fail in a thread while its flag is set: this program's
 * own, standing in for the C library's (glibc calls them for everything,
 * the TLS blocks of dlopened objects included). */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
static __thread bool memory_exhausted;
static __thread bool calloc_exhausted; /* calloc only */

void *malloc(size_t size)
{
	if (memory_exhausted)
		return errno = ENOMEM, NULL;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (memory_exhausted || calloc_exhausted)
		return errno = ENOMEM, NULL;
	return __libc_calloc(n, size);
}

/* A module's __thread variables are allocated by glibc at a thread's first
 * access, and glibc ends the process when that allocation fails: a new
 * thread's first lookups while memory is exhausted must still get a status.
 * Out of scope: UNAVAIL; a pseudo-service: not answered (TRYAGAIN, ENOMEM),
 * since its pairing could not be kept; with memory back, answered. */
static void *first_lookups_without_memory(void *arg)
{
	char buf[1024];
	struct gaih_addrtuple *pat = NULL;
	struct servent se;
	int err = 0, herr = 0;

	(void)arg;
	memory_exhausted = true;
	enum nss_status out = m.hbn4("www.example.invalid", &pat, buf, sizeof(buf), &err, &herr,
				     NULL);
	int out_herr = herr;
	err = 0;
	enum nss_status svc = m.sbn("sipsrv", "udp", &se, buf, sizeof(buf), &err);
	memory_exhausted = false;
	CHECK(out == NSS_STATUS_UNAVAIL && out_herr == NO_RECOVERY,
	      "out of scope without memory: status %d h_errno %d", out, out_herr);
	CHECK(svc == NSS_STATUS_TRYAGAIN && err == ENOMEM,
	      "pseudo-service without memory: status %d errno %d", svc, err);
	CHECK(m.sbn("sipsrv", "udp", &se, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS,
	      "pseudo-service with memory back: not answered");
	return NULL;
}

static void without_memory(void)
{
	pthread_t t;

	CHECK(pthread_create(&t, NULL, first_lookups_without_memory, NULL) == 0, "pthread_create");
	pthread_join(t, NULL);
}

/* ---- a DNS server for --dns -------------------------------------------- */

struct writer {
	uint8_t *out;
	size_t at;
};

static void put(struct writer *w, const void *data, size_t n)
{
	memcpy(w->out + w->at, data, n);
	w->at += n;
}

static void put16(struct writer *w, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(w, b, 2);
}

/* Owner (a pointer), type, class IN, TTL 3600, RDLENGTH. */
static void put_rr_head(struct writer *w, size_t owner, unsigned type, unsigned rdlength)
{
	put16(w, 0xc000u | (unsigned)owner);
	put16(w, type);
	put16(w, 1);
	put16(w, 0);
	put16(w, 3600);
	put16(w, rdlength);
}

/* Answers _sip._udp.dlopen.test SRV with a.dlopen.test (weight 1) and
 * b.dlopen.test (weight 3), both on port 5060 and glued (A and AAAA);
 * every other question NXDOMAIN. */
static size_t answer(const uint8_t *q, size_t len, uint8_t *out)
{
	static const uint8_t owner[] = "\x04_sip\x04_udp\x06" "dlopen\x04test";
	const size_t domain_at = 12 + 10; /* "dlopen.test" inside the question */
	struct writer w = {out, 0};

	if (len < 12 + 5 || len > 512)
		return 0;
	size_t end = 12;
	while (end < len && q[end] != 0)
		end += (size_t)q[end] + 1;
	end += 5; /* root label, QTYPE, QCLASS */
	if (end > len)
		return 0;
	bool srv = end - 12 - 4 == sizeof(owner) && memcmp(q + 12, owner, sizeof(owner)) == 0 &&
		   q[end - 3] == 33;
	put(&w, q, 2);                              /* ID */
	put16(&w, srv ? 0x8180u : 0x8183u);         /* QR RD RA; NXDOMAIN unless SRV */
	put16(&w, 1);
	put16(&w, srv ? 2 : 0);
	put16(&w, 0);
	put16(&w, srv ? 4 : 0);
	put(&w, q + 12, end - 12);                  /* the question */
	if (!srv)
		return w.at;
	size_t target_at[2];
	for (int t = 0; t < 2; t++) {
		put_rr_head(&w, 12, 33, 6 + 4);
		put16(&w, 0);                       /* priority */
		put16(&w, t == 0 ? 1 : 3);          /* weight */
		put16(&w, 5060);
		target_at[t] = w.at;
		uint8_t label[2] = {1, (uint8_t)('a' + t)};
		put(&w, label, 2);
		put16(&w, 0xc000u | (unsigned)domain_at);
	}
	for (int t = 0; t < 2; t++) {
		uint8_t v4[4] = {192, 0, 2, (uint8_t)(1 + t)};
		uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
		v6[15] = (uint8_t)(1 + t);
		put_rr_head(&w, target_at[t], 1, 4);
		put(&w, v4, 4);
		put_rr_head(&w, target_at[t], 28, 16);
		put(&w, v6, 16);
	}
	return w.at;
}

static void *dns_server(void *arg)
{
	int fd = *(int *)arg;
	uint8_t q[600], out[1024];
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
		if (n <= 0)
			continue;
		size_t len = answer(q, (size_t)n, out);
		if (len > 0)
			sendto(fd, out, len, 0, (struct sockaddr *)&from, fromlen);
	}
	return NULL;
}

static bool start_dns(void)
{
	static int fd;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(53)};
	pthread_t t;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		perror("dlopen_module: the DNS server cannot bind 127.0.0.1:53");
		return false;
	}
	return pthread_create(&t, NULL, dns_server, &fd) == 0;
}

/* A paired lookup whose result does not fit, in a thread that has no
 * memory left for the slot that would keep the result for glibc's retry:
 * not ERANGE (the retry, its pairing used up, would be out of scope and
 * the next module would answer with the domain's own address) but
 * TRYAGAIN with ENOMEM. */
static void *erange_without_memory(void *arg)
{
	struct servent se;
	char sbuf[256], small[16];
	struct gaih_addrtuple *pat = NULL;
	int err = 0, herr = 0;

	(void)arg;
	CHECK(m.sbn("sipsrv", "udp", &se, sbuf, sizeof(sbuf), &err) == NSS_STATUS_SUCCESS,
	      "getservbyname_r(sipsrv) failed");
	calloc_exhausted = true;
	enum nss_status st = m.hbn4("dlopen.test", &pat, small, sizeof(small), &err, &herr, NULL);
	calloc_exhausted = false;
	CHECK(st == NSS_STATUS_TRYAGAIN && err == ENOMEM && herr == TRY_AGAIN,
	      "too small a buffer without memory for the stash: status %d errno %d h_errno %d",
	      st, err, herr);
	return NULL;
}

static void in_scope(void)
{
	const char *owner = "_sip._udp.dlopen.test";
	sweep(EP4, owner, AF_UNSPEC);
	sweep(EP3, owner, AF_INET);
	sweep(EP3, owner, AF_INET6);
	sweep(EP3, owner, AF_UNSPEC); /* taken as AF_INET */
	sweep(EP2, owner, AF_INET);
	sweep(EP2, owner, AF_INET6);
	sweep(EP1, owner, AF_INET);
	/* a pseudo-service pairing, then the domain */
	struct servent se;
	int err;
	char sbuf[256];
	CHECK(m.sbn("sipsrv", "udp", &se, sbuf, sizeof(sbuf), &err) == NSS_STATUS_SUCCESS,
	      "getservbyname_r(sipsrv) failed");
	sweep(EP4, "dlopen.test", AF_UNSPEC);
	/* no SRV records: the next module's */
	expect_status(EP4, "_sip._udp.none.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY);
	pthread_t t;
	CHECK(pthread_create(&t, NULL, erange_without_memory, NULL) == 0, "pthread_create");
	pthread_join(t, NULL);
}

int main(int argc, char **argv)
{
	bool dns = argc == 3 && strcmp(argv[1], "--dns") == 0;
	const char *path = argv[argc - 1];

	if (argc < 2 || (argc == 3 && !dns))
		return fprintf(stderr, "usage: dlopen_module [--dns] PATH\n"), 64;
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return fprintf(stderr, "dlopen_module: %s\n", dlerror()), 1;
	m.hbn4 = (hbn4_fn)dlsym(h, "_nss_srvsip_gethostbyname4_r");
	m.hbn3 = (hbn3_fn)dlsym(h, "_nss_srvsip_gethostbyname3_r");
	m.hbn2 = (hbn2_fn)dlsym(h, "_nss_srvsip_gethostbyname2_r");
	m.hbn = (hbn_fn)dlsym(h, "_nss_srvsip_gethostbyname_r");
	m.sbn = (sbn_fn)dlsym(h, "_nss_srvsip_getservbyname_r");
	if (!m.hbn4 || !m.hbn3 || !m.hbn2 || !m.hbn || !m.sbn)
		return fprintf(stderr, "dlopen_module: an entry point is missing\n"), 1;
	out_of_scope();
	pairing_costs_one_key();
	services();
	without_memory();
	if (dns) {
		if (!start_dns())
			return 1;
		in_scope();
	}
	printf("dlopen_module: %s: %u checks, %u failed%s\n", path, checks, failures,
	       dns ? "" : " (in-scope lookups not run: no --dns)");
	dlclose(h);
	return failures == 0 ? 0 : 1;
}
