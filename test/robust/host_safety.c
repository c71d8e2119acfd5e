/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host_safety: the module runs inside every process, so a lookup must leave
 * the host program's state exactly as it found it (issue "Robustness" 5).
 *
 * usage: host_safety VERDICT-FILE MODE
 *   MODE lookups   the battery below; /etc/srvsip.conf must list
 *                  "domain sipdomain.com" (with or without "debug")
 *   MODE ignored   /etc/srvsip.conf lists sipdomain.com but must be ignored
 *                  (hostile file): sipdomain.com is out of scope
 *   MODE applied   /etc/srvsip.conf lists sipdomain.com and must be used
 *
 * Every lookup goes through the real path (getaddrinfo / gethostbyname ->
 * NSS -> build/libnss_srvsip.so.2 via LD_LIBRARY_PATH), and around each one
 * the driver checks:
 *   - errno: set to a sentinel before; a successful lookup leaves it, or
 *     leaves exactly what glibc leaves for the same call without the module
 *     (glibc itself sets errno = 0 on some success paths: see
 *     baseline_gai_errno); the module's entry points are also called
 *     directly, as glibc calls them (errnop = &errno), where errno is
 *     observable on every path
 *   - signal mask and the disposition (handler, flags, mask) of every signal
 *   - the caller's _res: options, nscount, retrans, retry, ndots, servers,
 *     search list (after res_init and changes the module must not undo)
 *   - the open fds (/proc/self/fd, fd -> target) are the same
 *   - threads, umask, cwd, and no child process left
 * Scope is also checked by calling the module's _nss_srvsip_gethostbyname4_r
 * directly (dlopen of the module already loaded by NSS): UNAVAIL = out of
 * scope.  The driver writes nothing to stdout/stderr itself: the case
 * redirects both and requires them empty.  The verdict ("ok ..." / "FAIL ..."
 * lines, last line PASS or FAIL) goes to VERDICT-FILE. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <nss.h>
#include <resolv.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "robust.h"

#define SENTINEL_ERRNO 12345

static FILE *verdict;
static int failures;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(verdict, fmt, ap);
	va_end(ap);
	fputc('\n', verdict);
	fflush(verdict);
}

#define FAIL(...)                      \
	do {                           \
		failures++;            \
		fputs("FAIL ", verdict); \
		say(__VA_ARGS__);      \
	} while (0)

/* ---- the process state a lookup must not change ---------------------- */

#define MAXSIG 65
struct state {
	sigset_t mask;
	struct sigaction act[MAXSIG];
	int act_rc[MAXSIG];
	/* _res */
	unsigned long options;
	int nscount, retrans, retry, ndots;
	struct sockaddr_in ns[MAXNS];
	char dnsrch[MAXDNSRCH + 1][256];
	/* other */
	char fds[16384];
	int nfds;
	long threads;
	mode_t umask;
	char cwd[512];
};

static void snapshot(struct state *s)
{
	memset(s, 0, sizeof(*s));
	sigprocmask(SIG_BLOCK, NULL, &s->mask);
	for (int i = 1; i < MAXSIG && i <= SIGRTMAX; i++)
		s->act_rc[i] = sigaction(i, NULL, &s->act[i]);
	s->options = _res.options;
	s->nscount = _res.nscount;
	s->retrans = _res.retrans;
	s->retry = _res.retry;
	s->ndots = _res.ndots;
	for (int i = 0; i < MAXNS; i++)
		s->ns[i] = _res.nsaddr_list[i];
	for (int i = 0; i < MAXDNSRCH && _res.dnsrch[i]; i++)
		snprintf(s->dnsrch[i], sizeof(s->dnsrch[i]), "%s", _res.dnsrch[i]);
	s->nfds = robust_fd_snapshot(s->fds, sizeof(s->fds));
	s->threads = robust_status_kb("Threads");
	s->umask = umask(022);
	umask(s->umask);
	if (getcwd(s->cwd, sizeof(s->cwd)) == NULL)
		s->cwd[0] = '\0';
}

