/* SPDX-License-Identifier: MIT */
/*
 * tmpl-t.c: the template engine beyond the spec suite: exact compile
 * errors, TMPL_STRICT, HTML and XML escaping, hostile values, limits,
 * tmpl_load_dir() on a temporary theme, and no allocation while rendering.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "tap.h"
#include "tmpl/tmpl.h"
#include "tmpl/tmpl_int.h"

/*
 * Counting allocations: the test program's malloc() wins over libc's for
 * every library, json-c included.  Not under AddressSanitizer, which
 * owns malloc() itself.
 */
#if defined(__SANITIZE_ADDRESS__)
#define IW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IW_ASAN 1
#endif
#endif
#if defined(__GLIBC__) && !defined(IW_ASAN)
#define COUNT_MALLOC 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static size_t nalloc;

void *
malloc(size_t n)
{
	nalloc++;
	return __libc_malloc(n);
}

void *
calloc(size_t m, size_t n)
{
	nalloc++;
	return __libc_calloc(m, n);
}

void *
realloc(void *p, size_t n)
{
	nalloc++;
	return __libc_realloc(p, n);
}
#endif

static struct arena *A;
static char	 E[2048];

/* The error of compiling (and linking) text as template "t", or "ok". */
static const char *
cerr(int flags, const char *text)
{
	struct tmpl_set	*set = tmpl_new(flags);

	if (tmpl_add(set, "t", false, TMPL_ESC_HTML, text, strlen(text), E,
	    sizeof(E)) == 0 && tmpl_link(set, E, sizeof(E)) == 0)
		snprintf(E, sizeof(E), "ok");
	tmpl_free(set);
	return E;
}

/* A set of "t" (escaping esc) and optional partial "p"; NULL on error. */
static struct tmpl_set *
mkset(int flags, enum tmpl_escape esc, const char *text, const char *ptext)
{
	struct tmpl_set	*set = tmpl_new(flags);

	if (tmpl_add(set, "t", false, esc, text, strlen(text), E,
	    sizeof(E)) != 0 || (ptext != NULL && tmpl_add(set, "p", true,
	    TMPL_ESC_HTML, ptext, strlen(ptext), E, sizeof(E)) != 0) ||
	    tmpl_link(set, E, sizeof(E)) != 0) {
		diag("%s", E);
		tmpl_free(set);
		return NULL;
	}
	return set;
}

/* Renders name from set with view; the text, or "(failed)". */
static const char *
rview(const struct tmpl_set *set, const char *name, struct json_object *v)
{
	struct buf	 b;

	buf_init(&b, A, 64);
	if (set == NULL || tmpl_render(set, name, v, &b) != 0)
		return "(failed)";
	return b.p;
}

/* Compiles text (and partial p), renders it with json; frees the set. */
static const char *
R(int flags, enum tmpl_escape esc, const char *text, const char *ptext,
    const char *json)
{
	struct tmpl_set	*set = mkset(flags, esc, text, ptext);
	struct json_object *v = json ? json_tokener_parse(json) : NULL;
	const char	*s = rview(set, "t", v);

	json_object_put(v);
	tmpl_free(set);
	return s;
}

#define H(text, json)	R(0, TMPL_ESC_HTML, text, NULL, json)

