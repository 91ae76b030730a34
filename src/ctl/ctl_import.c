/* SPDX-License-Identifier: MIT */
/*
 * ctl_import.c: "inkwellctl import", posts from a folder of Markdown
 * files with front matter or from a WordPress export, or a whole site
 * from a complete export (ctl_import_site.c).
 *
 * A folder with manifest.jsonl is a complete export and goes to
 * ctl_import_site() (with --posts only its Markdown files are read, as
 * from any folder).  A folder without one that holds a file only a
 * complete export has (one of its JSON lines files, or media/) is an
 * export cut short and is refused.  Other folders are read as follows.
 *
 * Every post is saved in a transaction of its own, so one bad file costs
 * only itself: the good ones are imported, the bad ones reported, and the
 * exit status is 1 if any failed.  Posts are matched by slug, so
 * importing the same files again updates them and never duplicates.
 * Defaults for keys a file leaves out: slug from the file name (without
 * .md), status published when there is a date and draft otherwise,
 * updated the same as date (so importing again changes nothing) or,
 * when there is no date, now if the post is new or changed, author
 * "admin", author_name the author's username.  An author who does not
 * exist is created (no password); one who does keeps the display name
 * they have.
 *
 * A WordPress export brings more, written in this order so that what a
 * post needs is there before it: its authors (users with no password,
 * found again by username), its attachments (media files read from the
 * folder given with --attachments, never from the network, found again
 * by name and bytes), its posts with links to attachments pointed at
 * /media/, each post's comments (parents first, found again by their
 * author, words and time) and its old permalink (a redirect, found
 * again by path).  So a second import of the same file adds nothing.
 * The folder is walked one segment at a time with O_NOFOLLOW: no "..",
 * absolute path or symbolic link in it reaches a file outside.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "cache/cache.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "content/frontmatter.h"
#include "lib/log.h"
#include "lib/util.h"
#include "content/html_md.h"
#include "content/imgrun.h"
#include "content/media.h"
#include "content/wxr.h"
#include "content/export.h"

#define DEFAULT_AUTHOR	"admin"

struct tally {
	int	 ok;
	int	 failed;
};

/* The database went away: the left posts, not tried, count as failed. */
static void
stopping(struct tally *t, size_t left)
{
	fprintf(stderr, "inkwellctl: import: stopping: the database is "
	    "unavailable\n");
	t->failed += (int)left;
}

/* Says how it went; the exit status. */
static int
summary(const struct tally *t)
{
	printf("%d imported, %d failed\n", t->ok, t->failed);
	return t->failed > 0 ? 1 : 0;
}

static const char *
why_failed(enum status st)
{
	switch (st) {
	case ST_UNPROCESSABLE:
		return "refused: a field is not valid (the log line above "
		    "names it)";
	case ST_UNAVAILABLE:
		return "the database is unavailable";
	default:
		return "database error (see the log line above)";
	}
}

/* Saves one post and its author; reports as what.  The status. */
static enum status
save(struct db *db, struct arena *a, const struct post_in *p,
    const char *author_name, const char *what, struct tally *t,
    int64_t *idp)
{
	enum status	 st;
	int64_t		 id = 0;

	if ((st = db_user_ensure(db, a, p->author, author_name)) == ST_OK)
		st = db_post_save(db, a, p, &id);
	if (st == ST_OK) {
		printf("%s: imported as %s (id %lld)\n", what, p->slug,
		    (long long)id);
		t->ok++;
	} else {
		fprintf(stderr, "inkwellctl: import: %s: %s\n", what,
		    why_failed(st));
		t->failed++;
	}
	if (idp != NULL)
		*idp = id;
	fflush(stdout);
	return st;
}

/* Reads at most max + 1 bytes (so an oversized file is seen as such),
 * NUL-terminated. */
