/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Answer parser tests: dnswire.c (bounded wire reader) and the parsing half
 * of srv.c (srv_parse_answer, srv_addresses_for), on hand-built messages.
 *
 * Every message under test is copied into a heap block of exactly its own
 * length, so that under ASan (make check-unit-asan) a read one octet past the
 * end is reported instead of landing in the builder's large buffer. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dnswire.h"
#include "srv.h"
#include "srv_parse.h"
#include "test_common.h"
#include "wire_builder.h"

#define OWNER "_sip._udp.example.test"

static struct wb B;
static uint8_t *exact[64];
static size_t nexact;

static void teardown(void)
{
	for (size_t i = 0; i < nexact; i++)
		free(exact[i]);
	nexact = 0;
}

/* A heap copy of data[0..len) of exactly len octets (freed at teardown). */
static const uint8_t *exact_copy(const uint8_t *data, size_t len)
{
	ck_assert_uint_lt(nexact, 64);
	uint8_t *p = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(p);
	memcpy(p, data, len);
	exact[nexact++] = p;
	return p;
}

/* Finishes B and parses it from an exact-size copy; asserts success. */
static void parse_b(struct dns_msg *msg)
{
	size_t len = wb_finish(&B);
	ck_assert_msg(!B.overflow, "test message does not fit the builder");
	ck_assert_int_eq(dns_msg_init(msg, exact_copy(B.buf, len), len), 0);
}

static void start(const char *qname, uint16_t qtype)
{
	wb_init(&B, 0x1234, WB_FLAGS_ANSWER);
	wb_question(&B, qname, qtype, DNS_CLASS_IN);
	wb_section(&B, WB_AN);
}

static void target_text(const struct dns_msg *msg, const struct srv_record *r, char *out)
{
	ck_assert_int_eq(dns_name_to_text(msg->data, msg->len, r->target_offset, out,
					  DNS_NAME_TEXT_SIZE), 0);
}

/* ---- srv_parse_answer ------------------------------------------------ */

/* srv_parse_answer, with the position of a bad record in *bad (may be
 * NULL). */
static int parse_srv(const struct dns_msg *msg, struct srv_record *recs, size_t max,
		     unsigned *bad)
{
	unsigned ignored;
	return srv_parse_answer(msg, recs, max, bad != NULL ? bad : &ignored);
}

START_TEST(test_two_srv_records_give_priority_weight_port_ttl_and_target)
{
	struct dns_msg msg;
	struct srv_record recs[8];
	char text[DNS_NAME_TEXT_SIZE];

	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 3600, 10, 60, 5060, "a.example.test");
	wb_srv(&B, OWNER, 1800, 20, 0, 5070, "b.example.test");
	parse_b(&msg);
	ck_assert(dns_msg_is_response(&msg));
	ck_assert_uint_eq(dns_msg_rcode(&msg), DNS_RCODE_NOERROR);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 2);
	ck_assert_int_eq(parse_srv(&msg, recs, 8, NULL), 2);
	ck_assert_uint_eq(recs[0].priority, 10);
	ck_assert_uint_eq(recs[0].weight, 60);
	ck_assert_uint_eq(recs[0].port, 5060);
	ck_assert_uint_eq(recs[0].ttl, 1800); /* RFC 2181 5.2: the RRset's lowest */
	ck_assert(!recs[0].root_target);
	target_text(&msg, &recs[0], text);
	ck_assert_str_eq(text, "a.example.test");
	ck_assert_uint_eq(recs[1].priority, 20);
	ck_assert_uint_eq(recs[1].weight, 0);
	ck_assert_uint_eq(recs[1].port, 5070);
	ck_assert_uint_eq(recs[1].ttl, 1800);
	target_text(&msg, &recs[1], text);
	ck_assert_str_eq(text, "b.example.test");
	/* more records than max: the RRset is refused as a whole */
	unsigned bad = 99;
	ck_assert_int_eq(parse_srv(&msg, recs, 1, &bad), -1);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(test_compressed_owner_and_target_names_are_followed)
{
	struct dns_msg msg;
	struct srv_record recs[8];
	char text[DNS_NAME_TEXT_SIZE];

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	B.compress = true;
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	size_t owner_at = B.len;
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	/* "x" + pointer to "a" + pointer to "example.test": a chain of two. */
	wb_srv(&B, OWNER, 60, 0, 2, 5060, "x.a.example.test");
	wb_section(&B, WB_AR);
	wb_a(&B, "x.a.example.test", 60, "192.0.2.9");
	parse_b(&msg);
	/* The owner really is a pointer to the question (offset 12). */
	ck_assert_uint_eq(msg.data[owner_at], 0xc0);
	ck_assert_uint_eq(msg.data[owner_at + 1], DNS_HEADER_SIZE);
	ck_assert_int_eq(parse_srv(&msg, recs, 8, NULL), 2);
	/* The target of the first record: one label, then a pointer. */
	ck_assert_uint_eq(msg.data[recs[0].target_offset], 1);
	ck_assert_uint_eq(msg.data[recs[0].target_offset + 2] & 0xc0u, 0xc0u);
	target_text(&msg, &recs[0], text);
	ck_assert_str_eq(text, "a.example.test");
	target_text(&msg, &recs[1], text);
	ck_assert_str_eq(text, "x.a.example.test");
	ck_assert_uint_eq(recs[1].weight, 2);
	ck_assert(dns_name_equal_valid(msg.data, msg.len, owner_at, msg.question_offset));
	ck_assert(dns_name_equal_text(msg.data, msg.len, recs[1].target_offset, "x.a.example.test"));

	struct srv_target t;
	uint32_t ttl = UINT32_MAX;
	memset(&t, 0, sizeof(t));
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[1].target_offset, AF_UNSPEC,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 1);
}
END_TEST

START_TEST(test_dot_target_is_parsed_with_root_target_set)
{
	struct dns_msg msg;
	struct srv_record recs[4];
	char text[DNS_NAME_TEXT_SIZE];

	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 300, 0, 0, 0, ".");
	wb_srv(&B, OWNER, 300, 0, 0, 5060, "real.example.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 2);
	ck_assert(recs[0].root_target);
	ck_assert_int_eq(dns_name_to_text(msg.data, msg.len, recs[0].target_offset, text,
					  sizeof(text)), 0);
	ck_assert_str_eq(text, "");
	ck_assert(!recs[1].root_target);
}
END_TEST

START_TEST(test_record_whose_rdlength_runs_past_the_end_is_unreachable)
{
	struct dns_msg msg;
	struct srv_record recs[4];

	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	size_t at = wb_rr_begin(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN, 60);
	wb_u16(&B, 0);
	wb_u16(&B, 1);
	wb_u16(&B, 5060);
	wb_name(&B, "c.example.test");
	wb_put16_at(&B, at, 200); /* claims 200 octets; about 22 follow */
	wb_section(&B, WB_AR);
	wb_a(&B, "a.example.test", 60, "192.0.2.1");
	parse_b(&msg);
	ck_assert_uint_eq(msg.count[DNS_SECTION_ANSWER], 2);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 1);
	/* A record cut in the middle ends everything after it too. */
	ck_assert_uint_eq(msg.count[DNS_SECTION_ADDITIONAL], 1);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ADDITIONAL], 0);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 1);
	ck_assert_uint_eq(recs[0].weight, 1);
}
END_TEST

