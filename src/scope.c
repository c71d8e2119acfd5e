/* Scope decision: see scope.h. */
#include "scope.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "config_load.h"
#include "text.h"

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

/* At least the number of threads with a pending pseudo-service: a thread
 * adds one when its pending.svc is set, takes it back when it is consumed or
 * the thread exits with it set.  A thread reading 0 therefore has none (it
 * would read its own addition otherwise) and skips its thread-local state:
 * the hosts lookups of a process that never asks for a pseudo-service pay
 * one load.  Too high (a thread exiting without its destructor) only costs
 * that look. */
static atomic_uint pending_threads;
static pthread_key_t pending_key;
static pthread_once_t pending_once = PTHREAD_ONCE_INIT;
static bool pending_key_ok; /* written once, inside pending_once */

static void uncount_at_thread_exit(void *svc)
{
	(void)svc;
	atomic_fetch_sub_explicit(&pending_threads, 1, memory_order_relaxed);
}

static void recount_in_child(void)
{
	/* Only the thread that forked exists in the child. */
	atomic_store_explicit(&pending_threads, pending.svc != NULL ? 1u : 0u,
			      memory_order_relaxed);
}

static void init_pending_count(void)
{
	pending_key_ok = pthread_key_create(&pending_key, uncount_at_thread_exit) == 0;
	pthread_atfork(NULL, NULL, recount_in_child);
}

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
	if (svc == NULL || strcmp(scope_program_name(), "nscd") == 0)
		return;
	if (pending.svc == NULL) {
		pthread_once(&pending_once, init_pending_count);
		atomic_fetch_add_explicit(&pending_threads, 1, memory_order_relaxed);
		if (pending_key_ok)
			pthread_setspecific(pending_key, svc);
	}
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
		text_copy(req->services[req->nservices++], SRV_SERVICE_SIZE, srv);
}

struct pairing {
	const struct pseudo_service *svc; /* NULL: none */
	unsigned protos;
};

/* Consumes the thread's pending pseudo-service: it, with its protocols, if
 * still within the pairing window. */
__attribute__((noinline)) static struct pairing take_pending(void)
{
	struct pairing taken = {pending.svc, pending.protos};

	if (taken.svc == NULL)
		return taken;
	pending.svc = NULL;
	if (pending_key_ok) /* set before this thread's pending.svc was */
		pthread_setspecific(pending_key, NULL);
	atomic_fetch_sub_explicit(&pending_threads, 1, memory_order_relaxed);
	if (coarse_now() - pending.when > PAIRING_WINDOW_SECONDS)
		taken.svc = NULL;
	return taken;
}

/* Fills req for a lookup in scope through `trigger`. */
__attribute__((noinline)) static enum scope_trigger
fill_request(enum scope_trigger trigger, const char *name, struct srv_request *req,
	     struct pairing pairing, const struct config_decision *decision)
{
	req->allow_cname = decision->allow_cname;
	req->use_cache = decision->cache;
	switch (trigger) {
	case SCOPE_SERVICE:
		req->port = pairing.svc->port;
		req->nservices = 0;
		if (!srv_is_owner_name(name)) {
			if (pairing.protos & 1u)
				add_service(req, pairing.svc->udp_srv);
			if (pairing.protos & 2u)
				add_service(req, pairing.svc->tcp_srv);
		}
		break;
	case SCOPE_OWNER_NAME:
		req->port = -1; /* the program knows its port; any target will do */
		req->nservices = 0;
		break;
	default:
		/* config_load_decide put the entry's services in req. */
		req->port = decision->port;
		req->nservices = decision->nservices;
		break;
	}
	/* A name longer than any host name is cut here and refused by the
	 * NSS glue, which compares the two. */
	text_copy(req->name, sizeof(req->name), name);
	return trigger;
}

/* scope_classify without a pairing or an owner name: the config decides. */
__attribute__((noinline)) static enum scope_trigger
classify_by_config(const char *name, struct srv_request *req, bool *debug)
{
	struct config_decision decision;

	/* A matching entry's services go straight to req (the config keeps at
	 * most SRV_MAX_SERVICES, each NUL-terminated). */
	config_load_decide(name, scope_program_name(), &decision, req->services);
	*debug = decision.debug;
	if (!decision.matched)
		return SCOPE_NONE;
	return fill_request(decision.by_program ? SCOPE_PROGRAM : SCOPE_DOMAIN, name, req,
			    (struct pairing){NULL, 0}, &decision);
}

/* scope_classify when a pseudo-service may be pending or the name may be an
 * owner name. */
__attribute__((noinline)) static enum scope_trigger
classify_rare(const char *name, struct srv_request *req, bool *debug)
{
	struct pairing pairing = {NULL, 0};
	struct config_decision decision;

	if (atomic_load_explicit(&pending_threads, memory_order_relaxed) != 0)
		pairing = take_pending();
	if (pairing.svc == NULL && !srv_is_owner_name(name))
		return classify_by_config(name, req, debug);
	/* In scope whatever the entries say: the config gives the options. */
	config_load_decide(NULL, NULL, &decision, NULL);
	*debug = decision.debug;
	return fill_request(pairing.svc != NULL ? SCOPE_SERVICE : SCOPE_OWNER_NAME, name, req,
			    pairing, &decision);
}

enum scope_trigger scope_classify(const char *name, struct srv_request *req, bool *debug)
{
	/* name[0] == '_' is srv_is_owner_name's own first test. */
	if (atomic_load_explicit(&pending_threads, memory_order_relaxed) != 0 || name[0] == '_')
		return classify_rare(name, req, debug);
	/* Most lookups end here, out of scope, having copied nothing.  A match
	 * asks again for the whole decision (which a reload in between may
	 * still turn into no match). */
	if (!config_load_matches(name, scope_program_name(), debug))
		return SCOPE_NONE;
	return classify_by_config(name, req, debug);
}
