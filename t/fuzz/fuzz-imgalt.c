/* SPDX-License-Identifier: MIT */
/* fuzz-imgalt.c: libFuzzer target for the scan for pictures without alt. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content/imgalt.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	size_t		 all, head, tags = 0;

	/* Reads only the n bytes it is given (ASan sees the rest), and a
	 * picture is at least "<img" long: no more than that many. */
	all = imgalt_missing(s, size);
	for (size_t i = 0; i + 4 <= size; i++)
		if (s[i] == '<')
			tags++;
	CHECK(all <= tags);
	/* A prefix never holds more pictures than the whole, plus the one
	 * it cuts off. */
	head = imgalt_missing(s, size / 2);
	CHECK(head <= all + 1);
	return 0;
}
