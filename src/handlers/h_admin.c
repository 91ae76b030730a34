/* SPDX-License-Identifier: MIT */
/*
 * h_admin.c: the admin pages.  Server-rendered forms that work without
 * JavaScript; every form carries the session's CSRF token (checked by
 * session_require before any handler here runs) and every change ends
 * in a 303 to a page that says what happened, so a reload never posts
 * twice.  Authors change their own posts; admins change everything and
 * alone change tags' names and the site's settings.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "handlers/admin.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "content/content.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/sitetime.h"
#include "content/imgalt.h"
#include "content/md.h"
#include "content/media.h"
#include "http/out.h"
#include "view/page.h"
#include "http/req.h"
#include "tmpl/tmpl.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

#define ADMIN_PER_PAGE	50

/* What a page after a redirect says: fixed texts, never the request's. */
static const struct {
	const char	*key;
	const char	*text;
} notices[] = {
	{ "created", "The post was created." },
	{ "saved", "Saved." },
	{ "restored", "The revision was restored; the post now has its "
	    "text, and the history a new revision." },
	{ "deleted", "Deleted." },
	{ "tag-added", "The tag was added." },
	{ "redirect-added", "The redirect was added." },
	{ "approved", "The comment was approved." },
	{ "spam", "The comment was marked as spam." },
	{ "signed-in", "Welcome back." },
	{ "uploaded", "The image was uploaded." },
};

enum status
admin_redirect(struct req *r, const char *path)
{
	r->resp.status = 303;
	r->resp.cache = "no-store";
	out_header(r, "Location", path);
	return ST_OK;
}

enum status
admin_render(struct req *r, struct json_object *view, const char *name,
    const char *title)
{
	struct json_object *page, *user;
	const struct kv	*done = input_find(r->qkv, r->nqkv, "done");
	enum status	 st;

	if (r->w->admin == NULL)
		return ST_INTERNAL;
	if ((st = view_site(r, view)) != ST_OK)
		return st;
	page = json_object_new_object();
	json_object_object_add(page, "title", json_object_new_string(title));
	json_object_object_add(view, "page", page);
	if (r->user != NULL) {
		user = json_object_new_object();
		json_object_object_add(user, "username",
		    json_object_new_string(r->user->username));
		json_object_object_add(user, "display_name",
		    json_object_new_string(r->user->display_name));
		json_object_object_add(user, "admin",
		    json_object_new_boolean(r->user->admin));
		json_object_object_add(view, "user", user);
		if (r->user->csrf != NULL)
			json_object_object_add(view, "csrf",
			    json_object_new_string(r->user->csrf));
	}
	for (size_t i = 0; done != NULL && i < NELEM(notices); i++)
		if (strcmp(done->val, notices[i].key) == 0)
			json_object_object_add(view, "notice",
			    json_object_new_string(notices[i].text));
	if (tmpl_render(r->w->admin, name, view, &r->resp.body) != 0) {
		log_msg(LOG_ERROR, "admin template %s failed to render", name);
		return ST_INTERNAL;
	}
	out_ctype(r, "text/html; charset=utf-8");
	r->resp.cache = "no-store";
	out_header(r, "X-Robots-Tag", "noindex");
	return ST_OK;
}

/* A field of a form without a table (input_pair): NULL when absent; a
 * value no check takes ("\x01") when invalid, so it is refused, never
 * taken for absent. */
static const char *
field(struct req *r, const char *key)
{
	enum input_state st;
	const char	*s = input_pair(r->form, r->nform, key,
	    INPUT_MAX_VALUE, &st);

	return st == IS_INVALID ? "\x01" : s;
}

/* A row id from a path capture: 1 to 18 digits, else 0. */
static int64_t
cap_id(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > 18)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return strtoll(s, NULL, 10);
}

enum status
h_admin_home(struct req *r)
{
	return admin_redirect(r, "/admin/posts");
}

