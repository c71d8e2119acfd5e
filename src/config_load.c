/* Config file loading and reloading: see config_load.h.
 *
 * Lookups read the config without a lock.  Each parse becomes an immutable
 * snapshot, published through one atomic pointer; a lookup holds it only
 * between two updates of a reader counter, and touches nothing else shared.
 * Only the check for a changed file (at most once a second) and a reload
 * take config_lock.
 *
 * Why a retired snapshot is freed only once the counter has been seen at 0
 * after it was unpublished (every atomic below is seq_cst unless marked, so
 * they all fall into one total order S):
 *   reader:  fetch_add(readers); p = load(published); use *p; fetch_sub(readers)
 *   writer:  exchange(published, new) -> old; ...; load(readers) == 0; free(old)
 * A reader that got `old` did its load before the exchange in S, so its
 * fetch_add precedes the writer's load of the counter in S.  That load reads
 * the last value of the counter before it in S; 0 means the reader's
 * fetch_sub came before it too, and (every change of the counter being a
 * read-modify-write, in the release sequence of each earlier one) the load
 * synchronises with it: the reader's use of `old` happens before the free.
 * A reader whose fetch_add comes after the writer's load reads `published`
 * after the exchange: it gets the new snapshot.  A retired snapshot that
 * cannot be freed yet waits on a list, retried on each later check. */
#include "config_load.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

/* One parse of the file, never changed once published. */
struct snapshot {
	struct srvsip_config cfg;
	struct config_decision options; /* the decision when no entry matches */
	struct snapshot *next_retired;
};

/* The decision without a usable file. */
static const struct config_decision no_config = {.cache = true};

/* Never a CLOCK_MONOTONIC_COARSE second: the file is due for a check. */
#define CHECK_DUE ((long long)-1)

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

/* Read by lookups without the lock; written under config_lock. */
static _Atomic(struct snapshot *) published; /* NULL: no usable file */
/* The second of the last check, stored (release) only after the snapshot of
 * that check is published, so that a lookup which sees the second (acquire)
 * sees that snapshot or a later one. */
static _Atomic long long last_check = CHECK_DUE;
/* Lookups between their two updates of this counter may be reading any
 * snapshot published so far and not yet freed. */
static atomic_uint readers;

/* All below are guarded by config_lock. */
static struct snapshot *retired;  /* unpublished, not yet freed */
static struct stat loaded_stat;   /* identity of the file parsed */
static bool loaded_file_present;
static bool loaded;               /* the file was checked once at least */

static void lock_before_fork(void) { pthread_mutex_lock(&config_lock); }
static void unlock_in_parent(void) { pthread_mutex_unlock(&config_lock); }

static void unlock_in_child(void)
{
	/* The child has only the thread that forked, which was not between
	 * the two updates of the counter (fork() is not called there): the
	 * other threads' counts would otherwise keep every retired snapshot. */
	atomic_store(&readers, 0);
	pthread_mutex_unlock(&config_lock);
}

