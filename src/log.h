/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Debug logging to syslog without touching the application's own syslog
 * connection (openlog/syslog would change its ident and keep an fd open):
 * each line goes out on a socket opened and closed for that line. */
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
