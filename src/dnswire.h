/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded reader for DNS messages in wire format (RFC 1035 section 4).
 *
 * Every function checks every offset against the message length, follows
 * compression pointers only backwards (so loops are impossible) and never
 * expands a name to text unless asked to.  Nothing here allocates memory. */
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
/* Text form of a name, without the trailing dot, plus the NUL: 253 + 1. */
#define DNS_NAME_TEXT_SIZE 254

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

/* Parses the header and question section and locates the three record
 * sections.  Counts larger than the message are clamped to the records that
 * really fit (reachable[]); a record cut off in the middle ends its section.
 * Returns 0, or -1 when not even the header and question fit. */
int dns_msg_init(struct dns_msg *msg, const uint8_t *data, size_t len);

/* True when data[0 .. len) is a response with one question, of (name,
 * type, IN), the name compared without case (RFC 4343).  Reads only the
 * header and the question. */
bool dns_reply_answers(const uint8_t *data, size_t len, const char *name, uint16_t type);

/* True when every announced record is really in the message: a reply whose
 * counts run past its end, or with a record that cannot be read (loop,
 * pointer or RDLENGTH past the end), is malformed as a whole. */
static inline bool dns_msg_whole(const struct dns_msg *msg)
{
	return msg->reachable[0] == msg->count[0] && msg->reachable[1] == msg->count[1] &&
	       msg->reachable[2] == msg->count[2];
}

static inline unsigned dns_msg_rcode(const struct dns_msg *msg) { return msg->flags & 0x000fu; }
static inline bool dns_msg_is_response(const struct dns_msg *msg) { return (msg->flags & 0x8000u) != 0; }

/* Walks the reachable records of one section in order. */
struct dns_rr_iter {
	const struct dns_msg *msg;
	size_t offset;
	unsigned remaining;
};
void dns_rr_iter_init(struct dns_rr_iter *it, const struct dns_msg *msg, enum dns_section section);
/* Fills *rr with the next record; false at the end of the section. */
bool dns_rr_iter_next(struct dns_rr_iter *it, struct dns_rr *rr);

/* Sets *end to the offset just after the name that starts at `offset` (a
 * compression pointer ends a name in place).  Validates the whole name,
 * following pointers: labels <= 63 octets, total <= 255 octets, pointers only
 * to earlier offsets.  Returns 0 or -1. */
int dns_name_skip(const uint8_t *data, size_t len, size_t offset, size_t *end);

/* Case-insensitive comparison (RFC 4343) of two names of the same message,
 * both already validated (by dns_msg_init for owner names of reachable
 * records, by dns_name_skip or dns_name_check_host): stops as soon as both
 * walks reach the same octet.  Reads only inside the message whatever the
 * input; on unvalidated names it may call a malformed name equal to itself. */
bool dns_name_equal_valid(const uint8_t *data, size_t len, size_t offset_a, size_t offset_b);

/* Case-insensitive comparison of a wire name with a text name ("a.b" or
 * "a.b."); the text must be in the host-name alphabet that dns_name_to_text
 * produces. */
bool dns_name_equal_text(const uint8_t *data, size_t len, size_t offset, const char *text);

/* Writes the name as text without trailing dot ("" for the root).  Refuses
 * (-1, with out set to "") names with octets outside letters, digits, '-'
 * and '_' (so also a wildcard '*', never a host), or that do not fit in
 * `size`. */
int dns_name_to_text(const uint8_t *data, size_t len, size_t offset, char *out, size_t size);

/* dns_name_skip and the alphabet check of dns_name_to_text in one walk,
 * without copying: 0 with *end set, and *root when the name is ".", or -1
 * when the name is malformed or not a host name (its text form always fits
 * DNS_NAME_TEXT_SIZE: 255 wire octets are at most 253 characters). */
int dns_name_check_host(const uint8_t *data, size_t len, size_t offset, size_t *end,
			bool *root);

/* The host-name alphabet of this module: letters, digits, '-' and '_'
 * (1 at those octet values; dnswire.c). */
extern const uint8_t dns_host_octets[256];
static inline bool dns_host_octet(uint8_t ch) { return dns_host_octets[ch] != 0; }

static inline uint16_t dns_get16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t dns_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

#endif
