/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The search walk of a single-label domain's SRV name (resolver.c
 * search_query) over the scripted network of fake_net.c: the names asked,
 * their order and the outcome, against what glibc's res_nsearch does
 * (docs/glibc-facts.md "libresolv inside a module").  The search list and
 * ndots come from LOCALDOMAIN and RES_OPTIONS, which res_ninit reads; the
 * servers and timeouts are the scripted network's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_client.h"
#include "dnswire.h"
#include "fake_net.h"
#include "resolver.h"
#include "test_common.h"

enum act { SAY_NXDOMAIN, SAY_ANSWER, SAY_NODATA, SAY_SERVFAIL, SAY_NOTHING };

struct rule {
	const char *name;
	enum act act;
};

static struct rule rules[8];
static char asked[16][DNS_NAME_TEXT_SIZE + 8]; /* "udp name" or "tcp name" */
static unsigned nasked;

static void respond(struct fake_net *net, int fd, unsigned server, bool tcp, const uint8_t *q,
		    size_t len, void *ctx)
{
	char name[DNS_NAME_TEXT_SIZE];
	enum act act = SAY_NXDOMAIN;
	uint8_t out[2 + 512];

	(void)server;
	(void)ctx;
	dns_name_to_text(q, len, DNS_HEADER_SIZE, name, sizeof(name));
	if (nasked < 16)
		snprintf(asked[nasked++], sizeof(asked[0]), "%s %s", tcp ? "tcp" : "udp", name);
	for (size_t i = 0; i < 8 && rules[i].name != NULL; i++)
		if (strcmp(rules[i].name, name) == 0)
			act = rules[i].act;
	if (act == SAY_NOTHING)
		return;
	unsigned rcode = act == SAY_NXDOMAIN ? 3 : act == SAY_SERVFAIL ? 2 : 0;
	size_t n = fake_net_reply(q, len, rcode, act == SAY_ANSWER, false, false, out + 2,
				  sizeof(out) - 2);
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	fake_net_deliver(net, fd, 1, tcp ? out : out + 2, tcp ? n + 2 : n);
}

/* Walks `name` with search list `search` and RES_OPTIONS `options` over one
 * scripted server (timeout 1 s, 1 attempt); `use_vc`: TCP only. */
static enum dns_outcome walk(const char *search, const char *options, bool use_vc,
			     const char *name)
{
	static struct fake_net net;
	struct dns_net ops;
	struct resolver r;
	uint8_t answer[1024];
	size_t length = 0;

	setenv("LOCALDOMAIN", search, 1);
	setenv("RES_OPTIONS", options, 1);
	fake_net_init(&net, respond, NULL);
	ops = fake_net_ops(&net);
	nasked = 0;
	resolver_open(&r, &ops);
	ck_assert(r.ready);
	fake_net_config(&r.client, 1, 1, 1);
	r.client.use_vc = use_vc;
	struct dns_transport t = resolver_transport(&r);
	enum dns_outcome outcome = t.query(t.ctx, name, DNS_TYPE_A, true, answer, sizeof(answer),
					   &length);
	resolver_close(&r);
	fake_net_free(&net);
	return outcome;
}

/* The names asked, "proto name" joined by ';'. */
static const char *asked_list(void)
{
	static char list[16 * (DNS_NAME_TEXT_SIZE + 9)];
	list[0] = '\0';
	for (unsigned i = 0; i < nasked; i++) {
		strcat(list, asked[i]);
		strcat(list, ";");
	}
	return list;
}

static void setup(void)
{
	memset(rules, 0, sizeof(rules));
}

START_TEST(test_with_ndots_dots_the_name_is_asked_as_it_is_first_then_each_domain)
{
	ck_assert_int_eq(walk("a.test b.test", "ndots:1", false, "_sip._udp.solo"), DNS_NXDOMAIN);
	ck_assert_str_eq(asked_list(),
			 "udp _sip._udp.solo;udp _sip._udp.solo.a.test;udp _sip._udp.solo.b.test;");
}
END_TEST

START_TEST(test_with_fewer_dots_than_ndots_the_domains_come_first_then_the_name)
{
	rules[0] = (struct rule){"_sip._udp.solo.b.test", SAY_ANSWER};
	ck_assert_int_eq(walk("a.test b.test", "ndots:5", false, "_sip._udp.solo"), DNS_ANSWER);
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo.a.test;udp _sip._udp.solo.b.test;");
	ck_assert_int_eq(walk("a.test b.test", "ndots:5", false, "_sip._udp.solo"), DNS_ANSWER);
	rules[0] = (struct rule){"_sip._udp.solo", SAY_ANSWER};
	ck_assert_int_eq(walk("a.test b.test", "ndots:5", false, "_sip._udp.solo"), DNS_ANSWER);
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo.a.test;udp _sip._udp.solo.b.test;"
				       "udp _sip._udp.solo;");
}
END_TEST

