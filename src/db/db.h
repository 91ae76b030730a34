/* SPDX-License-Identifier: MIT */
/*
 * db.h: PostgreSQL access.  Handlers call db_* functions and never see
 * libpq; every query is a named constant with parameters sent apart.
 */
#ifndef INKWELL_DB_H
#define INKWELL_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "content/content.h"
#include "content/export.h"
#include "lib/status.h"

struct arena;
struct conf;
struct db;
struct json_object;
struct principal;

/* One migration, embedded at build time from sql/NNNN_name.sql. */
struct db_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
extern const struct db_migration db_migrations[];
extern const int db_nmigrations;

/* The schema version this binary expects (the last migration's). */
int		 db_schema_expected(void);

/*
 * Makes the worker's handle; connects lazily on first use, reconnects by
 * itself after a failure (at most once a second, so a dead server costs a
 * request nothing but a 503).  Owned by the worker; db_close() frees it.
 */
struct db	*db_open(const struct conf *);
void		 db_close(struct db *);

/*
 * Checks [database] primary and replica as libpq will read them when
 * it connects (db_conninfo.c): each must parse (key=value or a
 * postgresql:// URI), its sslmode must be one libpq knows, and the
 * files its sslrootcert, sslcert, sslkey, sslcrl and sslcrldir name
 * must be readable by this process.  Writes each problem to err as one
 * line, "FILE:LINE: [database] primary: ...", like conf_load()'s errors
 * (NUL-terminated, truncated at errlen) and returns how many there are:
 * 0 when the strings are fine.  Run it wherever the configuration is
 * loaded, as the user that will connect.
 */
int		 db_conninfo_check(const struct conf *, char *err,
		    size_t errlen);

/*
 * The seconds this process spent waiting on PostgreSQL (connecting
 * excluded) and the statements it ran since the last call, which zeroes
 * both: the worker reads them once per request, for /metrics.
 */
void		 db_time_take(double *seconds, unsigned *statements);

/*
 * Reads the applied schema version into *have.  ST_OK, or
 * ST_UNAVAILABLE when the primary cannot be reached.  A database never
 * migrated gives ST_OK with *have = 0.
 */
enum status	 db_schema_version(struct db *, int *have);

/*
 * Applies pending migrations to the database at conninfo, each in its own
 * transaction, under an advisory lock so two migrators cannot race.
 * Refuses (returns -1) a database whose version is newer than this
 * binary's.  Progress and errors go to log.  With wait_s > 0 it first
 * waits up to wait_s seconds for a PostgreSQL that does not answer yet
 * (saying so on log), but not for one that answers and refuses.
 * Returns 0 on success, -1 on failure (logged).
 */
int		 db_migrate(const char *conninfo, int connect_timeout,
		    int wait_s, bool status_only, FILE *log);

/*
 * What inkwellctl setup makes (db_setup.c): the role inkwell connects
 * as and its database, on the server a libpq conninfo names.  Strings
 * are owned by the struct (db_setup_free); NULL where the conninfo is
 * silent (libpq's defaults apply).
 */
struct db_setup {
	char		*host, *hostaddr, *port;
	char		*database;	/* dbname */
	char		*role;		/* user */
};

/* Fills *s from conninfo: 0, or -1 with libpq's reason in err. */
int		 db_setup_parse(struct db_setup *, const char *conninfo,
		    char *err, size_t errlen);
void		 db_setup_free(struct db_setup *);

/* A role or database name setup will put in SQL: [a-z_][a-z0-9_]*, at
 * most 63 bytes.  Anything else is made by hand. */
bool		 db_setup_name_ok(const char *);

/*
 * NULL when every host s names (or PGHOST, when it names none) is on
 * this machine: a Unix socket directory, localhost, 127.0.0.1 or ::1.
 * Else the first host that is not, pointing into s or the environment.
 */
const char	*db_setup_remote(const struct db_setup *);

/*
 * Connects to the database "postgres" as the role admin (NULL: libpq's
 * default, the operating system user), creates s->role (LOGIN) and
 * s->database (owned by it, UTF-8) unless they exist, then applies the
 * pending migrations to that database as s->role.  s->role and
 * s->database must pass db_setup_name_ok.  Says what it did or found
 * on out, one line each ("role NAME: created", "database NAME: exists
 * (owner ROLE)").  ST_OK; ST_UNAVAILABLE when PostgreSQL cannot be
 * reached as admin; ST_INTERNAL for anything else (said on out).
 */
