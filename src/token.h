/* SPDX-License-Identifier: MIT */
/*
 * token.h: API tokens.  A token is "iw_" and 43 characters of base64url
 * (32 random bytes); the table api_tokens holds its BLAKE2b-256 hash,
 * never the token, so a leaked table grants nothing.  Made and revoked
 * with inkwellctl token add|revoke|list.
 */
#ifndef INKWELL_TOKEN_H
#define INKWELL_TOKEN_H

#include "status.h"

struct req;

/*
 * Sets r->user to the owner of the bearer token in value (the
 * Authorization header's value, "Bearer iw_..."), and records its use.
 * ST_OK; ST_UNAUTHORIZED when malformed, unknown or revoked;
 * ST_UNAVAILABLE when PostgreSQL is down.
 */
enum status	 token_principal(struct req *, const char *value);

#endif
