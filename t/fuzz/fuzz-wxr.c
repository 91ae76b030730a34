/* SPDX-License-Identifier: MIT */
/*
 * fuzz-wxr.c: libFuzzer target for the WordPress export reader.
 *
 * The first byte picks what the rest is: 0 a whole file as it is; 1 the
 * inside of one post item (so mutations reach comments, links and
 * attachments without first finding the <rss><channel> frame); 2 a list
 * of comments, each made of three bytes (its id, its parent's id, its
 * state), to work the threading.  Then the invariants the importer
 * relies on are checked.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "content/content.h"
#include "content/wxr.h"
#include "fuzz.h"

static const char head[] =
    "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\""
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
    " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
    "<channel><wp:author><wp:author_login>fuzz</wp:author_login>"
    "</wp:author><item><wp:post_type>post</wp:post_type>"
    "<wp:status>publish</wp:status><link>https://x.example/a/</link>";
static const char tail[] = "</item></channel></rss>";

/* Whether rel has a segment ".." or ".", or is absolute. */
static bool
escapes(const char *rel)
{
	if (rel[0] == '/')
		return true;
	for (const char *s = rel; *s != '\0'; ) {
		size_t	 k = strcspn(s, "/");

		if ((k == 1 && s[0] == '.') ||
		    (k == 2 && s[0] == '.' && s[1] == '.'))
			return true;
		s += k + (s[k] != '\0');
	}
	return false;
}

static void
check(struct arena *a, const struct wxr_export *x)
{
	struct wxr_map	 map[4];
	size_t		 nmap = 0;

	for (size_t i = 0; i < x->nauthors; i++) {
		const char *u = x->authors[i].username;

		CHECK(util_username_ok(u, strlen(u)));
		CHECK(x->authors[i].display_name[0] != '\0');
		CHECK(x->authors[i].email == NULL ||
		    strchr(x->authors[i].email, '@') != NULL);
	}
	for (size_t i = 0; i < x->nposts; i++) {
		const struct wxr_post *p = &x->posts[i];

		CHECK(p->ncomments <= WXR_COMMENTS_MAX);
		CHECK(p->old_path == NULL || (p->old_path[0] == '/' &&
		    strpbrk(p->old_path, "?# ") == NULL &&
		    strlen(p->old_path) <= WXR_PATH_MAX));
		for (size_t k = 0; k < p->ncomments; k++) {
			const struct wxr_comment *c = &p->comments[k];
			long	 n = content_chars(c->body, strlen(c->body));

			/* Parents first, depth one more than the parent's. */
			CHECK(c->parent >= -1 && c->parent < (long)k);
			CHECK(c->parent < 0 ? c->depth == 0 :
			    c->depth == p->comments[c->parent].depth + 1);
			CHECK(c->depth <= WXR_DEPTH_MAX);
			CHECK(n >= 1 && n <= 10000);
			CHECK(c->author_name[0] != '\0' &&
			    content_chars(c->author_name,
			    strlen(c->author_name)) <= 100);
			CHECK(c->author_url[0] == '\0' ||
			    strncmp(c->author_url, "http", 4) == 0);
			CHECK(strlen(c->author_email) <= 254);
			CHECK(strcmp(c->status, "approved") == 0 ||
			    strcmp(c->status, "pending") == 0 ||
			    strcmp(c->status, "spam") == 0);
		}
	}
	for (size_t i = 0; i < x->nattachments; i++) {
		const struct wxr_attachment *m = &x->attachments[i];

		CHECK(strncmp(m->url, "http", 4) == 0);
		if (m->rel != NULL && wxr_rel_ok(m->rel))
			CHECK(!escapes(m->rel));
		if (m->base != NULL && wxr_rel_ok(m->base))
			CHECK(!escapes(m->base));
		if (nmap < 4) {
			map[nmap].from = m->url;
			map[nmap++].to = "/media/x.png";
		}
	}
	for (size_t i = 0; i < x->nposts; i++) {
		int	 changed;
		char	*s = wxr_rewrite(a, x->posts[i].html, map, nmap,
			    &changed);

		CHECK(changed || strcmp(s, x->posts[i].html) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	static const char *const state[] = { "1", "0", "spam", "trash" };
	struct wxr_export	 x;
	struct buf		 b;
	char			 err[256];

	if (size == 0)
		return 0;
	if (a == NULL)
		a = arena_new(1 << 16);
	buf_init(&b, a, size * 8 + sizeof(head) + sizeof(tail));
	switch (data[0] % 3) {
	case 0:
		buf_put(&b, (const char *)data + 1, size - 1);
		break;
	case 1:
		buf_puts(&b, head);
		buf_put(&b, (const char *)data + 1, size - 1);
		buf_puts(&b, tail);
		break;
	default:
		buf_puts(&b, head);
		for (size_t i = 1; i + 3 <= size; i += 3)
			buf_printf(&b, "<wp:comment><wp:comment_id>%u"
			    "</wp:comment_id><wp:comment_parent>%u"
			    "</wp:comment_parent><wp:comment_content>c"
			    "</wp:comment_content><wp:comment_approved>%s"
			    "</wp:comment_approved></wp:comment>",
			    data[i], data[i + 1], state[data[i + 2] % 4]);
		buf_puts(&b, tail);
		break;
	}
	if (wxr_parse(a, "fuzz", b.p, b.n, &x, NULL, err, sizeof(err)) != 0)
		CHECK(memchr(err, '\0', sizeof(err)) != NULL &&
		    strncmp(err, "fuzz", 4) == 0);
	else
		check(a, &x);
	arena_reset(a);
	return 0;
}
