/* SPDX-License-Identifier: MIT */
/*
 * highlight-t.c: the code highlighter marks what it should in each
 * language, escapes every byte and loses none, on hostile input too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/highlight.h"
#include "tap.h"

static struct arena *a;

static const char *
hl(const char *lang, const char *code, size_t n)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	hl_render(lang, strlen(lang), code, n, &b);
	buf_putc(&b, '\0');
	return b.p;
}

/* The output without its spans and entities is the input, and no '<'
 * but a span's stands in it. */
static bool
round_trip(const char *lang, const char *code, size_t n)
{
	const char	*h = hl(lang, code, n), *p;
	struct buf	 b;

	buf_init(&b, a, n + 1);
	for (p = h; *p != '\0'; ) {
		if (strncmp(p, "<span class=\"hl-", 16) == 0 && p[16] != '\0' &&
		    strncmp(p + 17, "\">", 2) == 0)
			p += 19;
		else if (strncmp(p, "</span>", 7) == 0)
			p += 7;
		else if (*p == '<' || *p == '>' || *p == '"')
			return false;
		else if (strncmp(p, "&amp;", 5) == 0)
			buf_putc(&b, '&'), p += 5;
		else if (strncmp(p, "&lt;", 4) == 0)
			buf_putc(&b, '<'), p += 4;
		else if (strncmp(p, "&gt;", 4) == 0)
			buf_putc(&b, '>'), p += 4;
		else if (strncmp(p, "&quot;", 6) == 0)
			buf_putc(&b, '"'), p += 6;
		else if (strncmp(p, "&#39;", 5) == 0)
			buf_putc(&b, '\''), p += 5;
		else if (*p == '&')
			return false;
		else
			buf_putc(&b, *p++);
	}
	return b.n == n && memcmp(b.p, code, n) == 0;
}

static void
has(const char *lang, const char *code, const char *want, const char *name)
{
	const char *h = hl(lang, code, strlen(code));

	if (!ok(strstr(h, want) != NULL && round_trip(lang, code,
	    strlen(code)), "%s: %s", lang, name))
		diag("%s -> %s", code, h);
}

#define K(x)	"<span class=\"hl-k\">" x "</span>"
#define S(x)	"<span class=\"hl-s\">" x "</span>"
#define C(x)	"<span class=\"hl-c\">" x "</span>"
#define N(x)	"<span class=\"hl-n\">" x "</span>"
#define T(x)	"<span class=\"hl-t\">" x "</span>"
#define P(x)	"<span class=\"hl-p\">" x "</span>"
#define A(x)	"<span class=\"hl-a\">" x "</span>"

