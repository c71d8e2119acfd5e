/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded DNS wire-format reader (RFC 1035 section 4): every offset checked
 * against the length, compression pointers followed only backwards (no
 * loops), no allocation. */
#ifndef SRVSIP_DNSWIRE_H
#define SRVSIP_DNSWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_SIZE 12
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_CLASS_IN 1
#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_NAME_TEXT_SIZE 254 /* 253 characters, no trailing dot, and the NUL */

enum dns_section { DNS_SECTION_ANSWER = 0, DNS_SECTION_AUTHORITY = 1, DNS_SECTION_ADDITIONAL = 2 };

struct dns_msg {
	const uint8_t *data;
	size_t len;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t qtype;            /* of the first question */
	uint16_t qclass;
	uint16_t count[3];         /* records announced per section */
	size_t question_offset;    /* first question's name */
	size_t section_offset[3];  /* first record of each section */
	uint16_t reachable[3];     /* records per section that fit in the message */
};

struct dns_rr {
	size_t owner_offset;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlength;
	size_t rdata_offset;
};

/* Parses header and questions and locates the sections, validating every
 * owner name; reachable[] counts the records that fit (the first one that
 * does not ends the message).  -1 when the header or a question does not fit. */
int dns_msg_init(struct dns_msg *msg, const uint8_t *data, size_t len);

/* True when data is a response whose one question is (name, type, IN),
 * without case (RFC 4343). */
bool dns_reply_answers(const uint8_t *data, size_t len, const char *name, uint16_t type);

/* True when every announced record is in the message and readable. */
static inline bool dns_msg_whole(const struct dns_msg *msg)
{
	return msg->reachable[0] == msg->count[0] && msg->reachable[1] == msg->count[1] &&
	       msg->reachable[2] == msg->count[2];
}

static inline unsigned dns_msg_rcode(const struct dns_msg *msg) { return msg->flags & 0x000fu; }
static inline bool dns_msg_is_response(const struct dns_msg *msg) { return (msg->flags & 0x8000u) != 0; }

struct dns_rr_iter { /* the reachable records of one section */
	const struct dns_msg *msg;
	size_t offset;
	unsigned remaining;
};
void dns_rr_iter_init(struct dns_rr_iter *it, const struct dns_msg *msg, enum dns_section section);
bool dns_rr_iter_next(struct dns_rr_iter *it, struct dns_rr *rr);

/* Validates the name at `offset` (labels <= 63, total <= 255 octets, pointers
 * backwards) and sets *end after it in place.  0, or -1. */
int dns_name_skip(const uint8_t *data, size_t len, size_t offset, size_t *end);

/* Compares two names of one message without case (RFC 4343), both validated
 * (owner names by dns_msg_init, or by dns_name_skip or dns_name_check_host),
 * stopping where the walks meet.  Reads only inside the message; on
 * unvalidated names it may call a malformed name equal to itself. */
bool dns_name_equal_valid(const uint8_t *data, size_t len, size_t offset_a, size_t offset_b);

/* Compares a wire name with "a.b" or "a.b." without case; the text in the
 * host-name alphabet. */
bool dns_name_equal_text(const uint8_t *data, size_t len, size_t offset, const char *text);

/* Writes the name as text without trailing dot ("" for the root).  -1, out
 * "", for an octet outside the host-name alphabet ('*' too) or no room. */
int dns_name_to_text(const uint8_t *data, size_t len, size_t offset, char *out, size_t size);

/* dns_name_skip and the alphabet check in one walk: 0 with *end, and *root
 * for ".", or -1.  The text of such a name always fits DNS_NAME_TEXT_SIZE. */
int dns_name_check_host(const uint8_t *data, size_t len, size_t offset, size_t *end,
			bool *root);

/* The host-name alphabet: letters, digits, '-' and '_'. */
extern const uint8_t dns_host_octets[256];
static inline bool dns_host_octet(uint8_t ch) { return dns_host_octets[ch] != 0; }

static inline uint16_t dns_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t dns_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
