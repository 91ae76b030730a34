/* SPDX-License-Identifier: MIT */
/*
 * imgrun.h: running inkwell-image, the program that decodes uploaded
 * pictures, on one upload, under limits, and reading its answer.
 */
#ifndef INKWELL_IMGRUN_H
#define INKWELL_IMGRUN_H

#include <stddef.h>
#include <stdint.h>

#include "content/imgframe.h"

struct imgrun_limits {
	const char	*helper;	/* the program's path */
	int64_t		 max_bytes;	/* bytes of the upload */
	int64_t		 max_pixels;	/* width * height */
	int64_t		 max_side;	/* pixels, either side */
	int64_t		 timeout;	/* seconds, wall clock and CPU */
	int64_t		 memory_mb;	/* the helper's address space */
};

struct conf;

/* The limits [server] sets for inkwell-image (conf.h). */
struct imgrun_limits imgrun_limits_of(const struct conf *);

/*
 * Runs the helper on p[0..n) and reads its answer into *f; the frame's
 * bytes are in *frame (malloc'd: the caller frees it, also on failure).
 * Returns 0 when the helper answered (f->ok says whether the picture was
 * taken), or -1 with *why (static) when it failed: it could not start,
 * was killed (its time or memory ran out, or it crashed), or answered
 * something imgframe_parse refuses.  Waits for the helper either way.
 */
int	 imgrun(const struct imgrun_limits *, const void *p, size_t n,
	    struct imgframe *f, unsigned char **frame, const char **why);

struct arena;
struct media_in;

/*
 * imgrun() for an upload called name: fills *in (name, type, the clean
 * bytes, their sha256, size and variants named STEM.HASH8.wWIDTH.EXT;
 * not uploader nor alt), pointing into *frame (free it after use, also
 * on failure) and a.  With sha256 (hex) set, the bytes are a picture
 * kept as it is and that is its hash: the variants are named after it
 * (and in->sha256 is it).  Returns 0; or -1 with *status 413 or 422 and *why
 * (in a) when the picture is refused, or 500 and a static *why when the
 * helper failed (logged).
 */
int	 imgrun_media(struct arena *, const struct imgrun_limits *,
	    const char *name, const void *body, size_t n, const char *sha256,
	    struct media_in *in, unsigned char **frame, int *status,
	    const char **why);

#endif
