/* SPDX-License-Identifier: MIT */
/*
 * db_media.c: media files in the media table and their smaller copies
 * in media_variants: store, read, list, delete and change alt text, for
 * h_media.c; the picture lookup the Markdown renderer is given.
 *
 * A name, once stored, keeps its bytes until it is deleted: a second
 * upload of the same bytes changes nothing (so a retry is safe), one of
 * other bytes is refused.  That is what lets /media/ answers be cached
 * as immutable.  The one exception is inkwellctl media reprocess
 * (db_media_replace), for pictures stored before uploads were decoded.
 * A picture and its copies are written in one transaction.  The bytes
 * travel in binary (db_exec_bin), never as hex.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "lib/arena.h"
#include "content/md.h"
#include "db/db.h"
#include "db/db_int.h"

/* What every query below describes a file with, as media_of() reads it. */
#define META \
    "m.name, m.content_type, octet_length(m.bytes)::text," \
    " encode(m.sha256, 'hex'), " DB_UTC("m.created_at") "," \
    " coalesce(u.username, '')," \
    " extract(epoch FROM m.created_at)::bigint::text," \
    " coalesce(m.width, 0)::text, coalesce(m.height, 0)::text, m.alt," \
    " (SELECT coalesce(json_agg(json_build_array(v.name, v.content_type," \
    "  v.width, v.height) ORDER BY v.width, v.content_type), '[]')" \
    "  FROM media_variants v WHERE v.media_id = m.id)::text"
#define NMETA	11

static const char Q_META[] =
    "SELECT " META " FROM media m LEFT JOIN users u ON u.id = m.uploaded_by"
    " WHERE m.name = $1";

/* ON CONFLICT: a concurrent upload of the same name got there first. */
static const char Q_INSERT[] =
    "INSERT INTO media"
    " (name, content_type, bytes, sha256, uploaded_by, width, height, alt)"
    " VALUES ($1, $2, $3, decode($4, 'hex'), $5, nullif($6, '0')::int,"
    " nullif($7, '0')::int, $8)"
    " ON CONFLICT (name) DO NOTHING RETURNING id::text";

static const char Q_VARIANT[] =
    "INSERT INTO media_variants"
    " (media_id, name, content_type, width, height, bytes)"
    " VALUES ($1, $2, $3, $4, $5, $6)";

static const char Q_REPLACE[] =
    "UPDATE media SET content_type = $2, bytes = $3,"
    " sha256 = decode($4, 'hex'), width = $5, height = $6"
    " WHERE name = $1 RETURNING id::text";

static const char Q_DROP_VARIANTS[] =
    "DELETE FROM media_variants WHERE media_id = $1";

static const char Q_BEGIN[] = "BEGIN";
static const char Q_COMMIT[] = "COMMIT";
static const char Q_ROLLBACK[] = "ROLLBACK";

/* A variant's bytes, with its picture's hash and time for caching. */
static const char Q_VARIANT_GET[] =
    "SELECT v.name, v.content_type, octet_length(v.bytes)::text,"
    " encode(m.sha256, 'hex'), " DB_UTC("m.created_at") ", '',"
    " extract(epoch FROM m.created_at)::bigint::text,"
    " v.width::text, v.height::text, '', '[]', v.bytes"
    " FROM media_variants v JOIN media m ON m.id = v.media_id"
    " WHERE v.name = $1";

static const char Q_ALT[] =
    "UPDATE media SET alt = $2 WHERE name = $1 AND (uploaded_by = $3 OR $4)";

static const char Q_ID[] = "SELECT id::text FROM media WHERE name = $1";

static const char Q_NAMES[] = "SELECT name FROM media ORDER BY id";

static const char Q_IMAGE[] =
    "SELECT " META " FROM media m LEFT JOIN users u ON u.id = m.uploaded_by"
    " WHERE m.name = $1 AND m.width IS NOT NULL";

