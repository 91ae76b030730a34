/* SPDX-License-Identifier: MIT */
/*
 * h_blog.c: the pages readers see: home, post, tag, author, archive,
 * search.  Each builds one json-c view (site, page meta, content) and
 * renders it with the template of the same role.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "db/db.h"
#include "handlers/handlers.h"
#include "lib/log.h"
#include "http/out.h"
#include "view/page.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

/*
 * The first half of a listing page: view.site, and in *posts the page's
 * posts plus one (to know whether an older page exists), owned by the
 * caller, which hands them to page_list() with *page and *per.  A
 * ?page= that is not a page number is a 400 (page_number()).
 *
 * The settings and the posts come in one round trip, so the posts are
 * asked for before posts_per_page is known: with the value the worker
 * last saw.  When the settings just read say otherwise (it changed, or
 * this is the worker's first listing), those posts are dropped and the
 * right ones asked for, so a change shows on the next request.
 */
static enum status
listing_start(struct req *r, struct json_object *view,
    const struct db_filter *f, struct json_object **posts, int *pagep,
    int *per)
{
	struct json_object *site;
	int		 page, guess = r->w->per_page_guess;
	enum status	 st;

	if ((st = page_number(r, pagep)) != ST_OK)
		return st;
	page = *pagep;
	if (guess == 0)
		guess = 10;
	if ((st = db_settings_posts(r->w->db, r->a, f, guess + 1,
	    (page - 1) * guess, &site, posts)) != ST_OK)
		return st;
	view_site_add(r, view, site);
	*per = view_site_int(view, "posts_per_page", 10, 1, 100);
	r->w->per_page_guess = *per;
	if (*per == guess)
		return ST_OK;
	json_object_put(*posts);
	return db_posts(r->w->db, r->a, f, *per + 1, (page - 1) * *per, posts);
}

/* The string at o.key, or "" when there is none. */
static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_get_type(v) == json_type_string)
		return json_object_get_string(v);
	return "";
}

/* Adds key: a new string, s. */
static void
add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

/*
 * The home page's structured data: the WebSite, with the SearchAction
 * that tells a search engine how to search it.
 */
static void
home_jsonld(struct req *r, struct json_object *view)
{
	struct json_object *site = json_object_object_get(view, "site");
	struct json_object *ld = json_object_new_object(), *act, *target;
	const char	*base = str_of(site, "base_url");

	add_str(ld, "@context", "https://schema.org");
	add_str(ld, "@type", "WebSite");
	add_str(ld, "name", str_of(site, "title"));
	add_str(ld, "url", arena_printf(r->a, "%s/", base));
	if (*str_of(site, "description") != '\0')
		add_str(ld, "description", str_of(site, "description"));
	act = json_object_new_object();
	add_str(act, "@type", "SearchAction");
	target = json_object_new_object();
	add_str(target, "@type", "EntryPoint");
	add_str(target, "urlTemplate",
	    arena_printf(r->a, "%s/search?q={search_term_string}", base));
	json_object_object_add(act, "target", target);
	add_str(act, "query-input", "required name=search_term_string");
	json_object_object_add(ld, "potentialAction", act);
	page_jsonld(r, view, ld);
}

/* A post's structured data: a BlogPosting. */
static void
post_jsonld(struct req *r, struct json_object *view, struct json_object *post)
{
	struct json_object *site = json_object_object_get(view, "site");
	struct json_object *author = json_object_object_get(post, "author");
	struct json_object *ld = json_object_new_object(), *who, *main;
	struct json_object *pg, *img;
	const char	*base = str_of(site, "base_url");
	const char	*url = arena_printf(r->a, "%s%s", base,
			    str_of(post, "url"));
	const char	*desc = str_of(post, "summary");

	add_str(ld, "@context", "https://schema.org");
	add_str(ld, "@type", "BlogPosting");
	add_str(ld, "headline", str_of(post, "title"));
	who = json_object_new_object();
	add_str(who, "@type", "Person");
	add_str(who, "name", str_of(author, "display_name"));
	add_str(who, "url", arena_printf(r->a, "%s%s", base,
	    str_of(author, "url")));
	json_object_object_add(ld, "author", who);
	add_str(ld, "datePublished", str_of(post, "published_at"));
	add_str(ld, "dateModified", str_of(post, "updated_at"));
	add_str(ld, "url", url);
	main = json_object_new_object();
	add_str(main, "@type", "WebPage");
	add_str(main, "@id", url);
	json_object_object_add(ld, "mainEntityOfPage", main);
	add_str(ld, "description", *desc != '\0' ? desc :
	    str_of(site, "description"));
	/* The feature picture, as page_image() made it absolute. */
	if (json_object_object_get_ex(view, "page", &pg) &&
	    json_object_object_get_ex(pg, "image", &img))
		add_str(ld, "image", str_of(img, "url"));
	page_jsonld(r, view, ld);
}