/* The "fd->target;" entries of list x that list y lacks. */
static void fd_diff(const char *x, const char *y, char *out, size_t size)
{
	size_t o = 0;
	out[0] = '\0';
	while (*x) {
		const char *end = strchr(x, ';');
		size_t len = end ? (size_t)(end - x) + 1 : strlen(x);
		bool found = false;
		for (const char *p = y; *p;) {
			const char *pe = strchr(p, ';');
			size_t plen = pe ? (size_t)(pe - p) + 1 : strlen(p);
			if (plen == len && memcmp(p, x, len) == 0) {
				found = true;
				break;
			}
			p += plen;
		}
		if (!found && o + len + 1 < size) {
			memcpy(out + o, x, len);
			o += len;
			out[o] = '\0';
		}
		x += len;
	}
}

static bool same_action(const struct sigaction *a, const struct sigaction *b)
{
	if (a->sa_handler != b->sa_handler || a->sa_flags != b->sa_flags)
		return false;
	for (int i = 1; i < MAXSIG; i++)
		if (sigismember(&a->sa_mask, i) != sigismember(&b->sa_mask, i))
			return false;
	return true;
}

static void compare(const char *what, const struct state *a, const struct state *b)
{
	int before = failures;
	for (int i = 1; i < MAXSIG; i++)
		if (sigismember(&a->mask, i) != sigismember(&b->mask, i))
			FAIL("%s: signal mask changed for signal %d (%s)", what, i, strsignal(i));
	for (int i = 1; i < MAXSIG && i <= SIGRTMAX; i++) {
		if (a->act_rc[i] != b->act_rc[i] ||
		    (a->act_rc[i] == 0 && !same_action(&a->act[i], &b->act[i])))
			FAIL("%s: disposition of signal %d (%s) changed", what, i, strsignal(i));
	}
	if (a->options != b->options)
		FAIL("%s: _res.options changed %#lx -> %#lx", what, a->options, b->options);
	if (a->nscount != b->nscount || a->retrans != b->retrans || a->retry != b->retry ||
	    a->ndots != b->ndots)
		FAIL("%s: _res nscount/retrans/retry/ndots changed %d/%d/%d/%d -> %d/%d/%d/%d", what,
		     a->nscount, a->retrans, a->retry, a->ndots, b->nscount, b->retrans, b->retry,
		     b->ndots);
	if (memcmp(a->ns, b->ns, sizeof(a->ns)) != 0)
		FAIL("%s: _res.nsaddr_list changed", what);
	if (memcmp(a->dnsrch, b->dnsrch, sizeof(a->dnsrch)) != 0)
		FAIL("%s: _res.dnsrch changed", what);
	if (a->nfds != b->nfds || strcmp(a->fds, b->fds) != 0) {
		char gone[4096], added[4096];
		fd_diff(a->fds, b->fds, gone, sizeof(gone));
		fd_diff(b->fds, a->fds, added, sizeof(added));
		FAIL("%s: open fds changed: closed [%s] opened [%s] (%d fds before, %d after)", what,
		     gone, added, a->nfds, b->nfds);
	}
	if (a->threads != b->threads)
		FAIL("%s: threads %ld -> %ld", what, a->threads, b->threads);
	if (a->umask != b->umask)
		FAIL("%s: umask changed", what);
	if (strcmp(a->cwd, b->cwd) != 0)
		FAIL("%s: cwd changed", what);
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
		FAIL("%s: a child process exists", what);
	if (failures == before)
		say("ok %s: errno-independent state unchanged (signals, _res, %d fds, threads, umask, cwd)",
		    what, b->nfds);
}

/* ---- lookups ---------------------------------------------------------- */

static bool in_set(const char *addr, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(addr, *set) == 0)
			return true;
	return false;
}

