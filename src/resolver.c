/* DNS transport over libresolv: see resolver.h. */
#include "resolver.h"

#include <netdb.h>
#include <string.h>

#include "dns_batch.h"

void resolver_open(struct resolver *r)
{
	/* res_ninit reads resolv.conf: deferred to the first query, so a lookup
	 * answered from the cache costs nothing here. */
	r->ready = false;
	r->failed = false;
}

/* glibc-nss.md: res_ninit/res_n* with a private state work inside
 * getaddrinfo and across threads (about 1 us per init + close). */
static bool resolver_ready(struct resolver *r)
{
	if (!r->ready && !r->failed) {
		memset(&r->state, 0, sizeof(r->state));
		r->ready = res_ninit(&r->state) == 0;
		r->failed = !r->ready;
	}
	return r->ready;
}

void resolver_close(struct resolver *r)
{
	if (r->ready)
		res_nclose(&r->state); /* closes any socket it opened */
	r->ready = false;
}

static enum dns_outcome resolver_query(void *ctx, const char *name, uint16_t type, bool search,
				       uint8_t *answer, size_t size, size_t *length)
{
	struct resolver *r = ctx;
	int n;

	*length = 0;
	if (!resolver_ready(r))
		return DNS_TEMPFAIL;
	/* A failed res_n* call leaves the reply in the buffer but not its
	 * length; zeroing the part a UDP reply can fill keeps the bytes after
	 * a short negative reply from being read as records.  The zeroed
	 * header also makes a timeout end res_nsearch instead of looking like
	 * SERVFAIL (which would go on to the next search domain). */
	size_t cleared = size < 512 ? size : 512;
	memset(answer, 0, cleared);
	if (search)
		n = res_nsearch(&r->state, name, ns_c_in, type, answer, (int)size);
	else
		n = res_nquery(&r->state, name, ns_c_in, type, answer, (int)size);
	if (n >= 0) {
		/* glibc-nss.md: with a TCP answer larger than the buffer the
		 * return value exceeds it; the caller reads only `size`. */
		*length = (size_t)n;
		return DNS_ANSWER;
	}
	switch (r->state.res_h_errno) {
	case HOST_NOT_FOUND:
		*length = cleared;
		return DNS_NXDOMAIN;
	case NO_DATA:
		*length = cleared;
		return DNS_NODATA;
	default:
		/* TRY_AGAIN (timeout, SERVFAIL), NO_RECOVERY (REFUSED, FORMERR,
		 * NOTIMP) and NETDB_INTERNAL: no answer to build on. */
		return DNS_TEMPFAIL;
	}
}

static void resolver_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	struct resolver *r = ctx;

	if (!resolver_ready(r)) {
		for (size_t i = 0; i < n; i++)
			queries[i].outcome = DNS_TEMPFAIL;
		return;
	}
	if (n == 1 || (r->state.options & RES_USEVC)) {
		/* One query, or TCP asked for: libresolv itself. */
		for (size_t i = 0; i < n; i++)
			queries[i].outcome = resolver_query(r, queries[i].name, queries[i].type, false,
							    queries[i].answer, queries[i].size,
							    &queries[i].length);
		return;
	}
	dns_batch_run(&r->state, queries, n);
}

struct dns_transport resolver_transport(struct resolver *r)
{
	struct dns_transport t = {.query = resolver_query, .query_batch = resolver_query_batch,
				  .ctx = r};
	return t;
}
