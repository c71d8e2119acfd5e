/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 2782 selection tests: srv_select_order, srv_first_choice_probability
 * and srv_rng_below.
 *
 * Two kinds of proof:
 *  - exact: every draw the selection makes is enumerated, so probabilities
 *    are computed as exact fractions and compared with RFC 2782's.  Two
 *    enumerators: (1) a next32() source that walks a grid of M equally
 *    spaced 32-bit values per call (each value of srv_rng_below(b) for b
 *    dividing M comes out exactly M/b times), depth-first over all calls;
 *    (2) srv_rng_below itself is wrapped at link time (-Wl,--wrap, see
 *    unit.mk) and answers each value 0..bound-1 of every call in turn.
 *  - statistical: chi-square goodness-of-fit over 100,000 draws with the
 *    module's own generator (srv_xoshiro, seeded by srv_xoshiro_seed_os).
 *    Every critical value is the chi-square quantile with upper tail
 *    p = 1e-6, so a correct implementation fails one such test about once
 *    in a million runs.  The seed is printed on failure; run again with
 *    SRVSIP_TEST_SEED=<seed> to replay exactly. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "rfc2782.h"
#include "../../tools/first_choice.h"
#include "srv.h"
#include "test_common.h"

#define DRAWS 100000
/* Chi-square critical values for an upper tail of 1e-6. */
#define CHI2_DF1 23.93
#define CHI2_DF2 27.63
#define CHI2_DF3 30.66
#define CHI2_DF4 33.38

/* ---- exact fractions --------------------------------------------------- */

struct frac {
	uint64_t num;
	uint64_t den;
};

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static struct frac frac_make(uint64_t num, uint64_t den)
{
	uint64_t g = gcd64(num, den);
	struct frac f = {g ? num / g : 0, g ? den / g : 1};
	if (num == 0)
		f.den = 1;
	return f;
}

static struct frac frac_add(struct frac a, struct frac b)
{
	uint64_t g = gcd64(a.den, b.den);
	uint64_t den, n1, n2, num;
	CHECK(!__builtin_mul_overflow(a.den / g, b.den, &den) &&
		      !__builtin_mul_overflow(a.num, b.den / g, &n1) &&
		      !__builtin_mul_overflow(b.num, a.den / g, &n2) &&
		      !__builtin_add_overflow(n1, n2, &num),
	      "fraction overflow");
	return frac_make(num, den);
}

static bool frac_eq(struct frac a, uint64_t num, uint64_t den)
{
	struct frac b = frac_make(num, den);
	return a.num == b.num && a.den == b.den;
}

/* ---- enumerator 2: srv_rng_below wrapped ------------------------------- */

uint32_t __real_srv_rng_below(struct srv_rng *rng, uint32_t bound);
uint32_t __wrap_srv_rng_below(struct srv_rng *rng, uint32_t bound);

#define ENUM_DEPTH 64

static struct {
	bool active;
	unsigned calls;          /* calls made in the current run */
	unsigned fixed;          /* calls replayed from the previous run */
	uint32_t value[ENUM_DEPTH];
	uint32_t bound[ENUM_DEPTH];
	bool bad_bound;          /* a call with bound 0 or a changed bound */
} en;

uint32_t __wrap_srv_rng_below(struct srv_rng *rng, uint32_t bound)
{
	if (!en.active)
		return __real_srv_rng_below(rng, bound);
	if (bound == 0 || en.calls >= ENUM_DEPTH) {
		en.bad_bound = true;
		return 0;
	}
	unsigned i = en.calls++;
	if (i < en.fixed) {
		if (en.bound[i] != bound)
			en.bad_bound = true; /* same draws must ask the same bounds */
		return en.value[i];
	}
	en.bound[i] = bound;
	en.value[i] = 0;
	return 0;
}

/* Called after each run: the run's probability, then steps to the next
 * run.  Returns false after the last one. */
static bool enum_next(struct frac *weight)
{
	uint64_t den = 1;
	for (unsigned i = 0; i < en.calls; i++)
		CHECK(!__builtin_mul_overflow(den, (uint64_t)en.bound[i], &den), "weight overflow");
	*weight = frac_make(1, den);
	CHECK(!en.bad_bound, "srv_rng_below called with bound 0 or nondeterministically");
	for (unsigned i = en.calls; i-- > 0;) {
		if (en.value[i] + 1 < en.bound[i]) {
			en.value[i]++;
			en.fixed = i + 1;
			en.calls = 0;
			return true;
		}
	}
	return false;
}

