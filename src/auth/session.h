/* SPDX-License-Identifier: MIT */
/*
 * session.h: who is signed in.  Sessions live in PostgreSQL (table
 * sessions); the browser holds a random token in an HttpOnly,
 * SameSite=Lax cookie (Secure when nginx spoke TLS), and the table
 * holds only its hash, so a leaked table signs nobody in.
 */
#ifndef INKWELL_SESSION_H
#define INKWELL_SESSION_H

#include <stdbool.h>

#include "lib/status.h"

struct arena;
struct principal;
struct req;

#define SESSION_COOKIE		"inkwell_session"
#define SESSION_TOKEN_LEN	43	/* base64url of 32 bytes */
#define SESSION_TTL		(14 * 24 * 3600)	/* seconds */

/*
 * For an RF_USER route: sets r->user from an "Authorization: Bearer"
 * API token (under /api/ only) or else from the session cookie.  A
 * session request whose method changes anything must carry the
 * session's CSRF token (form field "csrf" or header X-CSRF-Token), and
 * must not come from another site (session_same_site).  ST_OK;
 * ST_UNAUTHORIZED (no or unknown credential); ST_FORBIDDEN (CSRF);
 * ST_UNAVAILABLE when PostgreSQL is down.
 */
enum status	 session_require(struct req *);

/* The session the cookie names, if any: ST_OK with *p, ST_UNAUTHORIZED,
 * or a database failure. */
enum status	 session_find(struct req *, struct principal **p);

/*
 * False when the browser says the request comes from another site:
 * Sec-Fetch-Site other than same-origin or none, or an Origin whose host
 * is not the request's Host.  A request with neither header passes
 * (clients that are not browsers send none).
 */
bool		 session_same_site(struct req *);

/* For an unauthenticated page GET: a 303 to the login page that comes
 * back here.  False (nothing done) for the API and other methods. */
bool		 session_login_redirect(struct req *);

/* A fresh random token (session, CSRF, login form). */
void		 session_random(char out[SESSION_TOKEN_LEN + 1]);
/* Syntax of a token: exactly 43 base64url characters. */
bool		 session_token_ok(const char *);
/* Both well-formed and equal, compared in constant time. */
bool		 session_token_eq(const char *, const char *);
/* "\\x" and the hex BLAKE2b-256 of token: the sessions table's key. */
const char	*session_hash_hex(struct arena *, const char *token);

/* Adds a Set-Cookie: HttpOnly, the given SameSite, Secure behind TLS. */
void		 session_cookie(struct req *, const char *name,
		    const char *value, const char *path, int max_age,
		    const char *samesite);

#endif
