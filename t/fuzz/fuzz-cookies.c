/* SPDX-License-Identifier: MIT */
/*
 * fuzz-cookies.c: libFuzzer target for the Cookie header parser.
 *
 * Checks that every pair has a token name, that names and values are
 * NUL-terminated copies of bytes found in the header, and that the pair
 * limit is honoured.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "http/input.h"
#include "lib/util.h"
#include "fuzz/fuzz.h"

static struct arena *a;

/* RFC 2616 token characters, spelled out rather than derived. */
static bool
tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* True when needle[0..nn) occurs in hay[0..hn). */
static bool
contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
	size_t	 i;

	if (nn == 0)
		return true;
	for (i = 0; i + nn <= hn; i++)
		if (memcmp(hay + i, needle, nn) == 0)
			return true;
	return false;
}

static void
check(const char *s, size_t size, size_t maxpairs)
{
	struct kv	*kv;
	size_t		 i, j, n, semis = 0;
	enum input_err	 rc;

	rc = input_parse_cookies(a, s, size, maxpairs, &kv, &n);
	CHECK(rc == INPUT_OK || rc == INPUT_TOOMANY);
	if (rc != INPUT_OK) {
		CHECK(kv == NULL && n == 0);
		return;
	}
	CHECK(n <= maxpairs);
	CHECK((n == 0) == (kv == NULL));
	for (i = 0; i < size; i++)
		semis += s[i] == ';';
	CHECK(n <= semis + 1);
	for (i = 0; i < n; i++) {
		CHECK(kv[i].keylen >= 1);
		for (j = 0; j < kv[i].keylen; j++)
			CHECK(tchar((unsigned char)kv[i].key[j]));
		CHECK(kv[i].key[kv[i].keylen] == '\0');
		CHECK(kv[i].val[kv[i].vallen] == '\0');
		CHECK(memchr(kv[i].val, ';', kv[i].vallen) == NULL);
		/* Small inputs only: the search is quadratic. */
		if (size <= 4096) {
			CHECK(contains(s, size, kv[i].key, kv[i].keylen));
			CHECK(contains(s, size, kv[i].val, kv[i].vallen));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (a == NULL)
		a = arena_new(65536);
	check((const char *)data, size, INPUT_MAX_COOKIES);
	check((const char *)data, size, size % 4);
	arena_reset(a);
	return 0;
}
