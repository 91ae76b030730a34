/* SPDX-License-Identifier: MIT */
/*
 * stale.c: the last-known-good rendering of the site (see stale.h).
 *
 * DIR/current -> "g-<born>-<pid>", a directory of page files named as
 * pages_path() names them, and ".stamp" (one line: version live theme
 * pages bytes seconds made).  A generation is written as
 * ".new-<born>-<pid>" and renamed to its name only when complete, so a
 * directory without the dot is always whole; DIR/current is swapped by
 * renaming a new symlink over it.  One renderer writes to DIR (inkwelld
 * starts one); any number of workers read it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "cache/pages.h"
#include "cache/stale.h"

#define CURRENT		"current"
#define STAMP		".stamp"
#define NEW_PREFIX	".new-"
#define GEN_PREFIX	"g-"
#define PATH_MAX_STALE	4096

struct stale_gen {
	char		*dir;
	char		 name[64];	/* "g-..." once published */
	char		 tmp[64];	/* ".new-..." while written */
	int		 dfd;		/* the generation being written */
	int		 prev;		/* the published one, or -1 */
	uint64_t	 max_bytes;
	uint64_t	 pages;
	uint64_t	 bytes;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	/* Best effort: what cannot be removed now goes at the next sweep. */
	(void)(flag == FTW_DP ? rmdir(path) : unlink(path));
	return 0;
}

/* Removes DIR/name and everything under it. */
static void
rm_tree(const char *dir, const char *name)
{
	char	 path[PATH_MAX_STALE];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return;
	(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The name DIR/current points at, or "" when none. */
static void
current_name(const char *dir, char *out, size_t n)
{
	char	 path[PATH_MAX_STALE];
	ssize_t	 len;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/" CURRENT, dir) >=
	    (int)sizeof(path))
		return;
	len = readlink(path, out, n - 1);
	if (len <= 0 || strncmp(out, GEN_PREFIX, strlen(GEN_PREFIX)) != 0 ||
	    memchr(out, '/', (size_t)len) != NULL) {
		out[0] = '\0';
		return;
	}
	out[len] = '\0';
}

static int
parse_stamp(const char *s, struct stale_stamp *st)
{
	char	 theme[32];

	memset(st, 0, sizeof(*st));
	if (sscanf(s, "%" SCNd64 " %" SCNd64 " %31s %" SCNu64 " %" SCNu64
	    " %lf %" SCNd64, &st->version, &st->live, theme, &st->pages,
	    &st->bytes, &st->seconds, &st->made) != 7 ||
	    strlen(theme) >= sizeof(st->theme))
		return -1;
	memcpy(st->theme, strcmp(theme, "-") == 0 ? "" : theme,
	    strlen(theme) + 1);
	return 0;
}

int
stale_current(const char *dir, struct stale_stamp *out)
{
	char	 name[64], path[PATH_MAX_STALE], line[256];
	FILE	*fp;
	int	 rc = -1;

	current_name(dir, name, sizeof(name));
	if (name[0] == '\0' || snprintf(path, sizeof(path), "%s/%s/" STAMP,
	    dir, name) >= (int)sizeof(path))
		return -1;
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), fp) != NULL)
		rc = parse_stamp(line, out);
	fclose(fp);
	return rc;
}

/* Removes what an interrupted rendering left, and generations that
 * DIR/current no longer names. */
static void
sweep(const char *dir, const char *keep)
{
	DIR		*d;
	struct dirent	*e;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if ((strncmp(e->d_name, NEW_PREFIX, strlen(NEW_PREFIX)) == 0 ||
		    strncmp(e->d_name, GEN_PREFIX, strlen(GEN_PREFIX)) == 0) &&
		    strcmp(e->d_name, keep) != 0)
			rm_tree(dir, e->d_name);
		else if (strncmp(e->d_name, ".current-", 9) == 0) {
			char	 path[PATH_MAX_STALE];

			if (snprintf(path, sizeof(path), "%s/%s", dir,
			    e->d_name) < (int)sizeof(path))
				(void)unlink(path);
		}
	}
	closedir(d);
}

