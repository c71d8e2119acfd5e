/* Bounded DNS wire-format reader; see dnswire.h for the rules it enforces. */
#include "dnswire.h"

#include <string.h>

#define DNS_LABEL_MAX 63
#define DNS_NAME_WIRE_MAX 255

/* Walks the labels of one name, following compression pointers (RFC 1035
 * 4.1.4).  A pointer must lead below the start of the run of labels that
 * contains it, so every jump goes strictly backwards and loops cannot form. */
struct name_cursor {
	const uint8_t *data;
	size_t len;
	size_t pos;           /* next length octet */
	size_t run_start;     /* first octet of the current run of labels */
	size_t wire_length;   /* octets of the uncompressed name so far */
	size_t end;           /* offset after the name in place (set at first pointer or root) */
	bool end_known;
};

static void name_cursor_init(struct name_cursor *c, const uint8_t *data, size_t len, size_t offset)
{
	c->data = data;
	c->len = len;
	c->pos = offset;
	c->run_start = offset;
	c->wire_length = 0;
	c->end = 0;
	c->end_known = false;
}

/* Returns the next label's length (0 at the root) and sets *label, or -1 for a
 * malformed name. */
static int name_cursor_next(struct name_cursor *c, const uint8_t **label)
{
	for (;;) {
		if (c->pos >= c->len)
			return -1;
		uint8_t octet = c->data[c->pos];
		if ((octet & 0xc0u) == 0xc0u) {
			if (c->pos + 1 >= c->len)
				return -1;
			size_t target = ((size_t)(octet & 0x3fu) << 8) | c->data[c->pos + 1];
			if (!c->end_known) {
				c->end = c->pos + 2;
				c->end_known = true;
			}
			if (target >= c->run_start)
				return -1;
			c->pos = target;
			c->run_start = target;
			continue;
		}
		if ((octet & 0xc0u) != 0)
			return -1; /* 0x40 and 0x80: extended label types, obsolete */
		c->wire_length += (size_t)octet + 1;
		if (c->wire_length > DNS_NAME_WIRE_MAX)
			return -1;
		if (octet == 0) {
			if (!c->end_known) {
				c->end = c->pos + 1;
				c->end_known = true;
			}
			*label = NULL;
			return 0;
		}
		if (c->pos + 1 + octet > c->len)
			return -1;
		*label = c->data + c->pos + 1;
		c->pos += (size_t)octet + 1;
		return octet;
	}
}

int dns_name_skip(const uint8_t *data, size_t len, size_t offset, size_t *end)
{
	struct name_cursor c;
	const uint8_t *label;
	int n;

	name_cursor_init(&c, data, len, offset);
	while ((n = name_cursor_next(&c, &label)) > 0)
		;
	if (n < 0)
		return -1;
	*end = c.end;
	return 0;
}

static uint8_t ascii_lower(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + ('a' - 'A')) : ch;
}

static bool labels_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

bool dns_name_equal(const uint8_t *data, size_t len, size_t offset_a, size_t offset_b)
{
	struct name_cursor a;
	struct name_cursor b;

	name_cursor_init(&a, data, len, offset_a);
	name_cursor_init(&b, data, len, offset_b);
	for (;;) {
		const uint8_t *la;
		const uint8_t *lb;
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
	struct name_cursor c;
	const char *p = text;

	if (strcmp(p, ".") == 0)
		p = "";
	name_cursor_init(&c, data, len, offset);
	for (;;) {
		const uint8_t *label;
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
		if (*p == '.') {
			p++;
			/* "a." ends like "a": the root label follows either way. */
		}
	}
}

static bool host_name_octet(uint8_t ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '-' || ch == '_';
}

int dns_name_to_text(const uint8_t *data, size_t len, size_t offset, char *out, size_t size)
{
	struct name_cursor c;
	size_t used = 0;

	if (size == 0)
		return -1;
	out[0] = '\0'; /* a refused name leaves an empty string, never a part */
	name_cursor_init(&c, data, len, offset);
	for (;;) {
		const uint8_t *label;
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
			if (!host_name_octet(label[i]))
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

bool dns_name_is_root(const uint8_t *data, size_t len, size_t offset)
{
	struct name_cursor c;
	const uint8_t *label;

	name_cursor_init(&c, data, len, offset);
	return name_cursor_next(&c, &label) == 0;
}

/* Reads one record at *offset; advances *offset past it.  -1 when it does not
 * fit in the message. */
static int read_record(const uint8_t *data, size_t len, size_t *offset, struct dns_rr *rr)
{
	size_t p;

	if (dns_name_skip(data, len, *offset, &p) < 0)
		return -1;
	if (p + 10 > len)
		return -1;
	rr->owner_offset = *offset;
	rr->type = dns_get16(data + p);
	rr->rclass = dns_get16(data + p + 2);
	rr->ttl = dns_get32(data + p + 4);
	rr->rdlength = dns_get16(data + p + 8);
	rr->rdata_offset = p + 10;
	if (rr->rdata_offset + rr->rdlength > len)
		return -1;
	*offset = rr->rdata_offset + rr->rdlength;
	return 0;
}

int dns_msg_init(struct dns_msg *msg, const uint8_t *data, size_t len)
{
	size_t offset = DNS_HEADER_SIZE;

	memset(msg, 0, sizeof(*msg));
	if (data == NULL || len < DNS_HEADER_SIZE)
		return -1;
	msg->data = data;
	msg->len = len;
	msg->id = dns_get16(data);
	msg->flags = dns_get16(data + 2);
	msg->qdcount = dns_get16(data + 4);
	for (int s = 0; s < 3; s++)
		msg->count[s] = dns_get16(data + 6 + (size_t)2 * (size_t)s);
	msg->question_offset = offset;
	for (unsigned q = 0; q < msg->qdcount; q++) {
		if (dns_name_skip(data, len, offset, &offset) < 0 || offset + 4 > len)
			return -1;
		offset += 4;
	}
	bool cut = false;
	for (int s = 0; s < 3; s++) {
		msg->section_offset[s] = offset;
		for (unsigned i = 0; i < msg->count[s] && !cut; i++) {
			struct dns_rr rr;
			if (read_record(data, len, &offset, &rr) < 0)
				cut = true; /* the rest of the message is unusable */
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
	if (read_record(it->msg->data, it->msg->len, &it->offset, rr) < 0) {
		it->remaining = 0;
		return false;
	}
	it->remaining--;
	return true;
}
