/* SPDX-License-Identifier: MIT */
/*
 * db_post_write.c: creates and updates whole posts (with their tags) and
 * their authors, for import; keeps their revisions (the text as each
 * save, restore and autosave left it) in the same transactions.
 *
 * Fields are checked here against the same rules as the schema's CHECKs
 * so the log can name the field; the CHECKs stay the last word.  A post
 * is saved in one transaction whose TimeZone is UTC, so a timestamp
 * without a zone means the same thing on every server.  body_html is
 * rendered at save time: readers never run the Markdown renderer.
 *
 * Revisions: an author's save and a restore add one, an autosave adds
 * one without touching the post (readers, the content version and the
 * page cache never see it).  Each user keeps only the newest autosave
 * since the post's last save or restore, and none once they save or
 * restore (that revision holds the newer text); a post keeps the newest
 * revisions_keep (a setting, 1 to 1000, 50 when unset or not a number)
 * of all kinds: the older ones go in the transaction that added one.
 * Import (db_post_save) adds none: re-importing a file is not an edit,
 * and the files it reads are their own history.
 *
 * db_post_rerender renders body_html again from body_md through the
 * same render() as a save, for when the renderer changed (md4c to
 * cmark-gfm; pictures); neither a revision nor updated_at: not an edit.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/content.h"
#include "db/db.h"
#include "db/db_int.h"
#include "lib/log.h"
#include "content/md.h"
#include "db/principal.h"
#include "lib/util.h"


static const char Q_BEGIN[] = "BEGIN";
static const char Q_COMMIT[] = "COMMIT";
static const char Q_ROLLBACK[] = "ROLLBACK";
static const char Q_UTC[] = "SELECT set_config('TimeZone', 'UTC', true)";
static const char Q_AUTHOR[] = "SELECT id FROM users WHERE username = $1";
static const char Q_UPSERT_POST[] =
    "INSERT INTO posts (author_id, slug, title, summary, body_md,"
    " body_html, status, published_at, updated_at, kind)"
    " VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz,"
    " CASE WHEN $7 = 'draft' THEN NULL ELSE now() END),"
    " coalesce($9::timestamptz, now()), $10)"
    " ON CONFLICT (slug) DO UPDATE SET author_id = EXCLUDED.author_id,"
    " kind = EXCLUDED.kind,"
    " title = EXCLUDED.title, summary = EXCLUDED.summary,"
    " body_md = EXCLUDED.body_md, body_html = EXCLUDED.body_html,"
    " status = EXCLUDED.status,"
    /* Published without a date: as of the first import, not each one. */
    " published_at = coalesce($8::timestamptz, CASE WHEN $7 = 'draft'"
    " THEN NULL ELSE coalesce(posts.published_at, now()) END),"
    /* Without a date: now when something changed, else as it was, so
     * importing the same file again changes nothing. */
    " updated_at = coalesce($9::timestamptz, CASE WHEN"
    " (posts.author_id, posts.title, posts.summary, posts.body_md,"
    " posts.status, posts.kind) IS NOT DISTINCT FROM (EXCLUDED.author_id,"
    " EXCLUDED.title, EXCLUDED.summary, EXCLUDED.body_md, EXCLUDED.status,"
    " EXCLUDED.kind)"
    " THEN posts.updated_at ELSE now() END)"
    " RETURNING id";
/*
 * The post's feature picture ($2, a media name, or NULL for none): a
 * picture (an image type) of that name, else none; says whether the name, if
 * any, was found.
 */
static const char Q_SET_FEATURE[] =
    "UPDATE posts SET feature_media = m.id FROM (SELECT (SELECT id"
    " FROM media WHERE name = $2 AND content_type LIKE 'image/%') AS id) m"
    " WHERE posts.id = $1::bigint"
    " RETURNING m.id IS NOT NULL OR $2::text IS NULL";
static const char Q_CLEAR_TAGS[] = "DELETE FROM post_tags WHERE post_id = $1";
static const char Q_UPSERT_TAG[] =
    "INSERT INTO tags (slug, name) VALUES ($1, coalesce($2, $1))"
    " ON CONFLICT (slug) DO UPDATE SET name = coalesce($2, tags.name)"
    " RETURNING id";
static const char Q_LINK_TAG[] =
    "INSERT INTO post_tags (post_id, tag_id) VALUES ($1::bigint, $2::bigint)";
