/* SPDX-License-Identifier: MIT */
/*
 * db_blog.c: the reader-facing queries: posts, tags, authors, archive,
 * search, settings.
 *
 * The rarer queries return a single JSON value built by PostgreSQL
 * (json_build_object / json_agg), which json-c parses straight into the
 * view model.  The posts every page shows (listings, a post, the feeds,
 * search) come as rows instead, turned into the same objects by
 * post_rows(): PostgreSQL's JSON functions look up the type of every
 * argument on every call, and for a page of posts that cost more than
 * the rest of the query; formatting the dates with to_char() came next.
 * Dates are UTC, but for the archive's months, which are the site's
 * (SITE_TZ): the view shows readers dates in that zone.  A post is live
 * when it is not a draft and its published_at has come, so scheduled
 * posts appear by themselves.  Reads use db_reader() (a replica when
 * configured).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "lib/util.h"
#include "content/snippet.h"

/* Live, of either kind (a page, 0008, or a post). */
#define LIVE_ANY	"p.status <> 'draft' AND p.published_at <= now()"
/* A live post: what listings, feeds, search and the posts API show.
 * Pages are shown alone, at /pages/SLUG, and in the sitemap. */
#define LIVE	"p.kind = 'post' AND " LIVE_ANY

/*
 * The site's time zone (the timezone setting, checked by every writer
 * against tzdata), for the archive's months: a subquery PostgreSQL runs
 * once per statement.
 */
#define SITE_TZ	"(SELECT coalesce(max(value), 'UTC') FROM settings" \
    " WHERE key = 'timezone')"

/* Whole seconds since the epoch: to_char() truncated, so does floor(). */
#define EPOCH(col)	"floor(extract(epoch FROM " col "))::bigint"

/*
 * What a page query gives for each post it picks: these columns, and k1
 * and k2 such that (k1 DESC, k2 DESC, id DESC) is the order to show the
 * posts in.  BY_DATE is that for listings, newest first.
 */
#define PAGE_COLS \
    "p.id, p.slug, p.title, p.summary, p.published_at, p.updated_at," \
    " p.author_id, p.words, p.feature_media"
#define BY_DATE	"p.published_at AS k1, 0 AS k2"

/*
 * Posts as rows for post_rows(): page is a page query (the CTE p),
 * extra an expression over it for column 11 (body_html, a snippet, or
 * NULL).  One row per post (kind 0) comes first, in page order, then
 * one per tag of those posts (kind 1, the post's id in column 1), by
 * name.  Only the page's posts are looked at past the page query: rows
 * skipped by OFFSET cost an index entry each, and the tags of the whole
 * page come from one index scan, not a subquery per post.
 *
 * A post's feature image (0013) comes on its row: the picture's name,
 * size and alt text, and its variants as three srcset lists (its own
 * format, WebP, AVIF; NULL when there are none), each from a walk of
 * the variants' primary key, for the posts of the page alone, and only
 * for those that have a picture: a CASE keeps the three subplans from
 * running for the others (most posts), which cost a fifth of a listing
 * query.  more is further rows (POST_NEAR), or "".
 */
#define SRCSET(type) \
    "CASE WHEN m.id IS NOT NULL THEN" \
    " (SELECT string_agg('/media/' || v.name || ' ' || v.width || 'w'," \
    "   ', ' ORDER BY v.width) FROM media_variants v" \
    "   WHERE v.media_id = m.id AND v.content_type = " type ") END"
#define POST_ROWS_MORE(page, extra, more) \
    "WITH p AS MATERIALIZED (" page ")" \
    " SELECT 0 AS kind, p.id, p.slug, p.title, p.summary," \
    "   " EPOCH("p.published_at") ", " EPOCH("p.updated_at") "," \
    "   u.username, u.display_name, NULL AS tag_slug, NULL AS tag_name," \
    "   " extra " AS extra, p.k1, p.k2, p.words, m.name, m.width," \
    "   m.height, m.alt, " SRCSET("m.content_type") "," \
    "   " SRCSET("'image/webp'") ", " SRCSET("'image/avif'") \
    " FROM p JOIN users u ON u.id = p.author_id" \
    " LEFT JOIN media m ON m.id = p.feature_media" \
    " UNION ALL" \
    " SELECT 1, pt.post_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
    "   t.slug, t.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
    "   NULL, NULL, NULL" \
    " FROM post_tags pt JOIN tags t ON t.id = pt.tag_id" \
    " WHERE pt.post_id = ANY (ARRAY(SELECT id FROM p))" more \
    " ORDER BY kind, k1 DESC, k2 DESC, id DESC, tag_name"
#define POST_ROWS(page, extra)	POST_ROWS_MORE(page, extra, "")

/*
 * For a post page: the live posts just older and just newer than the
 * one post of p (kind 2, "older" or "newer" in column 9), each the
 * first entry of a walk of posts_live_idx from the post, so that the
 * post and its neighbours take one statement.
 */
#define NEAR_LIVE \
    "q.kind = 'post' AND q.status <> 'draft' AND q.published_at <= now()"
#define POST_NEAR \
    " UNION ALL" \
    " SELECT 2, n.id, n.slug, n.title, NULL, NULL, NULL, NULL, NULL," \
    "   n.dir, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
    "   NULL, NULL, NULL" \
    " FROM p CROSS JOIN LATERAL (" \
    "   (SELECT 'older' AS dir, q.id, q.slug, q.title FROM posts q" \
    "   WHERE " NEAR_LIVE " AND (q.published_at, q.id) <" \
    "   (p.published_at, p.id)" \
    "   ORDER BY q.published_at DESC, q.id DESC LIMIT 1)" \
    "   UNION ALL" \
    "   (SELECT 'newer', q.id, q.slug, q.title FROM posts q" \
    "   WHERE " NEAR_LIVE " AND (q.published_at, q.id) >" \
    "   (p.published_at, p.id)" \
    "   ORDER BY q.published_at, q.id LIMIT 1)) n"

