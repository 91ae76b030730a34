/* SPDX-License-Identifier: MIT */
/*
 * ctl_media.c: inkwellctl media reprocess [--all] [NAME...].
 *
 * Pictures uploaded before inkwell decoded them (sql/0013) have their
 * metadata still in them, no size and no smaller copies.  This runs each
 * through inkwell-image, as an upload is, and stores the clean picture
 * and its variants in place of what was there, one transaction a
 * picture.  By default only pictures without a size (never processed)
 * are done; --all does every one (each pass re-encodes: lossy formats
 * lose a little each time, so it is not the default).
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "content/imgrun.h"
#include "content/items.h"
#include "ctl/ctl.h"
#include "db/db.h"

static int
usage(void)
{
	fprintf(stderr, "usage: inkwellctl media reprocess [--all] [NAME...]\n");
	return 2;
}

/* One picture: 0 done or skipped, 1 failed. */
static int
one(struct db *db, const struct imgrun_limits *l, const char *name, bool all,
    int *done)
{
	struct arena	*a = arena_new(1 << 16);
	struct media_out m;
	struct media_in	 in;
	unsigned char	*frame = NULL;
	const char	*why;
	int		 status, rc = 0;
	enum status	 st;

	if ((st = db_media_get(db, a, name, &m)) != ST_OK || m.variant) {
		rc = ctl_report(st == ST_OK ? ST_NOTFOUND : st,
		    "reading the picture", name, "media file");
		goto out;
	}
	if (m.width > 0 && !all)
		goto out;
	if (imgrun_media(a, l, name, m.data, (size_t)m.bytes, NULL, &in, &frame,
	    &status, &why) != 0) {
		fprintf(stderr, "inkwellctl: %s: %s%s\n", name, why, status ==
		    500 ? "" : " (left as it is)");
		rc = 1;
		goto out;
	}
	if ((rc = ctl_report(db_media_replace(db, a, &in), "storing the "
	    "picture", name, "media file")) == 0) {
		printf("%s: %ux%u, %zu smaller copies\n", name, in.width,
		    in.height, in.nvariants);
		(*done)++;
	}
out:
	free(frame);
	arena_free(a);
	return rc;
}

int
ctl_media(const struct conf *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const struct imgrun_limits l = imgrun_limits_of(c);
	const char	*sub, **names;
	struct db	*db;
	struct arena	*a;
	bool		 all = false;
	size_t		 n;
	int		 ch, rc = 0, done = 0;

	if ((sub = ctl_subcommand(&argc, &argv)) == NULL ||
	    strcmp(sub, "reprocess") != 0)
		return usage();
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'a')
			return usage();
		all = true;
	}
	db = db_open(c);
	a = arena_new(4096);
	if (optind < argc) {
		names = (const char **)argv + optind;
		n = (size_t)(argc - optind);
	} else if ((rc = ctl_report(db_media_names(db, a, &names, &n),
	    "listing media", NULL, NULL)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		rc |= one(db, &l, names[i], all, &done);
	printf("%d pictures processed\n", done);
out:
	arena_free(a);
	db_close(db);
	return rc;
}
