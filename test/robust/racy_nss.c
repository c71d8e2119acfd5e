/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racy_nss: a deliberately racy NSS hosts module, the positive control of
 * the TSan case (test/e2e/cases/84-robust-threads.sh).  Built with
 * -fsanitize=thread as libnss_racy.so.2 and put on the hosts line before
 * srvsip, it makes every lookup increment a global counter without a lock
 * and then step aside (UNAVAIL).  If TSan reports that race, TSan does
 * instrument and watch modules that glibc dlopens, so its silence about
 * libnss_srvsip means something. */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#pragma GCC visibility push(default)
enum nss_status _nss_racy_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					   char *buffer, size_t buflen, int *errnop,
					   int *h_errnop, int32_t *ttlp);
enum nss_status _nss_racy_gethostbyname2_r(const char *name, int af, struct hostent *result,
					   char *buffer, size_t buflen, int *errnop,
					   int *h_errnop);
enum nss_status _nss_racy_gethostbyname_r(const char *name, struct hostent *result,
					  char *buffer, size_t buflen, int *errnop, int *h_errnop);
#pragma GCC visibility pop

static volatile long lookups; /* unguarded on purpose */

static enum nss_status step_aside(int *h_errnop)
{
	/* Two unguarded writes 200 us apart: the srvsip module takes a mutex
	 * in every lookup, which orders much of one thread's lookup after
	 * another's for TSan (happens-before); the pause keeps this race
	 * visible despite that. */
	lookups++;
	usleep(200);
	lookups++;
	*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

enum nss_status _nss_racy_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					   char *buffer, size_t buflen, int *errnop,
					   int *h_errnop, int32_t *ttlp)
{
	(void)name, (void)pat, (void)buffer, (void)buflen, (void)errnop, (void)ttlp;
	return step_aside(h_errnop);
}

enum nss_status _nss_racy_gethostbyname2_r(const char *name, int af, struct hostent *result,
					   char *buffer, size_t buflen, int *errnop,
					   int *h_errnop)
{
	(void)name, (void)af, (void)result, (void)buffer, (void)buflen, (void)errnop;
	return step_aside(h_errnop);
}

enum nss_status _nss_racy_gethostbyname_r(const char *name, struct hostent *result,
					  char *buffer, size_t buflen, int *errnop, int *h_errnop)
{
	(void)name, (void)result, (void)buffer, (void)buflen, (void)errnop;
	return step_aside(h_errnop);
}
