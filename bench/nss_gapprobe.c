/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnss_gapprobe.so.2: measures, inside getaddrinfo, the gap between its
 * services lookup and its hosts lookup on the same thread: the time a
 * pseudo-service pairing must survive (src/scope.h SCOPE_PAIRING_WINDOW_NS).
 *
 * Its getservbyname_r answers "gapsrv" (any protocol, port 9) and notes the
 * time per thread, as srvsip's does; its hosts entry points record the time
 * since that note and decline (UNAVAIL).  bench/pairing_gap.c drives it and
 * reads the samples through gapprobe_samples().
 *
 * Build: see bench/bench.mk. */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define GAPPROBE_MAX_SAMPLES 1000000

enum nss_status _nss_gapprobe_getservbyname_r(const char *name, const char *proto,
					      struct servent *result, char *buffer, size_t buflen,
					      int *errnop);
enum nss_status _nss_gapprobe_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					       char *buffer, size_t buflen, int *errnop,
					       int *h_errnop, int32_t *ttlp);
enum nss_status _nss_gapprobe_gethostbyname2_r(const char *name, int af, struct hostent *result,
					       char *buffer, size_t buflen, int *errnop,
					       int *h_errnop);
const long long *gapprobe_samples(size_t *n);

static __thread long long noted_ns;
static long long samples[GAPPROBE_MAX_SAMPLES];
static atomic_size_t nsamples;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static enum nss_status record(int *errnop, int *h_errnop)
{
	if (noted_ns != 0) {
		size_t i = atomic_fetch_add(&nsamples, 1);
		if (i < GAPPROBE_MAX_SAMPLES)
			samples[i] = now_ns() - noted_ns;
		noted_ns = 0;
	}
	*errnop = ENOENT;
	*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

enum nss_status _nss_gapprobe_getservbyname_r(const char *name, const char *proto,
					      struct servent *result, char *buffer, size_t buflen,
					      int *errnop)
{
	size_t plen = proto != NULL ? strlen(proto) + 1 : 4;

	if (strcmp(name, "gapsrv") != 0)
		return NSS_STATUS_NOTFOUND;
	if (buflen < sizeof(char *) + 7 + plen) {
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	char **aliases = (char **)(void *)buffer;
	aliases[0] = NULL;
	char *s_name = buffer + sizeof(char *);
	memcpy(s_name, "gapsrv", 7);
	char *s_proto = s_name + 7;
	memcpy(s_proto, proto != NULL ? proto : "udp", plen);
	result->s_name = s_name;
	result->s_aliases = aliases;
	result->s_port = (int)htons(9);
	result->s_proto = s_proto;
	noted_ns = now_ns();
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_gapprobe_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					       char *buffer, size_t buflen, int *errnop,
					       int *h_errnop, int32_t *ttlp)
{
	(void)name, (void)pat, (void)buffer, (void)buflen, (void)ttlp;
	return record(errnop, h_errnop);
}

enum nss_status _nss_gapprobe_gethostbyname2_r(const char *name, int af, struct hostent *result,
					       char *buffer, size_t buflen, int *errnop,
					       int *h_errnop)
{
	(void)name, (void)af, (void)result, (void)buffer, (void)buflen;
	return record(errnop, h_errnop);
}

const long long *gapprobe_samples(size_t *n)
{
	size_t got = atomic_load(&nsamples);
	*n = got < GAPPROBE_MAX_SAMPLES ? got : GAPPROBE_MAX_SAMPLES;
	return samples;
}
