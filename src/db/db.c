/* SPDX-License-Identifier: MIT */
/*
 * db.c: the worker's PostgreSQL connection(s).
 *
 * Connections are made lazily and remade after any failure.  A failed
 * connect starts a short back-off during which callers get ST_UNAVAILABLE
 * at once: with the server down a request must answer 503 promptly, not
 * wait connect_timeout each time.  Once the back-off is over, the next
 * request that needs the database tries again, so a server that comes
 * back is used at once rather than on a timer.  The back-off does not
 * stampede: each worker tries at most once per back-off however many
 * requests it gets, so N workers make at most N attempts in that time;
 * the pause is jittered so the workers' attempts spread out instead of
 * landing together; and it grows with what the failed attempt cost, so a
 * server that times out (not one that refuses at once) is not made to
 * hold every request for connect_timeout.  statement_timeout is set per
 * connection so no query can hold a worker forever.
 *
 * A connection the server dropped is not always one libpq calls bad: the
 * first statement after an immediate shutdown or a crash fails with
 * libpq's own "server closed the connection unexpectedly" (no SQLSTATE)
 * while PQstatus still says CONNECTION_OK.  So the failure itself is
 * judged (db_lost): such a connection is marked dead, remade on next
 * use, its failure is a 503, and a statement run on its own is asked
 * once more on a fresh connection.
 *
 * Notices (NOTICE, WARNING) go through the logger as JSON lines; libpq
 * would print them on stderr as bare text.
 *
 * Queries run as prepared statements, parsed and planned once per
 * connection rather than once per request: planning a listing query
 * took longer than running it.  A query is known by the address of its
 * SQL text (the named constants of db_*.c), numbered in the order first
 * run, and prepared on a connection the first time it runs there.  Each
 * connection remembers which numbers it has prepared; a remade
 * connection starts with none, so after a failure everything is
 * prepared again.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "lib/trace.h"
#include "lib/util.h"

/*
 * After a failed connect, no new attempt for BACKOFF_MIN seconds, or
 * twice what the attempt took when that was longer (a timeout rather
 * than a refusal), at most BACKOFF_MAX; jittered by -50% to +50%.
 */
#define BACKOFF_MIN	0.1
#define BACKOFF_MAX	5.0

/*
 * More named queries than db_*.c has (t/0001-policy.t counts them); any
 * past this many run unprepared (PQexecParams), so a mistake costs
 * speed, not correctness: such a statement is planned on every run, 2 ms
 * of a search's time.  It was 64 when db_*.c had 151: a worker whose
 * first search came after 64 other statements (the admin pages, the
 * API) would have planned every search it ran.
 */
#define MAX_STMTS	256

struct conn {
	PGconn		*pg;
	const char	*conninfo;
	const char	*name;		/* "primary" or "replica", for logs */
	double		 retry_at;	/* util_now() before which not to try */
	bool		 dead;		/* lost (db_lost): remake on next use */
	double		 logged_at;	/* when a failed connect was logged */
	/*
	 * prepared[i]: db->stmts[i] is prepared on pg as "iw<gen>_<i>".  gen
	 * changes when the server forgets our statements under a live
	 * connection (see exec_stmt), so no name is prepared twice.
	 */
	bool		 prepared[MAX_STMTS];
	unsigned	 gen;
	/*
	 * The trace id application_name carries now ("": none, plain
	 * "inkwell"); see want_tag().
	 */
	char		 tag[33];
};

struct db {
	struct conn	 primary;
	struct conn	 replica;	/* conninfo NULL: none configured */
	char		 sqlstate[6];	/* of the last failed statement */
	bool		 lost;		/* and it was the connection's fault */
	uint64_t	 min_lsn;	/* reads must see this write; 0: any */
	uint64_t	 replica_lsn;	/* replayed at least this far */
	char		 statement_timeout[24];	/* ms, for Q_SESSION */
	char		 connect_timeout[16];
	/* The SQL texts run so far, by statement number; static storage. */
	const char	*stmts[MAX_STMTS];
	int		 nstmts;
	int		 in_batch;	/* exec_all frames open */
	bool		 tag_sent;	/* by the last batch() */
};

/*
 * The trace join.  A sampled request's statements run under
 * application_name "inkwell <trace id>", so PostgreSQL's slow-query log
 * (%a in log_line_prefix) and pg_stat_activity name the trace; other
 * requests run under plain "inkwell".  The setting is sent down the
 * pipeline with the request's first statement on the connection, never
 * as a round trip of its own, and only when it changes: with tracing
 * off, or for unsampled requests on a connection that served no
 * sampled one, nothing is sent at all.  A comment in the SQL could not
 * do this: the statements are prepared once per connection, and their
 * text cannot change per request.
 */
