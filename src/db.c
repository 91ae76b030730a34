/* SPDX-License-Identifier: MIT */
/*
 * db.c: the worker's PostgreSQL connection(s).
 *
 * Connections are made lazily and remade after any failure.  A failed
 * connect starts a one-second back-off during which callers get
 * ST_UNAVAILABLE at once: with the server down a request must answer 503
 * promptly, not wait connect_timeout each time.  statement_timeout is set
 * per connection so no query can hold a worker forever.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "arena.h"
#include "conf.h"
#include "db.h"
#include "db_int.h"
#include "log.h"
#include "util.h"

#define BACKOFF_SECONDS	1.0

struct conn {
	PGconn		*pg;
	const char	*conninfo;
	double		 retry_at;	/* util_now() before which not to try */
};

struct db {
	struct conn	 primary;
	struct conn	 replica;	/* conninfo NULL: none configured */
	char		 timeout_opt[64];
	char		 connect_timeout[16];
};

static const char Q_SCHEMA_VERSION[] =
    "SELECT coalesce(max(version), 0) FROM inkwell_migrations";

int
db_schema_expected(void)
{
	return db_nmigrations ? db_migrations[db_nmigrations - 1].version : 0;
}

struct db *
db_open(const struct conf *c)
{
	struct db	*db = xcalloc(1, sizeof(*db));

	db->primary.conninfo = xstrdup(c->db_primary);
	if (c->db_replica[0] != '\0')
		db->replica.conninfo = xstrdup(c->db_replica);
	snprintf(db->timeout_opt, sizeof(db->timeout_opt),
	    "-c statement_timeout=%lld", (long long)c->db_statement_timeout);
	snprintf(db->connect_timeout, sizeof(db->connect_timeout), "%lld",
	    (long long)c->db_connect_timeout);
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->primary.pg != NULL)
		PQfinish(db->primary.pg);
	if (db->replica.pg != NULL)
		PQfinish(db->replica.pg);
	free((char *)db->primary.conninfo);
	free((char *)db->replica.conninfo);
	free(db);
}

/* Returns a usable connection or NULL (logged, back-off started). */
static PGconn *
conn_get(struct db *db, struct conn *c)
{
	const char *const kw[] = { "dbname", "connect_timeout", "options",
	    "application_name", NULL };
	const char *const val[] = { c->conninfo, db->connect_timeout,
	    db->timeout_opt, "inkwell", NULL };
	double	 now;

	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
		return c->pg;
	now = util_now();
	if (now < c->retry_at)
		return NULL;
	if (c->pg != NULL)
		PQfinish(c->pg);
	/* expand_dbname = 1: the dbname value is a full conninfo string. */
	c->pg = PQconnectdbParams(kw, val, 1);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		log_msg(LOG_ERROR, "database connection failed: %s",
		    PQerrorMessage(c->pg));
		PQfinish(c->pg);
		c->pg = NULL;
		c->retry_at = now + BACKOFF_SECONDS;
		return NULL;
	}
	return c->pg;
}

PGconn *
db_primary(struct db *db)
{
	return conn_get(db, &db->primary);
}

PGconn *
db_reader(struct db *db)
{
	PGconn	*pg;

	if (db->replica.conninfo != NULL &&
	    (pg = conn_get(db, &db->replica)) != NULL)
		return pg;
	return conn_get(db, &db->primary);
}

void
db_broken(struct db *db, PGconn *pg)
{
	struct conn *c = pg == db->primary.pg ? &db->primary :
	    pg == db->replica.pg ? &db->replica : NULL;

	if (c != NULL && PQstatus(pg) != CONNECTION_OK) {
		PQfinish(pg);
		c->pg = NULL;
	}
}

static void
clear(void *p)
{
	PQclear(p);
}

PGresult *
db_exec(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *sql, int nparams, const char *const *params)
{
	PGresult	*res;
	ExecStatusType	 st;

	res = PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
	arena_defer(a, clear, res);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	log_msg(LOG_ERROR, "%s: %s", what, PQerrorMessage(pg));
	db_broken(db, pg);
	return NULL;
}

enum status
db_schema_version(struct db *db, int *have)
{
	PGconn		*pg;
	PGresult	*res;
	enum status	 st = ST_UNAVAILABLE;
	const char	*state;

	*have = 0;
	if ((pg = conn_get(db, &db->primary)) == NULL)
		return ST_UNAVAILABLE;
	res = PQexecParams(pg, Q_SCHEMA_VERSION, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		*have = atoi(PQgetvalue(res, 0, 0));
		st = ST_OK;
	} else if ((state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL &&
	    strcmp(state, "42P01") == 0) {
		st = ST_OK;		/* no migrations table: version 0 */
	} else {
		log_msg(LOG_ERROR, "schema version query failed: %s",
		    PQerrorMessage(pg));
		if (PQstatus(pg) != CONNECTION_OK) {
			PQfinish(pg);
			db->primary.pg = NULL;
		}
	}
	PQclear(res);
	return st;
}
