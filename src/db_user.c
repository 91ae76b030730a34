/* SPDX-License-Identifier: MIT */
/* db_user.c: users for inkwellctl user, and later the login. */
#include "config.h"

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

static const char Q_PASSWD[] =
    "UPDATE users SET password_hash = $2, updated_at = now()"
    " WHERE username = $1";

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
    const char *password_hash)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { username, password_hash };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "setting a password", Q_PASSWD, 2,
	    v)) == NULL)
		return db_write_failure(db, pg);
	return strcmp(PQcmdTuples(res), "1") == 0 ? ST_OK : ST_NOTFOUND;
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
