/* The SRV engine: see srv.h. */
#include "srv.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "text.h"

const char *srv_status_name(enum srv_status status)
{
	switch (status) {
	case SRV_SUCCESS: return "success";
	case SRV_HOST_NOT_FOUND: return "host-not-found";
	case SRV_NO_DATA: return "no-data";
	case SRV_TRY_AGAIN: return "try-again";
	case SRV_NO_MEMORY: return "no-memory";
	}
	return "unknown";
}

/* ---- names ---------------------------------------------------------- */

bool srv_name_valid(const char *name)
{
	size_t len = strlen(name);
	size_t label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_TEXT_SIZE - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return false; /* empty label */
			label = 0;
		} else if (!dns_host_octet((uint8_t)name[i]) || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

bool srv_is_owner_name(const char *name)
{
	const char *second;

	if (name[0] != '_')
		return false;
	second = strchr(name, '.');
	if (second == NULL || second[1] != '_')
		return false;
	const char *domain = strchr(second + 1, '.');
	return domain != NULL && domain[1] != '\0' && domain[1] != '.';
}

/* ---- parsing -------------------------------------------------------- */

/* Offset of the first question's name after checking it asks (qtype, IN). */
static bool question_is(const struct dns_msg *msg, uint16_t qtype)
{
	size_t end;

	if (msg->qdcount != 1 || dns_name_skip(msg->data, msg->len, msg->question_offset, &end) < 0)
		return false;
	return dns_get16(msg->data + end) == qtype && dns_get16(msg->data + end + 2) == DNS_CLASS_IN;
}

/* Follows CNAME records of the answer section from the question name (RFC
 * 1034 3.6.2).  *hops counts the aliases followed.  Returns the offset of
 * the name that owns the data. */
static size_t follow_cnames(const struct dns_msg *msg, unsigned *hops)
{
	size_t current = msg->question_offset;

	*hops = 0;
	while (*hops < SRV_MAX_CNAME_HOPS) {
		struct dns_rr_iter it;
		struct dns_rr rr;
		bool moved = false;

		dns_rr_iter_init(&it, msg, DNS_SECTION_ANSWER);
		while (dns_rr_iter_next(&it, &rr)) {
			size_t end;
			if (rr.type != DNS_TYPE_CNAME || rr.rclass != DNS_CLASS_IN ||
			    !dns_name_equal_valid(msg->data, msg->len, rr.owner_offset, current))
				continue;
			if (dns_name_skip(msg->data, msg->len, rr.rdata_offset, &end) < 0 ||
			    end != rr.rdata_offset + rr.rdlength)
				continue;
			current = rr.rdata_offset;
			moved = true;
			break;
		}
		if (!moved)
			break;
		(*hops)++;
	}
	return current;
}

static bool same_record(const struct dns_msg *msg, const struct srv_record *a,
			const struct srv_record *b)
{
	return a->priority == b->priority && a->weight == b->weight && a->port == b->port &&
	       dns_name_equal_valid(msg->data, msg->len, a->target_offset, b->target_offset);
}

size_t srv_parse_answer(const struct dns_msg *msg, struct srv_record *out, size_t max)
{
	struct dns_rr_iter it;
	struct dns_rr rr;
	size_t count = 0;
	size_t owner = msg->question_offset;
	bool cnames_followed = false;

	if (!question_is(msg, DNS_TYPE_SRV))
		return 0;
	dns_rr_iter_init(&it, msg, DNS_SECTION_ANSWER);
	while (dns_rr_iter_next(&it, &rr)) {
		struct srv_record rec;
		size_t end;

		if (rr.rclass != DNS_CLASS_IN)
			continue;
		/* Once `max` records are kept, only a CNAME still matters. */
		if (rr.type == DNS_TYPE_CNAME && !cnames_followed) {
			/* The records may belong to an alias's target: start over
			 * with the end of the chain as owner (one pass when, as
			 * nearly always, there is no CNAME). */
			unsigned hops;
			owner = follow_cnames(msg, &hops);
			cnames_followed = true;
			count = 0;
			dns_rr_iter_init(&it, msg, DNS_SECTION_ANSWER);
			continue;
		}
		if (count >= max || rr.type != DNS_TYPE_SRV || rr.rdlength < 7 ||
		    !dns_name_equal_valid(msg->data, msg->len, rr.owner_offset, owner))
			continue;
		const uint8_t *rdata = msg->data + rr.rdata_offset;
		rec.priority = dns_get16(rdata);
		rec.weight = dns_get16(rdata + 2);
		rec.port = dns_get16(rdata + 4);
		rec.ttl = rr.ttl;
		rec.target_offset = rr.rdata_offset + 6;
		/* RFC 2782: the target fills the rest of the RDATA exactly, and
		 * is a host name (or "."). */
		if (dns_name_check_host(msg->data, msg->len, rec.target_offset, &end,
					&rec.root_target) < 0 ||
		    end != rr.rdata_offset + rr.rdlength)
			continue;
		bool duplicate = false;
		for (size_t i = 0; i < count && !duplicate; i++)
			duplicate = same_record(msg, &out[i], &rec);
		if (!duplicate)
			out[count++] = rec;
	}
	return count;
}

/* ---- RFC 2782 selection --------------------------------------------- */

void srv_select_order(const struct srv_record *records, size_t n, struct srv_rng *rng,
		      size_t *order)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* Shuffle first, so the order on the wire can never matter (RFC 2782
	 * leaves the order of non-zero weights open; a fixed order would make
	 * the first zero-weight record always win its 1/(S+1)). */
	for (size_t i = n; i > 1; i--) {
		size_t j = srv_rng_below(rng, (uint32_t)i);
		size_t tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	/* Stable insertion sort: ascending priority, weight 0 first within a
	 * priority (RFC 2782: "arrange all SRV RRs ... in any order, except that
	 * all those with weight 0 are placed at the beginning of the list"). */
	for (size_t i = 1; i < n; i++) {
		size_t cur = order[i];
		size_t j = i;
		while (j > 0) {
			const struct srv_record *prev = &records[order[j - 1]];
			const struct srv_record *rec = &records[cur];
			bool before = rec->priority < prev->priority ||
				      (rec->priority == prev->priority && rec->weight == 0 &&
				       prev->weight != 0);
			if (!before)
				break;
			order[j] = order[j - 1];
			j--;
		}
		order[j] = cur;
	}
	for (size_t group = 0; group < n;) {
		size_t group_end = group;
		while (group_end < n && records[order[group_end]].priority ==
					       records[order[group]].priority)
			group_end++;
		for (size_t k = group; k < group_end; k++) {
			uint32_t sum = 0;
			for (size_t j = k; j < group_end; j++)
				sum += records[order[j]].weight;
			size_t chosen = k;
			if (sum > 0) {
				/* RFC 2782 draws r in [0, S]; r = 0 belongs to the
				 * weight-0 records at the front.  Without any, draw in
				 * [1, S] so no record gets an extra 1/(S+1). */
				bool zero_present = records[order[k]].weight == 0;
				uint32_t r = zero_present ? srv_rng_below(rng, sum + 1)
							  : 1 + srv_rng_below(rng, sum);
				uint32_t running = 0;
				for (chosen = k; chosen < group_end; chosen++) {
					running += records[order[chosen]].weight;
					if (running >= r)
						break;
				}
				if (chosen == group_end)
					chosen = group_end - 1; /* r <= S: cannot happen */
			}
			/* S = 0: every remaining record is weight 0 and the shuffle
			 * already made the front one a uniform choice. */
			size_t pick = order[chosen];
			memmove(&order[k + 1], &order[k], (chosen - k) * sizeof(order[0]));
			order[k] = pick;
		}
		group = group_end;
	}
}

double srv_first_choice_probability(const struct srv_record *records, size_t n, size_t i)
{
	uint64_t sum = 0;
	size_t members = 0;
	size_t zeros = 0;

	for (size_t j = 0; j < n; j++) {
		if (records[j].priority != records[i].priority)
			continue;
		members++;
		sum += records[j].weight;
		zeros += records[j].weight == 0;
	}
	if (sum == 0)
		return 1.0 / (double)members;
	if (zeros == 0)
		return (double)records[i].weight / (double)sum;
	if (records[i].weight == 0)
		return 1.0 / ((double)(sum + 1) * (double)zeros);
	return (double)records[i].weight / (double)(sum + 1);
}

/* ---- addresses ------------------------------------------------------ */

static void add_address(struct srv_target *t, int family, const uint8_t *bytes, size_t size)
{
	for (unsigned i = 0; i < t->naddrs; i++)
		if (t->addrs[i].family == family && memcmp(t->addrs[i].bytes, bytes, size) == 0)
			return;
	if (t->naddrs >= SRV_MAX_ADDRS)
		return;
	t->addrs[t->naddrs].family = family;
	memset(t->addrs[t->naddrs].bytes, 0, sizeof(t->addrs[0].bytes));
	memcpy(t->addrs[t->naddrs].bytes, bytes, size);
	t->naddrs++;
}

bool srv_addresses_for(const struct dns_msg *msg, enum dns_section section, size_t name_offset,
		       int family, struct srv_target *out, uint32_t *ttl)
{
	struct dns_rr_iter it;
	struct dns_rr rr;
	bool any = false;

	dns_rr_iter_init(&it, msg, section);
	while (dns_rr_iter_next(&it, &rr)) {
		int rr_family;
		size_t size;
		if (rr.rclass != DNS_CLASS_IN)
			continue;
		if (rr.type == DNS_TYPE_A && rr.rdlength == 4) {
			rr_family = AF_INET;
			size = 4;
		} else if (rr.type == DNS_TYPE_AAAA && rr.rdlength == 16) {
			rr_family = AF_INET6;
			size = 16;
		} else {
			continue;
		}
		if (!dns_name_equal_valid(msg->data, msg->len, rr.owner_offset, name_offset))
			continue;
		any = true;
		if (family != AF_UNSPEC && family != rr_family)
			continue;
		add_address(out, rr_family, msg->data + rr.rdata_offset, size);
		if (rr.ttl < *ttl)
			*ttl = rr.ttl;
	}
	return any;
}

/* ---- the lookup ----------------------------------------------------- */

struct lookup {
	const struct srv_request *req;
	const struct dns_transport *transport;
	struct srv_rng *rng;
	struct srv_result *res;
	uint8_t *srv_answer;  /* the SRV reply */
	uint8_t *scratch;     /* replies to address queries, allocated when needed */
	bool name_exists_without_family; /* some name had data, none of the family */
};

/* Parses a reply into *msg.  A malformed reply is unusable as a whole, like
 * no reply at all (a partial RRset would skew the selection); only a reply
 * cut by our own buffer may be read up to its last whole record. */
static bool usable_reply(struct dns_msg *msg, const uint8_t *answer, size_t length, size_t size)
{
	bool cut = length > size;

	if (dns_msg_init(msg, answer, cut ? size : length) < 0 || !dns_msg_is_response(msg) ||
	    dns_msg_rcode(msg) != DNS_RCODE_NOERROR)
		return false;
	return cut || dns_msg_whole(msg);
}

/* Sends the SRV query into lk->srv_answer, which holds the largest DNS
 * message: a long RRset arrives whole over TCP in one go (a smaller buffer
 * would cost the query and its TCP retry a second time). */
static enum dns_outcome query_srv(struct lookup *lk, const char *name, struct dns_msg *msg)
{
	size_t length = 0;
	enum dns_outcome outcome;

	lk->res->queries++;
	outcome = lk->transport->query(lk->transport->ctx, name, DNS_TYPE_SRV, true,
				       lk->srv_answer, SRV_ANSWER_SIZE, &length);
	if (outcome != DNS_ANSWER)
		return outcome;
	return usable_reply(msg, lk->srv_answer, length, SRV_ANSWER_SIZE) ? DNS_ANSWER
									 : DNS_TEMPFAIL;
}

static const int address_types[2][2] = {{AF_INET, DNS_TYPE_A}, {AF_INET6, DNS_TYPE_AAAA}};

/* Address queries of one lookup: at most two (A, AAAA) per target. */
#define BATCH_MAX ((size_t)2 * SRV_MAX_TARGETS)
/* An A or AAAA answer this large holds far more than SRV_MAX_ADDRS records;
 * a longer (TCP) reply is cut and parsed up to its last whole record.  The
 * buffers of one lookup stay below glibc's mmap threshold (128 KiB), so
 * they come from the heap without system calls. */
#define ADDRESS_ANSWER_SIZE 1536

/* One name whose addresses are wanted, and what was learnt about it. */
struct address_job {
	const char *name;
	struct srv_target *target;
	uint32_t ttl;             /* lowered by the records used */
	bool rename;              /* fallback: name the target after the owner found */
	bool allow_alias;
	enum dns_outcome outcome; /* DNS_ANSWER: addresses found */
};

/* Takes one A/AAAA answer into the job. */
static void absorb_address_answer(struct lookup *lk, struct address_job *job,
				  const struct dns_query *q, int family, bool *exists, bool *failed)
{
	struct dns_msg msg;
	unsigned hops;

	if (q->outcome == DNS_NODATA)
		*exists = true;
	if (q->outcome != DNS_ANSWER)
		return;
	/* A reply to another question is no reply (transports check it too). */
	if (!usable_reply(&msg, q->answer, q->length, q->size) || !question_is(&msg, q->type) ||
	    (!job->rename && !dns_name_equal_text(msg.data, msg.len, msg.question_offset, q->name))) {
		*failed = true;
		return;
	}
	size_t owner = follow_cnames(&msg, &hops);
	if (hops > 0 && !job->allow_alias) {
		/* RFC 2782: the target "MUST NOT be an alias". */
		lk->res->reason = "target is an alias (CNAME), refused";
		*exists = true;
		return;
	}
	unsigned before = job->target->naddrs;
	if (srv_addresses_for(&msg, DNS_SECTION_ANSWER, owner, family, job->target, &job->ttl))
		*exists = true;
	char canonical[DNS_NAME_TEXT_SIZE];
	/* The canonical name is the end of the CNAME chain, when it is a host
	 * name (not the root, nothing outside the host-name alphabet). */
	if (job->target->naddrs > before && job->rename &&
	    dns_name_to_text(msg.data, msg.len, owner, canonical, sizeof(canonical)) == 0 &&
	    canonical[0] != '\0')
		memcpy(job->target->name, canonical, sizeof(canonical));
}

/* Resolves the addresses of every job, all queries at once when the
 * transport can (one round trip), else one after the other, stopping at the
 * first temporary failure so a dead server costs one timeout. */
static void run_address_jobs(struct lookup *lk, struct address_job *jobs, size_t njobs,
			     bool search)
{
	struct dns_query queries[BATCH_MAX];
	int families[BATCH_MAX];
	size_t owner[BATCH_MAX];
	size_t n = 0;

	if (njobs == 0)
		return; /* the Additional section covered every target */
	if (lk->scratch == NULL)
		lk->scratch = malloc((size_t)BATCH_MAX * ADDRESS_ANSWER_SIZE);
	if (lk->scratch == NULL) {
		for (size_t j = 0; j < njobs; j++)
			jobs[j].outcome = DNS_TEMPFAIL;
		return;
	}
	for (size_t j = 0; j < njobs && n + 2 <= BATCH_MAX; j++) {
		for (int i = 0; i < 2; i++) {
			int family = address_types[i][0];
			if (lk->req->family != AF_UNSPEC && lk->req->family != family)
				continue;
			memset(&queries[n], 0, sizeof(queries[n]));
			queries[n].name = jobs[j].name;
			queries[n].type = (uint16_t)address_types[i][1];
			queries[n].answer = lk->scratch + n * ADDRESS_ANSWER_SIZE;
			queries[n].size = ADDRESS_ANSWER_SIZE;
			queries[n].outcome = DNS_TEMPFAIL; /* until answered */
			families[n] = family;
			owner[n] = j;
			n++;
		}
	}
	lk->res->queries += (unsigned)n;
	if (lk->transport->query_batch != NULL && !search) {
		lk->transport->query_batch(lk->transport->ctx, queries, n);
	} else {
		for (size_t i = 0; i < n; i++) {
			queries[i].outcome = lk->transport->query(lk->transport->ctx, queries[i].name,
								  queries[i].type, search,
								  queries[i].answer, queries[i].size,
								  &queries[i].length);
			if (queries[i].outcome == DNS_TEMPFAIL) {
				lk->res->queries -= (unsigned)(n - i - 1); /* not sent */
				break;
			}
			if (queries[i].outcome == DNS_NXDOMAIN && !search && i + 1 < n &&
			    owner[i + 1] == owner[i]) {
				/* The name does not exist: no other family to ask. */
				queries[i + 1].outcome = DNS_NXDOMAIN;
				lk->res->queries--;
				i++;
			}
		}
	}
	for (size_t j = 0; j < njobs; j++) {
		bool exists = false;
		bool failed = false;
		for (size_t i = 0; i < n; i++) {
			if (owner[i] != j)
				continue;
			if (queries[i].outcome == DNS_TEMPFAIL)
				failed = true;
			absorb_address_answer(lk, &jobs[j], &queries[i], families[i], &exists,
					      &failed);
		}
		if (jobs[j].target->naddrs > 0)
			jobs[j].outcome = DNS_ANSWER;
		else if (failed)
			jobs[j].outcome = DNS_TEMPFAIL;
		else
			jobs[j].outcome = exists ? DNS_NODATA : DNS_NXDOMAIN;
		if (jobs[j].outcome == DNS_NODATA)
			lk->name_exists_without_family = true;
	}
}

/* Fills the target of one record and takes its addresses from the
 * Additional section.  True when that section covers it (no query needed):
 * for both families any of its addresses will do (they are the target's);
 * for one family only that family's records count, since a caching resolver
 * may hold only some of the target's records. */
static bool prepare_target(struct lookup *lk, const struct dns_msg *msg,
			   const struct srv_record *rec, struct srv_target *t,
			   struct address_job *job)
{
	t->naddrs = 0;
	dns_name_to_text(msg->data, msg->len, rec->target_offset, t->name, sizeof(t->name));
	t->priority = rec->priority;
	t->weight = rec->weight;
	t->port = rec->port;
	*job = (struct address_job){t->name, t, lk->res->ttl, false, lk->req->allow_cname,
				    DNS_NXDOMAIN};
	/* RFC 2782: use the Additional section's addresses when present. */
	bool any = srv_addresses_for(msg, DNS_SECTION_ADDITIONAL, rec->target_offset,
				     lk->req->family, t, &job->ttl);
	if (any && t->naddrs == 0)
		lk->name_exists_without_family = true; /* it has the other family */
	return lk->req->family == AF_UNSPEC ? any : t->naddrs > 0;
}

/* Resolves the ordered records into res->targets.  Targets the Additional
 * section covers cost nothing (RFC 2782); for a failover list the others are
 * asked all at once, otherwise only as far as the first usable target.
 * Returns false when a query failed temporarily and nothing usable was
 * found. */
static bool resolve_targets(struct lookup *lk, const struct dns_msg *msg,
			    const struct srv_record *records, const size_t *order, size_t n)
{
	struct srv_result *res = lk->res;
	struct address_job jobs[SRV_MAX_TARGETS];
	bool covered[SRV_MAX_TARGETS];
	size_t ncand = n > SRV_MAX_TARGETS ? SRV_MAX_TARGETS : n;
	bool failed = false;

	if (lk->req->want_failover) {
		/* Every target not covered is asked at once: one round trip. */
		struct address_job *pending[SRV_MAX_TARGETS];
		struct address_job batch[SRV_MAX_TARGETS];
		size_t npending = 0;
		/* cppcheck 2.10 wrongly infers n < 1 here (the caller returns
		 * early when no record is usable). */
		// cppcheck-suppress knownConditionTrueFalse
		for (size_t k = 0; k < ncand; k++) {
			covered[k] = prepare_target(lk, msg, &records[order[k]], &res->targets[k],
						    &jobs[k]);
			if (!covered[k]) {
				pending[npending] = &jobs[k];
				batch[npending++] = jobs[k];
			}
		}
		run_address_jobs(lk, batch, npending, false);
		for (size_t i = 0; i < npending; i++) {
			*pending[i] = batch[i];
			failed |= batch[i].outcome == DNS_TEMPFAIL;
		}
	} else {
		/* Only as far as the first usable target: the Additional section
		 * is scanned, and queries sent, for no target after it. */
		for (size_t k = 0; k < ncand; k++) {
			covered[k] = prepare_target(lk, msg, &records[order[k]], &res->targets[k],
						    &jobs[k]);
			if (!covered[k]) {
				run_address_jobs(lk, &jobs[k], 1, false);
				if (jobs[k].outcome == DNS_TEMPFAIL) {
					failed = true;
					ncand = k + 1;
					break; /* bounded time: no more queries */
				}
			}
			if (res->targets[k].naddrs > 0) {
				ncand = k + 1;
				break;
			}
		}
	}
	/* Keep the targets that have addresses, in order. */
	res->ntargets = 0;
	for (size_t k = 0; k < ncand; k++) {
		if (res->targets[k].naddrs == 0)
			continue;
		if (!lk->req->want_failover && res->ntargets == 1)
			break;
		if (jobs[k].ttl < res->ttl)
			res->ttl = jobs[k].ttl;
		if (res->ntargets != k)
			res->targets[res->ntargets] = res->targets[k];
		res->ntargets++;
	}
	if (res->ntargets == 0 && failed) {
		res->reason = "address query of a target failed (timeout or SERVFAIL)";
		return false;
	}
	return true;
}

/* Writes service + "." + domain (domain: a valid name) into out; false when
 * the service is not a name of its own or the result is too long. */
static bool join_name(char *out, size_t size, const char *service, const char *domain)
{
	size_t service_len = strlen(service);
	size_t domain_len = strlen(domain);
	size_t name_len = service_len + 1 + domain_len;

	if (service_len == 0 || service[service_len - 1] == '.' || !srv_name_valid(service))
		return false;
	/* The same bound as srv_name_valid: 253 octets before a trailing dot. */
	if (name_len - (domain[domain_len - 1] == '.') > DNS_NAME_TEXT_SIZE - 1 ||
	    name_len >= size)
		return false;
	memcpy(out, service, service_len + 1);
	out[service_len] = '.'; /* over the NUL just copied */
	memcpy(out + service_len + 1, domain, domain_len + 1);
	return true;
}

/* Outcome of one SRV name. */
enum srv_step { STEP_NO_RRSET, STEP_NOTHING_USABLE, STEP_DONE, STEP_FAILED };

static enum srv_step try_srv_name(struct lookup *lk, const char *srv_name,
				  struct srv_record *records, size_t *order)
{
	const struct srv_request *req = lk->req;
	struct srv_result *res = lk->res;
	struct dns_msg msg;

	enum dns_outcome outcome = query_srv(lk, srv_name, &msg);
	if (outcome == DNS_TEMPFAIL) {
		res->reason = "SRV query failed (timeout, SERVFAIL or REFUSED)";
		return STEP_FAILED;
	}
	if (outcome != DNS_ANSWER)
		return STEP_NO_RRSET;
	size_t total = srv_parse_answer(&msg, records, SRV_MAX_RECORDS);
	if (total == 0)
		return STEP_NO_RRSET;
	dns_name_to_text(msg.data, msg.len, msg.question_offset, res->srv_name,
			 sizeof(res->srv_name));
	/* Keep the records the program can use: a "." target is skipped (alone
	 * it means "decidedly not available"), and glibc takes the port from the
	 * services lookup, so only records on that port can be honoured. */
	size_t usable = 0;
	bool dot_only = true;
	uint32_t srv_ttl = UINT32_MAX;
	for (size_t i = 0; i < total; i++) {
		if (!records[i].root_target)
			dot_only = false;
		if (records[i].root_target || (req->port >= 0 && records[i].port != req->port))
			continue;
		if (records[i].ttl < srv_ttl)
			srv_ttl = records[i].ttl;
		records[usable++] = records[i];
	}
	if (usable == 0) {
		res->reason = dot_only ? "SRV target \".\": service decidedly not available"
				       : "no SRV record on the program's port";
		return STEP_NOTHING_USABLE;
	}
	srv_select_order(records, usable, lk->rng, order);
	uint32_t saved_ttl = res->ttl;
	res->ttl = srv_ttl < res->ttl ? srv_ttl : res->ttl;
	if (!resolve_targets(lk, &msg, records, order, usable))
		return STEP_FAILED;
	if (res->ntargets == 0) {
		res->ttl = saved_ttl;
		res->reason = lk->name_exists_without_family
				      ? "no SRV target has an address of the asked family"
				      : "no SRV target has an address";
		return STEP_NOTHING_USABLE;
	}
	res->reason = "selected by RFC 2782";
	return STEP_DONE;
}

/* RFC 2782: "If no SRV RRs are found, fall back to A record" - the domain's
 * own addresses, with the program's own port. */
static void resolve_fallback(struct lookup *lk, const char *domain)
{
	struct srv_result *res = lk->res;
	struct srv_target *t = &res->targets[0];

	memset(t, 0, sizeof(*t));
	size_t len = strlen(domain);
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len >= sizeof(t->name))
		return; /* cannot happen: srv_name_valid() bounds the name */
	memcpy(t->name, domain, len);
	t->name[len] = '\0';
	res->fallback = true;
	/* The domain itself may be an alias like any host name; search list as
	 * the dns module applies it. */
	struct address_job job = {domain, t, res->ttl, true, true, DNS_NXDOMAIN};
	run_address_jobs(lk, &job, 1, true);
	if (job.outcome == DNS_ANSWER && job.ttl < res->ttl)
		res->ttl = job.ttl;
	switch (job.outcome) {
	case DNS_ANSWER:
		res->ntargets = 1;
		res->status = SRV_SUCCESS;
		res->reason = "no SRV records: the domain's own addresses (RFC 2782)";
		break;
	case DNS_NODATA:
		res->status = SRV_NO_DATA;
		res->reason = "no SRV records and no address of the asked family";
		break;
	case DNS_NXDOMAIN:
		res->status = SRV_HOST_NOT_FOUND;
		res->reason = "no SRV records and the domain does not exist";
		break;
	case DNS_TEMPFAIL:
		res->status = SRV_TRY_AGAIN;
		res->reason = "address query failed (timeout, SERVFAIL or REFUSED)";
		break;
	}
}

