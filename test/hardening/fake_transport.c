/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An in-memory DNS for test/hardening/thread_driver.c: the module's
 * resolver_open, resolver_close and resolver_transport (src/resolver.h),
 * linked instead of src/resolver.c.  Every reply is built in the caller's
 * buffer from constant tables, so any number of threads may query at once;
 * the only shared state is a pair of atomic counters.
 *
 * Data (the seed's sipdomain.com zone, test/e2e/zones/sipdomain.com.zone):
 *   _sip._udp.D and _sip._tcp.D SRV, for D = sipdomain.com or any name under
 *     example.test: the six-record RRset with A glue for the four in-zone
 *     targets (1x-load, 3x-load, failover1, failover2), TTL 3600 (1 second
 *     under example.test, so cache entries expire during the run)
 *   offsite-failover{1,2}.elsewhere.ca A 127.0.0.4{1,2}, TTL 1
 *   the in-zone targets A as in the glue; sipdomain.com A 127.0.0.50
 *   (which the module never returns: without SRV records it steps aside)
 *   AAAA of a known name: NODATA; anything else: NXDOMAIN (both with an SOA,
 *   so the module's cache keeps them, RFC 2308). */
#include "fake_transport.h"

#include <string.h>
#include <strings.h>

#include "resolver.h"

const struct fake_host fake_hosts[FAKE_NHOSTS] = {
	{"1x-load.sipdomain.com", 0, 1, {127, 0, 0, 11}},
	{"3x-load.sipdomain.com", 0, 3, {127, 0, 0, 13}},
	{"failover1.sipdomain.com", 1, 0, {127, 0, 0, 21}},
	{"failover2.sipdomain.com", 1, 0, {127, 0, 0, 22}},
	{"offsite-failover1.elsewhere.ca", 2, 0, {127, 0, 0, 41}},
	{"offsite-failover2.elsewhere.ca", 2, 0, {127, 0, 0, 42}},
};
const uint8_t fake_fallback_addr[4] = {127, 0, 0, 50};

static unsigned long queries_sent;
static unsigned long transports_made;

unsigned long fake_transport_queries(void)
{
	return __atomic_load_n(&queries_sent, __ATOMIC_RELAXED);
}

/* ---- a small wire writer -------------------------------------------- */

struct wire {
	uint8_t *buf;
	size_t size;
	size_t len;
	bool overflow;
};

static void put(struct wire *w, const void *data, size_t n)
{
	if (w->overflow || n > w->size - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

static void put16(struct wire *w, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(w, b, 2);
}

static void put32(struct wire *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(w, b, 4);
}

static size_t name_wire_length(const char *name)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	return len == 0 ? 1 : len + 2;
}

static void put_name(struct wire *w, const char *name)
{
	const char *p = name;
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || n > 63) {
			w->overflow = true;
			return;
		}
		uint8_t len = (uint8_t)n;
		put(w, &len, 1);
		put(w, p, n);
		p += n;
		if (*p == '.')
			p++;
	}
	uint8_t root = 0;
	put(w, &root, 1);
}

static void put_header(struct wire *w, unsigned rcode, unsigned an, unsigned ns, unsigned ar)
{
	put16(w, 0x5eed);
	put16(w, 0x8580 | rcode); /* QR AA RD RA */
	put16(w, 1);
	put16(w, an);
	put16(w, ns);
	put16(w, ar);
}

static void put_rr_head(struct wire *w, const char *owner, unsigned type, uint32_t ttl,
			size_t rdlength)
{
	put_name(w, owner);
	put16(w, type);
	put16(w, 1);
	put32(w, ttl);
	put16(w, (unsigned)rdlength);
}

static void put_a(struct wire *w, const char *owner, const uint8_t addr[4], uint32_t ttl)
{
	put_rr_head(w, owner, 1, ttl, 4);
	put(w, addr, 4);
}

static void put_soa(struct wire *w)
{
	static const char mname[] = "ns1.sipdomain.com";
	static const char rname[] = "root.sipdomain.com";
	put_rr_head(w, "sipdomain.com", 6, 60, name_wire_length(mname) + name_wire_length(rname) + 20);
	put_name(w, mname);
	put_name(w, rname);
	put32(w, 1995032001);
	put32(w, 3600);
	put32(w, 3600);
	put32(w, 604800);
	put32(w, 60); /* minimum: negative answers live a minute */
}

/* ---- the zone ----------------------------------------------------------- */

static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name);
	size_t s = strlen(suffix);
	if (n > 0 && name[n - 1] == '.')
		n--;
	return n >= s && strncasecmp(name + n - s, suffix, s) == 0;
}

