/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SRVSIP_CLOCK_H
#define SRVSIP_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds; glibc reads it from the vDSO, without a
 * system call and without touching errno. */
static inline long long monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