static const char Q_INSERT_POST[] =
    "INSERT INTO posts (author_id, slug, title, summary, body_md,"
    " body_html, status, published_at, kind)"
    " VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, coalesce($8::timestamptz,"
    " CASE WHEN $7 = 'draft' THEN NULL ELSE now() END), $9)"
    " RETURNING id";
static const char Q_LOCK_POST[] =
    "SELECT author_id FROM posts WHERE id = $1::bigint FOR UPDATE";
static const char Q_UPDATE_POST[] =
    "UPDATE posts SET slug = $2, title = $3, summary = $4, body_md = $5,"
    " body_html = $6, status = $7, published_at = coalesce($8::timestamptz,"
    " CASE WHEN $7 = 'draft' THEN NULL ELSE now() END), updated_at = now()"
    " WHERE id = $1::bigint RETURNING id";
/* A tag an author names on a post: made when new, else left alone. */
static const char Q_KEEP_TAG[] =
    "INSERT INTO tags (slug, name) VALUES ($1, coalesce($2, $1))"
    " ON CONFLICT (slug) DO UPDATE SET name = tags.name"
    " RETURNING id";
/* A tag the write API names on a post: it must exist already. */
static const char Q_FIND_TAG[] = "SELECT id FROM tags WHERE slug = $1";
static const char Q_REVISION[] =
    "INSERT INTO post_revisions (post_id, user_id, kind, title, summary,"
    " body_md) VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6)"
    " RETURNING id, " DB_UTC("created_at");
/* The user's autosaves since the save or restore before the new
 * revision $3: an autosave replaces them, so typing cannot flood the
 * table, and a save or restore, which holds the newer text, ends them. */
static const char Q_PRUNE_AUTOSAVES[] =
    "DELETE FROM post_revisions WHERE post_id = $1::bigint"
    " AND user_id = $2::bigint AND kind = 'autosave' AND id <> $3::bigint"
    " AND id > coalesce((SELECT max(id) FROM post_revisions"
    "  WHERE post_id = $1::bigint AND kind <> 'autosave'"
    "  AND id <> $3::bigint), 0)";
/* Past the newest revisions_keep: gone. */
static const char Q_PRUNE_REVISIONS[] =
    "DELETE FROM post_revisions WHERE post_id = $1::bigint AND id <="
    " (SELECT id FROM post_revisions WHERE post_id = $1::bigint"
    "  ORDER BY id DESC LIMIT 1 OFFSET coalesce((SELECT CASE WHEN"
    "  value ~ '^[0-9]{1,4}$' THEN least(greatest(value::int, 1), 1000)"
    "  END FROM settings WHERE key = 'revisions_keep'), 50))";
static const char Q_REVISION_TEXT[] =
    "SELECT title, summary, body_md FROM post_revisions"
    " WHERE id = $1::bigint AND post_id = $2::bigint";
static const char Q_RESTORE_POST[] =
    "UPDATE posts SET title = $2, summary = $3, body_md = $4,"
    " body_html = $5, updated_at = now() WHERE id = $1::bigint";
static const char Q_ENSURE_USER[] =
    "INSERT INTO users (username, display_name) VALUES ($1, $2)"
    " ON CONFLICT (username) DO NOTHING";

/* What was refused, for the caller to show. */
struct refusal {
	const char	*field;
	const char	*why;
};

static bool
bad(struct refusal *e, const char *slug, const char *field, const char *why)
{
	log_msg(LOG_WARN, "post \"%s\": %s: %s", slug, field, why);
	if (e != NULL) {
		e->field = field;
		e->why = why;
	}
	return false;
}

/*
 * Checks p by the content rules (content_post_check); logs the first
 * field refused and says which in *e.  by_user: written by a signed-in
 * user (the API, the admin form), who is its author; import must name
 * one.
 */
static bool
post_ok(const struct post_in *p, bool by_user, struct refusal *e)
{
	const char	*why[PF__MAX];

	if (content_post_check(p, by_user, why) == 0)
		return true;
	for (size_t f = 0; f < PF__MAX; f++)
		if (why[f] != NULL)
			return bad(e, p->slug != NULL ? p->slug : "",
			    content_post_fields[f], why[f]);
	return false;
}

/*
 * Gives post post_id exactly p's tags, inside the caller's transaction:
 * the old links go, each tag is made or found with tag_sql (its slug and
 * name; it returns the tag's id) and linked.  With p->known_tags a tag
 * is only found: one that does not exist is ST_UNPROCESSABLE, said in
 * *e.
 */
