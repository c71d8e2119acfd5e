/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One result kept per thread across an ERANGE retry (DESIGN.md "Results").
 *
 * glibc answers ERANGE by calling the same module again at once with a
 * larger buffer (docs/glibc-facts.md).  Resolving again would send the queries again
 * and make a new draw, which would bias selection towards targets whose
 * answer fits the small buffer; so the result waits here for that retry. */
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

/* Keeps *item (taking ownership of item->res) for this thread; false (and
 * item->res freed) when memory for the thread's slot ran out. */
bool stash_put(const struct stash_item *item);
/* Takes the thread's item if this call is its retry (DESIGN.md "Results"): true then.
 * Any other item is dropped: a retry comes next or never. */
bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out);
/* Drops the thread's item: a services lookup is never part of a retry. */
void stash_drop(void);

/* The module's per-thread state, this stash and the pairing (scope.c): why
 * pthread keys and not __thread is in DESIGN.md "Concurrency and process
 * safety". */
enum thread_block { THREAD_STASH, THREAD_PAIRING, THREAD_BLOCKS };

extern pthread_key_t thread_keys[THREAD_BLOCKS];
/* Set once some thread made a block of the kind (thread_block_make). */
extern atomic_bool thread_block_made[THREAD_BLOCKS];

/* The calling thread's block, or NULL.  Until some thread made a block of
 * that kind, one atomic load (inline: every lookup pays it) and no key. */
static inline void *thread_block(enum thread_block which)
{
	if (!atomic_load_explicit(&thread_block_made[which], memory_order_acquire))
		return NULL;
	return pthread_getspecific(thread_keys[which]); /* never allocates */
}

/* The calling thread's block, `size` zeroed octets made on first use; NULL
 * when memory ran out. */
void *thread_block_make(enum thread_block which, size_t size);

#endif
