/* SPDX-License-Identifier: MIT */
/*
 * token.h: API tokens.  A token is "iw_" and 43 characters of base64url
 * (32 random bytes); the table api_tokens holds its BLAKE2b-256 hash,
 * never the token, so a leaked table grants nothing.  Made and revoked
 * with inkwellctl token add|revoke|list.
 */
#ifndef INKWELL_TOKEN_H
#define INKWELL_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"		/* TOKEN_HASH_BYTES */
#include "lib/status.h"

struct req;

#define TOKEN_PREFIX		"iw_"
#define TOKEN_LEN		46	/* "iw_" and 43 base64url characters */

/*
 * Makes a new token from 32 bytes of libsodium's randombytes_buf into
 * out (TOKEN_LEN characters and a NUL).  The caller shows it once and
 * keeps only token_hash() of it.  Aborts when libsodium cannot start.
 */
void		 token_new(char out[TOKEN_LEN + 1]);

/* The hash stored for the token tok[0..n): BLAKE2b-256 of its text. */
void		 token_hash(const char *tok, size_t n,
		    unsigned char out[TOKEN_HASH_BYTES]);

/*
 * Finds the token in an Authorization header value: the scheme "Bearer"
 * in any case, one or more spaces, then a token of exactly the shape
 * token_new() makes, and nothing after it.  Looks at no more than a few
 * hundred bytes of value, however long it is.  true with *tok pointing
 * into value (TOKEN_LEN bytes, not NUL-terminated there) when it is
 * well-formed; false otherwise (*tok NULL).
 */
bool		 token_parse_bearer(const char *value, const char **tok);

/*
 * Sets r->user to the owner of the bearer token in value (the
 * Authorization header's value, "Bearer iw_..."), and records its use
 * (last_used_at, written at most once a minute per token).  Looked up
 * on the primary, so a token revoked a moment ago is refused at once.
 * ST_OK; ST_UNAUTHORIZED when malformed, unknown or revoked;
 * ST_UNAVAILABLE when PostgreSQL is down.
 */
enum status	 token_principal(struct req *, const char *value);

#endif
