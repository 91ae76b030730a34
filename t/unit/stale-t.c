/* SPDX-License-Identifier: MIT */
/*
 * stale-t.c: the last complete rendering's store on a scratch directory:
 * what is published is what is found, an unfinished generation is never
 * seen, unchanged pages are hard links to the last generation's, the
 * bound stops a rendering, leftovers of an interrupted one are swept,
 * and requests a file cannot stand for (hostile paths and queries) find
 * nothing.  Serving it while PostgreSQL is down: t/4019-stale.t.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "cache/stale.h"
#include "tap.h"

#define HTML	"text/html; charset=utf-8"
#define ATOM	"application/atom+xml; charset=utf-8"

static char	 dir[64];

/* Finds path?query: its body, or NULL. */
static const char *
find(struct arena *a, const char *path, const char *query,
    const char **ctype)
{
	const char	*body, *ct;
	size_t		 n;

	if (stale_get(dir, path, query, a, &ct, &body, &n) != 0)
		return NULL;
	if (ctype != NULL)
		*ctype = ct;
	return body;
}

static ino_t
inode(const char *rel)
{
	char		 p[256];
	struct stat	 st;

	snprintf(p, sizeof(p), "%s/current/%s", dir, rel);
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

static int
entries(const char *prefix)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

int
main(void)
{
	struct arena	*a = arena_new(4096);
	struct stale_gen *g;
	struct stale_stamp st = { .version = 7, .live = 100, .seconds = 0.5 };
	struct stale_stamp got;
	const char	*ct;
	ino_t		 post1, post2;

	plan_lazy();
	snprintf(dir, sizeof(dir), "/tmp/inkwell-stale-t.XXXXXX");
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp: %s", strerror(errno));
	strcat(dir, "/s");	/* stale_begin makes it */
	memcpy(st.theme, "0123456789abcdef", 17);

	ok(stale_current(dir, &got) == -1, "nothing published yet");
	ok(find(a, "/", "", NULL) == NULL, "so nothing is found");

	g = stale_begin(dir, 1 << 20);
	ok(g != NULL, "a generation begins (and makes the directory)");
	is_int(stale_put(g, "/", "", HTML, "home", 4), 0, "home page put");
	is_int(stale_put(g, "/", "page=2", HTML, "home 2", 6), 0, "page 2 put");
	is_int(stale_put(g, "/posts/a", "", HTML, "post a", 6), 0, "a post put");
	is_int(stale_put(g, "/feed.atom", "", ATOM, "<feed/>", 7), 0,
	    "the feed put");
	is_int(stale_put(g, "/robots.txt", "", "text/plain", "x", 1), 1,
	    "a type no page file has is skipped");
	is_int(stale_put(g, "/../etc/passwd", "", HTML, "x", 1), 1,
	    "a path that climbs out is skipped");
	is_int(stale_put(g, "/a", "q=<script>", HTML, "x", 1), 1,
	    "a query with odd characters is skipped");
	ok(find(a, "/", "", NULL) == NULL,
	    "an unpublished generation is never found");
	is_int(entries(".new-"), 1, "it is written under a dotted name");
	ok(stale_commit(g, &st) == 0, "published");
	ok(stale_current(dir, &got) == 0, "its stamp reads back");
	is_int(got.version, 7, "  version");
	is_int(got.live, 100, "  live");
	is_string(got.theme, "0123456789abcdef", "  theme");
	is_int((int64_t)got.pages, 4, "  pages");
	is_int((int64_t)got.bytes, 23, "  bytes");
	is_string(find(a, "/", "", &ct), "home", "the home page is found");
	is_string(ct, HTML, "  as HTML");
	is_string(find(a, "/", "page=2", NULL), "home 2", "page 2 is found");
	is_string(find(a, "/feed.atom", "", &ct), "<feed/>", "the feed too");
	is_string(ct, ATOM, "  as Atom");
	ok(find(a, "/", "page=3", NULL) == NULL, "a page never rendered: none");
	ok(find(a, "/posts/a", "utm=1", NULL) == NULL,
	    "another query: none");
	ok(find(a, "/../s/current/posts/a@", "", NULL) == NULL,
	    "a climbing path: none");
	post1 = inode("posts/a@.html");

	/* The next generation: one page changes, one goes, one stays. */
	g = stale_begin(dir, 1 << 20);
	is_int(stale_put(g, "/", "", HTML, "home!", 5), 0, "home changed");
	is_int(stale_put(g, "/posts/a", "", HTML, "post a", 6), 0,
	    "the post unchanged");
	st.version = 8;
	ok(stale_commit(g, &st) == 0, "the second published");
	is_string(find(a, "/", "", NULL), "home!", "the new home page");
	ok(find(a, "/", "page=2", NULL) == NULL, "the page that went is gone");
	post2 = inode("posts/a@.html");
	ok(post1 != 0 && post1 == post2,
	    "the unchanged post is the same file (a hard link)");
	is_int(entries("g-"), 1, "the old generation is removed");

	/* Over the bound: the rendering stops, the last one stays. */
	g = stale_begin(dir, 10);
	is_int(stale_put(g, "/", "", HTML, "0123456789", 10), 0,
	    "up to the bound");
	errno = 0;
	is_int(stale_put(g, "/x", "", HTML, "y", 1), -1, "one byte over: no");
	is_int(errno, EFBIG, "  EFBIG");
	stale_abort(g);
	is_string(find(a, "/", "", NULL), "home!",
	    "an abandoned rendering leaves the last one in force");
	is_int(entries(".new-"), 0, "and leaves nothing behind");

	/* A rendering killed half-way leaves .new-*: the next sweeps it. */
	g = stale_begin(dir, 1 << 20);
	is_int(stale_put(g, "/", "", HTML, "half", 4), 0, "a page of a "
	    "rendering that will be killed");
	is_int(entries(".new-"), 1, "  its directory is there");
	/* Not abandoned: as if the process died.  The next begin sweeps. */
	{
		struct stale_gen *h = stale_begin(dir, 1 << 20);

		is_int(entries(".new-"), 1, "the next rendering swept it");
		stale_abort(h);
	}
	stale_abort(g);	/* the killed one: only its memory is left to free */
	is_string(find(a, "/", "", NULL), "home!", "still the last complete one");

	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'",
		    (int)(strlen(dir) - 2), dir);
		if (system(cmd) != 0)
			diag("could not remove %s", dir);
	}
	arena_free(a);
	return done_testing();
}
