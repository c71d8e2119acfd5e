/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Packing results into the caller's buffer.
 *
 * docs/glibc-facts.md: every pointer written into *pat, a hostent or a servent must
 * point into the caller's buffer, and a buffer that is too small is reported
 * with ERANGE so glibc can retry with a larger one.  Each function computes
 * the exact size first and writes nothing at all when it does not fit. */
#ifndef SRVSIP_PACK_H
#define SRVSIP_PACK_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>

#include "srv.h"

/* gethostbyname4_r: a chain of tuples, one per address of every target in
 * res (targets in order), all named res->targets[0].name.  If *pat is not
 * NULL on entry its tuple is filled first (nscd passes one).  Returns 0 or
 * ERANGE. */
int pack_addrtuples(const struct srv_result *res, struct gaih_addrtuple **pat, char *buffer,
		    size_t buflen);

/* hostent of `family` (AF_INET or AF_INET6): h_name the first target,
 * h_aliases the queried name when it differs, h_addr_list every address of
 * that family of every target in order.  *canonp (if not NULL) = h_name.
 * Returns 0 or ERANGE. */
int pack_hostent(const struct srv_result *res, const char *queried, int family,
		 struct hostent *result, char *buffer, size_t buflen, char **canonp);

/* servent for a pseudo-service answer.  Returns 0 or ERANGE. */
int pack_servent(const char *name, int port, const char *proto, struct servent *result,
		 char *buffer, size_t buflen);

#endif
