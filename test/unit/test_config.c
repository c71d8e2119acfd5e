/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Config tests: config_parse from a stream (fmemopen), name and program
 * matching, config_file_trusted on crafted struct stat values,
 * config_load_decide on a real file (a private path, see unit.mk), and the
 * debug syslog lines (log.c, sent to a private socket, see unit.mk). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config.h"
#include "config_load.h"
#include "log.h"
#include "test_common.h"

/* ---- parsing helpers -------------------------------------------------- */

#define MAX_REPORTS 64

struct reports {
	unsigned n;
	unsigned line[MAX_REPORTS];
	char problem[MAX_REPORTS][160];
};

static void collect(void *ctx, unsigned line, const char *problem)
{
	struct reports *r = ctx;
	ck_assert_ptr_nonnull(problem);
	ck_assert_uint_gt(strlen(problem), 0);
	if (r->n < MAX_REPORTS) {
		r->line[r->n] = line;
		snprintf(r->problem[r->n], sizeof(r->problem[0]), "%s", problem);
	}
	r->n++;
}

static struct srvsip_config cfg;
static struct reports rep;

/* Parses text[0..len) (may hold NUL octets). */
static void parse_n(const char *text, size_t len)
{
	config_free(&cfg); /* config_parse starts from scratch */
	FILE *f = fmemopen((void *)text, len, "r");
	ck_assert_ptr_nonnull(f);
	memset(&rep, 0, sizeof(rep));
	ck_assert_int_eq(config_parse(f, &cfg, collect, &rep), 0);
	fclose(f);
	ck_assert_uint_eq(cfg.bad_lines, rep.n);
}

static void parse(const char *text)
{
	parse_n(text, strlen(text));
}

static void teardown(void)
{
	config_free(&cfg);
}

static const struct config_entry *domain_named(const char *name)
{
	for (size_t i = 0; i < cfg.ndomains; i++)
		if (strcmp(cfg.domains[i].name, name) == 0)
			return &cfg.domains[i];
	return NULL;
}

static void assert_default_services(const struct config_entry *e)
{
	ck_assert_uint_eq(e->nservices, 2);
	ck_assert_str_eq(e->services[0], "_sip._udp");
	ck_assert_str_eq(e->services[1], "_sip._tcp");
}

/* ---- keywords and defaults ---------------------------------------------- */

START_TEST(test_every_keyword_is_parsed)
{
	parse("debug\n"
	      "allow-cname\n"
	      "domain sipdomain.com\n"
	      "domain .example.org port 5061 services _sips._tcp\n"
	      "program sipp\n"
	      "program twinkle port 5062 services _sip._udp,_sip._tcp\n"
	      "cache off\n");
	ck_assert_uint_eq(rep.n, 0);
	ck_assert(cfg.debug);
	ck_assert(cfg.allow_cname);
	ck_assert(cfg.cache_off);
	ck_assert_uint_eq(cfg.ndomains, 2);
	ck_assert_str_eq(cfg.domains[0].name, "sipdomain.com");
	ck_assert(!cfg.domains[0].suffix);
	ck_assert_int_eq(cfg.domains[0].port, 5060);
	assert_default_services(&cfg.domains[0]);
	ck_assert_str_eq(cfg.domains[1].name, ".example.org");
	ck_assert(cfg.domains[1].suffix);
	ck_assert_int_eq(cfg.domains[1].port, 5061);
	ck_assert_uint_eq(cfg.domains[1].nservices, 1);
	ck_assert_str_eq(cfg.domains[1].services[0], "_sips._tcp");
	ck_assert_uint_eq(cfg.nprograms, 2);
	ck_assert_str_eq(cfg.programs[0].name, "sipp");
	ck_assert_int_eq(cfg.programs[0].port, 5060);
	assert_default_services(&cfg.programs[0]);
	ck_assert_str_eq(cfg.programs[1].name, "twinkle");
	ck_assert_int_eq(cfg.programs[1].port, 5062);
	ck_assert_uint_eq(cfg.programs[1].nservices, 2);
	ck_assert_str_eq(cfg.programs[1].services[0], "_sip._udp");
	ck_assert_str_eq(cfg.programs[1].services[1], "_sip._tcp");
}
END_TEST

START_TEST(test_a_repeated_domain_or_program_line_is_reported_and_the_first_applies)
{
	/* Case and a trailing dot do not make another domain; the later line
	 * would never apply, so --check-config and the debug log name it. */
	parse("domain sipdomain.com port 5060\n"
	      "domain SIPdomain.com. port 5080\n"
	      "domain .example.org\n"
	      "domain .example.org services _sips._tcp\n"
	      "domain example.org\n"
	      "program sipp\n"
	      "program sipp port 5062\n"
	      "program Sipp\n");
	ck_assert_uint_eq(rep.n, 3);
	ck_assert_uint_eq(rep.line[0], 2);
	ck_assert_uint_eq(rep.line[1], 4);
	ck_assert_uint_eq(rep.line[2], 7);
	ck_assert_ptr_nonnull(strstr(rep.problem[0], "repeats"));
	ck_assert_uint_eq(cfg.ndomains, 3); /* example.org is not .example.org */
	ck_assert_int_eq(config_match_domain(&cfg, "sipdomain.com")->port, 5060);
	assert_default_services(config_match_domain(&cfg, "a.example.org"));
	ck_assert_uint_eq(cfg.nprograms, 2); /* program names are case-sensitive */
	ck_assert_int_eq(config_match_program(&cfg, "sipp")->port, 5060);
}
END_TEST

