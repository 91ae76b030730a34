/* SPDX-License-Identifier: MIT */
/* html_md.h: HTML (from an import) to Markdown, and to plain text. */
#ifndef INKWELL_HTML_MD_H
#define INKWELL_HTML_MD_H

#include <stddef.h>

struct buf;

/*
 * Appends Markdown for the HTML fragment html[0..n) to out: paragraphs,
 * br, h1-h6, em/i, strong/b, del/s, a[href], img[src,alt], ul/ol/li,
 * blockquote, pre/code and hr become their Markdown forms; script,
 * style, iframe, object, form controls and the like are dropped with
 * their content; any other element gives its children.  Text is escaped
 * so it stays text, and only http, https, mailto and relative URLs are
 * kept (a link with another scheme keeps its text, an image its alt).
 * Parsed with libxml2's HTML parser without network access.  Returns 0,
 * or -1 when libxml2 fails (out is then unchanged).
 */
int	 html_md_convert(const char *html, size_t n, struct buf *out);

/*
 * Appends the text of the fragment (same elements dropped), whitespace
 * collapsed to single spaces and trimmed.  Returns 0 or -1.
 */
int	 html_md_text(const char *html, size_t n, struct buf *out);

#endif