/* A good record, then one whose RDATA is malformed as `kind` says. */
static void good_then_bad_rdata(int kind)
{
	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 4, 5060, "good.example.test");
	size_t at = wb_rr_begin(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN, 60);
	wb_u16(&B, 0);
	wb_u16(&B, 2);
	if (kind >= 1)
		wb_u16(&B, 5060);
	if (kind == 2) {
		wb_name(&B, "garbage.example.test");
		wb_u16(&B, 0xabcd);
	}
	wb_rr_end(&B, at);
}

START_TEST(test_srv_rdata_that_the_target_does_not_fill_exactly_makes_the_rrset_unusable)
{
	struct dns_msg msg;
	struct srv_record recs[4];
	unsigned bad = 0;

	/* kind 0: RDATA of 4 octets; 1: 6 octets, no name at all; 2: two
	 * octets of garbage after the target inside the RDATA */
	for (int kind = 0; kind < 3; kind++) {
		good_then_bad_rdata(kind);
		parse_b(&msg);
		ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 2);
		ck_assert_msg(parse_srv(&msg, recs, 4, &bad) == -1, "kind %d accepted", kind);
		ck_assert_uint_eq(bad, 2);
	}
}
END_TEST

START_TEST(test_srv_target_longer_than_its_rdata_makes_the_rrset_unusable)
{
	struct dns_msg msg;
	struct srv_record recs[4];
	unsigned bad = 0;

	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "good.example.test");
	/* The RDLENGTH ends 4 octets before the target's root label: the last
	 * record of the message, so the record itself stays reachable. */
	size_t at = wb_rr_begin(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN, 60);
	wb_u16(&B, 0);
	wb_u16(&B, 2);
	wb_u16(&B, 5060);
	wb_name(&B, "long.example.test");
	wb_put16_at(&B, at, (uint16_t)(B.len - (at + 2) - 4));
	parse_b(&msg);
	ck_assert_uint_ge(msg.reachable[DNS_SECTION_ANSWER], 1);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, &bad), -1);
	ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(test_records_of_other_types_classes_and_owners_are_skipped)
{
	struct dns_msg msg;
	struct srv_record recs[8];
	size_t at;

	start(OWNER, DNS_TYPE_SRV);
	wb_a(&B, OWNER, 60, "192.0.2.1");
	at = wb_rr_begin(&B, OWNER, 16 /* TXT */, DNS_CLASS_IN, 60);
	wb_label(&B, "v=1", 3);
	wb_rr_end(&B, at);
	at = wb_rr_begin(&B, OWNER, DNS_TYPE_SRV, 3 /* CH */, 60);
	wb_u16(&B, 0);
	wb_u16(&B, 1);
	wb_u16(&B, 5060);
	wb_name(&B, "chaos.example.test");
	wb_rr_end(&B, at);
	wb_srv(&B, "_sip._tcp.example.test", 60, 0, 2, 5060, "tcp.example.test");
	wb_cname(&B, "other.example.test", 60, "x.example.test");
	wb_srv(&B, OWNER, 60, 0, 3, 5060, "udp.example.test");
	parse_b(&msg);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 6);
	ck_assert_int_eq(parse_srv(&msg, recs, 8, NULL), 1);
	ck_assert_uint_eq(recs[0].weight, 3);
	ck_assert(dns_name_equal_text(msg.data, msg.len, recs[0].target_offset, "udp.example.test"));
}
END_TEST

/* One message: SRV a, b, c, d; Additional: a (A, AAAA, duplicate A), c
 * (AAAA only, owner in upper case), d (A of class CH and an A record of
 * the wrong length: no usable address record at all). */
static void build_additional(struct dns_msg *msg, struct srv_record *recs)
{
	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "b.example.test");
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "c.example.test");
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "d.example.test");
	wb_section(&B, WB_AR);
	wb_a(&B, "a.example.test", 600, "192.0.2.1");
	wb_aaaa(&B, "a.example.test", 700, "2001:db8::1");
	wb_a(&B, "a.example.test", 650, "192.0.2.1");
	wb_aaaa(&B, "C.EXAMPLE.TEST", 800, "2001:db8::3");
	size_t at = wb_rr_begin(&B, "d.example.test", DNS_TYPE_A, 3, 60);
	wb_u32(&B, 0xc0000204);
	wb_rr_end(&B, at);
	at = wb_rr_begin(&B, "d.example.test", DNS_TYPE_A, DNS_CLASS_IN, 60);
	wb_u32(&B, 0xc0000204);
	wb_u8(&B, 0);
	wb_rr_end(&B, at);
	parse_b(msg);
	ck_assert_int_eq(parse_srv(msg, recs, 8, NULL), 4);
}

START_TEST(test_additional_section_holding_the_target_gives_its_addresses)
{
	struct dns_msg msg;
	struct srv_record recs[8];
	struct srv_target t;
	uint32_t ttl;
	uint8_t v4[4], v6[16];

	build_additional(&msg, recs);
	inet_pton(AF_INET, "192.0.2.1", v4);
	inet_pton(AF_INET6, "2001:db8::1", v6);

	memset(&t, 0, sizeof(t));
	ttl = UINT32_MAX;
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[0].target_offset, AF_UNSPEC,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 2); /* the duplicate A is kept once */
	ck_assert_int_eq(t.addrs[0].family, AF_INET);
	ck_assert_mem_eq(t.addrs[0].bytes, v4, 4);
	ck_assert_int_eq(t.addrs[1].family, AF_INET6);
	ck_assert_mem_eq(t.addrs[1].bytes, v6, 16);
	ck_assert_uint_eq(ttl, 600);

	memset(&t, 0, sizeof(t));
	ttl = 100; /* only lowered, never raised */
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[0].target_offset, AF_INET,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 1);
	ck_assert_int_eq(t.addrs[0].family, AF_INET);
	ck_assert_uint_eq(ttl, 100);

	memset(&t, 0, sizeof(t));
	ttl = UINT32_MAX;
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[0].target_offset, AF_INET6,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 1);
	ck_assert_int_eq(t.addrs[0].family, AF_INET6);
	ck_assert_uint_eq(ttl, 700);

	/* c: owner in upper case still matches; only AAAA there. */
	memset(&t, 0, sizeof(t));
	ttl = UINT32_MAX;
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[2].target_offset, AF_UNSPEC,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 1);
	ck_assert_uint_eq(ttl, 800);
}
END_TEST