enum status	 db_setup_run(const struct db_setup *, const char *admin,
		    int connect_timeout, FILE *out);

/*
 * What the page cache needs from the primary (db_content.c): the content
 * version (bumped by triggers on every change a reader can see), the WAL
 * position after it (a replica that has replayed that far has the
 * change), when the next scheduled post goes live, and when the newest
 * live post went live (epoch seconds, rounded up; 0: none).  ST_OK,
 * ST_UNAVAILABLE, ST_INTERNAL.
 */
struct db_content {
	int64_t		 version;
	uint64_t	 lsn;
	int64_t		 next_live;
	int64_t		 last_live;
};
enum status	 db_content_state(struct db *, struct arena *,
		    struct db_content *);

/*
 * Bumps the content version by hand (inkwellctl cache flush), then
 * reads the state as db_content_state does.
 */
enum status	 db_content_bump(struct db *, struct arena *,
		    struct db_content *);

/*
 * Until the next call: reads must see the write at WAL position lsn.  A
 * replica is used only once it has replayed that far (checked with one
 * query when needed, then remembered), else reads go to the primary.
 * 0 lifts the constraint.
 */
void		 db_min_lsn(struct db *, uint64_t lsn);

/*
 * Reader-facing queries (db_blog.c).  Each fills *out with a json-c value
 * owned by the caller (attach it to the view, which then owns it) and
 * returns ST_OK, ST_NOTFOUND (no such post, tag or author),
 * ST_UNAVAILABLE (PostgreSQL unreachable) or ST_INTERNAL.  Only live
 * posts are visible: not drafts, and not before their published_at.
 */
struct db_filter {
	const char	*tag;		/* tag slug, or NULL */
	const char	*author;	/* username, or NULL */
	const char	*from, *to;	/* published_at range (ISO), or NULL */
};
enum status	 db_posts(struct db *, struct arena *, const struct db_filter *,
		    int limit, int offset, struct json_object **out);
/*
 * db_settings() and db_posts() in one round trip: *site and *posts as
 * they would give them, both owned by the caller, or neither unless
 * ST_OK.  For the pages that list posts: a page costs the database a
 * round trip less, and its worker one wait less.
 */
enum status	 db_settings_posts(struct db *, struct arena *,
		    const struct db_filter *, int limit, int offset,
		    struct json_object **site, struct json_object **posts);
/* The newest limit live posts with body_html, for feeds. */
enum status	 db_feed(struct db *, struct arena *, int limit,
		    struct json_object **out);
/*
 * As db_feed, for the posts with tag (a slug) or, when tag is NULL, by
 * author (a username); both NULL is db_feed.  *out is the caller's.  An
 * unknown tag or author gives an empty array: callers look it up first.
 */
enum status	 db_feed_of(struct db *, struct arena *, const char *tag,
		    const char *author, int limit, struct json_object **out);
enum status	 db_search(struct db *, struct arena *, const char *q,
		    int limit, int offset, struct json_object **out);
enum status	 db_post(struct db *, struct arena *, const char *slug,
		    struct json_object **out);
/*
 * What a post's page shows: the settings (as db_settings), the post
 * (as db_post: ST_NOTFOUND when it is not live) and its approved
 * comments (as db_comments), in one round trip, or two when the post
 * has comments.  On ST_OK the three are the caller's; otherwise all
 * are NULL.
 */
enum status	 db_post_page(struct db *, struct arena *, const char *slug,
		    struct json_object **site, struct json_object **post,
		    struct json_object **comments);
/*
 * A live page (a post of kind 'page', 0008) in a post's shape, url
 * /pages/SLUG; ST_NOTFOUND for a draft, a scheduled page before its
 * time, a post or nothing.  db_pages: every live page, by title.  *out
 * is owned by the caller.
 */
enum status	 db_page(struct db *, struct arena *, const char *slug,
		    struct json_object **out);
