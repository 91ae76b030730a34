/* SPDX-License-Identifier: MIT */
/* worker.h: one FastCGI worker process and its long-lived state. */
#ifndef INKWELL_WORKER_H
#define INKWELL_WORKER_H

#include <stdbool.h>
#include <stdint.h>

struct arena;
struct cache;
struct conf;
struct db;
struct tmpl_set;

/*
 * Owned by the worker process for its whole life: made before the accept
 * loop, freed on exit.  Nothing from a request arena may be stored here.
 */
struct worker {
	const struct conf *conf;
	struct db	*db;
	struct cache	*cache;		/* page cache; off when no [redis] address */
	struct tmpl_set	*tmpl;		/* compiled theme, from [paths] templates */
	struct tmpl_set	*admin;		/* the admin pages' (admin.h) */
	char		 theme[17];	/* cache_theme_id(): in every cache key */
	struct arena	*arena;		/* reset for every request */
	int		 listen_fd;
	uint64_t	 nreq;
	/*
	 * posts_per_page as the last listing read it (0: none yet).  Only
	 * a guess, so that a listing can ask for its posts together with
	 * the settings (h_blog.c): every request reads the setting again
	 * and asks once more when the guess was wrong.
	 */
	int		 per_page_guess;
	/* The comment forms' key (h_comment.c), read once from the site. */
	unsigned char	 form_key[32];
	bool		 form_key_ok;
};

/*
 * Runs a worker on listen_fd until SIGTERM (finishing the request in
 * flight first).  Writes one byte to ready_fd (then closes it) once it
 * can serve, so the supervisor can replace workers without a gap.
 * Returns the process exit status.
 */
int	 worker_main(const struct conf *, int listen_fd, int ready_fd);

/* The keeper process (keeper.c): runs until SIGTERM; the exit status. */
int	 keeper_main(const struct conf *);

#endif