/* The errno glibc itself leaves after a successful call of the same shape
 * with the module out of the picture.  glibc's own code sets errno = 0 on
 * success in some paths (the getXXbyYY_r template behind gethostbyname,
 * gethostbyname2_r - used by getaddrinfo(AF_INET) - and getservbyname_r -
 * used for a named service; the dns module), so what a module does to errno
 * is only observable where the baseline keeps the sentinel.
 *   BASE_FILES  same call on robust-baseline.test (/etc/hosts: 127.0.0.13,
 *               answered by files before srvsip is asked), with the named
 *               service "sip" (/etc/services) in place of "sipsrv"
 *   BASE_NODNS  same call on the same name with hosts "files dns" */
enum baseline { BASE_FILES, BASE_NODNS };
#define NSS_HOSTS_LINE "files srvsip [NOTFOUND=return TRYAGAIN=return] dns"

static int baseline_gai_errno(enum baseline base, const char *name, const char *service,
			      int family)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	if (base == BASE_FILES) {
		name = "robust-baseline.test";
		if (service != NULL && strcmp(service, "sipsrv") == 0)
			service = "sip";
	} else {
		__nss_configure_lookup("hosts", "files dns");
	}
	errno = SENTINEL_ERRNO;
	int rc = getaddrinfo(name, service, &hints, &res);
	int e = errno;
	if (base == BASE_NODNS)
		__nss_configure_lookup("hosts", NSS_HOSTS_LINE);
	if (rc != 0) {
		FAIL("baseline getaddrinfo(%s, %s) failed: %s", name, service ? service : "NULL",
		     robust_eai_name(rc));
		return -1;
	}
	freeaddrinfo(res);
	return e;
}

static int baseline_ghbn_errno(enum baseline base, const char *name)
{
	if (base == BASE_FILES)
		name = "robust-baseline.test";
	else
		__nss_configure_lookup("hosts", "files dns");
	errno = SENTINEL_ERRNO;
	struct hostent *he = gethostbyname(name);
	int e = errno;
	if (base == BASE_NODNS)
		__nss_configure_lookup("hosts", NSS_HOSTS_LINE);
	if (he == NULL) {
		FAIL("baseline gethostbyname(%s) failed", name);
		return -1;
	}
	return e;
}

/* errno after a successful lookup: the sentinel, or exactly what glibc
 * itself leaves for that call shape (then the module cannot be seen). */
static void judge_errno(const char *what, const char *first, int got, int base)
{
	if (got == SENTINEL_ERRNO)
		say("ok %s = %s, errno kept", what, first);
	else if (got == base)
		say("ok %s = %s, errno %d: glibc itself sets it for this call shape (baseline "
		    "without the module: %d), module not observable here", what, first, got, base);
	else
		FAIL("%s: successful lookup changed errno %d -> %d (%s); baseline without the "
		     "module: %d", what, SENTINEL_ERRNO, got, strerror(got), base);
}

/* One getaddrinfo with every check.  expect: NULL-terminated set of allowed
 * first addresses; NULL when the lookup must fail with want_rc (if
 * want_rc != 0) or must merely not give an address of `forbid`. */
static void check_gai(const char *name, const char *service, int family,
		      const char *const *expect, int want_rc, const char *const *forbid,
		      enum baseline base)
{
	struct state before, after;
	struct addrinfo hints, *res = NULL;
	char what[512], first[64] = "-";
	int rc, saved;

