/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded DNS wire-format reader (dnswire.h). */
#include "dnswire.h"

#include <string.h>

#include "text.h"

#define DNS_NAME_WIRE_MAX 255

#define DNS_ROW(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
const uint8_t dns_host_octets[256] = {
	DNS_ROW(0), DNS_ROW(0),                                 /* 0x00-0x1f */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0,         /* 0x20-0x2f: '-' */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,         /* 0x30-0x3f: 0-9 */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         /* 0x40-0x4f: A-O */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,         /* 0x50-0x5f: P-Z '_' */
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         /* 0x60-0x6f: a-o */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,         /* 0x70-0x7f: p-z */
	DNS_ROW(0), DNS_ROW(0), DNS_ROW(0), DNS_ROW(0),         /* 0x80-0xbf */
	DNS_ROW(0), DNS_ROW(0), DNS_ROW(0), DNS_ROW(0),         /* 0xc0-0xff */
};
#undef DNS_ROW

/* Walks a name's labels (RFC 1035 4.1.4); a pointer must lead below the start
 * of its run of labels, so jumps go strictly backwards. */
struct name_cursor {
	const uint8_t *data;
	size_t len;
	size_t pos;           /* next length octet */
	size_t run_start;     /* first octet of the current run of labels */
	size_t wire_length;   /* octets of the uncompressed name so far */
	size_t end;           /* offset after the name in place (0 until the first pointer or root) */
};

static inline struct name_cursor name_cursor_at(const uint8_t *data, size_t len, size_t offset)
{
	return (struct name_cursor){.data = data, .len = len, .pos = offset, .run_start = offset};
}

/* Follows pointers to a length octet; -1 for a malformed pointer. */
static inline int name_cursor_settle(struct name_cursor *c)
{
	for (;;) {
		if (c->pos >= c->len)
			return -1;
		uint8_t octet = c->data[c->pos];
		if ((octet & 0xc0u) != 0xc0u)
			return 0;
		if (c->pos + 1 >= c->len)
			return -1;
		size_t target = ((size_t)(octet & 0x3fu) << 8) | c->data[c->pos + 1];
		if (c->end == 0)
			c->end = c->pos + 2;
		if (target >= c->run_start)
			return -1;
		c->pos = target;
		c->run_start = target;
	}
}

/* The next label's length (0 at the root) with *label, or -1. */
static inline int name_cursor_next(struct name_cursor *c, const uint8_t **label)
{
	if (name_cursor_settle(c) < 0)
		return -1;
	uint8_t octet = c->data[c->pos];
	if ((octet & 0xc0u) != 0)
		return -1; /* 0x40 and 0x80: extended label types, obsolete */
	c->wire_length += (size_t)octet + 1;
	if (c->wire_length > DNS_NAME_WIRE_MAX)
		return -1;
	if (octet == 0) {
		if (c->end == 0)
			c->end = c->pos + 1;
		*label = NULL;
		return 0;
	}
	if (c->pos + 1 + octet > c->len)
		return -1;
	*label = c->data + c->pos + 1;
	c->pos += (size_t)octet + 1;
	return octet;
}

int dns_name_skip(const uint8_t *data, size_t len, size_t offset, size_t *end)
{
	struct name_cursor c = name_cursor_at(data, len, offset);
	const uint8_t *label = NULL;
	int n;

	while ((n = name_cursor_next(&c, &label)) > 0)
		;
	if (n < 0)
		return -1;
	*end = c.end;
	return 0;
}

static bool labels_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i] && ascii_lower((char)a[i]) != ascii_lower((char)b[i]))
			return false;
	return true;
}

/* The name's first label after its leading pointers (backwards), or SIZE_MAX. */
static inline size_t first_label(const uint8_t *data, size_t len, size_t offset)
{
	while (offset + 1 < len && (data[offset] & 0xc0u) == 0xc0u) {
		size_t target = ((size_t)(data[offset] & 0x3fu) << 8) | data[offset + 1];
		if (target >= offset)
			return SIZE_MAX;
		offset = target;
	}
	return offset < len ? offset : SIZE_MAX;
}

