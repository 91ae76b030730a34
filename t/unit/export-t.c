/* SPDX-License-Identifier: MIT */
/*
 * export-t.c: the readers of a complete export (content/export.c) fed
 * good lines and what a damaged or hostile export holds: wrong types,
 * unknown and missing keys, NULs, bad UTF-8, deep nesting, lines and
 * strings past their limits, names that leave the folder, manifests cut
 * short or of another version.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "lib/arena.h"
#include "content/export.h"

#define S(lit)	(lit), (sizeof(lit) - 1)

static struct arena	*a;
static char		 err[512];

static int
line(enum exp_file f, const char *s, size_t n, struct exp_row *row)
{
	struct exp_row	 tmp;

	err[0] = '\0';
	return exp_line_parse(a, f, s, n, row != NULL ? row : &tmp, err,
	    sizeof(err));
}

static void
lines(void)
{
	struct exp_row	 r;
	char		*big;

	is_int(0, line(EX_TAGS, S("{\"id\" : 3, \"slug\" : \"c\", \"name\" : "
	    "\"C <&> \\\"quoted\\\" \\u00e9\"}"), &r), "a tag line");
	is_string("3", r.v[0], "id as text");
	ok(r.num[0] == 3, "id as a number");
	is_string("C <&> \"quoted\" \xc3\xa9", r.v[2], "escapes read");
	is_int(0, line(EX_COMMENTS, S("{\"id\":1,\"post_id\":2,\"parent_id\":"
	    "null,\"author_name\":\"A\",\"author_email\":\"\",\"author_url\":"
	    "\"\",\"body\":\"b\",\"status\":\"spam\",\"remote_addr\":null,"
	    "\"created_at\":\"2026-01-05T09:00:00.000000Z\"}"), &r),
	    "a comment line, nulls where allowed");
	ok(r.v[2] == NULL && r.v[8] == NULL, "null is NULL");
	is_int(0, line(EX_USERS, S("{\"id\":1,\"username\":\"u\","
	    "\"display_name\":\"U\",\"email\":null,\"bio\":\"\",\"role\":"
	    "\"admin\",\"disabled_at\":null,\"created_at\":"
	    "\"2026-01-05T09:00:00.000000Z\",\"updated_at\":"
	    "\"2026-01-05T09:00:00.000000Z\"}"), &r),
	    "a user without password_hash (no secrets)");
	ok(r.v[9] == NULL, "the hash is NULL");

	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\"}"), NULL) < 0 &&
	    strstr(err, "no \"name\"") != NULL, "a missing key is named");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"C\","
	    "\"x\":1}"), NULL) < 0 && strstr(err, "unknown key \"x\"") != NULL,
	    "an unknown key is named");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"C\","
	    "\"name\":\"D\"}"), NULL) < 0, "a key given twice");
	ok(line(EX_TAGS, S("{\"id\":\"3\",\"slug\":\"c\",\"name\":\"C\"}"),
	    NULL) < 0 && strstr(err, "not an integer") != NULL,
	    "an id as a string");
	ok(line(EX_TAGS, S("{\"id\":3.5,\"slug\":\"c\",\"name\":\"C\"}"),
	    NULL) < 0, "an id with a fraction");
	ok(line(EX_TAGS, S("{\"id\":0,\"slug\":\"c\",\"name\":\"C\"}"),
	    NULL) < 0 && strstr(err, "out of range") != NULL, "id 0");
	ok(line(EX_TAGS, S("{\"id\":-1,\"slug\":\"c\",\"name\":\"C\"}"),
	    NULL) < 0, "a negative id");
	ok(line(EX_TAGS, S("{\"id\":99999999999999999999,\"slug\":\"c\","
	    "\"name\":\"C\"}"), NULL) < 0, "an id past 2^63");
	ok(line(EX_TAGS, S("{\"id\":null,\"slug\":\"c\",\"name\":\"C\"}"),
	    NULL) < 0, "a null id");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"a\\u0000b\"}"),
	    NULL) < 0 && strstr(err, "NUL") != NULL, "an escaped NUL");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"a\0\"}"),
	    NULL) < 0, "a raw NUL");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"\xff\xfe\"}"),
	    NULL) < 0, "bytes that are not UTF-8");
	is_int(0, line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":"
	    "\"\\ud800\"}"), &r), "a lone surrogate reads");
	is_string("\xef\xbf\xbd", r.v[2], "as U+FFFD, never as bytes that are "
	    "not UTF-8");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"C\","
	    "\"slug\":\"d\"}"), NULL) < 0 && strstr(err, "twice") != NULL,
	    "a key given twice, the other order");
	is_int(0, line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":"
	    "\"a: \\\"b: c\\\" :\"}"), &r), "':' and '\\\"' inside a string");
	is_string("a: \"b: c\" :", r.v[2], "read as written");
	ok(line(EX_TAGS, S("[1,2,3]"), NULL) < 0 &&
	    strstr(err, "not a JSON object") != NULL, "an array");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"C\"} {}"),
	    NULL) < 0, "two values on a line");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":\"c\",\"name\":\"C\""), NULL) <
	    0, "cut short");
	ok(line(EX_TAGS, S(""), NULL) < 0, "an empty line");
	ok(line(EX_TAGS, S("{\"id\":3,\"slug\":{\"a\":{\"b\":[1]}},\"name\":"
	    "\"C\"}"), NULL) < 0, "nesting");
	big = calloc(1, 100001);
	memset(big, '[', 100000);
	ok(line(EX_TAGS, big, 100000, NULL) < 0, "100000 [ refused without "
	    "recursing");
	free(big);
	big = malloc(EXP_LINE_MAX + 2);
	memset(big, ' ', EXP_LINE_MAX + 1);
	ok(line(EX_TAGS, big, EXP_LINE_MAX + 1, NULL) < 0 &&
	    strstr(err, "longer than") != NULL, "a line past EXP_LINE_MAX");
	free(big);
	/* A revision's line holds a whole body: 2 MiB of Markdown is
	 * read, a line past EXP_REVISION_LINE_MAX is not. */
	{
		static const char head[] = "{\"id\":1,\"post_id\":2,"
		    "\"user_id\":null,\"kind\":\"save\",\"created_at\":"
		    "\"2026-01-05T09:00:00.000000Z\",\"title\":\"T\","
		    "\"summary\":\"\",\"body_md\":\"";
		size_t	 hn = sizeof(head) - 1, body = 2 * 1024 * 1024;

		big = malloc(EXP_REVISION_LINE_MAX + 2);
		memcpy(big, head, hn);
		memset(big + hn, 'x', body);
		memcpy(big + hn + body, "\"}", 2);
		is_int(0, line(EX_REVISIONS, big, hn + body + 2, NULL),
		    "a revision line of 2 MiB");
		memset(big, ' ', EXP_REVISION_LINE_MAX + 1);
		ok(line(EX_REVISIONS, big, EXP_REVISION_LINE_MAX + 1, NULL) <
		    0 && strstr(err, "longer than") != NULL,
		    "a revision line past EXP_REVISION_LINE_MAX");
		is_int(-1, line(EX_REVISIONS, S("{\"id\":1,\"post_id\":2,"
		    "\"user_id\":null,\"kind\":\"save\",\"created_at\":"
		    "\"2026-01-05T09:00:00.000000Z\",\"title\":\"T\","
		    "\"summary\":\"\"}"), NULL), "a revision without its body");
		free(big);
	}
	big = malloc(500);
	memcpy(big, "{\"id\":3,\"slug\":\"c\",\"name\":\"", 27);
	memset(big + 27, 'x', 401);
	memcpy(big + 428, "\"}", 2);
	ok(line(EX_TAGS, big, 430, NULL) < 0 &&
	    strstr(err, "longer than 400") != NULL,
	    "a string past its field's limit");
	free(big);
	ok(line(EX_SETTINGS, S("{\"key\":\"k\",\"value\":\"v\",\"updated_at\":"
	    "\"2026-01-05 09:00:00\"}"), NULL) < 0 &&
	    strstr(err, "not a timestamp") != NULL, "a timestamp in another form");
	ok(line(EX_MEDIA, S("{\"id\":1,\"name\":\"a.png\",\"content_type\":"
	    "\"image/png\",\"size\":1,\"sha256\":\"ABCD\",\"uploaded_by\":null,"
	    "\"created_at\":\"2026-01-05T09:00:00.000000Z\"}"), NULL) < 0 &&
	    strstr(err, "hex") != NULL, "a sha256 that is not one");
	ok(exp_time_ok("2026-01-05T09:00:00.000000Z"), "a timestamp");
	ok(!exp_time_ok("2026-01-05T09:00:00.000000Z "), "with a blank after");
	ok(!exp_time_ok("2026-01-05T09:00:00Z"), "without microseconds");
}