/* Exact distribution of the orders srv_select_order produces: calls
 * visit(order, probability) for every possible run. */
typedef void (*visit_fn)(const size_t *order, size_t n, struct frac p, void *ctx);

static unsigned enumerate_orders(const struct srv_record *recs, size_t n, visit_fn visit,
				 void *ctx)
{
	struct srv_rng dummy = {NULL, NULL}; /* never called: every draw is enumerated */
	size_t order[16];
	struct frac p;
	unsigned runs = 0;
	bool more;

	memset(&en, 0, sizeof(en));
	en.active = true;
	do {
		en.calls = 0;
		srv_select_order(recs, n, &dummy, order);
		runs++;
		more = enum_next(&p);
		visit(order, n, p, ctx);
	} while (more);
	en.active = false;
	return runs;
}

/* ---- enumerator 1: a grid of next32() values ---------------------------- */

#define GRID_DEPTH 16

static struct {
	uint32_t m;                  /* grid points per call */
	unsigned calls;
	unsigned fixed;
	uint32_t index[GRID_DEPTH];
	bool too_deep;
} grid;

/* Grid point i of M: the middle of the i-th of M equal slices of 2^32.  For
 * a bound b dividing M, srv_rng_below(b) maps it to i*b/M with a low word far
 * from the rejection zone, so each value comes out exactly M/b times. */
static uint32_t grid_next32(void *ctx)
{
	(void)ctx;
	if (grid.calls >= GRID_DEPTH) {
		grid.too_deep = true;
		return 0;
	}
	unsigned i = grid.calls++;
	if (i >= grid.fixed)
		grid.index[i] = 0;
	return (uint32_t)((((uint64_t)grid.index[i] << 32) + (1ull << 31)) / grid.m);
}

static bool grid_advance(void)
{
	for (unsigned i = grid.calls; i-- > 0;) {
		if (grid.index[i] + 1 < grid.m) {
			grid.index[i]++;
			grid.fixed = i + 1;
			grid.calls = 0;
			return true;
		}
	}
	return false;
}

/* ---- helpers ----------------------------------------------------------- */

static struct srv_record rec(uint16_t priority, uint16_t weight)
{
	struct srv_record r;
	memset(&r, 0, sizeof(r));
	r.priority = priority;
	r.weight = weight;
	r.port = 5060;
	r.ttl = 60;
	return r;
}

static void assert_permutation(const size_t *order, size_t n)
{
	bool seen[SRV_MAX_RECORDS] = {false};
	for (size_t i = 0; i < n; i++) {
		CHECK(order[i] < n, "index %zu out of range", order[i]);
		CHECK(!seen[order[i]], "index %zu appears twice", order[i]);
		seen[order[i]] = true;
	}
}

/* The seed of this test: SRVSIP_TEST_SEED, else 64 bits from the
 * module's own OS-seeded generator. */
static uint64_t test_seed(void)
{
	const char *env = getenv("SRVSIP_TEST_SEED");
	if (env != NULL && env[0] != '\0')
		return strtoull(env, NULL, 0);
	struct srv_xoshiro os;
	srv_xoshiro_seed_os(&os);
	return ((uint64_t)srv_xoshiro_next32(&os) << 32) | srv_xoshiro_next32(&os);
}

static double chi_square(const unsigned *observed, const double *expected_p, size_t k,
			 unsigned draws)
{
	double chi2 = 0;
	for (size_t i = 0; i < k; i++) {
		double e = expected_p[i] * draws;
		ck_assert_msg(e >= 5.0, "expected count %f too small for chi-square", e);
		chi2 += (observed[i] - e) * (observed[i] - e) / e;
	}
	return chi2;
}

/* Counts, over `draws` selections with a fresh xoshiro seeded by `seed`,
 * how often each record comes first. */
static void first_choices(const struct srv_record *recs, size_t n, uint64_t seed, unsigned draws,
			  unsigned *counts)
{
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	size_t order[SRV_MAX_RECORDS];

	srv_xoshiro_seed(&gen, seed);
	memset(counts, 0, n * sizeof(*counts));
	for (unsigned d = 0; d < draws; d++) {
		srv_select_order(recs, n, &rng, order);
		counts[order[0]]++;
	}
}

