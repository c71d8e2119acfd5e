/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's DNS client (dns_client.h); docs/glibc-facts.md "res_send". */
#include "dns_client.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dnswire.h"

#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5
#define DNS_TYPE_OPT 41
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_RA 0x0080u
#define DNS_FLAG_AA 0x0400u
#define DNS_FLAG_AD 0x0020u
#define READS_PER_WAKEUP 16 /* then the deadline is looked at again */

enum query_state { /* in the current server's turn */
	Q_OPEN,  /* to be sent to this server */
	Q_SENT,  /* its reply awaited */
	Q_NEXT,  /* this server failed it */
	Q_DONE,  /* a final reply arrived */
};

struct pending {
	uint8_t frame[2 + DNS_QUERY_MAX]; /* TCP length prefix, then the query */
	size_t len;                       /* of the query */
	enum query_state state;
};

struct client {
	const struct dns_client_config *cfg;
	const struct dns_net *net;
	struct dns_query *queries;
	size_t n;
	int answered_by;
	unsigned server;                  /* whose turn it is */
	bool tcp;                         /* use-vc, or a reply was truncated: TCP only */
	struct pending pending[DNS_CLIENT_MAX_QUERIES];
	uint8_t *message;                 /* where a datagram or TCP frame is read */
	size_t message_size;
	uint8_t own[4096];                /* the message buffer of a batch */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The name in wire form; its length, or 0 (an empty or long label, > 255 octets). */
static size_t write_name(const char *name, uint8_t *out, size_t size)
{
	size_t used = 0;

	while (*name != '\0') {
		size_t label = strcspn(name, ".");
		if (label == 0 || label > 63 || used + 1 + label + 1 > size || used + label + 2 > 255)
			return 0;
		out[used++] = (uint8_t)label;
		memcpy(out + used, name, label);
		used += label;
		name += label;
		if (*name == '.')
			name++;
	}
	if (used == 0 || used + 1 > size)
		return 0;
	out[used++] = 0;
	return used;
}

size_t dns_query_write(const struct dns_client_config *cfg, const char *name, uint16_t type,
		       uint16_t id, uint8_t *out, size_t size)
{
	size_t opt = cfg->edns0 ? 11 : 0;

	if (size < DNS_HEADER_SIZE + 4 + opt)
		return 0;
	memset(out, 0, DNS_HEADER_SIZE);
	put16(out, id);
	put16(out + 2, (uint16_t)(DNS_FLAG_RD | (cfg->trust_ad ? DNS_FLAG_AD : 0)));
	put16(out + 4, 1);
	put16(out + 10, opt ? 1 : 0);
	size_t at = DNS_HEADER_SIZE;
	size_t name_len = write_name(name, out + at, size - at - 4 - opt);
	if (name_len == 0)
		return 0;
	at += name_len;
	put16(out + at, type);
	put16(out + at + 2, DNS_CLASS_IN);
	at += 4;
	if (opt) {
		/* RFC 6891 OPT as __res_nopt: root owner, payload in CLASS, TTL 0. */
		memset(out + at, 0, opt);
		put16(out + at + 1, DNS_TYPE_OPT);
		put16(out + at + 3, DNS_EDNS_PAYLOAD);
		at += opt;
	}
	return at;
}

int dns_server_timeout(const struct dns_client_config *cfg, unsigned ns)
{
	/* send_dg (docs/glibc-facts.md "res_send") */
	int seconds = ns < 16 ? cfg->timeout << ns : cfg->timeout;
	if (ns > 0 && cfg->nservers > 0)
		seconds /= (int)cfg->nservers;
	return seconds > 0 ? seconds : 1;
}

long long dns_schedule_ms(const struct dns_client_config *cfg)
{
	long long round = 0;

	for (unsigned ns = 0; ns < cfg->nservers; ns++)
		round += 1000LL * dns_server_timeout(cfg, ns);
	return round * (cfg->attempts > 0 ? cfg->attempts : 0);
}

/* send_dg's next server: SERVFAIL, NOTIMP, REFUSED, a lame NOERROR. */
static bool server_failed_it(const uint8_t *reply)
{
	unsigned rcode = reply[3] & 0x0fu;
	uint16_t flags = dns_get16(reply + 2);

	if (rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_NOTIMP || rcode == DNS_RCODE_REFUSED)
		return true;
	return rcode == DNS_RCODE_NOERROR && dns_get16(reply + 6) == 0 &&
	       (flags & (DNS_FLAG_AA | DNS_FLAG_RA)) == 0 && dns_get16(reply + 10) == 0;
}

/* Keeps `kept` octets of a final reply of `len` for query i (len > size: cut). */
static void finish(struct client *c, size_t i, const uint8_t *reply, size_t kept, size_t len)
{
	struct dns_query *q = &c->queries[i];
	unsigned rcode = reply[3] & 0x0fu;

	if (q->answer != reply) /* not read in place */
		memcpy(q->answer, reply, kept < q->size ? kept : q->size);
	q->length = len;
	if (rcode == DNS_RCODE_NXDOMAIN)
		q->outcome = DNS_NXDOMAIN;
	else if (rcode == DNS_RCODE_NOERROR)
		q->outcome = dns_get16(reply + 6) > 0 ? DNS_ANSWER : DNS_NODATA;
	else
		q->outcome = DNS_TEMPFAIL; /* FORMERR and the like: final, unusable */
	c->pending[i].state = Q_DONE;
	c->answered_by = (int)c->server;
}

/* Takes a reply of `len` octets, `kept` of them read; false: give the server up. */
static bool take_reply(struct client *c, const uint8_t *reply, size_t kept, size_t len, bool tcp)
{
	if (kept < DNS_HEADER_SIZE)
		return false; /* a runt: send_dg's and send_vc's EMSGSIZE */
	for (size_t i = 0; i < c->n; i++) {
		struct pending *p = &c->pending[i];
		/* res_send: the ID and res_queriesmatch */
		if (p->state != Q_SENT || dns_get16(reply) != dns_get16(p->frame + 2) ||
		    !dns_reply_answers(reply, kept, c->queries[i].name, c->queries[i].type))
			continue;
		/* Over TCP too: res_nsearch goes on after a SERVFAIL either way. */
		c->queries[i].servfail |= (reply[3] & 0x0fu) == DNS_RCODE_SERVFAIL;
		if (!tcp && server_failed_it(reply)) {
			p->state = Q_NEXT;
		} else if (!tcp && ((dns_get16(reply + 2) & DNS_FLAG_TC) != 0 || len > kept)) {
			p->state = Q_OPEN; /* to be asked again, over TCP */
			c->tcp = true;
		} else {
			finish(c, i, reply, kept, len); /* over TCP any RCODE: send_vc checks none */
		}
		return true;
	}
	return true; /* no query of ours: ignored, the wait goes on */
}

static bool any_in(const struct client *c, enum query_state state)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->pending[i].state == state)
			return true;
	return false;
}