	snprintf(what, sizeof(what), "getaddrinfo(%s, %s, %s)", name, service ? service : "NULL",
		 family == AF_INET ? "AF_INET" : "AF_UNSPEC");
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	snapshot(&before);
	errno = SENTINEL_ERRNO;
	rc = getaddrinfo(name, service, &hints, &res);
	saved = errno;
	snapshot(&after);
	if (rc == 0)
		robust_sa_ntop(res->ai_addr, first, sizeof(first));
	if (res)
		freeaddrinfo(res);
	compare(what, &before, &after);
	if (expect != NULL) {
		if (rc != 0)
			FAIL("%s: %s, expected success", what, robust_eai_name(rc));
		else if (!in_set(first, expect))
			FAIL("%s: first address %s not expected", what, first);
		else
			judge_errno(what, first, saved,
				    saved == SENTINEL_ERRNO ? SENTINEL_ERRNO
							    : baseline_gai_errno(base, name, service, family));
	} else if (want_rc != 0 && rc != want_rc) {
		FAIL("%s: %s (%s), expected %s", what, robust_eai_name(rc), first,
		     robust_eai_name(want_rc));
	} else if (rc == 0 && forbid != NULL && in_set(first, forbid)) {
		FAIL("%s: got %s, which only an in-scope lookup gives", what, first);
	} else {
		say("ok %s -> %s %s", what, robust_eai_name(rc), first);
	}
}

static void check_ghbn(const char *name, const char *const *expect, enum baseline base)
{
	struct state before, after;
	char what[512], first[64] = "-";
	int saved;

	snprintf(what, sizeof(what), "gethostbyname(%s)", name);
	snapshot(&before);
	errno = SENTINEL_ERRNO;
	struct hostent *he = gethostbyname(name);
	saved = errno;
	if (he != NULL)
		robust_ntop(he->h_addrtype, he->h_addr_list[0], first, sizeof(first));
	snapshot(&after);
	compare(what, &before, &after);
	if (he == NULL)
		FAIL("%s: %s, expected success", what, robust_herr_name(h_errno));
	else if (!in_set(first, expect))
		FAIL("%s: first address %s not expected", what, first);
	else
		judge_errno(what, first, saved,
			    saved == SENTINEL_ERRNO ? SENTINEL_ERRNO : baseline_ghbn_errno(base, name));
}

/* ---- the module's entry points called directly ------------------------- */

typedef enum nss_status (*fn4_t)(const char *, struct gaih_addrtuple **, char *, size_t, int *,
				 int *, int32_t *);
typedef enum nss_status (*fn3_t)(const char *, int, struct hostent *, char *, size_t, int *,
				 int *, int32_t *, char **);
typedef enum nss_status (*fn2_t)(const char *, int, struct hostent *, char *, size_t, int *,
				 int *);
typedef enum nss_status (*fn1_t)(const char *, struct hostent *, char *, size_t, int *, int *);
typedef enum nss_status (*fns_t)(const char *, const char *, struct servent *, char *, size_t,
				 int *);

static void *module_symbol(const char *sym)
{
	void *h = dlopen("libnss_srvsip.so.2", RTLD_NOW | RTLD_NOLOAD);
	if (h == NULL)
		h = dlopen("libnss_srvsip.so.2", RTLD_NOW);
	if (h == NULL) {
		FAIL("dlopen libnss_srvsip.so.2: %s", dlerror());
		return NULL;
	}
	void *f = dlsym(h, sym);
	if (f == NULL)
		FAIL("dlsym %s: %s", sym, dlerror());
	return f;
}

static const char *status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	default: return "OTHER";
	}
}

/* Each entry point called as glibc calls it (errnop = &errno): a successful
 * in-scope lookup, an out-of-scope UNAVAIL and a pseudo-service answer must
 * leave errno at the sentinel (README: "a successful lookup leaves errno
 * alone"; out of scope: "left alone at no cost").  want = expected status. */
