/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Debug logging: see log.h. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void srvsip_log(int priority, const char *fmt, ...)
{
	int saved_errno = errno;
	char line[1024];
	struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = SRVSIP_SYSLOG_PATH};
	va_list ap;
	int fd;
	int prefix = snprintf(line, sizeof(line), "<%d>libnss_srvsip[%ld]: ", LOG_DAEMON | priority,
			      (long)getpid());

	if (prefix < 0 || (size_t)prefix >= sizeof(line))
		goto out;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): ap comes initialised from va_start */
	vsnprintf(line + prefix, sizeof(line) - (size_t)prefix, fmt, ap);
	va_end(ap);
	/* Hostile names: no control octet (a forged line), nothing non-ASCII. */
	for (char *p = line + prefix; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto out;
	/* Non-blocking: a stalled syslog daemon must not stall the program. */
	sendto(fd, line, strlen(line), MSG_NOSIGNAL, (const struct sockaddr *)&addr, sizeof(addr));
	close(fd);
out:
	errno = saved_errno;
}