static const char Q_TAG[] =
    "SELECT set_config('application_name', $1, false)";

static const char Q_SCHEMA_VERSION[] =
    "SELECT coalesce(max(version), 0) FROM inkwell_migrations";

/*
 * The session's settings, made by a query on every new connection.
 *
 * They used to travel in the startup packet ("options"), which pgbouncer
 * refuses ("unsupported startup parameter: options") unless told to
 * ignore it, and then the settings would silently be lost.  A query
 * works through pgbouncer in session mode (the mode inkwell needs, as it
 * keeps prepared statements on its connections), and pgbouncer's DISCARD
 * ALL clears them for the next client of that server connection.
 *
 * statement_timeout: no query can hold a worker forever.  Every
 * parameterised query is a prepared statement run many times, so it
 * gets one generic plan, made once: under the default (plan_cache_mode
 * auto) PostgreSQL plans each execution anew, because a generic plan's
 * guess for LIMIT $n (a tenth of the rows) makes it look far dearer than
 * the custom plans.  That guess also pushes the plans' costs past
 * jit_above_cost, and a JIT compile costs more than our queries do, and
 * it makes parallel scans of a whole table look cheap beside an index
 * scan that stops after a page.  A page wants neither: one worker, no
 * JIT.
 */
static const char Q_SESSION[] =
    "SELECT set_config('statement_timeout', $1, false),"
    " set_config('plan_cache_mode', 'force_generic_plan', false),"
    " set_config('jit', 'off', false),"
    " set_config('max_parallel_workers_per_gather', '0', false)";

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
	db->primary.name = "primary";
	if (c->db_replica[0] != '\0')
		db->replica.conninfo = xstrdup(c->db_replica);
	db->replica.name = "replica";
	snprintf(db->statement_timeout, sizeof(db->statement_timeout),
	    "%lld", (long long)c->db_statement_timeout);
	snprintf(db->connect_timeout, sizeof(db->connect_timeout), "%lld",
	    (long long)c->db_connect_timeout);
	return db;
}

/* Closes c's connection, if any; what was prepared on it goes with it. */
static void
conn_drop(struct conn *c)
{
	if (c->pg != NULL)
		PQfinish(c->pg);
	c->pg = NULL;
	c->dead = false;
	c->tag[0] = '\0';	/* a new connection is plain "inkwell" */
	memset(c->prepared, 0, sizeof(c->prepared));
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	conn_drop(&db->primary);
	conn_drop(&db->replica);
	free((char *)db->primary.conninfo);
	free((char *)db->replica.conninfo);
	free(db);
}

/* The struct conn holding pg, or NULL. */
static struct conn *
conn_of(struct db *db, PGconn *pg)
{
	if (pg != NULL && pg == db->primary.pg)
		return &db->primary;
	if (pg != NULL && pg == db->replica.pg)
		return &db->replica;
	return NULL;
}

/*
 * Copies s into out (n bytes) as one line: runs of whitespace (libpq's
 * messages end in newlines and indent with tabs) become one space, and
 * none is left at either end.
 */
static void
one_line(char *out, size_t n, const char *s)
{
	size_t	 k = 0;
	bool	 space = false;

	for (; s != NULL && *s != '\0' && k + 2 < n; s++) {
		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') {
			space = k > 0;
			continue;
		}
		if (space)
			out[k++] = ' ';
		space = false;
		out[k++] = *s;
	}
	out[k] = '\0';
}

/*
 * The notice receiver of every connection: a NOTICE (a search for stop
 * words only gets one per query) tells an operator nothing, so it is
 * logged at debug; a WARNING (the server going down under us) at warn.
 */
static void
notice(void *arg, const PGresult *res)
{
	const char	*sev, *msg, *state;
	char		 line[1024];

	(void)arg;
	sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (sev == NULL)
		sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	if ((msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) == NULL)
		msg = PQresultErrorMessage(res);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	one_line(line, sizeof(line), msg);
	log_msg(sev != NULL && strcmp(sev, "WARNING") == 0 ? LOG_WARN :
	    LOG_DEBUG, "PostgreSQL %s: %s (SQLSTATE %s)",
	    sev != NULL ? sev : "NOTICE", line, state != NULL ? state : "none");
}

void
db_notices(PGconn *pg)
{
	if (pg != NULL)
		PQsetNoticeReceiver(pg, notice, NULL);
}

