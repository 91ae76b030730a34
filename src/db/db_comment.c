/* SPDX-License-Identifier: MIT */
/*
 * db_comment.c: readers' comments.  A comment is stored as the reader
 * typed it and escaped where it is shown; only live posts take them.
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

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', " \
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define HUMAN(col) "trim(to_char(" col " AT TIME ZONE 'UTC', " \
    "'FMDD FMMonth YYYY, HH24:MI'))"

/*
 * Threads: a comment whose parent is shown comes right after its parent
 * (and its parent's earlier replies), siblings oldest first; one whose
 * parent is not shown (pending, spam, deleted) stands on the post.
 * in_reply_to and indent are there for replies only, so a post without
 * replies renders as it did before threads.  The walk stops at depth
 * 64, far past what an import lets in.
 */
static const char Q_APPROVED[] =
    "WITH RECURSIVE c AS (SELECT c.* FROM comments c"
    " JOIN posts p ON p.id = c.post_id"
    " WHERE p.slug = $1 AND c.status = 'approved'),"
    " t AS (SELECT c.id, NULL::bigint AS parent, 0 AS depth,"
    " ARRAY[to_char(c.created_at, 'YYYYMMDDHH24MISSUS')"
    " || lpad(c.id::text, 20, '0')] AS path FROM c"
    " WHERE c.parent_id IS NULL"
    " OR NOT EXISTS (SELECT 1 FROM c p WHERE p.id = c.parent_id)"
    " UNION ALL SELECT k.id, k.parent_id, t.depth + 1,"
    " t.path || (to_char(k.created_at, 'YYYYMMDDHH24MISSUS')"
    " || lpad(k.id::text, 20, '0')) FROM c k JOIN t ON k.parent_id = t.id"
    " WHERE t.depth < 64)"
    " SELECT coalesce(json_agg(json_strip_nulls(json_build_object("
    " 'id', c.id, 'author_name', c.author_name, 'author_url', c.author_url,"
    " 'body', c.body, 'created_at', " TS("c.created_at") ","
    " 'created_human', " HUMAN("c.created_at") ","
    " 'in_reply_to', CASE WHEN t.depth > 0 THEN json_build_object("
    " 'id', p.id, 'author_name', p.author_name) END,"
    " 'indent', CASE WHEN t.depth > 0 THEN least(t.depth, 6) END))"
    " ORDER BY t.path), '[]')"
    " FROM t JOIN c ON c.id = t.id LEFT JOIN c p ON p.id = t.parent";

static const char Q_ADD[] =
    "INSERT INTO comments (post_id, author_name, author_email, author_url,"
    " body, status, remote_addr)"
    " SELECT p.id, $2, $3, $4, $5, $6, $7::inet FROM posts p"
    " WHERE p.slug = $1 AND p.kind = 'post' AND p.status <> 'draft'"
    " AND p.published_at <= now() RETURNING id";

static const char Q_ADMIN_LIST[] =
    "SELECT coalesce(json_agg(x ORDER BY x.created_at DESC, x.id DESC),"
    " '[]') FROM (SELECT c.id, c.author_name, c.author_email, c.author_url,"
    " c.body, c.status, " TS("c.created_at") " AS created_at,"
    " c.status = 'approved' AS is_approved, c.status = 'spam' AS is_spam,"
    " p.slug AS post_slug, p.title AS post_title"
    " FROM comments c JOIN posts p ON p.id = c.post_id"
    " WHERE c.status = $1 AND ($2::bigint = 0 OR p.author_id = $2::bigint)"
    " ORDER BY c.created_at DESC, c.id DESC LIMIT 200) x";

static const char Q_OWNER[] =
    "SELECT p.author_id FROM comments c JOIN posts p ON p.id = c.post_id"
    " WHERE c.id = $1::bigint";

static const char Q_SET[] =
    "UPDATE comments SET status = $2 WHERE id = $1::bigint";

static const char Q_DELETE[] =
    "DELETE FROM comments WHERE id = $1::bigint";

enum status
db_comments(struct db *db, struct arena *a, const char *slug,
    struct json_object **out)
{
	const char	*v[1] = { slug };

	return db_json_cell(db, db_reader(db), a, "reading comments",
	    Q_APPROVED, 1, v, false, out);
}

enum status
db_comment_add(struct db *db, struct arena *a, const struct comment_in *c)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[7] = { c->slug, c->name, c->email, c->url, c->body,
	    c->status, c->remote_addr };
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "adding a comment", Q_ADD, 7,
	    v)) == NULL)
		return db_write_failure(db, pg);
	return PQntuples(res) == 1 ? ST_OK : ST_NOTFOUND;
}

enum status
db_admin_comments(struct db *db, struct arena *a, const char *status,
    const struct principal *by, struct json_object **out)
{
	const char	*v[2] = { status,
	    arena_printf(a, "%lld", (long long)(by->admin ? 0 : by->id)) };

	return db_json_cell(db, db_primary(db), a, "listing comments",
	    Q_ADMIN_LIST, 2, v, false, out);
}

enum status
db_comment_moderate(struct db *db, struct arena *a, int64_t id,
    const char *status, const struct principal *by)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { arena_printf(a, "%lld", (long long)id),
	    status };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "finding a comment's post", Q_OWNER, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	if (!by->admin && strtoll(PQgetvalue(res, 0, 0), NULL, 10) != by->id)
		return ST_FORBIDDEN;
	if (db_exec(db, pg, a, "moderating a comment",
	    status != NULL ? Q_SET : Q_DELETE, status != NULL ? 2 : 1,
	    v) == NULL)
		return db_failure(db, pg);
	return ST_OK;
}
