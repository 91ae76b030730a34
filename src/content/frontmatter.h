/* SPDX-License-Identifier: MIT */
/*
 * frontmatter.h: the front matter block of a post's Markdown file, read
 * and written in a small, strict subset of YAML.
 *
 * A file is
 *
 *	---
 *	title: "Hello, world"
 *	slug: hello-world
 *	date: 2026-01-05T09:00:00Z
 *	updated: 2026-01-06T10:30:00Z
 *	status: published
 *	author: admin
 *	author_name: Site Admin
 *	summary: "A first post: what this blog is for."
 *	feature_image: harbour.jpg
 *	tags: [c: C, postgresql: PostgreSQL, notes: "Notes, misc"]
 *	---
 *
 *	The body, in Markdown, byte for byte.
 *
 * The grammar (YAML reads the same values from such a file, except that
 * an empty value is null there):
 *  - The file starts with the line "---"; the block ends at the next line
 *    that is exactly "---".  One empty line after it is optional and not
 *    part of the body; everything after that is the body, unchanged.
 *  - Each line of the block is "key: value", a comment starting with '#'
 *    in the first column, or empty.  Keys are those of enum fm_key; an
 *    unknown or repeated key is an error.
 *  - A value is empty (the empty string), bare (the rest of the line,
 *    trailing blanks removed), or double-quoted.  A bare value may not
 *    start with a YAML indicator (one of , [ ] { } # & * ! | > ' " % @ `,
 *    or - ? : followed by a blank), end with ':', or contain ": " or
 *    " #"; such values must be quoted.
 *  - A quoted value knows the escapes \" \\ \/ \n \r \t, "\ " for a
 *    space and \xHH for an ASCII character 01 to 7F.  A backslash at the
 *    end of a line continues the string on the next line, which must be
 *    indented; that indentation is not part of the value.  No other
 *    line break can appear in a quoted value.
 *  - tags is a list "[item, item, ...]", which may go on over indented
 *    lines; each item is "slug: Name", or just "slug" (the name is then
 *    not given, and an existing tag keeps its name).  The slug is a tag
 *    slug (a-z, 0-9, single '-' inside, at most 100 bytes); the name is
 *    bare (no ',' ':' '#' '[' ']' '{' '}') or quoted, and not empty.
 *    Both are kept exactly, so a tag round-trips with slug and name.
 *  - Bytes: UTF-8 only, no NUL anywhere in the file; no control
 *    character but tab in the block (a CR is refused: LF line ends).
 *
 * Limits: file FM_FILE_MAX bytes, lines of the block FM_LINE_MAX bytes
 * (the body's lines are not limited), FM_KEYS_MAX "key:" lines (counted
 * before the keys are looked up), FM_TAGS_MAX items in a list.  Errors
 * read "file:line: reason".
 */
#ifndef INKWELL_FRONTMATTER_H
#define INKWELL_FRONTMATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "content/content.h"

struct arena;
struct buf;

#define FM_FILE_MAX	(2 * 1024 * 1024)
#define FM_LINE_MAX	8192
#define FM_KEYS_MAX	64
#define FM_TAGS_MAX	CONTENT_TAGS_MAX

enum fm_key {
	FM_TITLE,
	FM_SLUG,
	FM_DATE,		/* published_at */
	FM_UPDATED,		/* updated_at */
	FM_STATUS,		/* draft | published | scheduled */
	FM_AUTHOR,		/* username */
	FM_AUTHOR_NAME,		/* display name */
	FM_SUMMARY,
	FM_KIND,		/* post | page; absent is post */
	FM_FEATURE_IMAGE,	/* a media name; absent is none */
	FM_TAGS,		/* the list; val[FM_TAGS] is unused */
	FM__MAX
};

/* The key names, indexed by enum fm_key. */
extern const char *const fm_key_names[FM__MAX];

struct fm_tag {
	const char	*slug;
	const char	*name;		/* NULL: not given */
};

struct fm {
	const char	*val[FM__MAX];	/* NULL: the key is absent */
	bool		 has_tags;	/* the tags key is present */
	struct fm_tag	*tags;
	size_t		 ntags;
	const char	*body;		/* not NUL-terminated */
	size_t		 body_len;
};

/*
 * Parses text[0..n) (a whole file).  On success returns 0 and fills *fm:
 * values are NUL-terminated strings in the arena, and body points into
 * text, so both live as long as the arena and text do.  On failure
 * returns -1 and writes "name:line: reason" (NUL-terminated, truncated
 * to errlen) to err; *fm is then unspecified.  Besides the grammar it
 * checks that status is one of the three and that tag slugs are slugs,
 * unique, with non-empty names.
 */
int	 fm_parse(struct arena *, const char *name, const char *text,
	    size_t n, struct fm *fm, char *err, size_t errlen);

/*
 * Appends the file for *fm (keys in enum order, absent ones left out,
 * then the fence, an empty line and the body) to b.  Values are quoted
 * and escaped whenever the bare form would not read back the same, and
 * long ones are split over lines, so fm_parse() gives back exactly *fm
 * when every string is UTF-8 without NUL, the tag slugs are valid and
 * unique and the status is valid.
 */
void	 fm_write(struct buf *b, const struct fm *fm);

#endif