static bool same(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n > 0 && a[n - 1] == '.')
		n--;
	return n == strlen(b) && strncasecmp(a, b, n) == 0;
}

/* The domain of "_sip._udp.D" / "_sip._tcp.D" when D has the RRset. */
static const char *sip_rrset_domain(const char *name)
{
	if (strncasecmp(name, "_sip._udp.", 10) != 0 && strncasecmp(name, "_sip._tcp.", 10) != 0)
		return NULL;
	const char *domain = name + 10;
	if (same(domain, "sipdomain.com") || ends_with(domain, ".example.test"))
		return domain;
	return NULL;
}

static enum dns_outcome fake_query(void *ctx, const char *name, uint16_t type, bool search,
				   uint8_t *answer, size_t size, size_t *length)
{
	struct wire w = {answer, size, 0, false};
	enum dns_outcome outcome = DNS_ANSWER;
	const char *domain;
	const struct fake_host *host = NULL;

	(void)ctx;
	(void)search; /* every name here is absolute */
	__atomic_add_fetch(&queries_sent, 1, __ATOMIC_RELAXED);
	for (size_t i = 0; i < FAKE_NHOSTS; i++)
		if (same(name, fake_hosts[i].name))
			host = &fake_hosts[i];
	if (type == 33 && (domain = sip_rrset_domain(name)) != NULL) {
		uint32_t ttl = ends_with(domain, ".example.test") ? 1 : 3600;
		put_header(&w, 0, FAKE_NHOSTS, 0, 4);
		put_name(&w, name);
		put16(&w, 33);
		put16(&w, 1);
		for (size_t i = 0; i < FAKE_NHOSTS; i++) {
			put_rr_head(&w, name, 33, ttl, 6 + name_wire_length(fake_hosts[i].name));
			put16(&w, fake_hosts[i].priority);
			put16(&w, fake_hosts[i].weight);
			put16(&w, 5060);
			put_name(&w, fake_hosts[i].name);
		}
		for (size_t i = 0; i < 4; i++) /* glue for the in-zone targets */
			put_a(&w, fake_hosts[i].name, fake_hosts[i].addr, 3600);
	} else if (type == 1 && (host != NULL || same(name, "sipdomain.com"))) {
		put_header(&w, 0, 1, 0, 0);
		put_name(&w, name);
		put16(&w, 1);
		put16(&w, 1);
		if (host != NULL)
			put_a(&w, name, host->addr, host->priority == 2 ? 1 : 3600);
		else
			put_a(&w, name, fake_fallback_addr, 3600);
	} else {
		bool exists = host != NULL || same(name, "sipdomain.com") ||
			      sip_rrset_domain(name) != NULL;
		outcome = exists ? DNS_NODATA : DNS_NXDOMAIN;
		put_header(&w, exists ? 0 : 3, 0, 1, 0);
		put_name(&w, name);
		put16(&w, type);
		put16(&w, 1);
		put_soa(&w);
	}
	if (w.overflow)
		return DNS_TEMPFAIL;
	*length = w.len;
	return outcome;
}

static void fake_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		queries[i].length = 0;
		queries[i].outcome = fake_query(ctx, queries[i].name, queries[i].type, false,
						queries[i].answer, queries[i].size, &queries[i].length);
	}
}

void resolver_open(struct resolver *r, const struct dns_net *net)
{
	(void)net;
	memset(r, 0, sizeof(*r));
}

void resolver_close(struct resolver *r)
{
	(void)r;
}

struct dns_transport resolver_transport(struct resolver *r)
{
	struct dns_transport t = {.query = fake_query, .query_batch = fake_query_batch, .ctx = r};
	__atomic_add_fetch(&transports_made, 1, __ATOMIC_RELAXED);
	return t;
}
