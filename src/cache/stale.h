/* SPDX-License-Identifier: MIT */
/*
 * stale.h: the last complete rendering of every public page, served
 * while PostgreSQL cannot be reached.
 *
 * inkwelld's renderer (serve/render.c) renders every page a reader can
 * reach (every live post, every listing page 1..N of the home page, of
 * each tag, author and month, the archive, every feed and the sitemap)
 * into a new generation once changes have settled, and publishes it by
 * renaming the symlink DIR/current over the old one; nothing in a
 * published generation ever changes.  A worker whose handler fails
 * because the database is unavailable answers from it instead of with
 * a 503 (cache/pagecache.c).  Files are named as page files are
 * (pages_path()), so a request finds the rendering of exactly its path
 * and query.  A file whose bytes equal the previous generation's is a
 * hard link to it, so an unchanged site costs its size once on disk.
 */
#ifndef INKWELL_STALE_H
#define INKWELL_STALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* Largest single page kept or served (bytes). */
#define STALE_MAX_PAGE	(16 * 1024 * 1024)

/* What a generation was rendered from, and what it holds. */
struct stale_stamp {
	int64_t		 version;	/* content version at the start */
	int64_t		 live;		/* newest live post's time (epoch s) */
	char		 theme[17];	/* cache_theme_id() of the renderer */
	uint64_t	 pages;
	uint64_t	 bytes;		/* the pages' sizes added up */
	double		 seconds;	/* how long it took to render */
	int64_t		 made;		/* when it was published (epoch s) */
};

/* A generation being written; stale_begin() to stale_commit/_abort. */
struct stale_gen;

/* Reads DIR/current's stamp.  0, or -1 when none is published. */
int	 stale_current(const char *dir, struct stale_stamp *out);

/*
 * Starts a new generation in DIR (created when missing; leftovers of an
 * interrupted rendering are removed first) that may hold at most
 * max_bytes of pages.  NULL with errno on failure.
 */
struct stale_gen *stale_begin(const char *dir, uint64_t max_bytes);

/*
 * Adds one page.  0 when written, 1 when the page is not one a file can
 * stand for (pages_path()) and was skipped, -1 with errno (EFBIG: over
 * the generation's bound) when it could not be written: the generation
 * is then incomplete and must be abandoned.
 */
int	 stale_put(struct stale_gen *, const char *path, const char *query,
	    const char *ctype, const char *body, size_t n);

/* Pages and bytes put so far. */
void	 stale_count(const struct stale_gen *, uint64_t *pages,
	    uint64_t *bytes);

/*
 * Publishes the generation with stamp (pages and bytes are filled in):
 * DIR/current then names it, and older generations are removed.  The
 * generation is freed either way.  0, or -1 with errno.
 */
int	 stale_commit(struct stale_gen *, struct stale_stamp *stamp);

/* Removes an unfinished generation and frees it. */
void	 stale_abort(struct stale_gen *);

/*
 * Removes the published rendering and every generation in DIR: after a
 * restore to an earlier time it shows pages that no longer exist.  The
 * renderer makes a new one.  0, or -1 with errno (DIR/current could not
 * be removed).
 */
int	 stale_drop(const char *dir);

/*
 * Looks up the published rendering of path?query.  0 with *ctype, *body
 * and *n (allocated in a) when there is one, -1 when not.
 */
int	 stale_get(const char *dir, const char *path, const char *query,
	    struct arena *a, const char **ctype, const char **body, size_t *n);

#endif
