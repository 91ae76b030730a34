/* SPDX-License-Identifier: MIT */
/*
 * h_feed.c: Atom, RSS, sitemap and robots.txt.  Feeds and the sitemap
 * use XML templates (XML escaping chosen by the template) and carry
 * Last-Modified as well as an ETag: feed readers revalidate with either.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "db/db.h"
#include "handlers/handlers.h"
#include "http/out.h"
#include "view/page.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

static enum status
feed(struct req *r, const char *tmpl, const char *ctype)
{
	struct json_object *view = view_new(r), *posts, *v;
	enum status	 st;
	int64_t		 last;
	char		 when[64];
	time_t		 t;
	struct tm	 tm;
	int		 n;

	if ((st = view_site(r, view)) != ST_OK)
		return st;
	n = view_site_int(view, "feed_items", 20, 1, 100);
	if ((st = db_feed(r->w->db, r->a, n, &posts)) != ST_OK)
		return st;
	json_object_object_add(view, "posts", posts);
	for (size_t i = 0; i < json_object_array_length(posts); i++) {
		struct json_object *p = json_object_array_get_idx(posts, i);

		if (json_object_object_get_ex(p, "body_html", &v))
			view_set_html(p, "body_html", json_object_get_string(v));
	}
	if ((st = db_last_change(r->w->db, r->a, &last)) != ST_OK)
		return st;
	t = (time_t)last;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(view, "updated", json_object_new_string(when));
	strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	json_object_object_add(view, "updated_rfc822",
	    json_object_new_string(when));
	r->resp.last_modified = last;
	return page_render_as(r, view, tmpl, ctype);
}

enum status
h_feed_atom(struct req *r)
{
	return feed(r, "feed.atom.xml", "application/atom+xml; charset=utf-8");
}

enum status
h_feed_rss(struct req *r)
{
	return feed(r, "feed.rss.xml", "application/rss+xml; charset=utf-8");
}

enum status
h_sitemap(struct req *r)
{
	struct json_object *view = view_new(r), *urls, *pages;
	enum status	 st;

	if ((st = view_site(r, view)) != ST_OK)
		return st;
	if ((st = db_sitemap(r->w->db, r->a, &urls)) != ST_OK)
		return st;
	json_object_object_add(view, "urls", urls);
	if ((st = db_sitemap_pages(r->w->db, r->a, &pages)) != ST_OK)
		return st;
	json_object_object_add(view, "pages", pages);
	return page_render_as(r, view, "sitemap.xml",
	    "application/xml; charset=utf-8");
}

enum status
h_robots(struct req *r)
{
	const char	*base = r->w->conf->base_url;
	size_t		 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	out_ctype(r, "text/plain; charset=utf-8");
	out_puts(r, "User-agent: *\nDisallow: /api/\nDisallow: /search\n"
	    "Sitemap: ");
	out_put(r, base, n);
	out_puts(r, "/sitemap.xml\n");
	r->resp.cache = "public, max-age=3600";
	return ST_OK;
}