enum status	 db_pages(struct db *, struct arena *, struct json_object **out);
enum status	 db_tags(struct db *, struct arena *, struct json_object **);
enum status	 db_tag(struct db *, struct arena *, const char *slug,
		    struct json_object **out);
enum status	 db_authors(struct db *, struct arena *, struct json_object **);
enum status	 db_author(struct db *, struct arena *, const char *username,
		    struct json_object **out);
enum status	 db_months(struct db *, struct arena *, struct json_object **);
enum status	 db_settings(struct db *, struct arena *, struct json_object **);
enum status	 db_sitemap(struct db *, struct arena *, struct json_object **);
/*
 * The tag, author and month pages that have live posts, as an array of
 * {url, lastmod} (lastmod the newest change among their posts, ISO 8601
 * UTC) owned by the caller; ST_OK, or ST_UNAVAILABLE when the database
 * did not answer.
 */
enum status	 db_sitemap_pages(struct db *, struct arena *,
		    struct json_object **);
/*
 * Every public page a reader can reach, for the last-known-good
 * rendering (serve/render.c): an array of [path, listing] owned by the
 * caller, listing true for pages that go on with ?page=2..N (the home
 * page, each tag, author and month with live posts).  ST_OK, or
 * ST_UNAVAILABLE.
 */
enum status	 db_public_paths(struct db *, struct arena *,
		    struct json_object **);
/* Newest change (epoch seconds) among live posts, for Last-Modified. */
enum status	 db_last_change(struct db *, struct arena *, int64_t *epoch);


/*
 * Creates or updates the post with p->slug, in one transaction: checks
 * every field against the rules the schema's CHECKs enforce, renders
 * body_html from body_md with md_render(), upserts the tags by slug
 * (setting their names when given) and makes the post's tags exactly
 * p's.  *id gets the post's id.  Returns ST_OK; ST_UNPROCESSABLE when a
 * field is refused (a log line names it) or the author does not exist;
 * ST_UNAVAILABLE when PostgreSQL cannot be reached; ST_INTERNAL for
 * anything else.  Nothing is changed unless ST_OK.  Temporary memory
 * and results live in the arena.
 */
enum status	 db_post_save(struct db *, struct arena *,
		    const struct post_in *p, int64_t *id);

/*
 * Renders body_html again from body_md for every post and page, batch
 * posts (100 when 0) to a transaction, as a save would; posts whose
 * HTML comes out the same are left alone.  *changed counts the posts
 * rewritten, *failed those that cannot be rendered (their HTML stays).
 * ST_OK, or the failure that stopped it (the batches before it stay).
 */
enum status	 db_post_rerender(struct db *, int batch, long long *changed,
		    long long *failed);

/*
 * Creates the user username (role author, no password: cannot sign in)
 * with display_name unless a user with that name exists, which is left
 * as it is.  ST_OK, ST_UNPROCESSABLE for a bad username or display name,
 * ST_UNAVAILABLE, ST_INTERNAL.
 */
enum status	 db_user_ensure(struct db *, struct arena *,
		    const char *username, const char *display_name);

/*
 * A WordPress import's writes (db_import.c), each finding what an
 * earlier import of the same file wrote instead of adding it again.
 * db_import_user: creates username (role author, no password, email
 * left off when NULL or another user's) unless it exists, which is left
 * as it is; *id is the user's either way, *created says which.
 * db_import_comment: the comment c on post post_id, answering parent_id
 * (0: none), unless one with its post, author name, body and time is
 * there (which is left as it is); *id and *created as above.
 * db_import_redirect: records from -> to (source wxr) unless from has a
 * redirect, and *how says "new", "same" (already to to) or "other" (to
 * somewhere else, kept); *how lives in the arena.  Each returns ST_OK,
 * ST_UNPROCESSABLE for a value the schema refuses, ST_UNAVAILABLE or
 * ST_INTERNAL; results live in the arena.
 */
struct wxr_comment;
enum status	 db_import_user(struct db *, struct arena *,
		    const char *username, const char *display_name,
		    const char *email, int64_t *id, bool *created);
enum status	 db_import_comment(struct db *, struct arena *,
		    int64_t post_id, int64_t parent_id,
		    const struct wxr_comment *c, int64_t *id, bool *created);
