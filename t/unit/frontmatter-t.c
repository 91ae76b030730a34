/* SPDX-License-Identifier: MIT */
/* frontmatter-t.c: front matter parsing, refusals, limits and round trips. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/frontmatter.h"
#include "tap.h"
#include "lib/util.h"

static struct arena	*a;
static char		 err[512];

static int
parse(const char *text, size_t n, struct fm *fm)
{
	return fm_parse(a, "f.md", text, n, fm, err, sizeof(err));
}

static int
parses(const char *text, struct fm *fm)
{
	return parse(text, strlen(text), fm);
}

/* Refused, with an error naming the line and containing want. */
static void
refused_n(const char *text, size_t n, int line, const char *want,
    const char *name)
{
	struct fm	 fm;
	char		 at[32];
	bool		 r;

	snprintf(at, sizeof(at), "f.md:%d: ", line);
	r = parse(text, n, &fm) == -1 && strncmp(err, at, strlen(at)) == 0 &&
	    strstr(err, want) != NULL;
	if (!ok(r, "refused: %s", name))
		diag("error was \"%s\", wanted \"%s...%s\"", err, at, want);
}

static void
refused(const char *text, int line, const char *want, const char *name)
{
	refused_n(text, strlen(text), line, want, name);
}

static bool
same_fm(const struct fm *x, const struct fm *y)
{
	for (int k = 0; k < FM__MAX; k++) {
		if ((x->val[k] == NULL) != (y->val[k] == NULL))
			return false;
		if (x->val[k] != NULL && strcmp(x->val[k], y->val[k]) != 0)
			return false;
	}
	if (x->has_tags != y->has_tags || x->ntags != y->ntags ||
	    x->body_len != y->body_len ||
	    (x->body_len && memcmp(x->body, y->body, x->body_len) != 0))
		return false;
	for (size_t i = 0; i < x->ntags; i++) {
		if (strcmp(x->tags[i].slug, y->tags[i].slug) != 0 ||
		    (x->tags[i].name == NULL) != (y->tags[i].name == NULL))
			return false;
		if (x->tags[i].name != NULL &&
		    strcmp(x->tags[i].name, y->tags[i].name) != 0)
			return false;
	}
	return true;
}

/* Writes fm, parses it back and compares; also checks the line limit. */
static bool
round_trip(const struct fm *fm, const char *what)
{
	struct buf	 b;
	struct fm	 back;
	const char	*p, *nl;

	buf_init(&b, a, 1024);
	fm_write(&b, fm);
	if (parse(b.p, b.n, &back) != 0) {
		diag("%s: written form does not parse: %s", what, err);
		diag("%s", b.p);
		return false;
	}
	if (!same_fm(fm, &back)) {
		diag("%s: read back differently from:\n%s", what, b.p);
		return false;
	}
	for (p = b.p; (nl = strchr(p, '\n')) != NULL && p < back.body;
	    p = nl + 1)
		if (nl - p > 500) {
			diag("%s: wrote a %d-byte line", what, (int)(nl - p));
			return false;
		}
	return true;
}

static const char *const tricky[] = {
	"", " ", "  lead", "trail  ", "\ttab", "a: b", "a:b", "a :b", "x:",
	":x", "# not a comment", "a #b", "a#b", "\"quoted\"", "it's",
	"'single'", "back\\slash", "\\", "\\n", "line\nbreak", "cr\rlf\r\n",
	"\n", "[list]", "[a, b]", "{map}", "a, b", "- dash", "-", "?", "? q",
	"&anchor", "*alias", "!tag", "|", ">", "%", "@", "`tick`", "true",
	"False", "null", "~", "yes", "NO", "on", "123", "1.5", "0x1f", "1e9",
	"2026-01-05", "12:30", "2026-01-05T09:00:00Z", "---", "...",
	"<script>alert(\"x\")</script>", "caf\xc3\xa9",
	"\xe6\x97\xa5\xe6\x9c\xac",
	"\xf0\x9f\x98\x80 emoji", "\xc2\xa0nbsp\xc2\xa0", "ctl\x01\x1f\x7f",
	"bell\x07", "a\\x41", "\\\"", "\"\"", "]", ",", "a,b", "x: [y]",
	"title: evil\nslug: injected", "---\ntitle: x\n---",
	"Hello, world", "Site Admin", "C++", "Notes/misc (old)",
};