/* POST_ROWS's columns, for post_rows(). */
enum post_col {
	COL_KIND,
	COL_ID,
	COL_SLUG,
	COL_TITLE,
	COL_SUMMARY,
	COL_PUBLISHED,
	COL_UPDATED,
	COL_USERNAME,
	COL_DISPLAY_NAME,
	COL_TAG_SLUG,
	COL_TAG_NAME,
	COL_EXTRA,
	COL_K1,
	COL_K2,
	COL_WORDS,
	COL_FEATURE,
	COL_FEATURE_WIDTH,
	COL_FEATURE_HEIGHT,
	COL_FEATURE_ALT,
	COL_SRCSET,
	COL_SRCSET_WEBP,
	COL_SRCSET_AVIF,
	COL__MAX
};

/*
 * Live posts, newest first: a walk down posts_live_idx that stops at the
 * LIMIT, as long as filter is cheap per row and not too selective.
 */
#define LIVE_PAGE(filter, limit, offset) \
    "SELECT " PAGE_COLS ", " BY_DATE " FROM posts p WHERE " LIVE filter \
    " ORDER BY p.published_at DESC, p.id DESC" \
    " LIMIT " limit "::int OFFSET " offset "::int"

/*
 * Listings, one statement per filter: as prepared statements they are
 * planned once, and a plan made for "$1 IS NULL OR ..." cannot know
 * which filter is on, so it serves none of them well.  Callers ask for
 * one row more than a page so they know whether an older page exists
 * without counting every post.
 */
static const char Q_POSTS[] = POST_ROWS(LIVE_PAGE("", "$1", "$2"),
    "NULL::text");

/*
 * $1 tag slug.  Walking the newest posts and keeping the tag's costs
 * about (limit + offset) / (the tag's share of all posts) probes: cheap
 * for a tag on many posts, a walk through every post for a tag on a
 * handful.  Fetching the tag's posts and sorting them costs one probe a
 * post of the tag: cheap only for a small tag.  The plan is made once
 * for every tag, so the choice is made at run time: tg.big says whether
 * the tag has TAG_SMALL posts or more (a short walk of post_tags_tag_idx;
 * the ORDER BY keeps the planner on that index, where a guess of the
 * tag's size would make a scan of all post_tags look as cheap), and of
 * the two branches only the one whose one-time filter holds runs.
 */
#define TAG_SMALL "1000"
static const char Q_POSTS_TAG[] = POST_ROWS(
    "WITH tg AS MATERIALIZED (SELECT t.id, EXISTS (SELECT FROM post_tags x"
    "   WHERE x.tag_id = t.id ORDER BY x.post_id"
    "   OFFSET " TAG_SMALL " - 1) AS big"
    "   FROM tags t WHERE t.slug = $1)"
    " (SELECT " PAGE_COLS ", " BY_DATE " FROM posts p WHERE " LIVE
    "   AND (SELECT big FROM tg)"
    /* A subplan per post, not a join the planner could turn around. */
    "   AND (SELECT true FROM post_tags pt WHERE pt.post_id = p.id"
    "   AND pt.tag_id = (SELECT id FROM tg))"
    "   ORDER BY p.published_at DESC, p.id DESC LIMIT $2::int + $3::int)"
    " UNION ALL"
    " (SELECT " PAGE_COLS ", " BY_DATE
    "   FROM (SELECT pt.post_id FROM post_tags pt"
    "   WHERE pt.tag_id = (SELECT id FROM tg)"
    "   AND NOT (SELECT big FROM tg) LIMIT " TAG_SMALL ") r"
    "   JOIN posts p ON p.id = r.post_id WHERE " LIVE
    "   ORDER BY p.published_at DESC, p.id DESC LIMIT $2::int + $3::int)"
    " ORDER BY published_at DESC, id DESC"
    " LIMIT $2::int OFFSET $3::int", "NULL::text");

/* $1 username. */
static const char Q_POSTS_AUTHOR[] = POST_ROWS(LIVE_PAGE(
    " AND p.author_id = (SELECT id FROM users WHERE username = $1)",
    "$2", "$3"), "NULL::text");

/* $1, $2 the published_at range, as wall-clock times of the site. */
static const char Q_POSTS_MONTH[] = POST_ROWS(LIVE_PAGE(
    " AND p.published_at >= ($1::timestamp AT TIME ZONE " SITE_TZ ")"
    " AND p.published_at < ($2::timestamp AT TIME ZONE " SITE_TZ ")",
    "$3", "$4"), "NULL::text");

/*
 * More than one filter at once (the API's tag and author): $1 tag slug,
 * $2 username, $3/$4 published_at range (the site's wall clock); NULL
 * matches everything.
 */
static const char Q_POSTS_ANY[] = POST_ROWS(LIVE_PAGE(
    " AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM post_tags pt"
    "   JOIN tags t ON t.id = pt.tag_id"
    "   WHERE pt.post_id = p.id AND t.slug = $1))"
    " AND ($2::text IS NULL OR p.author_id ="
    "   (SELECT id FROM users WHERE username = $2))"
    " AND ($3::timestamp IS NULL OR (p.published_at >= ($3::timestamp"
    "   AT TIME ZONE " SITE_TZ ") AND p.published_at < ($4::timestamp"
    "   AT TIME ZONE " SITE_TZ ")))", "$5", "$6"), "NULL::text");

/*
 * For a post page: one row of kind 3 when the post has approved
 * comments.  Most posts have none, and the comments' statement
 * (db_comment.c: a recursive walk of the threads) costs PostgreSQL
 * about a third of the post's own even when it finds nothing, so it
 * runs only after this row says there is something to find.
 */
#define POST_HAS_COMMENTS \
    " UNION ALL" \
    " SELECT 3, p.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
    "   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
    "   NULL" \
    " FROM p WHERE EXISTS (SELECT FROM comments c WHERE c.post_id = p.id" \
    "   AND c.status = 'approved')"

static const char Q_POST[] = POST_ROWS_MORE(
    "SELECT " PAGE_COLS ", " BY_DATE ", p.body_html FROM posts p"
    " WHERE p.slug = $1 AND " LIVE, "p.body_html",
    POST_NEAR POST_HAS_COMMENTS);

/* A live page, in a post's shape. */
static const char Q_PAGE[] = POST_ROWS(
    "SELECT " PAGE_COLS ", " BY_DATE ", p.body_html FROM posts p"
    " WHERE p.slug = $1 AND p.kind = 'page' AND " LIVE_ANY, "p.body_html");