START_TEST(test_an_empty_item_in_a_services_list_is_malformed)
{
	parse("domain a.test services _sip._udp,,_sip._tcp\n"
	      "domain b.test services ,_sip._udp\n"
	      "domain c.test services _sip._udp,\n"
	      "domain d.test services _sip._udp,_sip._tcp\n");
	ck_assert_uint_eq(rep.n, 3);
	ck_assert_uint_eq(cfg.ndomains, 1);
	ck_assert_str_eq(cfg.domains[0].name, "d.test");
}
END_TEST

START_TEST(test_defaults_are_off_port_5060_and_sip_udp_then_tcp)
{
	parse("domain a.test\nprogram p\n");
	ck_assert(!cfg.debug);
	ck_assert(!cfg.allow_cname);
	ck_assert(!cfg.cache_off);
	ck_assert_int_eq(cfg.domains[0].port, CONFIG_DEFAULT_PORT);
	ck_assert_int_eq(CONFIG_DEFAULT_PORT, 5060);
	assert_default_services(&cfg.domains[0]);
	ck_assert_int_eq(cfg.programs[0].port, 5060);
	assert_default_services(&cfg.programs[0]);

	/* only a port: services keep their default; only services: port too */
	parse("domain b.test port 5080\ndomain c.test services _sip._tcp\n");
	ck_assert_int_eq(cfg.domains[0].port, 5080);
	assert_default_services(&cfg.domains[0]);
	ck_assert_int_eq(cfg.domains[1].port, 5060);
	ck_assert_uint_eq(cfg.domains[1].nservices, 1);
	ck_assert_str_eq(cfg.domains[1].services[0], "_sip._tcp");
}
END_TEST

START_TEST(test_empty_stream_and_comments_give_an_empty_config)
{
	parse("");
	ck_assert_uint_eq(cfg.ndomains + cfg.nprograms, 0);
	ck_assert(!cfg.debug);
	parse("# only a comment\n\n   \t \n#domain x.test\n");
	ck_assert_uint_eq(cfg.ndomains + cfg.nprograms, 0);
	ck_assert_uint_eq(rep.n, 0);
}
END_TEST

START_TEST(test_services_keep_their_order_and_at_most_four)
{
	parse("domain a.test services _sip._tcp,_sips._tcp,_sip._udp,_x._udp\n"
	      "domain b.test services _a._udp,_b._udp,_c._udp,_d._udp,_e._udp\n");
	ck_assert_uint_eq(cfg.ndomains, 1);
	ck_assert_uint_eq(cfg.domains[0].nservices, 4);
	ck_assert_str_eq(cfg.domains[0].services[0], "_sip._tcp");
	ck_assert_str_eq(cfg.domains[0].services[1], "_sips._tcp");
	ck_assert_str_eq(cfg.domains[0].services[2], "_sip._udp");
	ck_assert_str_eq(cfg.domains[0].services[3], "_x._udp");
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_uint_eq(rep.line[0], 2);
}
END_TEST

START_TEST(test_cache_takes_on_or_off_and_the_last_line_wins)
{
	parse("cache off\ncache on\n");
	ck_assert_uint_eq(rep.n, 0);
	ck_assert(!cfg.cache_off);
	parse("cache on\ncache off\ncache\ncache maybe\ncache off on\nCache off\n");
	ck_assert(cfg.cache_off);
	ck_assert_uint_eq(rep.n, 4);
	ck_assert_uint_eq(rep.line[0], 3);
	ck_assert_uint_eq(rep.line[1], 4);
	ck_assert_uint_eq(rep.line[2], 5);
	ck_assert_uint_eq(rep.line[3], 6);
}
END_TEST

START_TEST(test_ports_1_and_65535_are_the_bounds)
{
	parse("domain a.test port 1\ndomain b.test port 65535\n");
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(cfg.domains[0].port, 1);
	ck_assert_int_eq(cfg.domains[1].port, 65535);
}
END_TEST

START_TEST(test_domain_names_are_stored_lower_case_without_trailing_dot)
{
	parse("domain SipDomain.COM.\ndomain .Example.ORG.\n");
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_str_eq(cfg.domains[0].name, "sipdomain.com");
	ck_assert_str_eq(cfg.domains[1].name, ".example.org");
	ck_assert(cfg.domains[1].suffix);
}
END_TEST

/* ---- matching ------------------------------------------------------------- */

