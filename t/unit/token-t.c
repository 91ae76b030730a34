/* SPDX-License-Identifier: MIT */
/*
 * token-t.c: API tokens without a database: new tokens have the
 * documented shape and differ, the hash is BLAKE2b-256 of the text, and
 * the Authorization header parser takes exactly "Bearer <token>" and
 * refuses hostile and near-miss values.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tap.h"
#include "auth/token.h"

/* 40 and 43 base64url characters: the latter is a token after "iw_". */
#define T40	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define T43	T40 "AAA"

static const char GOOD[] = "iw_" T43;

static void
shapes(void)
{
	char		 t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1];
	unsigned char	 h[TOKEN_HASH_BYTES], want[TOKEN_HASH_BYTES];
	const char	*p;

	is_int(TOKEN_LEN, (int64_t)strlen(GOOD), "the fixture has a token's "
	    "length");
	token_new(t1);
	token_new(t2);
	is_int(TOKEN_LEN, (int64_t)strlen(t1), "a new token has %d characters",
	    TOKEN_LEN);
	ok(strncmp(t1, "iw_", 3) == 0, "and starts with iw_: %.6s...", t1);
	ok(strspn(t1 + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == TOKEN_LEN - 3, "then base64url only");
	ok(strcmp(t1, t2) != 0, "two new tokens differ");
	ok(token_parse_bearer(t1, &p) == false, "a token without the scheme "
	    "is not a header value");

	token_hash(GOOD, strlen(GOOD), h);
	crypto_generichash(want, sizeof(want), (const unsigned char *)GOOD,
	    strlen(GOOD), NULL, 0);
	ok(memcmp(h, want, sizeof(h)) == 0, "the hash is BLAKE2b-256 of the "
	    "text");
	token_hash(t1, TOKEN_LEN, want);
	ok(memcmp(h, want, sizeof(h)) != 0, "another token hashes apart");
}

static void
parse(void)
{
	static const struct {
		const char	*value;
		bool		 good;
		const char	*what;
	} cases[] = {
		{ "Bearer " "iw_" T43, true,
		    "Bearer and a token" },
		{ "bearer " "iw_" T43, true,
		    "the scheme in lower case" },
		{ "BEARER " "iw_" T43, true,
		    "the scheme in upper case" },
		{ "Bearer   iw_Az09-_" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAA", true, "several spaces, every base64url class" },
		{ "Bearer", false, "the scheme alone" },
		{ "Bearer ", false, "the scheme and a space" },
		{ "", false, "empty" },
		{ "Basic " "iw_" T43, false,
		    "another scheme" },
		{ "Bearerx" "iw_" T43, false,
		    "no space after the scheme" },
		{ "Bearer\t" "iw_" T43, false,
		    "a tab for the space" },
		{ " Bearer " "iw_" T43, false,
		    "a space before the scheme" },
		{ "Bearer " "iw_" T43 " ", false,
		    "a space after the token" },
		{ "Bearer " "iw_" T43 "A", false,
		    "one character too many" },
		{ "Bearer " "iw_" T40 "AA", false,
		    "one character short" },
		{ "Bearer " "IW_" T43, false,
		    "the prefix in upper case" },
		{ "Bearer " "xx_" T43, false,
		    "another prefix" },
		{ "Bearer " "iw_" T40 "AA=", false,
		    "base64 padding" },
		{ "Bearer " "iw_" T40 "A+A", false,
		    "a base64 (not base64url) character" },
		{ "Bearer " "iw_" T40 "A/A", false,
		    "a slash" },
		{ "Bearer " "iw_" T40 "A\rA", false,
		    "a CR inside" },
		{ "Bearer " "iw_" T40 "\xc3\xa9" "A",
		    false, "non-ASCII bytes" },
		{ "Bearer " "iw_" T43 ", Bearer " "iw_" T43, false,
		    "two tokens" },
		{ "Bearer iw_", false, "the prefix alone" },
	};
	const char	*tok;
	char		*big;
	size_t		 n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = token_parse_bearer(cases[i].value, &tok);

		ok(got == cases[i].good, "%s: %s", cases[i].what,
		    cases[i].good ? "taken" : "refused");
		if (cases[i].good)
			ok(tok != NULL && strncmp(tok, "iw_", 3) == 0 &&
			    strlen(tok) == TOKEN_LEN, "  and points at the "
			    "token");
		else
			ok(tok == NULL, "  and gives no token");
	}
	ok(!token_parse_bearer(NULL, &tok) && tok == NULL, "NULL: refused");

	/* Spaces to pad far past any real header, then a good token: the
	 * parser stops looking long before the end. */
	n = 100000;
	big = malloc(n + TOKEN_LEN + 8);
	memcpy(big, "Bearer ", 7);
	memset(big + 7, ' ', n);
	memcpy(big + 7 + n, GOOD, TOKEN_LEN + 1);
	ok(!token_parse_bearer(big, &tok), "a 100 kB value is refused");
	free(big);
}

int
main(void)
{
	plan_lazy();
	if (sodium_init() < 0)
		bail("libsodium failed to initialise");
	shapes();
	parse();
	return done_testing();
}
