/* SPDX-License-Identifier: MIT */
/*
 * i18n.c: loads the reader theme's language files with inih and looks
 * strings up.  The files are shipped with the package, but are read as
 * if they were not: every key, value, file and count has a bound, and a
 * file that breaks one stops the worker at start, as a template would.
 * A set is small (tens of keys, a few languages), so lookups are linear.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "lib/i18n.h"
#include "lib/util.h"

struct i18n_lang {
	char	 code[4];
	size_t	 n;
	char	*keys[I18N_KEYS_MAX];
	char	*vals[I18N_KEYS_MAX];
};

struct i18n {
	size_t		  n;
	struct i18n_lang *langs[I18N_LANGS_MAX];
};

struct i18n *
i18n_new(void)
{
	return xcalloc(1, sizeof(struct i18n));
}

static void
lang_free(struct i18n_lang *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	free(l);
}

void
i18n_free(struct i18n *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		lang_free(s->langs[i]);
	free(s);
}

static bool
code_ok(const char *c)
{
	size_t	 n = c != NULL ? strlen(c) : 0;

	if (n < 2 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (c[i] < 'a' || c[i] > 'z')
			return false;
	return true;
}

static bool
key_ok(const char *k)
{
	size_t	 n = strlen(k);

	if (n == 0 || n > I18N_KEY_MAX || k[0] < 'a' || k[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		    (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

static bool
has(const struct i18n_lang *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return true;
	return false;
}

/* What the inih handler fills. */
struct parse {
	struct i18n_lang *l;
	const char	*why;		/* the first problem */
	int		 line;		/* counted by the handler */
};

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse	*p = user;
	struct i18n_lang *l = p->l;

	p->line++;
	if (p->why != NULL)
		return 0;
	if (*section != '\0')
		p->why = "sections are not used in a language file";
	else if (!key_ok(name))
		p->why = "a key is [a-z][a-z0-9_]*, at most 48 bytes";
	else if (!util_text_ok(value, 1, I18N_VALUE_MAX, false))
		p->why = "a value is 1 to 200 characters of UTF-8 text";
	else if (has(l, name))
		p->why = "a key is set twice";
	else if (l->n == I18N_KEYS_MAX)
		p->why = "too many keys";
	if (p->why != NULL)
		return 0;
	l->keys[l->n] = xstrdup(name);
	l->vals[l->n++] = xstrdup(value);
	return 1;
}

int
i18n_add(struct i18n *s, const char *code, const char *name,
    const char *text, size_t len, char *err, size_t errlen)
{
	struct parse	 p = { NULL, NULL, 0 };
	char		*copy;
	int		 line;

	if (!code_ok(code)) {
		snprintf(err, errlen, "%s: the name is not a language code "
		    "([a-z]{2,3}.ini)", name);
		return -1;
	}
	if (i18n_find(s, code) != NULL || s->n == I18N_LANGS_MAX) {
		snprintf(err, errlen, "%s: %s", name, s->n == I18N_LANGS_MAX ?
		    "too many languages" : "the language is there twice");
		return -1;
	}
	if (len > I18N_TEXT_MAX || memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: larger than %d bytes, or not text",
		    name, I18N_TEXT_MAX);
		return -1;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	p.l = xcalloc(1, sizeof(*p.l));
	memcpy(p.l->code, code, strlen(code) + 1);
	line = ini_parse_string(copy, handler, &p);
	free(copy);
	if (line != 0 || p.why != NULL) {
		snprintf(err, errlen, "%s:%d: %s", name, line,
		    p.why != NULL ? p.why : "not a key = value line");
		lang_free(p.l);
		return -1;
	}
	s->langs[s->n++] = p.l;
	return 0;
}

int
i18n_check(const struct i18n *s, char *err, size_t errlen)
{
	const struct i18n_lang *ref = i18n_ref(s);

	if (ref == NULL) {
		snprintf(err, errlen, "no %s.ini, the language every other "
		    "falls back on", I18N_REF);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->langs[i]->n; k++)
			if (!has(ref, s->langs[i]->keys[k])) {
				snprintf(err, errlen, "%s.ini: key %s is not "
				    "in %s.ini", s->langs[i]->code,
				    s->langs[i]->keys[k], I18N_REF);
				return -1;
			}
	return 0;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct i18n *
i18n_load_dir(const char *dir, char *err, size_t errlen)
{
	struct i18n	*s = i18n_new();
	DIR		*d;
	struct dirent	*de;
	char		*names[I18N_LANGS_MAX + 1];
	size_t		 nn = 0, i;
	int		 bad = 0;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		i18n_free(s);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t	 n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n < 5 ||
		    strcmp(de->d_name + n - 4, ".ini") != 0)
			continue;
		if (nn == I18N_LANGS_MAX) {
			snprintf(err, errlen, "%s: more than %d languages",
			    dir, I18N_LANGS_MAX);
			bad = 1;
			break;
		}
		names[nn++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(*names), namecmp);
	for (i = 0; i < nn && !bad; i++) {
		char	 path[1024], code[8];
		FILE	*f;
		char	*text = xmalloc(I18N_TEXT_MAX + 1);
		size_t	 len = 0, cl = strlen(names[i]) - 4;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(code, sizeof(code), "%.*s", (int)(cl < 7 ? cl : 7),
		    names[i]);
		if ((f = fopen(path, "r")) == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			bad = 1;
		} else {
			len = fread(text, 1, I18N_TEXT_MAX + 1, f);
			fclose(f);
			if (cl > 3 || i18n_add(s, code, path, text, len, err,
			    errlen) != 0) {
				if (cl > 3)
					snprintf(err, errlen, "%s: the name is "
					    "not a language code", path);
				bad = 1;
			}
		}
		free(text);
	}
	for (i = 0; i < nn; i++)
		free(names[i]);
	if (!bad && i18n_check(s, err, errlen) != 0)
		bad = 1;
	if (bad) {
		i18n_free(s);
		return NULL;
	}
	return s;
}