static void assert_chi2(const unsigned *counts, const double *p, size_t k, double critical,
			uint64_t seed, const char *what)
{
	double chi2 = chi_square(counts, p, k, DRAWS);
	char detail[256];
	size_t used = 0;
	for (size_t i = 0; i < k && used < sizeof(detail); i++)
		used += (size_t)snprintf(detail + used, sizeof(detail) - used, " %u/%.0f", counts[i],
					 p[i] * DRAWS);
	ck_assert_msg(chi2 < critical,
		      "%s: chi-square %.2f >= %.2f (df %zu, p=1e-6); observed/expected:%s; "
		      "seed %" PRIu64 " (replay: SRVSIP_TEST_SEED=%" PRIu64 ")",
		      what, chi2, critical, k - 1, detail, seed, seed);
}

/* ---- srv_rng_below ------------------------------------------------------ */

static struct {
	const uint32_t *values;
	size_t n;
	size_t next;
} script;

static uint32_t script_next32(void *ctx)
{
	(void)ctx;
	CHECK(script.next < script.n, "scripted source ran dry");
	return script.values[script.next++];
}

static uint32_t below_scripted(uint32_t bound, const uint32_t *values, size_t n, size_t *used)
{
	struct srv_rng rng = {script_next32, NULL};
	script.values = values;
	script.n = n;
	script.next = 0;
	uint32_t v = srv_rng_below(&rng, bound);
	*used = script.next;
	return v;
}

/* Exact: for bound b the 2^32 inputs split into b runs [ceil(v*2^32/b),
 * ceil((v+1)*2^32/b)); only each run's first input can fall in Lemire's
 * rejection zone.  Checks that every run maps to v at both ends and that,
 * after rejections, every value keeps exactly floor(2^32/b) inputs. */
static void assert_below_exactly_uniform(uint32_t b)
{
	uint64_t two32 = 1ull << 32;
	uint64_t expected = two32 / b;
	const uint32_t marker = 0x80000001u; /* low word >= b: maps to floor(b/2), never rejected */
	size_t used;

	for (uint64_t v = 0; v < b; v++) {
		uint64_t lo = (v * two32 + b - 1) / b;
		uint64_t hi = ((v + 1) * two32 + b - 1) / b; /* exclusive */
		uint32_t vals[2] = {(uint32_t)lo, marker};
		uint32_t got = below_scripted(b, vals, 2, &used);
		uint64_t accepted = hi - lo;
		if (used == 2) {
			CHECK(got == b / 2, "bound %u: marker gave %u", b, got);
			accepted--; /* lo was rejected */
		} else {
			CHECK(used == 1 && got == v, "bound %u: first input of %" PRIu64 " gave %u", b,
			      v, got);
		}
		uint32_t last[1] = {(uint32_t)(hi - 1)};
		got = below_scripted(b, last, 1, &used);
		CHECK(got == v && used == 1, "bound %u: last input of %" PRIu64 " gave %u", b, v,
		      got);
		CHECK(accepted == expected,
			      "bound %u: value %" PRIu64 " has %" PRIu64 " inputs, others %" PRIu64,
			      b, v, accepted, expected);
	}
}

START_TEST(test_rng_below_gives_every_value_the_same_number_of_inputs)
{
	const uint32_t bounds[] = {1, 2, 3, 5, 6, 7, 10, 12, 60, 1000, 65535, 65536, 100003};
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++)
		assert_below_exactly_uniform(bounds[i]);
}
END_TEST

START_TEST(test_rng_below_rejects_the_input_that_would_bias_bound_3)
{
	/* 2^32 = 3 * 1431655765 + 1: input 0 is the one extra input of value 0
	 * and must be rejected (its low word 0 < 2^32 mod 3 = 1). */
	const uint32_t vals[] = {0, 0, 0xffffffffu};
	size_t used;
	ck_assert_uint_eq(below_scripted(3, vals, 3, &used), 2);
	ck_assert_uint_eq(used, 3);
	const uint32_t one[] = {1};
	ck_assert_uint_eq(below_scripted(3, one, 1, &used), 0);
	ck_assert_uint_eq(used, 1);
}
END_TEST

START_TEST(test_rng_below_never_returns_bound_or_more)
{
	const uint32_t bounds[] = {1, 2, 3, 7, 255, 65536, 0x7fffffffu, 0x80000000u,
				   0x80000001u, 0xfffffffeu, 0xffffffffu};
	const uint32_t edges[] = {0, 1, 2, 0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu};
	uint64_t seed = test_seed();
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	size_t used;

	srv_xoshiro_seed(&gen, seed);
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		for (size_t e = 0; e < sizeof(edges) / sizeof(edges[0]); e++) {
			/* an edge input, then plenty of fallbacks for rejections */
			uint32_t vals[8] = {edges[e], 0xffffffffu, 0x12345678u, 0x9abcdef0u,
					    0xffffffffu, 0x55555555u, 0xaaaaaaaau, 0x7fffffffu};
			uint32_t v = below_scripted(bounds[i], vals, 8, &used);
			CHECK(v < bounds[i], "below(%u) = %u for input %u", bounds[i], v,
				      edges[e]);
		}
		for (int d = 0; d < 20000; d++) {
			uint32_t v = srv_rng_below(&rng, bounds[i]);
			CHECK(v < bounds[i], "below(%u) = %u (seed %" PRIu64 ")", bounds[i], v,
				      seed);
		}
	}
}
END_TEST