/* The list of posts, or of pages (kind "page"), to edit. */
static enum status
admin_list(struct req *r, const char *kind)
{
	struct json_object *view = view_new(r), *posts;
	const char	*base = strcmp(kind, "page") == 0 ? "/admin/pages" :
	    "/admin/posts";
	int		 page;
	enum status	 st;
	size_t		 n;

	if ((st = page_number(r, &page)) != ST_OK)
		return st;
	if ((st = db_admin_posts(r->w->db, r->a, kind, ADMIN_PER_PAGE + 1,
	    (page - 1) * ADMIN_PER_PAGE, r->user, &posts)) != ST_OK)
		return st;
	json_object_object_add(view, "posts", posts);
	n = json_object_array_length(posts);
	if (n > ADMIN_PER_PAGE) {
		json_object_array_del_idx(posts, ADMIN_PER_PAGE,
		    n - ADMIN_PER_PAGE);
		json_object_object_add(view, "older", json_object_new_string(
		    arena_printf(r->a, "%s?page=%d", base, page + 1)));
	}
	if (page > 1)
		json_object_object_add(view, "newer", json_object_new_string(
		    arena_printf(r->a, "%s?page=%d", base, page - 1)));
	if (strcmp(kind, "page") == 0) {
		json_object_object_add(view, "is_page",
		    json_object_new_boolean(true));
		return admin_render(r, view, "posts.html", "Pages");
	}
	return admin_render(r, view, "posts.html", "Posts");
}

enum status
h_admin_posts(struct req *r)
{
	return admin_list(r, "post");
}

enum status
h_admin_pages(struct req *r)
{
	return admin_list(r, "page");
}

/*
 * The site's time zone, which the editor's datetime-local field is
 * read and shown in; "UTC" when the settings cannot be read (the write
 * that follows would fail the same way).  Lives in the arena.
 */
static const char *
site_zone(struct req *r)
{
	struct json_object *site, *v;
	const char	*z = "UTC";

	if (db_settings(r->w->db, r->a, &site) != ST_OK)
		return z;
	if (json_object_object_get_ex(site, "timezone", &v) &&
	    sitetime_zone_ok(json_object_get_string(v)))
		z = arena_strdup(r->a, json_object_get_string(v));
	json_object_put(site);
	return z;
}

/* "2026-01-02T03:04:05Z" as a datetime-local value in zone. */
static const char *
local_time(struct req *r, const char *iso, const char *zone)
{
	struct tm	 tm;
	time_t		 t;
	char		 s[32];

	if (sitetime_parse_utc(iso, &t) != 0)
		return "";
	sitetime_local(t, zone, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	return arena_strdup(r->a, s);
}

/*
 * post.pictures, for the feature field: the site's pictures, the post's
 * own (feature_image) selected.  A failure to read them leaves the
 * field with its current choice alone, so a save keeps it.
 */
static void
feature_choices(struct req *r, struct json_object *post)
{
	struct json_object *list, *cur, *o, *name;
	const char	*want = "";
	bool		 found = false;

	if (json_object_object_get_ex(post, "feature_image", &cur) &&
	    json_object_is_type(cur, json_type_string))
		want = json_object_get_string(cur);
	if (db_pictures(r->w->db, r->a, &list) != ST_OK)
		list = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		o = json_object_array_get_idx(list, i);
		if (json_object_object_get_ex(o, "name", &name) &&
		    strcmp(json_object_get_string(name), want) == 0) {
			json_object_object_add(o, "selected",
			    json_object_new_boolean(1));
			found = true;
		}
	}
	if (!found && *want != '\0') {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(want));
		json_object_object_add(o, "selected",
		    json_object_new_boolean(1));
		json_object_array_add(list, o);
	}
	json_object_object_add(post, "pictures", list);
}

/* Fills the edit form's extras from a post as db_admin_post gives it. */
static void
form_view(struct req *r, struct json_object *post, int64_t id)
{
	struct json_object *tags, *o;
	const char	*status = "draft", *zone = site_zone(r);
	bool		 page;
	struct buf	 b;

	page = json_object_object_get_ex(post, "kind", &o) &&
	    strcmp(json_object_get_string(o), "page") == 0;
	json_object_object_add(post, "is_page", json_object_new_boolean(page));
	json_object_object_add(post, "action", json_object_new_string(id ?
	    arena_printf(r->a, "/admin/posts/%lld", (long long)id) :
	    page ? "/admin/pages" : "/admin/posts"));
	if (id != 0) {
		json_object_object_add(post, "autosave_url",
		    json_object_new_string(arena_printf(r->a,
		    "/admin/posts/%lld/autosave", (long long)id)));
		json_object_object_add(post, "revisions_url",
		    json_object_new_string(arena_printf(r->a,
		    "/admin/posts/%lld/revisions", (long long)id)));
	}
	if (json_object_object_get_ex(post, "status", &o))
		status = json_object_get_string(o);
	json_object_object_add(post, "is_draft",
	    json_object_new_boolean(strcmp(status, "draft") == 0));
	json_object_object_add(post, "is_published",
	    json_object_new_boolean(strcmp(status, "published") == 0));
	json_object_object_add(post, "is_scheduled",
	    json_object_new_boolean(strcmp(status, "scheduled") == 0));
	if (json_object_object_get_ex(post, "published_at", &o) &&
	    !json_object_object_get_ex(post, "published_local", NULL))
		json_object_object_add(post, "published_local",
		    json_object_new_string(local_time(r,
		    json_object_get_string(o), zone)));
	json_object_object_add(post, "zone", json_object_new_string(zone));
	feature_choices(r, post);
	if (json_object_object_get_ex(post, "tags", &tags) &&
	    json_object_is_type(tags, json_type_array)) {
		buf_init(&b, r->a, 128);
		for (size_t i = 0; i < json_object_array_length(tags); i++) {
			struct json_object *t =
			    json_object_array_get_idx(tags, i), *nm;

			if (!json_object_object_get_ex(t, "name", &nm))
				continue;
			if (b.n > 0)
				buf_puts(&b, ", ");
			buf_puts(&b, json_object_get_string(nm));
		}
		json_object_object_add(post, "tags_text",
		    json_object_new_string(b.p != NULL ? b.p : ""));
	}
}

