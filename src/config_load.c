/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config file loading and reloading: see config_load.h.
 *
 * Two locks, each with one job:
 * - snapshot_lock (a rwlock) guards `current`: lookups read the parsed
 *   config under the read lock; a reload takes the write lock only to swap
 *   the pointer, so once it has swapped no lookup can still be using the
 *   old snapshot, which is freed after the unlock.
 * - refresh_lock lets one thread at a time check the file (at most once a
 *   second).  Lookups take it with trylock: none ever waits for another
 *   thread's stat() or parse (a hung /etc costs the thread that checks, not
 *   every lookup of the process).  Only the very first load waits, so that
 *   no lookup runs with the config not yet read. */
#include "config_load.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

/* One parse of the file, never changed once published. */
struct snapshot {
	struct srvsip_config cfg;
	struct config_decision options; /* the decision when no entry matches */
	bool programs_apply;            /* false in setuid programs: see match_entry */
};

/* The decision without a usable file. */
static const struct config_decision no_config = {.cache = true};

/* Never a CLOCK_MONOTONIC_COARSE second: the file is due for a check. */
#define CHECK_DUE ((long long)-1)

static pthread_rwlock_t snapshot_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct snapshot *current; /* NULL: no usable file; guarded by snapshot_lock */

static pthread_mutex_t refresh_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;
/* The second of the last check; read without a lock to decide whether a
 * check is due, written under refresh_lock. */
static _Atomic long long last_check = CHECK_DUE;
/* Guarded by refresh_lock: the identity of the file parsed last. */
static struct stat loaded_stat;
static bool loaded_file_present;

static void lock_before_fork(void)
{
	/* Waits out the readers: no thread is inside the lock in the child. */
	pthread_rwlock_wrlock(&snapshot_lock);
}

static void unlock_in_parent(void)
{
	pthread_rwlock_unlock(&snapshot_lock);
}

static void reset_in_child(void)
{
	/* Only the forking thread exists in the child, and it holds the
	 * write lock: a fresh lock, since glibc's rwlock would still count the
	 * parent's waiting threads.  A thread of the parent may have been
	 * checking the file: its refresh_lock must not stay held either
	 * (taking it before fork() would make fork() wait for that stat()). */
	pthread_rwlock_init(&snapshot_lock, NULL);
	pthread_mutex_init(&refresh_lock, NULL);
}

static void register_fork_handlers(void)
{
	/* The module is never unloaded while the process runs
	 * (docs/glibc-facts.md), so the handlers stay valid. */
	pthread_atfork(lock_before_fork, unlock_in_parent, reset_in_child);
}

