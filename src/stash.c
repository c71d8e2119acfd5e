/* Per-thread ERANGE stash: see stash.h. */
#include "stash.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STASH_LIFETIME_SECONDS 5

static __thread struct stash_item slot;
static __thread time_t slot_time;
static pthread_key_t slot_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool key_ok;
/* At least the number of threads whose slot holds an item: each thread adds
 * one when its slot fills and takes it back when the slot empties (or the
 * thread exits with it full).  A thread reading 0 therefore has an empty slot
 * (it would read its own addition otherwise), and skips its slot without a
 * look: the lookups that find nothing (nearly all) pay one load.  Too high
 * (a forked child counting its parent's other threads, a thread gone without
 * its destructor) only costs that look. */
static atomic_uint filled_slots;

/* Frees the result of a thread that exits with an untaken item. */
static void free_at_thread_exit(void *res)
{
	free(res);
	atomic_fetch_sub_explicit(&filled_slots, 1, memory_order_relaxed);
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
	atomic_fetch_sub_explicit(&filled_slots, 1, memory_order_relaxed);
}

void stash_put(const struct stash_item *item)
{
	pthread_once(&key_once, create_key);
	if (slot.res != NULL)
		empty_slot(NULL);
	slot = *item;
	slot_time = now_seconds();
	if (slot.res == NULL)
		return;
	atomic_fetch_add_explicit(&filled_slots, 1, memory_order_relaxed);
	if (key_ok)
		pthread_setspecific(slot_key, slot.res);
}

/* The thread's slot holds an item: see stash_take. */
__attribute__((noinline)) static bool take_slot(const char *name, int entry, int family,
						struct stash_item *out)
{
	if (slot.entry == entry && slot.family == family && strcmp(slot.name, name) == 0 &&
	    now_seconds() - slot_time <= STASH_LIFETIME_SECONDS) {
		*out = slot;
		empty_slot(&out->res);
		return true;
	}
	empty_slot(NULL);
	return false;
}

bool stash_take(const char *name, int entry, int family, struct stash_item *out)
{
	if (atomic_load_explicit(&filled_slots, memory_order_relaxed) == 0 || slot.res == NULL)
		return false;
	return take_slot(name, entry, family, out);
}
