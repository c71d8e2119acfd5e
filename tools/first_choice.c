/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The chance RFC 2782 selection gives each record (first_choice.h). */
#include "first_choice.h"

#include <stdint.h>

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
