/* SPDX-License-Identifier: MIT */
/*
 * fuzz-bearer.c: libFuzzer target for token_parse_bearer, the parser of
 * the Authorization header every API request may carry.
 *
 * Checks that a value is taken only when it is "Bearer" in some case,
 * spaces and a token of exactly the documented shape, that the token
 * pointer lies inside the value, and that the answer does not depend on
 * anything after the NUL.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/token.h"
#include "fuzz/fuzz.h"

static bool
b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s = malloc(size + 1);
	const char	*tok;
	size_t		 len;
	bool		 got;

	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	got = token_parse_bearer(s, &tok);
	if (!got) {
		CHECK(tok == NULL);
		goto out;
	}
	CHECK(tok != NULL && tok >= s + 7 && tok + TOKEN_LEN == s + len);
	CHECK(strncasecmp(s, "Bearer ", 7) == 0);
	for (const char *p = s + 6; p < tok; p++)
		CHECK(*p == ' ');
	CHECK(memcmp(tok, TOKEN_PREFIX, 3) == 0);
	for (size_t i = 3; i < TOKEN_LEN; i++)
		CHECK(b64url(tok[i]));
out:
	free(s);
	return 0;
}
