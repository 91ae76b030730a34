/* SPDX-License-Identifier: MIT */
/*
 * db_user.c: users for inkwellctl user: adding them, their passwords and
 * roles, disabling and deleting them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "lib/util.h"

static const char Q_ADD[] =
    "INSERT INTO users (username, display_name, email, role, password_hash)"
    " VALUES ($1, $2, nullif($3, ''), $4, $5)";

/* A new password ends every session the user had: whoever knew the old
 * one may be signed in. API tokens stay (they are revoked on their own). */
static const char Q_PASSWD[] =
    "WITH u AS (UPDATE users SET password_hash = $2, updated_at = now()"
    " WHERE username = $1 RETURNING id),"
    " gone AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)"
    " RETURNING 1)"
    " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM gone)";

static const char Q_LIST[] =
    "SELECT username, display_name, role, coalesce(email, ''),"
    " password_hash IS NOT NULL, disabled_at IS NOT NULL,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM users ORDER BY username";

/*
 * Whether $1 is the one enabled admin left: demoting, disabling
 * or deleting that user would leave nobody able to open the settings or
 * make another admin (short of inkwellctl).  Checked before the change,
 * in its own statement: two operators demoting the last two admins at
 * the same instant could both pass, which is left to them.
 */
static const char Q_LAST_ADMIN[] =
    "SELECT u.role = 'admin' AND u.disabled_at IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM users o WHERE o.role = 'admin'"
    " AND o.disabled_at IS NULL AND o.id <> u.id)"
    " FROM users u WHERE u.username = $1";

static const char Q_ROLE[] =
    "UPDATE users SET role = $2, updated_at = now() WHERE username = $1"
    " RETURNING 1";

/* Disabling ends the sessions at once; the tokens stay but are refused
 * while the user is disabled (db_session.c, db_token.c check it). */
static const char Q_DISABLE[] =
    "WITH u AS (UPDATE users SET disabled_at = coalesce(disabled_at, now()),"
    " updated_at = now() WHERE username = $1 RETURNING id),"
    " gone AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u)"
    " RETURNING 1)"
    " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM gone)";

static const char Q_ENABLE[] =
    "UPDATE users SET disabled_at = NULL, updated_at = now()"
    " WHERE username = $1 RETURNING 1";

/* Who is deleted, who takes over ("" for nobody) and what would move. */
static const char Q_DELETE_PLAN[] =
    "SELECT (SELECT id FROM users WHERE username = $1),"
    " (SELECT id FROM users WHERE username = $2),"
    " (SELECT count(*) FROM posts p JOIN users u ON u.id = p.author_id"
    "  WHERE u.username = $1)";

/*
 * One statement, so a failure changes nothing.  Posts and media move to
 * $2::bigint when it is given; the DELETE itself is guarded again (no
 * post may be left), so a post written between the plan and this
 * statement makes it fail on posts' foreign key rather than orphan the
 * post.  Sessions and API tokens go with the user (ON DELETE CASCADE).
 */
static const char Q_DELETE[] =
    "WITH posts_moved AS (UPDATE posts SET author_id = $2::bigint,"
    " updated_at = now() WHERE author_id = $1::bigint"
    " AND $2::bigint IS NOT NULL RETURNING 1),"
    " media_moved AS (UPDATE media SET uploaded_by = $2::bigint"
    " WHERE uploaded_by = $1::bigint AND $2::bigint IS NOT NULL RETURNING 1),"
    " s AS (SELECT count(*) AS n FROM sessions WHERE user_id = $1::bigint),"
    " t AS (SELECT count(*) AS n FROM api_tokens WHERE user_id = $1::bigint),"
    " gone AS (DELETE FROM users WHERE id = $1::bigint RETURNING 1)"
    " SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM posts_moved),"
    " (SELECT count(*) FROM media_moved), (SELECT n FROM s),"
    " (SELECT n FROM t)";

/* ST_FORBIDDEN when USERNAME is the last enabled admin. */
static enum status
not_last_admin(struct db *db, PGconn *pg, struct arena *a,
    const char *username)
{
	PGresult	*res;
	const char	*v[1] = { username };

	if ((res = db_exec(db, pg, a, "looking for another admin",
	    Q_LAST_ADMIN, 1, v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) == 0)
		return ST_NOTFOUND;
	return PQgetvalue(res, 0, 0)[0] == 't' ? ST_FORBIDDEN : ST_OK;
}

enum status
db_user_add(struct db *db, struct arena *a, const struct user_in *u)
{
	PGconn		*pg;
	const char	*v[5] = { u->username, u->display_name,
	    u->email != NULL ? u->email : "", u->role, u->password_hash };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "adding a user", Q_ADD, 5, v) == NULL)
		return db_write_failure(db, pg);
	return ST_OK;
}

