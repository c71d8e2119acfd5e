/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the robustness drivers (test/robust/).  They run the
 * module the way programs meet it: real getaddrinfo / gethostbyname calls
 * through NSS, with build/libnss_srvsip.so.2 found via LD_LIBRARY_PATH, inside
 * the e2e namespace (test/e2e/cases/8x-9x robust cases).  Header-only: each
 * driver is one translation unit. */
#ifndef SRVSIP_ROBUST_H
#define SRVSIP_ROBUST_H

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Decodes "\xNN" escapes (and "\\") so that names with any octet can be
 * passed on a command line.  Returns a malloc'd string. */
static inline char *robust_unescape(const char *in)
{
	size_t n = strlen(in);
	char *res = malloc(n + 1), *o = res;
	if (res == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\\' && in[i + 1] == 'x' && isxdigit((unsigned char)in[i + 2]) &&
		    isxdigit((unsigned char)in[i + 3])) {
			char hex[3] = {in[i + 2], in[i + 3], 0};
			*o++ = (char)strtoul(hex, NULL, 16);
			i += 3;
		} else if (in[i] == '\\' && in[i + 1] == '\\') {
			*o++ = '\\';
			i++;
		} else {
			*o++ = in[i];
		}
	}
	*o = '\0';
	return res;
}

/* A printable rendering of a name for logs: non-printable octets as \xNN,
 * names longer than 60 octets abbreviated with their length. */
static inline const char *robust_show(const char *name, char *buf, size_t size)
{
	size_t len = strlen(name), o = 0;
	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)name[i];
		if (len > 60 && i == 24) {
			o += (size_t)snprintf(buf + o, size - o, "...(%zu octets)...", len);
			i = len - 24;
			continue;
		}
		if (c < 0x21 || c > 0x7e || c == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o < size ? o : size - 1] = '\0';
	return buf;
}

static inline const char *robust_eai_name(int rc)
{
	switch (rc) {
	case 0: return "OK";
	case EAI_NONAME: return "EAI_NONAME";
	case EAI_AGAIN: return "EAI_AGAIN";
	case EAI_FAIL: return "EAI_FAIL";
	case EAI_NODATA: return "EAI_NODATA";
	case EAI_FAMILY: return "EAI_FAMILY";
	case EAI_SERVICE: return "EAI_SERVICE";
	case EAI_MEMORY: return "EAI_MEMORY";
	case EAI_SYSTEM: return "EAI_SYSTEM";
	case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
	default: return "EAI_OTHER";
	}
}

static inline const char *robust_herr_name(int h)
{
	switch (h) {
	case HOST_NOT_FOUND: return "HOST_NOT_FOUND";
	case TRY_AGAIN: return "TRY_AGAIN";
	case NO_RECOVERY: return "NO_RECOVERY";
	case NO_DATA: return "NO_DATA";
	case NETDB_INTERNAL: return "NETDB_INTERNAL";
	default: return "H_OTHER";
	}
}

/* Text form of an address of a sockaddr / raw address. */
static inline void robust_ntop(int family, const void *raw, char *out, size_t size)
{
	if (inet_ntop(family, raw, out, (socklen_t)size) == NULL)
		snprintf(out, size, "?");
}

static inline void robust_sa_ntop(const struct sockaddr *sa, char *out, size_t size)
{
	if (sa->sa_family == AF_INET)
		robust_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, size);
	else if (sa->sa_family == AF_INET6)
		robust_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
			    size);
	else
		snprintf(out, size, "family-%d", sa->sa_family);
}

/* The open file descriptors as "fd->target" lines (the directory stream's
 * own descriptor excluded), into buf.  Returns the number of fds. */
static inline int robust_fd_snapshot(char *buf, size_t size)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	size_t o = 0;
	int self;
	/* Sorted by fd number: collect then sort (at most 1024 fds here). */
	int fds[1024];

	buf[0] = '\0';
	if (d == NULL)
		return -1;
	self = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		if (fd == self || n == 1024)
			continue;
		fds[n++] = fd;
	}
	closedir(d);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int t = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		char path[64], target[256];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		target[len > 0 ? len : 0] = '\0';
		if (o < size)
			o += (size_t)snprintf(buf + o, size - o, "%d->%s;", fds[i], target);
	}
	return n;
}

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM", ...), -1 if absent. */
static inline long robust_status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long v = -1;
	size_t flen = strlen(field);
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Path of the libnss_srvsip.so.2 mapped into this process ("" if none): the
 * cases check that NSS loaded the build they mean (build/ or the TSan one). */
static inline const char *robust_module_path(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[1024];
	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		if (p && strstr(p, "libnss_srvsip.so.2")) {
			p[strcspn(p, "\n")] = '\0';
			snprintf(buf, size, "%s", p);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

#endif
