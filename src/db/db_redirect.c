/* SPDX-License-Identifier: MIT */
/*
 * db_redirect.c: the redirects table: the lookup a request with no
 * content makes, and the admin's list, add and remove.  What a from and
 * a to may be is content's (redirect.c); a slug change records its
 * redirect in the database itself (sql/0010_redirects.sql).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"

/* Exact first, else the longest prefix (sql/0010 says why a column).
 * from_path is UNIQUE, so at most one row of each length. */
static const char Q_FIND[] =
    "SELECT code, to_path, match = 'prefix', octet_length(from_path)"
    " FROM redirects WHERE (match = 'exact' AND from_path = $1)"
    " OR (match = 'prefix' AND left($1, length(from_path)) = from_path)"
    " ORDER BY match = 'exact' DESC, length(from_path) DESC LIMIT 1";

#define REDIRECT_JSON \
    "json_build_object('id', id, 'from_path', from_path," \
    " 'to_path', to_path, 'code', code, 'match', match, 'source', source," \
    " 'created_at', " DB_UTC("created_at") ")"

static const char Q_LIST[] =
    "SELECT coalesce(json_agg(" REDIRECT_JSON " ORDER BY from_path"
    " COLLATE \"C\"), '[]') FROM redirects";

/* No row: the new redirect would close a loop. */
static const char Q_ADD[] =
    "WITH i AS (INSERT INTO redirects (from_path, to_path, code, source,"
    " match) SELECT $1, $2, $3::smallint, 'manual', $4"
    " WHERE NOT redirect_loops($1, $2, $4) RETURNING *)"
    " SELECT " REDIRECT_JSON " FROM i";

static const char Q_DELETE[] = "DELETE FROM redirects WHERE id = $1::bigint";

enum status
db_redirect_find(struct db *db, struct arena *a, const char *path,
    int *code, const char **to, size_t *plen, bool *prefix)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { path };

	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "looking up a redirect", Q_FIND, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	*code = atoi(PQgetvalue(res, 0, 0));
	*to = arena_strdup(a, PQgetvalue(res, 0, 1));
	*prefix = PQgetvalue(res, 0, 2)[0] == 't';
	*plen = (size_t)strtoul(PQgetvalue(res, 0, 3), NULL, 10);
	if (*prefix && *plen > strlen(path))
		return ST_NOTFOUND;
	return ST_OK;
}

enum status
db_redirects(struct db *db, struct arena *a, struct json_object **out)
{
	return db_json_cell(db, db_primary(db), a, "listing redirects",
	    Q_LIST, 0, NULL, false, out);
}

enum status
db_redirect_add(struct db *db, struct arena *a, const char *from,
    const char *to, int code, bool prefix, struct json_object **out)
{
	const char	*v[4] = { from, to, arena_printf(a, "%d", code),
	    prefix ? "prefix" : "exact" };
	enum status	 st;

	st = db_json_cell(db, db_primary(db), a, "adding a redirect", Q_ADD,
	    4, v, true, out);
	return st == ST_NOTFOUND ? ST_INVALID : st;
}

enum status
db_redirect_delete(struct db *db, struct arena *a, int64_t id)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { arena_printf(a, "%lld", (long long)id) };

	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "removing a redirect", Q_DELETE, 1,
	    v)) == NULL)
		return db_write_failure(db, pg);
	return strcmp(PQcmdTuples(res), "1") == 0 ? ST_OK : ST_NOTFOUND;
}
