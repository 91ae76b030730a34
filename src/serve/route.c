/* SPDX-License-Identifier: MIT */
/*
 * route.c: the static route table, the matcher, and status-to-HTTP.
 *
 * The table is scanned in order; the first pattern whose segments match
 * wins.  This is the only place a status becomes an HTTP code and the
 * only place error pages are written, so every handler fails the same way.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "cache/cache.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/metrics.h"
#include "http/out.h"
#include "view/page.h"
#include "cache/pages.h"
#include "http/req.h"
#include "serve/route.h"
#include "auth/session.h"
#include "tmpl/tmpl.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

static const struct route routes[] = {
	{ RM_GET, "/", h_home, RF_CACHE },
	{ RM_GET, "/posts/{slug}", h_post, RF_CACHE },
	{ RM_POST, "/posts/{slug}/comments", h_comment_post, RF_WRITE },
	{ RM_GET, "/tags/{slug}", h_tag, RF_CACHE },
	{ RM_GET, "/authors/{username}", h_author, RF_CACHE },
	{ RM_GET, "/archive", h_archive, RF_CACHE },
	{ RM_GET, "/archive/{year}/{month}", h_archive_month, RF_CACHE },
	{ RM_GET, "/search", h_search, RF_CACHE },
	{ RM_GET, "/feed.atom", h_feed_atom, RF_CACHE },
	{ RM_GET, "/feed.rss", h_feed_rss, RF_CACHE },
	{ RM_GET, "/sitemap.xml", h_sitemap, RF_CACHE },
	{ RM_GET, "/robots.txt", h_robots, RF_CACHE },
	{ RM_GET, "/api/v1/posts", h_api_posts, RF_CACHE },
	{ RM_GET, "/api/v1/posts/{slug}", h_api_post, RF_CACHE },
	{ RM_POST, "/api/v1/posts", h_api_post_create, RF_USER | RF_WRITE },
	{ RM_PATCH, "/api/v1/posts/{slug}", h_api_post_update,
	    RF_USER | RF_WRITE },
	{ RM_DELETE, "/api/v1/posts/{slug}", h_api_post_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/tags", h_api_tags, RF_CACHE },
	{ RM_POST, "/api/v1/tags", h_api_tag_create, RF_USER | RF_WRITE },
	{ RM_PATCH, "/api/v1/tags/{slug}", h_api_tag_update,
	    RF_USER | RF_WRITE },
	{ RM_DELETE, "/api/v1/tags/{slug}", h_api_tag_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/authors", h_api_authors, RF_CACHE },
	{ RM_GET, "/admin/login", h_login, 0 },
	{ RM_POST, "/admin/login", h_login_post, 0 },
	{ RM_POST, "/admin/logout", h_logout, RF_USER },
	{ RM_GET, "/admin", h_admin_home, RF_USER },
	{ RM_GET, "/admin/", h_admin_home, RF_USER },
	{ RM_GET, "/admin/posts", h_admin_posts, RF_USER },
	{ RM_POST, "/admin/posts", h_admin_post_create, RF_USER | RF_WRITE },
	{ RM_GET, "/admin/posts/new", h_admin_post_new, RF_USER },
	{ RM_GET, "/admin/posts/{id}", h_admin_post_edit, RF_USER },
	{ RM_POST, "/admin/posts/{id}", h_admin_post_update,
	    RF_USER | RF_WRITE },
	{ RM_POST, "/admin/posts/{id}/delete", h_admin_post_delete,
	    RF_USER | RF_WRITE },
	{ RM_POST, "/admin/preview", h_admin_preview, RF_USER },
	{ RM_GET, "/admin/tags", h_admin_tags, RF_USER },
	{ RM_POST, "/admin/tags", h_admin_tag_add, RF_USER | RF_WRITE },
	{ RM_POST, "/admin/tags/{slug}", h_admin_tag_update,
	    RF_USER | RF_WRITE },
	{ RM_POST, "/admin/tags/{slug}/delete", h_admin_tag_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/admin/comments", h_admin_comments, RF_USER },
	{ RM_POST, "/admin/comments/{id}", h_admin_comment_moderate,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/admin/media", h_admin_media, RF_USER },
	{ RM_POST, "/admin/media/{name}/delete", h_admin_media_delete, RF_USER },
	{ RM_GET, "/admin/settings", h_admin_settings, RF_USER },
	{ RM_POST, "/admin/settings", h_admin_settings_save,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/me", h_api_me, RF_USER },
	{ RM_GET, "/api/v1/media", h_api_media_list, RF_USER },
	{ RM_PUT, "/api/v1/media/{name}", h_api_media_put,
	    RF_USER | RF_UPLOAD },
	{ RM_DELETE, "/api/v1/media/{name}", h_api_media_delete, RF_USER },
	{ RM_GET, "/media/{name}", h_media, 0 },
	{ RM_GET, "/healthz", h_healthz, 0 },
	{ RM_GET, "/livez", h_livez, 0 },
	{ RM_GET, "/readyz", h_readyz, 0 },
	{ RM_GET, "/version", h_version, 0 },
	{ RM_GET, "/metrics", h_metrics, 0 },
};

/* The routes that are not in the table, for logs and metrics. */
static const char *const pseudo_routes[] = { "(none)", "(method)", "(parse)" };
_Static_assert(NELEM(routes) + NELEM(pseudo_routes) <= METRIC_ROUTES,
    "metrics.h: METRIC_ROUTES must cover every route");

