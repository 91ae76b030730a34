/* SPDX-License-Identifier: MIT */
/*
 * inkwell-image: decodes one uploaded picture from stdin with libvips
 * and answers on stdout, in the frame of content/imgframe.h, the clean
 * picture and its smaller copies, or why it is refused.
 *
 *	inkwell-image --max-bytes N --max-pixels N --max-side N
 *
 * The worker (content/imgrun.c) runs one of these per upload under
 * rlimits and a wall clock: decoding is the riskiest thing inkwell does
 * with outside bytes, and this way a decoder bug costs one process, not
 * a worker with database connections and other people's requests.
 *
 * Steps: the type from the magic bytes (media_sniff) picks the one
 * loader allowed to see the bytes; the header alone is read and its
 * size checked against the limits before a pixel is decoded; loading
 * fails on truncated or corrupt data (fail_on); the EXIF orientation is
 * applied; every piece of metadata but the ICC colour profile is
 * dropped; the picture is written again in its own format, and at the
 * variant widths (never wider than it) in its format, WebP and AVIF.
 * Animated GIF and WebP keep their first frame only.  Exit status 0
 * whenever a frame was written, refusal or not.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <vips/vips.h>
#include <vips/vector.h>

#include "content/imgframe.h"
#include "content/media.h"

static const unsigned widths[] = { 480, 960, 1600 };
#define OWN_MAX		1600	/* the picture's own width is a variant up to this */

struct out {
	const char	*type;
	unsigned	 width, height;
	void		*buf;
	size_t		 len;
};

static void
put(const void *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n) {
		fprintf(stderr, "inkwell-image: writing: %s\n",
		    strerror(errno));
		exit(1);
	}
}

/* Answers a refusal and exits. */
static void __attribute__((noreturn, format(printf, 2, 3)))
refuse(int status, const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char		 msg[IMGFRAME_ERROR_MAX + 1];
	const char	*s;
	char		*head;
	size_t		 n;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* libvips' messages end in newlines; the frame wants one line. */
	for (char *c = msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "status", json_object_new_int(status));
	json_object_object_add(o, "error", json_object_new_string(msg));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	n = strlen(s);
	head = malloc(n + 32);
	if (head == NULL)
		exit(1);
	put(head, imgframe_head(head, s, n));
	fflush(stdout);
	exit(0);
}

/* The last libvips error, as one short line. */
static const char *
vips_why(void)
{
	const char	*e = vips_error_buffer();

	return e != NULL && *e != '\0' ? e : "unknown error";
}

