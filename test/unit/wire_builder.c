/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DNS message builder for unit tests: see wire_builder.h. */
#include "wire_builder.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dnswire.h"

void wb_init(struct wb *b, uint16_t id, uint16_t flags)
{
	memset(b, 0, sizeof(*b));
	wb_u16(b, id);
	wb_u16(b, flags);
	for (int i = 0; i < 4; i++)
		wb_u16(b, 0);
	b->section = WB_AN;
}

void wb_section(struct wb *b, enum wb_count section)
{
	b->section = section;
}

void wb_set_count(struct wb *b, enum wb_count which, uint16_t count)
{
	b->count_forced[which] = true;
	b->forced[which] = count;
}

size_t wb_finish(struct wb *b)
{
	for (int i = 0; i < 4; i++)
		wb_put16_at(b, 4 + 2 * (size_t)i, b->count_forced[i] ? b->forced[i] : b->counts[i]);
	return b->len;
}

void wb_bytes(struct wb *b, const void *p, size_t n)
{
	if (b->len + n > WB_MAX) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void wb_u8(struct wb *b, uint8_t v)
{
	wb_bytes(b, &v, 1);
}

void wb_u16(struct wb *b, uint16_t v)
{
	uint8_t o[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	wb_bytes(b, o, 2);
}

void wb_u32(struct wb *b, uint32_t v)
{
	uint8_t o[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	wb_bytes(b, o, 4);
}

void wb_put16_at(struct wb *b, size_t offset, uint16_t v)
{
	if (offset + 2 > b->len) {
		b->overflow = true;
		return;
	}
	b->buf[offset] = (uint8_t)(v >> 8);
	b->buf[offset + 1] = (uint8_t)v;
}

void wb_label(struct wb *b, const void *octets, size_t n)
{
	wb_u8(b, (uint8_t)n);
	wb_bytes(b, octets, n);
}

void wb_root(struct wb *b)
{
	wb_u8(b, 0);
}

void wb_pointer(struct wb *b, size_t target)
{
	wb_u16(b, (uint16_t)(0xc000u | (target & 0x3fffu)));
}

/* Splits "a.b.c" (optional trailing dot) into label starts and lengths. */
static size_t split_labels(const char *name, const char **starts, size_t *lens, size_t max)
{
	size_t n = 0;
	const char *p = name;

	if (strcmp(name, ".") == 0 || name[0] == '\0')
		return 0;
	while (*p && n < max) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		starts[n] = p;
		lens[n] = l;
		n++;
		if (!dot)
			break;
		p = dot + 1;
	}
	return n;
}

static void suffix_text(const char **starts, const size_t *lens, size_t n, size_t from, char *out,
			size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = from; i < n; i++) {
		int w = snprintf(out + used, size - used, "%s%.*s", i > from ? "." : "", (int)lens[i],
				 starts[i]);
		if (w < 0 || (size_t)w >= size - used)
			return;
		used += (size_t)w;
	}
}

static size_t write_name(struct wb *b, const char *name, bool compress)
{
	const char *starts[128];
	size_t lens[128];
	size_t n = split_labels(name, starts, lens, 128);
	size_t start = b->len;
	size_t reuse_from = n;      /* first label covered by a pointer */
	size_t reuse_offset = 0;
	char text[256];

	if (compress) {
		for (size_t i = 0; i < n && reuse_from == n; i++) {
			suffix_text(starts, lens, n, i, text, sizeof(text));
			for (size_t k = 0; k < b->nsuffixes; k++)
				if (strcmp(b->suffixes[k].text, text) == 0) {
					reuse_from = i;
					reuse_offset = b->suffixes[k].offset;
					break;
				}
		}
	}
	for (size_t i = 0; i < reuse_from; i++) {
		if (b->len < 0x4000 && b->nsuffixes < WB_MAX_SUFFIXES) {
			struct wb_suffix *s = &b->suffixes[b->nsuffixes++];
			s->offset = b->len;
			suffix_text(starts, lens, n, i, s->text, sizeof(s->text));
		}
		wb_label(b, starts[i], lens[i]);
	}
	if (reuse_from < n)
		wb_pointer(b, reuse_offset);
	else
		wb_root(b);
	return start;
}

size_t wb_name(struct wb *b, const char *name)
{
	return write_name(b, name, b->compress);
}

size_t wb_name_plain(struct wb *b, const char *name)
{
	return write_name(b, name, false);
}

void wb_question(struct wb *b, const char *name, uint16_t type, uint16_t rclass)
{
	wb_name(b, name);
	wb_u16(b, type);
	wb_u16(b, rclass);
	b->counts[WB_QD]++;
}

size_t wb_rr_begin(struct wb *b, const char *owner, uint16_t type, uint16_t rclass, uint32_t ttl)
{
	wb_name(b, owner);
	wb_u16(b, type);
	wb_u16(b, rclass);
	wb_u32(b, ttl);
	size_t at = b->len;
	wb_u16(b, 0);
	b->counts[b->section]++;
	return at;
}

void wb_rr_end(struct wb *b, size_t rdlength_at)
{
	wb_put16_at(b, rdlength_at, (uint16_t)(b->len - (rdlength_at + 2)));
}

void wb_srv(struct wb *b, const char *owner, uint32_t ttl, uint16_t priority, uint16_t weight,
	    uint16_t port, const char *target)
{
	size_t at = wb_rr_begin(b, owner, DNS_TYPE_SRV, DNS_CLASS_IN, ttl);
	wb_u16(b, priority);
	wb_u16(b, weight);
	wb_u16(b, port);
	wb_name(b, target);
	wb_rr_end(b, at);
}

void wb_a(struct wb *b, const char *owner, uint32_t ttl, const char *ipv4)
{
	uint8_t addr[4];
	if (inet_pton(AF_INET, ipv4, addr) != 1) {
		b->overflow = true;
		return;
	}
	size_t at = wb_rr_begin(b, owner, DNS_TYPE_A, DNS_CLASS_IN, ttl);
	wb_bytes(b, addr, 4);
	wb_rr_end(b, at);
}

void wb_aaaa(struct wb *b, const char *owner, uint32_t ttl, const char *ipv6)
{
	uint8_t addr[16];
	if (inet_pton(AF_INET6, ipv6, addr) != 1) {
		b->overflow = true;
		return;
	}
	size_t at = wb_rr_begin(b, owner, DNS_TYPE_AAAA, DNS_CLASS_IN, ttl);
	wb_bytes(b, addr, 16);
	wb_rr_end(b, at);
}

void wb_cname(struct wb *b, const char *owner, uint32_t ttl, const char *target)
{
	size_t at = wb_rr_begin(b, owner, DNS_TYPE_CNAME, DNS_CLASS_IN, ttl);
	wb_name(b, target);
	wb_rr_end(b, at);
}
