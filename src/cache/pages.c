/* SPDX-License-Identifier: MIT */
/*
 * pages.c: page files in generations, for nginx to serve (see pages.h).
 *
 * Who writes what:
 *   - a worker that rendered a page on a cache miss writes its file into
 *     the generation that was current BEFORE it looked the page up, so a
 *     page made from content older than a generation never lands in it
 *     (the same rule cache.c applies to Redis entries by version);
 *   - writers (inkwellctl, the write API) reserve a new generation before
 *     they commit (pages_prepare: its directory and the link that will
 *     become current, the only steps that need room), and publish one
 *     after they commit and push the new version to Redis, before they
 *     answer (pages_swap); when there is no room for a fresh one the
 *     reserved one goes in force, and when neither can, current is
 *     removed (nginx then asks the workers, who write no files until a
 *     generation is published again).  A write is refused when even
 *     that is impossible (a read-only directory), so no answer says a
 *     change is done while nginx may serve pages from before it;
 *   - inkwelld's keeper publishes one (or, without room, retires the
 *     current one) when the content version changes under it (psql,
 *     another host) and the moment a scheduled post goes live; it
 *     publishes one as soon as there is room when none is current, and
 *     removes old generations.
 * A request nginx resolved against an old generation that is swapped or
 * removed under it falls through to a worker (error_page in the nginx
 * site), so a swap never shows a reader an error.
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
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "cache/pages.h"
#include "lib/util.h"

#define CURRENT		"current"
#define CURRENT_TMP	".current.tmp"
#define LOCK		".lock"
#define NEXT		".next-"
/* Room for DIR plus a generation and a page path. */
#define PATH_MAX_PAGES	4096

/* The content types nginx's types block in the site maps back. */
static const struct {
	const char	*ctype, *ext;
} exts[] = {
	{ "text/html; charset=utf-8", "html" },
	{ "application/json", "json" },
	{ "application/atom+xml; charset=utf-8", "atom" },
	{ "application/rss+xml; charset=utf-8", "rss" },
	{ "application/xml; charset=utf-8", "xml" },
	{ "application/feed+json", "jsonfeed" },
};

static bool
parse_u64(const char **p, uint64_t *out)
{
	const char	*s = *p;
	uint64_t	 v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return true;
}

int
pages_gen_parse(const char *name, struct pages_gen *g)
{
	const char	*p = name;
	uint64_t	 id, epoch, born, version = 0;
	bool		 unknown = false;

	if (strlen(name) >= sizeof(g->name) || !parse_u64(&p, &id) ||
	    *p++ != '-')
		return -1;
	if (p[0] == 'x')
		unknown = true, p++;
	else if (!parse_u64(&p, &version) || version > INT64_MAX)
		return -1;
	if (*p++ != '-' || !parse_u64(&p, &epoch) || epoch > INT64_MAX ||
	    *p++ != '-' || !parse_u64(&p, &born) || born > INT64_MAX ||
	    *p != '\0')
		return -1;
	g->id = id;
	g->version = unknown ? -1 : (int64_t)version;
	g->epoch = (int64_t)epoch;
	g->born = (int64_t)born;
	memcpy(g->name, name, strlen(name) + 1);
	return 0;
}

static void
gen_name(struct pages_gen *g)
{
	if (g->version < 0)
		snprintf(g->name, sizeof(g->name), "%" PRIu64 "-x-%" PRId64
		    "-%" PRId64, g->id, g->epoch, g->born);
	else
		snprintf(g->name, sizeof(g->name), "%" PRIu64 "-%" PRId64
		    "-%" PRId64 "-%" PRId64, g->id, g->version, g->epoch,
		    g->born);
}

static int
current_at(int dfd, struct pages_gen *g)
{
	char	 name[sizeof(g->name)];
	ssize_t	 n;

	if ((n = readlinkat(dfd, CURRENT, name, sizeof(name) - 1)) < 0)
		return -1;
	name[n] = '\0';
	return pages_gen_parse(name, g);
}

int
pages_current(const char *dir, struct pages_gen *g)
{
	char	 path[PATH_MAX_PAGES], name[sizeof(g->name)];
	ssize_t	 n;

	if (snprintf(path, sizeof(path), "%s/" CURRENT, dir) >=
	    (int)sizeof(path) ||
	    (n = readlink(path, name, sizeof(name) - 1)) < 0)
		return -1;
	name[n] = '\0';
	return pages_gen_parse(name, g);
}

/* Root publishing (inkwellctl run by hand): hand the new entry to whoever
 * owns DIR, so the workers can still write into it. */
static void
give_to_owner(int dfd, const char *name)
{
	struct stat	 st;

	if (geteuid() != 0 || fstat(dfd, &st) != 0 || st.st_uid == 0)
		return;
	if (fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) !=
	    0)
		log_msg(LOG_WARN, "pages: chown %s: %s", name, strerror(errno));
}