static void
names(void)
{
	ok(exp_name_ok("users.jsonl"), "a JSON lines file");
	ok(exp_name_ok("hello-world.md"), "a post");
	ok(exp_name_ok("media/cat.png"), "a media file");
	ok(!exp_name_ok("manifest.jsonl"), "not the manifest itself");
	ok(!exp_name_ok("../users.jsonl"), "..");
	ok(!exp_name_ok("media/../../etc/passwd"), "media/..");
	ok(!exp_name_ok("/etc/passwd"), "an absolute path");
	ok(!exp_name_ok("media/.hidden"), "a hidden media file");
	ok(!exp_name_ok("Hello.md"), "a post name that is no slug");
	ok(!exp_name_ok("a--b.md"), "a double dash");
	ok(!exp_name_ok(".md"), "no slug");
	ok(!exp_name_ok("media/"), "no media name");
	ok(!exp_name_ok("other.txt"), "anything else");
}

#define HEAD	"{\"format\":\"inkwell-export\",\"version\":1,\"secrets\":false}\n"
#define SHA	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ENTRY(f) "{\"file\":\"" f "\",\"size\":0,\"lines\":0,\"sha256\":\"" \
		SHA "\"}\n"

static int
manifest(const char *s, struct exp_manifest *m)
{
	struct exp_manifest	 tmp;

	err[0] = '\0';
	return exp_manifest_parse(a, s, strlen(s), m != NULL ? m : &tmp, err,
	    sizeof(err));
}

