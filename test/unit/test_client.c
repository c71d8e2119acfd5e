/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's DNS client (src/dns_client.c) against a scripted network
 * (fake_net.c): every server behaviour res_send meets, timed on a fake
 * clock.  What res_send does in each case is docs/glibc-facts.md "res_send";
 * each test says which of its rules it proves the client follows. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns_client.h"
#include "dnswire.h"
#include "fake_net.h"
#include "test_common.h"

/* What a server does with a query. */
enum act {
	ANSWER,   /* NOERROR with one address */
	DROP,     /* nothing */
	ICMP,     /* port unreachable: an error on the connected socket */
	SERVFAIL,
	REFUSED,
	NOTIMP,
	FORMERR,
	LAME,     /* NOERROR, no answer, no AA, no RA, no additional */
	NXDOMAIN,
	NODATA,   /* NOERROR, no answer, RA set */
	TRUNCATE, /* TC set */
	RUNT,     /* 5 octets */
	WRONG_ID, /* then nothing else */
	FLOOD,    /* a wrong-ID reply every 3 ms for 3 s, never the answer */
};

struct script {
	enum act udp[DNS_CLIENT_MAX_SERVERS];
	enum act tcp[DNS_CLIENT_MAX_SERVERS];
	long long delay;          /* ms before a reply */
	unsigned received[DNS_CLIENT_MAX_SERVERS];
};

static void reply(struct fake_net *net, int fd, bool tcp, const uint8_t *q, size_t len,
		  unsigned rcode, unsigned answers, bool ra, bool tc, long long delay)
{
	uint8_t out[2 + 512];
	size_t n = fake_net_reply(q, len, rcode, answers, false, tc, out + 2, sizeof(out) - 2);
	if (ra)
		out[2 + 3] |= 0x80u;
	else
		out[2 + 3] &= 0x7fu;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	fake_net_deliver(net, fd, delay, tcp ? out : out + 2, tcp ? n + 2 : n);
}

static void respond(struct fake_net *net, int fd, unsigned server, bool tcp, const uint8_t *q,
		    size_t len, void *ctx)
{
	struct script *s = ctx;
	enum act a = tcp ? s->tcp[server] : s->udp[server];
	uint8_t junk[5] = {q[0], q[1], 0x81, 0x80, 0};

	s->received[server]++;
	switch (a) {
	case ANSWER: reply(net, fd, tcp, q, len, 0, 1, true, false, s->delay); break;
	case DROP: break;
	case ICMP: fake_net_deliver_error(net, fd, s->delay); break;
	case SERVFAIL: reply(net, fd, tcp, q, len, 2, 0, true, false, s->delay); break;
	case REFUSED: reply(net, fd, tcp, q, len, 5, 0, true, false, s->delay); break;
	case NOTIMP: reply(net, fd, tcp, q, len, 4, 0, true, false, s->delay); break;
	case FORMERR: reply(net, fd, tcp, q, len, 1, 0, true, false, s->delay); break;
	case LAME: reply(net, fd, tcp, q, len, 0, 0, false, false, s->delay); break;
	case NXDOMAIN: reply(net, fd, tcp, q, len, 3, 0, true, false, s->delay); break;
	case NODATA: reply(net, fd, tcp, q, len, 0, 0, true, false, s->delay); break;
	case TRUNCATE: reply(net, fd, tcp, q, len, 0, 0, true, true, s->delay); break;
	case RUNT: fake_net_deliver(net, fd, s->delay, junk, sizeof(junk)); break;
	case WRONG_ID: {
		uint8_t copy[DNS_QUERY_MAX];
		memcpy(copy, q, len);
		copy[0] ^= 0x55;
		reply(net, fd, tcp, copy, len, 0, 1, true, false, s->delay);
		break;
	}
	case FLOOD: {
		uint8_t copy[DNS_QUERY_MAX];
		memcpy(copy, q, len);
		copy[1] ^= 0x5a;
		for (long long t = 0; t < 1000; t++)
			reply(net, fd, tcp, copy, len, 0, 1, true, false, 3 * t);
		break;
	}
	}
}

