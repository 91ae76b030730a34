/* SPDX-License-Identifier: MIT */
/*
 * db_media.c: media files in the media table: store, read, list and
 * delete, for h_media.c.
 *
 * A name, once stored, keeps its bytes until it is deleted: a second
 * upload of the same bytes changes nothing (so a retry is safe), one of
 * other bytes is refused.  That is what lets /media/ answers be cached
 * as immutable.  The bytes travel in binary (db_exec_bin), never as hex.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"

/* What every query below describes a file with, as media_of() reads it. */
#define META \
    "m.name, m.content_type, octet_length(m.bytes)::text," \
    " encode(m.sha256, 'hex'), " DB_UTC("m.created_at") "," \
    " coalesce(u.username, '')," \
    " extract(epoch FROM m.created_at)::bigint::text"
#define NMETA	7

static const char Q_META[] =
    "SELECT " META " FROM media m LEFT JOIN users u ON u.id = m.uploaded_by"
    " WHERE m.name = $1";

/* ON CONFLICT: a concurrent upload of the same name got there first. */
static const char Q_INSERT[] =
    "WITH m AS (INSERT INTO media"
    " (name, content_type, bytes, sha256, uploaded_by)"
    " VALUES ($1, $2, $3, decode($4, 'hex'), $5)"
    " ON CONFLICT (name) DO NOTHING"
    " RETURNING name, content_type, bytes, sha256, created_at, uploaded_by)"
    " SELECT " META " FROM m LEFT JOIN users u ON u.id = m.uploaded_by";

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
	};
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
	const char	*v[5] = { in->name, in->content_type,
	    (const char *)in->data, in->sha256,
	    arena_printf(a, "%" PRId64, in->uploader) };
	const int	 fmt[5] = { 0, 0, 1, 0, 0 };
	const int	 len[5] = { 0, 0, (int)in->n, 0, 0 };
	const struct db_bin bin = { len, fmt, 0 };
	enum status	 st;

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
	if ((res = db_exec_bin(db, pg, a, "storing a media file", Q_INSERT,
	    5, v, &bin)) == NULL) {
		if (strcmp(db_sqlstate(db), "23514") == 0)
			return ST_UNPROCESSABLE;
		return db_failure(db, pg);
	}
	if (PQntuples(res) == 1) {
		media_of(a, res, 0, out);
		*created = true;
		return ST_OK;
	}
	/* Another upload of this name won the race; if it was deleted
	 * since, the name is in flux: a conflict all the same. */
	st = compare(db, pg, a, in, out);
	return st == ST_NOTFOUND ? ST_CONFLICT : st;
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

enum status
db_media_get(struct db *db, struct arena *a, const char *name,
    struct media_out *out)
{
	PGconn		*pg, *primary;
	enum status	 st;

	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	st = get(db, pg, a, name, out);
	/*
	 * A replica may not have a file uploaded a moment ago, and nothing
	 * tells this request how far it must have replayed (media do not
	 * go through the page cache, which knows): ask the primary before
	 * saying there is none.  Misses are rare; hits stay on the replica.
	 */
	if (st == ST_NOTFOUND && (primary = db_primary(db)) != NULL &&
	    primary != pg)
		st = get(db, primary, a, name, out);
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