/*
 * When the newest revision of post id is an autosave (newer, so, than
 * its last save), the editor offers it: "autosave" in view, with links
 * to compare it with the last save and to restore it.  A failure to
 * read the list only loses the offer.
 */
static void
autosave_offer(struct req *r, struct json_object *view, int64_t id)
{
	struct json_object *list, *o, *v, *offer;
	int64_t		 rev, saved = 0;
	size_t		 n;

	if (db_revisions(r->w->db, r->a, id, &list) != ST_OK)
		return;
	n = json_object_array_length(list);
	o = n > 0 ? json_object_array_get_idx(list, 0) : NULL;
	if (o == NULL || !json_object_object_get_ex(o, "kind", &v) ||
	    strcmp(json_object_get_string(v), "autosave") != 0) {
		json_object_put(list);
		return;
	}
	json_object_object_get_ex(o, "id", &v);
	rev = json_object_get_int64(v);
	for (size_t i = 1; i < n && saved == 0; i++) {
		struct json_object *e = json_object_array_get_idx(list, i), *k;

		if (json_object_object_get_ex(e, "kind", &k) &&
		    strcmp(json_object_get_string(k), "autosave") != 0 &&
		    json_object_object_get_ex(e, "id", &k))
			saved = json_object_get_int64(k);
	}
	offer = json_object_new_object();
	json_object_object_add(offer, "id", json_object_new_int64(rev));
	if (json_object_object_get_ex(o, "created_at", &v))
		json_object_object_add(offer, "created_at",
		    json_object_new_string(json_object_get_string(v)));
	if (json_object_object_get_ex(o, "user", &v) && v != NULL &&
	    json_object_object_get_ex(v, "display_name", &v))
		json_object_object_add(offer, "by",
		    json_object_new_string(json_object_get_string(v)));
	json_object_object_add(offer, "compare", json_object_new_string(
	    arena_printf(r->a, "/admin/posts/%lld/revisions?from=%lld&to=%lld",
	    (long long)id, (long long)(saved ? saved : rev), (long long)rev)));
	json_object_object_add(offer, "restore", json_object_new_string(
	    arena_printf(r->a, "/admin/posts/%lld/revisions/%lld/restore",
	    (long long)id, (long long)rev)));
	json_object_object_add(view, "autosave", offer);
	json_object_put(list);
}

static enum status
new_form(struct req *r, const char *kind)
{
	struct json_object *view = view_new(r), *post;

	post = json_object_new_object();
	json_object_object_add(post, "status",
	    json_object_new_string("draft"));
	json_object_object_add(post, "kind", json_object_new_string(kind));
	form_view(r, post, 0);
	json_object_object_add(view, "post", post);
	return admin_render(r, view, "post.html", strcmp(kind, "page") == 0 ?
	    "New page" : "New post");
}

enum status
h_admin_post_new(struct req *r)
{
	return new_form(r, "post");
}

enum status
h_admin_page_new(struct req *r)
{
	return new_form(r, "page");
}

enum status
h_admin_post_edit(struct req *r)
{
	struct json_object *view = view_new(r), *post;
	int64_t		 id = cap_id(r->cap[0]);
	enum status	 st;

	if (id == 0)
		return ST_NOTFOUND;
	if ((st = db_post_may_edit(r->w->db, r->a, id, r->user)) != ST_OK ||
	    (st = db_admin_post(r->w->db, r->a, id, NULL, &post)) != ST_OK)
		return st;
	json_object_object_add(view, "post", post);
	form_view(r, post, id);
	autosave_offer(r, view, id);
		return admin_render(r, view, "post.html",
	    json_object_get_boolean(json_object_object_get(post, "is_page")) ?
	    "Edit page" : "Edit post");
}

