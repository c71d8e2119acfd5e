/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Caching daemons: see nscd.h. */
#include "nscd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool nscd_is_daemon(const char *program)
{
	return strcmp(program, "nscd") == 0 || strcmp(program, "unscd") == 0 ||
	       strcmp(program, "nsncd") == 0;
}

/* The last `enable-cache hosts yes|no` line of an nscd.conf stream; true
 * when it has none. */
static bool nscd_conf_caches_hosts(FILE *stream)
{
	char line[256];
	bool caches = true;
	bool rest = false; /* the piece read is the rest of a longer line */

	while (fgets(line, sizeof(line), stream) != NULL) {
		char word[3][16];
		bool was_rest = rest;
		rest = strchr(line, '\n') == NULL;
		if (was_rest)
			continue; /* nscd reads whole lines: a rest is never one */
		line[strcspn(line, "#")] = '\0';
		if (sscanf(line, " %15s %15s %15s", word[0], word[1], word[2]) == 3 &&
		    strcmp(word[0], "enable-cache") == 0 && strcmp(word[1], "hosts") == 0)
			caches = strcmp(word[2], "no") != 0;
	}
	return caches;
}

bool nscd_serves_hosts(void)
{
	int saved_errno = errno;
	struct stat st;
	bool serves = false;

	if (stat(SRVSIP_NSCD_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode)) {
		int fd = open(SRVSIP_NSCD_CONF, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		FILE *stream = fd >= 0 ? fdopen(fd, "r") : NULL;
		/* No readable config (nsncd): it caches hosts. */
		serves = stream == NULL || nscd_conf_caches_hosts(stream);
		if (stream != NULL)
			fclose(stream);
		else if (fd >= 0)
			close(fd);
	}
	errno = saved_errno;
	return serves;
}
