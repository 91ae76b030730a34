/* SPDX-License-Identifier: MIT */
/*
 * redirect.c: what a redirect's from and to may be, and the Location a
 * matched one answers with.
 *
 * Both come from outside (an admin's form, the API), and to ends up in
 * a Location header a browser follows: the checks are by byte, with a
 * length cap first.  A path target must start with exactly one "/":
 * browsers take "//host" and "/\host" for another site.  Bytes at or
 * above 0x80 are allowed only as valid UTF-8 (a decoded request path is
 * UTF-8, and a from must be able to equal one).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/redirect.h"
#include "lib/util.h"

#define LOCATION_MAX	8000

/* Addresses inkwell answers itself, content or none: a redirect from
 * one would never be served, or would hide an operator's endpoint.  A
 * name here covers itself and everything below it ("/admin/..."). */
static const char *const reserved[] = {
	"/admin", "/api", "/static", "/media", "/healthz", "/livez",
	"/readyz", "/version", "/metrics", "/.well-known", "/.inkwell",
	"/favicon.ico", "/robots.txt", "/sitemap.xml", "/feed.atom",
	"/feed.rss", "/search", "/archive",
};

static bool
fail(const char **why, const char *s)
{
	if (why != NULL)
		*why = s;
	return false;
}

/* The characters both may hold: printable ASCII but space and '\',
 * and UTF-8. */
static bool
chars_ok(const char *s, size_t n, const char **why)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c == 0x7f)
			return fail(why, "must not hold spaces or control "
			    "characters");
		if (c == '\\')
			return fail(why, "must not hold a backslash");
	}
	if (!util_utf8_valid(s, n))
		return fail(why, "must be UTF-8");
	return true;
}

/* A "." or ".." segment anywhere in path[0..n). */
static bool
dot_segment(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t	 e;

		if (s[i] != '/')
			continue;
		for (e = i + 1; e < n && s[e] != '/' && s[e] != '?' &&
		    s[e] != '#'; e++)
			;
		if ((e - i == 2 && s[i + 1] == '.') ||
		    (e - i == 3 && s[i + 1] == '.' && s[i + 2] == '.'))
			return true;
	}
	return false;
}

bool
redirect_from_ok(const char *s, const char **why)
{
	size_t	 n;

	if (s == NULL || *s == '\0')
		return fail(why, "is required");
	if ((n = strnlen(s, REDIRECT_PATH_MAX + 1)) > REDIRECT_PATH_MAX)
		return fail(why, "must be at most 2000 bytes");
	if (s[0] != '/')
		return fail(why, "must be a path beginning with \"/\"");
	if (!chars_ok(s, n, why))
		return false;
	if (strpbrk(s, "?#") != NULL)
		return fail(why, "must be a path alone, with no '?' or '#'");
	/* Requests are matched decoded: "%C3%A9" would never match. */
	if (strchr(s, '%') != NULL)
		return fail(why, "must be written as readers see it, "
		    "decoded, with no '%' escapes");
	if (strstr(s, "//") != NULL || dot_segment(s, n))
		return fail(why, "must not hold \"//\", \".\" or \"..\" "
		    "segments");
	if (n == 1)
		return fail(why, "must not be \"/\", the home page");
	if (redirect_reserved(s))
		return fail(why, "is an address inkwell answers "
		    "itself (/admin, /api, /static, /media, the "
		    "feeds, the health checks ...)");
	return true;
}

bool
redirect_reserved(const char *path)
{
	for (size_t i = 0; i < NELEM(reserved); i++) {
		size_t	 k = strlen(reserved[i]);

		if (strncasecmp(path, reserved[i], k) == 0 &&
		    (path[k] == '\0' || path[k] == '/'))
			return true;
	}
	return false;
}

/* An absolute http(s) URL with a host of letters, digits, '.', '-', and
 * an optional port, then nothing or a '/', '?' or '#'. */
static bool
url_ok(const char *s)
{
	const char	*h;
	size_t		 hn;

	if (strncasecmp(s, "https://", 8) == 0)
		h = s + 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		h = s + 7;
	else
		return false;
	hn = strcspn(h, "/?#");
	if (hn == 0 || h[0] == '.' || h[0] == '-' || h[0] == ':')
		return false;
	for (size_t i = 0; i < hn; i++) {
		char c = h[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == ':'))
			return false;
	}
	return true;
}

bool
redirect_to_ok(const char *s, bool url, const char **why)
{
	size_t	 n;

	if (s == NULL || *s == '\0')
		return fail(why, "is required");
	if ((n = strnlen(s, REDIRECT_PATH_MAX + 1)) > REDIRECT_PATH_MAX)
		return fail(why, "must be at most 2000 bytes");
	if (!chars_ok(s, n, why))
		return false;
	if (s[0] == '/') {
		if (s[1] == '/')
			return fail(why, "must begin with a single \"/\" "
			    "(\"//\" leads to another site)");
		if (dot_segment(s, n))
			return fail(why, "must not hold \".\" or \"..\" "
			    "segments");
		return true;
	}
	if (!url)
		return fail(why, "must be a path on this site, beginning "
		    "with \"/\"");
	if (!url_ok(s))
		return fail(why, "must be a path beginning with \"/\" or a "
		    "full http:// or https:// URL with a host");
	return true;
}

/* The bytes a path may carry unencoded in a Location. */
static bool
plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '/';
}

const char *
redirect_location(struct arena *a, const char *to, const char *path,
    size_t plen, bool prefix, const char *query)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf	 b;
	bool		 keepq = to[0] == '/' && query != NULL &&
	    query[0] != '\0';

	buf_init(&b, a, 256);
	buf_puts(&b, to);
	if (prefix) {
		for (const char *p = path + plen; *p != '\0'; p++) {
			unsigned char c = (unsigned char)*p;

			if (b.n > LOCATION_MAX)
				return NULL;
			if (plain(c))
				buf_putc(&b, (char)c);
			else {
				buf_putc(&b, '%');
				buf_putc(&b, hex[c >> 4]);
				buf_putc(&b, hex[c & 15]);
			}
		}
	}
	/* Only a query as a client encodes one: printable ASCII, none of
	 * the characters RFC 3986 leaves out of a URI. */
	for (const char *p = query; keepq && *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e ||
		    strchr("\"<>\\^`{|}#", *p) != NULL)
			keepq = false;
	if (keepq) {
		buf_putc(&b, strchr(to, '?') != NULL ? '&' : '?');
		buf_puts(&b, query);
	}
	return b.n > LOCATION_MAX ? NULL : b.p;
}
