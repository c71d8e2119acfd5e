/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NSS glue of libnss_srvsip: validates the call, asks scope.c whether the
 * lookup is ours, runs the SRV engine and packs its result into the caller's
 * buffer.  Nothing else lives here (DESIGN.md "Layout").  The glibc facts
 * relied on are in docs/glibc-facts.md. */
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
#include "stash.h"
#include "text.h"

/* A wrong prototype below becomes a compile error.  The build hides every
 * symbol; these declarations are the only visible ones, and the version
 * script exports only _nss_srvsip_*. */
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

static void log_lookup(const struct stash_item *item, long long duration_us, const char *outcome)
{
	const struct srv_result *res = item->res;

	srvsip_log_debug("lookup %s program=%s trigger=%s family=%d srv=%s target=%s port=%d "
			 "targets=%u ttl=%u queries=%u duration_us=%lld status=%s (%s%s%s)",
			 item->name, scope_program_name(),
			 scope_trigger_name((enum scope_trigger)item->trigger), item->family,
			 res->srv_name[0] ? res->srv_name : "-",
			 res->ntargets > 0 ? res->targets[0].name : "-",
			 res->ntargets > 0 ? res->targets[0].port : 0, res->ntargets, res->ttl,
			 res->queries, duration_us, outcome, res->reason,
			 res->subject[0] ? ": " : "", res->subject);
}

/* Runs the engine on the in-scope request for `name` (entry, family) into
 * item->res; false when memory ran out. */
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

/* The NSS status, errno and h_errno of an engine outcome (DESIGN.md
 * "Statuses"; the mapping to getaddrinfo errors is docs/glibc-facts.md). */
static enum nss_status status_of(const struct srv_result *res, int *errnop, int *h_errnop)
{
	switch (res->status) {
	case SRV_SUCCESS:
		*h_errnop = NETDB_SUCCESS;
		return NSS_STATUS_SUCCESS;
	case SRV_NOT_DECIDED:
		/* As out of scope: every nsswitch action continues to the
		 * next module, which resolves the name as asked. */
		*h_errnop = NO_RECOVERY;
		return NSS_STATUS_UNAVAIL;
	case SRV_HOST_NOT_FOUND:
		*errnop = ENOENT;
		*h_errnop = HOST_NOT_FOUND;
		return NSS_STATUS_NOTFOUND;
	case SRV_NO_DATA:
		*errnop = ENOENT;
		*h_errnop = NO_DATA;
		return NSS_STATUS_NOTFOUND;
	case SRV_NO_MEMORY:
		*errnop = ENOMEM;
		*h_errnop = TRY_AGAIN;
		return NSS_STATUS_TRYAGAIN;
	case SRV_TRY_AGAIN:
		break;
	}
	*errnop = EAGAIN;
	*h_errnop = TRY_AGAIN;
	return NSS_STATUS_TRYAGAIN;
}

/* Packs a successful result (and its TTL); ERANGE when the buffer is too
 * small. */
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

	/* A hostent holds one family; only gethostbyname4_r takes both. */
	bool family_ok = family == AF_INET || family == AF_INET6 ||
			 (family == AF_UNSPEC && entry == ENTRY_HOSTBYNAME4);
	return name != NULL && out->buffer != NULL && errnop != NULL && h_errnop != NULL &&
	       result_given && family_ok;
}

/* A call with invalid arguments: UNAVAIL, with EAFNOSUPPORT for a family
 * other than AF_INET, AF_INET6 and AF_UNSPEC, else EINVAL. */
