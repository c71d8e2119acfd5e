/* Several DNS queries in one round trip: see dns_batch.h. */
#include "dns_batch.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dnswire.h"
#include "rng.h"

#define QUERY_PACKET_SIZE 512   /* a question never needs more */
#define RECEIVE_SIZE 4096       /* larger UDP replies are taken as truncated */

struct pending {
	uint8_t packet[QUERY_PACKET_SIZE];
	size_t packet_len;
	bool done;
	bool refused_here; /* this server answered SERVFAIL/REFUSED/...: next one */
};

struct server {
	struct sockaddr_storage addr;
	socklen_t len;
};

struct batch {
	struct dns_query *queries;
	struct pending *pending;
	size_t n;
	struct server servers[MAXNS];
	size_t nservers;
	int fd[2]; /* UDP sockets: [0] IPv4, [1] IPv6; -1 until needed */
	uint8_t receive[RECEIVE_SIZE];
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The nameservers res_ninit read from resolv.conf: IPv4 ones sit in
 * nsaddr_list, IPv6 ones in the _u._ext.nsaddrs array it allocates. */
static void collect_servers(struct __res_state *state, struct batch *b)
{
	for (int i = 0; i < state->nscount && i < MAXNS; i++) {
		struct server *s = &b->servers[b->nservers];
		memset(s, 0, sizeof(*s));
		if (state->nsaddr_list[i].sin_family == AF_INET) {
			memcpy(&s->addr, &state->nsaddr_list[i], sizeof(struct sockaddr_in));
			s->len = sizeof(struct sockaddr_in);
		} else if (state->_u._ext.nsaddrs[i] != NULL &&
			   state->_u._ext.nsaddrs[i]->sin6_family == AF_INET6) {
			memcpy(&s->addr, state->_u._ext.nsaddrs[i], sizeof(struct sockaddr_in6));
			s->len = sizeof(struct sockaddr_in6);
		} else {
			continue;
		}
		b->nservers++;
	}
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
	return x->sin6_port == y->sin6_port &&
	       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

static int udp_socket(struct batch *b, int family)
{
	int slot = family == AF_INET6 ? 1 : 0;
	if (b->fd[slot] < 0)
		b->fd[slot] = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return b->fd[slot];
}

/* The reply answers pending query i: same ID, a response, same question. */
static bool reply_matches(const struct batch *b, size_t i, const uint8_t *reply, size_t len)
{
	struct dns_msg msg;
	size_t end;

	if (len < DNS_HEADER_SIZE || memcmp(reply, b->pending[i].packet, 2) != 0)
		return false;
	if (dns_msg_init(&msg, reply, len) < 0 || !dns_msg_is_response(&msg) || msg.qdcount != 1 ||
	    !dns_name_equal_text(reply, len, msg.question_offset, b->queries[i].name) ||
	    dns_name_skip(reply, len, msg.question_offset, &end) < 0)
		return false;
	return dns_get16(reply + end) == b->queries[i].type &&
	       dns_get16(reply + end + 2) == DNS_CLASS_IN;
}

/* Records a final reply (NOERROR or NXDOMAIN) for query i. */
static void finish(struct batch *b, size_t i, const uint8_t *reply, size_t len)
{
	struct dns_query *q = &b->queries[i];
	unsigned rcode = reply[3] & 0x0fu;
	uint16_t ancount = dns_get16(reply + 6);

	q->length = len; /* > size: cut, as the transport contract says */
	memcpy(q->answer, reply, len < q->size ? len : q->size);
	if (rcode == DNS_RCODE_NXDOMAIN)
		q->outcome = DNS_NXDOMAIN;
	else
		q->outcome = ancount > 0 ? DNS_ANSWER : DNS_NODATA;
	b->pending[i].done = true;
}

static bool wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = {fd, events, 0};
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return (p.revents & events) != 0;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

static bool io_all(int fd, uint8_t *buf, size_t len, bool writing, long long deadline)
{
	size_t done = 0;
	while (done < len) {
		if (!wait_fd(fd, writing ? POLLOUT : POLLIN, deadline))
			return false;
		ssize_t r = writing ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
				    : recv(fd, buf + done, len - done, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}

/* A truncated UDP reply: the same query over TCP to the same server
 * (RFC 1035 4.2.2: two-octet length prefix).  True when it got a final
 * reply. */
static bool query_tcp(struct batch *b, size_t i, const struct server *srv, long long deadline)
{
	struct pending *p = &b->pending[i];
	struct dns_query *q = &b->queries[i];
	uint8_t prefix[2] = {(uint8_t)(p->packet_len >> 8), (uint8_t)p->packet_len};
	bool ok = false;
	int fd = socket(srv->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	if (connect(fd, (const struct sockaddr *)&srv->addr, srv->len) < 0 &&
	    errno != EINPROGRESS)
		goto out;
	int err = 0;
	socklen_t errlen = sizeof(err);
	if (!wait_fd(fd, POLLOUT, deadline) ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0)
		goto out;
	if (!io_all(fd, prefix, 2, true, deadline) ||
	    !io_all(fd, p->packet, p->packet_len, true, deadline) ||
	    !io_all(fd, prefix, 2, false, deadline))
		goto out;
	size_t len = ((size_t)prefix[0] << 8) | prefix[1];
	size_t keep = len < q->size ? len : q->size;
	/* Read what fits; the rest is dropped with the connection. */
	if (keep < DNS_HEADER_SIZE || !io_all(fd, q->answer, keep, false, deadline) ||
	    !reply_matches(b, i, q->answer, keep))
		goto out;
	unsigned rcode = q->answer[3] & 0x0fu;
	if (rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN) {
		finish(b, i, q->answer, keep);
		q->length = len; /* the whole reply's length: > keep when cut */
		ok = true;
	}
out:
	close(fd);
	return ok;
}

static void handle_replies(struct batch *b, const struct server *asked, long long deadline)
{
	struct sockaddr_storage from;

	for (int slot = 0; slot < 2; slot++) {
		if (b->fd[slot] < 0)
			continue;
		for (;;) {
			socklen_t fromlen = sizeof(from);
			memset(&from, 0, sizeof(from));
			ssize_t r = recvfrom(b->fd[slot], b->receive, sizeof(b->receive), MSG_TRUNC,
					     (struct sockaddr *)&from, &fromlen);
			if (r < 0)
				break; /* EAGAIN: nothing more now */
			bool from_server = false;
			const struct server *srv = asked;
			for (size_t s = 0; s < b->nservers && !from_server; s++)
				if (same_address(&from, &b->servers[s].addr)) {
					from_server = true;
					srv = &b->servers[s];
				}
			size_t len = (size_t)r;
			bool cut = len > sizeof(b->receive);
			if (cut)
				len = sizeof(b->receive);
			for (size_t i = 0; from_server && i < b->n; i++) {
				if (b->pending[i].done || !reply_matches(b, i, b->receive, len))
					continue;
				unsigned rcode = b->receive[3] & 0x0fu;
				bool truncated = (b->receive[2] & 0x02u) != 0 || cut;
				if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN)
					b->pending[i].refused_here = true; /* as res_send: next server */
				else if (truncated)
					b->pending[i].refused_here = !query_tcp(b, i, srv, deadline);
				else
					finish(b, i, b->receive, len);
				break;
			}
		}
	}
}

static bool open_work(const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (!b->pending[i].done && !b->pending[i].refused_here)
			return true;
	return false;
}

/* Sends the unanswered queries to one server and collects replies until all
 * are answered or the server's time is up. */
static void ask_server(struct batch *b, const struct server *srv, int seconds)
{
	int fd = udp_socket(b, srv->addr.ss_family);
	bool sent = false;
	if (fd < 0)
		return;
	for (size_t i = 0; i < b->n; i++) {
		b->pending[i].refused_here = false;
		if (!b->pending[i].done &&
		    sendto(fd, b->pending[i].packet, b->pending[i].packet_len, MSG_NOSIGNAL,
			   (const struct sockaddr *)&srv->addr, srv->len) >= 0)
			sent = true;
	}
	if (!sent)
		return; /* unreachable server: no point waiting for it */
	long long deadline = now_ms() + (long long)seconds * 1000;
	struct pollfd fds[2];
	while (open_work(b)) {
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		nfds_t nfds = 0;
		for (int slot = 0; slot < 2; slot++)
			if (b->fd[slot] >= 0)
				fds[nfds++] = (struct pollfd){b->fd[slot], POLLIN, 0};
		int r = poll(fds, nfds, (int)left);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			handle_replies(b, srv, deadline);
	}
}

void dns_batch_run(struct __res_state *state, struct dns_query *queries, size_t n)
{
	int saved_errno = errno;
	/* Cleared up to the receive buffer only: it is always written first. */
	struct batch *b = malloc(sizeof(*b));
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};

	for (size_t i = 0; i < n; i++)
		queries[i].outcome = DNS_TEMPFAIL;
	if (b == NULL)
		goto out;
	memset(b, 0, offsetof(struct batch, receive));
	b->fd[0] = b->fd[1] = -1;
	if (n == 0)
		goto out;
	b->pending = calloc(n, sizeof(*b->pending));
	if (b->pending == NULL)
		goto out;
	b->queries = queries;
	b->n = n;
	srv_xoshiro_seed_os(&gen);
	for (size_t i = 0; i < n; i++) {
		struct pending *p = &b->pending[i];
		int len = res_nmkquery(state, ns_o_query, queries[i].name, ns_c_in, queries[i].type,
				       NULL, 0, NULL, p->packet, sizeof(p->packet));
		if (len < DNS_HEADER_SIZE) {
			queries[i].outcome = DNS_NXDOMAIN; /* not a name that can exist */
			p->done = true;
			continue;
		}
		p->packet_len = (size_t)len;
		/* A random ID per query, distinct within the batch (RFC 5452). */
		bool unique;
		do {
			uint16_t id = (uint16_t)srv_xoshiro_next32(&gen);
			p->packet[0] = (uint8_t)(id >> 8);
			p->packet[1] = (uint8_t)id;
			unique = true;
			for (size_t j = 0; j < i; j++)
				if (memcmp(b->pending[j].packet, p->packet, 2) == 0)
					unique = false;
		} while (!unique);
	}
	collect_servers(state, b);
	if (b->nservers == 0)
		goto out;
	size_t start = (state->options & RES_ROTATE) ? srv_rng_below(&rng, (uint32_t)b->nservers) : 0;
	int attempts = state->retry > 0 ? state->retry : 1;
	for (int attempt = 0; attempt < attempts; attempt++) {
		for (size_t k = 0; k < b->nservers; k++) {
			bool left = false;
			for (size_t i = 0; i < n; i++)
				left |= !b->pending[i].done;
			if (!left)
				goto out;
			/* res_send's schedule: retrans << try, shared among the
			 * servers after the first try, at least one second. */
			int seconds = state->retrans << attempt;
			if (attempt > 0)
				seconds /= (int)b->nservers;
			if (seconds <= 0)
				seconds = 1;
			ask_server(b, &b->servers[(start + k) % b->nservers], seconds);
		}
	}
out:
	if (b != NULL) {
		for (int slot = 0; slot < 2; slot++)
			if (b->fd[slot] >= 0)
				close(b->fd[slot]);
		free(b->pending);
		free(b);
	}
	errno = saved_errno;
}