static void
set_all(struct fm *fm, struct fm_tag *tags, const char *s)
{
	memset(fm, 0, sizeof(*fm));
	for (int k = 0; k < FM__MAX; k++)
		if (k != FM_TAGS)
			fm->val[k] = s;
	/* The keys with a fixed set of values take one of them. */
	fm->val[FM_STATUS] = "draft";
	fm->val[FM_KIND] = "page";
	tags[0].slug = "a";
	tags[0].name = s[0] ? s : "x";
	tags[1].slug = "b-2";
	tags[1].name = NULL;
	tags[2].slug = "true";
	tags[2].name = "T";
	fm->tags = tags;
	fm->ntags = 3;
	fm->has_tags = true;
	fm->body = s;
	fm->body_len = strlen(s);
}

static void
good_cases(void)
{
	struct fm	 fm;
	const char	*t;

	t = "---\n"
	    "# a comment\n"
	    "title: \"Hello, \\\"world\\\"\"\n"
	    "slug: hello-world\n"
	    "\n"
	    "date: 2026-01-05T09:00:00Z\n"
	    "updated:   2026-01-06T10:30:00+01:00   \n"
	    "status: published\n"
	    "author: admin\n"
	    "author_name: Site Admin\n"
	    "summary: \"one\\ntwo\\\\ \\x41\\/\\ \\t\"\n"
	    "tags: [c: C, postgresql: \"PostgreSQL, the DB\", plain,\n"
	    "   x-y: \"X: fine\"]\n"
	    "---\n"
	    "\n"
	    "Body *text*\n";
	if (!ok(parses(t, &fm) == 0, "full example parses"))
		diag("%s", err);
	is_string("Hello, \"world\"", fm.val[FM_TITLE], "title unescaped");
	is_string("hello-world", fm.val[FM_SLUG], "slug");
	is_string("2026-01-05T09:00:00Z", fm.val[FM_DATE], "date bare, ':' ok");
	is_string("2026-01-06T10:30:00+01:00", fm.val[FM_UPDATED],
	    "blanks around a bare value dropped");
	is_string("Site Admin", fm.val[FM_AUTHOR_NAME], "bare with a space");
	is_string("one\ntwo\\ A/ \t", fm.val[FM_SUMMARY], "escapes");
	is_int(4, (int64_t)fm.ntags, "four tags");
	if (fm.ntags == 4) {
		is_string("postgresql", fm.tags[1].slug, "tag slug");
		is_string("PostgreSQL, the DB", fm.tags[1].name,
		    "quoted tag name with a comma");
		ok(fm.tags[2].name == NULL, "tag without a name");
		is_string("x-y", fm.tags[3].slug, "tag on a continued line");
	}
	ok(fm.body_len == 12 && memcmp(fm.body, "Body *text*\n", 12) == 0,
	    "body after one empty line, byte for byte");

	ok(parses("---\n---\n", &fm) == 0 && fm.body_len == 0 &&
	    fm.val[FM_TITLE] == NULL && !fm.has_tags, "empty block");
	ok(parses("---\n---", &fm) == 0 && fm.body_len == 0,
	    "closing fence at end of file without newline");
	ok(parses("---\ntitle: x\n---\n\n\nB", &fm) == 0 && fm.body_len == 2 &&
	    memcmp(fm.body, "\nB", 2) == 0, "only one empty line is layout");
	ok(parses("---\ntitle: x\n---\nB\r\n\x01", &fm) == 0 &&
	    fm.body_len == 4, "body may hold CR and control characters");
	ok(parses("---\nsummary:\ntags: []\n---\n", &fm) == 0 &&
	    strcmp(fm.val[FM_SUMMARY], "") == 0 && fm.has_tags &&
	    fm.ntags == 0, "empty value and empty list");
	ok(parses("---\ntags: [\n  a,\n  b: B\n  ]\n---\n", &fm) == 0 &&
	    fm.ntags == 2, "list over several lines");
	ok(parses("---\ntitle: \"long \\\n    string\"\n---\n", &fm) == 0 &&
	    strcmp(fm.val[FM_TITLE], "long string") == 0,
	    "escaped line break drops the indentation");
	ok(parses("---\ntitle: say \"hi\" it's 100% a-ok!\n---\n", &fm) == 0 &&
	    strcmp(fm.val[FM_TITLE], "say \"hi\" it's 100% a-ok!") == 0,
	    "quotes inside a bare value are kept");
	t = "---\n"
	    "title: \"<script>alert(\\\"title\\\")</script> & 'single' "
	    "\\\"double\\\"\"\n"
	    "slug: hostile-content\n"
	    "author_name: \"Mallory <b>Bold</b> \\\"Quoted\\\"\"\n"
	    "summary: \"</p><script>alert('summary')</script>\"\n"
	    "---\n"
	    "Body with <script>alert('body')</script>\n";
	ok(parses(t, &fm) == 0 && strcmp(fm.val[FM_TITLE],
	    "<script>alert(\"title\")</script> & 'single' \"double\"") == 0,
	    "hostile fixture's form");
}

