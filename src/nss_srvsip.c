/* NSS glue of libnss_srvsip: validates the call, asks scope.c whether the
 * lookup is ours, runs the SRV engine and packs its result into the caller's
 * buffer.  Nothing else lives here (DESIGN.md). */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cache.h"
#include "log.h"
#include "pack.h"
#include "resolver.h"
#include "scope.h"
#include "srv.h"
#include "stash.h"

/* A wrong prototype below becomes a compile error (glibc-nss.md).  The
 * build hides every symbol; these declarations are the only visible ones,
 * and the version script exports only _nss_srvsip_*. */
#pragma GCC visibility push(default)
NSS_DECLARE_MODULE_FUNCTIONS(srvsip)
#pragma GCC visibility pop

enum entry_point { ENTRY_HOSTBYNAME4, ENTRY_HOSTBYNAME3, ENTRY_HOSTBYNAME2, ENTRY_HOSTBYNAME };

static long elapsed_us(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000000L + (now.tv_nsec - start->tv_nsec) / 1000L;
}

static void log_lookup(const struct stash_item *item, int port, long duration_us,
		       const char *outcome)
{
	const struct srv_result *res = item->res;

	srvsip_log_debug("lookup %s program=%s trigger=%s family=%d srv=%s target=%s port=%d "
			 "targets=%u ttl=%u queries=%u duration_us=%ld status=%s (%s)",
			 item->name, scope_program_name(),
			 scope_trigger_name((enum scope_trigger)item->trigger), item->family,
			 res->srv_name[0] ? res->srv_name : "-",
			 res->ntargets > 0 ? res->targets[0].name : "-", port, res->ntargets,
			 res->ttl, res->queries, duration_us, outcome, res->reason);
}

/* Resolves an in-scope name into item->res.  Returns false (with the NSS
 * status in *status) when the lookup ends before packing. */
static bool resolve(const char *name, int entry, int family, bool failover,
		    struct stash_item *item, struct timespec *start, enum nss_status *status,
		    int *errnop, int *h_errnop)
{
	struct srv_request req;
	struct resolver resolver;
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	bool debug;

	/* The scope decision comes first and touches nothing else: it is all
	 * that every out-of-scope lookup of the machine pays for. */
	int trigger = scope_classify(name, &req, &debug);
	if (trigger == SCOPE_NONE) {
		/* Out of scope: UNAVAIL lets every nsswitch action continue to the
		 * next module (glibc-nss.md, as nss-mdns does). */
		*status = NSS_STATUS_UNAVAIL;
		*h_errnop = NO_RECOVERY;
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, start);
	item->entry = entry;
	item->family = family;
	item->trigger = trigger;
	item->debug = debug;
	/* scope_classify stored a name that fits (both hold a host name). */
	_Static_assert(sizeof(item->name) >= sizeof(req.name), "stash holds any request name");
	memcpy(item->name, req.name, strlen(req.name) + 1);
	item->res = malloc(sizeof(*item->res));
	if (item->res != NULL)
		srv_result_init(item->res);
	if (item->res == NULL) {
		*status = NSS_STATUS_TRYAGAIN;
		*errnop = ENOMEM;
		*h_errnop = TRY_AGAIN;
		return false;
	}
	if (strcmp(req.name, name) != 0) {
		/* Longer than any host name: scope_classify kept only a part. */
		item->res->status = SRV_HOST_NOT_FOUND;
		item->res->reason = "not a valid host name";
		return true;
	}
	req.family = family;
	req.want_failover = failover;
	if (!resolver_open(&resolver)) {
		item->res->status = SRV_TRY_AGAIN;
		item->res->reason = "cannot read resolv.conf";
		return true;
	}
	srv_xoshiro_seed_os(&gen);
	struct cache_transport cached = {resolver_transport(&resolver)};
	struct dns_transport transport = req.use_cache ? cache_transport(&cached) : cached.inner;
	srv_resolve(&req, &transport, &rng, item->res);
	resolver_close(&resolver);
	return true;
}