/* statistic: chi-square of 3 cells, df = 2, critical 27.63 (p = 1e-6) */
START_TEST(test_rng_below_3_is_uniform_by_chi_square)
{
	uint64_t seed = test_seed();
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	unsigned counts[3] = {0};
	const double p[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};

	srv_xoshiro_seed(&gen, seed);
	for (int d = 0; d < DRAWS; d++)
		counts[srv_rng_below(&rng, 3)]++;
	assert_chi2(counts, p, 3, CHI2_DF2, seed, "srv_rng_below(3)");
}
END_TEST

START_TEST(test_xoshiro_seeded_alike_repeats_and_os_seeds_differ)
{
	struct srv_xoshiro a, b;
	srv_xoshiro_seed(&a, 42);
	srv_xoshiro_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(srv_xoshiro_next32(&a), srv_xoshiro_next32(&b));
	srv_xoshiro_seed_os(&a);
	srv_xoshiro_seed_os(&b);
	bool differ = false;
	for (int i = 0; i < 4; i++)
		differ |= srv_xoshiro_next32(&a) != srv_xoshiro_next32(&b);
	ck_assert_msg(differ, "two OS seedings gave the same 128 bits");
}
END_TEST

/* ---- exact selection tests --------------------------------------------- */

struct first_tally {
	struct frac first[16];
	struct frac order_p[16][16][16]; /* first three positions, for small n */
};

static void tally_visit(const size_t *order, size_t n, struct frac p, void *ctx)
{
	struct first_tally *t = ctx;
	assert_permutation(order, n);
	t->first[order[0]] = frac_add(t->first[order[0]], p);
	if (n >= 3)
		t->order_p[order[0]][order[1]][order[2]] =
			frac_add(t->order_p[order[0]][order[1]][order[2]], p);
	else if (n == 2)
		t->order_p[order[0]][order[1]][0] = frac_add(t->order_p[order[0]][order[1]][0], p);
}

static void tally_init(struct first_tally *t)
{
	for (int i = 0; i < 16; i++) {
		t->first[i] = frac_make(0, 1);
		for (int j = 0; j < 16; j++)
			for (int k = 0; k < 16; k++)
				t->order_p[i][j][k] = frac_make(0, 1);
	}
}

/* The grid source, no wrapping: with M = 12 every bound the pair 1:3 uses
 * (2 for the shuffle, 4 for the draw in [1,S], 1 and 3 for the rest)
 * divides M, so the 12^calls runs are equally likely. */
START_TEST(test_grid_source_makes_weights_1_3_first_choices_exactly_1_to_3)
{
	struct srv_record recs[2] = {rec(0, 1), rec(0, 3)};
	struct srv_rng rng = {grid_next32, NULL};
	size_t order[2];
	uint64_t first[2] = {0, 0};
	uint64_t runs = 0;
	unsigned depth = 0;

	memset(&grid, 0, sizeof(grid));
	grid.m = 12;
	do {
		grid.calls = 0;
		srv_select_order(recs, 2, &rng, order);
		assert_permutation(order, 2);
		if (grid.calls > depth)
			depth = grid.calls;
		/* a run of fewer calls stands for 12^(depth-calls) runs */
		uint64_t w = 1;
		for (unsigned i = grid.calls; i < 3; i++)
			w *= 12;
		first[order[0]] += w;
		runs += w;
	} while (grid_advance());
	ck_assert(!grid.too_deep);
	ck_assert_uint_le(depth, 3);
	ck_assert_uint_eq(runs, 12 * 12 * 12);
	ck_assert_uint_eq(first[0] * 3, first[1]);
	ck_assert_uint_eq(first[0] * 4, runs);
}
END_TEST

