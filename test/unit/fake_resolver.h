/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fake DNS transport for the NSS tests: the module's resolver_open,
 * resolver_close and resolver_transport (src/resolver.h) answered from an
 * in-memory table of hand-built messages, with a log of every query. */
#ifndef SRVSIP_TEST_FAKE_RESOLVER_H
#define SRVSIP_TEST_FAKE_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv.h"
#include "wire_builder.h"

#define FAKE_MAX_ANSWERS 64
#define FAKE_MAX_LOG 64

struct fake_query {
	char name[300];
	uint16_t type;
	bool search;
};

/* Empties the table, the query log and the counters. */
void fake_reset(void);
/* Answers queries for (name, type) - name compared case-insensitively,
 * trailing dot ignored - with `outcome` and a copy of msg[0..len) (NULL:
 * no reply, length 0).  A name/type not in the table gets DNS_NXDOMAIN
 * without a reply. */
void fake_add(const char *name, uint16_t type, enum dns_outcome outcome, const uint8_t *msg,
	      size_t len);
/* fake_add(name, type, DNS_ANSWER, finished message of b). */
void fake_add_wb(const char *name, uint16_t type, struct wb *b);

/* Queries sent through the fake transport since fake_reset(). */
unsigned fake_queries(void);
const struct fake_query *fake_query_at(unsigned i);
/* Number of queries for (name, type) since fake_reset(). */
unsigned fake_queries_for(const char *name, uint16_t type);

/* hook(name, type) runs at the start of every query while set (NULL: none). */
void fake_set_query_hook(void (*hook)(const char *name, uint16_t type));

/* Every query fails temporarily (as when resolv.conf is unreadable) while
 * set. */
void fake_set_open_fails(bool fails);
unsigned fake_opens(void);  /* resolver_open() calls */
unsigned fake_closes(void); /* resolver_close() calls */

/* errno value the fake leaves behind after each query (libresolv changes
 * errno freely; the module must not leak that to a successful caller). */
#define FAKE_QUERY_ERRNO 111

#endif
