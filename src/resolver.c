/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's DNS transport (resolver.h). */
#include "resolver.h"

#include <stdio.h>
#include <string.h>

#ifndef RES_NOAAAA
#define RES_NOAAAA 0x08000000 /* glibc 2.36 resolv.h */
#endif

/* The servers, by glibc's __res_get_nsaddr (docs/glibc-facts.md "res_state"). */
static void collect_servers(const struct __res_state *state, struct dns_client_config *cfg)
{
	for (int i = 0; i < state->nscount && i < MAXNS; i++) {
		struct dns_server *s = &cfg->servers[cfg->nservers];
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

void resolver_open(struct resolver *r, const struct dns_net *net)
{
	*r = (struct resolver){.net = net, .answered_by = -1, .address_deadline = -1};
	r->ready = res_ninit(&r->state) == 0;
	if (!r->ready)
		return;
	collect_servers(&r->state, &r->client);
	unsigned long options = r->state.options;
	r->client.timeout = r->state.retrans;
	r->client.attempts = r->state.retry;
	r->client.use_vc = (options & RES_USEVC) != 0;
	r->client.reopen = (options & RES_SNGLKUPREOP) != 0;
	r->client.single_request = (options & (RES_SNGLKUP | RES_SNGLKUPREOP)) != 0;
	r->client.edns0 = (options & RES_USE_EDNS0) != 0;
	r->client.trust_ad = (options & RES_TRUSTAD) != 0;
	r->no_aaaa = (options & RES_NOAAAA) != 0;
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
	for (size_t i = 0; i < n;) {
		ids[i] = (uint16_t)srv_xoshiro_next32(&r->ids);
		size_t j = 0;
		while (j < i && ids[j] != ids[i])
			j++;
		if (j == i) /* not drawn before in this batch */
			i++;
	}
}

/* The server that answered last first, else a random one with `rotate`. */
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

/* Asks q->name or q->name.domain ("" for the root); outcome and reply in q.
 * False, q untouched, when that cannot be a query (res_nmkquery's NO_RECOVERY). */
static bool query_domain(struct resolver *r, struct dns_query *q, const char *domain)
{
	const char *name = q->name;
	char full[DNS_NAME_TEXT_SIZE + 2];
	uint8_t probe[DNS_QUERY_MAX];
	int len = snprintf(full, sizeof(full), "%s%s%s", name, domain ? "." : "", domain ? domain : "");

	if (len <= 0 || (size_t)len >= sizeof(full) ||
	    dns_query_write(&r->client, full, q->type, 0, probe, sizeof(probe)) == 0)
		return false;
	*q = (struct dns_query){full, q->type, q->answer, q->size, 0, DNS_TEMPFAIL, false};
	run_client(r, q, 1, -1);
	q->name = name;
	return true;
}

/* res_nsearch's walk (docs/glibc-facts.md "libresolv inside a module"), but
 * a failed query makes a walk without an answer TEMPFAIL (DESIGN.md
 * "resolv.conf, option by option", ndots row).  Outcome and reply in q. */
static void search_query(struct resolver *r, struct dns_query *q)
{
	size_t len = strlen(q->name), dots = 0;
	bool trailing_dot = len > 0 && q->name[len - 1] == '.';
	bool as_is_asked = false, root_listed = false, searched = false;
	bool got_nodata = false, got_failure = false;
	enum dns_outcome as_is = DNS_NXDOMAIN;
	unsigned long options = r->state.options;

	q->outcome = DNS_NXDOMAIN;
	for (size_t i = 0; i < len; i++)
		dots += q->name[i] == '.';
	if (dots >= r->state.ndots || trailing_dot) {
		if (!query_domain(r, q, NULL) || q->outcome == DNS_ANSWER || trailing_dot)
			return; /* the engine validated the name: query_domain succeeds */
		as_is = q->outcome;
		as_is_asked = true;
		got_failure = q->outcome == DNS_TEMPFAIL;
	}
	if ((dots == 0 && (options & RES_DEFNAMES)) || (dots > 0 && (options & RES_DNSRCH))) {
		for (int i = 0; i < MAXDNSRCH && r->state.dnsrch[i] != NULL; i++) {
			const char *domain = r->state.dnsrch[i] + (r->state.dnsrch[i][0] == '.');
			root_listed |= domain[0] == '\0';
			searched = true;
			if (!query_domain(r, q, domain))
				break;
			if (q->outcome == DNS_ANSWER)
				return;
			got_nodata |= q->outcome == DNS_NODATA;
			got_failure |= q->outcome == DNS_TEMPFAIL;
			if ((q->outcome == DNS_TEMPFAIL && !q->servfail) || !(options & RES_DNSRCH))
				break;
		}
	}
	if ((dots > 0 || !searched || !(options & RES_NOTLDQUERY)) && !as_is_asked && !root_listed) {
		if (query_domain(r, q, NULL) && q->outcome == DNS_ANSWER)
			return;
		got_failure |= q->outcome == DNS_TEMPFAIL;
	}
	enum dns_outcome reported = got_failure ? DNS_TEMPFAIL
				    : as_is_asked ? as_is
				    : got_nodata ? DNS_NODATA : q->outcome;
	/* The reply is the last query's: kept only with its own outcome. */
	if (reported != q->outcome)
		q->length = 0;
	q->outcome = reported;
}

/* A TEMPFAIL's reply (FORMERR; over TCP any failing RCODE) is not passed on. */
static enum dns_outcome resolver_query(void *ctx, const char *name, uint16_t type, bool search,
				       uint8_t *answer, size_t size, size_t *length)
{
	struct resolver *r = ctx;
	struct dns_query q = {name, type, answer, size, 0, DNS_TEMPFAIL, false};

	if (r->ready && search)
		search_query(r, &q);
	else if (r->ready)
		run_client(r, &q, 1, -1);
	*length = q.outcome != DNS_TEMPFAIL ? q.length : 0;
	return q.outcome;
}

/* A lookup's address queries share one schedule from the first; no-aaaa:
 * AAAA answered NODATA unsent. */
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
	return (struct dns_transport){.query = resolver_query, .query_batch = resolver_query_batch,
				      .ctx = r, .no_aaaa = r->no_aaaa};
}