static char *
repeat(const char *unit, size_t times)
{
	size_t	 n = strlen(unit);
	char	*s = malloc(n * times + 1);

	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

static void
errors(void)
{
	char	*s, *name;

	is_string("t:2: unclosed section \"a\"", cerr(0, "x\n{{#a}}\ny\n"),
	    "unclosed section names its opening line");
	is_string("t:3: unclosed section \"b\"",
	    cerr(0, "{{#a}}\n{{/a}}\n{{^b}}{{#c}}{{/c}}"),
	    "unclosed inverted section");
	is_string("t:2: close \"b\" does not match \"a\" opened on line 1",
	    cerr(0, "{{#a}}\n{{/b}}"), "mismatched close");
	is_string("t:3: stray close \"a\" with no open section",
	    cerr(0, "x\n\n{{/a}}"), "stray close");
	is_string("t:1: bad delimiter change: want {{=open close=}}",
	    cerr(0, "{{=<% %>}}"), "delimiter change without closing =");
	is_string("t:2: bad delimiter change: want {{=open close=}}",
	    cerr(0, "\n{{= <% =}}"), "delimiter change with one delimiter");
	is_string("t:1: bad delimiter change: want {{=open close=}}",
	    cerr(0, "{{=a b c=}}"), "delimiter change with three");
	is_string("t:1: bad delimiter change: '=' in a delimiter",
	    cerr(0, "{{=a= b=}}"), "'=' inside a delimiter");
	is_string("t:1: bad delimiter change: delimiter longer than 32 bytes",
	    cerr(0, "{{=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b=}}"),
	    "overlong delimiter");
	is_string("t:3: unclosed tag", cerr(0, "a\nb\n{{x\n}"),
	    "unclosed tag names the line it starts on");
	is_string("t:1: unclosed tag", cerr(0, "{{{x}}"),
	    "unclosed triple mustache");
	is_string("t:2: unclosed tag", cerr(0, "{{=<% %>=}}\n<%x}}"),
	    "unclosed tag after a delimiter change");
	is_string("t:1: empty tag name", cerr(0, "{{}}"), "empty tag");
	is_string("t:1: empty tag name", cerr(0, "{{#  }}{{/}}"),
	    "empty section name");
	is_string("t:1: empty tag name", cerr(0, "{{>}}"),
	    "empty partial name");
	is_string("t:1: empty tag name", cerr(0, "{{{ }}}"),
	    "empty triple mustache");
	is_string("t:1: blank or NUL inside a tag name", cerr(0, "{{a b}}"),
	    "blank inside a name");
	is_string("t:1: bad dotted name", cerr(0, "{{a..b}}"),
	    "empty segment in a dotted name");
	is_string("t:1: bad dotted name", cerr(0, "{{#a.}}{{/a.}}"),
	    "trailing dot");
	is_string("t:4: unclosed section \"a\"",
	    cerr(0, "{{!\n\n}}\n{{#a}}"), "lines counted across a comment");
	is_string("t:2: not valid UTF-8", cerr(0, "ok\n\xff\n"),
	    "invalid UTF-8 in a template, with its line");
	is_string("ok", cerr(0, "{{! {{#a}} is not a tag in a comment }}"),
	    "tags inside a comment are not parsed");

	/* Limits. */
	s = malloc(100 * 7 + 100 * 7 + 1);
	s[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(s, "{{#a}}\n");
	for (int i = 0; i < 100; i++)
		strcat(s, "{{/a}}\n");
	is_string("ok", cerr(0, s), "100 nested sections compile");
	free(s);
	s = malloc(101 * 7 + 101 * 7 + 1);
	s[0] = '\0';
	for (int i = 0; i < 101; i++)
		strcat(s, "{{#a}}\n");
	is_string("t:101: sections nested deeper than 100", cerr(0, s),
	    "101 nested sections do not");
	free(s);
	name = repeat("n", 255);
	s = malloc(300);
	snprintf(s, 300, "{{%s}}", name);
	is_string("ok", cerr(0, s), "a 255-byte name compiles");
	snprintf(s, 300, "{{n%s}}", name);
	is_string("t:1: tag name longer than 255 bytes", cerr(0, s),
	    "a 256-byte name does not");
	free(s);
	free(name);
	s = repeat("x", TMPL_MAX_SIZE);
	is_string("ok", cerr(0, s), "a template of exactly 1 MiB compiles");
	free(s);
	s = repeat("x", TMPL_MAX_SIZE + 1);
	is_string("t:1: template larger than 1048576 bytes", cerr(0, s),
	    "a template over 1 MiB is refused");
	free(s);
}

static void
names(void)
{
	struct tmpl_set	*set = tmpl_new(0);
	struct buf	 b;

	ok(tmpl_add(set, "a", false, TMPL_ESC_HTML, "A", 1, E,
	    sizeof(E)) == 0, "add a");
	is_int(-1, tmpl_add(set, "a", false, TMPL_ESC_HTML, "B", 1, E,
	    sizeof(E)), "a second template a is refused");
	is_string("a:1: duplicate template \"a\"", E, "and said so");
	ok(tmpl_add(set, "a", true, TMPL_ESC_HTML, "P", 1, E,
	    sizeof(E)) == 0, "a partial may share a page's name");
	is_int(-1, tmpl_add(set, "x", false, (enum tmpl_escape)7, "", 0, E,
	    sizeof(E)), "an unknown escaper is refused");
	buf_init(&b, A, 64);
	is_int(-1, tmpl_render(set, "a", NULL, &b),
	    "no render before tmpl_link()");
	ok(tmpl_link(set, E, sizeof(E)) == 0, "link");
	ok(tmpl_has(set, "a"), "tmpl_has finds a page");
	ok(!tmpl_has(set, "b"), "and not what is missing");
	is_int(0, tmpl_render(set, "a", NULL, &b), "render a");
	is_string("A", b.p, "the page, not the partial");
	is_int(-1, tmpl_render(set, "nope", NULL, &b),
	    "rendering a missing template fails");
	ok(tmpl_add(set, "c", false, TMPL_ESC_HTML, "{{>a}}", 6, E,
	    sizeof(E)) == 0, "add after link");
	is_int(-1, tmpl_render(set, "c", NULL, &b), "needs a new link");
	ok(tmpl_link(set, E, sizeof(E)) == 0 &&
	    tmpl_render(set, "c", NULL, &b) == 0, "and then renders");
	is_string("AP", b.p, "partials resolve in their own namespace");
	tmpl_free(set);
}

static void
strict(void)
{
	is_string("t:2: unescaped \"x\": {{{ }}} and {{& }} are only for "
	    "names ending in _html", cerr(TMPL_STRICT, "\n{{{x}}}"),
	    "strict: triple mustache on a plain name");
	is_string("t:1: unescaped \"post.body\": {{{ }}} and {{& }} are only "
	    "for names ending in _html", cerr(TMPL_STRICT, "{{& post.body}}"),
	    "strict: ampersand on a plain name");
	is_string("t:1: unescaped \"body_html.x\": {{{ }}} and {{& }} are "
	    "only for names ending in _html",
	    cerr(TMPL_STRICT, "{{{body_html.x}}}"),
	    "strict: the last segment counts");
	is_string("t:1: unescaped \".\": {{{ }}} and {{& }} are only for "
	    "names ending in _html", cerr(TMPL_STRICT, "{{{.}}}"),
	    "strict: no raw implicit iterator");
	is_string("t:1: unescaped \"x\": {{{ }}} and {{& }} are only for "
	    "names ending in _html",
	    cerr(TMPL_STRICT, "{{=<% %>=}}<%{x}%>"),
	    "strict: triple mustache with changed delimiters");
	is_string("ok", cerr(TMPL_STRICT, "{{{body_html}}}{{&post.x_html}}"),
	    "strict: _html names may be raw");
	is_string("ok", cerr(0, "{{{x}}}{{&y}}"),
	    "without TMPL_STRICT anything may be raw");
	is_string("t:3: unknown partial \"nope\"",
	    cerr(TMPL_STRICT, "a\n\n{{> nope}}"),
	    "strict: an unknown partial fails tmpl_link()");
	is_string("t:1: unknown partial \"base\"",
	    cerr(TMPL_STRICT, "{{<base}}{{/base}}"),
	    "strict: so does an unknown parent");
	is_string("[]", H("[{{> nope}}]", "{}"),
	    "without it an unknown partial renders nothing");
	is_string("<b>&lt;b&gt;", R(TMPL_STRICT, TMPL_ESC_HTML,
	    "{{{x_html}}}{{x_html}}", NULL, "{\"x_html\":\"<b>\"}"),
	    "strict: {{x_html}} still escapes");
}

static void
escaping(void)
{
	const char *hostile = "{\"v\":\"<script>alert('x')</script>\\\"&\","
	    "\"c\":\"a\\u0001b\\u001fc\\td\"}";
	struct tmpl_set	*set;
	struct json_object *v;
	struct buf	 b;
	char		*big, *want;
	int		 rc;

	is_string("<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
	    "&quot;&amp;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
	    "&quot;&amp;</p>", H("<p title=\"{{v}}\">{{ v }}</p>", hostile),
	    "html: script, quotes and ampersand escaped");
	is_string("<t a=\"&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"
	    "&quot;&amp;\"/>", R(0, TMPL_ESC_XML, "<t a=\"{{v}}\"/>", NULL,
	    hostile), "xml: the five entities");
	is_string("abc\td", R(0, TMPL_ESC_XML, "{{c}}", NULL, hostile),
	    "xml: C0 controls dropped");
	is_string("a\x01" "b\x1f" "c\td", H("{{c}}", hostile),
	    "html: controls pass (HTML allows them in text)");
	is_string("<script>alert('x')</script>\"&",
	    H("{{{v}}}", hostile), "triple mustache is raw");
	is_string("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&quot;"
	    "&amp;|", R(0, TMPL_ESC_XML, "{{>p}}|", "{{v}}", hostile),
	    "a partial escapes for the page that includes it (XML)");
	is_string("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;"
	    "&amp;|", R(0, TMPL_ESC_HTML, "{{>p}}|", "{{v}}", hostile),
	    "and for HTML pages for HTML");
	is_string("{{v}} &lt;%v%&gt;", H("{{x}} {{y}}",
	    "{\"x\":\"{{v}}\",\"y\":\"<%v%>\",\"v\":\"no\"}"),
	    "values are never parsed as templates");

	/* Invalid UTF-8 and NUL in values: bytes pass, specials do not. */
	set = mkset(0, TMPL_ESC_HTML, "[{{v}}]", NULL);
	v = json_object_new_object();
	json_object_object_add(v, "v",
	    json_object_new_string_len("\xff<\xc3\0\"", 5));
	buf_init(&b, A, 16);
	ok(tmpl_render(set, "t", v, &b) == 0 && b.n == 15 &&
	    memcmp(b.p, "[\xff&lt;\xc3\0&quot;]", 15) == 0,
	    "invalid UTF-8 and NUL pass through, specials escaped");
	json_object_put(v);

	/* A huge value. */
	big = repeat("<'", 2 * 1024 * 1024);
	want = repeat("&lt;&#39;", 2 * 1024 * 1024);
	v = json_object_new_object();
	json_object_object_add(v, "v", json_object_new_string(big));
	buf_init(&b, A, 16);
	rc = tmpl_render(set, "t", v, &b);
	ok(rc == 0 && b.n == strlen(want) + 2 &&
	    memcmp(b.p + 1, want, strlen(want)) == 0,
	    "a 4 MiB hostile value is escaped whole (%zu bytes out)", b.n);
	json_object_put(v);
	free(big);
	free(want);
	tmpl_free(set);
}

static void
values(void)
{
	is_string("0 -5 42 -9223372036854775808 9223372036854775807 "
	    "18446744073709551615", H("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	    "{\"a\":0,\"b\":-5,\"c\":42,\"d\":-9223372036854775808,"
	    "\"e\":9223372036854775807,\"f\":18446744073709551615}"),
	    "integers, to the ends of int64 and uint64");
	is_string("1.21 0.1 -2.5 3 1e+300 1.7976931348623157e+308",
	    H("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	    "{\"a\":1.21,\"b\":0.1,\"c\":-2.5,\"d\":3.0,\"e\":1e300,"
	    "\"f\":1.7976931348623157e308}"),
	    "doubles in their shortest exact form");
	is_string("0 0 -7 999999999999999 1e+15 -1e+15 0.30000000000000004",
	    H("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
	    "{\"a\":0.0,\"b\":-0.0,\"c\":-7.0,\"d\":999999999999999.0,"
	    "\"e\":1e15,\"f\":-1e15,\"g\":0.30000000000000004}"),
	    "whole doubles as integers below 1e15, then as %%.15g");
	is_string("true false ||", H("{{t}} {{f}} |{{n}}|{{o}}{{l}}",
	    "{\"t\":true,\"f\":false,\"n\":null,\"o\":{\"a\":1},"
	    "\"l\":[1,2]}"), "booleans; null, objects and arrays are empty");
	is_string("", H("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}"
	    "{{#e}}E{{/e}}{{#f}}F{{/f}}{{#g}}G{{/g}}",
	    "{\"a\":\"\",\"b\":0,\"c\":0.0,\"d\":[],\"e\":false,"
	    "\"f\":null}"), "falsey: \"\", 0, 0.0, [], false, null, missing");
	is_string("ABCDE", H("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}"
	    "{{#d}}D{{/d}}{{#e}}E{{/e}}", "{\"a\":\"0\",\"b\":-1,\"c\":0.5,"
	    "\"d\":{},\"e\":\" \"}"), "truthy: \"0\", -1, 0.5, {}, \" \"");
	is_string("abc", H("{{^a}}a{{/a}}{{^b}}b{{/b}}{{^c}}c{{/c}}",
	    "{\"a\":\"\",\"b\":0,\"c\":[]}"),
	    "inverted sections render for falsey values");
	is_string("1,2,3,", H("{{#l}}{{.}},{{/l}}", "{\"l\":[1,2,3]}"),
	    "lists iterate");
	is_string("x:X y:X |", H("{{#l}}{{n}}:{{top}} {{/l}}|",
	    "{\"top\":\"X\",\"l\":[{\"n\":\"x\"},{\"n\":\"y\"}]}"),
	    "names resolve up the context stack");
	is_string("[]", H("[{{>*which}}]", "{\"which\":\"p\"}"),
	    "dynamic partial with no such partial renders nothing");
	is_string("<q>", R(0, TMPL_ESC_HTML, "{{>*which}}", "<q>",
	    "{\"which\":\"p\"}"), "dynamic partial by name from the view");
}

static void
indentation(void)
{
	is_string("<ul>\n  <li>a\nb</li>\n  <li>c</li>\n</ul>\n",
	    R(0, TMPL_ESC_HTML, "<ul>\n  {{>p}}\n</ul>\n",
	    "{{#l}}\n<li>{{.}}</li>\n{{/l}}\n", "{\"l\":[\"a\nb\",\"c\"]}"),
	    "a standalone partial indents its lines, not its values");
	is_string("x y\n", R(0, TMPL_ESC_HTML, "x {{>p}}\n", "y", "{}"),
	    "an inline partial is not indented");
}

static void
depth(void)
{
	struct tmpl_set	*set;
	struct json_object *v, *inner;
	struct buf	 b;
	int		 rc;

	/* 64 nested partials render; the 65th fails the render. */
	set = mkset(0, TMPL_ESC_HTML, "{{>p}}", "{{#n}}<{{>p}}>{{/n}}");
	for (int levels = 63; levels <= 64; levels++) {
		v = json_object_new_object();
		inner = v;
		for (int i = 0; i < levels; i++) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(inner, "n", o);
			inner = o;
		}
		/* Else the lookup of n climbs to the enclosing object. */
		json_object_object_add(inner, "n",
		    json_object_new_boolean(0));
		buf_init(&b, A, 64);
		rc = tmpl_render(set, "t", v, &b);
		if (levels == 63)
			ok(rc == 0 && b.n == 126, "64 nested partials render");
		else
			is_int(-1, rc, "65 nested partials fail");
		json_object_put(v);
	}
	tmpl_free(set);

	set = mkset(0, TMPL_ESC_HTML, "a{{>p}}", "{{>p}}");
	buf_init(&b, A, 64);
	is_int(-1, tmpl_render(set, "t", NULL, &b),
	    "endless partial recursion fails the render");
	tmpl_free(set);

	/* Recursion that doubles at each level ends by the step budget. */
	set = mkset(0, TMPL_ESC_HTML, "{{>p}}", "{{>p}}{{>p}}");
	set->max_steps = 1 << 20;
	buf_init(&b, A, 64);
	is_int(-1, tmpl_render(set, "t", NULL, &b),
	    "exponential recursion fails the render");
	tmpl_free(set);

	/* Nested loops end by the output limit (8000 x 10 bytes > 64 KiB). */
	set = mkset(0, TMPL_ESC_HTML,
	    "{{#l}}{{#l}}{{#l}}0123456789{{/l}}{{/l}}{{/l}}", NULL);
	v = json_tokener_parse("{\"l\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,"
	    "15,16,17,18,19,20]}");
	set->max_output = 64 * 1024;
	buf_init(&b, A, 64);
	is_int(-1, tmpl_render(set, "t", v, &b),
	    "output past max_output fails the render");
	ok(b.n <= 64 * 1024 + 10, "having written at most one step more");
	set->max_output = 80000;
	buf_init(&b, A, 64);
	ok(tmpl_render(set, "t", v, &b) == 0 && b.n == 80000,
	    "output up to the limit renders");
	json_object_put(v);
	tmpl_free(set);
}

static void
noalloc(void)
{
#ifdef COUNT_MALLOC
	struct tmpl_set	*set;
	struct json_object *v;
	struct arena	*a = arena_new(1 << 20);
	struct buf	 b;
	size_t		 before;
	int		 rc;

	set = mkset(0, TMPL_ESC_HTML,
	    "{{#posts}}<h2>{{title}}</h2>{{> p}}{{n}} {{d}} {{b}}{{/posts}}"
	    "{{^posts}}none{{/posts}}{{>*dyn}}{{<p}}{{$x}}X{{/x}}{{/p}}",
	    "  {{$x}}{{/x}}{{#tags}}{{.}}{{/tags}}\n");
	v = json_tokener_parse("{\"dyn\":\"p\",\"posts\":[{\"title\":\"<a>\","
	    "\"n\":7,\"d\":1.21,\"b\":true,\"tags\":[\"x\",\"y\"]},"
	    "{\"title\":\"b\",\"n\":-1,\"d\":0.5,\"b\":false}]}");
	buf_init(&b, a, 1 << 16);
	before = nalloc;
	rc = tmpl_render(set, "t", v, &b);
	is_int(0, (int64_t)(nalloc - before), "rendering allocates nothing "
	    "(rc %d, %zu bytes)", rc, b.n);
	json_object_put(v);
	tmpl_free(set);
	arena_free(a);
#else
	skip(1, "allocation counting needs glibc without ASan");
#endif
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		bail("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rmtree(const char *dir)
{
	if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		diag("could not remove %s: %s", dir, strerror(errno));
}

static void
load_dir(void)
{
	char		 tmpl[] = "/tmp/tmpl-t.XXXXXX", sub[4200], want[4400];
	const char	*tmp = getenv("TMPDIR");
	char		 dir[4000], *big;
	struct tmpl_set	*set;
	struct json_object *v;

	if (tmp != NULL && *tmp != '\0') {
		snprintf(dir, sizeof(dir), "%s/tmpl-t.XXXXXX", tmp);
		if (mkdtemp(dir) == NULL)
			bail("mkdtemp %s: %s", dir, strerror(errno));
	} else {
		if (mkdtemp(tmpl) == NULL)
			bail("mkdtemp: %s", strerror(errno));
		snprintf(dir, sizeof(dir), "%s", tmpl);
	}
	snprintf(sub, sizeof(sub), "%s/partials", dir);
	mkdir(sub, 0700);
	put_file(dir, "index.html.mustache", "{{> head}}\n<p>{{x}}</p>\n");
	put_file(dir, "feed.atom.xml.mustache", "<t>{{x}}</t>{{>head}}");
	put_file(dir, ".#index.html.mustache", "{{#broken");
	put_file(dir, "notes.txt", "{{#broken");
	put_file(sub, "head.mustache", "<h1>{{title}}</h1>\n");
	snprintf(want, sizeof(want), "%s/sub.mustache", dir);
	mkdir(want, 0700);

	set = tmpl_load_dir(dir, TMPL_STRICT, E, sizeof(E));
	if (!ok(set != NULL, "load_dir: a theme loads"))
		diag("%s", E);
	ok(tmpl_has(set, "index.html") && tmpl_has(set, "feed.atom.xml"),
	    "load_dir: pages named by file name minus .mustache");
	ok(!tmpl_has(set, "head") && !tmpl_has(set, "index.html.mustache") &&
	    !tmpl_has(set, "sub") && !tmpl_has(set, "notes.txt"),
	    "load_dir: partials, directories and other files are no pages");
	v = json_tokener_parse("{\"x\":\"<'>\",\"title\":\"T&'\"}");
	is_string("<h1>T&amp;&#39;</h1>\n<p>&lt;&#39;&gt;</p>\n",
	    rview(set, "index.html", v), "load_dir: .html escapes for HTML");
	is_string("<t>&lt;&apos;&gt;</t><h1>T&amp;&apos;</h1>\n",
	    rview(set, "feed.atom.xml", v),
	    "load_dir: .xml escapes for XML, partials included");
	json_object_put(v);
	tmpl_free(set);

	put_file(dir, "page.html.mustache", "a\n{{> missing}}\n");
	set = tmpl_load_dir(dir, TMPL_STRICT, E, sizeof(E));
	snprintf(want, sizeof(want),
	    "%s/page.html.mustache:2: unknown partial \"missing\"", dir);
	ok(set == NULL, "load_dir: strict refuses an unknown partial");
	is_string(want, E, "load_dir: with path and line");
	set = tmpl_load_dir(dir, 0, E, sizeof(E));
	ok(set != NULL, "load_dir: without TMPL_STRICT it loads");
	tmpl_free(set);
	snprintf(want, sizeof(want), "%s/page.html.mustache", dir);
	unlink(want);

	put_file(sub, "bad.mustache", "x\n{{{title}}}\n");
	set = tmpl_load_dir(dir, TMPL_STRICT, E, sizeof(E));
	snprintf(want, sizeof(want), "%s/bad.mustache:2: unescaped "
	    "\"title\": {{{ }}} and {{& }} are only for names ending in "
	    "_html", sub);
	ok(set == NULL, "load_dir: strict refuses raw output in a partial");
	is_string(want, E, "load_dir: naming the partial's path and line");
	snprintf(want, sizeof(want), "%s/bad.mustache", sub);
	unlink(want);

	big = repeat("x", TMPL_MAX_SIZE + 1);
	put_file(dir, "big.html.mustache", big);
	free(big);
	set = tmpl_load_dir(dir, 0, E, sizeof(E));
	snprintf(want, sizeof(want),
	    "%s/big.html.mustache:1: template larger than 1048576 bytes", dir);
	ok(set == NULL, "load_dir: a file over 1 MiB is refused");
	is_string(want, E, "load_dir: and named");

	rmtree(dir);
	set = tmpl_load_dir(dir, 0, E, sizeof(E));
	snprintf(want, sizeof(want), "%s: cannot open directory: %s", dir,
	    strerror(ENOENT));
	ok(set == NULL, "load_dir: a missing directory fails");
	is_string(want, E, "load_dir: and says why");
}

/* Last: it changes json-c's string hash for the rest of the process. */
static void
hash_change(void)
{
	const char	*text = "{{#l}}{{a.b}}{{c}},{{/l}}";
	const char	*json = "{\"c\":\"C\",\"l\":[{\"a\":{\"b\":1}},"
	    "{\"a\":{\"b\":\"<\"},\"c\":\"D\"}]}";
	struct tmpl_set	*before = mkset(0, TMPL_ESC_HTML, text, NULL), *after;
	struct json_object *v;

	if (json_global_set_string_hash(JSON_C_STR_HASH_PERLLIKE) != 0) {
		skip(2, "json-c cannot change its string hash");
		tmpl_free(before);
		return;
	}
	after = mkset(0, TMPL_ESC_HTML, text, NULL);
	v = json_tokener_parse(json);
	is_string("1C,&lt;D,", rview(before, "t", v),
	    "keys hashed by another function: lookups still right");
	is_string("1C,&lt;D,", rview(after, "t", v),
	    "templates compiled after the change hash like the view");
	json_object_put(v);
	tmpl_free(before);
	tmpl_free(after);
	json_global_set_string_hash(JSON_C_STR_HASH_DFLT);
}

int
main(void)
{
	A = arena_new(64 * 1024);
	plan_lazy();
	errors();
	names();
	strict();
	escaping();
	values();
	indentation();
	depth();
	noalloc();
	load_dir();
	hash_change();
	arena_free(A);
	return done_testing();
}
