/* SPDX-License-Identifier: MIT */
/* db_user.c: users for inkwellctl user, and later the login. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "arena.h"
#include "db.h"
#include "db_int.h"
#include "log.h"
#include "util.h"

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
    " password_hash IS NOT NULL,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM users ORDER BY username";

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

enum status
db_user_passwd(struct db *db, struct arena *a, const char *username,
    const char *password_hash, long *sessions_ended)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { username, password_hash };

	*sessions_ended = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "setting a password", Q_PASSWD, 2,
	    v)) == NULL)
		return db_write_failure(db, pg);
	if (strcmp(PQgetvalue(res, 0, 0), "1") != 0)
		return ST_NOTFOUND;
	*sessions_ended = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	return ST_OK;
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
			.created = arena_strdup(a, PQgetvalue(res, r, 5)),
		};
	}
	return ST_OK;
}
