/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A scripted network for the DNS client (src/dns_client.h struct dns_net):
 * fake sockets, a fake clock that poll() advances, and a responder that
 * decides what each server does with each query it receives.  Used by
 * test/unit/test_client.c and fuzz/fuzz_client.c; no system call at all.
 *
 * Server i of the client's config is 127.0.0.(i + 1) (fake_net_config).  A
 * query reaches the responder when the client sends it (UDP) or when its
 * TCP frame is complete; the responder answers with fake_net_deliver*() at
 * some later time, or not at all. */
#ifndef SRVSIP_TEST_FAKE_NET_H
#define SRVSIP_TEST_FAKE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_client.h"

#define FAKE_NET_MAX_SOCKS 64
#define FAKE_NET_MAX_EVENTS 1024
#define FAKE_NET_MAX_SENT 256
#define FAKE_NET_FD_BASE 100

struct fake_net;

/* Called for each query a server receives: `fd` is the client's socket. */
typedef void (*fake_responder)(struct fake_net *net, int fd, unsigned server, bool tcp,
			       const uint8_t *query, size_t len, void *ctx);

struct fake_sent {
	long long at;       /* fake clock */
	unsigned server;
	bool tcp;
	int fd;
	size_t len;
	uint8_t query[DNS_QUERY_MAX];
};

struct fake_net {
	long long now;                      /* ms */
	fake_responder respond;
	void *ctx;
	bool refuse_open[DNS_CLIENT_MAX_SERVERS]; /* open() fails */
	bool refuse_tcp[DNS_CLIENT_MAX_SERVERS];  /* TCP connection refused */
	unsigned opens, closes, polls;
	unsigned nsent;
	struct fake_sent sent[FAKE_NET_MAX_SENT];
	bool bad_call;                      /* a call on a closed or unknown fd */
	/* internal */
	struct {
		bool open;
		bool tcp;
		unsigned server;
		uint8_t inbuf[2 + DNS_QUERY_MAX]; /* TCP: the frame being sent */
		size_t inlen;
	} socks[FAKE_NET_MAX_SOCKS];
	struct fake_event {
		long long at;
		int fd;
		int kind;                   /* 0 data, 1 ICMP error, 2 EOF */
		size_t len, taken;
		uint8_t *data;
	} events[FAKE_NET_MAX_EVENTS];
	unsigned nevents;
};

/* An empty network at time 0 with this responder. */
void fake_net_init(struct fake_net *net, fake_responder respond, void *ctx);
void fake_net_free(struct fake_net *net);
/* The dns_net that drives it. */
struct dns_net fake_net_ops(struct fake_net *net);
/* A client config with n servers 127.0.0.1 .. 127.0.0.n. */
void fake_net_config(struct dns_client_config *cfg, unsigned n, int timeout, int attempts);

/* What a server sends to socket fd, `delay_ms` from now: a datagram (UDP)
 * or bytes of the stream (TCP: the caller frames them), an ICMP error, or
 * the end of the stream. */
void fake_net_deliver(struct fake_net *net, int fd, long long delay_ms, const uint8_t *data,
		      size_t len);
void fake_net_deliver_error(struct fake_net *net, int fd, long long delay_ms);
void fake_net_deliver_eof(struct fake_net *net, int fd, long long delay_ms);

/* A reply to `query`: the query's header and question, QR and RA set (AA
 * when `aa`), `rcode`, and for an A or AAAA question `answers` records of
 * the asked name (192.0.2.1, ... or 2001:db8::1, ...).  Returns its length
 * in out. */
size_t fake_net_reply(const uint8_t *query, size_t len, unsigned rcode, unsigned answers,
		      bool aa, bool tc, uint8_t *out, size_t size);

#endif
