/* SPDX-License-Identifier: MIT */
/*
 * session.h: who is signed in.  Sessions live in PostgreSQL (table
 * sessions); the browser holds a random token in an HttpOnly,
 * SameSite=Lax cookie (Secure when nginx spoke TLS), and the table
 * holds only its hash, so a leaked table signs nobody in.
 */
#ifndef INKWELL_SESSION_H
#define INKWELL_SESSION_H

#include "status.h"

struct req;

#define SESSION_COOKIE	"inkwell_session"

/*
 * For an RF_USER route: sets r->user from an "Authorization: Bearer"
 * API token (under /api/ only) or else from the session cookie.  A
 * session request whose method changes anything must carry the
 * session's CSRF token (form field "csrf" or header X-CSRF-Token), and
 * must not come from another site (Origin, Sec-Fetch-Site).  ST_OK;
 * ST_UNAUTHORIZED (no or unknown credential); ST_FORBIDDEN (CSRF);
 * ST_UNAVAILABLE when PostgreSQL is down.
 */
enum status	 session_require(struct req *);

#endif
