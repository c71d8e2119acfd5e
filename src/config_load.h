/* The config file as the module sees it: loaded on first use, re-read only
 * when it changed (checked at most once a second), shared by all threads
 * under a lock that is never held across network I/O, and safe across fork(). */
#ifndef SRVSIP_CONFIG_LOAD_H
#define SRVSIP_CONFIG_LOAD_H

#include <stdbool.h>

#include "srv.h"

#ifndef SRVSIP_CONFIG_PATH
#define SRVSIP_CONFIG_PATH "/etc/srvsip.conf"
#endif
#define CONFIG_FILE_MAX 65536

/* What one lookup needs from the config, copied out under the lock. */
struct config_decision {
	bool debug;
	bool allow_cname;
	bool cache;            /* use the per-process DNS cache (default) */
	bool matched;          /* a domain or program entry applies */
	bool by_program;       /* matched through a `program` line */
	unsigned line;         /* the matching entry's line */
	int port;
	unsigned nservices;
	char services[SRV_MAX_SERVICES][SRV_SERVICE_SIZE];
};

/* Looks `name` (domain entries) and `program` (program entries) up in the
 * current config.  Costs a lock and, at most once a second, one stat(). */
void config_load_decide(const char *name, const char *program, struct config_decision *out);

/* Ownership and mode rules: true when the file may be used (root-owned
 * regular file, not writable by group or others, at most CONFIG_FILE_MAX). */
struct stat;
bool config_file_trusted(const struct stat *st);

#endif
