/* SPDX-License-Identifier: MIT */
/*
 * db_setup.c: makes the role and the database inkwell connects as, then
 * migrates the database (inkwellctl setup).
 *
 * Role and database names are SQL identifiers, and identifiers cannot
 * travel as parameters: this is the one file that puts names into SQL
 * text.  It takes only names db_setup_name_ok() accepts (lower-case
 * letters, digits and "_", not starting with a digit), and still quotes
 * them with PQescapeIdentifier.  Every value is a parameter.
 *
 * The migrations run on the new database over the administrator's
 * connection after set_config('role', ...): what they create belongs to
 * the role inkwell runs as, so it needs no grants and no password, and
 * the administrator never has to be able to log in as that role.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db/db.h"
#include "db/db_int.h"
#include "lib/util.h"

#define NAME_MAX_LEN	63	/* NAMEDATALEN - 1 */

static const char Q_ROLE[] = "SELECT 1 FROM pg_roles WHERE rolname = $1";
static const char Q_DATABASE[] =
    "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1";
static const char Q_SET_ROLE[] = "SELECT set_config('role', $1, false)";

bool
db_setup_name_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > NAME_MAX_LEN || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

int
db_setup_parse(struct db_setup *s, const char *conninfo, char *err,
    size_t errlen)
{
	PQconninfoOption *opts, *o;
	char		 *why = NULL;

	memset(s, 0, sizeof(*s));
	if ((opts = PQconninfoParse(conninfo, &why)) == NULL) {
		snprintf(err, errlen, "%s", why != NULL ? why :
		    "out of memory\n");
		PQfreemem(why);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++) {
		char	**slot = NULL;

		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "host") == 0)
			slot = &s->host;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			slot = &s->hostaddr;
		else if (strcmp(o->keyword, "port") == 0)
			slot = &s->port;
		else if (strcmp(o->keyword, "dbname") == 0)
			slot = &s->database;
		else if (strcmp(o->keyword, "user") == 0)
			slot = &s->role;
		if (slot != NULL)
			*slot = xstrdup(o->val);
	}
	PQconninfoFree(opts);
	return 0;
}

void
db_setup_free(struct db_setup *s)
{
	free(s->host);
	free(s->hostaddr);
	free(s->port);
	free(s->database);
	free(s->role);
	memset(s, 0, sizeof(*s));
}

/* One host of a comma-separated list, [p, p + n): local or not. */
static bool
local_one(const char *p, size_t n)
{
	static const char *const loopback[] = { "localhost", "127.0.0.1",
	    "::1" };

	if (n == 0 || p[0] == '/' || p[0] == '@')
		return true;
	for (size_t i = 0; i < NELEM(loopback); i++)
		if (strlen(loopback[i]) == n && memcmp(loopback[i], p, n) == 0)
			return true;
	return false;
}

static bool
local_list(const char *list)
{
	const char	*p = list, *comma;

	for (;;) {
		comma = strchr(p, ',');
		if (!local_one(p, comma != NULL ? (size_t)(comma - p) :
		    strlen(p)))
			return false;
		if (comma == NULL)
			return true;
		p = comma + 1;
	}
}

const char *
db_setup_remote(const struct db_setup *s)
{
	const char	*host = s->host;

	if (host == NULL)
		host = getenv("PGHOST");
	if (s->hostaddr != NULL && !local_list(s->hostaddr))
		return s->hostaddr;
	if (host != NULL && !local_list(host))
		return host;
	return NULL;
}

/* Connects as the administrator (or as whoever runs us) to dbname. */
static PGconn *
connect_to(const struct db_setup *s, const char *admin, const char *dbname,
    int connect_timeout)
{
	const char	*kw[8], *val[8];
	char		 ct[16];
	int		 n = 0;

	snprintf(ct, sizeof(ct), "%d", connect_timeout);
#define ADD(k, v)	do { if ((v) != NULL) { kw[n] = (k); val[n] = (v); \
    n++; } } while (0)
	ADD("host", s->host);
	ADD("hostaddr", s->hostaddr);
	ADD("port", s->port);
	ADD("user", admin);
	ADD("dbname", dbname);
	ADD("connect_timeout", ct);
	ADD("application_name", "inkwellctl");
#undef ADD
	kw[n] = val[n] = NULL;
	return PQconnectdbParams(kw, val, 0);
}

/* The rows of sql with its one parameter, or NULL having said why. */
static PGresult *
query1(PGconn *pg, const char *sql, const char *param, FILE *out,
    const char *what)
{
	PGresult	*res;

	res = PQexecParams(pg, sql, 1, NULL, &param, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(out, "inkwellctl: setup: %s: %s", what,
		    PQerrorMessage(pg));
		PQclear(res);
		return NULL;
	}
	return res;
}

