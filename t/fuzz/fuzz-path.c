/* SPDX-License-Identifier: MIT */
/*
 * fuzz-path.c: libFuzzer target for the URL path decoder.
 *
 * An accepted path must be valid UTF-8 without NULs and with exactly as many
 * '/' as the input spelled literally; re-encoding it and decoding again must
 * give it back; and an input with no '%' that is already clean UTF-8 must
 * come back unchanged.
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

static size_t
count(const char *s, size_t n, char c)
{
	size_t	 i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* Percent-encodes every byte except '/' and [a-z]. */
static char *
encode(const char *s, size_t n, size_t *len)
{
	static const char hex[] = "0123456789abcdef";
	char	*d = arena_alloc(a, 3 * n + 1);
	size_t	 i, j = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || (c >= 'a' && c <= 'z'))
			d[j++] = (char)c;
		else {
			d[j++] = '%';
			d[j++] = hex[c >> 4];
			d[j++] = hex[c & 0xf];
		}
	}
	*len = j;
	return d;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	char		*out, *enc, *out2;
	size_t		 outlen, enclen, outlen2;
	bool		 clean;

	if (a == NULL)
		a = arena_new(65536);

	clean = memchr(s, '%', size) == NULL && memchr(s, '\0', size) ==
	    NULL && util_utf8_valid(s, size);
	if (!input_decode_path(a, s, size, &out, &outlen)) {
		CHECK(out == NULL && outlen == 0);
		CHECK(!clean);
		goto out;
	}
	CHECK(out != NULL);
	CHECK(outlen <= size);
	CHECK(out[outlen] == '\0');
	CHECK(strlen(out) == outlen);
	CHECK(util_utf8_valid(out, outlen));
	CHECK(count(out, outlen, '/') == count(s, size, '/'));
	if (clean)
		CHECK(outlen == size && memcmp(out, s, size) == 0);

	enc = encode(out, outlen, &enclen);
	CHECK(input_decode_path(a, enc, enclen, &out2, &outlen2));
	CHECK(outlen2 == outlen && memcmp(out2, out, outlen) == 0);
out:
	arena_reset(a);
	return 0;
}