/* Every column as text but the bytes: the result comes in binary. */
static const char Q_GET[] =
    "SELECT " META ", m.bytes FROM media m"
    " LEFT JOIN users u ON u.id = m.uploaded_by WHERE m.name = $1";

static const char Q_DELETE[] =
    "DELETE FROM media WHERE name = $1 AND (uploaded_by = $2 OR $3)";

static const char Q_EXISTS[] =
    "SELECT 1 FROM media WHERE name = $1";

static const char Q_LIST[] =
    "SELECT " META " FROM media m LEFT JOIN users u ON u.id = m.uploaded_by"
    " ORDER BY m.created_at DESC, m.id DESC LIMIT $1 OFFSET $2";

/* The variants column: a JSON array of [name, type, width, height]. */
static void
variants_of(struct arena *a, const char *json, struct media_out *m)
{
	struct json_object *o = json_tokener_parse(json), *e;
	size_t		 n;

	m->variants = NULL;
	m->nvariants = 0;
	if (o == NULL || !json_object_is_type(o, json_type_array)) {
		json_object_put(o);
		return;
	}
	n = json_object_array_length(o);
	m->variants = arena_array(a, n + 1, sizeof(*m->variants));
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(o, i);
		if (json_object_array_length(e) != 4)
			continue;
		m->variants[m->nvariants++] = (struct media_variant_out){
			.name = arena_strdup(a, json_object_get_string(
			    json_object_array_get_idx(e, 0))),
			.content_type = arena_strdup(a, json_object_get_string(
			    json_object_array_get_idx(e, 1))),
			.width = (unsigned)json_object_get_int(
			    json_object_array_get_idx(e, 2)),
			.height = (unsigned)json_object_get_int(
			    json_object_array_get_idx(e, 3)),
		};
	}
	json_object_put(o);
}

/* Reads the META columns of row into *m (arena copies). */
static void
media_of(struct arena *a, PGresult *res, int row, struct media_out *m)
{
	*m = (struct media_out){
		.name = arena_strdup(a, PQgetvalue(res, row, 0)),
		.content_type = arena_strdup(a, PQgetvalue(res, row, 1)),
		.bytes = strtoll(PQgetvalue(res, row, 2), NULL, 10),
		.sha256 = arena_strdup(a, PQgetvalue(res, row, 3)),
		.created = arena_strdup(a, PQgetvalue(res, row, 4)),
		.uploaded_by = arena_strdup(a, PQgetvalue(res, row, 5)),
		.created_epoch = strtoll(PQgetvalue(res, row, 6), NULL, 10),
		.width = (unsigned)strtoul(PQgetvalue(res, row, 7), NULL, 10),
		.height = (unsigned)strtoul(PQgetvalue(res, row, 8), NULL, 10),
		.alt = arena_strdup(a, PQgetvalue(res, row, 9)),
	};
	variants_of(a, PQgetvalue(res, row, 10), m);
}

/* Stores in's variants under media id, inside the caller's transaction. */
static bool
put_variants(struct db *db, PGconn *pg, struct arena *a, const char *id,
    const struct media_in *in)
{
	for (size_t i = 0; i < in->nvariants; i++) {
		const struct media_variant_in *w = &in->variants[i];
		const char	*v[6] = { id, w->name, w->content_type,
		    arena_printf(a, "%u", w->width),
		    arena_printf(a, "%u", w->height), w->data };
		const int	 fmt[6] = { 0, 0, 0, 0, 0, 1 };
		const int	 len[6] = { 0, 0, 0, 0, 0, (int)w->n };
		const struct db_bin bin = { len, fmt, 0 };

		if (db_exec_bin(db, pg, a, "storing a picture's variant",
		    Q_VARIANT, 6, v, &bin) == NULL)
			return false;
	}
	return true;
}

/* ROLLBACK after a failure, unless the connection is gone. */
static enum status
rollback(struct db *db, PGconn *pg, struct arena *a)
{
	enum status	 st = db_failure(db, pg);

	if (st != ST_UNAVAILABLE)
		(void)db_exec(db, pg, a, "ROLLBACK", Q_ROLLBACK, 0, NULL);
	return st;
}

