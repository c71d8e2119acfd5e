/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The chance RFC 2782 selection gives each record, for srvsip-lookup. */
#ifndef SRVSIP_FIRST_CHOICE_H
#define SRVSIP_FIRST_CHOICE_H

#include <stddef.h>

#include "srv.h"

/* Probability that records[i] is the first choice of its priority group
 * under srv_select_order (rfc2782.c); 0 when i >= n. */
double srv_first_choice_probability(const struct srv_record *records, size_t n, size_t i);

#endif
