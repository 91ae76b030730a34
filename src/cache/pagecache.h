/* SPDX-License-Identifier: MIT */
/* pagecache.h: the page cache as a request sees it (pagecache.c). */
#ifndef INKWELL_PAGECACHE_H
#define INKWELL_PAGECACHE_H

#include "lib/status.h"

struct req;

/*
 * The page cache key for r: the path and the validated query values in
 * key-table order, so equivalent URLs share an entry.  NULL (not cached)
 * when the query holds a key the table does not know or a value that
 * failed validation (the handler must see those to answer 400), when
 * there is a form body, or when the key would be too long.  Arena string.
 */
const char	*pagecache_key(struct req *r);

/*
 * The redirect a GET or HEAD of r->path with no content follows
 * (db_redirect_find): the answer made (its code, Location with the
 * request's query for a path target, no body) and ST_OK, *stored then
 * "CODE LOCATION" as the page cache keeps it (arena); ST_NOTFOUND when
 * there is none (or for another method); ST_UNAVAILABLE or ST_INTERNAL
 * when the database cannot say.
 */
enum status	 pagecache_redirect(struct req *r, const char **stored);

/*
 * Runs a cacheable handler through the page cache.  A hit is answered
 * from Redis with the headers the page was made with; a miss runs the
 * handler and stores a 200.  Either then becomes a page file when files
 * are on.  X-Cache tells which.  A handler's ST_NOTFOUND becomes the
 * redirect of pagecache_redirect() when there is one, stored like a
 * page (never as a page file).  r->w->cache must be set.  Returns what
 * the handler returned (ST_OK for a hit or a redirect).
 */
enum status	 pagecache_run(struct req *r,
		    enum status (*handler)(struct req *));

#endif
