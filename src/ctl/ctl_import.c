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
 * updated the same as date (so importing again changes nothing) or now
 * when there is no date, author "admin", author_name the author's
 * username.  An author who does not exist is created (no password); one
 * who does keeps the display name they have.
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
#include "cache/cache.h"
#include "lib/conf.h"
#include "ctl/ctl.h"
#include "db/db.h"
#include "content/frontmatter.h"
#include "lib/log.h"
#include "lib/util.h"
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
why(enum status st)
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
    const char *author_name, const char *what, struct tally *t)
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
		fprintf(stderr, "inkwellctl: import: %s: %s\n", what, why(st));
		t->failed++;
	}
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
		if (save(db, a, &p, author_name, path, &t) == ST_UNAVAILABLE) {
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

static int
import_wxr(struct db *db, const char *file)
{
	struct arena	*a = arena_new(1 << 20), *work = arena_new(1 << 20);
	struct tally	 t = { 0, 0 };
	struct post_out	*posts;
	size_t		 n;
	char		 err[1024];
	const char	*what;
	int		 rc = 1;

	if (wxr_read(a, file, &posts, &n, stdout, err, sizeof(err)) < 0) {
		fprintf(stderr, "inkwellctl: import: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		arena_reset(work);
		what = arena_printf(work, "%s: post \"%s\"", file,
		    posts[i].in.slug);
		if (save(db, work, &posts[i].in, posts[i].author_name, what,
		    &t) == ST_UNAVAILABLE) {
			stopping(&t, n - i - 1);
			break;
		}
	}
	rc = summary(&t);
out:
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
	int		 rc, kind = 0;

	if (argc == 3 && strcmp(argv[1], "--wxr") == 0)
		rc = -1;
	else if (argc == 3 && strcmp(argv[1], "--posts") == 0 &&
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
		    "       inkwellctl import --wxr FILE\n");
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
	rc = rc < 0 ? import_wxr(db, argv[2]) : kind == 1 ?
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
