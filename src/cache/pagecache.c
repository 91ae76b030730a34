/* SPDX-License-Identifier: MIT */
/*
 * pagecache.c: runs a cacheable request through the page cache: its key
 * (the path and the validated query), the answer from Redis on a hit,
 * storing a miss, and the page file nginx then serves (pages.h).
 */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/metrics.h"
#include "lib/trace.h"
#include "lib/util.h"
#include "lib/worker_state.h"
#include "http/input.h"
#include "lib/escape.h"
#include "http/out.h"
#include "http/req.h"
#include "cache/cache.h"
#include "cache/pagecache.h"
#include "cache/pages.h"
#include "cache/stale.h"
#include "content/redirect.h"
#include "db/db.h"
#include "lib/log.h"

#define MAX_KEY	1024

/*
 * A redirect in the page cache: an entry of this type whose body is
 * "CODE LOCATION" (the Location without the request's query, which
 * every answer adds again).  Never a page file: nginx can only send a
 * file as a 200.
 */
#define REDIRECT_CTYPE	"x-inkwell/redirect"

const char *
pagecache_key(struct req *r)
{
	struct buf	 b;

	if (r->nform > 0)
		return NULL;
	for (size_t i = 0; i < r->nqkv; i++) {
		size_t	 k;

		for (k = 0; k < KEY__MAX; k++)
			if (strcmp(r->qkv[i].key, input_keys[k].name) == 0)
				break;
		if (k == KEY__MAX || r->in[k] == NULL)
			return NULL;
	}
	buf_init(&b, r->a, 128);
	buf_puts(&b, "{iw}:p:");
	/* Pages made with another theme or base URL are other pages. */
	if (r->w != NULL && r->w->theme[0] != '\0') {
		buf_puts(&b, r->w->theme);
		buf_putc(&b, ':');
	}
	buf_puts(&b, r->path);
	buf_putc(&b, '?');
	for (size_t k = 0; k < KEY__MAX; k++) {
		if (r->in[k] == NULL)
			continue;
		buf_printf(&b, "&%s=", input_keys[k].name);
		escape_url(&b, r->in[k]->s, r->in[k]->n);
	}
	return b.n > MAX_KEY ? NULL : b.p;
}

/*
 * The page file nginx may serve for this answer (pages.h), or NULL: GET
 * only (a HEAD's body may be missing), not a search (every query would
 * be a file), and only pages nginx sends with the same Cache-Control
 * ("expires epoch" in the site says no-cache).
 */
static const char *
page_file(struct req *r, const struct cache_entry *e)
{
	char	*rel;

	if (r->method != METHOD_GET || !cache_pages_on(r->w->cache) ||
	    r->in[KEY_Q] != NULL || strcmp(e->cache_control, "no-cache") != 0)
		return NULL;
	rel = arena_alloc(r->a, PAGES_MAX_PATH + 1);
	if (pages_path(r->path, r->query, e->ctype, rel, PAGES_MAX_PATH + 1) !=
	    0)
		return NULL;
	return rel;
}

/*
 * Writes the page file for a hit or a stored miss.  Once it is in
 * place nginx answers for this page, with its own validators (the file's
 * mtime, and mtime and size as ETag): this answer says the same, so a
 * client revalidates against either with the same ETag.
 */
static void
to_file(struct req *r, const struct cache_entry *e)
{
	const char	*file = page_file(r, e);
	int64_t		 epoch;

	if (file == NULL || !cache_put_file(r->w->cache, file, r->resp.body.p,
	    r->resp.body.n, &epoch))
		return;
	r->resp.etag = true;
	r->resp.etag_value = arena_printf(r->a, "\"%llx-%zx\"",
	    (unsigned long long)epoch, r->resp.body.n);
	r->resp.last_modified = epoch;
}

/*
 * The database could not be reached: answers with the last complete
 * rendering of this page (stale.h) when there is one, marked so.  Only
 * GET and HEAD come here; a search, a query the renderer never makes, a
 * page that did not exist then: none has a rendering, so they keep the
 * 503.
 */
static bool
stale_serve(struct req *r)
{
	const char	*dir = r->w->conf->stale_dir, *ctype, *body;
	size_t		 n;

	if (r->in[KEY_Q] != NULL || stale_get(dir, r->path,
	    r->query != NULL ? r->query : "", r->a, &ctype, &body, &n) != 0)
		return false;
	buf_reset(&r->resp.body);
	buf_put(&r->resp.body, body, n);
	r->resp.status = 200;
	r->resp.ctype = ctype;
	r->resp.cache = "no-cache";
	r->resp.etag = false;
	r->resp.etag_value = NULL;
	r->resp.last_modified = 0;
	r->resp.detail = NULL;
	out_header(r, "X-Inkwell-Stale", "1");
	return true;
}

/* The answer to a redirect to location (code 301, 302, 307, 308):
 * the query of the request added for a path target; no body. */
static enum status
redirect_answer(struct req *r, int code, const char *location)
{
	const char	*loc = redirect_location(r->a, location, "", 0, false,
	    r->query);

	if (loc == NULL || out_header(r, "Location", loc) != 0)
		return ST_NOTFOUND;
	buf_reset(&r->resp.body);
	r->resp.status = code;
	r->resp.ctype = "text/html; charset=utf-8";
	r->resp.cache = "no-cache";
	r->resp.etag = false;
	r->resp.etag_value = NULL;
	r->resp.last_modified = 0;
	return ST_OK;
}

