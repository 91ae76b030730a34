/* SPDX-License-Identifier: MIT */
/* input-t.c: unit tests for the input parsers, validators and key table. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "http/input.h"
#include "tap.h"
#include "lib/util.h"

/* Sized string literal: keeps embedded NULs. */
#define S(s)	(s), (sizeof(s) - 1)

struct pair {
	const char	*k;
	size_t		 kl;
	const char	*v;
	size_t		 vl;
};

#define P(k, v)	{ S(k), S(v) }

struct pcase {
	const char	*name;
	const char	*in;
	size_t		 inlen;
	size_t		 max;
	enum input_err	 rc;
	size_t		 np;
	struct pair	 p[4];
};

static struct arena *a;

static const struct pcase urlencoded_cases[] = {
	{ "empty input", S(""), 8, INPUT_OK, 0, { { 0 } } },
	{ "one pair", S("a=1"), 8, INPUT_OK, 1, { P("a", "1") } },
	{ "two pairs", S("a=1&b=2"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("b", "2") } },
	{ "key alone", S("a"), 8, INPUT_OK, 1, { P("a", "") } },
	{ "key with empty value", S("a="), 8, INPUT_OK, 1, { P("a", "") } },
	{ "only ampersands", S("&&&"), 8, INPUT_OK, 0, { { 0 } } },
	{ "empty segments skipped", S("&a=1&&b=2&"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("b", "2") } },
	{ "lone =", S("="), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "empty key", S("=x"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "empty key after good pair", S("a=1&=x"), 8, INPUT_MALFORMED, 0,
	    { { 0 } } },
	{ "split on first =", S("a==b"), 8, INPUT_OK, 1, { P("a", "=b") } },
	{ "= inside value", S("a=b=c"), 8, INPUT_OK, 1, { P("a", "b=c") } },
	{ "encoded = in key", S("a%3Db=c"), 8, INPUT_OK, 1,
	    { P("a=b", "c") } },
	{ "encoded & in value", S("a=x%26y=z"), 8, INPUT_OK, 1,
	    { P("a", "x&y=z") } },
	{ "plus is space", S("q=a+b"), 8, INPUT_OK, 1, { P("q", "a b") } },
	{ "plus in key", S("a+b=1"), 8, INPUT_OK, 1, { P("a b", "1") } },
	{ "encoded plus", S("q=a%2Bb"), 8, INPUT_OK, 1, { P("q", "a+b") } },
	{ "only plus", S("+"), 8, INPUT_OK, 1, { P(" ", "") } },
	{ "lower-case hex", S("q=%3c%3e"), 8, INPUT_OK, 1,
	    { P("q", "<>") } },
	{ "script tag", S("q=%3Cscript%3Ealert(1)%3C/script%3E"), 8,
	    INPUT_OK, 1, { P("q", "<script>alert(1)</script>") } },
	{ "raw script tag", S("q=<script>"), 8, INPUT_OK, 1,
	    { P("q", "<script>") } },
	{ "quotes", S("q=%22'%27\""), 8, INPUT_OK, 1,
	    { P("q", "\"''\"") } },
	{ "CR LF", S("q=a%0d%0aSet-Cookie:+x"), 8, INPUT_OK, 1,
	    { P("q", "a\r\nSet-Cookie: x") } },
	{ "NUL in value", S("q=a%00b"), 8, INPUT_OK, 1,
	    { P("q", "a\0b") } },
	{ "NUL in key", S("a%00b=1"), 8, INPUT_OK, 1, { P("a\0b", "1") } },
	{ "overlong UTF-8 passes the parser", S("q=%C0%AF"), 8, INPUT_OK, 1,
	    { P("q", "\xc0\xaf") } },
	{ "surrogate passes the parser", S("q=%ED%A0%80"), 8, INPUT_OK, 1,
	    { P("q", "\xed\xa0\x80") } },
	{ "UTF-8", S("q=caf%C3%A9"), 8, INPUT_OK, 1,
	    { P("q", "caf\xc3\xa9") } },
	{ "lone %", S("q=%"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "lone % in key", S("%"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "truncated %4", S("q=%4"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "truncated %4 before &", S("q=%4&b=1"), 8, INPUT_MALFORMED, 0,
	    { { 0 } } },
	{ "non-hex %zz", S("q=%zz"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "half hex %4g", S("q=%4g"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "%% is malformed", S("q=%%41"), 8, INPUT_MALFORMED, 0, { { 0 } } },
	{ "escaped percent", S("q=%2541"), 8, INPUT_OK, 1,
	    { P("q", "%41") } },
	{ "duplicates kept in order", S("a=1&a=2"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("a", "2") } },
	{ "exactly maxpairs", S("a&b&c"), 3, INPUT_OK, 3,
	    { P("a", ""), P("b", ""), P("c", "") } },
	{ "one over maxpairs", S("a&b&c&d"), 3, INPUT_TOOMANY, 0, { { 0 } } },
	{ "empty segments do not count", S("a&&b&&&c&"), 3, INPUT_OK, 3,
	    { P("a", ""), P("b", ""), P("c", "") } },
	{ "maxpairs 0", S("a=1"), 0, INPUT_TOOMANY, 0, { { 0 } } },
	{ "maxpairs 0, empty", S("&"), 0, INPUT_OK, 0, { { 0 } } },
	{ "semicolon is not a separator", S("a=1;b=2"), 8, INPUT_OK, 1,
	    { P("a", "1;b=2") } },
	{ "space kept", S("a b=c d"), 8, INPUT_OK, 1, { P("a b", "c d") } },
};

static const struct pcase cookie_cases[] = {
	{ "empty", S(""), 8, INPUT_OK, 0, { { 0 } } },
	{ "two cookies", S("a=1; b=2"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("b", "2") } },
	{ "no space", S("a=1;b=2"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("b", "2") } },
	{ "trimmed", S("  a = 1 ;\tb=\t2\t"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("b", "2") } },
	{ "inner space kept in value", S("a=1 2"), 8, INPUT_OK, 1,
	    { P("a", "1 2") } },
	{ "no = skipped", S("a; b=2"), 8, INPUT_OK, 1, { P("b", "2") } },
	{ "empty name skipped", S("=1; b=2"), 8, INPUT_OK, 1,
	    { P("b", "2") } },
	{ "blank name skipped", S(" =1"), 8, INPUT_OK, 0, { { 0 } } },
	{ "name with space skipped", S("a b=1; c=2"), 8, INPUT_OK, 1,
	    { P("c", "2") } },
	{ "name with tab skipped", S("a\tb=1"), 8, INPUT_OK, 0, { { 0 } } },
	{ "script name skipped", S("<script>=1; ok=1"), 8, INPUT_OK, 1,
	    { P("ok", "1") } },
	{ "quote in name skipped", S("a\"b=1"), 8, INPUT_OK, 0, { { 0 } } },
	{ "separators in names skipped",
	    S("a(=1;a)=1;a<=1;a>=1;a@=1;a,=1;a:=1;a\\=1;a/=1;a[=1;a]=1;"
	    "a?=1;a{=1;a}=1"), 8, INPUT_OK, 0, { { 0 } } },
	{ "control in name skipped", S("a\x01=1;a\x7f=1"), 8, INPUT_OK, 0,
	    { { 0 } } },
	{ "non-ASCII name skipped", S("caf\xc3\xa9=1"), 8, INPUT_OK, 0,
	    { { 0 } } },
	{ "every tchar allowed", S("!#$%&'*+-.^_`|~09AZaz=1"), 8, INPUT_OK,
	    1, { P("!#$%&'*+-.^_`|~09AZaz", "1") } },
	{ "quotes stripped", S("a=\"x y\""), 8, INPUT_OK, 1,
	    { P("a", "x y") } },
	{ "empty quoted", S("a=\"\""), 8, INPUT_OK, 1, { P("a", "") } },
	{ "only one pair stripped", S("a=\"\"x\"\""), 8, INPUT_OK, 1,
	    { P("a", "\"x\"") } },
	{ "lone quote kept", S("a=\""), 8, INPUT_OK, 1, { P("a", "\"") } },
	{ "unbalanced quote kept", S("a=\"x"), 8, INPUT_OK, 1,
	    { P("a", "\"x") } },
	{ "quotes inside spaces", S("a= \"x\" "), 8, INPUT_OK, 1,
	    { P("a", "x") } },
	{ "split on first =", S("a=b=c"), 8, INPUT_OK, 1, { P("a", "b=c") } },
	{ "no percent-decoding", S("a=%41+%zz%"), 8, INPUT_OK, 1,
	    { P("a", "%41+%zz%") } },
	{ "empty values", S("a=;b="), 8, INPUT_OK, 2,
	    { P("a", ""), P("b", "") } },
	{ "empty segments", S(";;a=1;; ;\t;b=2;"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("b", "2") } },
	{ "CR LF value verbatim", S("a=1\r\nSet-Cookie: x=y"), 8, INPUT_OK, 1,
	    { P("a", "1\r\nSet-Cookie: x=y") } },
	{ "NUL in value verbatim", S("a=1\0b"), 8, INPUT_OK, 1,
	    { P("a", "1\0b") } },
	{ "NUL in name skipped", S("a\0=1"), 8, INPUT_OK, 0, { { 0 } } },
	{ "duplicates kept", S("a=1; a=2"), 8, INPUT_OK, 2,
	    { P("a", "1"), P("a", "2") } },
	{ "exactly maxpairs", S("a=1;b=2;c=3"), 3, INPUT_OK, 3,
	    { P("a", "1"), P("b", "2"), P("c", "3") } },
	{ "one over maxpairs", S("a=1;b=2;c=3;d=4"), 3, INPUT_TOOMANY, 0,
	    { { 0 } } },
	{ "malformed do not count", S("a=1;x;b=2;y y=1;c=3;=z"), 3, INPUT_OK,
	    3, { P("a", "1"), P("b", "2"), P("c", "3") } },
	{ "maxpairs 0", S("a=1"), 0, INPUT_TOOMANY, 0, { { 0 } } },
	{ "maxpairs 0, nothing well-formed", S("junk; ;="), 0, INPUT_OK, 0,
	    { { 0 } } },
};

/*
 * Renders s[0..n) printable for a test label, with C-style escapes ('#'
 * too, which TAP would read as a directive), cut at 40 bytes.  The result
 * lives until the next call.
 */
static const char *
show(const char *s, size_t n)
{
	static char	 out[40 * 4 + 4];
	size_t		 i, j = 0;

	for (i = 0; i < n && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '#')
			out[j++] = (char)c;
		else
			j += (size_t)snprintf(out + j, sizeof(out) - j,
			    "\\x%02x", c);
	}
	if (i < n) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
	return out;
}

/* Checks every pair against the expected list; one check per pair. */
static void
check_pairs(const char *what, const char *name, const struct kv *kv,
    size_t n, const struct pair *exp, size_t nexp)
{
	size_t	 i;
	bool	 same;

	for (i = 0; i < n && i < nexp; i++) {
		same = kv[i].keylen == exp[i].kl &&
		    memcmp(kv[i].key, exp[i].k, exp[i].kl) == 0 &&
		    kv[i].key[kv[i].keylen] == '\0' &&
		    kv[i].vallen == exp[i].vl &&
		    memcmp(kv[i].val, exp[i].v, exp[i].vl) == 0 &&
		    kv[i].val[kv[i].vallen] == '\0';
		if (!ok(same, "%s: %s: pair %zu is '%s'", what, name, i,
		    show(exp[i].k, exp[i].kl)))
			diag("seen key '%s' (%zu) val '%s' (%zu)", kv[i].key,
			    kv[i].keylen, kv[i].val, kv[i].vallen);
	}
}

typedef enum input_err (*parser)(struct arena *, const char *, size_t,
    size_t, struct kv **, size_t *);

/*
 * Runs one case with the input copied into a heap block of exactly inlen
 * bytes, so AddressSanitizer reports any read past the end.
 */
static void
run_case(const char *parsername, parser fn, const struct pcase *c)
{
	struct kv	*kv = (struct kv *)1;
	size_t		 n = 12345;
	char		*in;
	enum input_err	 rc;

	in = malloc(c->inlen ? c->inlen : 1);
	if (in == NULL)
		bail("out of memory");
	memcpy(in, c->in, c->inlen);
	rc = fn(a, in, c->inlen, c->max, &kv, &n);
	is_int(c->rc, rc, "%s: %s: %s", parsername, c->name,
	    input_err_names[c->rc]);
	is_int(c->np, n, "%s: %s: %zu pairs", parsername, c->name, c->np);
	if (c->np == 0)
		ok(kv == NULL, "%s: %s: no array", parsername, c->name);
	else
		check_pairs(parsername, c->name, kv, n, c->p, c->np);
	free(in);
	arena_reset(a);
}

/* Returns a heap string of n copies of the pattern, NUL-terminated. */
static char *
repeat(const char *pat, size_t n, size_t *len)
{
	size_t	 pl = strlen(pat), i;
	char	*s;

	if ((s = malloc(pl * n + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i < n; i++)
		memcpy(s + i * pl, pat, pl);
	s[pl * n] = '\0';
	*len = pl * n;
	return s;
}

static void
test_urlencoded_limits(void)
{
	struct kv	*kv;
	size_t		 n, len;
	char		*s;
	enum input_err	 rc;

	/* Pair counts at the real limit. */
	s = repeat("a=1&", INPUT_MAX_PAIRS, &len);
	rc = input_parse_urlencoded(a, s, len, INPUT_MAX_PAIRS, &kv, &n);
	ok(rc == INPUT_OK && n == INPUT_MAX_PAIRS,
	    "urlencoded: exactly INPUT_MAX_PAIRS pairs");
	free(s);
	s = repeat("a=1&", INPUT_MAX_PAIRS + 1, &len);
	len--;		/* no trailing '&' */
	rc = input_parse_urlencoded(a, s, len, INPUT_MAX_PAIRS, &kv, &n);
	ok(rc == INPUT_TOOMANY && n == 0 && kv == NULL,
	    "urlencoded: INPUT_MAX_PAIRS + 1 pairs");
	free(s);
	arena_reset(a);

	/* Key lengths: the limit applies to the decoded key. */
	s = repeat("k", INPUT_MAX_KEY, &len);
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && kv[0].keylen == INPUT_MAX_KEY,
	    "urlencoded: key of INPUT_MAX_KEY bytes");
	free(s);
	s = repeat("k", INPUT_MAX_KEY + 1, &len);
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	is_int(INPUT_TOOLONG, rc, "urlencoded: key of INPUT_MAX_KEY + 1");
	free(s);
	s = repeat("%6B", INPUT_MAX_KEY, &len);
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && kv[0].keylen == INPUT_MAX_KEY,
	    "urlencoded: encoded key decoding to INPUT_MAX_KEY bytes");
	free(s);
	s = repeat("%6B", INPUT_MAX_KEY + 1, &len);
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	is_int(INPUT_TOOLONG, rc,
	    "urlencoded: encoded key decoding to INPUT_MAX_KEY + 1");
	free(s);
	arena_reset(a);

	/* 1 MB inputs: values are not capped here, keys are. */
	s = repeat("v", 1 << 20, &len);
	s[0] = 'q';
	s[1] = '=';
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && kv[0].vallen == len - 2 &&
	    kv[0].val[kv[0].vallen] == '\0', "urlencoded: 1 MB value");
	free(s);
	s = repeat("k", 1 << 20, &len);
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	is_int(INPUT_TOOLONG, rc, "urlencoded: 1 MB key");
	free(s);
	s = repeat("&", 1 << 20, &len);
	rc = input_parse_urlencoded(a, s, len, INPUT_MAX_PAIRS, &kv, &n);
	ok(rc == INPUT_OK && n == 0, "urlencoded: 1 MB of '&'");
	free(s);
	s = repeat("a&", 1 << 19, &len);
	rc = input_parse_urlencoded(a, s, len, INPUT_MAX_PAIRS, &kv, &n);
	is_int(INPUT_TOOMANY, rc, "urlencoded: 1 MB of pairs");
	free(s);
	s = repeat("%", 1 << 20, &len);
	rc = input_parse_urlencoded(a, s, len, INPUT_MAX_PAIRS, &kv, &n);
	is_int(INPUT_MALFORMED, rc, "urlencoded: 1 MB of '%%'");
	free(s);
	s = repeat("=", 1 << 20, &len);
	rc = input_parse_urlencoded(a, s, len, INPUT_MAX_PAIRS, &kv, &n);
	is_int(INPUT_MALFORMED, rc, "urlencoded: 1 MB of '='");
	free(s);
	s = repeat("%41", 1 << 18, &len);
	s[0] = 'q';
	s[1] = '=';
	s[2] = 'x';
	rc = input_parse_urlencoded(a, s, len, 1, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && kv[0].vallen == 1 << 18 &&
	    kv[0].val[0] == 'x' && kv[0].val[1] == 'A',
	    "urlencoded: 768 KB of escapes");
	free(s);
	arena_reset(a);
}

/* The buffers below hold junk after the n bytes the parser is told about. */
static void
test_unterminated(void)
{
	struct kv	*kv;
	char		*out;
	size_t		 n, outlen;
	enum input_err	 rc;
	bool		 r;
	static const char b1[] = "a=1%41", b2[] = "a=%41", b3[] = "a=b&c=d",
	    b4[] = "a=\"x\"", b5[] = "/%2F", b6[] = "/a%C3%A9";

	rc = input_parse_urlencoded(a, b1, 5, 8, &kv, &n);
	is_int(INPUT_MALFORMED, rc, "unterminated: '%%4' cut before '1'");
	rc = input_parse_urlencoded(a, b2, 3, 8, &kv, &n);
	is_int(INPUT_MALFORMED, rc, "unterminated: '%%' cut before '41'");
	rc = input_parse_urlencoded(a, b3, 3, 8, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && strcmp(kv[0].val, "b") == 0,
	    "unterminated: junk pairs after n ignored");
	rc = input_parse_cookies(a, b4, 4, 8, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && strcmp(kv[0].val, "\"x") == 0,
	    "unterminated: closing quote after n not seen");
	r = input_decode_path(a, b5, 3, &out, &outlen);
	ok(!r && out == NULL, "unterminated: path '%%2' cut before 'F'");
	r = input_decode_path(a, b6, 7, &out, &outlen);
	ok(!r, "unterminated: path escape '%%A' cut before '9'");
	r = input_decode_path(a, b6, 5, &out, &outlen);
	ok(!r, "unterminated: path UTF-8 sequence cut");
	r = input_decode_path(a, b6, 2, &out, &outlen);
	ok(r && outlen == 2 && strcmp(out, "/a") == 0,
	    "unterminated: path prefix decoded and terminated");
	arena_reset(a);
}

static void
test_cookie_limits(void)
{
	struct kv	*kv;
	size_t		 n, len;
	char		*s;
	enum input_err	 rc;

	s = repeat("c=1; ", INPUT_MAX_COOKIES, &len);
	rc = input_parse_cookies(a, s, len, INPUT_MAX_COOKIES, &kv, &n);
	ok(rc == INPUT_OK && n == INPUT_MAX_COOKIES,
	    "cookies: exactly INPUT_MAX_COOKIES");
	free(s);
	s = repeat("c=1; ", INPUT_MAX_COOKIES + 1, &len);
	rc = input_parse_cookies(a, s, len, INPUT_MAX_COOKIES, &kv, &n);
	ok(rc == INPUT_TOOMANY && n == 0 && kv == NULL,
	    "cookies: INPUT_MAX_COOKIES + 1");
	free(s);
	s = repeat("c=1;bad name=1;", INPUT_MAX_COOKIES, &len);
	rc = input_parse_cookies(a, s, len, INPUT_MAX_COOKIES, &kv, &n);
	ok(rc == INPUT_OK && n == INPUT_MAX_COOKIES,
	    "cookies: malformed pairs beyond the limit are not counted");
	free(s);
	s = repeat("v", 1 << 20, &len);
	s[0] = 'c';
	s[1] = '=';
	rc = input_parse_cookies(a, s, len, INPUT_MAX_COOKIES, &kv, &n);
	ok(rc == INPUT_OK && n == 1 && kv[0].vallen == len - 2,
	    "cookies: 1 MB value");
	free(s);
	s = repeat(" ", 1 << 20, &len);
	rc = input_parse_cookies(a, s, len, INPUT_MAX_COOKIES, &kv, &n);
	ok(rc == INPUT_OK && n == 0, "cookies: 1 MB of spaces");
	free(s);
	arena_reset(a);
}

struct pathcase {
	const char	*in;
	size_t		 inlen;
	bool		 good;
	const char	*out;
	size_t		 outlen;
};

static const struct pathcase path_cases[] = {
	{ S(""), true, S("") },
	{ S("/"), true, S("/") },
	{ S("/a/b"), true, S("/a/b") },
	{ S("/a%20b"), true, S("/a b") },
	{ S("/a+b"), true, S("/a+b") },
	{ S("/%25"), true, S("/%") },
	{ S("/%252F"), true, S("/%2F") },
	{ S("/%3Cscript%3E"), true, S("/<script>") },
	{ S("/caf%C3%A9"), true, S("/caf\xc3\xa9") },
	{ S("/caf\xc3\xa9"), true, S("/caf\xc3\xa9") },
	{ S("/%F0%9F%98%80"), true, S("/\xf0\x9f\x98\x80") },
	{ S("/%2e%2e/"), true, S("/../") },
	{ S("/%0d%0a"), true, S("/\r\n") },
	{ S("/%22'"), true, S("/\"'") },
	{ S("/%2F"), false, NULL, 0 },
	{ S("/%2f"), false, NULL, 0 },
	{ S("/a%2fb"), false, NULL, 0 },
	{ S("/%00"), false, NULL, 0 },
	{ S("/a\0b"), false, NULL, 0 },
	{ S("/%"), false, NULL, 0 },
	{ S("/%4"), false, NULL, 0 },
	{ S("/%zz"), false, NULL, 0 },
	{ S("/%g0"), false, NULL, 0 },
	{ S("/%C0%AF"), false, NULL, 0 },
	{ S("/%ED%A0%80"), false, NULL, 0 },
	{ S("/%F4%90%80%80"), false, NULL, 0 },
	{ S("/%FF"), false, NULL, 0 },
	{ S("/\xff"), false, NULL, 0 },
	{ S("/%C3"), false, NULL, 0 },
};

static void
test_path(void)
{
	const struct pathcase *c;
	char	*out, *in;
	size_t	 i, outlen;
	bool	 r;

	for (i = 0; i < NELEM(path_cases); i++) {
		c = &path_cases[i];
		if ((in = malloc(c->inlen ? c->inlen : 1)) == NULL)
			bail("out of memory");
		memcpy(in, c->in, c->inlen);
		out = (char *)1;
		outlen = 99;
		r = input_decode_path(a, in, c->inlen, &out, &outlen);
		if (c->good)
			ok(r && outlen == c->outlen &&
			    memcmp(out, c->out, c->outlen) == 0 &&
			    out[outlen] == '\0', "path '%s' decoded",
			    show(c->in, c->inlen));
		else
			ok(!r && out == NULL && outlen == 0,
			    "path '%s' rejected", show(c->in, c->inlen));
		free(in);
	}
	arena_reset(a);
}

struct vcase {
	const char	*s;
	size_t		 n;
	bool		 good;
	int64_t		 i;
};

static const struct input_key k_signed = {
	"n", input_valid_int, 20, INT64_MIN, INT64_MAX
};
static const struct input_key k_unsigned = {
	"u", input_valid_int, 20, 0, INT64_MAX
};
static const struct input_key k_slug = {
	"slug", input_valid_slug, 64, 0, 0
};

static const struct vcase page_cases[] = {
	{ S("1"), true, 1 },
	{ S("42"), true, 42 },
	{ S("99999"), true, 99999 },
	{ S("100000"), true, 100000 },
	{ S("000007"), true, 7 },
	{ S(""), false, 0 },
	{ S("0"), false, 0 },
	{ S("100001"), false, 0 },
	{ S("999999"), false, 0 },
	{ S("1000000"), false, 0 },
	{ S("-1"), false, 0 },
	{ S("+1"), false, 0 },
	{ S(" 1"), false, 0 },
	{ S("1 "), false, 0 },
	{ S("1\n"), false, 0 },
	{ S("1\0"), false, 0 },
	{ S("1a"), false, 0 },
	{ S("a"), false, 0 },
	{ S("1.0"), false, 0 },
	{ S("1e3"), false, 0 },
	{ S("0x10"), false, 0 },
	{ S("-"), false, 0 },
	{ S("\xef\xbc\x91"), false, 0 },	/* fullwidth 1 */
	{ S("<script>"), false, 0 },
};

static const struct vcase signed_cases[] = {
	{ S("0"), true, 0 },
	{ S("-0"), true, 0 },
	{ S("-1"), true, -1 },
	{ S("9223372036854775807"), true, INT64_MAX },
	{ S("-9223372036854775808"), true, INT64_MIN },
	{ S("-9223372036854775807"), true, -INT64_MAX },
	{ S("9223372036854775808"), false, 0 },
	{ S("-9223372036854775809"), false, 0 },
	{ S("18446744073709551615"), false, 0 },
	{ S("18446744073709551616"), false, 0 },
	{ S("99999999999999999999"), false, 0 },
	{ S("--1"), false, 0 },
	{ S("-+1"), false, 0 },
	{ S("+-1"), false, 0 },
	{ S("- 1"), false, 0 },
	{ S("1-"), false, 0 },
	{ S("-"), false, 0 },
	{ S("-00000000000000000001"), false, 0 },	/* over max_len */
};

static const struct vcase unsigned_cases[] = {
	{ S("0"), true, 0 },
	{ S("9223372036854775807"), true, INT64_MAX },
	{ S("-0"), false, 0 },
	{ S("-1"), false, 0 },
	{ S("9223372036854775808"), false, 0 },
};

static const struct vcase text_cases[] = {
	{ S(""), true, 0 },
	{ S("hello"), true, 0 },
	{ S("hello world"), true, 0 },
	{ S("caf\xc3\xa9"), true, 0 },
	{ S("\xe2\x82\xac 5"), true, 0 },
	{ S("\xf0\x9f\x98\x80"), true, 0 },
	{ S("\xf4\x8f\xbf\xbf"), true, 0 },
	{ S("a\tb\nc\r\n"), true, 0 },
	{ S("<script>alert(1)</script>"), true, 0 },
	{ S("\"'`"), true, 0 },
	{ S("a+b%20c"), true, 0 },
	{ S("a\0b"), false, 0 },
	{ S("\0"), false, 0 },
	{ S("\x01"), false, 0 },
	{ S("\x1b[31m"), false, 0 },
	{ S("\b"), false, 0 },
	{ S("\x1f"), false, 0 },
	{ S("\x7f"), false, 0 },
	{ S("\xc0\xaf"), false, 0 },
	{ S("\xe0\x80\xaf"), false, 0 },
	{ S("\xed\xa0\x80"), false, 0 },
	{ S("\xed\xbf\xbf"), false, 0 },
	{ S("\xf4\x90\x80\x80"), false, 0 },
	{ S("\xff"), false, 0 },
	{ S("\x80"), false, 0 },
	{ S("\xc3"), false, 0 },
	{ S("caf\xc3"), false, 0 },
	{ S("\xe2\x82"), false, 0 },
};

static const struct vcase slug_cases[] = {
	{ S("a"), true, 0 },
	{ S("0"), true, 0 },
	{ S("hello-world"), true, 0 },
	{ S("2024-01-01-new-year"), true, 0 },
	{ S("a-b-c"), true, 0 },
	{ S("abc123"), true, 0 },
	{ S("x-0"), true, 0 },
	{ S(""), false, 0 },
	{ S("-"), false, 0 },
	{ S("-a"), false, 0 },
	{ S("a-"), false, 0 },
	{ S("a--b"), false, 0 },
	{ S("a---b"), false, 0 },
	{ S("Hello"), false, 0 },
	{ S("a_b"), false, 0 },
	{ S("a b"), false, 0 },
	{ S("a+b"), false, 0 },
	{ S("a/b"), false, 0 },
	{ S("../etc"), false, 0 },
	{ S("a.b"), false, 0 },
	{ S("caf\xc3\xa9"), false, 0 },
	{ S("a\0"), false, 0 },
	{ S("a\n"), false, 0 },
	{ S("<script>"), false, 0 },
	{ S("a%20b"), false, 0 },
};

static void
run_vcases(const char *what, const struct input_key *k,
    const struct vcase *c, size_t n)
{
	struct input_value v;
	size_t	 i;
	bool	 r;

	for (i = 0; i < n; i++) {
		v.s = c[i].s;
		v.n = c[i].n;
		v.i = -12345;
		r = k->valid(&v, k);
		if (c[i].good)
			ok(r && v.i == (k->valid == input_valid_int ?
			    c[i].i : -12345), "%s: '%s' accepted", what,
			    show(c[i].s, c[i].n));
		else
			ok(!r, "%s: '%s' rejected", what,
			    show(c[i].s, c[i].n));
	}
}

/* Lengths at and around the caps, built at run time. */
static void
test_validator_lengths(void)
{
	struct input_value v;
	char	*s;
	size_t	 len;

	s = repeat("a", 201, &len);
	v.s = s;
	v.n = 200;
	ok(input_valid_text(&v, &input_keys[KEY_Q]), "text: 200 bytes");
	v.n = 201;
	ok(!input_valid_text(&v, &input_keys[KEY_Q]), "text: 201 bytes");
	v.n = 64;
	ok(input_valid_slug(&v, &k_slug), "slug: 64 bytes");
	v.n = 65;
	ok(!input_valid_slug(&v, &k_slug), "slug: 65 bytes");
	free(s);
}

static void
test_tables(void)
{
	size_t	 i, j;
	bool	 good = true;

	for (i = 0; i < INPUT_ERR__MAX; i++)
		good = good && input_err_names[i] != NULL;
	ok(good, "every input_err has a name");
	for (i = 0; i < KEY__MAX; i++) {
		good = input_keys[i].name != NULL &&
		    input_keys[i].valid != NULL && input_keys[i].max_len > 0;
		for (j = 0; good && j < i; j++)
			good = strcmp(input_keys[i].name,
			    input_keys[j].name) != 0;
		ok(good, "input_keys row %zu is filled in and unique", i);
	}
	is_string("page", input_keys[KEY_PAGE].name, "KEY_PAGE row");
	is_string("q", input_keys[KEY_Q].name, "KEY_Q row");
	is_string("author", input_keys[KEY_AUTHOR].name, "KEY_AUTHOR row");
	{
		static const struct { const char *s; bool good; } users[] = {
			{ "admin", true }, { "a", true }, { "jo_smith", true },
			{ "x-1", true }, { "0day", true }, { "", false },
			{ "_x", false }, { "-x", false }, { "Admin", false },
			{ "a b", false }, { "a.b", false }, { "<script>", false },
			{ "\xc3\xa9t\xc3\xa9", false },
			{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
		};
		for (size_t u = 0; u < NELEM(users); u++) {
			struct input_value uv = { users[u].s,
			    strlen(users[u].s), 0 };

			is_int(users[u].good, input_valid_username(&uv,
			    &input_keys[KEY_AUTHOR]), "username '%s'",
			    users[u].s);
		}
	}
}

static void
test_find(void)
{
	const struct kv	*f;
	struct kv	*kv;
	size_t		 n;

	input_parse_urlencoded(a, S("page=1&pag=2&page=3&a%00b=4&pages=5"),
	    8, &kv, &n);
	f = input_find(kv, n, "page");
	ok(f == &kv[0], "find: first of duplicates");
	f = input_find(kv, n, "pag");
	ok(f == &kv[1], "find: exact key, not prefix");
	ok(input_find(kv, n, "pa") == NULL, "find: prefix absent");
	ok(input_find(kv, n, "a") == NULL, "find: key with NUL not matched");
	ok(input_find(kv, n, "") == NULL, "find: empty key absent");
	ok(input_find(NULL, 0, "page") == NULL, "find: no pairs");
	arena_reset(a);
}

static void
parse(const char *s, struct kv **kv, size_t *n)
{
	if (input_parse_urlencoded(a, s, strlen(s), INPUT_MAX_PAIRS, kv, n) !=
	    INPUT_OK)
		bail("cannot parse fixture '%s'", s);
}

static void
test_validate(void)
{
	struct input_value	*in[KEY__MAX];
	struct kv		*q, *f;
	size_t			 nq, nf, i;
	char			*s;

	parse("page=2&q=hello+world&unknown=1", &q, &nq);
	for (i = 0; i < KEY__MAX; i++)
		in[i] = (struct input_value *)1;
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_PAGE] != NULL && in[KEY_PAGE]->i == 2 &&
	    strcmp(in[KEY_PAGE]->s, "2") == 0 && in[KEY_PAGE]->n == 1,
	    "validate: page=2");
	ok(in[KEY_Q] != NULL && strcmp(in[KEY_Q]->s, "hello world") == 0 &&
	    in[KEY_Q]->n == 11, "validate: q decoded");
	ok(in[KEY_Q] != NULL && in[KEY_Q]->s != q[1].val,
	    "validate: value is a copy");

	{
		bool	 refused[KEY__MAX];

		parse("tag=Not+A+Slug&per_page=20&author=&q=ok", &q, &nq);
		input_validate_sent(a, q, nq, NULL, 0, in, refused);
		ok(refused[KEY_TAG] && in[KEY_TAG] == NULL,
		    "validate: a bad tag is refused, and said so");
		ok(!refused[KEY_PER_PAGE] && !refused[KEY_Q] &&
		    !refused[KEY_PAGE], "validate: good or absent keys are not");
		ok(refused[KEY_AUTHOR], "validate: an empty author is refused");
	}

	parse("unknown=1&PAGE=2", &q, &nq);
	for (i = 0; i < KEY__MAX; i++)
		in[i] = (struct input_value *)1;
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_PAGE] == NULL && in[KEY_Q] == NULL,
	    "validate: unknown and wrong-case keys dropped, in[] cleared");

	input_validate(a, NULL, 0, NULL, 0, in);
	ok(in[KEY_PAGE] == NULL && in[KEY_Q] == NULL, "validate: no input");

	parse("page=abc&page=2", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_PAGE] == NULL, "validate: first duplicate wins, invalid");

	parse("page=5&page=abc", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_PAGE] != NULL && in[KEY_PAGE]->i == 5,
	    "validate: first duplicate wins, valid");

	parse("page=3", &q, &nq);
	parse("page=4&q=form", &f, &nf);
	input_validate(a, q, nq, f, nf, in);
	ok(in[KEY_PAGE] != NULL && in[KEY_PAGE]->i == 3,
	    "validate: query before form");
	ok(in[KEY_Q] != NULL && strcmp(in[KEY_Q]->s, "form") == 0,
	    "validate: form used when query lacks the key");

	parse("page=x", &q, &nq);
	input_validate(a, q, nq, f, nf, in);
	ok(in[KEY_PAGE] == NULL, "validate: invalid query value hides form");

	parse("page=0000001", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_PAGE] == NULL, "validate: over max_len dropped before "
	    "validation");

	parse("page=100001", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_PAGE] == NULL, "validate: page out of range");

	parse("q=a%00b", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] == NULL, "validate: q with NUL");

	parse("q=%C0%AF", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] == NULL, "validate: q overlong UTF-8");

	parse("q=%ED%A0%80", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] == NULL, "validate: q surrogate");

	parse("q=%1B%5B2J", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] == NULL, "validate: q terminal escape");

	parse("q=%3Cscript%3E%22", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] != NULL && strcmp(in[KEY_Q]->s, "<script>\"") == 0,
	    "validate: q markup kept (escaping is the template's job)");

	parse("q=", &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] != NULL && in[KEY_Q]->n == 0 && in[KEY_Q]->s[0] == '\0',
	    "validate: empty q");

	s = repeat("a", 200, &i);
	memcpy(s, "q=", 2);
	parse(s, &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] != NULL && in[KEY_Q]->n == 198, "validate: q 198 bytes");
	free(s);
	s = repeat("a", 202, &i);
	memcpy(s, "q=", 2);
	parse(s, &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] != NULL && in[KEY_Q]->n == 200, "validate: q 200 bytes");
	free(s);
	s = repeat("a", 203, &i);
	memcpy(s, "q=", 2);
	parse(s, &q, &nq);
	input_validate(a, q, nq, NULL, 0, in);
	ok(in[KEY_Q] == NULL, "validate: q 201 bytes dropped");
	free(s);
	arena_reset(a);
}

