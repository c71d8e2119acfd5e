/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The engine's reading of DNS replies and host names (srv_parse.h). */
#include "srv_parse.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

bool srv_name_valid(const char *name)
{
	size_t len = strlen(name);
	size_t label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_TEXT_SIZE - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return false; /* empty label */
			label = 0;
		} else if (!dns_host_octet((uint8_t)name[i]) || ++label > 63) {
			return false;
		}
	}
	return label > 0;
}

bool srv_is_owner_name(const char *name)
{
	if (name[0] != '_')
		return false;
	const char *second = strchr(name, '.');
	if (second == NULL || second[1] != '_')
		return false;
	const char *domain = strchr(second + 1, '.');
	return domain != NULL && domain[1] != '\0' && domain[1] != '.';
}

size_t srv_follow_cnames(const struct dns_msg *msg, unsigned *hops, uint32_t *ttl)
{
	size_t current = msg->question_offset;

	/* RFC 1034 3.6.2: the alias chain in the answer section */
	for (*hops = 0; *hops < SRV_MAX_CNAME_HOPS; (*hops)++) {
		struct dns_rr_iter it;
		struct dns_rr rr;
		size_t next = current;
		size_t end;

		dns_rr_iter_init(&it, msg, DNS_SECTION_ANSWER);
		while (next == current && dns_rr_iter_next(&it, &rr)) {
			if (rr.type == DNS_TYPE_CNAME && rr.rclass == DNS_CLASS_IN &&
			    dns_name_equal_valid(msg->data, msg->len, rr.owner_offset, current) &&
			    dns_name_skip(msg->data, msg->len, rr.rdata_offset, &end) == 0 &&
			    end == rr.rdata_offset + rr.rdlength) {
				next = rr.rdata_offset;
				if (rr.ttl < *ttl)
					*ttl = rr.ttl;
			}
		}
		if (next == current)
			break;
		current = next;
	}
	return current;
}

/* False when the RDATA is malformed. */
static bool read_srv_rdata(const struct dns_msg *msg, const struct dns_rr *rr,
			   struct srv_record *rec)
{
	size_t end;

	/* Priority, weight and port, then at least the root label. */
	if (rr->rdlength < 7)
		return false;
	const uint8_t *rdata = msg->data + rr->rdata_offset;
	rec->priority = dns_get16(rdata);
	rec->weight = dns_get16(rdata + 2);
	rec->port = dns_get16(rdata + 4);
	rec->ttl = rr->ttl;
	rec->target_offset = rr->rdata_offset + 6;
	/* RFC 2782 "Target": a host name or ".", filling the RDATA exactly. */
	return dns_name_check_host(msg->data, msg->len, rec->target_offset, &end,
				   &rec->root_target) == 0 &&
	       end == rr->rdata_offset + rr->rdlength;
}

static bool seen_before(const struct dns_msg *msg, const struct srv_record *records, size_t n,
			const struct srv_record *rec)
{
	for (size_t i = 0; i < n; i++)
		if (records[i].priority == rec->priority && records[i].weight == rec->weight &&
		    records[i].port == rec->port &&
		    dns_name_equal_valid(msg->data, msg->len, records[i].target_offset,
					 rec->target_offset))
			return true;
	return false;
}

int srv_parse_answer(const struct dns_msg *msg, struct srv_record *out, size_t max,
		     unsigned *bad_record)
{
	struct dns_rr_iter it;
	struct dns_rr rr;
	size_t owner = msg->question_offset;
	size_t count = 0;
	unsigned position = 0;
	uint32_t ttl = UINT32_MAX;
	bool cnames_followed = false;
	bool too_many = false;

	*bad_record = 0;
	if (msg->qdcount != 1 || msg->qtype != DNS_TYPE_SRV || msg->qclass != DNS_CLASS_IN)
		return 0;
	dns_rr_iter_init(&it, msg, DNS_SECTION_ANSWER);
	while (dns_rr_iter_next(&it, &rr)) {
		struct srv_record rec;
		position++;
		if (rr.rclass != DNS_CLASS_IN)
			continue;
		if (rr.type == DNS_TYPE_CNAME && !cnames_followed) {
			/* The RRset is the chain end's: start over with that owner. */
			unsigned hops;
			ttl = UINT32_MAX;
			owner = srv_follow_cnames(msg, &hops, &ttl);
			cnames_followed = true;
			count = 0;
			position = 0;
			too_many = false;
			dns_rr_iter_init(&it, msg, DNS_SECTION_ANSWER);
			continue;
		}
		if (rr.type != DNS_TYPE_SRV ||
		    !dns_name_equal_valid(msg->data, msg->len, rr.owner_offset, owner))
			continue;
		if (!read_srv_rdata(msg, &rr, &rec)) {
			*bad_record = position;
			return -1;
		}
		if (rec.ttl < ttl)
			ttl = rec.ttl;
		if (seen_before(msg, out, count, &rec))
			continue;
		if (count == max)
			too_many = true; /* decided at the end: a CNAME may start over */
		else
			out[count++] = rec;
	}
	if (too_many)
		return -1;
	for (size_t i = 0; i < count; i++)
		out[i].ttl = ttl;
	return (int)count;
}

static void add_address(struct srv_target *t, int family, const uint8_t *bytes, size_t size)
{
	for (unsigned i = 0; i < t->naddrs; i++)
		if (t->addrs[i].family == family && memcmp(t->addrs[i].bytes, bytes, size) == 0)
			return;
	if (t->naddrs >= SRV_MAX_ADDRS)
		return;
	t->addrs[t->naddrs] = (struct srv_address){.family = family};
	memcpy(t->addrs[t->naddrs].bytes, bytes, size);
	t->naddrs++;
}

bool srv_addresses_for(const struct dns_msg *msg, enum dns_section section, size_t name_offset,
		       int family, struct srv_target *out, uint32_t *ttl)
{
	struct dns_rr_iter it;
	struct dns_rr rr;
	bool any = false;

	dns_rr_iter_init(&it, msg, section);
	while (dns_rr_iter_next(&it, &rr)) {
		int rr_family = 0;
		if (rr.type == DNS_TYPE_A && rr.rdlength == 4)
			rr_family = AF_INET;
		else if (rr.type == DNS_TYPE_AAAA && rr.rdlength == 16)
			rr_family = AF_INET6;
		if (rr_family == 0 || rr.rclass != DNS_CLASS_IN ||
		    !dns_name_equal_valid(msg->data, msg->len, rr.owner_offset, name_offset))
			continue;
		any = true;
		if (family != AF_UNSPEC && family != rr_family)
			continue;
		add_address(out, rr_family, msg->data + rr.rdata_offset, rr.rdlength);
		if (rr.ttl < *ttl)
			*ttl = rr.ttl;
	}
	return any;
}