static enum status
set_tags(struct db *db, PGconn *pg, struct arena *a, const char *post_id,
    const struct post_in *p, const char *tag_sql, struct refusal *e,
    bool *lost)
{
	PGresult	*res;
	enum status	 st;
	const char	*v[2];

	v[0] = post_id;
	if ((st = db_run(db, pg, a, "clearing tags", Q_CLEAR_TAGS, 1, v, NULL,
	    lost)) != ST_OK)
		return st;
	for (size_t i = 0; i < p->ntags; i++) {
		v[0] = p->tag_slugs[i];
		v[1] = p->tag_names != NULL ? p->tag_names[i] : NULL;
		if (p->known_tags) {
			if ((st = db_run(db, pg, a, "finding tag", Q_FIND_TAG, 1,
			    v, &res, lost)) != ST_OK)
				return st;
			if (PQntuples(res) != 1) {
				bad(e, p->slug, "tags", arena_printf(a, "there "
				    "is no tag \"%s\"; make it first "
				    "(POST /api/v1/tags)", p->tag_slugs[i]));
				return ST_UNPROCESSABLE;
			}
		} else if ((st = db_run(db, pg, a, "saving tag", tag_sql, 2, v,
		    &res, lost)) != ST_OK)
			return st;
		v[0] = post_id;
		v[1] = PQgetvalue(res, 0, 0);
		if ((st = db_run(db, pg, a, "tagging post", Q_LINK_TAG, 2, v,
		    NULL, lost)) != ST_OK)
			return st;
	}
	return ST_OK;
}

/*
 * Opens a writer's transaction, in UTC, on the primary (*pg); *open once
 * BEGIN went through, so end() knows there is one to end.
 */
static enum status
begin(struct db *db, struct arena *a, PGconn **pg, bool *open, bool *lost)
{
	enum status	 st;

	if ((*pg = db_primary(db)) == NULL)
		return ST_UNAVAILABLE;
	if ((st = db_run(db, *pg, a, "BEGIN", Q_BEGIN, 0, NULL, NULL,
	    lost)) != ST_OK)
		return st;
	*open = true;
	return db_run(db, *pg, a, "set TimeZone", Q_UTC, 0, NULL, NULL, lost);
}

/*
 * Adds a revision of kind to post post_id by user, inside the caller's
 * transaction, then drops what the bounds say goes (the header).  *rev
 * and *at (its id and time, in the arena) when not NULL.
 */
static enum status
keep_revision(struct db *db, PGconn *pg, struct arena *a, const char *post_id,
    int64_t user, const char *kind, const char *title, const char *summary,
    const char *body, int64_t *rev, const char **at, bool *lost)
{
	PGresult	*res;
	enum status	 st;
	const char	*v[6];

	v[0] = post_id;
	v[1] = arena_printf(a, "%lld", (long long)user);
	v[2] = kind;
	v[3] = title != NULL ? title : "";
	v[4] = summary != NULL ? summary : "";
	v[5] = body != NULL ? body : "";
	if ((st = db_run(db, pg, a, "keeping a revision", Q_REVISION, 6, v,
	    &res, lost)) != ST_OK)
		return st;
	if (rev != NULL)
		*rev = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (at != NULL)
		*at = arena_strdup(a, PQgetvalue(res, 0, 1));
	v[2] = PQgetvalue(res, 0, 0);
	if ((st = db_run(db, pg, a, "dropping older autosaves",
	    Q_PRUNE_AUTOSAVES, 3, v, NULL, lost)) != ST_OK)
		return st;
	return db_run(db, pg, a, "dropping old revisions", Q_PRUNE_REVISIONS,
	    1, v, NULL, lost);
}

/*
 * Locks post id (v[0], text) for a writer and checks by may change it:
 * its author or an admin.  ST_OK, ST_NOTFOUND, ST_FORBIDDEN, or what
 * the database said.
 */
static enum status
lock_post(struct db *db, PGconn *pg, struct arena *a, const char *const *v,
    const struct principal *by, bool *lost)
{
	PGresult	*res;
	enum status	 st;

	if ((st = db_run(db, pg, a, "locking post", Q_LOCK_POST, 1, v, &res,
	    lost)) != ST_OK)
		return st;
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	if (!by->admin && strtoll(PQgetvalue(res, 0, 0), NULL, 10) != by->id)
		return ST_FORBIDDEN;
	return ST_OK;
}

