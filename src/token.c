/* SPDX-License-Identifier: MIT */
/*
 * token.c: API tokens (token.h).
 */
#include "config.h"

#include "req.h"
#include "token.h"

enum status
token_principal(struct req *r, const char *value)
{
	(void)r;
	(void)value;
	return ST_UNAUTHORIZED;
}
