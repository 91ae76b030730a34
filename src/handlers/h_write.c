/* SPDX-License-Identifier: MIT */
/*
 * h_write.c: the write JSON API for posts and tags (RF_USER: an API
 * token, or a session with its CSRF token).  A token can do what its
 * user can and no more: authors write their own posts, admins any, and
 * only admins rename or delete tags.  Bodies are strict: an unknown
 * field, or a field of the wrong type, is a 422 that names it.  The
 * bodies are read and checked by their tables in input.c before a
 * handler here runs; a handler adds what content says is wrong to
 * r->fails and returns a status, and error_page() (view/error.c)
 * writes the answer.
 *
 * Pages (/api/v1/pages, 0008) are posts of kind 'page' and go through
 * the same handlers: the route says which kind, and a post is not found
 * under /pages/ nor a page under /posts/.  Pages have no tags.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "content/content.h"
#include "content/media.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/log.h"
#include "http/out.h"
#include "http/req.h"
#include "view/error.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

static void
put(void *o)
{
	json_object_put(o);
}

/* o is freed with the request. */
static void
own(struct req *r, struct json_object *o)
{
	arena_defer(r->a, put, o);
}

/* The kind the route is about: "page" under /api/v1/pages, else "post". */
static const char *
route_kind(const struct req *r)
{
	return r->route != NULL && strncmp(r->route, "/api/v1/pages",
	    strlen("/api/v1/pages")) == 0 ? "page" : "post";
}

/* The post the route names (r->cap[0]), of the route's kind, freed with
 * the request, and its id. */
static enum status
the_post(struct req *r, struct json_object **post, int64_t *id)
{
	struct json_object *idv, *kind;
	enum status	 st;

	if ((st = db_admin_post(r->w->db, r->a, 0, r->cap[0], post)) != ST_OK)
		return st;
	own(r, *post);
	if (!json_object_object_get_ex(*post, "kind", &kind) ||
	    strcmp(json_object_get_string(kind), route_kind(r)) != 0)
		return ST_NOTFOUND;
	json_object_object_get_ex(*post, "id", &idv);
	*id = json_object_get_int64(idv);
	return ST_OK;
}

/*
 * The feature picture sent (PK_FEATURE_IMAGE, present): a media name,
 * or null or "" for none.  Whether a picture has the name is the
 * database's to say, when the post is written.
 */
static void
feature(struct req *r, struct post_in *p)
{
	const char	*name = input_str(&r->fin[PK_FEATURE_IMAGE]), *why;

	p->set_feature = true;
	p->feature_image = name != NULL && *name != '\0' ? name : NULL;
	/* An invalid field is in r->fails already, from the parser. */
	if (r->fin[PK_FEATURE_IMAGE].state != IS_INVALID &&
	    p->feature_image != NULL &&
	    (why = media_name_problem(p->feature_image)) != NULL)
		input_fail(&r->fails, "feature_image", why);
}

/* The body's fields over p: a field sent changes, one absent stays. */
static void
merge(struct req *r, struct post_in *p)
{
	const struct input_got *g = r->fin;

	if (g[PK_SLUG].state != IS_ABSENT)
		p->slug = input_str(&g[PK_SLUG]);
	if (g[PK_TITLE].state != IS_ABSENT)
		p->title = input_str(&g[PK_TITLE]);
	if (g[PK_SUMMARY].state != IS_ABSENT)
		p->summary = input_str(&g[PK_SUMMARY]);
	if (g[PK_BODY_MD].state != IS_ABSENT)
		p->body_md = input_str(&g[PK_BODY_MD]);
	if (g[PK_STATUS].state != IS_ABSENT)
		p->status = input_str(&g[PK_STATUS]);
	if (g[PK_PUBLISHED_AT].state != IS_ABSENT)
		p->published_at = input_str(&g[PK_PUBLISHED_AT]);
	if (g[PK_FEATURE_IMAGE].state != IS_ABSENT)
		feature(r, p);
	if (g[PK_TAGS].state != IS_ABSENT && strcmp(route_kind(r), "page") == 0)
		input_fail(&r->fails, "tags", "a page has no tags");
	else if (g[PK_TAGS].state != IS_ABSENT) {
		p->tag_slugs = (const char *const *)g[PK_TAGS].list;
		p->tag_names = NULL;
		p->ntags = g[PK_TAGS].state == IS_INVALID ? 0 : g[PK_TAGS].n;
	}
}

