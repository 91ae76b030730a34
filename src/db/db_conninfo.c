/* SPDX-License-Identifier: MIT */
/*
 * db_conninfo.c: checks the [database] connection strings when the
 * configuration is loaded, before anything connects.
 *
 * inkwell hands primary and replica to libpq as they are: db.c passes
 * each whole as "dbname" with expand_dbname set, so a key=value string
 * and a postgresql:// URI reach libpq unchanged, with every parameter
 * libpq knows (sslmode, sslrootcert, sslcert, sslkey, ...).  But libpq
 * judges a string only when it connects, which a worker does at its
 * first request, and some mistakes it never reports at all: under
 * sslmode=require (or prefer) a sslrootcert that names no file is
 * skipped without a word, and the server's certificate goes unchecked
 * while the operator believes it is checked; a sslcert that names no
 * file is skipped too, and the server's refusal then says nothing of
 * the file.  So each string is read here with libpq's own parser, and
 * a string libpq cannot parse, an sslmode it does not know, or a
 * certificate, key or revocation list this process cannot read is a
 * configuration error, reported like conf.c's: the file and line (or
 * variable) that set the string, then the reason.
 *
 * A parameter the string leaves out is taken, as libpq would, from its
 * environment variable (PGSSLMODE, PGSSLROOTCERT, ...), and checked the
 * same way.  libpq's defaults (~/.postgresql/root.crt and the like) are
 * not: whose home applies depends on the user the connection is made
 * as, and libpq's own message names the file when it is missing.
 *
 * Messages repeat only the name of what is wrong: sslmode, a file's
 * path, libpq's reason; never the string itself, which may hold a
 * password.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "lib/conf.h"
#include "db/db.h"
#include "lib/util.h"

/* libpq's sslmode values, weakest first. */
static const char *const sslmodes[] = { "disable", "allow", "prefer",
    "require", "verify-ca", "verify-full" };

/* Parameters that name a file libpq reads, or a directory (sslcrldir). */
static const char *const files[] = { "sslrootcert", "sslcert", "sslkey",
    "sslcrl", "sslcrldir" };

/* Copies libpq's message into out as one line, its newlines dropped. */
static void
one_line(char *out, size_t n, const char *s)
{
	size_t	 k = 0;

	for (; s != NULL && *s != '\0' && k + 1 < n; s++)
		out[k++] = *s == '\n' || *s == '\t' ? ' ' : *s;
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

/*
 * The value libpq will use for option o: the string's, else that of
 * o's environment variable; NULL when neither sets one.  *env says
 * which variable it came from (NULL: the string).
 */
static const char *
value_of(const PQconninfoOption *o, const char **env)
{
	const char	*v;

	*env = NULL;
	if (o->val != NULL && o->val[0] != '\0')
		return o->val;
	if (o->envvar != NULL && (v = getenv(o->envvar)) != NULL &&
	    v[0] != '\0') {
		*env = o->envvar;
		return v;
	}
	return NULL;
}

static void
check_sslmode(struct report *e, const char *where, const char *name,
    const char *v, const char *env)
{
	for (size_t i = 0; i < NELEM(sslmodes); i++)
		if (strcmp(v, sslmodes[i]) == 0)
			return;
	report_add(e, "%s: [database] %s: sslmode \"%s\"%s%s%s: expected disable, "
	    "allow, prefer, require, verify-ca or verify-full", where, name,
	    v, env ? " (from " : "", env ? env : "",
	    env ? " in the environment)" : "");
}

/*
 * NULL when this process can read path as libpq will (a file, or with
 * dir a directory), else why not.  Opened, not just looked at, so the
 * answer is the one libpq gets, under the same user.
 */
static const char *
readable(const char *path, bool dir)
{
	struct stat	 st;
	const char	*why = NULL;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC |
	    (dir ? O_DIRECTORY : 0))) == -1)
		return strerror(errno);
	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!dir && S_ISDIR(st.st_mode))
		why = "it is a directory";
	close(fd);
	return why;
}

static void
check_file(struct report *e, const char *where, const char *name,
    const char *key, const char *v, const char *env)
{
	bool		 dir = strcmp(key, "sslcrldir") == 0;
	char		 from[128] = "";
	const char	*why;

	if (env != NULL)
		snprintf(from, sizeof(from), " (from %s in the environment)",
		    env);
	/* libpq 16 and later read the system's CAs for "system". */
	if (strcmp(key, "sslrootcert") == 0 && strcmp(v, "system") == 0) {
		if (PQlibVersion() >= 160000)
			return;
		report_add(e, "%s: [database] %s: sslrootcert \"system\"%s (the "
		    "system's CAs) needs libpq 16 or later; this one is %d.%d: "
		    "name the CA's file", where, name, from,
		    PQlibVersion() / 10000, PQlibVersion() % 10000);
		return;
	}
	/* sslkey "ENGINE:KEY" names a key held by an OpenSSL engine. */
	if (strcmp(key, "sslkey") == 0 && strchr(v, ':') != NULL)
		return;
	if ((why = readable(v, dir)) != NULL)
		report_add(e, "%s: [database] %s: %s \"%s\"%s: cannot read it: %s",
		    where, name, key, v, from, why);
}

/* Checks one connection string, set at where, known as name. */
static void
check_one(struct report *e, const char *where, const char *name,
    const char *conninfo)
{
	PQconninfoOption *opts, *o;
	char		*why = NULL, line[512];
	const char	*v, *env;

	if ((opts = PQconninfoParse(conninfo, &why)) == NULL) {
		one_line(line, sizeof(line), why != NULL ? why :
		    "out of memory");
		report_add(e, "%s: [database] %s: not a libpq connection string: %s",
		    where, name, line);
		PQfreemem(why);
		return;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if ((v = value_of(o, &env)) == NULL)
			continue;
		if (strcmp(o->keyword, "sslmode") == 0)
			check_sslmode(e, where, name, v, env);
		for (size_t i = 0; i < NELEM(files); i++)
			if (strcmp(o->keyword, files[i]) == 0)
				check_file(e, where, name, files[i], v, env);
	}
	PQconninfoFree(opts);
}

int
db_conninfo_check(const struct conf *c, char *err, size_t errlen)
{
	struct report	 e = { err, errlen, 0, 0 };

	if (errlen > 0)
		err[0] = '\0';
	check_one(&e, conf_origin(c, "database", "primary"), "primary",
	    c->db_primary);
	if (c->db_replica[0] != '\0')
		check_one(&e, conf_origin(c, "database", "replica"), "replica",
		    c->db_replica);
	return e.count;
}