size_t
route_count(void)
{
	return NELEM(routes) + NELEM(pseudo_routes);
}

int
route_id_pseudo(const char *name)
{
	for (size_t i = 0; i < NELEM(pseudo_routes); i++)
		if (strcmp(pseudo_routes[i], name) == 0)
			return (int)(NELEM(routes) + i);
	return (int)NELEM(routes);	/* "(none)" */
}

void
route_label(size_t id, const char **method, const char **pattern)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ RM_GET, "GET" }, { RM_POST, "POST" }, { RM_PUT, "PUT" },
		{ RM_DELETE, "DELETE" }, { RM_PATCH, "PATCH" },
	};

	*method = "";
	if (id >= NELEM(routes)) {
		id -= NELEM(routes);
		*pattern = pseudo_routes[id < NELEM(pseudo_routes) ? id : 0];
		return;
	}
	*pattern = routes[id].pattern;
	for (size_t i = 0; i < NELEM(names); i++)
		if (routes[id].methods & names[i].bit) {
			*method = names[i].name;
			break;
		}
}

static const struct {
	int		 http;
	const char	*code;		/* stable machine-readable name */
	const char	*message;	/* what the reader is told */
} statuses[] = {
	{ 200, "ok", "OK" },						/* ST_OK */
	{ 404, "not_found", "There is nothing at this address." },	/* ST_NOTFOUND */
	{ 400, "bad_request", "The request was malformed." },		/* ST_INVALID */
	{ 401, "unauthorized", "You need to sign in first." },		/* ST_UNAUTHORIZED */
	{ 403, "forbidden", "You are not allowed to do that." },	/* ST_FORBIDDEN */
	{ 405, "method_not_allowed",
	    "This address does not accept that method." },		/* ST_METHOD */
	{ 409, "conflict", "That conflicts with the current state." },	/* ST_CONFLICT */
	{ 413, "body_too_large", "The request body is too large." },	/* ST_BODYTOOBIG */
	{ 414, "uri_too_long", "The address is too long." },		/* ST_URITOOLONG */
	{ 415, "unsupported_media_type",
	    "The request body has a type this address does not accept." },	/* ST_UNSUPPORTED */
	{ 422, "invalid", "Some fields are not valid." },		/* ST_UNPROCESSABLE */
	{ 429, "too_many_requests", "Too many requests; try again soon." },	/* ST_TOOMANY */
	{ 431, "headers_too_large", "The request headers are too large." },	/* ST_HDRTOOBIG */
	{ 500, "internal", "Something went wrong on our side." },	/* ST_INTERNAL */
	{ 503, "unavailable",
	    "The site is briefly unavailable; try again in a moment." },	/* ST_UNAVAILABLE */
};
_Static_assert(NELEM(statuses) == ST__MAX, "statuses[] must cover enum status");

int
route_http_status(enum status st)
{
	return st < ST__MAX ? statuses[st].http : 500;
}

bool
route_match(struct arena *a, const char *pattern, const char *path,
    const char **caps, size_t *ncaps)
{
	const char	*p = pattern, *s = path;

	*ncaps = 0;
	while (*p != '\0') {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			size_t	 n;

			if (pe == NULL)
				return false;
			n = se ? (size_t)(se - s) : strlen(s);
			if (n == 0 || *ncaps >= REQ_MAXCAPS)
				return false;
			caps[(*ncaps)++] = arena_strndup(a, s, n);
			p = pe + 1;
			s += n;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *s == '\0';
}

static unsigned
method_bit(enum method m)
{
	switch (m) {
	case METHOD_GET:
	case METHOD_HEAD:	return RM_GET;
	case METHOD_POST:	return RM_POST;
	case METHOD_PUT:	return RM_PUT;
	case METHOD_DELETE:	return RM_DELETE;
	case METHOD_PATCH:	return RM_PATCH;
	default:		return 0;
	}
}

static const char *
allow_list(struct arena *a, unsigned m)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	if (m & RM_GET)
		buf_puts(&b, "GET, HEAD, ");
	if (m & RM_POST)
		buf_puts(&b, "POST, ");
	if (m & RM_PUT)
		buf_puts(&b, "PUT, ");
	if (m & RM_PATCH)
		buf_puts(&b, "PATCH, ");
	if (m & RM_DELETE)
		buf_puts(&b, "DELETE, ");
	buf_puts(&b, "OPTIONS");
	return b.p;
}