START_TEST(test_exact_domain_beats_suffix_and_longest_suffix_wins)
{
	/* the exact entry last, the longest suffix in the middle */
	parse("domain .example.org port 1001\n"
	      "domain .a.example.org port 1002\n"
	      "domain .org port 1003\n"
	      "domain x.a.example.org port 1004\n");
	ck_assert_uint_eq(rep.n, 0);
	const struct {
		const char *name;
		int port; /* 0: no match */
	} cases[] = {
		{"x.a.example.org", 1004}, {"y.a.example.org", 1002}, {"deep.y.a.example.org", 1002},
		{"a.example.org", 1001},   {"b.example.org", 1001},   {"example.org", 1003},
		{"org", 0},                {"xexample.org", 1003},    {"example.orgx", 0},
		{"x.a.example.org.", 1004}, {"", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct config_entry *e = config_match_domain(&cfg, cases[i].name);
		if (cases[i].port == 0)
			ck_assert_msg(e == NULL, "%s matched %s", cases[i].name, e ? e->name : "");
		else
			ck_assert_msg(e != NULL && e->port == cases[i].port, "%s matched port %d, want %d",
				      cases[i].name, e ? e->port : 0, cases[i].port);
	}
}
END_TEST

START_TEST(test_suffix_matches_whole_labels_only)
{
	parse("domain .example.org\n");
	ck_assert_ptr_nonnull(config_match_domain(&cfg, "a.example.org"));
	ck_assert_ptr_null(config_match_domain(&cfg, "aexample.org"));
	ck_assert_ptr_null(config_match_domain(&cfg, "example.org"));
	ck_assert_ptr_null(config_match_domain(&cfg, "example.org."));
	ck_assert_ptr_null(config_match_domain(&cfg, "a.example.org.evil"));
}
END_TEST

START_TEST(test_domain_match_ignores_case_and_a_trailing_dot)
{
	parse("domain sipdomain.com\ndomain .Example.Org\n");
	const char *yes[] = {"sipdomain.com", "SIPDOMAIN.COM", "SipDomain.Com.", "sipdomain.com.",
			     "host.example.org", "HOST.EXAMPLE.ORG.", "x.y.Example.ORG"};
	const char *no[] = {"sipdomain.co", "sipdomain.comm", "www.sipdomain.com",
			    "sipdomain.com..", "example.org"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(config_match_domain(&cfg, yes[i]) != NULL, "%s did not match", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(config_match_domain(&cfg, no[i]) == NULL, "%s matched", no[i]);
}
END_TEST

START_TEST(test_domain_index_rules_out_only_names_no_entry_can_match)
{
	/* exact entries of 6 and 13 octets, no suffix entry */
	parse("domain a.test\ndomain SipDomain.com.\nprogram sipp\n");
	ck_assert_uint_eq(cfg.domains[0].len, 6);
	ck_assert_uint_eq(cfg.domains[1].len, 13);
	ck_assert_uint_eq(cfg.programs[0].len, 4);
	ck_assert_ptr_eq(config_match_domain(&cfg, "a.test"), &cfg.domains[0]);
	ck_assert_ptr_eq(config_match_domain(&cfg, "A.TEST."), &cfg.domains[0]);
	ck_assert_ptr_eq(config_match_domain(&cfg, "sipdomain.com."), &cfg.domains[1]);
	const char *no[] = {"b.test", "aa.test", "a.tes", "", ".", "sipdomain.con", "a.test.."};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(config_match_domain(&cfg, no[i]) == NULL, "%s matched", no[i]);
	/* names longer than any entry can be, with and without the index */
	char longname[400];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_ptr_null(config_match_domain(&cfg, longname));
	parse("domain .test\n");
	ck_assert_ptr_null(config_match_domain(&cfg, longname));
	memcpy(longname + sizeof(longname) - 6, ".test", 6);
	ck_assert_ptr_eq(config_match_domain(&cfg, longname), &cfg.domains[0]);
	/* a suffix entry needs a label boundary: ".test" is not in "atest" */
	ck_assert_ptr_null(config_match_domain(&cfg, "atest"));
	ck_assert_ptr_nonnull(config_match_domain(&cfg, "a.TEST"));
}
END_TEST

START_TEST(test_program_match_is_exact_and_case_sensitive)
{
	parse("program sipp port 5070\nprogram twinkle\n");
	const struct config_entry *e = config_match_program(&cfg, "sipp");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->port, 5070);
	ck_assert_ptr_nonnull(config_match_program(&cfg, "twinkle"));
	ck_assert_ptr_null(config_match_program(&cfg, "SIPP"));
	ck_assert_ptr_null(config_match_program(&cfg, "sip"));
	ck_assert_ptr_null(config_match_program(&cfg, "sipp2"));
	ck_assert_ptr_null(config_match_program(&cfg, ""));
	/* programs are not domains and domains are not programs */
	ck_assert_ptr_null(config_match_domain(&cfg, "sipp"));
}
END_TEST

/* ---- malformed lines ------------------------------------------------------- */

START_TEST(test_malformed_lines_are_reported_with_their_numbers_and_skipped)
{
	char longline[1200];
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "domain ", 7);
	longline[1100] = '\0';

	char text[4096];
	size_t len = 0;
#define ADD(s) (memcpy(text + len, s, sizeof(s) - 1), len += sizeof(s) - 1)
	ADD("# comment\n");                                                     /* 1 */
	ADD("\n");                                                              /* 2 */
	ADD("domain good1.test\n");                                             /* 3 */
	ADD("frobnicate x\n");                                                  /* 4 */
	ADD("domain bad4.test port 0\n");                                       /* 5 */
	ADD("domain bad5.test port 65536\n");                                   /* 6 */
	ADD("domain bad6.test port abc\n");                                     /* 7 */
	ADD("domain bad7.test services sip.udp\n");                             /* 8 */
	ADD("domain bad8.test port 5060 services _sip._udp port 5061 x y\n");   /* 9 */
	memcpy(text + len, longline, 1100);                                     /* 10 */
	len += 1100;
	ADD("\n");
	ADD("domain nul\0x.test\n");                                            /* 11 */
	ADD("domain ex\xc3\xa4mple.test\n");                                    /* 12 */
	ADD("domain good2.test port 5061\n");                                   /* 13 */
	ADD("Domain upper.test\n");                                             /* 14 */
	ADD("debug now\n");                                                     /* 15 */
	ADD("domain\n");                                                        /* 16 */
	ADD("domain bad16.test port\n");                                        /* 17 */
	ADD("domain bad17.test colour blue\n");                                 /* 18 */
	ADD("domain bad..test\n");                                              /* 19 */
	ADD("program a/b\n");                                                   /* 20 */
	ADD("domain bad20.test services _a._b,_c._d,_e._f,_g._h,_i._j\n");      /* 21 */
	ADD("program good3\n");                                                 /* 22 */
	ADD("   domain\tgood4.test \t port\t5062   # trailing comment\n");     /* 23 */
	ADD("domain good5.test\r\n");                                           /* 24 */
	ADD("domain bad24.test port -5\n");                                     /* 25 */
	ADD("domain bad25.test port +5\n");                                     /* 26 */
	ADD("domain bad26.test port 5060x\n");                                  /* 27 */
	ADD("domain bad27.test services _sip\n");                               /* 28 */
	ADD("domain bad28.test services _sip._udp._x\n");                       /* 29 */
	ADD("domain bad29.test port 99999999999999999999\n");                   /* 30 */
	ADD("domain good6.test");                                               /* 31, no newline */
#undef ADD
	ck_assert_uint_lt(len, sizeof(text));
	parse_n(text, len);

	const unsigned bad[] = {4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21,
				25, 26, 27, 28, 29, 30};
	const size_t nbad = sizeof(bad) / sizeof(bad[0]);
	if (rep.n != nbad)
		for (unsigned i = 0; i < rep.n && i < MAX_REPORTS; i++)
			fprintf(stderr, "    reported line %u: %s\n", rep.line[i], rep.problem[i]);
	ck_assert_uint_eq(rep.n, nbad);
	for (size_t i = 0; i < nbad; i++)
		ck_assert_msg(rep.line[i] == bad[i], "report %zu is line %u, expected %u", i,
			      rep.line[i], bad[i]);
	ck_assert_uint_eq(cfg.bad_lines, nbad);

	/* the good lines still apply */
	ck_assert_uint_eq(cfg.ndomains, 5);
	ck_assert_ptr_nonnull(domain_named("good1.test"));
	ck_assert_int_eq(domain_named("good2.test")->port, 5061);
	ck_assert_int_eq(domain_named("good4.test")->port, 5062);
	ck_assert_ptr_nonnull(domain_named("good5.test"));
	ck_assert_ptr_nonnull(domain_named("good6.test"));
	ck_assert_uint_eq(cfg.nprograms, 1);
	ck_assert_str_eq(cfg.programs[0].name, "good3");
	ck_assert(!cfg.debug);
	for (size_t i = 0; i < cfg.ndomains; i++)
		ck_assert_msg(strncmp(cfg.domains[i].name, "bad", 3) != 0, "%s was kept",
			      cfg.domains[i].name);
}
END_TEST

START_TEST(test_line_of_1023_octets_is_read_and_longer_is_refused)
{
	/* "domain ok.test #" + comment filling the line to 1023 octets */
	char text[3000];
	size_t len = 0;
	const char *head = "domain ok.test #";
	memcpy(text, head, strlen(head));
	len = strlen(head);
	while (len < CONFIG_LINE_MAX - 1)
		text[len++] = 'c';
	text[len++] = '\n';
	/* then a 1025-octet line (a domain hiding after 1018 octets of blanks) */
	size_t start = len;
	while (len - start < 1018)
		text[len++] = ' ';
	memcpy(text + len, "domain x.test", 13); /* 1031 octets in all */
	len += 13;
	text[len++] = '\n';
	memcpy(text + len, "domain after.test\n", 18);
	len += 18;
	parse_n(text, len);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_uint_eq(rep.line[0], 2);
	ck_assert_ptr_nonnull(domain_named("ok.test"));
	ck_assert_ptr_null(domain_named("x.test"));
	ck_assert_ptr_nonnull(domain_named("after.test"));
}
END_TEST

START_TEST(test_repeated_option_on_one_line_takes_the_last_value)
{
	parse("domain a.test port 5061 port 5062 services _sip._tcp\n"); /* 8 words */
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(cfg.domains[0].port, 5062);
	ck_assert_uint_eq(cfg.domains[0].nservices, 1);
	ck_assert_str_eq(cfg.domains[0].services[0], "_sip._tcp");
}
END_TEST

/* ---- config_file_trusted -------------------------------------------------- */

static struct stat file_stat(mode_t type_and_mode, uid_t uid, gid_t gid, off_t size)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_mode = type_and_mode;
	st.st_uid = uid;
	st.st_gid = gid;
	st.st_size = size;
	st.st_nlink = 1;
	return st;
}

