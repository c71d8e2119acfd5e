/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny DNS message builder for unit tests.
 *
 * Builds messages octet by octet so tests can write well-formed answers and
 * deliberately broken ones (wrong counts, cut records, bad pointers, odd
 * label octets).  Section counts are counted automatically as records are
 * added and written into the header by wb_finish(), unless a test overrides
 * them with wb_set_count().  No allocation: everything lives in struct wb. */
#ifndef SRVSIP_TEST_WIRE_BUILDER_H
#define SRVSIP_TEST_WIRE_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WB_MAX 65536
#define WB_MAX_SUFFIXES 512

/* Header flags of an ordinary recursive answer: QR, RD, RA, NOERROR. */
#define WB_FLAGS_ANSWER 0x8180u

enum wb_count { WB_QD = 0, WB_AN = 1, WB_NS = 2, WB_AR = 3 };

struct wb_suffix {
	size_t offset;
	char text[256];
};

struct wb {
	uint8_t buf[WB_MAX];
	size_t len;
	bool overflow;            /* a write did not fit: the test is wrong */
	bool compress;            /* wb_name() uses compression pointers */
	enum wb_count section;    /* where wb_rr_* records are counted */
	uint16_t counts[4];
	bool count_forced[4];
	uint16_t forced[4];
	struct wb_suffix suffixes[WB_MAX_SUFFIXES];
	size_t nsuffixes;
};

void wb_init(struct wb *b, uint16_t id, uint16_t flags);
/* Selects the section that the following records are counted in. */
void wb_section(struct wb *b, enum wb_count section);
/* Makes the header announce `count` records in `which`, whatever was added. */
void wb_set_count(struct wb *b, enum wb_count which, uint16_t count);
/* Writes the header counts; returns the message length. */
size_t wb_finish(struct wb *b);

void wb_u8(struct wb *b, uint8_t v);
void wb_u16(struct wb *b, uint16_t v);
void wb_u32(struct wb *b, uint32_t v);
void wb_bytes(struct wb *b, const void *p, size_t n);
/* Overwrites a 16-bit value already written. */
void wb_put16_at(struct wb *b, size_t offset, uint16_t v);

/* Writes a text name ("a.b.c", "a.b.c." or "." for the root).  With
 * b->compress, the longest already written suffix becomes a pointer.
 * Returns the offset where the name starts. */
size_t wb_name(struct wb *b, const char *name);
/* Writes a name without compression, whatever b->compress says. */
size_t wb_name_plain(struct wb *b, const char *name);
/* Raw pieces for hand-made names. */
void wb_label(struct wb *b, const void *octets, size_t n);
void wb_root(struct wb *b);
void wb_pointer(struct wb *b, size_t target);

void wb_question(struct wb *b, const char *name, uint16_t type, uint16_t rclass);

/* Record framing: begin writes owner, type, class, TTL and a placeholder
 * RDLENGTH and returns the RDLENGTH offset; end fills it in from the octets
 * written since.  Counts the record in the current section. */
size_t wb_rr_begin(struct wb *b, const char *owner, uint16_t type, uint16_t rclass, uint32_t ttl);
void wb_rr_end(struct wb *b, size_t rdlength_at);

/* Whole records in the current section (class IN). */
void wb_srv(struct wb *b, const char *owner, uint32_t ttl, uint16_t priority, uint16_t weight,
	    uint16_t port, const char *target);
void wb_a(struct wb *b, const char *owner, uint32_t ttl, const char *ipv4);
void wb_aaaa(struct wb *b, const char *owner, uint32_t ttl, const char *ipv6);
void wb_cname(struct wb *b, const char *owner, uint32_t ttl, const char *target);

#endif