START_TEST(test_weights_1_3_give_first_choice_exactly_1_4_and_3_4)
{
	struct srv_record recs[2] = {rec(0, 1), rec(0, 3)};
	static struct first_tally t;
	tally_init(&t);
	enumerate_orders(recs, 2, tally_visit, &t);
	ck_assert(frac_eq(t.first[0], 1, 4));
	ck_assert(frac_eq(t.first[1], 3, 4));
}
END_TEST

/* RFC 2782 with weights 0, 1, 3: r uniform in [0, 4]; r = 0 picks the
 * weight-0 record, r = 1 the weight-1, r = 2..4 the weight-3. */
START_TEST(test_weights_0_1_3_give_first_choice_exactly_1_5_1_5_3_5)
{
	struct srv_record recs[3] = {rec(0, 0), rec(0, 1), rec(0, 3)};
	static struct first_tally t;
	tally_init(&t);
	enumerate_orders(recs, 3, tally_visit, &t);
	ck_assert(frac_eq(t.first[0], 1, 5));
	ck_assert(frac_eq(t.first[1], 1, 5));
	ck_assert(frac_eq(t.first[2], 3, 5));
	/* whole orders: after the first pick the rest is drawn the same way */
	ck_assert(frac_eq(t.order_p[0][1][2], 1, 20));  /* 1/5 * 1/4 */
	ck_assert(frac_eq(t.order_p[0][2][1], 3, 20));  /* 1/5 * 3/4 */
	ck_assert(frac_eq(t.order_p[1][0][2], 1, 20));  /* 1/5 * (0 in [0,3]) 1/4 */
	ck_assert(frac_eq(t.order_p[1][2][0], 3, 20));  /* 1/5 * 3/4 */
	ck_assert(frac_eq(t.order_p[2][0][1], 3, 10));  /* 3/5 * (0 in [0,1]) 1/2 */
	ck_assert(frac_eq(t.order_p[2][1][0], 3, 10));  /* 3/5 * 1/2 */
}
END_TEST

START_TEST(test_all_weights_0_give_every_order_the_same_probability)
{
	struct srv_record recs[3] = {rec(5, 0), rec(5, 0), rec(5, 0)};
	static struct first_tally t;
	tally_init(&t);
	enumerate_orders(recs, 3, tally_visit, &t);
	for (int i = 0; i < 3; i++) {
		ck_assert(frac_eq(t.first[i], 1, 3));
		for (int j = 0; j < 3; j++)
			for (int k = 0; k < 3; k++)
				if (i != j && j != k && i != k)
					ck_assert(frac_eq(t.order_p[i][j][k], 1, 6));
	}
}
END_TEST

START_TEST(test_two_weight_0_records_share_the_r_0_chance_equally)
{
	/* weights 0, 0, 2: r in [0, 2]; r = 0 -> one of the zeros (each 1/6) */
	struct srv_record recs[3] = {rec(0, 0), rec(0, 2), rec(0, 0)};
	static struct first_tally t;
	tally_init(&t);
	enumerate_orders(recs, 3, tally_visit, &t);
	ck_assert(frac_eq(t.first[0], 1, 6));
	ck_assert(frac_eq(t.first[2], 1, 6));
	ck_assert(frac_eq(t.first[1], 2, 3));
}
END_TEST

/* Second pick: among the remaining records, in proportion to their weights:
 * P(first i, second j) = w_i/S * w_j/(S - w_i). */
START_TEST(test_second_pick_is_weighted_among_the_remaining_records)
{
	struct srv_record recs[4] = {rec(0, 1), rec(0, 2), rec(0, 3), rec(0, 4)};
	static struct frac pair[4][4];
	struct frac p;
	size_t order[4];
	struct srv_rng dummy = {NULL, NULL};
	bool more;

	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			pair[i][j] = frac_make(0, 1);
	memset(&en, 0, sizeof(en));
	en.active = true;
	do {
		en.calls = 0;
		srv_select_order(recs, 4, &dummy, order);
		more = enum_next(&p);
		assert_permutation(order, 4);
		pair[order[0]][order[1]] = frac_add(pair[order[0]][order[1]], p);
	} while (more);
	en.active = false;
	for (uint64_t i = 0; i < 4; i++)
		for (uint64_t j = 0; j < 4; j++) {
			if (i == j)
				continue;
			uint64_t wi = i + 1, wj = j + 1;
			ck_assert_msg(frac_eq(pair[i][j], wi * wj, 10 * (10 - wi)),
				      "P(first w%" PRIu64 ", second w%" PRIu64 ") = %" PRIu64 "/%" PRIu64,
				      wi, wj, pair[i][j].num, pair[i][j].den);
		}
}
END_TEST

