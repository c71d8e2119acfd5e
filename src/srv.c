/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SRV engine's lookup (srv.h, DESIGN.md "The lookup"). */
#include "srv.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rfc2782.h"
#include "srv_parse.h"
#include "text.h"

const char *srv_status_name(enum srv_status status)
{
	switch (status) {
	case SRV_SUCCESS: return "success";
	case SRV_NOT_DECIDED: return "not-decided";
	case SRV_HOST_NOT_FOUND: return "host-not-found";
	case SRV_NO_DATA: return "no-data";
	case SRV_TRY_AGAIN: return "try-again";
	case SRV_NO_MEMORY: return "no-memory";
	}
	return "unknown";
}

void srv_result_init(struct srv_result *res)
{
	/* All before targets[], and targets[0]: the debug log reads it even without targets. */
	memset(res, 0, offsetof(struct srv_result, targets) + sizeof(res->targets[0]));
	res->status = SRV_HOST_NOT_FOUND;
	res->reason = "";
}

/* Address queries of one batch: at most two (A, AAAA) per target. */
#define BATCH_MAX ((size_t)2 * SRV_MAX_TARGETS)
/* Far more than SRV_MAX_ADDRS records, and any reply to EDNS payload 1200;
 * a longer (TCP) reply is cut and read up to its last whole record. */
#define ADDRESS_ANSWER_SIZE 1232

/* A lookup's heap: this block, and the address replies only when a target
 * needs queries; each below malloc's thresholds (128 KiB), so no brk or mmap. */
struct lookup_buffers {
	uint8_t answer[SRV_ANSWER_SIZE];
	struct srv_record records[SRV_MAX_RECORDS];
	size_t order[SRV_MAX_RECORDS];
};
typedef uint8_t address_answers[BATCH_MAX][ADDRESS_ANSWER_SIZE];
_Static_assert(sizeof(struct lookup_buffers) < (size_t)96 * 1024, "a small heap block");

/* What is known of a target's addresses, from worst to best news. */
enum target_state {
	TARGET_PENDING,      /* not covered by the Additional section: ask */
	TARGET_ABSENT,       /* NXDOMAIN */
	TARGET_OTHER_FAMILY, /* exists, no address of the asked family */
	TARGET_FAILED,       /* its query failed temporarily */
	TARGET_ALIAS,        /* a CNAME: refused (RFC 2782) */
	TARGET_USABLE,       /* has addresses of the asked family */
};

struct candidate {
	struct srv_target *target; /* in res->targets */
	size_t name_offset;        /* the target's name in the SRV reply */
	uint32_t ttl;              /* of the records used for it */
	enum target_state state;
	enum target_state glue;    /* what the Additional section showed */
};

struct lookup {
	const struct srv_request *req;
	int family;  /* req->family; AF_INET for AF_UNSPEC with no-aaaa */
	const struct dns_transport *transport;
	struct srv_rng *rng;
	struct srv_result *res;
	struct lookup_buffers *buf;
	address_answers *addr_buf;   /* NULL until a target needs queries */
	struct candidate cand[SRV_MAX_TARGETS];
};

static void set_outcome(struct lookup *lk, enum srv_status status, const char *reason)
{
	lk->res->status = status;
	lk->res->reason = reason;
}

/* A malformed reply is no reply; one cut by our buffer is read up to its
 * last whole record (DESIGN.md "The lookup" 4). */
static bool usable_reply(struct dns_msg *msg, const uint8_t *answer, size_t length, size_t size)
{
	bool cut = length > size;

	if (dns_msg_init(msg, answer, cut ? size : length) < 0 || !dns_msg_is_response(msg) ||
	    dns_msg_rcode(msg) != DNS_RCODE_NOERROR)
		return false;
	return cut || dns_msg_whole(msg);
}

/* What one A or AAAA reply says of c; its addresses go to c's target. */
static enum target_state read_address_reply(const struct lookup *lk, struct candidate *c,
					    const struct dns_query *q)
{
	int family = q->type == DNS_TYPE_A ? AF_INET : AF_INET6;
	struct dns_msg msg;
	unsigned hops;

	switch (q->outcome) {
	case DNS_TEMPFAIL: return TARGET_FAILED;
	case DNS_NXDOMAIN: return TARGET_ABSENT;
	case DNS_NODATA: return TARGET_OTHER_FAMILY;
	case DNS_ANSWER: break;
	}
	/* A reply to another question is no reply (transports check it too). */
	if (!usable_reply(&msg, q->answer, q->length, q->size) ||
	    !dns_reply_answers(msg.data, msg.len, q->name, q->type))
		return TARGET_FAILED;
	size_t owner = srv_follow_cnames(&msg, &hops, &c->ttl);
	if (hops > 0 && !lk->req->allow_cname)
		return TARGET_ALIAS; /* RFC 2782: the target "MUST NOT be an alias" */
	unsigned before = c->target->naddrs;
	srv_addresses_for(&msg, DNS_SECTION_ANSWER, owner, family, c->target, &c->ttl);
	return c->target->naddrs > before ? TARGET_USABLE : TARGET_OTHER_FAMILY;
}