/* Every live page, by title (a site has a handful). */
static const char Q_PAGES[] = POST_ROWS(
    "SELECT " PAGE_COLS ", " BY_DATE " FROM posts p"
    " WHERE p.kind = 'page' AND " LIVE_ANY
    " ORDER BY p.title, p.id LIMIT 1000", "NULL::text");

static const char Q_FEED[] = POST_ROWS(
    "SELECT " PAGE_COLS ", " BY_DATE ", p.body_html FROM posts p"
    " WHERE " LIVE " ORDER BY p.published_at DESC, p.id DESC"
    " LIMIT $1::int", "p.body_html");

/* The feed of one tag ($1 its slug) or one author ($1 the username). */
static const char Q_FEED_TAG[] = POST_ROWS(
    "SELECT " PAGE_COLS ", " BY_DATE ", p.body_html FROM posts p"
    " WHERE " LIVE " AND EXISTS (SELECT 1 FROM post_tags pt"
    "   JOIN tags t ON t.id = pt.tag_id"
    "   WHERE pt.post_id = p.id AND t.slug = $1)"
    " ORDER BY p.published_at DESC, p.id DESC LIMIT $2::int", "p.body_html");
static const char Q_FEED_AUTHOR[] = POST_ROWS(
    "SELECT " PAGE_COLS ", " BY_DATE ", p.body_html FROM posts p"
    " WHERE " LIVE " AND p.author_id ="
    "   (SELECT id FROM users WHERE username = $1)"
    " ORDER BY p.published_at DESC, p.id DESC LIMIT $2::int", "p.body_html");

/*
 * Full-text search: websearch syntax, with a snippet whose matches are
 * marked by U+E000/U+E001 (see search_snippet_html), never by HTML, so
 * escaping stays in our hands.  Only the page's posts get a snippet.
 *
 * A snippet is made from one or two passages of the post
 * (post_passages, 0015: its text in runs of 64 words, with their
 * lexemes), not from the whole text: ts_headline() parses and stems
 * every word it is given, so ten whole posts cost 7 ms of a 10 ms
 * search.  The passages are the two best, in their order: those with
 * every word looked for first (qand), then those with the most of those
 * words (qor, by ts_rank over lexemes without positions), then the
 * first; one walk of the post's passages.  The query gives the query's
 * lexemes and the passages (each after SNIPPET_SEP), and the worker
 * marks every word whose stem is one of the lexemes and keeps each
 * passage's best 30 words (snippet_make): PostgreSQL's parser, even
 * over two passages, cost more than the rest of the search.  Ranking
 * and matching are unchanged: posts.search, the whole text.
 *
 * What a search shows (a product decision): the SEARCH_MAX newest
 * matching posts, best ranked first, ties newest first.  Pages stop
 * there: the last one has no "older" link and a page past it is a 404,
 * as past the end of a listing.  A word in fewer posts than that shows
 * every one, as before.  Ranking every match instead read each match's
 * tsvector (stored out of line, a few KB): for a word in 1 post in 20
 * the query took 44 ms at 100,000 posts, and grew with the blog.  Now the
 * rows read do not grow with the blog; what does is the read of the
 * word's GIN posting list (1 ms for 5,000 posts, 7 ms for 98,000).
 *
 * Between the first step and the last, two more windows of older posts
 * (w.since2 and w.since3: three and fifteen times as long a span as
 * the first window's, reckoned in time, so they cost no walk) each a
 * BitmapAnd as the first: a word in 1 post in 20 together with two
 * common words found 98 of its 100 in the first window and then read
 * all 4,772 older matches (31 ms at 100,000 posts); now it reads 294.
 * Any since is correct (the windows partition the posts, newest
 * first); the windows only decide what is read.
 *
 * Each window reads the GIN posting lists anew (2 ms for that word at
 * 100,000 posts, two thirds of what the window cost), so a word that
 * just misses SEARCH_MAX in the first window pays for two: such a
 * three-word search took 6.9 ms of PostgreSQL's time with a first
 * window of 2,000 posts and 4.9 ms with 3,000, over 200 such queries,
 * while a word in most posts reads half as many rows again (searches of
 * common words took 3 to 5% longer).
 *
 * The newest matches come in two steps that read matching rows only:
 * first those among the newest SEARCH_WINDOW live posts (w.since is the
 * oldest of them: $4, below), a BitmapAnd of the GIN
 * index and that range of posts_live_idx; then, only when those are
 * fewer than SEARCH_MAX, the older ones, from the GIN index alone.  The
 * second step reads every older match, so it costs most for words in a
 * little under SEARCH_MAX / SEARCH_WINDOW of the posts.  Its date test
 * is kept off posts_live_idx, whose range would be most of the table.
 * With fewer than SEARCH_WINDOW live posts (since is NULL) the first
 * step is skipped and the second reads every match: plans are made once,
 * and on a small table the planner would walk the range instead,
 * testing each post.  That walk, newest first, was the other candidate:
 * each test reads a tsvector out of line, so finding 100 matches of a
 * word in 1 post in 20 cost 12 ms, against 2 ms here.
 */
#define SEARCH_MAX	"100"
#define SEARCH_WINDOW	"3000"

/*
 * w.since, $4 of Q_SEARCH: the oldest of the newest SEARCH_WINDOW live
 * posts, in seconds since the epoch, NULL with fewer.  Finding it is a
 * walk of SEARCH_WINDOW entries of posts_live_post_idx, a tenth of a
 * search's time in PostgreSQL at 1,000 posts and more at 100,000; as
 * any since is correct, a worker finds it at most every
 * SEARCH_SINCE_TTL seconds and keeps it (search_since).  Posts
 * published meanwhile fall in the first window, which grows a little;
 * a blog that passes SEARCH_WINDOW posts meanwhile reads every match
 * until then, as it did before.
 */
#define SEARCH_SINCE_TTL	60
static const char Q_SEARCH_SINCE[] =
    "SELECT extract(epoch FROM (SELECT p.published_at FROM posts p"
    " WHERE " LIVE " ORDER BY p.published_at DESC, p.id DESC"
    " OFFSET " SEARCH_WINDOW " - 1 LIMIT 1))";