static void register_fork_handlers(void)
{
	/* A fork() while another thread holds the lock would leave the child's
	 * copy locked forever; the module is never unloaded (glibc-nss.md), so
	 * the handlers stay valid. */
	pthread_atfork(lock_before_fork, unlock_in_parent, unlock_in_child);
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

/* Frees the retired snapshots if no lookup can be reading them (see the top
 * of the file).  Caller holds config_lock. */
static void free_retired(void)
{
	if (retired == NULL || atomic_load(&readers) != 0)
		return;
	while (retired != NULL) {
		struct snapshot *next = retired->next_retired;
		config_free(&retired->cfg);
		free(retired);
		retired = next;
	}
}

/* Makes `fresh` (NULL: no config) the snapshot of new lookups.  Caller holds
 * config_lock. */
static void publish(struct snapshot *fresh)
{
	struct snapshot *old = atomic_exchange(&published, fresh);
	if (old != NULL) {
		old->next_retired = retired;
		retired = old;
	}
	free_retired();
}

static bool current_debug(void)
{
	const struct snapshot *snap = atomic_load_explicit(&published, memory_order_relaxed);
	return snap != NULL && snap->cfg.debug; /* the lock holder alone publishes */
}

/* Publishes the file's content (no config when absent or not trusted).
 * Caller holds config_lock. */
static void reload(const struct stat *st)
{
	struct snapshot *fresh;
	int fd;
	FILE *stream;

	loaded_stat = *st;
	loaded_file_present = true;
	if (!config_file_trusted(st)) {
		if (current_debug())
			srvsip_log_warning("%s ignored: not a root-owned regular file of at most %d "
					   "bytes that only root may write", SRVSIP_CONFIG_PATH,
					   CONFIG_FILE_MAX);
		publish(NULL);
		return;
	}
	fd = open(SRVSIP_CONFIG_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		goto empty;
	struct stat opened;
	/* The rules apply to the file actually opened, which an editor's
	 * rename may have put there after the stat(): it is the one read. */
	if (fstat(fd, &opened) < 0 || !config_file_trusted(&opened)) {
		close(fd);
		goto empty;
	}
	loaded_stat = opened;
	fresh = calloc(1, sizeof(*fresh));
	stream = fresh != NULL ? fdopen(fd, "r") : NULL;
	if (stream == NULL) {
		free(fresh);
		close(fd);
		goto empty;
	}
	/* The warnings of a file that itself turns debugging on are logged
	 * after it is parsed: parse once quietly, then once more if needed. */
	if (config_parse(stream, &fresh->cfg, NULL, NULL) == 0 && fresh->cfg.debug &&
	    fresh->cfg.bad_lines > 0) {
		rewind(stream);
		config_free(&fresh->cfg);
		config_parse(stream, &fresh->cfg, report_bad_line, NULL);
	}
	fclose(stream);
	fresh->options = no_config;
	fresh->options.debug = fresh->cfg.debug;
	fresh->options.allow_cname = fresh->cfg.allow_cname;
	fresh->options.cache = !fresh->cfg.cache_off;
	publish(fresh);
	return;
empty:
	publish(NULL);
}

/* The check of the file for second `now`, unless another thread made it for
 * that second or a later one (a clock read before another thread's check).
 * Leaves errno alone. */
__attribute__((noinline, cold)) static void refresh(long long now)
{
	int saved_errno = errno;
	struct stat st;

	pthread_once(&config_once, register_fork_handlers);
	pthread_mutex_lock(&config_lock);
	if (atomic_load_explicit(&last_check, memory_order_relaxed) < now) {
		if (stat(SRVSIP_CONFIG_PATH, &st) < 0) {
			if (!loaded || loaded_file_present)
				publish(NULL);
			loaded_file_present = false;
		} else if (!loaded || !loaded_file_present || !same_file(&st, &loaded_stat)) {
			reload(&st);
		}
		loaded = true;
		free_retired();
		atomic_store_explicit(&last_check, now, memory_order_release);
	}
	pthread_mutex_unlock(&config_lock);
	errno = saved_errno;
}

/* glibc unloads NSS modules only in __libc_freeres (valgrind, mtrace):
 * give the parsed config back then, under the lock, so that a lookup still
 * running in another thread finds no config, or one still valid. */
__attribute__((destructor)) static void config_release(void)
{
	pthread_mutex_lock(&config_lock);
	publish(NULL);
	loaded = false;
	atomic_store_explicit(&last_check, CHECK_DUE, memory_order_relaxed);
	pthread_mutex_unlock(&config_lock);
}

/* The entry that applies to `name` or `program` (either may be NULL), or
 * NULL; *by_program tells which.  The domain index is asked first. */
__attribute__((always_inline)) static inline const struct config_entry *
match_entry(const struct srvsip_config *cfg, const char *name, const char *program, bool *by_program)
{
	const struct config_entry *entry = NULL;

	if (name != NULL && cfg->ndomains > 0 &&
	    !config_domain_length_excluded(cfg, config_domain_length(name, strlen(name))))
		entry = config_match_domain(cfg, name);
	*by_program = false;
	if (entry == NULL && program != NULL && cfg->nprograms > 0) {
		entry = config_match_program(cfg, program);
		*by_program = entry != NULL;
	}
	return entry;
}

/* Starts a read of the current snapshot (NULL: no config), after checking
 * the file if due; leave_snapshot() ends it.  Nothing here sets errno (the
 * coarse clock is read from the vDSO, without a system call). */
static inline const struct snapshot *enter_snapshot(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (atomic_load_explicit(&last_check, memory_order_acquire) != (long long)now.tv_sec)
		refresh(now.tv_sec);
	atomic_fetch_add(&readers, 1);
	return atomic_load(&published);
}

static inline void leave_snapshot(void)
{
	atomic_fetch_sub(&readers, 1);
}

void config_load_decide(const char *name, const char *program, struct config_decision *out,
			char (*services)[SRV_SERVICE_SIZE])
{
	const struct snapshot *snap = enter_snapshot();
	const struct config_entry *entry;
	bool by_program;

	if (snap == NULL) {
		*out = no_config;
	} else {
		*out = snap->options;
		entry = match_entry(&snap->cfg, name, program, &by_program);
		if (entry != NULL) {
			/* Only a match pays for copying its entry. */
			out->matched = true;
			out->by_program = by_program;
			out->line = entry->line;
			out->port = entry->port;
			out->nservices = (uint8_t)entry->nservices;
			if (services != NULL)
				memcpy(services, entry->services,
				       entry->nservices * sizeof(entry->services[0]));
		}
	}
	leave_snapshot();
}

bool config_load_matches(const char *name, const char *program, bool *debug)
{
	const struct snapshot *snap = enter_snapshot();
	bool matched = false;
	bool by_program;

	*debug = false;
	if (snap != NULL) {
		*debug = snap->cfg.debug;
		matched = match_entry(&snap->cfg, name, program, &by_program) != NULL;
	}
	leave_snapshot();
	return matched;
}
