/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NSS entry point tests: the module's objects linked with a fake DNS
 * transport (fake_resolver.c) instead of src/resolver.c, so every lookup is
 * answered from hand-built messages and every query is counted.
 *
 * docs/glibc-facts.md facts under test: a too-small buffer gives NSS_STATUS_TRYAGAIN
 * with ERANGE (and NETDB_INTERNAL for hosts); every pointer written points
 * into the caller's buffer; a non-NULL *pat on entry receives the first
 * tuple; errno is left alone by a successful lookup.  DESIGN.md: scope,
 * pairing, statuses, failover order, the ERANGE stash.
 *
 * srv_xoshiro_seed_os is wrapped at link time (unit.mk) only to count the
 * draws the module makes; it still seeds from the OS.
 *
 * The module's per-process reply cache (cache.c) is on, as in production;
 * every test starts with it flushed, and a test that counts queries across
 * lookups of the same name flushes it where it means "ask again". */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <nss.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "config_load.h"
#include "fake_resolver.h"
#include "rng.h"
#include "test_common.h"
#include "wire_builder.h"

NSS_DECLARE_MODULE_FUNCTIONS(srvsip)

/* ---- counting the module's draws --------------------------------------- */

void __real_srv_xoshiro_seed_os(struct srv_xoshiro *gen);
void __wrap_srv_xoshiro_seed_os(struct srv_xoshiro *gen);
static unsigned seedings;

void __wrap_srv_xoshiro_seed_os(struct srv_xoshiro *gen)
{
	__atomic_add_fetch(&seedings, 1, __ATOMIC_RELAXED);
	__real_srv_xoshiro_seed_os(gen);
}

/* ---- the zones --------------------------------------------------------- */

#define OWNER "_sip._udp.example.test"
#define A_NAME "a.example.test"
#define B_NAME "b.example.test"
#define C_NAME "c.example.test"
#define A_V4 "192.0.2.1"
#define A_V6 "2001:db8::a"
#define B_V4 "192.0.2.2"
#define B_V6 "2001:db8::b"
#define C_V4 "192.0.2.3"
#define C_V6 "2001:db8::c"
#define PLAIN_V4 "198.51.100.7"

static struct wb W;

static void answer(const char *qname, uint16_t qtype)
{
	wb_init(&W, 0x5150, WB_FLAGS_ANSWER);
	W.compress = true;
	wb_question(&W, qname, qtype, DNS_CLASS_IN);
	wb_section(&W, WB_AN);
}

static void address_answers(const char *name, const char *v4, const char *v6, uint32_t ttl)
{
	answer(name, DNS_TYPE_A);
	if (v4 != NULL)
		wb_a(&W, name, ttl, v4);
	if (v4 != NULL)
		fake_add_wb(name, DNS_TYPE_A, &W);
	else
		fake_add(name, DNS_TYPE_A, DNS_NODATA, NULL, 0);
	answer(name, DNS_TYPE_AAAA);
	if (v6 != NULL)
		wb_aaaa(&W, name, ttl, v6);
	if (v6 != NULL)
		fake_add_wb(name, DNS_TYPE_AAAA, &W);
	else
		fake_add(name, DNS_TYPE_AAAA, DNS_NODATA, NULL, 0);
}

/* _sip._udp.example.test: a (0 1) and b (0 3) with A and AAAA in the
 * Additional section, c (10 0) without: its addresses need queries. */
static void zone_example(void)
{
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 3600, 0, 1, 5060, A_NAME);
	wb_srv(&W, OWNER, 1800, 0, 3, 5060, B_NAME);
	wb_srv(&W, OWNER, 3600, 10, 0, 5060, C_NAME);
	wb_section(&W, WB_AR);
	wb_a(&W, A_NAME, 600, A_V4);
	wb_aaaa(&W, A_NAME, 700, A_V6);
	wb_a(&W, B_NAME, 900, B_V4);
	wb_aaaa(&W, B_NAME, 950, B_V6);
	fake_add_wb(OWNER, DNS_TYPE_SRV, &W);
	address_answers(C_NAME, C_V4, C_V6, 300);
}

static void srv_one(const char *owner, uint16_t port, const char *target, const char *v4,
		    const char *v6)
{
	answer(owner, DNS_TYPE_SRV);
	wb_srv(&W, owner, 300, 0, 0, port, target);
	if (strcmp(target, ".") != 0) {
		wb_section(&W, WB_AR);
		if (v4 != NULL)
			wb_a(&W, target, 300, v4);
		if (v6 != NULL)
			wb_aaaa(&W, target, 300, v6);
	}
	fake_add_wb(owner, DNS_TYPE_SRV, &W);
}

/* Failover (DESIGN.md "The lookup"): "dead" targets whose address queries
 * fail temporarily, next to targets the Additional section covers. */