static void
bad_cases(void)
{
	refused("title: x\n", 1, "no front matter", "no opening fence");
	refused("\n---\ntitle: x\n---\n", 1, "no front matter",
	    "fence not on the first line");
	refused("---\ntitle: x\n", 1, "not closed", "unterminated block");
	refused("---\ntitle: x\n--- \n", 1, "not closed",
	    "fence with a trailing blank does not close");
	refused("---\r\ntitle: x\r\n---\r\n", 1, "no front matter",
	    "CRLF fence");
	refused("---\ntitle: x\r\n---\n", 2, "carriage return", "CR in a line");
	refused("---\ntitle: \"a\rb\"\n---\n", 2, "carriage return",
	    "CR inside quotes");
	refused("---\ntitle: a\x0b\n---\n", 2, "control character",
	    "vertical tab");
	refused_n("---\ntitle: a\0b\n---\n", 19, 2, "NUL", "NUL in the block");
	refused_n("---\ntitle: a\n---\nbody\0\n", 22, 4, "NUL",
	    "NUL in the body");
	refused("---\ntitle: \xff\n---\n", 2, "invalid UTF-8", "invalid byte");
	refused("---\ntitle: x\n---\n\xc0\xaf\n", 4, "invalid UTF-8",
	    "overlong in the body");
	refused("---\ntitle: \xed\xa0\x80\n---\n", 2, "invalid UTF-8",
	    "surrogate");
	refused("---\ntitle: a\ntitle: b\n---\n", 3, "duplicate key \"title\"",
	    "duplicate key");
	refused("---\nTitle: a\n---\n", 2, "expected \"key: value\"",
	    "upper-case key");
	refused("---\nfoo: a\n---\n", 2, "unknown key \"foo\"", "unknown key");
	refused("---\ntitle:a\n---\n", 2, "space after ':'", "no space");
	refused("---\ntitle\n---\n", 2, "expected \"key: value\"", "no colon");
	refused("---\n  title: a\n---\n", 2, "indentation", "indented key");
	refused("---\ntitle: \"abc\n---\n", 2, "unterminated string",
	    "unterminated string");
	refused("---\ntitle: \"abc\" x\n---\n", 2, "after the value",
	    "text after quotes");
	refused("---\ntitle: \"a\\q\"\n---\n", 2, "unknown escape \"\\q\"",
	    "unknown escape");
	refused("---\ntitle: \"a\\x00\"\n---\n", 2, "\\x needs", "\\x00");
	refused("---\ntitle: \"a\\x80\"\n---\n", 2, "\\x needs", "\\x80");
	refused("---\ntitle: \"a\\x4\"\n---\n", 2, "\\x needs", "short \\x");
	refused("---\ntitle: \"a\\\nb\"\n---\n", 3, "indented",
	    "continuation not indented");
	refused("---\ntitle: 'a'\n---\n", 2, "single-quoted", "single quotes");
	refused("---\ntitle: a: b\n---\n", 2, "\": \"", "': ' in bare");
	refused("---\ntitle: a:\n---\n", 2, "\": \"", "':' ending bare");
	refused("---\ntitle: a #b\n---\n", 2, "\" #\"", "' #' in bare");
	refused("---\ntitle: - a\n---\n", 2, "'-'", "'- ' start");
	refused("---\ntitle: |\n---\n", 2, "'|'", "block scalar");
	refused("---\ntitle: &x a\n---\n", 2, "'&'", "anchor");
	refused("---\ntitle: [a]\n---\n", 2, "not a list", "list for title");
	refused("---\ntags: a\n---\n", 2, "must be a list", "tags not a list");
	refused("---\ntags: [a, ]\n---\n", 2, "before ']'", "trailing comma");
	refused("---\ntags: [a b c]\n---\n", 2, "tag slug", "spaces in slug");
	refused("---\ntags: [A]\n---\n", 2, "tag slug", "upper-case slug");
	refused("---\ntags: [a--b]\n---\n", 2, "tag slug", "double dash");
	refused("---\ntags: [a, a: A]\n---\n", 2, "listed twice",
	    "duplicate tag");
	refused("---\ntags: [a: \"\"]\n---\n", 2, "empty name",
	    "empty tag name");
	refused("---\ntags: [a:b]\n---\n", 2, "space after ':'",
	    "tag without space");
	refused("---\ntags: [a\n---\n", 2, "expected ',' or ']'",
	    "unterminated list");
	refused("---\ntags: [a,\nb]\n---\n", 2, "expected a list item",
	    "list continued without indentation");
	refused("---\ntags: [a: #x]\n---\n", 2, "'#'", "'#' in a list item");
	refused("---\nstatus: live\n---\n", 2, "status must be", "bad status");
}

