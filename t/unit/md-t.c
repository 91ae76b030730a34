/* SPDX-License-Identifier: MIT */
/* md-t.c: Markdown rendering is safe: raw HTML escaped, bad schemes cut. */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/md.h"
#include "tap.h"

static struct arena *a;

static const char *
render(const char *md)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	if (md_render(md, strlen(md), &b) != 0)
		return NULL;
	return b.p;
}

static void
has(const char *md, const char *want, const char *name)
{
	const char *html = render(md);

	if (!ok(html != NULL && strstr(html, want) != NULL, "%s", name))
		diag("markdown %s -> %s", md, html ? html : "(failed)");
}

static void
lacks(const char *md, const char *bad, const char *name)
{
	const char *html = render(md);

	if (!ok(html != NULL && strstr(html, bad) == NULL, "%s", name))
		diag("markdown %s -> %s", md, html ? html : "(failed)");
}

int
main(void)
{
	a = arena_new(65536);
	plan_lazy();
	has("# Title", "<h1>Title</h1>", "heading");
	has("*em* and **strong**", "<em>em</em> and <strong>strong</strong>",
	    "emphasis");
	has("| a | b |\n|---|---|\n| 1 | 2 |\n", "<table>", "tables (GFM)");
	has("~~gone~~", "<del>gone</del>", "strikethrough");
	has("see https://example.org/x", "href=\"https://example.org/x\"",
	    "bare URL autolinked");
	has("`<b>`", "<code>&lt;b&gt;</code>", "code is escaped");
	has("[ok](/p/hello)", "href=\"/p/hello\"", "relative link kept");
	has("[ok](#top)", "href=\"#top\"", "fragment link kept");
	has("[ok](mailto:a@example.org)", "href=\"mailto:a@example.org\"",
	    "mailto kept");
	has("[ok](HTTPS://example.org)", "href=\"HTTPS://example.org\"",
	    "scheme is case-insensitive");

	lacks("<script>alert(1)</script>", "<script", "raw script escaped");
	has("<script>alert(1)</script>", "&lt;script&gt;", "shown as text");
	lacks("<img src=x onerror=alert(1)>", "<img", "raw img escaped");
	lacks("<a href=\"javascript:alert(1)\">x</a>", "<a ",
	    "raw anchor escaped");
	lacks("[x](javascript:alert(1))", "javascript:", "javascript: link cut");
	has("[x](javascript:alert(1))", "href=\"#\"", "replaced by #");
	lacks("[x](JaVaScRiPt:alert(1))", "aScRiPt:", "mixed case cut");
	lacks("[x](vbscript:msgbox)", "vbscript:", "vbscript: cut");
	lacks("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:",
	    "data: link cut");
	lacks("![i](javascript:alert(1))", "javascript:", "image src cut");
	lacks("[x](java&#115;cript:alert(1))", "cript:alert",
	    "entity-spelled scheme cut");
	lacks("[x](<java\tscript:alert(1)>)", "script:alert",
	    "tab inside scheme cut");
	lacks("<javascript:alert(1)>", "href=\"javascript", "autolink cut");
	has("[x](\"onmouseover=alert(1))", "<a href=\"", "quote in URL");
	lacks("[x](\"onmouseover=alert(1))", "\" onmouseover",
	    "quote cannot break out of href");
	has("a \" quote & amp", "&quot; quote &amp; amp", "text escaped");
	ok(render("bad \xff utf8") == NULL, "invalid UTF-8 refused");
	ok(render("") != NULL && strcmp(render(""), "") == 0, "empty input");
	{
		static char big[300000];

		memset(big, '>', sizeof(big) - 1);
		ok(render(big) != NULL, "300 KB of nested quotes renders");
		memset(big, '[', sizeof(big) - 1);
		ok(render(big) != NULL, "300 KB of brackets renders");
	}
	arena_free(a);
	return done_testing();
}