START_TEST(test_one_record_is_always_chosen)
{
	struct srv_record recs[1] = {rec(7, 0)};
	static struct first_tally t;
	tally_init(&t);
	enumerate_orders(recs, 1, tally_visit, &t);
	ck_assert(frac_eq(t.first[0], 1, 1));

	struct srv_record one[1] = {rec(0, 65535)};
	tally_init(&t);
	enumerate_orders(one, 1, tally_visit, &t);
	ck_assert(frac_eq(t.first[0], 1, 1));

	/* and with the real generator, every time */
	unsigned counts[1];
	first_choices(one, 1, test_seed(), DRAWS, counts);
	ck_assert_uint_eq(counts[0], DRAWS);
	size_t order[1] = {99};
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	srv_xoshiro_seed(&gen, 1);
	srv_select_order(one, 1, &rng, order);
	ck_assert_uint_eq(order[0], 0);
}
END_TEST

struct prio_check {
	const struct srv_record *recs;
	unsigned runs;
};

static void prio_visit(const size_t *order, size_t n, struct frac p, void *ctx)
{
	struct prio_check *c = ctx;
	(void)p;
	assert_permutation(order, n);
	for (size_t i = 1; i < n; i++)
		CHECK(c->recs[order[i - 1]].priority <= c->recs[order[i]].priority,
			      "priority %u before %u", c->recs[order[i - 1]].priority,
			      c->recs[order[i]].priority);
	c->runs++;
}

START_TEST(test_priorities_ascend_in_every_possible_order)
{
	/* wire order mixes the priorities */
	struct srv_record recs[6] = {rec(20, 3), rec(10, 0), rec(10, 2),
				     rec(30, 1), rec(10, 1), rec(20, 0)};
	struct prio_check c = {recs, 0};
	unsigned runs = enumerate_orders(recs, 6, prio_visit, &c);
	ck_assert_uint_eq(runs, c.runs);
	ck_assert_uint_gt(runs, 720); /* the shuffle alone has 6! runs */

	/* and with the real generator, group boundaries exactly ascending */
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	size_t order[6];
	uint64_t seed = test_seed();
	srv_xoshiro_seed(&gen, seed);
	for (int d = 0; d < 20000; d++) {
		srv_select_order(recs, 6, &rng, order);
		prio_visit(order, 6, frac_make(0, 1), &c);
		CHECK(recs[order[0]].priority == 10 && recs[order[5]].priority == 30,
		      "group ends wrong (seed %" PRIu64 ")", seed);
	}
}
END_TEST

/* Per record, the probability of each position in the order. */
struct position_tally {
	struct frac at[8][8]; /* [record][position] */
};

static void position_visit(const size_t *order, size_t n, struct frac p, void *ctx)
{
	struct position_tally *t = ctx;
	for (size_t pos = 0; pos < n; pos++)
		t->at[order[pos]][pos] = frac_add(t->at[order[pos]][pos], p);
}

START_TEST(test_reversed_wire_order_gives_the_same_distribution)
{
	struct srv_record fwd[6] = {rec(0, 0), rec(0, 0), rec(0, 2), rec(0, 5), rec(1, 1), rec(1, 0)};
	struct srv_record rev[6];
	static struct position_tally a, b;

	for (int i = 0; i < 6; i++)
		rev[i] = fwd[5 - i];
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 8; j++)
			a.at[i][j] = b.at[i][j] = frac_make(0, 1);
	enumerate_orders(fwd, 6, position_visit, &a);
	enumerate_orders(rev, 6, position_visit, &b);
	for (int i = 0; i < 6; i++)
		for (int pos = 0; pos < 6; pos++)
			ck_assert_msg(a.at[i][pos].num == b.at[5 - i][pos].num &&
					      a.at[i][pos].den == b.at[5 - i][pos].den,
				      "record %d at position %d: %" PRIu64 "/%" PRIu64
				      " forwards, %" PRIu64 "/%" PRIu64 " reversed",
				      i, pos, a.at[i][pos].num, a.at[i][pos].den,
				      b.at[5 - i][pos].num, b.at[5 - i][pos].den);
	/* and the first choice is RFC 2782's: zeros 1/8 each of r = 0 ... */
	ck_assert(frac_eq(a.at[0][0], 1, 16));
	ck_assert(frac_eq(a.at[1][0], 1, 16));
	ck_assert(frac_eq(a.at[2][0], 2, 8));
	ck_assert(frac_eq(a.at[3][0], 5, 8));
	/* ... and priority 1 never comes before position 4 */
	ck_assert_uint_eq(a.at[4][0].num + a.at[4][1].num + a.at[4][2].num + a.at[4][3].num, 0);
}
END_TEST

