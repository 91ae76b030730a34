/* SPDX-License-Identifier: MIT */
/*
 * pagehits-t.c: the page-hit datagram parser against what nginx sends
 * and against hostile input, the counter and hit ratio in /metrics, and
 * the page-hits process itself on a real socket.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/metrics.h"
#include "cache/pagehits.h"
#include "tap.h"
#include "unit.h"

static const struct {
	const char	*in;
	int		 kind;	/* -1: refused */
} cases[] = {
	/* As nginx 1.22 sends them (local7.info is <190>). */
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html", METRIC_PAGE_HTML },
	{ "<190>Dec 31 23:59:59 inkwell: page-hit json", METRIC_PAGE_JSON },
	{ "<190>Feb 28 12:34:56 inkwell: page-hit atom", METRIC_PAGE_ATOM },
	{ "<190>Mar 10 01:02:03 inkwell: page-hit rss", METRIC_PAGE_RSS },
	{ "<190>Apr  9 01:02:03 inkwell: page-hit jsonfeed",
	    METRIC_PAGE_JSONFEED },
	{ "<190>May 30 01:02:03 inkwell: page-hit xml", METRIC_PAGE_XML },
	{ "<0>Jan  1 00:00:00 inkwell: page-hit html", METRIC_PAGE_HTML },
	{ "<191>Jan  1 00:00:00 inkwell: page-hit html", METRIC_PAGE_HTML },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html\n", METRIC_PAGE_HTML },
	/* Hostile or merely wrong: each refused whole. */
	{ "", -1 },
	{ "<", -1 },
	{ "<>", -1 },
	{ "<190>", -1 },
	{ "<192>Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<1900>Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<019>Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<-1>Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<190 Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "190>Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<190>jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<190>Jan 41 00:00:00 inkwell: page-hit html", -1 },
	{ "<190>Jan  1 0:00:00 inkwell: page-hit html", -1 },
	{ "<190>Jan  1 00:00:00  inkwell: page-hit html", -1 },
	/* With the host name: nginx without "nohostname". */
	{ "<190>Jan  1 00:00:00 host inkwell: page-hit html", -1 },
	{ "<190>Jan  1 00:00:00 nginx: page-hit html", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit HTML", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit htm", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit htmlx", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html ", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html\n\n", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html\r\n", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit ", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit -", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html\n"
	    "<190>Jan  1 00:00:00 inkwell: page-hit html", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit <script>", -1 },
	{ "<190>Jan  1 00:00:00 inkwell: page-hit html\"} 1\nx 2", -1 },
};

/* The value of sample name (with its labels) in t; -1 when absent. */
static double
sample(const char *t, const char *name)
{
	char		 want[256];
	const char	*p;

	snprintf(want, sizeof(want), "\n%s ", name);
	if ((p = strstr(t, want)) == NULL)
		return -1;
	return strtod(p + strlen(want), NULL);
}

static void
parser(void)
{
	enum metric_page kind;
	char		 big[PAGEHITS_MAX + 64];
	const char	*good = "<190>Jan  1 00:00:00 inkwell: page-hit html";

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int	 r;

		kind = METRIC_PAGE__MAX;
		r = pagehits_parse(cases[i].in, strlen(cases[i].in), &kind);
		if (cases[i].kind < 0)
			ok(r == -1 && kind == METRIC_PAGE__MAX,
			    "refused: \"%.40s\"", cases[i].in);
		else
			ok(r == 0 && (int)kind == cases[i].kind,
			    "read: \"%.40s\"", cases[i].in);
	}
	/* Length: the bytes given, not up to a NUL. */
	ok(pagehits_parse(good, strlen(good) - 1, &kind) == -1,
	    "a line cut short by one byte is refused");
	memcpy(big, good, strlen(good) + 1);
	big[strlen(good) - 2] = '\0';
	ok(pagehits_parse(big, strlen(good), &kind) == -1,
	    "a NUL inside is refused");
	/* Padded to past the limit with what would otherwise be fine. */
	memset(big, ' ', sizeof(big));
	memcpy(big, good, strlen(good));
	ok(pagehits_parse(big, PAGEHITS_MAX + 1, &kind) == -1,
	    "over PAGEHITS_MAX bytes is refused");
	ok(pagehits_parse(NULL, 0, &kind) == -1, "nothing is refused");
}

static void
exposition(struct arena *a)
{
	const char	*t;

	t = unit_metrics(a);
	ok(strstr(t, "# TYPE inkwell_page_file_hits_total counter\n") != NULL,
	    "the page-file hits family is declared");
	for (int k = 0; k < METRIC_PAGE__MAX; k++) {
		char	 name[96];

		snprintf(name, sizeof(name),
		    "inkwell_page_file_hits_total{type=\"%s\"}",
		    metric_page_names[k]);
		ok(sample(t, name) == 0, "%s is there at 0", name);
	}
	ok(sample(t, "inkwell_cache_hit_ratio") == 0, "ratio 0 before any");

	/* 3 page-file hits, 1 Redis hit, 4 misses: (3 + 1) / 8. */
	metrics_page_hits(METRIC_PAGE_HTML, 2);
	metrics_page_hits(METRIC_PAGE_ATOM, 1);
	metrics_page_hits(METRIC_PAGE__MAX, 7);
	metrics_request(&(struct metric_request){ .cache = METRIC_CACHE_HIT,
	    .lookup = -1 });
	for (int i = 0; i < 4; i++)
		metrics_request(&(struct metric_request){
		    .cache = METRIC_CACHE_MISS, .lookup = -1 });
	arena_reset(a);
	t = unit_metrics(a);
	ok(sample(t, "inkwell_page_file_hits_total{type=\"html\"}") == 2,
	    "html hits counted");
	ok(sample(t, "inkwell_page_file_hits_total{type=\"atom\"}") == 1,
	    "atom hits counted");
	ok(sample(t, "inkwell_page_file_hits_total{type=\"json\"}") == 0,
	    "json untouched, and an out-of-range kind counted nowhere");
	ok(sample(t, "inkwell_cache_hit_ratio") == 0.5,
	    "hit ratio counts page-file hits as hits (%g)",
	    sample(t, "inkwell_cache_hit_ratio"));
}

static void
pause_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The process on a real socket: what it counts, what it refuses. */
static void
process(struct arena *a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct conf	 c;
	struct stat	 st;
	char		 dir[] = "/tmp/pagehits-t.XXXXXX", path[128];
	char		 big[PAGEHITS_MAX * 2];
	const char	*good = "<190>Jan  1 00:00:00 inkwell: page-hit json";
	const char	*t = NULL;
	double		 before, rejects0;
	pid_t		 pid;
	int		 fd, status, i;

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/hits.sock", dir);
	memset(&c, 0, sizeof(c));
	c.page_hits = path;
	t = unit_metrics(a);
	before = sample(t, "inkwell_page_file_hits_total{type=\"json\"}");
	rejects0 = sample(t, "inkwell_page_file_hit_rejects_total");
	if ((pid = fork()) == 0)
		_exit(pagehits_main(&c));
	for (i = 0; i < 500 && stat(path, &st) != 0; i++)
		pause_ms(10);
	ok(i < 500 && S_ISSOCK(st.st_mode), "the socket is there");
	ok((st.st_mode & 0777) == 0666, "mode 0666 (nginx is another user)");

	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ok(fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "a sender connects");
	memset(big, 'x', sizeof(big));
	memcpy(big, good, strlen(good));
	for (i = 0; i < 5; i++)
		if (send(fd, good, strlen(good), 0) != (ssize_t)strlen(good))
			diag("send %d: %s", i, strerror(errno));
	send(fd, big, sizeof(big), 0);		/* oversized */
	send(fd, good, strlen(good) - 1, 0);	/* cut short */
	send(fd, "", 0, 0);			/* empty */
	close(fd);
	/* Bounded wait for the process to drain its queue. */
	for (i = 0; i < 500; i++) {
		arena_reset(a);
		t = unit_metrics(a);
		if (sample(t, "inkwell_page_file_hit_rejects_total") >=
		    rejects0 + 3 &&
		    sample(t, "inkwell_page_file_hits_total{type=\"json\"}") >=
		    before + 5)
			break;
		pause_ms(10);
	}
	ok(sample(t, "inkwell_page_file_hits_total{type=\"json\"}") ==
	    before + 5, "five hits counted (%g)",
	    sample(t, "inkwell_page_file_hits_total{type=\"json\"}") - before);
	ok(sample(t, "inkwell_page_file_hit_rejects_total") == rejects0 + 3,
	    "the oversized, short and empty ones refused");

	/* A second one on the same socket refuses to take it. */
	ok(pagehits_main(&c) == 1, "a second receiver is refused");
	kill(pid, SIGTERM);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "SIGTERM: exits 0");
	ok(lstat(path, &st) != 0, "and removes its socket");
	rmdir(dir);
}

int
main(void)
{
	struct arena	*a = arena_new(65536);

	plan_lazy();
	parser();
	/* Shared before the fork, as inkwelld does. */
	if (metrics_init() != 0)
		bail("metrics_init");
	exposition(a);
	process(a);
	arena_free(a);
	return done_testing();
}
