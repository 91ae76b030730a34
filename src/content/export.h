/* SPDX-License-Identifier: MIT */
/*
 * export.h: the files of a complete export (inkwellctl export) and the
 * rules that read them back: one table of fields per file, a line
 * reader for its JSON lines and a reader for the manifest.
 *
 * An export is a folder:
 *
 *	manifest.jsonl		written last; every other file with its size,
 *				line count and sha256
 *	<slug>.md		each post: front matter and body (frontmatter.h)
 *	posts.jsonl		what front matter does not say: id, author_id,
 *				slug, created_at
 *	users.jsonl tokens.jsonl tags.jsonl comments.jsonl media.jsonl
 *	settings.jsonl redirects.jsonl site_keys.jsonl revisions.jsonl
 *				one JSON object a line, ordered by id (key);
 *				site_keys.jsonl (the key comment forms are
 *				signed with) is empty without --with-secrets
 *	media/<name>		the bytes of each media file
 *
 * The manifest's first line is {"format":"inkwell-export","version":1,
 * "secrets":BOOL}, then one {"file":NAME,"size":N,"lines":N,"sha256":HEX}
 * a file, and last {"end":true,"files":N}.  Timestamps are
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC, microseconds).
 *
 * Everything here is outside input.  Limits: EXP_LINE_MAX bytes a line
 * (EXP_REVISION_LINE_MAX in revisions.jsonl, whose lines hold a whole
 * Markdown body),
 * EXP_FILES_MAX files in a manifest, EXP_JSONL_MAX bytes a JSON lines
 * file; each string field has a byte limit of its own.  A line must be
 * an object with exactly the file's keys (a secret key may be absent),
 * each of its type; strings are UTF-8 without NUL.
 */
#ifndef INKWELL_EXPORT_H
#define INKWELL_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

#define EXP_FORMAT		"inkwell-export"
#define EXP_VERSION		1
#define EXP_MANIFEST		"manifest.jsonl"
#define EXP_LINE_MAX		(1024 * 1024)
#define EXP_FILES_MAX		1000000
#define EXP_JSONL_MAX		((size_t)512 * 1024 * 1024)
#define EXP_REVISION_LINE_MAX	(5 * 1024 * 1024)
#define EXP_FIELDS_MAX		12
#define EXP_TIME_LEN		27	/* 2026-01-05T09:00:00.000000Z */

enum exp_file {
	EX_SETTINGS,
	EX_USERS,
	EX_TOKENS,
	EX_TAGS,
	EX_POSTS,
	EX_COMMENTS,
	EX_MEDIA,
	EX_REDIRECTS,
	EX_SITE_KEYS,		/* rows only with --with-secrets */
	EX_REVISIONS,		/* after posts and users, which they name */
	EX__MAX
};

/* "settings.jsonl" ..., indexed by enum exp_file (import order). */
extern const char *const exp_file_names[EX__MAX];

enum exp_type {
	XT_ID,		/* integer 1 .. 2^63-1 */
	XT_IDN,		/* the same or null */
	XT_INT,		/* integer 0 .. 2^31-1 */
	XT_STR,		/* string */
	XT_STRN,	/* string or null */
	XT_TIME,	/* timestamp */
	XT_TIMEN,	/* timestamp or null */
	XT_HEX,		/* 64 lower-case hex digits (sha256) */
	XT_SECRET,	/* string; the key is absent without --with-secrets */
	XT_SECRET_HEX,	/* 64 hex digits; absent the same way */
	XT_IDO,		/* XT_IDN, or absent (a key newer than the format) */
	XT_STRO,	/* XT_STRN, or absent */
	XT__MAX
};

struct exp_field {
	const char	*name;
	enum exp_type	 type;
	size_t		 max;		/* bytes, for strings */
};

/* The fields of each file, in the order of a line and of exp_row.v. */
extern const struct exp_field *const exp_fields[EX__MAX];
extern const size_t exp_nfields[EX__MAX];

/* One line read: values as text (integers in decimal), NULL for null
 * or an absent secret; num[] holds integers (0 otherwise). */
struct exp_row {
	const char	*v[EXP_FIELDS_MAX];
	int64_t		 num[EXP_FIELDS_MAX];
	int		 line;
};

/*
 * Reads line[0..n) (no '\n') of file f.  0 and *row filled (strings in
 * the arena), or -1 with the reason (no file or line: the caller adds
 * them) in err.
 */
int	 exp_line_parse(struct arena *, enum exp_file f, const char *line,
	    size_t n, struct exp_row *row, char *err, size_t errlen);

/* One entry of the manifest. */
struct exp_entry {
	const char	*file;		/* a name exp_name_ok() passed */
	int64_t		 size;
	int64_t		 lines;
	char		 sha256[65];
};

struct exp_manifest {
	bool			 secrets;
	struct exp_entry	*e;
	size_t			 n;
};

/*
 * Reads the manifest text[0..n).  0 and *m (in the arena), or -1 with
 * "manifest.jsonl:LINE: reason" in err: a missing header or end line, a
 * format or version not this one, a name exp_name_ok() refuses or given
 * twice, a count that does not match.
 */
int	 exp_manifest_parse(struct arena *, const char *text, size_t n,
	    struct exp_manifest *m, char *err, size_t errlen);

/*
 * Whether name may name a file of an export: one of exp_file_names,
 * "<slug>.md" or "media/<media name>"; never the manifest, "..", an
 * absolute path or anything else.
 */
bool	 exp_name_ok(const char *name);

/* The sha256 of p[0..n) in lower-case hex, NUL-terminated, into hex. */
void	 exp_sha256(const void *p, size_t n, char hex[65]);

/* Whether s is a timestamp in the export's form. */
bool	 exp_time_ok(const char *s);

#endif
