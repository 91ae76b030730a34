/* SPDX-License-Identifier: MIT */
/*
 * render.c: inkwelld's renderer, which keeps the last complete rendering
 * of every public page (cache/stale.h) so readers are served while
 * PostgreSQL is down.
 *
 * It watches the content version and the newest live post's time (a
 * scheduled post going live changes pages without a write).  Once they
 * have stayed the same for [paths] stale_settle seconds, and at least
 * stale_every seconds after the last rendering began, it renders every
 * page db_public_paths() names, and every listing page 2..N after them,
 * through the same route table and handlers the workers use (so the
 * bytes are the bytes a reader gets), into a new generation, and
 * publishes it.  A rendering the database fails under, or that would
 * pass stale_max_mb, is abandoned: the previous one stays in force.
 * The pages it renders never touch Redis or the page files.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/worker_state.h"
#include "http/req.h"
#include "tmpl/tmpl.h"
#include "db/db.h"
#include "cache/cache.h"
#include "cache/stale.h"
#include "serve/render.h"
#include "serve/route.h"
#include "view/view.h"

/* Listing pages beyond this many are not rendered (a bound, logged). */
#define MAX_LISTING_PAGES	100000

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

struct params {
	const char	*uri, *query;
};

static const char *
getparam(void *ctx, const char *name)
{
	const struct params *p = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "GET";
	if (strcmp(name, "REQUEST_URI") == 0)
		return p->uri;
	if (strcmp(name, "QUERY_STRING") == 0)
		return p->query;
	if (strcmp(name, "REMOTE_ADDR") == 0)
		return "127.0.0.1";
	if (strcmp(name, "REQUEST_ID") == 0)
		return "inkwell-render";
	return NULL;
}