/* ---- running a batch ------------------------------------------------ */

#define NQ 4

struct run {
	struct fake_net net;
	struct script script;
	struct dns_client_config cfg;
	struct dns_query q[NQ];
	uint8_t answers[NQ][1024];
	uint16_t ids[NQ];
	size_t n;
	int answered_by;
};

static struct run R;

/* nservers servers, `timeout` s, `attempts`; every server answers. */
static void setup_run(unsigned nservers, int timeout, int attempts)
{
	fake_net_free(&R.net);
	memset(&R, 0, sizeof(R));
	fake_net_init(&R.net, respond, &R.script);
	fake_net_config(&R.cfg, nservers, timeout, attempts);
}

static void add_query(const char *name, uint16_t type)
{
	struct dns_query *q = &R.q[R.n];
	*q = (struct dns_query){name, type, R.answers[R.n], sizeof(R.answers[0]), 0, DNS_ANSWER,
				false};
	R.ids[R.n] = (uint16_t)(0x1000 + R.n * 0x111);
	R.n++;
}

static long long run_batch(long long deadline)
{
	struct dns_net ops = fake_net_ops(&R.net);
	int saved = errno = 4242;
	R.answered_by = dns_client_run(&R.cfg, &ops, R.q, R.ids, R.n, deadline);
	ck_assert_int_eq(errno, saved);
	ck_assert_msg(R.net.opens == R.net.closes, "%u sockets opened, %u closed", R.net.opens,
		      R.net.closes);
	ck_assert(!R.net.bad_call);
	return R.net.now;
}

/* One A query of a.example.test, the usual start. */
static long long run_one(void)
{
	add_query("a.example.test", DNS_TYPE_A);
	return run_batch(-1);
}

static void teardown(void)
{
	fake_net_free(&R.net);
}

/* ---- the schedule ---------------------------------------------------- */

START_TEST(test_server_timeouts_follow_send_dg_retrans_shifted_by_the_server_index)
{
	struct dns_client_config cfg;
	fake_net_config(&cfg, 3, 5, 2);
	/* 5 << 0; (5 << 1) / 3; (5 << 2) / 3: 5, 3, 6 s; 28 s for two rounds */
	ck_assert_int_eq(dns_server_timeout(&cfg, 0), 5);
	ck_assert_int_eq(dns_server_timeout(&cfg, 1), 3);
	ck_assert_int_eq(dns_server_timeout(&cfg, 2), 6);
	ck_assert_int_eq(dns_schedule_ms(&cfg), 28000);
	fake_net_config(&cfg, 1, 0, 1);
	ck_assert_int_eq(dns_server_timeout(&cfg, 0), 1); /* at least one second */
	fake_net_config(&cfg, 2, 5, 0);
	ck_assert_int_eq(dns_schedule_ms(&cfg), 0);
}
END_TEST

START_TEST(test_silent_servers_cost_exactly_the_res_send_schedule)
{
	/* glibc, measured: timeout:2 attempts:2 with 3 dead servers sends at
	 * t = 0, 2, 3, 5, 7, 8 and gives up at 10 s */
	setup_run(3, 2, 2);
	R.script.udp[0] = R.script.udp[1] = R.script.udp[2] = DROP;
	long long took = run_one();
	ck_assert_int_eq(took, 10000);
	ck_assert_uint_eq(R.net.nsent, 6);
	const long long at[6] = {0, 2000, 3000, 5000, 7000, 8000};
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(R.net.sent[i].at, at[i]);
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
	ck_assert_int_eq(R.answered_by, -1);
}
END_TEST

START_TEST(test_an_icmp_error_moves_to_the_next_server_at_once)
{
	/* the case: the first nameserver refuses (nothing listens) */
	setup_run(2, 5, 2);
	R.script.udp[0] = ICMP;
	R.script.delay = 1;
	long long took = run_one();
	ck_assert_int_lt(took, 10);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.answered_by, 1);
	ck_assert_uint_eq(R.script.received[0], 1);
	ck_assert_uint_eq(R.script.received[1], 1);
}
END_TEST

