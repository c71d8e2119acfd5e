/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Caching daemons, under which pseudo-services are refused (DESIGN.md "Scope"). */
#ifndef SRVSIP_NSCD_H
#define SRVSIP_NSCD_H

#include <stdbool.h>

/* docs/glibc-facts.md "nscd" */
#ifndef SRVSIP_NSCD_SOCKET
#define SRVSIP_NSCD_SOCKET "/var/run/nscd/socket"
#endif
#ifndef SRVSIP_NSCD_CONF
#define SRVSIP_NSCD_CONF "/etc/nscd.conf"
#endif

/* `program` (a short name) is nscd, unscd or nsncd. */
bool nscd_is_daemon(const char *program);

/* A caching daemon answers this process's hosts lookups.  Costs a stat()
 * and, when the socket exists, a read of nscd.conf; errno left alone. */
bool nscd_serves_hosts(void);

#endif
