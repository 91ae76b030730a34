/* SPDX-License-Identifier: MIT */
/*
 * db_migrate.c: applies the embedded sql/NNNN_*.sql migrations in order.
 *
 * This is the one file allowed to call PQexec: a migration is a trusted,
 * multi-statement script compiled into the binary, which only the simple
 * query protocol can run, and it takes no parameters.  Each migration
 * runs in its own transaction together with the row that records it, so
 * a failure leaves the database at the previous version, never between.
 * A session-level advisory lock keeps two migrators from interleaving.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/db_int.h"
#include "lib/util.h"

/* Any constant shared by all migrators; "inkw" in ASCII. */
#define MIGRATE_LOCK	"1768844151"

static const char Q_LOCK[] = "SELECT pg_advisory_lock($1::bigint)";
static const char Q_CREATE[] =
    "CREATE TABLE IF NOT EXISTS inkwell_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
static const char Q_VERSION[] =
    "SELECT coalesce(max(version), 0) FROM inkwell_migrations";
static const char Q_RECORD[] =
    "INSERT INTO inkwell_migrations (version, name) VALUES ($1::integer, $2)";

static bool
cmd_ok(PGconn *pg, PGresult *res, FILE *log, const char *what)
{
	ExecStatusType	 s = PQresultStatus(res);
	bool		 ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(log, "inkwellctl: migrate: %s: %s", what,
		    PQerrorMessage(pg));
	PQclear(res);
	return ok;
}

static bool
exec_params(PGconn *pg, const char *sql, int n, const char *const *v,
    FILE *log, const char *what)
{
	return cmd_ok(pg, PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0),
	    log, what);
}

static bool
apply_one(PGconn *pg, const struct db_migration *m, FILE *log)
{
	char		 ver[16];
	const char	*v[2] = { ver, m->name };

	snprintf(ver, sizeof(ver), "%d", m->version);
	if (!cmd_ok(pg, PQexec(pg, "BEGIN"), log, "BEGIN"))
		return false;
	if (!cmd_ok(pg, PQexec(pg, m->sql), log, m->name) ||
	    !exec_params(pg, Q_RECORD, 2, v, log, "recording version")) {
		PQclear(PQexec(pg, "ROLLBACK"));
		return false;
	}
	return cmd_ok(pg, PQexec(pg, "COMMIT"), log, "COMMIT");
}

int
db_migrate_pg(PGconn *pg, bool status_only, FILE *log)
{
	const char	*lockv[1] = { MIGRATE_LOCK };
	PGresult	*res;
	int		 have, want = db_schema_expected();

	/* Notices such as "relation already exists, skipping" are noise. */
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	if (!exec_params(pg, Q_LOCK, 1, lockv, log, "lock") ||
	    !exec_params(pg, Q_CREATE, 0, NULL, log, "bookkeeping table"))
		return -1;
	res = PQexecParams(pg, Q_VERSION, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		cmd_ok(pg, res, log, "reading version");
		return -1;
	}
	have = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (have > want) {
		fprintf(log, "inkwellctl: migrate: the database is at schema "
		    "version %d, newer than this inkwell (%d); refusing to "
		    "touch it: upgrade inkwell instead\n", have, want);
		return -1;
	}
	if (status_only) {
		fprintf(log, "schema version %d, this inkwell expects %d: %s\n",
		    have, want, have == want ? "up to date" :
		    "migrations pending");
		return have == want ? 0 : 1;
	}
	for (int i = 0; i < db_nmigrations; i++) {
		const struct db_migration *m = &db_migrations[i];

		if (m->version <= have)
			continue;
		if (!apply_one(pg, m, log))
			return -1;
		fprintf(log, "applied %04d_%s\n", m->version, m->name);
	}
	if (have == want)
		fprintf(log, "schema version %d: up to date\n", have);
	return 0;
}

/*
 * Connects to conninfo; with wait_s > 0, keeps trying for up to wait_s
 * seconds while PostgreSQL does not answer (not started yet, still
 * initialising, its host name not known yet on a container network),
 * saying on log what it waits for.  A server that answers but refuses
 * (wrong password, no such database) is not waited for.  Returns the
 * connection (the caller PQfinishes it) or NULL, logged.
 */
static PGconn *
connect_waiting(const char *conninfo, int connect_timeout, int wait_s,
    FILE *log)
{
	const char *const kw[] = { "dbname", "connect_timeout",
	    "application_name", NULL };
	char		 ct[16], last[512] = "";
	const char	*val[] = { conninfo, ct, "inkwellctl", NULL };
	const char	*why;
	double		 start = util_now(), said = 0;
	PGconn		*pg;
	PGPing		 ping;

	snprintf(ct, sizeof(ct), "%d", connect_timeout);
	for (;;) {
		pg = PQconnectdbParams(kw, val, 1);
		if (PQstatus(pg) == CONNECTION_OK)
			break;
		why = PQerrorMessage(pg);
		ping = wait_s > 0 ? PQpingParams(kw, val, 1) : PQPING_NO_ATTEMPT;
		if (ping == PQPING_OK || ping == PQPING_NO_ATTEMPT ||
		    util_now() - start >= wait_s) {
			if (wait_s > 0 && ping != PQPING_OK &&
			    ping != PQPING_NO_ATTEMPT)
				fprintf(log, "inkwellctl: migrate: PostgreSQL did "
				    "not answer within %d s; giving up\n", wait_s);
			fprintf(log, "inkwellctl: migrate: cannot connect: %s",
			    why);
			PQfinish(pg);
			return NULL;
		}
		/* Once per reason, and every 10 s while it stays the same. */
		if (strcmp(why, last) != 0 || util_now() - said >= 10) {
			fprintf(log, "inkwellctl: migrate: waiting for "
			    "PostgreSQL (%.0f of %d s): %s",
			    util_now() - start, wait_s, why);
			fflush(log);
			snprintf(last, sizeof(last), "%s", why);
			said = util_now();
		}
		PQfinish(pg);
		sleep(1);
	}
	if (wait_s > 0 && util_now() - start >= 1)
		fprintf(log, "inkwellctl: migrate: PostgreSQL answered after "
		    "%.0f s\n", util_now() - start);
	return pg;
}

int
db_migrate(const char *conninfo, int connect_timeout, int wait_s,
    bool status_only, FILE *log)
{
	PGconn		*pg;
	int		 rc;

	if ((pg = connect_waiting(conninfo, connect_timeout, wait_s,
	    log)) == NULL)
		return -1;
	rc = db_migrate_pg(pg, status_only, log);
	PQfinish(pg);
	return rc;
}
