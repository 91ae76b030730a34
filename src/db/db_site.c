/* SPDX-License-Identifier: MIT */
/*
 * db_site.c: reads a whole site for a complete export, and writes one
 * back, for inkwellctl export and import (content/export.h has the
 * format).
 *
 * The export reads every table in one REPEATABLE READ READ ONLY
 * transaction, so the files agree with each other even while authors
 * write.  Each JSON line is made by PostgreSQL (json_build_object with
 * the keys in the order of content/export.c's tables), so strings are
 * escaped by the one JSON writer that knows the column types, and the
 * same rows always give the same bytes.
 *
 * The import is one transaction: it locks the content tables, refuses
 * when any holds a row (ST_CONFLICT), inserts every row with its id
 * (OVERRIDING SYSTEM VALUE) and finally sets each identity past the
 * largest id.  Any refusal leaves the caller to end it with
 * db_site_load_end(commit false), and nothing is kept.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/export.h"
#include "content/md.h"
#include "db/db.h"
#include "db/db_int.h"

static const char Q_DUMP_BEGIN[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char Q_LOAD_BEGIN[] = "BEGIN";
static const char Q_UTC[] = "SELECT set_config('TimeZone', 'UTC', true)";
static const char Q_COMMIT[] = "COMMIT";
static const char Q_ROLLBACK[] = "ROLLBACK";

#define TS(c)	"to_char(" c " AT TIME ZONE 'UTC'," \
		" 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static const char Q_SETTINGS[] =
    "SELECT json_build_object('key', key, 'value', value,"
    " 'updated_at', " TS("updated_at") ")::text"
    " FROM settings ORDER BY key COLLATE \"C\"";
#define USER_COLS \
    "'id', id, 'username', username, 'display_name', display_name," \
    " 'email', email, 'bio', bio, 'role', role," \
    " 'disabled_at', " TS("disabled_at") ", 'created_at', " TS("created_at") \
    ", 'updated_at', " TS("updated_at")
static const char Q_USERS[] =
    "SELECT json_build_object(" USER_COLS ")::text FROM users ORDER BY id";
/* A user with no password has no key either way: null is not a hash. */
static const char Q_USERS_SECRETS[] =
    "SELECT CASE WHEN password_hash IS NULL"
    " THEN json_build_object(" USER_COLS ")"
    " ELSE json_build_object(" USER_COLS ", 'password_hash', password_hash)"
    " END::text FROM users ORDER BY id";
#define TOKEN_COLS \
    "'id', id, 'user_id', user_id, 'name', name," \
    " 'created_at', " TS("created_at") ", 'last_used_at', " \
    TS("last_used_at") ", 'revoked_at', " TS("revoked_at")
static const char Q_TOKENS[] =
    "SELECT json_build_object(" TOKEN_COLS ")::text FROM api_tokens"
    " ORDER BY id";
static const char Q_TOKENS_SECRETS[] =
    "SELECT json_build_object(" TOKEN_COLS ", 'token_hash',"
    " encode(token_hash, 'hex'))::text FROM api_tokens ORDER BY id";
static const char Q_TAGS[] =
    "SELECT json_build_object('id', id, 'slug', slug, 'name', name)::text"
    " FROM tags ORDER BY id";
static const char Q_POSTS[] =
    "SELECT json_build_object('id', id, 'author_id', author_id,"
    " 'slug', slug, 'created_at', " TS("created_at") ")::text"
    " FROM posts ORDER BY id";
static const char Q_COMMENTS[] =
    "SELECT json_build_object('id', id, 'post_id', post_id,"
    " 'parent_id', parent_id, 'author_name', author_name,"
    " 'author_email', author_email, 'author_url', author_url,"
    " 'body', body, 'status', status, 'remote_addr', remote_addr::text,"
    " 'created_at', " TS("created_at") ")::text FROM comments ORDER BY id";
static const char Q_MEDIA[] =
    "SELECT json_build_object('id', id, 'name', name,"
    " 'content_type', content_type, 'size', octet_length(bytes),"
    " 'sha256', encode(sha256, 'hex'), 'uploaded_by', uploaded_by,"
    " 'created_at', " TS("created_at") ", 'width', width, 'height', height,"
    " 'alt', alt)::text FROM media ORDER BY id";
