/* SPDX-License-Identifier: MIT */
/* page.c: page meta, pagination links and template rendering for handlers. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "http/input.h"
#include "lib/log.h"
#include "lib/escape.h"
#include "http/out.h"
#include "view/page.h"
#include "view/view.h"
#include "http/req.h"
#include "tmpl/tmpl.h"
#include "view/view.h"
#include "lib/worker_state.h"

static const char *
site_str(struct json_object *view, const char *key)
{
	struct json_object *site, *v;

	if (json_object_object_get_ex(view, "site", &site) &&
	    json_object_object_get_ex(site, key, &v))
		return json_object_get_string(v);
	return "";
}

void
page_meta(struct req *r, struct json_object *view, const char *title,
    const char *description, const char *path, const char *og_type)
{
	struct json_object *page = json_object_new_object();
	const char	*site = site_str(view, "title");

	json_object_object_add(view, "page", page);
	json_object_object_add(page, "title", json_object_new_string(
	    title && *title ? arena_printf(r->a, "%s \xe2\x80\x94 %s", title,
	    site) : site));
	json_object_object_add(page, "heading",
	    json_object_new_string(title ? title : site));
	json_object_object_add(page, "description", json_object_new_string(
	    description && *description ? description :
	    site_str(view, "description")));
	if (path != NULL)
		json_object_object_add(page, "canonical",
		    json_object_new_string(arena_printf(r->a, "%s%s",
		    site_str(view, "base_url"), path)));
	json_object_object_add(page, "og_type",
	    json_object_new_string(og_type));
}

void
page_image(struct req *r, struct json_object *view, struct json_object *post)
{
	struct json_object *f, *page, *img, *v;
	static const char *const keep[] = { "width", "height", "alt" };

	if (!json_object_object_get_ex(post, "feature", &f) ||
	    !json_object_object_get_ex(view, "page", &page) ||
	    !json_object_object_get_ex(f, "url", &v))
		return;
	img = json_object_new_object();
	json_object_object_add(img, "url", json_object_new_string(
	    arena_printf(r->a, "%s%s", site_str(view, "base_url"),
	    json_object_get_string(v))));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_object_get_ex(f, keep[i], &v))
			/* shared with post.feature, hence the reference */
			json_object_object_add(img, keep[i],
			    json_object_get(v));
	json_object_object_add(page, "image", img);
}

void
page_feeds(struct req *r, struct json_object *view, const char *base,
    const char *title)
{
	static const struct {
		const char	*file, *type, *name;
	} kinds[] = {
		{ "feed.atom", "application/atom+xml", "Atom" },
		{ "feed.rss", "application/rss+xml", "RSS" },
		{ "feed.json", "application/feed+json", "JSON Feed" },
	};
	struct json_object *page, *list = json_object_new_array();

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "type",
		    json_object_new_string(kinds[i].type));
		json_object_object_add(f, "title", json_object_new_string(
		    arena_printf(r->a, "%s (%s)", title, kinds[i].name)));
		json_object_object_add(f, "href", json_object_new_string(
		    arena_printf(r->a, "%s/%s", base, kinds[i].file)));
		json_object_array_add(list, f);
	}
	if (json_object_object_get_ex(view, "page", &page))
		json_object_object_add(page, "feeds", list);
	else
		json_object_put(list);
}

void
page_jsonld(struct req *r, struct json_object *view, struct json_object *ld)
{
	struct json_object *page;
	struct buf	 b;
	const char	*s;
	size_t		 n;

	s = json_object_to_json_string_length(ld,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	buf_init(&b, r->a, n + 64);
	buf_puts(&b, "<script type=\"application/ld+json\">");
	escape_script_json(&b, s, n);
	buf_puts(&b, "</script>");
	if (json_object_object_get_ex(view, "page", &page))
		view_set_html(page, "jsonld_html", b.p);
	json_object_put(ld);
}

enum status
page_number(struct req *r, int *page)
{
	*page = 1;
	if (r->in[KEY_PAGE] != NULL)
		*page = (int)r->in[KEY_PAGE]->i;
	else if (input_find(r->qkv, r->nqkv, input_keys[KEY_PAGE].name) !=
	    NULL) {
		r->resp.detail = arena_printf(r->a, "The page number must be "
		    "a whole number from %lld to %lld.",
		    (long long)input_keys[KEY_PAGE].min,
		    (long long)input_keys[KEY_PAGE].max);
		return ST_INVALID;
	}
	return ST_OK;
}

const char *
page_query_url(struct req *r, const char *path, const char *key,
    const char *value)
{
	struct buf	 b;

	buf_init(&b, r->a, 128);
	buf_printf(&b, "%s?%s=", path, key);
	escape_url(&b, value, strlen(value));
	return b.p;
}

enum status
page_list(struct req *r, struct json_object *view, struct json_object *posts,
    int page, int per, const char *base, const char *tmpl)
{
	struct json_object *pg = json_object_new_object();
	size_t		 n = json_object_array_length(posts);
	const char	*sep = strchr(base, '?') ? "&" : "?";

	if (n == 0 && page > 1) {
		json_object_put(posts);
		return ST_NOTFOUND;
	}
	if (n > (size_t)per)
		json_object_array_del_idx(posts, (size_t)per, n - (size_t)per);
	json_object_object_add(view, "posts", posts);
	json_object_object_add(view, "pagination", pg);
	json_object_object_add(pg, "page", json_object_new_int(page));
	if (page > 1)
		json_object_object_add(pg, "newer_url", json_object_new_string(
		    page == 2 ? base : arena_printf(r->a, "%s%spage=%d", base,
		    sep, page - 1)));
	if (n > (size_t)per)
		json_object_object_add(pg, "older_url", json_object_new_string(
		    arena_printf(r->a, "%s%spage=%d", base, sep, page + 1)));
	return page_render(r, view, tmpl);
}

enum status
page_render_as(struct req *r, struct json_object *view, const char *name,
    const char *ctype)
{
	view_localize(r, view);
	if (tmpl_render(r->w->tmpl, name, view, &r->resp.body) != 0) {
		log_msg(LOG_ERROR, "template %s failed to render", name);
		return ST_INTERNAL;
	}
	out_ctype(r, ctype);
	r->resp.cache = "no-cache";	/* store, but revalidate by ETag */
	r->resp.etag = true;
	return ST_OK;
}

enum status
page_render(struct req *r, struct json_object *view, const char *name)
{
	size_t	 n = strlen(name);
	bool	 xml = n > 4 && strcmp(name + n - 4, ".xml") == 0;

	return page_render_as(r, view, name, xml ? "application/xml" :
	    "text/html; charset=utf-8");
}
