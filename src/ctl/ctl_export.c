/* SPDX-License-Identifier: MIT */
/*
 * ctl_export.c: "inkwellctl export", the whole site to a folder that
 * "inkwellctl import DIR" reads back to the same rows (the format is in
 * content/export.h): every post as DIR/<slug>.md, every other table as
 * JSON lines, media as files, and last the manifest.
 *
 * DIR is created when missing.  A file that already holds exactly what
 * would be written is left alone; one that holds anything else is not
 * overwritten unless --force is given (it is reported and the exit
 * status is 1), so an export never destroys edits made in the folder.
 * Files are written to a temporary name and renamed into place, so a
 * reader never sees half a file.  Other files in DIR are not touched.
 *
 * A file the last export wrote and nobody changed since (its sha256 is
 * still the one the old manifest lists) is the export's own and is
 * overwritten without --force.  The old manifest is removed before the
 * first file changes and the new one written only when every file was
 * written, so a folder whose export was cut short or refused a file has
 * no manifest, and a complete import refuses it.  A file the last
 * export wrote that this one does not (its post or media file was
 * deleted) is removed when unchanged, so the folder stays the site.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "content/export.h"
#include "content/frontmatter.h"
#include "content/media.h"
#include "lib/log.h"

enum outcome { WROTE, SAME, REFUSED, FAILED };

/* True when path holds exactly b's bytes. */
static bool
same_content(const char *path, const struct buf *b)
{
	char	 chunk[65536];
	size_t	 off = 0;
	ssize_t	 r;
	int	 fd;
	bool	 same = true;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	while (same && (r = read(fd, chunk, sizeof(chunk))) > 0) {
		if ((size_t)r > b->n - off ||
		    memcmp(chunk, b->p + off, (size_t)r) != 0)
			same = false;
		else
			off += (size_t)r;
	}
	if (r < 0)
		same = false;
	close(fd);
	return same && off == b->n;
}

