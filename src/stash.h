/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One result kept per thread across an ERANGE retry.
 *
 * glibc answers ERANGE by calling the same module again at once with a
 * larger buffer (docs/glibc-facts.md).  Resolving again would send the queries again
 * and make a new draw, which would bias selection towards targets whose
 * answer fits the small buffer; so the result waits here for that retry. */
#ifndef SRVSIP_STASH_H
#define SRVSIP_STASH_H

#include <stdbool.h>

#include "srv.h"

struct stash_item {
	struct srv_result *res; /* heap, owned by whoever holds the item */
	int entry;              /* which entry point made it */
	int family;
	int trigger;
	bool debug;
	char name[DNS_NAME_TEXT_SIZE + 1];
};

/* Keeps *item (taking ownership of item->res) for this thread. */
void stash_put(const struct stash_item *item);
/* Takes the thread's item if it matches (name, entry, family); true then.
 * Any other item is dropped: a retry comes next or never. */
bool stash_take(const char *name, int entry, int family, struct stash_item *out);

#endif
