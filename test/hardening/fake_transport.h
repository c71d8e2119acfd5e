/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory DNS of fake_transport.c, and what the driver expects of it. */
#ifndef SRVSIP_TEST_FAKE_TRANSPORT_H
#define SRVSIP_TEST_FAKE_TRANSPORT_H

#include <stdint.h>

#define FAKE_NHOSTS 6

/* The SRV targets of the sipdomain.com RRset, in RFC 2782 priority order. */
struct fake_host {
	const char *name;
	uint16_t priority;
	uint16_t weight;
	uint8_t addr[4];
};
extern const struct fake_host fake_hosts[FAKE_NHOSTS];
/* sipdomain.com's own A record (fallback when a service has no SRV). */
extern const uint8_t fake_fallback_addr[4];

/* Queries answered so far (all threads). */
unsigned long fake_transport_queries(void);

#endif
