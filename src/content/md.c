/* SPDX-License-Identifier: MIT */
/*
 * md.c: Markdown to safe HTML with md4c.
 *
 * md4c with MD_FLAG_NOHTML escapes raw HTML, but it copies link and image
 * destinations through whatever their scheme, so [x](javascript:...)
 * would become a live link.  md4c has no hook for URLs, so the rendered
 * HTML is filtered once: with raw HTML off, every href=" and src=" in the
 * output was written by md4c itself (a user's text would have been
 * escaped to href=&quot;), so scanning for them finds exactly the URLs.
 * A URL with a scheme other than http, https or mailto, or with anything
 * but [A-Za-z0-9+.-] before its first ':', becomes "#".
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <md4c-html.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/md.h"
#include "lib/util.h"

#define MD_FLAGS	(MD_DIALECT_GITHUB | MD_FLAG_NOHTML)

static void
collect(const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	buf_put(userdata, text, size);
}

/* True when an attribute value (as md4c wrote it) is a safe URL. */
static bool
url_ok(const char *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return true;	/* relative: no scheme */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-'))
			return false;	/* entity, space, control: refuse */
	}
	if (i == n)
		return true;		/* no ':' at all: relative */
	return (i == 4 && strncasecmp(v, "http", 4) == 0) ||
	    (i == 5 && strncasecmp(v, "https", 5) == 0) ||
	    (i == 6 && strncasecmp(v, "mailto", 6) == 0);
}

static void
filter_urls(const char *s, size_t n, struct buf *out)
{
	size_t	 i = 0, start = 0;

	while (i < n) {
		size_t	 skip = 0, end;

		if (n - i >= 6 && memcmp(s + i, "href=\"", 6) == 0)
			skip = 6;
		else if (n - i >= 5 && memcmp(s + i, "src=\"", 5) == 0)
			skip = 5;
		if (skip == 0) {
			i++;
			continue;
		}
		i += skip;
		for (end = i; end < n && s[end] != '"'; end++)
			;
		if (!url_ok(s + i, end - i)) {
			buf_put(out, s + start, i - start);
			buf_putc(out, '#');
			start = end;
		}
		i = end;
	}
	buf_put(out, s + start, n - start);
}

int
md_render(const char *md, size_t n, struct buf *out)
{
	return md_render_opts(md, n, NULL, out);
}

int
md_render_opts(const char *md, size_t n, const struct md_opts *o,
    struct buf *out)
{
	struct buf	 raw;

	(void)o;	/* pictures are looked up by the renderer to come */
	if (!util_utf8_valid(md, n))
		return -1;
	buf_init(&raw, out->a, n + n / 2 + 64);
	if (md_html(md, (MD_SIZE)n, collect, &raw, MD_FLAGS, 0) != 0)
		return -1;
	filter_urls(raw.p, raw.n, out);
	return 0;
}
