/* DNS transport over libresolv: see resolver.h. */
#include "resolver.h"

#include <netdb.h>
#include <string.h>

bool resolver_open(struct resolver *r)
{
	memset(&r->state, 0, sizeof(r->state));
	/* glibc-nss.md: res_ninit/res_n* with a private state work inside
	 * getaddrinfo and across threads (about 1 us per init + close). */
	r->ready = res_ninit(&r->state) == 0;
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

	/* res_nsearch reads the rcode of a failed try from the answer header;
	 * a zeroed header makes a timeout end the search instead of looking
	 * like SERVFAIL (which would go on to the next search domain). */
	memset(answer, 0, size < 12 ? size : 12);
	if (search)
		n = res_nsearch(&r->state, name, ns_c_in, type, answer, (int)size);
	else
		n = res_nquery(&r->state, name, ns_c_in, type, answer, (int)size);
	if (n >= 0) {
		/* glibc-nss.md: with a TCP answer larger than the buffer the
		 * return value exceeds it: clamp. */
		*length = (size_t)n < size ? (size_t)n : size;
		return DNS_ANSWER;
	}
	switch (r->state.res_h_errno) {
	case HOST_NOT_FOUND:
		return DNS_NXDOMAIN;
	case NO_DATA:
		return DNS_NODATA;
	default:
		/* TRY_AGAIN (timeout, SERVFAIL), NO_RECOVERY (REFUSED, FORMERR,
		 * NOTIMP) and NETDB_INTERNAL: no answer to build on. */
		return DNS_TEMPFAIL;
	}
}

struct dns_transport resolver_transport(struct resolver *r)
{
	struct dns_transport t = {resolver_query, r};
	return t;
}
