/* SPDX-License-Identifier: MIT */
/*
 * conninfo-t.c: [database] connection strings with TLS settings: kept
 * as written through the configuration, and checked as libpq will read
 * them (db_conninfo_check), as key=value strings and postgresql:// URIs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "db/db.h"
#include "tap.h"

static char	 err[8192];
static struct conf c;

/* Loads text as the file "inkwell.conf"; 0 when it loaded. */
static int
parse(const char *text)
{
	conf_free(&c);
	return conf_parse_string(&c, "inkwell.conf", text, strlen(text), err,
	    sizeof(err));
}

/* Loads [database] primary = primary (and replica unless NULL), then
 * checks them: the number of problems, the report in err. */
static int
check(const char *primary, const char *replica)
{
	char	 text[8192];

	snprintf(text, sizeof(text), "[server]\nworkers = 1\n[database]\n"
	    "primary = %s\nreplica = %s\n", primary, replica ? replica : "");
	if (parse(text) != 0)
		bail("the configuration did not load: %s", err);
	return db_conninfo_check(&c, err, sizeof(err));
}

static bool
has(const char *needle)
{
	bool	 r = strstr(err, needle) != NULL;

	if (!r)
		diag("report was: %s", err);
	return r;
}

int
main(void)
{
	char	 dir[] = "/tmp/inkwell-conninfo-t-XXXXXX";
	char	 ca[256], crt[256], key[256], s[8192], r[8192];
	FILE	*f;

	plan_lazy();
	memset(&c, 0, sizeof(c));
	unsetenv("PGSSLMODE");
	unsetenv("PGSSLROOTCERT");
	unsetenv("INKWELL_DATABASE_PRIMARY");
	unsetenv("INKWELL_DATABASE_REPLICA");
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	snprintf(ca, sizeof(ca), "%s/db ca.crt", dir);
	snprintf(crt, sizeof(crt), "%s/client.crt", dir);
	snprintf(key, sizeof(key), "%s/client.key", dir);
	if ((f = fopen(ca, "w")) == NULL)
		bail("cannot write %s", ca);
	fputs("not checked here: libpq reads it\n", f);
	fclose(f);
	if ((f = fopen(crt, "w")) == NULL)
		bail("cannot write %s", crt);
	fclose(f);
	if ((f = fopen(key, "w")) == NULL)
		bail("cannot write %s", key);
	fclose(f);

	/* Through the configuration, every byte kept. */
	snprintf(s, sizeof(s), "host=db1.example.org port=6432 dbname=inkwell "
	    "user=inkwell password=s3cr=t sslmode=verify-full "
	    "sslrootcert='%s'", ca);
	is_int(0, check(s, NULL), "key=value with sslmode=verify-full and a "
	    "quoted sslrootcert that exists: no problem");
	is_string(s, c.db_primary, "the key=value string is kept as written");
	snprintf(r, sizeof(r), "postgresql://inkwell:s3cr%%3Dt@10.0.0.22:5432/"
	    "inkwell?sslmode=verify-full&sslrootcert=%s%%2Fdb%%20ca.crt",
	    dir);
	is_int(0, check(s, r), "a postgresql:// URI replica, its sslrootcert "
	    "percent-encoded: no problem");
	is_string(r, c.db_replica, "the URI is kept as written (%%, ?, &, =)");
	snprintf(s, sizeof(s), "host=db1 sslmode=verify-ca sslrootcert='%s' "
	    "sslcert=%s sslkey=%s", ca, crt, key);
	is_int(0, check(s, NULL), "a client certificate and key that exist: "
	    "no problem");
	is_int(0, check("dbname=inkwell", NULL),
	    "the default (a local socket, no TLS settings): no problem");
	is_int(0, check("host=db1 sslmode=disable", NULL),
	    "sslmode=disable: no problem");

	/* An sslmode libpq does not know. */
	is_int(1, check("host=db1 password=hunter2 sslmode=verify-ful", NULL),
	    "sslmode=verify-ful: one problem");
	ok(has("inkwell.conf:4: [database] primary: sslmode \"verify-ful\": "
	    "expected disable, allow, prefer, require, verify-ca or "
	    "verify-full"), "named with the file and line, and the choices");
	ok(strstr(err, "hunter2") == NULL, "the password is not repeated");
	is_int(1, check("dbname=inkwell", "postgresql://db2/inkwell?"
	    "sslmode=VERIFY-FULL"), "in a URI replica too (libpq's are "
	    "lower-case)");
	ok(has("inkwell.conf:5: [database] replica: sslmode \"VERIFY-FULL\""),
	    "named as the replica, on its line");

	/* Files that are not there. */
	snprintf(s, sizeof(s), "host=db1 sslmode=verify-full "
	    "sslrootcert=%s/missing.crt", dir);
	is_int(1, check(s, NULL), "a sslrootcert that does not exist");
	snprintf(r, sizeof(r), "[database] primary: sslrootcert \"%s/"
	    "missing.crt\": cannot read it: No such file or directory", dir);
	ok(has(r), "named, with why");
	snprintf(s, sizeof(s), "host=db1 sslmode=require sslrootcert=%s/"
	    "missing.crt", dir);
	is_int(1, check(s, NULL), "also under sslmode=require, where libpq "
	    "would skip it and check nothing");
	snprintf(s, sizeof(s), "postgresql://db1/inkwell?sslmode=verify-full"
	    "&sslrootcert=%s%%2Fmissing.crt", dir);
	is_int(1, check("dbname=inkwell", s), "in a URI, percent-decoded as "
	    "libpq does");
	ok(has(r + strlen("[database] primary: ")), "the decoded path named");
	snprintf(s, sizeof(s), "host=db1 sslmode=verify-full sslrootcert='%s' "
	    "sslcert=%s/nocert sslkey=%s/nokey", ca, dir, dir);
	is_int(2, check(s, NULL), "a missing client certificate and key: two "
	    "problems");
	ok(has("sslcert \"") && has("sslkey \""), "each named");
	snprintf(s, sizeof(s), "host=db1 sslmode=verify-full sslrootcert=%s",
	    dir);
	is_int(1, check(s, NULL), "a sslrootcert that is a directory");
	ok(has("it is a directory"), "says so");
	snprintf(s, sizeof(s), "host=db1 sslkey=engine:key-7 "
	    "sslrootcert='%s'", ca);
	is_int(0, check(s, NULL), "sslkey ENGINE:KEY is left to OpenSSL");
	if (geteuid() != 0) {
		chmod(ca, 0);
		snprintf(s, sizeof(s), "host=db1 sslmode=verify-full "
		    "sslrootcert='%s'", ca);
		is_int(1, check(s, NULL), "a sslrootcert this user cannot "
		    "read");
		ok(has("Permission denied"), "says so");
		chmod(ca, 0644);
	}

	/* What libpq would take from its environment. */
	setenv("PGSSLMODE", "verify_full", 1);
	is_int(1, check("host=db1", NULL), "PGSSLMODE when the string has "
	    "no sslmode");
	ok(has("sslmode \"verify_full\" (from PGSSLMODE in the environment)"),
	    "named as the environment's");
	snprintf(s, sizeof(s), "host=db1 sslmode=verify-full sslrootcert='%s'",
	    ca);
	is_int(0, check(s, NULL), "the string's sslmode wins over PGSSLMODE");
	unsetenv("PGSSLMODE");
	setenv("PGSSLROOTCERT", "/nonexistent/ca.crt", 1);
	is_int(1, check("host=db1 sslmode=verify-full", NULL),
	    "PGSSLROOTCERT naming no file");
	ok(has("sslrootcert \"/nonexistent/ca.crt\" (from PGSSLROOTCERT in "
	    "the environment)"), "named as the environment's");
	unsetenv("PGSSLROOTCERT");

	/* Strings libpq cannot parse. */
	is_int(1, check("host=db1 sslmod=verify-full password=hunter2", NULL),
	    "a parameter libpq does not know");
	ok(has("inkwell.conf:4: [database] primary: not a libpq connection "
	    "string: invalid connection option \"sslmod\""),
	    "libpq's reason, on one line");
	is_int(1, check("postgresql://db1/inkwell?sslmode", NULL),
	    "a URI parameter without a value");
	ok(has("[database] primary: not a libpq connection string: "),
	    "refused as such");
	is_int(1, check("host='db1 password=hunter2", NULL),
	    "an unterminated quote");
	ok(has("unterminated quoted string"), "libpq says so");

	/* From the environment, as a container sets it. */
	setenv("INKWELL_DATABASE_PRIMARY", "host=db1 sslmode=nope", 1);
	conf_free(&c);
	is_int(0, conf_load_layers(&c, NULL, NULL, false, err, sizeof(err)),
	    "loads");
	is_int(1, db_conninfo_check(&c, err, sizeof(err)),
	    "INKWELL_DATABASE_PRIMARY checked too");
	ok(has("environment INKWELL_DATABASE_PRIMARY: [database] primary: "
	    "sslmode \"nope\""), "named by its variable");
	unsetenv("INKWELL_DATABASE_PRIMARY");

	/* A report longer than the buffer is cut, not overrun. */
	{
		char	 small[40];

		check("host=db1 sslmode=x", "host=db2 sslmode=y");
		is_int(2, db_conninfo_check(&c, small, sizeof(small)),
		    "both counted with a small buffer");
		ok(strlen(small) < sizeof(small), "and the report cut");
	}

	conf_free(&c);
	unlink(ca);
	unlink(crt);
	unlink(key);
	rmdir(dir);
	return done_testing();
}
