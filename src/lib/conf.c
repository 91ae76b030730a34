/* SPDX-License-Identifier: MIT */
/*
 * conf.c: loads inkwell.conf with inih, table-driven like pgbouncer.
 *
 * Every key has one row in keys[] giving its section, name, type, default
 * and bounds; the file parser, the environment override and the defaults
 * all go through the same setter, so a value means the same wherever it
 * came from.  inih reports only the first syntax error's line, so the
 * file is fed to it by our own line reader that counts lines: each
 * problem is then reported as file:line: reason.  The same reader lets
 * a key = value line run past inih's fixed line buffer (200 bytes as
 * Debian builds it) up to MAX_LINE: a connection string with its TLS
 * settings is longer than that.  Secrets may come from
 * files: "primary_file = /run/secrets/db" sets "primary".
 *
 * Layers (conf_load): the compiled-in defaults, the package's defaults
 * file, the operator's file, its conf.d drop-ins, the environment; each
 * key keeps the value of the last layer that set it, and remembers where
 * that was, so check-config can say which file won and errors found
 * after all layers (check()) still name a file and line.  The package
 * changes only its defaults file, never a file under /etc, so upgrades
 * never meet an edited conffile.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "lib/conf.h"
#include "lib/util.h"

enum ctype {
	CT_STR,
	CT_INT,
	CT_OCTAL,
	CT_BOOL,		/* true/false, yes/no, on/off, 1/0 */
	CT_RATIO,		/* a fraction, 0 to 1 */
	CT__MAX
};

struct ckey {
	const char	*section;
	const char	*name;
	enum ctype	 type;
	size_t		 off;
	const char	*def;
	int64_t		 min, max;
	bool		 secret;	/* masked in dumps; may come from *_file */
};

