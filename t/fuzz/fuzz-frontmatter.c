/* SPDX-License-Identifier: MIT */
/* fuzz-frontmatter.c: libFuzzer target for the front matter reader/writer. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/frontmatter.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
same(const char *x, const char *y)
{
	return x == NULL ? y == NULL : y != NULL && strcmp(x, y) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	struct fm		 fm, back;
	struct buf		 b;
	char			 err[256];

	if (a == NULL)
		a = arena_new(1 << 16);
	/* Invariants: an error is terminated and says where; whatever
	 * parses, written out, parses back to the very same values. */
	if (fm_parse(a, "fuzz", (const char *)data, size, &fm, err,
	    sizeof(err)) != 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strncmp(err, "fuzz:", 5) != 0)
			abort();
		arena_reset(a);
		return 0;
	}
	buf_init(&b, a, size + 64);
	fm_write(&b, &fm);
	if (fm_parse(a, "again", b.p, b.n, &back, err, sizeof(err)) != 0)
		abort();
	for (int k = 0; k < FM__MAX; k++)
		if (!same(fm.val[k], back.val[k]))
			abort();
	if (fm.has_tags != back.has_tags || fm.ntags != back.ntags ||
	    fm.body_len != back.body_len ||
	    memcmp(fm.body, back.body, fm.body_len) != 0)
		abort();
	for (size_t i = 0; i < fm.ntags; i++)
		if (!same(fm.tags[i].slug, back.tags[i].slug) ||
		    !same(fm.tags[i].name, back.tags[i].name))
			abort();
	arena_reset(a);
	return 0;
}
