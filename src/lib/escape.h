/* SPDX-License-Identifier: MIT */
/*
 * escape.h: escaping for HTML, XML and URLs, the only escapers there
 * are: the Markdown renderer and highlighter (content/), the template
 * renderer (tmpl/exec.c), the response writer (out.c) and every handler
 * use these.  Each appends to a buffer.
 */
#ifndef INKWELL_ESCAPE_H
#define INKWELL_ESCAPE_H

#include <stddef.h>

struct buf;

/* Escapes & < > " ' for HTML text and quoted attributes. */
void	 escape_html(struct buf *, const char *, size_t);

/* Escapes for XML 1.0 (feeds): as HTML, and drops characters XML
 * forbids (C0 controls but tab, CR, LF). */
void	 escape_xml(struct buf *, const char *, size_t);

/* Percent-encodes everything but RFC 3986 unreserved characters. */
void	 escape_url(struct buf *, const char *, size_t);

/*
 * Escapes JSON text (json-c's output) for the inside of a <script>
 * element: < > & become \u003c \u003e \u0026, and U+2028 and U+2029
 * become \u2028 \u2029.  In valid JSON those characters only occur
 * inside strings, where the escapes mean the same, so the result parses
 * to the same value; and with no '<' left, no text can close the
 * element or open a comment in it.
 */
void	 escape_script_json(struct buf *, const char *, size_t);

#endif