int
main(void)
{
	static const char *const langs[] = { "c", "cpp", "sh", "bash",
		"shell", "python", "py", "javascript", "js", "typescript",
		"ts", "json", "sql", "html", "xml", "css", "go", "rust", "rs",
		"diff", "yaml", "yml", "C", "Python" };
	static const char *const hostile[] = { "\"", "'", "/*", "<!--",
		"\"\"\"", "`", "#", "<", "<a", "<a b=\"", "\\", "'\\", "@",
		"#[", "--", "/* */ */", "\"\\\"", "&<>\"'", "0x", "1.2.3e",
		"a: '", "- \"", "@@", "+", "<?xml", "<!DOCTYPE", "{a: #f",
		"'''", ":", ": x", "-: ", "\"\"\"x\\", "\n\n\n", "\t#", "r#\"", "$'", "${" };
	size_t	 i, j;

	a = arena_new(65536);
	plan_lazy();

	has("c", "#include <stdio.h>\nint main(void) { return 0; }",
	    P("#include &lt;stdio.h&gt;") "\n" T("int") " main(" T("void")
	    ") { " K("return") " " N("0") "; }", "preprocessor, types");
	has("c", "  # define X 1 // c\n", P("# define X 1 // c"),
	    "indented directive");
	has("c", "x = 'a' + \"s\\\"t\"; /* c\nc */ 0xff",
	    S("&#39;a&#39;") " + " S("&quot;s\\&quot;t&quot;") "; "
	    C("/* c\nc */") " " N("0xff"), "strings, comment, hex");
	has("c", "int_x x1 x_int", "int_x x1 x_int", "no keyword in a word");
	has("cpp", "template<typename T> class A {};",
	    K("template") "&lt;" K("typename") " T&gt; " K("class"), "C++");
	has("sh", "echo \"$HOME\" # note\nif [ -n x ]; then fi",
	    T("echo") " " S("&quot;$HOME&quot;") " " C("# note") "\n"
	    K("if"), "sh");
	has("bash", "echo ${#x} $#", "${#x} $#", "# inside $ is no comment");
	has("shell", "x='a\\'", S("&#39;a\\&#39;"),
	    "sh single quotes have no escapes");
	has("python", "@dec\ndef f(x):\n    \"\"\"doc\n\"q\" \"\"\"\n"
	    "    return None  # c",
	    P("@dec") "\n" K("def") " f(x):\n    "
	    S("&quot;&quot;&quot;doc\n&quot;q&quot; &quot;&quot;&quot;")
	    "\n    " K("return") " " K("None") "  " C("# c"), "python");
	has("js", "const s = `a\nb`; // c\nlet $x = 1;",
	    K("const") " s = " S("`a\nb`") "; " C("// c") "\n" K("let")
	    " $x = " N("1"), "javascript");
	has("ts", "interface A { b: string }", K("interface") " A { b: "
	    T("string"), "typescript");
	has("json", "{\"k\": \"v\", \"n\": -1.5e3, \"b\": true, \"z\": null}",
	    A("&quot;k&quot;") ": " S("&quot;v&quot;") ", "
	    A("&quot;n&quot;") ": -" N("1.5e3") ", " A("&quot;b&quot;") ": "
	    K("true"), "json keys and values");
	has("sql", "SELECT id FROM posts WHERE slug = 'it''s' -- c",
	    K("SELECT") " id " K("FROM") " posts " K("WHERE") " slug = "
	    S("&#39;it&#39;") S("&#39;s&#39;") " " C("-- c"), "sql");
	has("sql", "create table t (id bigint);", K("create") " " K("table")
	    " t (id " T("bigint") ")", "sql lowercase");
	has("html", "<!-- c --><a href=\"x\" class='y'>t&amp;</a>",
	    C("&lt;!-- c --&gt;") "&lt;" A("a") " " A("href") "="
	    S("&quot;x&quot;") " " A("class") "=" S("&#39;y&#39;")
	    "&gt;t&amp;amp;&lt;/" A("a") "&gt;", "html");
	has("xml", "<?xml version=\"1.0\"?><r:x a:b=\"1\"/>",
	    P("&lt;?xml version=&quot;1.0&quot;?&gt;") "&lt;" A("r:x") " "
	    A("a:b"), "xml");
	has("css", "@media screen { a { color: #fff; margin: 1.5rem } }"
	    " /* c */", P("@media") " screen { a { " A("color") ": "
	    N("#fff") "; " A("margin") ": " N("1.5rem") " } } " C("/* c */"),
	    "css");
	has("go", "func main() { var s string = `x` }", K("func")
	    " main() { " K("var") " s " T("string") " = " S("`x`"), "go");
	has("rust", "#[derive(Debug)]\nfn f<'a>(x: &'a str) -> char { 'c' }",
	    P("#[derive(Debug)]") "\n" K("fn") " f&lt;&#39;a&gt;(x: &amp;&#39;a "
	    T("str") ") -&gt; " T("char") " { " S("&#39;c&#39;"),
	    "rust attributes, lifetimes, chars");
	has("diff", "diff --git a b\n--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n ctx",
	    K("diff --git a b") "\n" K("--- a") "\n" K("+++ b") "\n"
	    P("@@ -1 +1 @@") "\n" C("-old") "\n" S("+new") "\n ctx", "diff");
	has("yaml", "---\nkey: value # c\nlist:\n  - name: \"x\"\n    n: 3\n",
	    P("---") "\n" A("key") ": value " C("# c") "\n" A("list") ":\n  - "
	    A("name") ": " S("&quot;x&quot;") "\n    " A("n") ": " N("3"),
	    "yaml");
	has("klingon", "<b>&'\"", "&lt;b&gt;&amp;&#39;&quot;",
	    "unknown language escaped");
	ok(!hl_known("klingon", 7) && hl_known("TS", 2), "hl_known");

	/* Unterminated strings stop at the end of the line (or block). */
	has("c", "x = \"open\nint y;", S("&quot;open") "\n" T("int"),
	    "unterminated string ends with its line");
	has("c", "/* open\nint y;", C("/* open\nint y;"),
	    "unterminated comment runs to the end");
	has("python", "'''open\nx", S("&#39;&#39;&#39;open\nx"),
	    "unterminated triple string");
	has("html", "<a href=\"x", "&lt;" A("a") " " A("href") "=",
	    "unterminated tag");

	/* Hostile fragments in every language, alone and repeated. */
	for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		bool all = true;

		for (j = 0; j < sizeof(hostile) / sizeof(hostile[0]); j++) {
			char	 buf[256];
			size_t	 n = strlen(hostile[j]);

			all &= round_trip(langs[i], hostile[j], n);
			memcpy(buf, hostile[j], n);
			memcpy(buf + n, "x\n", 2);
			memcpy(buf + n + 2, hostile[j], n);
			all &= round_trip(langs[i], buf, 2 * n + 2);
		}
		ok(all, "%s: hostile fragments round-trip", langs[i]);
	}
	{
		/* Every byte value but NUL (cmark turns it into U+FFFD
		 * before code reaches the highlighter) */
		char	 all[512];
		bool	 good = true;

		for (i = 0; i < sizeof(all); i++)
			all[i] = (char)(i * 7 + 3) != '\0' ?
			    (char)(i * 7 + 3) : 'x';
		for (i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
			good &= round_trip(langs[i], all, sizeof(all));
		ok(good, "every byte value round-trips in every language");
	}
	{
		/* Large inputs: linear, and past HL_MAX only escaped. */
		size_t	 n = HL_MAX, k;
		char	*big = malloc(n + 2);
		bool	 good = true;

		for (k = 0; k < sizeof(hostile) / sizeof(hostile[0]); k++) {
			size_t hn = strlen(hostile[k]);

			for (i = 0; i + hn <= n; i += hn)
				memcpy(big + i, hostile[k], hn);
			memset(big + i, ' ', n - i);
			for (j = 0; j < sizeof(langs) / sizeof(langs[0]); j++)
				good &= round_trip(langs[j], big, n);
			arena_reset(a);
		}
		ok(good, "64 KB of each hostile fragment round-trips");
		memset(big, ' ', n);
		memcpy(big + n - 3, "a:b", 3);
		ok(round_trip("yaml", big, n), "64 KB of blanks in YAML");
		memset(big, 'x', n + 1);
		big[0] = '"';
		ok(strstr(hl("c", big, n + 1), "hl-") == NULL,
		    "past HL_MAX: escaped only");
		free(big);
	}
	arena_free(a);
	return done_testing();
}