/* The write API's body parser, with hostile bodies. */
static void
test_json(void)
{
	static const struct {
		const char	*ctype, *body;
		enum status	 want;
		const char	*name;
	} cases[] = {
		{ "application/json", "{\"a\":1}", ST_OK, "an object" },
		{ "application/json; charset=utf-8", "{}", ST_OK,
		    "with a charset" },
		{ "Application/JSON", " {} \n", ST_OK,
		    "type case-insensitive, whitespace around" },
		{ "text/plain", "{}", ST_UNSUPPORTED, "not JSON's type" },
		{ "application/jsonx", "{}", ST_UNSUPPORTED, "a longer type" },
		{ NULL, "{}", ST_UNSUPPORTED, "no type" },
		{ "application/json", "", ST_INVALID, "empty" },
		{ "application/json", "[1,2]", ST_INVALID, "an array" },
		{ "application/json", "\"s\"", ST_INVALID, "a string" },
		{ "application/json", "{} {}", ST_INVALID, "two objects" },
		{ "application/json", "{\"a\":1", ST_INVALID, "truncated" },
		{ "application/json", "{'a':1}", ST_INVALID, "single quotes" },
		{ "application/json", "{\"a\":1,}", ST_INVALID,
		    "a trailing comma" },
		{ "application/json", "{\"a\":\"\xff\xfe\"}", ST_INVALID,
		    "invalid UTF-8" },
		{ "application/json", "{\"a\":NaN}", ST_INVALID, "NaN" },
		{ "application/json", "{\"a\":-Infinity}", ST_INVALID,
		    "Infinity" },
		{ "application/json", "{\"a\":1e5,\"b\":[true,false,null],"
		    "\"c\":\"it's \\\"NaN\\\"\"}", ST_OK,
		    "exponents, words, quotes inside strings" },
		{ "application/json", "{\"a\":tru}", ST_INVALID,
		    "a word cut short" },
		{ "application/json",
		    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":"
		    "{\"h\":{}}}}}}}}}", ST_INVALID, "nested 9 deep" },
		{ "application/json",
		    "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":"
		    "1}}}}}}}", ST_OK, "nested 7 deep" },
	};
	struct json_object *o;
	const char	*why;
	enum status	 st;

	for (size_t i = 0; i < NELEM(cases); i++) {
		st = input_json_object(cases[i].ctype, cases[i].body,
		    strlen(cases[i].body), &o, &why);
		ok(st == cases[i].want && (st == ST_OK) == (o != NULL) &&
		    (st == ST_OK) == (why == NULL), "json: %s", cases[i].name);
		json_object_put(o);
	}
}