/* Asks the addresses of the candidates cand[which[0 .. n)] in one batch
 * (A and AAAA, or the asked family's) and records what each learnt. */
static void ask_addresses(struct lookup *lk, const size_t *which, size_t n)
{
	static const struct { int family; uint16_t type; } kinds[] = {
		{AF_INET, DNS_TYPE_A}, {AF_INET6, DNS_TYPE_AAAA}};
	struct dns_query queries[BATCH_MAX];
	size_t owner[BATCH_MAX];
	size_t nq = 0;

	if (n > 0 && lk->addr_buf == NULL)
		lk->addr_buf = malloc(sizeof(*lk->addr_buf));
	for (size_t j = 0; j < n && nq + 2 <= BATCH_MAX; j++) {
		if (lk->addr_buf == NULL) { /* out of memory: a temporary failure */
			lk->cand[which[j]].state = TARGET_FAILED;
			continue;
		}
		for (size_t k = 0; k < 2; k++) {
			if (lk->family != AF_UNSPEC && lk->family != kinds[k].family)
				continue;
			queries[nq] = (struct dns_query){lk->cand[which[j]].target->name, kinds[k].type,
							 (*lk->addr_buf)[nq], ADDRESS_ANSWER_SIZE, 0,
							 DNS_TEMPFAIL, false};
			owner[nq++] = which[j];
		}
	}
	if (nq == 0)
		return;
	lk->res->queries += (unsigned)nq;
	lk->transport->query_batch(lk->transport->ctx, queries, nq);
	for (size_t i = 0; i < nq; i++) {
		struct candidate *c = &lk->cand[owner[i]];
		enum target_state learnt = read_address_reply(lk, c, &queries[i]);
		enum target_state known = c->state;
		if (known == TARGET_PENDING)
			known = c->glue;
		c->state = learnt > known ? learnt : known; /* the better news */
	}
}

/* cand[k], res->targets[k]: the k-th record's target, with the Additional
 * section's addresses (RFC 2782 recommends them); for one family only that
 * family's count (a cache may hold some of the target's records only).  A
 * repeated target is left ABSENT. */
static void prepare_candidate(struct lookup *lk, const struct dns_msg *msg, size_t k)
{
	const struct srv_record *rec = &lk->buf->records[lk->buf->order[k]];
	struct candidate *c = &lk->cand[k];
	struct srv_target *t = &lk->res->targets[k];

	c->target = t;
	c->name_offset = rec->target_offset;
	t->naddrs = 0;
	for (size_t j = 0; j < k; j++) {
		/* A target named again is one host: the earlier candidate speaks for it. */
		if (dns_name_equal_valid(msg->data, msg->len, lk->cand[j].name_offset,
					 c->name_offset)) {
			c->state = c->glue = TARGET_ABSENT;
			return;
		}
	}
	dns_name_to_text(msg->data, msg->len, rec->target_offset, t->name, sizeof(t->name));
	t->priority = rec->priority;
	t->weight = rec->weight;
	t->port = rec->port;
	c->ttl = UINT32_MAX;
	bool any = srv_addresses_for(msg, DNS_SECTION_ADDITIONAL, rec->target_offset,
				     lk->family, t, &c->ttl);
	if (lk->transport->no_aaaa && lk->family == AF_INET6)
		t->naddrs = 0; /* no IPv6 address from DNS (resolv.conf no-aaaa) */
	c->state = t->naddrs > 0 ? TARGET_USABLE : TARGET_PENDING;
	c->glue = any ? TARGET_OTHER_FAMILY : TARGET_ABSENT; /* it exists */
}

/* The outcome when no candidate is usable: the highest rank decides
 * (DESIGN.md "Statuses"). */
static const struct {
	int rank;
	enum srv_status status;
	const char *reason;
} unusable[] = {
	[TARGET_PENDING] = {0, SRV_HOST_NOT_FOUND, "no SRV target has an address"},
	[TARGET_ABSENT] = {0, SRV_HOST_NOT_FOUND, "no SRV target has an address"},
	[TARGET_OTHER_FAMILY] = {2, SRV_NO_DATA, "no SRV target has an address of the asked family"},
	[TARGET_FAILED] = {3, SRV_TRY_AGAIN, "address query of a target failed (timeout, SERVFAIL, "
					     "REFUSED) and no other target has an address"},
	[TARGET_ALIAS] = {1, SRV_HOST_NOT_FOUND, "SRV target is an alias (CNAME), refused (RFC 2782)"},
	[TARGET_USABLE] = {0, SRV_HOST_NOT_FOUND, "no SRV target has an address"}, /* unused */
};

