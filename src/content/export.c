/* SPDX-License-Identifier: MIT */
/*
 * export.c: the field tables of a complete export and the readers of its
 * JSON lines and manifest (the format is in export.h).
 *
 * json-c parses a line only after its length is checked; the object it
 * gives must then have exactly the table's keys, so a line cannot carry
 * anything the import would silently drop.  Integers are checked as
 * integers (a JSON 1.5 or "1" is refused), strings for NUL and UTF-8.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "lib/arena.h"
#include "content/content.h"
#include "content/export.h"
#include "content/media.h"

const char *const exp_file_names[EX__MAX] = {
	"settings.jsonl",	/* EX_SETTINGS */
	"users.jsonl",		/* EX_USERS */
	"tokens.jsonl",		/* EX_TOKENS */
	"tags.jsonl",		/* EX_TAGS */
	"posts.jsonl",		/* EX_POSTS */
	"comments.jsonl",	/* EX_COMMENTS */
	"media.jsonl",		/* EX_MEDIA */
	"redirects.jsonl",	/* EX_REDIRECTS */
	"site_keys.jsonl",	/* EX_SITE_KEYS */
	"revisions.jsonl",	/* EX_REVISIONS */
};
_Static_assert(sizeof(exp_file_names) / sizeof(exp_file_names[0]) == EX__MAX,
    "exp_file_names[] must cover enum exp_file");

static const struct exp_field settings_f[] = {
	{ "key", XT_STR, 64 },
	{ "value", XT_STR, 65536 * 4 },
	{ "updated_at", XT_TIME, 0 },
};
static const struct exp_field users_f[] = {
	{ "id", XT_ID, 0 },
	{ "username", XT_STR, 40 },
	{ "display_name", XT_STR, 400 },
	{ "email", XT_STRN, 1016 },
	{ "bio", XT_STR, 20000 },
	{ "role", XT_STR, 16 },
	{ "disabled_at", XT_TIMEN, 0 },
	{ "created_at", XT_TIME, 0 },
	{ "updated_at", XT_TIME, 0 },
	{ "password_hash", XT_SECRET, 1024 },
};
static const struct exp_field tokens_f[] = {
	{ "id", XT_ID, 0 },
	{ "user_id", XT_ID, 0 },
	{ "name", XT_STR, 400 },
	{ "created_at", XT_TIME, 0 },
	{ "last_used_at", XT_TIMEN, 0 },
	{ "revoked_at", XT_TIMEN, 0 },
	{ "token_hash", XT_SECRET_HEX, 0 },
};
static const struct exp_field tags_f[] = {
	{ "id", XT_ID, 0 },
	{ "slug", XT_STR, CONTENT_TAG_SLUG_MAX },
	{ "name", XT_STR, 400 },
};
static const struct exp_field posts_f[] = {
	{ "id", XT_ID, 0 },
	{ "author_id", XT_ID, 0 },
	{ "slug", XT_STR, CONTENT_SLUG_MAX },
	{ "created_at", XT_TIME, 0 },
};
static const struct exp_field comments_f[] = {
	{ "id", XT_ID, 0 },
	{ "post_id", XT_ID, 0 },
	{ "parent_id", XT_IDN, 0 },
	{ "author_name", XT_STR, 400 },
	{ "author_email", XT_STR, 1016 },
	{ "author_url", XT_STR, 8000 },
	{ "body", XT_STR, 40000 },
	{ "status", XT_STR, 16 },
	{ "remote_addr", XT_STRN, 64 },
	{ "created_at", XT_TIME, 0 },
};
static const struct exp_field media_f[] = {
	{ "id", XT_ID, 0 },
	{ "name", XT_STR, MEDIA_NAME_MAX },
	{ "content_type", XT_STR, 100 },
	{ "size", XT_INT, 0 },
	{ "sha256", XT_HEX, 0 },
	{ "uploaded_by", XT_IDN, 0 },
	{ "created_at", XT_TIME, 0 },
	/* Since pictures are decoded on upload (sql/0013). */
	{ "width", XT_IDO, 0 },
	{ "height", XT_IDO, 0 },
	{ "alt", XT_STRO, 4000 },
};
static const struct exp_field redirects_f[] = {
	{ "id", XT_ID, 0 },
	{ "from_path", XT_STR, 2000 },
	{ "to_path", XT_STR, 8000 },
	{ "code", XT_INT, 0 },
	{ "source", XT_STR, 16 },
	{ "match", XT_STR, 16 },
	{ "created_at", XT_TIME, 0 },
};

static const struct exp_field site_keys_f[] = {
	{ "name", XT_STR, 64 },
	{ "key", XT_HEX, 0 },
	{ "created_at", XT_TIME, 0 },
};

