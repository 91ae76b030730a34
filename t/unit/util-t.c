/* SPDX-License-Identifier: MIT */
/*
 * util-t.c: the checks every typed field goes through before it reaches
 * PostgreSQL: UTF-8, form text, slugs, usernames and timestamps, each fed
 * what a hostile client would send. (WAL positions: cache-t.)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/util.h"

#define S(lit)	(lit), (sizeof(lit) - 1)

static void
utf8(void)
{
	ok(util_utf8_valid(S("plain ASCII")), "ASCII");
	ok(util_utf8_valid(S("gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80")),
	    "2, 3 and 4 bytes");
	ok(util_utf8_valid(S("")), "nothing");
	ok(!util_utf8_valid(S("\xc0\xaf")), "an overlong slash");
	ok(!util_utf8_valid(S("\xe0\x80\xaf")), "a 3-byte overlong");
	ok(!util_utf8_valid(S("\xed\xa0\x80")), "a surrogate");
	ok(!util_utf8_valid(S("\xf4\x90\x80\x80")), "past U+10FFFF");
	ok(!util_utf8_valid(S("\xe2\x82")), "cut short");
	ok(!util_utf8_valid(S("\x80")), "a lone continuation byte");
	ok(!util_utf8_valid(S("\xff")), "0xff");
	ok(util_utf8_valid("a\0b", 3), "a NUL is UTF-8 (util_text_ok refuses it)");
}

static void
text(void)
{
	ok(util_text_ok("Hello", 1, 5, false), "5 characters within 1..5");
	ok(!util_text_ok("Hello!", 1, 5, false), "6 are too many");
	ok(!util_text_ok("", 1, 5, false), "empty is too few");
	ok(util_text_ok("", 0, 5, false), "unless 0 is allowed");
	ok(!util_text_ok(NULL, 0, 5, false), "NULL never");
	ok(util_text_ok("\xc3\xa4\xc3\xa4\xc3\xa4", 3, 3,
	    false), "characters are counted, not bytes");
	ok(!util_text_ok("a\nb", 0, 9, false), "a newline in a one-line field");
	ok(util_text_ok("a\r\n\tb", 0, 9, true), "newlines and tabs in text");
	ok(!util_text_ok("a\x1b[31mb", 0, 9, true), "an escape sequence");
	ok(!util_text_ok("a\x7f", 0, 9, true), "DEL");
	ok(!util_text_ok("a\xc3", 0, 9, true), "broken UTF-8");
}

static void
slugs(void)
{
	ok(util_slug_ok(S("a"), 200), "a");
	ok(util_slug_ok(S("hello-world-2"), 200), "hello-world-2");
	ok(!util_slug_ok(S(""), 200), "empty");
	ok(!util_slug_ok(S("-a"), 200), "a leading hyphen");
	ok(!util_slug_ok(S("a-"), 200), "a trailing hyphen");
	ok(!util_slug_ok(S("a--b"), 200), "two hyphens");
	ok(!util_slug_ok(S("Hello"), 200), "a capital");
	ok(!util_slug_ok(S("a/b"), 200), "a slash");
	ok(!util_slug_ok(S(".."), 200), "dots");
	ok(!util_slug_ok(S("a b"), 200), "a space");
	ok(!util_slug_ok(S("caf\xc3\xa9"), 200), "a non-ASCII letter");
	ok(!util_slug_ok("a\0b", 3, 200), "a NUL inside");
	ok(util_slug_ok(S("abc"), 3), "3 bytes, at most 3");
	ok(!util_slug_ok(S("abcd"), 3), "4 bytes, at most 3");
}

static void
usernames(void)
{
	char	 long_name[42];

	ok(util_username_ok(S("ada")), "ada");
	ok(util_username_ok(S("a_b-c9")), "a_b-c9");
	ok(util_username_ok(S("9lives")), "a leading digit");
	ok(!util_username_ok(S("_ada")), "a leading underscore");
	ok(!util_username_ok(S("-ada")), "a leading hyphen");
	ok(!util_username_ok(S("Ada")), "a capital");
	ok(!util_username_ok(S("ada lovelace")), "a space");
	ok(!util_username_ok(S("ad\xc3\xa0")), "a non-ASCII letter");
	ok(!util_username_ok(S("")), "empty");
	memset(long_name, 'a', sizeof(long_name));
	ok(util_username_ok(long_name, 40), "40 characters");
	ok(!util_username_ok(long_name, 41), "41 characters");
}

/* s with control characters as '?', for a test's name. */
static const char *
shown(const char *s)
{
	static char	 buf[64];
	size_t		 i;

	for (i = 0; s[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
timestamps(void)
{
	static const char *const good[] = {
		"2026-12-01",
		"2026-12-01T10:00",
		"2026-12-01 10:00",
		"2026-12-01T10:00:59",
		"2026-12-01T23:59:60Z",
		"2026-12-01T10:00:00.5",
		"2026-12-01T10:00:00.123456Z",
		"2026-12-01T10:00+01",
		"2026-12-01T10:00:00-05:30",
		"2026-12-01T10:00:00+1400",
		"2026-02-30",	/* PostgreSQL's to refuse */
	};
	static const char *const bad[] = {
		"",
		"2026",
		"2026-12",
		"26-12-01",
		"2026/12/01",
		"2026-13-01",
		"2026-00-10",
		"2026-12-32",
		"2026-12-00",
		"0000-01-01",
		"2026-12-01T",
		"2026-12-01T24:00",
		"2026-12-01T10:60",
		"2026-12-01T10",
		"2026-12-01T10:00:61",
		"2026-12-01T10:00:0",
		"2026-12-01T10:00:00.",
		"2026-12-01T10:00:00.1234567",
		"2026-12-01T10:00:00+15",
		"2026-12-01T10:00:00+01:60",
		"2026-12-01T10:00:00+1",
		"2026-12-01T10:00:00+01:0",
		"2026-12-01T10:00:00+01:00:00",
		"2026-12-01T10:00:00ZZ",
		"2026-12-01T10:00:00 UTC",
		"2026-12-01x",
		"2026-12-01T10:00:00z",
		"now",
		"infinity",
		"2026-12-01'; DROP TABLE posts; --",
		"\"><script>alert(1)</script>",
		"2026-12-01\n10:00",
		"+2026-12-01",
		" 2026-12-01",
	};
	char	*big;

	for (size_t i = 0; i < NELEM(good); i++)
		ok(util_iso8601_ok(good[i]), "taken: \"%s\"", shown(good[i]));
	for (size_t i = 0; i < NELEM(bad); i++)
		ok(!util_iso8601_ok(bad[i]), "refused: \"%s\"", shown(bad[i]));
	ok(!util_iso8601_ok(NULL), "refused: NULL");
	big = malloc(100001);
	memcpy(big, "2026-12-01T10:00:00.", 20);
	memset(big + 20, '1', 100000 - 20);
	big[100000] = '\0';
	ok(!util_iso8601_ok(big), "refused: 100 kB of fraction digits");
	free(big);
}

int
main(void)
{
	plan_lazy();
	utf8();
	text();
	slugs();
	usernames();
	timestamps();
	return done_testing();
}
