/* SPDX-License-Identifier: MIT */
/*
 * imgalt-t.c: counting the pictures without alt text, in the HTML the
 * Markdown renderer makes of real posts and in hostile HTML (cut-off
 * tags, quotes that never close, look-alike names, markup in attribute
 * values and comments, a long run of tags).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/imgalt.h"
#include "content/md.h"
#include "tap.h"

static const struct {
	const char	*html;
	size_t		 missing;
} cases[] = {
	{ "", 0 },
	{ "<p>no pictures</p>", 0 },
	{ "<img src=\"a.png\" alt=\"A cat\">", 0 },
	{ "<img src=\"a.png\" alt=\"\">", 1 },
	{ "<img src=\"a.png\" alt=\"\" />", 1 },
	{ "<img src=\"a.png\">", 1 },
	{ "<IMG SRC=a.png ALT=cat>", 0 },
	{ "<img alt=cat/>", 0 },
	{ "<img alt='  '>", 1 },
	{ "<img alt=\" \t\n\">", 1 },
	{ "<img alt = \"x\">", 0 },
	{ "<img alt>", 1 },
	{ "<img alt=>", 1 },
	{ "<img title=\"alt=x\">", 1 },
	{ "<img data-alt=\"x\">", 1 },
	{ "<img altx=\"x\">", 1 },
	{ "<img src=\"a\" alt=\"a > b\">", 0 },
	{ "<imgx alt=\"\">", 0 },
	{ "<picture><source srcset=\"a 1w\"><img src=\"a\" alt=\"\" "
	    "loading=\"lazy\"></picture>", 1 },
	{ "<figure class=\"figure\"><img src=\"a\" alt=\"x\"><figcaption>T"
	    "</figcaption></figure><p><img src=\"b\" alt=\"\"></p>", 1 },
	{ "<!-- <img src=x> --><img alt=\"y\">", 0 },
	{ "<!-- never closed <img src=x>", 0 },
	{ "<a title=\"<img src=x>\">link</a>", 0 },
	{ "&lt;img src=x&gt;", 0 },
	{ "<img", 1 },
	{ "<img ", 1 },
	{ "<img alt=\"unclosed", 0 },
	{ "<img alt=\"", 1 },
	{ "<img src=\"x\" alt=\"\"><img src=\"y\" alt=\"z\"><img src=\"w\">",
	    2 },
	{ "<<img>>", 1 },
	{ "<img/alt=\"x\">", 0 },
	{ "<img =alt=\"x\">", 0 },
};

/* Markdown as authors write it, through the renderer posts go through. */
static const struct {
	const char	*md;
	size_t		 missing;
} posts[] = {
	{ "No picture at all.", 0 },
	{ "![A red dot](/media/dot.png)", 0 },
	{ "![](/media/dot.png)", 1 },
	{ "![ ](/media/dot.png)", 1 },
	{ "![](/media/a.png) and ![b](/media/b.png) and ![](/media/c.png)", 2 },
	{ "![*emphasis*](/media/a.png)", 0 },
	{ "![][ref]\n\n[ref]: /media/a.png", 1 },
	{ "![x][ref]\n\n[ref]: /media/a.png", 0 },
	{ "`![](/media/in-code.png)`", 0 },
	{ "    ![](/media/indented-code.png)", 0 },
	{ "<img src=\"/media/raw.png\">", 0 },
	{ "![](/media/a.png \"A title\")", 1 },
	{ "[![](/media/a.png)](https://example.org/)", 1 },
};

int
main(void)
{
	struct arena	*a = arena_new(4096);
	struct buf	 b;
	size_t		 big = 200000, n;
	char		*s;

	plan_lazy();
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		is_int((int64_t)cases[i].missing, (int64_t)imgalt_missing(
		    cases[i].html, strlen(cases[i].html)), "html[%zu]: %s", i,
		    strpbrk(cases[i].html, "\t\n") ? "(white space)" :
		    cases[i].html);
	is_int(0, (int64_t)imgalt_missing(NULL, 10), "NULL is no picture");
	/* The length is the bound, not a NUL: an alt past n is unseen. */
	is_int(1, (int64_t)imgalt_missing("<img alt=\"x\">", 5),
	    "reads no further than n");
	for (size_t i = 0; i < sizeof(posts) / sizeof(*posts); i++) {
		buf_init(&b, a, 256);
		if (md_render(posts[i].md, strlen(posts[i].md), &b) != 0) {
			ok(false, "markdown renders: posts[%zu]", i);
			continue;
		}
		is_int((int64_t)posts[i].missing, (int64_t)imgalt_missing(b.p,
		    b.n), "markdown posts[%zu]: %zu without alt", i,
		    posts[i].missing);
	}

	/* Hostile sizes: many tags, one tag of endless attributes, an
	 * attribute value that never closes, a comment that never ends. */
	s = malloc(big + 1);
	for (n = 0; n + 5 <= big; n += 5)
		memcpy(s + n, "<img>", 5);
	is_int((int64_t)(big / 5), (int64_t)imgalt_missing(s, n),
	    "40000 tags without alt are all counted");
	memcpy(s, "<img ", 5);
	for (n = 5; n + 2 <= big; n += 2)
		memcpy(s + n, "a ", 2);
	is_int(1, (int64_t)imgalt_missing(s, n), "one tag of 100000 attributes");
	memcpy(s, "<img alt=\"", 10);
	memset(s + 10, '<', big - 10);
	is_int(0, (int64_t)imgalt_missing(s, big),
	    "an alt that never closes swallows the rest");
	memcpy(s, "<!--", 4);
	for (n = 4; n + 5 <= big; n += 5)
		memcpy(s + n, "<img>", 5);
	is_int(0, (int64_t)imgalt_missing(s, n), "a comment that never ends");
	free(s);
	arena_free(a);
	return done_testing();
}