/* "Not saved: slug: why; title: why." from the fields that failed. */
static const char *
failed_text(struct req *r)
{
	struct buf	 b;

	buf_init(&b, r->a, 128);
	buf_puts(&b, "Not saved: ");
	for (size_t i = 0; i < r->fails.n; i++)
		buf_printf(&b, "%s%s: %s", i ? "; " : "", r->fails.name[i],
		    r->fails.why[i]);
	buf_putc(&b, '.');
	return b.p;
}

/* The fields of the post form that show a message of their own, next
 * to them; a failure of any other name (the author, a field the form
 * does not have) is said in the banner alone. */
static const char *const own_message[] = {
	"title", "slug", "summary", "body_md", "tags", "status",
	"published_at", "feature_image",
};

/*
 * Adds "errors" to post: for each failed field of own_message, its
 * reason as a sentence ("needed" -> "Needed."), which the editor shows
 * under the field and points the field's aria-describedby at.
 */
static void
field_errors(struct req *r, struct json_object *post)
{
	struct json_object *errs = json_object_new_object();

	for (size_t i = 0; i < r->fails.n; i++) {
		const char	*why = r->fails.why[i];
		char		*s;
		size_t		 n;

		for (size_t k = 0; k < NELEM(own_message); k++) {
			if (strcmp(r->fails.name[i], own_message[k]) != 0)
				continue;
			n = strlen(why);
			s = arena_printf(r->a, "%s%s", why,
			    n > 0 && why[n - 1] == '.' ? "" : ".");
			if (islower((unsigned char)s[0]))
				s[0] = (char)toupper((unsigned char)s[0]);
			json_object_object_add(errs, own_message[k],
			    json_object_new_string(s));
		}
	}
	json_object_object_add(post, "errors", errs);
}

/* body as readers will get it, in the arena, the pictures' own alt text
 * filled in where the Markdown gives none, as the save will; NULL when
 * it does not render (the write then refuses it with its own reason). */
static const char *
rendered(struct req *r, const char *body)
{
	const struct md_opts o = { db_md_image, r->w->db };
	struct buf	 b;

	if (body == NULL || *body == '\0')
		return NULL;
	buf_init(&b, r->a, strlen(body) + 256);
	if (md_render_opts(body, strlen(body), &o, &b) != 0)
		return NULL;
	buf_putc(&b, '\0');
	return b.p;
}

/* What the author typed, or "" for a field that failed. */
static const char *
typed(struct req *r, enum post_key k)
{
	const char	*s = input_str(&r->fin[k]);

	return s != NULL ? s : "";
}

/*
 * The editor again after save_post() refused p (st: ST_UNPROCESSABLE or
 * ST_CONFLICT): what was typed, each failed field's reason by it, the
 * preview (html, when save_post() rendered the text already), and the
 * warning of noalt pictures without alt text, with the box to publish
 * anyway (ticked when anyway).
 */
static enum status
refused_post(struct req *r, const struct post_in *p, int64_t id,
    const char *kind, enum status st, const char *html, size_t noalt,
    bool anyway)
{
	struct json_object *view, *post;

	view = view_new(r);
	post = json_object_new_object();
	json_object_object_add(post, "id", json_object_new_int64(id));
	if (kind != NULL)
		json_object_object_add(post, "kind",
		    json_object_new_string(kind));
	json_object_object_add(post, "title",
	    json_object_new_string(typed(r, PK_TITLE)));
	json_object_object_add(post, "slug",
	    json_object_new_string(p->slug ? p->slug : ""));
	json_object_object_add(post, "summary",
	    json_object_new_string(typed(r, PK_SUMMARY)));
	json_object_object_add(post, "body_md",
	    json_object_new_string(typed(r, PK_BODY_MD)));
	json_object_object_add(post, "status",
	    json_object_new_string(p->status ? p->status : "draft"));
	json_object_object_add(post, "published_local",
	    json_object_new_string(typed(r, PK_PUBLISHED_AT)));
	json_object_object_add(post, "tags_text",
	    json_object_new_string(typed(r, PK_TAGS)));
	json_object_object_add(post, "feature_image",
	    json_object_new_string(typed(r, PK_FEATURE_IMAGE)));
	form_view(r, post, id);
	field_errors(r, post);
	/* The editor's preview starts with the text as typed. */
	if (html == NULL)
		html = rendered(r, typed(r, PK_BODY_MD));
	if (html != NULL)
		view_set_html(post, "body_html", html);
	if (noalt > 0) {
		json_object_object_add(post, "alt_warning",
		    json_object_new_string(arena_printf(r->a, "%zu %s in the "
		    "text %s no alt text (![](...)): readers who cannot see "
		    "%s get nothing in %s place. Describe each between the "
		    "brackets, ![like this](/media/name.png), or publish "
		    "anyway.", noalt, noalt == 1 ? "picture" : "pictures",
		    noalt == 1 ? "has" : "have", noalt == 1 ? "it" : "them",
		    noalt == 1 ? "its" : "their")));
		json_object_object_add(post, "publish_anyway",
		    json_object_new_boolean(anyway));
	}
	json_object_object_add(view, "post", post);
	json_object_object_add(view, "error", json_object_new_string(
	    r->fails.n > 0 ? failed_text(r) : "Not saved: a picture in the "
	    "text has no alt text (see the warning by the text)."));
	r->resp.status = st == ST_CONFLICT ? 409 : 422;
	return admin_render(r, view, "post.html", id ? "Edit post" :
	    "New post");
}

