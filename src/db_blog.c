/* SPDX-License-Identifier: MIT */
/*
 * db_blog.c: the reader-facing queries: posts, tags, authors, archive,
 * search, settings.
 *
 * Each query returns a single JSON value built by PostgreSQL
 * (json_build_object / json_agg), which json-c parses straight into the
 * view model: the row-to-view mapping is written once, in SQL, and dates
 * arrive already formatted (UTC) for HTML, Atom and RSS.  A post is live
 * when it is not a draft and its published_at has come, so scheduled
 * posts appear by themselves.  Reads use db_reader() (a replica when
 * configured).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "db.h"
#include "db_int.h"
#include "log.h"

#define LIVE	"p.status <> 'draft' AND p.published_at <= now()"

/* The fields every post summary carries, as a json_build_object body. */
#define POST_FIELDS \
    "'slug', p.slug, 'title', p.title, 'summary', p.summary," \
    " 'url', '/posts/' || p.slug," \
    " 'published_at', to_char(p.published_at AT TIME ZONE 'UTC'," \
    "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
    " 'updated_at', to_char(p.updated_at AT TIME ZONE 'UTC'," \
    "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
    " 'published_human', to_char(p.published_at AT TIME ZONE 'UTC'," \
    "   'FMDD FMMonth YYYY')," \
    " 'published_rfc822', to_char(p.published_at AT TIME ZONE 'UTC'," \
    "   'Dy, DD Mon YYYY HH24:MI:SS \"+0000\"')," \
    " 'author', json_build_object('username', u.username," \
    "   'display_name', u.display_name, 'url', '/authors/' || u.username)," \
    " 'has_tags', EXISTS (SELECT 1 FROM post_tags pt" \
    "   WHERE pt.post_id = p.id)," \
    " 'tags', coalesce((SELECT json_agg(json_build_object('slug', t.slug," \
    "   'name', t.name, 'url', '/tags/' || t.slug) ORDER BY t.name)" \
    "   FROM post_tags pt JOIN tags t ON t.id = pt.tag_id" \
    "   WHERE pt.post_id = p.id), '[]'::json)"

/*
 * $1 tag slug, $2 author username, $3/$4 month range, $5 limit,
 * $6 offset; NULL filters match everything.  One row more than asked is
 * fetched so the caller knows whether an older page exists without
 * counting every post.
 */
static const char Q_POSTS[] =
    "SELECT coalesce(json_agg(x.o ORDER BY x.pa DESC, x.id DESC), '[]')"
    " FROM (SELECT p.id, p.published_at AS pa, json_build_object("
    POST_FIELDS ") AS o"
    " FROM posts p JOIN users u ON u.id = p.author_id"
    " WHERE " LIVE
    " AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM post_tags pt"
    "   JOIN tags t ON t.id = pt.tag_id"
    "   WHERE pt.post_id = p.id AND t.slug = $1))"
    " AND ($2::text IS NULL OR u.username = $2)"
    " AND ($3::timestamptz IS NULL OR"
    "   (p.published_at >= $3::timestamptz AND p.published_at < $4::timestamptz))"
    " ORDER BY p.published_at DESC, p.id DESC"
    " LIMIT $5::int OFFSET $6::int) x";

static const char Q_POST[] =
    "SELECT json_build_object(" POST_FIELDS ", 'body_html', p.body_html)"
    " FROM posts p JOIN users u ON u.id = p.author_id"
    " WHERE p.slug = $1 AND " LIVE;

/*
 * Full-text search: websearch syntax, ranked, with a snippet whose
 * matches are marked by U+E000/U+E001 (see search_snippet_html), never
 * by HTML, so escaping stays in our hands.
 */
static const char Q_FEED[] =
    "SELECT coalesce(json_agg(x.o ORDER BY x.pa DESC, x.id DESC), '[]')"
    " FROM (SELECT p.id, p.published_at AS pa, json_build_object("
    POST_FIELDS ", 'body_html', p.body_html) AS o"
    " FROM posts p JOIN users u ON u.id = p.author_id WHERE " LIVE
    " ORDER BY p.published_at DESC, p.id DESC LIMIT $1::int) x";

static const char Q_SEARCH[] =
    "SELECT coalesce(json_agg(x.o ORDER BY x.rank DESC, x.pa DESC), '[]')"
    " FROM (SELECT p.published_at AS pa, ts_rank_cd(p.search, q) AS rank,"
    " json_build_object(" POST_FIELDS ", 'snippet', ts_headline('english',"
    "   p.title || ' ' || p.summary || ' ' || p.body_md, q,"
    "   'StartSel=\xee\x80\x80, StopSel=\xee\x80\x81, MaxFragments=2,"
    "    MaxWords=30, MinWords=10, FragmentDelimiter=\" … \"')) AS o"
    " FROM posts p JOIN users u ON u.id = p.author_id,"
    " websearch_to_tsquery('english', $1) q"
    " WHERE " LIVE " AND p.search @@ q"
    " ORDER BY rank DESC, p.published_at DESC"
    " LIMIT $2::int OFFSET $3::int) x";

static const char Q_TAGS[] =
    "SELECT coalesce(json_agg(json_build_object('slug', t.slug, 'name',"
    " t.name, 'url', '/tags/' || t.slug, 'count', n) ORDER BY t.name), '[]')"
    " FROM (SELECT t.slug, t.name, count(*) AS n FROM tags t"
    " JOIN post_tags pt ON pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id"
    " WHERE " LIVE " GROUP BY t.slug, t.name) t";