enum status
h_home(struct req *r)
{
	struct json_object *view = view_new(r), *posts;
	struct db_filter f = { NULL, NULL, NULL, NULL };
	int		 page, per;
	enum status	 st;

	if ((st = listing_start(r, view, &f, &posts, &page, &per)) != ST_OK)
		return st;
	page_meta(r, view, NULL, NULL, "/", "website");
	page_feeds(r, view, "", str_of(json_object_object_get(view, "site"),
	    "title"));
	home_jsonld(r, view);
	return page_list(r, view, posts, page, per, "/",
	    "index.html");
}

enum status
h_post(struct req *r)
{
	struct json_object *view = view_new(r), *site, *post, *comments, *v;
	enum status	 st;

	/* The settings, the post and its comments (db_post_page). */
	if ((st = db_post_page(r->w->db, r->a, r->cap[0], &site, &post,
	    &comments)) != ST_OK)
		return st;
	view_site_add(r, view, site);
	json_object_object_add(view, "post", post);
	/* body_html came from md_render() when the post was saved. */
	if (json_object_object_get_ex(post, "body_html", &v))
		view_set_html(post, "body_html", json_object_get_string(v));
	if ((st = comment_view_of(r, view, r->cap[0], comments)) != ST_OK)
		return st;
	page_meta(r, view, json_object_get_string(
	    json_object_object_get(post, "title")),
	    json_object_get_string(json_object_object_get(post, "summary")),
	    arena_printf(r->a, "/posts/%s", r->cap[0]), "article");
	page_image(r, view, post);
	post_jsonld(r, view, post);
	return page_render(r, view, "post.html");
}

/* A standalone page: a post's look without byline, tags or comments. */
enum status
h_page(struct req *r)
{
	struct json_object *view = view_new(r), *page, *v;
	enum status	 st;

	if ((st = view_site(r, view)) != ST_OK)
		return st;
	if ((st = db_page(r->w->db, r->a, r->cap[0], &page)) != ST_OK)
		return st;
	json_object_object_add(view, "post", page);
	/* body_html came from md_render() when the page was saved. */
	if (json_object_object_get_ex(page, "body_html", &v))
		view_set_html(page, "body_html", json_object_get_string(v));
	page_meta(r, view, json_object_get_string(
	    json_object_object_get(page, "title")),
	    json_object_get_string(json_object_object_get(page, "summary")),
	    arena_printf(r->a, "/pages/%s", r->cap[0]), "website");
	page_image(r, view, page);
	return page_render(r, view, "page.html");
}

enum status
h_tag(struct req *r)
{
	struct json_object *view = view_new(r), *tag, *posts;
	struct db_filter f = { r->cap[0], NULL, NULL, NULL };
	const char	*url = arena_printf(r->a, "/tags/%s", r->cap[0]);
	int		 page, per;
	enum status	 st;

	if ((st = listing_start(r, view, &f, &posts, &page, &per)) != ST_OK)
		return st;
	if ((st = db_tag(r->w->db, r->a, r->cap[0], &tag)) != ST_OK) {
		json_object_put(posts);
		return st;
	}
	json_object_object_add(view, "tag", tag);
	page_meta(r, view, arena_printf(r->a, "%s \xe2\x80\x9c%s\xe2\x80\x9d",
	    i18n_get(r->w->i18n, view_lang(r, view), "posts_tagged"),
	    json_object_get_string(json_object_object_get(tag, "name"))),
	    NULL, url, "website");
	page_feeds(r, view, url, arena_printf(r->a, "%s: %s",
	    str_of(json_object_object_get(view, "site"), "title"),
	    str_of(tag, "name")));
	return page_list(r, view, posts, page, per, url,
	    "list.html");
}

enum status
h_author(struct req *r)
{
	struct json_object *view = view_new(r), *author, *posts;
	struct db_filter f = { NULL, r->cap[0], NULL, NULL };
	const char	*url = arena_printf(r->a, "/authors/%s", r->cap[0]);
	int		 page, per;
	enum status	 st;

	if ((st = listing_start(r, view, &f, &posts, &page, &per)) != ST_OK)
		return st;
	if ((st = db_author(r->w->db, r->a, r->cap[0], &author)) != ST_OK) {
		json_object_put(posts);
		return st;
	}
	json_object_object_add(view, "author", author);
	page_meta(r, view, arena_printf(r->a, "%s %s",
	    i18n_get(r->w->i18n, view_lang(r, view), "posts_by"),
	    json_object_get_string(json_object_object_get(author,
	    "display_name"))), json_object_get_string(
	    json_object_object_get(author, "bio")), url, "profile");
	page_feeds(r, view, url, arena_printf(r->a, "%s: %s",
	    str_of(json_object_object_get(view, "site"), "title"),
	    str_of(author, "display_name")));
	return page_list(r, view, posts, page, per, url,
	    "list.html");
}

