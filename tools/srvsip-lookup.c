/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srvsip-lookup: shows what libnss_srvsip decides for a name, with the same
 * engine, scope rules and config file as the module.  See srvsip-lookup(1). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_load.h"
#include "first_choice.h"
#include "resolver.h"
#include "rfc2782.h"
#include "scope.h"
#include "srv.h"
#include "srv_parse.h"

enum exit_code {
	EXIT_FOUND = 0,
	EXIT_NOT_FOUND = 1,
	EXIT_TRY_AGAIN = 2,
	EXIT_OUT_OF_SCOPE = 3,
	EXIT_CONFIG_ERRORS = 4,
	EXIT_NOT_DECIDED = 5,
	EXIT_USAGE = 64,
};

struct options {
	const struct pseudo_service *svc;
	int port;
	int family;
	bool program_given;
	const char *check_config; /* non-NULL: --check-config FILE */
	const char *name;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: srvsip-lookup [--service sipsrv|sipssrv|iaxsrv|stunsrv | --port N]\n"
		"                     [--family 4|6] [--program NAME] NAME\n"
		"       srvsip-lookup --check-config [FILE]\n"
		"Shows whether libnss_srvsip handles NAME and why, the SRV records that decide\n"
		"with each record's selection probability, the draw made, the addresses\n"
		"returned and the TTL.  Exit: 0 found, 1 not found, 2 temporary failure,\n"
		"3 out of scope, 4 config errors, 5 no SRV records (the next module answers),\n"
		"64 usage.\n");
}

/* A config_error_fn: its ctx is the path. */
// cppcheck-suppress constParameterCallback
static void print_bad_line(void *ctx, unsigned line, const char *problem)
{
	printf("%s:%u: %s\n", (const char *)ctx, line, problem);
}

