/* SPDX-License-Identifier: MIT */
/*
 * pages-t.c: page files: which requests may have one and what it is
 * called (hostile paths and queries included), generation names, and
 * publish / write / sweep on a scratch directory.  nginx serving them is
 * tested end to end in t/4008-cache.t.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/pages.h"
#include "tap.h"
#include "lib/util.h"

#define HTML	"text/html; charset=utf-8"

static void
path_is(const char *path, const char *query, const char *ctype,
    const char *want)
{
	char	 out[PAGES_MAX_PATH + 1];
	int	 r = pages_path(path, query, ctype, out, sizeof(out));

	if (want == NULL)
		ok(r == -1, "no file for \"%s\" ? \"%s\" (%s)", path, query,
		    ctype);
	else if (ok(r == 0, "a file for \"%s\" ? \"%s\"", path, query))
		is_string(want, out, "named %s", want);
}

static void
paths(void)
{
	char	 long_path[PAGES_MAX_PATH + 8], long_query[PAGES_MAX_QUERY + 2];
	char	 out[PAGES_MAX_PATH + 1], p[PAGES_MAX_PATH + 1];

	path_is("/", "", HTML, "@.html");
	path_is("/", "page=2", HTML, "@page=2.html");
	path_is("/posts/hello-world", "", HTML, "posts/hello-world@.html");
	path_is("/api/v1/posts", "page=2&per_page=5", "application/json",
	    "api/v1/posts@page=2&per_page=5.json");
	path_is("/feed.atom", "", "application/atom+xml; charset=utf-8",
	    "feed.atom@.atom");
	path_is("/feed.rss", "", "application/rss+xml; charset=utf-8",
	    "feed.rss@.rss");
	path_is("/sitemap.xml", "", "application/xml; charset=utf-8",
	    "sitemap.xml@.xml");
	path_is("/a_b~c.d", "", HTML, "a_b~c.d@.html");

	/* Types nginx does not map back. */
	path_is("/robots.txt", "", "text/plain; charset=utf-8", NULL);
	path_is("/", "", "text/html", NULL);
	path_is("/", "", "", NULL);

	/* Paths nginx would read differently, or that name other files. */
	path_is("", "", HTML, NULL);
	path_is("posts", "", HTML, NULL);
	path_is("/posts/", "", HTML, NULL);
	path_is("//posts", "", HTML, NULL);
	path_is("/posts//x", "", HTML, NULL);
	path_is("/..", "", HTML, NULL);
	path_is("/../etc/passwd", "", HTML, NULL);
	path_is("/posts/../x", "", HTML, NULL);
	path_is("/./x", "", HTML, NULL);
	path_is("/.hidden", "", HTML, NULL);
	path_is("/a@b", "", HTML, NULL);
	path_is("/a b", "", HTML, NULL);
	path_is("/a%2fb", "", HTML, NULL);
	path_is("/a\\b", "", HTML, NULL);
	path_is("/caf\xc3\xa9", "", HTML, NULL);
	ok(pages_path("/a\nb", "", HTML, p, sizeof(p)) == -1,
	    "no file for a path with a newline");

	/* Queries: plain characters only, bounded. */
	path_is("/", "q=a b", HTML, NULL);
	path_is("/", "q=a%20b", HTML, NULL);
	path_is("/", "q=a+b", HTML, NULL);
	path_is("/", "x=/../../etc", HTML, NULL);
	path_is("/", "a@b", HTML, NULL);
	path_is("/", "a/b", HTML, NULL);
	ok(pages_path("/", "a\x01", HTML, p, sizeof(p)) == -1,
	    "no file for a query with a control byte");

	memset(long_query, 'a', sizeof(long_query) - 1);
	long_query[sizeof(long_query) - 1] = '\0';
	path_is("/", long_query, HTML, NULL);
	long_query[PAGES_MAX_QUERY] = '\0';
	ok(pages_path("/", long_query, HTML, out, sizeof(out)) == 0,
	    "a query of PAGES_MAX_QUERY bytes has a file");

	long_path[0] = '/';
	memset(long_path + 1, 'a', sizeof(long_path) - 2);
	long_path[sizeof(long_path) - 1] = '\0';
	path_is(long_path, "", HTML, NULL);
	ok(pages_path("/abc", "", HTML, out, 8) == -1,
	    "a name that does not fit the buffer is refused");
}

