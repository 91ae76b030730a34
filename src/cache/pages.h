/* SPDX-License-Identifier: MIT */
/*
 * pages.h: the page files nginx serves before it asks a worker.
 *
 * A cached page is also written as a plain file, so that a hit costs
 * nginx what a static file costs: no FastCGI, no Redis.  Files live in
 * generations: DIR/current is a symlink to the generation nginx serves
 * from, and a write that changes what readers see swaps it to a new,
 * empty generation (rename(2) of a symlink: atomic) before the write is
 * acknowledged, or, when the directory has no room for one, removes
 * DIR/current so that nginx asks the workers.  Nothing in a generation
 * is ever changed, so nothing can be half-new.  See nginx/inkwell.conf
 * for the nginx side and DESIGN.md.
 */
#ifndef INKWELL_PAGES_H
#define INKWELL_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest relative file name pages_path() makes. */
#define PAGES_MAX_PATH	512
/* Longest query string a file may stand for. */
#define PAGES_MAX_QUERY	128

/*
 * A generation: its directory name "<id>-<version>-<epoch>-<born>".  id
 * counts up on this host; version is the content version it was opened
 * for ("x": unknown, -1 here); epoch is the modification time its files
 * get, one second after the last generation's at least, so nginx's ETag
 * (mtime and size) never repeats across generations; born is when it was
 * opened, in epoch milliseconds.
 */
struct pages_gen {
	uint64_t	 id;
	int64_t		 version;
	int64_t		 epoch;
	int64_t		 born;
	char		 name[96];
};

/* Parses a generation's directory name; 0, or -1 when it is not one. */
int	pages_gen_parse(const char *name, struct pages_gen *);

/* Reads DIR/current.  0, or -1 (no generation yet, or unreadable). */
int	pages_current(const char *dir, struct pages_gen *);

/*
 * Opens a new, empty generation for content version (-1 unknown) and
 * points DIR/current at it, under an flock; its id and epoch are above
 * those of every generation in DIR, so no two ever share an epoch.
 * Creates DIR itself (not its parents) when missing.  0, or -1 (logged,
 * once a minute at most for the same cause).  Leaves DIR/current alone
 * on failure: writers and the keeper use pages_swap().
 */
int	pages_publish(const char *dir, int64_t version, struct pages_gen *out);

/*
 * A generation reserved before a write commits: its directory and the
 * link ".next-<name>" that pages_swap() renames over DIR/current when
 * there is no room for a fresher one.  Plain data, owned by the caller.
 */
struct pages_next {
	bool		 reserved;	/* g and link exist in DIR */
	bool		 retired;	/* no room: DIR/current removed */
	struct pages_gen g;
	char		 link[sizeof(((struct pages_gen *)0)->name) + 8];
};

/*
 * Before a write that changes what readers see commits: reserves a new
 * generation in n, so that after the commit only a rename is left to do.
 * Without room for one, removes DIR/current instead (nginx then asks the
 * workers, and they write no files until a generation is published).
 * 0 when the write may go ahead; -1 (logged) when neither can be done,
 * as on a read-only file system: the caller must not commit, since
 * nothing could stop nginx serving pages older than the change (503).
 * Pair with pages_swap() after the commit or pages_abandon() without one.
 */
int	pages_prepare(const char *dir, struct pages_next *n);

/* Drops n's reservation: the write did not commit. */
void	pages_abandon(const char *dir, struct pages_next *n);

/*
 * After a commit (n from pages_prepare, or NULL): publishes a new
 * generation for version; without room, puts n's reserved one in force;
 * failing that, removes DIR/current.  n is used up either way.  0 when
 * nginx can no longer serve anything older than the call; -1 (logged)
 * when it still may (DIR turned read-only since pages_prepare).
 */
int	pages_swap(const char *dir, int64_t version, struct pages_next *n);

/* The i-th content type a page file may have (0 first); NULL past the
 * last. */
const char	*pages_ctype(size_t i);

/*
 * The file a response stands in for, relative to a generation:
 * "<path>@<query>.<ext>", ext from the content type.  Only plain paths
 * (letters, digits, "-._~" and single slashes, no segment starting with
 * a dot, no trailing slash but "/"), plain queries ([A-Za-z0-9=&_.-],
 * at most PAGES_MAX_QUERY bytes) and the content types nginx's types
 * block knows qualify: anything else is never a file, so two requests
 * nginx tells apart never share one.  0, or -1 (not a file page).
 */
int	pages_path(const char *path, const char *query, const char *ctype,
	    char *out, size_t outsz);

/* Makes every directory of rel (not its last part) under dfd, as
 * pages_write() needs them; rel is restored after.  0, or -1 with errno. */
int	pages_make_parents(int dfd, char *rel);

/*
 * Writes body as rel in generation g (directories made as needed; the
 * file appears whole or not at all, and an existing one is kept).
 * 0 written, 1 already there, -1 failed (errno; a generation removed
 * under us is ENOENT, which is not worth a log line).
 */
int	pages_write(const char *dir, const struct pages_gen *g,
	    const char *rel, const char *body, size_t n);

/*
 * Removes every generation but the current one that is older than
 * min_age seconds (by its directory's change time).  The number removed,
 * or -1 when DIR cannot be read.
 */
int	pages_gc(const char *dir, double min_age);

/* Removes every generation but the current one, whatever its age. */
int	pages_clear(const char *dir);

#endif
