/* SPDX-License-Identifier: MIT */
/* buf.c: growable byte buffer in an arena (doubling, old space abandoned). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/util.h"

void
buf_init(struct buf *b, struct arena *a, size_t cap)
{
	b->a = a;
	b->cap = cap < 64 ? 64 : cap;
	b->p = arena_alloc(a, b->cap);
	b->p[0] = '\0';
	b->n = 0;
}

static void
grow(struct buf *b, size_t more)
{
	size_t	 cap = b->cap;
	char	*p;

	if (more > SIZE_MAX / 2 - b->n)
		util_oom(more);
	while (cap - b->n <= more)
		cap *= 2;
	/*
	 * The old block stays in the arena until the request ends; doubling
	 * bounds that waste to the final size.
	 */
	p = arena_alloc(b->a, cap);
	memcpy(p, b->p, b->n + 1);
	b->p = p;
	b->cap = cap;
}

void
buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->n <= n)
		grow(b, n);
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	if (b->cap - b->n <= 1)
		grow(b, 1);
	b->p[b->n++] = c;
	b->p[b->n] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->n) {
		grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)n;
}

void
buf_reset(struct buf *b)
{
	b->n = 0;
	b->p[0] = '\0';
}
