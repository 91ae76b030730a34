/* SPDX-License-Identifier: MIT */
/*
 * i18n-t.c: the theme's language files: the shipped ones load and every
 * language has every key of English; hostile files are refused with a
 * reason; lookups fall back on English; dates follow the patterns.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "tap.h"

static char	 err[1024];

/* i18n_add() of text into a fresh set that already has a small en. */
static int
try(const char *text)
{
	struct i18n	*s = i18n_new();
	const char	*en = "skip = Skip\nmonth_1 = January\n";
	int		 rc;

	err[0] = '\0';
	if (i18n_add(s, "en", "en.ini", en, strlen(en), err,
	    sizeof(err)) != 0)
		bail("the small en refused: %s", err);
	rc = i18n_add(s, "de", "de.ini", text, strlen(text), err, sizeof(err));
	if (rc == 0)
		rc = i18n_check(s, err, sizeof(err));
	i18n_free(s);
	return rc;
}

static void
shipped(void)
{
	const char	*src = getenv("INKWELL_SRC");
	char		 dir[4096];
	struct i18n	*s;
	const struct i18n_lang *en, *l;

	snprintf(dir, sizeof(dir), "%s/templates/i18n", src ? src : ".");
	s = i18n_load_dir(dir, err, sizeof(err));
	if (!ok(s != NULL, "the shipped language files load"))
		bail("%s", err);
	en = i18n_find(s, "en");
	ok(en != NULL && i18n_nkeys(s) >= 50, "en.ini is there, with %zu keys",
	    i18n_nkeys(s));
	ok(i18n_find(s, "de") != NULL, "de.ini is there");
	/* Every language has every key of English itself: a missing one
	 * would fall back on English, which is no translation. */
	for (size_t i = 0; i < i18n_nlangs(s); i++) {
		size_t	 missing = 0;

		l = i18n_find(s, i18n_lang_code(s, i));
		for (size_t k = 0; k < i18n_nkeys(s); k++)
			if (!i18n_has(l, i18n_key(s, k))) {
				diag("%s.ini lacks %s", i18n_lang_code(s, i),
				    i18n_key(s, k));
				missing++;
			}
		is_int(0, (int64_t)missing, "%s.ini has every key of en.ini",
		    i18n_lang_code(s, i));
	}
	l = i18n_find(s, "de");
	is_string("Februar", i18n_get(s, l, "month_2"), "de: month_2");
	is_string("Skip to content", i18n_get(s, en, "skip"), "en: skip");
	i18n_free(s);
}

static void
hostile(void)
{
	char	 big[I18N_TEXT_MAX + 64];
	char	 many[I18N_KEYS_MAX * 16 + 64];
	size_t	 n = 0;

	ok(try("skip = Springen\n") == 0, "a good file loads");
	ok(try("") == 0, "an empty file loads (all English)");
	ok(try("[s]\nskip = x\n") != 0 && strstr(err, "sections") != NULL,
	    "a section is refused: %s", err);
	ok(try("nope = x\n") != 0 && strstr(err, "nope") != NULL,
	    "a key English lacks is refused: %s", err);
	ok(try("skip = a\nskip = b\n") != 0 && strstr(err, "twice") != NULL,
	    "a key set twice is refused: %s", err);
	ok(try("Skip = x\n") != 0, "a key with a capital is refused");
	ok(try("sk-ip = x\n") != 0, "a key with a dash is refused");
	ok(try("skip =\n") != 0, "an empty value is refused");
	ok(try("skip = a\x01z\n") != 0, "a control character is refused");
	ok(try("skip = \xff\xfe\n") != 0, "bytes that are not UTF-8 are "
	    "refused");
	ok(try("just words\n") != 0 && strstr(err, "de.ini:1:") != NULL,
	    "a line without '=' is refused with its line: %s", err);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(try(big) != 0, "a file over %d bytes is refused", I18N_TEXT_MAX);
	for (int i = 0; i <= I18N_KEYS_MAX; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "k%d = v\n",
		    i);
	{
		struct i18n *s = i18n_new();

		ok(i18n_add(s, "en", "en.ini", many, n, err,
		    sizeof(err)) != 0 &&
		    strstr(err, "too many") != NULL,
		    "more than %d keys are refused: %s", I18N_KEYS_MAX, err);
		ok(i18n_add(s, "EN", "x", "", 0, err, sizeof(err)) != 0,
		    "a language code with capitals is refused");
		ok(i18n_add(s, "../x", "x", "", 0, err, sizeof(err)) != 0,
		    "a language code with a path is refused");
		ok(i18n_add(s, "en", "en.ini", "a\0b", 3, err,
		    sizeof(err)) != 0, "a NUL byte is refused");
		ok(i18n_check(s, err, sizeof(err)) != 0,
		    "a set without en is refused: %s", err);
		i18n_free(s);
	}
}

static void
dates(void)
{
	struct i18n	*s = i18n_new();
	const char	*en = "date = {d} {month} {yyyy}\nmonth_2 = February\n"
	    "mon_2 = Feb\ndt = {dd}.{mm}. {HH}:{MM} {mon} {bogus} {\n";
	const char	*de = "date = {d}. {month} {yyyy}\nmonth_2 = Februar\n";
	struct tm	 tm;
	char		 out[64], tiny[6];

	if (i18n_add(s, "en", "en", en, strlen(en), err, sizeof(err)) != 0 ||
	    i18n_add(s, "de", "de", de, strlen(de), err, sizeof(err)) != 0)
		bail("%s", err);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 126;
	tm.tm_mon = 1;
	tm.tm_mday = 1;
	tm.tm_hour = 7;
	tm.tm_min = 5;
	i18n_date(s, i18n_find(s, "en"), "date", &tm, out, sizeof(out));
	is_string("1 February 2026", out, "an English date");
	i18n_date(s, i18n_find(s, "de"), "date", &tm, out, sizeof(out));
	is_string("1. Februar 2026", out, "a German date");
	i18n_date(s, i18n_find(s, "de"), "dt", &tm, out, sizeof(out));
	is_string("01.02. 07:05 Feb  {", out, "fallback, unknown fields");
	i18n_date(s, NULL, "date", &tm, tiny, sizeof(tiny));
	is_string("1 Feb", tiny, "cut at the end of a small buffer");
	is_string("nokey", i18n_get(s, NULL, "nokey"), "an unknown key is "
	    "itself");
	i18n_free(s);
}

int
main(void)
{
	plan_lazy();
	shipped();
	hostile();
	dates();
	return done_testing();
}
