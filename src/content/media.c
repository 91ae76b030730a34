/* SPDX-License-Identifier: MIT */
/*
 * media.c: sniffing an uploaded file's type from its magic bytes, and
 * checking media names.
 *
 * Only raster image formats a browser shows in <img> are accepted, each
 * recognised by the fixed bytes its specification puts at the start of
 * the file, and then served with that type and nosniff, so no upload is
 * ever run as HTML or script whatever else its bytes hold.  The client's
 * Content-Type and the name are not trusted: they are what an attacker
 * chooses.  The checks look at headers only; a file that is broken
 * further in is the browser's to refuse, which it does safely.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "content/media.h"
#include "lib/util.h"

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

/* PNG: the signature, then the IHDR chunk, which must come first and
 * hold 13 bytes (and its CRC). */
static bool
is_png(const unsigned char *p, size_t n)
{
	return n >= 8 + 8 + 13 + 4 &&
	    memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0 && be32(p + 8) == 13 &&
	    memcmp(p + 12, "IHDR", 4) == 0;
}

/* JPEG: start of image, then the first marker of a segment. */
static bool
is_jpeg(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff &&
	    p[3] >= 0xc0 && p[3] != 0xff;
}

/* GIF: the version, then the 7-byte logical screen descriptor. */
static bool
is_gif(const unsigned char *p, size_t n)
{
	return n >= 6 + 7 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0);
}

/* WebP: a RIFF file of form WEBP whose first chunk is an image (lossy,
 * lossless or extended), and which is not shorter than it says. */
static bool
is_webp(const unsigned char *p, size_t n)
{
	uint32_t	 riff;

	if (n < 20 || memcmp(p, "RIFF", 4) != 0 ||
	    memcmp(p + 8, "WEBP", 4) != 0)
		return false;
	riff = le32(p + 4);
	if (riff < 12 || (uint64_t)riff + 8 > n)
		return false;
	return memcmp(p + 12, "VP8 ", 4) == 0 ||
	    memcmp(p + 12, "VP8L", 4) == 0 || memcmp(p + 12, "VP8X", 4) == 0;
}

/* AVIF: an ISO BMFF file whose first box, ftyp, names the brand avif
 * (still) or avis (sequence), as its major or a compatible brand. */
static bool
is_avif(const unsigned char *p, size_t n)
{
	uint32_t	 size;

	if (n < 16 || memcmp(p + 4, "ftyp", 4) != 0)
		return false;
	size = be32(p);
	if (size < 16 || size > n || size > 256 || size % 4 != 0)
		return false;
	for (uint32_t off = 8; off + 4 <= size; off += 4) {
		if (off == 12)
			continue;	/* minor_version, not a brand */
		if (memcmp(p + off, "avif", 4) == 0 ||
		    memcmp(p + off, "avis", 4) == 0)
			return true;
	}
	return false;
}

static const struct kind {
	const char	*ctype;
	bool		(*is)(const unsigned char *, size_t);
	const char	*ext[3];	/* NULL-terminated */
	const char	*ext_problem;
} kinds[] = {
	{ "image/png", is_png, { "png", NULL, NULL },
	    "the file is a PNG image: its name must end in .png" },
	{ "image/jpeg", is_jpeg, { "jpg", "jpeg", NULL },
	    "the file is a JPEG image: its name must end in .jpg or .jpeg" },
	{ "image/gif", is_gif, { "gif", NULL, NULL },
	    "the file is a GIF image: its name must end in .gif" },
	{ "image/webp", is_webp, { "webp", NULL, NULL },
	    "the file is a WebP image: its name must end in .webp" },
	{ "image/avif", is_avif, { "avif", NULL, NULL },
	    "the file is an AVIF image: its name must end in .avif" },
};

const char *
media_sniff(const void *p, size_t n)
{
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < NELEM(kinds); i++)
		if (kinds[i].is(p, n))
			return kinds[i].ctype;
	return NULL;
}