/*
 * Sets post_id's feature picture when p says to.  strict: a name that
 * is not a picture's refuses the write (ST_UNPROCESSABLE, *e says so);
 * else (an import, whose pictures may come later) it is logged and the
 * post goes without.
 */
static enum status
set_feature(struct db *db, PGconn *pg, struct arena *a, const char *post_id,
    const struct post_in *p, bool strict, struct refusal *e, bool *lost)
{
	PGresult	*res;
	const char	*v[2] = { post_id, p->feature_image };
	enum status	 st;

	if (!p->set_feature)
		return ST_OK;
	if ((st = db_run(db, pg, a, "setting the feature picture",
	    Q_SET_FEATURE, 2, v, &res, lost)) != ST_OK)
		return st;
	if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't')
		return ST_OK;
	bad(e, p->slug, "feature_image", "is not the name of a picture "
	    "in the media library");
	return strict ? ST_UNPROCESSABLE : ST_OK;
}

/* The post's columns as the statements that save it take them, $2 to
 * $8, and its kind in v[9] ($10 of the import's upsert). */
static void
post_params(const char *v[10], const struct post_in *p, const char *body,
    const char *html)
{
	v[1] = p->slug;
	v[2] = p->title;
	v[3] = p->summary != NULL ? p->summary : "";
	v[4] = body;
	v[5] = html;
	v[6] = p->status;
	v[7] = p->published_at;
	v[9] = p->kind != NULL ? p->kind : "post";
}

/* A post's Markdown as HTML, in html; false when it cannot be rendered. */
static bool
render(struct db *db, struct arena *a, const char *body, struct buf *html)
{
	/* Local pictures get their size and smaller copies (db_media.c). */
	const struct md_opts o = { db_md_image, db };

	buf_init(html, a, strlen(body) * 2 + 64);
	return md_render_opts(body, strlen(body), &o, html) == 0;
}

/*
 * Ends what begin() opened: COMMIT when all went well (st is ST_OK),
 * else, or when COMMIT fails, ROLLBACK, unless the connection is gone
 * (the server has rolled it back).  Returns st, or COMMIT's failure.
 */
static enum status
end(struct db *db, PGconn *pg, struct arena *a, enum status st, bool open,
    bool *lost)
{
	if (!open)
		return st;
	if (st == ST_OK && (st = db_run(db, pg, a, "COMMIT", Q_COMMIT, 0,
	    NULL, NULL, lost)) == ST_OK)
		return ST_OK;
	if (!*lost)
		db_run(db, pg, a, "ROLLBACK", Q_ROLLBACK, 0, NULL, NULL, lost);
	return st;
}

enum status
db_post_save(struct db *db, struct arena *a, const struct post_in *p,
    int64_t *id)
{
	PGconn		*pg = NULL;
	PGresult	*res;
	struct buf	 html;
	enum status	 st = ST_UNPROCESSABLE;
	bool		 lost = false, open = false;
	const char	*body = p->body_md != NULL ? p->body_md : "";
	const char	*author_id, *post_id = NULL;
	const char	*v[10];

	*id = 0;
	if (!post_ok(p, false, NULL))
		goto out;
	if (!render(db, a, body, &html)) {
		bad(NULL, p->slug, "body_md", "cannot be rendered");
		goto out;
	}
	if ((st = begin(db, a, &pg, &open, &lost)) != ST_OK)
		goto out;
	v[0] = p->author;
	if ((st = db_run(db, pg, a, "author", Q_AUTHOR, 1, v, &res,
	    &lost)) != ST_OK)
		goto out;
	if (PQntuples(res) != 1) {
		bad(NULL, p->slug, "author", "no such user");
		st = ST_UNPROCESSABLE;
		goto out;
	}
	author_id = PQgetvalue(res, 0, 0);
	v[0] = author_id;
	post_params(v, p, body, html.p);
	v[8] = p->updated_at;
	if ((st = db_run(db, pg, a, "saving post", Q_UPSERT_POST, 10, v, &res,
	    &lost)) != ST_OK)
		goto out;
	post_id = PQgetvalue(res, 0, 0);
	if ((st = set_tags(db, pg, a, post_id, p, Q_UPSERT_TAG, NULL,
	    &lost)) != ST_OK)
		goto out;
	st = set_feature(db, pg, a, post_id, p, false, NULL, &lost);
out:
	if ((st = end(db, pg, a, st, open, &lost)) == ST_OK && post_id != NULL)
		*id = strtoll(post_id, NULL, 10);
	return st;
}

