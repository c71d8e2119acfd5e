/* Several DNS queries in one round trip.
 *
 * libresolv has no public way to send more than one query at a time
 * (glibc-nss.md), so this client does what res_send does for one query, for
 * a batch: the same nameservers, timeout, attempts and rotate option from
 * the private resolver state, UDP first and TCP for a truncated reply.
 * Every socket is non-blocking, close-on-exec and closed before return. */
#ifndef SRVSIP_DNS_BATCH_H
#define SRVSIP_DNS_BATCH_H

#include <resolv.h>
#include <stddef.h>

#include "srv.h"

/* Sends every query (absolute names) and waits for all of them at most as
 * long as res_send would wait for one: for each attempt and each server,
 * retrans << attempt (divided by the server count after the first attempt)
 * seconds.  Sets each query's outcome and reply. */
void dns_batch_run(struct __res_state *state, struct dns_query *queries, size_t n);

#endif
