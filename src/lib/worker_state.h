/* SPDX-License-Identifier: MIT */
/*
 * worker_state.h: a worker process's long-lived state, as every layer
 * that serves a request reaches it through r->w.  Here, below them all,
 * so that a view, a session or a handler need not include the worker
 * loop (serve/worker.h) to read it: the members are pointers to types
 * each layer declares itself.
 */
#ifndef INKWELL_WORKER_STATE_H
#define INKWELL_WORKER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/i18n.h"

struct arena;
struct cache;
struct conf;
struct db;
struct i18n;
struct json_object;
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
	struct tmpl_set	*admin;		/* the admin pages' (admin_tmpl.h) */
	struct i18n	*i18n;		/* the theme's languages (i18n.h) */
	/*
	 * view.t of each language of i18n, by its index there (view.c):
	 * made on first use and shared, read-only, by every view after.
	 */
	struct json_object *strings[I18N_LANGS_MAX];
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

#endif