static int
slurp(struct arena *a, const char *path, size_t max, char **text,
    size_t *n)
{
	int	 fd, rc = -1;
	size_t	 got = 0;
	ssize_t	 r = 0;
	char	*p;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	p = arena_alloc(a, max + 2);
	while (got <= max &&
	    (r = read(fd, p + got, max + 1 - got)) > 0)
		got += (size_t)r;
	if (r < 0)
		goto out;
	p[got] = '\0';
	*text = p;
	*n = got;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The *.md regular files of dir (not hidden), sorted; NULL on error. */
static char **
md_files(struct arena *a, const char *dir, size_t *n)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		**v = NULL;
	size_t		 cap = 0;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t	 len = strlen(e->d_name);
		char	*path;

		if (e->d_name[0] == '.' || len < 4 ||
		    strcmp(e->d_name + len - 3, ".md") != 0)
			continue;
		path = arena_printf(a, "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			char	**w;

			cap = cap ? cap * 2 : 64;
			w = arena_array(a, cap, sizeof(*w));
			if (*n > 0)
				memcpy(w, v, *n * sizeof(*w));
			v = w;
		}
		v[(*n)++] = arena_strdup(a, e->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), by_name);
	else
		v = arena_array(a, 1, sizeof(*v));
	return v;
}

/* Front matter to a post, defaults filled in. */
static int
to_post(struct arena *a, const char *file, const char *base,
    const struct fm *fm, struct post_in *p, const char **author_name)
{
	const char	**slugs, **names;

	memset(p, 0, sizeof(*p));
	if (fm->val[FM_TITLE] == NULL) {
		fprintf(stderr, "inkwellctl: import: %s: no title\n", file);
		return -1;
	}
	p->title = fm->val[FM_TITLE];
	p->slug = fm->val[FM_SLUG] != NULL ? fm->val[FM_SLUG] :
	    arena_strndup(a, base, strlen(base) - 3);
	p->published_at = fm->val[FM_DATE];
	p->updated_at = fm->val[FM_UPDATED] != NULL ? fm->val[FM_UPDATED] :
	    fm->val[FM_DATE];
	p->status = fm->val[FM_STATUS] != NULL ? fm->val[FM_STATUS] :
	    fm->val[FM_DATE] != NULL ? "published" : "draft";
	p->author = fm->val[FM_AUTHOR] != NULL ? fm->val[FM_AUTHOR] :
	    DEFAULT_AUTHOR;
	*author_name = fm->val[FM_AUTHOR_NAME] != NULL ?
	    fm->val[FM_AUTHOR_NAME] : p->author;
	p->summary = fm->val[FM_SUMMARY];
	p->kind = fm->val[FM_KIND];
	/* A file says its feature picture, or has none. */
	p->set_feature = true;
	p->feature_image = fm->val[FM_FEATURE_IMAGE] != NULL &&
	    *fm->val[FM_FEATURE_IMAGE] != '\0' ? fm->val[FM_FEATURE_IMAGE] :
	    NULL;
	/* fm_parse's text is NUL-terminated right after the body. */
	p->body_md = fm->body;
	slugs = arena_array(a, fm->ntags + 1, sizeof(*slugs));
	names = arena_array(a, fm->ntags + 1, sizeof(*names));
	for (size_t i = 0; i < fm->ntags; i++) {
		slugs[i] = fm->tags[i].slug;
		names[i] = fm->tags[i].name;
	}
	p->tag_slugs = slugs;
	p->tag_names = names;
	p->ntags = fm->ntags;
	return 0;
}