START_TEST(test_config_file_trusted_wants_root_owned_regular_small_file_only_root_writes)
{
	const struct {
		mode_t mode;
		uid_t uid;
		gid_t gid;
		off_t size;
		bool trusted;
		const char *why;
	} cases[] = {
		{S_IFREG | 0644, 0, 0, 100, true, "root 0644"},
		{S_IFREG | 0600, 0, 0, 100, true, "root 0600"},
		{S_IFREG | 0400, 0, 0, 0, true, "empty read-only"},
		{S_IFREG | 0644, 0, 1000, 100, true, "group of another user, not writable"},
		{S_IFREG | 0755, 0, 0, 100, true, "executable bits do not matter"},
		{S_IFREG | 0644, 0, 0, CONFIG_FILE_MAX, true, "exactly the size limit"},
		{S_IFREG | 0644, 0, 0, CONFIG_FILE_MAX + 1, false, "one octet too large"},
		{S_IFREG | 0644, 1000, 0, 100, false, "owned by a user"},
		{S_IFREG | 0644, 65534, 0, 100, false, "owned by nobody"},
		{S_IFREG | 0664, 0, 0, 100, false, "group writable"},
		{S_IFREG | 0646, 0, 0, 100, false, "others writable"},
		{S_IFREG | 0666, 0, 0, 100, false, "world writable"},
		{S_IFREG | 0620, 0, 0, 100, false, "group write only"},
		{S_IFREG | 0602, 0, 0, 100, false, "others write only"},
		{S_IFDIR | 0755, 0, 0, 4096, false, "a directory"},
		{S_IFIFO | 0644, 0, 0, 0, false, "a FIFO"},
		{S_IFCHR | 0644, 0, 0, 0, false, "a character device"},
		{S_IFBLK | 0644, 0, 0, 0, false, "a block device"},
		{S_IFLNK | 0777, 0, 0, 10, false, "a symbolic link"},
		{S_IFSOCK | 0644, 0, 0, 0, false, "a socket"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct stat st = file_stat(cases[i].mode, cases[i].uid, cases[i].gid, cases[i].size);
		ck_assert_msg(config_file_trusted(&st) == cases[i].trusted, "%s: %s", cases[i].why,
			      cases[i].trusted ? "refused" : "trusted");
	}
}
END_TEST

/* ---- config_load_decide on a real file ------------------------------------ */

static bool write_file(const char *text, mode_t mode)
{
	unlink(SRVSIP_CONFIG_PATH);
	rmdir(SRVSIP_CONFIG_PATH);
	int fd = open(SRVSIP_CONFIG_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	close(fd);
	return ok;
}

static void remove_file(void)
{
	unlink(SRVSIP_CONFIG_PATH);
	rmdir(SRVSIP_CONFIG_PATH);
}

START_TEST(test_config_load_decide_uses_a_trusted_file)
{
	struct config_decision d;
	char services[SRV_MAX_SERVICES][SRV_SERVICE_SIZE];

	if (geteuid() != 0) {
		fprintf(stderr, "test_config: not root, skipping the file checks\n");
		return;
	}
	ck_assert(write_file("debug\n# x\ndomain sip.test port 5070 services _sip._tcp\n"
			     "program sipp-cfg\ncache off\n",
			     0644));
	errno = 4242;
	config_load_decide("SIP.test.", "other", &d, services);
	ck_assert_int_eq(errno, 4242);
	ck_assert(!d.cache);
	ck_assert(d.matched);
	ck_assert(!d.by_program);
	ck_assert(d.debug);
	ck_assert_int_eq(d.port, 5070);
	ck_assert_uint_eq(d.nservices, 1);
	ck_assert_str_eq(services[0], "_sip._tcp");
	config_load_decide("elsewhere.test", "sipp-cfg", &d, services);
	ck_assert(d.matched);
	ck_assert(d.by_program);
	config_load_decide("elsewhere.test", "other", &d, services);
	ck_assert(!d.matched);
	ck_assert_uint_eq(d.nservices, 0);
	ck_assert(d.debug);
	/* config_load_matches answers as config_load_decide, copying nothing */
	bool debug = false;
	errno = 4243;
	ck_assert(config_load_matches("SIP.test.", "other", &debug));
	ck_assert(debug);
	ck_assert(config_load_matches("elsewhere.test", "sipp-cfg", &debug));
	ck_assert(config_load_matches(NULL, "sipp-cfg", &debug));
	ck_assert(!config_load_matches("elsewhere.test", "other", &debug));
	ck_assert(config_load_matches("sip.test", NULL, &debug));
	ck_assert(!config_load_matches(NULL, NULL, &debug));
	ck_assert(debug);
	ck_assert_int_eq(errno, 4243);
	remove_file();
}
END_TEST

/* getauxval is wrapped at link time (unit.mk): AT_SECURE answers
 * `secure_process`, as in a setuid program. */
unsigned long __real_getauxval(unsigned long type);
unsigned long __wrap_getauxval(unsigned long type);
static bool secure_process;

unsigned long __wrap_getauxval(unsigned long type)
{
	if (type == AT_SECURE)
		return secure_process ? 1 : 0;
	return __real_getauxval(type);
}

/* In a setuid program argv[0] is the caller's choice: `program` lines must
 * not put its lookups in scope (domain lines still apply). */
START_TEST(test_config_program_lines_do_not_apply_in_a_setuid_program)
{
	struct config_decision d;
	if (geteuid() != 0)
		return;
	ck_assert(write_file("domain sip.test\nprogram sipp-cfg\n", 0644));
	secure_process = true;
	config_load_decide("elsewhere.test", "sipp-cfg", &d, NULL);
	ck_assert(!d.matched);
	bool debug;
	ck_assert(!config_load_matches("elsewhere.test", "sipp-cfg", &debug));
	config_load_decide("sip.test", "sipp-cfg", &d, NULL);
	ck_assert(d.matched);
	ck_assert(!d.by_program);
	remove_file();
}
END_TEST

START_TEST(test_config_load_ignores_a_file_others_may_write)
{
	struct config_decision d;
	if (geteuid() != 0)
		return;
	ck_assert(write_file("domain sip.test\n", 0666));
	config_load_decide("sip.test", "x", &d, NULL);
	ck_assert(!d.matched);
	remove_file();
}
END_TEST

START_TEST(test_config_load_ignores_a_directory_and_a_missing_file)
{
	struct config_decision d;
	remove_file();
	config_load_decide("sip.test", "x", &d, NULL);
	ck_assert(!d.matched);
	ck_assert(!d.debug);
	ck_assert(d.cache); /* the default without a file */
	bool debug = true;
	ck_assert(!config_load_matches("sip.test", "x", &debug));
	ck_assert(!debug);
	if (geteuid() != 0)
		return;
	ck_assert_int_eq(mkdir(SRVSIP_CONFIG_PATH, 0755), 0);
	config_load_decide("sip.test", "x", &d, NULL);
	ck_assert(!d.matched);
	remove_file();
}
END_TEST

START_TEST(test_config_load_rereads_a_changed_file_within_two_seconds)
{
	struct config_decision d;
	if (geteuid() != 0)
		return;
	ck_assert(write_file("domain one.test\n", 0644));
	config_load_decide("one.test", "x", &d, NULL);
	ck_assert(d.matched);
	ck_assert(write_file("domain two.test port 5099\n", 0644));
	struct timespec pause = {0, 50 * 1000 * 1000};
	bool seen = false;
	for (int i = 0; i < 50 && !seen; i++) {
		config_load_decide("two.test", "x", &d, NULL);
		seen = d.matched;
		if (!seen)
			nanosleep(&pause, NULL);
	}
	ck_assert_msg(seen, "the new file was not read within 2.5 s");
	ck_assert_int_eq(d.port, 5099);
	config_load_decide("one.test", "x", &d, NULL);
	ck_assert(!d.matched);
	remove_file();
}
END_TEST

START_TEST(test_config_load_unreadable_for_now_is_read_again_at_the_next_check)
{
	/* The first check runs out of descriptors (EMFILE): the file must be
	 * read again a second later, not taken as absent until it changes. */
	struct config_decision d;
	struct rlimit saved;
	int hogs[64];
	int nhogs = 0;

	if (geteuid() != 0)
		return;
	ck_assert(write_file("domain emfile.test\n", 0644));
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	struct rlimit low = {32, saved.rlim_max};
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (int fd; nhogs < 64 && (fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
		hogs[nhogs++] = fd;
	ck_assert_int_eq(errno, EMFILE);
	config_load_decide("emfile.test", "x", &d, NULL);
	ck_assert(!d.matched); /* not readable now: out of scope, as without a file */
	while (nhogs > 0)
		close(hogs[--nhogs]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	struct timespec pause = {0, 50 * 1000 * 1000};
	for (int i = 0; i < 50 && !d.matched; i++) {
		nanosleep(&pause, NULL);
		config_load_decide("emfile.test", "x", &d, NULL);
	}
	ck_assert_msg(d.matched, "the file was not read again within 2.5 s");
	remove_file();
}
END_TEST

/* stat, fstat and fmemopen are wrapped at link time (unit.mk):
 * they behave as the C library's unless a test arms them. */
int __real_stat(const char *path, struct stat *st);
int __wrap_stat(const char *path, struct stat *st);
int __real_fstat(int fd, struct stat *st);
int __wrap_fstat(int fd, struct stat *st);
FILE *__real_fmemopen(void *buf, size_t size, const char *mode);
FILE *__wrap_fmemopen(void *buf, size_t size, const char *mode);
static atomic_int stat_fails_with;    /* errno for stat() of the config, or 0 */
static atomic_bool fstat_says_small;  /* stat() and fstat() report 100 octets */
static atomic_bool pause_in_parse;    /* the next parse waits for `resume_parse` */
static atomic_bool paused_in_parse, resume_parse;

int __wrap_stat(const char *path, struct stat *st)
{
	int error = atomic_load(&stat_fails_with);
	if (error != 0 && strcmp(path, SRVSIP_CONFIG_PATH) == 0) {
		errno = error;
		return -1;
	}
	int rc = __real_stat(path, st);
	if (rc == 0 && atomic_load(&fstat_says_small) && strcmp(path, SRVSIP_CONFIG_PATH) == 0)
		st->st_size = 100;
	return rc;
}

int __wrap_fstat(int fd, struct stat *st)
{
	int rc = __real_fstat(fd, st);
	if (rc == 0 && atomic_load(&fstat_says_small))
		st->st_size = 100;
	return rc;
}

/* The reload opens its parse stream (fmemopen) after it noted the file's stat. */
static void maybe_pause_in_parse(void)
{
	if (!atomic_exchange(&pause_in_parse, false))
		return;
	atomic_store(&paused_in_parse, true);
	while (!atomic_load(&resume_parse))
		usleep(1000);
}

FILE *__wrap_fmemopen(void *buf, size_t size, const char *mode)
{
	maybe_pause_in_parse();
	return __real_fmemopen(buf, size, mode);
}

static void wait_next_second(void)
{
	time_t start = time(NULL);
	while (time(NULL) == start)
		usleep(2000);
}

START_TEST(test_config_load_keeps_the_config_when_stat_fails_for_now)
{
	/* stat() of the file fails with ENOMEM at a check: the config in force
	 * stays (README: read again at the next check), not "no config". */
	if (geteuid() != 0)
		return;
	ck_assert(write_file("domain kept.test\n", 0644));
	wait_next_second();
	ck_assert(config_load_matches("kept.test", NULL, &(bool){false}));
	atomic_store(&stat_fails_with, ENOMEM);
	wait_next_second();
	bool during = config_load_matches("kept.test", NULL, &(bool){false});
	atomic_store(&stat_fails_with, 0);
	ck_assert_msg(during, "the config was dropped while stat() failed for now");
	remove_file();
}
END_TEST

START_TEST(test_config_load_refuses_a_file_that_grew_past_the_limit)
{
	/* stat() and fstat() said 100 octets; the file holds 70,000 (appended
	 * to in place between fstat and the read): over the 64 KiB limit, refused
	 * as srvsip.conf(5) says, and never parsed past the limit. */
	if (geteuid() != 0)
		return;
	static char text[70000];
	memset(text, '#', sizeof(text));
	memcpy(text, "domain grew.test\n", 17);
	text[sizeof(text) - 1] = '\n';
	int fd = open(SRVSIP_CONFIG_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text)), (ssize_t)sizeof(text));
	close(fd);
	atomic_store(&fstat_says_small, true);
	wait_next_second();
	bool matched = config_load_matches("grew.test", NULL, &(bool){false});
	atomic_store(&fstat_says_small, false);
	ck_assert_msg(!matched, "a file over the limit was used");
	remove_file();
}
END_TEST

static void *decide_b(void *arg)
{
	(void)arg;
	config_load_matches("b.test", NULL, &(bool){false});
	return NULL;
}

START_TEST(test_a_child_forked_during_a_reload_reads_the_file_again)
{
	/* fork() while another thread is inside the reload, after it noted the
	 * new file's stat and before it published the new snapshot: the child
	 * must read the file again at its next check (before: it kept the old
	 * config until the file changed once more). */
	if (geteuid() != 0)
		return;
	ck_assert(write_file("domain a.test\n", 0644));
	wait_next_second();
	ck_assert(config_load_matches("a.test", NULL, &(bool){false}));
	ck_assert(write_file("domain b.test\n", 0644));
	wait_next_second();
	atomic_store(&paused_in_parse, false);
	atomic_store(&resume_parse, false);
	atomic_store(&pause_in_parse, true);
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, decide_b, NULL), 0);
	while (!atomic_load(&paused_in_parse))
		usleep(1000);
	pid_t pid = fork();
	if (pid == 0) {
		bool seen = false;
		for (int i = 0; i < 3 && !seen; i++) {
			wait_next_second();
			seen = config_load_matches("b.test", NULL, &(bool){false});
		}
		_exit(seen ? 0 : 1);
	}
	atomic_store(&resume_parse, true);
	pthread_join(t, NULL);
	int status = 0;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the child kept the old config");
	remove_file();
}
END_TEST

/* Replaces the file as an editor does: a new file renamed over it. */
static bool rename_file(const char *text)
{
	char tmp[sizeof(SRVSIP_CONFIG_PATH) + 8];
	snprintf(tmp, sizeof(tmp), "%s.new", SRVSIP_CONFIG_PATH);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, 0644) == 0;
	close(fd);
	return ok && rename(tmp, SRVSIP_CONFIG_PATH) == 0;
}

