/* SPDX-License-Identifier: MIT */
/*
 * fuzz-redirect.c: libFuzzer target for a redirect's checks and its
 * Location (redirect.c).
 *
 * The input, cut at its first NUL, is tried as a from and as a to.  A to
 * taken where only paths may be starts with one '/' (never "//"), and is
 * taken where URLs may be too; a from taken is a to taken; nothing taken
 * holds a byte below 0x21, DEL or a backslash, or is over the limit.  As
 * the rest of a request's path after a prefix, the Location made from
 * it holds no byte below 0x21, DEL, '"' or a backslash, and starts with
 * the target.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "content/redirect.h"
#include "fuzz/fuzz.h"

static struct arena *a;

static bool
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x21 || *s == 0x7f || *s == '\\')
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *path;
	const char	*loc, *why;
	bool		 from, to_path, to_url;

	if (a == NULL)
		a = arena_new(65536);
	s = arena_strndup(a, (const char *)data, size);
	from = redirect_from_ok(s, &why);
	to_path = redirect_to_ok(s, false, &why);
	to_url = redirect_to_ok(s, true, &why);
	if (to_path)
		CHECK(s[0] == '/' && s[1] != '/' && to_url);
	if (from)
		CHECK(to_path);
	if (from || to_url)
		CHECK(clean(s) && strlen(s) <= REDIRECT_PATH_MAX);
	if (to_url && !to_path)
		CHECK(strncasecmp(s, "http", 4) == 0);

	path = arena_printf(a, "/old/%s", s);
	loc = redirect_location(a, "/new/", path, 5, true, s);
	if (loc != NULL) {
		CHECK(strncmp(loc, "/new/", 5) == 0);
		CHECK(clean(loc) && strchr(loc, '"') == NULL);
	}
	arena_reset(a);
	return 0;
}
