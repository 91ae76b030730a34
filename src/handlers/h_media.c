/* SPDX-License-Identifier: MIT */
/*
 * h_media.c: media files (images for posts): uploaded, listed and
 * deleted through the API by signed-in users, served to everyone from
 * /media/NAME.
 *
 * A name's bytes never change (db_media.c refuses other bytes under a
 * taken name), so /media/ answers are cached by browsers and proxies for
 * a year without asking again, with the SHA-256 as ETag.  They do not
 * go through the page cache: images are large, and Redis is for pages.
 * The type served is the one the bytes have (media_sniff), so a row
 * written behind inkwell's back cannot make /media/ serve HTML.
 *
 * An upload is decoded and written again by inkwell-image, in its own
 * limited process (content/imgrun.h), before it is stored: what a name
 * holds is the clean picture, and its smaller copies (variants) are
 * served here under their own names, immutable too.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "lib/log.h"
#include "content/imgrun.h"
#include "content/media.h"
#include "lib/conf.h"
#include "http/input.h"
#include "http/out.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/util.h"
#include "lib/worker_state.h"

#define IMMUTABLE	"public, max-age=31536000, immutable"
#define PER_PAGE	50	/* default per_page of the listing */
#define ALT_MAX		1000	/* bytes of alt text: the schema's CHECK */

/* A picture's variants as the API and the admin page show them. */
struct json_object *
media_variants_json(struct req *r, const struct media_out *m)
{
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < m->nvariants; i++) {
		const struct media_variant_out *v = &m->variants[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
		    json_object_new_string(v->name));
		json_object_object_add(o, "url", json_object_new_string(
		    arena_printf(r->a, "/media/%s", v->name)));
		json_object_object_add(o, "content_type",
		    json_object_new_string(v->content_type));
		json_object_object_add(o, "width",
		    json_object_new_int((int)v->width));
		json_object_object_add(o, "height",
		    json_object_new_int((int)v->height));
		json_object_array_add(list, o);
	}
	return list;
}

/* One file as the API shows it. */
static struct json_object *
media_json(struct req *r, const struct media_out *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "url", json_object_new_string(
	    arena_printf(r->a, "/media/%s", m->name)));
	json_object_object_add(o, "content_type",
	    json_object_new_string(m->content_type));
	json_object_object_add(o, "bytes", json_object_new_int64(m->bytes));
	json_object_object_add(o, "sha256", json_object_new_string(m->sha256));
	json_object_object_add(o, "uploaded_by", m->uploaded_by[0] != '\0' ?
	    json_object_new_string(m->uploaded_by) : NULL);
	json_object_object_add(o, "created_at",
	    json_object_new_string(m->created));
	json_object_object_add(o, "width", m->width > 0 ?
	    json_object_new_int((int)m->width) : NULL);
	json_object_object_add(o, "height", m->height > 0 ?
	    json_object_new_int((int)m->height) : NULL);
	json_object_object_add(o, "alt", json_object_new_string(
	    m->alt != NULL ? m->alt : ""));
	json_object_object_add(o, "variants", media_variants_json(r, m));
	return o;
}

/* Sets why a request is refused, for error_page(), and returns st. */
static enum status
refuse(struct req *r, enum status st, const char *why)
{
	r->resp.detail = why;
	return st;
}

/* Why alt cannot be a picture's alt text, or NULL. */
static const char *
alt_problem(const char *alt, size_t n)
{
	if (n > ALT_MAX)
		return "alt text is at most 1000 bytes";
	if (!util_text_ok(alt, 0, ALT_MAX, false) || strlen(alt) != n)
		return "alt text must be one line of UTF-8 without control "
		    "characters";
	return NULL;
}

enum status
h_api_media_put(struct req *r)
{
	struct json_object *view;
	const struct conf *c = r->w->conf;
	const struct imgrun_limits limits = imgrun_limits_of(c);
	struct media_in	 in;
	struct media_out m;
	unsigned char	*frame = NULL;
	const struct kv	*altkv = input_find(r->qkv, r->nqkv, "alt");
	const char	*name = r->cap[0], *why, *ctype, *alt = "";
	enum status	 st;
	bool		 created;
	int		 status;

	if ((why = media_name_problem(name)) != NULL)
		return refuse(r, ST_UNPROCESSABLE, why);
	if (media_variant_like(name))
		return refuse(r, ST_UNPROCESSABLE, "the name looks like the "
		    "name of a picture's smaller copy (NAME.1234abcd.w480.EXT)"
		    ": choose another");
	if (altkv != NULL) {
		alt = altkv->val;
		if ((why = alt_problem(alt, altkv->vallen)) != NULL)
			return refuse(r, ST_UNPROCESSABLE, why);
	}
	if (r->body == NULL || r->bodylen == 0)
		return refuse(r, ST_UNPROCESSABLE, "the request body is empty: "
		    "send the file's bytes as the body");
	if (r->bodylen > INT_MAX)
		return ST_BODYTOOBIG;	/* libpq's limit; the cap is lower */
	if ((ctype = media_sniff(r->body, r->bodylen)) == NULL)
		return refuse(r, ST_UNSUPPORTED, "only PNG, JPEG, GIF, WebP "
		    "and AVIF images are accepted, as told by their content "
		    "(not SVG: it can carry scripts)");
	if ((why = media_ext_problem(name, ctype)) != NULL)
		return refuse(r, ST_UNPROCESSABLE, why);
	/* Decoded and written again, away from this process. */
	if (imgrun_media(r->a, &limits, name, r->body, r->bodylen, NULL, &in,
	    &frame, &status, &why) != 0) {
		free(frame);
		if (status == 500)
			return ST_INTERNAL;
		return refuse(r, status == 413 ? ST_BODYTOOBIG :
		    ST_UNPROCESSABLE, why);
	}
	in.uploader = r->user->id;
	in.alt = alt;
	st = db_media_put(r->w->db, r->a, &in, &m, &created);
	free(frame);
	if (st == ST_CONFLICT)
		return refuse(r, st, "another picture has this name; media "
		    "never change (they are cached for a year, and posts show "
		    "them): delete it first, or choose another name");
	if (st != ST_OK)
		return st;
	if (created) {
		out_status(r, 201);
		out_header(r, "Location", arena_printf(r->a, "/media/%s",
		    name));
	}
	view = view_new(r);
	json_object_object_add(view, "media", media_json(r, &m));
	out_json(r, view);
	return ST_OK;
}