/*
 * Redirects (db_redirect.c).  db_redirect_find: the redirect a request
 * for path (decoded) with no content follows: the exact match, else the
 * longest prefix; *code, *to (arena), *prefix and *plen (the bytes of
 * path the prefix covers).  ST_OK, ST_NOTFOUND (none), ST_UNAVAILABLE,
 * ST_INTERNAL.  db_redirects: every redirect, a JSON array the caller
 * owns.  db_redirect_add: a manual redirect (from and to checked by
 * redirect.c), the new row as JSON the caller owns; ST_CONFLICT when
 * from has one, ST_INVALID when it would close a loop, ST_UNPROCESSABLE
 * when the schema refuses it.  db_redirect_delete: ST_OK or
 * ST_NOTFOUND.  Writes are on the primary; the trigger on redirects
 * moves the content version.
 */
enum status	 db_redirect_find(struct db *, struct arena *,
		    const char *path, int *code, const char **to,
		    size_t *plen, bool *prefix);
enum status	 db_redirects(struct db *, struct arena *,
		    struct json_object **out);
enum status	 db_redirect_add(struct db *, struct arena *,
		    const char *from, const char *to, int code, bool prefix,
		    struct json_object **out);
enum status	 db_redirect_delete(struct db *, struct arena *, int64_t id);
enum status	 db_import_redirect(struct db *, struct arena *,
		    const char *from, const char *to, const char **how);

/* A user to add (db_user.c); strings validated by the caller or by the
 * table's CHECKs (then ST_UNPROCESSABLE). */
struct user_in {
	const char	*username;
	const char	*display_name;
	const char	*email;		/* NULL or "": none */
	const char	*role;		/* "admin" or "author" */
	const char	*password_hash;	/* auth_hash(); NULL: cannot sign in */
};

struct user_out {
	const char	*username, *display_name, *role, *email, *created;
	bool		 can_sign_in;	/* has a password */
	bool		 disabled;	/* inkwellctl user disable */
};

/* ST_OK; ST_CONFLICT when the username or email is taken. */
enum status	 db_user_add(struct db *, struct arena *, const struct user_in *);

/* ST_OK, and the user's sessions are gone (*sessions_ended of them);
 * ST_NOTFOUND when there is no such user. */
enum status	 db_user_passwd(struct db *, struct arena *,
		    const char *username, const char *password_hash,
		    long *sessions_ended);

/* Sets the role of username ("admin" or "author"; the table's CHECK
 * refuses others: ST_UNPROCESSABLE).  It applies from the user's next
 * request.  ST_OK; ST_NOTFOUND when there is no such user; ST_FORBIDDEN
 * when making the last enabled admin an author. */
enum status	 db_user_role(struct db *, struct arena *,
		    const char *username, const char *role);

/*
 * Disables (disable set) or enables username.  A disabled user cannot
 * sign in; their sessions are deleted (*sessions_ended of them) and their
 * API tokens are refused until they are enabled again.  Disabling twice
 * keeps the first time.  ST_OK; ST_NOTFOUND when there is no such user;
 * ST_FORBIDDEN when disabling the last enabled admin.
 */
enum status	 db_user_disable(struct db *, struct arena *,
		    const char *username, bool disable, long *sessions_ended);

/* What db_user_delete did, or why it did not. */
struct user_deleted {
	long		 posts;		/* moved; or owned, when refused */
	long		 media;		/* moved to the heir */
	long		 sessions, tokens;	/* deleted with the user */
	bool		 no_heir;	/* ST_NOTFOUND: reassign_to is unknown */
};

/*
 * Deletes username, in one transaction.  With reassign_to (a username),
 * the user's posts (with their comments) and uploaded media move to that
 * user first; without it, a user who owns posts is refused
 * (ST_CONFLICT, out->posts says how many) and media they uploaded stay
 * with no uploader.  Their sessions and API tokens are deleted.  ST_OK;
 * ST_NOTFOUND when either user does not exist (out->no_heir: the heir).
 * ST_FORBIDDEN when username is the last enabled admin.
 * reassign_to must not be username (the caller checks).
 */
enum status	 db_user_delete(struct db *, struct arena *,
		    const char *username, const char *reassign_to,
		    struct user_deleted *out);