#define HIT_COLS	PAGE_COLS ", p.search"
static const char Q_SEARCH[] = POST_ROWS(
    "WITH q AS MATERIALIZED ("
    "   SELECT websearch_to_tsquery('english', $1) AS q,"
    "   array_to_string(l.lex, ' ') AS lex,"
    "   websearch_to_tsquery('simple', array_to_string(l.lex, ' ')) AS qand,"
    "   websearch_to_tsquery('simple', array_to_string(l.lex, ' or '))"
    "     AS qor"
    "   FROM (SELECT tsvector_to_array(to_tsvector('english', $1)) AS lex) l),"
    " w AS MATERIALIZED (SELECT since,"
    "   since - 3 * (now() - since) AS since2,"
    "   since - 15 * (now() - since) AS since3"
    "   FROM (SELECT to_timestamp($4::float8) AS since) w1),"
    " hits AS MATERIALIZED ("
    "   (SELECT " HIT_COLS " FROM posts p WHERE " LIVE
    "   AND (SELECT since FROM w) IS NOT NULL"
    "   AND p.published_at >= (SELECT since FROM w)"
    "   AND p.search @@ (SELECT q FROM q)"
    "   ORDER BY p.published_at DESC, p.id DESC)"
    " UNION ALL"
    "   (SELECT " HIT_COLS " FROM posts p WHERE " LIVE
    "   AND (SELECT since FROM w) IS NOT NULL"
    "   AND p.published_at < (SELECT since FROM w)"
    "   AND p.published_at >= (SELECT since2 FROM w)"
    "   AND p.search @@ (SELECT q FROM q)"
    "   ORDER BY p.published_at DESC, p.id DESC)"
    " UNION ALL"
    "   (SELECT " HIT_COLS " FROM posts p WHERE " LIVE
    "   AND (SELECT since FROM w) IS NOT NULL"
    "   AND p.published_at < (SELECT since2 FROM w)"
    "   AND p.published_at >= (SELECT since3 FROM w)"
    "   AND p.search @@ (SELECT q FROM q)"
    "   ORDER BY p.published_at DESC, p.id DESC)"
    " UNION ALL"
    "   (SELECT " HIT_COLS " FROM posts p WHERE " LIVE
    "   AND (p.published_at < (SELECT since3 FROM w)) IS NOT FALSE"
    "   AND p.search @@ (SELECT q FROM q)"
    "   ORDER BY p.published_at DESC, p.id DESC)"
    " LIMIT " SEARCH_MAX ")"
    " SELECT p.id, p.slug, p.title, p.summary, p.published_at,"
    "   p.updated_at, p.author_id, p.words, p.feature_media,"
    "   ts_rank_cd(p.search, q.q) AS k1,"
    "   p.published_at AS k2, q.lex, q.qand, q.qor"
    " FROM hits p, q"
    " ORDER BY k1 DESC, k2 DESC, p.id DESC LIMIT $2::int OFFSET $3::int",
    "p.lex || coalesce((SELECT string_agg('" SNIPPET_SEP "' || y.body, ''"
    "   ORDER BY y.n) FROM (SELECT x.n, x.body FROM post_passages x"
    "   WHERE x.post_id = p.id ORDER BY x.lexemes @@ p.qand DESC,"
    "   ts_rank(x.lexemes, p.qor) DESC, x.n LIMIT 2) y), '')");

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
    " FROM (SELECT extract(year FROM p.published_at AT TIME ZONE"
    " " SITE_TZ ")::int y,"
    " extract(month FROM p.published_at AT TIME ZONE " SITE_TZ ")::int m,"
    " count(*) n FROM posts p WHERE " LIVE " GROUP BY 1, 2) x";

/* Rows, made into one object by db_settings(): every page asks. */
static const char Q_SETTINGS[] = "SELECT key, value FROM settings";

/*
 * For Last-Modified: the newest change among live posts, read from the
 * top of posts_changed_idx (0004).  Scheduled posts sort first there
 * and are skipped by LIVE; there are few of them.
 */
static const char Q_LAST_CHANGE[] =
    "SELECT coalesce((SELECT extract(epoch FROM"
    "   greatest(p.updated_at, p.published_at))::bigint"
    " FROM posts p WHERE " LIVE
    " ORDER BY greatest(p.updated_at, p.published_at) DESC LIMIT 1), 0)";

static const char Q_SITEMAP[] =
    "SELECT coalesce(json_agg(json_build_object('url', '/posts/' || p.slug,"
    " 'lastmod', to_char(greatest(p.updated_at, p.published_at) AT TIME ZONE"
    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) ORDER BY p.published_at DESC),"
    " '[]') FROM (SELECT * FROM posts p WHERE " LIVE
    " ORDER BY p.published_at DESC LIMIT 50000) p";

/*
 * The pages a search engine should know beyond the posts: each live
 * standalone page (0008), and each tag, author and month that has live
 * posts (a page with none is a 404 or an empty list), lastmod the
 * newest change among those posts.
 */
#define STAMP(col) \
    "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
static const char Q_SITEMAP_PAGES[] =
    "SELECT coalesce(json_agg(json_build_object('url', url, 'lastmod', "
    STAMP("changed") ") ORDER BY kind, url), '[]') FROM ("
    " SELECT 0 AS kind, '/pages/' || p.slug AS url,"
    " greatest(p.updated_at, p.published_at) AS changed"
    " FROM posts p WHERE p.kind = 'page' AND " LIVE_ANY
    " UNION ALL"
    " SELECT 1, '/tags/' || t.slug AS url,"
    " max(greatest(p.updated_at, p.published_at)) AS changed"
    " FROM tags t JOIN post_tags pt ON pt.tag_id = t.id"
    " JOIN posts p ON p.id = pt.post_id WHERE " LIVE " GROUP BY t.slug"
    " UNION ALL"
    " SELECT 2, '/authors/' || u.username,"
    " max(greatest(p.updated_at, p.published_at))"
    " FROM users u JOIN posts p ON p.author_id = u.id WHERE " LIVE
    " GROUP BY u.username"
    " UNION ALL"
    " SELECT 3, '/archive/' || to_char(p.published_at AT TIME ZONE "
    SITE_TZ ", 'YYYY/MM'), max(greatest(p.updated_at, p.published_at))"
    " FROM posts p WHERE " LIVE
    " GROUP BY to_char(p.published_at AT TIME ZONE " SITE_TZ
    ", 'YYYY/MM')) x";