static void
gen_names(void)
{
	struct pages_gen g;
	const char *bad[] = { "", "current", "1", "1-2", "1-2-3", "1-2-3-",
	    "-2-3-4", "1--3-4", "1-2-3-4-5", "1-2-3-4x", "a-2-3-4",
	    "1-y-3-4", "1-2-3-99999999999999999999",
	    "18446744073709551616-2-3-4", "1-9223372036854775808-3-4",
	    "1-2-3-4 ", ".tmp-1-2", "1-2-3-4/.." };

	ok(pages_gen_parse("7-42-1700000000-1700000000123", &g) == 0,
	    "a generation name parses");
	is_int(7, (int64_t)g.id, "id");
	is_int(42, g.version, "version");
	is_int(1700000000, g.epoch, "epoch");
	is_int(1700000000123, g.born, "born");
	ok(pages_gen_parse("3-x-5-6", &g) == 0 && g.version == -1,
	    "\"x\": the version is unknown");
	for (size_t i = 0; i < NELEM(bad); i++)
		ok(pages_gen_parse(bad[i], &g) == -1, "not a generation: "
		    "\"%s\"", bad[i]);
}

static int
count_gens(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	struct pages_gen g;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (pages_gen_parse(de->d_name, &g) == 0)
			n++;
	closedir(d);
	return n;
}

static char *
slurp(const char *path)
{
	static char	 buf[256];
	int		 fd = open(path, O_RDONLY);
	ssize_t		 n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static void
on_disk(void)
{
	char		 tmpl[] = "/tmp/inkwell-pages-t.XXXXXX", dir[64], p[256];
	char		*top;
	struct pages_gen g1, g2, g3, cur;
	struct stat	 st;

	if ((top = mkdtemp(tmpl)) == NULL)
		bail("mkdtemp failed");
	snprintf(dir, sizeof(dir), "%s/pages", top);

	ok(pages_current(dir, &cur) == -1, "no directory: no current");
	ok(pages_publish(dir, 5, &g1) == 0, "the first publish makes the "
	    "directory and a generation");
	ok(pages_current(dir, &cur) == 0 && strcmp(cur.name, g1.name) == 0,
	    "current points at it");
	is_int(5, cur.version, "with its version");
	ok(pages_publish(dir, -1, &g2) == 0 && g2.id == g1.id + 1,
	    "the next one has the next id");
	ok(g2.epoch > g1.epoch, "and a later epoch, even within a second "
	    "(%lld > %lld)", (long long)g2.epoch, (long long)g1.epoch);

	is_int(0, pages_write(dir, &g2, "posts/x@.html", "first", 5),
	    "a page file is written, directories made");
	is_int(1, pages_write(dir, &g2, "posts/x@.html", "second", 6),
	    "a second copy keeps the first");
	snprintf(p, sizeof(p), "%s/current/posts/x@.html", dir);
	is_string("first", slurp(p), "through current, the first copy");
	{
		/* A page already there is not written out again: with no
		 * file of even one byte allowed, a copy would fail. */
		struct rlimit	 was, none;
		int		 r;

		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &was);
		none = was;
		none.rlim_cur = 1;
		setrlimit(RLIMIT_FSIZE, &none);
		r = pages_write(dir, &g2, "posts/x@.html", "third", 5);
		setrlimit(RLIMIT_FSIZE, &was);
		signal(SIGXFSZ, SIG_DFL);
		is_int(1, r, "a page already there is found, not copied again");
	}
	ok(stat(p, &st) == 0 && st.st_mtime == (time_t)g2.epoch &&
	    (st.st_mode & 0777) == 0644, "mtime is the generation's epoch, "
	    "mode 0644");
	is_int(0, pages_write(dir, &g1, "old@.html", "old", 3),
	    "a write into an older generation still works");
	snprintf(p, sizeof(p), "%s/current/old@.html", dir);
	ok(access(p, F_OK) != 0, "but is not seen through current");

	ok(pages_publish(dir, 6, &g3) == 0, "publish again");
	snprintf(p, sizeof(p), "%s/current/posts/x@.html", dir);
	ok(access(p, F_OK) != 0, "the new generation starts empty");
	is_int(3, count_gens(dir), "three generations on disk");
	is_int(0, pages_gc(dir, 3600), "gc keeps young ones");
	is_int(2, pages_clear(dir), "clear removes all but the current");
	is_int(1, count_gens(dir), "one left");
	ok(pages_current(dir, &cur) == 0 && strcmp(cur.name, g3.name) == 0,
	    "the current one");
	is_int(-1, pages_write(dir, &g1, "x@.html", "gone", 4),
	    "a write into a removed generation fails");

	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	if (system(p) != 0)
		diag("could not remove %s", top);
}

