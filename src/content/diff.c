/* SPDX-License-Identifier: MIT */
/*
 * diff.c: a bounded line diff for comparing revisions of a post.
 *
 * The texts are cut into at most DIFF_LINES_MAX lines each.  Lines both
 * texts share at the start and at the end are matched without a table;
 * what is left between (the changed middle) is matched by the classic
 * longest-common-subsequence table, filled from the end so the walk
 * forward can read its choices.  The table is the only cost that grows
 * with the product of the sizes, so it is refused above cells_max: then
 * the middle is shown as deleted and added whole, which is still a true
 * diff (applying it gives the new text), only not the shortest.  Lines
 * are compared by a hash first, then by their bytes; a line's end is
 * "\n" or "\r\n", and which one does not count as a change.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/arena.h"
#include "content/diff.h"

struct line {
	const char	*p;
	size_t		 n;
	uint32_t	 h;
};

/* FNV-1a: cheap, and only a first test before memcmp. */
static uint32_t
hash(const char *p, size_t n)
{
	uint32_t	 h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/* s[0..n) as at most DIFF_LINES_MAX lines in the arena; *cut when there
 * were more. */
static struct line *
split(struct arena *a, const char *s, size_t n, size_t *nl, bool *cut)
{
	struct line	*l;
	size_t		 count = 0, i = 0;

	for (size_t k = 0; k < n && count <= DIFF_LINES_MAX; k++)
		if (s[k] == '\n')
			count++;
	if (n > 0 && s[n - 1] != '\n')
		count++;
	if (count > DIFF_LINES_MAX) {
		count = DIFF_LINES_MAX;
		*cut = true;
	}
	l = arena_array(a, count + 1, sizeof(*l));
	for (size_t k = 0; k < n && i < count; ) {
		const char *e = memchr(s + k, '\n', n - k);
		size_t	 len = e != NULL ? (size_t)(e - (s + k)) : n - k;
		size_t	 end = len;

		/* A browser's form sends CRLF, the API may send LF: the
		 * same line either way. */
		if (e != NULL && len > 0 && s[k + len - 1] == '\r')
			len--;
		l[i].p = s + k;
		l[i].n = len;
		l[i].h = hash(s + k, len);
		i++;
		k += end + 1;
	}
	*nl = i;
	return l;
}

static bool
same(const struct line *x, const struct line *y)
{
	return x->h == y->h && x->n == y->n && memcmp(x->p, y->p, x->n) == 0;
}

static void
emit(struct diff *d, enum diff_op op, const struct line *l, size_t old_no,
    size_t new_no)
{
	struct diff_line *o = &d->l[d->n++];

	o->op = op;
	o->p = l->p;
	o->n = l->n;
	o->old_no = op == DIFF_ADD ? 0 : old_no;
	o->new_no = op == DIFF_DEL ? 0 : new_no;
	if (op == DIFF_ADD)
		d->added++;
	else if (op == DIFF_DEL)
		d->deleted++;
}

void
diff_lines(struct arena *a, const char *old, size_t on, const char *new,
    size_t nn, size_t cells_max, struct diff *d)
{
	struct line	*x, *y;
	size_t		 nx, ny, pre = 0, suf = 0, mx, my, i, j;
	uint16_t	*t = NULL;

	memset(d, 0, sizeof(*d));
	if (cells_max > DIFF_CELLS_MAX)
		cells_max = DIFF_CELLS_MAX;
	x = split(a, old, on, &nx, &d->cut);
	y = split(a, new, nn, &ny, &d->cut);
	d->l = arena_array(a, nx + ny + 1, sizeof(*d->l));
	while (pre < nx && pre < ny && same(&x[pre], &y[pre]))
		pre++;
	while (suf < nx - pre && suf < ny - pre &&
	    same(&x[nx - 1 - suf], &y[ny - 1 - suf]))
		suf++;
	mx = nx - pre - suf;
	my = ny - pre - suf;
	/* (mx + 1) * (my + 1) cells, without overflowing on the way; an
	 * LCS is at most DIFF_LINES_MAX long, so 16 bits hold it. */
	if (mx > 0 && my > 0 && mx + 1 <= cells_max / (my + 1))
		t = arena_array(a, (mx + 1) * (my + 1), sizeof(*t));
	else if (mx > 0 && my > 0)
		d->whole = true;
	if (t != NULL) {
		size_t	 w = my + 1;

		for (i = mx + 1; i-- > 0; )
			for (j = my + 1; j-- > 0; ) {
				uint16_t *c = &t[i * w + j];

				if (i == mx || j == my)
					*c = 0;
				else if (same(&x[pre + i], &y[pre + j]))
					*c = t[(i + 1) * w + j + 1] + 1;
				else
					*c = t[(i + 1) * w + j] >=
					    t[i * w + j + 1] ?
					    t[(i + 1) * w + j] :
					    t[i * w + j + 1];
			}
	}
	for (i = 0; i < pre; i++)
		emit(d, DIFF_SAME, &x[i], i + 1, i + 1);
	i = j = 0;
	while (i < mx || j < my) {
		if (t != NULL && i < mx && j < my &&
		    same(&x[pre + i], &y[pre + j])) {
			emit(d, DIFF_SAME, &x[pre + i], pre + i + 1,
			    pre + j + 1);
			i++;
			j++;
		} else if (i < mx && (j == my || t == NULL ||
		    t[(i + 1) * (my + 1) + j] >= t[i * (my + 1) + j + 1])) {
			emit(d, DIFF_DEL, &x[pre + i], pre + i + 1, 0);
			i++;
		} else {
			emit(d, DIFF_ADD, &y[pre + j], 0, pre + j + 1);
			j++;
		}
	}
	for (i = 0; i < suf; i++)
		emit(d, DIFF_SAME, &x[nx - suf + i], nx - suf + i + 1,
		    ny - suf + i + 1);
}