static const char Q_TAG[] =
    "SELECT json_build_object('slug', slug, 'name', name, 'url',"
    " '/tags/' || slug) FROM tags WHERE slug = $1";

static const char Q_AUTHORS[] =
    "SELECT coalesce(json_agg(json_build_object('username', u.username,"
    " 'display_name', u.display_name, 'bio', u.bio, 'url', '/authors/' ||"
    " u.username, 'count', n) ORDER BY u.display_name), '[]')"
    " FROM (SELECT u.username, u.display_name, u.bio, count(*) AS n"
    " FROM users u JOIN posts p ON p.author_id = u.id WHERE " LIVE
    " GROUP BY u.username, u.display_name, u.bio) u";

static const char Q_AUTHOR[] =
    "SELECT json_build_object('username', username, 'display_name',"
    " display_name, 'bio', bio, 'url', '/authors/' || username)"
    " FROM users WHERE username = $1";

static const char Q_MONTHS[] =
    "SELECT coalesce(json_agg(json_build_object('year', y, 'month', m,"
    " 'label', to_char(make_date(y, m, 1), 'FMMonth YYYY'),"
    " 'url', '/archive/' || y || '/' || lpad(m::text, 2, '0'),"
    " 'count', n) ORDER BY y DESC, m DESC), '[]')"
    " FROM (SELECT extract(year FROM p.published_at AT TIME ZONE 'UTC')::int y,"
    " extract(month FROM p.published_at AT TIME ZONE 'UTC')::int m,"
    " count(*) n FROM posts p WHERE " LIVE " GROUP BY 1, 2) x";

static const char Q_SETTINGS[] =
    "SELECT coalesce(json_object_agg(key, value), '{}') FROM settings";

/* For Last-Modified: the newest change among live posts. */
static const char Q_LAST_CHANGE[] =
    "SELECT coalesce(extract(epoch FROM max(greatest(p.updated_at,"
    " p.published_at)))::bigint, 0) FROM posts p WHERE " LIVE;

static const char Q_SITEMAP[] =
    "SELECT coalesce(json_agg(json_build_object('url', '/posts/' || p.slug,"
    " 'lastmod', to_char(greatest(p.updated_at, p.published_at) AT TIME ZONE"
    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ORDER BY p.published_at DESC),"
    " '[]') FROM (SELECT * FROM posts p WHERE " LIVE
    " ORDER BY p.published_at DESC LIMIT 50000) p";

/*
 * Runs a query whose one cell is JSON and parses it.  *out is owned by
 * the caller (attach it to a view, which then owns it).  ST_NOTFOUND when
 * no row came back.
 */
static enum status
json_query(struct db *db, struct arena *a, const char *what, const char *sql,
    int n, const char *const *params, struct json_object **out)
{
	PGconn		*pg;
	PGresult	*res;

	*out = NULL;
	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, what, sql, n, params)) == NULL)
		return PQstatus(pg) == CONNECTION_OK ? ST_INTERNAL :
		    ST_UNAVAILABLE;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		return ST_NOTFOUND;
	if ((*out = json_tokener_parse(PQgetvalue(res, 0, 0))) == NULL) {
		log_msg(LOG_ERROR, "%s: PostgreSQL sent JSON json-c cannot "
		    "parse", what);
		return ST_INTERNAL;
	}
	return ST_OK;
}

enum status
db_posts(struct db *db, struct arena *a, const struct db_filter *f,
    int limit, int offset, struct json_object **out)
{
	char		 lim[16], off[16];
	const char	*p[6] = { f->tag, f->author, f->from, f->to, lim, off };

	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	return json_query(db, a, "posts", Q_POSTS, 6, p, out);
}

enum status
db_feed(struct db *db, struct arena *a, int limit, struct json_object **out)
{
	char		 lim[16];
	const char	*p[1] = { lim };

	snprintf(lim, sizeof(lim), "%d", limit);
	return json_query(db, a, "feed", Q_FEED, 1, p, out);
}

enum status
db_search(struct db *db, struct arena *a, const char *q, int limit,
    int offset, struct json_object **out)
{
	char		 lim[16], off[16];
	const char	*p[3] = { q, lim, off };

	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	return json_query(db, a, "search", Q_SEARCH, 3, p, out);
}

enum status
db_post(struct db *db, struct arena *a, const char *slug,
    struct json_object **out)
{
	return json_query(db, a, "post", Q_POST, 1, &slug, out);
}

enum status
db_tags(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "tags", Q_TAGS, 0, NULL, out);
}

enum status
db_tag(struct db *db, struct arena *a, const char *slug,
    struct json_object **out)
{
	return json_query(db, a, "tag", Q_TAG, 1, &slug, out);
}

enum status
db_authors(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "authors", Q_AUTHORS, 0, NULL, out);
}

enum status
db_author(struct db *db, struct arena *a, const char *username,
    struct json_object **out)
{
	return json_query(db, a, "author", Q_AUTHOR, 1, &username, out);
}

enum status
db_months(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "months", Q_MONTHS, 0, NULL, out);
}

enum status
db_settings(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "settings", Q_SETTINGS, 0, NULL, out);
}

enum status
db_sitemap(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "sitemap", Q_SITEMAP, 0, NULL, out);
}

enum status
db_last_change(struct db *db, struct arena *a, int64_t *epoch)
{
	PGconn		*pg;
	PGresult	*res;

	*epoch = 0;
	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "last change", Q_LAST_CHANGE, 0,
	    NULL)) == NULL)
		return ST_UNAVAILABLE;
	*epoch = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	return ST_OK;
}
