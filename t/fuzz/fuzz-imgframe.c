/* SPDX-License-Identifier: MIT */
/*
 * fuzz-imgframe.c: libFuzzer target for imgframe_parse, which reads what
 * inkwell-image answers: the one channel a helper taken over by a
 * hostile picture has back into the worker.
 *
 * Checks that an accepted frame holds what the parser promises: 1 to 16
 * images of the five types, sides within the limit, no variant wider
 * than the picture, blobs inside the input that add up to all of it and
 * are of their stated type; or a refusal with status 413 or 422 and a
 * short printable text.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "content/imgframe.h"
#include "content/media.h"
#include "fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imgframe	 f;
	const char	*why;
	size_t		 total = 0;

	if (imgframe_parse(data, size, &f, &why) != 0) {
		CHECK(why != NULL);
		return 0;
	}
	if (!f.ok) {
		CHECK(f.status == 413 || f.status == 422);
		CHECK(strlen(f.error) >= 1 && strlen(f.error) <=
		    IMGFRAME_ERROR_MAX);
		for (const char *c = f.error; *c != '\0'; c++)
			CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
		return 0;
	}
	CHECK(f.nimages >= 1 && f.nimages <= IMGFRAME_IMAGES_MAX);
	for (size_t i = 0; i < f.nimages; i++) {
		const struct imgframe_image *g = &f.images[i];

		CHECK(g->width >= 1 && g->width <= IMGFRAME_SIDE_MAX);
		CHECK(g->height >= 1 && g->height <= IMGFRAME_SIDE_MAX);
		CHECK(g->width <= f.images[0].width);
		CHECK(g->data >= data && g->length >= 1 &&
		    g->data + g->length <= data + size);
		CHECK(media_sniff(g->data, g->length) == g->type);
		total += g->length;
	}
	CHECK(f.images[f.nimages - 1].data + f.images[f.nimages - 1].length ==
	    data + size);
	CHECK(total < size);
	return 0;
}
