/* SPDX-License-Identifier: MIT */
/* inkwellctl.c: the operator's command line; one function per subcommand. */
#include "config.h"
#include "buildinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/arena.h"
#include "cache/cache.h"
#include "cache/stale.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "lib/log.h"
#include "lib/util.h"

struct ctx {
	const char	*path;
	bool		 given;
	struct conf	 conf;
};

static int
load(struct ctx *x)
{
	char	 err[8192];

	if (conf_load(&x->conf, x->path, x->given, err, sizeof(err)) != 0 ||
	    db_conninfo_check(&x->conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "inkwellctl: configuration errors:\n%s", err);
		return -1;
	}
	return 0;
}

/*
 * Loads the configuration like load(), but for up to wait_s seconds keeps
 * trying while it fails only because a *_file it names cannot be read
 * yet: in a compose file, the service that writes the connection string
 * may still be running when migrate starts.  Other errors fail at once.
 */
static int
load_waiting(struct ctx *x, int wait_s)
{
	char	 err[8192], last[8192] = "";
	double	 start = util_now();

	for (;;) {
		if (conf_load(&x->conf, x->path, x->given, err,
		    sizeof(err)) == 0) {
			if (db_conninfo_check(&x->conf, err, sizeof(err)) == 0)
				return 0;
			fprintf(stderr, "inkwellctl: configuration errors:\n%s",
			    err);
			return -1;
		}
		conf_free(&x->conf);
		memset(&x->conf, 0, sizeof(x->conf));
		if (strstr(err, "_file: cannot read") == NULL ||
		    util_now() - start >= wait_s) {
			fprintf(stderr, "inkwellctl: configuration errors:\n%s",
			    err);
			return -1;
		}
		if (strcmp(err, last) != 0) {
			fprintf(stderr, "inkwellctl: migrate: waiting for the "
			    "configuration (%.0f of %d s):\n%s",
			    util_now() - start, wait_s, err);
			snprintf(last, sizeof(last), "%s", err);
		}
		sleep(1);
	}
}

static int
cmd_migrate(struct ctx *x, int argc, char **argv)
{
	bool		 status_only = false;
	long		 wait_s = 0;
	char		*end;
	double		 start;
	int		 i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--status") == 0)
			status_only = true;
		else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
			wait_s = strtol(argv[++i], &end, 10);
			if (*argv[i] == '\0' || *end != '\0' || wait_s < 0 ||
			    wait_s > 86400) {
				fprintf(stderr, "inkwellctl: migrate: --wait "
				    "takes a number of seconds (0 to 86400), "
				    "not \"%s\"\n", argv[i]);
				return 2;
			}
		} else
			break;
	}
	if (i < argc) {
		fprintf(stderr, "usage: inkwellctl migrate [--status] "
		    "[--wait SECONDS]\n");
		return 2;
	}
	start = util_now();
	if (load_waiting(x, (int)wait_s) < 0)
		return 1;
	wait_s -= (long)(util_now() - start);
	return db_migrate(x->conf.db_primary, (int)x->conf.db_connect_timeout,
	    wait_s > 0 ? (int)wait_s : 0, status_only, stdout) == 0 ? 0 : 1;
}

static int
cmd_check_config(struct ctx *x, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (load(x) < 0)
		return 1;
	printf("# %s: ok\n", x->path);
	conf_dump(&x->conf, stdout);
	return 0;
}

static int
cmd_user(struct ctx *x, int argc, char **argv)
{
	if (load(x) < 0)
		return 1;
	log_set_role("inkwellctl");
	return ctl_user(&x->conf, argc, argv);
}

static int
cmd_token(struct ctx *x, int argc, char **argv)
{
	if (load(x) < 0)
		return 1;
	log_set_role("inkwellctl");
	return ctl_token(&x->conf, argc, argv);
}

static int
cmd_media(struct ctx *x, int argc, char **argv)
{
	if (load(x) < 0)
		return 1;
	log_set_role("inkwellctl");
	return ctl_media(&x->conf, argc, argv);
}

static int
cmd_setup(struct ctx *x, int argc, char **argv)
{
	if (load(x) < 0)
		return 1;
	return ctl_setup(&x->conf, argc, argv);
}

static int
cmd_import(struct ctx *x, int argc, char **argv)
{
	if (load(x) < 0)
		return 1;
	return ctl_import(&x->conf, argc, argv);
}

static int
cmd_export(struct ctx *x, int argc, char **argv)
{
	if (load(x) < 0)
		return 1;
	return ctl_export(&x->conf, argc, argv);
}

