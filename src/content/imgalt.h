/* SPDX-License-Identifier: MIT */
/*
 * imgalt.h: counts the pictures of rendered HTML that have no text
 * alternative, so the editor can warn before such a post is published.
 */
#ifndef INKWELL_IMGALT_H
#define INKWELL_IMGALT_H

#include <stddef.h>

/*
 * How many <img> elements of html[0..n) have no alt attribute, or one
 * whose value is empty or only white space (Markdown's ![](x)).  html
 * is what md_render made: the scan knows start tags, quoted and
 * unquoted attribute values and comments, no more; an <img> cut off by
 * the end of the input counts by what it has so far.  It reads each
 * byte a bounded number of times (linear in n, no allocation), so any
 * input, however hostile, costs only its length.
 */
size_t	 imgalt_missing(const char *html, size_t n);

#endif