/* A generation reserved before a write, then used or dropped. */
static void
reserved(void)
{
	char		 tmpl[] = "/tmp/inkwell-pages-t.XXXXXX", dir[64], p[256];
	char		*top;
	struct pages_next n;
	struct pages_gen g0, cur;
	struct stat	 st;

	if ((top = mkdtemp(tmpl)) == NULL)
		bail("mkdtemp failed");
	snprintf(dir, sizeof(dir), "%s/pages", top);
	ok(pages_publish(dir, 1, &g0) == 0, "a generation to start from");

	ok(pages_prepare(dir, &n) == 0 && n.reserved && !n.retired,
	    "prepare reserves a generation");
	snprintf(p, sizeof(p), "%s/%s", dir, n.link);
	ok(lstat(p, &st) == 0 && S_ISLNK(st.st_mode), "and its link, %s",
	    n.link);
	ok(n.g.id > g0.id && n.g.epoch > g0.epoch, "with a new id and epoch");
	ok(pages_current(dir, &cur) == 0 && cur.id == g0.id,
	    "current is unchanged until the swap");
	ok(pages_swap(dir, 7, &n) == 0, "the swap after the commit");
	ok(pages_current(dir, &cur) == 0 && cur.version == 7 &&
	    cur.id > g0.id, "puts a fresh generation for the version in force");
	ok(lstat(p, &st) != 0, "and drops the reserved link");
	is_int(2, count_gens(dir), "and the reserved generation");
	ok(!n.reserved, "n is used up");

	ok(pages_prepare(dir, &n) == 0 && n.reserved, "prepare again");
	ok(n.g.id > cur.id && n.g.epoch > cur.epoch,
	    "ids and epochs keep growing");
	snprintf(p, sizeof(p), "%s/%s", dir, n.link);
	pages_abandon(dir, &n);
	ok(lstat(p, &st) != 0 && count_gens(dir) == 2,
	    "abandon leaves nothing behind");

	ok(pages_prepare(dir, &n) == 0 && n.reserved,
	    "a reservation whose writer dies");
	snprintf(p, sizeof(p), "%s/%s", dir, n.link);
	(void)pages_clear(dir);
	ok(lstat(p, &st) != 0 && count_gens(dir) == 1,
	    "is swept with the old generations");
	ok(pages_swap(dir, 8, &n) == 0 && pages_current(dir, &cur) == 0 &&
	    cur.version == 8, "a swap with it gone still publishes");

	snprintf(p, sizeof(p), "rm -rf '%s'", top);
	if (system(p) != 0)
		diag("could not remove %s", top);
}

int
main(void)
{
	plan_lazy();
	paths();
	gen_names();
	on_disk();
	reserved();
	return done_testing();
}
