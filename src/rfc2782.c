/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 2782 selection (rfc2782.h); quotations from its Priority and Weight fields. */
#include "rfc2782.h"

#include <stdint.h>
#include <string.h>

/* Fisher-Yates.  "in any order": shuffled, so the wire order never matters
 * (the first of several weight-0 records would always win their share). */
static void shuffle(size_t *order, size_t n, struct srv_rng *rng)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = srv_rng_below(rng, (uint32_t)i);
		size_t tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

static bool goes_before(const struct srv_record *rec, const struct srv_record *prev)
{
	/* "lowest-numbered priority" first; then "all those with weight 0 are
	 * placed at the beginning of the list". */
	return rec->priority < prev->priority ||
	       (rec->priority == prev->priority && rec->weight == 0 && prev->weight != 0);
}

/* Stable insertion sort: keeps the shuffle among equals. */
static void sort_by_priority(const struct srv_record *records, size_t *order, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		size_t cur = order[i];
		size_t j = i;
		while (j > 0 && goes_before(&records[cur], &records[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = cur;
	}
}

/* Position in order[first..end) of the record the weighted draw picks. */
static size_t draw_one(const struct srv_record *records, const size_t *order, size_t first,
		       size_t end, struct srv_rng *rng)
{
	uint32_t sum = 0;

	for (size_t j = first; j < end; j++)
		sum += records[order[j]].weight;
	/* S = 0: the shuffle made the front one a uniform choice. */
	if (sum == 0)
		return first;
	/* "a uniform random number between 0 and the sum computed (inclusive)",
	 * the first running sum ">= the random number".  r = 0 belongs to the
	 * weight-0 records in front; without any, r is in [1, S] so that no
	 * record gets an extra 1/(S+1). */
	bool zero_present = records[order[first]].weight == 0;
	uint32_t r = zero_present ? srv_rng_below(rng, sum + 1) : 1 + srv_rng_below(rng, sum);
	uint32_t running = 0;
	for (size_t j = first; j < end; j++) {
		running += records[order[j]].weight;
		if (running >= r)
			return j;
	}
	return end - 1; /* r <= S: not reached */
}

void srv_select_order(const struct srv_record *records, size_t n, struct srv_rng *rng,
		      size_t *order)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	shuffle(order, n, rng);
	sort_by_priority(records, order, n);
	for (size_t first = 0; first < n;) {
		size_t end = first + 1;
		while (end < n && records[order[end]].priority == records[order[first]].priority)
			end++;
		/* "repeat until the list is empty": the picks of one priority, in order */
		for (size_t k = first; k + 1 < end; k++) {
			size_t chosen = draw_one(records, order, k, end, rng);
			size_t pick = order[chosen];
			memmove(&order[k + 1], &order[k], (chosen - k) * sizeof(order[0]));
			order[k] = pick;
		}
		first = end;
	}
}
