/* SPDX-License-Identifier: MIT */
/*
 * imgframe.c: reading inkwell-image's answer (the frame of imgframe.h).
 *
 * The helper decodes pictures from the outside world with a large
 * library; should one of them take it over, this frame is all it can
 * say to the worker.  So nothing in it is trusted: the header is
 * bounded before json-c sees it, every field is checked for type and
 * range, and the blobs must fill the rest exactly.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "content/imgframe.h"
#include "content/media.h"

#define DEPTH_MAX	4	/* {"images": [{...}]} needs 3 */

static const char *const types[] = { "image/png", "image/jpeg",
    "image/gif", "image/webp", "image/avif" };

size_t
imgframe_head(char *out, const char *hdr, size_t hlen)
{
	int	 k = sprintf(out, IMGFRAME_MAGIC "%zu\n", hlen);

	memcpy(out + k, hdr, hlen);
	return (size_t)k + hlen;
}

/* The integer member key of o in [min, max], or -1. */
static int64_t
intmember(struct json_object *o, const char *key, int64_t min, int64_t max)
{
	struct json_object *v;
	int64_t		 i;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	i = json_object_get_int64(v);
	return i < min || i > max ? -1 : i;
}

static int
refusal(struct json_object *o, struct imgframe *f, const char **why)
{
	struct json_object *v;
	const char	*s;
	size_t		 len;
	int64_t		 st = intmember(o, "status", 400, 499);

	if (st != 413 && st != 422)
		return *why = "a refusal's status is not 413 or 422", -1;
	if (!json_object_object_get_ex(o, "error", &v) ||
	    !json_object_is_type(v, json_type_string))
		return *why = "a refusal has no error text", -1;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || len > IMGFRAME_ERROR_MAX)
		return *why = "a refusal's error text is empty or too long", -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return *why = "a refusal's error text is not "
			    "printable", -1;
	f->ok = 0;
	f->status = (int)st;
	memcpy(f->error, s, len);
	f->error[len] = '\0';
	return 0;
}

/* Reads the images list of o; their blobs are body[0..n). */
static int
images(struct json_object *o, const unsigned char *body, size_t n,
    struct imgframe *f, const char **why)
{
	struct json_object *list, *im, *v;
	size_t		 count, off = 0;

	if (!json_object_object_get_ex(o, "images", &list) ||
	    !json_object_is_type(list, json_type_array))
		return *why = "the header has no images list", -1;
	count = json_object_array_length(list);
	if (count == 0 || count > IMGFRAME_IMAGES_MAX)
		return *why = "the images list is empty or too long", -1;
	for (size_t i = 0; i < count; i++) {
		struct imgframe_image *g = &f->images[i];
		const char	*t = NULL, *s;
		int64_t		 w, h, len;

		im = json_object_array_get_idx(list, i);
		if (!json_object_is_type(im, json_type_object))
			return *why = "an image is not an object", -1;
		if (!json_object_object_get_ex(im, "type", &v) ||
		    !json_object_is_type(v, json_type_string))
			return *why = "an image has no type", -1;
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			if (strcmp(json_object_get_string(v), types[k]) == 0)
				t = types[k];
		if (t == NULL)
			return *why = "an image's type is not one inkwell "
			    "serves", -1;
		w = intmember(im, "width", 1, IMGFRAME_SIDE_MAX);
		h = intmember(im, "height", 1, IMGFRAME_SIDE_MAX);
		len = intmember(im, "length", 1, INT64_MAX);
		if (w < 0 || h < 0 || len < 0)
			return *why = "an image's width, height or length is "
			    "missing or out of range", -1;
		if (i > 0 && (unsigned)w > f->images[0].width)
			return *why = "a variant is wider than its picture", -1;
		if ((uint64_t)len > n - off)
			return *why = "the blobs are shorter than the header "
			    "says", -1;
		/* The bytes must be of the type the header says (compared
		 * as strings: equal literals need not be one object). */
		if ((s = media_sniff(body + off, (size_t)len)) == NULL ||
		    strcmp(s, t) != 0)
			return *why = "a blob is not of its stated type", -1;
		*g = (struct imgframe_image){ .type = t, .width = (unsigned)w,
		    .height = (unsigned)h, .data = body + off,
		    .length = (size_t)len };
		off += (size_t)len;
	}
	if (off != n)
		return *why = "bytes are left after the last blob", -1;
	f->ok = 1;
	f->nimages = count;
	return 0;
}

int
imgframe_parse(const void *p, size_t n, struct imgframe *f, const char **why)
{
	const unsigned char *u = p;
	const size_t	 m = sizeof(IMGFRAME_MAGIC) - 1;
	struct json_tokener *tok;
	struct json_object *o, *v;
	size_t		 hlen = 0, i;
	int		 rc = -1;

	memset(f, 0, sizeof(*f));
	*why = NULL;
	if (p == NULL || n < m + 2 || memcmp(u, IMGFRAME_MAGIC, m) != 0)
		return *why = "the answer does not start with the magic", -1;
	/* At most 5 digits (the maximum is 65536), no leading zero. */
	for (i = m; i < n && i < m + 6 && u[i] >= '0' && u[i] <= '9'; i++)
		hlen = hlen * 10 + (size_t)(u[i] - '0');
	if (i == m || i == m + 6 || i >= n || u[i] != '\n' || u[m] == '0' ||
	    hlen < 2 || hlen > IMGFRAME_HEADER_MAX)
		return *why = "the header's length is malformed", -1;
	i++;
	if (hlen > n - i)
		return *why = "the header is cut short", -1;
	if (memchr(u + i, '\0', hlen) != NULL)
		return *why = "the header holds a NUL byte", -1;
	if ((tok = json_tokener_new_ex(DEPTH_MAX)) == NULL)
		return *why = "out of memory", -1;
	o = json_tokener_parse_ex(tok, (const char *)u + i, (int)hlen);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != hlen) {
		*why = "the header is not one JSON value";
		goto out;
	}
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "ok", &v) ||
	    !json_object_is_type(v, json_type_boolean)) {
		*why = "the header is not an object with ok";
		goto out;
	}
	if (!json_object_get_boolean(v)) {
		if (n != i + hlen)
			*why = "a refusal is followed by bytes";
		else
			rc = refusal(o, f, why);
	} else
		rc = images(o, u + i + hlen, n - i - hlen, f, why);
out:
	json_object_put(o);
	json_tokener_free(tok);
	if (rc != 0)
		memset(f, 0, sizeof(*f));
	return rc;
}
