/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srvsip.conf parser from a stream, and name matching (pure); syntax: srvsip.conf(5). */
#ifndef SRVSIP_CONFIG_H
#define SRVSIP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "srv.h"

#define CONFIG_LINE_MAX 1024
#define CONFIG_DEFAULT_PORT 5060

struct config_entry {
	char name[DNS_NAME_TEXT_SIZE + 1]; /* domain: lower case, no trailing dot; suffix: leading '.' */
	size_t len;                        /* strlen(name) */
	bool suffix;
	bool program;                      /* a program line, not a domain line */
	int port;
	char services[SRV_MAX_SERVICES][SRV_SERVICE_SIZE];
	unsigned nservices;
};

#define CONFIG_LENGTHS 256 /* bits of domain_lengths */

struct srvsip_config {
	bool debug;
	bool allow_cname;
	bool cache_off;
	struct config_entry *domains;
	size_t ndomains;
	/* Bit n: a domain entry may match a name of n octets, trailing dot
	 * excluded; the last bit: any longer one (BENCHMARKS.md "Trades"). */
	uint64_t domain_lengths[CONFIG_LENGTHS / 64];
	struct config_entry *programs;
	size_t nprograms;
	unsigned bad_lines;
};

/* Called for each malformed line (skipped; the rest of the file applies). */
typedef void (*config_error_fn)(void *ctx, unsigned line, const char *problem);

/* Parses the stream into *cfg: 0, or -1 when memory ran out (cfg then empty). */
int config_parse(FILE *stream, struct srvsip_config *cfg, config_error_fn on_error, void *ctx);
void config_free(struct srvsip_config *cfg);

/* The domain entry for `name`: an exact entry first, else the longest suffix
 * entry (".example.org" matches names below example.org).  NULL if none. */
const struct config_entry *config_match_domain(const struct srvsip_config *cfg, const char *name);

const struct config_entry *config_match_program(const struct srvsip_config *cfg,
						 const char *program);

#endif