/* Every user, by username; *out in the arena. */
enum status	 db_user_list(struct db *, struct arena *, struct user_out **out,
		    size_t *n);

/*
 * Signing in (db_session.c; all on the primary).  db_login_user: the
 * user named username, ST_NOTFOUND when none; password_hash NULL when
 * the user cannot sign in.  Strings in the arena.
 */
struct db_login {
	int64_t		 id;
	const char	*username, *display_name, *password_hash;
	bool		 admin;
	bool		 disabled;	/* inkwellctl user disable */
};
enum status	 db_login_user(struct db *, struct arena *,
		    const char *username, struct db_login *out);
/* Stores a fresh hash of the same password (auth_verify said rehash). */
enum status	 db_login_rehash(struct db *, struct arena *, int64_t id,
		    const char *hash);

/*
 * Sessions, named by the hash of the browser's token as a bytea literal
 * ("\x" and 64 hex digits).  db_session_add also drops expired ones.
 * db_session_get fills *p (csrf set, token_id 0) for a live session of
 * a user who can still sign in; ST_NOTFOUND otherwise.
 */
enum status	 db_session_add(struct db *, struct arena *,
		    const char *hash_hex, int64_t user_id, const char *csrf,
		    int ttl_seconds);
enum status	 db_session_get(struct db *, struct arena *,
		    const char *hash_hex, struct principal *p);
enum status	 db_session_delete(struct db *, struct arena *,
		    const char *hash_hex);

/*
 * A fixed-window counter shared by every worker and host: the hits in
 * bucket's current window of window seconds (after counting one more
 * when hit), and the seconds until that window ends (at least 1).
 */
enum status	 db_throttle(struct db *, struct arena *, const char *bucket,
		    int window, bool hit, int *hits, int *retry_after);
enum status	 db_throttle_clear(struct db *, struct arena *,
		    const char *bucket);

/*
 * The 32-byte site key name, made from fresh_hex (a bytea literal of 32
 * random bytes) when the site has none yet.
 */
enum status	 db_site_key(struct db *, struct arena *, const char *name,
		    const char *fresh_hex, unsigned char key[32]);

/*
 * For authors (db_admin.c; all on the primary).  JSON results are owned
 * by the caller.  db_admin_post: one post of any status by id (slug
 * NULL) or slug, in the write API's shape, with its "kind" (post or
 * page).  db_admin_posts: a page of every post of kind ("post" or
 * "page"), newest change first, each with "mine" (by may edit it).
 * db_post_may_edit: ST_OK, ST_NOTFOUND, or ST_FORBIDDEN when by is
 * neither its author nor an admin.  Changes: ST_CONFLICT for a slug or
 * name taken, ST_UNPROCESSABLE for a value the schema refuses.
 */
enum status	 db_admin_post(struct db *, struct arena *, int64_t id,
		    const char *slug, struct json_object **out);
/* The site's pictures (media of an image type), newest first, at most
 * 1000: an array of {name, alt} in *out, owned by the caller. */
enum status	 db_pictures(struct db *, struct arena *,
		    struct json_object **out);
enum status	 db_admin_posts(struct db *, struct arena *, const char *kind,
		    int limit, int offset, const struct principal *by,
		    struct json_object **out);
enum status	 db_post_may_edit(struct db *, struct arena *, int64_t id,
		    const struct principal *by);
enum status	 db_post_delete(struct db *, struct arena *, int64_t id,
		    const struct principal *by);
/* Every tag with its number of posts. */
enum status	 db_admin_tags(struct db *, struct arena *,
		    struct json_object **out);
enum status	 db_tag_add(struct db *, struct arena *, const char *slug,
		    const char *name, struct json_object **out);
/* new_slug and name may be NULL (kept); ST_NOTFOUND for no such tag. */
enum status	 db_tag_update(struct db *, struct arena *, const char *slug,
		    const char *new_slug, const char *name,
		    struct json_object **out);
enum status	 db_tag_delete(struct db *, struct arena *, const char *slug);
/* Every setting as an object of strings. */
enum status	 db_settings_all(struct db *, struct arena *,
		    struct json_object **out);
/* Sets n (at most 7) settings, kv holding key and value pairs, in one
 * transaction; an unchanged value is not written. */