static const char Q_PUBLIC_PATHS[] =
    "SELECT coalesce(json_agg(json_build_array(path, list) ORDER BY kind,"
    " path), '[]') FROM ("
    " SELECT 0 AS kind, '/' AS path, true AS list"
    " UNION ALL SELECT 0, '/archive', false"
    " UNION ALL SELECT 0, '/feed.atom', false"
    " UNION ALL SELECT 0, '/feed.rss', false"
    " UNION ALL SELECT 0, '/feed.json', false"
    " UNION ALL SELECT 0, '/sitemap.xml', false"
    " UNION ALL SELECT 1, '/posts/' || p.slug, false FROM posts p WHERE " LIVE
    " UNION ALL SELECT 1, '/pages/' || p.slug, false FROM posts p"
    " WHERE p.kind = 'page' AND " LIVE_ANY
    " UNION ALL SELECT DISTINCT 2, '/tags/' || t.slug, true FROM tags t"
    " JOIN post_tags pt ON pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id"
    " WHERE " LIVE
    " UNION ALL SELECT DISTINCT 2, '/tags/' || t.slug || f.path, false"
    " FROM tags t JOIN post_tags pt ON pt.tag_id = t.id"
    " JOIN posts p ON p.id = pt.post_id"
    " CROSS JOIN (VALUES ('/feed.atom'), ('/feed.rss'), ('/feed.json')) f(path)"
    " WHERE " LIVE
    " UNION ALL SELECT DISTINCT 3, '/authors/' || u.username, true"
    " FROM users u JOIN posts p ON p.author_id = u.id WHERE " LIVE
    " UNION ALL SELECT DISTINCT 3, '/authors/' || u.username || f.path, false"
    " FROM users u JOIN posts p ON p.author_id = u.id"
    " CROSS JOIN (VALUES ('/feed.atom'), ('/feed.rss'), ('/feed.json')) f(path)"
    " WHERE " LIVE
    " UNION ALL SELECT DISTINCT 4, '/archive/' || to_char(p.published_at"
    " AT TIME ZONE " SITE_TZ ", 'YYYY/MM'), true FROM posts p WHERE " LIVE
    ") x";

/* A query whose one cell is JSON, on the read connection. */
static enum status
json_query(struct db *db, struct arena *a, const char *what, const char *sql,
    int n, const char *const *params, struct json_object **out)
{
	return db_json_cell(db, db_reader(db), a, what, sql, n, params, false,
	    out);
}

static const char *const month_names[] = { "January", "February", "March",
    "April", "May", "June", "July", "August", "September", "October",
    "November", "December" };
static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
    "Fri", "Sat" };

/*
 * Adds key to o, which does not have it yet; key is a string literal.
 * json_object_object_add() would look the key up first and copy it: a
 * page of posts holds some 250 keys, and those copies were a third of
 * the mallocs of an uncached page.
 */