struct decider {
	atomic_bool *stop;
	unsigned long rounds;
	unsigned long matched;
	unsigned long inconsistent; /* a decision mixing two files */
};

/* Each file puts one name in scope with its own port and services: a
 * decision must come whole from one of them. */
static void *decide_until_stopped(void *arg)
{
	struct decider *d = arg;
	static const struct {
		const char *name;
		int port;
		const char *service;
	} files[] = {{"one.test", 5071, "_one._udp"}, {"two.test", 5072, "_two._tcp"}};

	while (!atomic_load(d->stop)) {
		for (size_t i = 0; i < 2; i++) {
			struct config_decision dec;
			char services[SRV_MAX_SERVICES][SRV_SERVICE_SIZE];
			config_load_decide(files[i].name, "x", &dec, services);
			if (!dec.matched)
				continue;
			d->matched++;
			if (dec.port != files[i].port || dec.nservices != 1 ||
			    strcmp(services[0], files[i].service) != 0 ||
			    dec.debug != (i == 1))
				d->inconsistent++;
		}
		d->rounds++;
	}
	return NULL;
}

START_TEST(test_config_reloads_under_concurrent_lookups_give_whole_decisions)
{
	/* Lookups hold a snapshot without a lock while the file is replaced
	 * and reloaded: under ASan a snapshot freed too early would show. */
	if (geteuid() != 0)
		return;
	static const char *texts[] = {
		"# one\ndomain one.test port 5071 services _one._udp\n",
		"debug\ndomain two.test port 5072 services _two._tcp\n",
	};
	atomic_bool stop = false;
	struct decider d[4];
	pthread_t t[4];

	ck_assert(rename_file(texts[0]));
	for (int i = 0; i < 4; i++) {
		d[i] = (struct decider){&stop, 0, 0, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, decide_until_stopped, &d[i]), 0);
	}
	/* 2.6 s: two or three reloads, each retiring a snapshot in use */
	struct timespec pause = {0, 100 * 1000 * 1000};
	for (int i = 0; i < 26; i++) {
		ck_assert(rename_file(texts[(i / 3) % 2]));
		nanosleep(&pause, NULL);
	}
	atomic_store(&stop, true);
	unsigned long matched = 0;
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_uint_eq(d[i].inconsistent, 0);
		ck_assert_uint_gt(d[i].rounds, 0);
		matched += d[i].matched;
	}
	ck_assert_uint_gt(matched, 0);
	remove_file();
	/* without the file, nothing matches any more (within 2 s) */
	struct config_decision dec;
	bool gone = false;
	for (int i = 0; i < 50 && !gone; i++) {
		config_load_decide("one.test", "x", &dec, NULL);
		bool one = dec.matched;
		config_load_decide("two.test", "x", &dec, NULL);
		gone = !one && !dec.matched;
		if (!gone)
			nanosleep(&pause, NULL);
	}
	ck_assert(gone);
}
END_TEST