/*
 * A failure to publish, logged at most once a minute per cause: the
 * keeper retries every 100 ms while a directory is full or read-only.
 */
static void
log_failure(const char *dir, const char *what, int err, const char *then)
{
	static int	 last_err;
	static time_t	 last_at;
	time_t		 now = time(NULL);

	if (err == last_err && now - last_at < 60)
		return;
	last_err = err;
	last_at = now;
	log_msg(LOG_ERROR, "pages: cannot publish a new generation in %s "
	    "(%s: %s); %s", dir, what, strerror(err), then);
}

/* Opens DIR (made when missing) and takes its lock.  The lock file is
 * opened read-only, so a read-only DIR can still be locked. */
static int
lock_dir(const char *dir, int *dfd, int *lfd, const char **what)
{
	*dfd = *lfd = -1;
	*what = "mkdir";
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return -1;
	*what = "open";
	if ((*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	*what = "lock";
	if ((*lfd = openat(*dfd, LOCK, O_RDONLY | O_CREAT | O_CLOEXEC,
	    0644)) < 0)
		return -1;
	give_to_owner(*dfd, LOCK);
	return flock(*lfd, LOCK_EX);
}

static void
unlock_dir(int dfd, int lfd)
{
	int	 saved = errno;

	if (lfd >= 0)
		close(lfd);	/* drops the lock */
	if (dfd >= 0)
		close(dfd);
	errno = saved;
}

/*
 * Makes a new, empty generation directory for version.  Its id and epoch
 * are one above the highest of every generation in DIR, not only the
 * current one: a generation reserved before a commit may be put in force
 * after a newer one, and two generations must never share an epoch (nginx's
 * ETag is the mtime and size).  Under the lock.
 */
static int
new_gen(int dfd, int64_t version, struct pages_gen *g)
{
	struct pages_gen cur, e;
	struct timespec	 now;
	DIR		*d;
	struct dirent	*de;
	int		 fd;

	memset(&cur, 0, sizeof(cur));
	(void)current_at(dfd, &cur);
	if ((fd = dup(dfd)) >= 0 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (pages_gen_parse(de->d_name, &e) == 0) {
				if (e.id > cur.id)
					cur.id = e.id;
				if (e.epoch > cur.epoch)
					cur.epoch = e.epoch;
			}
		closedir(d);
	} else if (fd >= 0)
		close(fd);
	clock_gettime(CLOCK_REALTIME, &now);
	g->version = version;
	g->born = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	g->epoch = (int64_t)now.tv_sec;
	if (g->epoch <= cur.epoch)
		g->epoch = cur.epoch + 1;
	for (g->id = cur.id + 1;; g->id++) {
		gen_name(g);
		if (mkdirat(dfd, g->name, 0755) == 0)
			break;
		/* Left by a run that died before pointing at it. */
		if (errno != EEXIST || g->id > cur.id + 1000)
			return -1;
	}
	give_to_owner(dfd, g->name);
	return 0;
}

/* Drops generation name, empty, and the link name (either may be NULL). */
static void
drop(int dfd, const char *gen, const char *link)
{
	int	 saved = errno;

	if (link != NULL)
		(void)unlinkat(dfd, link, 0);
	if (gen != NULL)
		(void)unlinkat(dfd, gen, AT_REMOVEDIR);
	errno = saved;
}

/* Publishes a new generation under the lock: 0, or -1 with *what and
 * errno saying what failed (nothing is left behind). */
static int
publish_at(int dfd, int64_t version, struct pages_gen *out,
    const char **what)
{
	struct pages_gen g;

	*what = "mkdir";
	if (new_gen(dfd, version, &g) != 0)
		return -1;
	*what = "symlink";
	(void)unlinkat(dfd, CURRENT_TMP, 0);
	if (symlinkat(g.name, dfd, CURRENT_TMP) != 0) {
		drop(dfd, g.name, NULL);
		return -1;
	}
	give_to_owner(dfd, CURRENT_TMP);
	*what = "rename";
	if (renameat(dfd, CURRENT_TMP, dfd, CURRENT) != 0) {
		drop(dfd, g.name, CURRENT_TMP);
		return -1;
	}
	if (out != NULL)
		*out = g;
	return 0;
}

/* Removes DIR/current: nginx then asks the workers for every page, and
 * they write no files.  Needs no space.  0 (also when there was none),
 * or -1; *gone says whether there was one. */
static int
retire_at(int dfd, bool *gone)
{
	struct stat	 st;
	int		 err;

	*gone = false;
	if (unlinkat(dfd, CURRENT, 0) == 0) {
		*gone = true;
		return 0;
	}
	/* A read-only file system says EROFS even for a missing name. */
	err = errno;
	if (err == ENOENT || (fstatat(dfd, CURRENT, &st,
	    AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT))
		return 0;
	errno = err;
	return -1;
}

int
pages_publish(const char *dir, int64_t version, struct pages_gen *out)
{
	int		 dfd, lfd, rc = -1;
	const char	*what;

	if (lock_dir(dir, &dfd, &lfd, &what) == 0 &&
	    publish_at(dfd, version, out, &what) == 0)
		rc = 0;
	else
		log_failure(dir, what, errno, "nginx may serve old page files "
		    "until one is");
	unlock_dir(dfd, lfd);
	return rc;
}

int
pages_prepare(const char *dir, struct pages_next *n)
{
	int		 dfd, lfd, rc = -1, err;
	const char	*what;
	bool		 gone;

	memset(n, 0, sizeof(*n));
	if (lock_dir(dir, &dfd, &lfd, &what) != 0)
		goto retire;
	what = "mkdir";
	if (new_gen(dfd, -1, &n->g) != 0)
		goto retire;
	snprintf(n->link, sizeof(n->link), NEXT "%s", n->g.name);
	what = "symlink";
	if (symlinkat(n->g.name, dfd, n->link) != 0) {
		drop(dfd, n->g.name, NULL);
		goto retire;
	}
	give_to_owner(dfd, n->link);
	n->reserved = true;
	rc = 0;
	goto out;
retire:
	/* No room for one (or no lock): then no generation at all, so that
	 * nothing older than the coming change can be served.  dfd may be
	 * -1 when DIR could not be opened: then there is nothing to do. */
	err = errno;
	if (dfd < 0 && err == ENOENT) {
		rc = 0;
		goto out;
	}
	if (dfd >= 0 && retire_at(dfd, &gone) == 0) {
		n->retired = true;
		if (gone)
			log_msg(LOG_WARN, "pages: no room for a new generation "
			    "in %s (%s: %s); the current one is retired: nginx "
			    "asks the workers until one can be published",
			    dir, what, strerror(err));
		rc = 0;
	} else
		log_msg(LOG_ERROR, "pages: cannot publish a new generation in "
		    "%s (%s: %s) nor retire the current one (%s); refusing "
		    "the write", dir, what, strerror(err),
		    dfd >= 0 ? strerror(errno) : "cannot open it");
out:
	unlock_dir(dfd, lfd);
	return rc;
}

void
pages_abandon(const char *dir, struct pages_next *n)
{
	int	 dfd;

	if (n->reserved &&
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		drop(dfd, n->g.name, n->link);
		close(dfd);
	}
	memset(n, 0, sizeof(*n));
}

int
pages_swap(const char *dir, int64_t version, struct pages_next *n)
{
	int		 dfd, lfd, rc = 0, err;
	const char	*what;
	bool		 locked, gone;

	locked = lock_dir(dir, &dfd, &lfd, &what) == 0;
	if (dfd < 0) {
		/* No directory: nginx has nothing to serve from. */
		if (errno != ENOENT) {
			rc = -1;
			log_msg(LOG_ERROR, "pages: %s: %s; readers may be "
			    "served pages older than the last change", dir,
			    strerror(errno));
		}
		goto out;
	}
	if (locked && publish_at(dfd, version, NULL, &what) == 0) {
		if (n != NULL && n->reserved)
			drop(dfd, n->g.name, n->link);
		goto out;
	}
	err = errno;
	/* The generation reserved before the commit needs no space. */
	if (n != NULL && n->reserved &&
	    renameat(dfd, n->link, dfd, CURRENT) == 0) {
		log_msg(LOG_WARN, "pages: cannot publish a new generation in "
		    "%s (%s: %s); put the one reserved before the write in "
		    "force", dir, what, strerror(err));
		goto out;
	}
	if (n != NULL && n->reserved)
		drop(dfd, n->g.name, n->link);
	if (retire_at(dfd, &gone) == 0) {
		if (gone)
			log_msg(LOG_WARN, "pages: cannot publish a new "
			    "generation in %s (%s: %s); the current one is "
			    "retired: nginx asks the workers until one can be "
			    "published", dir, what, strerror(err));
		else
			log_failure(dir, what, err, "none is current: nginx "
			    "asks the workers");
		goto out;
	}
	rc = -1;
	log_failure(dir, what, err, "nor retire the current one: readers "
	    "may be served pages older than the last change");
out:
	if (n != NULL)
		memset(n, 0, sizeof(*n));
	unlock_dir(dfd, lfd);
	return rc;
}

static bool
path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

static bool
query_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '=' || c == '&' || c == '_' ||
	    c == '.' || c == '-';
}

const char *
pages_ctype(size_t i)
{
	return i < NELEM(exts) ? exts[i].ctype : NULL;
}

int
pages_path(const char *path, const char *query, const char *ctype,
    char *out, size_t outsz)
{
	const char	*ext = NULL, *p;
	size_t		 qn;

	for (size_t i = 0; i < NELEM(exts); i++)
		if (strcmp(ctype, exts[i].ctype) == 0)
			ext = exts[i].ext;
	if (ext == NULL || path[0] != '/')
		return -1;
	/* Segments: one or more path characters, not starting with '.'. */
	if (path[1] != '\0') {
		for (p = path; *p == '/'; ) {
			p++;
			if (*p == '.' || !path_char(*p))
				return -1;
			while (path_char(*p))
				p++;
		}
		if (*p != '\0')
			return -1;
	}
	qn = strlen(query);
	if (qn > PAGES_MAX_QUERY)
		return -1;
	for (size_t i = 0; i < qn; i++)
		if (!query_char(query[i]))
			return -1;
	if ((size_t)snprintf(out, outsz, "%s@%s.%s", path + 1, query, ext) >=
	    outsz || strlen(out) > PAGES_MAX_PATH)
		return -1;
	return 0;
}

int
pages_make_parents(int dfd, char *rel)
{
	for (char *s = strchr(rel, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dfd, rel, 0755) != 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return 0;
}

int
pages_write(const char *dir, const struct pages_gen *g, const char *rel,
    const char *body, size_t n)
{
	static unsigned	 seq;
	char		 path[PATH_MAX_PAGES], name[PAGES_MAX_PATH + 1];
	char		 tmp[64];
	struct timespec	 ts[2];
	int		 dfd, fd = -1, rc = -1, saved;
	size_t		 off = 0;
	struct stat	 st;

	if (strlen(rel) > PAGES_MAX_PATH ||
	    snprintf(path, sizeof(path), "%s/%s/%s", dir, g->name, rel) >=
	    (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	/*
	 * Most calls find the page there already (a Redis hit nginx was
	 * told to pass on, or raced another worker to): one stat instead
	 * of writing the whole body out only to see link(2) refuse it.
	 */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 1;
	path[strlen(path) - strlen(rel) - 1] = '\0';
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	memcpy(name, rel, strlen(rel) + 1);
	snprintf(tmp, sizeof(tmp), ".tmp-%ld-%u", (long)getpid(), seq++);
	if (pages_make_parents(dfd, name) != 0)
		goto out;
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0)
		goto out;
	while (off < n) {
		ssize_t w = write(fd, body + off, n - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto out_unlink;
		}
		off += (size_t)w;
	}
	ts[0].tv_sec = ts[1].tv_sec = (time_t)g->epoch;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (fchmod(fd, 0644) != 0 || futimens(fd, ts) != 0)
		goto out_unlink;
	if (close(fd) != 0) {
		fd = -1;
		goto out_unlink;
	}
	fd = -1;
	/* link(2) never replaces: the first copy of a page stays. */
	if (linkat(dfd, tmp, dfd, name, 0) == 0)
		rc = 0;
	else if (errno == EEXIST)
		rc = 1;
out_unlink:
	saved = errno;
	if (fd >= 0)
		close(fd);
	(void)unlinkat(dfd, tmp, 0);
	errno = saved;
out:
	saved = errno;
	close(dfd);
	errno = saved;
	return rc;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP)
		return rmdir(path) != 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) != 0 && errno != ENOENT ? -1 : 0;
}

static int
sweep(const char *dir, double min_age)
{
	struct pages_gen cur, g;
	char		 path[PATH_MAX_PAGES];
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	time_t		 now = time(NULL);
	int		 removed = 0;
	bool		 have_cur = pages_current(dir, &cur) == 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		/* A reservation whose writer died before it was used. */
		if (strncmp(de->d_name, NEXT, strlen(NEXT)) == 0) {
			if (snprintf(path, sizeof(path), "%s/%s", dir,
			    de->d_name) < (int)sizeof(path) &&
			    lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
			    difftime(now, st.st_ctime) >= min_age)
				(void)unlink(path);
			continue;
		}
		if (pages_gen_parse(de->d_name, &g) != 0 ||
		    (have_cur && strcmp(g.name, cur.name) == 0))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || lstat(path, &st) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (min_age > 0 && difftime(now, st.st_ctime) < min_age)
			continue;
		if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
			log_msg(LOG_WARN, "pages: cannot remove %s: %s", path,
			    strerror(errno));
		else
			removed++;
	}
	closedir(d);
	return removed;
}

int
pages_gc(const char *dir, double min_age)
{
	return sweep(dir, min_age);
}

int
pages_clear(const char *dir)
{
	return sweep(dir, 0);
}
