/* SPDX-License-Identifier: MIT */
/*
 * db_int.h: what the db_*.c files share and nothing else includes.
 * Handlers include db.h only and never see libpq.
 */
#ifndef INKWELL_DB_INT_H
#define INKWELL_DB_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "lib/status.h"

struct arena;
struct db;

/* A timestamptz column as ISO 8601 in UTC ("2026-01-05T09:00:00Z"), for
 * the SQL constants. */
#define DB_UTC(col) \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * The primary's connection, connected or reconnected as needed; NULL
 * (logged, with a short jittered back-off before the next attempt) when
 * PostgreSQL is unreachable.  Owned by db; do not PQfinish it.
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

/*
 * The database clock: a statement run outside db_exec and db_exec_all
 * is bracketed by db_clock_start() and db_clock_stop(its start, how many
 * statements), so db_time_take() (db.h) sees its time too.  Nested
 * brackets count once, in the outermost.
 */
double		 db_clock_start(void);
void		 db_clock_stop(double start, unsigned statements);

/*
 * Runs one statement (n parameters v, as text) on pg, its time on the
 * database clock, its result freed with arena a; *out gets it when out
 * is not NULL.  On failure logs it with what and tells apart a lost
 * connection (ST_UNAVAILABLE; *lost set, the connection is gone), a
 * duplicate key (ST_CONFLICT), a value the database refused (data
 * exception or CHECK: ST_UNPROCESSABLE) and the rest (ST_INTERNAL).
 */
enum status	 db_run(struct db *, PGconn *pg, struct arena *a,
		    const char *what, const char *sql, int n,
		    const char *const *v, PGresult **out, bool *lost);

/* Tells db that conn failed mid-query so it is remade on next use. */
void		 db_broken(struct db *, PGconn *conn);

/*
 * Judges a failed statement on pg (res its result; NULL when libpq made
 * none) and keeps the verdict in db for db_failure().  True when the
 * connection is what failed: pg is no longer CONNECTION_OK, the error
 * has no SQLSTATE (it is libpq's own), or the SQLSTATE is of class 08
 * or 57P01..57P03 (the server shut down, crashed, or is not accepting
 * yet).  Then pg is marked dead and remade on next use (for the replica,
 * with its last known LSN forgotten), and db_failure() says
 * ST_UNAVAILABLE (503).  False leaves db_failure() to judge by SQLSTATE.
 * pg may still report CONNECTION_OK: after the server went away without
 * our reading its goodbye, libpq's first failure does not mark the
 * connection bad.
 */
bool		 db_lost(struct db *, PGconn *pg, const PGresult *res);

/*
 * Logs a failed statement once, on one line, "what: message" in
 * PostgreSQL's words (primary message, detail, SQLSTATE), never libpq's
 * multi-line report.  A refusal the author is told about (unique
 * violation: 409; a value the schema refuses: 422) is logged at info, a
 * lost connection at warn, the rest at error.
 */
void		 db_log_failure(const char *what, PGconn *pg,
		    const PGresult *res);

/*
 * Sends pg's notices (NOTICE, WARNING) to the log as JSON lines instead
 * of libpq's bare lines on stderr: NOTICE at debug, WARNING at warn.
 * Every connection db makes gets this; pg NULL is ignored.
 */
void		 db_notices(PGconn *pg);

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
/* The SQLSTATE of the last failed statement ("" when it had none). */
const char	*db_sqlstate(const struct db *);

/*
 * What a failed change means for its author: ST_CONFLICT for a unique
 * violation, ST_UNPROCESSABLE for a value the schema refuses (a data
 * exception, a CHECK or NOT NULL), else as db_failure says.
 */
enum status	 db_write_failure(struct db *, PGconn *);

/*
 * Runs a query on pg (NULL: ST_UNAVAILABLE) whose one cell is JSON and
 * parses it into *out, owned by the caller.  ST_NOTFOUND when no row or
 * a NULL came back; a failure as db_write_failure (write) or db_failure
 * says.
 */
struct json_object;
enum status	 db_json_cell(struct db *, PGconn *, struct arena *,
		    const char *what, const char *sql, int nparams,
		    const char *const *params, bool write,
		    struct json_object **out);

PGresult	*db_exec(struct db *, PGconn *, struct arena *, const char *what,
		    const char *sql, int nparams, const char *const *params);

/*
 * How db_exec_bin sends parameters and wants results, in libpq's terms
 * (format 0 text, 1 binary).  For bytea, binary saves the hex escape
 * both ways: twice the bytes on the wire and in memory, and the work of
 * encoding and decoding them.
 */
struct db_bin {
	const int	*lengths;	/* per parameter, for binary ones */
	const int	*formats;	/* per parameter; NULL: all text */
	int		 result;	/* every result column in this format */
};

/* db_exec with the formats in *b (NULL: all text, as db_exec). */
PGresult	*db_exec_bin(struct db *, PGconn *, struct arena *,
		    const char *what, const char *sql, int nparams,
		    const char *const *params, const struct db_bin *b);

/* One statement of db_exec_all(): what to run, and its result. */
struct db_stmt {
	const char		*what;
	const char		*sql;		/* a named query constant */
	int			 nparams;
	const char *const	*params;
	PGresult		*res;		/* set by db_exec_all */
};
#define DB_MAX_BATCH	16

/*
 * Runs the n (at most DB_MAX_BATCH) statements of q on pg in one round
 * trip (libpq pipeline mode) rather than n: each q[k].res as db_exec
 * would give it (on the arena; NULL after logging the error).  true when
 * every one succeeded; after a failure, db_failure(db, pg) tells what it
 * means.  A connection found dead, or one that lost its prepared
 * statements, gets the statements one by one through db_exec, and so
 * the same second try on a fresh connection.
 */
bool		 db_exec_all(struct db *, PGconn *, struct arena *,
		    struct db_stmt *q, int n);

/*
 * db_migrate on a connection the caller made and keeps (db_setup.c makes
 * one with the role set).  Same return convention as db_migrate.
 */
int		 db_migrate_pg(PGconn *, bool status_only, FILE *log);

#endif
