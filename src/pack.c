/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Buffer packing: see pack.h. */
#include "pack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "text.h"

/* Reserves pieces of the caller's buffer; callers write once all fitted. */
struct bump {
	char *base;
	size_t len;
	size_t used;
};

static void *bump_alloc(struct bump *b, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)b->base + b->used;
	size_t pad = (align - start % align) % align;
	size_t offset = b->used + pad;

	if (offset + size < offset || offset + size > b->len)
		return NULL;
	b->used = offset + size;
	return b->base + offset;
}

static size_t address_size(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Addresses of `family` (AF_UNSPEC: all) of every target. */
static unsigned count_family(const struct srv_result *res, int family)
{
	unsigned n = 0;
	for (unsigned t = 0; t < res->ntargets; t++)
		for (unsigned a = 0; a < res->targets[t].naddrs; a++)
			n += family == AF_UNSPEC || res->targets[t].addrs[a].family == family;
	return n;
}

int pack_addrtuples(const struct srv_result *res, struct gaih_addrtuple **pat, char *buffer,
		    size_t buflen)
{
	struct bump b = {buffer, buflen, 0};
	struct gaih_addrtuple *given = *pat; /* the first tuple, costing nothing */
	struct gaih_addrtuple **link = pat;

	if (res->ntargets == 0)
		return ERANGE;
	size_t name_size = strlen(res->targets[0].name) + 1;
	unsigned ntuples = count_family(res, AF_UNSPEC);
	char *name = bump_alloc(&b, name_size, 1);
	size_t extra = given != NULL && ntuples > 0 ? ntuples - 1 : ntuples; /* beyond *pat */
	struct gaih_addrtuple *next =
		bump_alloc(&b, extra * sizeof(*next), extra > 0 ? alignof(struct gaih_addrtuple) : 1);
	if (name == NULL || next == NULL)
		return ERANGE;
	memcpy(name, res->targets[0].name, name_size);
	for (unsigned t = 0; t < res->ntargets; t++) {
		for (unsigned a = 0; a < res->targets[t].naddrs; a++) {
			const struct srv_address *addr = &res->targets[t].addrs[a];
			struct gaih_addrtuple *tuple = given != NULL ? given : next++;
			given = NULL;
			*tuple = (struct gaih_addrtuple){.name = name, .family = addr->family};
			memcpy(tuple->addr, addr->bytes, address_size(addr->family));
			*link = tuple;
			link = &tuple->next;
		}
	}
	return 0;
}

int pack_hostent(const struct srv_result *res, const char *queried, int family,
		 struct hostent *result, char *buffer, size_t buflen, char **canonp)
{
	struct bump b = {buffer, buflen, 0};

	if (res->ntargets == 0)
		return ERANGE;
	const char *target = res->targets[0].name;
	size_t name_size = strlen(target) + 1;
	size_t queried_size = strlen(queried) + 1;
	unsigned naddrs = count_family(res, family);
	size_t alen = address_size(family);
	bool alias = queried_size != name_size || !ascii_equal_nocase(queried, target, name_size);
	char **aliases = (char **)bump_alloc(&b, (alias ? 2 : 1) * sizeof(char *), alignof(char *));
	char **list = (char **)bump_alloc(&b, (naddrs + 1) * sizeof(char *), alignof(char *));
	char *addrs = bump_alloc(&b, naddrs * alen + 1, alignof(uint32_t));
	char *name = bump_alloc(&b, name_size, 1);
	char *alias_name = bump_alloc(&b, alias ? queried_size : 0, 1);

	if (aliases == NULL || list == NULL || addrs == NULL || name == NULL || alias_name == NULL)
		return ERANGE;
	unsigned k = 0;
	for (unsigned t = 0; t < res->ntargets; t++)
		for (unsigned a = 0; a < res->targets[t].naddrs; a++) {
			if (res->targets[t].addrs[a].family != family)
				continue;
			memcpy(addrs + k * alen, res->targets[t].addrs[a].bytes, alen);
			list[k] = addrs + k * alen;
			k++;
		}
	list[k] = NULL;
	memcpy(name, target, name_size);
	aliases[0] = NULL;
	if (alias) {
		aliases[0] = memcpy(alias_name, queried, queried_size);
		aliases[1] = NULL;
	}
	*result = (struct hostent){.h_name = name, .h_aliases = aliases, .h_addrtype = family,
				   .h_length = (int)alen, .h_addr_list = list};
	if (canonp != NULL)
		*canonp = name;
	return 0;
}

int pack_servent(const char *name, int port, const char *proto, struct servent *result,
		 char *buffer, size_t buflen)
{
	struct bump b = {buffer, buflen, 0};
	size_t name_size = strlen(name) + 1;
	size_t proto_size = strlen(proto) + 1;
	char **aliases = (char **)bump_alloc(&b, sizeof(char *), alignof(char *));
	char *s_name = bump_alloc(&b, name_size, 1);
	char *s_proto = bump_alloc(&b, proto_size, 1);

	if (aliases == NULL || s_name == NULL || s_proto == NULL)
		return ERANGE;
	aliases[0] = NULL;
	*result = (struct servent){.s_name = memcpy(s_name, name, name_size),
				   .s_aliases = aliases,
				   .s_port = (int)htons((uint16_t)port),
				   .s_proto = memcpy(s_proto, proto, proto_size)};
	return 0;
}