/*
 * The post by the content rules; the fields that fail join r->fails.
 * True when none has failed, in the body or here.
 */
static bool
post_valid(struct req *r, const struct post_in *p)
{
	const char	*why[PF__MAX];

	if (content_post_check(p, true, why) > 0)
		for (size_t f = 0; f < PF__MAX; f++)
			if (why[f] != NULL)
				input_fail(&r->fails, content_post_fields[f],
				    why[f]);
	return r->fails.n == 0;
}

/* p's current tags from the post as db_admin_post gives it. */
static void
current_tags(struct req *r, struct json_object *post, struct post_in *p)
{
	struct json_object *tags, *t, *slug;
	const char	**slugs;
	size_t		 n;

	if (!json_object_object_get_ex(post, "tags", &tags) ||
	    (n = json_object_array_length(tags)) == 0)
		return;
	slugs = arena_alloc(r->a, sizeof(*slugs) * n);
	for (size_t i = 0; i < n; i++) {
		t = json_object_array_get_idx(tags, i);
		slugs[i] = json_object_object_get_ex(t, "slug", &slug) ?
		    json_object_get_string(slug) : "";
	}
	p->tag_slugs = slugs;
	p->ntags = n;
}

static const char *
get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

/* The post as stored, in the answer. */
static enum status
answer_post(struct req *r, int64_t id, int http)
{
	struct json_object *root = view_new(r), *post;
	const char	*kind = route_kind(r);
	enum status	 st;

	if ((st = db_admin_post(r->w->db, r->a, id, NULL, &post)) != ST_OK)
		return st;
	json_object_object_add(root, kind, post);
	out_json(r, root);
	r->resp.status = http;
	r->resp.cache = "no-store";
	if (http == 201)
		out_header(r, "Location", arena_printf(r->a,
		    "/api/v1/%ss/%s", kind, get_str(post, "slug")));
	return ST_OK;
}

/* Writes p (checked already) and answers with it as stored. */
static enum status
write_post(struct req *r, struct post_in *p, int64_t id, int http)
{
	const char	*field = NULL, *why = NULL;
	int64_t		 out_id;
	enum status	 st;

	st = db_post_write(r->w->db, r->a, p, id, r->user, &out_id, &field,
	    &why);
	if (st == ST_UNPROCESSABLE || st == ST_CONFLICT) {
		input_fail(&r->fails, field ? field : "post",
		    why ? why : "was refused");
		return st;
	}
	if (st != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s %s %s %lld (%s) through the API",
	    r->user->username, id ? "changed" : "created", route_kind(r),
	    (long long)out_id, p->slug);
	return answer_post(r, out_id, http);
}

enum status
h_api_post_create(struct req *r)
{
	struct post_in	 p;

	memset(&p, 0, sizeof(p));
	p.status = "draft";
	p.kind = route_kind(r);
	/* The API names tags that exist (made with POST /api/v1/tags);
	 * the admin form makes the ones typed. */
	p.known_tags = true;
	merge(r, &p);
	if (r->fin[PK_TITLE].state == IS_ABSENT)
		input_fail(&r->fails, "title", "is required");
	/* No slug: the title's, as the admin form and import make it. */
	if (r->fin[PK_SLUG].state == IS_ABSENT && p.title != NULL &&
	    (p.slug = content_slugify(r->a, p.title, CONTENT_SLUG_MAX)) ==
	    NULL)
		input_fail(&r->fails, "slug", "is required when the title "
		    "has no letters or digits");
	if (!post_valid(r, &p))
		return ST_UNPROCESSABLE;
	return write_post(r, &p, 0, 201);
}

/*
 * Three calls on the database: the post is read (to merge the body
 * over it), written in one transaction that locks it and checks its
 * author again, and read back for the answer.  The body was checked
 * before the first; the merged post is checked before the write.
 */