static int
by_file(const void *x, const void *y)
{
	return strcmp(((const struct exp_entry *)x)->file,
	    ((const struct exp_entry *)y)->file);
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The sha256 the last export's manifest gave name, or NULL. */
static const char *
old_sha(const struct exp_manifest *old, const char *name)
{
	struct exp_entry	 key = { .file = name }, *e;

	if (old == NULL || old->n == 0)
		return NULL;
	e = bsearch(&key, old->e, old->n, sizeof(*e), by_file);
	return e != NULL ? e->sha256 : NULL;
}

/* True when path holds what the last export wrote there (sha). */
static bool
unedited(struct arena *a, const char *path, const char *sha)
{
	struct stat	 sb;
	char		*p, hex[65];
	size_t		 got = 0;
	ssize_t		 r = 0;
	int		 fd;

	if (sha == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > (off_t)EXP_JSONL_MAX) {
		close(fd);
		return false;
	}
	p = arena_alloc(a, (size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, p + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (r < 0 || got != (size_t)sb.st_size)
		return false;
	exp_sha256(p, got, hex);
	return strcmp(hex, sha) == 0;
}

/* Writes b to dir/name (name has no "..": its parts are checked); sha:
 * what the last export wrote there, or NULL. */
static enum outcome
write_file(struct arena *a, const char *dir, const char *name,
    const struct buf *b, bool force, const char *sha)
{
	const char	*path = arena_printf(a, "%s/%s", dir, name);
	const char	*slash = strrchr(name, '/');
	char		*tmp = slash == NULL ?
			    arena_printf(a, "%s/.%s.XXXXXX", dir, name) :
			    arena_printf(a, "%s/%.*s/.%s.XXXXXX", dir,
			    (int)(slash - name), name, slash + 1);
	enum outcome	 o = FAILED;
	mode_t		 mask;
	size_t		 off = 0;
	ssize_t		 r;
	int		 fd = -1;

	if (access(path, F_OK) == 0) {
		if (same_content(path, b))
			return SAME;
		if (!force && !unedited(a, path, sha)) {
			fprintf(stderr, "inkwellctl: export: %s exists with "
			    "other content; not overwritten (--force "
			    "overwrites)\n", path);
			return REFUSED;
		}
	}
	if ((fd = mkstemp(tmp)) < 0)
		goto fail;
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0)
		goto fail;
	while (off < b->n && (r = write(fd, b->p + off, b->n - off)) > 0)
		off += (size_t)r;
	if (off < b->n || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return WROTE;
fail:
	fprintf(stderr, "inkwellctl: export: %s: %s\n", path,
	    strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return o;
}

/* Slugs are checked by the schema; checked again before naming a file. */
static bool
safe_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-'))
			return false;
	return true;
}


/* One file written, for the manifest. */
struct written {
	const char	*name;
	size_t		 size;
	size_t		 lines;
	char		 sha256[65];
};

struct run {
	struct arena	*a;		/* lives as long as the run */
	const char	*dir;
	bool		 force;
	const struct exp_manifest *old;
	bool		 manifest_gone;
	struct written	*w;
	size_t		 nw, capw;
	int		 count[FAILED + 1];
};

static size_t
count_lines(const struct buf *b)
{
	size_t	 n = 0;

	for (size_t i = 0; i < b->n; i++)
		n += b->p[i] == '\n';
	return n;
}

/* Removes the old manifest before the first file changes. */
static void
manifest_away(struct run *r)
{
	const char	*path;

	if (r->manifest_gone)
		return;
	path = arena_printf(r->a, "%s/%s", r->dir, EXP_MANIFEST);
	if (unlink(path) < 0 && errno != ENOENT)
		fprintf(stderr, "inkwellctl: export: %s: %s\n", path,
		    strerror(errno));
	r->manifest_gone = true;
}

static void
put(struct run *r, struct arena *work, const char *name,
    const struct buf *b)
{
	struct written	*w;
	enum outcome	 o;
	const char	*path = arena_printf(work, "%s/%s", r->dir, name);

	if (!same_content(path, b))
		manifest_away(r);
	o = write_file(work, r->dir, name, b, r->force, old_sha(r->old, name));
	r->count[o]++;
	if (o == WROTE)
		printf("%s/%s: written\n", r->dir, name);
	if (r->nw == r->capw) {
		struct written *nw;

		r->capw = r->capw ? r->capw * 2 : 64;
		nw = arena_array(r->a, r->capw, sizeof(*nw));
		if (r->nw > 0)
			memcpy(nw, r->w, r->nw * sizeof(*nw));
		r->w = nw;
	}
	w = &r->w[r->nw++];
	w->name = arena_strdup(r->a, name);
	w->size = b->n;
	w->lines = count_lines(b);
	exp_sha256(b->p, b->n, w->sha256);
}

/* Reads DIR's manifest, if it has one that reads, into *m. */
static const struct exp_manifest *
read_old(struct arena *a, const char *dir, struct exp_manifest *m)
{
	const char	*path = arena_printf(a, "%s/%s", dir, EXP_MANIFEST);
	struct stat	 sb;
	char		*p, err[256];
	size_t		 got = 0;
	ssize_t		 r = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > 256 * 1024 * 1024) {
		close(fd);
		return NULL;
	}
	p = arena_alloc(a, (size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, p + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (r < 0 || exp_manifest_parse(a, p, got, m, err, sizeof(err)) < 0)
		return NULL;
	return m;
}

static int
export(struct db *db, const char *dir, bool force, bool secrets)
{
	struct arena	*a = arena_new(1 << 20), *work = arena_new(1 << 20);
	struct exp_manifest old_m;
	struct run	 r = { .a = a, .dir = dir, .force = force };
	struct post_out	*posts;
	struct fm_tag	*tags;
	struct fm	 fm;
	struct buf	 b, files[EX__MAX], man;
	const char	**names;
	struct exp_row	 row;
	size_t		 n, lines[EX__MAX], media_lines;
	char		 err[512];
	int		 rc = 1;
	bool		 open_tx = false;
	enum status	 st;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "inkwellctl: export: %s: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	r.old = read_old(a, dir, &old_m);
	if ((st = db_site_dump_begin(db, a, err, sizeof(err))) != ST_OK)
		goto db_fail;
	open_tx = true;
	for (int f = 0; f < EX__MAX; f++) {
		buf_init(&files[f], a, 4096);
		if ((st = db_site_dump_lines(db, a, f, secrets, &files[f],
		    &lines[f], err, sizeof(err))) != ST_OK)
			goto db_fail;
	}
	if ((st = db_post_dump_in(db, a, &posts, &n)) != ST_OK) {
		snprintf(err, sizeof(err), "reading posts (see the log line "
		    "above)");
		goto db_fail;
	}
	for (int f = 0; f < EX__MAX; f++)
		put(&r, work, exp_file_names[f], &files[f]);
	for (size_t i = 0; i < n; i++) {
		const struct post_in *p = &posts[i].in;

		arena_reset(work);
		if (!safe_name(p->slug)) {
			fprintf(stderr, "inkwellctl: export: post %zu: slug "
			    "is not a file name\n", i);
			r.count[FAILED]++;
			continue;
		}
		memset(&fm, 0, sizeof(fm));
		fm.val[FM_TITLE] = p->title;
		fm.val[FM_SLUG] = p->slug;
		fm.val[FM_DATE] = p->published_at;
		fm.val[FM_UPDATED] = p->updated_at;
		fm.val[FM_STATUS] = p->status;
		fm.val[FM_AUTHOR] = p->author;
		fm.val[FM_AUTHOR_NAME] = posts[i].author_name;
		fm.val[FM_SUMMARY] = p->summary;
		/* Only a page says so: a post's file is as it always was. */
		if (p->kind != NULL && strcmp(p->kind, "page") == 0)
			fm.val[FM_KIND] = p->kind;
		fm.val[FM_FEATURE_IMAGE] = p->feature_image;
		tags = arena_array(work, p->ntags + 1, sizeof(*tags));
		for (size_t k = 0; k < p->ntags; k++) {
			tags[k].slug = p->tag_slugs[k];
			tags[k].name = p->tag_names[k];
		}
		fm.has_tags = true;
		fm.tags = tags;
		fm.ntags = p->ntags;
		fm.body = p->body_md;
		fm.body_len = strlen(p->body_md);
		buf_init(&b, work, fm.body_len + 1024);
		fm_write(&b, &fm);
		put(&r, work, arena_printf(work, "%s.md", p->slug), &b);
	}
	/* Media: one file at a time, its bytes checked against the sha256
	 * the database keeps for it. */
	media_lines = 0;
	for (const char *p = files[EX_MEDIA].p, *end = p + files[EX_MEDIA].n,
	    *nl; p < end; p = nl + 1) {
		const void	*bytes;
		size_t		 nbytes;
		char		 hex[65];
		struct buf	 mb;

		arena_reset(work);
		nl = memchr(p, '\n', (size_t)(end - p));
		media_lines++;
		if (exp_line_parse(work, EX_MEDIA, p, (size_t)(nl - p), &row,
		    err, sizeof(err)) < 0 ||
		    media_name_problem(row.v[1]) != NULL) {
			fprintf(stderr, "inkwellctl: export: media line %zu: "
			    "%s\n", media_lines, err);
			r.count[FAILED]++;
			continue;
		}
		if ((st = db_site_dump_media(db, work, row.v[1], &bytes,
		    &nbytes, err, sizeof(err))) != ST_OK)
			goto db_fail;
		exp_sha256(bytes, nbytes, hex);
		if (strcmp(hex, row.v[4]) != 0 ||
		    (int64_t)nbytes != row.num[3]) {
			fprintf(stderr, "inkwellctl: export: media %s: its "
			    "bytes do not match the sha256 stored with "
			    "them; not exported\n", row.v[1]);
			r.count[FAILED]++;
			continue;
		}
		if (media_lines == 1 && mkdir(arena_printf(work, "%s/media",
		    dir), 0777) < 0 && errno != EEXIST) {
			fprintf(stderr, "inkwellctl: export: %s/media: %s\n",
			    dir, strerror(errno));
			r.count[FAILED]++;
			continue;
		}
		mb.p = (char *)bytes;
		mb.n = nbytes;
		mb.cap = nbytes;
		mb.a = work;
		put(&r, work, arena_printf(work, "media/%s", row.v[1]), &mb);
	}
	open_tx = false;
	if ((st = db_site_end(db, a, true, err, sizeof(err))) != ST_OK)
		goto db_fail;
	printf("%d written, %d unchanged, %d not overwritten, %d failed\n",
	    r.count[WROTE], r.count[SAME], r.count[REFUSED], r.count[FAILED]);
	if (r.count[REFUSED] + r.count[FAILED] > 0) {
		manifest_away(&r);
		fprintf(stderr, "inkwellctl: export: incomplete, so no %s "
		    "written: import will refuse %s\n", EXP_MANIFEST, dir);
		goto out;
	}
	/* What the last export wrote and this one did not (a post or a
	 * media file deleted since) goes, unless someone changed it. */
	names = arena_array(a, r.nw + 1, sizeof(*names));
	for (size_t k = 0; k < r.nw; k++)
		names[k] = r.w[k].name;
	qsort(names, r.nw, sizeof(*names), by_name);
	for (size_t i = 0; r.old != NULL && i < r.old->n; i++) {
		const struct exp_entry *e = &r.old->e[i];
		const char	*path;

		if (bsearch(&e->file, names, r.nw, sizeof(*names),
		    by_name) != NULL)
			continue;
		arena_reset(work);
		path = arena_printf(work, "%s/%s", dir, e->file);
		if (!unedited(work, path, e->sha256)) {
			if (access(path, F_OK) == 0)
				fprintf(stderr, "inkwellctl: export: %s: no "
				    "longer in the site, but changed since the "
				    "last export; left alone\n", path);
			continue;
		}
		if (unlink(path) == 0)
			printf("%s: removed (no longer in the site)\n", path);
	}
	/* Last: the manifest says the folder is whole. */
	buf_init(&man, a, 256 + r.nw * 128);
	buf_printf(&man, "{\"format\":\"%s\",\"version\":%d,\"secrets\":%s}\n",
	    EXP_FORMAT, EXP_VERSION, secrets ? "true" : "false");
	for (size_t i = 0; i < r.nw; i++)
		buf_printf(&man, "{\"file\":\"%s\",\"size\":%zu,\"lines\":%zu,"
		    "\"sha256\":\"%s\"}\n", r.w[i].name, r.w[i].size,
		    r.w[i].lines, r.w[i].sha256);
	buf_printf(&man, "{\"end\":true,\"files\":%zu}\n", r.nw);
	arena_reset(work);
	if (write_file(work, dir, EXP_MANIFEST, &man, true, NULL) == FAILED)
		goto out;
	rc = 0;
	goto out;
db_fail:
	fprintf(stderr, "inkwellctl: export: %s\n", st == ST_UNAVAILABLE ?
	    "the database is unavailable" : err);
	if (open_tx)
		db_site_end(db, a, false, NULL, 0);
out:
	arena_free(work);
	arena_free(a);
	return rc;
}

int
ctl_export(const struct conf *c, int argc, char **argv)
{
	struct db	*db;
	bool		 force = false, secrets = false;
	int		 i, rc;

	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (strcmp(argv[i], "--with-secrets") == 0)
			secrets = true;
		else
			break;
	}
	if (argc < 2 || i != argc - 1 || argv[i][0] == '-') {
		fprintf(stderr, "usage: inkwellctl export [--force] "
		    "[--with-secrets] DIR\n");
		return 2;
	}
	log_set_role("inkwellctl");
	/* Hashes are for the operator's eyes only: no file of a secrets
	 * export is readable by group or others. */
	if (secrets)
		umask(umask(0) | 077);
	db = db_open(c);
	rc = export(db, argv[argc - 1], force, secrets);
	db_close(db);
	return rc;
}