static int
import_dir(struct db *db, const char *dir)
{
	struct arena	*list = arena_new(65536), *a = arena_new(1 << 20);
	struct tally	 t = { 0, 0 };
	struct post_in	 p;
	struct fm	 fm;
	char		**files, *text, err[512];
	const char	*path, *author_name;
	size_t		 nfiles, n;
	int		 rc = 1;

	if ((files = md_files(list, dir, &nfiles)) == NULL) {
		fprintf(stderr, "inkwellctl: import: %s: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	if (nfiles == 0) {
		fprintf(stderr, "inkwellctl: import: %s: no *.md files\n", dir);
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		arena_reset(a);
		path = arena_printf(a, "%s/%s", dir, files[i]);
		if (slurp(a, path, FM_FILE_MAX, &text, &n) < 0) {
			fprintf(stderr, "inkwellctl: import: %s: %s\n", path,
			    strerror(errno));
			t.failed++;
			continue;
		}
		if (fm_parse(a, path, text, n, &fm, err, sizeof(err)) < 0) {
			fprintf(stderr, "inkwellctl: import: %s\n", err);
			t.failed++;
			continue;
		}
		if (to_post(a, path, files[i], &fm, &p, &author_name) < 0) {
			t.failed++;
			continue;
		}
		if (save(db, a, &p, author_name, path, &t, NULL) ==
		    ST_UNAVAILABLE) {
			stopping(&t, nfiles - i - 1);
			break;
		}
	}
	rc = summary(&t);
out:
	arena_free(a);
	arena_free(list);
	return rc;
}

/* What an import of an export did besides posts, for the summary. */
struct wtally {
	size_t	 authors_new, authors_old, authors_failed;
	size_t	 comments_new, comments_old, comments_failed;
	size_t	 media_stored, media_missing, media_refused;
	size_t	 redirects_new, redirects_old, redirects_other;
	size_t	 redirects_failed;
};

/*
 * Opens rel below the folder dirfd one segment at a time, none of them
 * a symbolic link (O_NOFOLLOW on each), so nothing outside the folder
 * can be reached; rel must have passed wxr_rel_ok.  The descriptor, or
 * -1 with errno (ELOOP for a link).
 */
static int
open_beneath(int dirfd, struct arena *a, const char *rel)
{
	char	*path = arena_strdup(a, rel), *seg = path, *slash;
	int	 fd = dirfd, next, e;

	for (;;) {
		bool	 last = (slash = strchr(seg, '/')) == NULL;

		if (!last)
			*slash = '\0';
		next = openat(fd, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK | (last ? 0 : O_DIRECTORY));
		e = errno;
		if (fd != dirfd)
			close(fd);
		errno = e;
		if (next < 0 || last)
			return next;
		fd = next;
		seg = slash + 1;
	}
}

/* Reads the regular file fd into the arena: at most max bytes.  0; -1
 * with a reason in *why. */
static int
read_file(int fd, struct arena *a, int64_t max, unsigned char **p,
    size_t *n, const char **why)
{
	struct stat	 st;
	size_t		 got = 0;
	ssize_t		 r = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -1;
	}
	if (st.st_size > max || st.st_size > INT32_MAX) {
		*why = arena_printf(a, "larger than %lld bytes ([server] "
		    "media_max_bytes)", (long long)max);
		return -1;
	}
	*p = arena_alloc(a, (size_t)st.st_size + 1);
	while (got <= (size_t)st.st_size && (r = read(fd, *p + got,
	    (size_t)st.st_size + 1 - got)) > 0)
		got += (size_t)r;
	if (r < 0 || got != (size_t)st.st_size) {
		*why = r < 0 ? strerror(errno) : "changed while being read";
		return -1;
	}
	*n = got;
	return 0;
}

/*
 * Stores one attachment from the folder dirfd as a media file; *to gets
 * its /media/ path.  ST_OK; ST_NOTFOUND for a file that is not there
 * (reported); ST_UNPROCESSABLE for one refused (reported); or the
 * database's status.
 */