enum status
h_api_media_patch(struct req *r)
{
	struct json_object *body, *v, *view;
	struct media_out m;
	const char	*why, *alt;
	enum status	 st;

	if (media_name_problem(r->cap[0]) != NULL)
		return ST_NOTFOUND;
	if ((st = input_json_object(r->ctype_in, r->body, r->bodylen, &body,
	    &why)) != ST_OK)
		return refuse(r, st, why);
	if (!json_object_object_get_ex(body, "alt", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_object_length(body) != 1) {
		json_object_put(body);
		return refuse(r, ST_UNPROCESSABLE, "send {\"alt\": TEXT}, "
		    "nothing else");
	}
	alt = arena_strndup(r->a, json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
	why = alt_problem(alt, (size_t)json_object_get_string_len(v));
	json_object_put(body);
	if (why != NULL)
		return refuse(r, ST_UNPROCESSABLE, why);
	st = db_media_set_alt(r->w->db, r->a, r->cap[0], alt, r->user->id,
	    r->user->admin, &m);
	if (st == ST_FORBIDDEN)
		return refuse(r, st, "only the uploader or an admin may "
		    "change a media file");
	if (st != ST_OK)
		return st;
	view = view_new(r);
	json_object_object_add(view, "media", media_json(r, &m));
	out_json(r, view);
	return ST_OK;
}

enum status
h_api_media_delete(struct req *r)
{
	enum status	 st;

	if (media_name_problem(r->cap[0]) != NULL)
		return ST_NOTFOUND;
	st = db_media_delete(r->w->db, r->a, r->cap[0], r->user->id,
	    r->user->admin);
	if (st == ST_FORBIDDEN)
		return refuse(r, st, "only the uploader or an admin may "
		    "delete a media file");
	if (st != ST_OK)
		return st;
	out_status(r, 204);
	return ST_OK;
}

enum status
h_api_media_list(struct req *r)
{
	struct json_object *view, *list;
	struct media_out *m;
	int		 page = r->in[KEY_PAGE] ? (int)r->in[KEY_PAGE]->i : 1;
	int		 per = r->in[KEY_PER_PAGE] ?
	    (int)r->in[KEY_PER_PAGE]->i : PER_PAGE;
	enum status	 st;
	size_t		 n;

	if ((input_find(r->qkv, r->nqkv, "page") && !r->in[KEY_PAGE]) ||
	    (input_find(r->qkv, r->nqkv, "per_page") && !r->in[KEY_PER_PAGE]))
		return ST_INVALID;
	if ((st = db_media_list(r->w->db, r->a, per + 1, (page - 1) * per, &m,
	    &n)) != ST_OK)
		return st;
	view = view_new(r);
	list = json_object_new_array();
	for (size_t i = 0; i < n && i < (size_t)per; i++)
		json_object_array_add(list, media_json(r, &m[i]));
	json_object_object_add(view, "media", list);
	json_object_object_add(view, "page", json_object_new_int(page));
	json_object_object_add(view, "per_page", json_object_new_int(per));
	json_object_object_add(view, "has_more",
	    json_object_new_boolean(n > (size_t)per));
	out_json(r, view);
	return ST_OK;
}

enum status
h_media(struct req *r)
{
	struct media_out m;
	const char	*ctype;
	enum status	 st;

	if (media_name_problem(r->cap[0]) != NULL)
		return ST_NOTFOUND;
	if ((st = db_media_get(r->w->db, r->a, r->cap[0], &m)) != ST_OK)
		return st;
	if ((ctype = media_sniff(m.data, (size_t)m.bytes)) == NULL ||
	    (m.variant && strcmp(ctype, m.content_type) != 0)) {
		log_msg(LOG_ERROR, "media %s: the stored bytes are no image "
		    "inkwell serves (written outside inkwell?); refused",
		    m.name);
		return ST_INTERNAL;
	}
	/* Room for exactly the file: no doubling for an 8 MiB body. */
	buf_init(&r->resp.body, r->a, (size_t)m.bytes + 1);
	out_put(r, m.data, (size_t)m.bytes);
	out_ctype(r, ctype);
	r->resp.cache = IMMUTABLE;
	r->resp.etag = true;
	/* A variant's name holds its picture's hash: its own tag. */
	r->resp.etag_value = m.variant ? arena_printf(r->a, "\"%s\"",
	    m.name) : arena_printf(r->a, "\"%s\"", m.sha256);
	r->resp.last_modified = m.created_epoch;
	out_header(r, "Content-Disposition", "inline");
	return ST_OK;
}
