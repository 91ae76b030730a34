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
 * status's stock message, or r->resp.detail when a handler said why.
 * A 401 under /api/ carries a WWW-Authenticate bearer challenge.
 */
void		 error_page(struct req *r, enum status st);

#endif
