/* SPDX-License-Identifier: MIT */
/* error.h: status to HTTP, and the error answer for a request. */
#ifndef INKWELL_ERROR_H
#define INKWELL_ERROR_H

#include "lib/status.h"

struct req;

/* HTTP status for st (500 for a value out of range). */
int		 error_http_status(enum status st);

/*
 * Writes the error response for st (used for parse errors too): the
 * status's stock message, or r->resp.detail when a handler said why, or
 * else the first failed field and why.  Under /api/ this is the one
 * writer of a JSON error: {"error": {"status", "code", "message"}}, with
 * "fields" (name: why) when r->fails names any.  A 401 under /api/
 * carries a WWW-Authenticate bearer challenge.
 */
void		 error_page(struct req *r, enum status st);

/* error_page() for a server error given as its HTTP code (500..599; any
 * other is taken as 500), as an injected fault answers (serve/chaos.h):
 * 503 as ST_UNAVAILABLE, the others as ST_INTERNAL with their own code. */
void		 error_page_http(struct req *r, int http);

#endif