const struct i18n_lang *
i18n_find(const struct i18n *s, const char *code)
{
	if (s == NULL || code == NULL)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->langs[i]->code, code) == 0)
			return s->langs[i];
	return NULL;
}

const struct i18n_lang *
i18n_ref(const struct i18n *s)
{
	return i18n_find(s, I18N_REF);
}

const char *
i18n_code(const struct i18n_lang *l)
{
	return l->code;
}

static const char *
lookup(const struct i18n_lang *l, const char *key)
{
	if (l != NULL)
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(l->keys[i], key) == 0)
				return l->vals[i];
	return NULL;
}

const char *
i18n_get(const struct i18n *s, const struct i18n_lang *l, const char *key)
{
	const char	*v;

	if ((v = lookup(l, key)) != NULL ||
	    (v = lookup(i18n_ref(s), key)) != NULL)
		return v;
	return key;
}

size_t
i18n_nlangs(const struct i18n *s)
{
	return s != NULL ? s->n : 0;
}

const char *
i18n_lang_code(const struct i18n *s, size_t i)
{
	return s->langs[i]->code;
}

size_t
i18n_nkeys(const struct i18n *s)
{
	const struct i18n_lang *ref = i18n_ref(s);

	return ref != NULL ? ref->n : 0;
}

const char *
i18n_key(const struct i18n *s, size_t i)
{
	return i18n_ref(s)->keys[i];
}

bool
i18n_has(const struct i18n_lang *l, const char *key)
{
	return has(l, key);
}

/* Appends s to out at *at (room for outlen), cutting at the end. */
static void
add(char *out, size_t outlen, size_t *at, const char *s)
{
	size_t	 n = strlen(s);

	if (n > outlen - 1 - *at)
		n = outlen - 1 - *at;
	memcpy(out + *at, s, n);
	*at += n;
}

void
i18n_date(const struct i18n *s, const struct i18n_lang *l, const char *key,
    const struct tm *tm, char *out, size_t outlen)
{
	const char	*p = i18n_get(s, l, key), *e;
	char		 k[16], v[16];
	size_t		 at = 0;

	if (outlen == 0)
		return;
	while (*p != '\0') {
		if (*p != '{' || (e = strchr(p, '}')) == NULL ||
		    (size_t)(e - p) > 8) {
			if (at < outlen - 1)
				out[at++] = *p;
			p++;
			continue;
		}
		memcpy(k, p + 1, (size_t)(e - p - 1));
		k[e - p - 1] = '\0';
		v[0] = '\0';
		if (strcmp(k, "d") == 0)
			snprintf(v, sizeof(v), "%d", tm->tm_mday);
		else if (strcmp(k, "dd") == 0)
			snprintf(v, sizeof(v), "%02d", tm->tm_mday);
		else if (strcmp(k, "mm") == 0)
			snprintf(v, sizeof(v), "%02d", tm->tm_mon + 1);
		else if (strcmp(k, "yyyy") == 0)
			snprintf(v, sizeof(v), "%04d", tm->tm_year + 1900);
		else if (strcmp(k, "HH") == 0)
			snprintf(v, sizeof(v), "%02d", tm->tm_hour);
		else if (strcmp(k, "MM") == 0)
			snprintf(v, sizeof(v), "%02d", tm->tm_min);
		if (strcmp(k, "month") == 0 || strcmp(k, "mon") == 0) {
			snprintf(v, sizeof(v), "%s_%d", k[3] == 't' ?
			    "month" : "mon", (tm->tm_mon % 12 + 12) % 12 + 1);
			add(out, outlen, &at, i18n_get(s, l, v));
		} else
			add(out, outlen, &at, v);
		p = e + 1;
	}
	out[at] = '\0';
}
