/* SPDX-License-Identifier: MIT */
/*
 * ctl_user.c: inkwellctl user add | passwd | role | disable | enable |
 * delete | list.
 *
 * Passwords come from a terminal (asked twice, not echoed) or, with
 * --password-stdin, from standard input (one line; for scripts).  They
 * never appear in arguments, where ps(1) and shell history would keep
 * them.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/arena.h"
#include "auth/auth.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "lib/log.h"
#include "lib/util.h"

#define PW_BUF	(AUTH_PASSWORD_MAX + 2)

/* One line from f into buf (newline dropped); its length, or -1 when it
 * is longer than the buffer allows or nothing could be read. */
static long
read_line(FILE *f, char *buf, size_t size)
{
	size_t	 n;

	if (fgets(buf, (int)size, f) == NULL)
		return -1;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return -1;	/* longer than the buffer */
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return (long)n;
}

static long
ask(const char *prompt, char *buf, size_t size)
{
	struct termios	 old, quiet;
	long		 n;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	n = read_line(stdin, buf, size);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return n;
}

/* The new password, hashed into hash; 0, or -1 (said why). */
static int
new_password(bool from_stdin, char hash[AUTH_HASH_MAX])
{
	char		 pw[PW_BUF], again[PW_BUF];
	const char	*why;
	long		 n;
	int		 rc = -1;

	if (from_stdin) {
		if ((n = read_line(stdin, pw, sizeof(pw))) < 0) {
			fprintf(stderr, "inkwellctl: no password on standard "
			    "input (or longer than %d bytes)\n",
			    AUTH_PASSWORD_MAX);
			goto out;
		}
	} else if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "inkwellctl: standard input is not a "
		    "terminal: give the password with --password-stdin\n");
		goto out;
	} else {
		if ((n = ask("New password: ", pw, sizeof(pw))) < 0 ||
		    ask("Again: ", again, sizeof(again)) != n ||
		    memcmp(pw, again, (size_t)n) != 0) {
			fprintf(stderr, "inkwellctl: the passwords do not "
			    "match\n");
			goto out;
		}
	}
	if ((why = auth_password_problem(pw, (size_t)n)) != NULL) {
		fprintf(stderr, "inkwellctl: %s\n", why);
		goto out;
	}
	if (auth_hash(pw, (size_t)n, hash) != 0) {
		fprintf(stderr, "inkwellctl: hashing the password failed "
		    "(out of memory?)\n");
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	return rc;
}

static int
usage(void)
{
	fprintf(stderr, "usage: inkwellctl user add [--name NAME] [--email "
	    "EMAIL] [--role admin|author]\n"
	    "                            [--password-stdin | --no-password] "
	    "USERNAME\n"
	    "       inkwellctl user passwd [--password-stdin] USERNAME\n"
	    "       inkwellctl user role USERNAME admin|author\n"
	    "       inkwellctl user disable USERNAME\n"
	    "       inkwellctl user enable USERNAME\n"
	    "       inkwellctl user delete [--reassign-to USERNAME] USERNAME\n"
	    "       inkwellctl user list\n");
	return 2;
}

static int
report(enum status st, const char *what, const char *username)
{
	switch (st) {
	case ST_OK:
		return 0;
	case ST_CONFLICT:
		fprintf(stderr, "inkwellctl: %s: the username or email is "
		    "taken\n", username);
		return 1;
	case ST_FORBIDDEN:
		fprintf(stderr, "inkwellctl: %s is the last enabled admin: "
		    "not changed; make another user an admin "
		    "first\n", username);
		return 1;
	default:
		return ctl_report(st, what, username, "user");
	}
}

static bool
role_ok(const char *role)
{
	return strcmp(role, "admin") == 0 || strcmp(role, "author") == 0;
}

static const char *
plural(long n)
{
	return n == 1 ? "" : "s";
}

/* inkwellctl user delete: what happens to what the user owns. */
static int
delete(struct db *db, struct arena *a, const char *username,
    const char *heir)
{
	struct user_deleted	 d;
	enum status		 st;

	st = db_user_delete(db, a, username, heir, &d);
	if (st == ST_CONFLICT) {
		fprintf(stderr, "inkwellctl: %s owns %ld post%s: not deleted; "
		    "give them to another user with --reassign-to USERNAME\n",
		    username, d.posts, plural(d.posts));
		return 1;
	}
	if (st == ST_NOTFOUND && d.no_heir)
		return report(st, "deleting the user", heir);
	if (report(st, "deleting the user", username) != 0)
		return 1;
	printf("user %s deleted; %ld session%s and %ld API token%s deleted",
	    username, d.sessions, plural(d.sessions), d.tokens,
	    plural(d.tokens));
	if (heir != NULL)
		printf("; %ld post%s and %ld media file%s now belong to %s",
		    d.posts, plural(d.posts), d.media, plural(d.media), heir);
	printf("\n");
	return 0;
}

