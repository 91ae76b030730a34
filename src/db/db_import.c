/* SPDX-License-Identifier: MIT */
/*
 * db_import.c: what an import of a WordPress export writes besides
 * posts: authors, comments and redirects, each so that importing the
 * same file again finds what the first import wrote and adds nothing.
 *
 * Comments carry no id of their own from the export, so one is known
 * again by its post, author name, body and time (when it has one): the
 * same words by the same name on the same post at the same second are
 * taken to be one comment.  A comment found again is left as it is, so
 * a moderator's later decision on it stands.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "lib/util.h"
#include "content/content.h"
#include "content/wxr.h"

/* An email taken by another user is left off rather than refused. */
static const char Q_USER[] =
    "WITH i AS (INSERT INTO users (username, display_name, email, role)"
    " SELECT $1, $2, CASE WHEN $3::text IS NULL OR EXISTS (SELECT 1 FROM"
    " users WHERE email = $3::text) THEN NULL ELSE $3::text END, 'author'"
    " ON CONFLICT (username) DO NOTHING RETURNING id)"
    " SELECT id, true FROM i UNION ALL SELECT id, false FROM users"
    " WHERE username = $1 AND NOT EXISTS (SELECT 1 FROM i)";

static const char Q_COMMENT[] =
    "WITH f AS (SELECT id FROM comments WHERE post_id = $1::bigint"
    " AND author_name = $2 AND body = $5"
    " AND ($7::timestamptz IS NULL OR created_at = $7::timestamptz)"
    " ORDER BY id LIMIT 1),"
    " i AS (INSERT INTO comments (post_id, parent_id, author_name,"
    " author_email, author_url, body, status, created_at)"
    " SELECT $1::bigint, $8::bigint, $2, $3, $4, $5, $6,"
    " coalesce($7::timestamptz, now()) WHERE NOT EXISTS (SELECT 1 FROM f)"
    " RETURNING id)"
    " SELECT id, false FROM f UNION ALL SELECT id, true FROM i";

/* The select does not see the insert: it reads the row that was there. */
static const char Q_REDIRECT[] =
    "WITH i AS (INSERT INTO redirects (from_path, to_path, source)"
    " VALUES ($1, $2, 'wxr') ON CONFLICT (from_path) DO NOTHING"
    " RETURNING 1)"
    " SELECT 'new' FROM i UNION ALL"
    " SELECT CASE WHEN to_path = $2 THEN 'same' ELSE 'other' END"
    " FROM redirects WHERE from_path = $1 AND NOT EXISTS (SELECT 1 FROM i)";

/* One statement on the primary; its result in *res.  The status. */
static enum status
run(struct db *db, struct arena *a, const char *what, const char *sql,
    int n, const char *const *v, PGresult **res)
{
	PGconn	*pg;
	bool	 lost = false;

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	return db_run(db, pg, a, what, sql, n, v, res, &lost);
}

enum status
db_import_user(struct db *db, struct arena *a, const char *username,
    const char *display_name, const char *email, int64_t *id,
    bool *created)
{
	PGresult	*res = NULL;
	const char	*v[3] = { username, display_name, email };
	long		 n;
	enum status	 st;

	*id = 0;
	*created = false;
	if (username == NULL || !util_username_ok(username,
	    strlen(username))) {
		log_msg(LOG_WARN, "user \"%s\": username: must match "
		    "[a-z0-9][a-z0-9_-]{0,39}", username ? username : "");
		return ST_UNPROCESSABLE;
	}
	if (display_name == NULL || (n = content_chars(display_name,
	    strlen(display_name))) < 1 || n > CONTENT_DISPLAY_MAX)
		v[1] = username;
	if ((st = run(db, a, "importing a user", Q_USER, 3, v, &res)) !=
	    ST_OK)
		return st;
	if (PQntuples(res) != 1)
		return ST_INTERNAL;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*created = PQgetvalue(res, 0, 1)[0] == 't';
	return ST_OK;
}

enum status
db_import_comment(struct db *db, struct arena *a, int64_t post_id,
    int64_t parent_id, const struct wxr_comment *c, int64_t *id,
    bool *created)
{
	PGresult	*res = NULL;
	const char	*v[8] = { arena_printf(a, "%" PRId64, post_id),
	    c->author_name, c->author_email, c->author_url, c->body,
	    c->status, c->created_at, parent_id > 0 ?
	    arena_printf(a, "%" PRId64, parent_id) : NULL };
	enum status	 st;

	*id = 0;
	*created = false;
	if ((st = run(db, a, "importing a comment", Q_COMMENT, 8, v, &res)) !=
	    ST_OK)
		return st;
	if (PQntuples(res) != 1)
		return ST_INTERNAL;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*created = PQgetvalue(res, 0, 1)[0] == 't';
	return ST_OK;
}

enum status
db_import_redirect(struct db *db, struct arena *a, const char *from,
    const char *to, const char **how)
{
	PGresult	*res = NULL;
	const char	*v[2] = { from, to };
	enum status	 st;

	*how = NULL;
	if ((st = run(db, a, "recording a redirect", Q_REDIRECT, 2, v,
	    &res)) != ST_OK)
		return st;
	if (PQntuples(res) != 1)
		return ST_INTERNAL;
	*how = arena_strdup(a, PQgetvalue(res, 0, 0));
	return ST_OK;
}
