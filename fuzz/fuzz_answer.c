/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: DNS answers through the wire reader and the SRV engine.
 *
 * The input is one DNS message, or several separated by FUZZ_SEPARATOR
 * (fuzz/make_corpus.py writes both kinds).  For each message (at most
 * FUZZ_MAX_CHUNKS), copied into a buffer of exactly its size so that ASan sees
 * any read past its end:
 *   dns_msg_init, every record of every section, srv_parse_answer (whole and
 *   truncated), srv_select_order with two deterministic random sources,
 *   srv_first_choice_probability, srv_addresses_for for every target in the
 *   Additional and Answer sections and each family, dns_name_to_text of every
 *   target into buffers of the exact and one-too-small size.
 * Then the whole engine, srv_resolve, for AF_INET / AF_INET6 / AF_UNSPEC x
 * want_failover false / true x (owner name, services list): four of these
 * twelve per input, chosen by the input's hash, all twelve for one small
 * input in sixteen and for every input when FUZZ_ALL_VARIANTS is set (as
 * fuzz-regress does).  A fake dns_transport answers each query with one of
 * the messages (see pick and answer_one), half of the runs through the
 * batch interface and half through the module's reply cache; an outer layer
 * poisons each answer buffer past the reply, so ASan sees any read beyond it.
 *
 * Every invariant that fails calls abort() with a message naming it, which
 * libFuzzer reports as a crash. */
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "../tools/first_choice.h"
#include "dnswire.h"
#include "rfc2782.h"
#include "rng.h"
#include "srv.h"
#include "srv_parse.h"
#ifdef FUZZ_HAVE_CACHE
#include "cache.h" /* fuzz.mk defines FUZZ_HAVE_CACHE when src/cache.c exists */
#include "fuzz_check.h"
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define FUZZ_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define FUZZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#endif
#endif
#ifndef FUZZ_POISON
#define FUZZ_POISON(p, n) ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Keep in sync with fuzz/make_corpus.py. */
#define FUZZ_SEPARATOR "\xff\xffMSG"
#define FUZZ_SEPARATOR_LEN 5
#define FUZZ_MAX_CHUNKS 16
/* Message ids with this bit: handed to the engine as DNS_ANSWER whatever
 * they say; without it the fake maps them the way libresolv does. */
#define FUZZ_ID_RAW 0x8000u

struct chunk {
	const uint8_t *data;
	size_t len;
	int qtype;            /* first question's type; -1 if it has none */
	size_t qname_offset;
};

/* Answers past this many in one srv_resolve are NXDOMAIN without a message:
 * a hostile RRset makes the engine ask up to 2 x SRV_MAX_RECORDS address
 * queries per SRV name, and parsing a 64 KiB reply for each would make the
 * fuzzer crawl.  The engine's own loop still runs to its end. */
#define FUZZ_QUERY_BUDGET 16
/* Inputs larger than this never run all twelve srv_resolve variants. */
#define FUZZ_BIG_INPUT 4096

static size_t split_chunks(const uint8_t *data, size_t size, struct chunk *out)
{
	size_t n = 0;
	size_t start = 0;

	for (size_t i = 0; n + 1 < FUZZ_MAX_CHUNKS && i + FUZZ_SEPARATOR_LEN <= size; i++) {
		if (memcmp(data + i, FUZZ_SEPARATOR, FUZZ_SEPARATOR_LEN) != 0)
			continue;
		out[n].data = data + start;
		out[n].len = i - start;
		n++;
		start = i + FUZZ_SEPARATOR_LEN;
		i = start - 1;
	}
	out[n].data = data + start;
	out[n].len = size - start;
	return n + 1;
}

static uint64_t fnv1a(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3u;
	return h;
}

/* Random source that first returns the input's own octets (so the fuzzer can
 * steer the draws to their edges), then a xoshiro stream (so that the
 * rejection loop of srv_rng_below always ends). */
struct byte_rng {
	const uint8_t *data;
	size_t len;
	size_t pos;
	struct srv_xoshiro gen;
};