int
ctl_user(const struct conf *conf, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "role", required_argument, NULL, 'r' },
		{ "password-stdin", no_argument, NULL, 's' },
		{ "no-password", no_argument, NULL, 'N' },
		{ "reassign-to", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct user_in	 u = { .role = "author" };
	struct user_out	*list;
	char		 hash[AUTH_HASH_MAX];
	bool		 from_stdin = false, none = false, role = false;
	bool		 password;
	const char	*sub, *heir = NULL;
	struct db	*db;
	struct arena	*a;
	size_t		 n;
	long		 ended;
	int		 ch, rc;

	if ((sub = ctl_subcommand(&argc, &argv)) == NULL)
		return usage();
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': u.display_name = optarg; break;
		case 'e': u.email = optarg; break;
		case 'r': u.role = optarg; role = true; break;
		case 's': from_stdin = true; break;
		case 'N': none = true; break;
		case 'R': heir = optarg; break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	/* Options other verbs do not take are usage errors. */
	if (strcmp(sub, "add") != 0 && (none || role ||
	    u.display_name != NULL || u.email != NULL))
		return usage();
	if (strcmp(sub, "delete") != 0 && heir != NULL)
		return usage();
	if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0 &&
	    from_stdin)
		return usage();
	if (strcmp(sub, "list") == 0) {
		if (argc != 0)
			return usage();
	} else if (strcmp(sub, "add") == 0) {
		if (argc != 1 || (from_stdin && none))
			return usage();
		u.username = argv[0];
		if (!util_username_ok(u.username, strlen(u.username))) {
			fprintf(stderr, "inkwellctl: a username is 1 to 40 of "
			    "a-z, 0-9, '_' and '-', starting with a letter or "
			    "digit\n");
			return 2;
		}
		if (!role_ok(u.role)) {
			fprintf(stderr, "inkwellctl: --role is admin or "
			    "author\n");
			return 2;
		}
		if (u.display_name == NULL)
			u.display_name = u.username;
	} else if (strcmp(sub, "role") == 0) {
		if (argc != 2)
			return usage();
		u.username = argv[0];
		u.role = argv[1];
		if (!role_ok(u.role)) {
			fprintf(stderr, "inkwellctl: a role is admin or "
			    "author\n");
			return 2;
		}
	} else if (strcmp(sub, "delete") == 0) {
		if (argc != 1)
			return usage();
		u.username = argv[0];
		if (heir != NULL && strcmp(heir, u.username) == 0) {
			fprintf(stderr, "inkwellctl: --reassign-to names the "
			    "user being deleted\n");
			return 2;
		}
	} else if (strcmp(sub, "passwd") == 0 ||
	    strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0) {
		if (argc != 1)
			return usage();
		u.username = argv[0];
	} else
		return usage();

	password = strcmp(sub, "passwd") == 0 ||
	    (strcmp(sub, "add") == 0 && !none);
	if (password) {
		if (new_password(from_stdin, hash) != 0)
			return 1;
		u.password_hash = hash;
	}
	db = db_open(conf);
	a = arena_new(4096);
	if (strcmp(sub, "add") == 0) {
		if ((rc = report(db_user_add(db, a, &u), "adding the user",
		    u.username)) == 0)
			printf("user %s added (%s%s)\n", u.username, u.role,
			    none ? ", cannot sign in until a password is set"
			    : "");
	} else if (strcmp(sub, "passwd") == 0) {
		if ((rc = report(db_user_passwd(db, a, u.username, hash,
		    &ended), "setting the password", u.username)) == 0)
			printf("password of %s set; %ld session%s signed "
			    "out\n", u.username, ended, plural(ended));
	} else if (strcmp(sub, "role") == 0) {
		if ((rc = report(db_user_role(db, a, u.username, u.role),
		    "changing the role", u.username)) == 0)
			printf("%s is now an %s (from their next "
			    "request)\n", u.username, u.role);
	} else if (strcmp(sub, "disable") == 0) {
		if ((rc = report(db_user_disable(db, a, u.username, true,
		    &ended), "disabling the user", u.username)) == 0)
			printf("user %s disabled; %ld session%s signed out, "
			    "API tokens refused until enabled\n", u.username,
			    ended, plural(ended));
	} else if (strcmp(sub, "enable") == 0) {
		if ((rc = report(db_user_disable(db, a, u.username, false,
		    &ended), "enabling the user", u.username)) == 0)
			printf("user %s enabled\n", u.username);
	} else if (strcmp(sub, "delete") == 0) {
		rc = delete(db, a, u.username, heir);
	} else if ((rc = report(db_user_list(db, a, &list, &n),
	    "listing users", "")) == 0) {
		printf("%-20s %-7s %-9s %-20s %s\n", "USERNAME", "ROLE",
		    "SIGN-IN", "CREATED", "NAME <EMAIL>");
		for (size_t i = 0; i < n; i++)
			printf("%-20s %-7s %-9s %-20s %s%s%s%s\n",
			    list[i].username, list[i].role,
			    list[i].disabled ? "disabled" :
			    list[i].can_sign_in ? "yes" : "no",
			    list[i].created, list[i].display_name,
			    list[i].email[0] ? " <" : "", list[i].email,
			    list[i].email[0] ? ">" : "");
	}
	if (password)
		sodium_memzero(hash, sizeof(hash));
	arena_free(a);
	db_close(db);
	return rc;
}