static void check_direct(const char *entry, const char *name, enum nss_status want)
{
	static char buf[8192];
	struct hostent he;
	struct servent se;
	struct gaih_addrtuple *pat = NULL;
	int herr = 0;
	int32_t ttl = 0;
	char *canon = NULL;
	enum nss_status s = NSS_STATUS_RETURN;
	void *f;
	char sym[64];

	snprintf(sym, sizeof(sym), "_nss_srvsip_%s", entry);
	if ((f = module_symbol(sym)) == NULL)
		return;
	struct state before, after;
	snapshot(&before);
	errno = SENTINEL_ERRNO;
	if (strcmp(entry, "gethostbyname4_r") == 0)
		s = ((fn4_t)(uintptr_t)f)(name, &pat, buf, sizeof(buf), &errno, &herr, &ttl);
	else if (strcmp(entry, "gethostbyname3_r") == 0)
		s = ((fn3_t)(uintptr_t)f)(name, AF_INET, &he, buf, sizeof(buf), &errno, &herr, &ttl,
					  &canon);
	else if (strcmp(entry, "gethostbyname2_r") == 0)
		s = ((fn2_t)(uintptr_t)f)(name, AF_INET, &he, buf, sizeof(buf), &errno, &herr);
	else if (strcmp(entry, "gethostbyname_r") == 0)
		s = ((fn1_t)(uintptr_t)f)(name, &he, buf, sizeof(buf), &errno, &herr);
	else if (strcmp(entry, "getservbyname_r") == 0)
		s = ((fns_t)(uintptr_t)f)(name, "udp", &se, buf, sizeof(buf), &errno);
	int saved = errno;
	snapshot(&after);
	char what[256];
	snprintf(what, sizeof(what), "module %s(%s) direct", entry, name);
	compare(what, &before, &after);
	if (s != want)
		FAIL("%s = %s, expected %s", what, status_name(s), status_name(want));
	else if (saved != SENTINEL_ERRNO)
		FAIL("%s = %s changed errno %d -> %d (%s)", what, status_name(s), SENTINEL_ERRNO, saved,
		     strerror(saved));
	else
		say("ok %s = %s, errno kept", what, status_name(s));
}

/* The module's own verdict on a name: its gethostbyname4_r called directly.
 * UNAVAIL means out of scope (README: "Anything else gets UNAVAIL"). */
static enum nss_status direct_status(const char *name)
{
	fn4_t f = (fn4_t)(uintptr_t)module_symbol("_nss_srvsip_gethostbyname4_r");
	if (f == NULL)
		return NSS_STATUS_RETURN;
	char buf[4096];
	struct gaih_addrtuple *pat = NULL;
	int err = 0, herr = 0;
	return f(name, &pat, buf, sizeof(buf), &err, &herr, NULL);
}

/* ---- the host program's own settings -------------------------------- */

static void on_signal(int sig) { (void)sig; }
static void on_siginfo(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; }

static void host_settings(void)
{
	struct sigaction sa;
	sigset_t block;

	/* Non-default dispositions and a non-empty mask the module must keep. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_sigaction = on_siginfo;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGRTMIN + 3);
	sigprocmask(SIG_BLOCK, &block, NULL);
	/* The caller's resolver state: initialised, then tuned away from what
	 * resolv.conf says (timeout:1 attempts:1), so a res_init() on it, or any
	 * write to it, by the module would show. */
	res_init();
	_res.retrans = 4;
	_res.retry = 3;
	_res.options |= RES_NOTLDQUERY;
	umask(027);
}

static const char *const sip_targets[] = {"127.0.0.11", "127.0.0.13", NULL};
static const char *const foobar_targets[] = {"127.0.0.31", "127.0.0.32", NULL};
static const char *const plain[] = {"127.0.0.50", "fd53::50", NULL};