void
db_log_failure(const char *what, PGconn *pg, const PGresult *res)
{
	const char	*state, *msg, *detail, *cons;
	char		 m[1024], d[512];

	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	if (msg == NULL)
		msg = res != NULL && *PQresultErrorMessage(res) != '\0' ?
		    PQresultErrorMessage(res) : PQerrorMessage(pg);
	one_line(m, sizeof(m), msg);
	detail = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) :
	    NULL;
	one_line(d, sizeof(d), detail);
	cons = res != NULL ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) :
	    NULL;
	if (state == NULL) {
		/* libpq's own words: the connection, not the statement. */
		log_msg(LOG_WARN, "%s: connection to PostgreSQL lost: %s",
		    what, m);
	} else if (strcmp(state, "23505") == 0) {
		/* The author is told (409); ours is only a note. */
		log_msg(LOG_INFO, "%s: refused, a value that must be unique is "
		    "taken%s%s (constraint %s)", what, d[0] != '\0' ? ": " :
		    "", d, cons != NULL ? cons : "unnamed");
	} else if (strncmp(state, "22", 2) == 0 ||
	    strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0) {
		/* The author is told (422). */
		log_msg(LOG_INFO, "%s: refused, a value PostgreSQL does not "
		    "accept: %s%s%s (SQLSTATE %s)", what, m,
		    d[0] != '\0' ? ": " : "", d, state);
	} else
		log_msg(LOG_ERROR, "%s: %s%s%s (SQLSTATE %s)", what, m,
		    d[0] != '\0' ? ": " : "", d, state);
}

bool
db_lost(struct db *db, PGconn *pg, const PGresult *res)
{
	struct conn	*c = conn_of(db, pg);
	const char	*s;
	bool		 lost;

	s = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/*
	 * No SQLSTATE: the error is libpq's, not the server's, and libpq's
	 * errors on a connection that was working are about the connection
	 * (it may still say CONNECTION_OK: see the top of this file).  Class
	 * 08 is a connection exception; 57P01..57P03, the server shutting
	 * down, crashed or not yet accepting.
	 */
	lost = PQstatus(pg) != CONNECTION_OK || s == NULL ||
	    strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 ||
	    strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0;
	db->lost = lost;
	if (lost && c != NULL) {
		c->dead = true;
		if (c == &db->replica)
			db->replica_lsn = 0;
	}
	return lost;
}

