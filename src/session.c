/* SPDX-License-Identifier: MIT */
/*
 * session.c: signing in and out, and who a request comes from.
 */
#include "config.h"

#include <string.h>

#include "req.h"
#include "session.h"
#include "token.h"

enum status
session_require(struct req *r)
{
	if (r->authorization != NULL && r->api)
		return token_principal(r, r->authorization);
	return ST_UNAUTHORIZED;
}