static void
put(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add_ex(o, key, v, JSON_C_OBJECT_ADD_KEY_IS_NEW |
	    JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

/* The text at (row, col) as a new string, or NULL for SQL NULL. */
static struct json_object *
text_value(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL :
	    json_object_new_string_len(PQgetvalue(res, row, col),
	    PQgetlength(res, row, col));
}

/* Adds key (a string literal, new to o): the text at (row, col). */
static void
add_text(struct json_object *o, const char *key, const PGresult *res,
    int row, int col)
{
	put(o, key, text_value(res, row, col));
}

/* Writes v in at least width digits at p; returns the end. */
static char *
put_int(char *p, int v, int width)
{
	char	 d[16];
	int	 n = 0;

	if (v < 0) {		/* a year BC, from an odd import */
		*p++ = '-';
		v = -v;
	}
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && n < (int)sizeof(d));
	while (width-- > n)
		*p++ = '0';
	while (n > 0)
		*p++ = d[--n];
	return p;
}

/* Writes s at p; returns the end. */
static char *
put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* Adds key: "YYYY-MM-DDTHH:MM:SSZ". */
static void
add_iso(struct json_object *o, const char *key, const struct tm *tm)
{
	char	 s[64], *p = s;

	p = put_int(p, tm->tm_year + 1900, 4);
	*p++ = '-';
	p = put_int(p, tm->tm_mon + 1, 2);
	*p++ = '-';
	p = put_int(p, tm->tm_mday, 2);
	*p++ = 'T';
	p = put_int(p, tm->tm_hour, 2);
	*p++ = ':';
	p = put_int(p, tm->tm_min, 2);
	*p++ = ':';
	p = put_int(p, tm->tm_sec, 2);
	*p++ = 'Z';
	put(o, key, json_object_new_string_len(s,
	    (int)(p - s)));
}

/*
 * Adds published_at and updated_at (ISO 8601, for feeds and the API),
 * published_human ("5 March 2026") and published_rfc822 (RSS), as the
 * to_char() formats before them did: English names, whatever the
 * locale.  The times are whole seconds since the epoch (EPOCH).  Made
 * by hand: snprintf() was most of the cost of a post object.
 */
static void
add_dates(struct json_object *o, const char *published, const char *updated)
{
	time_t		 t;
	struct tm	 tm, up;
	char		 s[64], *p;
	const char	*month;

	t = (time_t)strtoll(published, NULL, 10);
	gmtime_r(&t, &tm);
	t = (time_t)strtoll(updated, NULL, 10);
	gmtime_r(&t, &up);
	add_iso(o, "published_at", &tm);
	add_iso(o, "updated_at", &up);
	month = month_names[tm.tm_mon];

	p = put_int(s, tm.tm_mday, 1);
	*p++ = ' ';
	p = put_str(p, month, strlen(month));
	*p++ = ' ';
	p = put_int(p, tm.tm_year + 1900, 4);
	put(o, "published_human",
	    json_object_new_string_len(s, (int)(p - s)));

	p = put_str(s, day_names[tm.tm_wday], 3);
	p = put_str(p, ", ", 2);
	p = put_int(p, tm.tm_mday, 2);
	*p++ = ' ';
	p = put_str(p, month, 3);
	*p++ = ' ';
	p = put_int(p, tm.tm_year + 1900, 4);
	*p++ = ' ';
	p = put_int(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_int(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_int(p, tm.tm_sec, 2);
	p = put_str(p, " +0000", 6);
	put(o, "published_rfc822",
	    json_object_new_string_len(s, (int)(p - s)));
}

/* Adds key: prefix followed by the text at (row, col), e.g. a URL. */
static void
add_url(struct arena *a, struct json_object *o, const char *key,
    const char *prefix, const PGresult *res, int row, int col)
{
	size_t	 np = strlen(prefix), n = (size_t)PQgetlength(res, row, col);
	char	*s = arena_alloc(a, np + n);

	memcpy(s, prefix, np);
	memcpy(s + np, PQgetvalue(res, row, col), n);
	put(o, key, json_object_new_string_len(s,
	    (int)(np + n)));
}

/* Words a minute an adult reads, for a post's reading time. */
#define WORDS_PER_MINUTE	230

/*
 * Adds reading_minutes: the post's words (0014) at WORDS_PER_MINUTE,
 * rounded, and at least 1 (a post of a few words still takes reading).
 */
static void
add_reading(struct json_object *o, const PGresult *res, int row)
{
	long	 words = 0;

	if (!PQgetisnull(res, row, COL_WORDS))
		words = strtol(PQgetvalue(res, row, COL_WORDS), NULL, 10);
	words = (words + WORDS_PER_MINUTE / 2) / WORDS_PER_MINUTE;
	put(o, "reading_minutes", json_object_new_int(words < 1 ? 1 :
	    (int)words));
}

/* Adds key (new to o) with the whole number at (row, col), unless NULL. */
static void
add_int(struct json_object *o, const char *key, const PGresult *res, int row,
    int col)
{
	if (!PQgetisnull(res, row, col))
		put(o, key, json_object_new_int((int)strtol(PQgetvalue(res,
		    row, col), NULL, 10)));
}

/*
 * Adds feature_image, the name of the post's feature picture or null
 * (the API's field), and for the theme, when there is one, feature: its
 * url, width and height (left out when unknown, for media older than
 * 0013), alt text and srcset lists (srcset, srcset_webp, srcset_avif;
 * left out when empty), and lazy, true (posts_of() clears it on the
 * first picture of a page).
 */
static void
add_feature(struct arena *a, struct json_object *o, const PGresult *res,
    int row)
{
	struct json_object *f;

	add_text(o, "feature_image", res, row, COL_FEATURE);
	if (PQgetisnull(res, row, COL_FEATURE))
		return;
	f = json_object_new_object();
	add_url(a, f, "url", "/media/", res, row, COL_FEATURE);
	add_int(f, "width", res, row, COL_FEATURE_WIDTH);
	add_int(f, "height", res, row, COL_FEATURE_HEIGHT);
	add_text(f, "alt", res, row, COL_FEATURE_ALT);
	if (!PQgetisnull(res, row, COL_SRCSET))
		add_text(f, "srcset", res, row, COL_SRCSET);
	if (!PQgetisnull(res, row, COL_SRCSET_WEBP))
		add_text(f, "srcset_webp", res, row, COL_SRCSET_WEBP);
	if (!PQgetisnull(res, row, COL_SRCSET_AVIF))
		add_text(f, "srcset_avif", res, row, COL_SRCSET_AVIF);
	put(f, "lazy", json_object_new_boolean(1));
	put(o, "feature", f);
}

/*
 * Adds older or newer (by column 9 of a kind 2 row) to post: the title
 * and url of the live post next to it in time.
 */
static void
add_near(struct arena *a, struct json_object *post, const PGresult *res,
    int row)
{
	struct json_object *n = json_object_new_object();

	add_text(n, "title", res, row, COL_TITLE);
	add_url(a, n, "url", "/posts/", res, row, COL_SLUG);
	json_object_object_add(post, strcmp(PQgetvalue(res, row,
	    COL_TAG_SLUG), "older") == 0 ? "older" : "newer", n);
	json_object_object_add(post, "has_near", json_object_new_boolean(1));
}

/*
 * The post summary object of a kind 0 row (the fields every page, feed
 * and the API know, in the order they always had), with extra_key set
 * to column 11 unless extra_key is NULL.  Its tags start empty.
 */
static struct json_object *
post_object(struct arena *a, const PGresult *res, int row,
    const char *extra_key)
{
	struct json_object *o = json_object_new_object(), *author;

	add_text(o, "slug", res, row, COL_SLUG);
	add_text(o, "title", res, row, COL_TITLE);
	add_text(o, "summary", res, row, COL_SUMMARY);
	add_url(a, o, "url", "/posts/", res, row, COL_SLUG);
	add_dates(o, PQgetvalue(res, row, COL_PUBLISHED),
	    PQgetvalue(res, row, COL_UPDATED));
	author = json_object_new_object();
	add_text(author, "username", res, row, COL_USERNAME);
	add_text(author, "display_name", res, row, COL_DISPLAY_NAME);
	add_url(a, author, "url", "/authors/", res, row, COL_USERNAME);
	put(o, "author", author);
	put(o, "has_tags", json_object_new_boolean(0));
	put(o, "tags", json_object_new_array());
	if (extra_key != NULL)
		add_text(o, extra_key, res, row, COL_EXTRA);
	add_reading(o, res, row);
	add_feature(a, o, res, row);
	return o;
}

/* Appends the tag of a kind 1 row to post's tags. */
static void
add_tag(struct arena *a, struct json_object *post, const PGresult *res,
    int row)
{
	struct json_object *tag = json_object_new_object();

	add_text(tag, "slug", res, row, COL_TAG_SLUG);
	add_text(tag, "name", res, row, COL_TAG_NAME);
	add_url(a, tag, "url", "/tags/", res, row, COL_TAG_SLUG);
	json_object_array_add(json_object_object_get(post, "tags"), tag);
	json_object_set_boolean(json_object_object_get(post, "has_tags"), 1);
}

static enum status	 posts_of(struct arena *, const char *,
			    const PGresult *, const char *, bool,
			    struct json_object **);

/*
 * Runs a POST_ROWS query and makes its rows into post objects.  *out is
 * owned by the caller: an array of the posts, or with single the first
 * post alone (ST_NOTFOUND when there is none).  extra_key names column
 * 11 in each object, or NULL to leave it out.
 */
static enum status
post_rows(struct db *db, struct arena *a, const char *what, const char *sql,
    int n, const char *const *params, const char *extra_key, bool single,
    struct json_object **out)
{
	PGconn		*pg;
	PGresult	*res;

	*out = NULL;
	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, what, sql, n, params)) == NULL)
		return db_failure(db, pg);
	return posts_of(a, what, res, extra_key, single, out);
}