/*
 * The post form, read and checked against input_post_form before this
 * runs, then by the content rules, then written; on a refusal the form
 * again with what was typed and every field that failed.
 */
static enum status
save_post(struct req *r, int64_t id, const char *kind)
{
	struct post_in	 p;
	struct content_tags t;
	const char	*f = NULL, *why = NULL, *tags;
	const char	*when, *checks[PF__MAX], *anyway, *html = NULL;
	int64_t		 out_id;
	size_t		 noalt = 0;
	bool		 warn;
	enum status	 st = ST_UNPROCESSABLE;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.slug = input_str(&r->fin[PK_SLUG]);
	p.title = input_str(&r->fin[PK_TITLE]);
	p.summary = input_str(&r->fin[PK_SUMMARY]);
	p.body_md = input_str(&r->fin[PK_BODY_MD]);
	p.status = input_str(&r->fin[PK_STATUS]);
	/* The feature field ("" for none); a form without it keeps it. */
	if (r->fin[PK_FEATURE_IMAGE].state != IS_ABSENT) {
		p.set_feature = true;
		p.feature_image = *typed(r, PK_FEATURE_IMAGE) != '\0' ?
		    typed(r, PK_FEATURE_IMAGE) : NULL;
	}
	when = input_str(&r->fin[PK_PUBLISHED_AT]);
	tags = input_str(&r->fin[PK_TAGS]);
	p.published_at = when != NULL && *when != '\0' ? when : NULL;
	/* The form's datetime-local value is a wall clock of the site's
	 * zone: the instant it names goes on, in UTC. */
	if (p.published_at != NULL) {
		time_t	 at;
		char	 iso[32];

		if (sitetime_from_local(p.published_at, site_zone(r),
		    &at) == 0) {
			sitetime_utc_iso(at, iso, sizeof(iso));
			p.published_at = arena_strdup(r->a, iso);
		}
	}
	if (r->fin[PK_STATUS].state == IS_ABSENT)
		p.status = "draft";
	/* No slug typed: the title's, as the API and import make it. */
	if (r->fin[PK_SLUG].state != IS_INVALID &&
	    (p.slug == NULL || *p.slug == '\0') && p.title != NULL)
		p.slug = content_slugify(r->a, p.title, CONTENT_SLUG_MAX);
	if (r->fin[PK_SLUG].state != IS_INVALID &&
	    (p.slug == NULL || *p.slug == '\0'))
		input_fail(&r->fails, "slug", "needed");
	content_tags_init(&t, r->a);
	/* The page form has no tags field; an edit keeps what is stored. */
	if (tags != NULL && *tags != '\0' && kind != NULL &&
	    strcmp(kind, "page") == 0)
		input_fail(&r->fails, "tags", "a page has no tags");
	else if (tags != NULL &&
	    content_tags_parse(&t, r->a, tags, &why) != 0)
		input_fail(&r->fails, "tags", why);
	p.tag_slugs = t.slugs;
	p.tag_names = t.names;
	p.ntags = t.n;
	if (content_post_check(&p, true, checks) > 0)
		for (size_t i = 0; i < PF__MAX; i++)
			if (checks[i] != NULL)
				input_fail(&r->fails, content_post_fields[i],
				    checks[i]);
	/*
	 * Publishing (now or later) a text with a picture that has no alt
	 * text is held back once, with a warning by the text and a box to
	 * publish anyway; a draft is saved as it is.
	 */
	anyway = field(r, "publish_anyway");
	if (p.status != NULL && (strcmp(p.status, "published") == 0 ||
	    strcmp(p.status, "scheduled") == 0)) {
		/* Rendered once: the pictures as the renderer sees them
		 * (content/imgalt.h), and a refused form's preview. */
		html = rendered(r, p.body_md);
		noalt = html != NULL ? imgalt_missing(html, strlen(html)) : 0;
	}
	warn = noalt > 0 && anyway == NULL;
	if (r->fails.n == 0 && !warn) {
		st = db_post_write(r->w->db, r->a, &p, id, r->user, &out_id,
		    &f, &why);
		if (st == ST_UNPROCESSABLE || st == ST_CONFLICT)
			input_fail(&r->fails, f ? f : "a field",
			    why ? why : "was refused");
	}
	if (st == ST_OK) {
		r->changed = true;
		log_msg(LOG_INFO, "%s %s post %lld (%s)", r->user->username,
		    id ? "changed" : "created", (long long)out_id, p.slug);
		return admin_redirect(r, arena_printf(r->a,
		    "/admin/posts/%lld?done=%s", (long long)out_id,
		    id ? "saved" : "created"));
	}
	if (st != ST_UNPROCESSABLE && st != ST_CONFLICT)
		return st;
	return refused_post(r, &p, id, kind, st, html, noalt, anyway != NULL);
}

