/* SPDX-License-Identifier: MIT */
/*
 * imgframe-t.c: the reader of inkwell-image's answers, on good frames
 * and on what a helper taken over by a hostile picture might send
 * instead: wrong magic and lengths, a header cut short or too long,
 * JSON nested deep, trailing or missing bytes, blobs not of their
 * stated type, sizes out of range, too many images, refusals with bad
 * status or text.  And media_variant_like, the rule that keeps upload
 * names and copy names apart.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "content/imgframe.h"
#include "content/media.h"
#include "tap.h"

/* A whole 1x1 RGBA PNG (69 bytes). */
static const char PNG[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52"
    "\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    "\x89\x00\x00\x00\x0b\x49\x44\x41\x54\x78\x9c\x63\x60\x00\x02\x00"
    "\x00\x05\x00\x01\x7a\x5e\xab\x3f\x00\x00\x00\x00\x49\x45\x4e\x44"
    "\xae\x42\x60\x82";
#define NPNG	(sizeof(PNG) - 1)

static char	 frame[200000];

/* A frame of header hdr, then nblobs copies of PNG; its length. */
static size_t
make(const char *hdr, int nblobs)
{
	size_t	 n = imgframe_head(frame, hdr, strlen(hdr));

	for (int i = 0; i < nblobs; i++) {
		memcpy(frame + n, PNG, NPNG);
		n += NPNG;
	}
	return n;
}

static int
parse(size_t n, struct imgframe *f, const char **why)
{
	return imgframe_parse(frame, n, f, why);
}

static void
good(void)
{
	struct imgframe	 f;
	const char	*why;
	char		 hdr[512];
	size_t		 n;

	snprintf(hdr, sizeof(hdr), "{\"ok\":true,\"images\":["
	    "{\"type\":\"image\\/png\",\"width\":10,\"height\":5,\"length\":%zu},"
	    "{\"type\":\"image/png\",\"width\":4,\"height\":2,\"length\":%zu}]}",
	    NPNG, NPNG);
	n = make(hdr, 2);
	ok(parse(n, &f, &why) == 0 && f.ok == 1 && f.nimages == 2,
	    "a picture and a variant");
	ok(f.images[0].width == 10 && f.images[0].height == 5 &&
	    f.images[1].width == 4 && f.images[0].length == NPNG,
	    "their sizes and lengths");
	ok(strcmp(f.images[1].type, "image/png") == 0 &&
	    memcmp(f.images[1].data, PNG, NPNG) == 0, "the second blob");
	ok(parse(n - 1, &f, &why) != 0, "one byte short: refused (%s)", why);
	ok(parse(n - NPNG, &f, &why) != 0, "a blob missing: refused");
	frame[n] = 'x';
	ok(parse(n + 1, &f, &why) != 0, "a byte left over: refused (%s)", why);

	n = make("{\"ok\":false,\"status\":422,\"error\":\"too big\"}", 0);
	ok(parse(n, &f, &why) == 0 && f.ok == 0 && f.status == 422 &&
	    strcmp(f.error, "too big") == 0, "a refusal");
	ok(parse(n + 1, &f, &why) != 0, "a refusal with a byte after it");
	n = make("{\"ok\":false,\"status\":413,\"error\":\"x\"}", 0);
	ok(parse(n, &f, &why) == 0 && f.status == 413, "413 is a refusal too");
}

/* Each header below is refused, with blobs as given. */
static void
bad_headers(void)
{
	static const struct {
		const char	*hdr;
		int		 nblobs;
		const char	*what;
	} cases[] = {
		{ "{\"ok\":false,\"status\":200,\"error\":\"x\"}", 0,
		    "a refusal with status 200" },
		{ "{\"ok\":false,\"status\":500,\"error\":\"x\"}", 0,
		    "a refusal with status 500" },
		{ "{\"ok\":false,\"status\":422}", 0, "a refusal without text" },
		{ "{\"ok\":false,\"status\":422,\"error\":\"\"}", 0,
		    "a refusal with empty text" },
		{ "{\"ok\":false,\"status\":422,\"error\":\"a\\nb\"}", 0,
		    "a refusal with a newline" },
		{ "{\"ok\":false,\"status\":422,\"error\":\"a\\u0000b\"}", 0,
		    "a refusal with a NUL" },
		{ "{\"ok\":false,\"status\":\"422\",\"error\":\"x\"}", 0,
		    "a status as a string" },
		{ "{\"ok\":1,\"images\":[]}", 0, "ok not a boolean" },
		{ "{\"images\":[]}", 0, "no ok" },
		{ "[true]", 0, "an array" },
		{ "{\"ok\":true,\"images\":[]}", 0, "no images" },
		{ "{\"ok\":true,\"images\":{}}", 0, "images not a list" },
		{ "{\"ok\":true,\"images\":[1]}", 1, "an image not an object" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"text/html\","
		    "\"width\":1,\"height\":1,\"length\":69}]}", 1,
		    "type text/html" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/jpeg\","
		    "\"width\":1,\"height\":1,\"length\":69}]}", 1,
		    "a PNG said to be a JPEG" },
		{ "{\"ok\":true,\"images\":[{\"width\":1,\"height\":1,"
		    "\"length\":69}]}", 1, "no type" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":0,\"height\":1,\"length\":69}]}", 1, "width 0" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":100001,\"height\":1,\"length\":69}]}", 1,
		    "width over 100000" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":-1,\"length\":69}]}", 1,
		    "a negative height" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1.5,\"height\":1,\"length\":69}]}", 1,
		    "a fractional width" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":0}]}", 0, "length 0" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":9223372036854775807}]}",
		    1, "a huge length" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":\"69\"}]}", 1,
		    "a length as a string" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":69},{\"type\":"
		    "\"image/png\",\"width\":2,\"height\":1,\"length\":69}]}", 2,
		    "a variant wider than its picture" },
		{ "{\"ok\":true,\"images\":[[[[[[[[[[1]]]]]]]]]]}", 0,
		    "deep nesting" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":69}]} ", 1,
		    "a space after the JSON" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":69}]}{}", 1,
		    "two JSON values" },
		{ "{\"ok\":true,\"images\":[{\"type\":\"image/png\","
		    "\"width\":1,\"height\":1,\"length\":69", 1,
		    "JSON cut short" },
	};
	struct imgframe	 f;
	const char	*why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t	 n = make(cases[i].hdr, cases[i].nblobs);
		int	 rc = parse(n, &f, &why);

		ok(rc != 0 && why != NULL && f.nimages == 0, "%s: refused (%s)",
		    cases[i].what, why != NULL ? why : "no reason");
	}
}

