/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 2782 target selection: see rfc2782.h.  The quotations are from
 * RFC 2782, "The format of the SRV RR", fields Priority and Weight. */
#include "rfc2782.h"

#include <stdint.h>
#include <string.h>

/* Fisher-Yates shuffle of order[0..n).  RFC 2782 lets the records of one
 * priority be arranged "in any order" before the draw; shuffling first
 * means the order on the wire can never matter (a fixed order would make
 * the first of several weight-0 records always win their share). */
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
	/* "A client MUST attempt to contact the target host with the
	 * lowest-numbered priority it can reach"; within a priority, "arrange
	 * all SRV RRs ... in any order, except that all those with weight 0
	 * are placed at the beginning of the list". */
	return rec->priority < prev->priority ||
	       (rec->priority == prev->priority && rec->weight == 0 && prev->weight != 0);
}

/* Stable insertion sort of order[0..n) by goes_before (keeps the shuffle
 * among equals). */
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
	/* S = 0: every remaining record has weight 0, and the shuffle already
	 * made the front one a uniform choice. */
	if (sum == 0)
		return first;
	/* "Compute the sum of the weights of those RRs, and with each RR
	 * associate the running sum ... Then choose a uniform random number
	 * between 0 and the sum computed (inclusive), and select the RR whose
	 * running sum value is the first in the selected order which is
	 * greater than or equal to the random number selected."  r = 0 belongs
	 * to the weight-0 records at the front; without any, r is drawn in
	 * [1, S] so that no record gets an extra 1/(S+1). */
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

/* "The selected RR is removed from the list; repeat until the list is
 * empty": the picks of one priority, in order, at the front of its group. */
static void order_group(const struct srv_record *records, size_t *order, size_t first,
			size_t end, struct srv_rng *rng)
{
	for (size_t k = first; k + 1 < end; k++) {
		size_t chosen = draw_one(records, order, k, end, rng);
		size_t pick = order[chosen];
		memmove(&order[k + 1], &order[k], (chosen - k) * sizeof(order[0]));
		order[k] = pick;
	}
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
		order_group(records, order, first, end, rng);
		first = end;
	}
}

double srv_first_choice_probability(const struct srv_record *records, size_t n, size_t i)
{
	uint64_t sum = 0;
	size_t members = 0;
	size_t zeros = 0;

	if (i >= n)
		return 0.0;

	for (size_t j = 0; j < n; j++) {
		if (records[j].priority != records[i].priority)
			continue;
		members++;
		sum += records[j].weight;
		zeros += records[j].weight == 0;
	}
	if (sum == 0)
		return 1.0 / (double)members;
	if (zeros == 0)
		return (double)records[i].weight / (double)(sum);
	/* The draw gives r = 0 (probability 1/(S+1)) to the weight-0 record
	 * the shuffle put first: each of them 1/zeros of that. */
	if (records[i].weight == 0)
		return 1.0 / ((double)(sum + 1) * (double)zeros);
	return (double)records[i].weight / (double)(sum + 1);
}