static void
manifests(void)
{
	struct exp_manifest	 m;

	is_int(0, manifest(HEAD ENTRY("users.jsonl") ENTRY("a.md")
	    "{\"end\":true,\"files\":2}\n", &m), "a manifest");
	ok(m.n == 2 && strcmp(m.e[0].file, "a.md") == 0 && !m.secrets,
	    "its entries, sorted");
	ok(manifest(HEAD ENTRY("users.jsonl"), NULL) < 0 &&
	    strstr(err, "no end line") != NULL, "no end line");
	ok(manifest(HEAD ENTRY("users.jsonl") "{\"end\":true,\"files\":1}",
	    NULL) < 0 && strstr(err, ":3: the last line has no end") != NULL,
	    "the end line cut short");
	ok(manifest(HEAD ENTRY("users.jsonl") "{\"end\":true,\"files\":2}\n",
	    NULL) < 0 && strstr(err, ":3:") != NULL, "a count that is wrong");
	ok(manifest(HEAD ENTRY("users.jsonl") ENTRY("users.jsonl")
	    "{\"end\":true,\"files\":2}\n", NULL) < 0 &&
	    strstr(err, "listed twice") != NULL, "a file twice");
	ok(manifest("{\"format\":\"inkwell-export\",\"version\":2,\"secrets\":"
	    "false}\n{\"end\":true,\"files\":0}\n", NULL) < 0 &&
	    strstr(err, ":1: format version is not 1") != NULL,
	    "another version");
	ok(manifest("{\"format\":\"other\",\"version\":1,\"secrets\":false}\n"
	    "{\"end\":true,\"files\":0}\n", NULL) < 0, "another format");
	ok(manifest(HEAD ENTRY("../../etc/passwd")
	    "{\"end\":true,\"files\":1}\n", NULL) < 0 &&
	    strstr(err, ":2: not a file name") != NULL, "a name outside");
	ok(manifest(HEAD "{\"file\":\"a.md\",\"size\":-1,\"lines\":0,"
	    "\"sha256\":\"" SHA "\"}\n{\"end\":true,\"files\":1}\n", NULL) < 0,
	    "a negative size");
	ok(manifest(HEAD "{\"end\":true,\"files\":0}\n" ENTRY("a.md"), NULL) <
	    0 && strstr(err, "after the end") != NULL, "a line after the end");
	ok(manifest("", NULL) < 0, "nothing");
	ok(manifest("\n", NULL) < 0, "an empty line");
}

static void
sha(void)
{
	char	 hex[65];

	exp_sha256("", 0, hex);
	is_string(SHA, hex, "sha256 of nothing");
}

int
main(void)
{
	a = arena_new(1 << 16);
	lines();
	names();
	manifests();
	sha();
	arena_free(a);
	return done_testing();
}