bool config_file_trusted(const struct stat *st)
{
	return S_ISREG(st->st_mode) && st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	       st->st_size <= CONFIG_FILE_MAX;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void report_bad_line(void *ctx, unsigned line, const char *problem)
{
	(void)ctx;
	srvsip_log_warning("%s line %u ignored: %s", SRVSIP_CONFIG_PATH, line, problem);
}

static void free_snapshot(struct snapshot *snap)
{
	if (snap != NULL) {
		config_free(&snap->cfg);
		free(snap);
	}
}

/* Makes `fresh` (NULL: no config) the snapshot of new lookups. */
static void publish(struct snapshot *fresh)
{
	pthread_rwlock_wrlock(&snapshot_lock);
	struct snapshot *old = current;
	current = fresh;
	pthread_rwlock_unlock(&snapshot_lock);
	free_snapshot(old); /* no reader can hold it once the swap is done */
}

/* Parses the opened file into a new snapshot; NULL when memory ran out. */
static struct snapshot *parse_file(int fd)
{
	struct snapshot *fresh = calloc(1, sizeof(*fresh));
	FILE *stream = fresh != NULL ? fdopen(fd, "r") : NULL;

	if (stream == NULL) {
		free(fresh);
		close(fd);
		return NULL;
	}
	/* The warnings of a file that itself turns debugging on are logged
	 * after it is parsed: parse once quietly, then once more if needed. */
	if (config_parse(stream, &fresh->cfg, NULL, NULL) == 0 && fresh->cfg.debug &&
	    fresh->cfg.bad_lines > 0 && fseek(stream, 0, SEEK_SET) == 0) {
		config_free(&fresh->cfg);
		config_parse(stream, &fresh->cfg, report_bad_line, NULL);
	}
	fclose(stream);
	fresh->options = no_config;
	fresh->options.debug = fresh->cfg.debug;
	fresh->options.allow_cname = fresh->cfg.allow_cname;
	fresh->options.cache = !fresh->cfg.cache_off;
	/* In a setuid or otherwise AT_SECURE process, the program name is the
	 * caller's choice (argv[0]): `program` lines must not apply. */
	fresh->programs_apply = getauxval(AT_SECURE) == 0;
	return fresh;
}

/* Reads the file `st` describes (NULL snapshot when it is not trusted).
 * Caller holds refresh_lock. */
static struct snapshot *load(const struct stat *st, bool debug)
{
	struct stat opened;

	loaded_stat = *st;
	if (!config_file_trusted(st)) {
		if (debug)
			srvsip_log_warning("%s ignored: not a root-owned regular file of at most %d "
					   "bytes that only root may write", SRVSIP_CONFIG_PATH,
					   CONFIG_FILE_MAX);
		return NULL;
	}
	int fd = open(SRVSIP_CONFIG_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	/* The rules apply to the file actually opened, which an editor's
	 * rename may have put there after the stat(): it is the one read. */
	if (fstat(fd, &opened) < 0 || !config_file_trusted(&opened)) {
		close(fd);
		return NULL;
	}
	loaded_stat = opened;
	return parse_file(fd);
}

/* The check of the file for second `now`.  Caller holds refresh_lock. */
static void refresh(long long now)
{
	int saved_errno = errno;
	struct stat st;
	bool first = atomic_load(&last_check) == CHECK_DUE;

	if (stat(SRVSIP_CONFIG_PATH, &st) < 0) {
		if (first || loaded_file_present)
			publish(NULL);
		loaded_file_present = false;
	} else if (first || !loaded_file_present || !same_file(&st, &loaded_stat)) {
		bool debug = current != NULL && current->cfg.debug; /* only we publish */
		publish(load(&st, debug));
		loaded_file_present = true;
	}
	atomic_store(&last_check, now);
	errno = saved_errno;
}

/* Checks the file if a check is due, without waiting for a check that
 * another thread is making (except the first of the process). */
static void refresh_if_due(void)
{
	struct timespec ts;

	/* The coarse clock comes from the vDSO: no system call, errno kept. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	long long seen = atomic_load_explicit(&last_check, memory_order_relaxed);
	if (seen == (long long)ts.tv_sec)
		return;
	pthread_once(&fork_handlers_once, register_fork_handlers);
	if (seen == CHECK_DUE)
		pthread_mutex_lock(&refresh_lock);
	else if (pthread_mutex_trylock(&refresh_lock) != 0)
		return;
	if (atomic_load(&last_check) != (long long)ts.tv_sec)
		refresh(ts.tv_sec);
	pthread_mutex_unlock(&refresh_lock);
}

/* glibc unloads NSS modules only in __libc_freeres (valgrind, mtrace):
 * give the parsed config back then. */
__attribute__((destructor)) static void config_release(void)
{
	pthread_mutex_lock(&refresh_lock);
	publish(NULL);
	atomic_store(&last_check, CHECK_DUE);
	pthread_mutex_unlock(&refresh_lock);
}

/* The entry that applies to `name` or `program` (either may be NULL), or
 * NULL; *by_program tells which. */
static const struct config_entry *match_entry(const struct snapshot *snap, const char *name,
					      const char *program, bool *by_program)
{
	const struct config_entry *entry = NULL;

	*by_program = false;
	if (name != NULL)
		entry = config_match_domain(&snap->cfg, name);
	if (entry == NULL && program != NULL && snap->programs_apply) {
		entry = config_match_program(&snap->cfg, program);
		*by_program = entry != NULL;
	}
	return entry;
}

void config_load_decide(const char *name, const char *program, struct config_decision *out,
			char (*services)[SRV_SERVICE_SIZE])
{
	bool by_program;

	refresh_if_due();
	pthread_rwlock_rdlock(&snapshot_lock);
	*out = current != NULL ? current->options : no_config;
	const struct config_entry *entry =
		current != NULL ? match_entry(current, name, program, &by_program) : NULL;
	if (entry != NULL) {
		out->matched = true;
		out->by_program = by_program;
		out->line = entry->line;
		out->port = entry->port;
		out->nservices = (uint8_t)entry->nservices;
		if (services != NULL)
			memcpy(services, entry->services,
			       entry->nservices * sizeof(entry->services[0]));
	}
	pthread_rwlock_unlock(&snapshot_lock);
}

bool config_load_matches(const char *name, const char *program, bool *debug)
{
	bool matched = false;
	bool by_program;

	refresh_if_due();
	pthread_rwlock_rdlock(&snapshot_lock);
	*debug = current != NULL && current->cfg.debug;
	if (current != NULL)
		matched = match_entry(current, name, program, &by_program) != NULL;
	pthread_rwlock_unlock(&snapshot_lock);
	return matched;
}
