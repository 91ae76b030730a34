/* SPDX-License-Identifier: MIT */
/*
 * token.c: API tokens (token.h): making them, hashing them, and finding
 * who sent one.
 *
 * Only the hash is stored.  BLAKE2b rather than a password hash: a token
 * carries 256 random bits, so there is nothing to guess and no need to
 * make each guess dear, and a lookup costs one hash, not 19 MiB of
 * Argon2 on every API request.  The lookup is by hash (a unique index),
 * so its time says nothing about how near a guess came.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "lib/arena.h"
#include "db/db.h"
#include "db/principal.h"
#include "lib/log.h"
#include "http/req.h"
#include "auth/token.h"
#include "lib/worker_state.h"

#define TOKEN_RANDOM	32
/* "Bearer", spaces and a token: more than this is not one of ours. */
#define MAX_HEADER	256

_Static_assert(sizeof(TOKEN_PREFIX) - 1 +
    sodium_base64_ENCODED_LEN(TOKEN_RANDOM,
    sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1 == TOKEN_LEN,
    "TOKEN_LEN must be the prefix and the base64url of TOKEN_RANDOM bytes");

void
token_new(char out[TOKEN_LEN + 1])
{
	unsigned char	 rnd[TOKEN_RANDOM];
	size_t		 pre = sizeof(TOKEN_PREFIX) - 1;

	if (sodium_init() < 0) {
		log_msg(LOG_ERROR, "libsodium failed to initialise");
		abort();
	}
	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, TOKEN_PREFIX, pre);
	sodium_bin2base64(out + pre, TOKEN_LEN + 1 - pre, rnd, sizeof(rnd),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof(rnd));
}

void
token_hash(const char *tok, size_t n, unsigned char out[TOKEN_HASH_BYTES])
{
	crypto_generichash(out, TOKEN_HASH_BYTES, (const unsigned char *)tok,
	    n, NULL, 0);
}

static bool
b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool
token_parse_bearer(const char *value, const char **tok)
{
	const char	*t;
	size_t		 n, pre = sizeof(TOKEN_PREFIX) - 1;

	*tok = NULL;
	if (value == NULL)
		return false;
	n = strnlen(value, MAX_HEADER + 1);
	if (n > MAX_HEADER || n < 7 || strncasecmp(value, "Bearer ", 7) != 0)
		return false;
	for (t = value + 7; *t == ' '; t++)
		continue;
	if ((size_t)(value + n - t) != TOKEN_LEN ||
	    memcmp(t, TOKEN_PREFIX, pre) != 0)
		return false;
	for (size_t i = pre; i < TOKEN_LEN; i++)
		if (!b64url(t[i]))
			return false;
	*tok = t;
	return true;
}

enum status
token_principal(struct req *r, const char *value)
{
	unsigned char	 h[TOKEN_HASH_BYTES];
	struct principal *p;
	const char	*tok;
	enum status	 st;

	if (!token_parse_bearer(value, &tok))
		return ST_UNAUTHORIZED;
	token_hash(tok, TOKEN_LEN, h);
	p = arena_zalloc(r->a, sizeof(*p));
	if ((st = db_token_principal(r->w->db, r->a, h, p)) == ST_OK)
		r->user = p;
	return st;
}