/*
 * What is stored under in->name, against what in would store: ST_OK
 * (*out filled) when the same bytes are there, ST_CONFLICT for others,
 * ST_NOTFOUND when there is nothing.
 */
static enum status
compare(struct db *db, PGconn *pg, struct arena *a,
    const struct media_in *in, struct media_out *out)
{
	PGresult	*res;
	const char	*v[1] = { in->name };

	if ((res = db_exec(db, pg, a, "reading a media file", Q_META, 1, v)) ==
	    NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	if (strcmp(PQgetvalue(res, 0, 3), in->sha256) != 0)
		return ST_CONFLICT;
	media_of(a, res, 0, out);
	return ST_OK;
}

enum status
db_media_put(struct db *db, struct arena *a, const struct media_in *in,
    struct media_out *out, bool *created)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[8] = { in->name, in->content_type,
	    (const char *)in->data, in->sha256,
	    arena_printf(a, "%" PRId64, in->uploader),
	    arena_printf(a, "%u", in->width), arena_printf(a, "%u", in->height),
	    in->alt != NULL ? in->alt : "" };
	const int	 fmt[8] = { 0, 0, 1, 0, 0, 0, 0, 0 };
	const int	 len[8] = { 0, 0, (int)in->n, 0, 0, 0, 0, 0 };
	const struct db_bin bin = { len, fmt, 0 };
	enum status	 st;
	char		*id;

	*created = false;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	/*
	 * Looked up first so that a retry neither sends the file to the
	 * server again nor writes (which would bump the content version
	 * and retire every cached page for nothing).
	 */
	if ((st = compare(db, pg, a, in, out)) != ST_NOTFOUND)
		return st;
	/* The picture and its variants: all or none. */
	if (db_exec(db, pg, a, "BEGIN", Q_BEGIN, 0, NULL) == NULL)
		return db_failure(db, pg);
	if ((res = db_exec_bin(db, pg, a, "storing a media file", Q_INSERT,
	    8, v, &bin)) == NULL) {
		if (strcmp(db_sqlstate(db), "23514") == 0) {
			(void)db_exec(db, pg, a, "ROLLBACK", Q_ROLLBACK, 0,
			    NULL);
			return ST_UNPROCESSABLE;
		}
		return rollback(db, pg, a);
	}
	if (PQntuples(res) == 1) {
		id = arena_strdup(a, PQgetvalue(res, 0, 0));
		if (!put_variants(db, pg, a, id, in))
			return rollback(db, pg, a);
		if (db_exec(db, pg, a, "COMMIT", Q_COMMIT, 0, NULL) == NULL)
			return rollback(db, pg, a);
		if ((st = compare(db, pg, a, in, out)) != ST_OK)
			return st == ST_NOTFOUND ? ST_CONFLICT : st;
		*created = true;
		return ST_OK;
	}
	if (db_exec(db, pg, a, "COMMIT", Q_COMMIT, 0, NULL) == NULL)
		return rollback(db, pg, a);
	/* Another upload of this name won the race; if it was deleted
	 * since, the name is in flux: a conflict all the same. */
	st = compare(db, pg, a, in, out);
	return st == ST_NOTFOUND ? ST_CONFLICT : st;
}