/* srv_first_choice_probability against the exact enumeration: the first
 * record of each priority group in the order is that group's choice. */
struct group_first {
	const struct srv_record *recs;
	struct frac p[16];
};

static void group_first_visit(const size_t *order, size_t n, struct frac p, void *ctx)
{
	struct group_first *g = ctx;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || g->recs[order[i]].priority != g->recs[order[i - 1]].priority)
			g->p[order[i]] = frac_add(g->p[order[i]], p);
}

START_TEST(test_first_choice_probability_matches_the_exact_distribution)
{
	const struct {
		size_t n;
		struct srv_record r[6];
	} sets[] = {
		{2, {rec(0, 1), rec(0, 3)}},
		{3, {rec(0, 0), rec(0, 1), rec(0, 3)}},
		{4, {rec(0, 0), rec(0, 0), rec(0, 1), rec(0, 3)}},
		{3, {rec(0, 0), rec(0, 0), rec(0, 0)}},
		{1, {rec(0, 9)}},
		{6, {rec(2, 4), rec(0, 0), rec(1, 0), rec(0, 2), rec(1, 0), rec(1, 7)}},
	};
	for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
		static struct group_first g;
		g.recs = sets[s].r;
		for (int i = 0; i < 16; i++)
			g.p[i] = frac_make(0, 1);
		enumerate_orders(sets[s].r, sets[s].n, group_first_visit, &g);
		for (size_t i = 0; i < sets[s].n; i++) {
			double exact = (double)g.p[i].num / (double)g.p[i].den;
			double claimed = srv_first_choice_probability(sets[s].r, sets[s].n, i);
			ck_assert_msg(fabs(exact - claimed) < 1e-12,
				      "set %zu record %zu: srv_first_choice_probability %.12f, exact %.12f",
				      s, i, claimed, exact);
		}
	}
}
END_TEST

/* ---- statistical selection tests (100,000 draws each) ------------------- */

/* sipdomain.com's priority-0 pair, weights 1:3.
 * statistic: chi-square over 2 cells, df = 1, critical 23.93 (p = 1e-6). */
START_TEST(test_weights_1_3_first_choice_passes_chi_square)
{
	struct srv_record recs[2] = {rec(0, 1), rec(0, 3)};
	const double p[2] = {0.25, 0.75};
	unsigned counts[2];
	uint64_t seed = test_seed();

	first_choices(recs, 2, seed, DRAWS, counts);
	assert_chi2(counts, p, 2, CHI2_DF1, seed, "weights 1:3");
}
END_TEST

/* RFC 2782 inclusive draw r in [0, 4]: P = 1/5, 1/5, 3/5.
 * statistic: chi-square over 3 cells, df = 2, critical 27.63 (p = 1e-6). */
START_TEST(test_weights_0_1_3_first_choice_passes_chi_square)
{
	struct srv_record recs[3] = {rec(0, 1), rec(0, 0), rec(0, 3)};
	const double p[3] = {0.2, 0.2, 0.6};
	unsigned counts[3];
	uint64_t seed = test_seed();

	first_choices(recs, 3, seed, DRAWS, counts);
	assert_chi2(counts, p, 3, CHI2_DF2, seed, "weights 0,1,3");
}
END_TEST

/* All weights 0: uniform.
 * statistic: chi-square over 4 cells, df = 3, critical 30.66 (p = 1e-6). */
START_TEST(test_all_weights_0_first_choice_passes_chi_square_for_uniform)
{
	struct srv_record recs[4] = {rec(3, 0), rec(3, 0), rec(3, 0), rec(3, 0)};
	const double p[4] = {0.25, 0.25, 0.25, 0.25};
	unsigned counts[4];
	uint64_t seed = test_seed();

	first_choices(recs, 4, seed, DRAWS, counts);
	assert_chi2(counts, p, 4, CHI2_DF3, seed, "weights 0,0,0,0");
}
END_TEST

/* Weights whose sum needs more than 16 bits (3 x 65535) stay proportional.
 * statistic: chi-square over 3 cells, df = 2, critical 27.63 (p = 1e-6). */
