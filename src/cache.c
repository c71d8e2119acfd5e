/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-process DNS reply cache: see cache.h. */
#include "cache.h"

#include <pthread.h>
#include <resolv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "dnswire.h"
#include "text.h"

#define DNS_TYPE_OPT 41
#ifndef SRVSIP_RESOLV_CONF
#define SRVSIP_RESOLV_CONF _PATH_RESCONF /* unit tests: a file of their own */
#endif

struct entry {
	bool used;
	bool search;
	uint16_t type;
	enum dns_outcome outcome;
	char name[DNS_NAME_TEXT_SIZE + 1]; /* lower case, no trailing dot */
	uint8_t *reply;                    /* DNS_ANSWER only */
	size_t len;
	time_t stored;
	time_t expires;
	unsigned long long last_use;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
/* Guarded by cache_lock. */
static struct entry entries[CACHE_MAX_ENTRIES];
static size_t bytes_used;
static unsigned long long use_clock;
static unsigned long long generation; /* flushes so far */
static struct stat resolv_conf_seen;
static time_t resolv_conf_checked = -1; /* -1: never */

static void lock_before_fork(void) { pthread_mutex_lock(&cache_lock); }
static void unlock_after_fork(void) { pthread_mutex_unlock(&cache_lock); }

static void register_fork_handlers(void)
{
	/* Valid for good: docs/glibc-facts.md "Loading". */
	pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
}

static void drop(struct entry *e)
{
	free(e->reply);
	bytes_used -= e->len;
	memset(e, 0, sizeof(*e));
}

static void flush_locked(void)
{
	generation++;
	for (size_t i = 0; i < CACHE_MAX_ENTRIES; i++)
		if (entries[i].used)
			drop(&entries[i]);
}

/* Also at unload and exit(): entries are only ever used under cache_lock. */
__attribute__((destructor)) void cache_flush(void)
{
	pthread_mutex_lock(&cache_lock);
	flush_locked();
	pthread_mutex_unlock(&cache_lock);
}

/* Lower case without trailing dot; false if it does not fit. */
static bool cache_key(const char *name, char *key)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len > DNS_NAME_TEXT_SIZE)
		return false;
	for (size_t i = 0; i < len; i++)
		key[i] = ascii_lower(name[i]);
	key[len] = '\0';
	return true;
}

static struct entry *find_locked(const char *key, uint16_t type, bool search, time_t now)
{
	for (size_t i = 0; i < CACHE_MAX_ENTRIES; i++) {
		struct entry *e = &entries[i];
		if (!e->used || e->type != type || e->search != search || strcmp(e->name, key) != 0)
			continue;
		if (now >= e->expires) {
			drop(e);
			return NULL;
		}
		return e;
	}
	return NULL;
}

/* TTLs count down while cached (RFC 1035 3.2.1), so nscd (ttlp) never
 * keeps a reply past its original TTL. */
static void age_ttls(uint8_t *reply, size_t len, uint32_t age)
{
	struct dns_msg msg;
	struct dns_rr_iter it;
	struct dns_rr rr;

	if (dns_msg_init(&msg, reply, len) < 0)
		return;
	for (int s = DNS_SECTION_ANSWER; s <= DNS_SECTION_ADDITIONAL; s++) {
		dns_rr_iter_init(&it, &msg, (enum dns_section)s);
		while (dns_rr_iter_next(&it, &rr)) {
			if (rr.type == DNS_TYPE_OPT)
				continue; /* its "TTL" holds EDNS flags */
			uint32_t ttl = rr.ttl > age ? rr.ttl - age : 0;
			uint8_t *p = reply + rr.rdata_offset - 6; /* TTL, then RDLENGTH */
			for (int i = 0; i < 4; i++)
				p[i] = (uint8_t)(ttl >> (24 - 8 * i));
		}
	}
}

/* Takes cache_lock and returns the time in seconds; flushes when resolv.conf
 * changed (checked at most once a second). */