static const char Q_REDIRECTS[] =
    "SELECT json_build_object('id', id, 'from_path', from_path,"
    " 'to_path', to_path, 'code', code, 'source', source, 'match', match,"
    " 'created_at', " TS("created_at") ")::text FROM redirects ORDER BY id";
static const char Q_SITE_KEYS[] =
    "SELECT json_build_object('name', name, 'key', encode(key, 'hex'),"
    " 'created_at', " TS("created_at") ")::text FROM site_keys"
    " ORDER BY name COLLATE \"C\"";
static const char Q_REVISIONS[] =
    "SELECT json_build_object('id', id, 'post_id', post_id,"
    " 'user_id', user_id, 'kind', kind, 'created_at', " TS("created_at") ","
    " 'title', title, 'summary', summary, 'body_md', body_md)::text"
    " FROM post_revisions ORDER BY id";
static const char Q_NOTHING[] = "SELECT ''::text WHERE false";
static const char Q_MEDIA_BYTES[] = "SELECT bytes FROM media WHERE name = $1";

static const char *const dump_sql[EX__MAX][2] = {
	{ Q_SETTINGS, Q_SETTINGS },		/* EX_SETTINGS */
	{ Q_USERS, Q_USERS_SECRETS },		/* EX_USERS */
	{ Q_TOKENS, Q_TOKENS_SECRETS },		/* EX_TOKENS */
	{ Q_TAGS, Q_TAGS },			/* EX_TAGS */
	{ Q_POSTS, Q_POSTS },			/* EX_POSTS */
	{ Q_COMMENTS, Q_COMMENTS },		/* EX_COMMENTS */
	{ Q_MEDIA, Q_MEDIA },			/* EX_MEDIA */
	{ Q_REDIRECTS, Q_REDIRECTS },		/* EX_REDIRECTS */
	{ Q_NOTHING, Q_SITE_KEYS },		/* EX_SITE_KEYS */
	{ Q_REVISIONS, Q_REVISIONS },		/* EX_REVISIONS */
};

/* Every table a complete import fills, locked against writers, none of
 * which may hold a row.  settings is not: migrations fill it. */
static const char Q_LOCK[] =
    "LOCK TABLE users, api_tokens, tags, posts, post_tags, comments, media,"
    " redirects, post_revisions IN EXCLUSIVE MODE";
static const char Q_EMPTY[] =
    "SELECT concat_ws(' ',"
    " CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'users' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM api_tokens) THEN 'api_tokens' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM tags) THEN 'tags' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM posts) THEN 'posts' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM comments) THEN 'comments' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM media) THEN 'media' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM redirects) THEN 'redirects' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM post_revisions)"
    "  THEN 'post_revisions' END)";

static const char I_SETTINGS[] =
    "INSERT INTO settings (key, value, updated_at)"
    " VALUES ($1, $2, $3::timestamptz) ON CONFLICT (key) DO UPDATE"
    " SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at";
static const char I_USERS[] =
    "INSERT INTO users (id, username, display_name, email, bio, role,"
    " disabled_at, created_at, updated_at, password_hash)"
    " OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2, $3, $4, $5, $6,"
    " $7::timestamptz, $8::timestamptz, $9::timestamptz, $10)";
/* Without the hash, a hash of nothing anyone holds: the token is listed
 * as it was, and no secret opens it. */
static const char I_TOKENS[] =
    "INSERT INTO api_tokens (id, user_id, name, created_at, last_used_at,"
    " revoked_at, token_hash) OVERRIDING SYSTEM VALUE"
    " VALUES ($1::bigint, $2::bigint, $3, $4::timestamptz, $5::timestamptz,"
    " $6::timestamptz, coalesce(decode($7, 'hex'),"
    " sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text,"
    " 'UTF8'))))";
static const char I_TAGS[] =
    "INSERT INTO tags (id, slug, name) OVERRIDING SYSTEM VALUE"
    " VALUES ($1::bigint, $2, $3)";
static const char I_COMMENTS[] =
    "INSERT INTO comments (id, post_id, parent_id, author_name,"
    " author_email, author_url, body, status, remote_addr, created_at)"
    " OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2::bigint, $3::bigint,"
    " $4, $5, $6, $7, $8, $9::inet, $10::timestamptz)";
