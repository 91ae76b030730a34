/* SPDX-License-Identifier: MIT */
/*
 * db_token.c: API tokens in api_tokens, for inkwellctl token and for
 * token_principal().  Hashes travel as bytea text ("\x" and hex).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "db/principal.h"
#include "lib/util.h"

static const char Q_ADD[] =
    "INSERT INTO api_tokens (user_id, name, token_hash)"
    " SELECT id, $2, $3::bytea FROM users WHERE username = $1"
    " RETURNING id";

static const char Q_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())"
    " WHERE id = $1";

static const char Q_LIST[] =
    "SELECT t.id, u.username, t.name, " DB_UTC("t.created_at") ","
    " coalesce(" DB_UTC("t.last_used_at") ", ''),"
    " coalesce(" DB_UTC("t.revoked_at") ", '')"
    " FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " WHERE $1 = '' OR u.username = $1 ORDER BY t.id";

/*
 * The token's owner, and its use noted in the same round trip: the
 * UPDATE writes only when the last note is a minute old, so a script
 * calling the API in a loop costs one row write a minute, not one per
 * request.  A disabled user's tokens are refused (and not noted).
 */
static const char Q_PRINCIPAL[] =
    "WITH t AS (SELECT a.id, a.user_id, a.last_used_at FROM api_tokens a"
    " JOIN users u ON u.id = a.user_id WHERE a.token_hash = $1::bytea"
    " AND a.revoked_at IS NULL AND u.disabled_at IS NULL),"
    " used AS (UPDATE api_tokens SET last_used_at = now()"
    " WHERE id IN (SELECT id FROM t WHERE last_used_at IS NULL"
    " OR last_used_at < now() - interval '1 minute'))"
    " SELECT t.id, u.id, u.username, u.display_name, u.role = 'admin'"
    " FROM t JOIN users u ON u.id = t.user_id";

/* "\x" and the hex of h, as PostgreSQL reads a bytea in text. */
static const char *
hash_param(struct arena *a, const unsigned char *h)
{
	char	*s = arena_alloc(a, 2 + 2 * TOKEN_HASH_BYTES + 1);

	s[0] = '\\';
	s[1] = 'x';
	sodium_bin2hex(s + 2, 2 * TOKEN_HASH_BYTES + 1, h, TOKEN_HASH_BYTES);
	return s;
}

enum status
db_token_add(struct db *db, struct arena *a, const char *username,
    const char *name, const unsigned char *hash, int64_t *id)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[3] = { username, name, hash_param(a, hash) };
	const char	*s;

	*id = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "adding an API token", Q_ADD, 3, v)) ==
	    NULL) {
		s = db_sqlstate(db);
		if (strncmp(s, "22", 2) == 0 || strcmp(s, "23514") == 0)
			return ST_UNPROCESSABLE;
		return db_failure(db, pg);
	}
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	return ST_OK;
}

enum status
db_token_revoke(struct db *db, struct arena *a, int64_t id)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { arena_printf(a, "%" PRId64, id) };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "revoking an API token", Q_REVOKE, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	return strcmp(PQcmdTuples(res), "1") == 0 ? ST_OK : ST_NOTFOUND;
}

enum status
db_token_list(struct db *db, struct arena *a, const char *username,
    struct token_out **out, size_t *n)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { username != NULL ? username : "" };

	*out = NULL;
	*n = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "listing API tokens", Q_LIST, 1, v)) ==
	    NULL)
		return db_failure(db, pg);
	*n = (size_t)PQntuples(res);
	*out = arena_array(a, *n + 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		int	 row = (int)i;

		(*out)[i] = (struct token_out){
			.id = strtoll(PQgetvalue(res, row, 0), NULL, 10),
			.username = arena_strdup(a, PQgetvalue(res, row, 1)),
			.name = arena_strdup(a, PQgetvalue(res, row, 2)),
			.created = arena_strdup(a, PQgetvalue(res, row, 3)),
			.last_used = arena_strdup(a, PQgetvalue(res, row, 4)),
			.revoked = arena_strdup(a, PQgetvalue(res, row, 5)),
		};
	}
	return ST_OK;
}

enum status
db_token_principal(struct db *db, struct arena *a,
    const unsigned char *hash, struct principal *p)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { hash_param(a, hash) };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "looking up an API token", Q_PRINCIPAL,
	    1, v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_UNAUTHORIZED;
	*p = (struct principal){
		.token_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10),
		.id = strtoll(PQgetvalue(res, 0, 1), NULL, 10),
		.username = arena_strdup(a, PQgetvalue(res, 0, 2)),
		.display_name = arena_strdup(a, PQgetvalue(res, 0, 3)),
		.admin = PQgetvalue(res, 0, 4)[0] == 't',
		.csrf = NULL,
	};
	return ST_OK;
}
