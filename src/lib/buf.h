/* SPDX-License-Identifier: MIT */
/* buf.h: growable byte buffer whose memory lives in an arena. */
#ifndef INKWELL_BUF_H
#define INKWELL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/*
 * p is always NUL-terminated (not counted in n) so it can be handed to
 * functions that want a C string.  The bytes belong to the arena and die
 * with it.
 */
struct buf {
	struct arena	*a;
	char		*p;
	size_t		 n;
	size_t		 cap;
};

void	 buf_init(struct buf *, struct arena *, size_t cap);
void	 buf_put(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);

#endif