/* $4, the size, was checked against the bytes by the caller. */
static const char I_MEDIA[] =
    "INSERT INTO media (id, name, content_type, sha256, uploaded_by,"
    " created_at, width, height, alt, bytes) OVERRIDING SYSTEM VALUE"
    " SELECT $1::bigint, $2, $3, decode($5, 'hex'), $6::bigint,"
    " $7::timestamptz, $8::int, $9::int, coalesce($10, ''), $11::bytea"
    " WHERE $4::bigint >= 0";
static const char I_REDIRECTS[] =
    "INSERT INTO redirects (id, from_path, to_path, code, source, match,"
    " created_at) OVERRIDING SYSTEM VALUE"
    " VALUES ($1::bigint, $2, $3, $4::smallint, $5, $6, $7::timestamptz)";
/* A key a worker made before the import gives way to the site's. */
static const char I_SITE_KEYS[] =
    "INSERT INTO site_keys (name, key, created_at)"
    " VALUES ($1, decode($2, 'hex'), $3::timestamptz) ON CONFLICT (name)"
    " DO UPDATE SET key = EXCLUDED.key, created_at = EXCLUDED.created_at";
static const char I_REVISIONS[] =
    "INSERT INTO post_revisions (id, post_id, user_id, kind, created_at,"
    " title, summary, body_md) OVERRIDING SYSTEM VALUE VALUES ($1::bigint,"
    " $2::bigint, $3::bigint, $4, $5::timestamptz, $6, $7, $8)";
static const char I_POST[] =
    "INSERT INTO posts (id, author_id, slug, title, summary, body_md,"
    " body_html, status, published_at, created_at, updated_at, kind)"
    " OVERRIDING SYSTEM VALUE VALUES ($1::bigint, $2::bigint, $3, $4,"
    " coalesce($5, ''), $6, $7, $8, $9::timestamptz, $10::timestamptz,"
    " $11::timestamptz, $12)";
/*
 * Feature pictures: posts load before media, so each post's picture
 * name waits in a table of the transaction until the media are in,
 * and db_site_load_end() links them (a name no picture has is left
 * out, as by "inkwellctl import").
 */
static const char I_FEATURE_TABLE[] =
    "CREATE TEMP TABLE IF NOT EXISTS feature_pending"
    " (post_id bigint, name text) ON COMMIT DROP";
static const char I_FEATURE[] =
    "INSERT INTO feature_pending (post_id, name) VALUES ($1::bigint, $2)";
static const char I_FEATURE_LINK[] =
    "UPDATE posts SET feature_media = m.id FROM feature_pending f"
    " JOIN media m ON m.name = f.name AND m.content_type LIKE 'image/%'"
    " WHERE posts.id = f.post_id";
static const char I_POST_TAG[] =
    "INSERT INTO post_tags (post_id, tag_id)"
    " SELECT $1::bigint, id FROM tags WHERE slug = $2";

static const char *const load_sql[EX__MAX] = {
	I_SETTINGS,	/* EX_SETTINGS */
	I_USERS,	/* EX_USERS */
	I_TOKENS,	/* EX_TOKENS */
	I_TAGS,		/* EX_TAGS */
	NULL,		/* EX_POSTS: db_site_load_post */
	I_COMMENTS,	/* EX_COMMENTS */
	I_MEDIA,	/* EX_MEDIA */
	I_REDIRECTS,	/* EX_REDIRECTS */
	I_SITE_KEYS,	/* EX_SITE_KEYS */
	I_REVISIONS,	/* EX_REVISIONS */
};

/* Each identity past the largest id (the next insert takes max + 1). */
#define SETVAL(t) \
    "SELECT setval(pg_get_serial_sequence('" t "', 'id')," \
    " coalesce((SELECT max(id) FROM " t "), 0) + 1, false)"
static const char *const Q_SETVAL[] = {
	SETVAL("users"), SETVAL("api_tokens"), SETVAL("tags"),
	SETVAL("posts"), SETVAL("comments"), SETVAL("media"),
	SETVAL("redirects"), SETVAL("post_revisions"),
};

/* PostgreSQL's primary message of the last failure on pg, one line. */
static void
reason(PGconn *pg, char *err, size_t errlen)
{
	const char	*m = PQerrorMessage(pg);
	size_t		 n;

	if (strncmp(m, "ERROR:", 6) == 0)
		m += 6;
	m += strspn(m, " ");
	n = strcspn(m, "\n");
	snprintf(err, errlen, "%.*s", (int)n, *m != '\0' ? m :
	    "the database refused it");
}

