/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's lookup against a scripted transport: the TTL a result
 * carries (and a reply is cached for) per RFC 2181 and RFC 2308, and a
 * target the RRset names twice. */
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cache.h"
#include "dnswire.h"
#include "rng.h"
#include "srv.h"
#include "srv_parse.h"
#include "test_common.h"
#include "wire_builder.h"

/* ---- a scripted transport ------------------------------------------------ */
#define T_MAX 16
static struct {
	char name[300];
	uint16_t type;
	enum dns_outcome outcome;
	uint8_t *msg;
	size_t len;
} table[T_MAX];
static size_t ntable;
static unsigned nqueries;

static void t_reset(void)
{
	for (size_t i = 0; i < ntable; i++)
		free(table[i].msg);
	ntable = 0;
	nqueries = 0;
}

static void t_add(const char *name, uint16_t type, enum dns_outcome outcome, const struct wb *b)
{
	snprintf(table[ntable].name, sizeof(table[ntable].name), "%s", name);
	table[ntable].type = type;
	table[ntable].outcome = outcome;
	table[ntable].msg = NULL;
	table[ntable].len = 0;
	if (b != NULL) {
		table[ntable].msg = malloc(b->len);
		memcpy(table[ntable].msg, b->buf, b->len);
		table[ntable].len = b->len;
	}
	ntable++;
}

static enum dns_outcome t_lookup(const char *name, uint16_t type, uint8_t *answer, size_t size,
				 size_t *length)
{
	nqueries++;
	*length = 0;
	for (size_t i = 0; i < ntable; i++) {
		if (table[i].type != type || strcasecmp(table[i].name, name) != 0)
			continue;
		if (table[i].msg != NULL) {
			memcpy(answer, table[i].msg, table[i].len < size ? table[i].len : size);
			*length = table[i].len;
		}
		return table[i].outcome;
	}
	return DNS_NXDOMAIN;
}

static enum dns_outcome t_query(void *ctx, const char *name, uint16_t type, bool search,
				uint8_t *answer, size_t size, size_t *length)
{
	(void)ctx;
	(void)search;
	return t_lookup(name, type, answer, size, length);
}

static void t_batch(void *ctx, struct dns_query *q, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		q[i].outcome = t_lookup(q[i].name, q[i].type, q[i].answer, q[i].size, &q[i].length);
}

static const struct dns_transport T = {t_query, t_batch, NULL, false};

static struct wb W;

static void answer(const char *qname, uint16_t qtype)
{
	wb_init(&W, 0x1234, WB_FLAGS_ANSWER);
	W.compress = true;
	wb_question(&W, qname, qtype, DNS_CLASS_IN);
	wb_section(&W, WB_AN);
}

static void add_soa(const char *zone, uint32_t ttl, uint32_t minimum)
{
	wb_section(&W, WB_NS);
	size_t at = wb_rr_begin(&W, zone, DNS_TYPE_SOA, DNS_CLASS_IN, ttl);
	wb_name(&W, "ns.example.test");
	wb_name(&W, "hostmaster.example.test");
	wb_u32(&W, 1);
	wb_u32(&W, 7200);
	wb_u32(&W, 900);
	wb_u32(&W, 1209600);
	wb_u32(&W, minimum);
	wb_rr_end(&W, at);
}

static void resolve(const char *name, int port, int family, bool failover, struct srv_result *res)
{
	struct srv_request req;
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};

	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", name);
	req.nservices = 0;
	req.port = port;
	req.family = family;
	req.want_failover = failover;
	srv_xoshiro_seed(&gen, 42);
	srv_resolve(&req, &T, &rng, res);
}

#define OWNER "_sip._udp.example.test"

/* The result's TTL (nscd caches it for that long) counts the CNAME that
 * led to the SRV RRset. */
START_TEST(test_ttl_includes_the_cname_that_led_to_the_rrset)
{
	static struct srv_result res;
	t_reset();
	answer(OWNER, DNS_TYPE_SRV);
	wb_cname(&W, OWNER, 10, "_sip._udp.other.test");
	wb_srv(&W, "_sip._udp.other.test", 3600, 0, 0, 5060, "t.other.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "t.other.test", 3600, "192.0.2.7");
	wb_finish(&W);
	t_add(OWNER, DNS_TYPE_SRV, DNS_ANSWER, &W);
	resolve(OWNER, 5060, AF_INET, false, &res);
	ck_assert_int_eq(res.status, SRV_SUCCESS);
	ck_assert_msg(res.ttl <= 10, "ttl %u: the CNAME (TTL 10) that led to the RRset is not counted",
		      res.ttl);
}
END_TEST

/* The same for the alias of an allowed alias target's address answer. */
START_TEST(test_ttl_includes_the_cname_of_an_allowed_alias_target)
{
	static struct srv_result res;
	struct srv_request req;
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	t_reset();
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 3600, 0, 0, 5060, "alias.example.test");
	wb_finish(&W);
	t_add(OWNER, DNS_TYPE_SRV, DNS_ANSWER, &W);
	answer("alias.example.test", DNS_TYPE_A);
	wb_cname(&W, "alias.example.test", 10, "real.example.test");
	wb_a(&W, "real.example.test", 3600, "192.0.2.8");
	wb_finish(&W);
	t_add("alias.example.test", DNS_TYPE_A, DNS_ANSWER, &W);
	memset(&req, 0, sizeof(req));
	snprintf(req.name, sizeof(req.name), "%s", OWNER);
	req.port = 5060;
	req.family = AF_INET;
	req.allow_cname = true;
	srv_xoshiro_seed(&gen, 1);
	srv_resolve(&req, &T, &rng, &res);
	ck_assert_int_eq(res.status, SRV_SUCCESS);
	ck_assert_msg(res.ttl <= 10, "ttl %u: the target's CNAME (TTL 10) is not counted", res.ttl);
}
END_TEST

