/* SPDX-License-Identifier: MIT */
/* wxr.h: reading a WordPress export (WXR): posts, their comments, the
 * authors and the attachments. */
#ifndef INKWELL_WXR_H
#define INKWELL_WXR_H

#include <stddef.h>
#include <stdio.h>

#include "content/items.h"

struct arena;

#define WXR_FILE_MAX		(64 * 1024 * 1024)
#define WXR_COMMENTS_MAX	10000	/* comments read per post */
#define WXR_DEPTH_MAX		32	/* replies nested deeper are left out */
#define WXR_ATTACHMENTS_MAX	100000	/* attachment items read per file */
#define WXR_PATH_MAX		2000	/* redirects.from_path, an URL */

/* A comment, fit for the comments table. */
struct wxr_comment {
	const char	*author_name;	/* 1 to 100 characters */
	const char	*author_email;	/* "" or at most 254 bytes, with '@' */
	const char	*author_url;	/* "" or http(s)://, no blanks */
	const char	*body;		/* 1 to 10000 characters */
	const char	*created_at;	/* ISO 8601, or NULL (now) */
	const char	*status;	/* approved, pending or spam */
	long		 parent;	/* index of the one it answers, or -1 */
	int		 depth;		/* 0 for a comment on the post */
};

struct wxr_post {
	struct post_out	 out;
	const char	*html;		/* content:encoded, as given */
	const char	*old_path;	/* the path of <link>, or NULL */
	struct wxr_comment *comments;	/* every parent before its replies */
	size_t		 ncomments;
};

struct wxr_author {
	const char	*username;	/* util_username_ok */
	const char	*display_name;	/* 1 to 100 characters */
	const char	*email;		/* NULL or as wxr_comment's */
};

struct wxr_attachment {
	const char	*url;	/* wp:attachment_url */
	const char	*rel;	/* decoded path below wp-content/uploads/,
				 * or NULL; unchecked: may hold ".." */
	const char	*base;	/* decoded last segment, or NULL */
	const char	*author; /* username from dc:creator, or admin */
	int		 line;
};

/* What was left out, by kind, for the summary line. */
struct wxr_skips {
	size_t		 comments;	/* trash, other states, bad fields */
	size_t		 pings;		/* pingbacks and trackbacks */
	size_t		 threads;	/* too deep, or answering in a circle */
	size_t		 limit;		/* past WXR_COMMENTS_MAX or
					 * WXR_ATTACHMENTS_MAX */
};

struct wxr_export {
	struct wxr_post	*posts;
	size_t		 nposts;
	struct wxr_author *authors;
	size_t		 nauthors;
	struct wxr_attachment *attachments;
	size_t		 nattachments;
	struct wxr_skips skips;
};

/*
 * Reads a WXR export from text[0..len) (name is what messages call it)
 * and turns every item whose wp:post_type is "post" into a post: title;
 * wp:post_name as slug (made from the title when empty); dc:creator as
 * author (made a username; display name from the channel's wp:author
 * list); wp:status publish, future, draft, pending and private as
 * published, scheduled, draft, draft, draft (items with any other status
 * are skipped); wp:post_date_gmt as published_at and wp:post_modified_gmt
 * as updated_at (UTC); excerpt:encoded as summary (text only); category
 * elements of domain post_tag or category as tags (nicename as slug, text
 * as name); content:encoded converted to Markdown by html_md_convert();
 * the path of <link> as old_path when it is a plain path.
 *
 * A post's wp:comment elements become its comments: wp:comment_approved
 * 1, 0 and spam as approved, pending and spam; any other state (trash)
 * and pingbacks and trackbacks (wp:comment_type) are left out and
 * counted in skips.  wp:comment_parent makes a thread; a reply to a
 * comment that is not there becomes a comment on the post; replies
 * nested deeper than WXR_DEPTH_MAX, and comments answering in a circle,
 * are left out and counted.  At most WXR_COMMENTS_MAX per post.
 *
 * Every wp:author becomes an author; items of type attachment become
 * attachments (at most WXR_ATTACHMENTS_MAX).
 *
 * Parsed without network access, external entities or DTD loading, and
 * without expanding entities (a reference to a declared entity
 * contributes nothing), so it cannot read local files or blow up; text
 * may be at most WXR_FILE_MAX bytes.  Each skipped item gets a line on
 * report (when not NULL).  Returns 0 with *x filled, everything in the
 * arena, or -1 with "name:line: reason" in err and *x empty.
 */
int	 wxr_parse(struct arena *, const char *name, const char *text,
	    size_t len, struct wxr_export *x, FILE *report, char *err,
	    size_t errlen);

/* wxr_parse of the file at path (which must be a regular file of at
 * most WXR_FILE_MAX bytes); the same return. */
int	 wxr_read(struct arena *, const char *path, struct wxr_export *x,
	    FILE *report, char *err, size_t errlen);

/* One old address and where it is now (media name for an attachment). */
struct wxr_map {
	const char	*from;		/* an absolute URL */
	const char	*to;		/* a path on this site */
};

/*
 * html with every occurrence of a map's from (or of it with the other of
 * http and https) that ends where an URL may end replaced by its to;
 * *changed says whether any was.  The result is in the arena.
 */
char	*wxr_rewrite(struct arena *, const char *html,
	    const struct wxr_map *map, size_t n, int *changed);

/*
 * Whether rel (an attachment's path below the uploads folder) may be
 * looked up below a folder: relative, of segments that are neither
 * empty, "." nor "..", without NUL or backslash, at most WXR_PATH_MAX
 * bytes.  Symbolic links are the caller's to refuse when it opens.
 */
int	 wxr_rel_ok(const char *rel);

#endif
