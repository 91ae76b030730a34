/* SPDX-License-Identifier: MIT */
/*
 * fuzz-md.c: libFuzzer target for the Markdown renderer, with a picture
 * lookup that knows every URL starting with /media/.  Invariants: it
 * renders every valid UTF-8 input and refuses the rest; every '<' it
 * writes starts a tag it may write (so no raw HTML got through); no
 * attribute value holds a scheme other than http, https or mailto;
 * md_strip_anchors() takes every heading anchor out of what it wrote and
 * never makes anything longer.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/md.h"
#include "lib/util.h"
#include "fuzz.h"

static const char *const tags[] = { "p", "h1", "h2", "h3", "h4", "h5",
	"h6", "a", "em", "strong", "del", "code", "pre", "ul", "ol", "li",
	"blockquote", "hr", "br", "img", "table", "thead", "tbody", "tr",
	"th", "td", "sup", "section", "picture", "source", "figure",
	"figcaption", "span", NULL };

static const struct md_variant v[] = { { "/media/x.w480.webp", 480 } };

static int
lookup(void *ctx, struct arena *a, const char *url, struct md_image *img)
{
	(void)ctx;
	(void)a;
	if (strncmp(url, "/media/", 7) != 0)
		return -1;
	img->src = url;		/* the user's URL: the renderer escapes it */
	img->width = 10;
	img->height = 10;
	img->alt = "<\"alt\">";
	img->same = img->webp = img->avif = v;
	img->nsame = img->nwebp = img->navif = 1;
	return 0;
}

static void
check_tag(const char *p, size_t left)
{
	size_t	 k, len;

	p++;
	left--;
	if (left > 0 && *p == '/') {
		p++;
		left--;
	}
	for (len = 0; len < left && ((p[len] >= 'a' && p[len] <= 'z') ||
	    (p[len] >= '0' && p[len] <= '9')); len++)
		;
	for (k = 0; tags[k] != NULL; k++)
		if (strlen(tags[k]) == len && memcmp(tags[k], p, len) == 0)
			break;
	CHECK(tags[k] != NULL);
	CHECK(len < left && (p[len] == '>' || p[len] == ' '));
}

/* Every href=" and src=" (the renderer's attributes: a user's quote is
 * escaped) holds a safe URL. */
static void
check_urls(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i + 6 < n; i++) {
		const char *u, *c;

		if (memcmp(s + i, " href=\"", 7) == 0)
			u = s + i + 7;
		else if (memcmp(s + i, " src=\"", 6) == 0)
			u = s + i + 6;
		else
			continue;
		c = u + strcspn(u, ":/?#\"");
		if (*c != ':')
			continue;
		CHECK((c - u == 4 && strncasecmp(u, "http", 4) == 0) ||
		    (c - u == 5 && strncasecmp(u, "https", 5) == 0) ||
		    (c - u == 6 && strncasecmp(u, "mailto", 6) == 0));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	struct md_opts		 o = { lookup, NULL };
	struct buf		 out, strip;
	const char		*s = (const char *)data;
	size_t			 i;
	int			 rc;

	if (a == NULL)
		a = arena_new(1 << 16);
	buf_init(&out, a, 2 * size + 16);
	rc = md_render_opts(s, size, size % 2 ? &o : NULL, &out);
	CHECK((rc == 0) == util_utf8_valid(s, size));
	if (rc == 0) {
		buf_putc(&out, '\0');
		for (i = 0; i + 1 < out.n; i++)
			if (out.p[i] == '<')
				check_tag(out.p + i, out.n - 1 - i);
		check_urls(out.p, out.n - 1);
		/* What feeds carry: no anchor link left, nothing else
		 * taken. */
		buf_init(&strip, a, out.n);
		md_strip_anchors(out.p, out.n - 1, &strip);
		CHECK(strip.n <= out.n - 1);
		CHECK(memmem(strip.p, strip.n, "class=\"anchor\"", 14) ==
		    NULL);
	}
	/* Any bytes at all: never longer, never past the end. */
	buf_init(&strip, a, size + 1);
	md_strip_anchors(s, size, &strip);
	CHECK(strip.n <= size);
	arena_reset(a);
	return 0;
}