#define S(f)	offsetof(struct conf, f)
static const struct ckey keys[] = {
	{ "server", "listen", CT_STR, S(listen),
	    "unix:/run/inkwell/inkwell.sock", 0, 0, false },
	{ "server", "workers", CT_INT, S(workers), "4", 1, 256, false },
	{ "server", "socket_mode", CT_OCTAL, S(socket_mode), "0660",
	    0, 0777, false },
	{ "server", "user", CT_STR, S(user), "", 0, 0, false },
	{ "server", "shutdown_timeout", CT_INT, S(shutdown_timeout), "30",
	    1, 3600, false },
	{ "server", "max_body", CT_INT, S(max_body), "8388608",
	    1024, 1073741824, false },
	{ "server", "media_max_bytes", CT_INT, S(media_max_bytes), "8388608",
	    1024, 1073741824, false },
	{ "server", "media_max_pixels", CT_INT, S(media_max_pixels),
	    "50000000", 1, 1000000000, false },
	{ "server", "media_max_side", CT_INT, S(media_max_side), "20000",
	    1, 100000, false },
	{ "server", "media_timeout", CT_INT, S(media_timeout), "30", 1, 600,
	    false },
	{ "server", "media_memory_mb", CT_INT, S(media_memory_mb), "1024",
	    64, 65536, false },
	{ "server", "image_helper", CT_STR, S(image_helper),
	    PKGLIBEXECDIR "/inkwell-image", 0, 0, false },
	{ "server", "base_url", CT_STR, S(base_url), "http://localhost",
	    0, 0, false },
	{ "database", "primary", CT_STR, S(db_primary), "dbname=inkwell",
	    0, 0, true },
	{ "database", "replica", CT_STR, S(db_replica), "", 0, 0, true },
	{ "database", "statement_timeout", CT_INT, S(db_statement_timeout),
	    "5000", 10, 600000, false },
	{ "database", "connect_timeout", CT_INT, S(db_connect_timeout), "3",
	    1, 60, false },
	{ "redis", "address", CT_STR, S(redis_address),
	    "unix:/run/redis/redis-server.sock", 0, 0, true },
	{ "redis", "password", CT_STR, S(redis_password), "", 0, 0, true },
	{ "redis", "timeout", CT_INT, S(redis_timeout), "100", 1, 10000,
	    false },
	{ "redis", "ttl", CT_INT, S(redis_ttl), "600", 1, 86400, false },
	{ "redis", "retry", CT_INT, S(redis_retry), "1000", 10, 600000,
	    false },
	{ "redis", "sync_interval", CT_INT, S(redis_sync_interval), "1000",
	    10, 60000, false },
	{ "cache", "render_wait_ms", CT_INT, S(cache_render_wait), "1000",
	    0, 60000, false },
	{ "paths", "templates", CT_STR, S(templates),
	    PKGDATADIR "/templates", 0, 0, false },
	{ "paths", "static", CT_STR, S(static_dir), PKGDATADIR "/static",
	    0, 0, false },
	{ "paths", "pages", CT_STR, S(pages_dir), "/run/inkwell/pages",
	    0, 0, false },
	{ "paths", "page_hits", CT_STR, S(page_hits),
	    "/run/inkwell/hits/hits.sock", 0, 0, false },
	{ "paths", "pages_max_mb", CT_INT, S(pages_max_mb), "64", 1, 65536,
	    false },
	{ "paths", "stale", CT_STR, S(stale_dir), "/var/cache/inkwell/stale",
	    0, 0, false },
	{ "paths", "stale_max_mb", CT_INT, S(stale_max_mb), "4096", 1,
	    1048576, false },
	{ "paths", "stale_settle", CT_INT, S(stale_settle), "10", 0, 86400,
	    false },
	{ "paths", "stale_every", CT_INT, S(stale_every), "60", 0, 86400,
	    false },
	{ "trace", "endpoint", CT_STR, S(trace_endpoint), "", 0, 0, false },
	{ "trace", "sample_ratio", CT_RATIO, S(trace_sample_ratio), "1.0", 0,
	    1, false },
	{ "trace", "service_name", CT_STR, S(trace_service), "inkwell", 0, 0,
	    false },
	{ "trace", "queue_size", CT_INT, S(trace_queue), "2048", 16, 65536,
	    false },
	{ "trace", "batch_size", CT_INT, S(trace_batch), "256", 1, 8192,
	    false },
	{ "trace", "timeout_ms", CT_INT, S(trace_timeout), "1000", 10, 60000,
	    false },
	{ "log", "level", CT_STR, S(log_level), "info", 0, 0, false },
	{ "chaos", "enabled", CT_BOOL, S(chaos_enabled), "false", 0, 0,
	    false },
	{ "chaos", "route", CT_STR, S(chaos_route), "", 0, 0, false },
	{ "chaos", "ratio", CT_RATIO, S(chaos_ratio), "0", 0, 0, false },
	{ "chaos", "latency_ms", CT_INT, S(chaos_latency_ms), "0", 0, 60000,
	    false },
	{ "chaos", "error_status", CT_INT, S(chaos_error_status), "0", 0, 599,
	    false },
	{ "chaos", "crash", CT_BOOL, S(chaos_crash), "false", 0, 0, false },
	{ "chaos", "header_secret", CT_STR, S(chaos_header_secret), "", 0, 0,
	    true },
};
#undef S

_Static_assert(NELEM(keys) == CONF_NKEYS, "CONF_NKEYS must count keys[]");

#define MAX_VALUE	4096	/* bytes in one value, file or environment */
#define MAX_LINE	4096	/* bytes in one line of the file */

static char **
strslot(struct conf *c, const struct ckey *k)
{
	return (char **)((char *)c + k->off);
}

static int64_t *
intslot(struct conf *c, const struct ckey *k)
{
	return (int64_t *)((char *)c + k->off);
}

static bool *
boolslot(struct conf *c, const struct ckey *k)
{
	return (bool *)((char *)c + k->off);
}

static double *
ratioslot(struct conf *c, const struct ckey *k)
{
	return (double *)((char *)c + k->off);
}

/* Digits, optionally a point and more digits: no sign, exponent, hex,
 * inf or nan, which strtod would take. */
static bool
plain_decimal(const char *v)
{
	size_t	 n = strspn(v, "0123456789");

	if (n == 0)
		return false;
	if (v[n] == '\0')
		return true;
	if (v[n] != '.' || v[n + 1] == '\0')
		return false;
	return v[n + 1 + strspn(v + n + 1, "0123456789")] == '\0';
}

