/* SPDX-License-Identifier: MIT */
/*
 * auth.h: passwords.  Argon2id through libsodium, with parameters fixed
 * here so every hash inkwell makes costs the same; verification takes
 * whatever parameters a stored hash names, and says when it should be
 * made again with the current ones.
 */
#ifndef INKWELL_AUTH_H
#define INKWELL_AUTH_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes a password may have: at least 8 characters' worth, at most
 * 1024 (Argon2 would take more; nobody types it). */
#define AUTH_PASSWORD_MIN	8
#define AUTH_PASSWORD_MAX	1024

/* Room for a hash string, NUL included (crypto_pwhash_STRBYTES). */
#define AUTH_HASH_MAX		128

/*
 * Why a password is refused, or NULL when it is acceptable: fewer than
 * AUTH_PASSWORD_MIN characters, more than AUTH_PASSWORD_MAX bytes, not
 * UTF-8, or a control character in it.
 */
const char	*auth_password_problem(const char *pw, size_t n);

/*
 * Hashes pw into out (AUTH_HASH_MAX bytes): "$argon2id$v=19$m=...".  0,
 * or -1 when the password is refused or memory ran out.
 */
int		 auth_hash(const char *pw, size_t n, char out[AUTH_HASH_MAX]);

/*
 * True when pw matches hash.  *rehash (if not NULL) is set when it
 * matched but was made with other parameters.  A NULL, empty or
 * malformed hash matches nothing.
 */
bool		 auth_verify(const char *hash, const char *pw, size_t n,
		    bool *rehash);

#endif