/* Applies Q_SESSION on a new connection; false when that failed. */
static bool
session_setup(struct db *db, PGconn *pg)
{
	const char *const params[] = { db->statement_timeout };
	PGresult	*res;
	bool		 ok;

	res = PQexecParams(pg, Q_SESSION, 1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok;
}

/*
 * Starts c's back-off after a connect attempt that began at start and
 * failed (see BACKOFF_MIN).
 */
static void
backoff(struct conn *c, double start)
{
	double	 now = util_now(), pause;

	pause = 2 * (now - start);
	if (pause < BACKOFF_MIN)
		pause = BACKOFF_MIN;
	if (pause > BACKOFF_MAX)
		pause = BACKOFF_MAX;
	pause *= 0.5 + randombytes_uniform(1001) / 1000.0;
	c->retry_at = now + pause;
}

/*
 * Logs a failed connect, on one line naming the connection (a replica
 * that fails is read around, so only its log line tells): at error at
 * most once a second per connection (the back-off allows ten attempts in
 * that time), the others at debug.  libpq's reason says what TLS found
 * ("certificate verify failed", "does not match host name").
 */
static void
connect_failed(struct conn *c)
{
	char	 m[1024];
	double	 now = util_now();
	bool	 loud = now - c->logged_at >= 1.0;

	if (loud)
		c->logged_at = now;
	one_line(m, sizeof(m), PQerrorMessage(c->pg));
	log_msg(loud ? LOG_ERROR : LOG_DEBUG, "database connection failed "
	    "(%s): %s", c->name, m);
}

/* Returns a usable connection or NULL (logged, back-off started). */
static PGconn *
conn_get(struct db *db, struct conn *c)
{
	const char *const kw[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	const char *const val[] = { c->conninfo, db->connect_timeout,
	    "inkwell", NULL };
	double	 now;

	if (c->pg != NULL && !c->dead && PQstatus(c->pg) == CONNECTION_OK)
		return c->pg;
	now = util_now();
	if (now < c->retry_at)
		return NULL;
	conn_drop(c);
	/* expand_dbname = 1: the dbname value is a full conninfo string. */
	c->pg = PQconnectdbParams(kw, val, 1);
	db_notices(c->pg);
	if (PQstatus(c->pg) != CONNECTION_OK || !session_setup(db, c->pg)) {
		connect_failed(c);
		conn_drop(c);
		backoff(c, now);
		return NULL;
	}
	return c->pg;
}

/*
 * Reconnects c in place (the PGconn stays the same object, so callers
 * holding it are safe): true when it is usable again, else false with
 * the back-off started.  What was prepared on it is gone.
 */
static bool
conn_reset(struct db *db, struct conn *c)
{
	double	 now = util_now();

	memset(c->prepared, 0, sizeof(c->prepared));
	c->dead = true;
	c->tag[0] = '\0';
	if (now < c->retry_at)
		return false;
	PQreset(c->pg);
	if (PQstatus(c->pg) == CONNECTION_OK && session_setup(db, c->pg)) {
		c->dead = false;
		return true;
	}
	connect_failed(c);
	backoff(c, now);
	return false;
}

PGconn *
db_primary(struct db *db)
{
	return conn_get(db, &db->primary);
}

void
db_min_lsn(struct db *db, uint64_t lsn)
{
	db->min_lsn = lsn;
}

/*
 * Has the replica replayed db->min_lsn?  Asked only when what we last
 * saw is behind it, so a replica that keeps up costs one query per
 * write, not one per request.  A server not in recovery (NULL) has
 * everything: pg_last_wal_replay_lsn() alone would not say so of a
 * replica promoted by a failover, which keeps answering with the last
 * position it replayed, so every read would go around it to the primary
 * (the same server, through pgbouncer) for good.
 */
static bool
replica_caught_up(struct db *db, PGconn *pg)
{
	PGresult	*res;
	bool		 ok = false;
	double		 t;

	if (db->replica_lsn >= db->min_lsn)
		return true;
	t = db_clock_start();
	res = PQexecParams(pg, "SELECT CASE WHEN pg_is_in_recovery()"
	    " THEN pg_last_wal_replay_lsn() END", 0, NULL, NULL, NULL, NULL, 0);
	db_clock_stop(t, 1);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		if (PQgetisnull(res, 0, 0))
			db->replica_lsn = db->min_lsn;
		else
			db->replica_lsn = util_lsn_parse(PQgetvalue(res, 0, 0));
		ok = db->replica_lsn >= db->min_lsn;
	} else {
		db_log_failure("replica: replay position", pg, res);
		db_lost(db, pg, res);
		db_broken(db, pg);
	}
	PQclear(res);
	return ok;
}

PGconn *
db_reader(struct db *db)
{
	PGconn	*pg;

	if (db->replica.conninfo != NULL &&
	    (pg = conn_get(db, &db->replica)) != NULL &&
	    replica_caught_up(db, pg))
		return pg;
	return conn_get(db, &db->primary);
}

/*
 * Callers still look at pg (PQstatus) after a failed query, so a broken
 * connection is not freed here: conn_get() sees its status and remakes
 * it on next use.  A failed replica forgets how far it had replayed.
 */
void
db_broken(struct db *db, PGconn *pg)
{
	if (pg == db->replica.pg && PQstatus(pg) != CONNECTION_OK)
		db->replica_lsn = 0;
}

static void
clear(void *p)
{
	PQclear(p);
}

/* sql's statement number, given one if it has none; -1 when all are used. */
static int
stmt_number(struct db *db, const char *sql)
{
	for (int i = 0; i < db->nstmts; i++)
		if (db->stmts[i] == sql)
			return i;
	if (db->nstmts == MAX_STMTS)
		return -1;
	db->stmts[db->nstmts] = sql;
	return db->nstmts++;
}

/*
 * Runs statement i on c, preparing it first if c has not.  Returns the
 * result (an error result too), or NULL when libpq returned none.
 */
static PGresult *
exec_stmt(struct conn *c, int i, const char *sql, int nparams,
    const char *const *params, const struct db_bin *b)
{
	PGresult	*res;
	char		 name[32];
	const char	*state;
	bool		 retried = false;

again:
	snprintf(name, sizeof(name), "iw%u_%d", c->gen, i);
	if (!c->prepared[i]) {
		res = PQprepare(c->pg, name, sql, nparams, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		c->prepared[i] = true;
	}
	res = PQexecPrepared(c->pg, name, nparams, params, b->lengths,
	    b->formats, b->result);
	/*
	 * 26000, no such statement: the session lost what we prepared (a
	 * DISCARD ALL, a pooler between us and the server) and the
	 * connection is fine, so nothing would ever remake it.  Forget
	 * everything, prepare under new names and try once more.
	 */
	if (!retried && PQresultStatus(res) == PGRES_FATAL_ERROR &&
	    PQstatus(c->pg) == CONNECTION_OK &&
	    (state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL &&
	    strcmp(state, "26000") == 0) {
		PQclear(res);
		memset(c->prepared, 0, sizeof(c->prepared));
		c->gen++;
		retried = true;
		goto again;
	}
	return res;
}

/* The trace id c's application_name should carry for this request. */
static const char *
want_tag(void)
{
	const char	*id = trace_sampled() ? trace_id_hex() : NULL;

	return id != NULL ? id : "";
}

static bool
needs_tag(const struct conn *c)
{
	return c != NULL && strcmp(c->tag, want_tag()) != 0;
}

/* One try: the result, or NULL after logging. */
static PGresult *
run(struct db *db, struct conn *c, PGconn *pg, struct arena *a,
    const char *what, const char *sql, int nparams, const char *const *params,
    const struct db_bin *b)
{
	PGresult	*res;
	ExecStatusType	 st;
	int		 i;

	if (c != NULL && (i = stmt_number(db, sql)) >= 0)
		res = exec_stmt(c, i, sql, nparams, params, b);
	else
		res = PQexecParams(pg, sql, nparams, NULL, params, b->lengths,
		    b->formats, b->result);
	arena_defer(a, clear, res);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	db_log_failure(what, pg, res);
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", res != NULL &&
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : "");
	db_lost(db, pg, res);
	db_broken(db, pg);
	return NULL;
}

const char *
db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

enum status
db_write_failure(struct db *db, PGconn *pg)
{
	const char *s = db->sqlstate;

	if (strcmp(s, "23505") == 0)
		return ST_CONFLICT;
	if (strncmp(s, "22", 2) == 0 || strcmp(s, "23514") == 0 ||
	    strcmp(s, "23502") == 0)
		return ST_UNPROCESSABLE;
	return db_failure(db, pg);
}

enum status
db_json_cell(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *sql, int n, const char *const *v, bool write,
    struct json_object **out)
{
	PGresult	*res;

	*out = NULL;
	if (pg == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, what, sql, n, v)) == NULL)
		return write ? db_write_failure(db, pg) : db_failure(db, pg);
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		return ST_NOTFOUND;
	if ((*out = json_tokener_parse(PQgetvalue(res, 0, 0))) == NULL) {
		log_msg(LOG_ERROR, "%s: PostgreSQL sent JSON json-c cannot "
		    "parse", what);
		return ST_INTERNAL;
	}
	return ST_OK;
}

