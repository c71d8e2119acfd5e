/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config file as the module sees it: loaded on first use, re-read only
 * when it changed (checked at most once a second, by one thread while the
 * others go on), shared by all threads as immutable snapshots that lookups
 * read without a lock, and safe across fork(). */
#ifndef SRVSIP_CONFIG_LOAD_H
#define SRVSIP_CONFIG_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "srv.h"

#ifndef SRVSIP_CONFIG_PATH
#define SRVSIP_CONFIG_PATH "/etc/srvsip.conf"
#endif
#define CONFIG_FILE_MAX 65536

/* What one lookup needs from the config, copied out of the snapshot.  port
 * and nservices are set only when matched (0 otherwise). */
struct config_decision {
	bool debug;
	bool allow_cname;
	bool cache;            /* use the per-process DNS cache (default) */
	bool matched;          /* a domain or program entry applies */
	bool by_program;       /* matched through a `program` line */
	uint8_t nservices;     /* at most SRV_MAX_SERVICES */
	int port;
};

/* Looks `name` (domain entries) and `program` (program entries) up in the
 * current config; a NULL name or program is not looked up.  When matched,
 * the entry's nservices services are copied to services[0 ..) (an array of
 * SRV_MAX_SERVICES; NULL: not copied).  `program` lines do not apply in
 * AT_SECURE (setuid) processes.  Costs no lock and no system call but, at
 * most once a second, one stat().  Leaves errno alone. */
void config_load_decide(const char *name, const char *program, struct config_decision *out,
			char (*services)[SRV_SERVICE_SIZE]);

/* Whether config_load_decide(name, program, ...) would find an entry now,
 * and *debug as it would set it; nothing else is copied.  The question that
 * every lookup outside the module's scope asks, and the only one. */
bool config_load_matches(const char *name, const char *program, bool *debug);

/* Ownership and mode rules: true when the file may be used (root-owned
 * regular file, not writable by group or others, at most CONFIG_FILE_MAX). */
struct stat;
bool config_file_trusted(const struct stat *st);

#endif