static enum status
run(struct db *db, struct arena *a, const char *what, const char *sql,
    int n, const char *const *v, PGresult **out, char *err, size_t errlen)
{
	PGconn		*pg;
	enum status	 st;
	bool		 lost = false;

	if ((pg = db_primary(db)) == NULL) {
		snprintf(err, errlen, "the database is unavailable");
		return ST_UNAVAILABLE;
	}
	if ((st = db_run(db, pg, a, what, sql, n, v, out, &lost)) != ST_OK)
		reason(pg, err, errlen);
	return st;
}

enum status
db_site_dump_begin(struct db *db, struct arena *a, char *err, size_t errlen)
{
	enum status	 st;

	if ((st = run(db, a, "export", Q_DUMP_BEGIN, 0, NULL, NULL, err,
	    errlen)) != ST_OK)
		return st;
	if ((st = run(db, a, "export", Q_UTC, 0, NULL, NULL, err,
	    errlen)) != ST_OK)
		db_site_end(db, a, false, err, errlen);
	return st;
}

enum status
db_site_dump_lines(struct db *db, struct arena *a, enum exp_file f,
    bool secrets, struct buf *out, size_t *lines, char *err, size_t errlen)
{
	PGresult	*res;
	enum status	 st;
	int		 n;

	*lines = 0;
	if ((st = run(db, a, exp_file_names[f], dump_sql[f][secrets], 0, NULL,
	    &res, err, errlen)) != ST_OK)
		return st;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		buf_put(out, PQgetvalue(res, i, 0),
		    (size_t)PQgetlength(res, i, 0));
		buf_putc(out, '\n');
	}
	*lines = (size_t)n;
	return ST_OK;
}

enum status
db_site_dump_media(struct db *db, struct arena *a, const char *name,
    const void **bytes, size_t *n, char *err, size_t errlen)
{
	static const int	 formats[1] = { 0 };
	const struct db_bin	 bin = { NULL, formats, 1 };
	PGconn			*pg;
	PGresult		*res;

	if ((pg = db_primary(db)) == NULL) {
		snprintf(err, errlen, "the database is unavailable");
		return ST_UNAVAILABLE;
	}
	res = db_exec_bin(db, pg, a, "export media", Q_MEDIA_BYTES, 1, &name,
	    &bin);
	if (res == NULL) {
		reason(pg, err, errlen);
		return db_failure(db, pg);
	}
	if (PQntuples(res) != 1) {
		snprintf(err, errlen, "media %s went away", name);
		return ST_NOTFOUND;
	}
	*bytes = PQgetvalue(res, 0, 0);
	*n = (size_t)PQgetlength(res, 0, 0);
	return ST_OK;
}

enum status
db_site_end(struct db *db, struct arena *a, bool commit, char *err,
    size_t errlen)
{
	char		 ignored[8];

	if (commit)
		return run(db, a, "commit", Q_COMMIT, 0, NULL, NULL, err,
		    errlen);
	return run(db, a, "rollback", Q_ROLLBACK, 0, NULL, NULL, ignored,
	    sizeof(ignored));
}

enum status
db_site_load_begin(struct db *db, struct arena *a, char *err, size_t errlen)
{
	PGresult	*res;
	enum status	 st;

	if ((st = run(db, a, "import", Q_LOAD_BEGIN, 0, NULL, NULL, err,
	    errlen)) != ST_OK)
		return st;
	if ((st = run(db, a, "import", Q_UTC, 0, NULL, NULL, err,
	    errlen)) != ST_OK ||
	    (st = run(db, a, "import", Q_LOCK, 0, NULL, NULL, err,
	    errlen)) != ST_OK ||
	    (st = run(db, a, "import", Q_EMPTY, 0, NULL, &res, err,
	    errlen)) != ST_OK)
		goto fail;
	if (*PQgetvalue(res, 0, 0) != '\0') {
		snprintf(err, errlen, "the database is not empty (%s hold "
		    "rows); a complete export goes into a freshly migrated "
		    "database only", PQgetvalue(res, 0, 0));
		st = ST_CONFLICT;
		goto fail;
	}
	return ST_OK;
fail:
	db_site_end(db, a, false, NULL, 0);
	return st;
}