static uint32_t byte_rng_next(void *ctx)
{
	struct byte_rng *r = ctx;
	if (r->pos + 4 <= r->len && r->pos < 64) {
		uint32_t v = dns_get32(r->data + r->pos);
		r->pos += 4;
		return v;
	}
	return srv_xoshiro_next32(&r->gen);
}

/* ---- wire-level invariants of one message -------------------------------- */

static char *text_of(const uint8_t *data, size_t len, size_t offset, size_t size, int *rc)
{
	char *out = malloc(size ? size : 1); /* exact size: ASan catches overruns */
	check(out != NULL);
	*rc = dns_name_to_text(data, len, offset, out, size);
	return out;
}

static void check_name_text(const uint8_t *data, size_t len, size_t offset)
{
	size_t end;
	int rc;
	char *text = text_of(data, len, offset, DNS_NAME_TEXT_SIZE, &rc);

	if (rc == 0) {
		size_t tlen = strlen(text);
		check(tlen <= DNS_NAME_TEXT_SIZE - 1);
		check(dns_name_skip(data, len, offset, &end) == 0);
		check(end > offset && end <= len);
		check(dns_name_equal_text(data, len, offset, text));
		if (tlen > 0) {
			check(srv_name_valid(text));
			char dotted[DNS_NAME_TEXT_SIZE + 1];
			snprintf(dotted, sizeof(dotted), "%s.", text);
			check(dns_name_equal_text(data, len, offset, dotted));
		}
		/* Exactly the size needed works; one octet less is refused. */
		int rc2;
		char *exact = text_of(data, len, offset, tlen + 1, &rc2);
		check(rc2 == 0 && strcmp(exact, text) == 0);
		free(exact);
		char *small = text_of(data, len, offset, tlen, &rc2);
		check(rc2 < 0);
		free(small);
	}
	/* The one-walk host check agrees with skip + to_text. */
	size_t host_end;
	bool root;
	int host = dns_name_check_host(data, len, offset, &host_end, &root);
	check((host == 0) == (rc == 0));
	if (host == 0) {
		check(dns_name_skip(data, len, offset, &end) == 0 && end == host_end);
		check(root == (text[0] == '\0'));
	}
	free(text);
	/* Tiny buffers never overflow. */
	free(text_of(data, len, offset, 1, &rc));
	free(text_of(data, len, offset, 0, &rc));
	check(rc < 0);
}

/* A validated name uncompressed, ASCII letters lowered: the oracle for
 * dns_name_equal_valid, walked without dnswire.c's code. */
static size_t flat_name(const uint8_t *data, size_t offset, uint8_t out[256])
{
	size_t n = 0;

	for (;;) {
		uint8_t octet = data[offset];
		if ((octet & 0xc0u) == 0xc0u) {
			offset = ((size_t)(octet & 0x3fu) << 8) | data[offset + 1];
			continue;
		}
		out[n++] = octet;
		if (octet == 0)
			return n;
		for (size_t i = 1; i <= octet; i++) {
			uint8_t ch = data[offset + i];
			out[n++] = ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch + 32) : ch;
		}
		offset += (size_t)octet + 1;
	}
}

static bool flat_equal(const uint8_t *data, size_t offset_a, size_t offset_b)
{
	uint8_t a[256];
	uint8_t b[256];
	size_t n = flat_name(data, offset_a, a);

	return n == flat_name(data, offset_b, b) && memcmp(a, b, n) == 0;
}

static void check_sections(const struct dns_msg *msg)
{
	bool cut = false;

	for (int s = 0; s < 3; s++) {
		struct dns_rr_iter it;
		struct dns_rr rr;
		unsigned n = 0;

		check(msg->reachable[s] <= msg->count[s]);
		check(msg->section_offset[s] <= msg->len);
		if (s > 0)
			check(msg->section_offset[s] >= msg->section_offset[s - 1]);
		if (cut)
			check(msg->reachable[s] == 0);
		if (msg->reachable[s] < msg->count[s])
			cut = true;
		size_t owners[8];
		dns_rr_iter_init(&it, msg, (enum dns_section)s);
		while (dns_rr_iter_next(&it, &rr)) {
			size_t end;
			n++;
			check(rr.rdata_offset + rr.rdlength <= msg->len);
			check(dns_name_skip(msg->data, msg->len, rr.owner_offset, &end) == 0);
			check(end + 10 == rr.rdata_offset);
			if (n <= 8) {
				check_name_text(msg->data, msg->len, rr.owner_offset);
				owners[n - 1] = rr.owner_offset;
				/* Validated owners compare as their flat forms. */
				for (unsigned i = 0; i < n; i++)
					check(dns_name_equal_valid(msg->data, msg->len, owners[i],
								   rr.owner_offset) ==
					      flat_equal(msg->data, owners[i], rr.owner_offset));
			}
			/* Any RDATA, even not a name: read inside the message. */
			(void)dns_name_equal_valid(msg->data, msg->len, rr.rdata_offset,
						   rr.owner_offset);
		}
		check(n == msg->reachable[s]);
	}
}

