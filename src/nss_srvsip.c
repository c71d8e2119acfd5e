/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NSS glue: validates the call, asks scope.c, runs the engine, packs the
 * result (DESIGN.md "A lookup's path through the files"). */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache.h"
#include "config_load.h"
#include "log.h"
#include "pack.h"
#include "resolver.h"
#include "scope.h"
#include "srv.h"
#include "clock.h"
#include "stash.h"
#include "text.h"

/* The only visible symbols (docs/glibc-facts.md "Loading"). */
#pragma GCC visibility push(default)
NSS_DECLARE_MODULE_FUNCTIONS(srvsip)
#pragma GCC visibility pop

enum entry_point { ENTRY_HOSTBYNAME4, ENTRY_HOSTBYNAME3, ENTRY_HOSTBYNAME2, ENTRY_HOSTBYNAME };

/* Where the result goes: *pat for gethostbyname4_r, a hostent otherwise. */
struct packing {
	struct gaih_addrtuple **pat;
	struct hostent *he;
	char **canonp;
	int32_t *ttlp;
	char *buffer;
	size_t buflen;
};

static void log_lookup(const struct stash_item *item, long long duration_us)
{
	const struct srv_result *res = item->res;

	srvsip_log_debug("lookup %s program=%s trigger=%s family=%d srv=%s target=%s port=%d "
			 "targets=%u ttl=%u queries=%u duration_us=%lld status=%s (%s%s%s)",
			 item->name, program_invocation_short_name,
			 scope_trigger_name((enum scope_trigger)item->trigger), item->family,
			 res->srv_name[0] ? res->srv_name : "-",
			 res->ntargets > 0 ? res->targets[0].name : "-",
			 res->ntargets > 0 ? res->targets[0].port : 0, res->ntargets, res->ttl,
			 res->queries, duration_us, srv_status_name(res->status), res->reason,
			 res->subject[0] ? ": " : "", res->subject);
}

/* Fills item, its res from the engine; false when memory ran out. */
static bool resolve(const char *name, int entry, int family, struct srv_request *req,
		    struct stash_item *item)
{
	struct resolver resolver;
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};

	item->entry = entry;
	item->family = family;
	text_copy(item->name, sizeof(item->name), req->name);
	item->res = malloc(sizeof(*item->res));
	if (item->res == NULL)
		return false;
	srv_result_init(item->res);
	if (strcmp(req->name, name) != 0) {
		/* Longer than any host name: scope_classify kept only a part. */
		item->res->status = SRV_NOT_DECIDED;
		item->res->reason = "not a valid host name";
		return true;
	}
	req->family = family;
	req->want_failover = entry == ENTRY_HOSTBYNAME;
	struct cache_transport cached;
	if (req->use_cache)
		cache_begin(&cached); /* before res_ninit reads resolv.conf (cache.h) */
	resolver_open(&resolver, &dns_net_system);
	srv_xoshiro_seed_os(&gen);
	cached.inner = resolver_transport(&resolver);
	struct dns_transport transport = req->use_cache ? cache_transport(&cached) : cached.inner;
	srv_resolve(req, &transport, &rng, item->res);
	resolver_close(&resolver);
	return true;
}

/* DESIGN.md "Statuses"; errno 0: left alone. */
static const struct {
	enum nss_status status;
	int errnum;
	int h_errnum;
} statuses[] = {
	[SRV_SUCCESS] = {NSS_STATUS_SUCCESS, 0, NETDB_SUCCESS},
	[SRV_NOT_DECIDED] = {NSS_STATUS_UNAVAIL, 0, NO_RECOVERY},
	[SRV_HOST_NOT_FOUND] = {NSS_STATUS_NOTFOUND, ENOENT, HOST_NOT_FOUND},
	[SRV_NO_DATA] = {NSS_STATUS_NOTFOUND, ENOENT, NO_DATA},
	[SRV_TRY_AGAIN] = {NSS_STATUS_TRYAGAIN, EAGAIN, TRY_AGAIN},
	[SRV_NO_MEMORY] = {NSS_STATUS_TRYAGAIN, ENOMEM, TRY_AGAIN},
};

static enum nss_status status_of(enum srv_status outcome, int *errnop, int *h_errnop)
{
	unsigned i = (unsigned)outcome < sizeof(statuses) / sizeof(statuses[0]) ? outcome
										: SRV_TRY_AGAIN;

	if (statuses[i].errnum != 0)
		*errnop = statuses[i].errnum;
	*h_errnop = statuses[i].h_errnum;
	return statuses[i].status;
}

/* Packs a successful result and its TTL: 0 or ERANGE. */
static int pack(const struct stash_item *item, const char *name, const struct packing *out)
{
	int rc = item->entry == ENTRY_HOSTBYNAME4
			 ? pack_addrtuples(item->res, out->pat, out->buffer, out->buflen)
			 : pack_hostent(item->res, name, item->family, out->he, out->buffer,
					out->buflen, out->canonp);
	if (rc == 0 && out->ttlp != NULL)
		*out->ttlp = (int32_t)(item->res->ttl > INT32_MAX ? INT32_MAX : item->res->ttl);
	return rc;
}