/* Sets one key from text; returns NULL or a reason. */
static const char *
setkey(struct conf *c, const struct ckey *k, const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char		*end;
	long long	 n;
	double		 d;
	char		**sp;

	if (strlen(v) > MAX_VALUE)
		return "value too long";
	switch (k->type) {
	case CT_STR:
		sp = strslot(c, k);
		free(*sp);
		*sp = xstrdup(v);
		return NULL;
	case CT_INT:
	case CT_OCTAL:
		if (*v == '\0' || isspace((unsigned char)*v) || *v == '+')
			return "not a number";
		errno = 0;
		n = strtoll(v, &end, k->type == CT_OCTAL ? 8 : 10);
		if (errno != 0 || *end != '\0')
			return k->type == CT_OCTAL ? "not an octal number" :
			    "not a whole number";
		if (n < k->min || n > k->max)
			return "out of range";
		*intslot(c, k) = n;
		return NULL;
	case CT_BOOL:
		for (size_t i = 0; i < NELEM(yes); i++) {
			if (strcasecmp(v, yes[i]) == 0) {
				*boolslot(c, k) = true;
				return NULL;
			}
			if (strcasecmp(v, no[i]) == 0) {
				*boolslot(c, k) = false;
				return NULL;
			}
		}
		return "expected true or false";
	case CT_RATIO:
		/* Plain decimals only: no sign, exponent, hex, "nan" or
		 * "inf", which strtod would take. */
		if (!plain_decimal(v))
			return "expected a number from 0 to 1 (like 0.25)";
		errno = 0;
		d = strtod(v, &end);
		if (errno != 0 || *end != '\0' || end == v)
			return "expected a number from 0 to 1";
		if (d < 0.0 || d > 1.0)
			return "out of range (allowed 0..1)";
		*ratioslot(c, k) = d;
		return NULL;
	default:
		return "internal: bad key type";
	}
}

static const struct ckey *
findkey(const char *section, const char *name, bool *is_file)
{
	size_t	 len = strlen(name);

	*is_file = false;
	for (size_t i = 0; i < NELEM(keys); i++) {
		const struct ckey *k = &keys[i];
		size_t	 kl = strlen(k->name);

		if (strcasecmp(k->section, section) != 0)
			continue;
		if (strcasecmp(k->name, name) == 0)
			return k;
		if (k->secret && len == kl + 5 &&
		    strncasecmp(name, k->name, kl) == 0 &&
		    strcasecmp(name + kl, "_file") == 0) {
			*is_file = true;
			return k;
		}
	}
	return NULL;
}

/* Reads a secret file: at most MAX_VALUE bytes, trailing newlines cut. */
static const char *
readsecret(const char *path, char *out, size_t outlen)
{
	int	 fd;
	ssize_t	 n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return strerror(errno);
	n = read(fd, out, outlen - 1);
	close(fd);
	if (n < 0)
		return strerror(errno);
	if ((size_t)n == outlen - 1)
		return "secret file too large";
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	if (memchr(out, '\0', (size_t)n) != NULL)
		return "secret file contains a NUL byte";
	return NULL;
}

/* Sets key k (or, with is_file, the secret read from the file named by
 * value) from any source; where labels the error. */
static void
apply(struct conf *c, struct report *e, const char *where, const struct ckey *k,
    bool is_file, const char *value)
{
	const char	*why;
	char		 secret[MAX_VALUE + 2];

	if (is_file) {
		if ((why = readsecret(value, secret, sizeof(secret))) != NULL) {
			report_add(e, "%s: %s_file: cannot read %s: %s", where,
			    k->name, value, why);
			return;
		}
		value = secret;
	}
	if ((why = setkey(c, k, value)) == NULL) {
		free(c->origin[k - keys]);
		c->origin[k - keys] = xstrdup(where);
	} else {
		if (k->type == CT_STR)
			report_add(e, "%s: %s: %s", where, k->name, why);
		else if (k->type == CT_BOOL || k->type == CT_RATIO)
			report_add(e, "%s: %s = \"%s\": %s", where, k->name,
			    value, why);
		else
			report_add(e, "%s: %s = \"%s\": %s (allowed %lld..%lld)",
			    where, k->name, value, why, (long long)k->min,
			    (long long)k->max);
	}
	if (is_file)
		explicit_bzero(secret, sizeof(secret));
}

