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

/* A bump allocator over the caller's buffer.  With base == NULL it only
 * measures, so the same code computes the size and then fills. */
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
	return b->base ? b->base + offset : (void *)1; /* measuring: non-NULL token */
}

static char *bump_string(struct bump *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = bump_alloc(b, n, 1);
	if (p != NULL && b->base != NULL)
		memcpy(p, s, n);
	return p;
}

static size_t address_size(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* A bump that only measures, as if over `buffer`: it starts at the buffer's
 * misalignment, so padding counts exactly as when filling. */
static struct bump measuring(const char *buffer, size_t buflen)
{
	size_t skew = (size_t)(uintptr_t)buffer % 64;

	return (struct bump){NULL, buflen + skew, skew};
}

static int fill_addrtuples(const struct srv_result *res, struct gaih_addrtuple **pat,
			   struct bump *b)
{
	const char *name = bump_string(b, res->targets[0].name);
	struct gaih_addrtuple *given = *pat; /* the first tuple, costing nothing */
	struct gaih_addrtuple **link = pat;

	if (name == NULL)
		return ERANGE;
	for (unsigned t = 0; t < res->ntargets; t++) {
		for (unsigned a = 0; a < res->targets[t].naddrs; a++) {
			const struct srv_address *addr = &res->targets[t].addrs[a];
			struct gaih_addrtuple *tuple =
				given ? given : bump_alloc(b, sizeof(*tuple), alignof(struct gaih_addrtuple));
			if (tuple == NULL)
				return ERANGE;
			given = NULL;
			if (b->base == NULL)
				continue;
			*tuple = (struct gaih_addrtuple){.name = (char *)name, .family = addr->family};
			memcpy(tuple->addr, addr->bytes, address_size(addr->family));
			*link = tuple;
			link = &tuple->next;
		}
	}
	return 0;
}

int pack_addrtuples(const struct srv_result *res, struct gaih_addrtuple **pat, char *buffer,
		    size_t buflen)
{
	struct bump measure = measuring(buffer, buflen);
	struct bump fill = {buffer, buflen, 0};

	if (res->ntargets == 0 || fill_addrtuples(res, pat, &measure) != 0)
		return ERANGE;
	return fill_addrtuples(res, pat, &fill);
}

static unsigned count_family(const struct srv_result *res, int family)
{
	unsigned n = 0;
	for (unsigned t = 0; t < res->ntargets; t++)
		for (unsigned a = 0; a < res->targets[t].naddrs; a++)
			n += res->targets[t].addrs[a].family == family;
	return n;
}

static int fill_hostent(const struct srv_result *res, const char *queried, int family,
			struct hostent *he, struct bump *b)
{
	unsigned naddrs = count_family(res, family);
	size_t alen = address_size(family);
	bool alias = strlen(queried) != strlen(res->targets[0].name) ||
		     !ascii_equal_nocase(queried, res->targets[0].name, strlen(queried));
	char **aliases = (char **)bump_alloc(b, (alias ? 2 : 1) * sizeof(char *), alignof(char *));
	char **list = (char **)bump_alloc(b, (naddrs + 1) * sizeof(char *), alignof(char *));
	char *addrs = bump_alloc(b, naddrs * alen + 1, alignof(uint32_t));
	char *name = bump_string(b, res->targets[0].name);
	char *alias_name = alias ? bump_string(b, queried) : NULL;

	if (aliases == NULL || list == NULL || addrs == NULL || name == NULL ||
	    (alias && alias_name == NULL))
		return ERANGE;
	if (b->base == NULL)
		return 0;
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
	aliases[0] = alias_name;
	if (alias)
		aliases[1] = NULL;
	he->h_name = name;
	he->h_aliases = aliases;
	he->h_addrtype = family;
	he->h_length = (int)alen;
	he->h_addr_list = list;
	return 0;
}

int pack_hostent(const struct srv_result *res, const char *queried, int family,
		 struct hostent *result, char *buffer, size_t buflen, char **canonp)
{
	struct bump measure = measuring(buffer, buflen);
	struct bump fill = {buffer, buflen, 0};

	if (res->ntargets == 0 || fill_hostent(res, queried, family, result, &measure) != 0)
		return ERANGE;
	fill_hostent(res, queried, family, result, &fill);
	if (canonp != NULL)
		*canonp = result->h_name;
	return 0;
}

static int fill_servent(const char *name, int port, const char *proto, struct servent *result,
			struct bump *b)
{
	char **aliases = (char **)bump_alloc(b, sizeof(char *), alignof(char *));
	char *s_name = bump_string(b, name);
	char *s_proto = bump_string(b, proto);

	if (aliases == NULL || s_name == NULL || s_proto == NULL)
		return ERANGE;
	if (b->base == NULL)
		return 0;
	aliases[0] = NULL;
	result->s_name = s_name;
	result->s_aliases = aliases;
	result->s_port = (int)htons((uint16_t)port);
	result->s_proto = s_proto;
	return 0;
}

int pack_servent(const char *name, int port, const char *proto, struct servent *result,
		 char *buffer, size_t buflen)
{
	struct bump measure = measuring(buffer, buflen);
	struct bump fill = {buffer, buflen, 0};

	if (fill_servent(name, port, proto, result, &measure) != 0)
		return ERANGE;
	return fill_servent(name, port, proto, result, &fill);
}
