/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config file loading and reloading: see config_load.h. */
#include "config_load.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

/* One parse of the file; never changed, freed only by config_release. */
struct snapshot {
	struct srvsip_config cfg;       /* no program entries in AT_SECURE processes */
	struct snapshot *older;         /* the snapshot made before it */
};

/* Never a second of time(): the file is due for a check. */
#define CHECK_DUE LLONG_MIN

/* The snapshot of new lookups; NULL: no usable file. */
static _Atomic(struct snapshot *) current;
/* The second of the last check; written under refresh_lock. */
static _Atomic long long last_check = CHECK_DUE;

static pthread_mutex_t refresh_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;
/* Guarded by refresh_lock. */
static struct stat loaded_stat;         /* the file parsed last */
static bool loaded_file_present;
static struct snapshot *all_snapshots;  /* every snapshot made, newest first */

static void reset_in_child(void)
{
	/* A parent thread may have held the lock mid-check, its stat noted but
	 * its snapshot unpublished: the child re-reads the file. */
	if (pthread_mutex_trylock(&refresh_lock) != 0)
		loaded_file_present = false;
	pthread_mutex_init(&refresh_lock, NULL);
}

static void register_fork_handler(void)
{
	/* Valid for good: docs/glibc-facts.md "Loading". */
	pthread_atfork(NULL, NULL, reset_in_child);
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

static bool same_entries(const struct config_entry *a, const struct config_entry *b, size_t n)
{
	return n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
}

/* Two parses say the same (memcmp: entries are zeroed, then copied whole). */
static bool same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->cfg.debug == b->cfg.debug && a->cfg.allow_cname == b->cfg.allow_cname &&
	       a->cfg.cache_off == b->cfg.cache_off && a->cfg.ndomains == b->cfg.ndomains &&
	       a->cfg.nprograms == b->cfg.nprograms &&
	       same_entries(a->cfg.domains, b->cfg.domains, a->cfg.ndomains) &&
	       same_entries(a->cfg.programs, b->cfg.programs, a->cfg.nprograms);
}

static void free_snapshot(struct snapshot *snap)
{
	config_free(&snap->cfg);
	free(snap);
}

/* Makes `fresh` (NULL: none) current unless it says the same.  Holds refresh_lock. */
static void publish(struct snapshot *fresh)
{
	const struct snapshot *now = atomic_load(&current);

	if (same_snapshot(fresh, now)) {
		if (fresh != NULL)
			free_snapshot(fresh);
		return;
	}
	if (fresh != NULL) {
		fresh->older = all_snapshots;
		all_snapshots = fresh;
	}
	atomic_store_explicit(&current, fresh, memory_order_release);
}

/* Parses buf[len] into a new snapshot; NULL when memory ran out. */
static struct snapshot *parse_text(char *buf, size_t len)
{
	struct snapshot *fresh = calloc(1, sizeof(*fresh));
	/* len 0: a stream at its end (glibc >= 2.22) */
	FILE *stream = fresh != NULL ? fmemopen(buf, len, "r") : NULL;

	if (stream == NULL) {
		free(fresh);
		return NULL;
	}
	/* Warnings are logged only if the file turns debug on: a second parse. */
	int parsed = config_parse(stream, &fresh->cfg, NULL, NULL);
	if (parsed == 0 && fresh->cfg.debug && fresh->cfg.bad_lines > 0 &&
	    fseek(stream, 0, SEEK_SET) == 0) {
		config_free(&fresh->cfg);
		parsed = config_parse(stream, &fresh->cfg, report_bad_line, NULL);
	}
	fclose(stream);
	if (parsed < 0) { /* out of memory: config_parse left cfg empty */
		free(fresh);
		return NULL;
	}
	if (getauxval(AT_SECURE) != 0)
		fresh->cfg.nprograms = 0; /* docs/glibc-facts.md "Secure mode" */
	return fresh;
}

/* A failure that says nothing of the file: read it again at the next check. */
static bool failed_for_now(int error)
{
	return error == EMFILE || error == ENFILE || error == ENOMEM || error == EINTR ||
	       error == EAGAIN;
}

#define READ_SIZE (CONFIG_FILE_MAX + 1) /* one octet more tells a longer file */

/* Reads fd into buf[READ_SIZE]: its length; -1 when longer than
 * CONFIG_FILE_MAX (grown since fstat) or unreadable; -2: failed_for_now. */
