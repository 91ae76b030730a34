/* SPDX-License-Identifier: MIT */
/*
 * route.c: the static route table, the matcher and the dispatcher.
 *
 * The table is scanned in order; the first pattern whose segments match
 * wins.  The dispatcher runs the route's checks (session, page-file
 * reservation), its handler (through the page cache for RF_CACHE), and
 * hands every non-OK status to error_page() (view/error.c), the one
 * place a status becomes an HTTP code, so every handler fails the same
 * way.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/metrics.h"
#include "lib/util.h"
#include "lib/worker_state.h"
#include "http/input.h"
#include "http/out.h"
#include "http/req.h"
#include "cache/cache.h"
#include "cache/pagecache.h"
#include "auth/session.h"
#include "view/error.h"
#include "handlers/handlers.h"
#include "serve/chaos.h"
#include "serve/route.h"

static const struct route routes[] = {
	{ RM_GET, "/", h_home, RF_CACHE },
	{ RM_GET, "/posts/{slug}", h_post, RF_CACHE },
	{ RM_GET, "/pages/{slug}", h_page, RF_CACHE },
	{ RM_POST, "/posts/{slug}/comments", h_comment_post, RF_WRITE },
	{ RM_GET, "/tags/{slug}", h_tag, RF_CACHE },
	{ RM_GET, "/tags/{slug}/feed.atom", h_feed_atom, RF_CACHE },
	{ RM_GET, "/tags/{slug}/feed.rss", h_feed_rss, RF_CACHE },
	{ RM_GET, "/tags/{slug}/feed.json", h_feed_json, RF_CACHE },
	{ RM_GET, "/authors/{username}", h_author, RF_CACHE },
	{ RM_GET, "/authors/{username}/feed.atom", h_feed_atom, RF_CACHE },
	{ RM_GET, "/authors/{username}/feed.rss", h_feed_rss, RF_CACHE },
	{ RM_GET, "/authors/{username}/feed.json", h_feed_json, RF_CACHE },
	{ RM_GET, "/archive", h_archive, RF_CACHE },
	{ RM_GET, "/archive/{year}/{month}", h_archive_month, RF_CACHE },
	{ RM_GET, "/search", h_search, RF_CACHE },
	{ RM_GET, "/feed.atom", h_feed_atom, RF_CACHE },
	{ RM_GET, "/feed.rss", h_feed_rss, RF_CACHE },
	{ RM_GET, "/feed.json", h_feed_json, RF_CACHE },
	{ RM_GET, "/sitemap.xml", h_sitemap, RF_CACHE },
	{ RM_GET, "/robots.txt", h_robots, RF_CACHE },
	{ RM_GET, "/api/v1/posts", h_api_posts, RF_CACHE },
	{ RM_GET, "/api/v1/posts/{slug}", h_api_post, RF_CACHE },
	{ RM_POST, "/api/v1/posts", h_api_post_create, RF_USER | RF_WRITE },
	{ RM_PATCH, "/api/v1/posts/{slug}", h_api_post_update,
	    RF_USER | RF_WRITE },
	{ RM_DELETE, "/api/v1/posts/{slug}", h_api_post_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/pages", h_api_pages, RF_CACHE },
	{ RM_GET, "/api/v1/pages/{slug}", h_api_page, RF_CACHE },
	{ RM_POST, "/api/v1/pages", h_api_post_create, RF_USER | RF_WRITE },
	{ RM_PATCH, "/api/v1/pages/{slug}", h_api_post_update,
	    RF_USER | RF_WRITE },
	{ RM_DELETE, "/api/v1/pages/{slug}", h_api_post_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/menu", h_api_menu, RF_CACHE },
	{ RM_PUT, "/api/v1/menu", h_api_menu_put, RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/posts/{slug}/revisions", h_api_revisions, RF_USER },
	{ RM_GET, "/api/v1/posts/{slug}/revisions/{id}", h_api_revision,
	    RF_USER },
	{ RM_POST, "/api/v1/posts/{slug}/revisions/{id}/restore",
	    h_api_revision_restore, RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/tags", h_api_tags, RF_CACHE },
	{ RM_POST, "/api/v1/tags", h_api_tag_create, RF_USER | RF_WRITE },
	{ RM_PATCH, "/api/v1/tags/{slug}", h_api_tag_update,
	    RF_USER | RF_WRITE },
	{ RM_DELETE, "/api/v1/tags/{slug}", h_api_tag_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/authors", h_api_authors, RF_CACHE },
	{ RM_GET, "/api/v1/redirects", h_api_redirects, RF_USER },
	{ RM_POST, "/api/v1/redirects", h_api_redirect_create,
	    RF_USER | RF_WRITE },
	{ RM_DELETE, "/api/v1/redirects/{id}", h_api_redirect_delete,
	    RF_USER | RF_WRITE },
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
	{ RM_POST, "/admin/posts/{id}/autosave", h_admin_post_autosave,
	    RF_USER },
	{ RM_GET, "/admin/posts/{id}/revisions", h_admin_revisions, RF_USER },
	{ RM_POST, "/admin/posts/{id}/revisions/{rev}/restore",
	    h_admin_revision_restore, RF_USER | RF_WRITE },
	{ RM_POST, "/admin/preview", h_admin_preview, RF_USER },
	{ RM_GET, "/admin/pages", h_admin_pages, RF_USER },
	{ RM_POST, "/admin/pages", h_admin_page_create, RF_USER | RF_WRITE },
	{ RM_GET, "/admin/pages/new", h_admin_page_new, RF_USER },
	{ RM_GET, "/admin/menu", h_admin_menu, RF_USER },
	{ RM_POST, "/admin/menu", h_admin_menu_save, RF_USER | RF_WRITE },
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
	{ RM_POST, "/admin/media/{name}/alt", h_admin_media_alt, RF_USER },
	{ RM_GET, "/admin/redirects", h_admin_redirects, RF_USER },
	{ RM_POST, "/admin/redirects", h_admin_redirect_add,
	    RF_USER | RF_WRITE },
	{ RM_POST, "/admin/redirects/{id}/delete", h_admin_redirect_delete,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/admin/settings", h_admin_settings, RF_USER },
	{ RM_POST, "/admin/settings", h_admin_settings_save,
	    RF_USER | RF_WRITE },
	{ RM_GET, "/api/v1/me", h_api_me, RF_USER },
	{ RM_GET, "/api/v1/media", h_api_media_list, RF_USER },
	{ RM_PUT, "/api/v1/media/{name}", h_api_media_put,
	    RF_USER | RF_UPLOAD },
	{ RM_DELETE, "/api/v1/media/{name}", h_api_media_delete, RF_USER },
	{ RM_PATCH, "/api/v1/media/{name}", h_api_media_patch, RF_USER },
	{ RM_GET, "/media/{name}", h_media, 0 },
	{ RM_GET, "/healthz", h_healthz, 0 },
	{ RM_GET, "/livez", h_livez, 0 },
	{ RM_GET, "/readyz", h_readyz, 0 },
	{ RM_GET, "/version", h_version, 0 },
	{ RM_GET, "/metrics", h_metrics, 0 },
};

/* The handlers that read a form or a JSON body, and its field table
 * (input.h): read_form() checks it before the handler runs. */
