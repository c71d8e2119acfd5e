/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 2782 selection ("Usage rules"): the order a client tries one RRset in. */
#ifndef SRVSIP_RFC2782_H
#define SRVSIP_RFC2782_H

#include <stddef.h>

#include "rng.h"
#include "srv.h"

/* Writes to order[] the permutation of records[0..n) in RFC 2782 order:
 * ascending priority, then weighted draws.  n <= SRV_MAX_RECORDS (the
 * 32-bit weight sums hold 65535 * 512). */
void srv_select_order(const struct srv_record *records, size_t n, struct srv_rng *rng,
		      size_t *order);

#endif
