/* SPDX-License-Identifier: MIT */
/*
 * db_admin.c: what the admin pages and the write API read and change
 * besides whole posts: posts of every status, tags, settings, comments.
 * Everything runs on the primary, so an author sees a change the moment
 * it is made.  Lists come back as one JSON cell built by PostgreSQL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "db/principal.h"
#include "lib/util.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* One post as stored, whatever its status: the write API's shape. */
#define POST_JSON \
    "json_build_object('id', p.id, 'kind', p.kind, 'slug', p.slug," \
    " 'title', p.title," \
    " 'summary', p.summary, 'body_md', p.body_md, 'body_html', p.body_html," \
    " 'status', p.status, 'published_at', " TS("p.published_at") "," \
    " 'updated_at', " TS("p.updated_at") "," \
    " 'live', p.status <> 'draft' AND p.published_at <= now()," \
    " 'feature_image', (SELECT m.name FROM media m" \
    "  WHERE m.id = p.feature_media)," \
    " 'author', json_build_object('id', u.id, 'username', u.username," \
    "  'display_name', u.display_name)," \
    " 'tags', coalesce((SELECT json_agg(json_build_object('slug', t.slug," \
    "  'name', t.name) ORDER BY t.slug) FROM post_tags pt" \
    "  JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id), '[]'))"

/* The site's pictures, newest first, for the editor's feature field. */
static const char Q_PICTURES[] =
    "SELECT coalesce(json_agg(json_build_object('name', m.name, 'alt',"
    " m.alt) ORDER BY m.created_at DESC, m.id DESC), '[]')"
    " FROM (SELECT name, alt, created_at, id FROM media"
    " WHERE content_type LIKE 'image/%' ORDER BY created_at DESC, id DESC"
    " LIMIT 1000) m";

static const char Q_POST_BY_ID[] =
    "SELECT " POST_JSON " FROM posts p JOIN users u ON u.id = p.author_id"
    " WHERE p.id = $1::bigint";

static const char Q_POST_BY_SLUG[] =
    "SELECT " POST_JSON " FROM posts p JOIN users u ON u.id = p.author_id"
    " WHERE p.slug = $1";

static const char Q_POSTS[] =
    "SELECT coalesce(json_agg(x ORDER BY x.n), '[]') FROM"
    " (SELECT row_number() OVER (ORDER BY p.updated_at DESC, p.id DESC)"
    "  AS n, p.id, p.slug, p.title, p.status,"
    "  " TS("p.published_at") " AS published_at,"
    "  " TS("p.updated_at") " AS updated_at,"
    "  p.status <> 'draft' AND p.published_at <= now() AS live,"
    "  p.status <> 'draft' AND p.published_at > now() AS pending,"
    "  u.username AS author, u.display_name AS author_name,"
    "  ($3::bigint = 0 OR p.author_id = $3::bigint) AS mine"
    "  FROM (SELECT * FROM posts WHERE kind = $4"
    "   ORDER BY updated_at DESC, id DESC"
    "   LIMIT $1::int OFFSET $2::int) p"
    "  JOIN users u ON u.id = p.author_id"
    "  ORDER BY p.updated_at DESC, p.id DESC) x";

static const char Q_POST_OWNER[] =
    "SELECT author_id FROM posts WHERE id = $1::bigint";

static const char Q_POST_DELETE[] =
    "DELETE FROM posts WHERE id = $1::bigint";

static const char Q_TAGS[] =
    "SELECT coalesce(json_agg(json_build_object('id', t.id, 'slug', t.slug,"
    " 'name', t.name, 'posts', (SELECT count(*) FROM post_tags pt"
    "  WHERE pt.tag_id = t.id)) ORDER BY t.slug), '[]') FROM tags t";

static const char Q_TAG_ADD[] =
    "INSERT INTO tags (slug, name) VALUES ($1, $2)"
    " RETURNING json_build_object('slug', slug, 'name', name)";

static const char Q_TAG_UPDATE[] =
    "UPDATE tags SET slug = coalesce($2, slug), name = coalesce($3, name)"
    " WHERE slug = $1"
    " RETURNING json_build_object('slug', slug, 'name', name)";

static const char Q_TAG_DELETE[] =
    "DELETE FROM tags WHERE slug = $1";

static const char Q_SETTING[] =
    "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, now())"
    " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value,"
    " updated_at = now() WHERE settings.value <> EXCLUDED.value";

static const char Q_SETTINGS_ALL[] =
    "SELECT json_object_agg(key, value) FROM settings";

