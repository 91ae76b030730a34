/* SPDX-License-Identifier: MIT */
/*
 * h_comment.c: readers' comments, and their moderation.
 *
 * The comment form sits on a cached page that is the same for every
 * reader, so its token cannot be per reader: it is a keyed hash of the
 * post's slug under a site key kept in PostgreSQL.  A post without it
 * (a script that never loaded the page) is a 403; a post from another
 * site is refused by Origin/Sec-Fetch-Site.  Against spam: a honeypot
 * field people never see (a bot that fills it is told its comment was
 * received, and nothing is stored), a limit per address shared by every
 * worker, and moderation: comments are held until approved unless the
 * site says otherwise (setting "comments": held, open or closed).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "handlers/admin.h"
#include "lib/arena.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/log.h"
#include "http/out.h"
#include "view/page.h"
#include "http/req.h"
#include "auth/session.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

#define COMMENT_WINDOW		600	/* seconds */
#define COMMENT_PER_ADDR	5	/* comments per address per window */

/* The form token of post slug into out; false when the site key cannot
 * be read (PostgreSQL down). */
static bool
form_token(struct req *r, const char *slug, char out[SESSION_TOKEN_LEN + 1])
{
	struct worker	*w = r->w;
	unsigned char	 h[32];
	char		 fresh[2 + 64 + 1];
	unsigned char	 bin[32];

	if (!w->form_key_ok) {
		randombytes_buf(bin, sizeof(bin));
		fresh[0] = '\\';
		fresh[1] = 'x';
		sodium_bin2hex(fresh + 2, 65, bin, sizeof(bin));
		if (db_site_key(w->db, r->a, "comment_form", fresh,
		    w->form_key) != ST_OK)
			return false;
		w->form_key_ok = true;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)slug,
	    strlen(slug), w->form_key, sizeof(w->form_key));
	sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, h, sizeof(h),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return true;
}

/* The site's comment policy: "held" (default), "open" or "closed". */
static const char *
policy(struct json_object *view)
{
	struct json_object *site, *v;
	const char	*s;

	if (json_object_object_get_ex(view, "site", &site) &&
	    json_object_object_get_ex(site, "comments", &v) &&
	    (s = json_object_get_string(v)) != NULL &&
	    (strcmp(s, "open") == 0 || strcmp(s, "closed") == 0))
		return s;
	return "held";
}

/* Adds the form (when comments are not closed) to view; fields are
 * what the reader typed, after a refusal. */
static enum status
add_form(struct req *r, struct json_object *view, const char *slug,
    struct json_object *fields)
{
	char		 tok[SESSION_TOKEN_LEN + 1];
	struct json_object *f = fields ? fields : json_object_new_object();

	if (strcmp(policy(view), "closed") == 0) {
		json_object_put(f);
		return ST_OK;
	}
	if (!form_token(r, slug, tok)) {
		json_object_put(f);
		return ST_UNAVAILABLE;
	}
	json_object_object_add(f, "csrf", json_object_new_string(tok));
	json_object_object_add(f, "action", json_object_new_string(
	    arena_printf(r->a, "/posts/%s/comments", slug)));
	json_object_object_add(f, "held", json_object_new_boolean(
	    strcmp(policy(view), "held") == 0));
	json_object_object_add(view, "comment_form", f);
	return ST_OK;
}

enum status
comment_view(struct req *r, struct json_object *view, const char *slug)
{
	struct json_object *list;
	enum status	 st;

	if ((st = db_comments(r->w->db, r->a, slug, &list)) != ST_OK)
		return st;
	return comment_view_of(r, view, slug, list);
}

enum status
comment_view_of(struct req *r, struct json_object *view, const char *slug,
    struct json_object *list)
{
	json_object_object_add(view, "comments", list);
	json_object_object_add(view, "comment_count", json_object_new_int(
	    (int)json_object_array_length(list)));
	return add_form(r, view, slug, NULL);
}

