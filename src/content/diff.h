/* SPDX-License-Identifier: MIT */
/*
 * diff.h: a line diff of two texts (two revisions of a post), bounded
 * in the lines it reads and the work it does, so a hostile or huge
 * text costs a request a known amount of memory and time.
 */
#ifndef INKWELL_DIFF_H
#define INKWELL_DIFF_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

#define DIFF_LINES_MAX	20000		/* lines read of each side */
#define DIFF_CELLS_MAX	(2u * 1024 * 1024)	/* LCS table cells */

enum diff_op {
	DIFF_SAME,
	DIFF_DEL,	/* only in the old text */
	DIFF_ADD,	/* only in the new text */
	DIFF__MAX
};

/* One line of the answer: p[0..n) (no '\n') points into the text it
 * came from; old_no and new_no count from 1, 0 for the side it is not
 * on. */
struct diff_line {
	enum diff_op	 op;
	const char	*p;
	size_t		 n;
	size_t		 old_no, new_no;
};

struct diff {
	struct diff_line *l;		/* in the arena */
	size_t		 n;
	size_t		 added, deleted;
	bool		 whole;		/* the changed middle was too big to
					 * compare: all of it old, then new */
	bool		 cut;		/* a side had more than
					 * DIFF_LINES_MAX lines; the rest
					 * were not read */
};

/*
 * The lines of old[0..on) and new[0..nn) as a shortest edit: the common
 * lines at both ends are matched first, then the changed middle by a
 * longest common subsequence when its table fits in cells_max cells
 * (at most DIFF_CELLS_MAX; 2 bytes each, in the arena), else as whole
 * (d->whole).  A final line without '\n' counts as a line; "" has
 * none.  A '\r' before '\n' is part of the line end, not of the line.  Always succeeds; *d and its lines live in the arena.
 */
void	 diff_lines(struct arena *, const char *old, size_t on,
	    const char *new, size_t nn, size_t cells_max, struct diff *d);

#endif