bool dns_name_equal_valid(const uint8_t *data, size_t len, size_t offset_a, size_t offset_b)
{
	/* At a glance: one name points at the other, or the first labels differ. */
	size_t pa = first_label(data, len, offset_a);
	size_t pb = first_label(data, len, offset_b);
	if (pa == SIZE_MAX || pb == SIZE_MAX)
		return false;
	if (pa == pb)
		return true;
	if (data[pa] != data[pb])
		return false;
	size_t first = data[pa];
	if (first <= 63 && pa + 1 + first <= len && pb + 1 + first <= len &&
	    !labels_equal(data + pa + 1, data + pb + 1, first))
		return false;

	struct name_cursor a = name_cursor_at(data, len, offset_a);
	struct name_cursor b = name_cursor_at(data, len, offset_b);
	for (;;) {
		const uint8_t *la = NULL;
		const uint8_t *lb = NULL;
		if (name_cursor_settle(&a) < 0 || name_cursor_settle(&b) < 0)
			return false;
		if (a.pos == b.pos)
			return true;
		int na = name_cursor_next(&a, &la);
		int nb = name_cursor_next(&b, &lb);
		if (na < 0 || nb < 0 || na != nb)
			return false;
		if (na == 0)
			return true;
		if (!labels_equal(la, lb, (size_t)na))
			return false;
	}
}

bool dns_name_equal_text(const uint8_t *data, size_t len, size_t offset, const char *text)
{
	struct name_cursor c = name_cursor_at(data, len, offset);
	const char *p = strcmp(text, ".") == 0 ? "" : text;

	for (;;) {
		const uint8_t *label = NULL;
		int n = name_cursor_next(&c, &label);
		if (n < 0)
			return false;
		if (n == 0)
			return *p == '\0';
		const char *dot = strchr(p, '.');
		size_t text_len = dot ? (size_t)(dot - p) : strlen(p);
		if (text_len != (size_t)n || !labels_equal(label, (const uint8_t *)p, text_len))
			return false;
		p += text_len;
		if (*p == '.')
			p++; /* "a." ends like "a" */
	}
}

int dns_name_to_text(const uint8_t *data, size_t len, size_t offset, char *out, size_t size)
{
	struct name_cursor c = name_cursor_at(data, len, offset);
	size_t used = 0;

	if (size == 0)
		return -1;
	for (;;) {
		const uint8_t *label = NULL;
		int n = name_cursor_next(&c, &label);
		if (n < 0)
			goto refused;
		if (n == 0)
			break;
		size_t needed = (size_t)n + (used > 0 ? 1 : 0);
		if (used + needed >= size)
			goto refused;
		if (used > 0)
			out[used++] = '.';
		for (int i = 0; i < n; i++) {
			if (!dns_host_octet(label[i]))
				goto refused;
			out[used++] = (char)label[i];
		}
	}
	out[used] = '\0';
	return 0;
refused:
	out[0] = '\0';
	return -1;
}

int dns_name_check_host(const uint8_t *data, size_t len, size_t offset, size_t *end,
			bool *root)
{
	struct name_cursor c = name_cursor_at(data, len, offset);
	const uint8_t *label = NULL;
	int n;

	*root = true;
	while ((n = name_cursor_next(&c, &label)) > 0) {
		*root = false;
		for (int i = 0; i < n; i++)
			if (!dns_host_octet(label[i]))
				return -1;
	}
	if (n < 0)
		return -1;
	*end = c.end;
	return 0;
}

/* dns_name_skip without following pointers, for names dns_msg_init validated
 * (still bounded). */
