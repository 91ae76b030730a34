/* SPDX-License-Identifier: MIT */
/*
 * db_session.c: sign-in, sessions, rate-limit counters and site keys.
 * Everything here runs on the primary: a session made a moment ago must
 * be found by the very next request, whatever a replica has replayed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "db/principal.h"
#include "lib/util.h"

static const char Q_LOGIN[] =
    "SELECT id, username, display_name, role = 'admin', password_hash,"
    " disabled_at IS NOT NULL FROM users WHERE username = $1";

static const char Q_REHASH[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1::bigint"
    " AND password_hash IS NOT NULL";

/* Expired sessions go whenever someone signs in: no cron needed. */
static const char Q_SESSION_ADD[] =
    "WITH gone AS (DELETE FROM sessions WHERE expires_at < now())"
    " INSERT INTO sessions (token_hash, user_id, csrf, expires_at)"
    " VALUES ($1::bytea, $2::bigint, $3,"
    " now() + make_interval(secs => $4::int))";

static const char Q_SESSION_GET[] =
    "SELECT u.id, u.username, u.display_name, u.role = 'admin', s.csrf"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.token_hash = $1::bytea AND s.expires_at > now()"
    " AND u.password_hash IS NOT NULL AND u.disabled_at IS NULL";

static const char Q_SESSION_DEL[] =
    "DELETE FROM sessions WHERE token_hash = $1::bytea";

static const char Q_THROTTLE_PEEK[] =
    "SELECT coalesce(max(hits), 0),"
    " coalesce(ceil(extract(epoch FROM max(window_start)"
    "  + make_interval(secs => $2::int) - now())), 0)::int"
    " FROM throttle WHERE bucket = $1"
    " AND window_start > now() - make_interval(secs => $2::int)";

static const char Q_THROTTLE_HIT[] =
    "INSERT INTO throttle AS t (bucket, hits, window_start)"
    " VALUES ($1, 1, now())"
    " ON CONFLICT (bucket) DO UPDATE SET"
    "  hits = CASE WHEN t.window_start > now() - make_interval(secs => $2::int)"
    "   THEN t.hits + 1 ELSE 1 END,"
    "  window_start = CASE WHEN t.window_start > now()"
    "   - make_interval(secs => $2::int) THEN t.window_start ELSE now() END"
    " RETURNING hits, ceil(extract(epoch FROM window_start"
    "  + make_interval(secs => $2::int) - now()))::int";

static const char Q_THROTTLE_CLEAR[] =
    "DELETE FROM throttle WHERE bucket = $1";

/* Old windows go with the next hit of anyone: the table stays small. */
static const char Q_THROTTLE_GC[] =
    "DELETE FROM throttle WHERE window_start < now() - interval '1 day'";

static const char Q_KEY_GET[] =
    "SELECT key FROM site_keys WHERE name = $1";

static const char Q_KEY_ADD[] =
    "INSERT INTO site_keys (name, key) VALUES ($1, $2::bytea)"
    " ON CONFLICT (name) DO NOTHING";

static PGconn *
primary(struct db *db)
{
	return db_primary(db);
}

enum status
db_login_user(struct db *db, struct arena *a, const char *username,
    struct db_login *out)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { username };

	memset(out, 0, sizeof(*out));
	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "finding who signs in", Q_LOGIN, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->username = PQgetvalue(res, 0, 1);
	out->display_name = PQgetvalue(res, 0, 2);
	out->admin = PQgetvalue(res, 0, 3)[0] == 't';
	out->password_hash = PQgetisnull(res, 0, 4) ? NULL :
	    PQgetvalue(res, 0, 4);
	out->disabled = PQgetvalue(res, 0, 5)[0] == 't';
	return ST_OK;
}

enum status
db_login_rehash(struct db *db, struct arena *a, int64_t id,
    const char *hash)
{
	PGconn		*pg;
	const char	*v[2] = { arena_printf(a, "%lld", (long long)id), hash };

	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "renewing a password hash", Q_REHASH, 2,
	    v) == NULL)
		return db_failure(db, pg);
	return ST_OK;
}

enum status
db_session_add(struct db *db, struct arena *a, const char *hash_hex,
    int64_t user_id, const char *csrf, int ttl)
{
	PGconn		*pg;
	const char	*v[4] = { hash_hex,
	    arena_printf(a, "%lld", (long long)user_id), csrf,
	    arena_printf(a, "%d", ttl) };

	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "opening a session", Q_SESSION_ADD, 4,
	    v) == NULL)
		return db_failure(db, pg);
	return ST_OK;
}

enum status
db_session_get(struct db *db, struct arena *a, const char *hash_hex,
    struct principal *p)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[1] = { hash_hex };

	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "reading a session", Q_SESSION_GET, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	memset(p, 0, sizeof(*p));
	p->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	p->username = PQgetvalue(res, 0, 1);
	p->display_name = PQgetvalue(res, 0, 2);
	p->admin = PQgetvalue(res, 0, 3)[0] == 't';
	p->csrf = PQgetvalue(res, 0, 4);
	return ST_OK;
}

enum status
db_session_delete(struct db *db, struct arena *a, const char *hash_hex)
{
	PGconn		*pg;
	const char	*v[1] = { hash_hex };

	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "closing a session", Q_SESSION_DEL, 1,
	    v) == NULL)
		return db_failure(db, pg);
	return ST_OK;
}

enum status
db_throttle(struct db *db, struct arena *a, const char *bucket,
    int window, bool hit, int *hits, int *retry_after)
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { bucket, arena_printf(a, "%d", window) };

	*hits = 0;
	*retry_after = 0;
	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (hit && db_exec(db, pg, a, "pruning rate limits",
	    Q_THROTTLE_GC, 0, NULL) == NULL)
		return db_failure(db, pg);
	if ((res = db_exec(db, pg, a, "counting for a rate limit",
	    hit ? Q_THROTTLE_HIT : Q_THROTTLE_PEEK, 2, v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_INTERNAL;
	*hits = atoi(PQgetvalue(res, 0, 0));
	*retry_after = atoi(PQgetvalue(res, 0, 1));
	if (*retry_after < 1)
		*retry_after = 1;
	return ST_OK;
}

enum status
db_throttle_clear(struct db *db, struct arena *a, const char *bucket)
{
	PGconn		*pg;
	const char	*v[1] = { bucket };

	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (db_exec(db, pg, a, "clearing a rate limit", Q_THROTTLE_CLEAR, 1,
	    v) == NULL)
		return db_failure(db, pg);
	return ST_OK;
}

enum status
db_site_key(struct db *db, struct arena *a, const char *name,
    const char *fresh_hex, unsigned char key[32])
{
	PGconn		*pg;
	PGresult	*res;
	const char	*v[2] = { name, fresh_hex };
	const char	*hex;
	size_t		 len;

	if ((pg = primary(db)) == NULL)
		return ST_UNAVAILABLE;
	/* Whoever inserts first wins; everyone then reads the winner's. */
	if (db_exec(db, pg, a, "making a site key", Q_KEY_ADD, 2, v) == NULL ||
	    (res = db_exec(db, pg, a, "reading a site key", Q_KEY_GET, 1,
	    v)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_INTERNAL;
	hex = PQgetvalue(res, 0, 0);
	if (strlen(hex) != 2 + 64 || hex[0] != '\\' || hex[1] != 'x' ||
	    sodium_hex2bin(key, 32, hex + 2, 64, NULL, &len, NULL) != 0 ||
	    len != 32)
		return ST_INTERNAL;
	return ST_OK;
}