static void install_failover_zones(void)
{
	/* fo.test: p0 dead (not glued), p1 live (glued) */
	answer("_sip._udp.fo.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.fo.test", 300, 0, 1, 5060, "dead.fo.test");
	wb_srv(&W, "_sip._udp.fo.test", 300, 1, 1, 5060, "live.fo.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "live.fo.test", 300, "192.0.2.101");
	wb_aaaa(&W, "live.fo.test", 300, "2001:db8::101");
	fake_add_wb("_sip._udp.fo.test", DNS_TYPE_SRV, &W);
	fake_add("dead.fo.test", DNS_TYPE_A, DNS_TEMPFAIL, NULL, 0);
	fake_add("dead.fo.test", DNS_TYPE_AAAA, DNS_TEMPFAIL, NULL, 0);
	/* fo2.test: one priority, dead (weight 3) and live2 (weight 1, glued) */
	answer("_sip._udp.fo2.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.fo2.test", 300, 0, 3, 5060, "dead.fo.test");
	wb_srv(&W, "_sip._udp.fo2.test", 300, 0, 1, 5060, "live2.fo.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "live2.fo.test", 300, "192.0.2.102");
	fake_add_wb("_sip._udp.fo2.test", DNS_TYPE_SRV, &W);
	/* allfail.test: dead, and a target that does not exist */
	answer("_sip._udp.allfail.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.allfail.test", 300, 0, 1, 5060, "dead.fo.test");
	wb_srv(&W, "_sip._udp.allfail.test", 300, 1, 1, 5060, "gone.fo.test");
	fake_add_wb("_sip._udp.allfail.test", DNS_TYPE_SRV, &W);
	/* bad.test: one good record and one with 3 octets of RDATA; bad.test
	 * itself has an address that must never be used */
	answer("_sip._udp.bad.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.bad.test", 300, 0, 1, 5060, "good.bad.test");
	size_t at = wb_rr_begin(&W, "_sip._udp.bad.test", DNS_TYPE_SRV, DNS_CLASS_IN, 300);
	wb_u16(&W, 0);
	wb_u8(&W, 1);
	wb_rr_end(&W, at);
	wb_section(&W, WB_AR);
	wb_a(&W, "good.bad.test", 300, "192.0.2.103");
	fake_add_wb("_sip._udp.bad.test", DNS_TYPE_SRV, &W);
	address_answers("bad.test", "203.0.113.10", NULL, 300);
}

/* One SRV name decides: _sip._udp holds something (a target with only an
 * A record, only ".", only port 5070), _sip._tcp a usable target. */
static void install_deciding_zones(void)
{
	srv_one("_sip._udp.udp4.test", 5060, "v4.udp4.test", "192.0.2.110", NULL);
	address_answers("v4.udp4.test", "192.0.2.110", NULL, 300);
	srv_one("_sip._udp.dotonly.test", 0, ".", NULL, NULL);
	srv_one("_sip._udp.offport.test", 5070, "x.offport.test", "192.0.2.111", NULL);
	const char *domains[] = {"udp4.test", "dotonly.test", "offport.test"};
	for (size_t i = 0; i < 3; i++) {
		char owner[64], target[64];
		snprintf(owner, sizeof(owner), "_sip._tcp.%s", domains[i]);
		snprintf(target, sizeof(target), "tcp.%s", domains[i]);
		srv_one(owner, 5060, target, "192.0.2.112", "2001:db8::112");
	}
}

static void install_zones(void)
{
	zone_example();
	/* "." only: the service is decidedly not available; dot.test itself
	 * has an address that must not be used. */
	srv_one("_sip._udp.dot.test", 0, ".", NULL, NULL);
	address_answers("dot.test", "203.0.113.9", NULL, 300);
	fake_add("_sip._udp.fail.test", DNS_TYPE_SRV, DNS_TEMPFAIL, NULL, 0);
	/* a reply carrying rcode SERVFAIL */
	wb_init(&W, 1, 0x8182);
	wb_question(&W, "_sip._udp.rcode.test", DNS_TYPE_SRV, DNS_CLASS_IN);
	fake_add_wb("_sip._udp.rcode.test", DNS_TYPE_SRV, &W);
	/* AAAA only, in Additional / through queries */
	srv_one("_sip._udp.v6.test", 5060, "h.v6.test", NULL, "2001:db8:6::1");
	answer("_sip._udp.v6q.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.v6q.test", 300, 0, 0, 5060, "h.v6q.test");
	fake_add_wb("_sip._udp.v6q.test", DNS_TYPE_SRV, &W);
	address_answers("h.v6q.test", NULL, "2001:db8:6::2", 300);
	/* only port 5070 */
	srv_one("_sip._udp.port.test", 5070, "x.port.test", "192.0.2.70", NULL);
	address_answers("port.test", "192.0.2.71", NULL, 300);
	/* no SRV (NXDOMAIN), the domain has an address */
	address_answers("plain.test", PLAIN_V4, NULL, 300);
	/* SRV NODATA, the domain has an address */
	fake_add("_sip._udp.nodata.test", DNS_TYPE_SRV, DNS_NODATA, NULL, 0);
	address_answers("nodata.test", "198.51.100.8", NULL, 300);
	/* only over TCP */
	srv_one("_sip._tcp.tcponly.test", 5060, "t.tcponly.test", "192.0.2.80", NULL);
	/* config-matched names (see write_config) */
	srv_one("_sip._udp.conf.test", 5060, "s.conf.test", "192.0.2.90", NULL);
	answer("_sip._tcp.host.sfx.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._tcp.host.sfx.test", 300, 0, 5, 5060, "wrongport.sfx.test");
	wb_srv(&W, "_sip._tcp.host.sfx.test", 300, 0, 5, 5070, "t.sfx.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "wrongport.sfx.test", 300, "192.0.2.99");
	wb_a(&W, "t.sfx.test", 300, "192.0.2.91");
	fake_add_wb("_sip._tcp.host.sfx.test", DNS_TYPE_SRV, &W);
	srv_one("_sip._udp.prog.test", 5060, "p.prog.test", "192.0.2.92", NULL);
	install_failover_zones();
	install_deciding_zones();
	/* a target that is an alias */
	answer("_sip._udp.alias.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.alias.test", 300, 0, 0, 5060, "al.alias.test");
	fake_add_wb("_sip._udp.alias.test", DNS_TYPE_SRV, &W);
	for (int i = 0; i < 2; i++) {
		uint16_t type = i == 0 ? DNS_TYPE_A : DNS_TYPE_AAAA;
		answer("al.alias.test", type);
		wb_cname(&W, "al.alias.test", 300, "real.alias.test");
		if (i == 0)
			wb_a(&W, "real.alias.test", 300, "192.0.2.93");
		else
			wb_aaaa(&W, "real.alias.test", 300, "2001:db8::93");
		fake_add_wb("al.alias.test", type, &W);
	}
}

static void setup(void)
{
	fake_reset();
	cache_flush();
	install_zones();
	seedings = 0;
}

/* The DNS data changes: the fake's table and whatever the module cached. */
static void zone_change(void)
{
	fake_reset();
	cache_flush();
}

static void teardown(void)
{
	ck_assert_msg(fake_opens() == fake_closes(), "resolver opened %u times, closed %u",
		      fake_opens(), fake_closes());
}

/* The config the module reads in these tests (a private path, unit.mk). */
static const char config_text[] = "# libnss-srvsip unit tests\n"
				  "domain conf.test services _sip._udp\n"
				  "domain .sfx.test port 5070 services _sip._tcp\n"
				  "program sipp-unit services _sip._udp\n";
static bool config_usable;

static void write_config(void)
{
	int fd = open(SRVSIP_CONFIG_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(SRVSIP_CONFIG_PATH);
		return;
	}
	ssize_t w = write(fd, config_text, sizeof(config_text) - 1);
	fchmod(fd, 0644);
	close(fd);
	/* config_file_trusted wants a root-owned file */
	config_usable = w == (ssize_t)(sizeof(config_text) - 1) && geteuid() == 0;
	if (!config_usable)
		fprintf(stderr, "test_nss: not root: the config-scope tests only check UNAVAIL\n");
}

/* ---- calling the entry points ----------------------------------------- */

enum ep { EP4, EP3, EP2, EP1, EPSERV };

struct call {
	enum ep ep;
	const char *name;
	int af;
	bool use_given;             /* EP4: *pat points at `given` on entry */
	struct gaih_addrtuple given;
	struct gaih_addrtuple *pat;
	struct hostent he;
	char *canon;
	int32_t ttl;
	struct servent se;
	const char *service;
	const char *proto;
	int err;
	int herr;
	enum nss_status status;
};

#define POISON 0xa5
#define UNTOUCHED_INT 0x5a5a5a5a
#define TTL_UNSET (-7)

static enum nss_status call_into(struct call *c, char *buf, size_t len)
{
	c->err = UNTOUCHED_INT;
	c->herr = UNTOUCHED_INT;
	switch (c->ep) {
	case EP4:
		memset(&c->given, POISON, sizeof(c->given));
		c->pat = c->use_given ? &c->given : NULL;
		c->ttl = TTL_UNSET;
		c->status = _nss_srvsip_gethostbyname4_r(c->name, &c->pat, buf, len, &c->err, &c->herr,
							  &c->ttl);
		break;
	case EP3:
		memset(&c->he, POISON, sizeof(c->he));
		c->canon = NULL;
		c->ttl = TTL_UNSET;
		c->status = _nss_srvsip_gethostbyname3_r(c->name, c->af, &c->he, buf, len, &c->err,
							  &c->herr, &c->ttl, &c->canon);
		break;
	case EP2:
		memset(&c->he, POISON, sizeof(c->he));
		c->status = _nss_srvsip_gethostbyname2_r(c->name, c->af, &c->he, buf, len, &c->err,
							  &c->herr);
		break;
	case EP1:
		memset(&c->he, POISON, sizeof(c->he));
		c->status = _nss_srvsip_gethostbyname_r(c->name, &c->he, buf, len, &c->err, &c->herr);
		break;
	case EPSERV:
		memset(&c->se, POISON, sizeof(c->se));
		c->status = _nss_srvsip_getservbyname_r(c->service, c->proto, &c->se, buf, len,
							 &c->err);
		break;
	}
	return c->status;
}

/* One lookup with a roomy buffer (kept in `big` for inspection). */
static alignas(64) char big[8192];

static enum nss_status call_big(struct call *c)
{
	memset(big, POISON, sizeof(big));
	return call_into(c, big, sizeof(big));
}

static struct call hosts_call(enum ep ep, const char *name, int af)
{
	struct call c;
	memset(&c, 0, sizeof(c));
	c.ep = ep;
	c.name = name;
	c.af = af;
	return c;
}

static enum nss_status servbyname(const char *service, const char *proto)
{
	struct call c;
	memset(&c, 0, sizeof(c));
	c.ep = EPSERV;
	c.service = service;
	c.proto = proto;
	static char sbuf[1024];
	return call_into(&c, sbuf, sizeof(sbuf));
}

/* ---- checking results -------------------------------------------------- */

static bool inside(const void *p, size_t size, const char *buf, size_t len)
{
	const char *q = p;
	return q >= buf && size <= len && q <= buf + len - size;
}

static bool string_inside(const char *s, const char *buf, size_t len)
{
	if (!inside(s, 1, buf, len))
		return false;
	size_t room = (size_t)(buf + len - s);
	return memchr(s, '\0', room) != NULL;
}

static bool addr_is(const void *bytes, int family, const char *text)
{
	uint8_t want[16];
	if (inet_pton(family, text, want) != 1)
		return false;
	return memcmp(bytes, want, family == AF_INET ? 4 : 16) == 0;
}

/* Which of a, b, c owns this address; NULL if none. */
static const char *owner_of(const void *bytes, int family)
{
	if (addr_is(bytes, family, family == AF_INET ? A_V4 : A_V6))
		return A_NAME;
	if (addr_is(bytes, family, family == AF_INET ? B_V4 : B_V6))
		return B_NAME;
	if (addr_is(bytes, family, family == AF_INET ? C_V4 : C_V6))
		return C_NAME;
	return NULL;
}

/* Validates a gethostbyname4_r result for the example zone; returns the
 * selected target. */
static const char *check_tuples(const struct call *c, const char *buf, size_t len)
{
	const struct gaih_addrtuple *t = c->pat;
	const char *target = NULL;
	bool seen_v4 = false, seen_v6 = false;
	unsigned n = 0;

	CHECK(t != NULL, "no tuple");
	if (c->use_given)
		CHECK(t == &c->given, "*pat on entry was not used as the first tuple");
	for (; t != NULL; t = t->next, n++) {
		CHECK(n < 8, "tuple chain too long (loop?)");
		if (!(c->use_given && t == &c->given)) {
			CHECK(inside(t, sizeof(*t), buf, len), "tuple %u outside the buffer", n);
			CHECK((uintptr_t)t % alignof(struct gaih_addrtuple) == 0, "tuple %u misaligned",
			      n);
		}
		CHECK(string_inside(t->name, buf, len), "tuple %u name outside the buffer", n);
		CHECK(t->family == AF_INET || t->family == AF_INET6, "tuple %u family %d", n,
		      t->family);
		CHECK(t->scopeid == 0, "tuple %u scope id %u", n, t->scopeid);
		const char *owner = owner_of(t->addr, t->family);
		CHECK(owner != NULL, "tuple %u: unknown address", n);
		CHECK(strcmp(t->name, owner) == 0, "tuple %u named %s, address of %s", n, t->name,
		      owner);
		if (target == NULL)
			target = owner;
		CHECK(strcmp(owner, target) == 0, "addresses of two targets (%s, %s)", target, owner);
		seen_v4 |= t->family == AF_INET;
		seen_v6 |= t->family == AF_INET6;
	}
	CHECK(n == 2 && seen_v4 && seen_v6, "expected the target's A and AAAA, got %u tuples", n);
	CHECK(strcmp(target, A_NAME) == 0 || strcmp(target, B_NAME) == 0,
	      "selected %s, not a priority-0 target", target);
	/* smallest TTL used: SRV 1800 (smallest usable), a 600/700, b 900/950 */
	CHECK(c->ttl == (strcmp(target, A_NAME) == 0 ? 600 : 900), "ttl %d for %s", c->ttl, target);
	return target;
}

/* Validates a hostent of the example zone; returns h_name.  `failover`:
 * every target in order, else the selected one only. */
static const char *check_hostent(const struct call *c, int family, bool failover, const char *buf,
				 size_t len)
{
	const struct hostent *he = &c->he;
	size_t alen = family == AF_INET ? 4 : 16;
	unsigned n = 0;

	CHECK(string_inside(he->h_name, buf, len), "h_name outside the buffer");
	CHECK(strcmp(he->h_name, A_NAME) == 0 || strcmp(he->h_name, B_NAME) == 0,
	      "h_name %s is not a priority-0 target", he->h_name);
	CHECK(he->h_addrtype == family, "h_addrtype %d", he->h_addrtype);
	CHECK(he->h_length == (int)alen, "h_length %d", he->h_length);
	CHECK(inside(he->h_aliases, sizeof(char *), buf, len), "h_aliases outside the buffer");
	CHECK((uintptr_t)he->h_aliases % alignof(char *) == 0, "h_aliases misaligned");
	CHECK(he->h_aliases[0] != NULL && string_inside(he->h_aliases[0], buf, len) &&
		      inside(he->h_aliases, 2 * sizeof(char *), buf, len),
	      "alias missing or outside the buffer");
	CHECK(strcmp(he->h_aliases[0], c->name) == 0, "alias %s", he->h_aliases[0]);
	CHECK(he->h_aliases[1] == NULL, "more than one alias");
	CHECK(inside(he->h_addr_list, sizeof(char *), buf, len), "h_addr_list outside the buffer");
	CHECK((uintptr_t)he->h_addr_list % alignof(char *) == 0, "h_addr_list misaligned");
	const char *expect[3];
	expect[0] = he->h_name;
	expect[1] = strcmp(he->h_name, A_NAME) == 0 ? B_NAME : A_NAME;
	expect[2] = C_NAME;
	unsigned want = failover ? 3 : 1;
	for (; he->h_addr_list[n] != NULL; n++) {
		CHECK(n < want, "more than %u addresses", want);
		CHECK(inside(he->h_addr_list, (n + 2) * sizeof(char *), buf, len),
		      "h_addr_list[%u] slot outside the buffer", n + 1);
		CHECK(inside(he->h_addr_list[n], alen, buf, len), "address %u outside the buffer", n);
		const char *owner = owner_of(he->h_addr_list[n], family);
		CHECK(owner != NULL && strcmp(owner, expect[n]) == 0,
		      "address %u belongs to %s, expected %s", n, owner ? owner : "nobody", expect[n]);
	}
	CHECK(n == want, "%u addresses, expected %u", n, want);
	return he->h_name;
}

/* ---- the buffer sweep -------------------------------------------------- */

#define GUARD 64
#define SWEEP_MAX 4096
static alignas(64) char arena[GUARD + 8 + SWEEP_MAX + GUARD];

typedef void (*check_fn)(struct call *c, const char *buf, size_t len);

/* Calls with every length from 0 up until success: each shorter length must
 * give TRYAGAIN + ERANGE (+ NETDB_INTERNAL for hosts) and leave the buffer
 * and everything around it untouched.  Returns the first length that works. */
static size_t sweep(struct call *c, size_t align, check_fn check, bool untouched_on_erange)
{
	bool hosts = c->ep != EPSERV;

	/* Fresh replies: a cached reply's TTLs count down, and the checks
	 * want the TTLs of the zone. */
	cache_flush();

	for (size_t len = 0; len <= SWEEP_MAX; len++) {
		memset(arena, POISON, sizeof(arena));
		char *buf = arena + GUARD + align;
		int saved = errno = 4242;
		enum nss_status st = call_into(c, buf, len);
		for (char *p = arena; p < buf; p++)
			CHECK((uint8_t)*p == POISON, "len %zu: octet written %td before the buffer",
			      len, buf - p);
		for (char *p = buf + len; p < arena + sizeof(arena); p++)
			CHECK((uint8_t)*p == POISON, "len %zu: octet written %td past the buffer", len,
			      p - (buf + len));
		if (st == NSS_STATUS_SUCCESS) {
			CHECK(errno == saved, "errno changed to %d by a successful call", errno);
			check(c, buf, len);
			return len;
		}
		CHECK(st == NSS_STATUS_TRYAGAIN, "len %zu: status %d", len, st);
		CHECK(c->err == ERANGE, "len %zu: *errnop %d, not ERANGE", len, c->err);
		if (hosts)
			CHECK(c->herr == NETDB_INTERNAL, "len %zu: *h_errnop %d, not NETDB_INTERNAL",
			      len, c->herr);
		if (c->ep == EP4)
			CHECK(c->pat == (c->use_given ? &c->given : NULL), "len %zu: *pat changed",
			      len);
		if (c->ep == EP3 || c->ep == EP4)
			CHECK(c->ttl == TTL_UNSET, "len %zu: *ttlp written on ERANGE", len);
		if (c->ep == EP3)
			CHECK(c->canon == NULL, "len %zu: *canonp written on ERANGE", len);
		if (untouched_on_erange)
			for (size_t i = 0; i < len; i++)
				CHECK((uint8_t)buf[i] == POISON,
				      "len %zu: buffer octet %zu written although the result did not fit",
				      len, i);
	}
	ck_abort_msg("no success with buffers up to %d octets", SWEEP_MAX);
	return 0;
}

static void check4(struct call *c, const char *buf, size_t len)
{
	check_tuples(c, buf, len);
}

static void check3(struct call *c, const char *buf, size_t len)
{
	const char *name = check_hostent(c, c->af, false, buf, len);
	CHECK(c->canon == c->he.h_name, "*canonp is not h_name");
	/* smallest TTL used: the SRV RRset's (1800) and the selected target's
	 * records of that family (a: A 600, AAAA 700; b: A 900, AAAA 950) */
	int want = strcmp(name, A_NAME) == 0 ? (c->af == AF_INET ? 600 : 700)
					     : (c->af == AF_INET ? 900 : 950);
	CHECK(c->ttl == want, "ttl %d for %s, expected %d", c->ttl, name, want);
}

static void check2(struct call *c, const char *buf, size_t len)
{
	check_hostent(c, c->af, false, buf, len);
}

static void check1(struct call *c, const char *buf, size_t len)
{
	check_hostent(c, AF_INET, true, buf, len);
}

static void check_serv(struct call *c, const char *buf, size_t len)
{
	const struct servent *se = &c->se;
	CHECK(string_inside(se->s_name, buf, len) && strcmp(se->s_name, c->service) == 0,
	      "s_name wrong or outside the buffer");
	CHECK(string_inside(se->s_proto, buf, len) && strcmp(se->s_proto, c->proto) == 0,
	      "s_proto wrong or outside the buffer");
	CHECK(inside(se->s_aliases, sizeof(char *), buf, len) && se->s_aliases[0] == NULL,
	      "s_aliases wrong or outside the buffer");
	CHECK((uintptr_t)se->s_aliases % alignof(char *) == 0, "s_aliases misaligned");
	CHECK(se->s_port == (int)htons(5060), "s_port %d", ntohs((uint16_t)se->s_port));
}

static const size_t alignments[] = {0, 1, 3, 7};

START_TEST(test_gethostbyname4_r_gives_erange_until_the_result_fits_inside_the_buffer)
{
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
		setup();
		struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);
		unsigned before = fake_queries();
		unsigned draws = seedings;
		size_t fit = sweep(&c, alignments[i], check4, true);
		ck_assert_uint_gt(fit, 2 * sizeof(struct gaih_addrtuple));
		/* the whole sweep, every ERANGE retry included, is one lookup */
		ck_assert_uint_eq(fake_queries() - before, 1);
		ck_assert_uint_eq(seedings - draws, 1);
	}
}
END_TEST

START_TEST(test_gethostbyname4_r_writes_the_first_tuple_into_a_given_pat)
{
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
		struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);
		struct call d = hosts_call(EP4, OWNER, AF_UNSPEC);
		c.use_given = true;
		size_t with_given = sweep(&c, alignments[i], check4, true);
		size_t without = sweep(&d, alignments[i], check4, true);
		/* the given tuple costs no buffer space */
		ck_assert_uint_lt(with_given, without);
	}
}
END_TEST