START_TEST(test_a_server_that_cannot_be_opened_is_skipped)
{
	setup_run(2, 5, 1);
	R.net.refuse_open[0] = true;
	ck_assert_int_lt(run_one(), 10);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
}
END_TEST

START_TEST(test_the_first_server_given_is_asked_first)
{
	setup_run(3, 5, 1);
	R.cfg.first = 2;
	run_one();
	ck_assert_uint_eq(R.net.sent[0].server, 2);
	ck_assert_int_eq(R.answered_by, 2);
	ck_assert_uint_eq(R.script.received[0], 0);
}
END_TEST

START_TEST(test_the_deadline_caps_the_schedule)
{
	setup_run(3, 5, 2);
	R.script.udp[0] = R.script.udp[1] = R.script.udp[2] = DROP;
	add_query("a.example.test", DNS_TYPE_A);
	ck_assert_int_eq(run_batch(1500), 1500);
	ck_assert_uint_eq(R.net.nsent, 1);
	/* a deadline already passed: nothing is sent */
	setup_run(1, 5, 2);
	R.net.now = 2000;
	add_query("a.example.test", DNS_TYPE_A);
	run_batch(1000);
	ck_assert_uint_eq(R.net.nsent, 0);
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
}
END_TEST

/* ---- which replies count ---------------------------------------------- */

START_TEST(test_replies_with_another_id_are_ignored_and_the_wait_goes_on)
{
	setup_run(2, 2, 1);
	R.script.udp[0] = WRONG_ID;
	long long took = run_one();
	/* server 0's whole turn waited, then server 1 answered */
	ck_assert_int_eq(took, 2000);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.answered_by, 1);
}
END_TEST

START_TEST(test_a_flood_of_wrong_replies_ends_at_the_deadline)
{
	setup_run(1, 3, 1);
	R.script.udp[0] = FLOOD;
	long long took = run_one();
	ck_assert_int_eq(took, 3000);
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
}
END_TEST

START_TEST(test_servfail_notimp_refused_and_lame_replies_move_to_the_next_server)
{
	const enum act acts[] = {SERVFAIL, NOTIMP, REFUSED, LAME};
	for (size_t i = 0; i < 4; i++) {
		setup_run(2, 5, 1);
		R.script.udp[0] = acts[i];
		ck_assert_int_lt(run_one(), 10);
		ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
		ck_assert_int_eq(R.answered_by, 1);
	}
	/* from every server: a temporary failure, quickly */
	setup_run(2, 5, 2);
	R.script.udp[0] = R.script.udp[1] = SERVFAIL;
	ck_assert_int_lt(run_one(), 10);
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
	ck_assert_uint_eq(R.net.nsent, 4);
}
END_TEST

START_TEST(test_formerr_nxdomain_and_nodata_are_final)
{
	const struct { enum act act; enum dns_outcome outcome; } cases[] = {
		{FORMERR, DNS_TEMPFAIL}, {NXDOMAIN, DNS_NXDOMAIN}, {NODATA, DNS_NODATA}};
	for (size_t i = 0; i < 3; i++) {
		setup_run(2, 5, 2);
		R.script.udp[0] = cases[i].act;
		run_one();
		ck_assert_int_eq(R.q[0].outcome, cases[i].outcome);
		ck_assert_uint_eq(R.script.received[1], 0); /* no other server asked */
		ck_assert_int_gt(R.q[0].length, DNS_HEADER_SIZE);
	}
}
END_TEST

START_TEST(test_a_runt_reply_gives_the_server_up)
{
	setup_run(2, 5, 1);
	R.script.udp[0] = RUNT;
	ck_assert_int_lt(run_one(), 10);
	ck_assert_int_eq(R.answered_by, 1);
}
END_TEST

/* ---- TCP ---------------------------------------------------------------- */