static void check_addresses(const struct dns_msg *msg, size_t name_offset)
{
	static const enum dns_section sections[2] = {DNS_SECTION_ADDITIONAL, DNS_SECTION_ANSWER};
	static const int families[3] = {AF_INET, AF_INET6, AF_UNSPEC};

	for (int s = 0; s < 2; s++) {
		bool any[3];
		unsigned count[3];
		for (int f = 0; f < 3; f++) {
			struct srv_target *t = calloc(1, sizeof(*t));
			uint32_t ttl = UINT32_MAX - 1;
			check(t != NULL);
			any[f] = srv_addresses_for(msg, sections[s], name_offset, families[f], t, &ttl);
			count[f] = t->naddrs;
			check(t->naddrs <= SRV_MAX_ADDRS);
			check(any[f] || t->naddrs == 0);
			check(t->naddrs == 0 || ttl <= UINT32_MAX - 1);
			for (unsigned i = 0; i < t->naddrs; i++) {
				check(t->addrs[i].family == AF_INET || t->addrs[i].family == AF_INET6);
				check(families[f] == AF_UNSPEC || t->addrs[i].family == families[f]);
				if (t->addrs[i].family == AF_INET)
					for (int b = 4; b < 16; b++)
						check(t->addrs[i].bytes[b] == 0);
				for (unsigned j = 0; j < i; j++)
					check(t->addrs[j].family != t->addrs[i].family ||
					      memcmp(t->addrs[j].bytes, t->addrs[i].bytes, 16) != 0);
			}
			/* Appending to a full target keeps it within bounds. */
			uint32_t ttl2 = 0;
			srv_addresses_for(msg, sections[s], name_offset, families[f], t, &ttl2);
			check(t->naddrs <= SRV_MAX_ADDRS && t->naddrs >= count[f] && ttl2 == 0);
			free(t);
		}
		/* The answer to "does the name have addresses" ignores the family. */
		check(any[0] == any[1] && any[1] == any[2]);
		check(count[2] >= count[0] && count[2] >= count[1]);
		check(count[2] <= count[0] + count[1]);
	}
}

static void check_order(const struct srv_record *records, size_t n, struct srv_rng *rng)
{
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	bool *seen = calloc(n ? n : 1, sizeof(*seen));

	check(order != NULL && seen != NULL);
	srv_select_order(records, n, rng, order);
	for (size_t i = 0; i < n; i++) {
		check(order[i] < n);
		check(!seen[order[i]]);
		seen[order[i]] = true;
		if (i > 0)
			check(records[order[i - 1]].priority <= records[order[i]].priority);
	}
	free(seen);
	free(order);
}

