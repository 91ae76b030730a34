/* SPDX-License-Identifier: MIT */
/*
 * ctl_import_site.c: "inkwellctl import DIR" of a complete export (one
 * with a manifest; the format is in content/export.h), all of it or
 * nothing.
 *
 * Everything is read and checked before the database is touched: the
 * manifest, then each file it lists against its size, line count and
 * sha256, then every line of every JSON lines file, every post's front
 * matter and the references between them (ids ascending and so unique,
 * each author, owner, post, parent comment and tag present; each post
 * and media file listed and listed once).  Only then does one
 * transaction insert the rows with their ids; PostgreSQL's CHECKs and
 * keys are the last word, and a row they refuse is named by its file
 * and line too.  Any refusal rolls the whole import back.  A media file
 * is read twice, checked at both reads, so it cannot change between the
 * check and the insert unnoticed.
 *
 * Pictures' smaller copies are not in an export: each picture with a
 * size is run through inkwell-image again and its copies stored, named
 * after its hash as before.  Media are loaded before posts, so that
 * posts are rendered with their pictures' sizes and copies.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/sitetime.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "content/export.h"
#include "content/imgrun.h"
#include "content/items.h"
#include "content/frontmatter.h"
#include "lib/log.h"

#define MANIFEST_MAX	((size_t)256 * 1024 * 1024)

/* One file's rows, read and checked. */
struct table {
	char		*text;
	size_t		 n;
	struct exp_row	*rows;
	size_t		 nrows;
};

struct site {
	struct arena		*a;
	const char		*dir;
	const struct conf	*c;
	struct exp_manifest	 m;
	struct table		 t[EX__MAX];
	struct post_in		*posts;		/* by posts.jsonl's rows */
	char			 err[1024];
};

