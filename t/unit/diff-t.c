/* SPDX-License-Identifier: MIT */
/*
 * diff-t.c: the line diff: small cases with known answers, and hostile
 * or huge texts (many lines, long lines, no newline, NUL and CR bytes,
 * two texts with nothing in common) within the bounds diff.h promises.
 * Every diff is checked to give back both texts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/diff.h"
#include "tap.h"

/* The side of d (old: not DIFF_ADD lines) joined with '\n'. */
static char *
side(struct arena *a, const struct diff *d, enum diff_op skip, size_t *n)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	for (size_t i = 0; i < d->n; i++) {
		if (d->l[i].op == skip)
			continue;
		buf_put(&b, d->l[i].p, d->l[i].n);
		buf_putc(&b, '\n');
	}
	*n = b.n;
	return b.p != NULL ? b.p : (char *)"";
}

/* Whether d gives back old and new (each read with a final '\n'). */
static bool
gives_back(struct arena *a, const struct diff *d, const char *old,
    size_t on, const char *new, size_t nn)
{
	size_t		 xn, yn;
	char		*x = side(a, d, DIFF_ADD, &xn);
	char		*y = side(a, d, DIFF_DEL, &yn);
	bool		 okx, oky;

	okx = on == 0 ? xn == 0 : (xn == on + (old[on - 1] != '\n') &&
	    memcmp(x, old, on) == 0);
	oky = nn == 0 ? yn == 0 : (yn == nn + (new[nn - 1] != '\n') &&
	    memcmp(y, new, nn) == 0);
	return okx && oky;
}

/* The ops of d as a string: ' ', '-', '+'. */
static const char *
ops(struct arena *a, const struct diff *d)
{
	char	*s = arena_alloc(a, d->n + 1);

	for (size_t i = 0; i < d->n; i++)
		s[i] = " -+"[d->l[i].op];
	s[d->n] = '\0';
	return s;
}

static void
known(struct arena *a, const char *old, const char *new, const char *want,
    const char *name)
{
	struct diff	 d;

	diff_lines(a, old, strlen(old), new, strlen(new), DIFF_CELLS_MAX, &d);
	is_string(want, ops(a, &d), "%s: the edit", name);
	ok(gives_back(a, &d, old, strlen(old), new, strlen(new)),
	    "%s: gives back both texts", name);
}

int
main(void)
{
	struct arena	*a = arena_new(1 << 16);
	struct diff	 d;
	struct buf	 x, y;

	plan_lazy();
	known(a, "", "", "", "two empty texts");
	known(a, "a\nb\n", "a\nb\n", "  ", "the same");
	known(a, "", "a\nb", "++", "all new");
	known(a, "a\nb\n", "", "--", "all gone");
	known(a, "a\nb\nc\n", "a\nx\nc\n", " -+ ", "one line changed");
	known(a, "a\nb\nc\nd\n", "a\nc\nd\ne\n", " -  +",
	    "one out, one in elsewhere");
	known(a, "x\na\ny\nb\nz\n", "a\nq\nb\n", "- -+ -",
	    "the middle by LCS");
	known(a, "a\nb", "a\nb\n", "  ", "a final newline is no change");
	known(a, "a\rb\n", "a\nb\n", "-++", "a lone CR is part of the line");
	diff_lines(a, "a\r\nb\r\n", 6, "a\nb\nc", 5, DIFF_CELLS_MAX, &d);
	is_string("  +", ops(a, &d), "CRLF and LF line ends are the same");
	ok(d.l[0].n == 1 && d.l[1].n == 1, "and the CR is not in the line");

	/* Line numbers. */
	diff_lines(a, "a\nb\nc\n", 6, "a\nc\nd\n", 6, DIFF_CELLS_MAX, &d);
	ok(d.n == 4 && d.l[1].op == DIFF_DEL && d.l[1].old_no == 2 &&
	    d.l[1].new_no == 0 && d.l[2].old_no == 3 && d.l[2].new_no == 2 &&
	    d.l[3].op == DIFF_ADD && d.l[3].new_no == 3 && d.l[3].old_no == 0,
	    "line numbers count from 1 on their side, 0 on the other");
	is_int(1, (int64_t)d.added, "one line added");
	is_int(1, (int64_t)d.deleted, "one line deleted");

	/* NUL bytes are bytes like others. */
	diff_lines(a, "a\0b\nc\n", 6, "a\0c\nc\n", 6, DIFF_CELLS_MAX, &d);
	is_string("-+ ", ops(a, &d), "a NUL inside a line is compared");

	/* Nothing in common and too big for the table: whole, still true. */
	buf_init(&x, a, 1 << 16);
	buf_init(&y, a, 1 << 16);
	for (int i = 0; i < 3000; i++) {
		buf_printf(&x, "old %d\n", i);
		buf_printf(&y, "new %d\n", i);
	}
	diff_lines(a, x.p, x.n, y.p, y.n, 1000, &d);
	ok(d.whole && d.deleted == 3000 && d.added == 3000,
	    "over the cell bound: every old line out, every new one in");
	ok(gives_back(a, &d, x.p, x.n, y.p, y.n),
	    "over the cell bound: gives back both texts");
	diff_lines(a, x.p, x.n, y.p, y.n, (size_t)-1, &d);
	ok(d.whole, "cells_max above DIFF_CELLS_MAX is held to it");

	/* Within the bound, the same pair is compared line by line. */
	diff_lines(a, x.p, 40, y.p, 40, DIFF_CELLS_MAX, &d);
	ok(!d.whole && gives_back(a, &d, x.p, 40, y.p, 40),
	    "small enough: compared, and gives back both texts");

	/* A long text with one change near the middle: the ends are
	 * matched without a table, so no bound is met. */
	buf_init(&x, a, 1 << 20);
	for (int i = 0; i < DIFF_LINES_MAX - 1; i++)
		buf_printf(&x, "line %d\n", i);
	{
		char	*z = arena_strndup(a, x.p, x.n);
		char	*m = strstr(z, "line 9999\n");

		m[0] = 'L';
		diff_lines(a, x.p, x.n, z, x.n, 4, &d);
		ok(!d.whole && d.added == 1 && d.deleted == 1 &&
		    d.n == DIFF_LINES_MAX, "one change in 19999 lines is found "
		    "with a 4-cell table");
		ok(gives_back(a, &d, x.p, x.n, z, x.n),
		    "and gives back both texts");
	}

	/* More lines than DIFF_LINES_MAX: the rest is not read. */
	buf_init(&x, a, 1 << 16);
	for (int i = 0; i < DIFF_LINES_MAX + 500; i++)
		buf_putc(&x, '\n');
	diff_lines(a, x.p, x.n, "", 0, DIFF_CELLS_MAX, &d);
	ok(d.cut && d.deleted == DIFF_LINES_MAX,
	    "more than DIFF_LINES_MAX lines: cut at the bound");

	/* One huge line without a newline. */
	{
		size_t	 n = 1 << 20;
		char	*s = arena_alloc(a, n);

		memset(s, '<', n);
		diff_lines(a, s, n, "<", 1, DIFF_CELLS_MAX, &d);
		ok(d.n == 2 && d.l[0].op == DIFF_DEL && d.l[0].n == n &&
		    d.l[1].op == DIFF_ADD, "one line of 1 MiB against one byte");
	}
	arena_free(a);
	done_testing();
	return 0;
}
