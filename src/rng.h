/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Random source for RFC 2782 weighted selection.
 *
 * The engine takes a `struct srv_rng` so tests can inject any source.  The
 * module's own source is a xoshiro256** generator seeded from getrandom(2) for
 * each lookup: no state outlives a lookup, so threads and fork() cannot share
 * or replay a sequence, and the application's rand() state is never touched. */
#ifndef SRVSIP_RNG_H
#define SRVSIP_RNG_H

#include <stdint.h>

struct srv_rng {
	uint32_t (*next32)(void *ctx); /* uniform over all 2^32 values */
	void *ctx;
};

/* Uniform draw in [0, bound) without modulo bias (Lemire's multiply-and-reject
 * method); bound must be > 0. */
uint32_t srv_rng_below(struct srv_rng *rng, uint32_t bound);

struct srv_xoshiro {
	uint64_t s[4];
};

/* Seeds from getrandom(); never blocks (falls back to clock and address
 * entropy only if the kernel has no entropy yet). */
void srv_xoshiro_seed_os(struct srv_xoshiro *gen);
void srv_xoshiro_seed(struct srv_xoshiro *gen, uint64_t seed);
uint32_t srv_xoshiro_next32(void *gen);

#endif
