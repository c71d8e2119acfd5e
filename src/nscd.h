/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Name-service caching daemons, which break the pseudo-service pairing
 * (DESIGN.md "Scope", docs/glibc-facts.md): recognised here so that the
 * pseudo-service is refused (EAI_SERVICE) instead of paired wrongly. */
#ifndef SRVSIP_NSCD_H
#define SRVSIP_NSCD_H

#include <stdbool.h>

/* The socket of nscd, unscd and nsncd (glibc's _PATH_NSCDSOCKET) and the
 * configuration nscd and unscd read. */
#ifndef SRVSIP_NSCD_SOCKET
#define SRVSIP_NSCD_SOCKET "/var/run/nscd/socket"
#endif
#ifndef SRVSIP_NSCD_CONF
#define SRVSIP_NSCD_CONF "/etc/nscd.conf"
#endif

/* True when `program` (a short program name) is a caching daemon: nscd
 * (glibc), unscd (Debian's micro nscd, also installed as nscd) or nsncd. */
bool nscd_is_daemon(const char *program);

/* True when this process's getaddrinfo hands its hosts lookups to a
 * caching daemon: its socket exists and nscd.conf does not say
 * `enable-cache hosts no` (nsncd has no such file: it caches hosts).
 * Costs a stat() and, when the socket exists, a read of nscd.conf. */
bool nscd_serves_hosts(void);

#endif