static ssize_t read_file(int fd, char *buf)
{
	size_t len = 0;

	while (len < READ_SIZE) {
		/* NOLINTNEXTLINE(clang-analyzer-unix.BlockInCriticalSection): lookups only trylock */
		ssize_t n = read(fd, buf + len, READ_SIZE - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return failed_for_now(errno) ? -2 : -1;
		if (n == 0)
			return (ssize_t)len;
		len += (size_t)n;
	}
	return -1;
}

/* Reads the file `st` describes (NULL when not trusted).  *retry: unreadable
 * for now (failed_for_now, or no memory to parse).  Holds refresh_lock. */
static struct snapshot *load(const struct stat *st, bool *retry)
{
	const struct snapshot *now = atomic_load(&current);
	struct stat opened;

	loaded_stat = *st;
	if (!config_file_trusted(st)) {
		if (now != NULL && now->cfg.debug)
			srvsip_log_warning("%s ignored: not a root-owned regular file of at most %d "
					   "bytes that only root may write", SRVSIP_CONFIG_PATH,
					   CONFIG_FILE_MAX);
		return NULL;
	}
	int fd = open(SRVSIP_CONFIG_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*retry = failed_for_now(errno);
		return NULL;
	}
	/* The rules apply to the file opened (a rename may follow the stat). */
	if (fstat(fd, &opened) < 0 || !config_file_trusted(&opened)) {
		close(fd);
		return NULL;
	}
	loaded_stat = opened;
	/* Not malloc: BENCHMARKS.md "Trades" (the program's heap layout). */
	char *buf = mmap(NULL, READ_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (buf == MAP_FAILED) {
		close(fd);
		*retry = true;
		return NULL;
	}
	ssize_t len = read_file(fd, buf);
	close(fd);
	struct snapshot *fresh = len >= 0 ? parse_text(buf, (size_t)len) : NULL;
	*retry = len == -2 || (len >= 0 && fresh == NULL);
	munmap(buf, READ_SIZE);
	return fresh;
}

/* The check of the file for second `now`.  Caller holds refresh_lock. */
static void refresh(long long now)
{
	int saved_errno = errno;
	struct stat st;

	if (stat(SRVSIP_CONFIG_PATH, &st) < 0) {
		if (!failed_for_now(errno))
			publish(NULL);
		loaded_file_present = false;
	} else if (!loaded_file_present || !same_file(&st, &loaded_stat)) {
		bool retry = false;
		struct snapshot *fresh = load(&st, &retry);
		/* Unreadable for now: the current snapshot stays. */
		if (!retry)
			publish(fresh);
		loaded_file_present = !retry;
	}
	atomic_store(&last_check, now);
	errno = saved_errno;
}

/* Checks the file if due; waits for another thread's check only at the first. */
static void refresh_if_due(void)
{
	/* time(): the vDSO's, BENCHMARKS.md "Trades" */
	long long now = (long long)time(NULL);
	long long seen = atomic_load_explicit(&last_check, memory_order_acquire);
	if (seen == now)
		return;
	pthread_once(&fork_handler_once, register_fork_handler);
	if (seen == CHECK_DUE)
		pthread_mutex_lock(&refresh_lock);
	else if (pthread_mutex_trylock(&refresh_lock) != 0)
		return;
	if (atomic_load(&last_check) != now)
		refresh(now);
	pthread_mutex_unlock(&refresh_lock);
}

/* The caller is the only thread (docs/glibc-facts.md "Loading"); false if unknown. */
static bool only_thread(void)
{
	int saved_errno = errno;
	struct stat st;
	bool only = stat("/proc/self/task", &st) == 0 && st.st_nlink == 3;

	errno = saved_errno;
	return only;
}

/* Also run by exit() while other threads may read a snapshot: frees only
 * when alone (docs/glibc-facts.md "Loading"). */
__attribute__((destructor)) static void config_release(void)
{
	pthread_mutex_lock(&refresh_lock);
	if (all_snapshots != NULL && only_thread()) {
		atomic_store(&current, NULL);
		while (all_snapshots != NULL) {
			struct snapshot *older = all_snapshots->older;
			free_snapshot(all_snapshots);
			all_snapshots = older;
		}
		atomic_store(&last_check, CHECK_DUE);
		loaded_file_present = false;
	}
	pthread_mutex_unlock(&refresh_lock);
}

/* The current snapshot, after checking the file if due; NULL: no config. */
static const struct snapshot *current_snapshot(void)
{
	refresh_if_due();
	return atomic_load_explicit(&current, memory_order_acquire);
}

/* The entry for `name` or `program` (either may be NULL), or NULL. */
static inline const struct config_entry *match_entry(const struct snapshot *snap,
						     const char *name, const char *program)
{
	const struct config_entry *entry = NULL;

	if (name != NULL && snap->cfg.ndomains > 0)
		entry = config_match_domain(&snap->cfg, name);
	if (entry == NULL && program != NULL && snap->cfg.nprograms > 0)
		entry = config_match_program(&snap->cfg, program);
	return entry;
}

void config_load_decide(const char *name, const char *program, struct config_decision *out,
			char (*services)[SRV_SERVICE_SIZE])
{
	const struct snapshot *snap = current_snapshot();
	const struct config_entry *entry = snap != NULL ? match_entry(snap, name, program) : NULL;

	/* Without a usable file: no debug, no CNAME targets, the cache on. */
	*out = (struct config_decision){.debug = snap != NULL && snap->cfg.debug,
					.allow_cname = snap != NULL && snap->cfg.allow_cname,
					.cache = snap == NULL || !snap->cfg.cache_off};
	if (entry == NULL)
		return;
	out->matched = true;
	out->by_program = entry->program;
	out->port = entry->port;
	out->nservices = (uint8_t)entry->nservices;
	if (services != NULL)
		memcpy(services, entry->services, entry->nservices * sizeof(entry->services[0]));
}

bool config_load_matches(const char *name, const char *program, bool *debug)
{
	const struct snapshot *snap = current_snapshot();

	*debug = snap != NULL && snap->cfg.debug;
	return snap != NULL && match_entry(snap, name, program) != NULL;
}