START_TEST(test_additional_section_without_the_target_reports_false)
{
	struct dns_msg msg;
	struct srv_record recs[8];
	struct srv_target t;
	uint32_t ttl;

	build_additional(&msg, recs);
	/* b: nothing at all in Additional */
	memset(&t, 0, sizeof(t));
	ttl = UINT32_MAX;
	ck_assert(!srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[1].target_offset, AF_UNSPEC,
				     &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 0);
	ck_assert_uint_eq(ttl, UINT32_MAX);
	/* d: only a CH-class A and a malformed A: not address records */
	ck_assert(!srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[3].target_offset, AF_UNSPEC,
				     &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 0);
	/* the answer section has no address records at all */
	ck_assert(!srv_addresses_for(&msg, DNS_SECTION_ANSWER, recs[0].target_offset, AF_UNSPEC, &t,
				     &ttl));
	/* c has AAAA only: asked for AF_INET the name is there (true) but no
	 * address is added */
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[2].target_offset, AF_INET, &t,
				    &ttl));
	ck_assert_uint_eq(t.naddrs, 0);
	ck_assert_uint_eq(ttl, UINT32_MAX);
}
END_TEST

START_TEST(test_addresses_per_target_are_capped_at_srv_max_addrs)
{
	struct dns_msg msg;
	struct srv_record recs[2];
	struct srv_target t;
	uint32_t ttl = UINT32_MAX;
	char ip[32];

	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "many.example.test");
	wb_section(&B, WB_AR);
	for (int i = 0; i < SRV_MAX_ADDRS + 8; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i + 1);
		wb_a(&B, "many.example.test", 60, ip);
	}
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 2, NULL), 1);
	memset(&t, 0, sizeof(t));
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[0].target_offset, AF_UNSPEC,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, SRV_MAX_ADDRS);
	ck_assert_uint_eq(t.addrs[SRV_MAX_ADDRS - 1].bytes[3], SRV_MAX_ADDRS);
}
END_TEST

START_TEST(test_ancount_and_arcount_larger_than_the_message_are_clamped)
{
	struct dns_msg msg;
	struct srv_record recs[8];
	struct dns_rr_iter it;
	struct dns_rr rr;
	unsigned n = 0;

	/* ANCOUNT 50 with 2 records and nothing after them. */
	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	wb_srv(&B, OWNER, 60, 0, 2, 5060, "b.example.test");
	wb_set_count(&B, WB_AN, 50);
	wb_set_count(&B, WB_NS, 7);
	wb_set_count(&B, WB_AR, 65535);
	parse_b(&msg);
	ck_assert_uint_eq(msg.count[DNS_SECTION_ANSWER], 50);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 2);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_AUTHORITY], 0);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ADDITIONAL], 0);
	dns_rr_iter_init(&it, &msg, DNS_SECTION_ANSWER);
	while (dns_rr_iter_next(&it, &rr))
		n++;
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(parse_srv(&msg, recs, 8, NULL), 2);

	/* ARCOUNT 1000 with 2 address records: both used, nothing more. */
	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	wb_section(&B, WB_AR);
	wb_a(&B, "a.example.test", 60, "192.0.2.1");
	wb_a(&B, "a.example.test", 60, "192.0.2.2");
	wb_set_count(&B, WB_AR, 1000);
	parse_b(&msg);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ADDITIONAL], 2);
	ck_assert_int_eq(parse_srv(&msg, recs, 8, NULL), 1);
	struct srv_target t;
	uint32_t ttl = UINT32_MAX;
	memset(&t, 0, sizeof(t));
	ck_assert(srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[0].target_offset, AF_UNSPEC,
				    &t, &ttl));
	ck_assert_uint_eq(t.naddrs, 2);

	/* QDCOUNT larger than the message: not even the question fits. */
	start(OWNER, DNS_TYPE_SRV);
	wb_set_count(&B, WB_QD, 3);
	size_t len = wb_finish(&B);
	ck_assert_int_eq(dns_msg_init(&msg, exact_copy(B.buf, len), len), -1);
}
END_TEST

START_TEST(test_message_shorter_than_header_or_question_is_refused)
{
	struct dns_msg msg;

	start(OWNER, DNS_TYPE_SRV);
	size_t len = wb_finish(&B);
	/* exact[] holds 64 copies; header and question are 40 octets */
	ck_assert_uint_lt(len, 60);
	for (size_t cut = 0; cut < len; cut++) {
		ck_assert_msg(dns_msg_init(&msg, exact_copy(B.buf, cut), cut) == -1,
			      "a message cut at %zu of %zu was accepted", cut, len);
	}
	ck_assert_int_eq(dns_msg_init(&msg, NULL, 100), -1);
	ck_assert_int_eq(dns_msg_init(&msg, exact_copy(B.buf, len), len), 0);
}
END_TEST

/* ---- names: pointers, loops, bounds ---------------------------------- */

/* Raw name buffers: 12 octets of filler (like a header), then names. */
START_TEST(test_compression_pointer_loops_are_rejected)
{
	uint8_t self[16] = {0};
	uint8_t same_run[18] = {0};
	uint8_t two[24] = {0};
	size_t end;
	char text[DNS_NAME_TEXT_SIZE];

	/* A pointer to itself. */
	self[12] = 0xc0;
	self[13] = 12;
	ck_assert_int_eq(dns_name_skip(self, sizeof(self), 12, &end), -1);
	ck_assert_int_eq(dns_name_to_text(self, sizeof(self), 12, text, sizeof(text)), -1);
	ck_assert(!dns_name_equal_text(self, sizeof(self), 12, ""));

	/* "a" then a pointer back to that same "a". */
	same_run[12] = 1;
	same_run[13] = 'a';
	same_run[14] = 0xc0;
	same_run[15] = 12;
	ck_assert_int_eq(dns_name_skip(same_run, sizeof(same_run), 12, &end), -1);
	ck_assert_int_eq(dns_name_to_text(same_run, sizeof(same_run), 12, text, sizeof(text)), -1);

	/* Two names pointing at each other: 12: "b" -> 16, 16: "a" -> 12. */
	two[12] = 1;
	two[13] = 'b';
	two[14] = 0xc0;
	two[15] = 16;
	two[16] = 1;
	two[17] = 'a';
	two[18] = 0xc0;
	two[19] = 12;
	ck_assert_int_eq(dns_name_skip(two, sizeof(two), 16, &end), -1);
	ck_assert_int_eq(dns_name_skip(two, sizeof(two), 12, &end), -1);
	ck_assert_int_eq(dns_name_to_text(two, sizeof(two), 16, text, sizeof(text)), -1);
	ck_assert(!dns_name_equal_text(two, sizeof(two), 16, "a.b.a.b"));
}
END_TEST