static void
bad_frames(void)
{
	struct imgframe	 f;
	const char	*why;
	char		 many[4096];
	size_t		 n, k;

	ok(imgframe_parse(NULL, 0, &f, &why) != 0, "nothing");
	ok(imgframe_parse("IWIMG1 ", 7, &f, &why) != 0, "the magic alone");
	memcpy(frame, "IWIMG2 2\n{}", 11);
	ok(parse(11, &f, &why) != 0, "another magic");
	memcpy(frame, "IWIMG1 02\n{}", 12);
	ok(parse(12, &f, &why) != 0, "a length with a leading zero");
	memcpy(frame, "IWIMG1 65537\n", 13);
	ok(parse(13, &f, &why) != 0, "a header length over the maximum");
	memcpy(frame, "IWIMG1 999999\n", 14);
	ok(parse(14, &f, &why) != 0, "six digits");
	memcpy(frame, "IWIMG1 -2\n{}", 12);
	ok(parse(12, &f, &why) != 0, "a negative length");
	memcpy(frame, "IWIMG1 2 {}", 11);
	ok(parse(11, &f, &why) != 0, "no newline after the length");
	memcpy(frame, "IWIMG1 40\n{}", 12);
	ok(parse(12, &f, &why) != 0, "a header shorter than it says");
	memcpy(frame, "IWIMG1 3\n{\0}", 12);
	ok(parse(12, &f, &why) != 0, "a NUL in the header");

	/* 17 images: one more than a frame may hold. */
	k = (size_t)snprintf(many, sizeof(many), "{\"ok\":true,\"images\":[");
	for (int i = 0; i < IMGFRAME_IMAGES_MAX + 1; i++)
		k += (size_t)snprintf(many + k, sizeof(many) - k, "%s{\"type\":"
		    "\"image/png\",\"width\":1,\"height\":1,\"length\":%zu}",
		    i ? "," : "", NPNG);
	snprintf(many + k, sizeof(many) - k, "]}");
	n = make(many, IMGFRAME_IMAGES_MAX + 1);
	ok(parse(n, &f, &why) != 0, "17 images: refused");
	/* A refusal text over the limit. */
	memset(many, 'a', sizeof(many));
	k = (size_t)snprintf(many, sizeof(many), "{\"ok\":false,\"status\":422,"
	    "\"error\":\"");
	memset(many + k, 'a', IMGFRAME_ERROR_MAX + 1);
	snprintf(many + k + IMGFRAME_ERROR_MAX + 1, 8, "\"}");
	n = make(many, 0);
	ok(parse(n, &f, &why) != 0, "a refusal text over 500 bytes");
}

static void
variant_names(void)
{
	ok(media_variant_like("photo.3fa9c1d2.w480.webp"), "the contract's "
	    "example");
	ok(media_variant_like("a.00000000.w1.jpg"), "the shortest");
	ok(media_variant_like("My.Photo.0123abcd.w1600.AVIF"),
	    "dots in the stem, any case of extension");
	ok(!media_variant_like("photo.jpg"), "a plain name");
	ok(!media_variant_like("photo.3fa9c1d2.w480.svg"), "an extension "
	    "of no copy");
	ok(!media_variant_like("photo.3FA9C1D2.w480.webp"), "upper-case hex "
	    "(copies never have it)");
	ok(!media_variant_like("photo.3fa9c1d.w480.webp"), "7 hex digits");
	ok(!media_variant_like("photo.3fa9c1d2.480.webp"), "no w");
	ok(!media_variant_like("photo.3fa9c1d2.w.webp"), "no width");
	ok(!media_variant_like(".3fa9c1d2.w480.webp"), "no stem");
	ok(!media_variant_like("photo-3fa9c1d2.w480.webp"), "no dot before "
	    "the hash");
}

int
main(void)
{
	plan_lazy();
	good();
	bad_headers();
	bad_frames();
	variant_names();
	return done_testing();
}
