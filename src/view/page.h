/* SPDX-License-Identifier: MIT */
/* page.h: what every rendered page shares: meta, pagination, rendering. */
#ifndef INKWELL_PAGE_H
#define INKWELL_PAGE_H

#include "lib/status.h"

struct json_object;
struct req;

/*
 * Adds view.page: title (NULL: the site's title alone), description
 * (NULL or empty: the site's), canonical (base_url + path, for
 * <link rel=canonical> and og:url; none when path is NULL, as on error
 * pages) and og_type.
 */
void		 page_meta(struct req *, struct json_object *view,
		    const char *title, const char *description,
		    const char *path, const char *og_type);

/*
 * Adds view.page.image, for og:image and twitter:image, when post (a
 * post object of db_post() or db_page()) has a feature picture: its
 * absolute URL (the site's base_url before it), width and height when
 * known, and alt text.  Call after page_meta().
 */
void		 page_image(struct req *, struct json_object *view,
		    struct json_object *post);

/*
 * Adds view.page.feeds, the <link rel="alternate"> list of the page's
 * own feeds: base (a path: "" for the site's, "/tags/x", "/authors/y")
 * followed by /feed.atom, /feed.rss and /feed.json, each titled with
 * title and its format.  Call after page_meta().
 */
void		 page_feeds(struct req *, struct json_object *view,
		    const char *base, const char *title);

/*
 * Adds view.page.jsonld_html: ld (structured data, schema.org) as a
 * <script type="application/ld+json"> element, escaped by
 * escape_script_json() so no string in it can end the element.  Takes
 * over ld.  Call after page_meta().
 */
void		 page_jsonld(struct req *, struct json_object *view,
		    struct json_object *ld);

/*
 * Adds posts (the first per of them; one more means an older page exists)
 * and view.pagination {page, newer_url, older_url}, then renders tmpl.
 * ST_NOTFOUND for an empty page past the first.  base may hold a query.
 */
enum status	 page_list(struct req *, struct json_object *view,
		    struct json_object *posts, int page, int per,
		    const char *base, const char *tmpl);

/*
 * The page number asked for in *page: 1 when there is no ?page=.
 * ST_INVALID (HTTP 400, with r->resp.detail saying why) when ?page= is
 * there but not a whole number from 1 to 100000, the rule the API
 * follows too.
 */
enum status	 page_number(struct req *, int *page);

/* Returns path?key=<value, URL-encoded>, in the arena. */
const char	*page_query_url(struct req *, const char *path,
		    const char *key, const char *value);

/*
 * Renders template name into the response with a content type that
 * follows the template's output type (.html: text/html, .xml: ctype or
 * application/xml), marks the response for ETag revalidation.
 * ST_INTERNAL when the template is missing or fails.
 */
enum status	 page_render(struct req *, struct json_object *view,
		    const char *name);
enum status	 page_render_as(struct req *, struct json_object *view,
		    const char *name, const char *ctype);

#endif