enum status
h_admin_post_create(struct req *r)
{
	return save_post(r, 0, "post");
}

enum status
h_admin_page_create(struct req *r)
{
	return save_post(r, 0, "page");
}

/* The kind stays as stored (NULL: the update does not change it). */
enum status
h_admin_post_update(struct req *r)
{
	int64_t	 id = cap_id(r->cap[0]);

	return id == 0 ? ST_NOTFOUND : save_post(r, id, NULL);
}

enum status
h_admin_post_delete(struct req *r)
{
	int64_t		 id = cap_id(r->cap[0]);
	const char	*kind;
	enum status	 st;

	if (id == 0)
		return ST_NOTFOUND;
	if ((st = db_post_delete(r->w->db, r->a, id, r->user)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s deleted post %lld", r->user->username,
	    (long long)id);
	/* Back to the list it came from: one of two fixed addresses. */
	kind = field(r, "kind");
	return admin_redirect(r, kind != NULL && strcmp(kind, "page") == 0 ?
	    "/admin/pages?done=deleted" : "/admin/posts?done=deleted");
}

/* Markdown to HTML for the editor's preview: the same renderer as a
 * saved post, so what the author sees is what readers will. */
enum status
h_admin_preview(struct req *r)
{
	const struct md_opts o = { db_md_image, r->w->db };
	const char	*md = field(r, "body_md");

	if (md == NULL || strlen(md) > CONTENT_BODY_MAX ||
	    !util_utf8_valid(md, strlen(md)))
		return ST_UNPROCESSABLE;
	if (md_render_opts(md, strlen(md), &o, &r->resp.body) != 0)
		return ST_UNPROCESSABLE;
	out_ctype(r, "text/html; charset=utf-8");
	r->resp.cache = "no-store";
	return ST_OK;
}

enum status
h_admin_tags(struct req *r)
{
	struct json_object *view = view_new(r), *tags;
	enum status	 st;

	if ((st = db_admin_tags(r->w->db, r->a, &tags)) != ST_OK)
		return st;
	json_object_object_add(view, "tags", tags);
	return admin_render(r, view, "tags.html", "Tags");
}

enum status
h_admin_tag_add(struct req *r)
{
	const char	*name = field(r, "name"), *slug = field(r, "slug");
	struct json_object *tag;
	enum status	 st;

	if (!util_text_ok(name, 1, CONTENT_TAG_NAME_MAX, false))
		return ST_UNPROCESSABLE;
	if (slug == NULL || *slug == '\0')
		slug = content_slugify(r->a, name, CONTENT_TAG_SLUG_MAX);
	if (slug == NULL ||
	    !util_slug_ok(slug, strlen(slug), CONTENT_TAG_SLUG_MAX))
		return ST_UNPROCESSABLE;
	if ((st = db_tag_add(r->w->db, r->a, slug, name, &tag)) != ST_OK)
		return st;
	r->changed = true;
	json_object_put(tag);
	return admin_redirect(r, "/admin/tags?done=tag-added");
}

enum status
h_admin_tag_update(struct req *r)
{
	const char	*name = field(r, "name");
	struct json_object *tag;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if (!util_text_ok(name, 1, CONTENT_TAG_NAME_MAX, false))
		return ST_UNPROCESSABLE;
	if ((st = db_tag_update(r->w->db, r->a, r->cap[0], NULL, name,
	    &tag)) != ST_OK)
		return st;
	r->changed = true;
	json_object_put(tag);
	return admin_redirect(r, "/admin/tags?done=saved");
}

enum status
h_admin_tag_delete(struct req *r)
{
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = db_tag_delete(r->w->db, r->a, r->cap[0])) != ST_OK)
		return st;
	r->changed = true;
	return admin_redirect(r, "/admin/tags?done=deleted");
}