struct parse {
	struct conf	*c;
	struct report	*e;
	const char	*name;
	const char	*text;
	size_t		 len, pos;
	int		 line;		/* line last handed to inih */
	int		 handler_errs_line; /* first one we refused: inih
					    * returns the first bad line */
	char		 where[512];
	/* The value of a line longer than inih's buffer (see long_line):
	 * handler() takes it when inih hands it LONG_VALUE. */
	bool		 have_long;
	char		 long_value[MAX_LINE + 1];
};

/* What inih is handed in place of a value too long for its buffer. */
#define LONG_VALUE	"\001"

static bool
is_space(char ch)
{
	return isspace((unsigned char)ch) != 0;
}

/*
 * Hands inih the line [s, s + n), too long for its buffer of num bytes
 * (INI_MAX_LINE: 200 in Debian's build, where a connection string with
 * its TLS settings and a password easily takes more), as inih would
 * have read it whole: a comment stays a comment; "key = value" goes as
 * "key = LONG_VALUE", the value kept in p for handler(), cut and
 * trimmed as inih cuts and trims one (at an inline " ;" comment, at
 * spaces on either side).  false for a line that is neither, or that
 * starts with a space (a continuation line, to inih), or a [section].
 */
static bool
long_line(struct parse *p, const char *s, size_t n, char *str, int num)
{
	const char	*end = s + n, *eq, *v, *ve;
	size_t		 klen;

	if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;		/* a UTF-8 byte order mark, which inih skips */
	if (s == end || is_space(*s) || *s == '[')
		return false;
	if (*s == ';' || *s == '#') {
		memcpy(str, ";\n", 3);
		return true;
	}
	for (eq = s; eq < end && *eq != '=' && *eq != ':'; eq++)
		if (*eq == ';' && eq > s && is_space(eq[-1]))
			return false;
	if (eq == end)
		return false;
	for (klen = (size_t)(eq - s); klen > 0 && is_space(s[klen - 1]); klen--)
		;
	if (klen == 0 || klen + sizeof(" = " LONG_VALUE "\n") > (size_t)num)
		return false;
	for (v = eq + 1; v < end && is_space(*v); v++)
		;
	for (ve = v; ve < end && !(*ve == ';' && is_space(ve[-1])); ve++)
		;
	while (ve > v && is_space(ve[-1]))
		ve--;
	memcpy(p->long_value, v, (size_t)(ve - v));
	p->long_value[ve - v] = '\0';
	p->have_long = true;
	snprintf(str, (size_t)num, "%.*s = " LONG_VALUE "\n", (int)klen, s);
	return true;
}

/* fgets over memory that counts lines and refuses over-long ones. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse	*p = stream;
	size_t		 start = p->pos, n;
	const char	*nl, *why = NULL;

	if (p->pos >= p->len)
		return NULL;
	p->line++;
	p->have_long = false;
	nl = memchr(p->text + start, '\n', p->len - start);
	n = (nl ? (size_t)(nl - p->text) + 1 : p->len) - start;
	p->pos += n;
	if (memchr(p->text + start, '\0', n) != NULL)
		why = "NUL byte in line";
	else if (n > MAX_LINE)
		why = "line too long (over 4096 bytes)";
	else if (n > (size_t)num - 1 &&
	    !long_line(p, p->text + start, n, str, num))
		why = "line too long for anything but a comment or a key = "
		    "value line";
	else if (n > (size_t)num - 1)
		return str;
	if (why != NULL) {
		report_add(p->e, "%s:%d: %s", p->name, p->line, why);
		if (p->handler_errs_line == 0)
			p->handler_errs_line = p->line;
		/* Hand inih a comment so it keeps going. */
		memcpy(str, ";\n", 3);
		return str;
	}
	memcpy(str, p->text + start, n);
	str[n] = '\0';
	return str;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse	*p = user;
	const struct ckey *k;
	bool		 is_file;
	int		 before = p->e->count;

	if (name == NULL)	/* a [section] line alone (INI_CALL_HANDLER_ON_NEW_SECTION) */
		return 1;
	snprintf(p->where, sizeof(p->where), "%s:%d", p->name, p->line);
	if (*section == '\0') {
		report_add(p->e, "%s: key \"%s\" outside any [section]", p->where,
		    name);
		if (p->handler_errs_line == 0)
			p->handler_errs_line = p->line;
		return 0;
	}
	if (p->have_long && strcmp(value, LONG_VALUE) == 0)
		value = p->long_value;
	if ((k = findkey(section, name, &is_file)) == NULL)
		report_add(p->e, "%s: unknown key \"%s\" in section [%s]",
		    p->where, name, section);
	else
		apply(p->c, p->e, p->where, k, is_file, value);
	if (p->e->count != before) {
		if (p->handler_errs_line == 0)
			p->handler_errs_line = p->line;
		return 0;
	}
	return 1;
}

