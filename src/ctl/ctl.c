/* SPDX-License-Identifier: MIT */
/* ctl.c: what inkwellctl's commands share: reading a subcommand,
 * saying what went wrong. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "lib/status.h"
#include "ctl/ctl.h"

int
ctl_report(enum status st, const char *what, const char *subject,
    const char *missing)
{
	switch (st) {
	case ST_OK:
		return 0;
	case ST_NOTFOUND:
		fprintf(stderr, "inkwellctl: %s: no such %s\n", subject,
		    missing);
		return 1;
	case ST_UNPROCESSABLE:
		fprintf(stderr, "inkwellctl: %s: refused by the database's "
		    "checks (see the log line above)\n", subject);
		return 1;
	default:
		fprintf(stderr, "inkwellctl: %s failed (see the log line "
		    "above)\n", what);
		return 1;
	}
}

const char *
ctl_subcommand(int *argc, char ***argv)
{
	if (*argc < 2)
		return NULL;
	(*argc)--;
	(*argv)++;
	optind = 1;
	return (*argv)[0];
}