void srv_result_init(struct srv_result *res)
{
	/* Everything before the targets, and the first target (read by the
	 * debug log even without targets); the rest is written before use. */
	memset(res, 0, offsetof(struct srv_result, targets) + sizeof(res->targets[0]));
	res->status = SRV_HOST_NOT_FOUND;
	res->reason = "";
}

/* What one lookup needs on the heap, in one allocation (below glibc's mmap
 * threshold of 128 KiB, so no system call). */
struct srv_buffers {
	uint8_t answer[SRV_ANSWER_SIZE];
	struct srv_record records[SRV_MAX_RECORDS];
	size_t order[SRV_MAX_RECORDS];
};

void srv_resolve(const struct srv_request *req, const struct dns_transport *transport,
		 struct srv_rng *rng, struct srv_result *res)
{
	struct lookup lk = {req, transport, rng, res, NULL, NULL, false};
	char srv_name[DNS_NAME_TEXT_SIZE + 1];
	char domain[DNS_NAME_TEXT_SIZE + 1];
	struct srv_buffers *buffers = NULL;
	bool rrset_seen = false;

	srv_result_init(res);
	res->ttl = UINT32_MAX;
	res->reason = "not a valid host name";
	if (!srv_name_valid(req->name))
		goto out;
	/* An owner name "_svc._proto.domain" falls back to its domain. */
	const char *fallback = req->nservices > 0 ? req->name
						 : strchr(strchr(req->name, '.') + 1, '.') + 1;
	if (!text_copy(domain, sizeof(domain), fallback))
		goto out; /* cannot happen: srv_name_valid() bounds the name */
	buffers = malloc(sizeof(*buffers));
	if (buffers == NULL) {
		res->status = SRV_NO_MEMORY;
		res->reason = "out of memory";
		goto out;
	}
	lk.srv_answer = buffers->answer;