enum status
db_media_replace(struct db *db, struct arena *a, const struct media_in *in)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[6] = { in->name, in->content_type,
	    (const char *)in->data, in->sha256,
	    arena_printf(a, "%u", in->width), arena_printf(a, "%u", in->height) };
	const int	 fmt[6] = { 0, 0, 1, 0, 0, 0 };
	const int	 len[6] = { 0, 0, (int)in->n, 0, 0, 0 };
	const struct db_bin bin = { len, fmt, 0 };
	char		*id;

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "BEGIN", Q_BEGIN, 0, NULL) == NULL)
		return db_failure(db, pg);
	if ((res = db_exec_bin(db, pg, a, "replacing a media file", Q_REPLACE,
	    6, v, &bin)) == NULL)
		return rollback(db, pg, a);
	if (PQntuples(res) != 1) {
		(void)db_exec(db, pg, a, "ROLLBACK", Q_ROLLBACK, 0, NULL);
		return ST_NOTFOUND;
	}
	id = arena_strdup(a, PQgetvalue(res, 0, 0));
	if (db_exec(db, pg, a, "dropping a picture's variants",
	    Q_DROP_VARIANTS, 1, (const char *const *)&id) == NULL ||
	    !put_variants(db, pg, a, id, in) ||
	    db_exec(db, pg, a, "COMMIT", Q_COMMIT, 0, NULL) == NULL)
		return rollback(db, pg, a);
	return ST_OK;
}

/* One try of Q_GET on pg: ST_OK, ST_NOTFOUND, or as db_failure says. */
static enum status
get(struct db *db, PGconn *pg, struct arena *a, const char *name,
    struct media_out *out)
{
	static const struct db_bin bin = { NULL, NULL, 1 };
	PGresult	*res;
	const char	*v[1] = { name };

	if ((res = db_exec_bin(db, pg, a, "reading a media file", Q_GET, 1,
	    v, &bin)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	media_of(a, res, 0, out);
	/* The result lives until the request ends; no copy. */
	out->data = PQgetvalue(res, 0, NMETA);
	out->bytes = PQgetlength(res, 0, NMETA);
	return ST_OK;
}

/* The same for a variant's name. */
static enum status
get_variant(struct db *db, PGconn *pg, struct arena *a, const char *name,
    struct media_out *out)
{
	static const struct db_bin bin = { NULL, NULL, 1 };
	PGresult	*res;
	const char	*v[1] = { name };

	if ((res = db_exec_bin(db, pg, a, "reading a picture's variant",
	    Q_VARIANT_GET, 1, v, &bin)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	media_of(a, res, 0, out);
	out->variant = true;
	out->data = PQgetvalue(res, 0, NMETA);
	out->bytes = PQgetlength(res, 0, NMETA);
	return ST_OK;
}

enum status
db_media_get(struct db *db, struct arena *a, const char *name,
    struct media_out *out)
{
	PGconn		*pg, *primary;
	enum status	 st;

	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	st = get(db, pg, a, name, out);
	if (st == ST_NOTFOUND)
		st = get_variant(db, pg, a, name, out);
	/*
	 * A replica may not have a file uploaded a moment ago, and nothing
	 * tells this request how far it must have replayed (media do not
	 * go through the page cache, which knows): ask the primary before
	 * saying there is none.  Misses are rare; hits stay on the replica.
	 */
	if (st == ST_NOTFOUND && (primary = db_primary(db)) != NULL &&
	    primary != pg && (st = get(db, primary, a, name, out)) ==
	    ST_NOTFOUND)
		st = get_variant(db, primary, a, name, out);
	return st;
}

enum status
db_media_delete(struct db *db, struct arena *a, const char *name,
    int64_t user, bool admin)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[3] = { name, arena_printf(a, "%" PRId64, user),
	    admin ? "true" : "false" };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "deleting a media file", Q_DELETE, 3,
	    v)) == NULL)
		return db_failure(db, pg);
	if (strcmp(PQcmdTuples(res), "1") == 0)
		return ST_OK;
	if ((res = db_exec(db, pg, a, "reading a media file", Q_EXISTS, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	return PQntuples(res) == 1 ? ST_FORBIDDEN : ST_NOTFOUND;
}

enum status
db_media_list(struct db *db, struct arena *a, int limit, int offset,
    struct media_out **out, size_t *n)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { arena_printf(a, "%d", limit),
	    arena_printf(a, "%d", offset) };

	*out = NULL;
	*n = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "listing media", Q_LIST, 2, v)) == NULL)
		return db_failure(db, pg);
	*n = (size_t)PQntuples(res);
	*out = arena_array(a, *n + 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++)
		media_of(a, res, (int)i, &(*out)[i]);
	return ST_OK;
}