enum status
db_post_write(struct db *db, struct arena *a, const struct post_in *p,
    int64_t id, const struct principal *by, int64_t *out_id,
    const char **field, const char **problem)
{
	PGconn		*pg = NULL;
	PGresult	*res;
	struct buf	 html;
	struct refusal	 e = { NULL, NULL };
	enum status	 st = ST_UNPROCESSABLE;
	bool		 lost = false, open = false;
	const char	*body = p->body_md != NULL ? p->body_md : "";
	const char	*post_id = NULL;
	const char	*v[10];

	*out_id = 0;
	*field = *problem = NULL;
	if (!post_ok(p, true, &e)) {
		*field = e.field;
		*problem = e.why;
		goto out;
	}
	if (!render(db, a, body, &html)) {
		*field = "body_md";
		*problem = "cannot be rendered";
		goto out;
	}
	if ((st = begin(db, a, &pg, &open, &lost)) != ST_OK)
		goto out;
	v[0] = arena_printf(a, "%lld", (long long)(id != 0 ? id : by->id));
	if (id != 0 && (st = lock_post(db, pg, a, v, by, &lost)) != ST_OK)
		goto out;
	post_params(v, p, body, html.p);
	/* An update keeps the kind: $9 is the insert's alone. */
	v[8] = v[9];
	if ((st = db_run(db, pg, a, "saving post", id != 0 ? Q_UPDATE_POST :
	    Q_INSERT_POST, id != 0 ? 8 : 9, v, &res, &lost)) != ST_OK) {
		if (st == ST_CONFLICT) {
			*field = "slug";
			*problem = "another post has this slug";
		} else if (st == ST_UNPROCESSABLE) {
			*field = "published_at";
			*problem = "not a date PostgreSQL accepts";
		}
		goto out;
	}
	post_id = PQgetvalue(res, 0, 0);
	if ((st = set_tags(db, pg, a, post_id, p, Q_KEEP_TAG, &e,
	    &lost)) != ST_OK ||
	    (st = set_feature(db, pg, a, post_id, p, true, &e,
	    &lost)) != ST_OK) {
		*field = e.field;
		*problem = e.why;
		goto out;
	}
	st = keep_revision(db, pg, a, post_id, by->id, "save", p->title,
	    p->summary, body, NULL, NULL, &lost);
out:
	if ((st = end(db, pg, a, st, open, &lost)) == ST_OK && post_id != NULL)
		*out_id = strtoll(post_id, NULL, 10);
	return st;
}

enum status
db_revision_autosave(struct db *db, struct arena *a, int64_t post,
    const struct principal *by, const char *title, const char *summary,
    const char *body, int64_t *rev, const char **at)
{
	PGconn		*pg = NULL;
	enum status	 st;
	bool		 lost = false, open = false;
	const char	*v[1];

	*rev = 0;
	*at = NULL;
	v[0] = arena_printf(a, "%lld", (long long)post);
	if ((st = begin(db, a, &pg, &open, &lost)) != ST_OK ||
	    (st = lock_post(db, pg, a, v, by, &lost)) != ST_OK)
		goto out;
	st = keep_revision(db, pg, a, v[0], by->id, "autosave", title, summary,
	    body, rev, at, &lost);
out:
	return end(db, pg, a, st, open, &lost);
}

