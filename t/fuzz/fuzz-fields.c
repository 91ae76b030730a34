/* SPDX-License-Identifier: MIT */
/*
 * fuzz-fields.c: libFuzzer target for the field checks of util.c that
 * stand between what a client types and PostgreSQL: UTF-8, form text,
 * slugs, usernames, timestamps and WAL positions.
 *
 * Each check is held to a second, plainer reading of its rule written
 * here: whatever a check takes must obey the rule, and for slugs,
 * usernames and UTF-8 the two readings must agree on every input.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "fuzz/fuzz.h"

static bool
lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ^[a-z0-9]+(-[a-z0-9]+)*$: runs of letters and digits between hyphens. */
static bool
slug_ref(const char *s, size_t n, size_t max)
{
	size_t	 run = 0;

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (lower_or_digit(s[i]))
			run++;
		else if (s[i] == '-' && run > 0)
			run = 0;
		else
			return false;
	}
	return run > 0;
}

/* ^[a-z0-9][a-z0-9_-]{0,39}$ */
static bool
username_ref(const char *s, size_t n)
{
	if (n < 1 || n > 40 || !lower_or_digit(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!lower_or_digit(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* UTF-8 by decoding: the shortest form of a scalar value, each time. */
static bool
utf8_ref(const unsigned char *s, size_t n)
{
	size_t	 i = 0, len;
	uint32_t cp, min;

	while (i < n) {
		unsigned char b = s[i];

		if (b < 0x80) {
			i++;
			continue;
		}
		if ((b & 0xe0) == 0xc0) {
			len = 2; cp = b & 0x1f; min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			len = 3; cp = b & 0x0f; min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			len = 4; cp = b & 0x07; min = 0x10000;
		} else
			return false;
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s = malloc(size + 1);
	size_t		 len;
	uint64_t	 lsn;

	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);

	CHECK(util_utf8_valid((const char *)data, size) ==
	    utf8_ref(data, size));
	CHECK(util_slug_ok((const char *)data, size, 200) ==
	    slug_ref((const char *)data, size, 200));
	CHECK(util_username_ok((const char *)data, size) ==
	    username_ref((const char *)data, size));

	if (util_text_ok(s, 0, SIZE_MAX, true)) {
		CHECK(utf8_ref((const unsigned char *)s, len));
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];

			CHECK((c >= 0x20 && c != 0x7f) || c == '\n' ||
			    c == '\r' || c == '\t');
		}
	}
	if (util_text_ok(s, 0, SIZE_MAX, false))
		CHECK(strpbrk(s, "\n\r\t") == NULL);

	if (util_iso8601_ok(s)) {
		CHECK(len >= 10 && len <= 40);
		CHECK(s[4] == '-' && s[7] == '-');
		CHECK(strspn(s, "0123456789-:T .Z+") == len);
	}

	if ((lsn = util_lsn_parse(s)) != 0) {
		const char *slash = strchr(s, '/');

		CHECK(slash != NULL && strchr(slash + 1, '/') == NULL);
		CHECK(slash - s >= 1 && slash - s <= 8);
		CHECK(len - (size_t)(slash - s) - 1 >= 1 &&
		    len - (size_t)(slash - s) - 1 <= 8);
		CHECK(strspn(s, "0123456789abcdefABCDEF/") == len);
	}
	free(s);
	return 0;
}
