/* Scope decision: see scope.h. */
#include "scope.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config_load.h"

static const struct pseudo_service pseudo_services[] = {
	{"sipsrv", 5060, "_sip._udp", "_sip._tcp"},
	{"sipssrv", 5061, NULL, "_sips._tcp"},
	{"iaxsrv", 4569, "_iax._udp", NULL},
	{"stunsrv", 3478, "_stun._udp", NULL},
};

/* getaddrinfo runs its hosts lookup microseconds after the services lookup;
 * the window only ends a pairing that no hosts lookup consumed (a numeric
 * host, or a bare getservbyname): the next hosts lookup of the thread within
 * it is taken as the pseudo-service's (README "Limitations").  One second of
 * the coarse clock: between one and two seconds. */
#define PAIRING_WINDOW_SECONDS 1

/* The pseudo-service this thread's services lookup just answered.  glibc
 * runs getaddrinfo's services lookups and then its hosts lookup on the same
 * thread with nothing in between (glibc-nss.md), so the next hosts lookup
 * consumes it; the time bound only limits the damage of a services lookup
 * that no hosts lookup followed (a numeric host). */
static __thread struct {
	const struct pseudo_service *svc;
	unsigned protos; /* bit 0: udp, bit 1: tcp */
	time_t when;
} pending;

const struct pseudo_service *scope_pseudo_service(const char *name)
{
	for (size_t i = 0; i < sizeof(pseudo_services) / sizeof(pseudo_services[0]); i++)
		if (strcmp(pseudo_services[i].name, name) == 0)
			return &pseudo_services[i];
	return NULL;
}

const char *scope_pseudo_service_srv(const struct pseudo_service *svc, const char *proto,
				     const char **proto_used)
{
	if (proto == NULL) {
		*proto_used = svc->udp_srv ? "udp" : "tcp";
		return svc->udp_srv ? svc->udp_srv : svc->tcp_srv;
	}
	*proto_used = proto;
	if (strcmp(proto, "udp") == 0)
		return svc->udp_srv;
	if (strcmp(proto, "tcp") == 0)
		return svc->tcp_srv;
	return NULL;
}

const char *scope_program_name(void)
{
	return program_invocation_short_name;
}

static time_t coarse_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

void scope_note_service(const struct pseudo_service *svc, const char *proto)
{
	if (strcmp(scope_program_name(), "nscd") == 0)
		return;
	if (pending.svc != svc || coarse_now() - pending.when > PAIRING_WINDOW_SECONDS)
		pending.protos = 0;
	pending.svc = svc;
	pending.when = coarse_now();
	if (proto == NULL || strcmp(proto, "udp") == 0)
		pending.protos |= svc->udp_srv ? 1u : 0u;
	if (proto == NULL || strcmp(proto, "tcp") == 0)
		pending.protos |= svc->tcp_srv ? 2u : 0u;
}

const char *scope_trigger_name(enum scope_trigger trigger)
{
	switch (trigger) {
	case SCOPE_NONE: return "none";
	case SCOPE_SERVICE: return "service";
	case SCOPE_OWNER_NAME: return "owner-name";
	case SCOPE_DOMAIN: return "domain";
	case SCOPE_PROGRAM: return "program";
	}
	return "unknown";
}

static void add_service(struct srv_request *req, const char *srv)
{
	if (srv != NULL && req->nservices < SRV_MAX_SERVICES)
		snprintf(req->services[req->nservices++], SRV_SERVICE_SIZE, "%s", srv);
}

enum scope_trigger scope_classify(const char *name, struct srv_request *req, bool *debug)
{
	const struct pseudo_service *svc = pending.svc;
	unsigned protos = pending.protos;
	struct config_decision decision;
	enum scope_trigger trigger = SCOPE_NONE;

	if (svc != NULL) {
		pending.svc = NULL;
		if (coarse_now() - pending.when > PAIRING_WINDOW_SECONDS)
			svc = NULL;
	}
	bool owner = srv_is_owner_name(name);
	config_load_decide(name, scope_program_name(), &decision);
	*debug = decision.debug;
	req->nservices = 0;
	req->allow_cname = decision.allow_cname;
	req->use_cache = decision.cache;
	if (svc != NULL) {
		trigger = SCOPE_SERVICE;
		req->port = svc->port;
		if (!owner) {
			if (protos & 1u)
				add_service(req, svc->udp_srv);
			if (protos & 2u)
				add_service(req, svc->tcp_srv);
		}
	} else if (owner) {
		trigger = SCOPE_OWNER_NAME;
		req->port = -1; /* the program knows its port; any target will do */
	} else if (decision.matched) {
		trigger = decision.by_program ? SCOPE_PROGRAM : SCOPE_DOMAIN;
		req->port = decision.port;
		for (unsigned i = 0; i < decision.nservices; i++)
			add_service(req, decision.services[i]);
	}
	if (trigger != SCOPE_NONE)
		snprintf(req->name, sizeof(req->name), "%s", name);
	return trigger;
}