enum status
db_failure(struct db *db, PGconn *pg)
{
	/* Classes 08 connection, 53 resources, 57 operator intervention
	 * (57014: statement_timeout), and 40001/40P01 (retry). */
	if (db->lost || PQstatus(pg) != CONNECTION_OK ||
	    strncmp(db->sqlstate, "08", 2) == 0 ||
	    strncmp(db->sqlstate, "53", 2) == 0 ||
	    strncmp(db->sqlstate, "57", 2) == 0 ||
	    strcmp(db->sqlstate, "40001") == 0 ||
	    strcmp(db->sqlstate, "40P01") == 0)
		return ST_UNAVAILABLE;
	return ST_INTERNAL;
}

PGresult *
db_exec(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *sql, int nparams, const char *const *params)
{
	return db_exec_bin(db, pg, a, what, sql, nparams, params, NULL);
}

static bool	exec_all(struct db *, PGconn *, struct arena *,
		    struct db_stmt *, int);

static PGresult *
exec_bin(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *sql, int nparams, const char *const *params,
    const struct db_bin *b)
{
	static const struct db_bin text = { NULL, NULL, 0 };
	struct conn	*c = conn_of(db, pg);
	PGresult	*res;
	bool		 idle = PQtransactionStatus(pg) == PQTRANS_IDLE;

	if (b == NULL)
		b = &text;
	/* The application_name goes along with this statement, in one
	 * pipeline (exec_all); not from inside exec_all's own retries. */
	if (b == &text && idle && db->in_batch == 0 && needs_tag(c)) {
		struct db_stmt one = { what, sql, nparams, params, NULL };

		(void)exec_all(db, pg, a, &one, 1);
		return one.res;
	}
	if ((res = run(db, c, pg, a, what, sql, nparams, params, b)) != NULL)
		return res;
	if (c == NULL || !db->lost || !idle)
		return NULL;
	/*
	 * The connection died under a statement run on its own (not inside
	 * a transaction, whose earlier statements died with it): typically
	 * the server restarted since the last request.  Ask once more on a
	 * fresh connection, so only a database that is really down costs a
	 * reader a 503.  The caller still holds pg (and looks at it after
	 * a failure), so it is reconnected in place with PQreset, never
	 * freed here.  Only reads go to the replica; when it is the one
	 * that went away, the primary answers.
	 */
	if (c == &db->replica) {
		log_msg(LOG_WARN, "%s: replica lost; reading from the primary",
		    what);
		c = &db->primary;
		if ((pg = conn_get(db, c)) == NULL)
			return NULL;
	} else if (!conn_reset(db, c))
		return NULL;
	res = run(db, c, pg, a, what, sql, nparams, params, b);
	/*
	 * libpq failing a statement on a connection it has just made, with
	 * no word from the server, is no longer about a lost connection
	 * (ST_INTERNAL, not a 503 that would hide a bug).
	 */
	if (res == NULL && PQstatus(pg) == CONNECTION_OK && db->sqlstate[0] ==
	    '\0')
		db->lost = false;
	return res;
}