START_TEST(test_a_truncated_reply_is_asked_again_over_tcp_of_the_same_server)
{
	setup_run(2, 5, 1);
	R.script.udp[0] = TRUNCATE;
	run_one();
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.answered_by, 0);
	ck_assert_uint_eq(R.net.nsent, 2);
	ck_assert(!R.net.sent[0].tcp);
	ck_assert(R.net.sent[1].tcp);
	ck_assert_uint_eq(R.net.sent[1].server, 0);
	/* the same query, the same ID (res_send resends its packet) */
	ck_assert_uint_eq(dns_get16(R.net.sent[1].query), R.ids[0]);
}
END_TEST

static uint16_t query_type(const uint8_t *q, size_t len)
{
	size_t end = 0;

	ck_assert_int_eq(dns_name_skip(q, len, DNS_HEADER_SIZE, &end), 0);
	return dns_get16(q + end);
}

/* Server 0 truncates the A query over UDP and answers it over TCP, and
 * sends a runt datagram for the AAAA query 4 ms after the TC; server 1
 * answers everything. */
static void respond_tc_and_runt(struct fake_net *net, int fd, unsigned server, bool tcp,
				const uint8_t *q, size_t len, void *ctx)
{
	uint8_t runt[5] = {q[0], q[1], 0x81, 0x80, 0};

	(void)ctx;
	if (server == 0 && !tcp && query_type(q, len) == DNS_TYPE_AAAA)
		fake_net_deliver(net, fd, 5, runt, sizeof(runt));
	else
		reply(net, fd, tcp, q, len, 0, 1, true, server == 0 && !tcp, 1);
}

START_TEST(test_a_truncated_reply_takes_every_awaited_query_to_tcp_at_once)
{
	/* send_dg returns at the TC; send_vc writes both queries on one
	 * connection to the same server: the AAAA query still awaited over UDP
	 * goes with the truncated A query, and nothing waits for the UDP turn. */
	setup_run(2, 5, 1);
	fake_net_free(&R.net);
	fake_net_init(&R.net, respond_tc_and_runt, NULL);
	add_query("a.example.test", DNS_TYPE_A);
	add_query("a.example.test", DNS_TYPE_AAAA);
	ck_assert_int_lt(run_batch(-1), 100);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.q[1].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.answered_by, 0);
}
END_TEST

/* Over UDP the A query is truncated and the AAAA query lost; over TCP
 * both are answered. */
static void respond_tc_and_loss(struct fake_net *net, int fd, unsigned server, bool tcp,
				const uint8_t *q, size_t len, void *ctx)
{
	(void)server, (void)ctx;
	if (tcp || query_type(q, len) == DNS_TYPE_A)
		reply(net, fd, tcp, q, len, 0, tcp ? 1 : 0, true, !tcp, 1);
}

START_TEST(test_a_query_lost_over_udp_is_answered_over_tcp_after_the_other_s_truncation)
{
	/* One server, timeout:5 attempts:2.  Before: the UDP turn waited for
	 * the lost AAAA reply until its deadline, and no TCP query was ever
	 * sent (10,000 ms, both TEMPFAIL). */
	setup_run(1, 5, 2);
	fake_net_free(&R.net);
	fake_net_init(&R.net, respond_tc_and_loss, NULL);
	add_query("a.example.test", DNS_TYPE_A);
	add_query("a.example.test", DNS_TYPE_AAAA);
	ck_assert_int_lt(run_batch(-1), 100);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.q[1].outcome, DNS_ANSWER);
}
END_TEST

/* Server 0 truncates over UDP and sends a 5-octet frame over TCP (the
 * connection left open); server 1 answers everything. */
static void respond_tcp_runt(struct fake_net *net, int fd, unsigned server, bool tcp,
			     const uint8_t *q, size_t len, void *ctx)
{
	uint8_t runt[2 + 5] = {0, 5, q[0], q[1], 0x81, 0x80, 0};

	(void)ctx;
	if (server == 0 && tcp)
		fake_net_deliver(net, fd, 1, runt, sizeof(runt));
	else
		reply(net, fd, tcp, q, len, 0, 1, true, server == 0, 1);
}