/*
 * Renders the theme's error.html, saying msg, when there is a theme
 * (there is none in unit tests, or before a worker has one).  The site
 * settings are read unless the database is what failed.
 */
static bool
themed_error(struct req *r, enum status st, int http, const char *msg)
{
	struct json_object *view, *err;

	if (r->w == NULL || r->w->tmpl == NULL ||
	    !tmpl_has(r->w->tmpl, "error.html"))
		return false;
	view = view_new(r);
	if (st != ST_UNAVAILABLE && st != ST_INTERNAL)
		(void)view_site(r, view);
	err = json_object_new_object();
	json_object_object_add(view, "error", err);
	json_object_object_add(err, "status", json_object_new_int(http));
	json_object_object_add(err, "reason",
	    json_object_new_string(out_reason(http)));
	json_object_object_add(err, "message",
	    json_object_new_string(msg));
	/* No canonical address: an error page is no page to point at, and
	 * r->path may hold bytes a client sent raw. */
	page_meta(r, view, arena_printf(r->a, "%d %s", http, out_reason(http)),
	    NULL, NULL, "website");
	json_object_object_add(json_object_object_get(view, "page"),
	    "noindex", json_object_new_boolean(1));
	if (tmpl_render(r->w->tmpl, "error.html", view, &r->resp.body) != 0) {
		buf_reset(&r->resp.body);
		return false;
	}
	out_ctype(r, "text/html; charset=utf-8");
	return true;
}