static const struct exp_field revisions_f[] = {
	{ "id", XT_ID, 0 },
	{ "post_id", XT_ID, 0 },
	{ "user_id", XT_IDN, 0 },
	{ "kind", XT_STR, 16 },
	{ "created_at", XT_TIME, 0 },
	{ "title", XT_STR, CONTENT_TITLE_MAX * 4 },
	{ "summary", XT_STR, CONTENT_SUMMARY_MAX * 4 },
	{ "body_md", XT_STR, CONTENT_BODY_MAX * 4 },
};

#define N(x)	(sizeof(x) / sizeof((x)[0]))

const struct exp_field *const exp_fields[EX__MAX] = {
	settings_f,	/* EX_SETTINGS */
	users_f,	/* EX_USERS */
	tokens_f,	/* EX_TOKENS */
	tags_f,		/* EX_TAGS */
	posts_f,	/* EX_POSTS */
	comments_f,	/* EX_COMMENTS */
	media_f,	/* EX_MEDIA */
	redirects_f,	/* EX_REDIRECTS */
	site_keys_f,	/* EX_SITE_KEYS */
	revisions_f,	/* EX_REVISIONS */
};
const size_t exp_nfields[EX__MAX] = {
	N(settings_f), N(users_f), N(tokens_f), N(tags_f), N(posts_f),
	N(comments_f), N(media_f), N(redirects_f), N(site_keys_f),
	N(revisions_f),
};
_Static_assert(N(exp_nfields) == EX__MAX, "exp_nfields[] must cover "
    "enum exp_file");
_Static_assert(N(users_f) <= EXP_FIELDS_MAX && N(comments_f) <=
    EXP_FIELDS_MAX, "exp_row.v must hold every field");

static int	 say(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool
exp_time_ok(const char *s)
{
	/* 2026-01-05T09:00:00.000000Z; ranges by the calendar, loosely:
	 * PostgreSQL refuses 2026-02-31 and the import says where. */
	if (strlen(s) != EXP_TIME_LEN)
		return false;
	return digits(s, 4) && s[4] == '-' && digits(s + 5, 2) &&
	    s[7] == '-' && digits(s + 8, 2) && s[10] == 'T' &&
	    digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2) &&
	    s[16] == ':' && digits(s + 17, 2) && s[19] == '.' &&
	    digits(s + 20, 6) && s[26] == 'Z';
}

static bool
hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* Reads value o of field f into row slot k. */
static int
field(struct arena *a, const struct exp_field *f, struct json_object *o,
    struct exp_row *row, size_t k, char *err, size_t errlen)
{
	const char	*s;
	size_t		 n;
	int64_t		 i;

	row->v[k] = NULL;
	row->num[k] = 0;
	if (o == NULL) {
		if (f->type == XT_IDN || f->type == XT_STRN ||
		    f->type == XT_TIMEN || f->type == XT_SECRET ||
		    f->type == XT_SECRET_HEX || f->type == XT_IDO ||
		    f->type == XT_STRO)
			return 0;
		return say(err, errlen, "\"%s\" is null", f->name);
	}
	switch (f->type) {
	case XT_ID:
	case XT_IDN:
	case XT_IDO:
	case XT_INT:
		if (!json_object_is_type(o, json_type_int))
			return say(err, errlen, "\"%s\" is not an integer",
			    f->name);
		errno = 0;
		i = json_object_get_int64(o);
		if (errno != 0 || (f->type == XT_INT ? i < 0 ||
		    i > INT32_MAX : i < 1 || i == INT64_MAX))
			return say(err, errlen, "\"%s\" is out of range",
			    f->name);
		row->num[k] = i;
		row->v[k] = arena_printf(a, "%" PRId64, i);
		return 0;
	default:
		break;
	}
	if (!json_object_is_type(o, json_type_string))
		return say(err, errlen, "\"%s\" is not a string", f->name);
	s = json_object_get_string(o);
	n = (size_t)json_object_get_string_len(o);
	if (strlen(s) != n)
		return say(err, errlen, "\"%s\" holds a NUL", f->name);
	if (content_chars(s, n) < 0)
		return say(err, errlen, "\"%s\" is not UTF-8", f->name);
	switch (f->type) {
	case XT_TIME:
	case XT_TIMEN:
		if (!exp_time_ok(s))
			return say(err, errlen, "\"%s\" is not a timestamp "
			    "YYYY-MM-DDTHH:MM:SS.ffffffZ", f->name);
		break;
	case XT_HEX:
	case XT_SECRET_HEX:
		if (!hex64(s))
			return say(err, errlen, "\"%s\" is not 64 lower-case "
			    "hex digits", f->name);
		break;
	default:
		if (n > f->max)
			return say(err, errlen, "\"%s\" is longer than %zu "
			    "bytes", f->name, f->max);
		break;
	}
	row->v[k] = arena_strndup(a, s, n);
	return 0;
}

