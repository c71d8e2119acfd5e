/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-process cache of whole DNS replies, a transport wrapping another
 * (README.md "Configuration", DESIGN.md "Concurrency and process safety"). */
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

/* Notes the cache's generation; called before the lookup's res_ninit. */
void cache_begin(struct cache_transport *wrap);

/* Answers from the cache, asking wrap->inner for the rest; cache_begin(wrap)
 * came first, and `wrap` outlives the transport. */
struct dns_transport cache_transport(struct cache_transport *wrap);

/* Empties the cache (tests); also run when the module is unloaded. */
void cache_flush(void);

/* Seconds a reply may be kept (0: not at all): its smallest TTL, for a
 * negative one also no more than min(SOA TTL, MINIMUM); capped as above. */
uint32_t cache_reply_ttl(const uint8_t *reply, size_t len, enum dns_outcome outcome);

#endif