static void
parse_text(struct conf *c, struct report *e, const char *name, const char *text,
    size_t len)
{
	struct parse	 p = { .c = c, .e = e, .name = name, .text = text,
	    .len = len };
	int		 r;

	r = ini_parse_stream(reader, &p, handler, &p);
	/*
	 * A positive r names the first line inih disliked.  Lines the
	 * handler or reader refused are already reported; any other is a
	 * syntax error only inih saw.
	 */
	if (r > 0 && r != p.handler_errs_line)
		report_add(e, "%s:%d: syntax error (expected [section] or "
		    "key = value)", name, r);
	else if (r < 0)
		report_add(e, "%s: inih failed (%d)", name, r);
}

static void
apply_env(struct conf *c, struct report *e)
{
	char	 var[128], where[160];
	const char *v;

	for (size_t i = 0; i < NELEM(keys); i++) {
		const struct ckey *k = &keys[i];
		int	 n;

		for (int file = 0; file <= (k->secret ? 1 : 0); file++) {
			n = snprintf(var, sizeof(var), "INKWELL_%s_%s%s",
			    k->section, k->name, file ? "_file" : "");
			if (n < 0 || (size_t)n >= sizeof(var))
				continue;
			for (char *s = var; *s; s++)
				*s = (char)toupper((unsigned char)*s);
			if ((v = getenv(var)) == NULL)
				continue;
			snprintf(where, sizeof(where), "environment %s", var);
			apply(c, e, where, k, file, v);
		}
	}
}