static void
limits(void)
{
	struct buf	 b;
	struct fm	 fm;
	char		*big;
	size_t		 n;
	int		 i;

	/* File size: at the limit and one past. */
	n = FM_FILE_MAX;
	big = arena_alloc(a, n + 1);
	memcpy(big, "---\ntitle: x\n---\n", 17);
	memset(big + 17, 'x', n + 1 - 17);
	ok(parse(big, n, &fm) == 0 && fm.body_len == n - 17,
	    "a file of exactly %d bytes", FM_FILE_MAX);
	refused_n(big, n + 1, 1, "larger than", "one byte more");

	/* Line length in the block: the value makes the line 8192 bytes. */
	buf_init(&b, a, FM_LINE_MAX + 64);
	buf_puts(&b, "---\ntitle: ");
	for (i = 0; i < FM_LINE_MAX - 7; i++)
		buf_putc(&b, 'y');
	buf_puts(&b, "\n---\n");
	ok(parse(b.p, b.n, &fm) == 0 &&
	    strlen(fm.val[FM_TITLE]) == FM_LINE_MAX - 7,
	    "a block line of %d bytes", FM_LINE_MAX);
	buf_reset(&b);
	buf_puts(&b, "---\ntitle: ");
	for (i = 0; i < FM_LINE_MAX - 6; i++)
		buf_putc(&b, 'y');
	buf_puts(&b, "\n---\n");
	refused_n(b.p, b.n, 2, "longer than", "a block line one byte longer");

	/* Keys: counted before they are known, so 64 unknown keys fail on
	 * the first of them and 65 fail on the limit. */
	buf_reset(&b);
	buf_puts(&b, "---\n");
	for (i = 0; i < FM_KEYS_MAX; i++)
		buf_printf(&b, "k%d: v\n", i);
	buf_puts(&b, "---\n");
	refused_n(b.p, b.n, 2, "unknown key \"k0\"",
	    "64 keys are tokenised (then refused as unknown)");
	buf_reset(&b);
	buf_puts(&b, "---\n");
	for (i = 0; i <= FM_KEYS_MAX; i++)
		buf_printf(&b, "k%d: v\n", i);
	buf_puts(&b, "---\n");
	refused_n(b.p, b.n, FM_KEYS_MAX + 2, "more than 64 keys",
	    "65 keys hit the limit");

	/* Tags. */
	buf_reset(&b);
	buf_puts(&b, "---\ntags: [");
	for (i = 0; i < FM_TAGS_MAX; i++)
		buf_printf(&b, "%st%d: Tag %d", i ? ",\n  " : "", i, i);
	buf_puts(&b, "]\n---\n");
	ok(parse(b.p, b.n, &fm) == 0 && fm.ntags == FM_TAGS_MAX,
	    "%d tags", FM_TAGS_MAX);
	ok(round_trip(&fm, "100 tags"), "100 tags round-trip");
	buf_reset(&b);
	buf_puts(&b, "---\ntags: [");
	for (i = 0; i <= FM_TAGS_MAX; i++)
		buf_printf(&b, "%st%d", i ? ", " : "", i);
	buf_puts(&b, "]\n---\n");
	refused_n(b.p, b.n, 2, "more than 100 items", "101 tags");
}