enum status
db_site_load_row(struct db *db, struct arena *a, enum exp_file f,
    const struct exp_row *row, const void *bytes, size_t nbytes, char *err,
    size_t errlen)
{
	const char	*v[EXP_FIELDS_MAX + 1];
	size_t		 nf = exp_nfields[f];
	PGconn		*pg;
	bool		 lost = false;

	if (load_sql[f] == NULL) {
		snprintf(err, errlen, "not a row of its own");
		return ST_INTERNAL;
	}
	memcpy(v, row->v, nf * sizeof(v[0]));
	if (f != EX_MEDIA)
		return run(db, a, exp_file_names[f], load_sql[f], (int)nf, v,
		    NULL, err, errlen);
	/* The bytes go in binary, not as a hex escape twice their size. */
	{
		int		 lengths[EXP_FIELDS_MAX + 1] = { 0 };
		int		 formats[EXP_FIELDS_MAX + 1] = { 0 };
		struct db_bin	 bin = { lengths, formats, 0 };

		v[nf] = bytes;
		lengths[nf] = (int)nbytes;
		formats[nf] = 1;
		if ((pg = db_primary(db)) == NULL) {
			snprintf(err, errlen, "the database is unavailable");
			return ST_UNAVAILABLE;
		}
		(void)lost;
		if (db_exec_bin(db, pg, a, "media", I_MEDIA, (int)nf + 1, v,
		    &bin) == NULL) {
			reason(pg, err, errlen);
			return db_write_failure(db, pg);
		}
	}
	return ST_OK;
}

enum status
db_site_load_post(struct db *db, struct arena *a, const struct exp_row *row,
    const struct post_in *p, char *err, size_t errlen)
{
	const struct md_opts o = { db_md_image, db };
	const char	*v[12], *tv[2];
	struct buf	 html;
	enum status	 st;

	buf_init(&html, a, strlen(p->body_md) * 2 + 64);
	if (md_render_opts(p->body_md, strlen(p->body_md), &o, &html) < 0) {
		snprintf(err, errlen, "the body is not valid UTF-8");
		return ST_UNPROCESSABLE;
	}
	buf_putc(&html, '\0');
	v[0] = row->v[0];		/* id */
	v[1] = row->v[1];		/* author_id */
	v[2] = p->slug;
	v[3] = p->title;
	v[4] = p->summary;
	v[5] = p->body_md;
	v[6] = html.p;
	v[7] = p->status;
	v[8] = p->published_at;
	v[9] = row->v[3];		/* created_at */
	v[10] = p->updated_at;
	v[11] = p->kind != NULL ? p->kind : "post";
	if ((st = run(db, a, "post", I_POST, 12, v, NULL, err, errlen)) !=
	    ST_OK)
		return st;
	tv[0] = row->v[0];
	for (size_t i = 0; i < p->ntags; i++) {
		tv[1] = p->tag_slugs[i];
		if ((st = run(db, a, "post tag", I_POST_TAG, 2, tv, NULL, err,
		    errlen)) != ST_OK)
			return st;
	}
	tv[1] = p->feature_image;
	if (p->feature_image != NULL && ((st = run(db, a, "feature picture",
	    I_FEATURE_TABLE, 0, NULL, NULL, err, errlen)) != ST_OK ||
	    (st = run(db, a, "feature picture", I_FEATURE, 2, tv, NULL, err,
	    errlen)) != ST_OK))
		return st;
	return ST_OK;
}

enum status
db_site_load_end(struct db *db, struct arena *a, char *err, size_t errlen)
{
	enum status	 st;

	if ((st = run(db, a, "feature pictures", I_FEATURE_TABLE, 0, NULL,
	    NULL, err, errlen)) == ST_OK)
		st = run(db, a, "feature pictures", I_FEATURE_LINK, 0, NULL,
		    NULL, err, errlen);
	for (size_t i = 0; i < sizeof(Q_SETVAL) / sizeof(Q_SETVAL[0]) &&
	    st == ST_OK; i++)
		st = run(db, a, "identity", Q_SETVAL[i], 0, NULL, NULL, err,
		    errlen);
	if (st == ST_OK)
		return db_site_end(db, a, true, err, errlen);
	db_site_end(db, a, false, NULL, 0);
	return st;
}