enum status
h_admin_settings(struct req *r)
{
	struct json_object *view = view_new(r), *settings;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = db_settings_all(r->w->db, r->a, &settings)) != ST_OK)
		return st;
	{
		struct json_object *v;
		const char *c = json_object_object_get_ex(settings, "comments",
		    &v) ? json_object_get_string(v) : "held";

		json_object_object_add(settings, "comments_held",
		    json_object_new_boolean(strcmp(c, "open") != 0 &&
		    strcmp(c, "closed") != 0));
		json_object_object_add(settings, "comments_open",
		    json_object_new_boolean(strcmp(c, "open") == 0));
		json_object_object_add(settings, "comments_closed",
		    json_object_new_boolean(strcmp(c, "closed") == 0));
		c = json_object_object_get_ex(settings, "feed_content", &v) ?
		    json_object_get_string(v) : "full";
		json_object_object_add(settings, "feed_summary",
		    json_object_new_boolean(strcmp(c, "summary") == 0));
		json_object_object_add(settings, "feed_full",
		    json_object_new_boolean(strcmp(c, "summary") != 0));
	}
	{
		struct json_object *langs = json_object_new_array(), *v;
		const char *cur = json_object_object_get_ex(settings,
		    "language", &v) ? json_object_get_string(v) : I18N_REF;

		for (size_t i = 0; i < i18n_nlangs(r->w->i18n); i++) {
			struct json_object *o = json_object_new_object();
			const char *c = i18n_lang_code(r->w->i18n, i);

			json_object_object_add(o, "code",
			    json_object_new_string(c));
			json_object_object_add(o, "selected",
			    json_object_new_boolean(strcmp(c, cur) == 0));
			json_object_array_add(langs, o);
		}
		json_object_object_add(settings, "languages", langs);
		if (!json_object_object_get_ex(settings, "timezone", NULL))
			json_object_object_add(settings, "timezone",
			    json_object_new_string("UTC"));
	}
	json_object_object_add(view, "settings", settings);
	return admin_render(r, view, "settings.html", "Settings");
}

