/* SPDX-License-Identifier: MIT */
/*
 * principal.h: who made a request.  The database layer fills it (a
 * session or an API token names a user); the request carries a pointer
 * to it (r->user).  It lives here, the lowest layer that needs its
 * members, so the db_*.c files need not include the request.
 */
#ifndef INKWELL_PRINCIPAL_H
#define INKWELL_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Who made the request, for routes marked RF_USER (route.h): set by
 * session_require() from the session cookie or, under /api/, from an
 * "Authorization: Bearer" API token.  Strings live in the arena.
 */
struct principal {
	int64_t		 id;		/* users.id */
	const char	*username;
	const char	*display_name;
	bool		 admin;		/* role admin; else author */
	const char	*csrf;		/* the session's form token; NULL for
					 * an API token (no ambient credential,
					 * so no CSRF check) */
	int64_t		 token_id;	/* api_tokens.id, 0 for a session */
};

#endif