const char *
media_name_problem(const char *name)
{
	size_t	 n = strnlen(name, MEDIA_NAME_MAX + 1);

	if (n == 0)
		return "a media name cannot be empty";
	if (n > MEDIA_NAME_MAX)
		return "a media name has at most 200 characters";
	for (size_t i = 0; i < n; i++) {
		char	 c = name[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (i == 0)
			return "a media name starts with a letter or a digit";
		if (c != '.' && c != '_' && c != '-')
			return "a media name has only letters, digits, '.', "
			    "'_' and '-'";
	}
	return NULL;
}

const char *
media_ext_problem(const char *name, const char *ctype)
{
	const char	*dot = strrchr(name, '.');

	for (size_t i = 0; i < NELEM(kinds); i++) {
		if (ctype == NULL || strcmp(ctype, kinds[i].ctype) != 0)
			continue;
		for (size_t k = 0; dot != NULL && kinds[i].ext[k] != NULL; k++)
			if (strcasecmp(dot + 1, kinds[i].ext[k]) == 0)
				return NULL;
		return kinds[i].ext_problem;
	}
	return "the file is of no type inkwell accepts";
}

char *
media_name_make(struct arena *a, const char *base, const char *ctype)
{
	const char	*ext = NULL, *dot;
	char		*stem, *out;
	size_t		 n = 0, keep;

	for (size_t i = 0; i < NELEM(kinds); i++)
		if (ctype != NULL && strcmp(ctype, kinds[i].ctype) == 0)
			ext = kinds[i].ext[0];
	if (ext == NULL)
		return NULL;
	/* The stem: letters and digits kept, every run of others one '-'
	 * (or the '.', '_' or '-' it was), none first or last. */
	dot = strrchr(base, '.');
	stem = arena_alloc(a, strlen(base) + 1);
	for (const char *s = base; *s != '\0' && s != dot; s++) {
		char	 c = *s;
		bool	 alnum = (c >= 'A' && c <= 'Z') ||
			    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (alnum)
			stem[n++] = c;
		else if (n > 0 && stem[n - 1] != '-' && stem[n - 1] != '.' &&
		    stem[n - 1] != '_')
			stem[n++] = c == '.' || c == '_' ? c : '-';
	}
	while (n > 0 && (stem[n - 1] == '-' || stem[n - 1] == '.' ||
	    stem[n - 1] == '_'))
		n--;
	stem[n] = '\0';
	if (n == 0)
		stem = "file";
	/* The extension the file has when it fits the type, else the
	 * type's own. */
	if (dot != NULL && media_ext_problem(dot, ctype) == NULL &&
	    media_name_problem(dot + 1) == NULL)
		ext = dot + 1;
	keep = MEDIA_NAME_MAX - 1 - strlen(ext);
	out = arena_printf(a, "%.*s.%s", (int)keep, stem, ext);
	return media_name_problem(out) == NULL ? out : NULL;
}

bool
media_variant_like(const char *name)
{
	static const char *const exts[] = { "jpg", "png", "gif", "webp",
	    "avif" };
	const char	*ext = strrchr(name, '.'), *w, *p;
	size_t		 n = strlen(name);

	/* STEM.HASH8.wWIDTH.EXT: walk back from the extension. */
	if (ext == NULL)
		return false;
	for (w = ext; w > name && w[-1] != '.'; w--)
		;
	if (w == name || w[0] != 'w' || w + 1 == ext)
		return false;
	for (p = w + 1; p < ext; p++)
		if (*p < '0' || *p > '9')
			return false;
	if (w - name < 11 || w[-10] != '.')
		return false;
	for (p = w - 9; p < w - 1; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	for (size_t i = 0; i < NELEM(exts); i++)
		if (strcasecmp(ext + 1, exts[i]) == 0)
			return n > 0;
	return false;
}