/*
 * The key/value pairs of the flat object in line[0..n): its ':' outside
 * strings.  json-c keeps the last of two equal keys and says nothing, so
 * this count against json_object_object_length() is how a key given
 * twice is seen.  Only called once every value is known to be a scalar.
 */
static size_t
pairs(const char *line, size_t n)
{
	size_t	 count = 0;
	bool	 in = false;

	for (size_t i = 0; i < n; i++) {
		if (in) {
			if (line[i] == '\\')
				i++;
			else if (line[i] == '"')
				in = false;
		} else if (line[i] == '"')
			in = true;
		else if (line[i] == ':')
			count++;
	}
	return count;
}

int
exp_line_parse(struct arena *a, enum exp_file f, const char *line,
    size_t n, struct exp_row *row, char *err, size_t errlen)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*o = NULL, *v;
	const struct exp_field	*fl = exp_fields[f];
	size_t			 nf = exp_nfields[f], seen = 0;
	int			 rc = -1;

	memset(row, 0, sizeof(*row));
	if (n > (f == EX_REVISIONS ? EXP_REVISION_LINE_MAX : EXP_LINE_MAX)) {
		say(err, errlen, "line longer than %d bytes", f == EX_REVISIONS ?
		    EXP_REVISION_LINE_MAX : EXP_LINE_MAX);
		goto out;
	}
	if (memchr(line, '\0', n) != NULL) {
		say(err, errlen, "a NUL byte");
		goto out;
	}
	/* Depth 3: an object of scalars needs 1; deeper is refused below
	 * anyway, and the limit keeps json-c from recursing on [[[[... */
	tok = json_tokener_new_ex(3);
	o = json_tokener_parse_ex(tok, line, (int)n);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)n) {
		say(err, errlen, "not one JSON value (%s)",
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		say(err, errlen, "not a JSON object");
		goto out;
	}
	for (size_t k = 0; k < nf; k++) {
		if (!json_object_object_get_ex(o, fl[k].name, &v)) {
			if (fl[k].type == XT_SECRET ||
			    fl[k].type == XT_SECRET_HEX ||
			    fl[k].type == XT_IDO || fl[k].type == XT_STRO)
				continue;
			say(err, errlen, "no \"%s\"", fl[k].name);
			goto out;
		}
		seen++;
		if (field(a, &fl[k], v, row, k, err, errlen) < 0)
			goto out;
	}
	if ((size_t)json_object_object_length(o) != seen ||
	    pairs(line, n) != seen) {
		json_object_object_foreach(o, key, val) {
			bool	 known = false;

			(void)val;
			for (size_t k = 0; k < nf && !known; k++)
				known = strcmp(key, fl[k].name) == 0;
			if (!known) {
				say(err, errlen, "unknown key \"%.40s\"", key);
				goto out;
			}
		}
		say(err, errlen, "a key given twice");
		goto out;
	}
	rc = 0;
out:
	if (o != NULL)
		json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

static bool
slug_ok(const char *s, size_t n)
{
	if (n == 0 || n > CONTENT_SLUG_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
			continue;
		if (s[i] != '-' || s[i + 1] == '-')
			return false;
	}
	return true;
}

bool
exp_name_ok(const char *name)
{
	size_t	 n = strlen(name);

	for (int f = 0; f < EX__MAX; f++)
		if (strcmp(name, exp_file_names[f]) == 0)
			return true;
	if (strncmp(name, "media/", 6) == 0)
		return media_name_problem(name + 6) == NULL;
	return n > 3 && strcmp(name + n - 3, ".md") == 0 &&
	    slug_ok(name, n - 3);
}

/* The integer key of o, or -1 when absent or not a non-negative int. */
static int64_t
count(struct json_object *o, const char *key)
{
	struct json_object	*v;
	int64_t			 i;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	i = json_object_get_int64(v);
	return errno != 0 || i < 0 || i == INT64_MAX ? -1 : i;
}

static const char *
string(struct json_object *o, const char *key)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v))
		return NULL;
	return json_object_get_string(v);
}

static int
by_file(const void *x, const void *y)
{
	return strcmp(((const struct exp_entry *)x)->file,
	    ((const struct exp_entry *)y)->file);
}

