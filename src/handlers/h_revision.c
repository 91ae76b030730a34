/* SPDX-License-Identifier: MIT */
/*
 * h_revision.c: a post's revisions, for its author and admins: the list
 * and a line diff of any two (admin page and API), restoring one (a new
 * "restore" revision; history is never rewritten), and the editor's
 * autosave, which keeps the typed text as a revision and leaves the
 * live post, and so every reader's page, as it was.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "handlers/admin.h"
#include "lib/arena.h"
#include "content/content.h"
#include "content/diff.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/log.h"
#include "http/out.h"
#include "http/req.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

/* A row id from a path capture or query value: 1 to 18 digits, else 0. */
static int64_t
row_id(const char *s)
{
	size_t	 n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > 18)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return strtoll(s, NULL, 10);
}

static const char *
get_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return "";
	return json_object_get_string(v);
}

static int64_t
get_id(struct json_object *o)
{
	struct json_object *v;

	return json_object_object_get_ex(o, "id", &v) ?
	    json_object_get_int64(v) : 0;
}

static void
put(void *o)
{
	json_object_put(o);
}

/* The API's post, by the slug in r->cap[0], that r->user may change:
 * its id.  ST_NOTFOUND, ST_FORBIDDEN. */
static enum status
api_post(struct req *r, int64_t *id)
{
	struct json_object *post;
	enum status	 st;

	if ((st = db_admin_post(r->w->db, r->a, 0, r->cap[0], &post)) !=
	    ST_OK)
		return st;
	*id = get_id(post);
	json_object_put(post);
	return db_post_may_edit(r->w->db, r->a, *id, r->user);
}

/*
 * The line diff of a's and b's body_md as table rows, with the title
 * and summary when they differ, added to view as "diff".
 */
static void
diff_view(struct req *r, struct json_object *view, struct json_object *a,
    struct json_object *b)
{
	struct json_object *d = json_object_new_object(), *rows;
	struct diff	 df;
	const char	*x = get_str(a, "body_md"), *y = get_str(b, "body_md");
	static const char *const ops[DIFF__MAX] = {
		"same",		/* DIFF_SAME */
		"del",		/* DIFF_DEL */
		"ins",		/* DIFF_ADD */
	};

	diff_lines(r->a, x, strlen(x), y, strlen(y), DIFF_CELLS_MAX, &df);
	json_object_object_add(d, "from", json_object_new_int64(get_id(a)));
	json_object_object_add(d, "to", json_object_new_int64(get_id(b)));
	json_object_object_add(d, "from_at", json_object_new_string(
	    get_str(a, "created_at")));
	json_object_object_add(d, "to_at", json_object_new_string(
	    get_str(b, "created_at")));
	if (strcmp(get_str(a, "title"), get_str(b, "title")) != 0) {
		json_object_object_add(d, "title_from", json_object_new_string(
		    get_str(a, "title")));
		json_object_object_add(d, "title_to", json_object_new_string(
		    get_str(b, "title")));
		json_object_object_add(d, "title_changed",
		    json_object_new_boolean(true));
	}
	if (strcmp(get_str(a, "summary"), get_str(b, "summary")) != 0) {
		json_object_object_add(d, "summary_from",
		    json_object_new_string(get_str(a, "summary")));
		json_object_object_add(d, "summary_to", json_object_new_string(
		    get_str(b, "summary")));
		json_object_object_add(d, "summary_changed",
		    json_object_new_boolean(true));
	}
	rows = json_object_new_array_ext((int)df.n);
	for (size_t i = 0; i < df.n; i++) {
		struct json_object *o = json_object_new_object();
		const struct diff_line *l = &df.l[i];

		json_object_object_add(o, "op",
		    json_object_new_string(ops[l->op]));
		json_object_object_add(o, "is_del",
		    json_object_new_boolean(l->op == DIFF_DEL));
		json_object_object_add(o, "is_ins",
		    json_object_new_boolean(l->op == DIFF_ADD));
		json_object_object_add(o, "is_same",
		    json_object_new_boolean(l->op == DIFF_SAME));
		if (l->old_no > 0)
			json_object_object_add(o, "old_no",
			    json_object_new_int64((int64_t)l->old_no));
		if (l->new_no > 0)
			json_object_object_add(o, "new_no",
			    json_object_new_int64((int64_t)l->new_no));
		/* A line is shown as text: bytes that are not UTF-8 (a NUL
		 * cannot be stored) would make json-c's string invalid. */
		json_object_object_add(o, "text", json_object_new_string_len(
		    l->p, (int)l->n));
		json_object_array_add(rows, o);
	}
	json_object_object_add(d, "rows", rows);
	json_object_object_add(d, "added", json_object_new_int64(
	    (int64_t)df.added));
	json_object_object_add(d, "deleted", json_object_new_int64(
	    (int64_t)df.deleted));
	json_object_object_add(d, "unchanged", json_object_new_boolean(
	    df.added == 0 && df.deleted == 0));
	json_object_object_add(d, "whole", json_object_new_boolean(df.whole));
	json_object_object_add(d, "cut", json_object_new_boolean(df.cut));
	json_object_object_add(view, "diff", d);
}

