/* SPDX-License-Identifier: MIT */
/*
 * wxr-t.c: the WordPress export reader's parts that need no database:
 * comment states and threads (out of file order, orphans, circles, too
 * deep), attachment paths and which of them may be looked up, old
 * permalink paths, the URL rewrite and media names made of file names.
 */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/media.h"
#include "content/wxr.h"
#include "tap.h"

#define HEAD "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"" \
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
#define POST(link) "<item><title>t</title><link>" link "</link>" \
    "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>"
#define TAIL "</item></channel></rss>"

/* A comment: id, parent, state, author. */
#define C(id, parent, state, who) "<wp:comment><wp:comment_id>" id \
    "</wp:comment_id><wp:comment_parent>" parent "</wp:comment_parent>" \
    "<wp:comment_approved>" state "</wp:comment_approved>" \
    "<wp:comment_author>" who "</wp:comment_author>" \
    "<wp:comment_content>words</wp:comment_content></wp:comment>"

static int
parse(struct arena *a, const char *text, struct wxr_export *x)
{
	char	 err[256];

	if (wxr_parse(a, "t", text, strlen(text), x, NULL, err,
	    sizeof(err)) == 0)
		return 0;
	diag("%s", err);
	return -1;
}

/* "who>parent-who" of every comment, in the order given. */
static const char *
threads(struct arena *a, const struct wxr_post *p)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	for (size_t i = 0; i < p->ncomments; i++)
		buf_printf(&b, "%s%s>%s", i ? " " : "",
		    p->comments[i].author_name, p->comments[i].parent < 0 ?
		    "-" : p->comments[p->comments[i].parent].author_name);
	return b.p;
}

static void
comments(struct arena *a)
{
	struct wxr_export x;
	struct buf	 b;

	ok(parse(a, HEAD POST("https://o.example/2026/03/a/")
	    C("3", "2", "1", "C") C("2", "1", "0", "B") C("1", "0", "1", "A")
	    C("4", "0", "spam", "S") C("5", "0", "trash", "T")
	    C("6", "99", "1", "Orphan") C("7", "8", "1", "R1")
	    C("8", "7", "1", "R2") TAIL, &x) == 0, "a thread parses");
	is_int(1, (int64_t)x.nposts, "one post");
	is_string("A>- S>- Orphan>- B>A C>B", threads(a, &x.posts[0]),
	    "parents first, replies answer their parent, an orphan stands "
	    "on the post, a circle is left out");
	is_int(1, (int64_t)x.skips.comments, "trash counted");
	is_int(2, (int64_t)x.skips.threads, "the circle counted");
	is_string("pending", x.posts[0].comments[3].status, "0: pending");
	is_string("spam", x.posts[0].comments[1].status, "spam: spam");
	is_string("/2026/03/a/", x.posts[0].old_path, "the old path");

	/* 34 deep: the last one (depth 33) is left out. */
	buf_init(&b, a, 4096);
	buf_puts(&b, HEAD POST("https://o.example/?p=1"));
	for (int i = 1; i <= WXR_DEPTH_MAX + 2; i++)
		buf_printf(&b, "<wp:comment><wp:comment_id>%d</wp:comment_id>"
		    "<wp:comment_parent>%d</wp:comment_parent>"
		    "<wp:comment_approved>1</wp:comment_approved>"
		    "<wp:comment_content>x</wp:comment_content></wp:comment>",
		    i, i - 1);
	buf_puts(&b, TAIL);
	ok(parse(a, b.p, &x) == 0, "a deep thread parses");
	is_int(WXR_DEPTH_MAX + 1, (int64_t)x.posts[0].ncomments,
	    "kept down to depth WXR_DEPTH_MAX");
	is_int(WXR_DEPTH_MAX, x.posts[0].comments[WXR_DEPTH_MAX].depth,
	    "the deepest kept");
	is_int(1, (int64_t)x.skips.threads, "the one deeper counted");
	ok(x.posts[0].old_path == NULL, "a ?p= link names no path");
	is_string("Anonymous", x.posts[0].comments[0].author_name,
	    "no author name: Anonymous");
}

