/* SPDX-License-Identifier: MIT */
/*
 * keeper.c: inkwelld's keeper process, which keeps nginx's page files
 * honest when nobody writes through inkwell: a change made with psql or
 * on another host, a scheduled post whose time has come.  See
 * cache_keep() for what one step does; this is the loop around it.
 * inkwelld starts it when [paths] pages is set and restarts it when it
 * dies; a worker never depends on it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "lib/arena.h"
#include "cache/cache.h"
#include "lib/conf.h"
#include "db/db.h"
#include "lib/log.h"
#include "cache/keeper.h"
#include "lib/util.h"

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

int
keeper_main(const struct conf *conf)
{
	sigset_t	 none;
	struct arena	*a;
	struct db	*db;
	struct cache	*c;

	log_set_role("keeper");
	/* Its own name, so "pgrep -x inkwelld" counts the workers alone. */
	prctl(PR_SET_NAME, "inkwell-keeper");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	util_on_stop(on_stop);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	a = arena_new(16 * 1024);
	db = db_open(conf);
	c = cache_open(conf);
	log_msg(LOG_DEBUG, "keeper ready");
	while (!stop) {
		double		 wait = cache_keep(c, db, a);
		struct timespec	 ts;

		arena_reset(a);
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		/* A signal cuts the sleep short; the loop then looks. */
		(void)nanosleep(&ts, NULL);
	}
	cache_close(c);
	db_close(db);
	arena_free(a);
	return 0;
}
