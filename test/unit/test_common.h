/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by the unit test programs (header only). */
#ifndef SRVSIP_TEST_COMMON_H
#define SRVSIP_TEST_COMMON_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcheck's ck_assert* record a mark point (a write(2)) on every success:
 * far too slow inside loops of millions.  CHECK only fails loudly. */
#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond))                                                \
			ck_abort_msg(__VA_ARGS__);                           \
	} while (0)

/* Runs the suites, prints libcheck's summary, returns the exit status. */
static inline int test_run_suites(Suite **suites, size_t n)
{
	SRunner *sr = srunner_create(suites[0]);
	for (size_t i = 1; i < n; i++)
		srunner_add_suite(sr, suites[i]);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
