/* SPDX-License-Identifier: MIT */
/* fuzz-snippet.c: libFuzzer target for search snippets (content/snippet.c). */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "content/snippet.h"
#include "fuzz.h"

/* Whether s is well-formed UTF-8 with every U+E000 closed by a U+E001
 * before the next, and no other character of U+E000..U+E002. */
static bool
well_formed(const unsigned char *s)
{
	bool	 open = false;

	while (*s != '\0') {
		size_t	 k;

		if (s[0] < 0x80)
			k = 1;
		else if (s[0] >= 0xc2 && s[0] <= 0xdf)
			k = 2;
		else if (s[0] >= 0xe0 && s[0] <= 0xef)
			k = 3;
		else if (s[0] >= 0xf0 && s[0] <= 0xf4)
			k = 4;
		else
			return false;
		for (size_t i = 1; i < k; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		if (k == 3 && s[0] == 0xee && s[1] == 0x80) {
			if (s[2] == 0x80) {
				if (open)
					return false;
				open = true;
			} else if (s[2] == 0x81) {
				if (!open)
					return false;
				open = false;
			} else if (s[2] == 0x82)
				return false;
		}
		s += k;
	}
	return !open;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	*a = arena_new(4096);
	char		*s = malloc(size + 1);
	const char	*out;

	memcpy(s, data, size);
	s[size] = '\0';
	out = snippet_make(a, s);
	CHECK(out != NULL);
	/* Each of at most SNIPPET_PASSAGES fragments reads at most
	 * SNIPPET_FRAGMENT_MAX bytes and one word past it, each byte
	 * written at most as U+FFFD or in marks, plus " … " and "…". */
	CHECK(strlen(out) <= SNIPPET_PASSAGES *
	    ((SNIPPET_FRAGMENT_MAX + SNIPPET_WORD_MAX) * 9 + 12));
	CHECK(well_formed((const unsigned char *)out));
	free(s);
	arena_free(a);
	return 0;
}
