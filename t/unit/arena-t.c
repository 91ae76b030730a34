/* SPDX-License-Identifier: MIT */
/* arena-t.c: the per-request arena: alignment, big blocks, cleanups, reset. */
#include "config.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/arena.h"
#include "tap.h"

static int order[8], norder;

static void
record(void *p)
{
	order[norder++] = *(int *)p;
}

int
main(void)
{
	struct arena	*a = arena_new(4096);
	static int	 ids[3] = { 1, 2, 3 };
	char		*s, *big;
	bool		 aligned = true;

	plan_lazy();
	for (int i = 1; i < 200; i++) {
		void *p = arena_alloc(a, (size_t)i);

		if ((uintptr_t)p % alignof(max_align_t) != 0)
			aligned = false;
		memset(p, 0xab, (size_t)i);
	}
	ok(aligned, "every allocation is aligned for any type");
	ok(arena_used(a) >= 199 * 200 / 2, "used counts what was handed out");

	s = arena_strdup(a, "hello");
	is_string("hello", s, "strdup copies");
	s = arena_strndup(a, "hello world", 5);
	is_string("hello", s, "strndup stops at n and terminates");
	s = arena_printf(a, "%s-%d", "x", 42);
	is_string("x-42", s, "printf formats");

	big = arena_alloc(a, 1 << 20);
	memset(big, 'z', 1 << 20);
	ok(big[(1 << 20) - 1] == 'z', "a block bigger than a chunk is usable");
	s = arena_alloc(a, 16);
	memset(s, 1, 16);
	ok(big[0] == 'z', "later small allocations do not overlap the big one");

	char *z = arena_zalloc(a, 64);
	bool zero = true;
	for (int i = 0; i < 64; i++)
		zero = zero && z[i] == 0;
	ok(zero, "zalloc zeroes");
	int *arr = arena_array(a, 10, sizeof(int));
	ok(arr[9] == 0, "array is zeroed");

	arena_defer(a, record, &ids[0]);
	arena_defer(a, record, &ids[1]);
	arena_defer(a, record, &ids[2]);
	arena_reset(a);
	is_int(3, norder, "reset runs every cleanup");
	ok(order[0] == 3 && order[1] == 2 && order[2] == 1,
	    "cleanups run newest first");
	is_int(0, (int64_t)arena_used(a), "reset forgets allocations");

	norder = 0;
	arena_reset(a);
	is_int(0, norder, "cleanups run once only");

	for (int round = 0; round < 100; round++) {
		for (int i = 0; i < 50; i++)
			arena_alloc(a, 1000);
		arena_reset(a);
	}
	ok(true, "100 reset rounds of 50 KB each (leaks show under ASan)");

	arena_defer(a, record, &ids[0]);
	arena_free(a);
	is_int(1, norder, "free runs pending cleanups");
	return done_testing();
}