START_TEST(test_gethostbyname3_r_gives_erange_until_the_result_fits_inside_the_buffer)
{
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
		setup();
		struct call c = hosts_call(EP3, OWNER, AF_INET6);
		sweep(&c, alignments[i], check3, true);
		ck_assert_uint_eq(fake_queries(), 1);
		ck_assert_uint_eq(seedings, 1);
		struct call d = hosts_call(EP3, OWNER, AF_INET);
		sweep(&d, alignments[i], check3, true);
	}
}
END_TEST

START_TEST(test_gethostbyname2_r_gives_erange_until_the_result_fits_inside_the_buffer)
{
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
		setup();
		struct call c = hosts_call(EP2, OWNER, AF_INET);
		sweep(&c, alignments[i], check2, true);
		/* getaddrinfo's path: the selected target only, c never asked */
		ck_assert_uint_eq(fake_queries(), 1);
		ck_assert_uint_eq(seedings, 1);
		struct call d = hosts_call(EP2, OWNER, AF_INET6);
		sweep(&d, alignments[i], check2, true);
	}
}
END_TEST

START_TEST(test_gethostbyname_r_gives_erange_until_the_result_fits_inside_the_buffer)
{
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
		setup();
		struct call c = hosts_call(EP1, OWNER, AF_INET);
		sweep(&c, alignments[i], check1, true);
		/* SRV, then c's A for the failover list: once for the sweep */
		ck_assert_uint_eq(fake_queries(), 2);
		ck_assert_uint_eq(fake_queries_for(C_NAME, DNS_TYPE_A), 1);
		ck_assert_uint_eq(seedings, 1);
	}
}
END_TEST

START_TEST(test_getservbyname_r_gives_erange_until_the_servent_fits_inside_the_buffer)
{
	const char *protos[] = {"udp", "tcp"};
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++)
		for (int p = 0; p < 2; p++) {
			struct call c;
			memset(&c, 0, sizeof(c));
			c.ep = EPSERV;
			c.service = "sipsrv";
			c.proto = protos[p];
			sweep(&c, alignments[i], check_serv, false);
		}
	ck_assert_uint_eq(fake_queries(), 0);
}
END_TEST

START_TEST(test_pairing_survives_the_erange_retries_of_gethostbyname4_r)
{
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(EP4, "example.test", AF_UNSPEC);
	size_t fit = sweep(&c, 0, check4, true);
	ck_assert_uint_gt(fit, 0);
	ck_assert_uint_eq(fake_queries(), 1);
	ck_assert_str_eq(fake_query_at(0)->name, OWNER);
	ck_assert_uint_eq(fake_query_at(0)->type, DNS_TYPE_SRV);
	/* a domain with a dot: an absolute name, whatever ndots says */
	ck_assert(!fake_query_at(0)->search);
}
END_TEST

/* pack.h: "Each function computes the exact size first and writes nothing
 * at all when it does not fit". */
START_TEST(test_getservbyname_r_writes_nothing_into_a_buffer_too_small)
{
	struct call c;
	memset(&c, 0, sizeof(c));
	c.ep = EPSERV;
	c.service = "sipsrv";
	c.proto = "udp";
	sweep(&c, 0, check_serv, true);
}
END_TEST

/* Six targets of one priority with four A records each, for the failover
 * hostent: 24 addresses, every one in the buffer. */
static void zone_many(void)
{
	char target[64], ip[32];
	answer("_sip._udp.many.test", DNS_TYPE_SRV);
	for (int t = 0; t < 6; t++) {
		snprintf(target, sizeof(target), "t%d.many.test", t);
		wb_srv(&W, "_sip._udp.many.test", 300, 0, (uint16_t)(t + 1), 5060, target);
	}
	wb_section(&W, WB_AR);
	for (int t = 0; t < 6; t++)
		for (int a = 0; a < 4; a++) {
			snprintf(target, sizeof(target), "t%d.many.test", t);
			snprintf(ip, sizeof(ip), "10.0.%d.%d", t, a + 1);
			wb_a(&W, target, 300, ip);
		}
	fake_add_wb("_sip._udp.many.test", DNS_TYPE_SRV, &W);
}

static void check_many(struct call *c, const char *buf, size_t len)
{
	const struct hostent *he = &c->he;
	bool seen[6] = {false};
	int last_target = -1;
	unsigned n = 0;

	CHECK(string_inside(he->h_name, buf, len), "h_name outside the buffer");
	CHECK(he->h_length == 4 && he->h_addrtype == AF_INET, "not an AF_INET hostent");
	for (; he->h_addr_list[n] != NULL; n++) {
		CHECK(inside(he->h_addr_list, (n + 2) * sizeof(char *), buf, len),
		      "h_addr_list slot %u outside", n + 1);
		CHECK(inside(he->h_addr_list[n], 4, buf, len), "address %u outside", n);
		const uint8_t *a = (const uint8_t *)he->h_addr_list[n];
		CHECK(a[0] == 10 && a[1] == 0 && a[2] < 6 && a[3] == (n % 4) + 1,
		      "address %u is %u.%u.%u.%u", n, a[0], a[1], a[2], a[3]);
		if (n % 4 == 0) {
			CHECK(!seen[a[2]], "target %u listed twice", a[2]);
			seen[a[2]] = true;
			last_target = a[2];
		} else {
			CHECK(a[2] == last_target, "addresses of one target not together");
		}
		if (n == 0) {
			char want[64];
			snprintf(want, sizeof(want), "t%u.many.test", a[2]);
			CHECK(strcmp(he->h_name, want) == 0, "h_name %s, first address of %s",
			      he->h_name, want);
		}
	}
	CHECK(n == 24, "%u addresses, expected 24", n);
}

START_TEST(test_gethostbyname_r_sweep_with_24_addresses_of_6_targets)
{
	zone_many();
	for (size_t i = 0; i < sizeof(alignments) / sizeof(alignments[0]); i++) {
		struct call c = hosts_call(EP1, "_sip._udp.many.test", AF_INET);
		unsigned draws = seedings;
		size_t fit = sweep(&c, alignments[i], check_many, true);
		ck_assert_uint_gt(fit, 24 * (4 + sizeof(char *)));
		ck_assert_uint_eq(seedings - draws, 1);
	}
}
END_TEST

/* Eight threads at once, each with its own ERANGE retries: the cache,
 * the stash, the pairing and the config lock under contention. */
static void *lookups_in_thread(void *arg)
{
	unsigned *bad = arg;
	char buf[2048];
	for (int i = 0; i < 300; i++) {
		struct call c = hosts_call(i % 3 == 0 ? EP4 : (i % 3 == 1 ? EP2 : EP1), OWNER,
					   AF_INET);
		size_t len = 16;
		while (call_into(&c, buf, len) == NSS_STATUS_TRYAGAIN && c.err == ERANGE &&
		       len < sizeof(buf))
			len *= 2;
		if (c.status != NSS_STATUS_SUCCESS) {
			(*bad)++;
			continue;
		}
		const char *first = c.ep == EP4 ? c.pat->name : c.he.h_name;
		if (strcmp(first, A_NAME) != 0 && strcmp(first, B_NAME) != 0)
			(*bad)++;
		struct call s;
		memset(&s, 0, sizeof(s));
		s.ep = EPSERV;
		s.service = "sipsrv";
		s.proto = "udp";
		call_into(&s, buf, sizeof(buf));
		struct call p = hosts_call(EP4, "example.test", AF_UNSPEC);
		if (call_into(&p, buf, sizeof(buf)) != NSS_STATUS_SUCCESS)
			(*bad)++; /* the pairing of this very thread */
	}
	return NULL;
}

START_TEST(test_concurrent_lookups_from_eight_threads_stay_correct)
{
	pthread_t t[8];
	unsigned bad[8] = {0};
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, lookups_in_thread, &bad[i]), 0);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_msg(bad[i] == 0, "thread %d: %u bad lookups", i, bad[i]);
	}
}
END_TEST