static void check_message(const uint8_t *data, size_t len, const uint8_t *all, size_t all_len)
{
	struct dns_msg msg;

	if (dns_msg_init(&msg, data, len) < 0)
		return;
	check(msg.data == data && msg.len == len);
	check(msg.question_offset == DNS_HEADER_SIZE);
	check_sections(&msg);
	if (msg.qdcount > 0)
		check_name_text(data, len, msg.question_offset);

#ifdef FUZZ_HAVE_CACHE
	check(cache_reply_ttl(data, len, DNS_ANSWER) <= CACHE_MAX_TTL);
	check(cache_reply_ttl(data, len, DNS_NXDOMAIN) <= CACHE_MAX_NEGATIVE_TTL);
	check(cache_reply_ttl(data, len, DNS_NODATA) <= CACHE_MAX_NEGATIVE_TTL);
	check(cache_reply_ttl(NULL, 0, DNS_ANSWER) == 0);
#endif
	struct srv_record *records = malloc(SRV_MAX_RECORDS * sizeof(*records));
	check(records != NULL);
	unsigned bad = 0;
	int parsed = srv_parse_answer(&msg, records, SRV_MAX_RECORDS, &bad);
	check(parsed >= -1 && parsed <= SRV_MAX_RECORDS);
	check(bad <= msg.reachable[DNS_SECTION_ANSWER]);
	check(parsed < 0 || bad == 0);
	size_t n = parsed > 0 ? (size_t)parsed : 0;
	check(n <= msg.reachable[DNS_SECTION_ANSWER]);

	/* A smaller max gives the same records, or refuses the RRset when it
	 * holds more; an unusable RRset stays unusable. */
	struct srv_record *few = malloc(3 * sizeof(*few));
	check(few != NULL);
	int nfew = srv_parse_answer(&msg, few, 3, &bad);
	check(nfew == (parsed >= 0 && n <= 3 ? parsed : -1));
	for (int i = 0; i < nfew; i++)
		check(few[i].target_offset == records[i].target_offset &&
		      few[i].priority == records[i].priority && few[i].weight == records[i].weight &&
		      few[i].port == records[i].port && few[i].ttl == records[i].ttl);
	free(few);
	check(srv_parse_answer(&msg, records, 0, &bad) == (parsed == 0 ? 0 : -1));

	double group_sum[4] = {0, 0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		const struct srv_record *r = &records[i];
		size_t end;
		check(r->target_offset < len);
		check(dns_name_skip(data, len, r->target_offset, &end) == 0);
		int rc;
		char *text = text_of(data, len, r->target_offset, DNS_NAME_TEXT_SIZE, &rc);
		check(rc == 0 && r->root_target == (text[0] == '\0'));
		check(r->root_target || srv_name_valid(text));
		free(text);
		if (i < 12) {
			check_name_text(data, len, r->target_offset);
			check_addresses(&msg, r->target_offset);
		}
		for (size_t j = 0; j < i; j++)
			check(!(records[j].priority == r->priority && records[j].weight == r->weight &&
				records[j].port == r->port &&
				flat_equal(data, records[j].target_offset, r->target_offset)));
		double p = srv_first_choice_probability(records, n, i);
		check(p >= 0.0 && p <= 1.0 + 1e-9);
		if (records[0].priority == r->priority)
			group_sum[0] += p;
	}
	if (n > 0)
		check(fabs(group_sum[0] - 1.0) < 1e-6);

	struct srv_xoshiro gen;
	srv_xoshiro_seed(&gen, fnv1a(data, len));
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	check_order(records, n, &rng);
	struct byte_rng br = {all, all_len, 0, {{0}}};
	srv_xoshiro_seed(&br.gen, 42);
	struct srv_rng rng2 = {byte_rng_next, &br};
	check_order(records, n, &rng2);
	check_order(records, n < 2 ? n : 2, &rng);
	free(records);
}

/* ---- the whole engine with a fake transport ------------------------------ */

struct fake {
	const struct chunk *chunks;
	size_t n;
	unsigned calls;
	unsigned last_type;
};

/* Set when any reply of the current input answered another question than
 * the one asked (sticky: the cache may hand such a reply out again later). */
static bool question_mismatch;

/* Picks the message for a query: the first whose question has that name and
 * type, else the first with that type, else the messages in turn. */
static const struct chunk *pick(struct fake *f, const char *name, uint16_t type)
{
	const struct chunk *by_type = NULL;

	for (size_t i = 0; i < f->n; i++) {
		const struct chunk *c = &f->chunks[i];
		if (c->qtype != type)
			continue;
		if (dns_name_equal_text(c->data, c->len, c->qname_offset, name))
			return c;
		if (by_type == NULL)
			by_type = c;
	}
	return by_type ? by_type : &f->chunks[f->calls % f->n];
}