START_TEST(test_a_runt_tcp_frame_gives_the_server_up_at_once)
{
	/* send_vc: a frame shorter than a header is EMSGSIZE, the next server
	 * at once (before: the TCP turn waited out its 5 s). */
	setup_run(2, 5, 1);
	fake_net_free(&R.net);
	fake_net_init(&R.net, respond_tcp_runt, NULL);
	ck_assert_int_lt(run_one(), 100);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.answered_by, 1);
}
END_TEST

/* Server 0: over UDP the A query is truncated and the AAAA query lost, and
 * its TCP port refuses connections; server 1 answers everything. */
static void respond_tc_loss_no_tcp(struct fake_net *net, int fd, unsigned server, bool tcp,
				   const uint8_t *q, size_t len, void *ctx)
{
	(void)ctx;
	if (server == 0 && !tcp && query_type(q, len) == DNS_TYPE_AAAA)
		return;
	reply(net, fd, tcp, q, len, 0, 1, true, server == 0 && !tcp, 1);
}

START_TEST(test_after_a_truncation_the_next_servers_are_asked_over_tcp_only)
{
	/* res_send keeps v_circuit once a reply was truncated: server 1 gets
	 * both queries over TCP, each once (before: the AAAA query went out
	 * over UDP, its reply unread, then again over TCP). */
	setup_run(2, 5, 1);
	fake_net_free(&R.net);
	fake_net_init(&R.net, respond_tc_loss_no_tcp, NULL);
	R.net.refuse_tcp[0] = true;
	add_query("a.example.test", DNS_TYPE_A);
	add_query("a.example.test", DNS_TYPE_AAAA);
	run_batch(-1);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.q[1].outcome, DNS_ANSWER);
	unsigned udp = 0, tcp = 0;
	for (unsigned i = 0; i < R.net.nsent; i++)
		if (R.net.sent[i].server == 1)
			R.net.sent[i].tcp ? tcp++ : udp++;
	ck_assert_msg(udp == 0 && tcp == 2, "server 1: %u queries over UDP, %u over TCP", udp,
		      tcp);
	/* Nor is a UDP socket opened for it: server 0's UDP and TCP sockets,
	 * server 1's TCP socket. */
	ck_assert_uint_eq(R.net.opens, 3);
}
END_TEST

static unsigned resets_left;

static ssize_t recv_reset_once(void *ctx, int fd, void *buf, size_t len, bool datagram)
{
	struct fake_net *net = ctx;

	if (!datagram && resets_left > 0) {
		resets_left--;
		errno = ECONNRESET;
		return -1;
	}
	struct dns_net ops = fake_net_ops(net);
	return ops.recv(ctx, fd, buf, len, datagram);
}

START_TEST(test_a_tcp_reset_is_met_once_with_a_new_connection_to_the_same_server)
{
	/* send_vc: ECONNRESET while the reply is awaited: close, connect
	 * again, once (connreset).  One server, attempts:1: before, the query
	 * failed. */
	setup_run(1, 5, 1);
	R.script.udp[0] = TRUNCATE;
	R.script.tcp[0] = ANSWER;
	add_query("a.example.test", DNS_TYPE_A);
	resets_left = 1;
	struct dns_net ops = fake_net_ops(&R.net);
	ops.recv = recv_reset_once;
	dns_client_run(&R.cfg, &ops, R.q, R.ids, R.n, -1);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_uint_eq(R.script.received[0], 3); /* UDP, TCP reset, TCP again */
	ck_assert_uint_eq(R.net.opens, R.net.closes);

	/* A second reset in the same turn is the server's failure. */
	setup_run(1, 5, 1);
	R.script.udp[0] = TRUNCATE;
	R.script.tcp[0] = ANSWER;
	add_query("a.example.test", DNS_TYPE_A);
	resets_left = 2;
	ops = fake_net_ops(&R.net);
	ops.recv = recv_reset_once;
	dns_client_run(&R.cfg, &ops, R.q, R.ids, R.n, -1);
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
	ck_assert_uint_eq(R.script.received[0], 3);
}
END_TEST