static enum nss_status refuse_arguments(int family, int *errnop, int *h_errnop)
{
	if (errnop != NULL)
		*errnop = family == AF_INET || family == AF_INET6 || family == AF_UNSPEC
				  ? EINVAL : EAFNOSUPPORT;
	if (h_errnop != NULL)
		*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

/* The whole lookup for every hosts entry point. */
static enum nss_status lookup(const char *name, enum entry_point entry, int family,
			      const struct packing *out, int *errnop, int *h_errnop)
{
	struct stash_item item; /* filled field by field: it is large */
	struct srv_request req;
	enum nss_status status;

	if (!arguments_valid(name, entry, family, out, errnop, h_errnop))
		goto invalid;
	long long start_ns;
	int saved_errno; /* a successful lookup leaves errno alone */
	/* An ERANGE retry gets the result of the call it retries. */
	if (stash_take(name, entry, family, out->buflen, &item)) {
		saved_errno = errno;
		start_ns = monotonic_ns();
	} else {
		/* The scope decision comes first and touches nothing else: it is
		 * all that every out-of-scope lookup of the machine pays for. */
		item.trigger = scope_classify(name, (int)entry, family, &req, &item.debug);
		if (item.trigger == SCOPE_NONE)
			goto step_aside;
		saved_errno = errno;
		start_ns = monotonic_ns();
		if (!resolve(name, entry, family, &req, &item))
			goto no_memory;
	}
	status = status_of(item.res, errnop, h_errnop);
	if (status == NSS_STATUS_SUCCESS) {
		if (pack(&item, name, out) == ERANGE)
			goto buffer_too_small;
		errno = saved_errno;
	}
	/* The IPv4 half of AI_V4MAPPED comes next (DESIGN.md "Scope"). */
	if (item.trigger == SCOPE_SERVICE && family == AF_INET6 && status != NSS_STATUS_SUCCESS)
		scope_pair_again(name, (int)entry);
	if (item.debug)
		log_lookup(&item, (monotonic_ns() - start_ns) / 1000,
			   status == NSS_STATUS_SUCCESS ? "success" : srv_status_name(item.res->status));
	free(item.res);
	return status;

buffer_too_small:
	/* TRYAGAIN + ERANGE + NETDB_INTERNAL makes glibc retry with a larger
	 * buffer; any other h_errno is final (docs/glibc-facts.md). */
	item.buflen = out->buflen;
	if (!stash_put(&item))
		goto no_memory; /* a retry would not be paired: none */
	*errnop = ERANGE;
	*h_errnop = NETDB_INTERNAL;
	return NSS_STATUS_TRYAGAIN;
no_memory:
	*errnop = ENOMEM;
	*h_errnop = TRY_AGAIN;
	return NSS_STATUS_TRYAGAIN;
step_aside:
	/* Out of scope: UNAVAIL lets every nsswitch action continue to the
	 * next module, as nss-mdns does for names it does not handle. */
	*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
invalid:
	return refuse_arguments(family, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp)
{
	/* getaddrinfo re-sorts what it gets (RFC 6724): only the selected
	 * target's addresses, so that whatever it sorts first is that target. */
	struct packing out = {pat, NULL, NULL, ttlp, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME4, AF_UNSPEC, &out, errnop, h_errnop);
}

/* gethostbyname3_r and 2_r take AF_UNSPEC as AF_INET, as nss-mdns and
 * nss-resolve do. */
static int hostent_family(int af)
{
	return af == AF_UNSPEC ? AF_INET : af;
}

enum nss_status _nss_srvsip_gethostbyname3_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp, char **canonp)
{
	/* Called by getaddrinfo with AI_CANONNAME and by nscd: selected only. */
	struct packing out = {NULL, result, canonp, ttlp, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME3, hostent_family(af), &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname2_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop)
{
	/* getaddrinfo(AF_INET) calls the public gethostbyname2_r itself, then
	 * re-sorts: so gethostbyname2 gets what getaddrinfo needs, the
	 * selected target (docs/glibc-facts.md). */
	struct packing out = {NULL, result, NULL, NULL, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME2, hostent_family(af), &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname_r(const char *name, struct hostent *result,
					    char *buffer, size_t buflen, int *errnop,
					    int *h_errnop)
{
	/* Only gethostbyname() calls this, and it keeps the order: the
	 * selected target first, then its failovers (twinkle walks them). */
	struct packing out = {NULL, result, NULL, NULL, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME, AF_INET, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_getservbyname_r(const char *name, const char *protocol,
					    struct servent *result, char *buffer, size_t buflen,
					    int *errnop)
{
	const struct pseudo_service *svc;
	const char *proto_used;
	struct config_decision options;

	stash_drop(); /* a services lookup is never part of a hosts retry (stash.h) */
	if (name == NULL || result == NULL || buffer == NULL || errnop == NULL)
		return NSS_STATUS_UNAVAIL;
	svc = scope_pseudo_service(name);
	if (svc == NULL || scope_pseudo_service_srv(svc, protocol, &proto_used) == NULL) {
		scope_note_service(NULL, name, protocol);
		return NSS_STATUS_NOTFOUND;
	}
	const char *refusal = scope_pairing_refusal();
	if (refusal != NULL) {
		config_load_decide(NULL, NULL, &options, NULL);
		if (options.debug)
			srvsip_log_debug("service %s/%s program=%s status=not-found (%s)", name,
					 proto_used, scope_program_name(), refusal);
		return NSS_STATUS_NOTFOUND;
	}
	if (pack_servent(svc->name, svc->port, proto_used, result, buffer, buflen) != 0) {
		*errnop = ERANGE; /* TRYAGAIN + ERANGE: glibc retries larger */
		return NSS_STATUS_TRYAGAIN;
	}
	/* The protocol reported: without one asked, only it is paired, so
	 * that the program gets a server of the protocol it was told. */
	if (!scope_note_service(svc, name, proto_used)) {
		*errnop = ENOMEM; /* unpaired, the port would go to the domain itself */
		return NSS_STATUS_TRYAGAIN;
	}
	return NSS_STATUS_SUCCESS;
}