/* One answer: the picked message copied into the engine's buffer. */
static enum dns_outcome answer_one(struct fake *f, const char *name, uint16_t type,
				   uint8_t *answer, size_t size, size_t *length)
{
	/* The engine only ever asks valid names of these types. */
	check(name != NULL && srv_name_valid(name));
	check(type == DNS_TYPE_SRV || type == DNS_TYPE_A || type == DNS_TYPE_AAAA);
	check(answer != NULL && length != NULL && size >= DNS_HEADER_SIZE);
	f->last_type = type;
	if (++f->calls > FUZZ_QUERY_BUDGET)
		return DNS_NXDOMAIN;
	const struct chunk *c = pick(f, name, type);
	/* libresolv and src/dns_batch.c drop replies whose question is not the
	 * query; this fake hands them out anyway (to reach more code), so the
	 * checks of names taken from a question are off for such an input. */
	if (c->qtype != type || !dns_name_equal_text(c->data, c->len, c->qname_offset, name))
		question_mismatch = true;

	size_t n = c->len < size ? c->len : size;
	if (n > 0)
		memcpy(answer, c->data, n);
	*length = c->len; /* may exceed size, as libresolv's TCP answers do */
	if (c->len < DNS_HEADER_SIZE)
		return DNS_TEMPFAIL; /* libresolv: no usable reply */
	if ((dns_get16(c->data) & FUZZ_ID_RAW) != 0)
		return DNS_ANSWER;
	unsigned rcode = dns_get16(c->data + 2) & 0xfu;
	if (rcode == DNS_RCODE_NXDOMAIN)
		return DNS_NXDOMAIN;
	if (rcode != DNS_RCODE_NOERROR)
		return DNS_TEMPFAIL;
	if (dns_get16(c->data + 6) == 0)
		return DNS_NODATA;
	return DNS_ANSWER;
}

static enum dns_outcome fake_query(void *ctx, const char *name, uint16_t type, bool search,
				   uint8_t *answer, size_t size, size_t *length)
{
	check(size <= SRV_ANSWER_SIZE);
	/* query() is the SRV query's; the search list only for a domain of
	 * one label (after the "_service._proto" labels). */
	check(type == DNS_TYPE_SRV);
	check(!search || strchr(strchr(strchr(name, '.') + 1, '.') + 1, '.') == NULL);
	return answer_one(ctx, name, type, answer, size, length);
}

static void fake_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	check(queries != NULL || n == 0); /* srv.c sends empty batches (n == 0) */
	for (size_t i = 0; i < n; i++) {
		queries[i].length = 0;
		queries[i].outcome = answer_one(ctx, queries[i].name, queries[i].type,
						queries[i].answer, queries[i].size, &queries[i].length);
	}
}

/* The transport the engine sees: poisons each answer buffer past the reply
 * it holds, so that ASan reports any read beyond the reply's length, and
 * unpoisons it before the layers below (the cache, the fake) write to it. */
struct outer {
	struct dns_transport next;
};

static void poison_rest(uint8_t *answer, size_t size, size_t length)
{
	size_t n = length < size ? length : size;
	FUZZ_POISON(answer + n, size - n);
}

static enum dns_outcome outer_query(void *ctx, const char *name, uint16_t type, bool search,
				    uint8_t *answer, size_t size, size_t *length)
{
	struct outer *o = ctx;
	FUZZ_UNPOISON(answer, size);
	enum dns_outcome outcome =
		o->next.query(o->next.ctx, name, type, search, answer, size, length);
	poison_rest(answer, size, *length);
	return outcome;
}

static void outer_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	struct outer *o = ctx;
	for (size_t i = 0; i < n; i++)
		FUZZ_UNPOISON(queries[i].answer, queries[i].size);
	o->next.query_batch(o->next.ctx, queries, n);
	for (size_t i = 0; i < n; i++)
		poison_rest(queries[i].answer, queries[i].size, queries[i].length);
}

/* True when `name` is the target of an SRV record of a usable SRV RRset of
 * the messages: the module returns no other name. */
