/* SPDX-License-Identifier: MIT */
/*
 * h_api.c: the read JSON API under /api/v1/.  Responses are the same view
 * objects the pages render, serialised by json-c; errors take the stable
 * shape view/error.c gives them.
 */
#include "config.h"

#include <json-c/json.h>

#include "lib/arena.h"
#include "db/db.h"
#include "handlers/handlers.h"
#include "http/out.h"
#include "view/page.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

/*
 * Drops from a post object what only the theme shows (the feature
 * picture's markup parts and the neighbouring posts): the API names
 * the picture in feature_image, and has its own ways to list posts.
 */
static void
api_post(struct json_object *p)
{
	json_object_object_del(p, "feature");
	json_object_object_del(p, "older");
	json_object_object_del(p, "newer");
	json_object_object_del(p, "has_near");
}

static enum status
send(struct req *r, struct json_object *view)
{
	out_json(r, view);
	r->resp.cache = "no-cache";
	r->resp.etag = true;
	return ST_OK;
}

enum status
h_api_posts(struct req *r)
{
	struct json_object *view = view_new(r), *posts;
	struct db_filter f = { NULL, NULL, NULL, NULL };
	int		 page;
	int		 per = r->in[KEY_PER_PAGE] ?
	    (int)r->in[KEY_PER_PAGE]->i : 20;
	const char	*q = r->in[KEY_Q] ? r->in[KEY_Q]->s : NULL;
	enum status	 st;
	size_t		 n;

	/* A filter that is present but invalid is an error, not "all". */
	if ((st = page_number(r, &page)) != ST_OK)
		return st;
	if (r->in_refused[KEY_TAG] || r->in_refused[KEY_AUTHOR] ||
	    r->in_refused[KEY_PER_PAGE] || r->in_refused[KEY_Q])
		return ST_INVALID;
	f.tag = r->in[KEY_TAG] ? r->in[KEY_TAG]->s : NULL;
	f.author = r->in[KEY_AUTHOR] ? r->in[KEY_AUTHOR]->s : NULL;
	if (q != NULL && *q != '\0' && f.tag == NULL && f.author == NULL)
		st = db_search(r->w->db, r->a, q, per + 1, (page - 1) * per,
		    &posts);
	else if (q != NULL && *q != '\0')
		return ST_INVALID;	/* q does not combine with filters */
	else
		st = db_posts(r->w->db, r->a, &f, per + 1, (page - 1) * per,
		    &posts);
	if (st != ST_OK)
		return st;
	n = json_object_array_length(posts);
	if (n > (size_t)per)
		json_object_array_del_idx(posts, (size_t)per, n - (size_t)per);
	for (size_t i = 0; i < json_object_array_length(posts); i++) {
		struct json_object *p = json_object_array_get_idx(posts, i), *s;

		api_post(p);
		if (json_object_object_get_ex(p, "snippet", &s)) {
			view_set_html(p, "snippet_html", view_snippet_html(r->a,
			    json_object_get_string(s)));
			json_object_object_del(p, "snippet");
		}
	}
	json_object_object_add(view, "posts", posts);
	json_object_object_add(view, "page", json_object_new_int(page));
	json_object_object_add(view, "per_page", json_object_new_int(per));
	json_object_object_add(view, "has_more",
	    json_object_new_boolean(n > (size_t)per));
	return send(r, view);
}

enum status
h_api_post(struct req *r)
{
	struct json_object *view = view_new(r), *post;
	enum status	 st;

	if ((st = db_post(r->w->db, r->a, r->cap[0], &post)) != ST_OK)
		return st;
	api_post(post);
	json_object_object_add(view, "post", post);
	return send(r, view);
}

enum status
h_api_tags(struct req *r)
{
	struct json_object *view = view_new(r), *tags;
	enum status	 st;

	if ((st = db_tags(r->w->db, r->a, &tags)) != ST_OK)
		return st;
	json_object_object_add(view, "tags", tags);
	return send(r, view);
}

enum status
h_api_authors(struct req *r)
{
	struct json_object *view = view_new(r), *authors;
	enum status	 st;

	if ((st = db_authors(r->w->db, r->a, &authors)) != ST_OK)
		return st;
	json_object_object_add(view, "authors", authors);
	return send(r, view);
}

/* Live pages only, as the site shows them; drafts are for the admin. */
enum status
h_api_pages(struct req *r)
{
	struct json_object *view = view_new(r), *pages;
	enum status	 st;

	if ((st = db_pages(r->w->db, r->a, &pages)) != ST_OK)
		return st;
	for (size_t i = 0; i < json_object_array_length(pages); i++)
		api_post(json_object_array_get_idx(pages, i));
	json_object_object_add(view, "pages", pages);
	return send(r, view);
}

enum status
h_api_page(struct req *r)
{
	struct json_object *view = view_new(r), *page;
	enum status	 st;

	if ((st = db_page(r->w->db, r->a, r->cap[0], &page)) != ST_OK)
		return st;
	api_post(page);
	json_object_object_add(view, "page", page);
	return send(r, view);
}

/* The menu as the site shows it (view_site reads and checks it). */
enum status
h_api_menu(struct req *r)
{
	struct json_object *view = view_new(r), *site, *menu;
	enum status	 st;

	if ((st = view_site(r, view)) != ST_OK)
		return st;
	site = json_object_object_get(view, "site");
	menu = json_object_object_get(site, "menu");
	json_object_object_add(view, "menu", json_object_get(menu));
	json_object_object_del(view, "site");
	return send(r, view);
}
