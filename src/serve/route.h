/* SPDX-License-Identifier: MIT */
/* route.h: the static route table and the dispatcher. */
#ifndef INKWELL_ROUTE_H
#define INKWELL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/status.h"

struct arena;
struct req;

typedef enum status (*handler_fn)(struct req *);

/* Bit per method; HEAD is served by a GET route. */
#define RM_GET		(1u << 0)
#define RM_POST		(1u << 2)
#define RM_PUT		(1u << 3)
#define RM_DELETE	(1u << 4)
#define RM_PATCH	(1u << 5)

/* Route flags. */
#define RF_CACHE	(1u << 0)	/* GET/HEAD 200s go to the page cache */
/* Signed-in users only: session_require() runs first and sets r->user
 * (401, or a redirect to the login page, otherwise; 403 for a form or
 * script request with a session but without its CSRF token). */
#define RF_USER		(1u << 1)
/* The body is a file: up to [server] media_max_bytes, not max_body. */
#define RF_UPLOAD	(1u << 2)
/* May commit a change readers see: a page generation is reserved before
 * the handler runs (503 when the page-files directory can take none
 * and cannot lose the current one), and swapped in after a commit. */
#define RF_WRITE	(1u << 3)

struct route {
	unsigned	 methods;
	const char	*pattern;	/* "/p/{slug}": literal or {capture} segments */
	handler_fn	 handler;
	unsigned	 flags;
};

/*
 * Matches path against one pattern; on a match stores up to REQ_MAXCAPS
 * captures (pointers into arena copies) in caps/ncaps and returns true.
 * A capture matches one non-empty segment.  A trailing slash is
 * significant: "/a/" does not match "/a".
 */
bool		 route_match(struct arena *, const char *pattern,
		    const char *path, const char **caps, size_t *ncaps);

/*
 * True when the route that r's method and path lead to is an upload
 * (RF_UPLOAD), so its body may be larger than others.  For req_parse's
 * limit, before the request is dispatched.
 */
bool		 route_upload(const struct req *r);

/*
 * Finds the route for r (404 ST_NOTFOUND, 405 ST_METHOD with an Allow
 * header), runs it, and turns any non-OK status into an error response
 * (HTML, or JSON for /api/ paths).  Always leaves a complete response in
 * r->resp.
 */
void		 route_dispatch(struct req *r);

/*
 * Routes as metrics see them: ids 0 .. route_count() - 1, each with the
 * method and pattern it is labelled with.  The table's routes come
 * first, then "(none)" (no route), "(method)" (405) and "(parse)" (the
 * request was refused before routing).  route_dispatch() sets
 * r->route_id; route_id_pseudo() gives a pseudo-route's id.
 */
size_t		 route_count(void);
/* True when pattern is the pattern of a route of the table (not a
 * pseudo-route), as a [chaos] route must be. */
bool		 route_known(const char *pattern);
int		 route_id_pseudo(const char *name);
void		 route_label(size_t id, const char **method,
		    const char **pattern);

#endif