/*
 * Runs q (Q_PASSWD, Q_DISABLE: a change to one user that ends their
 * sessions, answering "users changed, sessions deleted") on pg.  ST_OK
 * with *sessions_ended set; ST_NOTFOUND when there is no such user.
 */
static enum status
ending_sessions(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *q, int n, const char *const *v, long *sessions_ended)
{
	PGresult	*res;

	if ((res = db_exec(db, pg, a, what, q, n, v)) == NULL)
		return db_write_failure(db, pg);
	if (strcmp(PQgetvalue(res, 0, 0), "1") != 0)
		return ST_NOTFOUND;
	*sessions_ended = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	return ST_OK;
}

enum status
db_user_passwd(struct db *db, struct arena *a, const char *username,
    const char *password_hash, long *sessions_ended)
{
	PGconn		*pg;
	const char	*v[2] = { username, password_hash };

	*sessions_ended = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	return ending_sessions(db, pg, a, "setting a password", Q_PASSWD, 2,
	    v, sessions_ended);
}

enum status
db_user_list(struct db *db, struct arena *a, struct user_out **out,
    size_t *n)
{
	PGconn		*pg;
	PGresult	*res;

	*out = NULL;
	*n = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "listing users", Q_LIST, 0, NULL)) ==
	    NULL)
		return db_write_failure(db, pg);
	*n = (size_t)PQntuples(res);
	*out = arena_array(a, *n + 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		int r = (int)i;

		(*out)[i] = (struct user_out){
			.username = arena_strdup(a, PQgetvalue(res, r, 0)),
			.display_name = arena_strdup(a, PQgetvalue(res, r, 1)),
			.role = arena_strdup(a, PQgetvalue(res, r, 2)),
			.email = arena_strdup(a, PQgetvalue(res, r, 3)),
			.can_sign_in = PQgetvalue(res, r, 4)[0] == 't',
			.disabled = PQgetvalue(res, r, 5)[0] == 't',
			.created = arena_strdup(a, PQgetvalue(res, r, 6)),
		};
	}
	return ST_OK;
}

enum status
db_user_role(struct db *db, struct arena *a, const char *username,
    const char *role)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { username, role };

	enum status	 st;

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (strcmp(role, "admin") != 0 &&
	    (st = not_last_admin(db, pg, a, username)) != ST_OK)
		return st;
	if ((res = db_exec(db, pg, a, "changing a role", Q_ROLE, 2, v)) ==
	    NULL)
		return db_write_failure(db, pg);
	return PQntuples(res) == 1 ? ST_OK : ST_NOTFOUND;
}

enum status
db_user_disable(struct db *db, struct arena *a, const char *username,
    bool disable, long *sessions_ended)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { username };
	enum status	 st;

	*sessions_ended = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (disable && (st = not_last_admin(db, pg, a, username)) != ST_OK)
		return st;
	if (!disable) {
		if ((res = db_exec(db, pg, a, "enabling a user", Q_ENABLE, 1,
		    v)) == NULL)
			return db_write_failure(db, pg);
		return PQntuples(res) == 1 ? ST_OK : ST_NOTFOUND;
	}
	return ending_sessions(db, pg, a, "disabling a user", Q_DISABLE, 1, v,
	    sessions_ended);
}

enum status
db_user_delete(struct db *db, struct arena *a, const char *username,
    const char *reassign_to, struct user_deleted *out)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { username,
	    reassign_to != NULL ? reassign_to : "" };

	enum status	 st;

	memset(out, 0, sizeof(*out));
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((st = not_last_admin(db, pg, a, username)) != ST_OK)
		return st;
	if ((res = db_exec(db, pg, a, "planning a user's deletion",
	    Q_DELETE_PLAN, 2, v)) == NULL)
		return db_failure(db, pg);
	out->posts = strtol(PQgetvalue(res, 0, 2), NULL, 10);
	if (PQgetisnull(res, 0, 0))
		return ST_NOTFOUND;
	if (reassign_to != NULL && PQgetisnull(res, 0, 1)) {
		out->no_heir = true;
		return ST_NOTFOUND;
	}
	if (reassign_to == NULL && out->posts > 0)
		return ST_CONFLICT;
	v[0] = arena_strdup(a, PQgetvalue(res, 0, 0));
	v[1] = reassign_to != NULL ? arena_strdup(a, PQgetvalue(res, 0, 1)) :
	    NULL;
	if ((res = db_exec(db, pg, a, "deleting a user", Q_DELETE, 2,
	    v)) == NULL)
		return db_write_failure(db, pg);
	if (strcmp(PQgetvalue(res, 0, 0), "1") != 0)
		return ST_NOTFOUND;
	out->posts = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	out->media = strtol(PQgetvalue(res, 0, 2), NULL, 10);
	out->sessions = strtol(PQgetvalue(res, 0, 3), NULL, 10);
	out->tokens = strtol(PQgetvalue(res, 0, 4), NULL, 10);
	return ST_OK;
}