enum status	 db_settings_save(struct db *, struct arena *,
		    const char *const *kv, size_t n);

/*
 * Creates (id 0) or changes the post id for an author (db_post_write.c):
 * the post's fields from p (p->author is ignored: a new post is by's, a
 * changed one keeps its author), in one transaction with its tags.  A
 * published post without published_at goes live now.  Tags are made
 * when new, with tag_names as their names; existing tags keep theirs;
 * with p->known_tags a tag that does not exist is refused instead.
 * ST_OK with *out_id; ST_UNPROCESSABLE with *field and *problem (static
 * or arena strings) naming what was refused; ST_CONFLICT (slug taken: field
 * "slug"); ST_FORBIDDEN (not by's post, not an admin); ST_NOTFOUND.
 */
enum status	 db_post_write(struct db *, struct arena *,
		    const struct post_in *p, int64_t id,
		    const struct principal *by, int64_t *out_id,
		    const char **field, const char **problem);

/*
 * Revisions of a post (written in db_post_write.c, read in
 * db_revision.c; the bounds are there).  db_post_write adds a "save"
 * by by.  db_revision_autosave stores title, summary and body (not
 * checked by the content rules: half-typed text) as an "autosave" by
 * by, leaving the post as it is; *rev and *at (ISO 8601 UTC, in the
 * arena) say which and when.  db_revision_restore makes revision rev's
 * title, summary and body the post's current ones (slug, status and
 * tags stay) and records that as a new "restore" revision *new_rev;
 * history is never rewritten.  Both: ST_OK; ST_NOTFOUND (no such post,
 * or rev is not one of its revisions); ST_FORBIDDEN (by is neither the
 * post's author nor an admin); ST_UNPROCESSABLE (a value the schema
 * refuses); ST_UNAVAILABLE; ST_INTERNAL.  db_revisions: post's
 * revisions, newest first, as an array of {id, kind, created_at, user
 * ({id, username, display_name}, null once the user is deleted),
 * title}; db_revision: one of them with summary and body_md too
 * (ST_NOTFOUND when rev is not post's).  JSON owned by the caller.
 * Callers check by may see the post (db_post_may_edit).
 */
enum status	 db_revision_autosave(struct db *, struct arena *,
		    int64_t post, const struct principal *by,
		    const char *title, const char *summary, const char *body,
		    int64_t *rev, const char **at);
enum status	 db_revision_restore(struct db *, struct arena *, int64_t post,
		    int64_t rev, const struct principal *by, int64_t *new_rev);
enum status	 db_revisions(struct db *, struct arena *, int64_t post,
		    struct json_object **out);
enum status	 db_revision(struct db *, struct arena *, int64_t post,
		    int64_t rev, struct json_object **out);

/*
 * Comments (db_comment.c).  db_comments: the approved comments of post
 * slug, oldest first (an empty array for none).  db_comment_add:
 * ST_NOTFOUND unless slug is a live post; ST_UNPROCESSABLE for a value
 * the schema refuses.  db_admin_comments: the newest 200 with status for
 * by (admins: all; authors: on their posts).  db_comment_moderate: sets
 * status, or deletes when status is NULL; ST_FORBIDDEN unless by is an
 * admin or the post's author.
 */
enum status	 db_comments(struct db *, struct arena *, const char *slug,
		    struct json_object **out);
enum status	 db_comment_add(struct db *, struct arena *,
		    const struct comment_in *);
enum status	 db_admin_comments(struct db *, struct arena *,
		    const char *status, const struct principal *by,
		    struct json_object **out);
enum status	 db_comment_moderate(struct db *, struct arena *, int64_t id,
		    const char *status, const struct principal *by);

/*
 * API tokens (db_token.c).  hash is token_hash() of the token
 * (TOKEN_HASH_BYTES); the token itself never reaches the database.
 * The size is defined here, where the hash is stored, for token.h too.
 */
#define TOKEN_HASH_BYTES	32	/* BLAKE2b-256 */

/* Adds a token named name for username; *id gets its id.  ST_OK;
 * ST_NOTFOUND when there is no such user; ST_UNPROCESSABLE when the
 * table's CHECK refuses the name. */