enum status
h_admin_settings_save(struct req *r)
{
	const char	*title = field(r, "title");
	const char	*desc = field(r, "description");
	const char	*per = field(r, "posts_per_page");
	const char	*comments = field(r, "comments");
	const char	*keep = field(r, "revisions_keep");
	const char	*zone = field(r, "timezone");
	const char	*feed = field(r, "feed_content");
	const char	*lang = field(r, "language");
	const char	*kv[16];
	enum status	 st;
	size_t		 n;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if (!util_text_ok(title, 1, 200, false) ||
	    !util_text_ok(desc, 0, 1000, false) ||
	    per == NULL || (n = strlen(per)) < 1 || n > 3 ||
	    strspn(per, "0123456789") != n || atoi(per) < 1 || atoi(per) > 100)
		return ST_UNPROCESSABLE;
	/* Absent (a form from before the setting): left as it is. */
	if (keep != NULL && ((n = strlen(keep)) < 1 || n > 4 ||
	    strspn(keep, "0123456789") != n || atoi(keep) < 1 ||
	    atoi(keep) > 1000))
		return ST_UNPROCESSABLE;
	if (comments == NULL)
		comments = "held";
	if (strcmp(comments, "held") != 0 && strcmp(comments, "open") != 0 &&
	    strcmp(comments, "closed") != 0)
		return ST_UNPROCESSABLE;
	/* What every feed carries of a post (0012_feeds.sql). */
	if (feed == NULL)
		feed = "full";
	if (strcmp(feed, "full") != 0 && strcmp(feed, "summary") != 0)
		return ST_UNPROCESSABLE;
	kv[0] = "title";
	kv[1] = title;
	kv[2] = "description";
	kv[3] = desc;
	kv[4] = "posts_per_page";
	kv[5] = arena_printf(r->a, "%d", atoi(per));
	kv[6] = "comments";
	kv[7] = comments;
	kv[8] = "feed_content";
	kv[9] = feed;
	n = 5;
	if (keep != NULL) {
		kv[2 * n] = "revisions_keep";
		kv[2 * n++ + 1] = arena_printf(r->a, "%d", atoi(keep));
	}
	/*
	 * Both may be left out (an older form): they stay as they are.
	 * Sent, they must name a zone of tzdata and a language inkwell
	 * ships, or nothing is saved.
	 */
	if (zone != NULL) {
		if (!sitetime_zone_ok(zone)) {
			r->resp.detail = "The time zone must be a name from "
			    "the time zone database, such as UTC, Europe/Berlin or "
			    "America/New_York.";
			log_msg(LOG_INFO, "settings: time zone refused");
			return ST_INVALID;
		}
		kv[2 * n] = "timezone";
		kv[2 * n++ + 1] = zone;
	}
	if (lang != NULL) {
		if (i18n_find(r->w->i18n, lang) == NULL) {
			r->resp.detail = "The language must be one inkwell "
			    "ships a file for (en or de).";
			log_msg(LOG_INFO, "settings: language refused");
			return ST_INVALID;
		}
		kv[2 * n] = "language";
		kv[2 * n++ + 1] = lang;
	}
	if ((st = db_settings_save(r->w->db, r->a, kv, n)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s changed the settings", r->user->username);
	return admin_redirect(r, "/admin/settings?done=saved");
}

enum status
h_admin_media(struct req *r)
{
	struct json_object *view = view_new(r), *list;
	struct media_out *m;
	size_t		 n;
	enum status	 st;

	if ((st = db_media_list(r->w->db, r->a, 200, 0, &m, &n)) != ST_OK)
		return st;
	list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
		    json_object_new_string(m[i].name));
		json_object_object_add(o, "url", json_object_new_string(
		    arena_printf(r->a, "/media/%s", m[i].name)));
		json_object_object_add(o, "content_type",
		    json_object_new_string(m[i].content_type));
		json_object_object_add(o, "bytes",
		    json_object_new_int64(m[i].bytes));
		json_object_object_add(o, "uploaded_by",
		    json_object_new_string(m[i].uploaded_by));
		json_object_object_add(o, "may_delete", json_object_new_boolean(
		    r->user->admin ||
		    strcmp(m[i].uploaded_by, r->user->username) == 0));
		json_object_object_add(o, "alt",
		    json_object_new_string(m[i].alt));
		json_object_object_add(o, "processed",
		    json_object_new_boolean(m[i].width > 0));
		if (m[i].width > 0) {
			json_object_object_add(o, "width",
			    json_object_new_int((int)m[i].width));
			json_object_object_add(o, "height",
			    json_object_new_int((int)m[i].height));
		}
		json_object_object_add(o, "variants",
		    media_variants_json(r, &m[i]));
		json_object_object_add(o, "nvariants",
		    json_object_new_int((int)m[i].nvariants));
		json_object_object_add(o, "has_variants",
		    json_object_new_boolean(m[i].nvariants > 0));
		json_object_array_add(list, o);
	}
	json_object_object_add(view, "media", list);
	return admin_render(r, view, "media.html", "Media");
}

/* The alt text of a picture, from the media page's form: the uploader
 * or an admin.  Posts already saved keep the text they were rendered
 * with until they are saved again. */
enum status
h_admin_media_alt(struct req *r)
{
	struct media_out m;
	const char	*alt = field(r, "alt");
	enum status	 st;

	if (media_name_problem(r->cap[0]) != NULL)
		return ST_NOTFOUND;
	if (alt == NULL || strlen(alt) > 1000 ||
	    !util_text_ok(alt, 0, 1000, false)) {
		r->resp.detail = "alt text is one line of at most 1000 bytes";
		return ST_UNPROCESSABLE;
	}
	if ((st = db_media_set_alt(r->w->db, r->a, r->cap[0], alt,
	    r->user->id, r->user->admin, &m)) != ST_OK)
		return st;
	return admin_redirect(r, "/admin/media?done=saved");
}

/* The uploader or an admin; a post that shows the image is left as it
 * is (its link then answers 404). */
enum status
h_admin_media_delete(struct req *r)
{
	enum status	 st;

	if (media_name_problem(r->cap[0]) != NULL)
		return ST_NOTFOUND;
	if ((st = db_media_delete(r->w->db, r->a, r->cap[0], r->user->id,
	    r->user->admin)) != ST_OK)
		return st;
	return admin_redirect(r, "/admin/media?done=deleted");
}
