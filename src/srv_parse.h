/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's reading of DNS replies and host names: pure functions over
 * a message that dnswire.c has located (dns_msg_init). */
#ifndef SRVSIP_SRV_PARSE_H
#define SRVSIP_SRV_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "srv.h"

/* True when `name` is a valid host name for this module: 1 to 253 octets
 * (plus an optional trailing dot), labels of 1 to 63 letters, digits, '-'
 * or '_'. */
bool srv_name_valid(const char *name);

/* True when `name` is an SRV owner name: "_service._proto.domain". */
bool srv_is_owner_name(const char *name);

/* Follows the CNAME records of the answer section from the question name
 * (at most SRV_MAX_CNAME_HOPS); *hops counts the aliases followed and *ttl
 * is lowered to theirs (the data lives no longer than the chain that led to
 * it).  Returns the offset of the name that owns the data. */
size_t srv_follow_cnames(const struct dns_msg *msg, unsigned *hops, uint32_t *ttl);

/* Extracts the SRV RRset answering the message's question (following a
 * CNAME chain in the answer section), skipping other types, classes and
 * owners and dropping duplicates.  Every record stored gets the RRset's TTL:
 * the lowest of its records and of the aliases on the way (RFC 2181 5.2).
 * Returns the number of records stored in
 * out[0 .. max), or -1 when the RRset is unusable as a whole: a record with
 * malformed RDATA, a target that is not a host name, or more than `max`
 * records; *bad_record is then the 1-based position of the record in the
 * answer section (0 for "too many"). */
int srv_parse_answer(const struct dns_msg *msg, struct srv_record *out, size_t max,
		     unsigned *bad_record);

/* Appends to `out` the addresses (of `family`, or both for AF_UNSPEC) that the
 * message's `section` holds for the name at name_offset; lowers *ttl to the
 * smallest TTL used.  Returns true when the section holds any A or AAAA
 * record for that name (whatever the family asked). */
bool srv_addresses_for(const struct dns_msg *msg, enum dns_section section, size_t name_offset,
		       int family, struct srv_target *out, uint32_t *ttl);

#endif
