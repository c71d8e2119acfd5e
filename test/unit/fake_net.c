/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A scripted network for the DNS client: see fake_net.h. */
#include "fake_net.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"

void fake_net_init(struct fake_net *net, fake_responder respond, void *ctx)
{
	memset(net, 0, sizeof(*net)); /* every event's data pointer NULL */
	net->respond = respond;
	net->ctx = ctx;
}

void fake_net_free(struct fake_net *net)
{
	for (unsigned i = 0; i < net->nevents; i++)
		free(net->events[i].data);
	net->nevents = 0;
}

void fake_net_config(struct dns_client_config *cfg, unsigned n, int timeout, int attempts)
{
	memset(cfg, 0, sizeof(*cfg));
	for (unsigned i = 0; i < n && i < DNS_CLIENT_MAX_SERVERS; i++) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&cfg->servers[i].addr;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(53);
		sin->sin_addr.s_addr = htonl(0x7f000001u + i);
		cfg->servers[i].len = sizeof(*sin);
	}
	cfg->nservers = n;
	cfg->timeout = timeout;
	cfg->attempts = attempts;
}

static int sock_index(struct fake_net *net, int fd)
{
	int i = fd - FAKE_NET_FD_BASE;
	if (i < 0 || i >= FAKE_NET_MAX_SOCKS || !net->socks[i].open) {
		net->bad_call = true;
		return -1;
	}
	return i;
}

static void add_event(struct fake_net *net, int fd, long long delay_ms, int kind,
		      const uint8_t *data, size_t len)
{
	struct fake_event *e = NULL;
	for (unsigned i = 0; i < net->nevents && e == NULL; i++)
		if (net->events[i].kind < 0)
			e = &net->events[i]; /* a slot already used up */
	if (e == NULL && net->nevents == FAKE_NET_MAX_EVENTS)
		return; /* the network drops it */
	if (e == NULL)
		e = &net->events[net->nevents++];
	free(e->data);
	e->at = net->now + (delay_ms > 0 ? delay_ms : 0);
	e->fd = fd;
	e->kind = kind;
	e->len = len;
	e->taken = 0;
	e->data = NULL;
	if (len > 0) {
		e->data = malloc(len);
		if (e->data != NULL)
			memcpy(e->data, data, len);
		else
			e->len = 0;
	}
}

void fake_net_deliver(struct fake_net *net, int fd, long long delay_ms, const uint8_t *data,
		      size_t len)
{
	add_event(net, fd, delay_ms, 0, data, len);
}

void fake_net_deliver_error(struct fake_net *net, int fd, long long delay_ms)
{
	add_event(net, fd, delay_ms, 1, NULL, 0);
}

void fake_net_deliver_eof(struct fake_net *net, int fd, long long delay_ms)
{
	add_event(net, fd, delay_ms, 2, NULL, 0);
}

/* The first pending event for fd (in time order, then arrival order);
 * due: at or before now. */
static struct fake_event *next_event(struct fake_net *net, int fd, bool due)
{
	struct fake_event *best = NULL;

	for (unsigned i = 0; i < net->nevents; i++) {
		struct fake_event *e = &net->events[i];
		if (e->fd != fd || e->kind < 0 || (due && e->at > net->now))
			continue;
		if (best == NULL || e->at < best->at)
			best = e;
	}
	return best;
}

static unsigned server_of(const struct dns_server *server)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&server->addr;
	return (ntohl(sin->sin_addr.s_addr) - 0x7f000001u) % DNS_CLIENT_MAX_SERVERS;
}

static int fake_open(void *ctx, const struct dns_server *server, bool tcp)
{
	struct fake_net *net = ctx;
	unsigned s = server_of(server);

	if (net->refuse_open[s])
		return -1;
	for (int i = 0; i < FAKE_NET_MAX_SOCKS; i++) {
		if (net->socks[i].open)
			continue;
		net->socks[i].open = true;
		net->socks[i].tcp = tcp;
		net->socks[i].server = s;
		net->socks[i].inlen = 0;
		net->opens++;
		int fd = FAKE_NET_FD_BASE + i;
		if (tcp && net->refuse_tcp[s])
			fake_net_deliver_error(net, fd, 0);
		return fd;
	}
	return -1;
}

static void log_sent(struct fake_net *net, int fd, const uint8_t *query, size_t len)
{
	int i = fd - FAKE_NET_FD_BASE;
	if (net->nsent < FAKE_NET_MAX_SENT) {
		struct fake_sent *s = &net->sent[net->nsent++];
		s->at = net->now;
		s->server = net->socks[i].server;
		s->tcp = net->socks[i].tcp;
		s->fd = fd;
		s->len = len < sizeof(s->query) ? len : sizeof(s->query);
		memcpy(s->query, query, s->len);
	}
	net->respond(net, fd, net->socks[i].server, net->socks[i].tcp, query, len, net->ctx);
}

/* TCP: collects the client's bytes into frames (RFC 1035 4.2.2). */
static void stream_in(struct fake_net *net, int fd, const uint8_t *buf, size_t len)
{
	int i = fd - FAKE_NET_FD_BASE;
	for (size_t k = 0; k < len; k++) {
		if (net->socks[i].inlen < sizeof(net->socks[i].inbuf))
			net->socks[i].inbuf[net->socks[i].inlen++] = buf[k];
		size_t have = net->socks[i].inlen;
		if (have >= 2 && have == 2 + (size_t)dns_get16(net->socks[i].inbuf)) {
			log_sent(net, fd, net->socks[i].inbuf + 2, have - 2);
			net->socks[i].inlen = 0;
		}
	}
}

