/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scope decision: see scope.h. */
#include "scope.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "config_load.h"
#include "nscd.h"
#include "srv_parse.h"
#include "clock.h"
#include "stash.h"
#include "text.h"

static const struct pseudo_service pseudo_services[] = {
	{"sipsrv", 5060, "_sip._udp", "_sip._tcp"},
	{"sipssrv", 5061, NULL, "_sips._tcp"},
	{"iaxsrv", 4569, "_iax._udp", NULL},
	{"stunsrv", 3478, "_stun._udp", NULL},
};

#define PROTO_UDP 1u
#define PROTO_TCP 2u

struct pairing {
	const struct pseudo_service *svc; /* NULL: none */
	unsigned protos;                  /* PROTO_UDP | PROTO_TCP answered */
	long long noted_ns;               /* CLOCK_MONOTONIC of the last answer */
};

/* The thread's THREAD_PAIRING block, made by its first pseudo-service answer. */
struct pending {
	struct pairing pairing;
	bool for_name;        /* pending for the IPv4 half only (scope_pair_again) */
	int for_entry;        /* ... through this entry point, of `name` */
	struct pairing taken; /* the pairing last consumed */
	char name[DNS_NAME_TEXT_SIZE + 1];
};

const struct pseudo_service *scope_pseudo_service(const char *name)
{
	for (size_t i = 0; i < sizeof(pseudo_services) / sizeof(pseudo_services[0]); i++)
		if (strcmp(pseudo_services[i].name, name) == 0)
			return &pseudo_services[i];
	return NULL;
}

const char *scope_pseudo_service_proto(const struct pseudo_service *svc, const char *proto)
{
	if (proto == NULL)
		return svc->udp_srv ? "udp" : "tcp";
	if (strcmp(proto, "udp") == 0)
		return svc->udp_srv ? proto : NULL;
	if (strcmp(proto, "tcp") == 0)
		return svc->tcp_srv ? proto : NULL;
	return NULL;
}

const char *scope_pairing_refusal(void)
{
	if (nscd_is_daemon(program_invocation_short_name))
		return "inside a caching daemon, services and hosts lookups of different "
		       "clients share threads: pseudo-services are refused";
	if (nscd_serves_hosts())
		return "a caching daemon (nscd) answers this process's hosts lookups, which "
		       "cannot be paired: pseudo-services are refused";
	return NULL;
}

bool scope_note_service(const struct pseudo_service *svc, const char *name, const char *proto)
{
	struct pending *p = svc != NULL ? thread_block_make(THREAD_PAIRING, sizeof(*p))
					 : thread_block(THREAD_PAIRING);

	/* Any services lookup ends a pairing kept for an IPv4 half. */
	if (p != NULL && p->for_name) {
		p->pairing.svc = NULL;
		p->for_name = false;
	}
	if (svc == NULL) {
		/* Another name starts another call; another protocol does not. */
		if (p != NULL && p->pairing.svc != NULL && strcmp(p->pairing.svc->name, name) != 0)
			p->pairing.svc = NULL;
		return true;
	}
	if (p == NULL)
		return false;
	long long now = monotonic_ns();
	unsigned proto_bit = strcmp(proto, "udp") == 0 ? PROTO_UDP : PROTO_TCP;
	/* Another call: another service, the window over, tcp, or a protocol
	 * again (getaddrinfo asks tcp, then udp, each once). */
	if (p->pairing.svc != svc || now - p->pairing.noted_ns > SCOPE_PAIRING_WINDOW_NS ||
	    (p->pairing.protos & proto_bit) != 0 || proto_bit == PROTO_TCP)
		p->pairing.protos = 0;
	p->pairing.svc = svc;
	p->pairing.noted_ns = now;
	p->pairing.protos |= proto_bit & ((svc->udp_srv ? PROTO_UDP : 0u) |
					  (svc->tcp_srv ? PROTO_TCP : 0u));
	return true;
}

const char *scope_trigger_name(enum scope_trigger trigger)
{
	static const char *const names[] = {
		[SCOPE_NONE] = "none", [SCOPE_SERVICE] = "service", [SCOPE_OWNER_NAME] = "owner-name",
		[SCOPE_DOMAIN] = "domain", [SCOPE_PROGRAM] = "program"};

	return (unsigned)trigger < sizeof(names) / sizeof(names[0]) ? names[trigger] : "unknown";
}

/* Consumes the pairing: it, if within the window and, when kept for an IPv4
 * half, if this lookup is that half. */
static struct pairing take_pending(const char *name, int entry, int family)
{
	struct pending *p = thread_block(THREAD_PAIRING);
	const struct pairing none = {NULL, 0, 0};

	if (p == NULL)
		return none;
	bool valid = p->pairing.svc != NULL &&
		     monotonic_ns() - p->pairing.noted_ns <= SCOPE_PAIRING_WINDOW_NS &&
		     (!p->for_name ||
		      (family == AF_INET && entry == p->for_entry && strcmp(p->name, name) == 0));
	p->taken = valid ? p->pairing : none;
	p->pairing.svc = NULL;
	p->for_name = false;
	return p->taken;
}

void scope_pair_again(const char *name, int entry)
{
	struct pending *p = thread_block(THREAD_PAIRING);

	if (p == NULL || p->taken.svc == NULL || !text_copy(p->name, sizeof(p->name), name))
		return;
	p->pairing = p->taken;
	p->for_name = true;
	p->for_entry = entry;
	p->taken.svc = NULL;
}

static void add_service(struct srv_request *req, const char *srv)
{
	if (srv != NULL && req->nservices < SRV_MAX_SERVICES)
		text_copy(req->services[req->nservices++], SRV_SERVICE_SIZE, srv);
}

enum scope_trigger scope_classify(const char *name, int entry, int family,
				  struct srv_request *req, bool *debug)
{
	struct pairing pairing = take_pending(name, entry, family);
	struct config_decision decision;
	enum scope_trigger trigger;

	if (pairing.svc != NULL || (name[0] == '_' && srv_is_owner_name(name))) {
		/* The config gives the options only. */
		config_load_decide(NULL, NULL, &decision, NULL);
		trigger = pairing.svc != NULL ? SCOPE_SERVICE : SCOPE_OWNER_NAME;
		req->port = pairing.svc != NULL ? pairing.svc->port : -1; /* unpaired: any port */
		req->nservices = 0;
		/* A paired owner name says which SRV name to ask. */
		if (pairing.svc != NULL && !srv_is_owner_name(name)) {
			if (pairing.protos & PROTO_UDP)
				add_service(req, pairing.svc->udp_srv);
			if (pairing.protos & PROTO_TCP)
				add_service(req, pairing.svc->tcp_srv);
		}
	} else if (!config_load_matches(name, program_invocation_short_name, debug)) {
		return SCOPE_NONE;
	} else {
		/* The whole decision: a reload since may say no. */
		config_load_decide(name, program_invocation_short_name, &decision, req->services);
		trigger = !decision.matched ? SCOPE_NONE
			  : decision.by_program ? SCOPE_PROGRAM : SCOPE_DOMAIN;
		req->port = decision.port;
		req->nservices = decision.nservices;
	}
	*debug = decision.debug;
	req->allow_cname = decision.allow_cname;
	req->use_cache = decision.cache;
	/* A name cut here is refused by the glue, which compares the two. */
	text_copy(req->name, sizeof(req->name), name);
	return trigger;
}