/* The answer, and in the same wakeup a datagram under another ID with
 * another answer to the same question (NXDOMAIN): a late duplicate, a
 * stray, or a spoof that did not guess the ID. */
static void respond_answer_then_stray(struct fake_net *net, int fd, unsigned server, bool tcp,
				      const uint8_t *q, size_t len, void *ctx)
{
	uint8_t copy[DNS_QUERY_MAX];

	(void)server, (void)ctx;
	reply(net, fd, tcp, q, len, 0, 1, true, false, 1);
	memcpy(copy, q, len);
	copy[0] ^= 0x5a;
	reply(net, fd, tcp, copy, len, 3, 0, true, false, 1);
}

START_TEST(test_a_datagram_after_the_final_reply_does_not_overwrite_it)
{
	/* A single query is read in place into its own buffer (the SRV
	 * query's 64 KiB): what stays there is the reply accepted, with its
	 * ID, not the datagram read after it. */
	static uint8_t big[65536];

	setup_run(1, 5, 1);
	fake_net_free(&R.net);
	fake_net_init(&R.net, respond_answer_then_stray, NULL);
	add_query("a.example.test", DNS_TYPE_A);
	R.q[0].answer = big;
	R.q[0].size = sizeof(big);
	run_batch(-1);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_uint_eq(dns_get16(big), R.ids[0]);
	ck_assert_uint_eq(big[3] & 0x0fu, DNS_RCODE_NOERROR);
	ck_assert_uint_eq(dns_get16(big + 6), 1);
}
END_TEST

/* A reply of `size` octets (its answer padded with records) over TCP. */
static void big_tcp_reply(struct fake_net *net, int fd, const uint8_t *q, size_t len,
			  unsigned answers)
{
	uint8_t out[2 + 8192];
	size_t n = fake_net_reply(q, len, 0, answers, true, false, out + 2, sizeof(out) - 2);
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	fake_net_deliver(net, fd, 0, out, n + 2);
}

static void respond_big(struct fake_net *net, int fd, unsigned server, bool tcp,
			const uint8_t *q, size_t len, void *ctx)
{
	(void)server, (void)ctx;
	if (!tcp) {
		uint8_t out[512];
		fake_net_deliver(net, fd, 0, out, fake_net_reply(q, len, 0, 0, true, true, out, 512));
		return;
	}
	big_tcp_reply(net, fd, q, len, 400); /* 400 A records: 6,4xx octets */
}

START_TEST(test_a_long_tcp_reply_is_read_whole_for_one_query_and_cut_for_a_batch)
{
	static uint8_t large[8192];
	for (int batch = 0; batch < 2; batch++) {
		setup_run(1, 5, 1);
		R.net.respond = respond_big;
		add_query("a.example.test", DNS_TYPE_A);
		if (batch)
			add_query("b.example.test", DNS_TYPE_A);
		else
			R.q[0].answer = large, R.q[0].size = sizeof(large);
		run_batch(-1);
		ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
		ck_assert_uint_eq(R.q[0].length, 12 + 20 + 400 * 16);
		ck_assert_uint_eq(dns_get16(R.q[0].answer + 6), 400); /* ANCOUNT */
		if (batch) /* kept: the query's 1024 octets of the 4096 read */
			ck_assert_uint_gt(R.q[0].length, R.q[0].size);
	}
}
END_TEST

START_TEST(test_a_refused_tcp_connection_moves_to_the_next_server_over_tcp)
{
	setup_run(2, 5, 1);
	R.script.udp[0] = TRUNCATE;
	R.net.refuse_tcp[0] = true;
	run_one();
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
	ck_assert_int_eq(R.answered_by, 1);
	/* once truncated, the query goes over TCP to the next server too */
	ck_assert(R.net.sent[R.net.nsent - 1].tcp);
	ck_assert_uint_eq(R.script.received[1], 1);
}
END_TEST