/* A query value that names a revision: its id, 0 when absent, -1 when
 * it is not an id. */
static int64_t
query_id(struct req *r, const char *key)
{
	const struct kv	*kv = input_find(r->qkv, r->nqkv, key);
	int64_t		 id;

	if (kv == NULL)
		return 0;
	return (id = row_id(kv->val)) == 0 ? -1 : id;
}

/*
 * GET /admin/posts/{id}/revisions[?from=R&to=R]: the list, with a
 * radio pair to choose two, and the diff of the two chosen (by default
 * the two newest).  404 for a post or revision that is not there or not
 * this post's; 403 for someone else's post.
 */
enum status
h_admin_revisions(struct req *r)
{
	struct json_object *view = view_new(r), *post, *list, *a = NULL,
	    *b = NULL, *o;
	int64_t		 id = row_id(r->cap[0]), from, to;
	enum status	 st;
	size_t		 n;

	if (id == 0)
		return ST_NOTFOUND;
	if ((from = query_id(r, "from")) < 0 || (to = query_id(r, "to")) < 0)
		return ST_NOTFOUND;
	if ((st = db_post_may_edit(r->w->db, r->a, id, r->user)) != ST_OK ||
	    (st = db_admin_post(r->w->db, r->a, id, NULL, &post)) != ST_OK)
		return st;
	json_object_object_add(view, "post", post);
	if ((st = db_revisions(r->w->db, r->a, id, &list)) != ST_OK)
		return st;
	json_object_object_add(view, "revisions", list);
	n = json_object_array_length(list);
	json_object_object_add(view, "comparable",
	    json_object_new_boolean(n >= 2));
	if (from == 0 && to == 0 && n >= 2) {
		to = get_id(json_object_array_get_idx(list, 0));
		from = get_id(json_object_array_get_idx(list, 1));
	} else if (from == 0 && to != 0)
		from = to;
	else if (to == 0 && from != 0)
		to = get_id(json_object_array_get_idx(list, 0));
	if (from != 0) {
		if ((st = db_revision(r->w->db, r->a, id, from, &a)) != ST_OK)
			return st;
		arena_defer(r->a, put, a);
		if ((st = db_revision(r->w->db, r->a, id, to, &b)) != ST_OK)
			return st;
		arena_defer(r->a, put, b);
		diff_view(r, view, a, b);
	}
	for (size_t i = 0; i < n; i++) {
		int64_t	 rev;

		o = json_object_array_get_idx(list, i);
		rev = get_id(o);
		json_object_object_add(o, "is_from",
		    json_object_new_boolean(rev == from));
		json_object_object_add(o, "is_to",
		    json_object_new_boolean(rev == to));
		json_object_object_add(o, "restore", json_object_new_string(
		    arena_printf(r->a, "/admin/posts/%lld/revisions/%lld/"
		    "restore", (long long)id, (long long)rev)));
		json_object_object_add(o, "is_autosave", json_object_new_boolean(
		    strcmp(get_str(o, "kind"), "autosave") == 0));
	}
	return admin_render(r, view, "revisions.html", "Revisions");
}

/* POST /admin/posts/{id}/revisions/{rev}/restore (CSRF checked before):
 * a 303 to the editor, which says it was restored. */
