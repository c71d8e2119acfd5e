/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-thread ERANGE stash and the per-thread blocks: see stash.h. */
#include "stash.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* As a pairing's window (scope.h): glibc retries within microseconds. */
#define STASH_LIFETIME_NS 250000000LL /* 250 ms */

/* The thread's THREAD_STASH block. */
struct slot {
	struct stash_item item; /* item.res NULL: empty */
	long long stored_ns; /* CLOCK_MONOTONIC */
};

pthread_key_t thread_keys[THREAD_BLOCKS];
atomic_bool thread_block_made[THREAD_BLOCKS];
static pthread_once_t key_once[THREAD_BLOCKS] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT};
static atomic_bool key_made[THREAD_BLOCKS];

/* Frees the slot (and an untaken result) of a thread that exits. */
static void free_slot(void *ptr)
{
	struct slot *slot = ptr;

	free(slot->item.res);
	free(slot);
}

/* Each kind's key on its first need only (check-dlopen counts them). */
static void create_key(enum thread_block which)
{
	static void (*const destructors[THREAD_BLOCKS])(void *) = {free_slot, free};

	if (pthread_key_create(&thread_keys[which], destructors[which]) == 0)
		atomic_store_explicit(&key_made[which], true, memory_order_release);
}

static void create_stash_key(void) { create_key(THREAD_STASH); }
static void create_pairing_key(void) { create_key(THREAD_PAIRING); }

void *thread_block_make(enum thread_block which, size_t size)
{
	static void (*const create[THREAD_BLOCKS])(void) = {create_stash_key, create_pairing_key};
	void *block = thread_block(which);

	if (block != NULL)
		return block;
	pthread_once(&key_once[which], create[which]);
	if (!atomic_load_explicit(&key_made[which], memory_order_acquire))
		return NULL;
	block = calloc(1, size);
	if (block == NULL || pthread_setspecific(thread_keys[which], block) != 0) {
		free(block);
		return NULL;
	}
	atomic_store_explicit(&thread_block_made[which], true, memory_order_release);
	return block;
}

bool stash_put(const struct stash_item *item)
{
	struct slot *slot = thread_block_make(THREAD_STASH, sizeof(*slot));

	if (slot == NULL) {
		free(item->res);
		return false;
	}
	free(slot->item.res);
	slot->item = *item;
	slot->stored_ns = monotonic_ns();
	return true;
}

void stash_drop(void)
{
	struct slot *slot = thread_block(THREAD_STASH);

	if (slot != NULL) {
		free(slot->item.res);
		slot->item.res = NULL;
	}
}

bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out)
{
	struct slot *slot = thread_block(THREAD_STASH);

	if (slot == NULL || slot->item.res == NULL)
		return false;
	const struct stash_item *kept = &slot->item;
	bool retry = kept->entry == entry && kept->family == family && buflen > kept->buflen &&
		     strcmp(kept->name, name) == 0 &&
		     monotonic_ns() - slot->stored_ns <= STASH_LIFETIME_NS;
	if (retry)
		*out = *kept;
	else
		free(kept->res); /* a retry comes next or never */
	slot->item.res = NULL;
	return retry;
}
