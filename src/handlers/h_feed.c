/* SPDX-License-Identifier: MIT */
/*
 * h_feed.c: Atom, RSS, JSON Feed, sitemap and robots.txt: the site's
 * feeds and those of each tag and author.  Feeds and the sitemap
 * use XML templates (XML escaping chosen by the template) and carry
 * Last-Modified as well as an ETag: feed readers revalidate with either.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "content/md.h"
#include "db/db.h"
#include "handlers/handlers.h"
#include "http/out.h"
#include "view/page.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

/* The string at o.key, or "" when there is none. */
static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o != NULL && json_object_object_get_ex(o, key, &v) &&
	    json_object_get_type(v) == json_type_string)
		return json_object_get_string(v);
	return "";
}

/* A post's saved HTML as a feed carries it: without the heading anchors,
 * which a feed reader, showing no CSS, would show as " #". */
static const char *
feed_html(struct req *r, const char *html)
{
	struct buf	 b;
	size_t		 n = strlen(html);

	buf_init(&b, r->a, n + 1);
	md_strip_anchors(html, n, &b);
	return b.p;
}

/*
 * What every feed format shares: view.site, view.feed {title, path (""
 * for the site's feeds, /tags/SLUG or /authors/USERNAME), home (the page
 * the feed is of: path, or "/"), full (the
 * feed_content setting is not "summary")}, view.posts (the newest
 * feed_items live posts of the scope, body_html marked as ours) and
 * view.updated (ISO 8601) and updated_rfc822 from the last change.
 * The scope is the route's: tag when the path starts /tags/, author
 * when /authors/, else the whole site.  ST_NOTFOUND (404) for an
 * unknown tag or author.
 */
