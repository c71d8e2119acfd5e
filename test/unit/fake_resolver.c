/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fake DNS transport: see fake_resolver.h.  Same prototypes as
 * src/resolver.h, linked into test_nss instead of src/resolver.c. */
#include "fake_resolver.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resolver.h"

struct fake_answer {
	char name[300];
	uint16_t type;
	enum dns_outcome outcome;
	uint8_t *msg;
	size_t len;
};

/* Queries may come from several threads at once (test_nss's concurrency
 * test): the log and counters are kept under this lock.  The table itself
 * is only changed between lookups. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_answer answers[FAKE_MAX_ANSWERS];
static unsigned nanswers;
static struct fake_query query_log[FAKE_MAX_LOG];
static unsigned nqueries;
static bool open_fails;
static void (*query_hook)(const char *name, uint16_t type);
static unsigned opens;
static unsigned closes;

static void copy_name(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s", name);
	size_t len = strlen(out);
	if (len > 1 && out[len - 1] == '.')
		out[len - 1] = '\0';
}

void fake_reset(void)
{
	for (unsigned i = 0; i < nanswers; i++)
		free(answers[i].msg);
	memset(answers, 0, sizeof(answers));
	nanswers = 0;
	memset(query_log, 0, sizeof(query_log));
	nqueries = 0;
	open_fails = false;
	query_hook = NULL;
	opens = 0;
	closes = 0;
}

void fake_add(const char *name, uint16_t type, enum dns_outcome outcome, const uint8_t *msg,
	      size_t len)
{
	if (nanswers >= FAKE_MAX_ANSWERS) {
		fprintf(stderr, "fake_resolver: table full\n");
		abort();
	}
	struct fake_answer *a = &answers[nanswers++];
	copy_name(a->name, sizeof(a->name), name);
	a->type = type;
	a->outcome = outcome;
	a->msg = NULL;
	a->len = 0;
	if (msg != NULL && len > 0) {
		a->msg = malloc(len);
		if (a->msg == NULL)
			abort();
		memcpy(a->msg, msg, len);
		a->len = len;
	}
}

void fake_add_wb(const char *name, uint16_t type, struct wb *b)
{
	size_t len = wb_finish(b);
	if (b->overflow) {
		fprintf(stderr, "fake_resolver: message for %s does not fit\n", name);
		abort();
	}
	fake_add(name, type, DNS_ANSWER, b->buf, len);
}

unsigned fake_queries(void)
{
	return nqueries;
}

const struct fake_query *fake_query_at(unsigned i)
{
	return i < nqueries && i < FAKE_MAX_LOG ? &query_log[i] : NULL;
}

unsigned fake_queries_for(const char *name, uint16_t type)
{
	char want[300];
	unsigned n = 0;

	copy_name(want, sizeof(want), name);
	for (unsigned i = 0; i < nqueries && i < FAKE_MAX_LOG; i++)
		n += query_log[i].type == type && strcasecmp(query_log[i].name, want) == 0;
	return n;
}

void fake_set_query_hook(void (*hook)(const char *name, uint16_t type))
{
	query_hook = hook;
}

void fake_set_open_fails(bool fails)
{
	open_fails = fails;
}

unsigned fake_opens(void)
{
	return opens;
}

unsigned fake_closes(void)
{
	return closes;
}

static enum dns_outcome fake_query(void *ctx, const char *name, uint16_t type, bool search,
				   uint8_t *answer, size_t size, size_t *length)
{
	struct resolver *r = ctx;
	char want[300];

	if (r == NULL || r->net == NULL) {
		fprintf(stderr, "fake_resolver: query on a resolver that is not open\n");
		abort();
	}
	if (!r->ready) {
		*length = 0;
		return DNS_TEMPFAIL; /* as when resolv.conf cannot be read */
	}
	if (query_hook != NULL)
		query_hook(name, type);
	copy_name(want, sizeof(want), name);
	pthread_mutex_lock(&fake_lock);
	if (nqueries < FAKE_MAX_LOG) {
		struct fake_query *q = &query_log[nqueries];
		snprintf(q->name, sizeof(q->name), "%s", want);
		q->type = type;
		q->search = search;
	}
	nqueries++;
	pthread_mutex_unlock(&fake_lock);
	errno = FAKE_QUERY_ERRNO;
	for (unsigned i = 0; i < nanswers; i++) {
		const struct fake_answer *a = &answers[i];
		if (a->type != type || strcasecmp(a->name, want) != 0)
			continue;
		/* Like res_nquery: the reply may be longer than the buffer; the
		 * length reported is the reply's own.  A negative outcome comes
		 * with its reply (for the SOA) when the table has one. */
		if (a->msg != NULL)
			memcpy(answer, a->msg, a->len < size ? a->len : size);
		*length = a->len;
		return a->outcome;
	}
	*length = 0;
	return DNS_NXDOMAIN;
}

void resolver_open(struct resolver *r, const struct dns_net *net)
{
	memset(r, 0, sizeof(*r));
	r->net = net; /* open */
	r->ready = !open_fails;
	pthread_mutex_lock(&fake_lock);
	opens++;
	pthread_mutex_unlock(&fake_lock);
}

void resolver_close(struct resolver *r)
{
	pthread_mutex_lock(&fake_lock);
	closes++;
	pthread_mutex_unlock(&fake_lock);
	r->ready = false;
	r->net = NULL;
}

/* Every query of a batch answered from the table, in order, each logged
 * like a single query with search = false. */
static void fake_query_batch(void *ctx, struct dns_query *queries, size_t n)
{
	for (size_t i = 0; i < n; i++)
		queries[i].outcome = fake_query(ctx, queries[i].name, queries[i].type, false,
						queries[i].answer, queries[i].size,
						&queries[i].length);
}

struct dns_transport resolver_transport(struct resolver *r)
{
	struct dns_transport t = {.query = fake_query, .query_batch = fake_query_batch, .ctx = r};
	return t;
}
