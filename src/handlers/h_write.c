/* SPDX-License-Identifier: MIT */
/*
 * h_write.c: the write JSON API for posts and tags (RF_USER: an API
 * token, or a session with its CSRF token).  A token can do what its
 * user can and no more: authors write their own posts, admins any, and
 * only admins rename or delete tags.  Bodies are strict: an unknown
 * field, or a field of the wrong type, is a 422 that names it.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
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

#define TAGS_MAX	100

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

/* A 4xx with the error shape error_page() gives, plus what was wrong. */
static enum status
refuse(struct req *r, enum status st, const char *field, const char *why)
{
	struct json_object *root = view_new(r), *err, *fields;
	int		 http = error_http_status(st);

	err = json_object_new_object();
	json_object_object_add(err, "status", json_object_new_int(http));
	json_object_object_add(err, "code", json_object_new_string(
	    st == ST_UNPROCESSABLE ? "invalid" : st == ST_CONFLICT ?
	    "conflict" : st == ST_UNSUPPORTED ? "unsupported_media_type" :
	    "bad_request"));
	json_object_object_add(err, "message", json_object_new_string(
	    arena_printf(r->a, "%s%s%s", field ? field : "",
	    field ? ": " : "", why)));
	if (field != NULL) {
		fields = json_object_new_object();
		json_object_object_add(fields, field,
		    json_object_new_string(why));
		json_object_object_add(err, "fields", fields);
	}
	json_object_object_add(root, "error", err);
	out_json(r, root);
	r->resp.status = http;
	r->resp.cache = "no-store";
	return ST_OK;
}

/* The body as an object, or a refusal already written (*done). */
static struct json_object *
body(struct req *r, enum status *done)
{
	struct json_object *o;
	const char	*why;
	enum status	 st;

	if ((st = input_json_object(r->ctype_in, r->body, r->bodylen, &o,
	    &why)) != ST_OK) {
		*done = refuse(r, st, NULL, why);
		return NULL;
	}
	own(r, o);
	return o;
}

/* A string field: *s set when present (NULL for JSON null when
 * nullable); false with *why for another type or an embedded NUL. */
static bool
string_field(struct json_object *v, bool nullable, const char **s,
    const char **why)
{
	if (v == NULL && nullable) {
		*s = NULL;
		return true;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*why = nullable ? "must be a string or null" :
		    "must be a string";
		return false;
	}
	*s = json_object_get_string(v);
	if (strlen(*s) != (size_t)json_object_get_string_len(v)) {
		*why = "must not contain NUL";
		return false;
	}
	return true;
}

/*
 * Applies the fields of o over p (what is absent stays).  false with
 * *field and *why for an unknown field or a wrong type.
 */
static bool
merge(struct req *r, struct json_object *o, struct post_in *p,
    const char **field, const char **why)
{
	json_object_object_foreach(o, key, v) {
		*field = arena_strdup(r->a, key);
		if (strcmp(key, "slug") == 0) {
			if (!string_field(v, false, &p->slug, why))
				return false;
		} else if (strcmp(key, "title") == 0) {
			if (!string_field(v, false, &p->title, why))
				return false;
		} else if (strcmp(key, "summary") == 0) {
			if (!string_field(v, false, &p->summary, why))
				return false;
		} else if (strcmp(key, "body_md") == 0) {
			if (!string_field(v, false, &p->body_md, why))
				return false;
		} else if (strcmp(key, "status") == 0) {
			if (!string_field(v, false, &p->status, why))
				return false;
		} else if (strcmp(key, "published_at") == 0) {
			if (!string_field(v, true, &p->published_at, why))
				return false;
		} else if (strcmp(key, "tags") == 0) {
			const char **slugs;
			size_t	 n;

			if (!json_object_is_type(v, json_type_array)) {
				*why = "must be an array of tag slugs";
				return false;
			}
			if ((n = json_object_array_length(v)) > TAGS_MAX) {
				*why = "at most 100 tags";
				return false;
			}
			slugs = arena_alloc(r->a, sizeof(*slugs) * (n + 1));
			for (size_t i = 0; i < n; i++) {
				if (!string_field(json_object_array_get_idx(v,
				    i), false, &slugs[i], why)) {
					*why = "must be an array of tag slugs";
					return false;
				}
				if (!util_slug_ok(slugs[i], strlen(slugs[i]),
				    100)) {
					*why = "a tag slug is lower-case "
					    "letters and digits joined by "
					    "single '-', at most 100";
					return false;
				}
			}
			p->tag_slugs = slugs;
			p->tag_names = NULL;
			p->ntags = n;
		} else {
			*why = "is not a field of a post";
			return false;
		}
	}
	*field = NULL;
	return true;
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
	enum status	 st;

	if ((st = db_admin_post(r->w->db, r->a, id, NULL, &post)) != ST_OK)
		return st;
	json_object_object_add(root, "post", post);
	out_json(r, root);
	r->resp.status = http;
	r->resp.cache = "no-store";
	if (http == 201)
		out_header(r, "Location", arena_printf(r->a,
		    "/api/v1/posts/%s", get_str(post, "slug")));
	return ST_OK;
}

static enum status
write_post(struct req *r, struct post_in *p, int64_t id, int http)
{
	const char	*field = NULL, *why = NULL;
	int64_t		 out_id;
	enum status	 st;

	st = db_post_write(r->w->db, r->a, p, id, r->user, &out_id, &field,
	    &why);
	if (st == ST_UNPROCESSABLE || st == ST_CONFLICT)
		return refuse(r, st, field ? field : "post",
		    why ? why : "was refused");
	if (st != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s %s post %lld (%s) through the API",
	    r->user->username, id ? "changed" : "created",
	    (long long)out_id, p->slug);
	return answer_post(r, out_id, http);
}

