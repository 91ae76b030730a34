/* SPDX-License-Identifier: MIT */
/* wxr.h: reading the posts out of a WordPress export (WXR) file. */
#ifndef INKWELL_WXR_H
#define INKWELL_WXR_H

#include <stddef.h>
#include <stdio.h>

struct arena;
struct post_out;

#define WXR_FILE_MAX	(64 * 1024 * 1024)

/*
 * Reads the WXR file at path and turns every item whose wp:post_type is
 * "post" into a post: title; wp:post_name as slug (made from the title
 * when empty); dc:creator as author (made a username; display name from
 * the channel's wp:author list); wp:status publish, future, draft,
 * pending and private as published, scheduled, draft, draft, draft
 * (items with any other status are skipped); wp:post_date_gmt as
 * published_at and wp:post_modified_gmt as updated_at (UTC);
 * excerpt:encoded as summary (text only); category elements of domain
 * post_tag or category as tags (nicename as slug, text as name);
 * content:encoded converted to Markdown by html_md_convert().
 *
 * The file is parsed whole before anything is returned, without network
 * access, external entities or DTD loading, and without expanding
 * entities (a reference to a declared entity contributes nothing), so it
 * cannot read local files or blow up; it may be at most WXR_FILE_MAX
 * bytes.  Each skipped item gets a line on report.  Returns 0 with
 * *posts, an array of *n in the arena (as is everything it points to),
 * or -1 with "path:line: reason" in err and nothing returned.
 */
int	 wxr_read(struct arena *, const char *path, struct post_out **posts,
	    size_t *n, FILE *report, char *err, size_t errlen);

#endif
