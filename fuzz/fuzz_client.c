/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: the module's DNS client (src/dns_client.c) against a
 * network the input scripts (test/unit/fake_net.c: fake sockets, a fake
 * clock, no system call).
 *
 * Input: two octets of configuration, then the script.
 *   octet 0: bit 0 use-vc, 1 single-request, 2 single-request-reopen,
 *            3 edns0, 4 trust-ad, 5-6 servers - 1 (1..3), 7 a deadline
 *   octet 1: bits 0-2 queries - 1 (1..8), 3-4 timeout (1..4 s),
 *            5 attempts - 1 (1..2), 6-7 the deadline's quarter of the schedule
 *   then, for each query a server receives (UDP datagram or TCP frame),
 *   one action octet (low nibble: what, high nibble: delay in 50 ms steps)
 *   and its operands; when the script ends, servers stay silent:
 *     0 answer   1 silence   2 ICMP error   3 SERVFAIL   4 REFUSED
 *     5 lame     6 NXDOMAIN  7 truncated    8 another ID  9 another name
 *     10 raw: a 2-octet length L, then L octets, sent as they are
 *     11 flood: one octet N, N % 32 replies with other IDs
 *     12 the reply cut: one octet, its length kept
 *     13 end of stream (TCP) / nothing (UDP)   14 two answers   15 FORMERR
 *
 * Invariants (abort() names the one that failed): every socket is closed;
 * no call on a closed socket; the fake clock never passes the schedule or
 * the deadline; each query ends with an outcome; a reply kept for a query
 * is a response with the query's ID and question; the server reported is
 * one of the config's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_client.h"
#include "dnswire.h"
#include "fake_net.h"
#include "fuzz_check.h"

