/* SPDX-License-Identifier: MIT */
/*
 * h_login.c: signing in and out.
 *
 * The login form is guarded against login CSRF (someone else's site
 * signing the reader in as its own user) by a double-submit token: the
 * form's hidden field must equal a cookie only this site can set.
 * Failures are counted per account and per address in PostgreSQL, so
 * the limit holds across every worker and host; the count is read before
 * the password is checked, so a locked account costs no Argon2 work.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "handlers/admin.h"
#include "lib/arena.h"
#include "auth/auth.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/log.h"
#include "http/out.h"
#include "http/req.h"
#include "auth/session.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

#define LOGIN_COOKIE	"inkwell_login"
#define LOGIN_WINDOW	900	/* seconds a failure counts */
#define LOGIN_PER_USER	5	/* failures per account per window */
#define LOGIN_PER_ADDR	20	/* failures per address per window */

/* Where to go after signing in: an admin page, nothing else. */
static const char *
next_page(const char *next)
{
	if (next == NULL || strncmp(next, "/admin", 6) != 0 ||
	    (next[6] != '\0' && next[6] != '/' && next[6] != '?') ||
	    strstr(next, "//") != NULL || strchr(next, '\\') != NULL ||
	    !util_utf8_valid(next, strlen(next)) || strlen(next) > 1000)
		return "/admin";
	for (const char *p = next; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "/admin";
	return next;
}

/* A field of the login form (input_pair): NULL when absent or
 * invalid. */
static const char *
form(struct req *r, const char *key)
{
	return input_pair(r->form, r->nform, key, INPUT_MAX_VALUE, NULL);
}

/* The login page, with the form token (a new one unless the browser has
 * a well-formed one already: two tabs then share it). */
static enum status
login_page(struct req *r, int status, const char *error,
    const char *username, const char *next)
{
	struct json_object *view = view_new(r), *login;
	const char	*tok = req_cookie(r, LOGIN_COOKIE);
	char		 fresh[SESSION_TOKEN_LEN + 1];

	if (!session_token_ok(tok)) {
		session_random(fresh);
		tok = arena_strdup(r->a, fresh);
	}
	session_cookie(r, LOGIN_COOKIE, tok, "/admin/login", 3600, "Strict");
	login = json_object_new_object();
	json_object_object_add(login, "csrf", json_object_new_string(tok));
	json_object_object_add(login, "next",
	    json_object_new_string(next_page(next)));
	json_object_object_add(login, "username",
	    json_object_new_string(username != NULL ? username : ""));
	json_object_object_add(view, "login", login);
	if (error != NULL)
		json_object_object_add(view, "error",
		    json_object_new_string(error));
	r->resp.status = status;
	return admin_render(r, view, "login.html", "Sign in");
}

enum status
h_login(struct req *r)
{
	struct principal *p;
	const struct kv	*next = input_find(r->qkv, r->nqkv, "next");
	enum status	 st;

	/* Signed in already: straight on. */
	if ((st = session_find(r, &p)) == ST_OK)
		return admin_redirect(r, next_page(next ? next->val : NULL));
	if (st != ST_UNAUTHORIZED)
		return st;
	return login_page(r, 200, NULL, NULL, next ? next->val : NULL);
}

/* Counts a failure against both buckets. */
static enum status
failed(struct req *r, const char *ubucket, const char *abucket)
{
	int		 hits, retry;
	enum status	 st;

	if ((st = db_throttle(r->w->db, r->a, ubucket, LOGIN_WINDOW, true,
	    &hits, &retry)) != ST_OK)
		return st;
	return db_throttle(r->w->db, r->a, abucket, LOGIN_WINDOW, true, &hits,
	    &retry);
}

enum status
h_login_post(struct req *r)
{
	const char	*user = form(r, "username"), *pw = form(r, "password");
	const char	*next = next_page(form(r, "next"));
	const char	*ubucket, *abucket;
	struct db_login	 l;
	char		 tok[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	char		 hash[AUTH_HASH_MAX];
	int		 uhits = 0, ahits = 0, uretry = 0, aretry = 0;
	bool		 rehash = false, ok;
	enum status	 st;

	if (!session_same_site(r) ||
	    !session_token_eq(form(r, "csrf"), req_cookie(r, LOGIN_COOKIE))) {
		log_msg(LOG_WARN, "refused a sign-in without its form token "
		    "(req_id %s)", r->id);
		return login_page(r, 403, "The sign-in form had expired; "
		    "please try again.", NULL, next);
	}
	if (user == NULL || pw == NULL ||
	    !util_username_ok(user, strlen(user)) ||
	    strlen(pw) > AUTH_PASSWORD_MAX)
		return login_page(r, 403, "Wrong username or password.",
		    user != NULL && util_username_ok(user, strlen(user)) ?
		    user : NULL, next);

	ubucket = arena_printf(r->a, "login:user:%s", user);
	abucket = arena_printf(r->a, "login:addr:%s",
	    r->remote_addr != NULL ? r->remote_addr : "-");
	if ((st = db_throttle(r->w->db, r->a, ubucket, LOGIN_WINDOW, false,
	    &uhits, &uretry)) != ST_OK ||
	    (st = db_throttle(r->w->db, r->a, abucket, LOGIN_WINDOW, false,
	    &ahits, &aretry)) != ST_OK)
		return st;
	if (uhits >= LOGIN_PER_USER || ahits >= LOGIN_PER_ADDR) {
		int retry = uhits >= LOGIN_PER_USER ? uretry : aretry;

		if (ahits >= LOGIN_PER_ADDR && aretry > retry)
			retry = aretry;
		log_msg(LOG_WARN, "sign-in for %s from %s refused: too many "
		    "failures (%d for the account, %d for the address)", user,
		    r->remote_addr ? r->remote_addr : "-", uhits, ahits);
		out_header(r, "Retry-After", arena_printf(r->a, "%d", retry));
		return login_page(r, 429, arena_printf(r->a, "Too many failed "
		    "sign-ins. Try again in %d minute%s.", (retry + 59) / 60,
		    (retry + 59) / 60 == 1 ? "" : "s"), user, next);
	}

	if ((st = db_login_user(r->w->db, r->a, user, &l)) != ST_OK &&
	    st != ST_NOTFOUND)
		return st;
	/* Unknown users cost the same Argon2 work as known ones. */
	ok = auth_verify(st == ST_OK ? l.password_hash : NULL, pw, strlen(pw),
	    &rehash);
	if (!ok) {
		log_msg(LOG_WARN, "failed sign-in for %s from %s", user,
		    r->remote_addr ? r->remote_addr : "-");
		if ((st = failed(r, ubucket, abucket)) != ST_OK)
			return st;
		return login_page(r, 403, "Wrong username or password.", user,
		    next);
	}
	(void)db_throttle_clear(r->w->db, r->a, ubucket);
	/* Said only to whoever knows the password. */
	if (l.disabled) {
		log_msg(LOG_WARN, "sign-in for %s from %s refused: the user is "
		    "disabled", user, r->remote_addr ? r->remote_addr : "-");
		return login_page(r, 403, "This account is disabled. Ask an "
		    "administrator to enable it.", user, next);
	}
	if (rehash && auth_hash(pw, strlen(pw), hash) == 0)
		(void)db_login_rehash(r->w->db, r->a, l.id, hash);

	session_random(tok);
	session_random(csrf);
	if ((st = db_session_add(r->w->db, r->a, session_hash_hex(r->a, tok),
	    l.id, csrf, SESSION_TTL)) != ST_OK)
		return st;
	log_msg(LOG_INFO, "%s signed in from %s", l.username,
	    r->remote_addr ? r->remote_addr : "-");
	session_cookie(r, SESSION_COOKIE, tok, "/", SESSION_TTL, "Lax");
	session_cookie(r, LOGIN_COOKIE, "", "/admin/login", 0, "Strict");
	sodium_memzero(tok, sizeof(tok));
	return admin_redirect(r, next);
}

enum status
h_logout(struct req *r)
{
	const char	*tok = req_cookie(r, SESSION_COOKIE);
	enum status	 st;

	if ((st = db_session_delete(r->w->db, r->a,
	    session_hash_hex(r->a, tok))) != ST_OK)
		return st;
	log_msg(LOG_INFO, "%s signed out", r->user->username);
	session_cookie(r, SESSION_COOKIE, "", "/", 0, "Lax");
	return admin_redirect(r, "/admin/login");
}
