/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's DNS transport: see resolver.h. */
#include "resolver.h"

#include <netdb.h>
#include <string.h>

#ifndef RES_NOAAAA
#define RES_NOAAAA 0x08000000 /* glibc 2.36 resolv.h */
#endif

/* The servers res_ninit read, by glibc's own rule (__res_get_nsaddr): an
 * IPv6 server has nsaddr_list[i].sin_family 0 and its address, scope id
 * included, in _u._ext.nsaddrs[i] (docs/glibc-facts.md "res_state"). */
static void collect_servers(const struct __res_state *state, struct dns_client_config *cfg)
{
	cfg->nservers = 0;
	for (int i = 0; i < state->nscount && i < MAXNS; i++) {
		struct dns_server *s = &cfg->servers[cfg->nservers];
		memset(s, 0, sizeof(*s));
		if (state->nsaddr_list[i].sin_family == 0 && state->_u._ext.nsaddrs[i] != NULL) {
			memcpy(&s->addr, state->_u._ext.nsaddrs[i], sizeof(struct sockaddr_in6));
			s->len = sizeof(struct sockaddr_in6);
		} else if (state->nsaddr_list[i].sin_family == AF_INET) {
			memcpy(&s->addr, &state->nsaddr_list[i], sizeof(struct sockaddr_in));
			s->len = sizeof(struct sockaddr_in);
		} else {
			continue;
		}
		cfg->nservers++;
	}
}

/* resolv.conf's options as the client applies them (DESIGN.md
 * "resolv.conf, option by option"). */
static void read_options(const struct __res_state *state, struct dns_client_config *cfg)
{
	unsigned long options = state->options;

	cfg->timeout = state->retrans;
	cfg->attempts = state->retry;
	cfg->use_vc = (options & RES_USEVC) != 0;
	cfg->reopen = (options & RES_SNGLKUPREOP) != 0;
	cfg->single_request = (options & RES_SNGLKUP) != 0 || cfg->reopen;
	cfg->edns0 = (options & RES_USE_EDNS0) != 0;
	cfg->trust_ad = (options & RES_TRUSTAD) != 0;
	cfg->first = 0;
}

void resolver_open(struct resolver *r, const struct dns_net *net)
{
	memset(r, 0, sizeof(*r));
	r->net = net;
	r->answered_by = -1;
	r->address_deadline = -1;
	/* A private state: the application's _res is never touched
	 * (docs/glibc-facts.md "libresolv"). */
	r->ready = res_ninit(&r->state) == 0;
	r->failed = !r->ready;
	if (!r->ready)
		return;
	collect_servers(&r->state, &r->client);
	read_options(&r->state, &r->client);
	r->no_aaaa = (r->state.options & RES_NOAAAA) != 0;
}

void resolver_close(struct resolver *r)
{
	if (r->ready)
		res_nclose(&r->state); /* frees the IPv6 server addresses */
	r->ready = false;
}

/* Distinct random IDs for the queries of one batch (RFC 5452). */
static void make_ids(struct resolver *r, uint16_t *ids, size_t n)
{
	if (!r->ids_seeded) {
		srv_xoshiro_seed_os(&r->ids);
		r->ids_seeded = true;
	}
	for (size_t i = 0; i < n; i++) {
		bool unique;
		do {
			ids[i] = (uint16_t)srv_xoshiro_next32(&r->ids);
			unique = true;
			for (size_t j = 0; j < i; j++)
				unique &= ids[j] != ids[i];
		} while (!unique);
	}
}

/* Runs a batch on the client: the server that answered last first, else
 * a random one with `rotate`, else the first. */
static void run_client(struct resolver *r, struct dns_query *queries, size_t n,
		       long long deadline_ms)
{
	uint16_t ids[DNS_CLIENT_MAX_QUERIES];

	if (r->client.nservers == 0)
		return;
	make_ids(r, ids, n);
	if (r->answered_by >= 0)
		r->client.first = (unsigned)r->answered_by;
	else if (r->state.options & RES_ROTATE)
		r->client.first = srv_xoshiro_next32(&r->ids) % r->client.nservers;
	int answered_by = dns_client_run(&r->client, r->net, queries, ids, n, deadline_ms);
	if (answered_by >= 0)
		r->answered_by = answered_by;
}

/* res_nsearch, for the SRV name of a single-label domain: the search list
 * exactly as the dns module applies it. */
static enum dns_outcome search_query(struct resolver *r, const char *name, uint16_t type,
				     uint8_t *answer, size_t size, size_t *length)
{
	/* A failed res_nsearch leaves the reply in the buffer but not its
	 * length; zeroing what a UDP reply can fill keeps the octets after a
	 * short negative reply from being read as records. */
	size_t cleared = size < 512 ? size : 512;
	memset(answer, 0, cleared);
	int n = res_nsearch(&r->state, name, ns_c_in, type, answer, (int)size);
	if (n >= 0) {
		/* With a TCP answer larger than the buffer the return value
		 * exceeds it; the caller reads only `size`. */
		*length = (size_t)n;
		return DNS_ANSWER;
	}
	switch (r->state.res_h_errno) {
	case HOST_NOT_FOUND:
		*length = cleared;
		return DNS_NXDOMAIN;
	case NO_DATA:
		*length = cleared;
		return DNS_NODATA;
	default:
		return DNS_TEMPFAIL; /* TRY_AGAIN, NO_RECOVERY, NETDB_INTERNAL */
	}
}

static enum dns_outcome resolver_query(void *ctx, const char *name, uint16_t type, bool search,
				       uint8_t *answer, size_t size, size_t *length)
{
	struct resolver *r = ctx;
	struct dns_query q = {name, type, answer, size, 0, DNS_TEMPFAIL};

	*length = 0;
	if (!r->ready)
		return DNS_TEMPFAIL;
	if (search)
		return search_query(r, name, type, answer, size, length);
	run_client(r, &q, 1, -1);
	*length = q.length;
	return q.outcome;
}

/* The address queries of one lookup: together within one res_send
 * schedule from the first of them; AAAA not sent with no-aaaa (as the dns
 * module: no IPv6 address from DNS). */
static void resolver_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	struct resolver *r = ctx;
	struct dns_query *sent[DNS_CLIENT_MAX_QUERIES];
	struct dns_query batch[DNS_CLIENT_MAX_QUERIES];
	size_t nsent = 0;

	for (size_t i = 0; i < n; i++) {
		queries[i].outcome = DNS_TEMPFAIL;
		queries[i].length = 0;
		if (!r->ready)
			continue;
		if (r->no_aaaa && queries[i].type == DNS_TYPE_AAAA) {
			queries[i].outcome = DNS_NODATA;
		} else if (nsent < DNS_CLIENT_MAX_QUERIES) {
			batch[nsent] = queries[i];
			sent[nsent++] = &queries[i];
		}
	}
	if (nsent == 0)
		return;
	if (r->address_deadline < 0)
		r->address_deadline = r->net->now_ms(r->net->ctx) + dns_schedule_ms(&r->client);
	run_client(r, batch, nsent, r->address_deadline);
	for (size_t i = 0; i < nsent; i++)
		*sent[i] = batch[i];
}

struct dns_transport resolver_transport(struct resolver *r)
{
	struct dns_transport t = {.query = resolver_query, .query_batch = resolver_query_batch,
				  .ctx = r, .no_aaaa = r->no_aaaa};
	return t;
}