enum status
h_api_post_update(struct req *r)
{
	struct json_object *post, *author, *aid;
	struct post_in	 p;
	int64_t		 id;
	enum status	 st;

	if (r->fails.n > 0)
		return ST_UNPROCESSABLE;
	if ((st = the_post(r, &post, &id)) != ST_OK)
		return st;
	/* Someone else's post: refused before its fields are judged. */
	if (!r->user->admin && (!json_object_object_get_ex(post, "author",
	    &author) || !json_object_object_get_ex(author, "id", &aid) ||
	    json_object_get_int64(aid) != r->user->id))
		return ST_FORBIDDEN;
	memset(&p, 0, sizeof(p));
	p.slug = get_str(post, "slug");
	p.title = get_str(post, "title");
	p.summary = get_str(post, "summary");
	p.body_md = get_str(post, "body_md");
	p.status = get_str(post, "status");
	p.published_at = get_str(post, "published_at");
	current_tags(r, post, &p);
	p.known_tags = true;
	merge(r, &p);
	if (!post_valid(r, &p))
		return ST_UNPROCESSABLE;
	return write_post(r, &p, id, 200);
}

enum status
h_api_post_delete(struct req *r)
{
	struct json_object *post;
	enum status	 st;
	int64_t		 id;

	if ((st = the_post(r, &post, &id)) != ST_OK)
		return st;
	if ((st = db_post_delete(r->w->db, r->a, id, r->user)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s deleted %s %lld (%s) through the API",
	    r->user->username, route_kind(r), (long long)id, r->cap[0]);
	r->resp.status = 204;
	r->resp.cache = "no-store";
	return ST_OK;
}

/*
 * The tag's fields from the body, each NULL when absent; false when one
 * fails (named in r->fails).
 */
static bool
tag_fields(struct req *r, const char **slug, const char **name)
{
	long	 c;

	*slug = input_str(&r->fin[TK_SLUG]);
	*name = input_str(&r->fin[TK_NAME]);
	if (*slug != NULL && !util_slug_ok(*slug, strlen(*slug),
	    CONTENT_TAG_SLUG_MAX))
		input_fail(&r->fails, "slug", "must be lower-case letters and "
		    "digits joined by single '-', at most 100");
	if (*name != NULL && !util_text_ok(*name, 0, (size_t)-1, false))
		input_fail(&r->fails, "name", "must be one line");
	else if (*name != NULL && ((c = content_chars(*name, strlen(*name))) <
	    1 || c > CONTENT_TAG_NAME_MAX))
		input_fail(&r->fails, "name", "must be 1 to 100 characters");
	return r->fails.n == 0;
}

/* The answer to a tag written with status st: the tag, as 201 with its
 * Location when it is new (http), or st, naming the slug on a conflict. */
static enum status
answer_tag(struct req *r, enum status st, struct json_object *tag,
    int http)
{
	struct json_object *root;

	if (st == ST_CONFLICT)
		input_fail(&r->fails, "slug", "there is a tag with this slug");
	if (st != ST_OK)
		return st;
	root = view_new(r);
	r->changed = true;
	json_object_object_add(root, "tag", tag);
	out_json(r, root);
	r->resp.status = http;
	r->resp.cache = "no-store";
	if (http == 201)
		out_header(r, "Location", arena_printf(r->a, "/tags/%s",
		    get_str(tag, "slug")));
	return ST_OK;
}

enum status
h_api_tag_create(struct req *r)
{
	struct json_object *tag;
	const char	*slug, *name;
	enum status	 st;

	if (!tag_fields(r, &slug, &name))
		return ST_UNPROCESSABLE;
	if (slug == NULL) {
		input_fail(&r->fails, "slug", "is required");
		return ST_UNPROCESSABLE;
	}
	st = db_tag_add(r->w->db, r->a, slug, name ? name : slug, &tag);
	return answer_tag(r, st, tag, 201);
}

enum status
h_api_tag_update(struct req *r)
{
	struct json_object *tag;
	const char	*slug, *name;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if (!tag_fields(r, &slug, &name))
		return ST_UNPROCESSABLE;
	st = db_tag_update(r->w->db, r->a, r->cap[0], slug, name, &tag);
	return answer_tag(r, st, tag, 200);
}

enum status
h_api_tag_delete(struct req *r)
{
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = db_tag_delete(r->w->db, r->a, r->cap[0])) != ST_OK)
		return st;
	r->changed = true;
	r->resp.status = 204;
	r->resp.cache = "no-store";
	return ST_OK;
}