static bool srv_target_in_chunks(const struct chunk *chunks, size_t n, const char *name)
{
	static struct srv_record records[SRV_MAX_RECORDS];
	unsigned bad;

	for (size_t i = 0; i < n; i++) {
		const struct chunk *c = &chunks[i];
		struct dns_msg msg;
		if (dns_msg_init(&msg, c->data, c->len) < 0)
			continue;
		int parsed = srv_parse_answer(&msg, records, SRV_MAX_RECORDS, &bad);
		for (int r = 0; r < parsed; r++)
			if (dns_name_equal_text(c->data, c->len, records[r].target_offset, name))
				return true;
	}
	return false;
}

static void check_result(const struct srv_request *req, const struct srv_result *res,
			 const struct chunk *chunks, size_t nchunks)
{
	unsigned names = req->nservices > 0 ? req->nservices : 1;

	check(res->reason != NULL);
	check(res->status == SRV_SUCCESS || res->status == SRV_NOT_DECIDED ||
	      res->status == SRV_HOST_NOT_FOUND || res->status == SRV_NO_DATA ||
	      res->status == SRV_TRY_AGAIN || res->status == SRV_NO_MEMORY);
	check((res->status == SRV_SUCCESS) == (res->ntargets > 0));
	check(res->ntargets <= SRV_MAX_TARGETS);
	check(req->want_failover || res->ntargets <= 1);
	check(memchr(res->srv_name, '\0', sizeof(res->srv_name)) != NULL);
	check(memchr(res->subject, '\0', sizeof(res->subject)) != NULL);
	/* per SRV name: its query, then A and AAAA of at most 16 targets */
	check(res->queries <= names * (1 + 2 * SRV_MAX_TARGETS));
	if (res->status == SRV_SUCCESS && !question_mismatch)
		check(res->srv_name[0] != '\0');
	for (unsigned i = 0; i < res->ntargets; i++) {
		const struct srv_target *t = &res->targets[i];
		check(memchr(t->name, '\0', sizeof(t->name)) != NULL);
		/* Never an address the SRV records did not select: the target is
		 * a valid host name, an SRV target of a usable RRset. */
		if (!question_mismatch && (!srv_name_valid(t->name) ||
					   !srv_target_in_chunks(chunks, nchunks, t->name))) {
			fprintf(stderr, "fuzz_answer: target %u \"%s\" is not an SRV target of a "
					"usable RRset\n", i, t->name);
			check(!"target is an SRV target of a usable RRset");
		}
		check(t->naddrs >= 1 && t->naddrs <= SRV_MAX_ADDRS);
		for (unsigned a = 0; a < t->naddrs; a++) {
			check(t->addrs[a].family == AF_INET || t->addrs[a].family == AF_INET6);
			check(req->family == AF_UNSPEC || t->addrs[a].family == req->family);
		}
		if (req->port >= 0)
			check(t->port == req->port);
		if (i > 0)
			check(res->targets[i - 1].priority <= t->priority);
	}
}

