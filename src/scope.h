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

/* The pseudo-service called `name`, or NULL. */
const struct pseudo_service *scope_pseudo_service(const char *name);
/* The SRV name of `svc` for `proto` ("udp"/"tcp"); NULL if it has none.  A
 * NULL proto means the service's first protocol. */
const char *scope_pseudo_service_srv(const struct pseudo_service *svc, const char *proto,
				     const char **proto_used);

/* Called by getservbyname_r after answering a pseudo-service: the next hosts
 * lookup of this thread belongs to it (never inside nscd, where the two run
 * for different clients; glibc-nss.md). */
void scope_note_service(const struct pseudo_service *svc, const char *proto);

/* Decides whether the hosts lookup of `name` is in scope; if so fills
 * req->name, services, port, allow_cname and use_cache (family and failover
 * are the caller's); out of scope (SCOPE_NONE) leaves *req alone.  *debug
 * tells whether the config asks for debug logging.  Consumes the thread's
 * pending pseudo-service, whatever the outcome.  Leaves errno alone. */
enum scope_trigger scope_classify(const char *name, struct srv_request *req, bool *debug);

const char *scope_trigger_name(enum scope_trigger trigger);

/* The calling program's short name (program_invocation_short_name). */
const char *scope_program_name(void);

#endif