static enum status
attachment(struct db *db, struct arena *a, const struct conf *c,
    int dirfd, const struct wxr_attachment *m, const char *file,
    const char **to)
{
	const struct imgrun_limits l = imgrun_limits_of(c);
	struct media_in	 in;
	struct media_out out;
	unsigned char	*data = NULL, *frame = NULL;
	const char	*rel, *why = NULL, *ctype, *name, *nor = "";
	size_t		 n = 0;
	int		 fd = -1, status;
	int64_t		 uid;
	bool		 created;
	enum status	 st = ST_UNPROCESSABLE;

	/* By its path below uploads/, or else by its name alone. */
	rel = m->rel != NULL ? m->rel : m->base;
	if (rel == NULL || !wxr_rel_ok(rel)) {
		why = "its URL names no file inside the folder (\"..\", an "
		    "absolute or an empty path)";
		goto out;
	}
	fd = open_beneath(dirfd, a, rel);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR) &&
	    m->rel != NULL && m->base != NULL && wxr_rel_ok(m->base) &&
	    strchr(m->base, '/') == NULL && strcmp(m->base, rel) != 0) {
		nor = arena_printf(a, " nor %s", m->base);
		fd = open_beneath(dirfd, a, m->base);
		if (fd >= 0)
			rel = m->base;
	}
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			printf("%s:%d: attachment %s: missing: no file %s%s "
			    "in the attachments folder\n", file, m->line,
			    m->url, rel, nor);
			st = ST_NOTFOUND;
		} else
			why = errno == ELOOP ? "a symbolic link (refused)" :
			    strerror(errno);
		goto out;
	}
	if (read_file(fd, a, c->media_max_bytes, &data, &n, &why) < 0)
		goto out;
	if ((ctype = media_sniff(data, n)) == NULL) {
		why = "not an image of a type inkwell stores (PNG, JPEG, GIF, "
		    "WebP, AVIF)";
		goto out;
	}
	name = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
	if ((name = media_name_make(a, name, ctype)) == NULL) {
		why = "no media name can be made of its name";
		goto out;
	}
	if ((st = db_import_user(db, a, m->author, m->author, NULL, &uid,
	    &created)) != ST_OK)
		goto out;
	/* Decoded and cleaned as an upload is (content/imgrun.h). */
	if (imgrun_media(a, &l, name, data, n, NULL, &in, &frame, &status,
	    &why) != 0)
		goto out;
	in.uploader = uid;
	/* A name that holds other bytes: the same name after the start of
	 * the hash, which a second import finds again. */
	if ((st = db_media_put(db, a, &in, &out, &created)) == ST_CONFLICT) {
		in.name = arena_printf(a, "%.12s-%.*s", in.sha256,
		    MEDIA_NAME_MAX - 13, name);
		st = db_media_put(db, a, &in, &out, &created);
	}
	if (st == ST_OK) {
		*to = arena_printf(a, "/media/%s", in.name);
		printf("%s:%d: attachment %s: %s %s\n", file, m->line, m->url,
		    created ? "stored as" : "already stored as", *to);
	} else
		why = why_failed(st);
out:
	if (why != NULL) {
		printf("%s:%d: attachment %s: refused: %s\n", file, m->line,
		    m->url, why);
		if (st == ST_OK || st == ST_NOTFOUND)
			st = ST_UNPROCESSABLE;
	}
	if (fd >= 0)
		close(fd);
	free(frame);
	return st;
}

/* The comments of a saved post; counted in *w. */
static enum status
comments(struct db *db, struct arena *a, int64_t post_id,
    const struct wxr_post *p, const char *what, struct wtally *w)
{
	int64_t		*ids;
	bool		 created;
	enum status	 st = ST_OK;

	if (p->ncomments == 0)
		return ST_OK;
	ids = arena_array(a, p->ncomments, sizeof(*ids));
	for (size_t i = 0; i < p->ncomments; i++) {
		const struct wxr_comment *c = &p->comments[i];
		/* Parents come first: ids[parent] is known, or 0 when the
		 * parent failed (the reply is then kept on the post). */
		int64_t	 parent = c->parent >= 0 ? ids[c->parent] : 0;

		st = db_import_comment(db, a, post_id, parent, c, &ids[i],
		    &created);
		if (st == ST_OK)
			created ? w->comments_new++ : w->comments_old++;
		else {
			fprintf(stderr, "inkwellctl: import: %s: comment by "
			    "\"%s\": %s\n", what, c->author_name,
			    why_failed(st));
			w->comments_failed++;
			if (st == ST_UNAVAILABLE)
				break;
		}
	}
	return st == ST_UNAVAILABLE ? st : ST_OK;
}