static ssize_t fake_send(void *ctx, int fd, const void *buf, size_t len)
{
	struct fake_net *net = ctx;
	int i = sock_index(net, fd);

	if (i < 0) {
		errno = EBADF;
		return -1;
	}
	struct fake_event *e = next_event(net, fd, true);
	if (e != NULL && e->kind == 1) {
		errno = ECONNREFUSED; /* a pending ICMP error fails the send */
		e->kind = -1;
		return -1;
	}
	if (net->socks[i].tcp)
		stream_in(net, fd, buf, len);
	else
		log_sent(net, fd, buf, len);
	return (ssize_t)len;
}

static ssize_t fake_recv(void *ctx, int fd, void *buf, size_t len, bool datagram)
{
	struct fake_net *net = ctx;
	struct fake_event *e = sock_index(net, fd) < 0 ? NULL : next_event(net, fd, true);

	if (e == NULL) {
		errno = EAGAIN;
		return -1;
	}
	if (e->kind != 0) {
		e->kind = e->kind == 1 ? -1 : e->kind; /* EOF stays */
		errno = ECONNREFUSED;
		return e->kind == 2 ? 0 : -1;
	}
	size_t left = e->len - e->taken;
	size_t n = left < len ? left : len;
	if (n > 0)
		memcpy(buf, e->data + e->taken, n);
	if (datagram) {
		e->kind = -1;
		return (ssize_t)e->len; /* MSG_TRUNC */
	}
	e->taken += n;
	if (e->taken == e->len)
		e->kind = -1;
	return (ssize_t)n;
}

/* Which of fds are ready now (POLLOUT always is). */
static int ready_now(struct fake_net *net, struct pollfd *fds, nfds_t nfds)
{
	int ready = 0;

	for (nfds_t k = 0; k < nfds; k++) {
		struct fake_event *e = sock_index(net, fds[k].fd) < 0 ? NULL
								       : next_event(net, fds[k].fd, true);
		fds[k].revents = (short)(fds[k].events & POLLOUT);
		if (e != NULL)
			fds[k].revents |= e->kind == 1 ? POLLERR : e->kind == 2 ? POLLHUP : POLLIN;
		ready += fds[k].revents != 0;
	}
	return ready;
}

/* Nothing ready: the clock jumps to the first event of fds, or by the
 * timeout. */
static int fake_poll(void *ctx, struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
	struct fake_net *net = ctx;
	long long wake = net->now + (timeout_ms > 0 ? timeout_ms : 0);
	int ready = ready_now(net, fds, nfds);

	net->polls++;
	if (ready > 0)
		return ready;
	for (nfds_t k = 0; k < nfds; k++) {
		struct fake_event *e = sock_index(net, fds[k].fd) < 0 ? NULL
								       : next_event(net, fds[k].fd, false);
		if (e != NULL && e->at < wake)
			wake = e->at;
	}
	net->now = wake;
	return ready_now(net, fds, nfds);
}

static void fake_close(void *ctx, int fd)
{
	struct fake_net *net = ctx;
	int i = sock_index(net, fd);

	if (i < 0)
		return;
	net->socks[i].open = false;
	net->closes++;
	for (unsigned k = 0; k < net->nevents; k++)
		if (net->events[k].fd == fd)
			net->events[k].kind = -1; /* nothing more arrives on it */
}

static long long fake_now(void *ctx)
{
	return ((struct fake_net *)ctx)->now;
}

struct dns_net fake_net_ops(struct fake_net *net)
{
	struct dns_net ops = {fake_open, fake_send, fake_recv, fake_poll, fake_close, fake_now, net};
	return ops;
}

size_t fake_net_reply(const uint8_t *query, size_t len, unsigned rcode, unsigned answers,
		      bool aa, bool tc, uint8_t *out, size_t size)
{
	struct dns_msg msg;
	size_t end;

	if (dns_msg_init(&msg, query, len) < 0 || msg.qdcount != 1 ||
	    dns_name_skip(query, len, msg.question_offset, &end) < 0 || end + 4 > size)
		return 0;
	uint16_t type = dns_get16(query + end);
	size_t at = end + 4; /* header and question, without the query's OPT */
	memcpy(out, query, at);
	out[2] = (uint8_t)(0x80u | (query[2] & 0x79u) | (aa ? 0x04u : 0) | (tc ? 0x02u : 0));
	out[3] = (uint8_t)(0x80u | (rcode & 0x0fu));
	size_t rdlen = type == DNS_TYPE_AAAA ? 16 : 4;
	unsigned n = 0;
	for (; n < answers && (type == DNS_TYPE_A || type == DNS_TYPE_AAAA) &&
	       at + 12 + rdlen <= size; n++) {
		static const uint8_t head[10] = {0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0};
		out[at] = 0xc0;
		out[at + 1] = DNS_HEADER_SIZE; /* the question's name */
		memcpy(out + at + 2, head, sizeof(head));
		out[at + 3] = (uint8_t)type;
		out[at + 11] = (uint8_t)rdlen;
		memset(out + at + 12, 0, rdlen);
		if (type == DNS_TYPE_A) {
			out[at + 12] = 192, out[at + 14] = 2, out[at + 15] = (uint8_t)(n + 1);
		} else {
			out[at + 12] = 0x20, out[at + 13] = 0x01, out[at + 14] = 0x0d;
			out[at + 15] = 0xb8, out[at + 27] = (uint8_t)(n + 1);
		}
		at += 12 + rdlen;
	}
	out[6] = (uint8_t)(n >> 8), out[7] = (uint8_t)n; /* ANCOUNT */
	out[8] = out[9] = out[10] = out[11] = 0;
	return at;
}