/*
 * Sends statement q (number i) into c's pipeline, preparing it first if
 * c has not and an earlier statement of the batch (again) did not; *prep
 * says whether a Parse went with it.  false when libpq refused (a
 * connection gone bad).
 */
static bool
send_stmt(struct conn *c, int i, const struct db_stmt *q, bool again,
    bool *prep)
{
	char	 name[32];

	snprintf(name, sizeof(name), "iw%u_%d", c->gen, i);
	*prep = !c->prepared[i] && !again;
	if (*prep && !PQsendPrepare(c->pg, name, q->sql, q->nparams, NULL))
		return false;
	return PQsendQueryPrepared(c->pg, name, q->nparams, q->params, NULL,
	    NULL, 0) == 1;
}

/*
 * Queues the setting of c's application_name at the head of the batch
 * when the request's trace wants another one (see Q_TAG).  true when it
 * went into the pipeline: its result comes back first.
 */
static bool
send_tag(struct db *db, struct conn *c, PGconn *pg)
{
	const char	*want = want_tag();
	char		 app[64];
	const char *const v[] = { app };

	if (strcmp(c->tag, want) == 0)
		return false;
	snprintf(c->tag, sizeof(c->tag), "%s", want);
	snprintf(app, sizeof(app), "inkwell%s%s", c->tag[0] ? " " : "",
	    c->tag);
	db->tag_sent = true;
	return PQsendQueryParams(pg, Q_TAG, 1, NULL, v, NULL, NULL, 0) == 1;
}

/*
 * Reads send_tag()'s result; false when the pipeline broke.  Its
 * failure is no statement's: the name stays as it was (and is set again
 * with the next request's).
 */
static bool
read_tag(PGconn *pg)
{
	PGresult	*res;

	if ((res = PQgetResult(pg)) == NULL)
		return false;
	(void)PQgetResult(pg);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		log_msg(LOG_WARN, "setting application_name failed");
	PQclear(res);
	return true;
}

enum batch_read {
	BATCH_OK,	/* q->res is the statement's result */
	BATCH_FAILED,	/* the statement failed (logged); go on reading */
	BATCH_AGAIN,	/* the pipeline broke: run the batch again */
};

/*
 * Reads statement q's results out of the pipeline: its Parse's first
 * when prep (the statement was prepared with this batch), then its
 * Execute's, each followed by a NULL.  Sets *lost when the connection
 * went away under it.
 */
static enum batch_read
read_stmt(struct db *db, struct conn *c, PGconn *pg, struct arena *a,
    struct db_stmt *q, int num, bool prep, bool *lost)
{
	PGresult	*res, *perr = NULL;
	const char	*state;

	if (prep) {
		if ((res = PQgetResult(pg)) == NULL)
			return BATCH_AGAIN;
		(void)PQgetResult(pg);
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			c->prepared[num] = true;
			PQclear(res);
		} else {
			/* Parse failed (a lock wait cut off by
			 * statement_timeout, say): that error is the
			 * statement's; its Execute comes back aborted. */
			arena_defer(a, clear, res);
			perr = res;
		}
	}
	if ((res = PQgetResult(pg)) == NULL)
		return BATCH_AGAIN;
	arena_defer(a, clear, res);
	(void)PQgetResult(pg);
	if (perr != NULL)
		res = perr;
	if (PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK) {
		q->res = res;
		return BATCH_OK;
	}
	if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED)
		return BATCH_FAILED;	/* an earlier one failed */
	/* 26000: see exec_stmt. */
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if ((*lost = db_lost(db, pg, res)) ||
	    (state != NULL && strcmp(state, "26000") == 0))
		return BATCH_AGAIN;
	db_log_failure(q->what, pg, res);
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state != NULL ?
	    state : "");
	db_broken(db, pg);
	return BATCH_FAILED;
}