/* The post's old address, recorded; counted in *w. */
static enum status
redirect(struct db *db, struct arena *a, const struct wxr_post *p,
    const char *what, struct wtally *w)
{
	const char	*to, *how;
	enum status	 st;

	if (p->old_path == NULL)
		return ST_OK;
	to = arena_printf(a, "/posts/%s", p->out.in.slug);
	if (strcmp(p->old_path, to) == 0)
		return ST_OK;
	if ((st = db_import_redirect(db, a, p->old_path, to, &how)) !=
	    ST_OK) {
		fprintf(stderr, "inkwellctl: import: %s: redirect from %s: "
		    "%s\n", what, p->old_path, why_failed(st));
		w->redirects_failed++;
		return st;
	}
	if (strcmp(how, "new") == 0)
		w->redirects_new++;
	else if (strcmp(how, "same") == 0)
		w->redirects_old++;
	else {
		printf("%s: the old address %s already redirects elsewhere; "
		    "left as it is\n", what, p->old_path);
		w->redirects_other++;
	}
	return ST_OK;
}

static int
import_wxr(struct db *db, const struct conf *c, const char *file,
    const char *dir)
{
	struct arena	*a = arena_new(1 << 20), *work = arena_new(1 << 20);
	struct tally	 t = { 0, 0 };
	struct wtally	 w;
	struct wxr_export x;
	struct wxr_map	*map = NULL;
	struct buf	 b;
	size_t		 nmap = 0;
	char		 err[1024];
	const char	*what, *to = NULL, *html;
	int64_t		 id;
	int		 rc = 1, dirfd = -1, changed;
	bool		 created;
	enum status	 st = ST_OK;

	memset(&w, 0, sizeof(w));
	if (dir != NULL && (dirfd = open(dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		fprintf(stderr, "inkwellctl: import: %s: %s\n", dir,
		    strerror(errno));
		goto out;
	}
	if (wxr_read(a, file, &x, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "inkwellctl: import: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < x.nauthors && st != ST_UNAVAILABLE; i++) {
		arena_reset(work);
		st = db_import_user(db, work, x.authors[i].username,
		    x.authors[i].display_name, x.authors[i].email, &id,
		    &created);
		if (st == ST_OK)
			created ? w.authors_new++ : w.authors_old++;
		else {
			fprintf(stderr, "inkwellctl: import: %s: author %s: "
			    "%s\n", file, x.authors[i].username,
			    why_failed(st));
			w.authors_failed++;
		}
	}
	if (x.nattachments > 0 && dirfd < 0)
		printf("%s: %zu attachments not imported: no --attachments "
		    "folder given\n", file, x.nattachments);
	if (dirfd >= 0)
		map = arena_array(a, x.nattachments + 1, sizeof(*map));
	for (size_t i = 0; dirfd >= 0 && i < x.nattachments &&
	    st != ST_UNAVAILABLE; i++) {
		arena_reset(work);
		st = attachment(db, work, c, dirfd, &x.attachments[i], file,
		    &to);
		if (st == ST_OK) {
			map[nmap].from = x.attachments[i].url;
			map[nmap++].to = arena_strdup(a, to);
			w.media_stored++;
		} else if (st == ST_NOTFOUND)
			w.media_missing++;
		else
			w.media_refused++;
	}
	fflush(stdout);
	for (size_t i = 0; i < x.nposts && st != ST_UNAVAILABLE; i++) {
		struct wxr_post	*p = &x.posts[i];

		arena_reset(work);
		what = arena_printf(work, "%s: post \"%s\"", file,
		    p->out.in.slug);
		if (nmap > 0 && (html = wxr_rewrite(work, p->html, map, nmap,
		    &changed)) != NULL && changed) {
			buf_init(&b, work, strlen(html) + 64);
			if (html_md_convert(html, strlen(html), &b) == 0)
				p->out.in.body_md = b.p;
		}
		st = save(db, work, &p->out.in, p->out.author_name, what, &t,
		    &id);
		if (st == ST_OK)
			st = comments(db, work, id, p, what, &w);
		if (st == ST_OK)
			st = redirect(db, work, p, what, &w);
		if (st == ST_UNAVAILABLE)
			stopping(&t, x.nposts - i - 1);
	}
	printf("%d imported, %d failed; authors: %zu new, %zu existing, "
	    "%zu failed; comments: %zu new, %zu existing, %zu failed, "
	    "%zu trashed or of other states, %zu pingbacks and trackbacks, "
	    "%zu nested too deep or in a circle, %zu over the limits "
	    "(all left out); attachments: %zu stored, %zu missing "
	    "(not fatal), %zu refused; redirects: %zu new, %zu existing, "
	    "%zu kept elsewhere, %zu failed\n", t.ok, t.failed,
	    w.authors_new, w.authors_old, w.authors_failed, w.comments_new,
	    w.comments_old, w.comments_failed, x.skips.comments,
	    x.skips.pings, x.skips.threads, x.skips.limit, w.media_stored,
	    w.media_missing, w.media_refused, w.redirects_new,
	    w.redirects_old, w.redirects_other, w.redirects_failed);
	rc = t.failed > 0 || w.authors_failed > 0 || w.comments_failed > 0 ||
	    w.media_refused > 0 || w.redirects_failed > 0 ? 1 : 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	arena_free(work);
	arena_free(a);
	return rc;
}

/* What dir is: 1 a complete export, 0 a folder of Markdown files, -1 an
 * export without its manifest (said on stderr). */
static int
kind_of(const char *dir)
{
	char	 path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, EXP_MANIFEST);
	if (access(path, F_OK) == 0)
		return 1;
	for (int f = 0; f <= EX__MAX; f++) {
		const char *name = f < EX__MAX ? exp_file_names[f] : "media";

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "inkwellctl: import: %s: %s is there "
			    "but %s is not: an export cut short or damaged; "
			    "nothing imported (--posts reads its Markdown "
			    "files only)\n", dir, name, EXP_MANIFEST);
			return -1;
		}
	}
	return 0;
}