/* ---- the ERANGE stash ------------------------------------------------- */

START_TEST(test_erange_retry_returns_the_stashed_target_without_a_new_query)
{
	for (int round = 0; round < 20; round++) {
		setup();
		struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);
		char tiny[8];
		ck_assert_int_eq(call_into(&c, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
		ck_assert_int_eq(c.err, ERANGE);
		ck_assert_uint_eq(fake_queries(), 1);
		ck_assert_uint_eq(seedings, 1);

		/* The zone changes: now only z.example.test.  A fresh lookup would
		 * see it; the retry must not. */
		zone_change();
		srv_one(OWNER, 5060, "z.example.test", "192.0.2.26", NULL);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_uint_eq(fake_queries(), 0);
		ck_assert_uint_eq(seedings, 1);
		const char *target = check_tuples(&c, big, sizeof(big));
		ck_assert(strcmp(target, A_NAME) == 0 || strcmp(target, B_NAME) == 0);

		/* the stash is used once: the next call is a new lookup */
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_uint_eq(fake_queries(), 1);
		ck_assert_uint_eq(seedings, 2);
		ck_assert_str_eq(c.pat->name, "z.example.test");
		teardown();
	}
}
END_TEST

START_TEST(test_erange_stash_serves_only_the_same_name_entry_point_and_family)
{
	char tiny[8];
	struct call c4 = hosts_call(EP4, OWNER, AF_UNSPEC);
	struct call c2 = hosts_call(EP2, OWNER, AF_INET);
	struct call c2v6 = hosts_call(EP2, OWNER, AF_INET6);
	struct call other = hosts_call(EP4, "_sip._udp.v6.test", AF_UNSPEC);

	/* each lookup is one draw (seeding); a stash hit is none */
	ck_assert_int_eq(call_into(&c4, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_uint_eq(seedings, 1);
	/* another entry point: a lookup of its own (and the stash is dropped) */
	ck_assert_int_eq(call_big(&c2), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 2);
	ck_assert_int_eq(call_big(&c4), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 3);

	/* another family */
	ck_assert_int_eq(call_into(&c2, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_uint_eq(seedings, 4);
	ck_assert_int_eq(call_big(&c2v6), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 5);

	/* another name */
	ck_assert_int_eq(call_into(&c4, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_uint_eq(seedings, 6);
	ck_assert_int_eq(call_big(&other), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 7);
	ck_assert_int_eq(call_big(&c4), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 8);
	/* and a stash hit: no draw */
	ck_assert_int_eq(call_into(&c4, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_int_eq(call_big(&c4), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 9);
}
END_TEST

START_TEST(test_erange_stash_serves_only_a_retry_with_a_larger_buffer)
{
	char tiny[8];
	struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);

	ck_assert_int_eq(call_into(&c, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_uint_eq(seedings, 1);
	/* the same small buffer again: not the retry, a lookup of its own */
	ck_assert_int_eq(call_into(&c, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_int_eq(c.err, ERANGE);
	ck_assert_uint_eq(seedings, 2);
	/* a larger one: the retry, answered from the stash */
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 2);
}
END_TEST

START_TEST(test_services_lookup_ends_the_erange_stash_so_its_pairing_is_consumed)
{
	char tiny[8];
	/* getaddrinfo("example.test", "sipsrv") whose ERANGE is never retried */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c1 = hosts_call(EP2, "example.test", AF_INET);
	ck_assert_int_eq(call_into(&c1, tiny, sizeof(tiny)), NSS_STATUS_TRYAGAIN);
	ck_assert_uint_eq(seedings, 1);
	/* the same call again: its services lookup starts it, so the hosts
	 * lookup is a new one (a new draw) and consumes the new pairing */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c2 = hosts_call(EP2, "example.test", AF_INET);
	ck_assert_int_eq(call_big(&c2), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 2);
	/* getaddrinfo("udp4.test", "80"): no services lookup, no pairing left,
	 * out of scope (udp4.test has SRV records: a pairing left pending
	 * would have sent this port-80 caller to an SIP target) */
	struct call c3 = hosts_call(EP2, "udp4.test", AF_INET);
	ck_assert_int_eq(call_big(&c3), NSS_STATUS_UNAVAIL);
	ck_assert_uint_eq(seedings, 2);
}
END_TEST

/* ---- the cache across a resolv.conf change ----------------------------- */

static bool write_resolv_conf(const char *text)
{
	FILE *f = fopen(SRVSIP_RESOLV_CONF, "w");
	bool ok = f != NULL && fputs(text, f) >= 0;
	return f != NULL && fclose(f) == 0 && ok;
}

/* During the SRV query (a slow first server, say) the administrator or
 * DHCP rewrites resolv.conf, and the cache's next check falls in a later
 * second. */
static void resolv_conf_changes_during_srv(const char *name, uint16_t type)
{
	(void)name;
	if (type != DNS_TYPE_SRV)
		return;
	ck_assert(write_resolv_conf("nameserver 198.51.100.53\noptions timeout:2\n"));
	struct timespec pause = {1, 100 * 1000 * 1000};
	nanosleep(&pause, NULL);
}

START_TEST(test_replies_of_a_lookup_begun_before_a_resolv_conf_change_are_not_cached)
{
	const char *owner = "_sip._udp.race.test";
	answer(owner, DNS_TYPE_SRV);
	wb_srv(&W, owner, 300, 0, 0, 5060, "r.race.test"); /* no glue: A, AAAA asked */
	fake_add_wb(owner, DNS_TYPE_SRV, &W);
	address_answers("r.race.test", "192.0.2.44", NULL, 3600);
	ck_assert(write_resolv_conf("nameserver 192.0.2.53\n"));
	struct call c = hosts_call(EP4, owner, AF_UNSPEC);

	/* the lookup reads the old resolv.conf; its replies come from the old
	 * servers, after the cache was emptied for the new file */
	fake_set_query_hook(resolv_conf_changes_during_srv);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	fake_set_query_hook(NULL);
	ck_assert_uint_eq(fake_queries_for(owner, DNS_TYPE_SRV), 1);
	ck_assert_uint_eq(fake_queries_for("r.race.test", DNS_TYPE_A), 1);
	/* the next lookup (new servers) asks again: nothing of the old kept */
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries_for(owner, DNS_TYPE_SRV), 2);
	ck_assert_uint_eq(fake_queries_for("r.race.test", DNS_TYPE_A), 2);
	/* and its own replies are cached (the AAAA NODATA, without an SOA,
	 * is not) */
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries_for(owner, DNS_TYPE_SRV), 2);
	ck_assert_uint_eq(fake_queries_for("r.race.test", DNS_TYPE_A), 2);
	unlink(SRVSIP_RESOLV_CONF);
}
END_TEST

static void *erange_in_thread(void *arg)
{
	struct call *c = arg;
	char tiny[8];
	call_into(c, tiny, sizeof(tiny));
	return NULL;
}

START_TEST(test_erange_stash_belongs_to_the_thread_that_made_it)
{
	struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, erange_in_thread, &c), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(c.status, NSS_STATUS_TRYAGAIN);
	ck_assert_uint_eq(seedings, 1);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(seedings, 2); /* this thread had nothing stashed */
}
END_TEST

/* ---- errno, draws and failover order ----------------------------------- */

START_TEST(test_errno_is_unchanged_after_a_successful_lookup)
{
	const enum ep eps[] = {EP4, EP3, EP2, EP1};
	for (size_t i = 0; i < 4; i++) {
		struct call c = hosts_call(eps[i], OWNER, AF_INET);
		cache_flush();
		unsigned before = fake_queries();
		errno = 4242;
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_uint_gt(fake_queries(), before); /* the fake set errno = 111 */
		ck_assert_int_eq(errno, 4242);
	}
	errno = 4243;
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(errno, 4243);
}
END_TEST

START_TEST(test_gethostbyname_r_lists_failover_targets_in_order_after_the_selected)
{
	unsigned firsts_a = 0, firsts_b = 0;
	for (int i = 0; i < 200; i++) {
		struct call c = hosts_call(EP1, OWNER, AF_INET);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		const char *first = check_hostent(&c, AF_INET, true, big, sizeof(big));
		firsts_a += strcmp(first, A_NAME) == 0;
		firsts_b += strcmp(first, B_NAME) == 0;
	}
	/* each order occurs: P(a never first in 200) = 0.75^200 < 1e-24 */
	ck_assert_uint_gt(firsts_a, 0);
	ck_assert_uint_gt(firsts_b, 0);
	ck_assert_uint_eq(firsts_a + firsts_b, 200);
}
END_TEST

/* Through the real NSS path the weights 1:3 hold too.  The module seeds
 * from the OS (not replayable): a binomial bound at p ~ 1e-6 two-sided:
 * n = 2000, mean 500, sd 19.36, |z| < 4.89 -> 406..594 times a. */
START_TEST(test_gethostbyname4_r_selects_weights_1_3_in_proportion)
{
	unsigned a = 0;
	for (int i = 0; i < 2000; i++) {
		struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);
		CHECK(call_big(&c) == NSS_STATUS_SUCCESS, "lookup %d failed", i);
		a += strcmp(c.pat->name, A_NAME) == 0;
	}
	ck_assert_msg(a >= 406 && a <= 594, "a selected %u times of 2000 (expected ~500)", a);
}
END_TEST

/* ---- statuses ---------------------------------------------------------- */

#define ANY (-12345) /* h_errno not checked */

static void expect_status(enum ep ep, const char *name, int af, enum nss_status st, int herr,
			  int err)
{
	struct call c = hosts_call(ep, name, af);
	ck_assert_msg(call_big(&c) == st, "%s: status %d, expected %d", name, c.status, st);
	if (herr != ANY)
		ck_assert_msg(c.herr == herr, "%s: h_errno %d, expected %d", name, c.herr, herr);
	if (err != 0)
		ck_assert_msg(c.err == err, "%s: errno %d, expected %d", name, c.err, err);
}

START_TEST(test_dot_target_is_notfound_host_not_found_without_fallback)
{
	expect_status(EP4, "_sip._udp.dot.test", AF_UNSPEC, NSS_STATUS_NOTFOUND, HOST_NOT_FOUND,
		      ENOENT);
	ck_assert_uint_eq(fake_queries(), 1);
	cache_flush();
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP4, "dot.test", AF_UNSPEC, NSS_STATUS_NOTFOUND, HOST_NOT_FOUND, ENOENT);
	ck_assert_uint_eq(fake_queries(), 2);
	ck_assert_uint_eq(fake_queries_for("dot.test", DNS_TYPE_A), 0);
	expect_status(EP1, "_sip._udp.dot.test", AF_INET, NSS_STATUS_NOTFOUND, HOST_NOT_FOUND,
		      ENOENT);
}
END_TEST

START_TEST(test_servfail_is_tryagain_try_again)
{
	expect_status(EP4, "_sip._udp.fail.test", AF_UNSPEC, NSS_STATUS_TRYAGAIN, TRY_AGAIN, EAGAIN);
	expect_status(EP2, "_sip._udp.fail.test", AF_INET, NSS_STATUS_TRYAGAIN, TRY_AGAIN, EAGAIN);
	expect_status(EP1, "_sip._udp.fail.test", AF_INET, NSS_STATUS_TRYAGAIN, TRY_AGAIN, EAGAIN);
	/* a reply that carries rcode SERVFAIL is no better */
	expect_status(EP4, "_sip._udp.rcode.test", AF_UNSPEC, NSS_STATUS_TRYAGAIN, TRY_AGAIN,
		      EAGAIN);
	/* no fallback to the domain's address after a failure */
	ck_assert_uint_eq(fake_queries_for("fail.test", DNS_TYPE_A), 0);
	ck_assert_uint_eq(fake_queries_for("rcode.test", DNS_TYPE_A), 0);
}
END_TEST

START_TEST(test_targets_with_only_aaaa_asked_af_inet_are_notfound_no_data)
{
	/* addresses from the Additional section */
	expect_status(EP2, "_sip._udp.v6.test", AF_INET, NSS_STATUS_NOTFOUND, NO_DATA, ENOENT);
	expect_status(EP1, "_sip._udp.v6.test", AF_INET, NSS_STATUS_NOTFOUND, NO_DATA, ENOENT);
	expect_status(EP3, "_sip._udp.v6.test", AF_INET, NSS_STATUS_NOTFOUND, NO_DATA, ENOENT);
	/* addresses through queries */
	expect_status(EP2, "_sip._udp.v6q.test", AF_INET, NSS_STATUS_NOTFOUND, NO_DATA, ENOENT);
	/* the same names do resolve for AF_INET6 and AF_UNSPEC */
	expect_status(EP2, "_sip._udp.v6.test", AF_INET6, NSS_STATUS_SUCCESS, ANY, 0);
	expect_status(EP2, "_sip._udp.v6q.test", AF_INET6, NSS_STATUS_SUCCESS, ANY, 0);
	struct call c = hosts_call(EP4, "_sip._udp.v6q.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(c.pat->family, AF_INET6);
	ck_assert(addr_is(c.pat->addr, AF_INET6, "2001:db8:6::2"));
	ck_assert_ptr_null(c.pat->next);
}
END_TEST

START_TEST(test_out_of_scope_name_is_unavail_without_any_query)
{
	const char *names[] = {"www.example.test", "example.test", "x.conf.test", "sfx.test",
			       "localhost", "_sip.example.test"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		expect_status(EP4, names[i], AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
		expect_status(EP2, names[i], AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
		expect_status(EP1, names[i], AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	}
	ck_assert_uint_eq(fake_queries(), 0);
	ck_assert_uint_eq(fake_opens(), 0);
	ck_assert_uint_eq(seedings, 0);
}
END_TEST

START_TEST(test_invalid_owner_name_steps_aside_without_any_query)
{
	expect_status(EP4, "_sip._udp.exa$mple.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY,
		      0);
	expect_status(EP4, "_sip._udp.a..test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries(), 0);
}
END_TEST

START_TEST(test_resolver_that_cannot_open_is_tryagain_try_again)
{
	fake_set_open_fails(true);
	expect_status(EP4, OWNER, AF_UNSPEC, NSS_STATUS_TRYAGAIN, TRY_AGAIN, EAGAIN);
	ck_assert_uint_eq(fake_queries(), 0);
}
END_TEST

START_TEST(test_bad_arguments_are_unavail)
{
	struct call c = hosts_call(EP2, OWNER, AF_UNIX);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_UNAVAIL);
	c = hosts_call(EP3, OWNER, 12345);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_UNAVAIL);
	c = hosts_call(EP4, NULL, AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_UNAVAIL);
	int err = 0, herr = 0;
	ck_assert_int_eq(_nss_srvsip_gethostbyname4_r(OWNER, NULL, big, sizeof(big), &err, &herr, NULL),
			 NSS_STATUS_UNAVAIL);
	ck_assert_int_eq(_nss_srvsip_gethostbyname2_r(OWNER, AF_INET, NULL, big, sizeof(big), &err,
						      &herr),
			 NSS_STATUS_UNAVAIL);
	ck_assert_int_eq(fake_queries(), 0);
}
END_TEST

START_TEST(test_dot_among_real_targets_is_skipped)
{
	answer("_sip._udp.mixed.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.mixed.test", 300, 0, 60000, 5060, ".");
	wb_srv(&W, "_sip._udp.mixed.test", 300, 0, 1, 5060, "real.mixed.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "real.mixed.test", 300, "192.0.2.60");
	fake_add_wb("_sip._udp.mixed.test", DNS_TYPE_SRV, &W);
	for (int i = 0; i < 20; i++) {
		struct call c = hosts_call(EP4, "_sip._udp.mixed.test", AF_UNSPEC);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_str_eq(c.pat->name, "real.mixed.test");
	}
}
END_TEST

/* glibc never asks 2_r/3_r for AF_UNSPEC, but gethostbyname2(name,
 * AF_UNSPEC) passes it through: a SUCCESS hostent must then still carry at
 * least one address of h_addrtype (the dns module answers EAFNOSUPPORT). */
START_TEST(test_hostent_success_always_has_an_address_of_its_family)
{
	const enum ep eps[] = {EP2, EP3};
	const int afs[] = {AF_INET, AF_INET6, AF_UNSPEC};
	for (size_t e = 0; e < 2; e++)
		for (size_t f = 0; f < 3; f++) {
			struct call c = hosts_call(eps[e], OWNER, afs[f]);
			if (call_big(&c) != NSS_STATUS_SUCCESS)
				continue;
			ck_assert_msg(c.he.h_addrtype == AF_INET || c.he.h_addrtype == AF_INET6,
				      "entry %zu af %d: SUCCESS with h_addrtype %d", e, afs[f],
				      c.he.h_addrtype);
			ck_assert_msg(c.he.h_addr_list[0] != NULL,
				      "entry %zu af %d: SUCCESS with an empty h_addr_list", e, afs[f]);
		}
}
END_TEST

/* ---- pairing ------------------------------------------------------------ */

START_TEST(test_pairing_sipsrv_udp_asks_sip_udp_once_and_is_then_consumed)
{
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(EP4, "example.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	check_tuples(&c, big, sizeof(big));
	ck_assert_uint_eq(fake_queries(), 1);
	ck_assert_str_eq(fake_query_at(0)->name, OWNER);
	/* consumed: the same name again is out of scope */
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries(), 1);
}
END_TEST

START_TEST(test_pairing_with_no_record_on_port_5060_is_notfound_without_fallback)
{
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP4, "port.test", AF_UNSPEC, NSS_STATUS_NOTFOUND, HOST_NOT_FOUND, ENOENT);
	ck_assert_uint_eq(fake_queries(), 1);
	ck_assert_uint_eq(fake_queries_for("port.test", DNS_TYPE_A), 0);
	/* the owner name accepts any port */
	struct call c = hosts_call(EP4, "_sip._udp.port.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert(addr_is(c.pat->addr, AF_INET, "192.0.2.70"));
}
END_TEST

START_TEST(test_pairing_sipsrv_on_udp_and_tcp_tries_udp_then_tcp)
{
	/* getaddrinfo with socktype 0 asks tcp, then udp (glibc's order) */
	ck_assert_int_eq(servbyname("sipsrv", "tcp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(EP4, "tcponly.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert(addr_is(c.pat->addr, AF_INET, "192.0.2.80"));
	ck_assert_str_eq(c.pat->name, "t.tcponly.test");
	ck_assert_uint_eq(fake_queries(), 2);
	ck_assert_str_eq(fake_query_at(0)->name, "_sip._udp.tcponly.test");
	ck_assert_str_eq(fake_query_at(1)->name, "_sip._tcp.tcponly.test");
}
END_TEST

START_TEST(test_each_pseudo_service_asks_its_own_srv_name)
{
	const struct {
		const char *service, *proto, *srv;
	} cases[] = {
		{"sipsrv", "udp", "_sip._udp.plain.test"},
		{"sipsrv", "tcp", "_sip._tcp.plain.test"},
		{"sipssrv", "tcp", "_sips._tcp.plain.test"},
		{"iaxsrv", "udp", "_iax._udp.plain.test"},
		{"stunsrv", "udp", "_stun._udp.plain.test"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup();
		ck_assert_int_eq(servbyname(cases[i].service, cases[i].proto), NSS_STATUS_SUCCESS);
		struct call c = hosts_call(EP4, "plain.test", AF_UNSPEC);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_UNAVAIL); /* no SRV: step aside */
		ck_assert_uint_eq(fake_queries(), 1);
		ck_assert_str_eq(fake_query_at(0)->name, cases[i].srv);
		ck_assert_uint_eq(fake_query_at(0)->type, DNS_TYPE_SRV);
	}
}
END_TEST

START_TEST(test_getservbyname_r_answers_only_pseudo_services_and_their_protocols)
{
	const struct {
		const char *service, *proto;
		int port;
	} good[] = {{"sipsrv", "udp", 5060}, {"sipsrv", "tcp", 5060}, {"sipssrv", "tcp", 5061},
		    {"iaxsrv", "udp", 4569}, {"stunsrv", "udp", 3478}, {"sipsrv", NULL, 5060}};
	const struct {
		const char *service, *proto;
	} bad[] = {{"sipssrv", "udp"}, {"iaxsrv", "tcp"}, {"stunsrv", "tcp"}, {"http", "tcp"},
		   {"sip", "udp"},     {"sipsrv", "sctp"}, {"SIPSRV", "udp"}, {"", "udp"}};
	char buf[512];
	struct servent se;
	int err;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(_nss_srvsip_getservbyname_r(good[i].service, good[i].proto, &se, buf,
							     sizeof(buf), &err),
				 NSS_STATUS_SUCCESS);
		ck_assert_int_eq(ntohs((uint16_t)se.s_port), good[i].port);
		ck_assert_str_eq(se.s_name, good[i].service);
		ck_assert_str_eq(se.s_proto, good[i].proto ? good[i].proto : "udp");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(_nss_srvsip_getservbyname_r(bad[i].service, bad[i].proto, &se, buf,
							  sizeof(buf), &err) == NSS_STATUS_NOTFOUND,
			      "%s/%s answered", bad[i].service, bad[i].proto);
}
END_TEST

static void *hosts_in_thread(void *arg)
{
	struct call *c = arg;
	static char tbuf[4096];
	call_into(c, tbuf, sizeof(tbuf));
	return NULL;
}

START_TEST(test_pairing_belongs_to_the_thread_of_the_services_lookup)
{
	pthread_t t;
	struct call c = hosts_call(EP4, "example.test", AF_UNSPEC);

	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(pthread_create(&t, NULL, hosts_in_thread, &c), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(c.status, NSS_STATUS_UNAVAIL);
	ck_assert_uint_eq(fake_queries(), 0);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries(), 1);
}
END_TEST

static void *servbyname_in_thread(void *arg)
{
	enum nss_status *st = arg;
	*st = servbyname("sipsrv", "udp");
	return NULL;
}

START_TEST(test_pairing_left_by_an_exited_thread_pairs_nothing_else)
{
	/* The thread exits with its pseudo-service pending, never consumed. */
	enum nss_status st = NSS_STATUS_UNAVAIL;
	pthread_t t;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_create(&t, NULL, servbyname_in_thread, &st), 0);
		ck_assert_int_eq(pthread_join(t, NULL), 0);
		ck_assert_int_eq(st, NSS_STATUS_SUCCESS);
	}
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries(), 0);
	/* this thread's own pairing is taken once, as before */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(EP4, "example.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries(), 1);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries(), 1);
}
END_TEST

START_TEST(test_pseudo_services_are_refused_inside_a_caching_daemon)
{
	const char *daemons[] = {"nscd", "unscd", "nsncd"};
	for (size_t i = 0; i < 3; i++) {
		program_invocation_short_name = (char *)daemons[i];
		ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_NOTFOUND);
		expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	}
	ck_assert_uint_eq(fake_queries(), 0);
	program_invocation_short_name = (char *)"test_nss";
}
END_TEST

/* ---- no SRV RRset: step aside --------------------------------------------- */

START_TEST(test_no_srv_rrset_steps_aside_without_an_address_query)
{
	const char *domains[] = {"plain.test", "nodata.test", "nowhere.test"};
	for (int i = 0; i < 3; i++) {
		setup();
		ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
		expect_status(EP4, domains[i], AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
		ck_assert_uint_eq(fake_queries(), 1); /* the SRV query, nothing else */
		ck_assert_uint_eq(fake_query_at(0)->type, DNS_TYPE_SRV);
	}
	/* an owner name without SRV records: the next module resolves it */
	const enum ep eps[] = {EP4, EP3, EP2, EP1};
	for (int e = 0; e < 4; e++) {
		setup();
		expect_status(eps[e], "_sip._udp.plain.test", AF_INET, NSS_STATUS_UNAVAIL,
			      NO_RECOVERY, 0);
		ck_assert_uint_eq(fake_queries(), 1);
	}
}
END_TEST

START_TEST(test_alias_target_is_refused_host_not_found)
{
	const enum ep eps[] = {EP4, EP3, EP2, EP1};
	for (int e = 0; e < 4; e++)
		expect_status(eps[e], "_sip._udp.alias.test", AF_INET, NSS_STATUS_NOTFOUND,
			      HOST_NOT_FOUND, ENOENT);
	ck_assert_uint_ge(fake_queries_for("al.alias.test", DNS_TYPE_A), 1);
}
END_TEST

/* ---- the config file ------------------------------------------------------ */

START_TEST(test_config_domain_lines_put_exact_and_suffix_names_in_scope)
{
	if (!config_usable) {
		expect_status(EP4, "conf.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
		return;
	}
	const char *exact[] = {"conf.test", "CONF.Test."};
	for (int i = 0; i < 2; i++) {
		setup();
		struct call c = hosts_call(EP4, exact[i], AF_UNSPEC);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert(addr_is(c.pat->addr, AF_INET, "192.0.2.90"));
		ck_assert_uint_eq(fake_queries(), 1);
		ck_assert_uint_eq(fake_queries_for("_sip._udp.conf.test", DNS_TYPE_SRV), 1);
	}
	/* suffix: services _sip._tcp only, port 5070 only */
	setup();
	struct call c = hosts_call(EP4, "host.sfx.test", AF_UNSPEC);
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_str_eq(c.pat->name, "t.sfx.test");
	}
	ck_assert_uint_eq(fake_queries_for("_sip._udp.host.sfx.test", DNS_TYPE_SRV), 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.host.sfx.test", DNS_TYPE_SRV), 1);
}
END_TEST

START_TEST(test_config_program_line_puts_every_name_of_that_program_in_scope)
{
	program_invocation_short_name = (char *)"sipp-unit";
	if (!config_usable) {
		expect_status(EP4, "prog.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
		return;
	}
	struct call c = hosts_call(EP4, "prog.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert(addr_is(c.pat->addr, AF_INET, "192.0.2.92"));
	program_invocation_short_name = (char *)"sipp-unit2";
	expect_status(EP4, "prog.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
}
END_TEST


/* ---- the per-process reply cache ---------------------------------------- */

START_TEST(test_repeated_lookup_is_answered_from_the_cache_with_a_fresh_draw)
{
	unsigned a = 0, b = 0;
	for (int i = 0; i < 400; i++) {
		struct call c = hosts_call(EP4, OWNER, AF_UNSPEC);
		CHECK(call_big(&c) == NSS_STATUS_SUCCESS, "lookup %d failed", i);
		a += strcmp(c.pat->name, A_NAME) == 0;
		b += strcmp(c.pat->name, B_NAME) == 0;
	}
	ck_assert_uint_eq(fake_queries(), 1);
	ck_assert_uint_eq(seedings, 400);
	/* a fresh RFC 2782 draw each time: P(a never) = 0.75^400 < 1e-49 */
	ck_assert_uint_gt(a, 0);
	ck_assert_uint_gt(b, 0);
	/* the case and a trailing dot do not make another entry */
	struct call c = hosts_call(EP4, "_SIP._Udp.EXAMPLE.test.", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries(), 1);
	/* flushed: asked again */
	cache_flush();
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries(), 2);
}
END_TEST

START_TEST(test_reply_with_a_zero_ttl_and_a_temporary_failure_are_not_cached)
{
	answer("_sip._udp.ttl0.test", DNS_TYPE_SRV);
	wb_srv(&W, "_sip._udp.ttl0.test", 0, 0, 0, 5060, "h.ttl0.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "h.ttl0.test", 300, "192.0.2.40");
	fake_add_wb("_sip._udp.ttl0.test", DNS_TYPE_SRV, &W);
	for (int i = 0; i < 2; i++) {
		expect_status(EP4, "_sip._udp.ttl0.test", AF_UNSPEC, NSS_STATUS_SUCCESS, ANY, 0);
		expect_status(EP4, "_sip._udp.fail.test", AF_UNSPEC, NSS_STATUS_TRYAGAIN, TRY_AGAIN,
			      EAGAIN);
	}
	ck_assert_uint_eq(fake_queries_for("_sip._udp.ttl0.test", DNS_TYPE_SRV), 2);
	ck_assert_uint_eq(fake_queries_for("_sip._udp.fail.test", DNS_TYPE_SRV), 2);
}
END_TEST

/* An SOA record for the Authority section of a negative reply. */
static void add_soa(const char *zone, uint32_t ttl, uint32_t minimum)
{
	char mname[300], rname[300];
	snprintf(mname, sizeof(mname), "ns.%s", zone);
	snprintf(rname, sizeof(rname), "hostmaster.%s", zone);
	wb_section(&W, WB_NS);
	size_t at = wb_rr_begin(&W, zone, DNS_TYPE_SOA, DNS_CLASS_IN, ttl);
	wb_name(&W, mname);
	wb_name(&W, rname);
	wb_u32(&W, 2026112801); /* serial */
	wb_u32(&W, 7200);       /* refresh */
	wb_u32(&W, 900);        /* retry */
	wb_u32(&W, 1209600);    /* expire */
	wb_u32(&W, minimum);
	wb_rr_end(&W, at);
}

START_TEST(test_negative_reply_is_cached_only_with_its_soa)
{
	/* NXDOMAIN for the SRV name with an SOA: cached (RFC 2308) */
	wb_init(&W, 1, 0x8183);
	W.compress = true;
	wb_question(&W, "_sip._udp.neg.test", DNS_TYPE_SRV, DNS_CLASS_IN);
	add_soa("neg.test", 300, 60);
	wb_finish(&W);
	fake_add("_sip._udp.neg.test", DNS_TYPE_SRV, DNS_NXDOMAIN, W.buf, W.len);
	address_answers("neg.test", "198.51.100.20", NULL, 300);
	for (int i = 0; i < 3; i++) {
		/* no SRV RRset: step aside, the next module resolves the name */
		expect_status(EP4, "_sip._udp.neg.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY,
			      0);
		/* plain.test: NXDOMAIN without a reply, nothing to cache */
		expect_status(EP4, "_sip._udp.plain.test", AF_UNSPEC, NSS_STATUS_UNAVAIL,
			      NO_RECOVERY, 0);
	}
	ck_assert_uint_eq(fake_queries_for("_sip._udp.neg.test", DNS_TYPE_SRV), 1);
	ck_assert_uint_eq(fake_queries_for("neg.test", DNS_TYPE_A), 0);
	ck_assert_uint_eq(fake_queries_for("_sip._udp.plain.test", DNS_TYPE_SRV), 3);
}
END_TEST

static uint32_t reply_ttl(enum dns_outcome outcome)
{
	size_t len = wb_finish(&W);
	ck_assert(!W.overflow);
	uint8_t *copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, W.buf, len);
	uint32_t ttl = cache_reply_ttl(copy, len, outcome);
	free(copy);
	return ttl;
}

START_TEST(test_cache_reply_ttl_is_the_smallest_ttl_or_the_soa_minimum_capped)
{
	/* answer: smallest TTL of all sections, OPT ignored */
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 300, 0, 0, 5060, A_NAME);
	wb_section(&W, WB_NS);
	size_t at = wb_rr_begin(&W, "example.test", 2 /* NS */, DNS_CLASS_IN, 100);
	wb_name(&W, "ns.example.test");
	wb_rr_end(&W, at);
	wb_section(&W, WB_AR);
	wb_a(&W, A_NAME, 50, A_V4);
	at = wb_rr_begin(&W, ".", 41 /* OPT */, 1232, 0);
	wb_rr_end(&W, at);
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), 50);

	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 1000000, 0, 0, 5060, A_NAME);
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), CACHE_MAX_TTL);

	answer(OWNER, DNS_TYPE_SRV); /* no records at all */
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), 0);

	/* a positive answer with the zone's SOA in Authority: MINIMUM is
	 * negative caching's (RFC 2308), the SOA's own TTL counts as any */
	answer(A_NAME, DNS_TYPE_A);
	wb_a(&W, A_NAME, 300, A_V4);
	add_soa("example.test", 3600, 0);
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), 300);
	answer(A_NAME, DNS_TYPE_A);
	wb_a(&W, A_NAME, 300, A_V4);
	add_soa("example.test", 120, 0);
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), 120);

	/* an alias chain: the smallest link (A, AAAA, SRV alike) */
	answer("al.test", DNS_TYPE_A);
	wb_cname(&W, "al.test", 50, "a2.test");
	wb_cname(&W, "a2.test", 500, A_NAME);
	wb_a(&W, A_NAME, 300, A_V4);
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), 50);
	answer("_sip._udp.al.test", DNS_TYPE_SRV);
	wb_cname(&W, "_sip._udp.al.test", 70, OWNER);
	wb_srv(&W, OWNER, 100, 0, 0, 5060, A_NAME);
	ck_assert_uint_eq(reply_ttl(DNS_ANSWER), 70);

	/* negative: min(SOA TTL, MINIMUM), capped at 3 hours */
	const uint32_t soa[][3] = {{3600, 60, 60}, {30, 600, 30}, {20000, 20000, 10800},
				   {0, 600, 0}};
	for (size_t i = 0; i < sizeof(soa) / sizeof(soa[0]); i++) {
		answer(OWNER, DNS_TYPE_SRV);
		add_soa("example.test", soa[i][0], soa[i][1]);
		ck_assert_uint_eq(reply_ttl(DNS_NXDOMAIN), soa[i][2]);
		answer(OWNER, DNS_TYPE_SRV);
		add_soa("example.test", soa[i][0], soa[i][1]);
		ck_assert_uint_eq(reply_ttl(DNS_NODATA), soa[i][2]);
	}
	/* negative without an SOA, or with one cut short */
	answer(OWNER, DNS_TYPE_SRV);
	ck_assert_uint_eq(reply_ttl(DNS_NXDOMAIN), 0);
	answer(OWNER, DNS_TYPE_SRV);
	wb_section(&W, WB_NS);
	at = wb_rr_begin(&W, "example.test", DNS_TYPE_SOA, DNS_CLASS_IN, 300);
	wb_name(&W, "ns.example.test");
	wb_name(&W, "hostmaster.example.test");
	wb_u32(&W, 1);
	wb_u32(&W, 2);
	wb_rr_end(&W, at);
	ck_assert_uint_eq(reply_ttl(DNS_NXDOMAIN), 0);
	/* no message */
	ck_assert_uint_eq(cache_reply_ttl(NULL, 0, DNS_ANSWER), 0);
	ck_assert_uint_eq(cache_reply_ttl((const uint8_t *)"\x01\x02", 2, DNS_NXDOMAIN), 0);
}
END_TEST

