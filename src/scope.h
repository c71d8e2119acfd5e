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

/* After its services lookup, consumed or not (BENCHMARKS.md "Pairing window"). */
#define SCOPE_PAIRING_WINDOW_NS 250000000LL /* 250 ms */

/* The pseudo-service called `name`, or NULL. */
const struct pseudo_service *scope_pseudo_service(const char *name);
/* The protocol answered for `proto` (NULL: the service's first), or NULL
 * when svc has no SRV name for it. */
const char *scope_pseudo_service_proto(const struct pseudo_service *svc, const char *proto);

/* Why no pseudo-service can be paired in this process (nscd.h), or NULL. */
const char *scope_pairing_refusal(void);

/* Every services lookup: a pseudo-service answered (svc, proto "udp" or
 * "tcp") becomes the thread's pairing; another name (svc NULL) ends it.
 * False when out of memory: then the pseudo-service must not be answered. */
bool scope_note_service(const struct pseudo_service *svc, const char *name, const char *proto);

/* A paired AF_INET6 lookup of `name` through `entry` found nothing: the
 * pairing holds once more for the IPv4 half of AI_V4MAPPED (DESIGN.md "Scope"). */
void scope_pair_again(const char *name, int entry);

/* In scope: fills *req but for family and failover.  Consumes the thread's
 * pairing whatever the outcome; *debug from the config; errno left alone. */
enum scope_trigger scope_classify(const char *name, int entry, int family,
				  struct srv_request *req, bool *debug);

const char *scope_trigger_name(enum scope_trigger trigger);

#endif
