/* SPDX-License-Identifier: MIT */
/*
 * db.h: PostgreSQL access.  Handlers call db_* functions and never see
 * libpq; every query is a named constant with parameters sent apart.
 */
#ifndef INKWELL_DB_H
#define INKWELL_DB_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"

struct conf;
struct db;

/* One migration, embedded at build time from sql/NNNN_name.sql. */
struct db_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
extern const struct db_migration db_migrations[];
extern const int db_nmigrations;

/* The schema version this binary expects (the last migration's). */
int		 db_schema_expected(void);

/*
 * Makes the worker's handle; connects lazily on first use, reconnects by
 * itself after a failure (at most once a second, so a dead server costs a
 * request nothing but a 503).  Owned by the worker; db_close() frees it.
 */
struct db	*db_open(const struct conf *);
void		 db_close(struct db *);

/*
 * Reads the applied schema version into *have.  ST_OK, or
 * ST_UNAVAILABLE when the primary cannot be reached.  A database never
 * migrated gives ST_OK with *have = 0.
 */
enum status	 db_schema_version(struct db *, int *have);

/*
 * Applies pending migrations to the database at conninfo, each in its own
 * transaction, under an advisory lock so two migrators cannot race.
 * Refuses (returns -1) a database whose version is newer than this
 * binary's.  Progress and errors go to log.  Returns 0 on success.
 */
int		 db_migrate(const char *conninfo, int connect_timeout,
		    bool status_only, FILE *log);

#endif
