/* SPDX-License-Identifier: MIT */
/*
 * ctl_setup.c: inkwellctl setup: the PostgreSQL role and database of
 * [database] primary, made on this machine, then migrated.
 *
 * It is for PostgreSQL on the same machine, reached as its superuser
 * through the local socket with peer authentication, as Debian sets it
 * up: run as root, it first becomes the operating system user of the
 * administrator role (postgres) so peer authentication lets it in.
 * Running it again changes nothing that exists and applies only the
 * migrations still pending, so the package's postinst runs it on every
 * install and upgrade.  A database on another machine is left to its
 * administrator: setup says so and exits 3, as when PostgreSQL cannot
 * be reached, so a caller can tell "not here (yet)" from a failure (1).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "lib/util.h"

#define EXIT_NOT_HERE	3	/* PostgreSQL remote or unreachable */
#define DEFAULT_ADMIN	"postgres"
#define DEFAULT_ROLE	"inkwell"

static int
usage(void)
{
	fprintf(stderr, "usage: inkwellctl setup [--admin ROLE]\n");
	return 2;
}

/*
 * As root, becomes the operating system user named like the admin role,
 * when there is one, so that peer authentication on the local socket
 * maps it to that role.  0 (also when there is nothing to do), or -1
 * having said why.
 */
static int
become(const char *admin)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(admin)) == NULL)
		return 0;
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "inkwellctl: setup: cannot become the user "
		    "%s: %s\n", admin, strerror(errno));
		return -1;
	}
	/* libpq looks for .pgpass in $HOME: the admin's, not root's. */
	if (pw->pw_dir != NULL && setenv("HOME", pw->pw_dir, 1) != 0)
		return -1;
	return 0;
}

int
ctl_setup(const struct conf *conf, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "admin", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct db_setup	 s;
	enum status	 st;
	const char	*admin = DEFAULT_ADMIN, *remote;
	char		 err[512];
	int		 ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': admin = optarg; break;
		default: return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (db_setup_parse(&s, conf->db_primary, err, sizeof(err)) != 0) {
		fprintf(stderr, "inkwellctl: setup: [database] primary: %s",
		    err);
		return 1;
	}
	/* libpq's defaults: the user is the one running inkwelld (the
	 * package's "inkwell"), and the database is named after it. */
	if (s.role == NULL)
		s.role = xstrdup(DEFAULT_ROLE);
	if (s.database == NULL)
		s.database = xstrdup(s.role);
	if (!db_setup_name_ok(s.role) || !db_setup_name_ok(s.database)) {
		fprintf(stderr, "inkwellctl: setup: role \"%s\" and database "
		    "\"%s\" ([database] primary): setup makes only names of "
		    "a-z, 0-9 and _ (not starting with a digit, at most 63 "
		    "bytes); make these by hand, then run inkwellctl "
		    "migrate\n", s.role, s.database);
		goto out;
	}
	if ((remote = db_setup_remote(&s)) != NULL) {
		fprintf(stderr, "inkwellctl: setup: PostgreSQL at %s is not on "
		    "this machine: there, create the role %s (LOGIN) and the "
		    "database %s owned by it, then run inkwellctl migrate\n",
		    remote, s.role, s.database);
		rc = EXIT_NOT_HERE;
		goto out;
	}
	if (become(admin) != 0)
		goto out;
	st = db_setup_run(&s, admin, (int)conf->db_connect_timeout, stdout);
	/* What it said comes before the advice below, also in one pipe. */
	fflush(stdout);
	switch (st) {
	case ST_OK:
		printf("inkwell's database is ready: %s, owned by %s\n",
		    s.database, s.role);
		rc = 0;
		break;
	case ST_UNAVAILABLE:
		fprintf(stderr, "inkwellctl: setup: is PostgreSQL installed "
		    "and running here? Then run inkwellctl setup again (as "
		    "root, or as the user %s)\n", admin);
		rc = EXIT_NOT_HERE;
		break;
	default:
		rc = 1;
		break;
	}
out:
	db_setup_free(&s);
	return rc;
}
