/* srvsip-lookup: shows what libnss_srvsip decides for a name, with the same
 * engine, scope rules and config file as the module.  See srvsip-lookup(1). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "config.h"
#include "config_load.h"
#include "resolver.h"
#include "scope.h"
#include "srv.h"

enum exit_code {
	EXIT_FOUND = 0,
	EXIT_NOT_FOUND = 1,
	EXIT_TRY_AGAIN = 2,
	EXIT_OUT_OF_SCOPE = 3,
	EXIT_CONFIG_ERRORS = 4,
	EXIT_USAGE = 64,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: srvsip-lookup [--service sipsrv|sipssrv|iaxsrv|stunsrv | --port N]\n"
		"                     [--family 4|6] [--program NAME] NAME\n"
		"       srvsip-lookup --check-config [FILE]\n"
		"Shows whether libnss_srvsip handles NAME and why, the SRV records with each\n"
		"record's selection probability, the draw made, the addresses returned and\n"
		"the TTL.  Exit: 0 found, 1 not found, 2 temporary failure, 3 out of scope,\n"
		"4 config errors, 64 usage.\n");
}

static void print_bad_line(void *ctx, unsigned line, const char *problem)
{
	printf("%s:%u: %s\n", (const char *)ctx, line, problem);
}

static int check_config(const char *path)
{
	struct srvsip_config cfg;
	struct stat st;
	FILE *stream;
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
	stream = fopen(path, "re");
	if (stream == NULL) {
		printf("%s: %s\n", path, strerror(errno));
		return EXIT_CONFIG_ERRORS;
	}
	if (config_parse(stream, &cfg, print_bad_line, (void *)path) < 0) {
		fclose(stream);
		printf("%s: out of memory\n", path);
		return EXIT_CONFIG_ERRORS;
	}
	fclose(stream);
	if (cfg.bad_lines > 0)
		status = EXIT_CONFIG_ERRORS;
	printf("%s: %zu domain entr%s, %zu program entr%s, debug %s, CNAME targets %s, "
	       "%u bad line%s\n", path, cfg.ndomains, cfg.ndomains == 1 ? "y" : "ies",
	       cfg.nprograms, cfg.nprograms == 1 ? "y" : "ies", cfg.debug ? "on" : "off",
	       cfg.allow_cname ? "accepted" : "refused", cfg.bad_lines,
	       cfg.bad_lines == 1 ? "" : "s");
	config_free(&cfg);
	return status;
}

static const char *format_address(const struct srv_address *a, char *buf, size_t size)
{
	return inet_ntop(a->family, a->bytes, buf, (socklen_t)size) ? buf : "?";
}

/* Prints one SRV RRset with each record's chance of being the first choice
 * of its priority group, and whether the port lets the module use it. */
