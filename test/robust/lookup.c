/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lookup: one or more host lookups through NSS, one result line each, for
 * the robustness cases (memcheck, debug logging, hostile names).
 *
 * usage: lookup [-n N] OP:NAME[:SERVICE] ...
 *   NAME may hold \xNN escapes (any octet, e.g. non-ASCII or long names).
 *   OP  gai       getaddrinfo AF_UNSPEC            (gethostbyname4_r)
 *       gai4      getaddrinfo AF_INET              (gethostbyname2_r)
 *       gaicanon  getaddrinfo AF_INET AI_CANONNAME (gethostbyname3_r)
 *       ghbn      gethostbyname()                  (gethostbyname_r: failover list)
 *       ghbn2     gethostbyname2(AF_INET)          (gethostbyname2_r)
 *       erange    gethostbyname_r with a 16-octet buffer (must fail with
 *                 ERANGE), then the same call with 8 KiB (the retry)
 *       thread-erange  a new thread calls gethostbyname_r with a 16-octet
 *                 buffer (ERANGE: the module stashes the result for the
 *                 retry) and exits without retrying; the stash must be
 *                 freed with the thread
 * Each op runs N times (default 1); one line per op and run:
 *   OP NAME => OK FIRST-ADDR n=ADDRS [canon=NAME] [list=A,B,..]
 *   OP NAME => EAI_xxx | HOST_NOT_FOUND | ...
 * Exit status 0 unless the usage is wrong (a crash shows as a signal). */
#include <pthread.h>

#include "robust.h"

static void *erange_and_exit(void *arg)
{
	struct hostent he, *result = NULL;
	char tiny[16];
	int herr = 0;
	return (void *)(intptr_t)gethostbyname_r(arg, &he, tiny, sizeof(tiny), &result, &herr);
}

static void show_gai(const char *op, const char *shown, int rc, struct addrinfo *res)
{
	if (rc != 0) {
		printf("%s %s => %s\n", op, shown, robust_eai_name(rc));
		return;
	}
	char first[64];
	int n = 0;
	robust_sa_ntop(res->ai_addr, first, sizeof(first));
	for (struct addrinfo *r = res; r; r = r->ai_next)
		n++;
	printf("%s %s => OK %s n=%d%s%s\n", op, shown, first, n, res->ai_canonname ? " canon=" : "",
	       res->ai_canonname ? res->ai_canonname : "");
}

static void show_hostent(const char *op, const char *shown, const struct hostent *he, int herr)
{
	if (he == NULL) {
		printf("%s %s => %s\n", op, shown, robust_herr_name(herr));
		return;
	}
	char list[1024] = "", a[64];
	size_t o = 0;
	int n = 0;
	for (char **p = he->h_addr_list; *p; p++, n++) {
		robust_ntop(he->h_addrtype, *p, a, sizeof(a));
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", n ? "," : "", a);
		if (o >= sizeof(list))
			o = sizeof(list) - 1;
	}
	robust_ntop(he->h_addrtype, he->h_addr_list[0], a, sizeof(a));
	printf("%s %s => OK %s n=%d canon=%s list=%s\n", op, shown, a, n, he->h_name, list);
}

static void run(const char *op, const char *name, const char *service)
{
	char shown[256];
	robust_show(name, shown, sizeof(shown));
	if (strncmp(op, "gai", 3) == 0) {
		struct addrinfo hints, *res = NULL;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = strcmp(op, "gai") == 0 ? AF_UNSPEC : AF_INET;
		if (strcmp(op, "gaicanon") == 0)
			hints.ai_flags = AI_CANONNAME;
		int rc = getaddrinfo(name, service, &hints, &res);
		show_gai(op, shown, rc, res);
		if (rc == 0)
			freeaddrinfo(res);
	} else if (strcmp(op, "ghbn") == 0) {
		struct hostent *he = gethostbyname(name);
		show_hostent(op, shown, he, h_errno);
	} else if (strcmp(op, "ghbn2") == 0) {
		struct hostent *he = gethostbyname2(name, AF_INET);
		show_hostent(op, shown, he, h_errno);
	} else if (strcmp(op, "erange") == 0) {
		struct hostent he, *result = NULL;
		char tiny[16];
		int herr = 0;
		int rc = gethostbyname_r(name, &he, tiny, sizeof(tiny), &result, &herr);
		if (rc != ERANGE || result != NULL) {
			printf("%s %s => tiny buffer: rc=%d (%s) h_errno=%s, expected ERANGE\n", op, shown,
			       rc, strerror(rc), robust_herr_name(herr));
			return;
		}
		char *big = malloc(8192);
		rc = gethostbyname_r(name, &he, big, 8192, &result, &herr);
		printf("%s %s => ERANGE then ", op, shown);
		show_hostent("retry", "", rc == 0 ? result : NULL, herr);
		free(big);
	} else if (strcmp(op, "thread-erange") == 0) {
		pthread_t t;
		void *rc = NULL;
		if (pthread_create(&t, NULL, erange_and_exit, (void *)name) != 0 || pthread_join(t, &rc) != 0)
			printf("%s %s => thread failed\n", op, shown);
		else
			printf("%s %s => %s\n", op, shown, (intptr_t)rc == ERANGE ? "ERANGE, thread exited" : strerror((int)(intptr_t)rc));
	} else {
		fprintf(stderr, "lookup: unknown op %s\n", op);
		exit(64);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int n = 1, i = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		n = atoi(argv[2]);
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: lookup [-n N] OP:NAME[:SERVICE] ...\n");
		return 64;
	}
	for (; i < argc; i++) {
		char *spec = strdup(argv[i]);
		char *op = spec, *name = strchr(spec, ':'), *service = NULL;
		if (name == NULL) {
			fprintf(stderr, "lookup: bad spec %s\n", argv[i]);
			return 64;
		}
		*name++ = '\0';
		service = strchr(name, ':');
		if (service)
			*service++ = '\0';
		char *decoded = robust_unescape(name);
		for (int k = 0; k < n; k++)
			run(op, decoded, service);
		free(decoded);
		free(spec);
	}
	return 0;
}
