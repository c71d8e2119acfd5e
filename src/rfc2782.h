/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 2782 target selection: the order in which a client tries the records
 * of one SRV RRset ("Usage rules", RFC 2782 page 3).  Pure: the random
 * source is injected. */
#ifndef SRVSIP_RFC2782_H
#define SRVSIP_RFC2782_H

#include <stddef.h>

#include "rng.h"
#include "srv.h"

/* RFC 2782 ordering of records[0..n): ascending priority; within a
 * priority, repeated weighted draws with weight-0 records first.  Writes a
 * permutation of 0..n-1 to order[].  Uses 32-bit weight sums (65535 * 512
 * fits). */
void srv_select_order(const struct srv_record *records, size_t n, struct srv_rng *rng,
		      size_t *order);

/* Probability that records[i] is the first choice of its priority group
 * under srv_select_order (for srvsip-lookup); 0 when i >= n. */
double srv_first_choice_probability(const struct srv_record *records, size_t n, size_t i);

#endif