enum status
db_media_set_alt(struct db *db, struct arena *a, const char *name,
    const char *alt, int64_t user, bool admin, struct media_out *out)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[4] = { name, alt, arena_printf(a, "%" PRId64, user),
	    admin ? "true" : "false" };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "setting a picture's alt text", Q_ALT,
	    4, v)) == NULL) {
		if (strcmp(db_sqlstate(db), "23514") == 0)
			return ST_UNPROCESSABLE;
		return db_failure(db, pg);
	}
	if (strcmp(PQcmdTuples(res), "1") != 0) {
		if ((res = db_exec(db, pg, a, "reading a media file",
		    Q_EXISTS, 1, v)) == NULL)
			return db_failure(db, pg);
		return PQntuples(res) == 1 ? ST_FORBIDDEN : ST_NOTFOUND;
	}
	if ((res = db_exec(db, pg, a, "reading a media file", Q_META, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	media_of(a, res, 0, out);
	return ST_OK;
}

enum status
db_media_names(struct db *db, struct arena *a, const char ***names,
    size_t *n)
{
	PGconn		*pg;
	PGresult	*res;

	*names = NULL;
	*n = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "listing media", Q_NAMES, 0, NULL)) ==
	    NULL)
		return db_failure(db, pg);
	*n = (size_t)PQntuples(res);
	*names = arena_array(a, *n + 1, sizeof(**names));
	for (size_t i = 0; i < *n; i++)
		(*names)[i] = arena_strdup(a, PQgetvalue(res, (int)i, 0));
	return ST_OK;
}

int
db_md_image(void *ctx, struct arena *a, const char *url,
    struct md_image *img)
{
	struct db	*db = ctx;
	struct media_out m;
	struct md_variant *lists[3];
	size_t		*counts[3] = { &img->nsame, &img->nwebp, &img->navif };
	PGconn		*pg;
	PGresult	*res;
	const char	*name;

	if (db == NULL || url == NULL || strncmp(url, "/media/", 7) != 0)
		return -1;
	name = url + 7;
	if (*name == '\0' || strpbrk(name, "/?#%") != NULL)
		return -1;
	if ((pg = db_primary(db)) == NULL)
		return -1;
	if ((res = db_exec(db, pg, a, "looking up a picture", Q_IMAGE, 1,
	    &name)) == NULL || PQntuples(res) != 1)
		return -1;
	media_of(a, res, 0, &m);
	*img = (struct md_image){ .src = arena_printf(a, "/media/%s", m.name),
	    .width = m.width, .height = m.height, .alt = m.alt };
	for (size_t k = 0; k < 3; k++)
		lists[k] = arena_array(a, m.nvariants + 1, sizeof(**lists));
	for (size_t i = 0; i < m.nvariants; i++) {
		const struct media_variant_out *v = &m.variants[i];
		size_t	 k;

		if (strcmp(v->content_type, "image/webp") == 0 &&
		    strcmp(m.content_type, "image/webp") != 0)
			k = 1;
		else if (strcmp(v->content_type, "image/avif") == 0 &&
		    strcmp(m.content_type, "image/avif") != 0)
			k = 2;
		else if (strcmp(v->content_type, m.content_type) == 0)
			k = 0;
		else
			continue;
		lists[k][(*counts[k])++] = (struct md_variant){
		    .url = arena_printf(a, "/media/%s", v->name),
		    .width = v->width };
	}
	img->same = lists[0];
	img->webp = lists[1];
	img->avif = lists[2];
	return 0;
}

enum status
db_media_load_variants(struct db *db, struct arena *a,
    const struct media_in *in)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { in->name };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "reading a media file", Q_ID, 1, v)) ==
	    NULL)
		return db_write_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	if (!put_variants(db, pg, a, arena_strdup(a, PQgetvalue(res, 0, 0)),
	    in))
		return db_write_failure(db, pg);
	return ST_OK;
}
