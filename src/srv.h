/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SRV engine: SRV lookups and RFC 2782 selection, no NSS; transport,
 * random source and request are injected.  DESIGN.md "The lookup". */
#ifndef SRVSIP_SRV_H
#define SRVSIP_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "rng.h"

#define SRV_MAX_SERVICES 4      /* SRV names tried for one lookup */
#define SRV_SERVICE_SIZE 64     /* "_service._proto" */
#define SRV_MAX_RECORDS 512     /* a larger RRset is refused as a whole */
#define SRV_MAX_TARGETS 16      /* targets resolved and returned, in order */
#define SRV_MAX_ADDRS 16        /* addresses kept per target */
#define SRV_MAX_CNAME_HOPS 8
#define SRV_ANSWER_SIZE 65536   /* largest DNS message (TCP) */

enum srv_status {
	SRV_SUCCESS,
	SRV_NOT_DECIDED,    /* no SRV RRset for any name: the next module answers */
	SRV_HOST_NOT_FOUND, /* ".", no record on the port, no target with an address */
	SRV_NO_DATA,        /* targets exist but lack the asked address family */
	SRV_TRY_AGAIN,      /* timeout, SERVFAIL, REFUSED, malformed answer */
	SRV_NO_MEMORY,
};

enum dns_outcome {
	DNS_ANSWER,   /* NOERROR with records in the answer section */
	DNS_NXDOMAIN,
	DNS_NODATA,
	DNS_TEMPFAIL, /* timeout, SERVFAIL, REFUSED, unusable reply, no time left */
};

/* One query of a batch: the name is absolute (no search list). */
struct dns_query {
	const char *name;
	uint16_t type;
	uint8_t *answer;          /* caller's buffer of `size` octets */
	size_t size;
	size_t length;            /* out: reply length (> size: cut at size) */
	enum dns_outcome outcome; /* out */
	bool servfail;            /* out: a server answered SERVFAIL (the search goes on) */
};

struct dns_transport {
	/* The SRV query (class IN); `search`: res_nsearch's search list, else
	 * absolute.  The reply is in answer[0 .. *length) on DNS_ANSWER, and on
	 * NXDOMAIN/NODATA when the transport has it (else *length is 0);
	 * *length > size: the reply is cut at size. */
	enum dns_outcome (*query)(void *ctx, const char *name, uint16_t type, bool search,
				  uint8_t *answer, size_t size, size_t *length);
	/* Address queries, all sent at once; the batches of one lookup share
	 * one time bound (resolver.h). */
	void (*query_batch)(void *ctx, struct dns_query *queries, size_t n);
	void *ctx;
	/* resolv.conf no-aaaa: AAAA queries answered NODATA unsent */
	bool no_aaaa;
};

struct srv_request {
	char name[DNS_NAME_TEXT_SIZE + 1];  /* as the program gave it */
	/* SRV names tried in order ("_sip._udp"); none: `name` is an owner name */
	char services[SRV_MAX_SERVICES][SRV_SERVICE_SIZE];
	unsigned nservices;
	int port;            /* the port the program will use; -1: any */
	int family;          /* AF_INET, AF_INET6 or AF_UNSPEC */
	bool want_failover;  /* resolve every target in order, not only the first */
	bool allow_cname;    /* accept targets that are aliases (RFC 2782: must not be) */
	bool use_cache;      /* the caller's choice, for its transport */
};

struct srv_address {
	int family;
	uint8_t bytes[16];
};

struct srv_target {
	char name[DNS_NAME_TEXT_SIZE];
	uint16_t priority;
	uint16_t weight;
	uint16_t port;
	unsigned naddrs;
	struct srv_address addrs[SRV_MAX_ADDRS];
};

struct srv_result {
	enum srv_status status;
	const char *reason;        /* static text for logs and srvsip-lookup */
	char subject[DNS_NAME_TEXT_SIZE + 32]; /* what the reason is about, or "" */
	char srv_name[DNS_NAME_TEXT_SIZE]; /* SRV owner name that decided; "" if none */
	uint32_t ttl;              /* smallest TTL of the records used */
	unsigned queries;          /* DNS queries asked of the transport */
	unsigned ntargets;         /* targets[0] is the RFC 2782 selection */
	struct srv_target targets[SRV_MAX_TARGETS];
};

/* One SRV record of a parsed answer; the target stays in wire form. */
struct srv_record {
	uint16_t priority;
	uint16_t weight;
	uint16_t port;
	uint32_t ttl;
	size_t target_offset;
	bool root_target; /* "." : service decidedly not available (RFC 2782) */
};

/* Empties a result (HOST_NOT_FOUND, no targets), not the whole target array. */
void srv_result_init(struct srv_result *res);

/* DESIGN.md "The lookup".  Safe for any request: an invalid one is NOT_DECIDED. */
void srv_resolve(const struct srv_request *req, const struct dns_transport *transport,
		 struct srv_rng *rng, struct srv_result *res);

const char *srv_status_name(enum srv_status status);

#endif