/*
 * Runs the statement whose parts alternate text and identifier, text
 * first: the identifiers are quoted here.  0, or -1 having said why.
 */
static int
ddl(PGconn *pg, FILE *out, const char *what, const char *const *parts,
    size_t nparts)
{
	char		*sql, *q[4];
	size_t		 len = 1, nq = 0;
	PGresult	*res;
	int		 rc = -1;

	for (size_t i = 0; i < nparts; i++) {
		if (i % 2 == 0) {
			len += strlen(parts[i]);
			continue;
		}
		if (nq == NELEM(q) || (q[nq] = PQescapeIdentifier(pg, parts[i],
		    strlen(parts[i]))) == NULL) {
			fprintf(out, "inkwellctl: setup: %s: cannot quote "
			    "%s: %s", what, parts[i], PQerrorMessage(pg));
			goto out;
		}
		len += strlen(q[nq++]);
	}
	sql = xmalloc(len);
	sql[0] = '\0';
	for (size_t i = 0, j = 0; i < nparts; i++)
		strcat(sql, i % 2 == 0 ? parts[i] : q[j++]);
	res = PQexecParams(pg, sql, 0, NULL, NULL, NULL, NULL, 0);
	free(sql);
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		rc = 0;
	else
		fprintf(out, "inkwellctl: setup: %s: %s", what,
		    PQerrorMessage(pg));
	PQclear(res);
out:
	for (size_t j = 0; j < nq; j++)
		PQfreemem(q[j]);
	return rc;
}

/* The role, made when missing.  0, or -1 having said why. */
static int
make_role(PGconn *pg, const char *role, FILE *out)
{
	const char *const create[] = { "CREATE ROLE ", role, " LOGIN" };
	PGresult	*res;
	bool		 have;

	if ((res = query1(pg, Q_ROLE, role, out, "looking for the role")) ==
	    NULL)
		return -1;
	have = PQntuples(res) > 0;
	PQclear(res);
	if (have) {
		fprintf(out, "role %s: exists\n", role);
		return 0;
	}
	if (ddl(pg, out, "creating the role", create, NELEM(create)) != 0)
		return -1;
	fprintf(out, "role %s: created\n", role);
	return 0;
}

/* The database, made when missing, owned by role.  0, or -1. */
static int
make_database(PGconn *pg, const char *db, const char *role, FILE *out)
{
	/* template0: UTF-8 whatever the cluster's default encoding. */
	const char *const create[] = { "CREATE DATABASE ", db, " OWNER ",
	    role, " ENCODING 'UTF8' TEMPLATE template0" };
	PGresult	*res;
	char		*owner = NULL;

	if ((res = query1(pg, Q_DATABASE, db, out,
	    "looking for the database")) == NULL)
		return -1;
	if (PQntuples(res) > 0)
		owner = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (owner != NULL) {
		fprintf(out, "database %s: exists (owner %s)\n", db, owner);
		if (strcmp(owner, role) != 0)
			fprintf(out, "inkwellctl: setup: warning: database %s "
			    "belongs to %s, not %s: the migrations run as %s "
			    "and may lack privileges\n", db, owner, role, role);
		free(owner);
		return 0;
	}
	if (ddl(pg, out, "creating the database", create, NELEM(create)) != 0)
		return -1;
	fprintf(out, "database %s: created (owner %s)\n", db, role);
	return 0;
}

enum status
db_setup_run(const struct db_setup *s, const char *admin, int connect_timeout,
    FILE *out)
{
	PGconn		*pg;
	PGresult	*res = NULL;
	enum status	 st = ST_INTERNAL;

	pg = connect_to(s, admin, "postgres", connect_timeout);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(out, "inkwellctl: setup: cannot connect to PostgreSQL "
		    "as %s: %s", admin != NULL ? admin : "this user",
		    PQerrorMessage(pg));
		st = ST_UNAVAILABLE;
		goto out;
	}
	if (make_role(pg, s->role, out) != 0 ||
	    make_database(pg, s->database, s->role, out) != 0)
		goto out;
	PQfinish(pg);

	pg = connect_to(s, admin, s->database, connect_timeout);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(out, "inkwellctl: setup: cannot connect to database "
		    "%s: %s", s->database, PQerrorMessage(pg));
		goto out;
	}
	if ((res = query1(pg, Q_SET_ROLE, s->role, out,
	    "becoming the role")) == NULL)
		goto out;
	if (db_migrate_pg(pg, false, out) == 0)
		st = ST_OK;
out:
	PQclear(res);
	PQfinish(pg);
	return st;
}