static long
nobody(void *ctx, char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

static size_t
nolimit(const struct req *r)
{
	(void)r;
	return 0;
}

/*
 * Renders path?query as a GET from a reader would be answered and adds
 * it to g.  The HTTP status, or -1 when the page could not be added.
 */
static int
render_one(struct worker *w, struct stale_gen *g, const char *path,
    const char *query)
{
	struct req	 r;
	struct params	 p;
	int		 status;

	arena_reset(w->arena);
	memset(&r, 0, sizeof(r));
	r.a = w->arena;
	r.w = w;
	r.t0 = util_now();
	r.resp.status = 200;
	buf_init(&r.resp.body, r.a, 16384);
	p.query = query;
	p.uri = query[0] != '\0' ? arena_printf(r.a, "%s?%s", path, query) :
	    path;
	if (req_parse(&r, getparam, &p, NULL, nobody, NULL, nolimit) != ST_OK)
		return -1;
	route_dispatch(&r);
	status = r.resp.status;
	if (status != 200 || r.resp.ctype == NULL)
		return status;
	if (stale_put(g, path, query, r.resp.ctype, r.resp.body.p,
	    r.resp.body.n) < 0) {
		log_msg(LOG_ERROR, "render: %s%s%s: %s", path,
		    query[0] != '\0' ? "?" : "", query, errno == EFBIG ?
		    "over [paths] stale_max_mb; keeping the last rendering" :
		    strerror(errno));
		return -1;
	}
	return 200;
}

/* Renders the whole site into a new generation; 0 when published. */
static int
render_all(struct worker *w, const struct conf *conf,
    const struct db_content *s)
{
	struct json_object *paths = NULL;
	struct stale_gen *g;
	struct stale_stamp stamp = { 0 };
	double		 t0 = util_now();
	size_t		 n;
	int		 rc = -1;

	if ((g = stale_begin(conf->stale_dir,
	    (uint64_t)conf->stale_max_mb * 1024 * 1024)) == NULL) {
		log_msg(LOG_ERROR, "render: %s: %s", conf->stale_dir,
		    strerror(errno));
		return -1;
	}
	arena_reset(w->arena);
	db_min_lsn(w->db, s->lsn);
	if (db_public_paths(w->db, w->arena, &paths) != ST_OK)
		goto out;
	n = json_object_array_length(paths);
	for (size_t i = 0; i < n && !stop; i++) {
		struct json_object *row = json_object_array_get_idx(paths, i);
		char		 path[1024], query[32];
		bool		 listing;
		int		 st;

		snprintf(path, sizeof(path), "%s", json_object_get_string(
		    json_object_array_get_idx(row, 0)));
		listing = json_object_get_boolean(
		    json_object_array_get_idx(row, 1));
		if ((st = render_one(w, g, path, "")) != 200) {
			/* A page that went away since the list was read is
			 * no reason to keep an older rendering of everything. */
			if (st == 404 || st == 410)
				continue;
			log_msg(LOG_WARN, "render: %s answered %d; keeping the "
			    "last rendering", path, st);
			goto out;
		}
		for (int page = 2; listing && !stop; page++) {
			if (page > MAX_LISTING_PAGES) {
				log_msg(LOG_WARN, "render: %s: over %d pages; "
				    "the rest are not kept", path,
				    MAX_LISTING_PAGES);
				break;
			}
			snprintf(query, sizeof(query), "page=%d", page);
			if ((st = render_one(w, g, path, query)) == 404)
				break;
			if (st != 200) {
				log_msg(LOG_WARN, "render: %s?%s answered %d; "
				    "keeping the last rendering", path, query,
				    st);
				goto out;
			}
		}
	}
	if (stop)
		goto out;
	stamp.version = s->version;
	stamp.live = s->last_live;
	memcpy(stamp.theme, w->theme, sizeof(stamp.theme));
	stamp.seconds = util_now() - t0;
	rc = stale_commit(g, &stamp);
	g = NULL;
	if (rc != 0)
		log_msg(LOG_ERROR, "render: publishing in %s: %s",
		    conf->stale_dir, strerror(errno));
	else
		log_msg(LOG_INFO, "render: %" PRIu64 " pages, %" PRIu64
		    " bytes in %.1f s (content version %" PRId64 ")",
		    stamp.pages, stamp.bytes, stamp.seconds, s->version);
out:
	db_min_lsn(w->db, 0);
	if (paths != NULL)
		json_object_put(paths);
	stale_abort(g);
	return rc;
}

/* True when the published rendering is of this state and theme. */
static bool
up_to_date(const struct conf *conf, const struct db_content *s,
    const char *theme)
{
	struct stale_stamp cur;

	return stale_current(conf->stale_dir, &cur) == 0 &&
	    cur.version == s->version && cur.live == s->last_live &&
	    strcmp(cur.theme, theme) == 0;
}

int
render_main(const struct conf *conf)
{
	struct worker	 w = { .conf = conf, .listen_fd = -1 };
	struct db_content seen = { .version = -1 };
	double		 seen_at = 0, last_start = 0;
	sigset_t	 none;
	char		 err[1024], dir[4096];

	log_set_role("render");
	prctl(PR_SET_NAME, "inkwell-render");
	/* Readers first: the workers win the CPU while a rendering runs. */
	if (setpriority(PRIO_PROCESS, 0, 10) != 0)
		log_msg(LOG_DEBUG, "render: setpriority: %s", strerror(errno));
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	util_on_stop(on_stop);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (sodium_init() < 0) {
		log_msg(LOG_ERROR, "libsodium failed to initialise");
		return 1;
	}
	if ((w.tmpl = tmpl_load_dir(conf->templates, TMPL_STRICT, err,
	    sizeof(err))) == NULL) {
		log_msg(LOG_ERROR, "render: templates: %s", err);
		return 2;
	}
	/* The reader pages' strings and month names, as the workers have
	 * them: a rendering without them would differ from their pages. */
	snprintf(dir, sizeof(dir), "%s/i18n", conf->templates);
	if ((w.i18n = i18n_load_dir(dir, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERROR, "render: languages: %s", err);
		tmpl_free(w.tmpl);
		return 2;
	}
	w.arena = arena_new(64 * 1024);
	w.db = db_open(conf);
	cache_theme_id(conf->templates, conf->base_url, w.theme);
	log_msg(LOG_DEBUG, "renderer ready");

	while (!stop) {
		struct db_content s;
		struct timespec	 ts = { 1, 0 };
		double		 now;

		arena_reset(w.arena);
		if (db_content_state(w.db, w.arena, &s) != ST_OK) {
			(void)nanosleep(&ts, NULL);
			continue;
		}
		now = util_now();
		if (s.version != seen.version || s.last_live != seen.last_live) {
			seen = s;
			seen_at = now;
		}
		if (!up_to_date(conf, &s, w.theme) &&
		    now - seen_at >= (double)conf->stale_settle &&
		    now - last_start >= (double)conf->stale_every) {
			last_start = now;
			(void)render_all(&w, conf, &s);
			continue;
		}
		(void)nanosleep(&ts, NULL);
	}
	db_close(w.db);
	view_strings_free(&w);
	arena_free(w.arena);
	i18n_free(w.i18n);
	tmpl_free(w.tmpl);
	return 0;
}