/* False on the deadline or an error condition (ICMP on a connected socket). */
static bool wait_fd(struct client *c, int fd, short events, long long deadline)
{
	const struct dns_net *net = c->net;

	for (;;) {
		long long left = deadline - net->now_ms(net->ctx);
		if (left <= 0)
			return false;
		struct pollfd p = {fd, events, 0};
		int r = net->poll(net->ctx, &p, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno != EINTR)
			return false;
		if (r > 0)
			return (p.revents & events) != 0;
	}
}

/* Sends or receives len octets over TCP. */
static bool move_all(struct client *c, int fd, uint8_t *buf, size_t len, bool writing,
		     long long deadline)
{
	const struct dns_net *net = c->net;

	for (size_t done = 0; done < len;) {
		if (!wait_fd(c, fd, writing ? POLLOUT : POLLIN, deadline))
			return false;
		ssize_t r = writing ? net->send(net->ctx, fd, buf + done, len - done)
				    : net->recv(net->ctx, fd, buf + done, len - done, false);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}

/* Sends the open queries on *fd, or with single-request the next one (with
 * reopen on a new socket after the first).  False: the server is unreachable. */
static bool send_open(struct client *c, int *fd, bool *first_sent)
{
	const struct dns_net *net = c->net;

	for (size_t i = 0; i < c->n; i++) {
		struct pending *p = &c->pending[i];
		if (p->state != Q_OPEN)
			continue;
		if (c->cfg->single_request && c->cfg->reopen && *first_sent) {
			net->close(net->ctx, *fd);
			*fd = net->open(net->ctx, &c->cfg->servers[c->server], false);
			if (*fd < 0)
				return false;
		}
		if (net->send(net->ctx, *fd, p->frame + 2, p->len) != (ssize_t)p->len)
			return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
		p->state = Q_SENT;
		*first_sent = true;
		if (c->cfg->single_request)
			break; /* the next one after this one's reply */
	}
	return true;
}

/* Reads waiting datagrams, a few per call so that a flood cannot hold the turn
 * past its deadline.  False: give the server up (ICMP error, runt reply). */
static bool read_datagrams(struct client *c, int fd, long long deadline)
{
	const struct dns_net *net = c->net;

	for (int i = 0; i < READS_PER_WAKEUP && any_in(c, Q_SENT); i++) {
		if (net->now_ms(net->ctx) >= deadline)
			return true;
		ssize_t r = net->recv(net->ctx, fd, c->message, c->message_size, true);
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		size_t kept = (size_t)r < c->message_size ? (size_t)r : c->message_size;
		if (!take_reply(c, c->message, kept, (size_t)r, false))
			return false;
	}
	return true;
}

static void udp_turn(struct client *c, long long deadline)
{
	const struct dns_net *net = c->net;
	bool first_sent = false;
	int fd = net->open(net->ctx, &c->cfg->servers[c->server], false);

	if (fd < 0)
		return;
	bool reachable = send_open(c, &fd, &first_sent);
	while (reachable && !c->tcp) {
		if (!any_in(c, Q_SENT)) { /* single-request: the next query, if one is left */
			reachable = c->cfg->single_request && send_open(c, &fd, &first_sent) &&
				    any_in(c, Q_SENT);
			continue;
		}
		if (!wait_fd(c, fd, POLLIN, deadline))
			break;
		reachable = read_datagrams(c, fd, deadline);
	}
	if (fd >= 0)
		net->close(net->ctx, fd);
}

/* Reads one TCP frame (RFC 1035 4.2.2) and takes it; what c->message cannot
 * hold is read and dropped (the reply counts as cut). */
static bool read_frame(struct client *c, int fd, long long deadline)
{
	uint8_t prefix[2] = {0, 0};

	if (!move_all(c, fd, prefix, 2, false, deadline))
		return false;
	size_t len = dns_get16(prefix);
	size_t kept = len < c->message_size ? len : c->message_size;
	if (!move_all(c, fd, c->message, kept, false, deadline))
		return false;
	for (size_t left = len - kept; left > 0;) {
		uint8_t drop[512];
		size_t n = left < sizeof(drop) ? left : sizeof(drop);
		if (!move_all(c, fd, drop, n, false, deadline))
			return false;
		left -= n;
	}
	return take_reply(c, c->message, kept, len, true);
}

/* Asks every query open or awaited on one connection (as send_vc), bounded by
 * the deadline.  True when the server reset it while a reply was awaited. */
static bool tcp_connection(struct client *c, long long deadline)
{
	const struct dns_net *net = c->net;
	int fd = net->open(net->ctx, &c->cfg->servers[c->server], true);
	bool ok = fd >= 0 && wait_fd(c, fd, POLLOUT, deadline);
	bool reset = false;

	for (size_t i = 0; ok && i < c->n; i++) {
		struct pending *p = &c->pending[i];
		if (p->state == Q_NEXT || p->state == Q_DONE)
			continue;
		put16(p->frame, (uint16_t)p->len); /* RFC 1035 4.2.2 */
		ok = move_all(c, fd, p->frame, p->len + 2, true, deadline);
		p->state = Q_SENT;
	}
	while (ok && any_in(c, Q_SENT)) {
		errno = 0;
		ok = read_frame(c, fd, deadline);
		reset = !ok && errno == ECONNRESET;
	}
	if (fd >= 0)
		net->close(net->ctx, fd);
	return reset;
}

/* Opens every query without a final reply again; false when none is left. */
static bool start_turn(struct client *c)
{
	bool left = false;

	for (size_t i = 0; i < c->n; i++) {
		struct pending *p = &c->pending[i];
		if (p->state == Q_DONE)
			continue;
		p->state = Q_OPEN;
		left = true;
	}
	return left;
}

static void one_turn(struct client *c, long long deadline)
{
	/* After TC the rest of the turn goes over TCP to the same server, and
	 * stays on TCP (v_circuit); a reset is met once with a new connection
	 * (send_vc's connreset). */
	if (!c->tcp)
		udp_turn(c, deadline);
	if (c->tcp && tcp_connection(c, deadline))
		tcp_connection(c, deadline);
}

/* A name that cannot be a query gets NXDOMAIN. */
static void prepare(struct client *c, const uint16_t *ids)
{
	for (size_t i = 0; i < c->n; i++) {
		struct pending *p = &c->pending[i];
		struct dns_query *q = &c->queries[i];
		p->len = dns_query_write(c->cfg, q->name, q->type, ids[i], p->frame + 2,
					 sizeof(p->frame) - 2);
		p->state = p->len > 0 ? Q_OPEN : Q_DONE;
		q->outcome = p->len > 0 ? DNS_TEMPFAIL : DNS_NXDOMAIN;
		q->length = 0;
		q->servfail = false;
	}
}

int dns_client_run(const struct dns_client_config *cfg, const struct dns_net *net,
		   struct dns_query *queries, const uint16_t *ids, size_t n, long long deadline_ms)
{
	int saved_errno = errno;
	struct client *c = malloc(sizeof(*c));
	int answered_by = -1;

	for (size_t i = 0; i < n; i++)
		queries[i].outcome = DNS_TEMPFAIL;
	if (c == NULL || n == 0 || n > DNS_CLIENT_MAX_QUERIES || cfg->nservers == 0 ||
	    cfg->nservers > DNS_CLIENT_MAX_SERVERS)
		goto out;
	/* Not zeroed: the buffers are written before they are read. */
	c->cfg = cfg;
	c->net = net;
	c->queries = queries;
	c->n = n;
	c->answered_by = -1;
	c->tcp = cfg->use_vc;
	/* The SRV query is read straight into its large buffer, a batch through own. */
	c->message = n == 1 && queries[0].size > sizeof(c->own) ? queries[0].answer : c->own;
	c->message_size = c->message == c->own ? sizeof(c->own) : queries[0].size;
	prepare(c, ids);
	/* `attempts` rounds over the servers, from `first` */
	for (long long t = 0; t < (long long)cfg->attempts * cfg->nservers; t++) {
		c->server = (unsigned)((cfg->first + t) % cfg->nservers);
		long long now = net->now_ms(net->ctx);
		long long turn_end = now + 1000LL * dns_server_timeout(cfg, c->server);
		if (deadline_ms >= 0 && turn_end > deadline_ms)
			turn_end = deadline_ms;
		if (now >= turn_end || !start_turn(c))
			break;
		one_turn(c, turn_end);
	}
	answered_by = c->answered_by;
out:
	free(c);
	errno = saved_errno;
	return answered_by;
}