	unsigned names = req->nservices > 0 ? req->nservices : 1;
	for (unsigned i = 0; i < names; i++) {
		if (req->nservices == 0)
			text_copy(srv_name, sizeof(srv_name), req->name);
		else if (!join_name(srv_name, sizeof(srv_name), req->services[i], req->name))
			continue;
		switch (try_srv_name(&lk, srv_name, buffers->records, buffers->order)) {
		case STEP_DONE:
			res->status = SRV_SUCCESS;
			goto out;
		case STEP_FAILED:
			res->status = SRV_TRY_AGAIN;
			res->ntargets = 0;
			goto out;
		case STEP_NOTHING_USABLE:
			rrset_seen = true;
			break;
		case STEP_NO_RRSET:
			break;
		}
	}
	if (rrset_seen) {
		/* Records exist, none usable: no fallback to the domain's address. */
		res->status = lk.name_exists_without_family ? SRV_NO_DATA : SRV_HOST_NOT_FOUND;
	} else {
		res->srv_name[0] = '\0';
		resolve_fallback(&lk, domain);
	}
out:
	if (res->status != SRV_SUCCESS)
		res->ntargets = 0;
	if (res->ttl == UINT32_MAX)
		res->ttl = 0;
	free(lk.scratch);
	free(buffers);
}
