/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's reading of DNS replies (located by dns_msg_init) and host names. */
#ifndef SRVSIP_SRV_PARSE_H
#define SRVSIP_SRV_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "srv.h"

/* 1 to 253 octets (and an optional trailing dot), labels of 1 to 63
 * letters, digits, '-' or '_'. */
bool srv_name_valid(const char *name);

/* "_service._proto.domain" */
bool srv_is_owner_name(const char *name);

/* Follows the answer section's CNAMEs from the question name (at most
 * SRV_MAX_CNAME_HOPS, counted in *hops), lowering *ttl to theirs.  Returns
 * the offset of the name that owns the data. */
size_t srv_follow_cnames(const struct dns_msg *msg, unsigned *hops, uint32_t *ttl);

/* The SRV RRset answering the question (after its CNAME chain), duplicates
 * dropped, each record given the lowest TTL of the RRset and the aliases
 * (RFC 2181 5.2).  Returns the count stored in out[0 .. max), or -1 when the
 * RRset is unusable as a whole (malformed RDATA or target, more than max);
 * *bad_record: that record's 1-based answer position, 0 for too many. */
int srv_parse_answer(const struct dns_msg *msg, struct srv_record *out, size_t max,
		     unsigned *bad_record);

/* Appends the addresses (of `family`; AF_UNSPEC: both) that `section`
 * holds for the name at name_offset, lowering *ttl to theirs.  True when the
 * section holds any A or AAAA record of that name, whatever the family. */
bool srv_addresses_for(const struct dns_msg *msg, enum dns_section section, size_t name_offset,
		       int family, struct srv_target *out, uint32_t *ttl);

#endif
