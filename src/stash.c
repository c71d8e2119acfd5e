/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-thread ERANGE stash: see stash.h. */
#include "stash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* glibc retries at once; anything older is not that retry. */
#define STASH_LIFETIME_SECONDS 1

static __thread struct stash_item slot;
static __thread time_t slot_time;
static pthread_key_t slot_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool key_ok; /* written once, inside key_once */

/* Frees the result of a thread that exits with an untaken item. */
static void free_at_thread_exit(void *res)
{
	free(res);
}

static void create_key(void)
{
	key_ok = pthread_key_create(&slot_key, free_at_thread_exit) == 0;
}

static time_t now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

/* Empties a full slot, handing its result to *taken, or freeing it. */
static void empty_slot(struct srv_result **taken)
{
	if (taken != NULL)
		*taken = slot.res;
	else
		free(slot.res);
	slot.res = NULL;
	if (key_ok)
		pthread_setspecific(slot_key, NULL);
}

void stash_put(const struct stash_item *item)
{
	pthread_once(&key_once, create_key);
	if (slot.res != NULL)
		empty_slot(NULL);
	slot = *item;
	slot_time = now_seconds();
	if (slot.res != NULL && key_ok)
		pthread_setspecific(slot_key, slot.res);
}

void stash_drop(void)
{
	if (slot.res != NULL)
		empty_slot(NULL);
}

bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out)
{
	if (slot.res == NULL)
		return false;
	if (slot.entry == entry && slot.family == family && buflen > slot.buflen &&
	    strcmp(slot.name, name) == 0 && now_seconds() - slot_time <= STASH_LIFETIME_SECONDS) {
		*out = slot;
		empty_slot(&out->res);
		return true;
	}
	empty_slot(NULL); /* a retry comes next or never */
	return false;
}
