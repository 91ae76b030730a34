/* SPDX-License-Identifier: MIT */
/*
 * media-t.c: media_sniff on real (minimal) image files and on hostile
 * ones: cut short, SVG and HTML, magic bytes not at the start, lookalike
 * containers, nothing at all; and the media name and extension rules.
 */
#include "config.h"

#include <string.h>

#include "content/media.h"
#include "tap.h"

/* A whole 1x1 RGBA PNG. */
static const char PNG[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52"
    "\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    "\x89\x00\x00\x00\x0b\x49\x44\x41\x54\x78\x9c\x63\x60\x00\x02\x00"
    "\x00\x05\x00\x01\x7a\x5e\xab\x3f\x00\x00\x00\x00\x49\x45\x4e\x44"
    "\xae\x42\x60\x82";
/* The start of a JFIF JPEG. */
static const char JPEG[] =
    "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
/* The start of an Exif JPEG, as cameras write it. */
static const char JPEG_EXIF[] = "\xff\xd8\xff\xe1\x00\x18" "Exif\x00\x00";
/* A whole 1x1 GIF. */
static const char GIF[] =
    "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
    "\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02" "D"
    "\x01\x00;";
/* A whole 1x1 lossless WebP: RIFF size 26, so 34 bytes. */
static const char WEBP[] =
    "RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10"
    "\x07\x10\x11\x11\x88\x88\xfe\x07\x00";
/* The ftyp box of an AVIF still image, then the start of the next. */
static const char AVIF[] =
    "\x00\x00\x00\x1c" "ftyp" "avif" "\x00\x00\x00\x00" "avif" "mif1"
    "miaf" "\x00\x00\x00\x20" "meta";
/* A HEIC image: the same container, other brands. */
static const char HEIC[] =
    "\x00\x00\x00\x18" "ftyp" "heic" "\x00\x00\x00\x00" "mif1" "heic"
    "\x00\x00\x00\x20" "meta";
/* AVIF as a compatible brand of a mif1 file. */
static const char AVIF_COMPAT[] =
    "\x00\x00\x00\x18" "ftyp" "mif1" "\x00\x00\x00\x00" "mif1" "avif"
    "\x00\x00\x00\x20" "meta";
/* "avif" where the minor version goes is not a brand. */
static const char AVIF_MINOR[] =
    "\x00\x00\x00\x14" "ftyp" "mif1" "avif" "mif1" "\x00\x00\x00\x20";

#define S(a)	(a), sizeof(a) - 1

static void
sniff(void)
{
	char	 buf[128], zeros[64];

	is_string("image/png", media_sniff(S(PNG)), "a PNG");
	is_string("image/jpeg", media_sniff(S(JPEG)), "a JFIF JPEG");
	is_string("image/jpeg", media_sniff(S(JPEG_EXIF)), "an Exif JPEG");
	is_string("image/gif", media_sniff(S(GIF)), "a GIF89a");
	memcpy(buf, GIF, sizeof(GIF));
	memcpy(buf, "GIF87a", 6);
	is_string("image/gif", media_sniff(buf, sizeof(GIF) - 1), "a GIF87a");
	is_string("image/webp", media_sniff(S(WEBP)), "a WebP");
	is_string("image/avif", media_sniff(S(AVIF)), "an AVIF");
	is_string("image/avif", media_sniff(S(AVIF_COMPAT)),
	    "an AVIF named as a compatible brand");

	/* Cut short. */
	ok(media_sniff(PNG, 32) == NULL, "a PNG cut inside IHDR");
	ok(media_sniff(PNG, 8) == NULL, "the PNG signature alone");
	ok(media_sniff(JPEG, 3) == NULL, "FF D8 FF alone");
	ok(media_sniff(GIF, 12) == NULL, "a GIF cut inside its screen "
	    "descriptor");
	ok(media_sniff(S("GIF89")) == NULL, "GIF89");
	ok(media_sniff(WEBP, sizeof(WEBP) - 2) == NULL, "a WebP shorter than "
	    "its RIFF size");
	ok(media_sniff(AVIF, 20) == NULL, "an AVIF cut inside ftyp");

	/* Not images, or not ones we take. */
	ok(media_sniff(S("<svg xmlns=\"http://www.w3.org/2000/svg\">"
	    "<script>alert(1)</script></svg>")) == NULL, "SVG");
	ok(media_sniff(S("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3."
	    "org/2000/svg\" onload=\"alert(1)\"/>")) == NULL, "SVG with an "
	    "XML declaration");
	ok(media_sniff(S("<!DOCTYPE html><html><script>alert(1)</script>"))
	    == NULL, "HTML");
	ok(media_sniff(S("<html><body><img src=x onerror=alert(1)>")) == NULL,
	    "HTML without a doctype");
	ok(media_sniff(S("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")) == NULL, "a PDF");
	ok(media_sniff(S(HEIC)) == NULL, "a HEIC");
	ok(media_sniff(S(AVIF_MINOR)) == NULL, "\"avif\" as the minor version "
	    "only");
	ok(media_sniff(S("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01"
	    "\x00\x01\x00")) == NULL, "a RIFF WAVE");
	ok(media_sniff(S("RIFF\x0c\x00\x00\x00WEBPJUNK\x00\x00\x00\x00"))
	    == NULL, "a RIFF WEBP without an image chunk");
	ok(media_sniff(S("\xff\xd8\xff\xff\x00\x00\x00")) == NULL,
	    "FF D8 FF FF is no marker");
	ok(media_sniff(S("\x00\x00\x01\x00" "ftypavif\x00\x00\x00\x00"
	    "avif")) == NULL, "an ftyp box larger than the file");

	/* Magic bytes that are not at the very start. */
	memcpy(buf, " ", 1);
	memcpy(buf + 1, PNG, sizeof(PNG) - 1);
	ok(media_sniff(buf, sizeof(PNG)) == NULL, "a space before a PNG");
	memcpy(buf, "\xef\xbb\xbf", 3);
	memcpy(buf + 3, GIF, sizeof(GIF) - 1);
	ok(media_sniff(buf, sizeof(GIF) + 2) == NULL, "a BOM before a GIF");
	ok(media_sniff(S("<!-- \x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR -->"
	    "<script>alert(1)</script>")) == NULL, "a PNG header inside HTML");

	/* Nothing. */
	memset(zeros, 0, sizeof(zeros));
	ok(media_sniff(zeros, sizeof(zeros)) == NULL, "64 zero bytes");
	ok(media_sniff(PNG, 0) == NULL, "zero bytes");
	ok(media_sniff(NULL, 0) == NULL, "NULL");

	/*
	 * A GIF header followed by script is a GIF as far as its magic
	 * says (the GIFAR/polyglot trick).  It is accepted, and harmless:
	 * it is only ever served as image/gif with nosniff, which no
	 * browser runs.  This pins that the decision is the header's.
	 */
	is_string("image/gif", media_sniff(S("GIF89a/*\x01\x00\x80\x00\x00*/"
	    "=alert(1);")), "a GIF/JS polyglot is a GIF (served as one)");
}

static void
names(void)
{
	char	 n200[202];
	static const char *const good[] = { "a.png", "A", "0", "a_b-c.1.png",
	    "photo.JPEG", "x..png" };
	static const char *const bad[] = { "", ".htaccess", "-a.png", "_a.png",
	    "a b.png", "a/b.png", "../x.png", "a%2e.png", "<script>.png",
	    "\xc3\xa9.png", "a\n.png", "a\\b.png", "a:b.png", "a+b.png" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(media_name_problem(good[i]) == NULL, "name '%s' is fine",
		    good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(media_name_problem(bad[i]) != NULL, "name '%s' is refused",
		    bad[i]);
	memset(n200, 'a', 200);
	n200[200] = '\0';
	ok(media_name_problem(n200) == NULL, "200 characters: fine");
	n200[200] = 'a';
	n200[201] = '\0';
	is_string("a media name has at most 200 characters",
	    media_name_problem(n200), "201: refused, and says why");
	is_string("a media name starts with a letter or a digit",
	    media_name_problem(".png"), "a dot first: says why");
}

static void
extensions(void)
{
	ok(media_ext_problem("a.png", "image/png") == NULL, "a.png: PNG");
	ok(media_ext_problem("a.PNG", "image/png") == NULL, "case is ignored");
	ok(media_ext_problem("a.jpg", "image/jpeg") == NULL, "a.jpg: JPEG");
	ok(media_ext_problem("a.jpeg", "image/jpeg") == NULL, "a.jpeg: JPEG");
	ok(media_ext_problem("a.gif", "image/gif") == NULL, "a.gif: GIF");
	ok(media_ext_problem("a.webp", "image/webp") == NULL, "a.webp: WebP");
	ok(media_ext_problem("a.avif", "image/avif") == NULL, "a.avif: AVIF");
	is_string("the file is a PNG image: its name must end in .png",
	    media_ext_problem("a.jpg", "image/png"), "a PNG named .jpg: "
	    "refused, and says why");
	ok(media_ext_problem("a.png", "image/jpeg") != NULL, "a JPEG named "
	    ".png: refused");
	ok(media_ext_problem("a", "image/png") != NULL, "no extension");
	ok(media_ext_problem("a.", "image/png") != NULL, "an empty extension");
	ok(media_ext_problem("apng", "image/png") != NULL, "png without a dot");
	ok(media_ext_problem("a.png.html", "image/png") != NULL,
	    "only the last extension counts");
	ok(media_ext_problem("a.svg", "image/svg+xml") != NULL,
	    "a type media_sniff never gives");
	ok(media_ext_problem("a.png", NULL) != NULL, "no type");
}

int
main(void)
{
	plan_lazy();
	sniff();
	names();
	extensions();
	return done_testing();
}