static enum nss_status status_of(const struct srv_result *res, int *errnop, int *h_errnop)
{
	switch (res->status) {
	case SRV_SUCCESS:
		return NSS_STATUS_SUCCESS;
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

struct packing {
	struct gaih_addrtuple **pat; /* ENTRY_HOSTBYNAME4 */
	struct hostent *he;          /* the others */
	char **canonp;
	int32_t *ttlp;
	char *buffer;
	size_t buflen;
};

/* The whole lookup for every hosts entry point. */
static enum nss_status lookup(const char *name, int entry, int family, bool failover,
			      const struct packing *out, int *errnop, int *h_errnop)
{
	int saved_errno = errno;
	struct timespec start;
	struct stash_item item;
	enum nss_status status;

	bool result_given = entry == ENTRY_HOSTBYNAME4 ? out->pat != NULL : out->he != NULL;
	if (name == NULL || out->buffer == NULL || errnop == NULL || h_errnop == NULL ||
	    !result_given) {
		if (errnop != NULL)
			*errnop = EINVAL;
		if (h_errnop != NULL)
			*h_errnop = NO_RECOVERY;
		return NSS_STATUS_UNAVAIL;
	}
	/* A hostent holds one family; only gethostbyname4_r takes both. */
	if (family != AF_INET && family != AF_INET6 &&
	    !(family == AF_UNSPEC && entry == ENTRY_HOSTBYNAME4)) {
		*errnop = EAFNOSUPPORT;
		*h_errnop = NO_RECOVERY;
		return NSS_STATUS_UNAVAIL;
	}
	if (stash_take(name, entry, family, &item))
		clock_gettime(CLOCK_MONOTONIC, &start);
	else if (!resolve(name, entry, family, failover, &item, &start, &status, errnop, h_errnop))
		return status;
	status = status_of(item.res, errnop, h_errnop);
	if (status == NSS_STATUS_SUCCESS) {
		int rc;
		if (entry == ENTRY_HOSTBYNAME4)
			rc = pack_addrtuples(item.res, out->pat, out->buffer, out->buflen);
		else
			rc = pack_hostent(item.res, name, family, out->he, out->buffer, out->buflen,
					  out->canonp);
		if (rc == ERANGE) {
			/* glibc-nss.md: TRYAGAIN + ERANGE + NETDB_INTERNAL makes glibc
			 * retry with a larger buffer; any other h_errno is final. */
			stash_put(&item);
			*errnop = ERANGE;
			*h_errnop = NETDB_INTERNAL;
			return NSS_STATUS_TRYAGAIN;
		}
		if (out->ttlp != NULL)
			*out->ttlp = (int32_t)(item.res->ttl > INT32_MAX ? INT32_MAX : item.res->ttl);
		errno = saved_errno; /* a successful lookup leaves errno alone */
	}
	if (item.debug)
		log_lookup(&item, item.res->targets[0].port, elapsed_us(&start),
			   status == NSS_STATUS_SUCCESS ? "success" : srv_status_name(item.res->status));
	free(item.res);
	return status;
}

enum nss_status _nss_srvsip_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp)
{
	/* getaddrinfo re-sorts what it gets (RFC 6724): only the selected
	 * target's addresses, so that whatever it sorts first is that target. */
	struct packing out = {pat, NULL, NULL, ttlp, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME4, AF_UNSPEC, false, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname3_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp, char **canonp)
{
	/* Called by getaddrinfo with AI_CANONNAME and by nscd: selected only. */
	struct packing out = {NULL, result, canonp, ttlp, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME3, af, false, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname2_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop)
{
	/* glibc 2.36's getaddrinfo(AF_INET) calls the public gethostbyname2_r
	 * itself (measured: the same caller as gethostbyname2()), then re-sorts:
	 * so gethostbyname2 gets what getaddrinfo needs, the selected target. */
	struct packing out = {NULL, result, NULL, NULL, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME2, af, false, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_gethostbyname_r(const char *name, struct hostent *result,
					    char *buffer, size_t buflen, int *errnop,
					    int *h_errnop)
{
	/* Only gethostbyname() calls this, and it keeps the order: the
	 * selected target first, then its failovers (twinkle walks them). */
	struct packing out = {NULL, result, NULL, NULL, buffer, buflen};
	return lookup(name, ENTRY_HOSTBYNAME, AF_INET, true, &out, errnop, h_errnop);
}

enum nss_status _nss_srvsip_getservbyname_r(const char *name, const char *protocol,
					    struct servent *result, char *buffer, size_t buflen,
					    int *errnop)
{
	const struct pseudo_service *svc;
	const char *proto_used;

	if (name == NULL || result == NULL || buffer == NULL)
		return NSS_STATUS_UNAVAIL;
	svc = scope_pseudo_service(name);
	if (svc == NULL || scope_pseudo_service_srv(svc, protocol, &proto_used) == NULL)
		return NSS_STATUS_NOTFOUND;
	if (pack_servent(svc->name, svc->port, proto_used, result, buffer, buflen) != 0) {
		*errnop = ERANGE; /* glibc-nss.md: TRYAGAIN + ERANGE, retried larger */
		return NSS_STATUS_TRYAGAIN;
	}
	scope_note_service(svc, protocol);
	return NSS_STATUS_SUCCESS;
}
