/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Syslog lines on a socket opened and closed per line: openlog/syslog would
 * change the application's ident and keep an fd open. */
#ifndef SRVSIP_LOG_H
#define SRVSIP_LOG_H

#include <syslog.h>

#ifndef SRVSIP_SYSLOG_PATH
#define SRVSIP_SYSLOG_PATH "/dev/log"
#endif

void srvsip_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define srvsip_log_debug(...) srvsip_log(LOG_DEBUG, __VA_ARGS__)
#define srvsip_log_warning(...) srvsip_log(LOG_WARNING, __VA_ARGS__)

#endif