/* A field of the comment form (input_pair): "" when absent (every
 * field but the name and the body may be left out), NULL when invalid. */
static const char *
field(struct req *r, const char *key)
{
	enum input_state st;
	const char	*s = input_pair(r->form, r->nform, key,
	    INPUT_MAX_VALUE, &st);

	return st == IS_ABSENT ? "" : s;
}

/* Why the comment is refused, or NULL. */
static const char *
problem(const char *name, const char *email, const char *url,
    const char *body)
{
	const char	*at;

	if (!util_text_ok(name, 1, 100, false))
		return "Your name must be 1 to 100 characters on one line.";
	if (!util_text_ok(email, 0, 254, false) || (*email != '\0' &&
	    ((at = strchr(email, '@')) == NULL || at == email ||
	    at[1] == '\0' || strchr(email, ' ') != NULL)))
		return "That email address does not look right.";
	if (!util_text_ok(url, 0, 500, false) || (*url != '\0' &&
	    strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) || strchr(url, ' ') != NULL)
		return "A website must start with http:// or https://.";
	if (!util_text_ok(body, 1, 10000, true))
		return "A comment must be 1 to 10,000 characters.";
	return NULL;
}

/* The answer page: a message, and the form again after a refusal. */
static enum status
result(struct req *r, struct json_object *view, const char *slug,
    int status, const char *message, struct json_object *fields)
{
	struct json_object *res = json_object_new_object();
	enum status	 st;

	json_object_object_add(res, "message",
	    json_object_new_string(message));
	json_object_object_add(res, "url", json_object_new_string(
	    arena_printf(r->a, "/posts/%s", slug)));
	json_object_object_add(view, "comment_result", res);
	if (fields != NULL && (st = add_form(r, view, slug, fields)) != ST_OK)
		return st;
	page_meta(r, view, "Your comment", NULL,
	    arena_printf(r->a, "/posts/%s", slug), "website");
	json_object_object_add(json_object_object_get(view, "page"),
	    "noindex", json_object_new_boolean(1));
	if ((st = page_render(r, view, "comment.html")) != ST_OK)
		return st;
	r->resp.status = status;
	r->resp.cache = "no-store";
	r->resp.etag = false;
	return ST_OK;
}

/* A value sent, to show back in the form: "" when absent or not UTF-8. */
static void
show(struct json_object *fields, const char *key, const char *v)
{
	json_object_object_add(fields, key, json_object_new_string(v != NULL &&
	    util_utf8_valid(v, strlen(v)) ? v : ""));
}