START_TEST(test_weights_summing_past_16_bits_pass_chi_square)
{
	struct srv_record recs[3] = {rec(0, 65535), rec(0, 65535), rec(0, 65535)};
	const double p[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
	unsigned counts[3];
	uint64_t seed = test_seed();

	first_choices(recs, 3, seed, DRAWS, counts);
	assert_chi2(counts, p, 3, CHI2_DF2, seed, "weights 65535 x 3");
}
END_TEST

/* Measured first choices against srv_first_choice_probability, on a group
 * with two weight-0 records (each 1/22) and weights 1, 3, 6.
 * statistic: chi-square over 5 cells, df = 4, critical 33.38 (p = 1e-6). */
START_TEST(test_first_choice_probability_matches_measured_frequencies)
{
	struct srv_record recs[6] = {rec(0, 3), rec(0, 0), rec(0, 6), rec(0, 1), rec(0, 0), rec(9, 5)};
	double p[5];
	unsigned counts[6];
	uint64_t seed = test_seed();

	for (size_t i = 0; i < 5; i++)
		p[i] = srv_first_choice_probability(recs, 6, i);
	ck_assert(fabs(p[1] - 1.0 / 22) < 1e-12);
	ck_assert(fabs(srv_first_choice_probability(recs, 6, 5) - 1.0) < 1e-12);
	first_choices(recs, 6, seed, DRAWS, counts);
	ck_assert_uint_eq(counts[5], 0); /* priority 9 never comes first */
	assert_chi2(counts, p, 5, CHI2_DF4, seed, "srv_first_choice_probability");
}
END_TEST

START_TEST(test_select_order_of_512_records_is_a_permutation)
{
	static struct srv_record recs[SRV_MAX_RECORDS];
	static size_t order[SRV_MAX_RECORDS];
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	uint64_t seed = test_seed();

	for (size_t i = 0; i < SRV_MAX_RECORDS; i++)
		recs[i] = rec((uint16_t)(i % 7), (uint16_t)(i % 3 == 0 ? 0 : 65535 - i));
	srv_xoshiro_seed(&gen, seed);
	for (int d = 0; d < 20; d++) {
		srv_select_order(recs, SRV_MAX_RECORDS, &rng, order);
		assert_permutation(order, SRV_MAX_RECORDS);
		for (size_t i = 1; i < SRV_MAX_RECORDS; i++)
			CHECK(recs[order[i - 1]].priority <= recs[order[i]].priority,
			      "priority order broken at %zu", i);
	}
	srv_select_order(recs, 0, &rng, order); /* n = 0: nothing to do, no crash */
}
END_TEST

static Suite *select_suite(void)
{
	Suite *s = suite_create("select");
	TCase *tc = tcase_create("rng");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_rng_below_gives_every_value_the_same_number_of_inputs);
	tcase_add_test(tc, test_rng_below_rejects_the_input_that_would_bias_bound_3);
	tcase_add_test(tc, test_rng_below_never_returns_bound_or_more);
	tcase_add_test(tc, test_rng_below_3_is_uniform_by_chi_square);
	tcase_add_test(tc, test_xoshiro_seeded_alike_repeats_and_os_seeds_differ);
	suite_add_tcase(s, tc);

	tc = tcase_create("exact");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_grid_source_makes_weights_1_3_first_choices_exactly_1_to_3);
	tcase_add_test(tc, test_weights_1_3_give_first_choice_exactly_1_4_and_3_4);
	tcase_add_test(tc, test_weights_0_1_3_give_first_choice_exactly_1_5_1_5_3_5);
	tcase_add_test(tc, test_all_weights_0_give_every_order_the_same_probability);
	tcase_add_test(tc, test_two_weight_0_records_share_the_r_0_chance_equally);
	tcase_add_test(tc, test_second_pick_is_weighted_among_the_remaining_records);
	tcase_add_test(tc, test_one_record_is_always_chosen);
	tcase_add_test(tc, test_priorities_ascend_in_every_possible_order);
	tcase_add_test(tc, test_reversed_wire_order_gives_the_same_distribution);
	tcase_add_test(tc, test_first_choice_probability_matches_the_exact_distribution);
	suite_add_tcase(s, tc);

	tc = tcase_create("chi-square");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_weights_1_3_first_choice_passes_chi_square);
	tcase_add_test(tc, test_weights_0_1_3_first_choice_passes_chi_square);
	tcase_add_test(tc, test_all_weights_0_first_choice_passes_chi_square_for_uniform);
	tcase_add_test(tc, test_weights_summing_past_16_bits_pass_chi_square);
	tcase_add_test(tc, test_first_choice_probability_matches_measured_frequencies);
	tcase_add_test(tc, test_select_order_of_512_records_is_a_permutation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1] = {select_suite()};
	return test_run_suites(suites, 1);
}