static void show_rrset(struct resolver *r, const char *srv_name, int port)
{
	static uint8_t answer[SRV_ANSWER_SIZE];
	static struct srv_record records[SRV_MAX_RECORDS];
	struct dns_transport transport = resolver_transport(r);
	struct dns_msg msg;
	size_t length = 0;
	char target[DNS_NAME_TEXT_SIZE];

	enum dns_outcome outcome = transport.query(transport.ctx, srv_name, DNS_TYPE_SRV, true,
						   answer, sizeof(answer), &length);
	if (outcome == DNS_NXDOMAIN || outcome == DNS_NODATA) {
		printf("SRV %s: no records (%s)\n", srv_name,
		       outcome == DNS_NXDOMAIN ? "NXDOMAIN" : "NODATA");
		return;
	}
	if (length > sizeof(answer))
		length = sizeof(answer);
	if (outcome != DNS_ANSWER || dns_msg_init(&msg, answer, length) < 0) {
		printf("SRV %s: query failed (timeout, SERVFAIL or REFUSED)\n", srv_name);
		return;
	}
	size_t n = srv_parse_answer(&msg, records, SRV_MAX_RECORDS);
	printf("SRV %s: %zu record%s\n", srv_name, n, n == 1 ? "" : "s");
	/* Probabilities among the records the module can use. */
	struct srv_record usable[SRV_MAX_RECORDS];
	size_t nusable = 0;
	for (size_t i = 0; i < n; i++)
		if (!records[i].root_target && (port < 0 || records[i].port == port))
			usable[nusable++] = records[i];
	for (size_t i = 0, u = 0; i < n; i++) {
		const struct srv_record *rec = &records[i];
		if (rec->root_target)
			snprintf(target, sizeof(target), ".");
		else
			dns_name_to_text(msg.data, msg.len, rec->target_offset, target,
					 sizeof(target));
		printf("  priority %5u weight %5u port %5u ttl %6u  %-32s", rec->priority,
		       rec->weight, rec->port, rec->ttl, target);
		if (rec->root_target)
			printf("  skipped: \".\" = not available\n");
		else if (port >= 0 && rec->port != port)
			printf("  skipped: port %u, the program uses %d\n", rec->port, port);
		else
			printf("  first choice of its priority: %5.1f%%\n",
			       100.0 * srv_first_choice_probability(usable, nusable, u++));
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"service", required_argument, NULL, 's'},
		{"port", required_argument, NULL, 'p'},
		{"family", required_argument, NULL, 'f'},
		{"program", required_argument, NULL, 'P'},
		{"check-config", no_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const struct pseudo_service *svc = NULL;
	int port = -1;
	int family = AF_UNSPEC;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:p:f:P:ch", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			svc = scope_pseudo_service(optarg);
			if (svc == NULL) {
				fprintf(stderr, "srvsip-lookup: unknown service %s\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p': {
			char *end;
			long value = strtol(optarg, &end, 10);
			if (*end != '\0' || value < 1 || value > 65535) {
				fprintf(stderr, "srvsip-lookup: port must be 1 to 65535\n");
				return EXIT_USAGE;
			}
			port = (int)value;
			break;
		}
		case 'f':
			if (strcmp(optarg, "4") == 0)
				family = AF_INET;
			else if (strcmp(optarg, "6") == 0)
				family = AF_INET6;
			else
				return usage(stderr), EXIT_USAGE;
			break;
		case 'P':
			/* Look as the named program would to `program` lines. */
			program_invocation_short_name = optarg;
			break;
		case 'c':
			if (optind < argc - 1)
				return usage(stderr), EXIT_USAGE;
			return check_config(optind < argc ? argv[optind] : SRVSIP_CONFIG_PATH);
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || (svc != NULL && port >= 0)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[optind];
	struct srv_request req;
	bool debug;

	memset(&req, 0, sizeof(req));
	if (svc != NULL) {
		/* As getaddrinfo(NAME, "sipsrv") with socktype 0: tcp then udp. */
		const char *proto;
		if (scope_pseudo_service_srv(svc, "tcp", &proto))
			scope_note_service(svc, "tcp");
		if (scope_pseudo_service_srv(svc, "udp", &proto))
			scope_note_service(svc, "udp");
	}
	enum scope_trigger trigger = scope_classify(name, &req, &debug);
	if (trigger == SCOPE_NONE) {
		printf("%s: out of scope: not an SRV owner name, no matching domain or program "
		       "line in %s, no pseudo-service; the module returns UNAVAIL with no DNS "
		       "query\n", name, SRVSIP_CONFIG_PATH);
		return EXIT_OUT_OF_SCOPE;
	}
	if (port >= 0)
		req.port = port;
	printf("%s: in scope (%s)", name, scope_trigger_name(trigger));
	if (req.port >= 0)
		printf(", program port %d: only SRV records on this port are used", req.port);
	else
		printf(", any port (the program knows its own)");
	printf("\n");
	if (!srv_name_valid(name)) {
		printf("%s: not a valid host name: not found\n", name);
		return EXIT_NOT_FOUND;
	}

	struct resolver resolver;
	if (!resolver_open(&resolver)) {
		printf("cannot read resolv.conf\n");
		return EXIT_TRY_AGAIN;
	}
	if (req.nservices == 0) {
		show_rrset(&resolver, name, req.port);
	} else {
		for (unsigned i = 0; i < req.nservices; i++) {
			char srv_name[DNS_NAME_TEXT_SIZE + SRV_SERVICE_SIZE + 2];
			snprintf(srv_name, sizeof(srv_name), "%s.%s", req.services[i], name);
			show_rrset(&resolver, srv_name, req.port);
		}
	}

	struct srv_xoshiro gen;
	struct srv_rng rng = {srv_xoshiro_next32, &gen};
	struct dns_transport transport = resolver_transport(&resolver);
	struct srv_result *res = calloc(1, sizeof(*res));
	if (res == NULL)
		return EXIT_TRY_AGAIN;
	srv_xoshiro_seed_os(&gen);
	req.family = family;
	req.want_failover = true;
	srv_resolve(&req, &transport, &rng, res);
	resolver_close(&resolver);

	printf("status: %s (%s)\n", srv_status_name(res->status), res->reason);
	if (res->status == SRV_SUCCESS) {
		printf("draw (this lookup; each lookup draws anew):\n");
		for (unsigned t = 0; t < res->ntargets; t++) {
			const struct srv_target *tg = &res->targets[t];
			char buf[INET6_ADDRSTRLEN];
			if (res->fallback)
				printf("  %u. %s (the domain's own addresses)\n", t + 1, tg->name);
			else
				printf("  %u. %s priority %u weight %u port %u\n", t + 1, tg->name,
				       tg->priority, tg->weight, tg->port);
			for (unsigned a = 0; a < tg->naddrs; a++)
				printf("       %s\n", format_address(&tg->addrs[a], buf, sizeof(buf)));
		}
		printf("getaddrinfo receives the addresses of %s only; gethostbyname receives "
		       "all %u target%s in this order\n", res->targets[0].name, res->ntargets,
		       res->ntargets == 1 ? "" : "s");
		printf("ttl: %u s, DNS queries: %u\n", res->ttl, res->queries);
	}
	int code = res->status == SRV_SUCCESS     ? EXIT_FOUND
		   : res->status == SRV_TRY_AGAIN ? EXIT_TRY_AGAIN
		   : res->status == SRV_NO_MEMORY ? EXIT_TRY_AGAIN
						  : EXIT_NOT_FOUND;
	free(res);
	return code;
}