int
exp_manifest_parse(struct arena *a, const char *text, size_t n,
    struct exp_manifest *m, char *err, size_t errlen)
{
	struct json_tokener	*tok = json_tokener_new_ex(3);
	struct json_object	*o = NULL, *v;
	const char		*p = text, *end = text + n, *nl, *s;
	size_t			 cap = 64;
	int			 line = 0, rc = -1;
	bool			 ended = false;

	memset(m, 0, sizeof(*m));
	m->e = arena_array(a, cap, sizeof(*m->e));
	if (n == 0) {
		say(err, errlen, EXP_MANIFEST ":1: empty");
		goto out;
	}
	for (; p < end; p = nl + 1) {
		line++;
		if (ended) {
			say(err, errlen, EXP_MANIFEST ":%d: a line after the "
			    "end line", line);
			goto out;
		}
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			say(err, errlen, EXP_MANIFEST ":%d: the last line has "
			    "no end (cut short?)", line);
			goto out;
		}
		if (nl - p > 4096 || memchr(p, '\0', (size_t)(nl - p))) {
			say(err, errlen, EXP_MANIFEST ":%d: not a manifest "
			    "line", line);
			goto out;
		}
		if (o != NULL)
			json_object_put(o);
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, p, (int)(nl - p));
		if (o == NULL || tok->char_offset != (int)(nl - p) ||
		    !json_object_is_type(o, json_type_object)) {
			say(err, errlen, EXP_MANIFEST ":%d: not a JSON object",
			    line);
			goto out;
		}
		if (line == 1) {
			if ((s = string(o, "format")) == NULL ||
			    strcmp(s, EXP_FORMAT) != 0) {
				say(err, errlen, EXP_MANIFEST ":1: not an "
				    "inkwell export (format)");
				goto out;
			}
			if (count(o, "version") != EXP_VERSION) {
				say(err, errlen, EXP_MANIFEST ":1: format "
				    "version is not %d; this inkwell reads "
				    "version %d only", EXP_VERSION,
				    EXP_VERSION);
				goto out;
			}
			if (!json_object_object_get_ex(o, "secrets", &v) ||
			    !json_object_is_type(v, json_type_boolean) ||
			    json_object_object_length(o) != 3) {
				say(err, errlen, EXP_MANIFEST ":1: the header "
				    "is not format, version, secrets");
				goto out;
			}
			m->secrets = json_object_get_boolean(v);
			continue;
		}
		if (json_object_object_get_ex(o, "end", &v)) {
			if (!json_object_is_type(v, json_type_boolean) ||
			    !json_object_get_boolean(v) ||
			    count(o, "files") != (int64_t)m->n ||
			    json_object_object_length(o) != 2) {
				say(err, errlen, EXP_MANIFEST ":%d: the end "
				    "line does not count %zu files", line,
				    m->n);
				goto out;
			}
			ended = true;
			continue;
		}
		if (m->n >= EXP_FILES_MAX) {
			say(err, errlen, EXP_MANIFEST ":%d: more than %d "
			    "files", line, EXP_FILES_MAX);
			goto out;
		}
		if (m->n == cap) {
			struct exp_entry *w = arena_array(a, cap * 2,
			    sizeof(*w));

			memcpy(w, m->e, cap * sizeof(*w));
			m->e = w;
			cap *= 2;
		}
		struct exp_entry *e = &m->e[m->n];
		if ((s = string(o, "file")) == NULL || !exp_name_ok(s)) {
			say(err, errlen, EXP_MANIFEST ":%d: not a file name "
			    "an export has", line);
			goto out;
		}
		e->file = arena_strdup(a, s);
		e->size = count(o, "size");
		e->lines = count(o, "lines");
		if (e->size < 0 || e->lines < 0 ||
		    (s = string(o, "sha256")) == NULL || !hex64(s) ||
		    json_object_object_length(o) != 4) {
			say(err, errlen, EXP_MANIFEST ":%d: %s: size, lines "
			    "or sha256 missing or wrong", line, e->file);
			goto out;
		}
		memcpy(e->sha256, s, 65);
		m->n++;
	}
	if (!ended) {
		say(err, errlen, EXP_MANIFEST ":%d: no end line (cut short?)",
		    line);
		goto out;
	}
	qsort(m->e, m->n, sizeof(*m->e), by_file);
	for (size_t i = 1; i < m->n; i++)
		if (strcmp(m->e[i - 1].file, m->e[i].file) == 0) {
			say(err, errlen, EXP_MANIFEST ": %s is listed twice",
			    m->e[i].file);
			goto out;
		}
	rc = 0;
out:
	if (o != NULL)
		json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

void
exp_sha256(const void *p, size_t n, char hex[65])
{
	unsigned char	 h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}