START_TEST(test_forward_compression_pointer_is_rejected)
{
	/* 12: pointer to 14, 14: "f" "x" root - a valid name, but ahead. */
	uint8_t buf[20] = {0};
	size_t end;
	char text[DNS_NAME_TEXT_SIZE];

	buf[12] = 0xc0;
	buf[13] = 14;
	buf[14] = 1;
	buf[15] = 'f';
	buf[16] = 1;
	buf[17] = 'x';
	buf[18] = 0;
	ck_assert_int_eq(dns_name_skip(buf, sizeof(buf), 14, &end), 0);
	ck_assert_uint_eq(end, 19);
	ck_assert_int_eq(dns_name_skip(buf, sizeof(buf), 12, &end), -1);
	ck_assert_int_eq(dns_name_to_text(buf, sizeof(buf), 12, text, sizeof(text)), -1);

	/* The same bytes the other way round (pointer backwards) are fine. */
	uint8_t back[20] = {0};
	back[12] = 1;
	back[13] = 'f';
	back[14] = 1;
	back[15] = 'x';
	back[16] = 0;
	back[17] = 0xc0;
	back[18] = 12;
	ck_assert_int_eq(dns_name_skip(back, sizeof(back), 17, &end), 0);
	ck_assert_uint_eq(end, 19); /* a pointer ends the name in place */
	ck_assert_int_eq(dns_name_to_text(back, sizeof(back), 17, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "f.x");
	ck_assert(dns_name_equal_valid(back, sizeof(back), 12, 17));
}
END_TEST

START_TEST(test_pointer_or_label_past_the_end_is_rejected)
{
	size_t end;
	char text[DNS_NAME_TEXT_SIZE];
	/* pointer to offset 0x3fff of a 16-octet message */
	const uint8_t far[16] = {[12] = 1, [13] = 'a', [14] = 0xff, [15] = 0xff};
	/* the pointer's second octet is missing */
	const uint8_t half[15] = {[12] = 1, [13] = 'a', [14] = 0xc0};
	/* a label announcing 5 octets with 2 left */
	const uint8_t label[15] = {[12] = 5, [13] = 'a', [14] = 'b'};
	/* labels run to the end with no root label */
	const uint8_t noroot[16] = {[12] = 1, [13] = 'a', [14] = 1, [15] = 'b'};
	/* offset at or past the end */
	const uint8_t empty[12] = {0};

	const struct {
		const uint8_t *p;
		size_t len;
		size_t off;
	} cases[] = {{far, sizeof(far), 12},       {half, sizeof(half), 12},
		     {label, sizeof(label), 12},   {noroot, sizeof(noroot), 12},
		     {empty, sizeof(empty), 12},   {empty, sizeof(empty), 400}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *p = exact_copy(cases[i].p, cases[i].len);
		ck_assert_msg(dns_name_skip(p, cases[i].len, cases[i].off, &end) == -1, "case %zu", i);
		ck_assert_msg(dns_name_to_text(p, cases[i].len, cases[i].off, text, sizeof(text)) ==
				      -1, "case %zu", i);
	}
}
END_TEST

START_TEST(test_extended_label_types_0x40_and_0x80_are_rejected)
{
	size_t end;
	const uint8_t ext40[16] = {[12] = 0x41, [13] = 'a', [14] = 0};
	const uint8_t ext80[16] = {[12] = 0x81, [13] = 'a', [14] = 0};

	ck_assert_int_eq(dns_name_skip(ext40, sizeof(ext40), 12, &end), -1);
	ck_assert_int_eq(dns_name_skip(ext80, sizeof(ext80), 12, &end), -1);
}
END_TEST

/* Writes labels of the given lengths (filled with 'a'..) and a root. */
static size_t raw_long_name(uint8_t *buf, size_t at, const int *lens, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf[at++] = (uint8_t)lens[i];
		for (int k = 0; k < lens[i]; k++)
			buf[at++] = (uint8_t)('a' + (k % 26));
	}
	buf[at++] = 0;
	return at;
}

START_TEST(test_name_of_255_octets_is_accepted_and_256_rejected)
{
	static uint8_t buf[1200];
	size_t end;
	char text[DNS_NAME_TEXT_SIZE];
	const int max[] = {63, 63, 63, 61};   /* 4*1 + 250 + 1 = 255 octets */
	const int over[] = {63, 63, 63, 62};  /* 256 octets */

	size_t e1 = raw_long_name(buf, 12, max, 4);
	ck_assert_uint_eq(e1 - 12, 255);
	size_t e2 = raw_long_name(buf, e1, over, 4);
	ck_assert_uint_eq(e2 - e1, 256);
	ck_assert_int_eq(dns_name_skip(buf, e2, 12, &end), 0);
	ck_assert_uint_eq(end, e1);
	ck_assert_int_eq(dns_name_to_text(buf, e2, 12, text, sizeof(text)), 0);
	ck_assert_uint_eq(strlen(text), 253);
	ck_assert_int_eq(dns_name_skip(buf, e2, e1, &end), -1);

	/* 255 octets reached through a pointer count the same way: "ab" +
	 * pointer to a 252-octet name = 255; "abc" + the same = 256. */
	const int n252[] = {63, 63, 63, 58};
	size_t e3 = raw_long_name(buf, e2, n252, 4);
	ck_assert_uint_eq(e3 - e2, 252);
	size_t p1 = e3;
	buf[e3++] = 2;
	buf[e3++] = 'a';
	buf[e3++] = 'b';
	buf[e3++] = (uint8_t)(0xc0 | (e2 >> 8));
	buf[e3++] = (uint8_t)e2;
	size_t p2 = e3;
	buf[e3++] = 3;
	buf[e3++] = 'a';
	buf[e3++] = 'b';
	buf[e3++] = 'c';
	buf[e3++] = (uint8_t)(0xc0 | (e2 >> 8));
	buf[e3++] = (uint8_t)e2;
	ck_assert_int_eq(dns_name_skip(buf, e3, p1, &end), 0);
	ck_assert_int_eq(dns_name_skip(buf, e3, p2, &end), -1);
}
END_TEST

/* A message whose question is a 252-octet name, then `nrr` records whose
 * owners are: a bare pointer to the question, then a label of
 * `prefix_octets` - 1 letters plus a pointer to the question. */
static size_t message_with_prefixed_owner(uint8_t *buf, int prefix_octets)
{
	const int n252[] = {63, 63, 63, 58};
	static const uint8_t rr_tail[10] = {0, 1, 0, 1, 0, 0, 0, 0, 0, 0}; /* A IN ttl 0 rdlength 0 */

	memset(buf, 0, 12);
	buf[5] = 1; /* QDCOUNT */
	buf[7] = 2; /* ANCOUNT */
	size_t at = raw_long_name(buf, 12, n252, 4);
	ck_assert_uint_eq(at - 12, 252);
	buf[at++] = 0;
	buf[at++] = 1;
	buf[at++] = 0;
	buf[at++] = 1;
	buf[at++] = 0xc0; /* owner 1: the question, already validated */
	buf[at++] = 12;
	memcpy(buf + at, rr_tail, sizeof(rr_tail));
	at += sizeof(rr_tail);
	buf[at++] = (uint8_t)(prefix_octets - 1); /* owner 2: a label + the question */
	for (int i = 0; i < prefix_octets - 1; i++)
		buf[at++] = (uint8_t)('a' + i);
	buf[at++] = 0xc0;
	buf[at++] = 12;
	memcpy(buf + at, rr_tail, sizeof(rr_tail));
	return at + sizeof(rr_tail);
}

