/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module's DNS transport (srv.h): resolv.conf read by res_ninit into a
 * private state (never `_res`), queries sent by dns_client.c (DESIGN.md
 * "resolv.conf, option by option"). */
#ifndef SRVSIP_RESOLVER_H
#define SRVSIP_RESOLVER_H

#include <resolv.h>
#include <stdbool.h>

#include "dns_client.h"
#include "rng.h"
#include "srv.h"

struct resolver {
	struct __res_state state;
	bool ready;                      /* res_ninit succeeded; if not, every query fails */
	bool no_aaaa;
	struct dns_client_config client;
	const struct dns_net *net;
	int answered_by;                 /* server index, -1 before any answer */
	long long address_deadline;      /* -1 until the first address query */
	bool ids_seeded;
	struct srv_xoshiro ids;          /* query IDs */
};

/* Reads resolv.conf into r; `net` is the client's I/O (dns_net_system). */
void resolver_open(struct resolver *r, const struct dns_net *net);
void resolver_close(struct resolver *r);
/* A dns_transport whose ctx is an opened struct resolver. */
struct dns_transport resolver_transport(struct resolver *r);

#endif
