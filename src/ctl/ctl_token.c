/* SPDX-License-Identifier: MIT */
/*
 * ctl_token.c: inkwellctl token add | revoke | list.
 *
 * "add" prints the new token on standard output and nowhere else, once:
 * only its hash is stored, so it cannot be shown again (a lost token is
 * revoked and replaced).  What else it says goes to standard error, so
 * TOKEN=$(inkwellctl token add ada) captures the token alone.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "auth/token.h"
#include "lib/util.h"

#define NAME_MAX_BYTES	100	/* api_tokens.name: 1 to 100 characters */

static int
usage(void)
{
	fprintf(stderr, "usage: inkwellctl token add [--name NAME] USERNAME\n"
	    "       inkwellctl token revoke ID\n"
	    "       inkwellctl token list [USERNAME]\n");
	return 2;
}

/* A name to show in token list: 1 to 100 bytes of UTF-8, no controls. */
static bool
name_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > NAME_MAX_BYTES || !util_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int
add(struct db *db, struct arena *a, const char *username, const char *name)
{
	char		 tok[TOKEN_LEN + 1];
	unsigned char	 h[TOKEN_HASH_BYTES];
	int64_t		 id;
	int		 rc;

	token_new(tok);
	token_hash(tok, TOKEN_LEN, h);
	if ((rc = ctl_report(db_token_add(db, a, username, name, h, &id),
	    "adding the token", username, "user")) == 0) {
		printf("%s\n", tok);
		fflush(stdout);
		fprintf(stderr, "token %" PRId64 " (%s) added for %s; it is "
		    "shown only this once\n", id, name, username);
	}
	sodium_memzero(tok, sizeof(tok));
	return rc;
}

static int
list(struct db *db, struct arena *a, const char *username)
{
	struct token_out *t;
	size_t		 n;
	int		 rc;

	if ((rc = ctl_report(db_token_list(db, a, username, &t, &n),
	    "listing tokens", "", "user")) != 0)
		return rc;
	printf("%-6s %-20s %-20s %-20s %-20s %s\n", "ID", "USER", "CREATED",
	    "LAST-USED", "REVOKED", "NAME");
	for (size_t i = 0; i < n; i++)
		printf("%-6" PRId64 " %-20s %-20s %-20s %-20s %s\n", t[i].id,
		    t[i].username, t[i].created,
		    t[i].last_used[0] ? t[i].last_used : "-",
		    t[i].revoked[0] ? t[i].revoked : "-", t[i].name);
	return 0;
}

int
ctl_token(const struct conf *conf, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*sub, *name = NULL;
	struct db	*db;
	struct arena	*a;
	char		*end;
	long long	 id = 0;
	int		 ch, rc;

	if ((sub = ctl_subcommand(&argc, &argv)) == NULL)
		return usage();
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': name = optarg; break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "add") == 0) {
		if (argc != 1)
			return usage();
		if (!util_username_ok(argv[0], strlen(argv[0]))) {
			fprintf(stderr, "inkwellctl: %s: not a username\n",
			    argv[0]);
			return 2;
		}
		if (name == NULL)
			name = "cli";
		if (!name_ok(name)) {
			fprintf(stderr, "inkwellctl: --name is 1 to %d bytes "
			    "of UTF-8 text without control characters\n",
			    NAME_MAX_BYTES);
			return 2;
		}
	} else if (strcmp(sub, "revoke") == 0) {
		if (argc != 1 || name != NULL)
			return usage();
		id = strtoll(argv[0], &end, 10);
		if (argv[0][0] < '0' || argv[0][0] > '9' || *end != '\0' ||
		    id <= 0) {
			fprintf(stderr, "inkwellctl: %s: a token ID is a "
			    "positive number (see token list)\n", argv[0]);
			return 2;
		}
	} else if (strcmp(sub, "list") == 0) {
		if (argc > 1 || name != NULL)
			return usage();
	} else
		return usage();

	db = db_open(conf);
	a = arena_new(4096);
	if (strcmp(sub, "add") == 0)
		rc = add(db, a, argv[0], name);
	else if (strcmp(sub, "revoke") == 0) {
		if ((rc = ctl_report(db_token_revoke(db, a, (int64_t)id),
		    "revoking the token", argv[0], "token")) == 0)
			printf("token %lld revoked\n", id);
	} else
		rc = list(db, a, argc == 1 ? argv[0] : NULL);
	arena_free(a);
	db_close(db);
	return rc;
}
