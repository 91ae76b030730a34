/* SPDX-License-Identifier: MIT */
/*
 * auth-t.c: Argon2id password hashes: what is refused, that a hash
 * verifies its password and nothing else, salts differ, parameters are
 * the ones chosen, hashes made with others ask to be redone, and
 * malformed or hostile stored hashes match nothing.
 */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "auth/auth.h"
#include "tap.h"
#include "lib/util.h"

static void
problems(void)
{
	char	 big[AUTH_PASSWORD_MAX + 2];

	ok(auth_password_problem("12345678", 8) == NULL, "8 characters: fine");
	ok(auth_password_problem("1234567", 7) != NULL, "7: too short");
	ok(auth_password_problem("p\xc3\xa4ssw\xc3\xb6rd", 10) == NULL,
	    "8 characters in 10 bytes of UTF-8: fine");
	ok(auth_password_problem("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", 8) !=
	    NULL, "4 characters in 8 bytes: too short");
	ok(auth_password_problem("abcdefg\xff", 8) != NULL, "not UTF-8");
	ok(auth_password_problem("abcd\tefgh", 9) != NULL, "a tab");
	ok(auth_password_problem("abcd\0efgh", 9) != NULL, "a NUL");
	ok(auth_password_problem("abcdefgh\x7f", 9) != NULL, "a DEL");
	memset(big, 'x', sizeof(big));
	ok(auth_password_problem(big, AUTH_PASSWORD_MAX) == NULL,
	    "1024 bytes: fine");
	ok(auth_password_problem(big, AUTH_PASSWORD_MAX + 1) != NULL,
	    "1025 bytes: too long");
}

static void
hashes(void)
{
	char	 h1[AUTH_HASH_MAX], h2[AUTH_HASH_MAX], old[AUTH_HASH_MAX];
	const char *pw = "correct horse battery staple";
	bool	 rehash = true;
	double	 t0;

	ok(auth_hash(pw, strlen(pw), h1) == 0, "a password hashes");
	ok(strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0,
	    "Argon2id, 19 MiB, 2 passes, 1 lane: %.40s", h1);
	ok(auth_verify(h1, pw, strlen(pw), &rehash), "it verifies");
	ok(!rehash, "and needs no rehash");
	ok(!auth_verify(h1, "correct horse battery stapl", 27, NULL),
	    "one character less does not");
	ok(!auth_verify(h1, "Correct horse battery staple", 28, NULL),
	    "another case does not");
	ok(auth_hash(pw, strlen(pw), h2) == 0 && strcmp(h1, h2) != 0,
	    "the same password hashed again differs (salt)");
	ok(auth_hash("short", 5, h2) == -1, "a refused password is not "
	    "hashed");

	/* Made with other parameters: matches, and asks to be redone. */
	ok(crypto_pwhash_str_alg(old, pw, strlen(pw), 1, 8u << 20,
	    crypto_pwhash_ALG_ARGON2ID13) == 0, "a hash with other "
	    "parameters");
	ok(auth_verify(old, pw, strlen(pw), &rehash) && rehash,
	    "verifies and asks for a rehash");

	ok(!auth_verify(NULL, pw, strlen(pw), NULL), "NULL hash: no");
	ok(!auth_verify("", pw, strlen(pw), NULL), "empty hash: no");
	ok(!auth_verify("$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA",
	    pw, strlen(pw), NULL), "argon2i (not id): no");
	ok(!auth_verify("$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB", pw,
	    strlen(pw), NULL), "a truncated hash: no");
	/* A stored hash naming 4 GiB and 4 million passes would hold a
	 * worker for hours: refused before libsodium sees it. */
	t0 = util_now();
	ok(!auth_verify("$argon2id$v=19$m=4194304,t=4000000,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGg",
	    pw, strlen(pw), NULL), "absurd parameters: no");
	ok(util_now() - t0 < 1.0, "at once");
	ok(!auth_verify("$argon2id$v=19$m=19456,t=2,p=64$"
	    "c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGg",
	    pw, strlen(pw), NULL), "64 lanes: no");
	ok(!auth_verify("$argon2id$v=19$m=99999999999999999999,t=2,p=1$"
	    "c2FsdA$aGFzaA", pw, strlen(pw), NULL), "an overflowing m: no");
	h1[10] ^= 1;
	ok(!auth_verify(h1, pw, strlen(pw), NULL), "a flipped byte: no");
}

int
main(void)
{
	plan_lazy();
	problems();
	hashes();
	return done_testing();
}