START_TEST(test_use_vc_sends_every_query_on_one_tcp_connection_and_takes_any_rcode)
{
	setup_run(2, 5, 1);
	R.cfg.use_vc = true;
	add_query("a.example.test", DNS_TYPE_A);
	add_query("a.example.test", DNS_TYPE_AAAA);
	add_query("b.example.test", DNS_TYPE_A);
	run_batch(-1);
	ck_assert_uint_eq(R.net.nsent, 3);
	ck_assert_uint_eq(R.net.opens, 1);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert(R.net.sent[i].tcp);
		ck_assert_int_eq(R.q[i].outcome, DNS_ANSWER);
	}
	/* send_vc checks no RCODE: SERVFAIL over TCP is final */
	setup_run(2, 5, 1);
	R.cfg.use_vc = true;
	R.script.tcp[0] = SERVFAIL;
	run_one();
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
	ck_assert_uint_eq(R.script.received[1], 0);
}
END_TEST

START_TEST(test_a_silent_tcp_server_costs_no_more_than_its_turn)
{
	/* send_vc has no timeout at all; the client bounds it */
	setup_run(1, 2, 1);
	R.cfg.use_vc = true;
	R.script.tcp[0] = DROP;
	ck_assert_int_eq(run_one(), 2000);
	ck_assert_int_eq(R.q[0].outcome, DNS_TEMPFAIL);
}
END_TEST

/* ---- options ------------------------------------------------------------ */

static bool has_opt(const struct fake_sent *s, uint16_t *payload)
{
	struct dns_msg msg;
	struct dns_rr_iter it;
	struct dns_rr rr;
	if (dns_msg_init(&msg, s->query, s->len) < 0)
		return false;
	dns_rr_iter_init(&it, &msg, DNS_SECTION_ADDITIONAL);
	while (dns_rr_iter_next(&it, &rr))
		if (rr.type == 41) {
			*payload = rr.rclass;
			return rr.ttl == 0 && rr.rdlength == 0 && s->query[rr.owner_offset] == 0;
		}
	return false;
}

START_TEST(test_edns0_adds_an_opt_record_of_1200_octets_and_trust_ad_the_ad_bit)
{
	uint16_t payload = 0;
	setup_run(1, 5, 1);
	run_one();
	ck_assert(!has_opt(&R.net.sent[0], &payload));
	ck_assert_uint_eq(R.net.sent[0].query[3] & 0x20u, 0);
	ck_assert_uint_eq(R.net.sent[0].query[2] & 0x01u, 1); /* RD */
	setup_run(1, 5, 1);
	R.cfg.edns0 = true;
	R.cfg.trust_ad = true;
	run_one();
	ck_assert(has_opt(&R.net.sent[0], &payload));
	ck_assert_uint_eq(payload, 1200);
	ck_assert_uint_eq(dns_get16(R.net.sent[0].query + 10), 1); /* ARCOUNT */
	ck_assert_uint_eq(R.net.sent[0].query[3] & 0x20u, 0x20u);
	ck_assert_int_eq(R.q[0].outcome, DNS_ANSWER);
}
END_TEST

START_TEST(test_parallel_queries_go_out_together_on_one_socket)
{
	setup_run(1, 5, 1);
	R.script.delay = 20;
	add_query("a.example.test", DNS_TYPE_A);
	add_query("a.example.test", DNS_TYPE_AAAA);
	add_query("b.example.test", DNS_TYPE_A);
	ck_assert_int_eq(run_batch(-1), 20); /* one round trip for all */
	ck_assert_uint_eq(R.net.opens, 1);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(R.net.sent[i].at, 0);
		ck_assert_int_eq(R.q[i].outcome, DNS_ANSWER);
	}
}
END_TEST