static bool
valid_listen(const char *s)
{
	const char	*colon, *p;

	if (strcmp(s, "systemd") == 0)
		return true;
	if (strncmp(s, "unix:", 5) == 0)
		return s[5] == '/' && strlen(s + 5) < 108;
	if ((colon = strrchr(s, ':')) == NULL || colon == s || colon[1] == '\0')
		return false;
	for (p = colon + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return atoi(colon + 1) > 0 && atoi(colon + 1) < 65536;
}

/* Where the value of the key stored at off came from, for errors. */
static const char *
whence(const struct conf *c, size_t off)
{
	for (size_t i = 0; i < NELEM(keys); i++)
		if (keys[i].off == off)
			return c->origin[i] ? c->origin[i] : "built-in default";
	return "configuration";
}

const char *
conf_origin(const struct conf *c, const char *section, const char *name)
{
	for (size_t i = 0; i < NELEM(keys); i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return whence(c, keys[i].off);
	return "built-in default";
}

#define W(f)	whence(c, offsetof(struct conf, f))
static void
check(const struct conf *c, struct report *e)
{
	static const char *const levels[] = { "debug", "info", "warn",
	    "error" };
	bool	 lvl = false;

	if (!valid_listen(c->listen))
		report_add(e, "%s: listen = \"%s\": expected unix:/path, "
		    "host:port, [v6]:port or systemd", W(listen), c->listen);
	if (strncmp(c->base_url, "http://", 7) != 0 &&
	    strncmp(c->base_url, "https://", 8) != 0)
		report_add(e, "%s: base_url = \"%s\": must start with http:// or "
		    "https://", W(base_url), c->base_url);
	for (size_t i = 0; i < NELEM(levels); i++)
		if (strcmp(c->log_level, levels[i]) == 0)
			lvl = true;
	if (!lvl)
		report_add(e, "%s: level = \"%s\": expected debug, info, warn or "
		    "error", W(log_level), c->log_level);
	if (c->db_primary[0] == '\0')
		report_add(e, "%s: [database] primary must not be empty",
		    W(db_primary));
	/* 0 is "no error answers"; else a server error, which is what the
	 * fault pretends to be, and one /metrics counts under its own code
	 * (any other would be code="other", which 5xx rules do not see). */
	if (c->chaos_error_status != 0 && c->chaos_error_status != 500 &&
	    c->chaos_error_status != 502 && c->chaos_error_status != 503 &&
	    c->chaos_error_status != 504)
		report_add(e, "%s: error_status = %lld: expected 0 (none), 500, "
		    "502, 503 or 504", W(chaos_error_status),
		    (long long)c->chaos_error_status);
	/* Checked even when off, so that turning it on is no surprise.
	 * Whether the route exists is for inkwelld, which has the table. */
	if (c->chaos_enabled && c->chaos_route[0] == '\0')
		report_add(e, "%s: [chaos] enabled with no route: name one as "
		    "/metrics labels it (\"/posts/{slug}\"), or \"*\" for "
		    "every route", W(chaos_enabled));
	if (strpbrk(c->chaos_header_secret, "\r\n") != NULL)
		report_add(e, "%s: header_secret: must fit in one header line",
		    W(chaos_header_secret));
	if (c->trace_endpoint[0] != '\0' &&
	    ((strncmp(c->trace_endpoint, "http://", 7) != 0 &&
	    strncmp(c->trace_endpoint, "https://", 8) != 0) ||
	    strpbrk(c->trace_endpoint, " \t\r\n") != NULL))
		report_add(e, "%s: endpoint = \"%s\": expected empty (off) or "
		    "an http:// or https:// URL", W(trace_endpoint),
		    c->trace_endpoint);
	if (c->trace_batch > c->trace_queue)
		report_add(e, "%s: batch_size = %lld is larger than queue_size "
		    "= %lld", W(trace_batch), (long long)c->trace_batch,
		    (long long)c->trace_queue);
}
#undef W

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NELEM(keys); i++)
		if (setkey(c, &keys[i], keys[i].def) != NULL)
			abort();	/* a bad default is a build bug */
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < NELEM(keys); i++) {
		if (keys[i].type == CT_STR) {
			char	**sp = strslot(c, &keys[i]);

			free(*sp);
			*sp = NULL;
		}
		free(c->origin[i]);
		c->origin[i] = NULL;
	}
	free(c->files);
	c->files = NULL;
}

int
conf_parse_string(struct conf *c, const char *name, const char *text,
    size_t len, char *err, size_t errlen)
{
	struct report	 e = { err, errlen, 0, 0 };

	if (errlen)
		err[0] = '\0';
	conf_defaults(c);
	parse_text(c, &e, name, text, len);
	if (e.count == 0)
		check(c, &e);
	return e.count ? -1 : 0;
}

/* Notes path among the files read, for check-config. */
static void
addfile(struct conf *c, const char *path)
{
	size_t	 have = c->files ? strlen(c->files) : 0, n = strlen(path);

	c->files = xrealloc(c->files, have + n + 2);
	memcpy(c->files + have, path, n);
	c->files[have + n] = '\n';
	c->files[have + n + 1] = '\0';
}

/* Reads and parses one layer's file; a missing one is fine unless
 * must_exist. */