struct stale_gen *
stale_begin(const char *dir, uint64_t max_bytes)
{
	struct stale_gen *g;
	char		 cur[64], path[PATH_MAX_STALE];
	struct timespec	 ts;
	int		 saved;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return NULL;
	current_name(dir, cur, sizeof(cur));
	sweep(dir, cur);
	g = xcalloc(1, sizeof(*g));
	g->dir = xstrdup(dir);
	g->max_bytes = max_bytes;
	g->dfd = -1;
	g->prev = -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(g->name, sizeof(g->name), GEN_PREFIX "%lld%06ld-%ld",
	    (long long)ts.tv_sec, ts.tv_nsec / 1000, (long)getpid());
	snprintf(g->tmp, sizeof(g->tmp), NEW_PREFIX "%s",
	    g->name + strlen(GEN_PREFIX));
	if (snprintf(path, sizeof(path), "%s/%s", dir, g->tmp) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (mkdir(path, 0755) != 0 ||
	    (g->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	if (cur[0] != '\0' && snprintf(path, sizeof(path), "%s/%s", dir, cur) <
	    (int)sizeof(path))
		g->prev = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return g;
fail:
	saved = errno;
	rm_tree(dir, g->tmp);
	free(g->dir);
	free(g);
	errno = saved;
	return NULL;
}

/* True when prev holds rel with exactly body's bytes. */
static bool
same_as(int prev, const char *rel, const char *body, size_t n)
{
	char		 chunk[65536];
	struct stat	 st;
	size_t		 off = 0;
	int		 fd;
	bool		 same = true;

	if (prev < 0 || (fd = openat(prev, rel, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return false;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != n) {
		close(fd);
		return false;
	}
	while (same && off < n) {
		ssize_t r = read(fd, chunk, sizeof(chunk));

		if (r <= 0 || (size_t)r > n - off ||
		    memcmp(chunk, body + off, (size_t)r) != 0)
			same = false;
		else
			off += (size_t)r;
	}
	close(fd);
	return same;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
stale_put(struct stale_gen *g, const char *path, const char *query,
    const char *ctype, const char *body, size_t n)
{
	char	 rel[PAGES_MAX_PATH + 1];
	int	 fd, saved;

	if (pages_path(path, query, ctype, rel, sizeof(rel)) != 0)
		return 1;
	if (n > STALE_MAX_PAGE || g->bytes + n > g->max_bytes) {
		errno = EFBIG;
		return -1;
	}
	if (pages_make_parents(g->dfd, rel) != 0)
		return -1;
	if (same_as(g->prev, rel, body, n) &&
	    linkat(g->prev, rel, g->dfd, rel, 0) == 0)
		goto counted;
	if ((fd = openat(g->dfd, rel, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return -1;
	if (write_all(fd, body, n) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (close(fd) != 0)
		return -1;
counted:
	g->pages++;
	g->bytes += n;
	return 0;
}

void
stale_count(const struct stale_gen *g, uint64_t *pages, uint64_t *bytes)
{
	*pages = g->pages;
	*bytes = g->bytes;
}

static void
gen_free(struct stale_gen *g)
{
	if (g->dfd >= 0)
		close(g->dfd);
	if (g->prev >= 0)
		close(g->prev);
	free(g->dir);
	free(g);
}

void
stale_abort(struct stale_gen *g)
{
	if (g == NULL)
		return;
	rm_tree(g->dir, g->tmp);
	gen_free(g);
}

int
stale_commit(struct stale_gen *g, struct stale_stamp *st)
{
	char	 line[256], from[PATH_MAX_STALE], to[PATH_MAX_STALE];
	char	 link[PATH_MAX_STALE];
	int	 fd, saved;

	st->pages = g->pages;
	st->bytes = g->bytes;
	st->made = (int64_t)time(NULL);
	snprintf(line, sizeof(line), "%" PRId64 " %" PRId64 " %s %" PRIu64
	    " %" PRIu64 " %.3f %" PRId64 "\n", st->version, st->live,
	    st->theme[0] != '\0' ? st->theme : "-", st->pages, st->bytes,
	    st->seconds, st->made);
	if ((fd = openat(g->dfd, STAMP, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644)) < 0)
		goto fail;
	if (write_all(fd, line, strlen(line)) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	if (close(fd) != 0 || syncfs(g->dfd) != 0)
		goto fail;
	if (snprintf(from, sizeof(from), "%s/%s", g->dir, g->tmp) >=
	    (int)sizeof(from) ||
	    snprintf(to, sizeof(to), "%s/%s", g->dir, g->name) >=
	    (int)sizeof(to) ||
	    snprintf(link, sizeof(link), "%s/.current-%s", g->dir, g->name) >=
	    (int)sizeof(link)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if (rename(from, to) != 0)
		goto fail;
	if (symlink(g->name, link) != 0) {
		saved = errno;
		rm_tree(g->dir, g->name);
		errno = saved;
		goto fail_published;
	}
	snprintf(to, sizeof(to), "%s/" CURRENT, g->dir);
	if (rename(link, to) != 0) {
		saved = errno;
		(void)unlink(link);
		rm_tree(g->dir, g->name);
		errno = saved;
		goto fail_published;
	}
	sweep(g->dir, g->name);
	gen_free(g);
	return 0;
fail:
	saved = errno;
	rm_tree(g->dir, g->tmp);
	gen_free(g);
	errno = saved;
	return -1;
fail_published:
	saved = errno;
	gen_free(g);
	errno = saved;
	return -1;
}

int
stale_drop(const char *dir)
{
	char	 path[PATH_MAX_STALE];

	if (snprintf(path, sizeof(path), "%s/" CURRENT, dir) >=
	    (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	sweep(dir, "");
	return 0;
}

int
stale_get(const char *dir, const char *path, const char *query,
    struct arena *a, const char **ctype, const char **body, size_t *n)
{
	char		 rel[PAGES_MAX_PATH + 1], file[PATH_MAX_STALE];
	const char	*ct;
	struct stat	 st;
	int		 fd = -1;

	if (dir == NULL || dir[0] == '\0')
		return -1;
	for (size_t i = 0; (ct = pages_ctype(i)) != NULL; i++) {
		if (pages_path(path, query, ct, rel, sizeof(rel)) != 0 ||
		    snprintf(file, sizeof(file), "%s/" CURRENT "/%s", dir,
		    rel) >= (int)sizeof(file))
			continue;
		if ((fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
			break;
	}
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > STALE_MAX_PAGE) {
		close(fd);
		return -1;
	}
	{
		size_t	 len = (size_t)st.st_size, off = 0;
		char	*p = arena_alloc(a, len + 1);

		while (off < len) {
			ssize_t r = read(fd, p + off, len - off);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			off += (size_t)r;
		}
		close(fd);
		if (off != len)
			return -1;
		p[len] = '\0';
		*ctype = ct;
		*body = p;
		*n = len;
	}
	return 0;
}