START_TEST(test_target_addresses_are_asked_as_absolute_names)
{
	struct call c = hosts_call(EP1, OWNER, AF_INET);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	check_hostent(&c, AF_INET, true, big, sizeof(big));
	ck_assert_uint_eq(fake_queries_for(C_NAME, DNS_TYPE_A), 1);
	for (unsigned i = 0; i < fake_queries(); i++)
		if (fake_query_at(i)->type != DNS_TYPE_SRV)
			ck_assert(!fake_query_at(i)->search); /* targets are absolute names */
	c = hosts_call(EP4, "_sip._udp.v6q.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert(addr_is(c.pat->addr, AF_INET6, "2001:db8:6::2"));
}
END_TEST

/* ---- Additional-section coverage per family, cache ageing ---------------- */


/* A recursive resolver often puts only the records it has cached in the
 * Additional section: here the target's A but not its AAAA.  An AF_INET6
 * lookup should then ask for the AAAA instead of answering NO_DATA. */
START_TEST(test_target_with_only_an_a_record_in_additional_is_asked_for_its_aaaa)
{
	srv_one("_sip._udp.partial.test", 5060, "h.partial.test", "192.0.2.50", NULL);
	address_answers("h.partial.test", "192.0.2.50", "2001:db8::50", 300);
	struct call c = hosts_call(EP2, "_sip._udp.partial.test", AF_INET6);
	ck_assert_msg(call_big(&c) == NSS_STATUS_SUCCESS,
		      "AF_INET6 lookup gave status %d h_errno %d; AAAA queries sent: %u", c.status,
		      c.herr, fake_queries_for("h.partial.test", DNS_TYPE_AAAA));
	ck_assert(addr_is(c.he.h_addr_list[0], AF_INET6, "2001:db8::50"));
}
END_TEST

/* A reply served from the cache has aged: the TTL a caller gets (*ttlp,
 * which nscd uses to keep the result) should count down like a resolver's
 * cache does (RFC 1035 3.2.1), not restart at the TTL first received. */
START_TEST(test_ttl_of_a_cached_reply_counts_down)
{
	struct call c = hosts_call(EP4, "_sip._udp.conf.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(c.ttl, 300);
	struct timespec pause = {2, 200 * 1000 * 1000};
	nanosleep(&pause, NULL);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries(), 1); /* from the cache */
	ck_assert_msg(c.ttl <= 298, "TTL %d after 2.2 s in the cache (first answer: 300)", c.ttl);
}
END_TEST

/* ---- never a silent misroute (DESIGN.md "The lookup") --------------------- */

static const enum ep all_eps[] = {EP4, EP3, EP2, EP1};

/* The name of the first address of a successful call. */
static const char *first_target(const struct call *c)
{
	return c->ep == EP4 ? c->pat->name : c->he.h_name;
}

START_TEST(test_a_failed_target_is_passed_over_for_the_next_priority_in_every_entry_point)
{
	for (int e = 0; e < 4; e++) {
		setup();
		struct call c = hosts_call(all_eps[e], "_sip._udp.fo.test", AF_INET);
		ck_assert_msg(call_big(&c) == NSS_STATUS_SUCCESS, "entry %d: status %d", e, c.status);
		ck_assert_str_eq(first_target(&c), "live.fo.test");
		ck_assert_int_eq(c.herr, NETDB_SUCCESS);
		/* the dead target was asked first (RFC 2782 order), once */
		ck_assert_uint_eq(fake_queries_for("dead.fo.test", DNS_TYPE_A), 1);
		if (all_eps[e] == EP1) /* the failover list holds only the live one */
			ck_assert_ptr_null(c.he.h_addr_list[1]);
	}
}
END_TEST

START_TEST(test_a_failed_target_is_passed_over_for_the_next_draw_of_its_priority)
{
	/* dead has weight 3, live2 weight 1: whichever the draw puts first,
	 * live2 is the answer; P(dead never first in 40) = 0.25^40 */
	for (int i = 0; i < 40; i++) {
		cache_flush();
		struct call c = hosts_call(EP4, "_sip._udp.fo2.test", AF_UNSPEC);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_str_eq(c.pat->name, "live2.fo.test");
	}
	ck_assert_uint_gt(fake_queries_for("dead.fo.test", DNS_TYPE_A), 0);
}
END_TEST

START_TEST(test_tryagain_only_when_no_target_has_an_address_and_one_failed)
{
	for (int e = 0; e < 4; e++)
		expect_status(all_eps[e], "_sip._udp.allfail.test", AF_INET, NSS_STATUS_TRYAGAIN,
			      TRY_AGAIN, EAGAIN);
}
END_TEST

START_TEST(test_one_malformed_srv_record_makes_the_rrset_unusable_without_fallback)
{
	for (int e = 0; e < 4; e++)
		expect_status(all_eps[e], "_sip._udp.bad.test", AF_INET, NSS_STATUS_TRYAGAIN,
			      TRY_AGAIN, EAGAIN);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP4, "bad.test", AF_UNSPEC, NSS_STATUS_TRYAGAIN, TRY_AGAIN, EAGAIN);
	/* neither the good record's target nor the domain's own address */
	ck_assert_uint_eq(fake_queries_for("good.bad.test", DNS_TYPE_A), 0);
	ck_assert_uint_eq(fake_queries_for("bad.test", DNS_TYPE_A), 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.bad.test", DNS_TYPE_SRV), 0);
}
END_TEST

/* sipsrv paired for udp and tcp: the lookup of `domain`, family af. */
static struct call paired_lookup(const char *domain, enum ep ep, int af)
{
	/* getaddrinfo with socktype 0 asks tcp, then udp (glibc's order) */
	ck_assert_int_eq(servbyname("sipsrv", "tcp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(ep, domain, af);
	call_big(&c);
	return c;
}

START_TEST(test_the_first_srv_name_with_an_rrset_decides)
{
	/* _sip._udp has a target with an A record only: an IPv6 lookup is
	 * NO_DATA, never the _sip._tcp target's AAAA */
	struct call c = paired_lookup("udp4.test", EP2, AF_INET6);
	ck_assert_int_eq(c.status, NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(c.herr, NO_DATA);
	c = paired_lookup("udp4.test", EP4, AF_UNSPEC);
	ck_assert_int_eq(c.status, NSS_STATUS_SUCCESS);
	ck_assert_str_eq(c.pat->name, "v4.udp4.test");
	/* only "." under _sip._udp, only port 5070 */
	c = paired_lookup("dotonly.test", EP4, AF_UNSPEC);
	ck_assert_int_eq(c.status, NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(c.herr, HOST_NOT_FOUND);
	c = paired_lookup("offport.test", EP1, AF_INET);
	ck_assert_int_eq(c.status, NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(c.herr, HOST_NOT_FOUND);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.udp4.test", DNS_TYPE_SRV), 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.dotonly.test", DNS_TYPE_SRV), 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.offport.test", DNS_TYPE_SRV), 0);
	/* a later name is asked when the earlier has no RRset (tcponly.test) */
	c = paired_lookup("tcponly.test", EP4, AF_UNSPEC);
	ck_assert_int_eq(c.status, NSS_STATUS_SUCCESS);
}
END_TEST

START_TEST(test_the_pairing_kept_for_an_ipv4_half_serves_that_lookup_only)
{
	/* getaddrinfo("example.test", "sipsrv", AF_INET6) found IPv6
	 * addresses: glibc asks no IPv4 half.  The thread's next call,
	 * getaddrinfo("example.test", NULL) through 4_r, or gethostbyname
	 * through 1_r, made no services lookup: out of scope. */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c6 = hosts_call(EP2, "example.test", AF_INET6);
	ck_assert_int_eq(call_big(&c6), NSS_STATUS_SUCCESS);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	c6 = hosts_call(EP3, "example.test", AF_INET6);
	ck_assert_int_eq(call_big(&c6), NSS_STATUS_SUCCESS);
	expect_status(EP1, "example.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	/* nor getaddrinfo("example.test", "5060", AF_INET) right after, through
	 * the same entry point: after an IPv6 answer no half is kept */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	c6 = hosts_call(EP2, "example.test", AF_INET6);
	ck_assert_int_eq(call_big(&c6), NSS_STATUS_SUCCESS);
	expect_status(EP2, "example.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	/* nor, after an IPv6 half without address, a lookup through another
	 * entry point than that half's */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	c6 = hosts_call(EP3, "udp4.test", AF_INET6);
	ck_assert_int_eq(call_big(&c6), NSS_STATUS_NOTFOUND);
	expect_status(EP2, "udp4.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
}
END_TEST

START_TEST(test_a_services_lookup_ends_the_pairing_kept_for_an_ipv4_half)
{
	/* Call 1, getaddrinfo("udp4.test", "sipsrv", AF_INET6, SOCK_STREAM),
	 * pairs _sip._tcp; call 2, getaddrinfo("tcponly.test", "sipsrv",
	 * AF_INET, SOCK_DGRAM), within the window, must pair _sip._udp only:
	 * a UDP program never gets the TCP-only server. */
	ck_assert_int_eq(servbyname("sipsrv", "tcp"), NSS_STATUS_SUCCESS);
	struct call c6 = hosts_call(EP2, "udp4.test", AF_INET6);
	ck_assert_int_eq(call_big(&c6), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP2, "tcponly.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.tcponly.test", DNS_TYPE_SRV), 0);
}
END_TEST

START_TEST(test_a_protocol_asked_again_or_tcp_starts_another_call)
{
	/* Call 1, getaddrinfo(127.0.0.1, "sipsrv", SOCK_DGRAM), pairs udp
	 * and has no hosts lookup; call 2, getaddrinfo("udp4.test", "sipsrv",
	 * SOCK_STREAM), within the window: its tcp services lookup starts
	 * another call, so only _sip._tcp is asked (before: the UDP server
	 * of _sip._udp, for a TCP program). */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "tcp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(EP4, "udp4.test", AF_UNSPEC);
	ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
	ck_assert_uint_eq(fake_queries_for("_sip._udp.udp4.test", DNS_TYPE_SRV), 0);
	/* udp asked twice: the second is another call's */
	ck_assert_int_eq(servbyname("sipsrv", "tcp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP2, "tcponly.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.tcponly.test", DNS_TYPE_SRV), 0);
}
END_TEST

START_TEST(test_an_erange_result_is_kept_for_the_pairing_window_only)
{
	/* A gethostbyname_r caller that gives up after ERANGE: its result must
	 * not answer a call 0.3 s later that made no services lookup (it did
	 * for up to 2 s: the stash counted whole seconds). */
	static char small[16];
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c = hosts_call(EP1, "example.test", AF_INET);
	ck_assert_int_eq(call_into(&c, small, sizeof(small)), NSS_STATUS_TRYAGAIN);
	ck_assert_int_eq(c.err, ERANGE);
	struct timespec pause = {0, 300 * 1000 * 1000};
	nanosleep(&pause, NULL);
	expect_status(EP1, "example.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
}
END_TEST

START_TEST(test_a_services_lookup_without_protocol_pairs_the_protocol_it_reports)
{
	/* getservbyname("sipsrv", NULL) reports udp: the hosts lookup that
	 * follows asks _sip._udp only, so a UDP program is never handed the
	 * TCP-only server of tcponly.test (before: both were paired). */
	struct servent se;
	char buf[256];
	int err = 0;
	ck_assert_int_eq(_nss_srvsip_getservbyname_r("sipsrv", NULL, &se, buf, sizeof(buf), &err),
			 NSS_STATUS_SUCCESS);
	ck_assert_str_eq(se.s_proto, "udp");
	expect_status(EP1, "tcponly.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries_for("_sip._tcp.tcponly.test", DNS_TYPE_SRV), 0);
}
END_TEST

START_TEST(test_hostent_entry_points_take_af_unspec_as_af_inet)
{
	const enum ep eps[] = {EP3, EP2};
	for (int e = 0; e < 2; e++) {
		struct call c = hosts_call(eps[e], "_sip._udp.fo.test", AF_UNSPEC);
		ck_assert_int_eq(call_big(&c), NSS_STATUS_SUCCESS);
		ck_assert_int_eq(c.he.h_addrtype, AF_INET);
		ck_assert(addr_is(c.he.h_addr_list[0], AF_INET, "192.0.2.101"));
		ck_assert_int_eq(c.herr, NETDB_SUCCESS);
	}
}
END_TEST

/* A unix socket at the path where nscd's would be. */
static void fake_nscd_socket(bool present)
{
	unlink(SRVSIP_NSCD_SOCKET);
	if (!present)
		return;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", SRVSIP_NSCD_SOCKET);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

static void fake_nscd_conf(const char *text)
{
	FILE *f = fopen(SRVSIP_NSCD_CONF, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_pseudo_services_are_refused_when_nscd_answers_hosts_lookups)
{
	fake_nscd_socket(true);
	fake_nscd_conf("# nscd.conf\n\tenable-cache\t\thosts\t\tyes\n");
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_NOTFOUND);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	fake_nscd_conf("enable-cache passwd yes\nenable-cache hosts no\n");
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_SUCCESS, NETDB_SUCCESS, 0);
	unlink(SRVSIP_NSCD_CONF); /* nsncd: no config, caches hosts */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_NOTFOUND);
	fake_nscd_socket(false);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_SUCCESS, NETDB_SUCCESS, 0);
}
END_TEST

START_TEST(test_the_tail_of_a_long_nscd_conf_line_is_not_a_line_of_its_own)
{
	/* nscd reads whole lines (getline) and a '#' ends one: the words at
	 * the end of a 277-octet comment are comment.  Read in 255-octet
	 * pieces they were a line that turned hosts caching off: pairing
	 * under nscd, whose own lookup is not paired (the domain's own
	 * address). */
	char text[512];
	int n = snprintf(text, sizeof(text), "enable-cache hosts yes\n#%0254d enable-cache hosts no\n",
			 0);
	ck_assert(n > 0 && (size_t)n < sizeof(text));
	fake_nscd_socket(true);
	fake_nscd_conf(text);
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_NOTFOUND);
	fake_nscd_socket(false);
}
END_TEST

START_TEST(test_pairing_ends_with_its_window_or_another_services_lookup)
{
	/* 0.3 s after the services lookup: another call, out of scope */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct timespec pause = {0, 300 * 1000 * 1000};
	nanosleep(&pause, NULL);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	/* a services lookup of another name starts another call */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("http-alt", "tcp"), NSS_STATUS_NOTFOUND);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	ck_assert_uint_eq(fake_queries(), 0);
	/* the same pseudo-service for another protocol is the same call
	 * (getaddrinfo asks tcp, udp, dccp, udplite, sctp in turn) */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	ck_assert_int_eq(servbyname("sipsrv", "dccp"), NSS_STATUS_NOTFOUND);
	expect_status(EP4, "example.test", AF_UNSPEC, NSS_STATUS_SUCCESS, NETDB_SUCCESS, 0);
}
END_TEST

/* getaddrinfo(d, "sipsrv") with AF_INET6 and AI_V4MAPPED: glibc 2.36 asks
 * 2_r (3_r with AI_CANONNAME) for AF_INET6 and then, when that gave no IPv6
 * address (or with AI_ALL), for AF_INET, in the same call on the same
 * thread.  Both halves are paired; the second half is for that name only. */
START_TEST(test_both_halves_of_a_v4mapped_getaddrinfo_are_paired)
{
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	struct call c6 = hosts_call(EP2, "udp4.test", AF_INET6);
	call_big(&c6);
	ck_assert_int_eq(c6.status, NSS_STATUS_NOTFOUND);
	ck_assert_int_eq(c6.herr, NO_DATA);
	struct call c4 = hosts_call(EP2, "udp4.test", AF_INET);
	call_big(&c4);
	ck_assert_msg(c4.status == NSS_STATUS_SUCCESS,
		      "IPv4 half: status %d h_errno %d (before: out of scope, so the next "
		      "module answered with the name's own address)", c4.status, c4.herr);
	/* the pairing is used up: a third lookup is out of scope */
	expect_status(EP2, "udp4.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);

	/* The IPv4 half of another name is not paired. */
	ck_assert_int_eq(servbyname("sipsrv", "udp"), NSS_STATUS_SUCCESS);
	c6 = hosts_call(EP3, "udp4.test", AF_INET6);
	call_big(&c6);
	ck_assert_int_eq(c6.status, NSS_STATUS_NOTFOUND);
	expect_status(EP2, "example.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
	expect_status(EP2, "udp4.test", AF_INET, NSS_STATUS_UNAVAIL, NO_RECOVERY, 0);
}
END_TEST

static Suite *nss_suite(void)
{
	Suite *s = suite_create("nss");
	TCase *tc = tcase_create("buffers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_gethostbyname4_r_gives_erange_until_the_result_fits_inside_the_buffer);
	tcase_add_test(tc, test_gethostbyname4_r_writes_the_first_tuple_into_a_given_pat);
	tcase_add_test(tc, test_gethostbyname3_r_gives_erange_until_the_result_fits_inside_the_buffer);
	tcase_add_test(tc, test_gethostbyname2_r_gives_erange_until_the_result_fits_inside_the_buffer);
	tcase_add_test(tc, test_gethostbyname_r_gives_erange_until_the_result_fits_inside_the_buffer);
	tcase_add_test(tc, test_getservbyname_r_gives_erange_until_the_servent_fits_inside_the_buffer);
	tcase_add_test(tc, test_pairing_survives_the_erange_retries_of_gethostbyname4_r);
	tcase_add_test(tc, test_getservbyname_r_writes_nothing_into_a_buffer_too_small);
	tcase_add_test(tc, test_gethostbyname_r_sweep_with_24_addresses_of_6_targets);
	tcase_add_test(tc, test_concurrent_lookups_from_eight_threads_stay_correct);
	suite_add_tcase(s, tc);

	tc = tcase_create("stash");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_erange_retry_returns_the_stashed_target_without_a_new_query);
	tcase_add_test(tc, test_erange_stash_serves_only_the_same_name_entry_point_and_family);
	tcase_add_test(tc, test_erange_stash_belongs_to_the_thread_that_made_it);
	tcase_add_test(tc, test_erange_stash_serves_only_a_retry_with_a_larger_buffer);
	tcase_add_test(tc, test_services_lookup_ends_the_erange_stash_so_its_pairing_is_consumed);
	suite_add_tcase(s, tc);

	tc = tcase_create("results");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_errno_is_unchanged_after_a_successful_lookup);
	tcase_add_test(tc, test_gethostbyname_r_lists_failover_targets_in_order_after_the_selected);
	tcase_add_test(tc, test_gethostbyname4_r_selects_weights_1_3_in_proportion);
	suite_add_tcase(s, tc);

	tc = tcase_create("statuses");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dot_target_is_notfound_host_not_found_without_fallback);
	tcase_add_test(tc, test_servfail_is_tryagain_try_again);
	tcase_add_test(tc, test_targets_with_only_aaaa_asked_af_inet_are_notfound_no_data);
	tcase_add_test(tc, test_out_of_scope_name_is_unavail_without_any_query);
	tcase_add_test(tc, test_invalid_owner_name_steps_aside_without_any_query);
	tcase_add_test(tc, test_resolver_that_cannot_open_is_tryagain_try_again);
	tcase_add_test(tc, test_bad_arguments_are_unavail);
	tcase_add_test(tc, test_no_srv_rrset_steps_aside_without_an_address_query);
	tcase_add_test(tc, test_alias_target_is_refused_host_not_found);
	tcase_add_test(tc, test_dot_among_real_targets_is_skipped);
	tcase_add_test(tc, test_hostent_success_always_has_an_address_of_its_family);
	tcase_add_test(tc, test_target_with_only_an_a_record_in_additional_is_asked_for_its_aaaa);
	suite_add_tcase(s, tc);

	tc = tcase_create("scope");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pairing_sipsrv_udp_asks_sip_udp_once_and_is_then_consumed);
	tcase_add_test(tc, test_pairing_with_no_record_on_port_5060_is_notfound_without_fallback);
	tcase_add_test(tc, test_pairing_sipsrv_on_udp_and_tcp_tries_udp_then_tcp);
	tcase_add_test(tc, test_each_pseudo_service_asks_its_own_srv_name);
	tcase_add_test(tc, test_getservbyname_r_answers_only_pseudo_services_and_their_protocols);
	tcase_add_test(tc, test_pairing_belongs_to_the_thread_of_the_services_lookup);
	tcase_add_test(tc, test_pairing_left_by_an_exited_thread_pairs_nothing_else);
	tcase_add_test(tc, test_pseudo_services_are_refused_inside_a_caching_daemon);
	tcase_add_test(tc, test_pseudo_services_are_refused_when_nscd_answers_hosts_lookups);
	tcase_add_test(tc, test_pairing_ends_with_its_window_or_another_services_lookup);
	tcase_add_test(tc, test_both_halves_of_a_v4mapped_getaddrinfo_are_paired);
	tcase_add_test(tc, test_a_services_lookup_without_protocol_pairs_the_protocol_it_reports);
	tcase_add_test(tc, test_a_protocol_asked_again_or_tcp_starts_another_call);
	tcase_add_test(tc, test_an_erange_result_is_kept_for_the_pairing_window_only);
	tcase_add_test(tc, test_the_pairing_kept_for_an_ipv4_half_serves_that_lookup_only);
	tcase_add_test(tc, test_a_services_lookup_ends_the_pairing_kept_for_an_ipv4_half);
	tcase_add_test(tc, test_the_tail_of_a_long_nscd_conf_line_is_not_a_line_of_its_own);
	tcase_add_test(tc, test_config_domain_lines_put_exact_and_suffix_names_in_scope);
	tcase_add_test(tc, test_config_program_line_puts_every_name_of_that_program_in_scope);
	suite_add_tcase(s, tc);

	tc = tcase_create("misroute");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_failed_target_is_passed_over_for_the_next_priority_in_every_entry_point);
	tcase_add_test(tc, test_a_failed_target_is_passed_over_for_the_next_draw_of_its_priority);
	tcase_add_test(tc, test_tryagain_only_when_no_target_has_an_address_and_one_failed);
	tcase_add_test(tc, test_one_malformed_srv_record_makes_the_rrset_unusable_without_fallback);
	tcase_add_test(tc, test_the_first_srv_name_with_an_rrset_decides);
	tcase_add_test(tc, test_hostent_entry_points_take_af_unspec_as_af_inet);
	suite_add_tcase(s, tc);

	tc = tcase_create("cache");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_repeated_lookup_is_answered_from_the_cache_with_a_fresh_draw);
	tcase_add_test(tc, test_reply_with_a_zero_ttl_and_a_temporary_failure_are_not_cached);
	tcase_add_test(tc, test_negative_reply_is_cached_only_with_its_soa);
	tcase_add_test(tc, test_cache_reply_ttl_is_the_smallest_ttl_or_the_soa_minimum_capped);
	tcase_add_test(tc, test_target_addresses_are_asked_as_absolute_names);
	tcase_add_test(tc, test_ttl_of_a_cached_reply_counts_down);
	tcase_add_test(tc, test_replies_of_a_lookup_begun_before_a_resolv_conf_change_are_not_cached);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1];

	write_config();
	suites[0] = nss_suite();
	return test_run_suites(suites, 1);
}
