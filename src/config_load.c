/* Config file loading and reloading: see config_load.h. */
#include "config_load.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
/* All below are guarded by config_lock. */
static struct srvsip_config current;
static bool loaded;
static time_t last_check;         /* CLOCK_MONOTONIC_COARSE seconds */
static struct stat loaded_stat;   /* identity of the file parsed */
static bool loaded_file_present;

static void lock_before_fork(void) { pthread_mutex_lock(&config_lock); }
static void unlock_after_fork(void) { pthread_mutex_unlock(&config_lock); }

static void register_fork_handlers(void)
{
	/* A fork() while another thread holds the lock would leave the child's
	 * copy locked forever; the module is never unloaded (glibc-nss.md), so
	 * the handlers stay valid. */
	pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork);
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

/* Replaces `current` with the file's content (empty when absent or not
 * trusted).  Caller holds config_lock. */
static void reload(const struct stat *st)
{
	bool was_debug = current.debug;
	struct srvsip_config fresh;
	int fd;
	FILE *stream;

	memset(&fresh, 0, sizeof(fresh));
	loaded_stat = *st;
	loaded_file_present = true;
	if (!config_file_trusted(st)) {
		if (was_debug)
			srvsip_log_warning("%s ignored: not a root-owned regular file of at most %d "
					   "bytes that only root may write", SRVSIP_CONFIG_PATH,
					   CONFIG_FILE_MAX);
		config_free(&current);
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
	stream = fdopen(fd, "r");
	if (stream == NULL) {
		close(fd);
		goto empty;
	}
	/* The warnings of a file that itself turns debugging on are logged
	 * after it is parsed: parse once quietly, then once more if needed. */
	if (config_parse(stream, &fresh, NULL, NULL) == 0 && fresh.debug && fresh.bad_lines > 0) {
		rewind(stream);
		config_free(&fresh);
		config_parse(stream, &fresh, report_bad_line, NULL);
	}
	fclose(stream);
	config_free(&current);
	current = fresh;
	return;
empty:
	config_free(&current);
}

/* Caller holds config_lock. */
static void refresh_if_due(void)
{
	struct timespec now;
	struct stat st;

	/* The coarse clock is read from the vDSO: no system call. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (loaded && now.tv_sec == last_check)
		return;
	last_check = now.tv_sec;
	if (stat(SRVSIP_CONFIG_PATH, &st) < 0) {
		if (!loaded || loaded_file_present)
			config_free(&current);
		loaded_file_present = false;
	} else if (!loaded || !loaded_file_present || !same_file(&st, &loaded_stat)) {
		reload(&st);
	}
	loaded = true;
}

/* glibc unloads NSS modules only in __libc_freeres (valgrind, mtrace):
 * give the parsed config back then, under the lock, so that a lookup still
 * running in another thread finds an empty, valid config. */
__attribute__((destructor)) static void config_release(void)
{
	pthread_mutex_lock(&config_lock);
	config_free(&current);
	loaded = false;
	pthread_mutex_unlock(&config_lock);
}

void config_load_decide(const char *name, const char *program, struct config_decision *out)
{
	int saved_errno = errno;
	const struct config_entry *entry;

	pthread_once(&config_once, register_fork_handlers);
	pthread_mutex_lock(&config_lock);
	refresh_if_due();
	out->debug = current.debug;
	out->allow_cname = current.allow_cname;
	out->cache = !current.cache_off;
	out->by_program = false;
	entry = current.ndomains > 0 ? config_match_domain(&current, name) : NULL;
	if (entry == NULL && program != NULL && current.nprograms > 0) {
		entry = config_match_program(&current, program);
		out->by_program = entry != NULL;
	}
	out->matched = entry != NULL;
	if (entry != NULL) {
		/* Only a match pays for copying its entry. */
		out->line = entry->line;
		out->port = entry->port;
		out->nservices = entry->nservices;
		memcpy(out->services, entry->services, sizeof(out->services));
	}
	pthread_mutex_unlock(&config_lock);
	errno = saved_errno;
}
