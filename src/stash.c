/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-thread ERANGE stash: see stash.h. */
#include "stash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* glibc retries at once (microseconds); anything older is not that retry.
 * The same bound as a pairing's (scope.h): a result kept longer could
 * answer a later call that made no services lookup. */
#define STASH_LIFETIME_NS 250000000LL /* 250 ms */

/* The thread's slot, on the heap behind a key: not __thread, whose first
 * use in a thread allocates the module's TLS block, and glibc ends the
 * process when that allocation fails (docs/glibc-facts.md "Loading").
 * pthread_getspecific never allocates. */
struct slot {
	struct stash_item item; /* item.res NULL: empty */
	long long stored_ns; /* CLOCK_MONOTONIC */
};

static pthread_key_t slot_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
/* Set once slot_key exists: until some thread keeps a result, a lookup
 * learns from this one load that it has nothing stashed. */
static atomic_bool key_ready;

/* Frees the slot (and an untaken result) of a thread that exits. */
static void free_at_thread_exit(void *ptr)
{
	struct slot *slot = ptr;

	free(slot->item.res);
	free(slot);
}

static void create_key(void)
{
	if (pthread_key_create(&slot_key, free_at_thread_exit) == 0)
		atomic_store_explicit(&key_ready, true, memory_order_release);
}

/* The thread's slot, or NULL. */
static struct slot *current_slot(void)
{
	if (!atomic_load_explicit(&key_ready, memory_order_acquire))
		return NULL;
	return pthread_getspecific(slot_key);
}

/* The thread's slot, made on first use; NULL when memory ran out. */
static struct slot *new_slot(void)
{
	pthread_once(&key_once, create_key);
	if (!atomic_load_explicit(&key_ready, memory_order_acquire))
		return NULL;
	struct slot *slot = pthread_getspecific(slot_key);
	if (slot == NULL) {
		slot = calloc(1, sizeof(*slot));
		if (slot != NULL && pthread_setspecific(slot_key, slot) != 0) {
			free(slot);
			slot = NULL;
		}
	}
	return slot;
}

static long long monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

bool stash_put(const struct stash_item *item)
{
	struct slot *slot = new_slot();

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
	struct slot *slot = current_slot();

	if (slot != NULL && slot->item.res != NULL) {
		free(slot->item.res);
		slot->item.res = NULL;
	}
}

bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out)
{
	struct slot *slot = current_slot();

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