START_TEST(test_single_request_sends_each_query_after_the_previous_reply)
{
	for (int reopen = 0; reopen < 2; reopen++) {
		setup_run(1, 5, 1);
		R.cfg.single_request = true;
		R.cfg.reopen = reopen;
		R.script.delay = 20;
		add_query("a.example.test", DNS_TYPE_A);
		add_query("a.example.test", DNS_TYPE_AAAA);
		add_query("b.example.test", DNS_TYPE_A);
		ck_assert_int_eq(run_batch(-1), 60);
		for (unsigned i = 0; i < 3; i++) {
			ck_assert_int_eq(R.net.sent[i].at, 20 * (long long)i);
			ck_assert_int_eq(R.q[i].outcome, DNS_ANSWER);
		}
		/* single-request-reopen: a new socket for each query after the
		 * first; single-request: one socket */
		ck_assert_uint_eq(R.net.opens, reopen ? 3 : 1);
	}
}
END_TEST

START_TEST(test_a_query_that_cannot_be_written_is_nxdomain_without_sending)
{
	setup_run(1, 5, 1);
	add_query("a..example.test", DNS_TYPE_A);
	run_batch(-1);
	ck_assert_int_eq(R.q[0].outcome, DNS_NXDOMAIN);
	ck_assert_uint_eq(R.net.nsent, 0);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("schedule");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_server_timeouts_follow_send_dg_retrans_shifted_by_the_server_index);
	tcase_add_test(tc, test_silent_servers_cost_exactly_the_res_send_schedule);
	tcase_add_test(tc, test_an_icmp_error_moves_to_the_next_server_at_once);
	tcase_add_test(tc, test_a_server_that_cannot_be_opened_is_skipped);
	tcase_add_test(tc, test_the_first_server_given_is_asked_first);
	tcase_add_test(tc, test_the_deadline_caps_the_schedule);
	suite_add_tcase(s, tc);

	tc = tcase_create("replies");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_replies_with_another_id_are_ignored_and_the_wait_goes_on);
	tcase_add_test(tc, test_a_flood_of_wrong_replies_ends_at_the_deadline);
	tcase_add_test(tc, test_servfail_notimp_refused_and_lame_replies_move_to_the_next_server);
	tcase_add_test(tc, test_formerr_nxdomain_and_nodata_are_final);
	tcase_add_test(tc, test_a_runt_reply_gives_the_server_up);
	tcase_add_test(tc, test_a_datagram_after_the_final_reply_does_not_overwrite_it);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_a_truncated_reply_is_asked_again_over_tcp_of_the_same_server);
	tcase_add_test(tc, test_a_truncated_reply_takes_every_awaited_query_to_tcp_at_once);
	tcase_add_test(tc, test_a_query_lost_over_udp_is_answered_over_tcp_after_the_other_s_truncation);
	tcase_add_test(tc, test_a_runt_tcp_frame_gives_the_server_up_at_once);
	tcase_add_test(tc, test_a_tcp_reset_is_met_once_with_a_new_connection_to_the_same_server);
	tcase_add_test(tc, test_after_a_truncation_the_next_servers_are_asked_over_tcp_only);
	tcase_add_test(tc, test_a_refused_tcp_connection_moves_to_the_next_server_over_tcp);
	tcase_add_test(tc, test_a_long_tcp_reply_is_read_whole_for_one_query_and_cut_for_a_batch);
	tcase_add_test(tc, test_use_vc_sends_every_query_on_one_tcp_connection_and_takes_any_rcode);
	tcase_add_test(tc, test_a_silent_tcp_server_costs_no_more_than_its_turn);
	suite_add_tcase(s, tc);

	tc = tcase_create("options");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_edns0_adds_an_opt_record_of_1200_octets_and_trust_ad_the_ad_bit);
	tcase_add_test(tc, test_parallel_queries_go_out_together_on_one_socket);
	tcase_add_test(tc, test_single_request_sends_each_query_after_the_previous_reply);
	tcase_add_test(tc, test_a_query_that_cannot_be_written_is_nxdomain_without_sending);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1] = {client_suite()};
	return test_run_suites(suites, 1);
}