/* The status when no candidate of cand[0 .. n) is usable. */
static void no_usable_target(struct lookup *lk, size_t n)
{
	size_t decisive = 0;

	for (size_t k = 1; k < n; k++)
		if (unusable[lk->cand[k].state].rank > unusable[lk->cand[decisive].state].rank)
			decisive = k;
	enum target_state s = TARGET_ABSENT;
	if (n > 0)
		s = lk->cand[decisive].state;
	set_outcome(lk, unusable[s].status, unusable[s].reason);
	if (s == TARGET_ALIAS)
		text_copy(lk->res->subject, sizeof(lk->res->subject), lk->cand[decisive].target->name);
}

static void lower_ttl(struct srv_result *res, uint32_t ttl)
{
	if (ttl < res->ttl)
		res->ttl = ttl;
}

/* getaddrinfo's entry points: the first usable target (DESIGN.md "The lookup" 7). */
static void resolve_first_usable(struct lookup *lk, const struct dns_msg *msg, size_t ncand)
{
	for (size_t k = 0; k < ncand; k++) {
		prepare_candidate(lk, msg, k);
		if (lk->cand[k].state == TARGET_PENDING)
			ask_addresses(lk, &k, 1);
		if (lk->cand[k].state == TARGET_USABLE) {
			if (k > 0)
				lk->res->targets[0] = lk->res->targets[k];
			lk->res->ntargets = 1;
			lower_ttl(lk->res, lk->cand[k].ttl);
			set_outcome(lk, SRV_SUCCESS, "selected by RFC 2782");
			return;
		}
	}
	no_usable_target(lk, ncand);
}

/* gethostbyname_r: every usable target; the uncovered ones asked in one batch. */
static void resolve_failover_list(struct lookup *lk, const struct dns_msg *msg, size_t ncand)
{
	size_t pending[SRV_MAX_TARGETS] = {0};
	size_t npending = 0;
	struct srv_result *res = lk->res;

	for (size_t k = 0; k < ncand; k++) {
		prepare_candidate(lk, msg, k);
		if (lk->cand[k].state == TARGET_PENDING)
			pending[npending++] = k;
	}
	ask_addresses(lk, pending, npending);
	res->ntargets = 0;
	for (size_t k = 0; k < ncand; k++) {
		if (lk->cand[k].state != TARGET_USABLE)
			continue;
		lower_ttl(res, lk->cand[k].ttl);
		if (res->ntargets != k)
			res->targets[res->ntargets] = res->targets[k];
		res->ntargets++;
	}
	if (res->ntargets > 0)
		set_outcome(lk, SRV_SUCCESS, "selected by RFC 2782");
	else
		no_usable_target(lk, ncand);
}

/* Moves the usable records to the front: not ".", on the program's port
 * (glibc takes the port from the services lookup, docs/glibc-facts.md).
 * Lowers res->ttl to the RRset's (every record has it). */
static size_t keep_usable_records(struct lookup *lk, size_t n, bool *dot_only)
{
	struct srv_record *records = lk->buf->records;
	size_t usable = 0;

	*dot_only = true;
	for (size_t i = 0; i < n; i++) {
		if (!records[i].root_target)
			*dot_only = false;
		if (records[i].root_target ||
		    (lk->req->port >= 0 && records[i].port != lk->req->port))
			continue;
		records[usable++] = records[i];
	}
	if (usable > 0)
		lower_ttl(lk->res, records[0].ttl);
	return usable;
}

/* False when the name has no SRV RRset, so the next is asked; true when it
 * decides the lookup (DESIGN.md "The lookup" 2). */