/* A deterministic generator of strings made of tricky pieces. */
static uint32_t	 seed = 2463534242u;

static uint32_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 17;
	seed ^= seed << 5;
	return seed;
}

static const char *
random_string(void)
{
	static const char *const piece[] = { " ", "  ", "\t", "\n", "\r",
	    "\"", "\\", ":", ": ", "#", " #", "[", "]", ",", "'", "-", "---",
	    "a", "Zz", "0", "1.5", "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", "\x01", "\x7f", "true", "x", "word ", "\\x41",
	    "{", "}", "&", "*", "%", "@", "`", "|", ">", "!", "?" };
	struct buf	 b;
	uint32_t	 n = rnd() % 40;

	buf_init(&b, a, 64);
	/* Now and then a long run, to exercise line splitting. */
	if (rnd() % 8 == 0)
		n += 200;
	for (uint32_t i = 0; i < n; i++)
		buf_puts(&b, piece[rnd() % NELEM(piece)]);
	return b.p;
}

static void
round_trips(void)
{
	struct fm	 fm;
	struct fm_tag	 tags[3];
	size_t		 i;
	int		 failed = 0;
	char		*long_title;

	for (i = 0; i < NELEM(tricky); i++) {
		set_all(&fm, tags, tricky[i]);
		if (!round_trip(&fm, tricky[i]))
			failed++;
	}
	is_int(0, failed, "%zu tricky strings round-trip in every key",
	    NELEM(tricky));

	failed = 0;
	for (i = 0; i < 3000; i++) {
		const char *s = random_string();

		set_all(&fm, tags, s);
		if (!round_trip(&fm, "random") && failed++ < 3)
			diag("string was \"%s\"", s);
		arena_reset(a);
	}
	is_int(0, failed, "3000 random strings round-trip");

	/* Worst cases for line length: long, all escapes, all spaces. */
	long_title = arena_alloc(a, 20001);
	memset(long_title, '\x01', 20000);
	long_title[20000] = '\0';
	set_all(&fm, tags, long_title);
	ok(round_trip(&fm, "escapes"), "20000 control characters");
	memset(long_title, ' ', 20000);
	set_all(&fm, tags, long_title);
	ok(round_trip(&fm, "spaces"), "20000 spaces");
	for (i = 0; i + 4 <= 20000; i += 4)
		memcpy(long_title + i, "\xf0\x9f\x98\x80", 4);
	set_all(&fm, tags, long_title);
	ok(round_trip(&fm, "emoji"), "5000 four-byte characters");
}

int
main(void)
{
	a = arena_new(1 << 20);
	plan_lazy();
	good_cases();
	bad_cases();
	limits();
	round_trips();
	arena_free(a);
	return done_testing();
}
