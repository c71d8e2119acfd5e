/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libnss_benchnull.so.2: a hosts module that declines every lookup at once
 * (NSS_STATUS_UNAVAIL, h_errno NO_RECOVERY - what srvsip answers out of
 * scope) and does nothing else.  bench/run.sh puts it where srvsip goes on
 * the hosts line ("files benchnull dns") to measure what glibc itself
 * spends on one more module in the chain: the part of srvsip's
 * out-of-scope cost that no module can remove.
 *
 * Build: gcc -O2 -fPIC -shared -Wl,-soname,libnss_benchnull.so.2 -o libnss_benchnull.so.2 nss_null.c */
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>

#define DECLINE                                                                                    \
	do {                                                                                       \
		*errnop = ENOENT;                                                                  \
		*h_errnop = NO_RECOVERY;                                                           \
		return NSS_STATUS_UNAVAIL;                                                         \
	} while (0)

enum nss_status _nss_benchnull_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
						char *buffer, size_t buflen, int *errnop,
						int *h_errnop, int32_t *ttlp);
enum nss_status _nss_benchnull_gethostbyname3_r(const char *name, int af, struct hostent *result,
						char *buffer, size_t buflen, int *errnop,
						int *h_errnop, int32_t *ttlp, char **canonp);
enum nss_status _nss_benchnull_gethostbyname2_r(const char *name, int af, struct hostent *result,
						char *buffer, size_t buflen, int *errnop,
						int *h_errnop);
enum nss_status _nss_benchnull_gethostbyname_r(const char *name, struct hostent *result,
					       char *buffer, size_t buflen, int *errnop,
					       int *h_errnop);

enum nss_status _nss_benchnull_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
						char *buffer, size_t buflen, int *errnop,
						int *h_errnop, int32_t *ttlp)
{
	(void)name, (void)pat, (void)buffer, (void)buflen, (void)ttlp;
	DECLINE;
}

enum nss_status _nss_benchnull_gethostbyname3_r(const char *name, int af, struct hostent *result,
						char *buffer, size_t buflen, int *errnop,
						int *h_errnop, int32_t *ttlp, char **canonp)
{
	(void)name, (void)af, (void)result, (void)buffer, (void)buflen, (void)ttlp, (void)canonp;
	DECLINE;
}

enum nss_status _nss_benchnull_gethostbyname2_r(const char *name, int af, struct hostent *result,
						char *buffer, size_t buflen, int *errnop,
						int *h_errnop)
{
	(void)name, (void)af, (void)result, (void)buffer, (void)buflen;
	DECLINE;
}

enum nss_status _nss_benchnull_gethostbyname_r(const char *name, struct hostent *result,
					       char *buffer, size_t buflen, int *errnop,
					       int *h_errnop)
{
	(void)name, (void)result, (void)buffer, (void)buflen;
	DECLINE;
}
