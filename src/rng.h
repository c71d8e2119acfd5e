/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Random source for RFC 2782 selection: injectable; the module's is
 * xoshiro256** seeded by getrandom per lookup (no state shared by threads
 * or replayed after fork; rand() untouched). */
#ifndef SRVSIP_RNG_H
#define SRVSIP_RNG_H

#include <stdint.h>

struct srv_rng {
	uint32_t (*next32)(void *ctx); /* uniform over all 2^32 values */
	void *ctx;
};

/* Uniform in [0, bound), no modulo bias (Lemire 2019); bound > 0. */
uint32_t srv_rng_below(struct srv_rng *rng, uint32_t bound);

struct srv_xoshiro {
	uint64_t s[4];
};

/* Never blocks: without kernel entropy yet, seeds from clock and stack address. */
void srv_xoshiro_seed_os(struct srv_xoshiro *gen);
void srv_xoshiro_seed(struct srv_xoshiro *gen, uint64_t seed);
uint32_t srv_xoshiro_next32(void *gen);

#endif
