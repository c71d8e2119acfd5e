/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* naive_pipeline: the baseline srvsip must beat - what an SRV-aware program
 * such as twinkle does by itself: res_query() the SRV RRset, then
 * gethostbyname() every target, one after the other, in priority order.
 * Glue in the Additional section is ignored (gethostbyname cannot use it),
 * so a failover list of N targets costs 1 + N round trips.
 *
 * usage: naive_pipeline [-n N] [-w W] [-b CMD] [-a CMD] [-q] SRV_NAME
 *   e.g. naive_pipeline -n 21 _sip._udp.sipdomain.com
 * One lookup = the SRV query plus every target's addresses (the whole
 * failover list).  Options, output and exit status: see bench_common.h; the
 * measured lookups run inside bench_measured() (callgrind --toggle-collect). */
#include "bench_common.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#define MAX_TARGETS 64

struct target {
	unsigned priority;
	unsigned weight;
	char name[NS_MAXDNAME];
};

static int by_priority(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	return (int)x->priority - (int)y->priority;
}

static void lookup_once(void *ctx, struct sample *s)
{
	const char *srv_name = ctx;
	static struct target targets[MAX_TARGETS];
	uint8_t answer[65536];
	ns_msg msg;
	ns_rr rr;
	size_t ntargets = 0;

	memset(s, 0, sizeof(*s));
	int len = res_query(srv_name, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (len < 0 || ns_initparse(answer, len < (int)sizeof(answer) ? len : (int)sizeof(answer),
				    &msg) < 0) {
		s->error = h_errno != 0 ? h_errno : -1;
		return;
	}
	for (int i = 0; i < ns_msg_count(msg, ns_s_an) && ntargets < MAX_TARGETS; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_srv ||
		    ns_rr_rdlen(rr) < 7)
			continue;
		const uint8_t *rd = ns_rr_rdata(rr);
		struct target *t = &targets[ntargets];
		t->priority = ns_get16(rd);
		t->weight = ns_get16(rd + 2);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, t->name, sizeof(t->name)) < 0)
			continue;
		ntargets++;
	}
	qsort(targets, ntargets, sizeof(targets[0]), by_priority);
	for (size_t k = 0; k < ntargets; k++) {
		const struct hostent *he = gethostbyname(targets[k].name);
		if (he == NULL)
			continue;
		for (char **a = he->h_addr_list; *a != NULL; a++) {
			if (s->naddrs == 0) {
				s->family = he->h_addrtype;
				memcpy(s->first, *a, (size_t)he->h_length);
			}
			s->naddrs++;
		}
	}
	if (s->naddrs == 0)
		s->error = HOST_NOT_FOUND;
}

__attribute__((noipa)) void bench_measured(void *srv_name, struct sample *samples, long n, int quiet);
__attribute__((noipa)) void bench_measured(void *srv_name, struct sample *samples, long n, int quiet)
{
	bench_loop(lookup_once, srv_name, samples, n, quiet);
}

int main(int argc, char **argv)
{
	struct bench_options o;
	int i = bench_parse_options(argc, argv, &o);

	if (i < 0 || i + 1 != argc) {
		fprintf(stderr, "usage: naive_pipeline [-n N] [-w W] [-b CMD] [-a CMD] [-q] SRV_NAME\n");
		return 64;
	}
	return bench_run("naive_pipeline", argv[i], &o, lookup_once, bench_measured, argv[i]);
}
