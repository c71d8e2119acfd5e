/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer harness: srvsip.conf through config_parse (via fmemopen) and the
 * matchers.  Checks what the rest of the module relies on: ports 1..65535,
 * 1..4 services of the form "_service._proto", lower-case valid domain names
 * without a trailing dot, a leading '.' exactly for suffix entries, program
 * names without '/', every entry matching itself, and a parse that does not
 * depend on whether an error callback is given. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "srv.h"
#include "srv_parse.h"
#include "fuzz_check.h"

struct errors {
	unsigned count;
	unsigned last_line;
};

static void on_error(void *ctx, unsigned line, const char *problem)
{
	struct errors *e = ctx;
	check(problem != NULL && problem[0] != '\0');
	check(line >= 1 && line > e->last_line); /* one report per line, in order */
	e->last_line = line;
	e->count++;
}

static bool parse(const uint8_t *data, size_t size, struct srvsip_config *cfg, struct errors *e)
{
	/* fmemopen wants a writable buffer in some glibc versions: copy. */
	char *copy = malloc(size ? size : 1);
	check(copy != NULL);
	if (size > 0)
		memcpy(copy, data, size);
	FILE *stream = fmemopen(copy, size ? size : 1, "r");
	if (stream == NULL) {
		free(copy);
		return false;
	}
	if (size == 0)
		(void)getc(stream); /* an empty stream */
	int rc = e ? config_parse(stream, cfg, on_error, e) : config_parse(stream, cfg, NULL, NULL);
	fclose(stream);
	free(copy);
	check(rc == 0); /* no allocation failure here */
	return true;
}

static void check_services(const struct config_entry *e)
{
	check(e->nservices >= 1 && e->nservices <= SRV_MAX_SERVICES);
	for (unsigned i = 0; i < e->nservices; i++) {
		const char *s = e->services[i];
		check(memchr(s, '\0', SRV_SERVICE_SIZE) != NULL);
		const char *dot = strchr(s, '.');
		check(s[0] == '_' && dot != NULL && dot[1] == '_' && strchr(dot + 1, '.') == NULL);
		check(srv_name_valid(s));
	}
}

static void check_entry(const struct config_entry *e, bool domain)
{
	check(memchr(e->name, '\0', sizeof(e->name)) != NULL);
	check(e->port >= 1 && e->port <= 65535);
	check_services(e);
	if (domain) {
		size_t len = strlen(e->name);
		check(e->suffix == (e->name[0] == '.'));
		const char *bare = e->suffix ? e->name + 1 : e->name;
		check(srv_name_valid(bare));
		check(len > 0 && e->name[len - 1] != '.');
		for (const char *p = e->name; *p; p++)
			check(!(*p >= 'A' && *p <= 'Z'));
	} else {
		check(e->name[0] != '\0' && strchr(e->name, '/') == NULL);
		check(!e->suffix);
	}
}

static bool same_entry(const struct config_entry *a, const struct config_entry *b)
{
	if (strcmp(a->name, b->name) != 0 || a->suffix != b->suffix || a->port != b->port ||
	    a->nservices != b->nservices)
		return false;
	for (unsigned i = 0; i < a->nservices; i++)
		if (strcmp(a->services[i], b->services[i]) != 0)
			return false;
	return true;
}

static void check_match(const struct srvsip_config *cfg, const char *name)
{
	const struct config_entry *e = config_match_domain(cfg, name);
	size_t len = strlen(name);

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (e == NULL)
		return;
	check(e >= cfg->domains && e < cfg->domains + cfg->ndomains);
	size_t elen = strlen(e->name);
	if (e->suffix) {
		/* A whole-label suffix of the name, and no exact entry exists. */
		check(len > elen && strncasecmp(e->name, name + len - elen, elen) == 0);
		for (size_t i = 0; i < cfg->ndomains; i++) {
			const struct config_entry *o = &cfg->domains[i];
			size_t olen = strlen(o->name);
			check(o->suffix || olen != len || strncasecmp(o->name, name, len) != 0);
			/* The longest suffix wins. */
			if (o->suffix && len > olen && strncasecmp(o->name, name + len - olen, olen) == 0)
				check(olen <= elen);
		}
	} else {
		check(elen == len && strncasecmp(e->name, name, len) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srvsip_config cfg;
	struct srvsip_config quiet;
	struct errors errors = {0, 0};

	if (size > 4 * CONFIG_LINE_MAX * 16)
		return 0;
	if (!parse(data, size, &cfg, &errors))
		return 0;
	unsigned lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	check(errors.count == cfg.bad_lines);
	check(cfg.bad_lines <= lines);
	check((cfg.ndomains == 0) == (cfg.domains == NULL));
	check((cfg.nprograms == 0) == (cfg.programs == NULL));

	/* The same result without an error callback. */
	check(parse(data, size, &quiet, NULL));
	check(quiet.debug == cfg.debug && quiet.allow_cname == cfg.allow_cname &&
	      quiet.ndomains == cfg.ndomains && quiet.nprograms == cfg.nprograms &&
	      quiet.bad_lines == cfg.bad_lines);
	for (size_t i = 0; i < cfg.ndomains; i++)
		check(same_entry(&cfg.domains[i], &quiet.domains[i]));
	for (size_t i = 0; i < cfg.nprograms; i++)
		check(same_entry(&cfg.programs[i], &quiet.programs[i]));
	config_free(&quiet);
	check(quiet.domains == NULL && quiet.ndomains == 0);

	for (size_t i = 0; i < cfg.ndomains; i++) {
		const struct config_entry *e = &cfg.domains[i];
		check_entry(e, true);
		/* Every entry is found for the names it stands for. */
		char name[DNS_NAME_TEXT_SIZE + 8];
		if (e->suffix) {
			snprintf(name, sizeof(name), "x%s", e->name);
			check_match(&cfg, name);
			if (srv_name_valid(name))
				check(config_match_domain(&cfg, name) != NULL);
		} else {
			const struct config_entry *m = config_match_domain(&cfg, e->name);
			check(m != NULL && !m->suffix && strcmp(m->name, e->name) == 0 && m <= e);
			snprintf(name, sizeof(name), "%s.", e->name);
			check(config_match_domain(&cfg, name) == m);
			for (char *p = name; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
			check(config_match_domain(&cfg, name) == m);
		}
	}
	for (size_t i = 0; i < cfg.nprograms; i++) {
		const struct config_entry *e = &cfg.programs[i];
		check_entry(e, false);
		const struct config_entry *m = config_match_program(&cfg, e->name);
		check(m != NULL && strcmp(m->name, e->name) == 0 && m <= e);
	}

	static const char *const names[] = {
		"sipdomain.com", "SIPDOMAIN.COM.", "a.example.org", "example.org", ".example.org",
		"org", "", ".", "..", "x.", "a.b.c.d.e.f.example.org", "voip.example.org",
		"sipp", "twinkle",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		check_match(&cfg, names[i]);
		const struct config_entry *p = config_match_program(&cfg, names[i]);
		check(p == NULL || strcmp(p->name, names[i]) == 0);
	}
	/* The input's last line as a name. */
	char tail[DNS_NAME_TEXT_SIZE + 1];
	size_t start = size;
	while (start > 0 && data[start - 1] != '\n' && size - start < sizeof(tail) - 1)
		start--;
	memcpy(tail, data + start, size - start);
	tail[size - start] = '\0';
	check_match(&cfg, tail);
	config_match_program(&cfg, tail);

	config_free(&cfg);
	return 0;
}