static const struct {
	handler_fn		 handler;
	const struct input_form	*form;
} forms[] = {
	{ h_api_post_create, &input_post_body },
	{ h_api_post_update, &input_post_body },
	{ h_api_tag_create, &input_tag_body },
	{ h_api_tag_update, &input_tag_body },
	{ h_admin_post_create, &input_post_form },
	{ h_admin_page_create, &input_post_form },
	{ h_admin_post_update, &input_post_form },
	{ h_admin_post_autosave, &input_post_form },
	{ h_api_redirect_create, &input_redirect_body },
	{ h_admin_redirect_add, &input_redirect_form },
};

/* A path no route has: nothing here but, perhaps, a redirect. */
static enum status
no_content(struct req *r)
{
	(void)r;
	return ST_NOTFOUND;
}

/* A GET or HEAD that found no content, outside the page cache: the
 * redirect there is, if any. */
static enum status
redirect_or(struct req *r, enum status st)
{
	const char	*stored;

	if (st != ST_NOTFOUND)
		return st;
	return pagecache_redirect(r, &stored);
}

static const struct input_form *
form_of(handler_fn h)
{
	for (size_t i = 0; i < NELEM(forms); i++)
		if (forms[i].handler == h)
			return forms[i].form;
	return NULL;
}

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

static void
put(void *o)
{
	json_object_put(o);
}

/*
 * Reads the route's form or JSON body into r->fin and r->fails, before
 * the handler runs and before anything is written.  A body that is not
 * one JSON object is refused here (400, 415), with why; fields that
 * fail are the handler's to answer, with its own reasons added.
 */
static enum status
read_form(struct req *r, const struct input_form *f)
{
	struct json_object *o;
	const char	*why;
	enum status	 st;

	r->fin = arena_array(r->a, f->nfields, sizeof(*r->fin));
	if (!f->json) {
		(void)input_form_pairs(r->a, f, r->form, r->nform, r->fin,
		    &r->fails);
		return ST_OK;
	}
	if ((st = input_json_object(r->ctype_in, r->body, r->bodylen, &o,
	    &why)) != ST_OK) {
		r->resp.detail = why;
		return st;
	}
	arena_defer(r->a, put, o);
	(void)input_form_json(r->a, f, o, r->fin, &r->fails);
	return ST_OK;
}

bool
route_known(const char *pattern)
{
	for (size_t i = 0; i < NELEM(routes); i++)
		if (strcmp(routes[i].pattern, pattern) == 0)
			return true;
	return false;
}

void
route_dispatch(struct req *r)
{
	unsigned	 want = method_bit(r->method), allowed = 0;
	const struct input_form *form;
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
		/* A fault injected here pre-empts everything the route
		 * would do (chaos.h); off, this is the whole cost. */
		if (chaos_live && chaos_inject(r))
			return;
		if ((routes[i].flags & RF_USER) &&
		    (st = session_require(r)) != ST_OK) {
			if (st == ST_UNAUTHORIZED && session_login_redirect(r))
				return;
			break;
		}
		if ((form = form_of(routes[i].handler)) != NULL &&
		    (st = read_form(r, form)) != ST_OK)
			break;
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
			st = pagecache_run(r, routes[i].handler);
		else if (routes[i].flags & RF_CACHE)
			st = redirect_or(r, routes[i].handler(r));
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
		/* No route: an old address, perhaps (redirects). */
		if (r->w != NULL && r->w->cache != NULL &&
		    (r->method == METHOD_GET || r->method == METHOD_HEAD))
			st = pagecache_run(r, no_content);
		else if (r->w != NULL)
			st = redirect_or(r, st);
	}
	if (st != ST_OK)
		error_page(r, st);
}