/* On the primary: an author sees the change just made. */
static enum status
json_cell(struct db *db, struct arena *a, const char *what, const char *sql,
    int n, const char *const *v, struct json_object **out)
{
	return db_json_cell(db, db_primary(db), a, what, sql, n, v, true, out);
}

static const char *
num(struct arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

enum status
db_admin_post(struct db *db, struct arena *a, int64_t id, const char *slug,
    struct json_object **out)
{
	const char	*v[1];

	v[0] = slug != NULL ? slug : num(a, id);
	return json_cell(db, a, "reading a post to edit",
	    slug != NULL ? Q_POST_BY_SLUG : Q_POST_BY_ID, 1, v, out);
}

enum status
db_pictures(struct db *db, struct arena *a, struct json_object **out)
{
	return json_cell(db, a, "listing pictures", Q_PICTURES, 0, NULL, out);
}

enum status
db_admin_posts(struct db *db, struct arena *a, const char *kind, int limit,
    int offset, const struct principal *by, struct json_object **out)
{
	const char	*v[4] = { num(a, limit), num(a, offset),
	    num(a, by->admin ? 0 : by->id), kind };

	return json_cell(db, a, "listing posts to edit", Q_POSTS, 4, v, out);
}

enum status
db_post_may_edit(struct db *db, struct arena *a, int64_t id,
    const struct principal *by)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { num(a, id) };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "finding a post's author",
	    Q_POST_OWNER, 1, v)) == NULL)
		return db_write_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	if (!by->admin && strtoll(PQgetvalue(res, 0, 0), NULL, 10) != by->id)
		return ST_FORBIDDEN;
	return ST_OK;
}

enum status
db_post_delete(struct db *db, struct arena *a, int64_t id,
    const struct principal *by)
{
	PGconn		*pg;
	const char	*v[1] = { num(a, id) };
	enum status	 st;

	/* Between the check and the delete only the author could change,
	 * and nothing changes a post's author but import. */
	if ((st = db_post_may_edit(db, a, id, by)) != ST_OK)
		return st;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "deleting a post", Q_POST_DELETE, 1, v) == NULL)
		return db_write_failure(db, pg);
	return ST_OK;
}

enum status
db_admin_tags(struct db *db, struct arena *a, struct json_object **out)
{
	return json_cell(db, a, "listing tags to edit", Q_TAGS, 0, NULL, out);
}

enum status
db_tag_add(struct db *db, struct arena *a, const char *slug,
    const char *name, struct json_object **out)
{
	const char	*v[2] = { slug, name };

	return json_cell(db, a, "adding a tag", Q_TAG_ADD, 2, v, out);
}

enum status
db_tag_update(struct db *db, struct arena *a, const char *slug,
    const char *new_slug, const char *name, struct json_object **out)
{
	const char	*v[3] = { slug, new_slug, name };

	return json_cell(db, a, "changing a tag", Q_TAG_UPDATE, 3, v, out);
}

enum status
db_tag_delete(struct db *db, struct arena *a, const char *slug)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { slug };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "deleting a tag", Q_TAG_DELETE, 1,
	    v)) == NULL)
		return db_write_failure(db, pg);
	return strcmp(PQcmdTuples(res), "1") == 0 ? ST_OK : ST_NOTFOUND;
}

enum status
db_settings_all(struct db *db, struct arena *a, struct json_object **out)
{
	return json_cell(db, a, "reading settings to edit", Q_SETTINGS_ALL, 0,
	    NULL, out);
}

enum status
db_settings_save(struct db *db, struct arena *a, const char *const *kv,
    size_t n)
{
	PGconn		*pg;
	struct db_stmt	 q[DB_MAX_BATCH];
	int		 k = 0;

	if (n + 1 > DB_MAX_BATCH) {
		log_msg(LOG_ERROR, "saving settings: %zu at once, more than "
		    "one batch (%d) holds", n, DB_MAX_BATCH - 1);
		return ST_INTERNAL;
	}
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	/* One transaction: a page never shows half the new settings. */
	q[k++] = (struct db_stmt){ "BEGIN", "BEGIN", 0, NULL, NULL };
	for (size_t i = 0; i < n; i++)
		q[k++] = (struct db_stmt){ "saving a setting", Q_SETTING, 2,
		    kv + 2 * i, NULL };
	if (!db_exec_all(db, pg, a, q, k)) {
		enum status st = db_write_failure(db, pg);

		(void)db_exec(db, pg, a, "ROLLBACK", "ROLLBACK", 0, NULL);
		return st;
	}
	if (db_exec(db, pg, a, "COMMIT", "COMMIT", 0, NULL) == NULL)
		return db_write_failure(db, pg);
	return ST_OK;
}
