/* The SRV engine: DNS SRV lookups and RFC 2782 target selection.
 *
 * Knows DNS and RFC 2782, nothing of NSS.  Every input is injected: the DNS
 * transport (so unit tests feed hand-built answers), the random source and the
 * request.  See DESIGN.md for how the NSS glue uses it. */
#ifndef SRVSIP_SRV_H
#define SRVSIP_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnswire.h"
#include "rng.h"

#define SRV_MAX_SERVICES 4      /* SRV names tried for one lookup */
#define SRV_SERVICE_SIZE 64     /* "_service._proto" */
#define SRV_MAX_RECORDS 512     /* records considered from one RRset */
#define SRV_MAX_TARGETS 16      /* targets resolved and returned, in order */
#define SRV_MAX_ADDRS 16        /* addresses kept per target */
#define SRV_MAX_CNAME_HOPS 8
#define SRV_ANSWER_SIZE 65536   /* largest DNS message (TCP) */

enum srv_status {
	SRV_SUCCESS,
	SRV_HOST_NOT_FOUND, /* "." target, no usable record, name unknown */
	SRV_NO_DATA,        /* targets exist but lack the asked address family */
	SRV_TRY_AGAIN,      /* timeout, SERVFAIL, REFUSED, malformed answer */
	SRV_NO_MEMORY,
};

/* Outcome of one DNS query, as the transport reports it. */
enum dns_outcome {
	DNS_ANSWER,   /* a NOERROR answer with records in the answer section */
	DNS_NXDOMAIN, /* the name does not exist */
	DNS_NODATA,   /* the name exists without records of that type */
	DNS_TEMPFAIL, /* timeout, SERVFAIL, REFUSED, unusable reply */
};

/* One query of a batch: the name is absolute (no search list). */
struct dns_query {
	const char *name;
	uint16_t type;
	uint8_t *answer;          /* caller's buffer of `size` octets */
	size_t size;
	size_t length;            /* out: reply length (> size: cut at size) */
	enum dns_outcome outcome; /* out */
};

struct dns_transport {
	/* Sends one query for (name, type, class IN); `search` applies the
	 * resolver's search list (res_nsearch) instead of taking the name as
	 * absolute.  On DNS_ANSWER the reply is in answer[0 .. *length); on
	 * DNS_NXDOMAIN and DNS_NODATA too when the transport has it (for the
	 * negative-caching TTL), else *length is 0.  *length > size means the
	 * reply was larger than the buffer and is cut at size. */
	enum dns_outcome (*query)(void *ctx, const char *name, uint16_t type, bool search,
				  uint8_t *answer, size_t size, size_t *length);
	void *ctx;
	/* Optional: sends every query of the batch at once and waits for all,
	 * within the time one query may take.  NULL: the engine sends them one
	 * after the other with query() and stops at the first DNS_TEMPFAIL. */
	void (*query_batch)(void *ctx, struct dns_query *queries, size_t n);
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
	char srv_name[DNS_NAME_TEXT_SIZE]; /* SRV owner name that decided; "" if none */
	bool fallback;             /* no SRV records: the domain's own addresses */
	uint32_t ttl;              /* smallest TTL of the records used */
	unsigned queries;          /* DNS queries sent */
	unsigned ntargets;         /* targets[0] is the RFC 2782 selection */
	struct srv_target targets[SRV_MAX_TARGETS];
};

/* One SRV record of a parsed answer.  The target stays in wire form inside
 * the message (compared there, expanded to text only when used). */
struct srv_record {
	uint16_t priority;
	uint16_t weight;
	uint16_t port;
	uint32_t ttl;
	size_t target_offset;
	bool root_target; /* "." : service decidedly not available (RFC 2782) */
};

/* Extracts the SRV records answering the message's question (following a
 * CNAME chain in the answer section), skipping other types and classes,
 * malformed RDATA and duplicates.  Returns the number stored in out[0..max). */
size_t srv_parse_answer(const struct dns_msg *msg, struct srv_record *out, size_t max);

/* RFC 2782 ordering of records[0..n): ascending priority; within a priority,
 * repeated weighted draws with weight-0 records first.  Writes a permutation
 * of 0..n-1 to order[].  Uses 32-bit weight sums (65535 * 512 fits). */
void srv_select_order(const struct srv_record *records, size_t n, struct srv_rng *rng,
		      size_t *order);

/* Probability that records[i] is the first choice of its priority group
 * under srv_select_order (for srvsip-lookup). */
double srv_first_choice_probability(const struct srv_record *records, size_t n, size_t i);

/* Appends to `out` the addresses (of `family`, or both for AF_UNSPEC) that the
 * message's `section` holds for the name at name_offset; lowers *ttl to the
 * smallest TTL used.  Returns true when the section holds any A or AAAA
 * record for that name (whatever the family asked). */
bool srv_addresses_for(const struct dns_msg *msg, enum dns_section section, size_t name_offset,
		       int family, struct srv_target *out, uint32_t *ttl);

/* True when `name` is a valid host name for this module: 1 to 253 octets
 * (plus an optional trailing dot), labels of 1 to 63 letters, digits, '-'
 * or '_'. */
bool srv_name_valid(const char *name);

/* True when `name` is an SRV owner name: "_service._proto.domain". */
bool srv_is_owner_name(const char *name);

/* Empties a result (status HOST_NOT_FOUND, no targets) without clearing
 * the whole target array. */
void srv_result_init(struct srv_result *res);

/* The whole lookup: SRV names in order, RFC 2782 selection, port filter,
 * target addresses (Additional section first, then queries), RFC 2782
 * fallback to the domain's own addresses when no SRV record exists. */
void srv_resolve(const struct srv_request *req, const struct dns_transport *transport,
		 struct srv_rng *rng, struct srv_result *res);

const char *srv_status_name(enum srv_status status);

#endif
