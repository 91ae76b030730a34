/* SPDX-License-Identifier: MIT */
/* arena.h: per-request memory arena with a cleanup list. */
#ifndef INKWELL_ARENA_H
#define INKWELL_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/*
 * Makes an arena whose chunks are at least chunk bytes.  The caller owns
 * it and ends it with arena_free().  Aborts on OOM.
 */
struct arena	*arena_new(size_t chunk);

/* Runs the cleanups (newest first) and releases every chunk. */
void		 arena_free(struct arena *);

/*
 * Runs the cleanups and forgets every allocation, keeping the first chunk
 * for the next request.  Every pointer the arena handed out is dead after.
 */
void		 arena_reset(struct arena *);

/*
 * Returns n bytes aligned for any type, valid until the next reset or
 * free.  Aborts on OOM, never returns NULL.
 */
void		*arena_alloc(struct arena *, size_t n);
void		*arena_zalloc(struct arena *, size_t n);
void		*arena_array(struct arena *, size_t nmemb, size_t size);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_strdup(struct arena *, const char *);
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*arena_vprintf(struct arena *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/*
 * Registers fn(p) to run when the arena is reset or freed, in reverse
 * order of registration.  This is how foreign objects (PGresult,
 * redisReply, json_object) die with the request.
 */
void		 arena_defer(struct arena *, void (*fn)(void *), void *p);

/* Bytes handed out since the last reset (for metrics and tests). */
size_t		 arena_used(const struct arena *);

#endif
