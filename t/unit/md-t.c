/* SPDX-License-Identifier: MIT */
/*
 * md-t.c: Markdown rendering is safe (raw HTML escaped, bad schemes cut)
 * and dressed: footnotes, heading anchors, highlighted code, pictures.
 */
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

/* A fake picture store: /media/photo.jpg is known, with two sizes in
 * its own format and WebP, one in AVIF; the rest are not. */
static const struct md_variant same[] = {
	{ "/media/photo.3fa9c1d2.w480.jpg", 480 },
	{ "/media/photo.3fa9c1d2.w960.jpg", 960 },
};
static const struct md_variant webp[] = {
	{ "/media/photo.3fa9c1d2.w480.webp", 480 },
	{ "/media/photo.3fa9c1d2.w960.webp", 960 },
};
static const struct md_variant avif[] = {
	{ "/media/photo.3fa9c1d2.w480.avif", 480 },
};
static int lookups;

static int
fake_image(void *ctx, struct arena *ar, const char *url, struct md_image *img)
{
	(void)ctx;
	(void)ar;
	lookups++;
	if (strcmp(url, "/media/photo.jpg") == 0) {
		img->src = "/media/photo.jpg";
		img->width = 1200;
		img->height = 800;
		img->alt = "the media's \"alt\"";
		img->same = same;
		img->nsame = 2;
		img->webp = webp;
		img->nwebp = 2;
		img->avif = avif;
		img->navif = 1;
		return 0;
	}
	if (strcmp(url, "/media/bare.png") == 0) {
		img->src = "/media/bare.png?<x>";
		img->width = 10;
		img->height = 20;
		img->alt = "";
		return 0;
	}
	return -1;
}

static const char *
render_pic(const char *md)
{
	struct md_opts	 o = { fake_image, NULL };
	struct buf	 b;

	buf_init(&b, a, 64);
	if (md_render_opts(md, strlen(md), &o, &b) != 0)
		return NULL;
	return b.p;
}

static void
pic_has(const char *md, const char *want, const char *name)
{
	const char *html = render_pic(md);

	if (!ok(html != NULL && strstr(html, want) != NULL, "%s", name))
		diag("markdown %s -> %s", md, html ? html : "(failed)");
}

