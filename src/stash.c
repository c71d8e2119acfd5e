/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-thread ERANGE stash: see stash.h. */
#include "stash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* glibc retries at once; anything older is not that retry. */
#define STASH_LIFETIME_SECONDS 1

/* The thread's slot, on the heap behind a key: not __thread, whose first
 * use in a thread allocates the module's TLS block, and glibc ends the
 * process when that allocation fails (docs/glibc-facts.md "Loading").
 * pthread_getspecific never allocates. */
struct slot {
	struct stash_item item; /* item.res NULL: empty */
	time_t stored;
};

static pthread_key_t slot_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool key_ok; /* written once, inside key_once */

/* Frees the slot (and an untaken result) of a thread that exits. */
static void free_at_thread_exit(void *ptr)
{
	struct slot *slot = ptr;

	free(slot->item.res);
	free(slot);
}

static void create_key(void)
{
	key_ok = pthread_key_create(&slot_key, free_at_thread_exit) == 0;
}

/* The thread's slot; with `create`, made on first use (NULL when memory
 * ran out). */
static struct slot *thread_slot(bool create)
{
	pthread_once(&key_once, create_key);
	if (!key_ok)
		return NULL;
	struct slot *slot = pthread_getspecific(slot_key);
	if (slot == NULL && create) {
		slot = calloc(1, sizeof(*slot));
		if (slot != NULL && pthread_setspecific(slot_key, slot) != 0) {
			free(slot);
			slot = NULL;
		}
	}
	return slot;
}

static time_t now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

void stash_put(const struct stash_item *item)
{
	struct slot *slot = thread_slot(true);

	if (slot == NULL) {
		free(item->res); /* no memory for a slot: the retry resolves anew */
		return;
	}
	free(slot->item.res);
	slot->item = *item;
	slot->stored = now_seconds();
}

void stash_drop(void)
{
	struct slot *slot = thread_slot(false);

	if (slot != NULL && slot->item.res != NULL) {
		free(slot->item.res);
		slot->item.res = NULL;
	}
}

bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out)
{
	struct slot *slot = thread_slot(false);

	if (slot == NULL || slot->item.res == NULL)
		return false;
	const struct stash_item *kept = &slot->item;
	bool retry = kept->entry == entry && kept->family == family && buflen > kept->buflen &&
		     strcmp(kept->name, name) == 0 &&
		     now_seconds() - slot->stored <= STASH_LIFETIME_SECONDS;
	if (retry)
		*out = *kept;
	else
		free(kept->res); /* a retry comes next or never */
	slot->item.res = NULL;
	return retry;
}