struct script {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

static int next_octet(struct script *s)
{
	return s->pos < s->len ? s->data[s->pos++] : -1;
}

/* A reply to q (TCP: framed) sent `delay` ms from now. */
static void send_reply(struct fake_net *net, int fd, bool tcp, const uint8_t *q, size_t len,
		       unsigned rcode, unsigned answers, bool tc, long long delay, size_t cut)
{
	uint8_t out[2 + 1024];
	size_t n = fake_net_reply(q, len, rcode, answers, true, tc, out + 2, sizeof(out) - 2);
	if (n == 0)
		return;
	if (cut < n)
		n = cut;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	fake_net_deliver(net, fd, delay, tcp ? out : out + 2, tcp ? n + 2 : n);
}

static void raw(struct fake_net *net, struct script *s, int fd, long long delay)
{
	int hi = next_octet(s);
	int lo = next_octet(s);
	if (hi < 0 || lo < 0)
		return;
	size_t want = ((size_t)hi << 8 | (size_t)lo) % 2048;
	size_t have = s->len - s->pos < want ? s->len - s->pos : want;
	fake_net_deliver(net, fd, delay, s->data + s->pos, have);
	s->pos += have;
}

static void respond(struct fake_net *net, int fd, unsigned server, bool tcp, const uint8_t *q,
		    size_t len, void *ctx)
{
	struct script *s = ctx;
	uint8_t copy[DNS_QUERY_MAX];
	int a = next_octet(s);

	(void)server;
	if (a < 0 || len > sizeof(copy))
		return;
	long long delay = 50LL * (a >> 4);
	memcpy(copy, q, len);
	switch (a & 0x0f) {
	case 0: send_reply(net, fd, tcp, q, len, 0, 1, false, delay, SIZE_MAX); break;
	case 1: break;
	case 2: fake_net_deliver_error(net, fd, delay); break;
	case 3: send_reply(net, fd, tcp, q, len, 2, 0, false, delay, SIZE_MAX); break;
	case 4: send_reply(net, fd, tcp, q, len, 5, 0, false, delay, SIZE_MAX); break;
	case 5: send_reply(net, fd, tcp, q, len, 0, 0, false, delay, SIZE_MAX); break;
	case 6: send_reply(net, fd, tcp, q, len, 3, 0, false, delay, SIZE_MAX); break;
	case 7: send_reply(net, fd, tcp, q, len, 0, 0, true, delay, SIZE_MAX); break;
	case 8: copy[0] ^= 0x5a;
		send_reply(net, fd, tcp, copy, len, 0, 1, false, delay, SIZE_MAX); break;
	case 9: if (len > DNS_HEADER_SIZE + 1)
			copy[DNS_HEADER_SIZE + 1] ^= 0x01;
		send_reply(net, fd, tcp, copy, len, 0, 1, false, delay, SIZE_MAX); break;
	case 10: raw(net, s, fd, delay); break;
	case 11: {
		int n = next_octet(s) % 32; /* each costs the fake a scan */
		copy[1] ^= 0xa5;
		for (int i = 0; i < n; i++)
			send_reply(net, fd, tcp, copy, len, 0, 1, false, delay + i, SIZE_MAX);
		break;
	}
	case 12: {
		int cut = next_octet(s);
		send_reply(net, fd, tcp, q, len, 0, 1, false, delay, cut < 0 ? 0 : (size_t)cut);
		break;
	}
	case 13: if (tcp) fake_net_deliver_eof(net, fd, delay); break;
	case 14: send_reply(net, fd, tcp, q, len, 0, 2, false, delay, SIZE_MAX); break;
	case 15: send_reply(net, fd, tcp, q, len, 1, 0, false, delay, SIZE_MAX); break;
	}
}

/* The reply kept for query i is a response to it. */
static void check_kept(const struct dns_query *q, uint16_t id)
{
	struct dns_msg msg;
	size_t end;
	size_t kept = q->length < q->size ? q->length : q->size;

	check(q->outcome == DNS_ANSWER || q->outcome == DNS_NODATA || q->outcome == DNS_NXDOMAIN ||
	      q->outcome == DNS_TEMPFAIL);
	if (q->length == 0)
		return;
	check(kept >= DNS_HEADER_SIZE);
	check(dns_get16(q->answer) == id);
	check(dns_msg_init(&msg, q->answer, kept) == 0 && dns_msg_is_response(&msg));
	check(msg.qdcount == 1 && dns_name_equal_text(q->answer, kept, msg.question_offset, q->name));
	check(dns_name_skip(q->answer, kept, msg.question_offset, &end) == 0);
	check(dns_get16(q->answer + end) == q->type);
}

static const char *const names[8] = {"a.example.test", "b.example.test", "a.example.test",
				     "c.d.example.test", "x.test", "a.example.test",
				     "_sip._udp.example.test", "z.example.test"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_net net;
	static uint8_t answers[8][512];
	static uint8_t large[8192]; /* a single query's: read in place */
	struct dns_client_config cfg;
	struct dns_query queries[8];
	uint16_t ids[8];

	if (size < 2)
		return 0;
	struct script s = {data, size, 2};
	fake_net_init(&net, respond, &s);
	fake_net_config(&cfg, 1 + ((data[0] >> 5) & 3u) % 3, 1 + ((data[1] >> 3) & 3),
			1 + ((data[1] >> 5) & 1));
	cfg.use_vc = data[0] & 1u;
	cfg.single_request = (data[0] >> 1) & 1u;
	cfg.reopen = (data[0] >> 2) & 1u;
	cfg.single_request |= cfg.reopen;
	cfg.edns0 = (data[0] >> 3) & 1u;
	cfg.trust_ad = (data[0] >> 4) & 1u;
	size_t n = 1 + (data[1] & 7u);
	for (size_t i = 0; i < n; i++) {
		queries[i] = (struct dns_query){names[i], i % 2 ? DNS_TYPE_AAAA : DNS_TYPE_A,
						answers[i], sizeof(answers[i]), 0, DNS_ANSWER, false};
		ids[i] = (uint16_t)(0x1234 + 0x0101 * i);
	}
	if (n == 1 && (data[1] & 0x80u)) {
		queries[0].answer = large;
		queries[0].size = sizeof(large);
	}
	long long schedule = dns_schedule_ms(&cfg);
	long long deadline = (data[0] & 0x80u) ? schedule * (1 + (data[1] >> 6)) / 4 : -1;
	struct dns_net ops = fake_net_ops(&net);
	int by = dns_client_run(&cfg, &ops, queries, ids, n, deadline);

	check(net.opens == net.closes);
	check(!net.bad_call);
	check(net.now <= schedule);
	check(deadline < 0 || net.now <= deadline);
	check(by >= -1 && by < (int)cfg.nservers);
	for (size_t i = 0; i < n; i++)
		check_kept(&queries[i], ids[i]);
	fake_net_free(&net);
	return 0;
}