enum status
h_comment_post(struct req *r)
{
	struct json_object *view = view_new(r), *fields;
	const char	*slug = r->cap[0];
	const char	*name = field(r, "name"), *email = field(r, "email");
	const char	*url = field(r, "url"), *body = field(r, "body");
	const char	*hp = field(r, "website"), *why, *pol;
	char		 tok[SESSION_TOKEN_LEN + 1];
	struct comment_in c;
	int		 hits, retry;
	enum status	 st;

	if (!util_slug_ok(slug, strlen(slug), 200))
		return ST_NOTFOUND;
	if (!session_same_site(r)) {
		log_msg(LOG_WARN, "refused a cross-site comment on %s (req_id "
		    "%s)", slug, r->id);
		return ST_FORBIDDEN;
	}
	if ((st = view_site(r, view)) != ST_OK)
		return st;
	pol = policy(view);
	if (strcmp(pol, "closed") == 0)
		return ST_FORBIDDEN;
	if (!form_token(r, slug, tok))
		return ST_UNAVAILABLE;
	if (!session_token_eq(field(r, "csrf"), tok)) {
		log_msg(LOG_WARN, "refused a comment on %s without the form's "
		    "token (req_id %s)", slug, r->id);
		return ST_FORBIDDEN;
	}
	if (hp == NULL || *hp != '\0') {
		log_msg(LOG_INFO, "dropped a comment on %s: the honeypot was "
		    "filled (remote %s)", slug, r->remote_addr ?
		    r->remote_addr : "-");
		return result(r, view, slug, 200, "Thank you: your comment "
		    "is held for moderation.", NULL);
	}
	fields = json_object_new_object();
	show(fields, "name", name);
	show(fields, "email", email);
	show(fields, "url", url);
	show(fields, "body", body);
	if ((why = problem(name, email, url, body)) != NULL)
		return result(r, view, slug, 422, why, fields);
	if ((st = db_throttle(r->w->db, r->a, arena_printf(r->a,
	    "comment:addr:%s", r->remote_addr ? r->remote_addr : "-"),
	    COMMENT_WINDOW, true, &hits, &retry)) != ST_OK) {
		json_object_put(fields);
		return st;
	}
	if (hits > COMMENT_PER_ADDR) {
		log_msg(LOG_WARN, "comment on %s from %s refused: %d in the "
		    "window", slug, r->remote_addr ? r->remote_addr : "-",
		    hits);
		out_header(r, "Retry-After", arena_printf(r->a, "%d", retry));
		return result(r, view, slug, 429, "You have sent many comments "
		    "in a short time; please wait a few minutes.", fields);
	}
	c.slug = slug;
	c.name = name;
	c.email = email;
	c.url = url;
	c.body = body;
	c.status = strcmp(pol, "open") == 0 ? "approved" : "pending";
	c.remote_addr = r->remote_addr;
	if ((st = db_comment_add(r->w->db, r->a, &c)) != ST_OK) {
		json_object_put(fields);
		return st;
	}
	json_object_put(fields);
	r->changed = strcmp(c.status, "approved") == 0;
	log_msg(LOG_INFO, "comment on %s from %s, %s", slug,
	    r->remote_addr ? r->remote_addr : "-", c.status);
	return result(r, view, slug, 200, strcmp(c.status, "approved") == 0 ?
	    "Thank you: your comment is published." :
	    "Thank you: your comment is held for moderation.", NULL);
}

enum status
h_admin_comments(struct req *r)
{
	struct json_object *view = view_new(r), *list;
	const struct kv	*s = input_find(r->qkv, r->nqkv, "status");
	const char	*status = "pending";
	enum status	 st;

	if (s != NULL && (strcmp(s->val, "approved") == 0 ||
	    strcmp(s->val, "spam") == 0))
		status = s->val;
	if ((st = db_admin_comments(r->w->db, r->a, status, r->user,
	    &list)) != ST_OK)
		return st;
	json_object_object_add(view, "comments", list);
	return admin_render(r, view, "comments.html",
	    strcmp(status, "pending") == 0 ? "Comments held for moderation" :
	    strcmp(status, "approved") == 0 ? "Approved comments" :
	    "Spam");
}

enum status
h_admin_comment_moderate(struct req *r)
{
	const struct kv	*a = input_find(r->form, r->nform, "action");
	const char	*status, *done;
	int64_t		 id = 0;
	size_t		 n = strlen(r->cap[0]);
	enum status	 st;

	if (n == 0 || n > 18 || strspn(r->cap[0], "0123456789") != n ||
	    (id = strtoll(r->cap[0], NULL, 10)) == 0)
		return ST_NOTFOUND;
	if (a == NULL)
		return ST_UNPROCESSABLE;
	if (strcmp(a->val, "approve") == 0) {
		status = "approved";
		done = "approved";
	} else if (strcmp(a->val, "spam") == 0) {
		status = "spam";
		done = "spam";
	} else if (strcmp(a->val, "delete") == 0) {
		status = NULL;
		done = "deleted";
	} else
		return ST_UNPROCESSABLE;
	if ((st = db_comment_moderate(r->w->db, r->a, id, status, r->user)) !=
	    ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s: comment %lld %s", r->user->username,
	    (long long)id, done);
	return admin_redirect(r, arena_printf(r->a, "/admin/comments?done=%s",
	    done));
}