enum status
h_admin_revision_restore(struct req *r)
{
	int64_t		 id = row_id(r->cap[0]), rev = row_id(r->cap[1]), nr;
	enum status	 st;

	if (id == 0 || rev == 0)
		return ST_NOTFOUND;
	if ((st = db_revision_restore(r->w->db, r->a, id, rev, r->user,
	    &nr)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s restored revision %lld of post %lld "
	    "(revision %lld)", r->user->username, (long long)rev,
	    (long long)id, (long long)nr);
	return admin_redirect(r, arena_printf(r->a,
	    "/admin/posts/%lld?done=restored", (long long)id));
}

/*
 * The three texts an autosave keeps, from the post form's fields (read
 * by input_post_form before this runs): only their size and encoding
 * are checked, since half-typed text need not be a valid post.
 */
static bool
autosave_text(struct req *r, const char **title, const char **summary,
    const char **body)
{
	static const struct {
		enum post_key	 k;
		long		 max;
	} f[] = {
		{ PK_TITLE, CONTENT_TITLE_MAX },
		{ PK_SUMMARY, CONTENT_SUMMARY_MAX },
		{ PK_BODY_MD, CONTENT_BODY_MAX },
	};
	const char	*s[3];

	for (size_t i = 0; i < NELEM(f); i++) {
		s[i] = input_str(&r->fin[f[i].k]);
		if (r->fin[f[i].k].state == IS_INVALID)
			continue;
		if (s[i] == NULL)
			s[i] = "";
		if (content_chars(s[i], strlen(s[i])) > f[i].max)
			input_fail(&r->fails, i == 0 ? "title" : i == 1 ?
			    "summary" : "body_md", "too long");
	}
	*title = s[0];
	*summary = s[1];
	*body = s[2];
	return r->fails.n == 0;
}

/*
 * POST /admin/posts/{id}/autosave (the editor's script, with the CSRF
 * token): 200 {"revision": {"id", "kind", "created_at"}}.  The post is
 * not changed, so nothing a reader sees moves (not RF_WRITE).
 */
enum status
h_admin_post_autosave(struct req *r)
{
	struct json_object *root, *rev;
	const char	*title, *summary, *body, *at;
	int64_t		 id = row_id(r->cap[0]), rid;
	enum status	 st;

	if (id == 0)
		return ST_NOTFOUND;
	if (!autosave_text(r, &title, &summary, &body))
		return ST_UNPROCESSABLE;
	if ((st = db_revision_autosave(r->w->db, r->a, id, r->user, title,
	    summary, body, &rid, &at)) != ST_OK)
		return st;
	root = view_new(r);
	rev = json_object_new_object();
	json_object_object_add(rev, "id", json_object_new_int64(rid));
	json_object_object_add(rev, "kind",
	    json_object_new_string("autosave"));
	json_object_object_add(rev, "created_at", json_object_new_string(at));
	json_object_object_add(root, "revision", rev);
	out_json(r, root);
	r->resp.cache = "no-store";
	return ST_OK;
}

/* GET /api/v1/posts/{slug}/revisions: {"revisions": [...]}. */
enum status
h_api_revisions(struct req *r)
{
	struct json_object *root, *list;
	int64_t		 id;
	enum status	 st;

	if ((st = api_post(r, &id)) != ST_OK ||
	    (st = db_revisions(r->w->db, r->a, id, &list)) != ST_OK)
		return st;
	root = view_new(r);
	json_object_object_add(root, "revisions", list);
	out_json(r, root);
	r->resp.cache = "no-store";
	return ST_OK;
}

/* GET /api/v1/posts/{slug}/revisions/{id}: {"revision": {... body_md}}. */
enum status
h_api_revision(struct req *r)
{
	struct json_object *root, *rev;
	int64_t		 id, rid = row_id(r->cap[1]);
	enum status	 st;

	if (rid == 0)
		return ST_NOTFOUND;
	if ((st = api_post(r, &id)) != ST_OK ||
	    (st = db_revision(r->w->db, r->a, id, rid, &rev)) != ST_OK)
		return st;
	root = view_new(r);
	json_object_object_add(root, "revision", rev);
	out_json(r, root);
	r->resp.cache = "no-store";
	return ST_OK;
}

/* POST /api/v1/posts/{slug}/revisions/{id}/restore: 200 {"post": the
 * post as stored now, "revision": the new "restore" revision}. */
enum status
h_api_revision_restore(struct req *r)
{
	struct json_object *root, *post, *rev;
	int64_t		 id, rid = row_id(r->cap[1]), nr;
	enum status	 st;

	if (rid == 0)
		return ST_NOTFOUND;
	if ((st = api_post(r, &id)) != ST_OK ||
	    (st = db_revision_restore(r->w->db, r->a, id, rid, r->user,
	    &nr)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s restored revision %lld of post %lld through "
	    "the API", r->user->username, (long long)rid, (long long)id);
	if ((st = db_admin_post(r->w->db, r->a, id, NULL, &post)) != ST_OK)
		return st;
	root = view_new(r);
	json_object_object_add(root, "post", post);
	if (db_revision(r->w->db, r->a, id, nr, &rev) == ST_OK) {
		json_object_object_del(rev, "body_md");
		json_object_object_del(rev, "summary");
		json_object_object_add(root, "revision", rev);
	}
	out_json(r, root);
	r->resp.cache = "no-store";
	return ST_OK;
}
