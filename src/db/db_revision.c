/* SPDX-License-Identifier: MIT */
/*
 * db_revision.c: reads a post's revisions for the editor and the API
 * (they are written with the post, in db_post_write.c).  On the primary,
 * so an author sees the autosave made a moment ago; each answer is one
 * JSON cell built by PostgreSQL.
 */
#include "config.h"

#include <json-c/json.h>
#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"

#define REVISION_JSON(extra) \
    "json_build_object('id', r.id, 'kind', r.kind," \
    " 'created_at', " DB_UTC("r.created_at") "," \
    " 'user', CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object(" \
    "  'id', u.id, 'username', u.username, 'display_name'," \
    "  u.display_name) END, 'title', r.title" extra ")"

static const char Q_REVISIONS[] =
    "SELECT coalesce(json_agg(" REVISION_JSON("") " ORDER BY r.id DESC),"
    " '[]') FROM post_revisions r LEFT JOIN users u ON u.id = r.user_id"
    " WHERE r.post_id = $1::bigint";

static const char Q_REVISION[] =
    "SELECT " REVISION_JSON(", 'summary', r.summary, 'body_md', r.body_md")
    " FROM post_revisions r LEFT JOIN users u ON u.id = r.user_id"
    " WHERE r.id = $1::bigint AND r.post_id = $2::bigint";

enum status
db_revisions(struct db *db, struct arena *a, int64_t post,
    struct json_object **out)
{
	const char	*v[1] = { arena_printf(a, "%lld", (long long)post) };

	return db_json_cell(db, db_primary(db), a, "listing revisions",
	    Q_REVISIONS, 1, v, false, out);
}

enum status
db_revision(struct db *db, struct arena *a, int64_t post, int64_t rev,
    struct json_object **out)
{
	const char	*v[2] = { arena_printf(a, "%lld", (long long)rev),
	    arena_printf(a, "%lld", (long long)post) };

	return db_json_cell(db, db_primary(db), a, "reading a revision",
	    Q_REVISION, 2, v, false, out);
}
