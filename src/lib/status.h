/* SPDX-License-Identifier: MIT */
/* status.h: outcome of a handler or helper; mapped to HTTP in view/error.c only. */
#ifndef INKWELL_STATUS_H
#define INKWELL_STATUS_H

enum status {
	ST_OK,			/* response produced (status in resp) */
	ST_NOTFOUND,		/* 404 */
	ST_INVALID,		/* 400: malformed input */
	ST_UNAUTHORIZED,	/* 401 */
	ST_FORBIDDEN,		/* 403 */
	ST_METHOD,		/* 405: path exists, method does not */
	ST_CONFLICT,		/* 409 */
	ST_BODYTOOBIG,		/* 413 */
	ST_URITOOLONG,		/* 414 */
	ST_UNSUPPORTED,		/* 415: body media type not accepted */
	ST_UNPROCESSABLE,	/* 422: well-formed but fails validation */
	ST_TOOMANY,		/* 429 */
	ST_HDRTOOBIG,		/* 431 */
	ST_INTERNAL,		/* 500 */
	ST_UNAVAILABLE,		/* 503: PostgreSQL down, shutting down */
	ST__MAX
};

#endif
