/* SPDX-License-Identifier: MIT */
/* md.h: Markdown to HTML, the only producer of trusted HTML in inkwell. */
#ifndef INKWELL_MD_H
#define INKWELL_MD_H

#include <stddef.h>

struct arena;
struct buf;

/* One stored size of a local picture, for a srcset. */
struct md_variant {
	const char	*url;		/* e.g. /media/photo.3fa9c1d2.w480.webp */
	unsigned	 width;
};

/*
 * What the renderer may know of a local picture: its size (for width
 * and height, so the page does not shift as it loads), the URL of the
 * clean full-size copy, and its smaller copies by format.  Lists hold
 * widths in ascending order; any may be empty.
 */
struct md_image {
	const char		*src;
	unsigned		 width, height;
	const char		*alt;		/* the media's own alt text, or "" */
	const struct md_variant	*same;		/* in the picture's own format */
	size_t			 nsame;
	const struct md_variant	*webp;
	size_t			 nwebp;
	const struct md_variant	*avif;
	size_t			 navif;
};

/*
 * Looks up the picture at url (as written in the Markdown, e.g.
 * "/media/photo.jpg").  Returns 0 with *img filled (strings in a, or
 * static), or -1 when the URL is not a known local picture: the image
 * is then rendered as a plain <img>.
 */
typedef int (*md_image_fn)(void *ctx, struct arena *a, const char *url,
    struct md_image *img);

struct md_opts {
	md_image_fn	 image;		/* NULL: no lookups */
	void		*image_ctx;
};

/*
 * Renders CommonMark (with GitHub's tables, strikethrough, autolinks and
 * footnotes) to HTML appended to out.  Raw HTML in the input is escaped,
 * never passed through, and link or image URLs whose scheme is not
 * http, https or mailto are replaced by "#".  Headings get unique ids
 * and an anchor link, fenced code blocks are highlighted (highlight.h).
 * The result is safe for a {{{x_html}}} slot.  Returns 0, or -1 when
 * the input is not valid UTF-8 or cmark-gfm fails (out is then
 * unchanged).
 */
int	 md_render(const char *md, size_t n, struct buf *out);

/* md_render(), with the picture lookups of o (which may be NULL). */
int	 md_render_opts(const char *md, size_t n, const struct md_opts *o,
	    struct buf *out);

/*
 * Appends html (as md_render() wrote it) to out without the "#" links
 * it puts after each heading, for readers that show it without the
 * theme's CSS: feed readers would show every heading ending in " #".
 * Only the renderer's own anchor markup is taken out; anything else is
 * copied as it is.
 */
void	 md_strip_anchors(const char *html, size_t n, struct buf *out);

#endif
