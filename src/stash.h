/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One result kept per thread across an ERANGE retry.
 *
 * glibc answers ERANGE by calling the same module again at once with a
 * larger buffer (docs/glibc-facts.md).  Resolving again would send the queries again
 * and make a new draw, which would bias selection towards targets whose
 * answer fits the small buffer; so the result waits here for that retry.
 * Only that retry gets it: the same name, entry point and family, a larger
 * buffer, within 250 ms, and no services lookup in between (a services
 * lookup starts another getaddrinfo call, whose pairing its own hosts
 * lookup must consume). */
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
	size_t buflen;          /* the buffer that was too small */
	char name[DNS_NAME_TEXT_SIZE + 1];
};

/* Keeps *item (taking ownership of item->res) for this thread; false (and
 * item->res freed) when memory for the thread's slot ran out. */
bool stash_put(const struct stash_item *item);
/* Takes the thread's item if this call is its retry (see above); true then.
 * Any other item is dropped: a retry comes next or never. */
bool stash_take(const char *name, int entry, int family, size_t buflen, struct stash_item *out);
/* Drops the thread's item: a services lookup is never part of a retry. */
void stash_drop(void);

#endif
