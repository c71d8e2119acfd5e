/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config file: loaded on first use, re-read when it changed, shared as
 * immutable snapshots (DESIGN.md "Concurrency and process safety"). */
#ifndef SRVSIP_CONFIG_LOAD_H
#define SRVSIP_CONFIG_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "srv.h"

#ifndef SRVSIP_CONFIG_PATH
#define SRVSIP_CONFIG_PATH "/etc/srvsip.conf"
#endif
#define CONFIG_FILE_MAX 65536

/* What one lookup needs from the config; port and nservices 0 unless matched. */
struct config_decision {
	bool debug;
	bool allow_cname;
	bool cache;            /* use the per-process DNS cache (default) */
	bool matched;          /* a domain or program entry applies */
	bool by_program;       /* through a `program` line */
	uint8_t nservices;     /* at most SRV_MAX_SERVICES */
	int port;
};

/* Looks `name` up in the domain entries, else `program` in the program
 * entries (none apply in AT_SECURE processes); NULL is not looked up.  When
 * matched, copies the services to services[SRV_MAX_SERVICES] (NULL: not
 * copied).  No lock, no system call but one stat() a second; errno kept. */
void config_load_decide(const char *name, const char *program, struct config_decision *out,
			char (*services)[SRV_SERVICE_SIZE]);

/* config_load_decide's `matched` and *debug, nothing else (the out-of-scope path). */
bool config_load_matches(const char *name, const char *program, bool *debug);

/* The file may be used: a root-owned regular file of at most CONFIG_FILE_MAX
 * octets, not writable by group or others. */
struct stat;
bool config_file_trusted(const struct stat *st);

#endif