static time_t lock_cache(void)
{
	struct timespec ts;
	struct stat st;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* vDSO: no system call */
	pthread_once(&cache_once, register_fork_handlers);
	pthread_mutex_lock(&cache_lock);
	if (ts.tv_sec == resolv_conf_checked)
		return ts.tv_sec;
	resolv_conf_checked = ts.tv_sec;
	if (stat(SRVSIP_RESOLV_CONF, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (st.st_ino != resolv_conf_seen.st_ino || st.st_dev != resolv_conf_seen.st_dev ||
	    st.st_size != resolv_conf_seen.st_size ||
	    st.st_mtim.tv_sec != resolv_conf_seen.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != resolv_conf_seen.st_mtim.tv_nsec)
		flush_locked();
	resolv_conf_seen = st;
	return ts.tv_sec;
}

/* Copies a fresh entry into q's answer, length and outcome; false on a miss. */
static bool cache_get(struct dns_query *q, bool search)
{
	char key[DNS_NAME_TEXT_SIZE + 1];

	if (!cache_key(q->name, key))
		return false;
	time_t now = lock_cache();
	struct entry *e = find_locked(key, q->type, search, now);
	time_t age = e != NULL ? now - e->stored : 0;
	if (e != NULL) {
		e->last_use = ++use_clock;
		q->outcome = e->outcome;
		/* As from the network: a length beyond `size` says "cut". */
		q->length = e->len;
		if (e->len > 0)
			memcpy(q->answer, e->reply, e->len < q->size ? e->len : q->size);
	}
	pthread_mutex_unlock(&cache_lock);
	if (age > 0 && q->length > 0)
		age_ttls(q->answer, q->length < q->size ? q->length : q->size, (uint32_t)age);
	return e != NULL;
}

/* A free entry with room for `len` more bytes, least recently used entries
 * dropped as needed; NULL if none.  Caller holds cache_lock. */
static struct entry *make_room(size_t len)
{
	for (;;) {
		struct entry *oldest = NULL;
		struct entry *slot = NULL;
		for (size_t i = 0; i < CACHE_MAX_ENTRIES; i++) {
			struct entry *e = &entries[i];
			if (!e->used)
				slot = slot ? slot : e;
			else if (oldest == NULL || e->last_use < oldest->last_use)
				oldest = e;
		}
		if (slot != NULL && bytes_used + len <= CACHE_MAX_BYTES)
			return slot;
		if (oldest == NULL)
			return NULL;
		drop(oldest);
	}
}

/* Keeps the reply to q if the cache may and no flush came since `begun`. */
static void cache_put(unsigned long long begun, const struct dns_query *q, bool search)
{
	char key[DNS_NAME_TEXT_SIZE + 1];
	struct dns_msg msg;

	if (q->length > q->size || q->outcome == DNS_TEMPFAIL || !cache_key(q->name, key))
		return; /* a reply cut by the buffer is not kept */
	if (q->outcome == DNS_ANSWER &&
	    (dns_msg_init(&msg, q->answer, q->length) < 0 || !dns_msg_whole(&msg)))
		return; /* malformed: the engine refuses it, never keep it */
	uint32_t ttl = cache_reply_ttl(q->answer, q->length, q->outcome);
	/* a negative answer: its outcome only */
	size_t kept = q->outcome == DNS_ANSWER ? q->length : 0;
	if (ttl == 0 || kept > CACHE_MAX_BYTES / 8)
		return; /* one huge reply must not empty the cache */
	uint8_t *copy = kept > 0 ? malloc(kept) : NULL;
	if (kept > 0 && copy == NULL)
		return;
	if (copy != NULL)
		memcpy(copy, q->answer, kept);
	time_t now = lock_cache();
	struct entry *slot = begun == generation ? find_locked(key, q->type, search, now) : NULL;
	if (slot != NULL)
		drop(slot);
	slot = begun == generation ? make_room(kept) : NULL;
	if (slot != NULL) {
		*slot = (struct entry){.used = true, .search = search, .type = q->type,
				       .outcome = q->outcome, .reply = copy, .len = kept,
				       .stored = now, .expires = now + (time_t)ttl,
				       .last_use = ++use_clock};
		memcpy(slot->name, key, sizeof(key));
		bytes_used += kept;
		copy = NULL;
	}
	pthread_mutex_unlock(&cache_lock);
	free(copy);
}

/* min(TTL, MINIMUM) of an SOA record (RFC 2308 section 5); false if malformed. */
static bool soa_negative_ttl(const struct dns_msg *msg, const struct dns_rr *rr, uint32_t *ttl)
{
	size_t p;

	if (dns_name_skip(msg->data, msg->len, rr->rdata_offset, &p) < 0 ||
	    dns_name_skip(msg->data, msg->len, p, &p) < 0 || p + 20 > rr->rdata_offset + rr->rdlength)
		return false;
	uint32_t minimum = dns_get32(msg->data + p + 16);
	*ttl = rr->ttl < minimum ? rr->ttl : minimum;
	return true;
}

uint32_t cache_reply_ttl(const uint8_t *reply, size_t len, enum dns_outcome outcome)
{
	struct dns_msg msg;
	struct dns_rr_iter it;
	struct dns_rr rr;
	uint32_t ttl = UINT32_MAX;      /* of every record */
	uint32_t soa_ttl = UINT32_MAX;  /* min(TTL, MINIMUM) of the SOA, if any */
	bool has_data = false;          /* the answer holds records of the asked type */

	if (dns_msg_init(&msg, reply, len) < 0 || msg.qdcount != 1)
		return 0;
	for (int s = DNS_SECTION_ANSWER; s <= DNS_SECTION_ADDITIONAL; s++) {
		dns_rr_iter_init(&it, &msg, (enum dns_section)s);
		while (dns_rr_iter_next(&it, &rr)) {
			uint32_t soa;
			if (rr.type == DNS_TYPE_OPT)
				continue; /* its "TTL" holds EDNS flags */
			has_data |= s == DNS_SECTION_ANSWER && rr.type == msg.qtype;
			if (s == DNS_SECTION_AUTHORITY && rr.type == DNS_TYPE_SOA &&
			    soa_negative_ttl(&msg, &rr, &soa) && soa < soa_ttl)
				soa_ttl = soa;
			if (rr.ttl < ttl)
				ttl = rr.ttl;
		}
	}
	/* RFC 2308 section 5, also for an alias chain without the asked type;
	 * no SOA: not cached. */
	if (outcome != DNS_ANSWER || !has_data) {
		if (soa_ttl == UINT32_MAX)
			return 0;
		ttl = ttl < soa_ttl ? ttl : soa_ttl;
		return ttl > CACHE_MAX_NEGATIVE_TTL ? CACHE_MAX_NEGATIVE_TTL : ttl;
	}
	if (ttl == UINT32_MAX)
		return 0;
	return ttl > CACHE_MAX_TTL ? CACHE_MAX_TTL : ttl;
}

static enum dns_outcome cached_query(void *ctx, const char *name, uint16_t type, bool search,
				     uint8_t *answer, size_t size, size_t *length)
{
	struct cache_transport *wrap = ctx;
	struct dns_query q = {name, type, answer, size, 0, DNS_TEMPFAIL, false};

	if (!cache_get(&q, search)) {
		q.outcome = wrap->inner.query(wrap->inner.ctx, name, type, search, answer, size,
					      &q.length);
		cache_put(wrap->generation, &q, search);
	}
	*length = q.length;
	return q.outcome;
}

/* srv.c's batches: an A and an AAAA query per target. */
#define BATCH_MAX ((size_t)2 * SRV_MAX_TARGETS)

static void cached_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	struct cache_transport *wrap = ctx;
	struct dns_query misses[BATCH_MAX];
	size_t where[BATCH_MAX];
	size_t nmiss = 0;

	if (n > BATCH_MAX) {
		wrap->inner.query_batch(wrap->inner.ctx, queries, n); /* not cached */
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (cache_get(&queries[i], false))
			continue;
		misses[nmiss] = queries[i];
		where[nmiss++] = i;
	}
	if (nmiss == 0)
		return;
	wrap->inner.query_batch(wrap->inner.ctx, misses, nmiss);
	for (size_t k = 0; k < nmiss; k++) {
		cache_put(wrap->generation, &misses[k], false);
		queries[where[k]] = misses[k];
	}
}

void cache_begin(struct cache_transport *wrap)
{
	lock_cache();
	wrap->generation = generation;
	pthread_mutex_unlock(&cache_lock);
}

struct dns_transport cache_transport(struct cache_transport *wrap)
{
	return (struct dns_transport){.query = cached_query, .query_batch = cached_query_batch,
				      .ctx = wrap, .no_aaaa = wrap->inner.no_aaaa};
}