/* The loader for type: the only one that sees the bytes. */
static VipsImage *
load(const char *type, void *buf, size_t n)
{
	VipsImage	*im = NULL;
	int		 rc = -1;

	if (strcmp(type, "image/jpeg") == 0)
		rc = vips_jpegload_buffer(buf, n, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
	else if (strcmp(type, "image/png") == 0)
		rc = vips_pngload_buffer(buf, n, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
	else if (strcmp(type, "image/gif") == 0)
		rc = vips_gifload_buffer(buf, n, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
	else if (strcmp(type, "image/webp") == 0)
		rc = vips_webpload_buffer(buf, n, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
	else if (strcmp(type, "image/avif") == 0)
		rc = vips_heifload_buffer(buf, n, &im, "fail_on",
		    VIPS_FAIL_ON_ERROR, NULL);
	if (rc != 0)
		refuse(422, "the picture cannot be read (corrupt, or not "
		    "what its first bytes say): %s", vips_why());
	return im;
}

/*
 * A copy of in with no metadata but the ICC profile: no EXIF (GPS and
 * camera), XMP, IPTC, comments or thumbnails reach a reader.
 */
static VipsImage *
clean(VipsImage *in)
{
	VipsImage	*out;
	gchar		**f;

	if (vips_copy(in, &out, NULL) != 0)
		refuse(422, "the picture cannot be copied: %s", vips_why());
	f = vips_image_get_fields(out);
	for (size_t i = 0; f[i] != NULL; i++)
		if (strcmp(f[i], VIPS_META_ICC_NAME) != 0)
			(void)vips_image_remove(out, f[i]);
	g_strfreev(f);
	return out;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * libvips 8.14 writes an EXIF block of its own making (resolution,
 * orientation, size) whenever it does not strip, and stripping takes
 * the ICC profile too (and WebP's strip does nothing at all).  So the
 * picture is written with its profile and whatever else, and the
 * containers are then walked and every metadata piece but the profile
 * cut out.  p[0..*n) is libvips' output, edited in place.  Returns -1
 * when the container is not as expected: then nothing is answered.
 */
static int
scrub_jpeg(unsigned char *p, size_t *n)
{
	size_t	 i = 2, o = 2;

	/* Segments up to the start of scan: drop APP1 (EXIF, XMP), APP13
	 * (IPTC) and comments; keep JFIF, ICC (APP2), Adobe (APP14). */
	while (i + 4 <= *n && p[i] == 0xff) {
		unsigned	 m = p[i + 1];
		size_t		 len = (size_t)p[i + 2] << 8 | p[i + 3];

		if (m == 0xda)
			break;
		if (len < 2 || i + 2 + len > *n)
			return -1;
		if (m != 0xe1 && m != 0xed && m != 0xfe) {
			memmove(p + o, p + i, 2 + len);
			o += 2 + len;
		}
		i += 2 + len;
	}
	if (i + 2 > *n || p[i] != 0xff || p[i + 1] != 0xda)
		return -1;
	memmove(p + o, p + i, *n - i);
	*n -= i - o;
	return 0;
}

static int
scrub_png(unsigned char *p, size_t *n)
{
	static const char *const drop[] = { "eXIf", "tEXt", "zTXt", "iTXt",
	    "tIME" };
	size_t	 i = 8, o = 8;

	while (i + 12 <= *n) {
		size_t	 len = be32(p + i), all = 12 + len;
		bool	 keep = true;

		if (len > *n - i - 12)
			return -1;
		for (size_t k = 0; k < sizeof(drop) / sizeof(drop[0]); k++)
			keep &= memcmp(p + i + 4, drop[k], 4) != 0;
		if (keep) {
			memmove(p + o, p + i, all);
			o += all;
		}
		i += all;
	}
	if (i != *n)
		return -1;
	*n = o;
	return 0;
}

static int
scrub_webp(unsigned char *p, size_t *n)
{
	size_t	 i = 12, o = 12, riff;

	if (*n < 12 || memcmp(p, "RIFF", 4) != 0 ||
	    memcmp(p + 8, "WEBP", 4) != 0)
		return -1;
	while (i + 8 <= *n) {
		size_t	 len = (size_t)p[i + 4] | (size_t)p[i + 5] << 8 |
		    (size_t)p[i + 6] << 16 | (size_t)p[i + 7] << 24;
		size_t	 all = 8 + len + (len & 1);

		if (all > *n - i)
			return -1;
		if (memcmp(p + i, "VP8X", 4) == 0 && len >= 1)
			p[i + 8] &= ~0x0c;	/* the EXIF and XMP flags */
		if (memcmp(p + i, "EXIF", 4) != 0 &&
		    memcmp(p + i, "XMP ", 4) != 0) {
			memmove(p + o, p + i, all);
			o += all;
		}
		i += all;
	}
	if (i != *n)
		return -1;
	*n = o;
	riff = o - 8;
	p[4] = riff & 0xff;
	p[5] = riff >> 8 & 0xff;
	p[6] = riff >> 16 & 0xff;
	p[7] = riff >> 24 & 0xff;
	return 0;
}

/* Encodes im as type into o; refuses on failure. */
static void
save(VipsImage *im, const char *type, struct out *o)
{
	int	 rc = -1;

	o->type = type;
	o->width = (unsigned)vips_image_get_width(im);
	o->height = (unsigned)vips_image_get_height(im);
	/* Nothing is left on im but the profile; see the scrubs. */
	if (strcmp(type, "image/jpeg") == 0)
		rc = vips_jpegsave_buffer(im, &o->buf, &o->len, "Q", 85,
		    "optimize_coding", TRUE, "interlace", TRUE, NULL) ||
		    scrub_jpeg(o->buf, &o->len);
	else if (strcmp(type, "image/png") == 0)
		rc = vips_pngsave_buffer(im, &o->buf, &o->len,
		    "compression", 6, NULL) || scrub_png(o->buf, &o->len);
	else if (strcmp(type, "image/gif") == 0)
		rc = vips_gifsave_buffer(im, &o->buf, &o->len, "strip", TRUE,
		    NULL);
	else if (strcmp(type, "image/webp") == 0)
		rc = vips_webpsave_buffer(im, &o->buf, &o->len, "Q", 80,
		    NULL) || scrub_webp(o->buf, &o->len);
	else if (strcmp(type, "image/avif") == 0) {
		/*
		 * No scrub for ISO BMFF: stripped, which loses the
		 * profile, so the pixels are moved into sRGB first (what
		 * a browser assumes of a picture without one).
		 */
		VipsImage	*s = im;

		if (vips_image_get_typeof(im, VIPS_META_ICC_NAME) &&
		    vips_icc_transform(im, &s, "srgb", "embedded", TRUE,
		    NULL) != 0)
			refuse(422, "the picture's colour profile cannot be "
			    "applied: %s", vips_why());
		rc = vips_heifsave_buffer(s, &o->buf, &o->len,
		    "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
		    "Q", 50, "effort", 0, "strip", TRUE, NULL);
		if (s != im)
			g_object_unref(s);
	}
	if (rc != 0)
		refuse(422, "the picture cannot be written as %s: %s", type,
		    vips_why());
}

static int64_t
number(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1) {
		fprintf(stderr, "inkwell-image: bad number %s\n", s);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	int64_t		 max_bytes = 8 << 20, max_pixels = 50000000;
	int64_t		 max_side = 20000;
	struct out	 outs[IMGFRAME_IMAGES_MAX];
	struct json_object *hdr, *list;
	VipsImage	*im, *rot, *pic;
	unsigned char	*buf;
	const char	*type, *s;
	char		*head;
	size_t		 n = 0, cap, nout = 0;
	ssize_t		 k;
	int64_t		 w, h;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--max-bytes") == 0)
			max_bytes = number(argv[i + 1]);
		else if (strcmp(argv[i], "--max-pixels") == 0)
			max_pixels = number(argv[i + 1]);
		else if (strcmp(argv[i], "--max-side") == 0)
			max_side = number(argv[i + 1]);
		else {
			fprintf(stderr, "usage: inkwell-image [--max-bytes N]"
			    " [--max-pixels N] [--max-side N]\n");
			return 2;
		}
	}
	if (max_side > IMGFRAME_SIDE_MAX)
		max_side = IMGFRAME_SIDE_MAX;

	/* The upload, and one byte more to tell one that is too long. */
	cap = (size_t)max_bytes + 1;
	if ((buf = malloc(cap)) == NULL)
		return 1;
	while (n < cap && (k = read(0, buf + n, cap - n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return 1;
		n += (size_t)k;
	}
	if (n > (size_t)max_bytes)
		refuse(413, "the file is over the limit of %" PRId64 " bytes "
		    "([server] media_max_bytes)", max_bytes);
	if ((type = media_sniff(buf, n)) == NULL)
		refuse(422, "the file is no PNG, JPEG, GIF, WebP or AVIF "
		    "image");

	if (VIPS_INIT(argv[0]) != 0)
		return 1;
	vips_concurrency_set(1);
	vips_vector_set_enabled(FALSE);	/* no ORC code generation (imgrun.c) */
	vips_cache_set_max(0);
	im = load(type, buf, n);
	/* The header only has been read: check the size it declares. */
	w = vips_image_get_width(im);
	h = vips_image_get_height(im);
	if (w > max_side || h > max_side)
		refuse(422, "the picture is %" PRId64 "x%" PRId64 " pixels: "
		    "a side may be at most %" PRId64 " ([server] "
		    "media_max_side)", w, h, max_side);
	if (w * h > max_pixels)
		refuse(422, "the picture has %" PRId64 " pixels (%" PRId64 "x%"
		    PRId64 "): at most %" PRId64 " are accepted ([server] "
		    "media_max_pixels)", w * h, w, h, max_pixels);
	if (vips_autorot(im, &rot, NULL) != 0)
		refuse(422, "the picture cannot be turned upright: %s",
		    vips_why());
	pic = clean(rot);
	/*
	 * Decode once, here, fully: a picture broken further in fails now
	 * (fail_on), not halfway through the variants.  Within the limits
	 * just checked, and the rlimits the worker set.
	 */
	{
		VipsImage *mem = vips_image_copy_memory(pic);

		if (mem == NULL)
			refuse(422, "the picture cannot be decoded (truncated "
			    "or corrupt): %s", vips_why());
		g_object_unref(pic);
		pic = mem;
	}
	w = vips_image_get_width(pic);
	save(pic, type, &outs[nout++]);
	for (size_t i = 0; i <= sizeof(widths) / sizeof(widths[0]); i++) {
		static const char *const fmts[] = { NULL, "image/webp",
		    "image/avif" };
		int64_t		 vw;
		VipsImage	*v;

		if (i < sizeof(widths) / sizeof(widths[0]))
			vw = widths[i] < w ? widths[i] : 0;
		else
			vw = w <= OWN_MAX ? w : 0;
		if (vw == 0)
			continue;
		if (vw == w) {
			v = pic;
			g_object_ref(v);
		} else if (vips_resize(pic, &v, (double)vw / (double)w,
		    NULL) != 0)
			refuse(422, "the picture cannot be resized: %s",
			    vips_why());
		/* Each format once: a WebP's own format is WebP. */
		for (size_t f = 0; f < 3; f++)
			if (fmts[f] == NULL || strcmp(fmts[f], type) != 0)
				save(v, fmts[f] != NULL ? fmts[f] : type,
				    &outs[nout++]);
		g_object_unref(v);
	}

	hdr = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(hdr, "ok", json_object_new_boolean(1));
	for (size_t i = 0; i < nout; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "type",
		    json_object_new_string(outs[i].type));
		json_object_object_add(o, "width",
		    json_object_new_int64(outs[i].width));
		json_object_object_add(o, "height",
		    json_object_new_int64(outs[i].height));
		json_object_object_add(o, "length",
		    json_object_new_int64((int64_t)outs[i].len));
		json_object_array_add(list, o);
	}
	json_object_object_add(hdr, "images", list);
	s = json_object_to_json_string_ext(hdr, JSON_C_TO_STRING_PLAIN);
	if ((head = malloc(strlen(s) + 32)) == NULL)
		return 1;
	put(head, imgframe_head(head, s, strlen(s)));
	for (size_t i = 0; i < nout; i++)
		put(outs[i].buf, outs[i].len);
	if (fflush(stdout) != 0)
		return 1;
	return 0;
}
