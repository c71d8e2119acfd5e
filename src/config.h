/* srvsip.conf: parser from a stream and name matching (pure; no file access).
 * Syntax in DESIGN.md and srvsip.conf(5). */
#ifndef SRVSIP_CONFIG_H
#define SRVSIP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "srv.h"

#define CONFIG_LINE_MAX 1024
#define CONFIG_DEFAULT_PORT 5060
/* Bits of srvsip_config.match_lengths: more than the longest entry. */
#define CONFIG_LENGTH_BITS 256

struct config_entry {
	char name[DNS_NAME_TEXT_SIZE + 1]; /* lower case, no trailing dot; suffix: leading '.' */
	size_t len;                        /* strlen(name) */
	bool suffix;
	int port;
	char services[SRV_MAX_SERVICES][SRV_SERVICE_SIZE];
	unsigned nservices;
	unsigned line;
};

struct srvsip_config {
	bool debug;
	bool allow_cname;
	bool cache_off;
	struct config_entry *domains;
	size_t ndomains;
	/* Index of `domains` for config_match_domain: bit n set when an entry
	 * may match a name of n octets (without its trailing dot), bit
	 * CONFIG_LENGTH_BITS - 1 standing for that length and all longer ones:
	 * an exact entry of n octets sets bit n, a suffix entry of n octets
	 * ('.' included) sets every bit above n. */
	uint64_t match_lengths[CONFIG_LENGTH_BITS / 64];
	struct config_entry *programs;
	size_t nprograms;
	unsigned bad_lines;
};

/* Called for each malformed line (skipped; the rest of the file applies). */
typedef void (*config_error_fn)(void *ctx, unsigned line, const char *problem);

/* Parses the stream into *cfg (which it initialises).  Returns 0, or -1 when
 * memory ran out (cfg is then empty). */
int config_parse(FILE *stream, struct srvsip_config *cfg, config_error_fn on_error, void *ctx);
void config_free(struct srvsip_config *cfg);

/* The domain entry for `name`: an exact entry first, else the longest suffix
 * entry (".example.org" matches names below example.org).  NULL if none. */
const struct config_entry *config_match_domain(const struct srvsip_config *cfg, const char *name);

/* The length config_match_domain compares: without one trailing dot. */
static inline size_t config_domain_length(const char *name, size_t len)
{
	return len > 0 && name[len - 1] == '.' ? len - 1 : len;
}

/* True when config_match_domain(cfg, name) is surely NULL for a name whose
 * config_domain_length is `len` (the index says no entry can match that
 * length).  Inline, for the lookups that match nothing (nearly all). */
static inline bool config_domain_length_excluded(const struct srvsip_config *cfg, size_t len)
{
	size_t bit = len < CONFIG_LENGTH_BITS ? len : CONFIG_LENGTH_BITS - 1;
	return ((cfg->match_lengths[bit / 64] >> (bit % 64)) & 1u) == 0;
}
const struct config_entry *config_match_program(const struct srvsip_config *cfg,
						 const char *program);

#endif
