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
 */
#include "config.h"

#include <limits.h>

#include <json-c/json.h>
#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "lib/log.h"
#include "content/media.h"
#include "http/out.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

#define IMMUTABLE	"public, max-age=31536000, immutable"
#define PER_PAGE	50	/* default per_page of the listing */

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
	return o;
}

/* Sets why a request is refused, for error_page(), and returns st. */
static enum status
refuse(struct req *r, enum status st, const char *why)
{
	r->resp.detail = why;
	return st;
}

enum status
h_api_media_put(struct req *r)
{
	struct json_object *view;
	struct media_in	 in;
	struct media_out m;
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		 hex[2 * crypto_hash_sha256_BYTES + 1];
	const char	*name = r->cap[0], *why, *ctype;
	enum status	 st;
	bool		 created;

	if ((why = media_name_problem(name)) != NULL)
		return refuse(r, ST_UNPROCESSABLE, why);
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
	crypto_hash_sha256(h, (const unsigned char *)r->body, r->bodylen);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	in = (struct media_in){ .name = name, .content_type = ctype,
	    .data = r->body, .n = r->bodylen, .sha256 = hex,
	    .uploader = r->user->id };
	st = db_media_put(r->w->db, r->a, &in, &m, &created);
	if (st == ST_CONFLICT)
		return refuse(r, st, "another file has this name; media never "
		    "change (they are cached for a year): delete it first, or "
		    "choose another name");
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
	if ((ctype = media_sniff(m.data, (size_t)m.bytes)) == NULL) {
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
	r->resp.etag_value = arena_printf(r->a, "\"%s\"", m.sha256);
	r->resp.last_modified = m.created_epoch;
	out_header(r, "Content-Disposition", "inline");
	return ST_OK;
}