START_TEST(test_pointer_to_an_already_validated_name_still_counts_its_length)
{
	/* dns_msg_init walks each name once and then trusts what it learnt;
	 * a pointer to such a name must still add up to at most 255 octets:
	 * 3 + 252 = 255 is a name, 4 + 252 = 256 is not. */
	static uint8_t buf[400];
	struct dns_msg msg;
	size_t len = message_with_prefixed_owner(buf, 3);
	ck_assert_int_eq(dns_msg_init(&msg, exact_copy(buf, len), len), 0);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 2);
	ck_assert(dns_msg_whole(&msg));

	len = message_with_prefixed_owner(buf, 4);
	ck_assert_int_eq(dns_msg_init(&msg, exact_copy(buf, len), len), 0);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 1);
	ck_assert(!dns_msg_whole(&msg));
}
END_TEST

START_TEST(test_srv_record_with_a_300_octet_target_makes_the_rrset_unusable)
{
	struct dns_msg msg;
	struct srv_record recs[4];
	unsigned bad = 0;
	char label[60];

	memset(label, 'x', sizeof(label));
	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 3, 5060, "ok.example.test");
	/* 300-octet target: five labels of 59 + root = 301 octets. */
	size_t at = wb_rr_begin(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN, 60);
	wb_u16(&B, 0);
	wb_u16(&B, 1);
	wb_u16(&B, 5060);
	for (int i = 0; i < 5; i++)
		wb_label(&B, label, 59);
	wb_root(&B);
	wb_rr_end(&B, at);
	parse_b(&msg);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 2);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, &bad), -1);
	ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(test_duplicate_srv_records_are_kept_once)
{
	struct dns_msg msg;
	struct srv_record recs[8];

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	/* same record: target in another case, compressed, another TTL */
	B.compress = true;
	wb_srv(&B, OWNER, 30, 0, 1, 5060, "A.Example.TEST");
	wb_srv(&B, OWNER, 30, 0, 1, 5060, "a.example.test");
	B.compress = false;
	wb_srv(&B, OWNER, 60, 0, 1, 5070, "a.example.test"); /* another port */
	wb_srv(&B, OWNER, 60, 1, 1, 5060, "a.example.test"); /* another priority */
	wb_srv(&B, OWNER, 60, 0, 2, 5060, "a.example.test"); /* another weight */
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "b.example.test"); /* another target */
	parse_b(&msg);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 7);
	ck_assert_int_eq(parse_srv(&msg, recs, 8, NULL), 5);
}
END_TEST

START_TEST(test_question_of_another_type_class_or_count_yields_no_records)
{
	struct dns_msg msg;
	struct srv_record recs[4];

	start(OWNER, DNS_TYPE_A);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 0);

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	wb_question(&B, OWNER, DNS_TYPE_SRV, 3 /* CH */);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 0);

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	parse_b(&msg);
	ck_assert_uint_eq(msg.reachable[DNS_SECTION_ANSWER], 1);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 0);

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	parse_b(&msg);
	ck_assert_uint_eq(msg.qdcount, 0);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 0);

	/* control: the same records answer a SRV question */
	start(OWNER, DNS_TYPE_SRV);
	wb_srv(&B, OWNER, 60, 0, 1, 5060, "a.example.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 1);
}
END_TEST