enum status
h_archive(struct req *r)
{
	struct json_object *view = view_new(r), *months;
	enum status	 st;

	if ((st = view_site(r, view)) != ST_OK)
		return st;
	if ((st = db_months(r->w->db, r->a, &months)) != ST_OK)
		return st;
	json_object_object_add(view, "months", months);
	page_meta(r, view, i18n_get(r->w->i18n, view_lang(r, view), "archive"),
	    NULL, "/archive", "website");
	return page_render(r, view, "archive.html");
}

/* Parses a capture of exactly n digits into [min, max]; -1 if not. */
static int
digits(const char *s, size_t n, int min, int max)
{
	int	 v = 0;

	if (strlen(s) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < min || v > max ? -1 : v;
}

enum status
h_archive_month(struct req *r)
{
	struct json_object *view = view_new(r), *posts;
	struct db_filter f = { NULL, NULL, NULL, NULL };
	int		 y, m, page, per;
	const char	*url;
	enum status	 st;

	if ((y = digits(r->cap[0], 4, 1970, 9998)) < 0 ||
	    (m = digits(r->cap[1], 2, 1, 12)) < 0)
		return ST_NOTFOUND;
	/* The site's month: the query reads these in its time zone. */
	f.from = arena_printf(r->a, "%04d-%02d-01T00:00:00", y, m);
	f.to = arena_printf(r->a, "%04d-%02d-01T00:00:00", m == 12 ? y + 1 : y,
	    m == 12 ? 1 : m + 1);
	url = arena_printf(r->a, "/archive/%04d/%02d", y, m);
	if ((st = listing_start(r, view, &f, &posts, &page, &per)) != ST_OK)
		return st;
	{
		struct tm	 tm;
		char		 label[256];

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = 1;
		i18n_date(r->w->i18n, view_lang(r, view), "month_year", &tm,
		    label, sizeof(label));
		page_meta(r, view, label, NULL, url, "website");
	}
	return page_list(r, view, posts, page, per, url,
	    "list.html");
}

enum status
h_search(struct req *r)
{
	struct json_object *view = view_new(r), *posts, *search;
	const struct kv	*sent;
	const char	*q = r->in[KEY_Q] ? r->in[KEY_Q]->s : "";
	int		 page, per;
	enum status	 st;

	if ((st = page_number(r, &page)) != ST_OK)
		return st;
	if ((st = view_site(r, view)) != ST_OK)
		return st;
	search = json_object_new_object();
	json_object_object_add(view, "search", search);
	json_object_object_add(search, "q", json_object_new_string(q));
	{
		const char *s = i18n_get(r->w->i18n, view_lang(r, view),
		    "search");

		page_meta(r, view, *q ? arena_printf(r->a, "%s: %s", s, q) : s,
		    NULL, "/search", "website");
	}
	/* Result pages are not worth indexing. */
	json_object_object_add(json_object_object_get(view, "page"),
	    "noindex", json_object_new_boolean(1));
	/*
	 * A q that was sent but did not validate is not an empty search:
	 * the reader is told why, with a 400, and gets the form again.
	 * The text itself is not echoed (it may be kilobytes, or bytes
	 * that are not text).
	 */
	if (r->in[KEY_Q] == NULL &&
	    (sent = input_find(r->qkv, r->nqkv, "q")) != NULL) {
		size_t	 max = input_keys[KEY_Q].max_len;

		json_object_object_add(search, "error", json_object_new_string(
		    sent->vallen > max ? arena_printf(r->a, "Your search is "
		    "too long: it can be at most %zu bytes (a letter with an "
		    "accent takes two). Try fewer words.", max) : "Your search "
		    "cannot be searched for: it holds control characters or "
		    "bytes that are not UTF-8 text."));
		log_msg(LOG_INFO, "search: q refused (%zu bytes, %s)",
		    sent->vallen, sent->vallen > max ? "too long" :
		    "not text");
		r->resp.status = 400;
		return page_render(r, view, "search.html");
	}
	if (*q == '\0')
		return page_render(r, view, "search.html");
	per = view_site_int(view, "posts_per_page", 10, 1, 100);
	if ((st = db_search(r->w->db, r->a, q, per + 1, (page - 1) * per,
	    &posts)) != ST_OK)
		return st;
	for (size_t i = 0; i < json_object_array_length(posts); i++) {
		struct json_object *p = json_object_array_get_idx(posts, i), *s;

		if (json_object_object_get_ex(p, "snippet", &s))
			view_set_html(p, "snippet_html", view_snippet_html(r->a,
			    json_object_get_string(s)));
	}
	return page_list(r, view, posts, page, per,
	    page_query_url(r, "/search", "q", q), "search.html");
}
