/* SPDX-License-Identifier: MIT */
/*
 * cache.h: the page cache in Redis.  Whole responses (body and the
 * headers that go with a 200) are stored under a key made of the path and
 * the validated query, tagged with the content version they were made
 * from; a write bumps the version, which retires every page at once.
 */
#ifndef INKWELL_CACHE_H
#define INKWELL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

struct arena;
struct buf;
struct conf;
struct db;

/* A cached 200 response.  Strings are NUL-terminated. */
struct cache_entry {
	int64_t		 version;	/* content version it was made from */
	int64_t		 created;	/* epoch seconds it was made */
	int64_t		 last_modified;	/* epoch seconds, 0: none */
	const char	*ctype;
	const char	*cache_control;
	const char	*etag;		/* quoted, or "" */
	const char	*body;
	size_t		 bodylen;
};

enum cache_result {
	CACHE_HIT,
	CACHE_MISS,		/* cache_put() may store the page made now */
	CACHE_BYPASS,		/* Redis off, down or slow: serve, store nothing */
	CACHE__MAX
};

/* Bytes an entry may take; bigger pages are served but not cached. */
#define CACHE_MAX_ENTRY		(8u << 20)
/* Header lines of an entry: ctype, cache-control, etag. */
#define CACHE_MAX_FIELD		256

/*
 * Makes the worker's (or inkwellctl's) cache handle from [redis]; NULL
 * address turns caching off (every lookup is CACHE_BYPASS).  Connects
 * lazily.  Owned by the caller; cache_close() frees it.
 */
struct cache	*cache_open(const struct conf *);
void		 cache_close(struct cache *);

/*
 * Looks key up: one Redis round trip reads the content version, the WAL
 * position of the write that made it, the time the next scheduled post
 * goes live, and the page.  A page is served only when its version is
 * the current one and no scheduled post went live after it was made.
 * On CACHE_MISS the version is remembered for cache_put(), and db is told
 * not to read from a replica that has not replayed that write yet.  At
 * most once every [redis] sync_interval it also compares Redis's version
 * with PostgreSQL's and pushes the newer one (writes made around
 * inkwell, or whose push to Redis failed).  Any Redis failure opens the
 * breaker: no Redis for [redis] retry milliseconds, CACHE_BYPASS.  On
 * CACHE_HIT the body is appended to body (e->body then points into it)
 * and e's strings live in the arena; otherwise *e means nothing.
 */
enum cache_result cache_get(struct cache *, struct db *, struct arena *,
		    const char *key, struct buf *body, struct cache_entry *e);

/*
 * Render coalescing, after cache_get() said CACHE_MISS for key: takes
 * the render lock of key and the version the lookup saw, or, when
 * another worker holds it, waits for that worker's page: at most
 * [cache] render_wait_ms, polling Redis every millisecond or two.
 * CACHE_HIT: the page came; body and e as for a cache_get() hit (and
 * cache_put_file() takes it as one).  CACHE_MISS: render now (the lock
 * is held, or coalescing is off, or the wait timed out, or Redis failed:
 * the breaker as for cache_get()); then cache_put() a 200 as before, and
 * call cache_render_end() whatever the render gave.  Counts the render
 * and the wait in /metrics.
 */
enum cache_result cache_coalesce(struct cache *, struct arena *,
		    const char *key, struct buf *body, struct cache_entry *e);

/*
 * After the render cache_coalesce() asked for: releases the render lock
 * unless cache_put() did, so a page that ended in a 404, a redirect not
 * stored or an error hands the lock on to one waiter at once.  Safe to
 * call when nothing is held.
 */
void		 cache_render_end(struct cache *);

/*
 * Stores e under key with the version cache_get() saw (nothing unless
 * the last cache_get() was a CACHE_MISS), for [redis] ttl seconds, and
 * releases the render lock cache_coalesce() took, in the same round trip.
 */
void		 cache_put(struct cache *, struct arena *, const char *key,
		    const struct cache_entry *e);

/*
 * After a hit, or a miss cache_put() stored: writes body as the page
 * file file (pages_path()) into the generation that was current before
 * the lookup, unless it is there already.  True when the file is in
 * place; then *epoch is the time nginx will give as its Last-Modified
 * (and use in its ETag).  False when files are off, the lookup was not
 * a hit or a stored miss, or the write failed.
 */
bool		 cache_put_file(struct cache *, const char *file,
		    const char *body, size_t n, int64_t *epoch);

/* Are page files on ([paths] pages)? */
bool		 cache_pages_on(const struct cache *);

/*
 * One step of inkwelld's keeper process: compares the content version
 * (Redis's every 100 ms, PostgreSQL's every sync_interval, pushing it to
 * Redis) with the current page generation's, and publishes a new
 * generation when content changed, the database went back, or a
 * scheduled post went live since the generation was opened; removes old
 * generations.  Returns the seconds to sleep before the next step.
 */
double		 cache_keep(struct cache *, struct db *, struct arena *);

/*
 * Before a write that may change what readers see commits: reserves a
 * page generation for cache_invalidate() (pages_prepare), or retires
 * the current one when the pages directory has no room.  ST_OK (also
 * when files are off or their directory is not on this host), or
 * ST_UNAVAILABLE (logged) when neither is possible (a read-only
 * directory): the write must not commit, 503.  Follow with
 * cache_invalidate() after a commit, cache_write_abandon() without one.
 */
enum status	 cache_write_begin(struct cache *);

/* Drops what cache_write_begin() reserved: nothing was committed. */
void		 cache_write_abandon(struct cache *);

/*
 * After a committed write, before it is acknowledged: reads the content
 * version from the primary and pushes it to Redis, which retires every
 * cached page made before the write, then opens a new page generation
 * (when inkwelld has made the pages directory on this host): a fresh
 * one, or without room the one cache_write_begin() reserved, or else
 * none (nginx asks the workers).  ST_OK; ST_UNAVAILABLE when Redis or
 * the primary cannot be reached (logged; pages then age out within
 * sync_interval by the check in cache_get); ST_INTERNAL (logged) when
 * nginx may still serve page files older than the write (the directory
 * can neither take a generation nor lose one): the write must not be
 * acknowledged as done.  ST_OK when caching is off.
 */
enum status	 cache_invalidate(struct cache *, struct db *, struct arena *);

/*
 * Deletes every cached page (SCAN + UNLINK of the page keys) after
 * bumping the version, and every page file generation but a new empty
 * one.  For inkwellctl cache flush.  Returns the number of keys
 * removed, or -1 (logged).
 */
long long	 cache_flush(struct cache *, struct db *, struct arena *);

/*
 * What the pages a worker makes depend on besides the content: a digest
 * of every file under the templates directory (two levels) and of the
 * base URL, as 16 hex digits in out.  Cache keys carry it, so a reload
 * onto another theme never serves pages made with the old one.
 */
void		 cache_theme_id(const char *templates, const char *base_url,
		    char out[17]);

/* Is a lookup possible now (Redis configured and breaker closed)? */
bool		 cache_enabled(const struct cache *);

/*
 * Entry codec, exposed for tests and the fuzzer.  cache_encode appends
 * the stored form to a new arena string (*len its size).  cache_decode
 * parses one, with every field checked (digits, lengths, no CR/LF in
 * header values); pointers go into an arena copy.  0, or -1 when the
 * value is not a well-formed entry (then it is a miss).
 */
char		*cache_encode(struct arena *, const struct cache_entry *,
		    size_t *len);
int		 cache_decode(struct arena *, const char *p, size_t n,
		    struct cache_entry *e);

#endif
