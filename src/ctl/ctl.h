/* SPDX-License-Identifier: MIT */
/* ctl.h: inkwellctl subcommands that live outside inkwellctl.c. */
#ifndef INKWELL_CTL_H
#define INKWELL_CTL_H

#include "lib/status.h"

struct conf;

/*
 * The exit status for st (0 for ST_OK, else 1), having said on stderr what
 * went wrong: subject (a name the operator gave) for ST_NOTFOUND, where
 * missing names what there is none of ("user", "token"), and for
 * ST_UNPROCESSABLE; what (the step) for the rest.
 */
int	 ctl_report(enum status st, const char *what, const char *subject,
	    const char *missing);

/*
 * The subcommand, argv[1] (NULL when there is none), with argc and argv
 * moved on to it and getopt reset, so getopt_long reads its options.
 */
const char *ctl_subcommand(int *argc, char ***argv);

/*
 * Each takes the loaded configuration and the subcommand's arguments
 * (argv[0] is its name), reports on stdout and stderr, and returns the
 * process exit status: 0, 1 when anything failed, 2 for a usage error.
 */

/* inkwellctl import [--posts] DIR | import --wxr FILE */
int	 ctl_import(const struct conf *, int argc, char **argv);

/*
 * Imports the complete export in dir (it has a manifest) into db, whole
 * or not at all (ctl_import_site.c); says why on stderr, naming the
 * file and line.  The exit status: 0 or 1.
 */
struct db;
int	 ctl_import_site(struct db *, const struct conf *, const char *dir);

/* inkwellctl export [--force] [--with-secrets] DIR */
int	 ctl_export(const struct conf *, int argc, char **argv);

/* inkwellctl user add|passwd|list (ctl_user.c) */
int	 ctl_user(const struct conf *, int argc, char **argv);

/* inkwellctl token add|revoke|list (ctl_token.c) */
int	 ctl_token(const struct conf *, int argc, char **argv);

/* inkwellctl media reprocess [--all] [NAME...] (ctl_media.c) */
int	 ctl_media(const struct conf *, int argc, char **argv);

/* inkwellctl setup [--admin ROLE] (ctl_setup.c); exits 3 when
 * PostgreSQL is on another machine or cannot be reached. */
int	 ctl_setup(const struct conf *, int argc, char **argv);

#endif
