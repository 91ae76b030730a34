/* SPDX-License-Identifier: MIT */
/*
 * media.h: what may be stored as a media file (images for posts): the
 * type read from the content itself, and the rules for names.
 */
#ifndef INKWELL_MEDIA_H
#define INKWELL_MEDIA_H

#include <stdbool.h>
#include <stddef.h>

#define MEDIA_NAME_MAX	200	/* media.name: at most 200 characters */

/*
 * The Content-Type of the image in p[0..n), told by its first bytes
 * only: "image/png", "image/jpeg", "image/gif", "image/webp" or
 * "image/avif" (static strings); NULL for anything else, SVG included
 * (it can carry scripts), and for a header cut short.  Never asks what
 * the client said the type was, nor the name.  Reads at most the first
 * few dozen bytes.
 */
const char	*media_sniff(const void *p, size_t n);

/*
 * Why name cannot name a media file, or NULL when it can: 1 to
 * MEDIA_NAME_MAX of A-Z, a-z, 0-9, '.', '_' and '-', the first a letter
 * or digit (the schema's CHECK on media.name).  A static string, fit to
 * show the client.
 */
const char	*media_name_problem(const char *name);

/*
 * Why name does not suit a file of type ctype (one media_sniff gave),
 * or NULL when it does: its extension, in any case, must be the type's
 * (.png; .jpg or .jpeg; .gif; .webp; .avif), so that a name never says
 * one type while the file is another.  A static string.
 */
const char	*media_ext_problem(const char *name, const char *ctype);

/*
 * True when name has the shape of a picture's variant name
 * (STEM.HASH8.wWIDTH.EXT: eight lower-case hex digits, a width, an
 * extension of the five types), which uploads may not take.
 */
bool		 media_variant_like(const char *name);

struct arena;

/*
 * A media name for a file called base (any bytes) holding a ctype image:
 * letters and digits kept, runs of anything else made one '-' (or the
 * '.' or '_' they were), the extension kept when it fits ctype and the
 * type's own put on otherwise, at most MEDIA_NAME_MAX characters; "file"
 * stands for a stem with nothing left.  In the arena; NULL when ctype is
 * not one media_sniff gives.
 */
char		*media_name_make(struct arena *, const char *base,
		    const char *ctype);

#endif