/* RFC 2308: the negative part of a CNAME-then-NODATA answer lives
 * min(SOA TTL, MINIMUM); NXDOMAIN after a CNAME no longer than the CNAME. */
START_TEST(test_negative_answer_after_a_cname_is_cached_by_rfc_2308)
{
	answer(OWNER, DNS_TYPE_SRV);
	wb_cname(&W, OWNER, 86400, "_sip._udp.other.test");
	add_soa("other.test", 86400, 60);
	wb_finish(&W);
	/* dns_client: NOERROR with ANCOUNT > 0 is DNS_ANSWER */
	uint32_t ttl = cache_reply_ttl(W.buf, W.len, DNS_ANSWER);
	ck_assert_msg(ttl <= 60, "NODATA after CNAME cached %u s, SOA MINIMUM is 60", ttl);
}
END_TEST

START_TEST(test_nxdomain_after_a_cname_is_not_cached_longer_than_the_cname)
{
	answer(OWNER, DNS_TYPE_SRV);
	wb_cname(&W, OWNER, 5, "_sip._udp.other.test");
	add_soa("other.test", 3600, 3600);
	wb_finish(&W);
	uint32_t ttl = cache_reply_ttl(W.buf, W.len, DNS_NXDOMAIN);
	ck_assert_msg(ttl <= 5, "NXDOMAIN for %s cached %u s, its CNAME has TTL 5", OWNER, ttl);
}
END_TEST

/* RFC 2181 section 8: a TTL with the top bit set is taken as zero. */
START_TEST(test_ttl_with_the_top_bit_set_is_zero)
{
	static struct srv_result res;
	t_reset();
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 0x80000000u, 0, 0, 5060, "t.example.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "t.example.test", 0x80000000u, "192.0.2.9");
	wb_finish(&W);
	uint32_t cached = cache_reply_ttl(W.buf, W.len, DNS_ANSWER);
	t_add(OWNER, DNS_TYPE_SRV, DNS_ANSWER, &W);
	resolve(OWNER, 5060, AF_INET, false, &res);
	ck_assert_int_eq(res.status, SRV_SUCCESS);
	ck_assert_msg(cached == 0 && res.ttl == 0, "cached for %u s, result ttl %u", cached,
		      res.ttl);
}
END_TEST

/* RFC 2181 5.2: records of one RRset with different TTLs count with
 * the lowest; a duplicate dropped must not drop its lower TTL. */
START_TEST(test_duplicate_record_with_a_lower_ttl_lowers_the_ttl)
{
	static struct srv_result res;
	t_reset();
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 3600, 0, 0, 5060, "t.example.test");
	wb_srv(&W, OWNER, 5, 0, 0, 5060, "t.example.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "t.example.test", 3600, "192.0.2.11");
	wb_finish(&W);
	t_add(OWNER, DNS_TYPE_SRV, DNS_ANSWER, &W);
	resolve(OWNER, 5060, AF_INET, false, &res);
	ck_assert_int_eq(res.status, SRV_SUCCESS);
	ck_assert_msg(res.ttl <= 5, "ttl %u", res.ttl);
}
END_TEST

/* A target listed in two priorities is one host: gethostbyname's
 * failover list names it once, and a target whose query failed is not
 * asked again at a later priority. */
START_TEST(test_target_in_two_priorities_is_listed_and_asked_once)
{
	static struct srv_result res;
	t_reset();
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 300, 0, 0, 5060, "t.example.test");
	wb_srv(&W, OWNER, 300, 10, 0, 5060, "t.example.test");
	wb_section(&W, WB_AR);
	wb_a(&W, "t.example.test", 300, "192.0.2.12");
	wb_finish(&W);
	t_add(OWNER, DNS_TYPE_SRV, DNS_ANSWER, &W);
	resolve(OWNER, 5060, AF_INET, true, &res);
	ck_assert_int_eq(res.status, SRV_SUCCESS);
	unsigned ntargets = res.ntargets;

	t_reset();
	answer(OWNER, DNS_TYPE_SRV);
	wb_srv(&W, OWNER, 300, 0, 0, 5060, "t.example.test");
	wb_srv(&W, OWNER, 300, 10, 0, 5060, "t.example.test");
	wb_finish(&W);
	t_add(OWNER, DNS_TYPE_SRV, DNS_ANSWER, &W);
	t_add("t.example.test", DNS_TYPE_A, DNS_TEMPFAIL, NULL);
	resolve(OWNER, 5060, AF_INET, false, &res);
	ck_assert_msg(ntargets == 1 && nqueries == 2,
		      "failover list has %u entries for one target; %u queries (SRV + %u A)",
		      ntargets, nqueries, nqueries - 1);
}
END_TEST

static Suite *lookup_suite(void)
{
	Suite *s = suite_create("lookup");
	TCase *tc = tcase_create("ttl and repeats");
	tcase_add_test(tc, test_ttl_includes_the_cname_that_led_to_the_rrset);
	tcase_add_test(tc, test_ttl_includes_the_cname_of_an_allowed_alias_target);
	tcase_add_test(tc, test_negative_answer_after_a_cname_is_cached_by_rfc_2308);
	tcase_add_test(tc, test_nxdomain_after_a_cname_is_not_cached_longer_than_the_cname);
	tcase_add_test(tc, test_ttl_with_the_top_bit_set_is_zero);
	tcase_add_test(tc, test_duplicate_record_with_a_lower_ttl_lowers_the_ttl);
	tcase_add_test(tc, test_target_in_two_priorities_is_listed_and_asked_once);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1] = {lookup_suite()};
	return test_run_suites(suites, 1);
}