static void run_engine(const struct chunk *chunks, size_t nchunks, uint64_t seed, bool big)
{
	static const int families[3] = {AF_INET, AF_INET6, AF_UNSPEC};
	struct srv_request *req = calloc(1, sizeof(*req));
	struct srv_result *res = malloc(sizeof(*res));
	char qname[DNS_NAME_TEXT_SIZE] = "";
	int port = 5060;

	check(req != NULL && res != NULL);
	/* Names that match the first message, so its records are the ones used. */
	{
		struct dns_msg msg;
		struct srv_record rec;
		const struct chunk *c = &chunks[0];
		if (dns_msg_init(&msg, c->data, c->len) == 0 && msg.qdcount > 0) {
			if (dns_name_to_text(c->data, c->len, msg.question_offset, qname,
					     sizeof(qname)) < 0)
				qname[0] = '\0';
			unsigned bad;
			if (srv_parse_answer(&msg, &rec, 1, &bad) == 1)
				port = rec.port;
		}
	}
	/* Four of the twelve variants per input, chosen by its hash (all twelve
	 * for small inputs whose hash says so), so that each execution stays
	 * fast while the corpus as a whole covers every combination. */
	unsigned chosen = 0;
	for (unsigned k = 0; k < 4; k++)
		chosen |= 1u << ((seed >> (8 * k + 32)) % 12);
	static int all_variants = -1; /* FUZZ_ALL_VARIANTS=1: every input, all twelve */
	if (all_variants < 0)
		all_variants = getenv("FUZZ_ALL_VARIANTS") != NULL;
	if (all_variants || (!big && (seed & 0xf) == 0))
		chosen = 0xfff;
	for (int variant = 0; variant < 12; variant++) {
		if (!(chosen & (1u << variant)))
			continue;
		struct fake f = {chunks, nchunks, 0, 0};
		struct dns_transport transport = {.query = fake_query, .query_batch = fake_query_batch,
						  .ctx = &f};
		struct srv_xoshiro gen;
		struct srv_rng rng = {srv_xoshiro_next32, &gen};
		bool owner = variant % 2 == 0;

		memset(req, 0, sizeof(*req));
		req->family = families[(variant / 2) % 3];
		req->want_failover = variant / 6 == 1;
		req->allow_cname = (seed >> variant) & 1u;
		if (owner) {
			/* "_svc._proto.domain", any port. */
			if (srv_is_owner_name(qname) && srv_name_valid(qname))
				snprintf(req->name, sizeof(req->name), "%s", qname);
			else
				snprintf(req->name, sizeof(req->name), "_sip._udp.sipdomain.com");
			req->port = -1;
		} else {
			const char *domain = qname;
			if (srv_is_owner_name(qname))
				domain = strchr(strchr(qname, '.') + 1, '.') + 1;
			snprintf(req->name, sizeof(req->name), "%s",
				 srv_name_valid(domain) ? domain : "sipdomain.com");
			snprintf(req->services[0], SRV_SERVICE_SIZE, "_sip._udp");
			snprintf(req->services[1], SRV_SERVICE_SIZE, "_sip._tcp");
			req->nservices = 2;
			req->port = port;
		}
		bool cached = false;
#ifdef FUZZ_HAVE_CACHE
		/* Through the per-process cache in every other run: it keeps the
		 * replies of earlier runs of this input (flushed per input). */
		struct cache_transport wrap = {.inner = transport};
		if ((seed >> (variant + 40)) & 1u) {
			cache_begin(&wrap);
			transport = cache_transport(&wrap);
			cached = true;
		}
#endif
		struct outer outer = {transport};
		struct dns_transport top = {.query = outer_query, .query_batch = outer_query_batch,
					    .ctx = &outer};
		srv_xoshiro_seed(&gen, seed + (uint64_t)variant);
		memset(res, 0xa5, sizeof(*res));
		srv_resolve(req, &top, &rng, res);
		if (cached)
			check(f.calls <= res->queries);
		else
			check(res->queries == f.calls);
		check_result(req, res, chunks, nchunks);
	}
	free(res);
	free(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunk chunks[FUZZ_MAX_CHUNKS];
	size_t nchunks = split_chunks(data, size, chunks);

	question_mismatch = false;
	struct chunk copies[FUZZ_MAX_CHUNKS];

	for (size_t i = 0; i < nchunks; i++) {
		/* Each message in a heap block of exactly its size. */
		uint8_t *copy = malloc(chunks[i].len ? chunks[i].len : 1);
		check(copy != NULL);
		if (chunks[i].len > 0)
			memcpy(copy, chunks[i].data, chunks[i].len);
		copies[i].data = copy;
		copies[i].len = chunks[i].len;
		copies[i].qtype = -1;
		struct dns_msg msg;
		size_t end;
		if (dns_msg_init(&msg, copy, copies[i].len) == 0 && msg.qdcount >= 1 &&
		    dns_name_skip(copy, copies[i].len, msg.question_offset, &end) == 0) {
			copies[i].qtype = dns_get16(copy + end);
			copies[i].qname_offset = msg.question_offset;
		}
		check_message(copy, chunks[i].len, data, size);
	}
	run_engine(copies, nchunks, fnv1a(data, size), size > FUZZ_BIG_INPUT);
	for (size_t i = 0; i < nchunks; i++)
		free((void *)copies[i].data);
#ifdef FUZZ_HAVE_CACHE
	cache_flush(); /* nothing carries over to the next input */
#endif
	return 0;
}
