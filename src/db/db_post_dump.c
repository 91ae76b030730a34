/* SPDX-License-Identifier: MIT */
/*
 * db_post_dump.c: reads every post whole (author, tags, exact
 * timestamps), for export.
 *
 * Both queries run in one read-only REPEATABLE READ transaction, so the
 * posts and their tags come from the same snapshot even while authors
 * write.  Timestamps are printed in UTC with microseconds (PostgreSQL's
 * precision) and trailing zeros trimmed: an export read back stores the
 * same instants.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"

static const char Q_BEGIN[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char Q_COMMIT[] = "COMMIT";
static const char Q_ROLLBACK[] = "ROLLBACK";
static const char Q_POSTS[] =
    "SELECT p.id, p.slug, p.title, p.summary, p.body_md, p.status,"
    " to_char(p.published_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),"
    " to_char(p.updated_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US'),"
    " u.username, u.display_name, p.kind, m.name"
    " FROM posts p JOIN users u ON u.id = p.author_id"
    " LEFT JOIN media m ON m.id = p.feature_media"
    " ORDER BY p.id";
static const char Q_TAGS[] =
    "SELECT pt.post_id, t.slug, t.name"
    " FROM post_tags pt JOIN tags t ON t.id = pt.tag_id"
    " ORDER BY pt.post_id, t.slug COLLATE \"C\"";

static const char WHAT[] = "reading posts";

enum {
	C_ID, C_SLUG, C_TITLE, C_SUMMARY, C_BODY, C_STATUS, C_PUBLISHED,
	C_UPDATED, C_USERNAME, C_DISPLAY, C_KIND, C_FEATURE
};

/* "2026-01-05T09:00:00.500000" to "2026-01-05T09:00:00.5Z"; NULL stays. */
static const char *
stamp(struct arena *a, PGresult *res, int row, int col)
{
	const char	*s;
	char		*t;
	size_t		 n;

	if (PQgetisnull(res, row, col))
		return NULL;
	s = PQgetvalue(res, row, col);
	n = strlen(s);
	t = arena_alloc(a, n + 2);
	memcpy(t, s, n);
	if (memchr(s, '.', n) != NULL) {
		while (n > 0 && t[n - 1] == '0')
			n--;
		if (n > 0 && t[n - 1] == '.')
			n--;
	}
	t[n++] = 'Z';
	t[n] = '\0';
	return t;
}

static const char *
col(struct arena *a, PGresult *res, int row, int c)
{
	return arena_strdup(a, PQgetvalue(res, row, c));
}

/* own: run in a transaction of its own, else in the caller's. */
static enum status
dump(struct db *db, struct arena *a, struct post_out **posts, size_t *n,
    bool own)
{
	PGconn		*pg;
	PGresult	*pr = NULL, *tr = NULL;
	enum status	 st = ST_UNAVAILABLE;
	struct post_out	*out;
	int		 np, nt, t = 0;
	bool		 lost = false;

	*posts = NULL;
	*n = 0;
	if ((pg = db_primary(db)) == NULL)
		goto out;
	if (own && (st = db_run(db, pg, a, WHAT, Q_BEGIN, 0, NULL, NULL,
	    &lost)) != ST_OK)
		goto out;
	if ((st = db_run(db, pg, a, WHAT, Q_POSTS, 0, NULL, &pr,
	    &lost)) != ST_OK ||
	    (st = db_run(db, pg, a, WHAT, Q_TAGS, 0, NULL, &tr,
	    &lost)) != ST_OK ||
	    (own && (st = db_run(db, pg, a, WHAT, Q_COMMIT, 0, NULL, NULL,
	    &lost)) != ST_OK)) {
		/* A failed statement aborted the transaction; end it. */
		if (own && !lost)
			db_run(db, pg, a, WHAT, Q_ROLLBACK, 0, NULL, NULL, &lost);
		goto out;
	}
	np = PQntuples(pr);
	nt = PQntuples(tr);
	out = arena_array(a, np > 0 ? (size_t)np : 1, sizeof(*out));
	for (int i = 0; i < np; i++) {
		struct post_in	*p = &out[i].in;
		const char	**slugs, **names;
		const char	*id = PQgetvalue(pr, i, C_ID);
		int		 first;

		p->slug = col(a, pr, i, C_SLUG);
		p->title = col(a, pr, i, C_TITLE);
		p->summary = col(a, pr, i, C_SUMMARY);
		p->body_md = col(a, pr, i, C_BODY);
		p->status = col(a, pr, i, C_STATUS);
		p->kind = col(a, pr, i, C_KIND);
		p->published_at = stamp(a, pr, i, C_PUBLISHED);
		p->updated_at = stamp(a, pr, i, C_UPDATED);
		p->author = col(a, pr, i, C_USERNAME);
		p->feature_image = PQgetisnull(pr, i, C_FEATURE) ? NULL :
		    col(a, pr, i, C_FEATURE);
		out[i].author_name = col(a, pr, i, C_DISPLAY);
		/* Both results are ordered by post id: merge. */
		while (t < nt && strtoll(PQgetvalue(tr, t, 0), NULL, 10) <
		    strtoll(id, NULL, 10))
			t++;
		for (first = t; t < nt && strcmp(PQgetvalue(tr, t, 0), id) == 0;
		    t++)
			;
		p->ntags = (size_t)(t - first);
		slugs = arena_array(a, p->ntags + 1, sizeof(*slugs));
		names = arena_array(a, p->ntags + 1, sizeof(*names));
		for (int k = first; k < t; k++) {
			slugs[k - first] = col(a, tr, k, 1);
			names[k - first] = col(a, tr, k, 2);
		}
		p->tag_slugs = slugs;
		p->tag_names = names;
	}
	*posts = out;
	*n = (size_t)np;
out:
	return st;
}

enum status
db_post_dump(struct db *db, struct arena *a, struct post_out **posts,
    size_t *n)
{
	return dump(db, a, posts, n, true);
}

enum status
db_post_dump_in(struct db *db, struct arena *a, struct post_out **posts,
    size_t *n)
{
	return dump(db, a, posts, n, false);
}