static int check_config(const char *path)
{
	struct srvsip_config cfg;
	struct stat st;
	int status = EXIT_FOUND;

	if (stat(path, &st) < 0) {
		printf("%s: %s (the module then uses no config: only pseudo-services and SRV "
		       "owner names are in scope)\n", path, strerror(errno));
		return EXIT_CONFIG_ERRORS;
	}
	if (!config_file_trusted(&st)) {
		printf("%s: ignored by the module: it must be a regular file owned by root, not "
		       "writable by group or others, at most %d bytes\n", path, CONFIG_FILE_MAX);
		status = EXIT_CONFIG_ERRORS;
	}
	/* Only a regular file of at most CONFIG_FILE_MAX octets is read, as
	 * the module reads it (/dev/zero or a FIFO would never end). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	FILE *stream = NULL;
	if (fd < 0 || fstat(fd, &st) < 0) {
		printf("%s: %s\n", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		printf("%s: not read: not a regular file of at most %d bytes\n", path,
		       CONFIG_FILE_MAX);
	} else {
		stream = fdopen(fd, "r");
		fd = stream != NULL ? -1 : fd;
	}
	if (stream == NULL) {
		if (fd >= 0)
			close(fd);
		return EXIT_CONFIG_ERRORS;
	}
	int parsed = config_parse(stream, &cfg, print_bad_line, (void *)path);
	fclose(stream);
	if (parsed < 0) {
		printf("%s: out of memory\n", path);
		return EXIT_CONFIG_ERRORS;
	}
	if (cfg.bad_lines > 0)
		status = EXIT_CONFIG_ERRORS;
	printf("%s: %zu domain entr%s, %zu program entr%s, debug %s, CNAME targets %s, "
	       "cache %s, %u bad line%s\n", path, cfg.ndomains, cfg.ndomains == 1 ? "y" : "ies",
	       cfg.nprograms, cfg.nprograms == 1 ? "y" : "ies", cfg.debug ? "on" : "off",
	       cfg.allow_cname ? "accepted" : "refused", cfg.cache_off ? "off" : "on",
	       cfg.bad_lines, cfg.bad_lines == 1 ? "" : "s");
	config_free(&cfg);
	return status;
}

/* ---- the SRV replies the engine received ------------------------------ */

/* A transport around the module's that keeps a copy of each SRV reply, so
 * that the records shown are exactly those the engine decided on, without
 * asking twice. */
struct recorded {
	char name[DNS_NAME_TEXT_SIZE + 1];
	enum dns_outcome outcome;
	size_t length;
	uint8_t answer[SRV_ANSWER_SIZE];
};

struct recorder {
	struct dns_transport inner;
	struct recorded replies[SRV_MAX_SERVICES];
	unsigned n;
};

static enum dns_outcome recording_query(void *ctx, const char *name, uint16_t type, bool search,
					uint8_t *answer, size_t size, size_t *length)
{
	struct recorder *rec = ctx;
	enum dns_outcome outcome =
		rec->inner.query(rec->inner.ctx, name, type, search, answer, size, length);

	if (type == DNS_TYPE_SRV && rec->n < SRV_MAX_SERVICES) {
		struct recorded *r = &rec->replies[rec->n++];
		snprintf(r->name, sizeof(r->name), "%s", name);
		r->outcome = outcome;
		r->length = *length < size ? *length : size;
		if (r->length > sizeof(r->answer))
			r->length = sizeof(r->answer);
		memcpy(r->answer, answer, r->length);
	}
	return outcome;
}

static void recording_batch(void *ctx, struct dns_query *queries, size_t n)
{
	struct recorder *rec = ctx;
	rec->inner.query_batch(rec->inner.ctx, queries, n);
}

static const char *outcome_text(enum dns_outcome outcome)
{
	switch (outcome) {
	case DNS_ANSWER: return "answer";
	case DNS_NXDOMAIN: return "NXDOMAIN: no SRV RRset, the next SRV name is asked";
	case DNS_NODATA: return "NODATA: no SRV RRset, the next SRV name is asked";
	case DNS_TEMPFAIL: return "failed (timeout, SERVFAIL, REFUSED)";
	}
	return "?";
}

/* One SRV record's line: its target, and why it is used or skipped. */
static void print_record(const struct dns_msg *msg, const struct srv_record *rec, int port,
			 const struct srv_record *usable, size_t nusable, size_t *u)
{
	char target[DNS_NAME_TEXT_SIZE] = ".";

	if (!rec->root_target)
		dns_name_to_text(msg->data, msg->len, rec->target_offset, target, sizeof(target));
	printf("  priority %5u weight %5u port %5u ttl %6u  %-32s", rec->priority, rec->weight,
	       rec->port, rec->ttl, target);
	if (rec->root_target)
		printf("  skipped: \".\" = not available\n");
	else if (port >= 0 && rec->port != port)
		printf("  skipped: port %u, the program uses %d\n", rec->port, port);
	else
		printf("  first choice of its priority: %5.1f%%\n",
		       100.0 * srv_first_choice_probability(usable, nusable, (*u)++));
}

/* Prints one recorded SRV reply: its records with each one's chance of
 * being the first choice of its priority group. */
static void print_reply(const struct recorded *r, int port)
{
	static struct srv_record records[SRV_MAX_RECORDS];
	static struct srv_record usable[SRV_MAX_RECORDS];
	struct dns_msg msg;
	unsigned bad;

	printf("SRV %s: ", r->name);
	if (r->outcome != DNS_ANSWER || dns_msg_init(&msg, r->answer, r->length) < 0) {
		printf("%s\n", outcome_text(r->outcome));
		return;
	}
	int n = srv_parse_answer(&msg, records, SRV_MAX_RECORDS, &bad);
	if (n < 0) {
		printf("unusable RRset (answer record %u is malformed, or too many records)\n",
		       bad);
		return;
	}
	printf("%d record%s%s\n", n, n == 1 ? "" : "s",
	       n == 0 ? ": no SRV RRset, the next SRV name is asked" : ": this name decides");
	size_t nusable = 0;
	for (int i = 0; i < n; i++)
		if (!records[i].root_target && (port < 0 || records[i].port == port))
			usable[nusable++] = records[i];
	size_t u = 0;
	for (int i = 0; i < n; i++)
		print_record(&msg, &records[i], port, usable, nusable, &u);
}

/* ---- the steps -------------------------------------------------------- */

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"service", required_argument, NULL, 's'}, {"port", required_argument, NULL, 'p'},
		{"family", required_argument, NULL, 'f'},  {"program", required_argument, NULL, 'P'},
		{"check-config", no_argument, NULL, 'c'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool check = false;
	char *end = NULL;
	int opt;

	*o = (struct options){.port = -1, .family = AF_UNSPEC};
	while ((opt = getopt_long(argc, argv, "s:p:f:P:ch", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			o->svc = scope_pseudo_service(optarg);
			if (o->svc == NULL)
				return fprintf(stderr, "srvsip-lookup: unknown service %s\n", optarg), -1;
			break;
		case 'p': {
			long port = optarg[0] >= '0' && optarg[0] <= '9' ? strtol(optarg, &end, 10) : 0;
			if (port < 1 || port > 65535 || *end != '\0')
				return fprintf(stderr, "srvsip-lookup: port must be 1 to 65535\n"), -1;
			o->port = (int)port;
			break;
		}
		case 'f':
			if (strcmp(optarg, "4") != 0 && strcmp(optarg, "6") != 0)
				return usage(stderr), -1;
			o->family = optarg[0] == '4' ? AF_INET : AF_INET6;
			break;
		case 'P':
			/* Look as the named program would to `program` lines. */
			program_invocation_short_name = optarg;
			o->program_given = true;
			break;
		case 'c':
			check = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return usage(stderr), -1;
		}
	}
	if (check) {
		/* --check-config takes no other option (man/srvsip-lookup.1). */
		bool lookup_options = o->svc != NULL || o->port >= 0 ||
				      o->family != AF_UNSPEC || o->program_given;
		if (lookup_options || optind < argc - 1)
			return usage(stderr), -1;
		o->check_config = optind < argc ? argv[optind] : SRVSIP_CONFIG_PATH;
		return 0;
	}
	if (optind != argc - 1 || (o->svc != NULL && o->port >= 0))
		return usage(stderr), -1;
	o->name = argv[optind];
	return 0;
}

/* As the module's scope decides; false (and why, printed) when the module
 * would not handle the lookup. */
static bool explain_scope(const struct options *o, struct srv_request *req, int *code)
{
	bool debug;

	memset(req, 0, sizeof(*req));
	if (o->svc != NULL) {
		const char *refusal = scope_pairing_refusal();
		if (refusal != NULL) {
			printf("service %s: refused here (%s); getaddrinfo fails with "
			       "EAI_SERVICE\n", o->svc->name, refusal);
			*code = EXIT_NOT_FOUND;
			return false;
		}
		/* As getaddrinfo(NAME, "sipsrv") with socktype 0: tcp then udp. */
		if (!scope_note_service(o->svc, o->svc->name, "tcp") ||
		    !scope_note_service(o->svc, o->svc->name, "udp")) {
			printf("service %s: out of memory\n", o->svc->name);
			*code = EXIT_TRY_AGAIN;
			return false;
		}
	}
	enum scope_trigger trigger = scope_classify(o->name, -1, AF_UNSPEC, req, &debug);
	if (trigger == SCOPE_NONE) {
		printf("%s: out of scope: not an SRV owner name, no matching domain or program "
		       "line in %s, no pseudo-service; the module returns UNAVAIL with no DNS "
		       "query\n", o->name, SRVSIP_CONFIG_PATH);
		*code = EXIT_OUT_OF_SCOPE;
		return false;
	}
	if (o->port >= 0)
		req->port = o->port;
	printf("%s: in scope (%s)", o->name, scope_trigger_name(trigger));
	if (req->port >= 0)
		printf(", program port %d: only SRV records on this port are used\n", req->port);
	else
		printf(", any port (the program knows its own)\n");
	if (trigger == SCOPE_PROGRAM)
		printf("note: `program` lines do not apply in setuid programs (AT_SECURE)\n");
	return true;
}

static void print_targets(const struct srv_result *res)
{
	char buf[INET6_ADDRSTRLEN];

	printf("draw (this lookup; each lookup draws anew):\n");
	for (unsigned t = 0; t < res->ntargets; t++) {
		const struct srv_target *tg = &res->targets[t];
		printf("  %u. %s priority %u weight %u port %u\n", t + 1, tg->name, tg->priority,
		       tg->weight, tg->port);
		for (unsigned a = 0; a < tg->naddrs; a++)
			printf("       %s\n", inet_ntop(tg->addrs[a].family, tg->addrs[a].bytes, buf,
						       sizeof(buf)) ? buf : "?");
	}
	printf("getaddrinfo receives the addresses of %s only; gethostbyname receives all %u "
	       "target%s in this order\n", res->targets[0].name, res->ntargets,
	       res->ntargets == 1 ? "" : "s");
	printf("ttl: %u s, DNS queries: %u\n", res->ttl, res->queries);
}

static int exit_code_of(enum srv_status status)
{
	switch (status) {
	case SRV_SUCCESS: return EXIT_FOUND;
	case SRV_NOT_DECIDED: return EXIT_NOT_DECIDED;
	case SRV_TRY_AGAIN:
	case SRV_NO_MEMORY: return EXIT_TRY_AGAIN;
	case SRV_HOST_NOT_FOUND:
	case SRV_NO_DATA: break;
	}
	return EXIT_NOT_FOUND;
}

/* Runs the module's engine on req (with the failover list of
 * gethostbyname) and prints what it saw and decided. */
static int resolve_and_show(struct srv_request *req, int family)
{
	static struct recorder rec;
	static struct srv_result res;
	struct resolver resolver;
	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};

	resolver_open(&resolver, &dns_net_system);
	rec.inner = resolver_transport(&resolver);
	struct dns_transport transport = {recording_query, recording_batch, &rec,
					  rec.inner.no_aaaa};
	srv_xoshiro_seed_os(&gen);
	req->family = family;
	req->want_failover = true;
	srv_resolve(req, &transport, &rng, &res);
	resolver_close(&resolver);
	for (unsigned i = 0; i < rec.n; i++)
		print_reply(&rec.replies[i], req->port);
	printf("status: %s (%s%s%s)\n", srv_status_name(res.status), res.reason,
	       res.subject[0] ? ": " : "", res.subject);
	if (res.status == SRV_SUCCESS)
		print_targets(&res);
	return exit_code_of(res.status);
}

int main(int argc, char **argv)
{
	struct options o;
	struct srv_request req;
	int code = EXIT_FOUND;

	if (parse_options(argc, argv, &o) < 0)
		return EXIT_USAGE;
	if (o.check_config != NULL)
		return check_config(o.check_config);
	if (!explain_scope(&o, &req, &code))
		return code;
	if (!srv_name_valid(o.name)) {
		printf("%s: not a valid host name: the next module answers\n", o.name);
		return EXIT_NOT_DECIDED;
	}
	return resolve_and_show(&req, o.family);
}