START_TEST(test_cname_chain_from_question_to_srv_owner_is_followed)
{
	struct dns_msg msg;
	struct srv_record recs[4];

	start("_sip._udp.alias.test", DNS_TYPE_SRV);
	/* chain listed out of order: mid -> real before alias -> mid */
	wb_cname(&B, "mid.test", 60, "_sip._udp.real.test");
	wb_cname(&B, "_sip._udp.ALIAS.test", 60, "mid.test");
	wb_srv(&B, "_sip._udp.mid.test", 60, 0, 9, 5060, "decoy.test");
	wb_srv(&B, "_sip._udp.alias.test", 60, 0, 8, 5060, "decoy.test");
	wb_srv(&B, "_sip._udp.real.test", 60, 0, 1, 5060, "a.real.test");
	wb_srv(&B, "_sip._udp.real.test", 60, 0, 2, 5060, "b.real.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 2);
	ck_assert_uint_eq(recs[0].weight, 1);
	ck_assert_uint_eq(recs[1].weight, 2);
}
END_TEST

/* Found by fuzz_answer: more records of the queried name than `max`,
 * then a CNAME that moves the owner elsewhere.  The count that matters is
 * the final owner's, so the result must not depend on `max`. */
START_TEST(test_cname_after_more_than_max_records_is_still_followed)
{
	struct dns_msg msg;
	struct srv_record recs[4];

	start("_sip._udp.alias.test", DNS_TYPE_SRV);
	wb_srv(&B, "_sip._udp.alias.test", 60, 0, 7, 5060, "decoy1.test");
	wb_srv(&B, "_sip._udp.alias.test", 60, 0, 8, 5060, "decoy2.test");
	wb_srv(&B, "_sip._udp.alias.test", 60, 0, 9, 5060, "decoy3.test");
	wb_cname(&B, "_sip._udp.alias.test", 60, "_sip._udp.real.test");
	wb_srv(&B, "_sip._udp.real.test", 60, 0, 1, 5060, "a.real.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 1);
	ck_assert_int_eq(parse_srv(&msg, recs, 2, NULL), 1);
	ck_assert_int_eq(parse_srv(&msg, recs, 1, NULL), 1);
	ck_assert_uint_eq(recs[0].weight, 1);
}
END_TEST

/* A chain of `hops` CNAMEs c0 -> c1 -> ... -> c<hops>, SRV at the end. */
static size_t cname_chain(unsigned hops)
{
	struct dns_msg msg;
	struct srv_record recs[4];
	char from[64], to[64];

	start("c0.chain.test", DNS_TYPE_SRV);
	for (unsigned i = 0; i < hops; i++) {
		snprintf(from, sizeof(from), "c%u.chain.test", i);
		snprintf(to, sizeof(to), "c%u.chain.test", i + 1);
		wb_cname(&B, from, 60, to);
	}
	snprintf(to, sizeof(to), "c%u.chain.test", hops);
	wb_srv(&B, to, 60, 0, 1, 5060, "t.chain.test");
	parse_b(&msg);
	return (size_t)parse_srv(&msg, recs, 4, NULL);
}

START_TEST(test_cname_chain_is_followed_up_to_the_hop_limit_and_loops_end)
{
	ck_assert_uint_eq(cname_chain(1), 1);
	ck_assert_uint_eq(cname_chain(SRV_MAX_CNAME_HOPS), 1);
	ck_assert_uint_eq(cname_chain(SRV_MAX_CNAME_HOPS + 1), 0);

	/* a loop alias <-> mid terminates */
	struct dns_msg msg;
	struct srv_record recs[4];
	start("_sip._udp.loop.test", DNS_TYPE_SRV);
	wb_cname(&B, "_sip._udp.loop.test", 60, "mid.loop.test");
	wb_cname(&B, "mid.loop.test", 60, "_sip._udp.loop.test");
	parse_b(&msg);
	ck_assert_int_eq(parse_srv(&msg, recs, 4, NULL), 0);
}
END_TEST

/* ---- text conversion and comparison ---------------------------------- */

/* 12 filler octets, then one label of `label` and "test" and a root. */
static size_t one_label_name(uint8_t *buf, const void *label, size_t n)
{
	size_t at = 12;
	memset(buf, 0, 12);
	buf[at++] = (uint8_t)n;
	memcpy(buf + at, label, n);
	at += n;
	buf[at++] = 4;
	memcpy(buf + at, "test", 4);
	at += 4;
	buf[at++] = 0;
	return at;
}

START_TEST(test_name_to_text_refuses_octets_outside_the_host_name_alphabet)
{
	uint8_t buf[128];
	char text[DNS_NAME_TEXT_SIZE];
	const char bad[] = {'.', ' ', '/', '\\', '@', '"', '(', '$', ';', '\x7f', '\x80', '\xff',
			    '\n', '\0', '`', '{', '[', '~', '%', ':', '+'};

	for (size_t i = 0; i < sizeof(bad); i++) {
		uint8_t label[3] = {'a', (uint8_t)bad[i], 'b'};
		size_t len = one_label_name(buf, label, 3);
		ck_assert_msg(dns_name_to_text(buf, len, 12, text, sizeof(text)) == -1,
			      "octet 0x%02x was accepted", (unsigned)(uint8_t)bad[i]);
	}
	const char *good = "Az09-_zA";
	size_t len = one_label_name(buf, good, strlen(good));
	ck_assert_int_eq(dns_name_to_text(buf, len, 12, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "Az09-_zA.test"); /* case kept */
}
END_TEST

START_TEST(test_name_to_text_needs_room_for_the_terminating_nul)
{
	uint8_t buf[64];
	char text[16];
	size_t len = one_label_name(buf, "abc", 3); /* "abc.test": 8 + NUL */

	memset(text, 'Z', sizeof(text));
	ck_assert_int_eq(dns_name_to_text(buf, len, 12, text, 8), -1);
	ck_assert_int_eq(dns_name_to_text(buf, len, 12, text, 0), -1);
	ck_assert_int_eq(dns_name_to_text(buf, len, 12, text, 9), 0);
	ck_assert_str_eq(text, "abc.test");
	ck_assert_uint_eq((uint8_t)text[9], 'Z'); /* nothing past size */
	uint8_t root[13] = {0};
	ck_assert_int_eq(dns_name_to_text(root, sizeof(root), 12, text, 1), 0);
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(test_dns_name_equal_valid_ignores_ascii_case_only)
{
	struct dns_msg msg;

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	size_t a = wb_name_plain(&B, "A.Example.TEST");
	size_t b = wb_name_plain(&B, "a.example.test");
	B.compress = true;
	size_t c = wb_name(&B, "x.a.example.test");     /* compressed onto b */
	B.compress = false;
	size_t d = wb_name_plain(&B, "x.A.EXAMPLE.test");
	size_t e = wb_name_plain(&B, "a.example.tes");
	size_t f = wb_name_plain(&B, "a.example.test.x");
	size_t g = wb_name_plain(&B, "a@b.test");          /* 0x40 vs 0x60 */
	size_t h = wb_name_plain(&B, "a`b.test");
	size_t i = wb_name_plain(&B, "a[b.test");          /* 0x5b vs 0x7b */
	size_t j = wb_name_plain(&B, "a{b.test");
	size_t k = wb_name_plain(&B, "ab.example.test");   /* same octets, other labels */
	size_t l = wb_name_plain(&B, "a.bexample.test");
	size_t r = wb_name_plain(&B, ".");
	parse_b(&msg);
	(void)msg;
	const uint8_t *p = exact[nexact - 1];
	size_t n = B.len;

	ck_assert(dns_name_equal_valid(p, n, a, b));
	ck_assert(dns_name_equal_valid(p, n, b, a));
	ck_assert(dns_name_equal_valid(p, n, c, d));
	ck_assert(dns_name_equal_valid(p, n, a, a));
	ck_assert(!dns_name_equal_valid(p, n, a, e));
	ck_assert(!dns_name_equal_valid(p, n, e, a));
	ck_assert(!dns_name_equal_valid(p, n, a, f));
	ck_assert(!dns_name_equal_valid(p, n, f, a));
	ck_assert(!dns_name_equal_valid(p, n, c, b));
	ck_assert(!dns_name_equal_valid(p, n, g, h));
	ck_assert(!dns_name_equal_valid(p, n, i, j));
	ck_assert(!dns_name_equal_valid(p, n, k, l));
	ck_assert(!dns_name_equal_valid(p, n, a, r));
	ck_assert(dns_name_equal_valid(p, n, r, r));
}
END_TEST

START_TEST(test_dns_name_equal_valid_agrees_with_the_text_forms)
{
	struct dns_msg msg;

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	size_t names[8];
	names[0] = wb_name_plain(&B, "A.Example.TEST");
	names[1] = wb_name_plain(&B, "a.example.test");
	B.compress = true;
	names[2] = wb_name(&B, "x.a.example.test");   /* compressed onto names[1] */
	names[3] = wb_name(&B, "a.example.test");     /* a bare pointer */
	names[4] = wb_name(&B, "y.example.test");
	B.compress = false;
	names[5] = wb_name_plain(&B, "x.A.EXAMPLE.test");
	names[6] = wb_name_plain(&B, "a.example.tes");
	names[7] = wb_name_plain(&B, ".");
	parse_b(&msg);
	const uint8_t *p = exact[nexact - 1];
	size_t n = B.len;
	char text[8][DNS_NAME_TEXT_SIZE];

	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(dns_name_to_text(p, n, names[i], text[i], sizeof(text[i])), 0);
	for (size_t i = 0; i < 8; i++)
		for (size_t j = 0; j < 8; j++)
			ck_assert_msg(dns_name_equal_valid(p, n, names[i], names[j]) ==
					      (strcasecmp(text[i], text[j]) == 0),
				      "names %zu and %zu", i, j);
	ck_assert(dns_name_equal_valid(p, n, names[3], names[0]));
	ck_assert(!dns_name_equal_valid(p, n, names[4], names[1]));
}
END_TEST

START_TEST(test_host_octets_are_letters_digits_hyphen_and_underscore)
{
	for (int ch = 0; ch < 256; ch++) {
		bool expected = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
		ck_assert_msg(dns_host_octet((uint8_t)ch) == expected, "octet %d", ch);
	}
}
END_TEST

START_TEST(test_check_host_skips_validates_and_spots_the_root_in_one_walk)
{
	struct dns_msg msg;
	size_t end;
	bool root;

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	size_t host = wb_name_plain(&B, "sip-1_a.Example.test");
	size_t host_end = B.len;
	B.compress = true;
	size_t ptr = wb_name(&B, "example.test");
	size_t ptr_end = B.len;
	B.compress = false;
	size_t dot = wb_name_plain(&B, ".");
	size_t star = wb_name_plain(&B, "*.example.test");
	size_t space = wb_name_plain(&B, "a b.test");
	parse_b(&msg);
	const uint8_t *p = exact[nexact - 1];
	size_t n = B.len;

	ck_assert_int_eq(dns_name_check_host(p, n, host, &end, &root), 0);
	ck_assert_uint_eq(end, host_end);
	ck_assert(!root);
	ck_assert_int_eq(dns_name_check_host(p, n, ptr, &end, &root), 0);
	ck_assert_uint_eq(end, ptr_end);
	ck_assert_int_eq(dns_name_check_host(p, n, dot, &end, &root), 0);
	ck_assert(root);
	ck_assert_int_eq(dns_name_check_host(p, n, star, &end, &root), -1);
	ck_assert_int_eq(dns_name_check_host(p, n, space, &end, &root), -1);
	ck_assert_int_eq(dns_name_check_host(p, dot, dot, &end, &root), -1); /* cut before it */
}
END_TEST

START_TEST(test_dns_name_equal_text_with_and_without_trailing_dot)
{
	struct dns_msg msg;

	wb_init(&B, 1, WB_FLAGS_ANSWER);
	B.compress = true;
	size_t a = wb_name(&B, "sip.Example.test");
	size_t x = wb_name(&B, "x.sip.Example.test"); /* pointer after "x" */
	size_t r = wb_name(&B, ".");
	parse_b(&msg);
	(void)msg;
	const uint8_t *p = exact[nexact - 1];
	size_t n = B.len;

	ck_assert(dns_name_equal_text(p, n, a, "sip.example.test"));
	ck_assert(dns_name_equal_text(p, n, a, "sip.example.test."));
	ck_assert(dns_name_equal_text(p, n, a, "SIP.EXAMPLE.TEST"));
	ck_assert(dns_name_equal_text(p, n, x, "X.sip.example.test."));
	ck_assert(!dns_name_equal_text(p, n, a, "sip.example"));
	ck_assert(!dns_name_equal_text(p, n, a, "sip.example.tes"));
	ck_assert(!dns_name_equal_text(p, n, a, "sip.example.test.x"));
	ck_assert(!dns_name_equal_text(p, n, a, "sip.example.test.."));
	ck_assert(!dns_name_equal_text(p, n, a, "sip..example.test"));
	ck_assert(!dns_name_equal_text(p, n, a, ".sip.example.test"));
	ck_assert(!dns_name_equal_text(p, n, a, "sipexample.test"));
	ck_assert(!dns_name_equal_text(p, n, a, ""));
	ck_assert(!dns_name_equal_text(p, n, x, "sip.example.test"));
	ck_assert(dns_name_equal_text(p, n, r, "."));
	ck_assert(dns_name_equal_text(p, n, r, ""));
	ck_assert(!dns_name_equal_text(p, n, r, "test"));
}
END_TEST

START_TEST(test_header_flags_give_rcode_and_response)
{
	struct dns_msg msg;

	wb_init(&B, 7, 0x8183); /* QR, RD, RA, NXDOMAIN */
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	parse_b(&msg);
	ck_assert_uint_eq(dns_msg_rcode(&msg), DNS_RCODE_NXDOMAIN);
	ck_assert(dns_msg_is_response(&msg));
	wb_init(&B, 7, 0x0202); /* not a response, TC, SERVFAIL */
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	parse_b(&msg);
	ck_assert_uint_eq(dns_msg_rcode(&msg), DNS_RCODE_SERVFAIL);
	ck_assert(!dns_msg_is_response(&msg));
}
END_TEST

/* ---- robustness over every prefix and many corruptions ---------------- */

static size_t build_realistic(void)
{
	wb_init(&B, 0x4242, WB_FLAGS_ANSWER);
	B.compress = true;
	wb_question(&B, OWNER, DNS_TYPE_SRV, DNS_CLASS_IN);
	wb_srv(&B, OWNER, 3600, 0, 1, 5060, "a.example.test");
	wb_srv(&B, OWNER, 3600, 0, 3, 5060, "b.example.test");
	wb_srv(&B, OWNER, 3600, 10, 0, 5060, ".");
	wb_section(&B, WB_NS);
	size_t at = wb_rr_begin(&B, "example.test", 2 /* NS */, DNS_CLASS_IN, 3600);
	wb_name(&B, "ns.example.test");
	wb_rr_end(&B, at);
	wb_section(&B, WB_AR);
	wb_a(&B, "a.example.test", 600, "192.0.2.1");
	wb_aaaa(&B, "a.example.test", 600, "2001:db8::1");
	wb_a(&B, "b.example.test", 600, "192.0.2.2");
	return wb_finish(&B);
}

/* Parses data[0..len) every way the engine does; asserts only internal
 * consistency (the point is that ASan/UBSan see every read). */
static size_t exercise(const uint8_t *data, size_t len)
{
	struct dns_msg msg;
	struct srv_record recs[16];
	char text[DNS_NAME_TEXT_SIZE];

	if (dns_msg_init(&msg, data, len) < 0)
		return 0;
	for (int s = 0; s < 3; s++)
		ck_assert_uint_le(msg.reachable[s], msg.count[s]);
	int parsed = parse_srv(&msg, recs, 16, NULL);
	size_t n = parsed > 0 ? (size_t)parsed : 0;
	for (size_t i = 0; i < n; i++) {
		struct srv_target t;
		uint32_t ttl = UINT32_MAX;
		ck_assert_uint_lt(recs[i].target_offset, len);
		if (!recs[i].root_target)
			ck_assert_int_eq(dns_name_to_text(data, len, recs[i].target_offset, text,
							  sizeof(text)), 0);
		memset(&t, 0, sizeof(t));
		srv_addresses_for(&msg, DNS_SECTION_ADDITIONAL, recs[i].target_offset, AF_UNSPEC,
				  &t, &ttl);
		ck_assert_uint_le(t.naddrs, SRV_MAX_ADDRS);
		dns_name_equal_text(data, len, recs[i].target_offset, "a.example.test");
	}
	return n;
}

START_TEST(test_every_prefix_of_a_message_is_parsed_within_bounds)
{
	size_t len = build_realistic();
	uint8_t *copy;
	size_t last = 0;

	ck_assert(!B.overflow);
	for (size_t cut = 0; cut <= len; cut++) {
		copy = malloc(cut > 0 ? cut : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, B.buf, cut);
		size_t n = exercise(copy, cut);
		ck_assert_uint_ge(n, last); /* more octets never lose a record */
		last = n;
		free(copy);
	}
	ck_assert_uint_eq(last, 3);
}
END_TEST

START_TEST(test_corrupted_octets_never_read_outside_the_message)
{
	size_t len = build_realistic();
	const uint8_t values[] = {0x00, 0x01, 0x3f, 0x40, 0x80, 0xc0, 0xc1, 0xff};
	uint8_t *copy = malloc(len);

	ck_assert_ptr_nonnull(copy);
	for (size_t pos = 0; pos < len; pos++)
		for (size_t v = 0; v < sizeof(values); v++) {
			memcpy(copy, B.buf, len);
			copy[pos] = values[v];
			exercise(copy, len);
		}
	free(copy);
}
END_TEST

/* ---- host names as the module accepts them ---------------------------- */

START_TEST(test_srv_name_valid_accepts_host_names_only)
{
	char n253[256], n254[320], l63[64], l64[65];

	ck_assert(srv_name_valid("example.test"));
	ck_assert(srv_name_valid("example.test."));
	ck_assert(srv_name_valid("_sip._udp.example.test"));
	ck_assert(srv_name_valid("a"));
	ck_assert(!srv_name_valid(""));
	ck_assert(!srv_name_valid("."));
	ck_assert(!srv_name_valid("a..b"));
	ck_assert(!srv_name_valid(".a"));
	ck_assert(!srv_name_valid("a.b.."));
	ck_assert(!srv_name_valid("a b.test"));
	ck_assert(!srv_name_valid("a*.test"));
	ck_assert(!srv_name_valid("\xc3\xa9.test"));
	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'a', 64);
	l64[64] = '\0';
	ck_assert(srv_name_valid(l63));
	ck_assert(!srv_name_valid(l64));
	/* 253 octets of text is the longest name: 63.63.63.61 */
	snprintf(n253, sizeof(n253), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	ck_assert_uint_eq(strlen(n253), 253);
	ck_assert(srv_name_valid(n253));
	snprintf(n254, sizeof(n254), "%s.", n253);
	ck_assert(srv_name_valid(n254)); /* trailing dot does not count */
	snprintf(n254, sizeof(n254), "b%s", n253);
	ck_assert(!srv_name_valid(n254));
}
END_TEST

START_TEST(test_srv_is_owner_name_wants_two_underscore_labels_and_a_domain)
{
	ck_assert(srv_is_owner_name("_sip._udp.example.test"));
	ck_assert(srv_is_owner_name("_sips._tcp.x"));
	ck_assert(!srv_is_owner_name("_sip._udp"));
	ck_assert(!srv_is_owner_name("_sip._udp."));
	ck_assert(!srv_is_owner_name("_sip.udp.example.test"));
	ck_assert(!srv_is_owner_name("sip._udp.example.test"));
	ck_assert(!srv_is_owner_name("example.test"));
	ck_assert(!srv_is_owner_name("_sip._udp..test"));
}
END_TEST

/* dnswire.h: dns_name_to_text refuses octets outside letters, digits, '-'
 * and '_': a wildcard label is never a host to connect to. */
START_TEST(test_name_to_text_refuses_a_wildcard_label)
{
	uint8_t buf[64];
	char text[DNS_NAME_TEXT_SIZE];
	size_t len = one_label_name(buf, "*", 1);

	ck_assert_int_eq(dns_name_to_text(buf, len, 12, text, sizeof(text)), -1);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("dnswire");
	TCase *tc = tcase_create("srv_parse_answer");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_two_srv_records_give_priority_weight_port_ttl_and_target);
	tcase_add_test(tc, test_compressed_owner_and_target_names_are_followed);
	tcase_add_test(tc, test_dot_target_is_parsed_with_root_target_set);
	tcase_add_test(tc, test_record_whose_rdlength_runs_past_the_end_is_unreachable);
	tcase_add_test(tc, test_srv_rdata_that_the_target_does_not_fill_exactly_makes_the_rrset_unusable);
	tcase_add_test(tc, test_srv_target_longer_than_its_rdata_makes_the_rrset_unusable);
	tcase_add_test(tc, test_records_of_other_types_classes_and_owners_are_skipped);
	tcase_add_test(tc, test_ancount_and_arcount_larger_than_the_message_are_clamped);
	tcase_add_test(tc, test_message_shorter_than_header_or_question_is_refused);
	tcase_add_test(tc, test_srv_record_with_a_300_octet_target_makes_the_rrset_unusable);
	tcase_add_test(tc, test_duplicate_srv_records_are_kept_once);
	tcase_add_test(tc, test_question_of_another_type_class_or_count_yields_no_records);
	tcase_add_test(tc, test_cname_chain_from_question_to_srv_owner_is_followed);
	tcase_add_test(tc, test_cname_after_more_than_max_records_is_still_followed);
	tcase_add_test(tc, test_cname_chain_is_followed_up_to_the_hop_limit_and_loops_end);
	tcase_add_test(tc, test_header_flags_give_rcode_and_response);
	suite_add_tcase(s, tc);

	tc = tcase_create("srv_addresses_for");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_additional_section_holding_the_target_gives_its_addresses);
	tcase_add_test(tc, test_additional_section_without_the_target_reports_false);
	tcase_add_test(tc, test_addresses_per_target_are_capped_at_srv_max_addrs);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_compression_pointer_loops_are_rejected);
	tcase_add_test(tc, test_forward_compression_pointer_is_rejected);
	tcase_add_test(tc, test_pointer_or_label_past_the_end_is_rejected);
	tcase_add_test(tc, test_extended_label_types_0x40_and_0x80_are_rejected);
	tcase_add_test(tc, test_name_of_255_octets_is_accepted_and_256_rejected);
	tcase_add_test(tc, test_pointer_to_an_already_validated_name_still_counts_its_length);
	tcase_add_test(tc, test_dns_name_equal_valid_agrees_with_the_text_forms);
	tcase_add_test(tc, test_host_octets_are_letters_digits_hyphen_and_underscore);
	tcase_add_test(tc, test_check_host_skips_validates_and_spots_the_root_in_one_walk);
	tcase_add_test(tc, test_name_to_text_refuses_octets_outside_the_host_name_alphabet);
	tcase_add_test(tc, test_name_to_text_needs_room_for_the_terminating_nul);
	tcase_add_test(tc, test_name_to_text_refuses_a_wildcard_label);
	tcase_add_test(tc, test_dns_name_equal_valid_ignores_ascii_case_only);
	tcase_add_test(tc, test_dns_name_equal_text_with_and_without_trailing_dot);
	tcase_add_test(tc, test_srv_name_valid_accepts_host_names_only);
	tcase_add_test(tc, test_srv_is_owner_name_wants_two_underscore_labels_and_a_domain);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_every_prefix_of_a_message_is_parsed_within_bounds);
	tcase_add_test(tc, test_corrupted_octets_never_read_outside_the_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1] = {wire_suite()};

	return test_run_suites(suites, 1);
}