START_TEST(test_servfail_goes_on_to_the_next_domain_over_udp_and_over_tcp)
{
	rules[0] = (struct rule){"_sip._udp.solo.a.test", SAY_SERVFAIL};
	rules[1] = (struct rule){"_sip._udp.solo.b.test", SAY_ANSWER};
	ck_assert_int_eq(walk("a.test b.test", "ndots:5", false, "_sip._udp.solo"), DNS_ANSWER);
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo.a.test;udp _sip._udp.solo.b.test;");
	ck_assert_int_eq(walk("a.test b.test", "ndots:5", true, "_sip._udp.solo"), DNS_ANSWER);
	ck_assert_str_eq(asked_list(), "tcp _sip._udp.solo.a.test;tcp _sip._udp.solo.b.test;");
}
END_TEST

START_TEST(test_a_failure_without_an_answer_is_a_temporary_failure_never_nxdomain)
{
	/* res_nsearch would report the as-is query's HOST_NOT_FOUND here; the
	 * module must not step aside while a.test's SRV name is unknown. */
	rules[0] = (struct rule){"_sip._udp.solo.a.test", SAY_NOTHING};
	ck_assert_int_eq(walk("a.test b.test", "ndots:1", false, "_sip._udp.solo"), DNS_TEMPFAIL);
	/* a timeout ends the walk (b.test is not asked) */
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo;udp _sip._udp.solo.a.test;");
	rules[0] = (struct rule){"_sip._udp.solo.a.test", SAY_SERVFAIL};
	ck_assert_int_eq(walk("a.test b.test", "ndots:1", false, "_sip._udp.solo"), DNS_TEMPFAIL);
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo;udp _sip._udp.solo.a.test;"
				       "udp _sip._udp.solo.b.test;");
}
END_TEST

START_TEST(test_nodata_of_a_domain_is_reported_over_later_nxdomains)
{
	rules[0] = (struct rule){"_sip._udp.solo.a.test", SAY_NODATA};
	ck_assert_int_eq(walk("a.test b.test", "ndots:5", false, "_sip._udp.solo"), DNS_NODATA);
	ck_assert_int_eq(nasked, 3);
}
END_TEST

START_TEST(test_a_root_domain_on_the_list_is_the_name_as_it_is_asked_once)
{
	ck_assert_int_eq(walk("a.test .", "ndots:5", false, "_sip._udp.solo"), DNS_NXDOMAIN);
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo.a.test;udp _sip._udp.solo;");
}
END_TEST

START_TEST(test_a_domain_that_makes_the_name_too_long_ends_the_walk_without_failing)
{
	/* 243 characters: with "_sip._udp.solo." the name exceeds 253 (and
	 * the module's name buffer; ASan watches the check-unit-asan run) */
	char domain[244];
	memset(domain, 'a', 243);
	domain[60] = domain[121] = domain[182] = '.';
	domain[243] = '\0';
	char search[300];
	snprintf(search, sizeof(search), "%s b.test", domain);
	rules[0] = (struct rule){"_sip._udp.solo.b.test", SAY_ANSWER};
	ck_assert_int_eq(walk(search, "ndots:1", false, "_sip._udp.solo"), DNS_NXDOMAIN);
	ck_assert_str_eq(asked_list(), "udp _sip._udp.solo;");
}
END_TEST

static Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_with_ndots_dots_the_name_is_asked_as_it_is_first_then_each_domain);
	tcase_add_test(tc, test_with_fewer_dots_than_ndots_the_domains_come_first_then_the_name);
	tcase_add_test(tc, test_servfail_goes_on_to_the_next_domain_over_udp_and_over_tcp);
	tcase_add_test(tc, test_a_failure_without_an_answer_is_a_temporary_failure_never_nxdomain);
	tcase_add_test(tc, test_nodata_of_a_domain_is_reported_over_later_nxdomains);
	tcase_add_test(tc, test_a_root_domain_on_the_list_is_the_name_as_it_is_asked_once);
	tcase_add_test(tc, test_a_domain_that_makes_the_name_too_long_ends_the_walk_without_failing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1] = {search_suite()};
	return test_run_suites(suites, 1);
}