static inline int name_skip_in_place(const uint8_t *data, size_t len, size_t offset, size_t *end)
{
	for (;;) {
		if (offset >= len)
			return -1;
		uint8_t octet = data[offset];
		if ((octet & 0xc0u) == 0xc0u) {
			*end = offset + 2;
			return *end <= len ? 0 : -1;
		}
		if ((octet & 0xc0u) != 0)
			return -1;
		if (octet == 0) {
			*end = offset + 1;
			return 0;
		}
		offset += (size_t)octet + 1;
	}
}

/* Reads the record at *offset and moves past it; -1 when it does not fit.
 * `validate`: the owner name walked whole, else only skipped in place. */
static int read_record(const uint8_t *data, size_t len, size_t *offset, struct dns_rr *rr,
		       bool validate)
{
	size_t p;

	if ((validate ? dns_name_skip(data, len, *offset, &p)
		      : name_skip_in_place(data, len, *offset, &p)) < 0)
		return -1;
	if (p + 10 > len)
		return -1;
	rr->owner_offset = *offset;
	rr->type = dns_get16(data + p);
	rr->rclass = dns_get16(data + p + 2);
	rr->ttl = dns_get32(data + p + 4);
	if (rr->ttl > INT32_MAX)
		rr->ttl = 0; /* RFC 2181 section 8: a TTL with the top bit set is zero */
	rr->rdlength = dns_get16(data + p + 8);
	rr->rdata_offset = p + 10;
	if (rr->rdata_offset + rr->rdlength > len)
		return -1;
	*offset = rr->rdata_offset + rr->rdlength;
	return 0;
}

bool dns_reply_answers(const uint8_t *data, size_t len, const char *name, uint16_t type)
{
	size_t end;

	if (len < DNS_HEADER_SIZE || (data[2] & 0x80u) == 0 || dns_get16(data + 4) != 1 ||
	    !dns_name_equal_text(data, len, DNS_HEADER_SIZE, name) ||
	    dns_name_skip(data, len, DNS_HEADER_SIZE, &end) < 0 || end + 4 > len)
		return false;
	return dns_get16(data + end) == type && dns_get16(data + end + 2) == DNS_CLASS_IN;
}

int dns_msg_init(struct dns_msg *msg, const uint8_t *data, size_t len)
{
	size_t offset = DNS_HEADER_SIZE;

	*msg = (struct dns_msg){.data = data, .len = len, .question_offset = offset};
	if (data == NULL || len < DNS_HEADER_SIZE)
		return -1;
	msg->flags = dns_get16(data + 2);
	msg->qdcount = dns_get16(data + 4);
	for (int s = 0; s < 3; s++)
		msg->count[s] = dns_get16(data + 6 + (size_t)2 * (size_t)s);
	for (unsigned q = 0; q < msg->qdcount; q++) {
		if (dns_name_skip(data, len, offset, &offset) < 0 || offset + 4 > len)
			return -1;
		if (q == 0) {
			msg->qtype = dns_get16(data + offset);
			msg->qclass = dns_get16(data + offset + 2);
		}
		offset += 4;
	}
	bool cut = false;
	for (int s = 0; s < 3; s++) {
		msg->section_offset[s] = offset;
		for (unsigned i = 0; i < msg->count[s] && !cut; i++) {
			struct dns_rr rr;
			if (read_record(data, len, &offset, &rr, true) < 0)
				cut = true;
			else
				msg->reachable[s]++;
		}
	}
	return 0;
}

void dns_rr_iter_init(struct dns_rr_iter *it, const struct dns_msg *msg, enum dns_section section)
{
	it->msg = msg;
	it->offset = msg->section_offset[section];
	it->remaining = msg->reachable[section];
}

bool dns_rr_iter_next(struct dns_rr_iter *it, struct dns_rr *rr)
{
	if (it->remaining == 0)
		return false;
	if (read_record(it->msg->data, it->msg->len, &it->offset, rr, false) < 0) {
		it->remaining = 0;
		return false;
	}
	it->remaining--;
	return true;
}
