/* SPDX-License-Identifier: MIT */
/* html_md-t.c: imported HTML becomes Markdown that says no more than it. */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/html_md.h"
#include "content/md.h"
#include "tap.h"
#include "lib/util.h"

static struct arena *a;

static const char *
convert(const char *html)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	if (html_md_convert(html, strlen(html), &b) != 0)
		return NULL;
	return b.p;
}

static const char *
render(const char *md)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	if (md == NULL || md_render(md, strlen(md), &b) != 0)
		return NULL;
	return b.p;
}

/* The exact Markdown for html. */
static void
gives(const char *html, const char *want, const char *name)
{
	is_string(want, convert(html), "%s", name);
}

/* The Markdown, rendered, contains want (or, with !has, does not). */
static void
renders(const char *html, const char *want, bool has, const char *name)
{
	const char *out = render(convert(html));

	if (!ok(out != NULL && (strstr(out, want) != NULL) == has, "%s",
	    name))
		diag("html %s -> %s", html, out ? out : "(failed)");
}

int
main(void)
{
	static const struct {
		const char	*html, *md, *name;
	} exact[] = {
		{ "", "", "nothing" },
		{ "<p>a</p><p>b</p>", "a\n\nb\n", "paragraphs" },
		{ "one\n\ntwo\nthree", "one\n\ntwo three\n",
		    "WordPress empty-line paragraphs" },
		{ "<p>a<br>b<br></p>", "a\\\nb\n", "br, none at the end" },
		{ "<em>a</em> <strong> b </strong><del>c</del>",
		    "*a* **b** ~~c~~\n", "emphasis hugs its text" },
		{ "<em></em><a href=\"/x\"></a>x", "x\n",
		    "empty inline elements leave nothing" },
		{ "<em><i>a</i></em>", "*a*\n", "nested emphasis once" },
		{ "<h2> T # 1 </h2>", "## T \\# 1\n", "heading" },
		{ "<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>",
		    "- a\n  - b\n- c\n", "nested list" },
		{ "<ol start=\"7\"><li>a</li><li>b</li></ol>",
		    "7. a\n8. b\n", "ordered list with start" },
		{ "<ul><li>a</li></ul><ul><li>b</li></ul>", "- a\n\n* b\n",
		    "adjacent lists stay apart" },
		{ "<blockquote><p>a</p><p>b</p></blockquote>",
		    "> a\n>\n> b\n", "blockquote" },
		{ "<pre><code class=\"language-c\">x\n\ny\n</code></pre>",
		    "```c\nx\n\ny\n```\n", "code block" },
		{ "<pre>a ``` b</pre>", "````\na ``` b\n````\n",
		    "a fence longer than any run inside" },
		{ "x <code>a`b</code>", "x ``a`b``\n", "code span" },
		{ "a<hr>b", "a\n\n***\n\nb\n", "rule" },
		{ "<p>* _ [x](y) `z` &lt;b&gt; a|b ~c~ \\</p>",
		    "\\* \\_ \\[x\\](y) \\`z\\` \\<b> a\\|b \\~c\\~ \\\\\n",
		    "special characters escaped" },
		{ "<p># a</p><p>- b</p><p>1. c</p><p>2) d</p><p>&gt; e</p>",
		    "\\# a\n\n\\- b\n\n1\\. c\n\n2\\) d\n\n\\> e\n",
		    "line starts escaped" },
		{ "AT&amp;T &amp;amp; a & b", "AT\\&T \\&amp; a & b\n",
		    "& escaped only before what could be an entity" },
		{ "Wow!<a href=\"/x\">y</a>", "Wow\\![y](/x)\n",
		    "! before a link is not an image" },
		{ "<a href=\"/a b(c)&amp;d\">x</a>",
		    "[x](/a%20b%28c%29\\&d)\n", "destination encoded" },
		{ "<img src=\"/i.png\" alt=\"a [b]\">",
		    "![a \\[b\\]](/i.png)\n", "image" },
		{ "<a href=\"javascript:alert(1)\" onclick=\"x()\">t</a>",
		    "t\n", "javascript: link: text only" },
		{ "<img src=\"data:image/png;base64,AA\" alt=\"alt\">",
		    "alt\n", "data: image: alt only" },
		{ "a<script>alert(1)</script><style>p{}</style>"
		    "<iframe src=\"/f\">x</iframe><noscript>n</noscript>b",
		    "ab\n", "script, style, iframe, noscript dropped" },
		{ "<div><span>a</span></div><section>b</section>",
		    "a\n\nb\n", "other elements give their children" },
		{ "<a href=\"/x\"><h1>t</h1><p>u</p></a>", "[t u](/x)\n",
		    "blocks inside a link only separate words" },
	};
	static const char *const hostile[] = {
		"<a href=\" JaVaScRiPt:alert(1)\">x</a>",
		"<a href=\"java&#09;script:alert(1)\">x</a>",
		"<a href=\"vbscript:x\">x</a>",
		"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
		"<scr<script>ipt>alert(1)</script>",
		"<svg><script>alert(1)</script></svg>",
		"<p onmouseover=\"alert(1)\">x</p>",
		"<img src=x onerror=alert(1)>",
		"[x](javascript:alert(1))",
		"<a href=\"/ok\">[y](javascript:alert(1))</a>",
	};
	static const char excerpt[] = "<p>A <b>short</b>\n excerpt</p>"
	    "<script>x</script><p>&amp; more</p>";
	struct buf	 b;
	char		 deep[30000];
	size_t		 i, n = 0;

	a = arena_new(65536);
	plan_lazy();
	for (i = 0; i < NELEM(exact); i++)
		gives(exact[i].html, exact[i].md, exact[i].name);
	for (i = 0; i < NELEM(hostile); i++) {
		renders(hostile[i], "<script", false, hostile[i]);
		renders(hostile[i], "href=\"javascript", false, hostile[i]);
		renders(hostile[i], " on", false, hostile[i]);
	}
	renders("<a href=\"https://e.org/?a=1&amp;b=2\">x</a>",
	    "href=\"https://e.org/?a=1&amp;b=2\"", true, "a good link works");
	renders("<ul><li><blockquote><pre>x\n\ny</pre></blockquote></li></ul>",
	    "<pre class=\"code\"><code>x\n\ny\n</code></pre>", true,
	    "code in a quote in a list item");

	for (i = 0; i < 2500; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "%s",
		    i % 2 ? "<ul><li>" : "<blockquote>");
	ok(convert(deep) != NULL, "deep nesting converts");
	ok(render(convert(deep)) != NULL, "and renders");

	buf_init(&b, a, 64);
	ok(html_md_text(excerpt, strlen(excerpt), &b) == 0, "plain text");
	is_string("A short excerpt & more", b.p, "blocks separate, tags go");
	arena_free(a);
	return done_testing();
}
