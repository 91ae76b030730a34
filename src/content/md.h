/* SPDX-License-Identifier: MIT */
/* md.h: Markdown to HTML, the only producer of trusted HTML in inkwell. */
#ifndef INKWELL_MD_H
#define INKWELL_MD_H

#include <stddef.h>

struct buf;

/*
 * Renders CommonMark (with tables, strikethrough and autolinks) to HTML
 * appended to out.  Raw HTML in the input is escaped, never passed
 * through, and link or image URLs whose scheme is not http, https or
 * mailto are replaced by "#".  The result is safe for a {{{x_html}}} slot.
 * Returns 0, or -1 when the input is not valid UTF-8 or md4c fails (out
 * is then unchanged).
 */
int	 md_render(const char *md, size_t n, struct buf *out);

#endif
