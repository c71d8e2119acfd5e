/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every libFuzzer harness here shares: its entry point's prototype
 * and check(), which reports a failed invariant by name and aborts (a crash
 * that libFuzzer keeps with its input). */
#ifndef SRVSIP_FUZZ_CHECK_H
#define SRVSIP_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond)                                                                          \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s: invariant failed at %s:%d: %s\n", __func__,     \
				__FILE__, __LINE__, #cond);                                  \
			abort();                                                             \
		}                                                                            \
	} while (0)

#endif
