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
 * Runs a cacheable handler through the page cache.  A hit is answered
 * from Redis with the headers the page was made with; a miss runs the
 * handler and stores a 200.  Either then becomes a page file when files
 * are on.  X-Cache tells which.  r->w->cache must be set.  Returns what
 * the handler returned (ST_OK for a hit).
 */
enum status	 pagecache_run(struct req *r,
		    enum status (*handler)(struct req *));

#endif
