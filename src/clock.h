/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SRVSIP_CLOCK_H
#define SRVSIP_CLOCK_H

#include <time.h>

/* CLOCK_MONOTONIC in ns, from the vDSO: no system call, errno untouched. */
static inline long long monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