/* post_rows() past running the query: makes res into *out. */
static enum status
posts_of(struct arena *a, const char *what, const PGresult *res,
    const char *extra_key, bool single, struct json_object **out)
{
	struct json_object *list, **posts;
	const char	**ids;
	int		 rows, nposts = 0, i;
	bool		 eager = false;

	*out = NULL;
	if (PQnfields(res) != COL__MAX) {
		log_msg(LOG_ERROR, "%s: %d columns, not %d", what,
		    PQnfields(res), COL__MAX);
		return ST_INTERNAL;
	}
	rows = PQntuples(res);
	posts = arena_array(a, (size_t)rows + 1, sizeof(*posts));
	ids = arena_array(a, (size_t)rows + 1, sizeof(*ids));
	list = json_object_new_array();
	for (int r = 0; r < rows; r++) {
		struct json_object *f;

		if (PQgetvalue(res, r, COL_KIND)[0] == '0') {
			ids[nposts] = PQgetvalue(res, r, COL_ID);
			posts[nposts] = post_object(a, res, r, extra_key);
			/* The first picture of a page loads at once. */
			if (!eager && json_object_object_get_ex(posts[nposts],
			    "feature", &f)) {
				json_object_object_add(f, "lazy",
				    json_object_new_boolean(0));
				eager = true;
			}
			json_object_array_add(list, posts[nposts++]);
			continue;
		}
		if (PQgetvalue(res, r, COL_KIND)[0] == '2') {
			if (nposts > 0)
				add_near(a, posts[0], res, r);
			continue;
		}
		if (PQgetvalue(res, r, COL_KIND)[0] == '3')
			continue;	/* POST_HAS_COMMENTS: the caller's */
		/* A page holds at most a hundred or so posts. */
		for (i = 0; i < nposts; i++)
			if (strcmp(ids[i], PQgetvalue(res, r, COL_ID)) == 0)
				break;
		if (i < nposts)
			add_tag(a, posts[i], res, r);
	}
	if (!single) {
		*out = list;
		return ST_OK;
	}
	if (nposts > 0)
		*out = json_object_get(posts[0]);
	json_object_put(list);
	return *out != NULL ? ST_OK : ST_NOTFOUND;
}

/*
 * The listing statement for f, with its parameters in p (room for 6)
 * and their number in *n; lim and off are the LIMIT and OFFSET.
 */
static const char *
posts_query(const struct db_filter *f, const char *lim, const char *off,
    const char **p, int *np)
{
	const char	*sql;
	int		 n = 0;

	if ((f->tag != NULL) + (f->author != NULL) + (f->from != NULL) > 1) {
		sql = Q_POSTS_ANY;
		p[n++] = f->tag;
		p[n++] = f->author;
		p[n++] = f->from;
		p[n++] = f->to;
	} else if (f->tag != NULL) {
		sql = Q_POSTS_TAG;
		p[n++] = f->tag;
	} else if (f->author != NULL) {
		sql = Q_POSTS_AUTHOR;
		p[n++] = f->author;
	} else if (f->from != NULL) {
		sql = Q_POSTS_MONTH;
		p[n++] = f->from;
		p[n++] = f->to;
	} else
		sql = Q_POSTS;
	p[n++] = lim;
	p[n++] = off;
	*np = n;
	return sql;
}

enum status
db_posts(struct db *db, struct arena *a, const struct db_filter *f,
    int limit, int offset, struct json_object **out)
{
	char		 lim[16], off[16];
	const char	*p[6], *sql;
	int		 n;

	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	sql = posts_query(f, lim, off, p, &n);
	return post_rows(db, a, "posts", sql, n, p, NULL, false, out);
}

enum status
db_feed(struct db *db, struct arena *a, int limit, struct json_object **out)
{
	char		 lim[16];
	const char	*p[1] = { lim };

	snprintf(lim, sizeof(lim), "%d", limit);
	return post_rows(db, a, "feed", Q_FEED, 1, p, "body_html", false, out);
}

enum status
db_feed_of(struct db *db, struct arena *a, const char *tag,
    const char *author, int limit, struct json_object **out)
{
	char		 lim[16];
	const char	*p[2] = { tag != NULL ? tag : author, lim };

	if (tag == NULL && author == NULL)
		return db_feed(db, a, limit, out);
	snprintf(lim, sizeof(lim), "%d", limit);
	return post_rows(db, a, "feed", tag != NULL ? Q_FEED_TAG :
	    Q_FEED_AUTHOR, 2, p, "body_html", false, out);
}

/*
 * Q_SEARCH's $4 into *since: the worker's copy, found anew when older
 * than SEARCH_SINCE_TTL seconds (NULL: fewer live posts than
 * SEARCH_WINDOW).  *since is static storage, good until the next call.
 */