/*
 * After a batch that must run again: makes c fit to run it one by one.
 * Returns the connection to run it on (the primary when the replica
 * went away), or NULL when none can be had.
 */
static PGconn *
batch_recover(struct db *db, struct conn *c, PGconn *pg,
    const struct db_stmt *q, bool lost)
{
	if (!lost && PQstatus(pg) == CONNECTION_OK) {
		/* The session lost our statements: prepare them afresh. */
		memset(c->prepared, 0, sizeof(c->prepared));
		c->gen++;
		return pg;
	}
	/*
	 * Died under the batch, typically a server restart since the last
	 * request: what db_exec does when a statement finds that, done here
	 * because db_exec would now see a dead connection and not try
	 * again.
	 */
	db_log_failure(q->what, pg, NULL);
	db->lost = true;
	c->dead = true;
	if (c == &db->replica) {
		log_msg(LOG_WARN, "%s: replica lost; reading from the primary",
		    q->what);
		db_broken(db, pg);
		return conn_get(db, &db->primary);
	}
	return conn_reset(db, c) ? pg : NULL;
}

/*
 * Runs q[0..n) down one pipeline on pg (with the application_name
 * first when it changes); one by one through db_exec when a pipeline
 * cannot be used or broke.  false when a statement failed.
 */
static bool
batch(struct db *db, PGconn *pg, struct arena *a, struct db_stmt *q,
    int n)
{
	struct conn	*c = conn_of(db, pg);
	PGresult	*res;
	int		 num[DB_MAX_BATCH];
	bool		 prep[DB_MAX_BATCH], ok = true, retry = false;
	bool		 lost = false, tagged;
	int		 k;

	for (k = 0; k < n; k++)
		q[k].res = NULL;
	if (c == NULL || n > DB_MAX_BATCH ||
	    PQtransactionStatus(pg) != PQTRANS_IDLE)
		goto serial;
	for (k = 0; k < n; k++)
		if ((num[k] = stmt_number(db, q[k].sql)) < 0)
			goto serial;
	if (!PQenterPipelineMode(pg))
		goto serial;
	tagged = send_tag(db, c, pg);
	for (k = 0; k < n; k++) {
		bool	 again = false;

		/* The same statement twice in a batch is parsed once. */
		for (int j = 0; j < k; j++)
			again |= num[j] == num[k];
		if (!send_stmt(c, num[k], &q[k], again, &prep[k]))
			break;
	}
	retry = k < n || !PQpipelineSync(pg) || (tagged && !read_tag(pg));
	for (k = 0; k < n && !retry; k++)
		switch (read_stmt(db, c, pg, a, &q[k], num[k], prep[k],
		    &lost)) {
		case BATCH_OK:
			break;
		case BATCH_FAILED:
			ok = false;
			break;
		case BATCH_AGAIN:	/* run one by one below */
			retry = true;
			break;
		}
	if (!retry) {
		/* Each command's result was followed by a NULL; the Sync's
		 * comes last. */
		res = PQgetResult(pg);
		if (PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			retry = true;
		PQclear(res);
	}
	if (!PQexitPipelineMode(pg) || PQstatus(pg) != CONNECTION_OK) {
		/*
		 * Results still pending, or the connection died: no state
		 * worth keeping.  The statements run again below, through
		 * db_exec's reconnect, as they would have one by one.
		 */
		if (!lost && PQstatus(pg) == CONNECTION_OK &&
		    !conn_reset(db, c))
			return false;
		retry = true;
	}
	if (!retry)
		return ok;
	if ((pg = batch_recover(db, c, pg, &q[0], lost)) == NULL)
		return false;
serial:
	ok = true;
	for (k = 0; k < n; k++)
		if ((q[k].res = db_exec(db, pg, a, q[k].what, q[k].sql,
		    q[k].nparams, q[k].params)) == NULL) {
			ok = false;
			break;
		}
	return ok;
}

static bool
exec_all(struct db *db, PGconn *pg, struct arena *a, struct db_stmt *q,
    int n)
{
	struct conn	*c = conn_of(db, pg);
	bool		 ok;

	db->in_batch++;
	db->tag_sent = false;
	ok = batch(db, pg, a, q, n);
	db->in_batch--;
	/* A failed statement rolls the pipeline's implicit transaction
	 * back, an application_name sent with it too: say it is unknown.
	 * (Never with tracing off: no name is ever sent then.) */
	if (!ok && c != NULL && db->tag_sent)
		snprintf(c->tag, sizeof(c->tag), "?");
	return ok;
}

enum status
db_run(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *sql, int n, const char *const *v, PGresult **out,
    bool *lost)
{
	PGresult	*res;
	ExecStatusType	 st;
	double		 t;
	const char	*state;

	t = db_clock_start();
	res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
	db_clock_stop(t, 1);
	arena_defer(a, clear, res);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		if (out != NULL)
			*out = res;
		return ST_OK;
	}
	db_log_failure(what, pg, res);
	if (db_lost(db, pg, res)) {
		db_broken(db, pg);
		*lost = true;
		return ST_UNAVAILABLE;
	}
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state != NULL && strcmp(state, "23505") == 0)
		return ST_CONFLICT;
	if (state != NULL && (strncmp(state, "22", 2) == 0 ||
	    strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0))
		return ST_UNPROCESSABLE;
	return ST_INTERNAL;
}


