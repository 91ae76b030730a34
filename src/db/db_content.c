/* SPDX-License-Identifier: MIT */
/*
 * db_content.c: the content version and WAL position the page cache keys
 * its entries by, always read from the primary (a replica's would be as
 * old as its data).
 */
#include "config.h"

#include <stdlib.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/util.h"

/*
 * pg_current_wal_lsn() is read after the version in the same statement:
 * any write that made this version committed before, so its commit
 * record lies at or below that position.  The next live time is rounded
 * up so a page made in the same second as a post goes live counts as
 * made before it.  Both go-live times are needed: next_live makes pages
 * stale the moment a scheduled post's time comes, but a later sync
 * replaces it with the one after; by then last_live says the same.
 */
static const char Q_STATE[] =
    "SELECT v.version, pg_current_wal_lsn(),"
    " coalesce(ceil(extract(epoch FROM (SELECT min(p.published_at)"
    "   FROM posts p WHERE p.status <> 'draft' AND p.published_at > now())"
    " ))::bigint, 0),"
    " coalesce(ceil(extract(epoch FROM (SELECT max(p.published_at)"
    "   FROM posts p WHERE p.status <> 'draft' AND p.published_at <= now())"
    " ))::bigint, 0)"
    " FROM content_version v";

static const char Q_BUMP[] =
    "UPDATE content_version SET version = greatest(version + 1,"
    " (extract(epoch FROM clock_timestamp()) * 1000000)::bigint),"
    " changed_at = now()";

static enum status
state(struct db *db, struct arena *a, bool bump, struct db_content *out)
{
	PGconn		*pg;
	PGresult	*res;

	out->version = 0;
	out->lsn = 0;
	out->next_live = 0;
	out->last_live = 0;
	if ((pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if (bump && db_exec(db, pg, a, "content version bump", Q_BUMP, 0,
	    NULL) == NULL)
		return db_failure(db, pg);
	if ((res = db_exec(db, pg, a, "content version", Q_STATE, 0,
	    NULL)) == NULL)
		return db_failure(db, pg);
	if (PQntuples(res) != 1)
		return ST_INTERNAL;
	out->version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->lsn = util_lsn_parse(PQgetvalue(res, 0, 1));
	out->next_live = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	out->last_live = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	return ST_OK;
}

enum status
db_content_state(struct db *db, struct arena *a, struct db_content *out)
{
	return state(db, a, false, out);
}

enum status
db_content_bump(struct db *db, struct arena *a, struct db_content *out)
{
	return state(db, a, true, out);
}