enum status
pagecache_redirect(struct req *r, const char **stored)
{
	const char	*to, *loc;
	size_t		 plen;
	bool		 prefix;
	int		 code;
	enum status	 st;

	*stored = NULL;
	if ((r->method != METHOD_GET && r->method != METHOD_HEAD) ||
	    r->w == NULL || r->w->db == NULL || redirect_reserved(r->path))
		return ST_NOTFOUND;
	if ((st = db_redirect_find(r->w->db, r->a, r->path, &code, &to,
	    &plen, &prefix)) != ST_OK)
		return st;
	loc = redirect_location(r->a, to, r->path, plen, prefix, NULL);
	if (loc == NULL) {
		log_msg(LOG_WARN, "redirect: the Location for %s would be "
		    "too long; not redirected", r->path);
		return ST_NOTFOUND;
	}
	if ((st = redirect_answer(r, code, loc)) == ST_OK)
		*stored = arena_printf(r->a, "%d %s", code, loc);
	return st;
}

/* A cached redirect: "CODE LOCATION". */
static enum status
redirect_hit(struct req *r, const struct cache_entry *e)
{
	const char	*sp = memchr(e->body, ' ', e->bodylen);
	int		 code;

	if (sp == NULL || e->bodylen < 5 || sp != e->body + 3)
		return ST_INTERNAL;
	code = (e->body[0] - '0') * 100 + (e->body[1] - '0') * 10 +
	    (e->body[2] - '0');
	if (code != 301 && code != 302 && code != 307 && code != 308)
		return ST_INTERNAL;
	return redirect_answer(r, code, arena_strndup(r->a, sp + 1,
	    e->bodylen - 4));
}

/* A hit (from the lookup, or from another worker's render waited for):
 * the answer with the headers the page was made with. */
static enum status
hit_answer(struct req *r, const struct cache_entry *e)
{
	if (strcmp(e->ctype, REDIRECT_CTYPE) == 0)
		return redirect_hit(r, e);
	r->resp.status = 200;
	r->resp.ctype = e->ctype;
	r->resp.cache = e->cache_control;
	r->resp.last_modified = e->last_modified;
	r->resp.etag = e->etag[0] != '\0';
	r->resp.etag_value = r->resp.etag ? e->etag : NULL;
	to_file(r, e);
	return ST_OK;
}

/* Runs the handler for a miss (res CACHE_MISS: stores a 200 or a
 * redirect) or a bypass. */
static enum status
render(struct req *r, enum status (*handler)(struct req *),
    const char *key, enum cache_result res, struct cache_entry *e)
{
	enum status	 st;

	st = handler(r);
	if (st == ST_UNAVAILABLE && key != NULL && stale_serve(r))
		return ST_OK;
	if (st == ST_NOTFOUND) {
		const char *stored;

		/* No content here: a redirect, stored as one (one
		 * lookup next time, retired by the next write). */
		buf_reset(&r->resp.body);
		if ((st = pagecache_redirect(r, &stored)) == ST_OK &&
		    res == CACHE_MISS) {
			e->ctype = REDIRECT_CTYPE;
			e->cache_control = "no-cache";
			e->etag = "";
			e->last_modified = 0;
			e->body = stored;
			e->bodylen = strlen(stored);
			cache_put(r->w->cache, r->a, key, e);
		}
		return st;
	}
	if (res == CACHE_MISS && st == ST_OK && r->resp.status == 200 &&
	    r->resp.ctype != NULL) {
		e->ctype = r->resp.ctype;
		e->cache_control = r->resp.cache != NULL ? r->resp.cache :
		    "no-store";
		e->etag = r->resp.etag ? out_etag(r) : "";
		e->last_modified = r->resp.last_modified;
		e->body = r->resp.body.p;
		e->bodylen = r->resp.body.n;
		cache_put(r->w->cache, r->a, key, e);
		to_file(r, e);
	}
	return st;
}

enum status
pagecache_run(struct req *r, enum status (*handler)(struct req *))
{
	static const char *const names[] = { "HIT", "MISS", "BYPASS" };
	struct cache_entry e;
	enum cache_result res = CACHE_BYPASS;
	const char	*key = NULL;
	enum status	 st;
	double		 t0;
	int		 sp;

	if (r->method == METHOD_GET || r->method == METHOD_HEAD)
		key = pagecache_key(r);
	if (key != NULL) {
		sp = trace_span_begin("cache lookup", TRACE_CLIENT);
		trace_attr_str(sp, "db.system", "redis");
		t0 = util_now();
		res = cache_get(r->w->cache, r->w->db, r->a, key,
		    &r->resp.body, &e);
		if (res != CACHE_BYPASS)
			r->cache_lookup = util_now() - t0;
		trace_attr_str(sp, "inkwell.cache.result", res == CACHE_HIT ?
		    "hit" : res == CACHE_MISS ? "miss" : "bypass");
		trace_span_end(sp, false);
	}
	/* Another worker may be rendering this very page: wait for it
	 * (cache.c says why) rather than render it again. */
	if (res == CACHE_MISS)
		res = cache_coalesce(r->w->cache, r->a, key, &r->resp.body,
		    &e);
	out_header(r, "X-Cache", names[res]);
	r->cache_result = res == CACHE_HIT ? METRIC_CACHE_HIT :
	    res == CACHE_MISS ? METRIC_CACHE_MISS : METRIC_CACHE_BYPASS;
	if (res == CACHE_HIT)
		return hit_answer(r, &e);
	st = render(r, handler, key, res, &e);
	/* A render that stored nothing hands the lock on now. */
	cache_render_end(r->w->cache);
	return st;
}
