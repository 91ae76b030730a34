/* SPDX-License-Identifier: MIT */
/*
 * imgframe.h: what inkwell-image (src/img/) answers on its stdout, and
 * the worker's strict reader of it.
 *
 * The frame:
 *
 *	"IWIMG1 " LENGTH "\n"	LENGTH: decimal, 2 to IMGFRAME_HEADER_MAX
 *	HEADER			JSON, LENGTH bytes
 *	BLOB...			the pictures, one after another
 *
 * HEADER is {"ok": true, "images": [{"type": T, "width": W, "height": H,
 * "length": N}, ...]}, the first image the clean full-size picture and
 * the rest its variants, widths ascending; the blobs' lengths add up to
 * exactly what follows the header.  Or {"ok": false, "status": 413|422,
 * "error": TEXT} and nothing after it: the picture is refused, TEXT
 * (printable, at most IMGFRAME_ERROR_MAX bytes) saying why.
 */
#ifndef INKWELL_IMGFRAME_H
#define INKWELL_IMGFRAME_H

#include <stddef.h>

#define IMGFRAME_MAGIC		"IWIMG1 "
#define IMGFRAME_HEADER_MAX	65536	/* bytes of JSON */
#define IMGFRAME_IMAGES_MAX	16	/* the picture and 15 variants */
#define IMGFRAME_ERROR_MAX	500	/* bytes of a refusal's text */
#define IMGFRAME_SIDE_MAX	100000	/* pixels: the schema's CHECK */

struct imgframe_image {
	const char	*type;		/* static: one media_sniff gives */
	unsigned	 width, height;
	const unsigned char *data;	/* into the frame */
	size_t		 length;
};

struct imgframe {
	int		 ok;		/* 1: images; 0: refused */
	int		 status;	/* refused: 413 or 422 */
	char		 error[IMGFRAME_ERROR_MAX + 1];
	struct imgframe_image images[IMGFRAME_IMAGES_MAX];
	size_t		 nimages;	/* ok: 1 to IMGFRAME_IMAGES_MAX */
};

/*
 * Reads the frame p[0..n) into *f (whose data point into p).  Returns 0,
 * or -1 with *why (static) saying what is wrong: anything not exactly as
 * above, a type other than the five, a side of 0 or over
 * IMGFRAME_SIDE_MAX, a variant wider than the picture, bytes missing or
 * left over.
 */
int	 imgframe_parse(const void *p, size_t n, struct imgframe *f,
	    const char **why);

/*
 * Writes the start of a frame (magic, length, header) for hdr, a JSON
 * text of hlen bytes, into out (at least hlen + 32 bytes); returns the
 * bytes written.  For inkwell-image and the tests.
 */
size_t	 imgframe_head(char *out, const char *hdr, size_t hlen);

#endif