enum status
h_api_post_create(struct req *r)
{
	struct json_object *o;
	struct post_in	 p;
	const char	*field, *why;
	enum status	 done = ST_OK;

	if ((o = body(r, &done)) == NULL)
		return done;
	memset(&p, 0, sizeof(p));
	p.status = "draft";
	/* The API names tags that exist (made with POST /api/v1/tags);
	 * the admin form makes the ones typed. */
	p.known_tags = true;
	if (!merge(r, o, &p, &field, &why))
		return refuse(r, ST_UNPROCESSABLE, field, why);
	if (p.slug == NULL)
		return refuse(r, ST_UNPROCESSABLE, "slug", "is required");
	if (p.title == NULL)
		return refuse(r, ST_UNPROCESSABLE, "title", "is required");
	return write_post(r, &p, 0, 201);
}

enum status
h_api_post_update(struct req *r)
{
	struct json_object *o, *post, *idv;
	struct post_in	 p;
	const char	*field, *why;
	int64_t		 id;
	enum status	 done = ST_OK, st;

	if ((st = db_admin_post(r->w->db, r->a, 0, r->cap[0], &post)) !=
	    ST_OK)
		return st;
	own(r, post);
	json_object_object_get_ex(post, "id", &idv);
	id = json_object_get_int64(idv);
	if ((st = db_post_may_edit(r->w->db, r->a, id, r->user)) != ST_OK)
		return st;
	if ((o = body(r, &done)) == NULL)
		return done;
	memset(&p, 0, sizeof(p));
	p.slug = get_str(post, "slug");
	p.title = get_str(post, "title");
	p.summary = get_str(post, "summary");
	p.body_md = get_str(post, "body_md");
	p.status = get_str(post, "status");
	p.published_at = get_str(post, "published_at");
	current_tags(r, post, &p);
	p.known_tags = true;
	if (!merge(r, o, &p, &field, &why))
		return refuse(r, ST_UNPROCESSABLE, field, why);
	return write_post(r, &p, id, 200);
}

enum status
h_api_post_delete(struct req *r)
{
	struct json_object *post, *idv;
	enum status	 st;
	int64_t		 id;

	if ((st = db_admin_post(r->w->db, r->a, 0, r->cap[0], &post)) !=
	    ST_OK)
		return st;
	own(r, post);
	json_object_object_get_ex(post, "id", &idv);
	id = json_object_get_int64(idv);
	if ((st = db_post_delete(r->w->db, r->a, id, r->user)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s deleted post %lld (%s) through the API",
	    r->user->username, (long long)id, r->cap[0]);
	r->resp.status = 204;
	r->resp.cache = "no-store";
	return ST_OK;
}

/* Reads {"slug", "name"} for a tag; each NULL when absent. */
static bool
tag_fields(struct req *r, struct json_object *o, const char **slug,
    const char **name, const char **field, const char **why)
{
	*slug = *name = NULL;
	json_object_object_foreach(o, key, v) {
		*field = arena_strdup(r->a, key);
		if (strcmp(key, "slug") == 0) {
			if (!string_field(v, false, slug, why))
				return false;
			if (!util_slug_ok(*slug, strlen(*slug), 100)) {
				*why = "must be lower-case letters and digits "
				    "joined by single '-', at most 100";
				return false;
			}
		} else if (strcmp(key, "name") == 0) {
			size_t	 c = 0;

			if (!string_field(v, false, name, why))
				return false;
			for (const char *p = *name; *p != '\0'; p++) {
				if ((unsigned char)*p < 0x20) {
					*why = "must be one line";
					return false;
				}
				c += ((unsigned char)*p & 0xc0) != 0x80;
			}
			if (c < 1 || c > 100) {
				*why = "must be 1 to 100 characters";
				return false;
			}
		} else {
			*why = "is not a field of a tag";
			return false;
		}
	}
	*field = NULL;
	return true;
}

static enum status
answer_tag(struct req *r, struct json_object *tag, int http)
{
	struct json_object *root = view_new(r);

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
	struct json_object *o, *tag;
	const char	*slug, *name, *field, *why;
	enum status	 done = ST_OK, st;

	if ((o = body(r, &done)) == NULL)
		return done;
	if (!tag_fields(r, o, &slug, &name, &field, &why))
		return refuse(r, ST_UNPROCESSABLE, field, why);
	if (slug == NULL)
		return refuse(r, ST_UNPROCESSABLE, "slug", "is required");
	if ((st = db_tag_add(r->w->db, r->a, slug, name ? name : slug,
	    &tag)) == ST_CONFLICT)
		return refuse(r, st, "slug", "there is a tag with this slug");
	if (st != ST_OK)
		return st;
	return answer_tag(r, tag, 201);
}

enum status
h_api_tag_update(struct req *r)
{
	struct json_object *o, *tag;
	const char	*slug, *name, *field, *why;
	enum status	 done = ST_OK, st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((o = body(r, &done)) == NULL)
		return done;
	if (!tag_fields(r, o, &slug, &name, &field, &why))
		return refuse(r, ST_UNPROCESSABLE, field, why);
	if ((st = db_tag_update(r->w->db, r->a, r->cap[0], slug, name,
	    &tag)) == ST_CONFLICT)
		return refuse(r, st, "slug", "there is a tag with this slug");
	if (st != ST_OK)
		return st;
	return answer_tag(r, tag, 200);
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