/* ---- syslog lines --------------------------------------------------------- */

static int listener = -1;

static void listen_log(void)
{
	struct sockaddr_un addr;
	unlink(SRVSIP_SYSLOG_PATH);
	listener = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(listener, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(SRVSIP_SYSLOG_PATH), sizeof(addr.sun_path));
	strcpy(addr.sun_path, SRVSIP_SYSLOG_PATH);
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
	struct timeval tv = {2, 0};
	setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Next line received, or "" after 2 s. */
static const char *next_log_line(void)
{
	static char line[2048];
	ssize_t n = recv(listener, line, sizeof(line) - 1, 0);
	line[n > 0 ? n : 0] = '\0';
	return line;
}

static void unlisten_log(void)
{
	if (listener >= 0)
		close(listener);
	listener = -1;
	unlink(SRVSIP_SYSLOG_PATH);
}

static unsigned open_fds(void)
{
	unsigned n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

START_TEST(test_log_lines_go_to_syslog_with_priority_ident_and_pid)
{
	char want[128];

	listen_log();
	unsigned fds = open_fds();
	errno = 4242;
	srvsip_log_debug("lookup %s port=%d", "sipdomain.com", 5060);
	ck_assert_int_eq(errno, 4242);
	ck_assert_uint_eq(open_fds(), fds); /* the socket is closed again */
	/* LOG_DAEMON | LOG_DEBUG = 31, | LOG_WARNING = 28 */
	snprintf(want, sizeof(want), "<31>libnss_srvsip[%ld]: lookup sipdomain.com port=5060",
		 (long)getpid());
	ck_assert_str_eq(next_log_line(), want);
	srvsip_log_warning("line %u ignored", 7u);
	snprintf(want, sizeof(want), "<28>libnss_srvsip[%ld]: line 7 ignored", (long)getpid());
	ck_assert_str_eq(next_log_line(), want);

	/* a long line is cut, not overflowed */
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	srvsip_log_debug("%s", big);
	const char *got = next_log_line();
	ck_assert_uint_gt(strlen(got), 900);
	ck_assert_uint_lt(strlen(got), 1024);
	unlisten_log();
}
END_TEST

START_TEST(test_log_without_a_syslog_daemon_changes_nothing)
{
	unlisten_log();
	unsigned fds = open_fds();
	errno = 4243;
	srvsip_log_debug("nobody listens %d", 1);
	srvsip_log_warning("nobody listens %d", 2);
	ck_assert_int_eq(errno, 4243);
	ck_assert_uint_eq(open_fds(), fds);
}
END_TEST

START_TEST(test_bad_config_lines_are_logged_with_numbers_when_debug_is_on)
{
	struct config_decision d;
	char want[512];

	if (geteuid() != 0)
		return;
	listen_log();
	ck_assert(write_file("domain ok.test\nbogus line\ndebug\ndomain bad.test port 0\n", 0644));
	config_load_decide("ok.test", "x", &d, NULL);
	ck_assert(d.matched);
	ck_assert(d.debug);
	snprintf(want, sizeof(want), "<28>libnss_srvsip[%ld]: %s line 2 ignored: ", (long)getpid(),
		 SRVSIP_CONFIG_PATH);
	const char *got = next_log_line();
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got \"%s\"", got);
	snprintf(want, sizeof(want), "<28>libnss_srvsip[%ld]: %s line 4 ignored: port must be",
		 (long)getpid(), SRVSIP_CONFIG_PATH);
	got = next_log_line();
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got \"%s\"", got);
	remove_file();
	unlisten_log();
}
END_TEST

