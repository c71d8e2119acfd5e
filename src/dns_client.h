/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's DNS client: res_send's behaviour for a batch of queries
 * (DESIGN.md "resolv.conf, option by option").  Sockets non-blocking,
 * close-on-exec, closed before return; every wait ends at its deadline. */
#ifndef SRVSIP_DNS_CLIENT_H
#define SRVSIP_DNS_CLIENT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "srv.h"

#define DNS_CLIENT_MAX_SERVERS 3     /* MAXNS */
#define DNS_CLIENT_MAX_QUERIES 64
#define DNS_EDNS_PAYLOAD 1200        /* glibc's RESOLV_EDNS_BUFFER_SIZE */
#define DNS_QUERY_MAX 300            /* header, a name of 255, QTYPE, QCLASS, OPT */

struct dns_server {
	struct sockaddr_storage addr;
	socklen_t len;
};

/* What the client takes from resolv.conf (resolver.c fills it). */
struct dns_client_config {
	struct dns_server servers[DNS_CLIENT_MAX_SERVERS];
	unsigned nservers;
	unsigned first;        /* the server asked first (rotate, or the one that answered) */
	int timeout;           /* seconds: resolv.conf `timeout` (res_state retrans) */
	int attempts;          /* resolv.conf `attempts` (res_state retry) */
	bool use_vc;           /* TCP only */
	bool single_request;   /* one query at a time per server */
	bool reopen;           /* single-request-reopen: a new socket per query */
	bool edns0;            /* an OPT record in every query */
	bool trust_ad;         /* the AD bit in every query */
};

/* The system calls, injected (tests and the fuzzer script the network). */
struct dns_net {
	/* A socket connected (UDP) or connecting (TCP) to `server`, or -1. */
	int (*open)(void *ctx, const struct dns_server *server, bool tcp);
	ssize_t (*send)(void *ctx, int fd, const void *buf, size_t len);
	/* datagram: the datagram's real length even when longer (MSG_TRUNC) */
	ssize_t (*recv)(void *ctx, int fd, void *buf, size_t len, bool datagram);
	int (*poll)(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms);
	void (*close)(void *ctx, int fd);
	long long (*now_ms)(void *ctx); /* a monotonic clock */
	void *ctx;
};

/* The system's own sockets and CLOCK_MONOTONIC (dns_net.c). */
extern const struct dns_net dns_net_system;

/* Writes a query for (name, type, IN): RD, AD with trust_ad, OPT with edns0.
 * Its length, or 0 when `name` has an empty or too long label or does not fit. */
size_t dns_query_write(const struct dns_client_config *cfg, const char *name, uint16_t type,
		       uint16_t id, uint8_t *out, size_t size);

/* The seconds res_send waits for server `ns` (its resolv.conf index) per attempt. */
int dns_server_timeout(const struct dns_client_config *cfg, unsigned ns);

/* The longest all attempts on all servers may take, in milliseconds. */
long long dns_schedule_ms(const struct dns_client_config *cfg);

/* Sends queries[0 .. n) (absolute names; ids distinct) and waits for their
 * replies until `deadline_ms` at most (net's clock; < 0: none).  Sets each
 * query's outcome, reply and length (no final reply: DNS_TEMPFAIL).  Returns
 * the index of the server that gave the last final reply, or -1. */
int dns_client_run(const struct dns_client_config *cfg, const struct dns_net *net,
		   struct dns_query *queries, const uint16_t *ids, size_t n, long long deadline_ms);

#endif
