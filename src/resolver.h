/* The DNS transport of the module: libresolv with a private resolver state.
 *
 * A private `struct __res_state` keeps the application's `_res` untouched
 * (glibc-nss.md: "Changing the thread's _res.options would leak into the
 * application").  Timeouts, attempts, rotate, search list and nameservers come
 * from resolv.conf exactly as for the dns module. */
#ifndef SRVSIP_RESOLVER_H
#define SRVSIP_RESOLVER_H

#include <resolv.h>
#include <stdbool.h>

#include "srv.h"

struct resolver {
	struct __res_state state;
	bool ready;   /* res_ninit done */
	bool failed;  /* res_ninit failed: every query fails temporarily */
};

/* Prepares r; resolv.conf is read at the first query (a resolv.conf that
 * cannot be read makes every query fail temporarily). */
void resolver_open(struct resolver *r);
void resolver_close(struct resolver *r);
/* A dns_transport whose ctx is an opened struct resolver. */
struct dns_transport resolver_transport(struct resolver *r);

#endif
