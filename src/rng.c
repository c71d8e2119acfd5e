/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Random source (rng.h). */
#include "rng.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

uint32_t srv_rng_below(struct srv_rng *rng, uint32_t bound)
{
	/* The high word of x*bound, rejecting low words below 2^32 mod bound. */
	uint64_t m = (uint64_t)rng->next32(rng->ctx) * bound;
	uint32_t low = (uint32_t)m;
	if (low < bound) {
		uint32_t threshold = (uint32_t)(-bound) % bound;
		while (low < threshold) {
			m = (uint64_t)rng->next32(rng->ctx) * bound;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

void srv_xoshiro_seed(struct srv_xoshiro *gen, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		gen->s[i] = splitmix64(&seed);
}

void srv_xoshiro_seed_os(struct srv_xoshiro *gen)
{
	uint64_t seed = 0;
	int saved_errno = errno;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		/* Early boot: still differs per call and thread, all load sharing needs. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		seed ^= (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&ts;
	}
	errno = saved_errno;
	srv_xoshiro_seed(gen, seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint32_t srv_xoshiro_next32(void *ctx)
{
	/* xoshiro256** (Blackman, Vigna; public domain) */
	struct srv_xoshiro *gen = ctx;
	uint64_t *s = gen->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return (uint32_t)(result >> 32);
}