static void
read_file(struct conf *c, struct report *e, const char *path, bool must_exist)
{
	FILE		*f;
	char		*text = NULL;
	size_t		 len = 0, cap = 0, n;

	if ((f = fopen(path, "re")) == NULL) {
		if (must_exist || errno != ENOENT)
			report_add(e, "%s: %s", path, strerror(errno));
		return;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			text = xrealloc(text, cap);
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n > 0 && len < (1 << 20));
	if (ferror(f))
		report_add(e, "%s: %s", path, strerror(errno));
	else if (len >= (1 << 20))
		report_add(e, "%s: file larger than 1 MiB", path);
	else {
		addfile(c, path);
		parse_text(c, e, path, text, len);
	}
	fclose(f);
	free(text);
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define MAX_DROPINS	256

/* Reads DIR/conf.d/\*.conf, DIR being path's directory, in name order. */
static void
read_dropins(struct conf *c, struct report *e, const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		 dir[4096], file[4096 + 256];
	char		*names[MAX_DROPINS];
	size_t		 count = 0;
	DIR		*d;
	struct dirent	*de;
	int		 n;

	if (slash == NULL)
		n = snprintf(dir, sizeof(dir), "%s", CONF_DROPIN_DIR);
	else
		n = snprintf(dir, sizeof(dir), "%.*s/%s", (int)(slash - path),
		    path, CONF_DROPIN_DIR);
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		report_add(e, "%s: path too long for its %s", path,
		    CONF_DROPIN_DIR);
		return;
	}
	if ((d = opendir(dir)) == NULL) {
		if (errno != ENOENT)
			report_add(e, "%s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t	 len = strlen(de->d_name);

		/* Editors' and dpkg's leftovers end otherwise or start
		 * with a dot: only NAME.conf is read. */
		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (count == MAX_DROPINS) {
			report_add(e, "%s: more than %d *.conf files", dir,
			    MAX_DROPINS);
			break;
		}
		names[count++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof(names[0]), namecmp);
	for (size_t i = 0; i < count; i++) {
		n = snprintf(file, sizeof(file), "%s/%s", dir, names[i]);
		if (n >= 0 && (size_t)n < sizeof(file))
			read_file(c, e, file, true);
		free(names[i]);
	}
}

int
conf_load_layers(struct conf *c, const char *vendor, const char *path,
    bool must_exist, char *err, size_t errlen)
{
	struct report	 e = { err, errlen, 0, 0 };

	if (errlen)
		err[0] = '\0';
	conf_defaults(c);
	if (vendor != NULL)
		read_file(c, &e, vendor, false);
	if (path != NULL) {
		read_file(c, &e, path, must_exist);
		read_dropins(c, &e, path);
	}
	apply_env(c, &e);
	if (e.count == 0)
		check(c, &e);
	return e.count ? -1 : 0;
}

int
conf_load(struct conf *c, const char *path, bool must_exist, char *err,
    size_t errlen)
{
	return conf_load_layers(c, CONF_VENDOR_PATH, path, must_exist, err,
	    errlen);
}

void
conf_dump(const struct conf *c, FILE *f)
{
	const char	*sect = "", *p, *nl;

	fprintf(f, "# read, each overriding those before it: the defaults "
	    "built in\n");
	for (p = c->files; p != NULL && *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		fprintf(f, "#   %.*s\n", (int)(nl - p), p);
	}
	fprintf(f, "#   INKWELL_SECTION_KEY variables\n");
	for (size_t i = 0; i < NELEM(keys); i++) {
		const struct ckey *k = &keys[i];

		if (strcmp(sect, k->section) != 0) {
			fprintf(f, "\n[%s]\n", k->section);
			sect = k->section;
		}
		fprintf(f, "; %s\n", c->origin[i] ? c->origin[i] :
		    "built in");
		if (k->type == CT_STR)
			fprintf(f, "%s = %s\n", k->name,
			    k->secret && **strslot((struct conf *)c, k) ?
			    "(set, hidden)" : *strslot((struct conf *)c, k));
		else if (k->type == CT_OCTAL)
			fprintf(f, "%s = %04llo\n", k->name, (long long)
			    *intslot((struct conf *)c, k));
		else if (k->type == CT_BOOL)
			fprintf(f, "%s = %s\n", k->name,
			    *boolslot((struct conf *)c, k) ? "true" : "false");
		else if (k->type == CT_RATIO)
			fprintf(f, "%s = %g\n", k->name,
			    *ratioslot((struct conf *)c, k));
		else
			fprintf(f, "%s = %lld\n", k->name, (long long)
			    *intslot((struct conf *)c, k));
	}
}
