/* SPDX-License-Identifier: MIT */
/*
 * content.h: the rules of posts and tags, in one place: their limits,
 * how a title or a tag name becomes a slug, how typed tags are split,
 * and the check of a whole post.  The admin pages, the JSON API, both
 * importers and the writers in the database layer all ask here, so a
 * post is refused for the same reasons whichever way it came in.
 *
 * Content knows no SQL and no HTTP: it sees strings, never a request.
 */
#ifndef INKWELL_CONTENT_H
#define INKWELL_CONTENT_H

#include <stdbool.h>
#include <stddef.h>

#include "content/items.h"

struct arena;

/* The limits; sql/ holds the same numbers as CHECKs, the last word. */
#define CONTENT_SLUG_MAX	200	/* bytes of a post slug */
#define CONTENT_TAG_SLUG_MAX	100	/* bytes of a tag slug */
#define CONTENT_TAG_NAME_MAX	100	/* characters of a tag name */
#define CONTENT_TITLE_MAX	1000	/* characters of a title */
#define CONTENT_SUMMARY_MAX	5000	/* characters of a summary */
#define CONTENT_BODY_MAX	1048576	/* characters of body_md */
#define CONTENT_TAGS_MAX	100	/* tags on one post */
#define CONTENT_DISPLAY_MAX	100	/* characters of a display name */

/* struct post_in, the post a writer takes, is in content/items.h. */

/* The fields of a post, as forms, bodies and error answers name them. */
enum post_field {
	PF_SLUG,
	PF_TITLE,
	PF_SUMMARY,
	PF_BODY_MD,
	PF_STATUS,
	PF_PUBLISHED_AT,
	PF_UPDATED_AT,
	PF_AUTHOR,
	PF_TAGS,
	PF__MAX
};

extern const char *const content_post_fields[];

/*
 * Characters (code points) in s[0..n), or -1 when it is not valid UTF-8.
 */
long		 content_chars(const char *s, size_t n);

/*
 * The slug of a title or a tag name: ASCII letters and digits,
 * lower-cased; every other run of bytes between two of them becomes one
 * '-' (so non-ASCII letters fall away).  A slug longer than max bytes is
 * cut after the last whole word that fits, so a long title keeps a
 * readable address and never ends in half a word; a first word longer
 * than max alone is cut at max.  Returns an arena string, or NULL when
 * no letter or digit is left.
 */
char		*content_slugify(struct arena *, const char *s, size_t max);

/*
 * The tags of one post as an author types them ("Rust, C, unix"), or as
 * an importer collects them one by one.  Arrays in the arena, room for
 * CONTENT_TAGS_MAX.
 */
struct content_tags {
	const char	**slugs;
	const char	**names;
	size_t		  n;
};

void		 content_tags_init(struct content_tags *, struct arena *);

/*
 * Adds the tag named name, whose slug is slug, or, when slug is NULL or
 * has no letter or digit, content_slugify(name).  A tag whose slug is
 * already there is skipped (the first name wins).  0 added or skipped;
 * -1 with *why when the name gives no slug, -1 with *why when the list
 * is full.  name is kept, not copied.
 */
int		 content_tag_add(struct content_tags *, struct arena *,
		    const char *name, const char *slug, const char **why);

/*
 * Splits comma-separated names, each trimmed of blanks (empty ones are
 * skipped), into t with content_tag_add.  0, or -1 with *why (static).
 */
int		 content_tags_parse(struct content_tags *, struct arena *,
		    const char *text, const char **why);

/*
 * Checks every field of p against the rules, and a post written by a
 * signed-in user (by_user: the admin form, the API) needs no author.
 * why[f] gets a static sentence for each field f that fails and NULL
 * for the others.  Returns how many fields failed: 0 when p may be
 * written.  A published post may leave published_at out (it goes live
 * at once); a scheduled one may not.
 */
size_t		 content_post_check(const struct post_in *p, bool by_user,
		    const char *why[PF__MAX]);

#endif