enum status
db_revision_restore(struct db *db, struct arena *a, int64_t post,
    int64_t rev, const struct principal *by, int64_t *new_rev)
{
	PGconn		*pg = NULL;
	PGresult	*res;
	struct buf	 html;
	enum status	 st;
	bool		 lost = false, open = false;
	const char	*v[5], *title, *summary, *body;

	*new_rev = 0;
	v[0] = arena_printf(a, "%lld", (long long)post);
	if ((st = begin(db, a, &pg, &open, &lost)) != ST_OK ||
	    (st = lock_post(db, pg, a, v, by, &lost)) != ST_OK)
		goto out;
	v[0] = arena_printf(a, "%lld", (long long)rev);
	v[1] = arena_printf(a, "%lld", (long long)post);
	if ((st = db_run(db, pg, a, "reading a revision", Q_REVISION_TEXT, 2,
	    v, &res, &lost)) != ST_OK)
		goto out;
	if (PQntuples(res) != 1) {
		st = ST_NOTFOUND;
		goto out;
	}
	title = PQgetvalue(res, 0, 0);
	summary = PQgetvalue(res, 0, 1);
	body = PQgetvalue(res, 0, 2);
	if (!render(db, a, body, &html)) {
		log_msg(LOG_WARN, "post %lld: revision %lld cannot be "
		    "rendered", (long long)post, (long long)rev);
		st = ST_UNPROCESSABLE;
		goto out;
	}
	v[0] = v[1];
	v[1] = title;
	v[2] = summary;
	v[3] = body;
	v[4] = html.p;
	/* An autosave may hold what the post's CHECKs refuse (an empty
	 * title): ST_UNPROCESSABLE, and nothing changes. */
	if ((st = db_run(db, pg, a, "restoring a revision", Q_RESTORE_POST, 5,
	    v, NULL, &lost)) != ST_OK)
		goto out;
	st = keep_revision(db, pg, a, v[0], by->id, "restore", title, summary,
	    body, new_rev, NULL, &lost);
out:
	return end(db, pg, a, st, open, &lost);
}

enum status
db_user_ensure(struct db *db, struct arena *a, const char *username,
    const char *display_name)
{
	PGconn		*pg;
	enum status	 st = ST_UNPROCESSABLE;
	const char	*v[2] = { username, display_name };
	long		 n;
	bool		 lost = false;

	if (username == NULL || !util_username_ok(username, strlen(username))) {
		log_msg(LOG_WARN, "user \"%s\": username: must match "
		    "[a-z0-9][a-z0-9_-]{0,39}", username ? username : "");
		goto out;
	}
	if (display_name == NULL || (n = content_chars(display_name,
	    strlen(display_name))) < 1 || n > CONTENT_DISPLAY_MAX) {
		log_msg(LOG_WARN, "user \"%s\": display_name: must be 1 to "
		    "100 characters of UTF-8", username);
		goto out;
	}
	st = ST_UNAVAILABLE;
	if ((pg = db_primary(db)) == NULL)
		goto out;
	st = db_run(db, pg, a, "creating user", Q_ENSURE_USER, 2, v, NULL, &lost);
out:
	return st;
}

static const char Q_RERENDER_BATCH[] =
    "SELECT id, body_md, body_html FROM posts WHERE id > $1::bigint"
    " ORDER BY id LIMIT $2::int FOR UPDATE";
/* Not an edit: updated_at stays, so feeds and sitemaps do not move. */
static const char Q_RERENDER_SET[] =
    "UPDATE posts SET body_html = $2 WHERE id = $1::bigint";

enum status
db_post_rerender(struct db *db, int batch, long long *changed,
    long long *failed)
{
	char		 last[32] = "0", size[16];
	enum status	 st = ST_OK;

	*changed = *failed = 0;
	snprintf(size, sizeof(size), "%d", batch > 0 ? batch : 100);
	for (;;) {
		struct arena	*a = arena_new(1 << 16);
		PGconn		*pg = NULL;
		PGresult	*res;
		bool		 lost = false, open = false;
		const char	*v[2];
		int		 i, n = 0;

		if ((st = begin(db, a, &pg, &open, &lost)) != ST_OK)
			goto next;
		v[0] = last;
		v[1] = size;
		if ((st = db_run(db, pg, a, "rerender: reading posts",
		    Q_RERENDER_BATCH, 2, v, &res, &lost)) != ST_OK)
			goto next;
		n = PQntuples(res);
		for (i = 0; i < n; i++) {
			const char	*id = PQgetvalue(res, i, 0);
			const char	*body = PQgetvalue(res, i, 1);
			struct buf	 html;

			snprintf(last, sizeof(last), "%s", id);
			if (!render(db, a, body, &html)) {
				log_msg(LOG_WARN, "rerender: post %s cannot be "
				    "rendered: its HTML stays as it was", id);
				(*failed)++;
				continue;
			}
			if (strcmp(html.p, PQgetvalue(res, i, 2)) == 0)
				continue;
			v[0] = id;
			v[1] = html.p;
			if ((st = db_run(db, pg, a, "rerender: saving",
			    Q_RERENDER_SET, 2, v, NULL, &lost)) != ST_OK)
				goto next;
			(*changed)++;
		}
next:
		st = end(db, pg, a, st, open, &lost);
		arena_free(a);
		if (st != ST_OK || n == 0)
			return st;
	}
}