static int
refuse(struct site *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
refuse(struct site *s, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int
by_entry(const void *x, const void *y)
{
	return strcmp(((const struct exp_entry *)x)->file,
	    ((const struct exp_entry *)y)->file);
}

static const struct exp_entry *
listed(const struct site *s, const char *name)
{
	struct exp_entry	 key = { .file = name };

	return bsearch(&key, s->m.e, s->m.n, sizeof(key), by_entry);
}

/*
 * Reads dir/name whole (a regular file, not a link, at most max bytes)
 * into the arena, NUL-terminated.  -1 with the reason in s->err.
 */
static int
slurp(struct site *s, const char *name, size_t max, char **text, size_t *n)
{
	const char	*path = arena_printf(s->a, "%s/%s", s->dir, name);
	struct stat	 sb;
	char		*p;
	size_t		 got = 0;
	ssize_t		 r = 0;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return refuse(s, "%s: %s", name, errno == ELOOP ?
		    "a symbolic link, not a file" : strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		refuse(s, "%s: not a regular file", name);
		goto out;
	}
	if ((uintmax_t)sb.st_size > max) {
		refuse(s, "%s: larger than %zu bytes", name, max);
		goto out;
	}
	p = arena_alloc(s->a, (size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, p + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)r;
	if (r < 0) {
		refuse(s, "%s: %s", name, strerror(errno));
		goto out;
	}
	p[got] = '\0';
	*text = p;
	*n = got;
	rc = 0;
out:
	close(fd);
	return rc;
}

/* The bytes of name as its manifest entry e says they are. */
static int
matches(struct site *s, const struct exp_entry *e, const char *text,
    size_t n)
{
	char	 hex[65];
	size_t	 lines = 0;

	if ((int64_t)n != e->size)
		return refuse(s, "%s: %zu bytes, the manifest says %lld (cut "
		    "short?)", e->file, n, (long long)e->size);
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	if ((int64_t)lines != e->lines)
		return refuse(s, "%s: %zu lines, the manifest says %lld",
		    e->file, lines, (long long)e->lines);
	exp_sha256(text, n, hex);
	if (strcmp(hex, e->sha256) != 0)
		return refuse(s, "%s: its sha256 is not the manifest's "
		    "(changed or damaged)", e->file);
	return 0;
}

static size_t
max_of(const struct site *s, const char *name)
{
	size_t	 n = strlen(name);

	if (strncmp(name, "media/", 6) == 0)
		return (size_t)s->c->media_max_bytes;
	if (n > 3 && strcmp(name + n - 3, ".md") == 0)
		return FM_FILE_MAX;
	return EXP_JSONL_MAX;
}

/* The manifest, then every file it lists, against it. */
static int
verify(struct site *s)
{
	char	*text;
	size_t	 n;

	if (slurp(s, EXP_MANIFEST, MANIFEST_MAX, &text, &n) < 0)
		return -1;
	if (exp_manifest_parse(s->a, text, n, &s->m, s->err,
	    sizeof(s->err)) < 0)
		return -1;
	/* An export from before revisions has no revisions.jsonl: none. */
	for (int f = 0; f < EX__MAX; f++)
		if (f != EX_REVISIONS && listed(s, exp_file_names[f]) == NULL)
			return refuse(s, EXP_MANIFEST ": %s is not listed",
			    exp_file_names[f]);
	for (size_t i = 0; i < s->m.n; i++) {
		const struct exp_entry *e = &s->m.e[i];

		if (slurp(s, e->file, max_of(s, e->file), &text, &n) < 0 ||
		    matches(s, e, text, n) < 0)
			return -1;
		for (int f = 0; f < EX__MAX; f++)
			if (strcmp(e->file, exp_file_names[f]) == 0) {
				s->t[f].text = text;
				s->t[f].n = n;
			}
	}
	return 0;
}

/* A language code's form: [a-z]{2,3}. */
static bool
code_ok(const char *c)
{
	size_t	 n = strlen(c);

	return n >= 2 && n <= 3 && strspn(c, "abcdefghijklmnopqrstuvwxyz") == n;
}

/*
 * Whether a settings row holds what the admin would refuse: a time zone
 * not in tzdata, a language this inkwell ships no file for.
 */
static bool
setting_bad(const struct site *s, const struct exp_row *row, char *why,
    size_t whylen)
{
	if (strcmp(row->v[0], "timezone") == 0 &&
	    !sitetime_zone_ok(row->v[1])) {
		snprintf(why, whylen, "timezone \"%.64s\" is not a zone of the "
		    "time zone database", row->v[1]);
		return true;
	}
	if (strcmp(row->v[0], "language") == 0) {
		char		 dir[4096], err[512];
		struct i18n	*set;
		bool		 bad;

		/*
		 * Against the theme's files when this host has them; else
		 * (an import run away from the served theme) only the form
		 * of a code: the workers show English for a code they lack.
		 */
		snprintf(dir, sizeof(dir), "%s/i18n", s->c->templates);
		bad = !code_ok(row->v[1]);
		if (!bad &&
		    (set = i18n_load_dir(dir, err, sizeof(err))) != NULL) {
			bad = i18n_find(set, row->v[1]) == NULL;
			i18n_free(set);
		}
		if (bad) {
			snprintf(why, whylen, "language \"%.16s\" is not one "
			    "of the theme's (%.300s)", row->v[1], dir);
			return true;
		}
	}
	return false;
}

/* Reads the lines of file f into rows; ids must ascend. */
static int
read_lines(struct site *s, enum exp_file f)
{
	struct table	*t = &s->t[f];
	const char	*p = t->text, *end = t->text + t->n, *nl;
	const char	*name = exp_file_names[f];
	char		 why[512];
	size_t		 cap = 16;
	int		 line = 0;

	t->rows = arena_array(s->a, cap, sizeof(*t->rows));
	for (; p < end; p = nl + 1) {
		struct exp_row	*row;

		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return refuse(s, "%s:%d: the last line has no end "
			    "(cut short?)", name, line);
		if (t->nrows == cap) {
			struct exp_row *w = arena_array(s->a, cap * 2,
			    sizeof(*w));

			memcpy(w, t->rows, cap * sizeof(*w));
			t->rows = w;
			cap *= 2;
		}
		row = &t->rows[t->nrows];
		if (exp_line_parse(s->a, f, p, (size_t)(nl - p), row, why,
		    sizeof(why)) < 0)
			return refuse(s, "%s:%d: %s", name, line, why);
		row->line = line;
		if (f == EX_SETTINGS && setting_bad(s, row, why, sizeof(why)))
			return refuse(s, "%s:%d: %s", name, line, why);
		if (f == EX_SETTINGS || f == EX_SITE_KEYS) {
			if (t->nrows > 0 &&
			    strcmp(t->rows[t->nrows - 1].v[0], row->v[0]) >= 0)
				return refuse(s, "%s:%d: key \"%s\" given twice "
				    "or out of order", name, line, row->v[0]);
		} else if (t->nrows > 0 &&
		    t->rows[t->nrows - 1].num[0] >= row->num[0])
			return refuse(s, "%s:%d: id %lld given twice or out of "
			    "order (ids ascend)", name, line,
			    (long long)row->num[0]);
		t->nrows++;
	}
	return 0;
}

/* The row of t whose id is id, or NULL (ids ascend: binary search). */
static const struct exp_row *
by_id(const struct table *t, size_t n, int64_t id)
{
	size_t	 lo = 0, hi = n;

	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;

		if (t->rows[mid].num[0] == id)
			return &t->rows[mid];
		if (t->rows[mid].num[0] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct exp_row *
tag_by_slug(const struct site *s, const char *slug)
{
	const struct table *t = &s->t[EX_TAGS];

	/* Tags are few next to posts; a post has at most FM_TAGS_MAX. */
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].v[1], slug) == 0)
			return &t->rows[i];
	return NULL;
}

/* Each post's Markdown file, read and checked against its row. */
static int
read_posts(struct site *s)
{
	const struct table *t = &s->t[EX_POSTS];
	const struct table *users = &s->t[EX_USERS];
	size_t		 mds = 0;

	s->posts = arena_array(s->a, t->nrows + 1, sizeof(*s->posts));
	for (size_t i = 0; i < s->m.n; i++) {
		size_t	 n = strlen(s->m.e[i].file);

		mds += n > 3 && strcmp(s->m.e[i].file + n - 3, ".md") == 0;
	}
	if (mds != t->nrows)
		return refuse(s, EXP_MANIFEST ": %zu Markdown files for %zu "
		    "lines of posts.jsonl", mds, t->nrows);
	for (size_t i = 0; i < t->nrows; i++) {
		const struct exp_row *row = &t->rows[i], *author;
		struct post_in	*p = &s->posts[i];
		const char	*name = arena_printf(s->a, "%s.md", row->v[2]);
		const char	**slugs;
		struct fm	 fm;
		char		*text;
		size_t		 n;

		if ((author = by_id(users, users->nrows, row->num[1])) == NULL)
			return refuse(s, "posts.jsonl:%d: author_id %lld is "
			    "no user in users.jsonl", row->line,
			    (long long)row->num[1]);
		if (listed(s, name) == NULL)
			return refuse(s, "posts.jsonl:%d: %s is not in the "
			    "manifest", row->line, name);
		if (slurp(s, name, FM_FILE_MAX, &text, &n) < 0)
			return -1;
		if (fm_parse(s->a, name, text, n, &fm, s->err,
		    sizeof(s->err)) < 0)
			return -1;
		if (fm.val[FM_TITLE] == NULL || fm.val[FM_STATUS] == NULL ||
		    fm.val[FM_UPDATED] == NULL)
			return refuse(s, "%s: title, status and updated are "
			    "needed in a complete export", name);
		if (fm.val[FM_SLUG] == NULL ||
		    strcmp(fm.val[FM_SLUG], row->v[2]) != 0)
			return refuse(s, "%s: slug is not posts.jsonl's \"%s\" "
			    "(line %d)", name, row->v[2], row->line);
		if (fm.val[FM_AUTHOR] == NULL ||
		    strcmp(fm.val[FM_AUTHOR], author->v[1]) != 0)
			return refuse(s, "%s: author is not user %lld's "
			    "username \"%s\"", name, (long long)row->num[1],
			    author->v[1]);
		memset(p, 0, sizeof(*p));
		p->slug = row->v[2];
		p->title = fm.val[FM_TITLE];
		p->summary = fm.val[FM_SUMMARY];
		p->status = fm.val[FM_STATUS];
		p->kind = fm.val[FM_KIND];
		p->set_feature = true;
		p->feature_image = fm.val[FM_FEATURE_IMAGE] != NULL &&
		    *fm.val[FM_FEATURE_IMAGE] != '\0' ?
		    fm.val[FM_FEATURE_IMAGE] : NULL;
		p->published_at = fm.val[FM_DATE];
		p->updated_at = fm.val[FM_UPDATED];
		p->author = author->v[1];
		/* fm_parse's text is NUL-terminated right after the body. */
		p->body_md = fm.body;
		slugs = arena_array(s->a, fm.ntags + 1, sizeof(*slugs));
		for (size_t k = 0; k < fm.ntags; k++) {
			if (tag_by_slug(s, fm.tags[k].slug) == NULL)
				return refuse(s, "%s: tag \"%s\" is not in "
				    "tags.jsonl", name, fm.tags[k].slug);
			slugs[k] = fm.tags[k].slug;
		}
		p->tag_slugs = slugs;
		p->ntags = fm.ntags;
	}
	return 0;
}

/* What every row refers to is there. */
static int
references(struct site *s)
{
	const struct table *users = &s->t[EX_USERS], *posts = &s->t[EX_POSTS];
	const struct table *t;
	size_t		 media = 0;

	t = &s->t[EX_TOKENS];
	for (size_t i = 0; i < t->nrows; i++)
		if (by_id(users, users->nrows, t->rows[i].num[1]) == NULL)
			return refuse(s, "tokens.jsonl:%d: user_id %lld is no "
			    "user in users.jsonl", t->rows[i].line,
			    (long long)t->rows[i].num[1]);
	t = &s->t[EX_COMMENTS];
	for (size_t i = 0; i < t->nrows; i++) {
		const struct exp_row *r = &t->rows[i], *parent;

		if (by_id(posts, posts->nrows, r->num[1]) == NULL)
			return refuse(s, "comments.jsonl:%d: post_id %lld is "
			    "no post in posts.jsonl", r->line,
			    (long long)r->num[1]);
		if (r->v[2] == NULL)
			continue;
		/* A reply comes after what it answers: search rows 0..i. */
		if ((parent = by_id(t, i, r->num[2])) == NULL)
			return refuse(s, "comments.jsonl:%d: parent_id %lld is "
			    "no earlier comment", r->line,
			    (long long)r->num[2]);
		if (parent->num[1] != r->num[1])
			return refuse(s, "comments.jsonl:%d: parent_id %lld is "
			    "a comment on another post", r->line,
			    (long long)r->num[2]);
	}
	t = &s->t[EX_REVISIONS];
	for (size_t i = 0; i < t->nrows; i++) {
		const struct exp_row *r = &t->rows[i];

		if (by_id(posts, posts->nrows, r->num[1]) == NULL)
			return refuse(s, "revisions.jsonl:%d: post_id %lld is "
			    "no post in posts.jsonl", r->line,
			    (long long)r->num[1]);
		if (r->v[2] != NULL &&
		    by_id(users, users->nrows, r->num[2]) == NULL)
			return refuse(s, "revisions.jsonl:%d: user_id %lld is "
			    "no user in users.jsonl", r->line,
			    (long long)r->num[2]);
	}
	t = &s->t[EX_MEDIA];
	for (size_t i = 0; i < t->nrows; i++) {
		const struct exp_row *r = &t->rows[i];
		const struct exp_entry *e;
		const char	*name = arena_printf(s->a, "media/%s", r->v[1]);

		if (r->v[5] != NULL &&
		    by_id(users, users->nrows, r->num[5]) == NULL)
			return refuse(s, "media.jsonl:%d: uploaded_by %lld is "
			    "no user in users.jsonl", r->line,
			    (long long)r->num[5]);
		if ((e = listed(s, name)) == NULL)
			return refuse(s, "media.jsonl:%d: %s is not in the "
			    "manifest", r->line, name);
		if (strcmp(e->sha256, r->v[4]) != 0 || e->size != r->num[3])
			return refuse(s, "media.jsonl:%d: %s: size or sha256 "
			    "is not the bytes'", r->line, name);
	}
	for (size_t i = 0; i < s->m.n; i++)
		media += strncmp(s->m.e[i].file, "media/", 6) == 0;
	if (media != t->nrows)
		return refuse(s, EXP_MANIFEST ": %zu media files for %zu "
		    "lines of media.jsonl", media, t->nrows);
	return 0;
}

/* Inserts every row; -1 with "file:line: reason" in s->err. */
/*
 * The smaller copies of the picture row r (just loaded, bytes[0..n)),
 * made again; nothing for one without a size (an export from before
 * inkwell decoded pictures: inkwellctl media reprocess does those).
 */
static int
variants(struct site *s, struct db *db, struct arena *a,
    const struct exp_row *r, const char *bytes, size_t n)
{
	const struct conf *c = s->c;
	const struct imgrun_limits l = imgrun_limits_of(c);
	struct media_in	 in;
	unsigned char	*frame = NULL;
	const char	*why;
	enum status	 st;
	int		 status;

	if (r->v[7] == NULL)
		return 0;
	if (imgrun_media(a, &l, r->v[1], bytes, n, r->v[4], &in, &frame,
	    &status, &why) != 0) {
		free(frame);
		return refuse(s, "media.jsonl:%d: %s: its smaller copies "
		    "cannot be made: %s", r->line, r->v[1], why);
	}
	st = db_media_load_variants(db, a, &in);
	free(frame);
	if (st != ST_OK)
		return refuse(s, "media.jsonl:%d: %s: its smaller copies "
		    "cannot be stored", r->line, r->v[1]);
	return 0;
}

/* The order rows are loaded in: each after what it refers to, and media
 * before the posts that show them. */
static const enum exp_file order[] = { EX_SETTINGS, EX_USERS, EX_TOKENS,
    EX_TAGS, EX_MEDIA, EX_POSTS, EX_COMMENTS, EX_REDIRECTS, EX_SITE_KEYS,
    EX_REVISIONS };
_Static_assert(sizeof(order) / sizeof(order[0]) == EX__MAX,
    "order[] must name every file");

static int
load(struct site *s, struct db *db)
{
	struct arena	*work = arena_new(1 << 20);
	char		 why[512];
	int		 rc = -1;

	for (size_t o = 0; o < EX__MAX; o++) {
		const enum exp_file f = order[o];
		const struct table *t = &s->t[f];

		for (size_t i = 0; i < t->nrows; i++) {
			const struct exp_row *r = &t->rows[i];
			char	*bytes = NULL;
			size_t	 nbytes = 0;
			enum status st;

			arena_reset(work);
			if (f == EX_MEDIA) {
				const char *name = arena_printf(s->a,
				    "media/%s", r->v[1]);

				/* Read again; checked again. */
				if (slurp(s, name, max_of(s, name), &bytes,
				    &nbytes) < 0 ||
				    matches(s, listed(s, name), bytes,
				    nbytes) < 0)
					goto out;
			}
			if (f == EX_POSTS)
				st = db_site_load_post(db, work, r,
				    &s->posts[i], why, sizeof(why));
			else
				st = db_site_load_row(db, work, f, r, bytes,
				    nbytes, why, sizeof(why));
			if (st != ST_OK) {
				refuse(s, "%s:%d: %s", f == EX_POSTS ?
				    arena_printf(s->a, "%s.md", r->v[2]) :
				    exp_file_names[f], f == EX_POSTS ? 1 :
				    r->line, why);
				goto out;
			}
			if (f == EX_MEDIA && variants(s, db, work, r, bytes,
			    nbytes) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	arena_free(work);
	return rc;
}

int
ctl_import_site(struct db *db, const struct conf *c, const char *dir)
{
	struct site	 s = { .a = arena_new(1 << 20), .dir = dir, .c = c };
	enum status	 st;
	size_t		 total = 0;
	int		 rc = 1;

	if (verify(&s) < 0)
		goto refused;
	for (int f = 0; f < EX__MAX; f++)
		if (read_lines(&s, f) < 0)
			goto refused;
	if (read_posts(&s) < 0 || references(&s) < 0)
		goto refused;
	if ((st = db_site_load_begin(db, s.a, s.err, sizeof(s.err))) != ST_OK)
		goto refused;
	if (load(&s, db) < 0) {
		db_site_end(db, s.a, false, NULL, 0);
		goto refused;
	}
	if (db_site_load_end(db, s.a, s.err, sizeof(s.err)) != ST_OK)
		goto refused;
	for (int f = 0; f < EX__MAX; f++) {
		printf("%s%zu %s", f > 0 ? ", " : "", s.t[f].nrows,
		    exp_file_names[f]);
		total += s.t[f].nrows;
	}
	printf("\n%s: imported whole (%zu rows)\n", dir, total);
	rc = 0;
	goto out;
refused:
	fprintf(stderr, "inkwellctl: import: %s\n", s.err);
	fprintf(stderr, "inkwellctl: import: %s: refused; nothing "
	    "imported\n", dir);
out:
	arena_free(s.a);
	return rc;
}