void
route_error(struct req *r, enum status st)
{
	int		 http = route_http_status(st);
	struct json_object *root, *err;
	const char	*msg;

	if (st == ST_OK || st >= ST__MAX)
		st = ST_INTERNAL;
	msg = r->resp.detail != NULL ? r->resp.detail : statuses[st].message;
	/* Whatever the handler had written is not shown. */
	buf_reset(&r->resp.body);
	r->resp.status = http;
	r->resp.cache = "no-store";
	if (st == ST_UNAVAILABLE)
		out_header(r, "Retry-After", "5");
	/* RFC 9110 wants a challenge with every 401; API clients sign in
	 * with a bearer token (RFC 6750), and one that sent a token learns
	 * that this one will not do. */
	if (st == ST_UNAUTHORIZED && r->api)
		out_header(r, "WWW-Authenticate", r->authorization != NULL ?
		    "Bearer realm=\"inkwell\", error=\"invalid_token\"" :
		    "Bearer realm=\"inkwell\"");
	if (r->api) {
		root = json_object_new_object();
		err = json_object_new_object();
		json_object_object_add(err, "status", json_object_new_int(http));
		json_object_object_add(err, "code",
		    json_object_new_string(statuses[st].code));
		json_object_object_add(err, "message",
		    json_object_new_string(msg));
		json_object_object_add(root, "error", err);
		out_json(r, root);
		json_object_put(root);
		return;
	}
	if (themed_error(r, st, http, msg))
		return;
	out_ctype(r, "text/html; charset=utf-8");
	out_puts(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	buf_printf(&r->resp.body, "%d %s", http, out_reason(http));
	out_puts(r, "</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/style.css\">\n</head>\n<body>\n<main>\n<h1>");
	buf_printf(&r->resp.body, "%d %s", http, out_reason(http));
	out_puts(r, "</h1>\n<p>");
	out_html(r, msg);
	out_puts(r, "</p>\n<p><a href=\"/\">Go to the home page</a></p>\n"
	    "</main>\n</body>\n</html>\n");
}

#define MAX_KEY	1024

const char *
route_cache_key(struct req *r)
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
		out_escape_url(&b, r->in[k]->s, r->in[k]->n);
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
 * Runs a cacheable handler through the page cache.  A hit is answered
 * from Redis with the headers the page was made with; a miss runs the
 * handler and stores a 200.  Either then becomes a page file when files
 * are on.  X-Cache tells which.
 */
static enum status
cached(struct req *r, handler_fn handler)
{
	static const char *const names[] = { "HIT", "MISS", "BYPASS" };
	struct cache_entry e;
	enum cache_result res = CACHE_BYPASS;
	const char	*key = NULL;
	enum status	 st;
	double		 t0;

	if (r->method == METHOD_GET || r->method == METHOD_HEAD)
		key = route_cache_key(r);
	if (key != NULL) {
		t0 = util_now();
		res = cache_get(r->w->cache, r->w->db, r->a, key,
		    &r->resp.body, &e);
		if (res != CACHE_BYPASS)
			r->cache_lookup = util_now() - t0;
	}
	out_header(r, "X-Cache", names[res]);
	r->cache_result = res == CACHE_HIT ? METRIC_CACHE_HIT :
	    res == CACHE_MISS ? METRIC_CACHE_MISS : METRIC_CACHE_BYPASS;
	if (res == CACHE_HIT) {
		r->resp.status = 200;
		r->resp.ctype = e.ctype;
		r->resp.cache = e.cache_control;
		r->resp.last_modified = e.last_modified;
		r->resp.etag = e.etag[0] != '\0';
		r->resp.etag_value = r->resp.etag ? e.etag : NULL;
		to_file(r, &e);
		return ST_OK;
	}
	st = handler(r);
	if (res == CACHE_MISS && st == ST_OK && r->resp.status == 200 &&
	    r->resp.ctype != NULL) {
		e.ctype = r->resp.ctype;
		e.cache_control = r->resp.cache != NULL ? r->resp.cache :
		    "no-store";
		e.etag = r->resp.etag ? out_etag(r) : "";
		e.last_modified = r->resp.last_modified;
		e.body = r->resp.body.p;
		e.bodylen = r->resp.body.n;
		cache_put(r->w->cache, r->a, key, &e);
		to_file(r, &e);
	}
	return st;
}

bool
route_upload(const struct req *r)
{
	unsigned	 want = method_bit(r->method);
	const char	*caps[REQ_MAXCAPS];
	size_t		 ncaps;

	/* The route route_dispatch would run: the first that matches. */
	for (size_t i = 0; i < NELEM(routes); i++)
		if ((routes[i].methods & want) != 0 &&
		    route_match(r->a, routes[i].pattern, r->path, caps, &ncaps))
			return (routes[i].flags & RF_UPLOAD) != 0;
	return false;
}

void
route_dispatch(struct req *r)
{
	unsigned	 want = method_bit(r->method), allowed = 0;
	enum status	 st = ST_NOTFOUND;
	const char	*caps[REQ_MAXCAPS];
	size_t		 ncaps;

	for (size_t i = 0; i < NELEM(routes); i++) {
		if (!route_match(r->a, routes[i].pattern, r->path, caps,
		    &ncaps))
			continue;
		allowed |= routes[i].methods;
		if ((routes[i].methods & want) == 0)
			continue;
		memcpy(r->cap, caps, sizeof(caps));
		r->ncap = ncaps;
		r->route = routes[i].pattern;
		r->route_id = (int)i;
		if ((routes[i].flags & RF_USER) &&
		    (st = session_require(r)) != ST_OK) {
			if (st == ST_UNAUTHORIZED && session_login_redirect(r))
				return;
			break;
		}
		/* Nothing is committed that nginx could then keep serving
		 * pages from before (pages.h). */
		if ((routes[i].flags & RF_WRITE) && r->w != NULL &&
		    cache_write_begin(r->w->cache) != ST_OK) {
			r->resp.detail = "Pages cannot be updated right now, "
			    "so nothing was changed; try again later.";
			st = ST_UNAVAILABLE;
			break;
		}
		if ((routes[i].flags & RF_CACHE) && r->w != NULL &&
		    r->w->cache != NULL)
			st = cached(r, routes[i].handler);
		else
			st = routes[i].handler(r);
		if (r->w == NULL)
			break;
		if (!r->changed)
			cache_write_abandon(r->w->cache);
		else if (cache_invalidate(r->w->cache, r->w->db, r->a) ==
		    ST_INTERNAL && st == ST_OK) {
			/* Saved, but readers may not see it: not a success. */
			r->resp.detail = "The change was saved, but readers "
			    "may still be shown pages from before it.";
			st = ST_UNAVAILABLE;
		}
		break;
	}
	if (r->route == NULL && allowed != 0) {
		r->route = "(method)";
		r->route_id = route_id_pseudo(r->route);
		out_header(r, "Allow", allow_list(r->a, allowed));
		if (r->method == METHOD_OPTIONS) {
			r->resp.status = 204;
			return;
		}
		st = ST_METHOD;
	} else if (r->route == NULL) {
		r->route = "(none)";
		r->route_id = route_id_pseudo(r->route);
	}
	if (st != ST_OK)
		route_error(r, st);
}
