/* SPDX-License-Identifier: MIT */
/* highlight.h: syntax highlighting of code blocks, as HTML spans. */
#ifndef INKWELL_HIGHLIGHT_H
#define INKWELL_HIGHLIGHT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

/* Past this many bytes a block is escaped, not highlighted. */
#define HL_MAX	(64 * 1024)

/*
 * Appends code (n bytes) to out as HTML text for a <code> element,
 * marked up with <span class="hl-X"> for the language named lang
 * (lanlen bytes, case-insensitive; e.g. "c", "py", "ts").  Every byte of
 * code is escaped; an unknown language or a block over HL_MAX is only
 * escaped.  Linear in n.  Returns true when the language was known.
 */
bool	 hl_render(const char *lang, size_t langlen, const char *code,
	    size_t n, struct buf *out);

/* True when lang names a language hl_render() highlights. */
bool	 hl_known(const char *lang, size_t langlen);

#endif