static bool decide_by_srv_name(struct lookup *lk, const char *srv_name, bool search)
{
	struct srv_result *res = lk->res;
	struct dns_msg msg;
	size_t length = 0;
	unsigned bad;
	bool dot_only;

	res->queries++;
	enum dns_outcome outcome = lk->transport->query(lk->transport->ctx, srv_name, DNS_TYPE_SRV,
							search, lk->buf->answer,
							SRV_ANSWER_SIZE, &length);
	if (outcome == DNS_ANSWER && !usable_reply(&msg, lk->buf->answer, length, SRV_ANSWER_SIZE))
		outcome = DNS_TEMPFAIL;
	if (outcome == DNS_TEMPFAIL) {
		set_outcome(lk, SRV_TRY_AGAIN, "SRV query failed (timeout, SERVFAIL, REFUSED or "
					       "a malformed reply)");
		return true;
	}
	if (outcome != DNS_ANSWER)
		return false;
	int total = srv_parse_answer(&msg, lk->buf->records, SRV_MAX_RECORDS, &bad);
	if (total == 0)
		return false;
	dns_name_to_text(msg.data, msg.len, msg.question_offset, res->srv_name,
			 sizeof(res->srv_name));
	if (total < 0) {
		set_outcome(lk, SRV_TRY_AGAIN, bad > 0 ? "malformed SRV record: the RRset is unusable"
						       : "more SRV records than the module handles");
		if (bad > 0)
			snprintf(res->subject, sizeof(res->subject), "answer record %u", bad);
		return true;
	}
	size_t usable = keep_usable_records(lk, (size_t)total, &dot_only);
	if (usable == 0) {
		set_outcome(lk, SRV_HOST_NOT_FOUND,
			    dot_only ? "SRV target \".\": service decidedly not available"
				     : "no SRV record on the program's port");
		return true;
	}
	srv_select_order(lk->buf->records, usable, lk->rng, lk->buf->order);
	size_t ncand = usable < SRV_MAX_TARGETS ? usable : SRV_MAX_TARGETS;
	if (lk->req->want_failover)
		resolve_failover_list(lk, &msg, ncand);
	else
		resolve_first_usable(lk, &msg, ncand);
	return true;
}

/* Writes service + "." + domain into out; false when the service is not a
 * name of its own or the result is not a host name. */
static bool join_name(char *out, size_t size, const char *service, const char *domain)
{
	size_t service_len = strnlen(service, SRV_SERVICE_SIZE);
	size_t domain_len = strlen(domain);

	if (service_len == 0 || service_len == SRV_SERVICE_SIZE ||
	    service_len + 1 + domain_len >= size)
		return false;
	memcpy(out, service, service_len);
	out[service_len] = '.';
	memcpy(out + service_len + 1, domain, domain_len + 1);
	return srv_is_owner_name(out) && srv_name_valid(out);
}

/* A request the engine can act on (srv_resolve is safe for any). */
static bool request_valid(const struct srv_request *req)
{
	if (memchr(req->name, '\0', sizeof(req->name)) == NULL || !srv_name_valid(req->name))
		return false;
	if (req->family != AF_INET && req->family != AF_INET6 && req->family != AF_UNSPEC)
		return false;
	if (req->port < -1 || req->port > 65535 || req->nservices > SRV_MAX_SERVICES)
		return false;
	return req->nservices > 0 || srv_is_owner_name(req->name);
}

void srv_resolve(const struct srv_request *req, const struct dns_transport *transport,
		 struct srv_rng *rng, struct srv_result *res)
{
	struct lookup lk = {.req = req, .transport = transport, .rng = rng, .res = res};
	char srv_name[DNS_NAME_TEXT_SIZE + 1];

	srv_result_init(res);
	res->ttl = UINT32_MAX;
	set_outcome(&lk, SRV_NOT_DECIDED, "not a host name the module can ask SRV records for");
	if (!request_valid(req))
		goto out;
	lk.family = transport->no_aaaa && req->family == AF_UNSPEC ? AF_INET : req->family;
	lk.buf = malloc(sizeof(*lk.buf));
	if (lk.buf == NULL) {
		set_outcome(&lk, SRV_NO_MEMORY, "out of memory");
		goto out;
	}
	/* RFC 3263: a dotted domain is absolute, a single label follows the
	 * search list (DESIGN.md "The lookup" 1). */
	const char *domain = req->nservices > 0 ? req->name
						: strchr(strchr(req->name, '.') + 1, '.') + 1;
	bool search = strchr(domain, '.') == NULL;
	unsigned names = req->nservices > 0 ? req->nservices : 1;
	set_outcome(&lk, SRV_NOT_DECIDED, "no SRV records: the next module resolves the name");
	for (unsigned i = 0; i < names; i++) {
		if (req->nservices > 0 &&
		    !join_name(srv_name, sizeof(srv_name), req->services[i], req->name))
			continue;
		if (decide_by_srv_name(&lk, req->nservices > 0 ? srv_name : req->name, search))
			break;
	}
	free(lk.addr_buf);
	free(lk.buf);
out:
	if (res->status != SRV_SUCCESS)
		res->ntargets = 0;
	if (res->status != SRV_SUCCESS || res->ttl == UINT32_MAX)
		res->ttl = 0;
}
