/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* threads: concurrent lookups from many threads all get valid answers, and
 * a fork() taken while they run leaves a child that can resolve (issue
 * "Robustness" 3).  Also built with -fsanitize=thread against a TSan build
 * of the module (test/robust/robust.mk robust-tsan).
 *
 * usage: threads NTHREADS PER_THREAD NFORKS OUT
 * Each thread runs PER_THREAD lookups through NSS, cycling (from a
 * per-thread offset) through:
 *   0  getaddrinfo("sipdomain.com", "sipsrv")        in scope: pairing      -> .11/.13
 *   1  getaddrinfo("sipdomain.com", "5060")          OUT of scope here (not
 *      listed): must fail; an answer would mean a pairing leaked from
 *      another thread or an earlier lookup
 *   2  getaddrinfo("_sip._udp.sipdomain.com", NULL)  owner name             -> .11/.13
 *   3  getaddrinfo("h<t>x<i>.robust.test", "5060")   listed suffix, new name -> .63/.64
 *   4  gethostbyname_r("h<t>y<i>.robust.test"), every other time first with
 *      a 16-octet buffer (ERANGE, stash, retry)       listed suffix         -> .63/.64
 *   5  getaddrinfo("www.plain.test", NULL)           out of scope (dns)     -> .50/fd53::50
 *   6  getaddrinfo("nosuch<t>x<i>.plain.test", NULL) out of scope           -> EAI_NONAME
 *   7  getaddrinfo("_foobar._tcp.example.com", "9")  owner name             -> .31/.32
 * /etc/srvsip.conf must list "domain .robust.test" and NOT sipdomain.com.
 * Meanwhile the main thread forks NFORKS times, evenly spread over the run
 * (by lookups done), whatever the workers are doing at that instant; each
 * child resolves an in-scope pairing name, an owner name, a listed name and
 * an out-of-scope name, and exits 0 only if all four are right.
 *
 * A child still busy after CHILD_SECONDS is hung: its SIGALRM handler writes
 * its stack (backtrace_symbols_fd) to OUT.child<K>.stack and exits 3.  POSIX
 * allows only async-signal-safe calls in the child of a multithreaded fork;
 * glibc 2.36 does not reset some internal locks at fork (the resolv.conf
 * cache lock in resolv/resolv_conf.c, the __check_pf lock in check_pf.c), so
 * a child can deadlock inside glibc whenever another thread held one of them
 * at the fork - with or without this module.  The stack tells the cases
 * apart: a wait in __lll_lock_wait_private is a glibc-internal lock ("hung
 * in glibc"); any other hang is charged to the module.  A child that does
 * not end CHILD_SECONDS + 5 s after the fork is SIGKILLed and counted in
 * children_killed (no stack; happens under TSan, see below).  OUT gets
 * key=value lines; exit status 1 on a wrong result, a child that failed, or
 * one that hung for another reason than a glibc-internal lock (killed
 * children are left to the case to judge). */
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

#include "robust.h"

static int per_thread;
static atomic_long done;
static atomic_long errors;
static atomic_long results[8];
static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void bad(const char *what, const char *name, const char *got)
{
	if (atomic_fetch_add(&errors, 1) < 20) {
		pthread_mutex_lock(&out_lock);
		fprintf(out, "error %s(%s) -> %s\n", what, name, got);
		fflush(out);
		pthread_mutex_unlock(&out_lock);
	}
}

static bool first_in(const char *first, const char *a, const char *b)
{
	return strcmp(first, a) == 0 || strcmp(first, b) == 0;
}

/* a == NULL: the lookup must fail (want_rc, or any error when want_rc 0). */
static bool gai(const char *name, const char *service, const char *a, const char *b, int want_rc)
{
	struct addrinfo hints, *res = NULL;
	char first[64];
	memset(&hints, 0, sizeof(hints));
	int rc = getaddrinfo(name, service, &hints, &res);
	if (rc != 0) {
		if (a != NULL || (want_rc != 0 && rc != want_rc)) {
			bad("getaddrinfo", name, robust_eai_name(rc));
			return false;
		}
		return true;
	}
	robust_sa_ntop(res->ai_addr, first, sizeof(first));
	freeaddrinfo(res);
	if (a == NULL || !first_in(first, a, b)) {
		bad("getaddrinfo", name, first);
		return false;
	}
	return true;
}

static bool ghbn_r(const char *name, bool tiny_first, const char *a, const char *b)
{
	char buf[4096], first[64];
	struct hostent he, *result = NULL;
	int herr = 0, rc;
	if (tiny_first) {
		char tiny[16];
		rc = gethostbyname_r(name, &he, tiny, sizeof(tiny), &result, &herr);
		if (rc != ERANGE) {
			bad("gethostbyname_r(16 octets)", name, rc == 0 ? "success" : strerror(rc));
			return false;
		}
	}
	rc = gethostbyname_r(name, &he, buf, sizeof(buf), &result, &herr);
	if (rc != 0 || result == NULL) {
		bad("gethostbyname_r", name, robust_herr_name(herr));
		return false;
	}
	robust_ntop(he.h_addrtype, he.h_addr_list[0], first, sizeof(first));
	if (!first_in(first, a, b)) {
		bad("gethostbyname_r", name, first);
		return false;
	}
	return true;
}

static bool one(int kind, long t, long i)
{
	char name[96];
	switch (kind) {
	case 0: return gai("sipdomain.com", "sipsrv", "127.0.0.11", "127.0.0.13", 0);
	case 1: return gai("sipdomain.com", "5060", NULL, NULL, 0);
	case 2: return gai("_sip._udp.sipdomain.com", NULL, "127.0.0.11", "127.0.0.13", 0);
	case 3:
		snprintf(name, sizeof(name), "h%ldx%ld.robust.test", t, i);
		return gai(name, "5060", "127.0.0.63", "127.0.0.64", 0);
	case 4:
		snprintf(name, sizeof(name), "h%ldy%ld.robust.test", t, i);
		return ghbn_r(name, (i / 8) % 2 == 0, "127.0.0.63", "127.0.0.64");
	case 5: return gai("www.plain.test", NULL, "127.0.0.50", "fd53::50", 0);
	case 6:
		snprintf(name, sizeof(name), "nosuch%ldx%ld.plain.test", t, i);
		return gai(name, NULL, NULL, NULL, EAI_NONAME);
	default: return gai("_foobar._tcp.example.com", "9", "127.0.0.31", "127.0.0.32", 0);
	}
}

static void *worker(void *arg)
{
	long t = (long)(intptr_t)arg;
	for (long i = 0; i < per_thread; i++) {
		int kind = (int)((i + t) % 8);
		if (one(kind, t, i))
			atomic_fetch_add(&results[kind], 1);
		atomic_fetch_add(&done, 1);
	}
	return NULL;
}

#define CHILD_SECONDS 5
static char stack_path[4200];

static void on_child_alarm(int sig)
{
	(void)sig;
	void *frames[64];
	int n = backtrace(frames, 64);
	int fd = open(stack_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		backtrace_symbols_fd(frames, n, fd);
		close(fd);
	}
	_exit(3);
}

/* The child of a fork() taken while the workers run: resolve and exit. */
static void child(int k, const char *outpath)
{
	snprintf(stack_path, sizeof(stack_path), "%s.child%d.stack", outpath, k);
	signal(SIGALRM, on_child_alarm);
	alarm(CHILD_SECONDS);
	int bad_results = 0;
	bad_results += !one(0, 1000 + k, 0);  /* pairing */
	bad_results += !one(2, 1000 + k, 0);  /* owner name */
	bad_results += !one(3, 1000 + k, 0);  /* listed suffix, new name */
	bad_results += !one(5, 1000 + k, 0);  /* out of scope */
	fflush(out);
	_exit(bad_results == 0 ? 0 : 1);
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return 64;
	int nthreads = atoi(argv[1]);
	per_thread = atoi(argv[2]);
	int nforks = atoi(argv[3]);
	out = fopen(argv[4], "we");
	if (out == NULL || nthreads < 1 || nthreads > 256 || per_thread < 1)
		return 64;
	setvbuf(out, NULL, _IOLBF, 0);
	void *warm[4];
	backtrace(warm, 4); /* loads libgcc_s now, not in a child's signal handler */
	long total = (long)nthreads * per_thread;
	pthread_t tid[256];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int t = 0; t < nthreads; t++)
		if (pthread_create(&tid[t], NULL, worker, (void *)(intptr_t)t) != 0) {
			fprintf(out, "error pthread_create\n");
			return 1;
		}
	int children_ok = 0, children_bad = 0, children_glibc_hung = 0, children_killed = 0;
	long fork_at[64];
	for (int k = 0; k < nforks && k < 64; k++)
		fork_at[k] = total * (k + 1) / (nforks + 1);
	for (int k = 0; k < nforks && k < 64; k++) {
		while (atomic_load(&done) < fork_at[k]) {
			struct timespec ms = {0, 1000000};
			nanosleep(&ms, NULL);
		}
		long at = atomic_load(&done);
		fflush(out);
		pid_t pid = fork();
		if (pid == 0)
			child(k, argv[4]);
		int status = 0;
		if (pid < 0) {
			children_bad++;
			fprintf(out, "error fork %d failed\n", k);
			continue;
		}
		/* The child's SIGALRM handler normally ends a hang; under TSan,
		 * which delivers signals only at its interception points, a child
		 * stuck on a futex never runs it: kill it after a grace period. */
		pid_t got = 0;
		for (int ms = 0; ms < (CHILD_SECONDS + 5) * 1000 && got == 0; ms += 10) {
			got = waitpid(pid, &status, WNOHANG);
			struct timespec tick = {0, 10000000};
			if (got == 0)
				nanosleep(&tick, NULL);
		}
		if (got == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			children_killed++;
			fprintf(out, "fork %d at %ld/%ld lookups: child hung, no stack (killed)\n", k, at,
				total);
			continue;
		}
		const char *verdict = "resolved, exit 0";
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			children_ok++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
			char path[4200], line[512];
			bool glibc_lock = false, module = false;
			snprintf(path, sizeof(path), "%s.child%d.stack", argv[4], k);
			FILE *st = fopen(path, "re");
			while (st && fgets(line, sizeof(line), st)) {
				glibc_lock |= strstr(line, "__lll_lock_wait_private") != NULL;
				module |= strstr(line, "libnss_srvsip") != NULL;
			}
			if (st)
				fclose(st);
			if (glibc_lock) {
				children_glibc_hung++;
				verdict = module ? "hung on a glibc-internal lock (module on the stack)"
						 : "hung on a glibc-internal lock";
			} else {
				children_bad++;
				verdict = "HUNG (not a glibc-internal lock)";
				fprintf(out, "error child %d (forked after %ld of %ld lookups) hung, stack in %s\n",
					k, at, total, path);
			}
		} else {
			children_bad++;
			fprintf(out, "error child %d (forked after %ld of %ld lookups): %s %d\n", k, at,
				total, WIFSIGNALED(status) ? "signal" : "exit status",
				WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			verdict = "FAILED";
		}
		fprintf(out, "fork %d at %ld/%ld lookups: child %s\n", k, at, total, verdict);
	}
	for (int t = 0; t < nthreads; t++)
		pthread_join(tid[t], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	char module[1024];
	fprintf(out, "module=%s\n", robust_module_path(module, sizeof(module)));
	fprintf(out, "threads=%d\nper_thread=%d\nlookups=%ld\nerrors=%ld\n", nthreads, per_thread,
		total, atomic_load(&errors));
	for (int k = 0; k < 8; k++)
		fprintf(out, "ok_kind%d=%ld\n", k, atomic_load(&results[k]));
	fprintf(out, "children_ok=%d\nchildren_bad=%d\nchildren_glibc_hung=%d\nchildren_killed=%d\n",
		children_ok, children_bad, children_glibc_hung, children_killed);
	fprintf(out, "seconds=%.1f\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fclose(out);
	return (atomic_load(&errors) || children_bad) ? 1 : 0;
}