int
ctl_import(const struct conf *c, int argc, char **argv)
{
	struct cache	*cache;
	struct arena	*a;
	struct db	*db;
	const char	*dir = NULL;
	const char	*att = NULL;	/* --attachments DIR of a WXR import */
	int		 rc, kind = 0;

	if (argc == 3 && strcmp(argv[1], "--wxr") == 0)
		rc = -1;
	else if (argc == 5 && strcmp(argv[1], "--wxr") == 0 &&
	    strcmp(argv[3], "--attachments") == 0) {
		rc = -1;
		att = argv[4];
	} else if (argc == 5 && strcmp(argv[3], "--wxr") == 0 &&
	    strcmp(argv[1], "--attachments") == 0) {
		rc = -1;
		att = argv[2];
		argv[2] = argv[4];
	} else if (argc == 3 && strcmp(argv[1], "--posts") == 0 &&
	    argv[2][0] != '-') {
		rc = 0;
		dir = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		rc = 0;
		dir = argv[1];
		if ((kind = kind_of(dir)) < 0)
			return 1;
	} else {
		fprintf(stderr, "usage: inkwellctl import [--posts] DIR\n"
		    "       inkwellctl import --wxr FILE "
		    "[--attachments DIR]\n");
		return 2;
	}
	log_set_role("inkwellctl");
	cache = cache_open(c);
	/* As the write API does: nothing is committed that nginx could then
	 * keep serving old page files over (src/pages.h). */
	if (cache_write_begin(cache) != ST_OK) {
		fprintf(stderr, "inkwellctl: import: the page-files directory "
		    "%s can neither take a new generation nor retire the "
		    "current one; nothing imported\n", c->pages_dir);
		cache_close(cache);
		return 1;
	}
	db = db_open(c);
	rc = rc < 0 ? import_wxr(db, c, argv[2], att) : kind == 1 ?
	    ctl_import_site(db, c, dir) : import_dir(db, dir);
	/* Whatever was committed is live: retire cached pages before we
	 * say we are done, even when some files were refused. */
	a = arena_new(4096);
	switch (cache_invalidate(cache, db, a)) {
	case ST_OK:
		break;
	case ST_UNAVAILABLE:
		fprintf(stderr, "inkwellctl: warning: could not reach Redis to "
		    "retire cached pages; they expire within [redis] "
		    "sync_interval\n");
		break;
	default:
		fprintf(stderr, "inkwellctl: import: committed, but nginx may "
		    "still serve page files from before it (see the log)\n");
		rc = 1;
		break;
	}
	arena_free(a);
	cache_close(cache);
	db_close(db);
	return rc;
}
