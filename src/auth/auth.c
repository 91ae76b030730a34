/* SPDX-License-Identifier: MIT */
/*
 * auth.c: Argon2id password hashes (libsodium's crypto_pwhash_str).
 *
 * Parameters: 2 passes over 19 MiB, one lane (the OWASP baseline for
 * Argon2id).  A login then costs tens of milliseconds and 19 MiB for
 * the moment it runs; libsodium frees the memory at once, so a worker's
 * resident size comes back down afterwards.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "auth/auth.h"
#include "lib/util.h"

#define OPSLIMIT	2ULL
#define MEMLIMIT	(19ULL << 20)

_Static_assert(AUTH_HASH_MAX >= crypto_pwhash_STRBYTES,
    "AUTH_HASH_MAX must hold a crypto_pwhash string");

/* Characters of UTF-8 text known to be valid. */
static size_t
chars(const char *s, size_t n)
{
	size_t	 c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

const char *
auth_password_problem(const char *pw, size_t n)
{
	if (n > AUTH_PASSWORD_MAX)
		return "a password may have at most 1024 bytes";
	if (!util_utf8_valid(pw, n))
		return "a password must be UTF-8 text";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)pw[i] < 0x20 || pw[i] == 0x7f)
			return "a password may not hold control characters";
	if (chars(pw, n) < AUTH_PASSWORD_MIN)
		return "a password needs at least 8 characters";
	return NULL;
}

int
auth_hash(const char *pw, size_t n, char out[AUTH_HASH_MAX])
{
	if (auth_password_problem(pw, n) != NULL || sodium_init() < 0)
		return -1;
	return crypto_pwhash_str_alg(out, pw, n, OPSLIMIT, MEMLIMIT,
	    crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : -1;
}

/* Reads "<key>=<digits>" at *p; false past limit or malformed. */
static bool
param(const char **p, char key, unsigned long limit, unsigned long *out)
{
	const char	*s = *p;
	unsigned long	 v = 0;

	if (s[0] != key || s[1] != '=' || s[2] < '0' || s[2] > '9')
		return false;
	for (s += 2; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > limit)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

/*
 * A stored hash is only as trusted as the database: one naming gigabytes
 * or millions of passes would hold a worker for hours.  At most 256 MiB,
 * 16 passes and 4 lanes.
 */
static bool
sane_params(const char *hash)
{
	const char	*p = hash + strlen(crypto_pwhash_argon2id_STRPREFIX);
	unsigned long	 v, m, t, l;

	return param(&p, 'v', 99, &v) && *p++ == '$' &&
	    param(&p, 'm', 256UL << 10, &m) && *p++ == ',' &&
	    param(&p, 't', 16, &t) && *p++ == ',' &&
	    param(&p, 'p', 4, &l) && *p == '$' && l > 0;
}

bool
auth_verify(const char *hash, const char *pw, size_t n, bool *rehash)
{
	if (rehash != NULL)
		*rehash = false;
	if (hash == NULL || hash[0] == '\0' ||
	    strlen(hash) >= crypto_pwhash_STRBYTES ||
	    strncmp(hash, crypto_pwhash_argon2id_STRPREFIX,
	    strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0 ||
	    n > AUTH_PASSWORD_MAX || !sane_params(hash) || sodium_init() < 0)
		return false;
	if (crypto_pwhash_str_verify(hash, pw, n) != 0)
		return false;
	if (rehash != NULL)
		*rehash = crypto_pwhash_str_needs_rehash(hash, OPSLIMIT,
		    MEMLIMIT) != 0;
	return true;
}
