/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The result kept for an ERANGE retry (DESIGN.md "Results"), and the
 * per-thread blocks (DESIGN.md "Concurrency and process safety"). */
#ifndef SRVSIP_STASH_H
#define SRVSIP_STASH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "srv.h"

struct stash_item {
	struct srv_result *res; /* heap, owned by whoever holds the item */
	int entry;              /* which entry point made it */
	int family;
	int trigger;
	bool debug;
	size_t buflen;          /* the buffer that was too small */
	char name[DNS_NAME_TEXT_SIZE + 1];
};

/* Keeps *item, owning item->res; false, item->res freed, when out of memory. */
bool stash_put(const struct stash_item *item);
/* True, *out filled, when this call is the kept item's retry; the item is
 * dropped either way (a retry comes next or never). */
bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out);
void stash_drop(void);

enum thread_block { THREAD_STASH, THREAD_PAIRING, THREAD_BLOCKS };

extern pthread_key_t thread_keys[THREAD_BLOCKS];
extern atomic_bool thread_block_made[THREAD_BLOCKS]; /* some thread made one */

/* The calling thread's block, or NULL: one atomic load (inline, every lookup
 * pays it) and no key until some thread made one. */
static inline void *thread_block(enum thread_block which)
{
	if (!atomic_load_explicit(&thread_block_made[which], memory_order_acquire))
		return NULL;
	return pthread_getspecific(thread_keys[which]); /* never allocates */
}

/* The calling thread's block, made of `size` zeroed octets on first use;
 * NULL when out of memory. */
void *thread_block_make(enum thread_block which, size_t size);

#endif
