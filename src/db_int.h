/* SPDX-License-Identifier: MIT */
/*
 * db_int.h: what the db_*.c files share and nothing else includes.
 * Handlers include db.h only and never see libpq.
 */
#ifndef INKWELL_DB_INT_H
#define INKWELL_DB_INT_H

#include <libpq-fe.h>

#include "status.h"

struct arena;
struct db;

/*
 * The primary's connection, connected or reconnected as needed; NULL
 * (logged, with a one-second back-off) when PostgreSQL is unreachable.
 * Owned by db; do not PQfinish it.
 */
PGconn		*db_primary(struct db *);

/*
 * The read connection: the replica when one is configured and reachable,
 * else the primary.  NULL when neither is reachable.
 */
PGconn		*db_reader(struct db *);

/*
 * What the last failed db_exec on pg means for the reader: ST_UNAVAILABLE
 * (503, try again) when the connection is gone or the server refused for
 * a passing reason (statement timeout, shutdown, too many connections),
 * else ST_INTERNAL (500: a bug or a schema that does not match).
 */
enum status	 db_failure(struct db *, PGconn *);

/* Tells db that conn failed mid-query so it is remade on next use. */
void		 db_broken(struct db *, PGconn *conn);

/*
 * Runs a parameterised query; the result is registered on the arena
 * (PQclear at request end) and returned when its status is TUPLES_OK or
 * COMMAND_OK, else NULL after logging the error with what.  sql must be
 * one of the named query constants (static storage, never built at run
 * time): it is prepared on pg the first time it runs there and known by
 * its address from then on, so nparams must be the same at every call.
 * A query on the replica whose connection breaks is run again on the
 * primary (only reads go to the replica).
 */
PGresult	*db_exec(struct db *, PGconn *, struct arena *, const char *what,
		    const char *sql, int nparams, const char *const *params);

#endif
