/* SPDX-License-Identifier: MIT */
/*
 * frontmatter.c: reads and writes the front matter of a post's Markdown
 * file (the grammar is in frontmatter.h).
 *
 * Reading takes three passes.  The first checks the bytes of the whole
 * file (size, NUL, UTF-8) and of every line of the block (length, control
 * characters) and finds the closing fence, so the later passes can trust
 * that every line of the block ends with '\n'.  The second tokenises the
 * block into at most FM_KEYS_MAX entries without knowing the keys; the
 * third maps them onto enum fm_key and checks values.  Errors carry the
 * file name and line.
 *
 * Writing chooses, for each string, the bare form only when reading it
 * back is certain to give the same bytes (and when YAML would read it as
 * a string too); otherwise it quotes and escapes.  Quoted strings longer
 * than a line are split with escaped line breaks, so no line it writes
 * comes near FM_LINE_MAX whatever the value.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/content.h"
#include "content/frontmatter.h"
#include "lib/util.h"

#define WRAP_SOFT	76	/* break after a space from this column */
#define WRAP_HARD	100	/* break anywhere from this column */
#define LINE_GOAL	80	/* bare values and list items fit in this */

const char *const fm_key_names[FM__MAX] = {
	"title",	/* FM_TITLE */
	"slug",		/* FM_SLUG */
	"date",		/* FM_DATE */
	"updated",	/* FM_UPDATED */
	"status",	/* FM_STATUS */
	"author",	/* FM_AUTHOR */
	"author_name",	/* FM_AUTHOR_NAME */
	"summary",	/* FM_SUMMARY */
	"kind",		/* FM_KIND */
	"feature_image",	/* FM_FEATURE_IMAGE */
	"tags",		/* FM_TAGS */
};
_Static_assert(sizeof(fm_key_names) / sizeof(fm_key_names[0]) == FM__MAX,
    "fm_key_names[] must cover enum fm_key");

struct item {
	char	*key;
	char	*val;		/* NULL: "key" alone */
	int	 line;
};

struct entry {
	const char	*key;
	size_t		 keylen;
	int		 line;
	bool		 is_list;
	char		*val;
	struct item	*items;
	size_t		 nitems;
};

struct scan {
	struct arena	*a;
	const char	*name;
	const char	*p;
	const char	*end;		/* start of the closing fence line */
	int		 line;
	char		*err;
	size_t		 errlen;
	struct buf	 tmp;
};

