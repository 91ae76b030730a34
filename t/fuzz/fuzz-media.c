/* SPDX-License-Identifier: MIT */
/*
 * fuzz-media.c: libFuzzer target for media_sniff and the media name
 * rules, which see every upload and every name a client sends.
 *
 * Checks that a sniffed type is one of the five, that it depends only
 * on the bytes (the same answer on a copy with anything appended), that
 * anything starting with '<' or whitespace is refused, and that a name
 * passes only with the schema's characters and a type's extension.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/media.h"
#include "fuzz/fuzz.h"

static const char *const types[] = { "image/png", "image/jpeg",
    "image/gif", "image/webp", "image/avif" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*t, *t2;
	char		*copy, *name;
	size_t		 i, n;
	bool		 known = false;

	t = media_sniff(data, size);
	if (t != NULL) {
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			known |= t == types[i] || strcmp(t, types[i]) == 0;
		CHECK(known);
		CHECK(size > 0 && data[0] != '<' && data[0] != ' ' &&
		    data[0] != '\t' && data[0] != '\n');
	}
	/* More bytes after a header never change what it is. */
	copy = malloc(size + 16);
	memcpy(copy, data, size);
	memset(copy + size, '<', 16);
	t2 = media_sniff(copy, size + 16);
	CHECK(t == NULL || (t2 != NULL && strcmp(t, t2) == 0));
	free(copy);

	/* The same bytes as a name. */
	n = size > 300 ? 300 : size;
	name = malloc(n + 1);
	memcpy(name, data, n);
	name[n] = '\0';
	if (media_name_problem(name) == NULL) {
		n = strlen(name);
		CHECK(n >= 1 && n <= MEDIA_NAME_MAX);
		CHECK(strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789._-") == n);
		CHECK(name[0] != '.' && name[0] != '_' && name[0] != '-');
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (media_ext_problem(name, types[i]) == NULL)
			CHECK(strrchr(name, '.') != NULL);
	free(name);
	return 0;
}
