/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which hosts lookups the module handles (DESIGN.md "Scope"). */
#ifndef SRVSIP_SCOPE_H
#define SRVSIP_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include "srv.h"

struct pseudo_service {
	const char *name;     /* as the program writes it: getaddrinfo(d, "sipsrv") */
	uint16_t port;
	const char *udp_srv;  /* SRV name for protocol udp, or NULL */
	const char *tcp_srv;  /* SRV name for protocol tcp, or NULL */
};

enum scope_trigger {
	SCOPE_NONE,        /* out of scope: step aside */
	SCOPE_SERVICE,     /* the thread's services lookup answered a pseudo-service */
	SCOPE_OWNER_NAME,  /* the name is _service._proto.domain */
	SCOPE_DOMAIN,      /* a `domain` line of the config */
	SCOPE_PROGRAM,     /* a `program` line of the config */
};

/* A pairing ends this long after its services lookup, consumed or not:
 * far above the gap between the services and the hosts lookup of one
 * getaddrinfo call, below a human-scale gap between two calls (measured in
 * BENCHMARKS.md "Pairing window"). */
#define SCOPE_PAIRING_WINDOW_NS 250000000LL /* 250 ms */

/* The pseudo-service called `name`, or NULL. */
const struct pseudo_service *scope_pseudo_service(const char *name);
/* The protocol `svc` is answered for when asked for `proto` ("udp"/"tcp";
 * NULL: the service's first protocol), or NULL when it has no SRV name for
 * that protocol. */
const char *scope_pseudo_service_proto(const struct pseudo_service *svc, const char *proto);

/* Why the pseudo-service cannot be paired in this process, or NULL when it
 * can: inside a caching daemon, or when a caching daemon answers this
 * process's hosts lookups (nscd.h). */
const char *scope_pairing_refusal(void);

/* Called by getservbyname_r for every services lookup it sees: a
 * pseudo-service it answered (svc, for proto "udp" or "tcp") becomes the
 * thread's pairing for the next hosts lookup; any other name (svc NULL)
 * ends a pending pairing, since it starts another call.  False when the pairing cannot be kept (no
 * memory for the thread's state): the pseudo-service must not be answered. */
bool scope_note_service(const struct pseudo_service *svc, const char *name, const char *proto);

/* The hosts lookup of `name` just made for AF_INET6 through the thread's
 * pairing and entry point `entry` (the caller's numbering) may be the first
 * half of getaddrinfo(AF_INET6, AI_V4MAPPED), whose IPv4 half glibc asks
 * next through the same entry point (docs/glibc-facts.md "Which entry
 * point each caller uses"): the pairing holds once more, for that lookup
 * only (same name, same entry point, AF_INET), within the same window and
 * until any services lookup. */
void scope_pair_again(const char *name, int entry);

/* Decides whether the hosts lookup of `name` (through entry point `entry`,
 * for `family`: they matter to a pairing kept by scope_pair_again) is in
 * scope; if so fills req->name, services, port, allow_cname and use_cache
 * (family and failover are the caller's); out of scope (SCOPE_NONE) leaves
 * *req alone.  *debug tells whether the config asks for debug logging.
 * Consumes the thread's pending pseudo-service, whatever the outcome.
 * Leaves errno alone. */
enum scope_trigger scope_classify(const char *name, int entry, int family,
				  struct srv_request *req, bool *debug);

const char *scope_trigger_name(enum scope_trigger trigger);

#endif