START_TEST(test_bad_config_lines_are_silent_without_debug)
{
	struct config_decision d;

	if (geteuid() != 0)
		return;
	listen_log();
	struct timeval tv = {0, 300 * 1000};
	setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert(write_file("domain ok.test\nbogus line\n", 0644));
	config_load_decide("ok.test", "x", &d, NULL);
	ck_assert(d.matched);
	ck_assert_str_eq(next_log_line(), "");
	remove_file();
	unlisten_log();
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_every_keyword_is_parsed);
	tcase_add_test(tc, test_a_repeated_domain_or_program_line_is_reported_and_the_first_applies);
	tcase_add_test(tc, test_an_empty_item_in_a_services_list_is_malformed);
	tcase_add_test(tc, test_defaults_are_off_port_5060_and_sip_udp_then_tcp);
	tcase_add_test(tc, test_empty_stream_and_comments_give_an_empty_config);
	tcase_add_test(tc, test_services_keep_their_order_and_at_most_four);
	tcase_add_test(tc, test_ports_1_and_65535_are_the_bounds);
	tcase_add_test(tc, test_cache_takes_on_or_off_and_the_last_line_wins);
	tcase_add_test(tc, test_domain_names_are_stored_lower_case_without_trailing_dot);
	tcase_add_test(tc, test_malformed_lines_are_reported_with_their_numbers_and_skipped);
	tcase_add_test(tc, test_line_of_1023_octets_is_read_and_longer_is_refused);
	tcase_add_test(tc, test_repeated_option_on_one_line_takes_the_last_value);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_exact_domain_beats_suffix_and_longest_suffix_wins);
	tcase_add_test(tc, test_suffix_matches_whole_labels_only);
	tcase_add_test(tc, test_domain_match_ignores_case_and_a_trailing_dot);
	tcase_add_test(tc, test_domain_index_rules_out_only_names_no_entry_can_match);
	tcase_add_test(tc, test_program_match_is_exact_and_case_sensitive);
	suite_add_tcase(s, tc);

	tc = tcase_create("file");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_config_file_trusted_wants_root_owned_regular_small_file_only_root_writes);
	tcase_add_test(tc, test_config_load_decide_uses_a_trusted_file);
	tcase_add_test(tc, test_config_load_ignores_a_file_others_may_write);
	tcase_add_test(tc, test_config_program_lines_do_not_apply_in_a_setuid_program);
	tcase_add_test(tc, test_config_load_ignores_a_directory_and_a_missing_file);
	tcase_add_test(tc, test_config_load_rereads_a_changed_file_within_two_seconds);
	tcase_add_test(tc, test_config_load_unreadable_for_now_is_read_again_at_the_next_check);
	tcase_add_test(tc, test_config_load_keeps_the_config_when_stat_fails_for_now);
	tcase_add_test(tc, test_config_load_refuses_a_file_that_grew_past_the_limit);
	tcase_add_test(tc, test_a_child_forked_during_a_reload_reads_the_file_again);
	tcase_add_test(tc, test_config_reloads_under_concurrent_lookups_give_whole_decisions);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_log_lines_go_to_syslog_with_priority_ident_and_pid);
	tcase_add_test(tc, test_log_without_a_syslog_daemon_changes_nothing);
	tcase_add_test(tc, test_bad_config_lines_are_logged_with_numbers_when_debug_is_on);
	tcase_add_test(tc, test_bad_config_lines_are_silent_without_debug);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	Suite *suites[1] = {config_suite()};
	return test_run_suites(suites, 1);
}