/* The post form and body tables: states, the failed-field map, and
 * hostile values (caps, duplicates, bad UTF-8, NUL, huge numbers). */
static void
test_forms(void)
{
	struct input_got got[PK__MAX];
	struct input_fails m;
	struct kv	*kv;
	struct json_object *o;
	const char	*why;
	char		*big;
	size_t		 n;

	memset(&m, 0, sizeof(m));
	ok(input_parse_urlencoded(a, S("title=Hi&slug=&csrf=x&status=draft"
	    "&tags=a%2C+b"), 16, &kv, &n) == INPUT_OK, "forms: a form parses");
	is_int(0, (int64_t)input_form_pairs(a, &input_post_form, kv, n, got,
	    &m), "forms: nothing fails");
	is_int(IS_OK, got[PK_TITLE].state, "forms: title ok");
	is_string("Hi", input_str(&got[PK_TITLE]), "forms: and its value");
	is_int(IS_EMPTY, got[PK_SLUG].state, "forms: slug sent empty");
	is_string("", input_str(&got[PK_SLUG]), "forms: reads as \"\"");
	is_int(IS_ABSENT, got[PK_SUMMARY].state, "forms: summary absent");
	ok(input_str(&got[PK_SUMMARY]) == NULL, "forms: reads as NULL");
	is_string("a, b", input_str(&got[PK_TAGS]), "forms: tags as typed");

	memset(&m, 0, sizeof(m));
	ok(input_parse_urlencoded(a, S("title=a&title=b&slug=%FF&summary=x%00y"
	    "&body_md=%C3"), 16, &kv, &n) == INPUT_OK, "forms: hostile form");
	is_int(4, (int64_t)input_form_pairs(a, &input_post_form, kv, n, got,
	    &m), "forms: four fields fail");
	is_string("is sent twice", input_failed(&m, "title"),
	    "forms: a field sent twice is taken from neither");
	ok(input_str(&got[PK_TITLE]) == NULL, "forms: and reads NULL");
	is_string("must be UTF-8", input_failed(&m, "slug"), "forms: bad UTF-8");
	is_string("must not contain NUL", input_failed(&m, "summary"),
	    "forms: an embedded NUL");
	is_string("must be UTF-8", input_failed(&m, "body_md"),
	    "forms: UTF-8 cut short");

	big = calloc(4100, 1);
	memcpy(big, "status=", 7);
	memset(big + 7, 'x', 65);
	memset(&m, 0, sizeof(m));
	ok(input_parse_urlencoded(a, big, strlen(big), 16, &kv, &n) ==
	    INPUT_OK, "forms: a long status parses");
	is_int(1, (int64_t)input_form_pairs(a, &input_post_form, kv, n, got,
	    &m), "forms: 65 bytes of status is past its cap");
	is_string("is too long", input_failed(&m, "status"), "forms: says so");
	free(big);

	memset(&m, 0, sizeof(m));
	ok(input_json_object("application/json", S("{\"title\":\"T\","
	    "\"published_at\":null,\"tags\":[\"a\",\"b\"],\"slug\":\"\"}"),
	    &o, &why) == ST_OK, "json fields: a body parses");
	is_int(0, (int64_t)input_form_json(a, &input_post_body, o, got, &m),
	    "json fields: nothing fails");
	is_int(IS_EMPTY, got[PK_PUBLISHED_AT].state, "json fields: null is empty");
	ok(input_str(&got[PK_PUBLISHED_AT]) == NULL, "json fields: and NULL");
	is_int(2, (int64_t)got[PK_TAGS].n, "json fields: two tags");
	is_string("b", got[PK_TAGS].list[1], "json fields: in order");
	is_int(IS_EMPTY, got[PK_SLUG].state, "json fields: \"\" is empty");
	is_int(IS_ABSENT, got[PK_BODY_MD].state, "json fields: absent");
	json_object_put(o);

	memset(&m, 0, sizeof(m));
	ok(input_json_object("application/json", S("{\"title\":1e999,"
	    "\"slug\":99999999999999999999999,\"status\":null,"
	    "\"tags\":[\"a\",7],\"extra\":true,\"summary\":\"a\\u0000b\","
	    "\"body_md\":{}}"), &o, &why) == ST_OK, "json fields: hostile body");
	is_int(7, (int64_t)input_form_json(a, &input_post_body, o, got, &m),
	    "json fields: seven fail");
	is_string("must be a string", input_failed(&m, "title"),
	    "json fields: a huge number is no title");
	is_string("must be a string", input_failed(&m, "slug"),
	    "json fields: nor a slug");
	is_string("must be a string", input_failed(&m, "status"),
	    "json fields: null where it is not allowed");
	is_string("must be an array of strings", input_failed(&m, "tags"),
	    "json fields: a number among the tags");
	is_string("is not a field of a post", input_failed(&m, "extra"),
	    "json fields: an unknown field is named");
	is_string("must not contain NUL", input_failed(&m, "summary"),
	    "json fields: an escaped NUL");
	ok(input_failed(&m, "body_md") != NULL, "json fields: an object");
	json_object_put(o);

	memset(&m, 0, sizeof(m));
	big = calloc(101 * 4 + 16, 1);
	strcpy(big, "{\"tags\":[");
	for (size_t i = 0; i < 101; i++)
		strcat(big, i ? ",\"a\"" : "\"a\"");
	strcat(big, "]}");
	ok(input_json_object("application/json", big, strlen(big), &o,
	    &why) == ST_OK, "json fields: 101 tags parse");
	is_int(1, (int64_t)input_form_json(a, &input_post_body, o, got, &m),
	    "json fields: past the cap of 100 items");
	json_object_put(o);
	free(big);

	memset(&m, 0, sizeof(m));
	ok(input_json_object("application/json", S("{\"title\":\"a\","
	    "\"title\":7}"), &o, &why) == ST_OK,
	    "json fields: a key given twice parses");
	is_int(1, (int64_t)input_form_json(a, &input_post_body, o, got, &m),
	    "json fields: the last one is judged");
	json_object_put(o);

	{
		enum input_state st;

		ok(input_parse_urlencoded(a, S("a=1&e=&d=x&d=y&z=%00&u=%C0%AF"),
		    16, &kv, &n) == INPUT_OK, "pairs: a form parses");
		is_string("1", input_pair(kv, n, "a", 10, &st), "pairs: ok");
		is_int(IS_OK, st, "pairs: ok state");
		is_string("", input_pair(kv, n, "e", 10, &st), "pairs: empty");
		is_int(IS_EMPTY, st, "pairs: empty state");
		ok(input_pair(kv, n, "b", 10, &st) == NULL && st == IS_ABSENT,
		    "pairs: absent");
		ok(input_pair(kv, n, "d", 10, &st) == NULL && st == IS_INVALID,
		    "pairs: sent twice is invalid");
		ok(input_pair(kv, n, "z", 10, &st) == NULL && st == IS_INVALID,
		    "pairs: a NUL is invalid");
		ok(input_pair(kv, n, "u", 10, &st) == NULL && st == IS_INVALID,
		    "pairs: an overlong '/' is invalid");
		ok(input_pair(kv, n, "a", 0, &st) == NULL && st == IS_INVALID,
		    "pairs: past the cap is invalid");
	}

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < INPUT_MAX_FAILS + 4; i++)
		input_fail(&m, arena_printf(a, "f%zu", i), "bad");
	input_fail(&m, "f0", "again");
	is_int(INPUT_MAX_FAILS, (int64_t)m.n, "the map stops at its cap");
	is_string("bad", input_failed(&m, "f0"), "and keeps the first why");
}

int
main(void)
{
	size_t	 i;

	plan_lazy();
	a = arena_new(4096);

	test_tables();
	for (i = 0; i < NELEM(urlencoded_cases); i++)
		run_case("urlencoded", input_parse_urlencoded,
		    &urlencoded_cases[i]);
	test_urlencoded_limits();
	for (i = 0; i < NELEM(cookie_cases); i++)
		run_case("cookies", input_parse_cookies, &cookie_cases[i]);
	test_cookie_limits();
	test_unterminated();
	test_path();
	test_find();
	run_vcases("page", &input_keys[KEY_PAGE], page_cases,
	    NELEM(page_cases));
	run_vcases("int64", &k_signed, signed_cases, NELEM(signed_cases));
	run_vcases("uint", &k_unsigned, unsigned_cases,
	    NELEM(unsigned_cases));
	run_vcases("text", &input_keys[KEY_Q], text_cases, NELEM(text_cases));
	run_vcases("slug", &k_slug, slug_cases, NELEM(slug_cases));
	test_validator_lengths();
	test_validate();
	test_json();
	test_forms();

	arena_free(a);
	return done_testing();
}
