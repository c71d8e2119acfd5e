/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-process cache of DNS replies, as a transport that wraps another.
 *
 * It keeps whole replies (SRV RRsets with their Additional section, address
 * answers) for their TTL, and negative answers for the SOA minimum (RFC
 * 2308), so a repeated lookup sends no query; the engine still parses the
 * reply and makes a fresh RFC 2782 draw every time, so load keeps spreading
 * by weight (nscd, which caches the result, freezes one draw).  Bounded in
 * entries and bytes, one mutex never held across network I/O, safe across
 * fork(), emptied when /etc/resolv.conf changes. */
#ifndef SRVSIP_CACHE_H
#define SRVSIP_CACHE_H

#include "srv.h"

#define CACHE_MAX_ENTRIES 128
#define CACHE_MAX_BYTES ((size_t)512 * 1024)
#define CACHE_MAX_TTL 86400        /* one day */
#define CACHE_MAX_NEGATIVE_TTL 10800 /* RFC 2308 section 5: three hours */

struct cache_transport {
	struct dns_transport inner;
	unsigned long long generation; /* of the cache when the lookup began */
};

/* Notes the cache's generation (a new one with each flush) before the
 * lookup's resolver reads resolv.conf: replies the lookup gets after a
 * flush came from the servers of the old file and are not kept. */
void cache_begin(struct cache_transport *wrap);

/* A transport that answers from the cache and asks `wrap->inner` for the
 * rest; cache_begin(wrap) came first.  `wrap` must outlive the returned
 * transport. */
struct dns_transport cache_transport(struct cache_transport *wrap);

/* Empties the cache (tests); also run when the module is unloaded. */
void cache_flush(void);

/* How long a reply may be cached, in seconds (0: not at all): the smallest
 * TTL of its records for an answer, min(SOA TTL, SOA MINIMUM) for a negative
 * one; capped as above.  Pure; exposed for the unit tests. */
uint32_t cache_reply_ttl(const uint8_t *reply, size_t len, enum dns_outcome outcome);

#endif
