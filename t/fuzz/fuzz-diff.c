/* SPDX-License-Identifier: MIT */
/* fuzz-diff.c: libFuzzer target for the line diff of two revisions. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "content/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	const char		*s = (const char *)data, *cut;
	size_t			 on, nn, ox = 0, ny = 0, added = 0, deleted = 0;
	struct diff		 d;

	if (a == NULL)
		a = arena_new(1 << 16);
	/* The old text, a 0xff byte, the new one; a small table so the
	 * whole-middle fallback is reached too. */
	cut = memchr(s, 0xff, size);
	on = cut != NULL ? (size_t)(cut - s) : size / 2;
	nn = size - on - (cut != NULL);
	diff_lines(a, s, on, s + size - nn, nn, size % 2 ? 64 : DIFF_CELLS_MAX,
	    &d);
	/* Invariants: lines come in order on each side, each points into
	 * its text, the counts add up. */
	for (size_t i = 0; i < d.n; i++) {
		const struct diff_line *l = &d.l[i];

		if (l->op != DIFF_ADD) {
			if (l->old_no != ++ox || l->p < s || l->p + l->n >
			    s + on)
				abort();
		}
		if (l->op == DIFF_ADD) {
			added++;
			if (l->p < s + size - nn || l->p + l->n > s + size)
				abort();
		}
		if (l->op != DIFF_DEL && l->new_no != ++ny)
			abort();
		if (l->op == DIFF_DEL)
			deleted++;
	}
	if (added != d.added || deleted != d.deleted)
		abort();
	arena_reset(a);
	return 0;
}