static enum status
feed_view(struct req *r, struct json_object *view)
{
	struct json_object *posts, *v, *f, *who = NULL;
	const char	*tag = NULL, *author = NULL, *title, *path = "";
	enum status	 st;
	int64_t		 last;
	char		 when[64];
	time_t		 t;
	struct tm	 tm;
	bool		 full;
	int		 n;

	if ((st = view_site(r, view)) != ST_OK)
		return st;
	title = str_of(json_object_object_get(view, "site"), "title");
	if (strncmp(r->path, "/tags/", 6) == 0) {
		tag = r->cap[0];
		if ((st = db_tag(r->w->db, r->a, tag, &who)) != ST_OK)
			return st;
		path = arena_printf(r->a, "/tags/%s", tag);
		title = arena_printf(r->a, "%s: %s", title, str_of(who, "name"));
	} else if (strncmp(r->path, "/authors/", 9) == 0) {
		author = r->cap[0];
		if ((st = db_author(r->w->db, r->a, author, &who)) != ST_OK)
			return st;
		path = arena_printf(r->a, "/authors/%s", author);
		title = arena_printf(r->a, "%s: %s", title,
		    str_of(who, "display_name"));
	}
	json_object_put(who);
	full = strcmp(str_of(json_object_object_get(view, "site"),
	    "feed_content"), "summary") != 0;
	f = json_object_new_object();
	json_object_object_add(f, "title", json_object_new_string(title));
	json_object_object_add(f, "path", json_object_new_string(path));
	json_object_object_add(f, "home",
	    json_object_new_string(*path != '\0' ? path : "/"));
	json_object_object_add(f, "full", json_object_new_boolean(full));
	json_object_object_add(view, "feed", f);
	n = view_site_int(view, "feed_items", 20, 1, 100);
	if ((st = db_feed_of(r->w->db, r->a, tag, author, n, &posts)) != ST_OK)
		return st;
	json_object_object_add(view, "posts", posts);
	for (size_t i = 0; i < json_object_array_length(posts); i++) {
		struct json_object *p = json_object_array_get_idx(posts, i);

		/* body_html came from md_render() when the post was saved. */
		if (json_object_object_get_ex(p, "body_html", &v))
			view_set_html(p, "body_html",
			    feed_html(r, json_object_get_string(v)));
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
	return ST_OK;
}

static enum status
feed(struct req *r, const char *tmpl, const char *ctype)
{
	struct json_object *view = view_new(r);
	enum status	 st;

	if ((st = feed_view(r, view)) != ST_OK)
		return st;
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

/*
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1), built with json-c
 * so the escaping is json-c's: the feed view turned into the format's
 * keys.  Items carry content_html (full) or, with feed_content =
 * summary, content_text (the summary, or the title when it has none:
 * an item needs one of the two) and summary.
 */
enum status
h_feed_json(struct req *r)
{
	struct json_object *view = view_new(r), *feed, *items, *posts, *f;
	struct json_object *site;
	const char	*base, *path;
	enum status	 st;
	bool		 full;
	size_t		 len;
	const char	*s;

	if ((st = feed_view(r, view)) != ST_OK)
		return st;
	site = json_object_object_get(view, "site");
	f = json_object_object_get(view, "feed");
	base = str_of(site, "base_url");
	path = str_of(f, "path");
	full = json_object_get_boolean(json_object_object_get(f, "full"));
	feed = json_object_new_object();
	/* The view owns it, so it goes when the request does. */
	json_object_object_add(view, "jsonfeed", feed);
	json_object_object_add(feed, "version",
	    json_object_new_string("https://jsonfeed.org/version/1.1"));
	json_object_object_add(feed, "title",
	    json_object_new_string(str_of(f, "title")));
	json_object_object_add(feed, "home_page_url", json_object_new_string(
	    arena_printf(r->a, "%s%s", base, str_of(f, "home"))));
	json_object_object_add(feed, "feed_url", json_object_new_string(
	    arena_printf(r->a, "%s%s/feed.json", base, path)));
	if (*str_of(site, "description") != '\0')
		json_object_object_add(feed, "description",
		    json_object_new_string(str_of(site, "description")));
	json_object_object_add(feed, "language", json_object_new_string(
	    *str_of(site, "language") != '\0' ? str_of(site, "language") :
	    "en"));
	items = json_object_new_array();
	json_object_object_add(feed, "items", items);
	posts = json_object_object_get(view, "posts");
	for (size_t i = 0; i < json_object_array_length(posts); i++) {
		struct json_object *p = json_object_array_get_idx(posts, i);
		struct json_object *it = json_object_new_object(), *au, *tags;
		struct json_object *fe;
		struct json_object *pt = json_object_object_get(p, "tags");
		const char *url = arena_printf(r->a, "%s%s", base,
		    str_of(p, "url"));
		const char *sum = str_of(p, "summary");

		json_object_object_add(it, "id", json_object_new_string(url));
		json_object_object_add(it, "url", json_object_new_string(url));
		json_object_object_add(it, "title",
		    json_object_new_string(str_of(p, "title")));
		if (full)
			json_object_object_add(it, "content_html",
			    json_object_new_string(feed_html(r,
			    str_of(p, "body_html"))));
		else
			json_object_object_add(it, "content_text",
			    json_object_new_string(*sum != '\0' ? sum :
			    str_of(p, "title")));
		if (*sum != '\0')
			json_object_object_add(it, "summary",
			    json_object_new_string(sum));
		/* The feature picture, as JSON Feed's "image" (absolute). */
		if ((fe = json_object_object_get(p, "feature")) != NULL)
			json_object_object_add(it, "image",
			    json_object_new_string(arena_printf(r->a, "%s%s",
			    base, str_of(fe, "url"))));
		json_object_object_add(it, "date_published",
		    json_object_new_string(str_of(p, "published_at")));
		json_object_object_add(it, "date_modified",
		    json_object_new_string(str_of(p, "updated_at")));
		au = json_object_new_object();
		json_object_object_add(au, "name", json_object_new_string(
		    str_of(json_object_object_get(p, "author"),
		    "display_name")));
		json_object_object_add(au, "url", json_object_new_string(
		    arena_printf(r->a, "%s%s", base, str_of(
		    json_object_object_get(p, "author"), "url"))));
		json_object_object_add(it, "authors", json_object_new_array());
		json_object_array_add(json_object_object_get(it, "authors"),
		    au);
		tags = json_object_new_array();
		for (size_t k = 0; k < json_object_array_length(pt); k++)
			json_object_array_add(tags, json_object_new_string(
			    str_of(json_object_array_get_idx(pt, k), "name")));
		json_object_object_add(it, "tags", tags);
		json_object_array_add(items, it);
	}
	s = json_object_to_json_string_length(feed,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	buf_reset(&r->resp.body);
	buf_put(&r->resp.body, s, len);
	buf_putc(&r->resp.body, '\n');
	out_ctype(r, "application/feed+json");
	r->resp.cache = "no-cache";	/* store, but revalidate by ETag */
	r->resp.etag = true;
	return ST_OK;
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
