/* SPDX-License-Identifier: MIT */
/*
 * i18n.h: the reader theme's languages: the fixed strings and the month
 * names of each language inkwell ships, one file each (i18n/LANG.ini
 * beside the templates), English the reference every other falls back on.
 */
#ifndef INKWELL_I18N_H
#define INKWELL_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define I18N_LANGS_MAX	16	/* files in the directory */
#define I18N_KEYS_MAX	128	/* keys in a file */
#define I18N_KEY_MAX	48	/* bytes of a key */
#define I18N_VALUE_MAX	200	/* characters of a value */
#define I18N_TEXT_MAX	(64 * 1024)	/* bytes of a file */
#define I18N_REF	"en"	/* the language every other falls back on */

struct i18n;
struct i18n_lang;

/* A new empty set; free with i18n_free(). */
struct i18n	*i18n_new(void);
void		 i18n_free(struct i18n *);

/*
 * Parses text, the file of language code ([a-z]{2,3}), into set.  The
 * file is "key = value" lines, ';' or '#' comments, no sections; keys
 * are [a-z][a-z0-9_]*, values one line of text without control
 * characters.  Returns 0, or -1 with a "name:line: reason" in err (the
 * set is left as it was).  name only labels errors.
 */
int		 i18n_add(struct i18n *, const char *code, const char *name,
		    const char *text, size_t len, char *err, size_t errlen);

/*
 * Whether the set is whole: the reference language is there, and every
 * other names only keys the reference has.  -1 with a reason in err.
 */
int		 i18n_check(const struct i18n *, char *err, size_t errlen);

/*
 * Loads every LANG.ini of dir and checks the set.  Returns the set, or
 * NULL with "file:line: reason" in err.  Owned by the caller.
 */
struct i18n	*i18n_load_dir(const char *dir, char *err, size_t errlen);

/* The language of code, or NULL when none was loaded. */
const struct i18n_lang *i18n_find(const struct i18n *, const char *code);

/* The reference language (NULL only in a set i18n_check() refused). */
const struct i18n_lang *i18n_ref(const struct i18n *);

/* The code of a language ("en"). */
const char	*i18n_code(const struct i18n_lang *);

/*
 * The string of key in lang, else in the reference, else key itself.
 * Owned by the set.  lang may be NULL (the reference).
 */
const char	*i18n_get(const struct i18n *, const struct i18n_lang *,
		    const char *key);

/* The number of languages loaded, and the code of the i-th (by name). */
size_t		 i18n_nlangs(const struct i18n *);
const char	*i18n_lang_code(const struct i18n *, size_t i);

/* The number of keys of the reference, and the i-th of them. */
size_t		 i18n_nkeys(const struct i18n *);
const char	*i18n_key(const struct i18n *, size_t i);

/* Whether lang has key itself (no fallback). */
bool		 i18n_has(const struct i18n_lang *, const char *key);

/*
 * Formats tm by the pattern under key in lang: {d} day, {dd} day in two
 * digits, {month} and {mon} the month's long and short names (month_N,
 * mon_N), {mm} month in two digits, {yyyy} year, {HH} {MM} hour and
 * minute.  Anything else is copied.  Always terminates out.
 */
void		 i18n_date(const struct i18n *, const struct i18n_lang *,
		    const char *key, const struct tm *, char *out,
		    size_t outlen);

#endif