static int	 fail(struct scan *, int line, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
fail(struct scan *s, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(s->err, s->errlen, "%s:%d: ", s->name, line);
	if (n >= 0 && (size_t)n < s->errlen) {
		va_start(ap, fmt);
		vsnprintf(s->err + n, s->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Pass 1: the bytes.  Sets s->p to the first line of the block, s->end to
 * the closing fence and *body to what follows it.
 */
static int
check_bytes(struct scan *s, const char *text, size_t n, const char **body)
{
	const char	*p, *eol, *end = text + n, *nul;
	int		 line;

	if (n > FM_FILE_MAX)
		return fail(s, 1, "file is larger than %d bytes",
		    FM_FILE_MAX);
	if ((nul = memchr(text, '\0', n)) != NULL) {
		line = 1;
		for (p = text; p < nul; p++)
			line += *p == '\n';
		return fail(s, line, "NUL byte in the file");
	}
	line = 1;
	for (p = text; p < end; p = eol + 1, line++) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		/* A sequence cannot span lines: '\n' is no continuation. */
		if (!util_utf8_valid(p, (size_t)(eol - p)))
			return fail(s, line, "invalid UTF-8");
	}
	if (n < 4 || memcmp(text, "---\n", 4) != 0)
		return fail(s, 1, "no front matter: the file must start with "
		    "a line \"---\"");
	line = 2;
	for (p = text + 4; p < end; p = eol + 1, line++) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (eol - p == 3 && memcmp(p, "---", 3) == 0) {
			s->p = text + 4;
			s->end = p;
			*body = eol < end ? eol + 1 : end;
			return 0;
		}
		if (eol - p > FM_LINE_MAX)
			return fail(s, line, "line longer than %d bytes",
			    FM_LINE_MAX);
		for (const char *q = p; q < eol; q++) {
			unsigned char c = (unsigned char)*q;

			if (c == '\r')
				return fail(s, line, "carriage return in the "
				    "front matter (lines must end in LF only)");
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return fail(s, line, "control character 0x%02x "
				    "in the front matter", c);
		}
	}
	return fail(s, 1, "front matter not closed: no line \"---\" after "
	    "the first");
}

/* A double-quoted string at s->p; leaves s->p after the closing quote. */
static int
quoted(struct scan *s, char **out)
{
	const char	*p = s->p + 1;
	int		 hi, lo, start = s->line;

	buf_reset(&s->tmp);
	for (;;) {
		char	 c, e;

		if (p >= s->end || *p == '\n')
			return fail(s, start, "unterminated string (a quoted "
			    "value ends with '\"' on its line, or continues "
			    "after a '\\' at the end of the line)");
		c = *p++;
		if (c == '"')
			break;
		if (c != '\\') {
			buf_putc(&s->tmp, c);
			continue;
		}
		e = *p++;		/* the block ends in '\n': in bounds */
		switch (e) {
		case '"':
		case '\\':
		case '/':
		case ' ':
			buf_putc(&s->tmp, e);
			break;
		case 'n':
			buf_putc(&s->tmp, '\n');
			break;
		case 'r':
			buf_putc(&s->tmp, '\r');
			break;
		case 't':
			buf_putc(&s->tmp, '\t');
			break;
		case 'x':
			hi = p < s->end ?
			    util_hexval((unsigned char)p[0]) : -1;
			lo = hi >= 0 && p + 1 < s->end ?
			    util_hexval((unsigned char)p[1]) : -1;
			if (lo < 0 || hi * 16 + lo == 0 || hi > 7)
				return fail(s, s->line, "\\x needs two hex "
				    "digits from 01 to 7f");
			buf_putc(&s->tmp, (char)(hi * 16 + lo));
			p += 2;
			break;
		case '\n':
			s->line++;
			if (p >= s->end || !blank(*p))
				return fail(s, s->line, "a string continued "
				    "with '\\' goes on on an indented line");
			while (p < s->end && blank(*p))
				p++;
			if (p >= s->end || *p == '\n')
				return fail(s, s->line, "empty continuation "
				    "line in a quoted string");
			break;
		default:
			if (e > 0x20 && e < 0x7f)
				return fail(s, s->line, "unknown escape "
				    "\"\\%c\"", e);
			return fail(s, s->line, "unknown escape after '\\'");
		}
	}
	s->p = p;
	*out = arena_strndup(s->a, s->tmp.p, s->tmp.n);
	return 0;
}

/* What YAML would not read as a plain scalar's first character. */
static int
check_start(struct scan *s, const char *p)
{
	char	 c = *p;

	if (c == '\'')
		return fail(s, s->line, "single-quoted values are not "
		    "supported: use double quotes");
	if (strchr(",[]{}#&*!|>%@`", c) != NULL ||
	    ((c == '-' || c == '?' || c == ':') &&
	    (blank(p[1]) || p[1] == '\n')))
		return fail(s, s->line, "a value starting with '%c' must be "
		    "double-quoted", c);
	return 0;
}

/* A bare value running to the end of the line. */
static int
bare(struct scan *s, char **out)
{
	const char	*p = s->p, *e;

	if (check_start(s, p) < 0)
		return -1;
	for (e = p; *e != '\n'; e++) {
		if (*e == ':' && (blank(e[1]) || e[1] == '\n'))
			return fail(s, s->line, "\": \" in a value: quote it");
		if (*e == '#' && e > p && blank(e[-1]))
			return fail(s, s->line, "\" #\" in a value: quote it");
	}
	s->p = e;
	while (e > p && blank(e[-1]))
		e--;
	*out = arena_strndup(s->a, p, (size_t)(e - p));
	return 0;
}

/* A bare list item: up to ',', ']', ':' or the end of the line. */
static int
bare_item(struct scan *s, char **out)
{
	const char	*p = s->p, *e;

	if (*p == '\n' || *p == ',' || *p == ']' || *p == ':')
		return fail(s, s->line, "expected a list item");
	if (check_start(s, p) < 0)
		return -1;
	for (e = p; *e != '\n' && *e != ',' && *e != ']' && *e != ':'; e++)
		if (*e == '#' || *e == '[' || *e == '{' || *e == '}')
			return fail(s, s->line, "'%c' in a list item: quote "
			    "it", *e);
	s->p = e;
	while (e > p && blank(e[-1]))
		e--;
	*out = arena_strndup(s->a, p, (size_t)(e - p));
	return 0;
}

/* Blanks, and line breaks followed by an indented line. */
static void
skip_space(struct scan *s)
{
	for (;;) {
		if (blank(*s->p))
			s->p++;
		else if (*s->p == '\n' && s->p + 1 < s->end &&
		    blank(s->p[1])) {
			s->p++;
			s->line++;
		} else
			return;
	}
}

static int
list_value(struct scan *s, struct entry *en)
{
	struct item	*it;

	en->items = arena_array(s->a, FM_TAGS_MAX, sizeof(*en->items));
	s->p++;
	skip_space(s);
	if (*s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (en->nitems == FM_TAGS_MAX)
			return fail(s, s->line, "more than %d items in a list",
			    FM_TAGS_MAX);
		it = &en->items[en->nitems++];
		it->line = s->line;
		it->val = NULL;
		if (*s->p == '"' ? quoted(s, &it->key) < 0 :
		    bare_item(s, &it->key) < 0)
			return -1;
		while (blank(*s->p))
			s->p++;
		if (*s->p == ':') {
			s->p++;
			if (!blank(*s->p))
				return fail(s, s->line, "expected a space "
				    "after ':'");
			while (blank(*s->p))
				s->p++;
			if (*s->p == '"' ? quoted(s, &it->val) < 0 :
			    bare_item(s, &it->val) < 0)
				return -1;
		}
		skip_space(s);
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return fail(s, s->line, "expected ',' or ']' in a "
			    "list");
		s->p++;
		skip_space(s);
		if (*s->p == ']')
			return fail(s, s->line, "',' before ']'");
	}
}

/* Pass 2: the block into entries, keys not yet known. */
static int
tokenise(struct scan *s, struct entry *en, size_t *nen)
{
	const char	*k;

	*nen = 0;
	while (s->p < s->end) {
		struct entry	*e;

		if (*s->p == '\n') {
			s->p++, s->line++;
			continue;
		}
		if (*s->p == '#') {
			s->p = memchr(s->p, '\n', (size_t)(s->end - s->p));
			continue;
		}
		if (blank(*s->p)) {
			while (blank(*s->p))
				s->p++;
			if (*s->p != '\n')
				return fail(s, s->line, "unexpected "
				    "indentation");
			continue;
		}
		for (k = s->p; (*k >= 'a' && *k <= 'z') || *k == '_' ||
		    (*k >= '0' && *k <= '9'); k++)
			;
		if (k == s->p || *s->p == '_' || (*s->p >= '0' &&
		    *s->p <= '9') || *k != ':')
			return fail(s, s->line, "expected \"key: value\"");
		if (!blank(k[1]) && k[1] != '\n')
			return fail(s, s->line, "expected a space after ':'");
		if (*nen == FM_KEYS_MAX)
			return fail(s, s->line, "more than %d keys",
			    FM_KEYS_MAX);
		e = &en[(*nen)++];
		memset(e, 0, sizeof(*e));
		e->key = s->p;
		e->keylen = (size_t)(k - s->p);
		e->line = s->line;
		s->p = k + 1;
		while (blank(*s->p))
			s->p++;
		if (*s->p == '\n')
			e->val = arena_strdup(s->a, "");
		else if (*s->p == '"') {
			if (quoted(s, &e->val) < 0)
				return -1;
		} else if (*s->p == '[') {
			e->is_list = true;
			if (list_value(s, e) < 0)
				return -1;
		} else if (bare(s, &e->val) < 0)
			return -1;
		while (blank(*s->p))
			s->p++;
		if (*s->p != '\n')
			return fail(s, s->line, "unexpected text after the "
			    "value");
		s->p++, s->line++;
	}
	return 0;
}

/* Pass 3: entries onto keys. */
static int
map_keys(struct scan *s, const struct entry *en, size_t nen, struct fm *fm)
{
	int	 seen[FM__MAX] = { 0 };

	for (size_t i = 0; i < nen; i++) {
		const struct entry	*e = &en[i];
		int			 k;

		for (k = 0; k < FM__MAX; k++)
			if (strlen(fm_key_names[k]) == e->keylen &&
			    memcmp(fm_key_names[k], e->key, e->keylen) == 0)
				break;
		if (k == FM__MAX)
			return fail(s, e->line, "unknown key \"%.*s\"",
			    (int)(e->keylen > 40 ? 40 : e->keylen), e->key);
		if (seen[k])
			return fail(s, e->line, "duplicate key \"%s\" (first "
			    "on line %d)", fm_key_names[k], seen[k]);
		seen[k] = e->line;
		if (k != FM_TAGS) {
			if (e->is_list)
				return fail(s, e->line, "%s is not a list",
				    fm_key_names[k]);
			fm->val[k] = e->val;
			continue;
		}
		if (!e->is_list)
			return fail(s, e->line, "tags must be a list: "
			    "[slug: Name, ...]");
		fm->has_tags = true;
		fm->tags = arena_array(s->a, e->nitems ? e->nitems : 1,
		    sizeof(*fm->tags));
		fm->ntags = e->nitems;
		for (size_t j = 0; j < e->nitems; j++) {
			const struct item *it = &e->items[j];

			if (!util_slug_ok(it->key, strlen(it->key), CONTENT_TAG_SLUG_MAX))
				return fail(s, it->line, "tag slug \"%.*s\" "
				    "is not lower-case letters and digits "
				    "joined by single '-' (at most %d)",
				    40, it->key, CONTENT_TAG_SLUG_MAX);
			if (it->val != NULL && it->val[0] == '\0')
				return fail(s, it->line, "tag \"%s\" has an "
				    "empty name", it->key);
			for (size_t m = 0; m < j; m++)
				if (strcmp(fm->tags[m].slug, it->key) == 0)
					return fail(s, it->line, "tag \"%s\" "
					    "listed twice", it->key);
			fm->tags[j].slug = it->key;
			fm->tags[j].name = it->val;
		}
	}
	if (fm->val[FM_STATUS] != NULL &&
	    strcmp(fm->val[FM_STATUS], "draft") != 0 &&
	    strcmp(fm->val[FM_STATUS], "published") != 0 &&
	    strcmp(fm->val[FM_STATUS], "scheduled") != 0)
		return fail(s, seen[FM_STATUS], "status must be draft, "
		    "published or scheduled");
	if (fm->val[FM_KIND] != NULL &&
	    strcmp(fm->val[FM_KIND], "post") != 0 &&
	    strcmp(fm->val[FM_KIND], "page") != 0)
		return fail(s, seen[FM_KIND], "kind must be post or page");
	return 0;
}

int
fm_parse(struct arena *a, const char *name, const char *text, size_t n,
    struct fm *fm, char *err, size_t errlen)
{
	struct scan	 s = { .a = a, .name = name, .line = 2, .err = err,
			    .errlen = errlen };
	struct entry	*en;
	size_t		 nen;
	const char	*body = NULL;

	memset(fm, 0, sizeof(*fm));
	if (errlen > 0)
		err[0] = '\0';
	if (check_bytes(&s, text, n, &body) < 0)
		return -1;
	buf_init(&s.tmp, a, 256);
	en = arena_array(a, FM_KEYS_MAX, sizeof(*en));
	if (tokenise(&s, en, &nen) < 0 || map_keys(&s, en, nen, fm) < 0)
		return -1;
	/* One empty line after the fence is layout, not body. */
	if (body < text + n && *body == '\n')
		body++;
	fm->body = body;
	fm->body_len = (size_t)(text + n - body);
	return 0;
}

/* --- writing ------------------------------------------------------------ */

static bool
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * True when s can be written bare: it reads back the same here, YAML
 * reads it as this string (not a number, boolean or null), and in a list
 * it cannot be taken for a separator.
 */
static bool
bare_ok(const char *s, bool in_list)
{
	static const char *const words[] = { "true", "false", "yes", "no",
	    "on", "off", "null", "y", "n" };
	size_t		 n = strlen(s), i;
	bool		 numeric = s[0] >= '0' && s[0] <= '9';

	if (n == 0 || !(alnum((unsigned char)s[0]) ||
	    (unsigned char)s[0] >= 0x80) || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (strchr("0123456789abcdefABCDEFoOxX.+-_:", c) == NULL)
			numeric = false;
		if (c >= 0x80 || alnum(c))
			continue;
		if (c == ':' && !in_list && s[i + 1] != '\0' &&
		    s[i + 1] != ' ')
			continue;
		if (c == ',' && !in_list)
			continue;
		if (strchr(" ._/+()!?';=&*@%$~-", c) == NULL)
			return false;
	}
	if (numeric)
		return false;
	for (i = 0; i < NELEM(words); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

static void
put_quoted(struct buf *b, const char *s, size_t *col)
{
	static const char hex[] = "0123456789abcdef";

	buf_putc(b, '"');
	(*col)++;
	for (size_t i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((*col >= WRAP_SOFT && i > 0 && s[i - 1] == ' ' &&
		    c != ' ' && c != '\t') ||
		    (*col >= WRAP_HARD && (c & 0xc0) != 0x80)) {
			/* The next line's indentation is not kept, so a
			 * space that starts it must be escaped. */
			buf_puts(b, "\\\n  ");
			*col = 2;
			if (c == ' ') {
				buf_puts(b, "\\x20");
				*col += 4;
				continue;
			}
		}
		switch (c) {
		case '"':
			buf_puts(b, "\\\"");
			*col += 2;
			break;
		case '\\':
			buf_puts(b, "\\\\");
			*col += 2;
			break;
		case '\n':
			buf_puts(b, "\\n");
			*col += 2;
			break;
		case '\r':
			buf_puts(b, "\\r");
			*col += 2;
			break;
		case '\t':
			buf_puts(b, "\\t");
			*col += 2;
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				buf_puts(b, "\\x");
				buf_putc(b, hex[c >> 4]);
				buf_putc(b, hex[c & 15]);
				*col += 4;
			} else {
				buf_putc(b, (char)c);
				*col += (c & 0xc0) != 0x80;
			}
		}
	}
	buf_putc(b, '"');
	(*col)++;
}

static void
put_value(struct buf *b, const char *s, bool in_list, size_t *col)
{
	size_t	 n = strlen(s);

	if (*col + n <= LINE_GOAL && bare_ok(s, in_list)) {
		buf_put(b, s, n);
		*col += n;
	} else
		put_quoted(b, s, col);
}

static void
put_tags(struct buf *b, const struct fm *fm)
{
	size_t	 col = strlen("tags: [");

	buf_puts(b, "tags: [");
	for (size_t i = 0; i < fm->ntags; i++) {
		const struct fm_tag *t = &fm->tags[i];
		size_t	 w = strlen(t->slug) + 4 +
		    (t->name ? strlen(t->name) : 0);

		if (i > 0) {
			if (col + w > LINE_GOAL) {
				buf_puts(b, ",\n  ");
				col = 2;
			} else {
				buf_puts(b, ", ");
				col += 2;
			}
		}
		put_value(b, t->slug, true, &col);
		if (t->name != NULL) {
			buf_puts(b, ": ");
			col += 2;
			put_value(b, t->name, true, &col);
		}
	}
	buf_puts(b, "]\n");
}

void
fm_write(struct buf *b, const struct fm *fm)
{
	buf_puts(b, "---\n");
	for (int k = 0; k < FM__MAX; k++) {
		size_t	 col;

		if (k == FM_TAGS) {
			if (fm->has_tags)
				put_tags(b, fm);
			continue;
		}
		if (fm->val[k] == NULL)
			continue;
		buf_puts(b, fm_key_names[k]);
		buf_puts(b, ": ");
		col = strlen(fm_key_names[k]) + 2;
		put_value(b, fm->val[k], false, &col);
		buf_putc(b, '\n');
	}
	buf_puts(b, "---\n\n");
	if (fm->body_len > 0)
		buf_put(b, fm->body, fm->body_len);
}