/*
 * The database clock.  Workers are single-threaded, so plain statics do;
 * depth makes a bracket inside another (exec_all's one-by-one fallback
 * runs db_exec) count once.
 */
static double	 clock_seconds;
static unsigned	 clock_statements;
static int	 clock_depth;

double
db_clock_start(void)
{
	return clock_depth++ == 0 ? util_now() : 0;
}

void
db_clock_stop(double start, unsigned statements)
{
	if (--clock_depth > 0)
		return;
	clock_depth = 0;
	clock_seconds += util_now() - start;
	clock_statements += statements;
}

void
db_time_take(double *seconds, unsigned *statements)
{
	*seconds = clock_seconds;
	*statements = clock_statements;
	clock_seconds = 0;
	clock_statements = 0;
}

/*
 * A statement's span: named after the statement (the constant "what"
 * each call site gives it), never its SQL text or parameters.
 */
static void
sql_span_attrs(struct db *db, PGconn *pg, int sp, int batch_size)
{
	struct conn	*c = conn_of(db, pg);

	trace_attr_str(sp, "db.system", "postgresql");
	if (c != NULL)
		trace_attr_str(sp, "inkwell.db.connection", c->name);
	if (batch_size > 1)
		trace_attr_int(sp, "db.operation.batch.size", batch_size);
}

static int
sql_span(struct db *db, PGconn *pg, const char *what)
{
	int	 sp = trace_span_begin(what, TRACE_CLIENT);

	sql_span_attrs(db, pg, sp, 1);
	return sp;
}

PGresult *
db_exec_bin(struct db *db, PGconn *pg, struct arena *a, const char *what,
    const char *sql, int nparams, const char *const *params,
    const struct db_bin *b)
{
	double		 t = db_clock_start();
	PGresult	*res;
	int		 sp = sql_span(db, pg, what);

	res = exec_bin(db, pg, a, what, sql, nparams, params, b);
	db_clock_stop(t, 1);
	trace_span_end(sp, res == NULL);
	return res;
}

bool
db_exec_all(struct db *db, PGconn *pg, struct arena *a, struct db_stmt *q,
    int n)
{
	double	 t = db_clock_start();
	bool	 ok;
	int	 sp[DB_MAX_BATCH];

	/* Sent together: sibling spans of one pipeline. */
	for (int k = 0; k < n && k < DB_MAX_BATCH; k++) {
		sp[k] = trace_span_open(q[k].what, TRACE_CLIENT);
		sql_span_attrs(db, pg, sp[k], n);
	}
	ok = exec_all(db, pg, a, q, n);
	db_clock_stop(t, (unsigned)n);
	for (int k = 0; k < n && k < DB_MAX_BATCH; k++)
		trace_span_end(sp[k], q[k].res == NULL);
	return ok;
}

enum status
db_schema_version(struct db *db, int *have)
{
	PGconn		*pg;
	PGresult	*res;
	enum status	 st = ST_UNAVAILABLE;
	const char	*state;
	bool		 retried = false;
	double		 t;

	*have = 0;
again:
	if ((pg = conn_get(db, &db->primary)) == NULL)
		return ST_UNAVAILABLE;
	t = db_clock_start();
	res = PQexecParams(pg, Q_SCHEMA_VERSION, 0, NULL, NULL, NULL, NULL, 0);
	db_clock_stop(t, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && !retried &&
	    db_lost(db, pg, res)) {
		/* Died since the last request (a restart): once more. */
		PQclear(res);
		conn_drop(&db->primary);
		retried = true;
		goto again;
	}
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		*have = atoi(PQgetvalue(res, 0, 0));
		st = ST_OK;
	} else if ((state = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL &&
	    strcmp(state, "42P01") == 0) {
		st = ST_OK;		/* no migrations table: version 0 */
	} else {
		db_log_failure("schema version query", pg, res);
		if (db_lost(db, pg, res))
			conn_drop(&db->primary);
	}
	PQclear(res);
	return st;
}
