/* SPDX-License-Identifier: MIT */
/* fuzz-route.c: libFuzzer target for path decoding plus route matching. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "http/input.h"
#include "http/req.h"
#include "serve/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const patterns[] = {
	"/", "/healthz", "/p/{slug}", "/t/{tag}/page/{n}",
	"/api/v1/posts/{slug}", "/{a}/{b}/{c}/{d}", "/{a}/{b}/{c}/{d}/{e}",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	const char	*caps[REQ_MAXCAPS];
	char		*path;
	size_t		 plen, n;

	if (a == NULL)
		a = arena_new(16384);
	arena_reset(a);
	if (!input_decode_path(a, (const char *)data, size, &path, &plen))
		return 0;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		if (!route_match(a, patterns[i], path, caps, &n))
			continue;
		if (n > REQ_MAXCAPS)
			abort();
		for (size_t j = 0; j < n; j++)
			if (caps[j][0] == '\0' || strchr(caps[j], '/') != NULL)
				abort();	/* captures are one non-empty segment */
	}
	return 0;
}