static int
cmd_cache(struct ctx *x, int argc, char **argv)
{
	struct db	*db;
	struct cache	*cache;
	struct arena	*a;
	long long	 n;
	bool		 stale = argc == 3 && strcmp(argv[2], "--stale") == 0;

	if ((argc != 2 && !stale) || strcmp(argv[1], "flush") != 0) {
		fprintf(stderr, "usage: inkwellctl cache flush [--stale]\n");
		return 2;
	}
	if (load(x) < 0)
		return 1;
	log_set_role("inkwellctl");
	/* The rendering kept for outages: after a restore it is of pages
	 * that no longer exist (stale.h). */
	if (stale && x->conf.stale_dir[0] != '\0') {
		if (stale_drop(x->conf.stale_dir) != 0) {
			fprintf(stderr, "inkwellctl: cannot remove the rendering "
			    "in %s: %s\n", x->conf.stale_dir, strerror(errno));
			return 1;
		}
		printf("the rendering kept for outages is removed (%s)\n",
		    x->conf.stale_dir);
	}
	if (x->conf.redis_address[0] == '\0') {
		printf("caching is off ([redis] address is empty)\n");
		return 0;
	}
	db = db_open(&x->conf);
	cache = cache_open(&x->conf);
	a = arena_new(4096);
	n = cache_flush(cache, db, a);
	arena_free(a);
	cache_close(cache);
	db_close(db);
	if (n < 0) {
		fprintf(stderr, "inkwellctl: cache flush failed (see the log "
		    "line above)\n");
		return 1;
	}
	printf("%lld cached pages removed\n", n);
	return 0;
}

static int
cmd_render(struct ctx *x, int argc, char **argv)
{
	struct db	*db;
	long long	 changed, failed;
	enum status	 st;
	int		 batch = 100;

	if (argc == 3 && strcmp(argv[1], "--batch") == 0) {
		char	*end;
		long	 b = strtol(argv[2], &end, 10);

		if (*end != '\0' || b < 1 || b > 10000) {
			fprintf(stderr, "inkwellctl: render: --batch takes "
			    "1 to 10000\n");
			return 2;
		}
		batch = (int)b;
	} else if (argc != 1) {
		fprintf(stderr, "usage: inkwellctl render [--batch N]\n");
		return 2;
	}
	if (load(x) < 0)
		return 1;
	log_set_role("inkwellctl");
	db = db_open(&x->conf);
	st = db_post_rerender(db, batch, &changed, &failed);
	db_close(db);
	printf("%lld posts and pages rendered again\n", changed);
	if (failed > 0)
		printf("%lld cannot be rendered: their HTML is as it was "
		    "(see the log)\n", failed);
	if (st != ST_OK) {
		fprintf(stderr, "inkwellctl: render stopped: the database "
		    "failed (see the log line above)\n");
		return 1;
	}
	return 0;
}

static int
cmd_version(struct ctx *x, int argc, char **argv)
{
	(void)x, (void)argc, (void)argv;
	printf("inkwell %s\ncommit %s\nbuilt %s\nschema %d\n", PACKAGE_VERSION,
	    INKWELL_COMMIT, INKWELL_BUILD_DATE, db_schema_expected());
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct ctx *, int, char **);
	const char	*help;
} cmds[] = {
	{ "migrate", cmd_migrate, "migrate [--status] [--wait SECONDS]  "
	    "apply pending database migrations" },
	{ "setup", cmd_setup, "setup [--admin ROLE]  create the role and "
	    "database here, then migrate" },
	{ "check-config", cmd_check_config, "check-config        validate "
	    "the configuration and print it" },
	{ "version", cmd_version, "version             print version, "
	    "commit, build date" },
	{ "import", cmd_import, "import [--posts] DIR | --wxr FILE  import "
	    "a complete export, DIR/*.md (front matter) or a WordPress "
	    "export" },
	{ "export", cmd_export, "export [--force] [--with-secrets] DIR  "
	    "write the whole site to DIR" },
	{ "user", cmd_user, "user add|passwd|role|disable|enable|delete|list  "
	    "manage who can sign in (Argon2id passwords)" },
	{ "token", cmd_token, "token add|revoke|list  API tokens "
	    "(the token is shown once, only its hash kept)" },
	{ "media", cmd_media, "media reprocess [--all] [NAME...]  decode "
	    "pictures stored before inkwell did (or all) again: metadata "
	    "dropped, size and smaller copies made" },
	{ "render", cmd_render, "render [--batch N]  render every post and "
	    "page again from its Markdown (after an upgrade)" },
	{ "cache", cmd_cache, "cache flush [--stale]  drop every cached page "
	    "(and bump the content version; --stale: also the rendering kept "
	    "for outages)" },
};

static void
usage(void)
{
	fprintf(stderr, "usage: inkwellctl [-c config] command [args]\n"
	    "commands:\n");
	for (size_t i = 0; i < NELEM(cmds); i++)
		fprintf(stderr, "  %s\n", cmds[i].help);
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct ctx	 x = { .path = CONF_DEFAULT_PATH };
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			x.path = optarg;
			x.given = true;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	for (size_t i = 0; i < NELEM(cmds); i++)
		if (strcmp(argv[0], cmds[i].name) == 0) {
			rc = cmds[i].fn(&x, argc, argv);
			conf_free(&x.conf);
			return rc;
		}
	fprintf(stderr, "inkwellctl: unknown command \"%s\"\n", argv[0]);
	usage();
}
