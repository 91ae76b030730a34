/* SPDX-License-Identifier: MIT */
/* buf-t.c: the growable buffer keeps content and NUL across growth. */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "tap.h"

int
main(void)
{
	struct arena	*a = arena_new(4096);
	struct buf	 b;
	bool		 same = true;

	plan_lazy();
	buf_init(&b, a, 1);
	is_int(0, (int64_t)b.n, "a new buffer is empty");
	is_string("", b.p, "and NUL-terminated");
	buf_puts(&b, "abc");
	buf_putc(&b, 'd');
	buf_put(&b, "e\0f", 3);
	is_int(7, (int64_t)b.n, "length counts embedded NUL");
	ok(memcmp(b.p, "abcde\0f", 7) == 0 && b.p[7] == '\0',
	    "bytes kept, terminator after");
	buf_reset(&b);
	is_int(0, (int64_t)b.n, "reset empties");
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, (char)('a' + i % 26));
	for (int i = 0; i < 100000; i++)
		same = same && b.p[i] == (char)('a' + i % 26);
	ok(same && b.n == 100000 && b.p[b.n] == '\0',
	    "100000 single bytes survive growth");
	buf_reset(&b);
	buf_printf(&b, "%d-%s", 7, "x");
	is_string("7-x", b.p, "printf appends");
	char big[5000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_printf(&b, "[%s]", big);
	is_int(3 + 2 + 4999, (int64_t)b.n, "printf longer than capacity grows");
	ok(b.p[b.n - 1] == ']' && b.p[b.n] == '\0', "and ends right");
	arena_free(a);
	return done_testing();
}