static enum status
search_since(struct db *db, struct arena *a, const char **since)
{
	static char	 value[64];
	static bool	 null = true;
	static double	 found = -1;
	double		 now = util_now();
	PGconn		*pg;
	PGresult	*res;

	if (found < 0 || now - found >= SEARCH_SINCE_TTL) {
		if ((pg = db_reader(db)) == NULL)
			return ST_UNAVAILABLE;
		if ((res = db_exec(db, pg, a, "search since", Q_SEARCH_SINCE,
		    0, NULL)) == NULL)
			return db_failure(db, pg);
		null = PQntuples(res) != 1 || PQgetisnull(res, 0, 0) ||
		    (size_t)PQgetlength(res, 0, 0) >= sizeof(value);
		if (!null)
			memcpy(value, PQgetvalue(res, 0, 0),
			    (size_t)PQgetlength(res, 0, 0) + 1);
		found = now;
	}
	*since = null ? NULL : value;
	return ST_OK;
}

enum status
db_search(struct db *db, struct arena *a, const char *q, int limit,
    int offset, struct json_object **out)
{
	char		 lim[16], off[16];
	const char	*p[4] = { q, lim, off, NULL };
	enum status	 st;

	*out = NULL;
	if ((st = search_since(db, a, &p[3])) != ST_OK)
		return st;
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	st = post_rows(db, a, "search", Q_SEARCH, 4, p, "snippet", false,
	    out);
	/* The query gives each post the lexemes and its passages; the
	 * snippet with its marks is made here (content/snippet.c). */
	for (size_t i = 0; st == ST_OK && i < json_object_array_length(*out);
	    i++) {
		struct json_object *post, *s;

		post = json_object_array_get_idx(*out, i);
		if (json_object_object_get_ex(post, "snippet", &s))
			json_object_object_add(post, "snippet",
			    json_object_new_string(snippet_make(a,
			    json_object_get_string(s))));
	}
	return st;
}

enum status
db_post(struct db *db, struct arena *a, const char *slug,
    struct json_object **out)
{
	return post_rows(db, a, "post", Q_POST, 1, &slug, "body_html", true,
	    out);
}

/* A page's url is /pages/SLUG, not the /posts/SLUG of post_object. */
static void
page_url(struct arena *a, struct json_object *o)
{
	struct json_object *slug;

	if (json_object_object_get_ex(o, "slug", &slug))
		json_object_object_add(o, "url", json_object_new_string(
		    arena_printf(a, "/pages/%s",
		    json_object_get_string(slug))));
}

enum status
db_page(struct db *db, struct arena *a, const char *slug,
    struct json_object **out)
{
	enum status	 st;

	st = post_rows(db, a, "page", Q_PAGE, 1, &slug, "body_html", true,
	    out);
	if (st == ST_OK)
		page_url(a, *out);
	return st;
}

enum status
db_pages(struct db *db, struct arena *a, struct json_object **out)
{
	enum status	 st;

	st = post_rows(db, a, "pages", Q_PAGES, 0, NULL, NULL, false, out);
	for (size_t i = 0; st == ST_OK && i < json_object_array_length(*out);
	    i++)
		page_url(a, json_object_array_get_idx(*out, i));
	return st;
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

/* The settings object of a Q_SETTINGS result; owned by the caller. */
static struct json_object *
settings_of(const PGresult *res)
{
	struct json_object *o = json_object_new_object();

	for (int r = 0; r < PQntuples(res); r++)
		json_object_object_add(o, PQgetvalue(res, r, 0),
		    text_value(res, r, 1));
	return o;
}

enum status
db_settings(struct db *db, struct arena *a, struct json_object **out)
{
	PGconn		*pg;
	PGresult	*res;

	*out = NULL;
	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((res = db_exec(db, pg, a, "settings", Q_SETTINGS, 0, NULL)) == NULL)
		return db_failure(db, pg);
	*out = settings_of(res);
	return ST_OK;
}

enum status
db_settings_posts(struct db *db, struct arena *a, const struct db_filter *f,
    int limit, int offset, struct json_object **site,
    struct json_object **posts)
{
	PGconn		*pg;
	struct db_stmt	 q[2];
	char		 lim[16], off[16];
	const char	*p[6];
	enum status	 st;

	*site = *posts = NULL;
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	q[0] = (struct db_stmt){ "settings", Q_SETTINGS, 0, NULL, NULL };
	q[1] = (struct db_stmt){ "posts", NULL, 0, p, NULL };
	q[1].sql = posts_query(f, lim, off, p, &q[1].nparams);
	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if (!db_exec_all(db, pg, a, q, 2))
		return db_failure(db, pg);
	if ((st = posts_of(a, "posts", q[1].res, NULL, false, posts)) != ST_OK)
		return st;
	*site = settings_of(q[0].res);
	return ST_OK;
}

enum status
db_post_page(struct db *db, struct arena *a, const char *slug,
    struct json_object **site, struct json_object **post,
    struct json_object **comments)
{
	PGconn		*pg;
	struct db_stmt	 q[2];
	enum status	 st;
	bool		 any = false;

	*site = *post = *comments = NULL;
	q[0] = (struct db_stmt){ "settings", Q_SETTINGS, 0, NULL, NULL };
	q[1] = (struct db_stmt){ "post", Q_POST, 1, &slug, NULL };
	if ((pg = db_reader(db)) == NULL)
		return ST_UNAVAILABLE;
	if (!db_exec_all(db, pg, a, q, 2))
		return db_failure(db, pg);
	if ((st = posts_of(a, "post", q[1].res, "body_html", true, post)) !=
	    ST_OK)
		return st;
	for (int r = PQntuples(q[1].res) - 1; r >= 0 && !any; r--)
		any = PQgetvalue(q[1].res, r, COL_KIND)[0] == '3';
	if (!any)
		*comments = json_object_new_array();
	else if ((st = db_comments(db, a, slug, comments)) != ST_OK) {
		json_object_put(*post);
		*post = NULL;
		/* The query always gives a list: no row is a fault. */
		return st == ST_NOTFOUND ? ST_INTERNAL : st;
	}
	*site = settings_of(q[0].res);
	return ST_OK;
}

enum status
db_sitemap(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "sitemap", Q_SITEMAP, 0, NULL, out);
}

enum status
db_sitemap_pages(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "sitemap pages", Q_SITEMAP_PAGES, 0, NULL,
	    out);
}

enum status
db_public_paths(struct db *db, struct arena *a, struct json_object **out)
{
	return json_query(db, a, "public paths", Q_PUBLIC_PATHS, 0, NULL, out);
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