enum status	 db_token_add(struct db *, struct arena *, const char *username,
		    const char *name, const unsigned char *hash, int64_t *id);

/* Revokes token id (a revoked one keeps its first revocation time).
 * ST_OK; ST_NOTFOUND when there is no such token. */
enum status	 db_token_revoke(struct db *, struct arena *, int64_t id);

/* A token as inkwellctl token list shows it; never its hash. */
struct token_out {
	int64_t		 id;
	const char	*username, *name, *created;
	const char	*last_used, *revoked;	/* "" for never */
};

/* Every token of username (NULL: of everyone), by id; *out in the
 * arena. */
enum status	 db_token_list(struct db *, struct arena *,
		    const char *username, struct token_out **out, size_t *n);

/*
 * Fills *p (strings in the arena) with the owner of the token whose
 * hash is hash, unless it is revoked, and notes its use (at most once a
 * minute).  Asks the primary.  ST_OK; ST_UNAUTHORIZED for an unknown or
 * revoked token; ST_UNAVAILABLE; ST_INTERNAL.
 */
enum status	 db_token_principal(struct db *, struct arena *,
		    const unsigned char *hash, struct principal *p);

/*
 * Media files (db_media.c).  Strings in the arena; sha256 is 64 hex
 * digits; uploaded_by is the uploader's username, "" once that user is
 * deleted.
 */
struct media_variant_out {
	const char	*name, *content_type;
	unsigned	 width, height;
};

struct media_out {
	const char	*name, *content_type, *sha256, *uploaded_by;
	const char	*created;	/* ISO 8601, UTC */
	int64_t		 created_epoch;
	int64_t		 bytes;
	const char	*data;		/* db_media_get only: bytes long */
	unsigned	 width, height;	/* 0: not known (not processed) */
	const char	*alt;
	struct media_variant_out *variants;	/* widths ascending */
	size_t		 nvariants;
	bool		 variant;	/* db_media_get: a variant's bytes */
};

/*
 * Stores in under its name, unless the name is taken.  ST_OK with
 * *created set when it was stored, or clear when the same bytes were
 * there already (nothing changed); *out then describes what is stored.
 * ST_CONFLICT when the name holds other bytes; ST_UNPROCESSABLE when a
 * CHECK refuses it; ST_UNAVAILABLE; ST_INTERNAL.
 */
enum status	 db_media_put(struct db *, struct arena *,
		    const struct media_in *in, struct media_out *out,
		    bool *created);

/*
 * The file name with its bytes (out->data, valid until the arena is
 * reset), from the replica when it has it, else the primary; a name
 * that is no media file's may be a variant's (out->variant set; only
 * name, content_type, data, bytes, sha256 (the picture's) and the
 * times filled).  ST_OK; ST_NOTFOUND; ST_UNAVAILABLE; ST_INTERNAL.
 */
enum status	 db_media_get(struct db *, struct arena *, const char *name,
		    struct media_out *out);

/*
 * Deletes name if user uploaded it or admin is set.  ST_OK;
 * ST_FORBIDDEN when it is someone else's; ST_NOTFOUND; ST_UNAVAILABLE;
 * ST_INTERNAL.
 */
enum status	 db_media_delete(struct db *, struct arena *, const char *name,
		    int64_t user, bool admin);

/* Up to limit files (without data), newest first, from offset on. */
enum status	 db_media_list(struct db *, struct arena *, int limit,
		    int offset, struct media_out **out, size_t *n);

/*
 * Sets the alt text of name, if user uploaded it or admin is set; *out
 * describes it then.  ST_OK; ST_FORBIDDEN; ST_NOTFOUND; ST_UNPROCESSABLE
 * (the schema's CHECK); ST_UNAVAILABLE; ST_INTERNAL.
 */
enum status	 db_media_set_alt(struct db *, struct arena *, const char *name,
		    const char *alt, int64_t user, bool admin,
		    struct media_out *out);

/*
 * Replaces what is stored under in->name by in (bytes, size, hash and
 * variants; alt and uploader stay), in one transaction: inkwellctl media
 * reprocess.  ST_OK; ST_NOTFOUND; ST_UNAVAILABLE; ST_INTERNAL.
 */