static size_t
count(const char *s, const char *what)
{
	size_t	 n = 0;

	while (s != NULL && (s = strstr(s, what)) != NULL) {
		n++;
		s += strlen(what);
	}
	return n;
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

/* html without its heading anchors, NUL-terminated in the arena. */
static const char *
stripped(const char *html)
{
	struct buf	 b;

	buf_init(&b, a, strlen(html) + 1);
	md_strip_anchors(html, strlen(html), &b);
	return b.p;
}

/* What feeds carry: the headings without their "#" links. */
static void
strip_anchors(void)
{
	static const char *const kept[] = {
		"<h2 id=\"x\">X <a class=\"anchor\" href=\"#x\"",
		"<h2 id=\"x\">X <a class=\"anchor\" href=\"#\" "
		    "aria-label=\"Link to this section\">#</a></h2>",
		"<h2>X <a class=\"anchor\" href=\"#x<y\" aria-label=\"Link "
		    "to this section\">#</a></h2>",
		" <a class=\"anchor\" href=\"#x\" aria-label=\"Link to this "
		    "section\">#</a></",
		"",
		"no anchors at all",
	};
	const char *html = render("# Title\n\n## Two *words*\n\n"
	    "## Title\n\ntext `<a class=\"anchor\" href=\"#x\">#</a>`\n");
	const char *s = html != NULL ? stripped(html) : NULL;

	if (!ok(s != NULL && strstr(s, "<h1 id=\"title\">Title</h1>") &&
	    strstr(s, "<h2 id=\"two-words\">Two <em>words</em></h2>") &&
	    strstr(s, "<h2 id=\"title-2\">Title</h2>"),
	    "strip: every heading keeps its id and text, without the link"))
		diag("%s", s != NULL ? s : "(failed)");
	ok(s != NULL && count(s, "class=\"anchor\"") == 0 &&
	    strstr(s, "&lt;a class=&quot;anchor&quot;") != NULL,
	    "strip: no anchor link is left; a user's text that looks like "
	    "one is kept");
	ok(s != NULL && strlen(html) - strlen(s) == 3 * (sizeof(" <a class="
	    "\"anchor\" href=\"#\" aria-label=\"Link to this section\">#</a>")
	    - 1) + strlen("title") + strlen("two-words") + strlen("title-2"),
	    "strip: only the three links are taken out");
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		ok(strcmp(stripped(kept[i]), kept[i]) == 0,
		    "strip: kept as it is: %.40s", kept[i]);
}

int
main(void)
{
	a = arena_new(65536);
	plan_lazy();
	has("# Title", "<h1 id=\"title\">Title <a class=\"anchor\""
	    " href=\"#title\" aria-label=\"Link to this section\">#</a></h1>",
	    "heading with id and anchor");
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
	/* Footnotes */
	has("Text[^1].\n\n[^1]: The note.\n",
	    "<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\"",
	    "footnote reference");
	has("Text[^1].\n\n[^1]: The note.\n",
	    "<section class=\"footnotes\" data-footnotes>", "footnote section");
	has("Text[^n].\n\n[^n]: The *note*.\n", "<li id=\"fn-n\">",
	    "footnote item by label");
	has("Text[^n].\n\n[^n]: The *note*.\n", "<em>note</em>",
	    "footnote text rendered");
	has("Text[^x].\n\n[^x]: <script>x</script>\n", "&lt;script&gt;",
	    "raw HTML in a footnote escaped");
	lacks("Text[^x].\n\n[^x]: [a](javascript:x)\n", "javascript:",
	    "bad URL in a footnote cut");
	lacks("Text[^none].\n", "footnotes", "undefined footnote is text");

	/* Heading anchors */
	{
		const char *h = render("## A b\n\n## A b\n\n### A  b!\n\n"
		    "## !!!\n\n## ...\n\n## main\n\n## fn-1\n");

		ok(h != NULL && strstr(h, "<h2 id=\"a-b\">") &&
		    strstr(h, "<h2 id=\"a-b-2\">") &&
		    strstr(h, "<h3 id=\"a-b-3\">"), "repeated slugs numbered");
		ok(h != NULL && strstr(h, "<h2 id=\"section\">") &&
		    strstr(h, "<h2 id=\"section-2\">"),
		    "empty slug falls back to section");
		ok(h != NULL && strstr(h, "<h2 id=\"main-2\">"),
		    "the template's ids are not taken");
		ok(h != NULL && strstr(h, "<h2 id=\"h-fn-1\">"),
		    "footnote ids are not taken");
		ok(h != NULL && strstr(h, "href=\"#a-b-3\"") != NULL,
		    "anchor links to its heading");
		ok(h != NULL && strstr(h, "aria-hidden") == NULL,
		    "no aria-hidden around a link");
	}
	has("# Café *x* 😀\n", "<h1 id=\"café-x\">Café <em>x</em> 😀",
	    "non-ASCII letters kept, symbols dropped, inline markup kept");
	has("# <b>x</b> \"y\"\n", "<h1 id=\"b-x-b-y\">&lt;b&gt;x&lt;/b&gt;",
	    "raw HTML in a heading is text in the slug too");
	has("Setext\n======\n", "<h1 id=\"setext\">", "setext heading");

	/* Code blocks */
	has("```c\nint x = 1; /* c */\n```\n",
	    "<pre class=\"code\"><code class=\"language-c\">"
	    "<span class=\"hl-t\">int</span> x = <span class=\"hl-n\">1</span>;"
	    " <span class=\"hl-c\">/* c */</span>\n</code></pre>",
	    "C block highlighted");
	has("```Python\ndef f(): return \"s\"\n```\n",
	    "class=\"language-python\"><span class=\"hl-k\">def</span>",
	    "language name lowercased, python highlighted");
	has("```python\ns = \"<script>\"\n```\n",
	    "<span class=\"hl-s\">&quot;&lt;script&gt;&quot;</span>",
	    "code text escaped inside spans");
	has("```klingon\n<b>&\n```\n",
	    "<code class=\"language-klingon\">&lt;b&gt;&amp;\n</code>",
	    "unknown language escaped only");
	has("```\nplain\n```\n", "<pre class=\"code\"><code>plain\n",
	    "no language");
	has("    indented\n", "<pre class=\"code\"><code>indented\n",
	    "indented block");
	lacks("```c\" onclick=x\ny\n```\n", "onclick=x\"",
	    "hostile info string cannot make an attribute");
	lacks("```c\" onclick=x\ny\n```\n", "\" onclick",
	    "hostile info string dropped");

	/* Pictures */
	{
		const char *h = render_pic("![A cat](/media/photo.jpg)\n");

		if (!ok(h != NULL && strcmp(h, "<p><picture>"
		    "<source type=\"image/avif\" srcset=\""
		    "/media/photo.3fa9c1d2.w480.avif 480w\""
		    " sizes=\"(max-width: 44rem) 100vw, 44rem\">"
		    "<source type=\"image/webp\" srcset=\""
		    "/media/photo.3fa9c1d2.w480.webp 480w, "
		    "/media/photo.3fa9c1d2.w960.webp 960w\""
		    " sizes=\"(max-width: 44rem) 100vw, 44rem\">"
		    "<img src=\"/media/photo.jpg\" srcset=\""
		    "/media/photo.3fa9c1d2.w480.jpg 480w, "
		    "/media/photo.3fa9c1d2.w960.jpg 960w\""
		    " sizes=\"(max-width: 44rem) 100vw, 44rem\""
		    " width=\"1200\" height=\"800\" alt=\"A cat\""
		    " decoding=\"async\"></picture></p>\n") == 0,
		    "picture markup, exactly"))
			diag("%s", h ? h : "(failed)");
	}
	{
		const char *h = render_pic("![one](/media/photo.jpg) "
		    "![two](/media/photo.jpg) ![three](/x.png)\n");

		ok(count(h, "loading=\"lazy\"") == 2,
		    "all but the first image lazy");
		ok(h != NULL && strstr(h, "alt=\"one\" decoding") != NULL,
		    "the first is not lazy");
		ok(h != NULL && strstr(h, "<img src=\"/x.png\" alt=\"three\""
		    " loading=\"lazy\" decoding=\"async\">") != NULL,
		    "failed lookup: plain img");
	}
	pic_has("![](/media/photo.jpg)",
	    "alt=\"the media&#39;s &quot;alt&quot;\"",
	    "empty alt takes the media's, escaped");
	pic_has("![x](/media/bare.png)",
	    "<picture><img src=\"/media/bare.png?&lt;x&gt;\" width=\"10\""
	    " height=\"20\" alt=\"x\" decoding=\"async\"></picture>",
	    "no variants: no sources nor srcset, src escaped");
	pic_has("![A cat](/media/photo.jpg \"On the <mat> & \\\"rug\\\"\")\n",
	    "</picture><figcaption>On the &lt;mat&gt; &amp; &quot;rug&quot;"
	    "</figcaption></figure>", "figure with escaped caption");
	{
		const char *h = render_pic("![A cat](/media/photo.jpg \"T\")\n");

		ok(h != NULL && strncmp(h, "<figure class=\"figure\"><picture>",
		    32) == 0 && strstr(h, "<p>") == NULL,
		    "an image alone with a title is a figure, not in a p");
	}
	pic_has("Text ![A cat](/media/photo.jpg \"T\")\n",
	    "<p>Text <picture>", "not alone: no figure");
	pic_has("Text ![A cat](/media/photo.jpg \"T\")\n", "title=\"T\"",
	    "not alone: title kept");
	pic_has("![A](/x.png \"T\")\n", "<figure class=\"figure\"><img"
	    " src=\"/x.png\" alt=\"A\" decoding=\"async\"><figcaption>T<",
	    "failed lookup still a figure");
	lookups = 0;
	render_pic("![x](javascript:alert(1))");
	ok(lookups == 0, "a cut URL is not looked up");
	has("![a \"b\" <c>](/x.png)", "alt=\"a &quot;b&quot; &lt;c&gt;\"",
	    "alt escaped");
	has("![x](/media/photo.jpg)", "<img src=\"/media/photo.jpg\" alt=\"x\""
	    " decoding=\"async\">", "md_render looks nothing up");

	has("![a ![b](/x.png) c](/y.png) ![d](/z.png)",
	    "<img src=\"/y.png\" alt=\"a b c\" decoding=\"async\">",
	    "an image in an alt text is its text");
	has("![a ![b](/x.png) c](/y.png) ![d](/z.png)",
	    "<img src=\"/z.png\" alt=\"d\" loading=\"lazy\"",
	    "and the next image is still second");
	lacks("<!-- c -->", "<!--", "raw comment escaped");
	has("<!-- c -->", "&lt;!-- c --&gt;", "raw comment shown");
	has("<div>\n*x*\n</div>\n", "<p>&lt;div&gt;", "raw block shown");
	has("a <span>b</span> c", "a &lt;span&gt;b&lt;/span&gt; c",
	    "raw inline shown");
	lacks("<a href=\"javascript:x\">x</a>", "<a href", "raw link not live");
	has("www.example.org", "href=\"http://www.example.org\"",
	    "www autolink");
	lacks("[x](  javascript:x  )", "javascript", "padded scheme cut");
	lacks("[x]: javascript:x\n\n[y][x]", "javascript",
	    "reference link cut");
	has("| <b> |\n|---|\n| x |\n", "<th>&lt;b&gt;</th>",
	    "raw HTML in a table escaped");
	ok(render("bad \xff utf8") == NULL, "invalid UTF-8 refused");
	ok(render("") != NULL && strcmp(render(""), "") == 0, "empty input");
	{
		static char big[300000];

		memset(big, '>', sizeof(big) - 1);
		ok(render(big) != NULL, "300 KB of nested quotes renders");
		memset(big, '[', sizeof(big) - 1);
		ok(render(big) != NULL, "300 KB of brackets renders");
	}
	{
		/* cmark-gfm's tables are quadratic in their columns: a line
		 * of more than 128 '|' turns tables off (seconds otherwise) */
		static char wide[300000];
		size_t	 i, n = 0;

		for (i = 0; n + 5000 < sizeof(wide); i++) {
			memset(wide + n, '|', 4000);
			n += 4000;
			wide[n++] = '\n';
			if (i == 0) {
				memcpy(wide + n, "|-|-|\n", 6);
				n += 6;
			}
		}
		ok(render(wide) != NULL && strstr(render(wide), "<table") == NULL,
		    "a table 4000 columns wide is text");
		has("| a | b |\n|---|---|\n| 1 | 2 |\n| x |\n", "<table>",
		    "a narrow table is still a table");
	}
	strip_anchors();
	arena_free(a);
	return done_testing();
}
