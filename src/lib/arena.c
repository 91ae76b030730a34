/* SPDX-License-Identifier: MIT */
/*
 * arena.c: per-request bump allocator with a cleanup list.
 *
 * Memory comes from a list of chunks; an allocation larger than a quarter
 * of the chunk size gets a chunk of its own so one big value does not
 * waste the rest of the current chunk.  reset() keeps the first chunk, so
 * a worker serving small requests does no malloc at all in steady state.
 * Under AddressSanitizer the unused tail of a chunk is poisoned, so a
 * pointer kept past reset() is reported at its first use.
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"

#if defined(__SANITIZE_ADDRESS__)
#define IW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IW_ASAN 1
#endif
#endif
#ifdef IW_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define ALIGN	alignof(max_align_t)

struct chunk {
	struct chunk	*next;
	size_t		 size;		/* usable bytes in data[] */
	size_t		 used;
	alignas(max_align_t) unsigned char data[];
};

struct cleanup {
	struct cleanup	*next;
	void		(*fn)(void *);
	void		*p;
};

struct arena {
	struct chunk	*head;		/* current chunk; first one is last */
	struct cleanup	*cleanups;
	size_t		 chunk;
	size_t		 total;
};

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*c;

	if (size > SIZE_MAX - sizeof(*c))
		util_oom(size);
	c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	POISON(c->data, size);
	return c;
}

struct arena *
arena_new(size_t chunk)
{
	struct arena	*a = xcalloc(1, sizeof(*a));

	a->chunk = chunk < 1024 ? 1024 : chunk;
	a->head = chunk_new(a->chunk);
	return a;
}

static void
run_cleanups(struct arena *a)
{
	struct cleanup	*c;

	/* The list is newest first, which is the order to undo in. */
	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->p);
	}
}

void
arena_reset(struct arena *a)
{
	struct chunk	*c, *next;

	run_cleanups(a);
	for (c = a->head; c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = c;
	c->used = 0;
	POISON(c->data, c->size);
	a->total = 0;
}

void
arena_free(struct arena *a)
{
	struct chunk	*c, *next;

	if (a == NULL)
		return;
	run_cleanups(a);
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk	*c = a->head, *big;
	size_t		 need;
	void		*p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ALIGN)
		util_oom(n);
	need = (n + ALIGN - 1) & ~(ALIGN - 1);
	a->total += need;
	if (need > a->chunk / 4) {
		/* Own chunk, linked behind the current one. */
		big = chunk_new(need);
		big->used = need;
		big->next = c->next;
		c->next = big;
		UNPOISON(big->data, n);
		return big->data;
	}
	if (c->size - c->used < need) {
		c = chunk_new(a->chunk);
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	UNPOISON(p, n);
	return p;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	return memset(arena_alloc(a, n), 0, n);
}

void *
arena_array(struct arena *a, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		util_oom(SIZE_MAX);
	return arena_zalloc(a, nmemb * size);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;
	char	*p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		util_oom(0);
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct cleanup	*c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