int main(int argc, char **argv)
{
	if (argc != 3)
		return 64;
	verdict = fopen(argv[1], "we");
	if (verdict == NULL)
		return 65;
	const char *mode = argv[2];
	host_settings();

	if (strcmp(mode, "lookups") == 0) {
		/* In scope, each trigger: pseudo-service pairing, SRV owner name,
		 * listed domain; gethostbyname (failover list) on the listed domain
		 * and an owner name. */
		check_gai("sipdomain.com", "sipsrv", AF_UNSPEC, sip_targets, 0, NULL, BASE_FILES);
		check_gai("sipdomain.com", "sipsrv", AF_INET, sip_targets, 0, NULL, BASE_FILES);
		check_gai("_sip._udp.sipdomain.com", NULL, AF_UNSPEC, sip_targets, 0, NULL, BASE_FILES);
		check_gai("_foobar._tcp.example.com", "9", AF_UNSPEC, foobar_targets, 0, NULL,
			  BASE_FILES);
		check_gai("sipdomain.com", "5060", AF_UNSPEC, sip_targets, 0, NULL, BASE_FILES);
		check_gai("sipdomain.com", NULL, AF_INET, sip_targets, 0, NULL, BASE_FILES);
		check_ghbn("sipdomain.com", sip_targets, BASE_FILES);
		check_ghbn("_foobar._tcp.example.com", foobar_targets, BASE_FILES);
		/* In scope, failing ("." target): state checks only. */
		check_gai("_x._tcp.example.com", NULL, AF_UNSPEC, NULL, EAI_NONAME, NULL, BASE_FILES);
		/* Out of scope: resolved by the dns module after the module's
		 * UNAVAIL; an unknown name fails normally. */
		check_gai("www.plain.test", NULL, AF_UNSPEC, plain, 0, NULL, BASE_NODNS);
		check_gai("www.plain.test", "80", AF_INET, plain, 0, NULL, BASE_NODNS);
		check_ghbn("www.plain.test", plain, BASE_NODNS);
		check_gai("nosuch.plain.test", NULL, AF_UNSPEC, NULL, EAI_NONAME, NULL, BASE_NODNS);
		/* Every entry point as glibc calls it, errno observable. */
		check_direct("gethostbyname4_r", "sipdomain.com", NSS_STATUS_SUCCESS);
		check_direct("gethostbyname3_r", "sipdomain.com", NSS_STATUS_SUCCESS);
		check_direct("gethostbyname2_r", "_sip._udp.sipdomain.com", NSS_STATUS_SUCCESS);
		check_direct("gethostbyname_r", "sipdomain.com", NSS_STATUS_SUCCESS);
		check_direct("gethostbyname4_r", "www.plain.test", NSS_STATUS_UNAVAIL);
		check_direct("gethostbyname_r", "www.plain.test", NSS_STATUS_UNAVAIL);
		/* Last: it leaves this thread's "sipsrv" pairing pending for the
		 * next hosts lookup (by design, up to 2 s). */
		check_direct("getservbyname_r", "sipsrv", NSS_STATUS_SUCCESS);
	} else if (strcmp(mode, "ignored") == 0 || strcmp(mode, "applied") == 0) {
		bool ignored = mode[0] == 'i';
		/* The module still works (owner names need no config)... */
		check_gai("_sip._udp.sipdomain.com", NULL, AF_UNSPEC, sip_targets, 0, NULL, BASE_FILES);
		/* ...and the listed domain is, or is not, in scope. */
		if (ignored)
			check_gai("sipdomain.com", "5060", AF_UNSPEC, NULL, 0, sip_targets, BASE_FILES);
		else
			check_gai("sipdomain.com", "5060", AF_UNSPEC, sip_targets, 0, NULL, BASE_FILES);
		check_gai("www.plain.test", NULL, AF_UNSPEC, plain, 0, NULL, BASE_NODNS);
		enum nss_status s = direct_status("sipdomain.com");
		enum nss_status want = ignored ? NSS_STATUS_UNAVAIL : NSS_STATUS_SUCCESS;
		if (s != want)
			FAIL("module's own gethostbyname4_r(sipdomain.com) = %s, expected %s",
			     status_name(s), status_name(want));
		else
			say("ok module's own gethostbyname4_r(sipdomain.com) = %s (%s)", status_name(s),
			    ignored ? "config ignored: out of scope" : "config used: in scope");
	} else {
		return 64;
	}
	say(failures ? "FAIL %d" : "PASS", failures);
	fclose(verdict);
	return failures ? 1 : 0;
}
