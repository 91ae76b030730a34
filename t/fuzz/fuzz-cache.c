/* SPDX-License-Identifier: MIT */
/*
 * fuzz-cache.c: libFuzzer target for the page cache's entry decoder.
 * Redis is outside the worker: whatever it hands back must either be
 * refused or decode to header values that cannot split a response.
 *
 * Checks that a decoded entry's header values hold no control bytes and
 * respect the length limit, that the body is a suffix of the input, and
 * that encoding the decoded entry and decoding that again gives the same.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "cache/cache.h"
#include "fuzz/fuzz.h"

static struct arena *a;

static void
field(const char *s)
{
	size_t	 n = strlen(s);

	CHECK(n <= CACHE_MAX_FIELD);
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cache_entry e, f;
	const char	*s = (const char *)data;
	char		*p;
	size_t		 n;

	if (a == NULL)
		a = arena_new(65536);
	if (cache_decode(a, s, size, &e) == 0) {
		field(e.ctype);
		field(e.cache_control);
		field(e.etag);
		CHECK(e.ctype[0] != '\0' && e.cache_control[0] != '\0');
		CHECK(e.last_modified >= 0);
		CHECK(e.bodylen <= size);
		CHECK(memcmp(e.body, s + size - e.bodylen, e.bodylen) == 0);
		p = cache_encode(a, &e, &n);
		CHECK(cache_decode(a, p, n, &f) == 0);
		CHECK(f.version == e.version && f.created == e.created &&
		    f.last_modified == e.last_modified);
		CHECK(strcmp(f.ctype, e.ctype) == 0 &&
		    strcmp(f.cache_control, e.cache_control) == 0 &&
		    strcmp(f.etag, e.etag) == 0);
		CHECK(f.bodylen == e.bodylen &&
		    memcmp(f.body, e.body, e.bodylen) == 0);
	}
	arena_reset(a);
	return 0;
}
