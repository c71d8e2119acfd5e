/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srvsip.conf parser and matcher: see config.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "srv_parse.h"
#include "text.h"

static const char default_services[][SRV_SERVICE_SIZE] = {"_sip._udp", "_sip._tcp"};

/* Reads one line into buf (NUL-terminated).  Returns 1 for a line, 0 at end
 * of stream; *bad is set when the line was too long or held a NUL octet. */
static int read_line(FILE *stream, char *buf, size_t size, bool *bad)
{
	size_t used = 0;
	int ch;

	*bad = false;
	while ((ch = getc(stream)) != EOF && ch != '\n') {
		if (ch == '\0')
			*bad = true;
		if (used + 1 < size)
			buf[used++] = (char)ch;
		else
			*bad = true;
	}
	buf[used] = '\0';
	return (ch == EOF && used == 0 && !*bad) ? 0 : 1;
}

/* Splits buf, cut at its first '#', into words in place: how many, or -1 for
 * more than max or an octet outside printable ASCII. */
static int split_words(char *buf, char **words, int max)
{
	int n = 0;
	char *save = NULL;

	buf[strcspn(buf, "#")] = '\0';
	for (char *w = strtok_r(buf, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (n == max)
			return -1;
		for (const char *p = w; *p; p++)
			if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
				return -1;
		words[n++] = w;
	}
	return n;
}

static bool parse_port(const char *text, int *port)
{
	char *end;
	long value;

	if (text[0] < '0' || text[0] > '9')
		return false;
	value = strtol(text, &end, 10);
	if (*end != '\0' || value < 1 || value > 65535)
		return false;
	*port = (int)value;
	return true;
}

/* "_sip._udp,_sip._tcp": each two labels starting with '_' (so none empty). */
static bool parse_services(char *text, struct config_entry *entry)
{
	entry->nservices = 0;
	for (const char *item; (item = strsep(&text, ",")) != NULL;) {
		const char *dot = strchr(item, '.');
		if (entry->nservices == SRV_MAX_SERVICES || item[0] != '_' || dot == NULL ||
		    dot[1] != '_' || strchr(dot + 1, '.') != NULL || !srv_name_valid(item) ||
		    strlen(item) >= SRV_SERVICE_SIZE)
			return false;
		text_copy(entry->services[entry->nservices++], SRV_SERVICE_SIZE, item);
	}
	return entry->nservices > 0;
}

/* Parses "NAME [port N] [services LIST]"; returns a problem or NULL. */
static const char *parse_entry(char **words, int n, bool is_domain, struct config_entry *entry)
{
	memset(entry, 0, sizeof(*entry));
	if (n < 2)
		return "missing name";
	const char *name = words[1];
	bool fits = text_copy(entry->name, sizeof(entry->name), name);
	entry->suffix = is_domain && name[0] == '.';
	entry->program = !is_domain;
	if (is_domain && (!fits || !srv_name_valid(entry->suffix ? name + 1 : name)))
		return "invalid domain name";
	if (!is_domain && (!fits || strchr(name, '/') != NULL))
		return "invalid program name";
	entry->len = strlen(entry->name);
	if (is_domain) {
		if (entry->name[entry->len - 1] == '.')
			entry->name[--entry->len] = '\0';
		for (char *p = entry->name; *p; p++)
			*p = ascii_lower(*p);
	}
	entry->port = CONFIG_DEFAULT_PORT;
	for (int i = 2; i < n; i += 2) {
		if (i + 1 >= n)
			return "option without a value";
		if (strcmp(words[i], "port") == 0) {
			if (!parse_port(words[i + 1], &entry->port))
				return "port must be 1 to 65535";
		} else if (strcmp(words[i], "services") == 0) {
			if (!parse_services(words[i + 1], entry))
				return "services must be _service._proto[,...] (at most 4)";
		} else {
			return "unknown option (expected port or services)";
		}
	}
	if (entry->nservices == 0) {
		memcpy(entry->services, default_services, sizeof(default_services));
		entry->nservices = sizeof(default_services) / sizeof(default_services[0]);
	}
	return NULL;
}

static size_t length_bit(size_t len)
{
	return len < CONFIG_LENGTHS ? len : CONFIG_LENGTHS - 1;
}

/* Notes the lengths an entry may match: its own, or for a suffix (whose len
 * counts the leading dot) every longer one. */
static void index_domain(struct srvsip_config *cfg, const struct config_entry *entry)
{
	size_t first = entry->suffix ? entry->len + 1 : length_bit(entry->len);
	size_t last = entry->suffix ? CONFIG_LENGTHS - 1 : first;

	for (size_t bit = first; bit <= last; bit++)
		cfg->domain_lengths[bit / 64] |= UINT64_C(1) << (bit % 64);
}

static bool length_indexed(const struct srvsip_config *cfg, size_t len)
{
	size_t bit = length_bit(len);
	return (cfg->domain_lengths[bit / 64] >> (bit % 64)) & 1u;
}

static const char out_of_memory[] = "out of memory"; /* config_parse gives up */

/* A domain or program line: its entry kept, or the problem. */
static const char *keep_entry(struct srvsip_config *cfg, char **words, int n)
{
	bool is_domain = words[0][0] == 'd';
	struct config_entry **list = is_domain ? &cfg->domains : &cfg->programs;
	size_t *count = is_domain ? &cfg->ndomains : &cfg->nprograms;
	struct config_entry entry;
	const char *problem = parse_entry(words, n, is_domain, &entry);

	if (problem != NULL)
		return problem;
	for (size_t i = 0; i < *count; i++)
		if (strcmp((*list)[i].name, entry.name) == 0) /* domains: lower case, no dot */
			return "repeats an earlier line of the same name, which applies";
	struct config_entry *grown = realloc(*list, (*count + 1) * sizeof(**list));
	if (grown == NULL)
		return out_of_memory;
	memcpy(&grown[*count], &entry, sizeof(entry)); /* padding too: config_load memcmps entries */
	*list = grown;
	(*count)++;
	if (is_domain)
		index_domain(cfg, &entry);
	return NULL;
}

/* One line of the file (its words, n > 0): NULL, or what is wrong. */
static const char *parse_line(struct srvsip_config *cfg, char **words, int n)
{
	if (strcmp(words[0], "debug") == 0 && n == 1) {
		cfg->debug = true;
	} else if (strcmp(words[0], "allow-cname") == 0 && n == 1) {
		cfg->allow_cname = true;
	} else if (strcmp(words[0], "cache") == 0 && n == 2 &&
		   (strcmp(words[1], "on") == 0 || strcmp(words[1], "off") == 0)) {
		cfg->cache_off = strcmp(words[1], "off") == 0;
	} else if (strcmp(words[0], "domain") == 0 || strcmp(words[0], "program") == 0) {
		return keep_entry(cfg, words, n);
	} else {
		return "unknown keyword or arguments (expected debug, allow-cname, cache on|off, "
		       "domain, program)";
	}
	return NULL;
}

int config_parse(FILE *stream, struct srvsip_config *cfg, config_error_fn on_error, void *ctx)
{
	char buf[CONFIG_LINE_MAX];
	unsigned line = 0;
	bool bad;

	memset(cfg, 0, sizeof(*cfg));
	while (read_line(stream, buf, sizeof(buf), &bad)) {
		char *words[8];
		int n = bad ? 0 : split_words(buf, words, 8);
		const char *problem = NULL;

		line++;
		if (bad)
			problem = "line too long or contains a NUL octet";
		else if (n < 0)
			problem = "too many words or a non-ASCII octet";
		else if (n > 0)
			problem = parse_line(cfg, words, n);
		if (problem == out_of_memory) {
			config_free(cfg);
			return -1;
		}
		if (problem != NULL) {
			cfg->bad_lines++;
			if (on_error)
				on_error(ctx, line, problem);
		}
	}
	return 0;
}

void config_free(struct srvsip_config *cfg)
{
	free(cfg->domains);
	free(cfg->programs);
	memset(cfg, 0, sizeof(*cfg));
}

const struct config_entry *config_match_domain(const struct srvsip_config *cfg, const char *name)
{
	size_t len = strlen(name);
	const struct config_entry *best = NULL;

	if (len > 0 && name[len - 1] == '.')
		len--; /* entries are stored without their trailing dot */
	if (!length_indexed(cfg, len))
		return NULL;
	for (size_t i = 0; i < cfg->ndomains; i++) {
		const struct config_entry *e = &cfg->domains[i];
		if (!e->suffix) {
			if (e->len == len && ascii_equal_nocase(e->name, name, len))
				return e;
		} else if (len > e->len && (best == NULL || e->len > best->len) &&
			   ascii_equal_nocase(e->name, name + len - e->len, e->len)) {
			best = e; /* e->name starts with '.': a whole-label suffix */
		}
	}
	return best;
}

const struct config_entry *config_match_program(const struct srvsip_config *cfg,
						 const char *program)
{
	for (size_t i = 0; i < cfg->nprograms; i++)
		if (strcmp(cfg->programs[i].name, program) == 0)
			return &cfg->programs[i];
	return NULL;
}