static bool arguments_valid(const char *name, enum entry_point entry, int family,
			    const struct packing *out, const int *errnop, const int *h_errnop)
{
	bool result_given = entry == ENTRY_HOSTBYNAME4 ? out->pat != NULL : out->he != NULL;
	bool family_known = family == AF_INET || family == AF_INET6 || family == AF_UNSPEC;

	return name != NULL && out->buffer != NULL && errnop != NULL && h_errnop != NULL &&
	       result_given && family_known;
}

/* Invalid arguments: UNAVAIL, with EAFNOSUPPORT for an unknown family, else
 * EINVAL.  Only gethostbyname4_r is given AF_UNSPEC. */
static enum nss_status refuse_arguments(int family, int *errnop, int *h_errnop)
{
	if (errnop != NULL)
		*errnop = family == AF_INET || family == AF_INET6 || family == AF_UNSPEC
				  ? EINVAL : EAFNOSUPPORT;
	if (h_errnop != NULL)
		*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

static enum nss_status lookup(const char *name, enum entry_point entry, int family,
			      const struct packing *out, int *errnop, int *h_errnop)
{
	struct stash_item item; /* filled field by field: it is large */
	struct srv_request req;

	if (!arguments_valid(name, entry, family, out, errnop, h_errnop))
		return refuse_arguments(family, errnop, h_errnop);
	bool retry = stash_take(name, entry, family, out->buflen, &item);
	/* All that an out-of-scope lookup pays (DESIGN.md "Hot paths"). */
	if (!retry) {
		item.trigger = scope_classify(name, (int)entry, family, &req, &item.debug);
		if (item.trigger == SCOPE_NONE)
			return status_of(SRV_NOT_DECIDED, errnop, h_errnop);
	}
	int saved_errno = errno; /* a successful lookup leaves errno alone */
	long long start_ns = monotonic_ns();
	if (!retry && !resolve(name, entry, family, &req, &item))
		goto no_memory;
	enum nss_status status = status_of(item.res->status, errnop, h_errnop);
	if (status == NSS_STATUS_SUCCESS) {
		if (pack(&item, name, out) == ERANGE)
			goto buffer_too_small;
		errno = saved_errno;
	}
	/* The IPv4 half of AI_V4MAPPED comes next (DESIGN.md "Scope"). */
	if (item.trigger == SCOPE_SERVICE && family == AF_INET6 && status != NSS_STATUS_SUCCESS)
		scope_pair_again(name, (int)entry);
	if (item.debug)
		log_lookup(&item, (monotonic_ns() - start_ns) / 1000);
	free(item.res);
	return status;

buffer_too_small:
	/* docs/glibc-facts.md "Buffer too small" */
	item.buflen = out->buflen;
	if (!stash_put(&item))
		goto no_memory; /* a retry would not be paired: none */
	*errnop = ERANGE;
	*h_errnop = NETDB_INTERNAL;
	return NSS_STATUS_TRYAGAIN;
no_memory:
	return status_of(SRV_NO_MEMORY, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp)
{
	struct packing out = {pat, NULL, NULL, ttlp, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME4, AF_UNSPEC, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname3_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp, char **canonp)
{
	struct packing out = {NULL, result, canonp, ttlp, buffer, buflen};
	/* AF_UNSPEC taken as AF_INET, as nss-mdns and nss-resolve do (also 2_r) */
	return lookup(name, ENTRY_HOSTBYNAME3, af == AF_UNSPEC ? AF_INET : af, &out, errnop,
		      h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname2_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop)
{
	struct packing out = {NULL, result, NULL, NULL, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME2, af == AF_UNSPEC ? AF_INET : af, &out, errnop,
		      h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname_r(const char *name, struct hostent *result,
					    char *buffer, size_t buflen, int *errnop,
					    int *h_errnop)
{
	struct packing out = {NULL, result, NULL, NULL, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME, AF_INET, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_getservbyname_r(const char *name, const char *protocol,
					    struct servent *result, char *buffer, size_t buflen,
					    int *errnop)
{
	struct config_decision options;

	stash_drop(); /* never part of a hosts retry (DESIGN.md "Results") */
	if (name == NULL || result == NULL || buffer == NULL || errnop == NULL)
		return NSS_STATUS_UNAVAIL;
	const struct pseudo_service *svc = scope_pseudo_service(name);
	const char *proto_used = svc != NULL ? scope_pseudo_service_proto(svc, protocol) : NULL;
	if (proto_used == NULL) {
		scope_note_service(NULL, name, protocol);
		return NSS_STATUS_NOTFOUND;
	}
	const char *refusal = scope_pairing_refusal();
	if (refusal != NULL) {
		config_load_decide(NULL, NULL, &options, NULL);
		if (options.debug)
			srvsip_log_debug("service %s/%s program=%s status=not-found (%s)", name,
					 proto_used, program_invocation_short_name, refusal);
		return NSS_STATUS_NOTFOUND;
	}
	if (pack_servent(svc->name, svc->port, proto_used, result, buffer, buflen) != 0) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	/* Without a protocol asked, only the one reported is paired. */
	if (!scope_note_service(svc, name, proto_used)) {
		*errnop = ENOMEM; /* unpaired, the port would go to the domain itself */
		return NSS_STATUS_TRYAGAIN;
	}
	return NSS_STATUS_SUCCESS;
}