static void
paths(struct arena *a)
{
	static const struct { const char *rel; int ok; } rels[] = {
		{ "2026/03/cat.png", 1 }, { "cat.png", 1 },
		{ "a/..b/c", 1 }, { "...", 1 },
		{ "../cat.png", 0 }, { "2026/../../cat.png", 0 },
		{ "2026/./cat.png", 0 }, { "/etc/passwd", 0 },
		{ "2026//cat.png", 0 }, { "2026/", 0 }, { "", 0 },
		{ "..", 0 }, { ".", 0 }, { "a\\..\\b", 0 },
	};
	struct wxr_export x;

	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]); i++)
		is_int(rels[i].ok, wxr_rel_ok(rels[i].rel), "wxr_rel_ok(\"%s\")",
		    rels[i].rel);
	ok(parse(a, HEAD "<item><wp:post_type>attachment</wp:post_type>"
	    "<wp:attachment_url>https://o.example/wp-content/uploads/2026/03/"
	    "A%20b.png?x=1</wp:attachment_url></item>"
	    "<item><wp:post_type>attachment</wp:post_type>"
	    "<wp:attachment_url>https://o.example/wp-content/uploads/"
	    "%2e%2e/x%00.png</wp:attachment_url></item>"
	    "<item><wp:post_type>attachment</wp:post_type>"
	    "<wp:attachment_url>javascript:alert(1)</wp:attachment_url>"
	    "</item></channel></rss>", &x) == 0, "attachments parse");
	is_int(2, (int64_t)x.nattachments, "two with an http(s) URL");
	is_string("2026/03/A b.png", x.attachments[0].rel,
	    "the path below uploads/, decoded, without the query");
	is_string("A b.png", x.attachments[0].base, "its name");
	is_string("admin", x.attachments[0].author, "no creator: admin");
	ok(x.attachments[1].rel == NULL && x.attachments[1].base == NULL,
	    "%%00 leaves no path at all");
}

static void
rewrite(struct arena *a)
{
	static const struct wxr_map map[] = {
		{ "https://o.example/wp-content/uploads/cat.png",
		    "/media/cat.png" },
	};
	int	 changed;

	is_string("<img src=\"/media/cat.png\"> <a href='/media/cat.png'>",
	    wxr_rewrite(a, "<img src=\"https://o.example/wp-content/uploads/"
	    "cat.png\"> <a href='http://o.example/wp-content/uploads/"
	    "cat.png'>", map, 1, &changed), "https and http both rewritten");
	is_int(1, changed, "changed");
	is_string("https://o.example/wp-content/uploads/cat.png.html "
	    "https://o.example/wp-content/uploads/cat.png2 ftp://o.example/"
	    "wp-content/uploads/cat.png h",
	    wxr_rewrite(a, "https://o.example/wp-content/uploads/cat.png.html "
	    "https://o.example/wp-content/uploads/cat.png2 ftp://o.example/"
	    "wp-content/uploads/cat.png h", map, 1, &changed),
	    "longer URLs and other schemes left alone");
	is_int(0, changed, "unchanged");
}

static void
names(struct arena *a)
{
	is_string("A-b-1.PNG", media_name_make(a, "A b (1).PNG", "image/png"),
	    "blanks and brackets made '-', the extension kept");
	is_string("cat.png", media_name_make(a, "cat.jpg", "image/png"),
	    "an extension of another type replaced");
	is_string("file.gif", media_name_make(a, "../..gif", "image/gif"),
	    "nothing left of the stem: file");
	is_string("x.tar.png", media_name_make(a, "x.tar.png", "image/png"),
	    "inner dots kept");
	ok(media_name_make(a, "x.svg", "image/svg+xml") == NULL,
	    "a type media_sniff never gives: NULL");
	{
		char	 big[400];
		const char *n;

		memset(big, 'a', sizeof(big) - 5);
		memcpy(big + sizeof(big) - 5, ".png", 5);
		n = media_name_make(a, big, "image/png");
		ok(n != NULL && strlen(n) == MEDIA_NAME_MAX &&
		    media_name_problem(n) == NULL, "a long name cut to %d",
		    MEDIA_NAME_MAX);
	}
}

int
main(void)
{
	struct arena	*a = arena_new(1 << 16);

	plan_lazy();
	comments(a);
	paths(a);
	rewrite(a);
	names(a);
	arena_free(a);
	return done_testing();
}
