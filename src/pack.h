/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Packing results into the caller's buffer (docs/glibc-facts.md "Buffer too
 * small"): every pointer written points into it.  Each returns 0, or ERANGE
 * having written nothing at all. */
#ifndef SRVSIP_PACK_H
#define SRVSIP_PACK_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>

#include "srv.h"

/* gethostbyname4_r: one tuple per address of every target in order, all
 * named after the first target; a non-NULL *pat on entry is the first (nscd). */
int pack_addrtuples(const struct srv_result *res, struct gaih_addrtuple **pat, char *buffer,
		    size_t buflen);

/* hostent of `family`: h_name (and *canonp) the first target, h_aliases
 * `queried` when it differs, every address of that family of every target. */
int pack_hostent(const struct srv_result *res, const char *queried, int family,
		 struct hostent *result, char *buffer, size_t buflen, char **canonp);

/* servent of a pseudo-service answer. */
int pack_servent(const char *name, int port, const char *proto, struct servent *result,
		 char *buffer, size_t buflen);

#endif