enum status	 db_media_replace(struct db *, struct arena *,
		    const struct media_in *in);

/*
 * Stores in's variants for the media file in->name, in the transaction
 * the caller has open (a complete import, db_site.c); nothing else.
 * ST_OK; ST_NOTFOUND; ST_UNPROCESSABLE; ST_UNAVAILABLE; ST_INTERNAL.
 */
enum status	 db_media_load_variants(struct db *, struct arena *,
		    const struct media_in *in);

/* The names of every media file, oldest first. */
enum status	 db_media_names(struct db *, struct arena *, const char ***names,
		    size_t *n);

/*
 * The md_image_fn (content/md.h) of stored pictures: ctx is the struct
 * db.  Knows "/media/NAME" of a picture with a known size, and gives its
 * variants by format.  Reads the primary (posts are rendered when they
 * are written).
 */
struct md_image;
int		 db_md_image(void *ctx, struct arena *, const char *url,
		    struct md_image *img);

/*
 * Reads every post (all statuses) with its author and tags (sorted by
 * slug, names always set) from one snapshot, ordered by id.  *posts is
 * an array of *n in the arena, and so is everything it points to.
 * ST_OK, ST_UNAVAILABLE or ST_INTERNAL.
 */
enum status	 db_post_dump(struct db *, struct arena *,
		    struct post_out **posts, size_t *n);

/* Like db_post_dump, inside the transaction db_site_dump_begin opened. */
enum status	 db_post_dump_in(struct db *, struct arena *,
		    struct post_out **posts, size_t *n);

/*
 * A complete export (db_site.c; the format is in content/export.h).
 * db_site_dump_begin opens one read-only snapshot on the primary that
 * every db_site_dump_* and db_post_dump_in then read, until
 * db_site_end.  Every call that fails writes PostgreSQL's reason (one
 * line) to err and returns ST_UNAVAILABLE, ST_NOTFOUND or ST_INTERNAL;
 * after a failure the caller ends the transaction with db_site_end(...,
 * false, ...).
 */
enum status	 db_site_dump_begin(struct db *, struct arena *, char *err,
		    size_t errlen);
/* Appends the lines of file f (each with its '\n') to out; *lines says
 * how many.  secrets: with password and token hashes. */
struct buf;
enum status	 db_site_dump_lines(struct db *, struct arena *,
		    enum exp_file f, bool secrets, struct buf *out,
		    size_t *lines, char *err, size_t errlen);
/* The bytes of media file name, in the arena. */
enum status	 db_site_dump_media(struct db *, struct arena *,
		    const char *name, const void **bytes, size_t *n,
		    char *err, size_t errlen);
/* Commits (commit true) or rolls back the transaction either side
 * opened; err may be NULL when commit is false. */
enum status	 db_site_end(struct db *, struct arena *, bool commit,
		    char *err, size_t errlen);

/*
 * A complete import, one transaction: db_site_load_begin opens it,
 * locks the content tables and refuses (ST_CONFLICT, said in err) when
 * users, api_tokens, tags, posts, comments, media, redirects or
 * post_revisions hold a row; the rows go in with their ids, each through db_site_load_row (a
 * file's row as exp_line_parse read it; bytes are a media file's) or
 * db_site_load_post (posts.jsonl's row, the post its Markdown file
 * holds, tags named by slug); db_site_load_end sets every identity past
 * the largest id and commits.  A refused row says PostgreSQL's reason
 * in err and returns ST_CONFLICT, ST_UNPROCESSABLE, ST_UNAVAILABLE or
 * ST_INTERNAL; the caller then ends with db_site_end(..., false, ...),
 * and nothing is kept.
 */
enum status	 db_site_load_begin(struct db *, struct arena *, char *err,
		    size_t errlen);
enum status	 db_site_load_row(struct db *, struct arena *, enum exp_file f,
		    const struct exp_row *row, const void *bytes,
		    size_t nbytes, char *err, size_t errlen);
enum status	 db_site_load_post(struct db *, struct arena *,
		    const struct exp_row *row, const struct post_in *p,
		    char *err, size_t errlen);
enum status	 db_site_load_end(struct db *, struct arena *, char *err,
		    size_t errlen);

#endif
