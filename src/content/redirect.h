/* SPDX-License-Identifier: MIT */
/*
 * redirect.h: the rules of a redirect (redirect.c): what a from and a to
 * may be, and the Location a matched redirect answers with.
 */
#ifndef INKWELL_REDIRECT_H
#define INKWELL_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* Bytes of a from or a to; redirects' CHECKs say the same. */
#define REDIRECT_PATH_MAX	2000

/*
 * Is s a path a redirect may start from: "/" then printable ASCII or
 * UTF-8, no space, control character, backslash, '?' or '#', no "//",
 * no "." or ".." segment, at most REDIRECT_PATH_MAX bytes, and not an
 * address inkwell answers itself whatever the content (/admin, /api,
 * /static, /media, /healthz, the feeds ...).  On false, *why (when not
 * NULL) is a static sentence for the error answer.
 */
bool		 redirect_from_ok(const char *s, const char **why);
/*
 * Whether path is under an address inkwell answers itself (/admin, /api,
 * /static, /media, the feeds...): no redirect can start there, so a miss
 * there needs no lookup.
 */
bool		 redirect_reserved(const char *path);

/*
 * Is s a target: a path beginning with exactly one "/" (never "//" nor
 * "/\"), with the same characters as a from (a query and a fragment
 * allowed), or, only when url is true (an admin typed it), an absolute
 * http:// or https:// URL with a host.  *why as above.
 */
bool		 redirect_to_ok(const char *s, bool url, const char **why);

/*
 * The Location for a request whose (decoded) path matched a redirect to
 * to: to, then for a prefix match the rest of path after the prefix of
 * plen bytes (percent-encoded but for letters, digits, "-._~/"), then
 * for a path target the request's query (raw, kept only when it is
 * printable ASCII with none of space, '"', '<', '>', '\', '^', '`', '{',
 * '|', '}' or '#'), joined with '?' or '&'.  Arena string;
 * NULL when the result would be longer than 8000 bytes.
 */
const char	*redirect_location(struct arena *, const char *to,
		    const char *path, size_t plen, bool prefix,
		    const char *query);

#endif
