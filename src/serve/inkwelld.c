/* SPDX-License-Identifier: MIT */
/*
 * inkwelld.c: the supervisor: opens the FastCGI socket, forks the
 * workers, restarts any that die, reloads on SIGHUP, stops on SIGTERM.
 *
 * The supervisor owns the listen socket for its whole life, so
 * connections queue in the kernel's backlog while workers come and go:
 * a dying or retiring worker never makes nginx see a refused connection.
 * Reload is rolling: a new worker is forked with the new configuration
 * and, once it reports ready over its pipe, one old worker is told to
 * finish its request and exit.  If a new worker dies before it is ready
 * (a bad template, say), the reload is abandoned and the old workers and
 * configuration stay.  Signals are blocked except inside ppoll(), so the
 * main loop sees each one exactly when it can act on it.
 */
#include "config.h"
#include "buildinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "cache/keeper.h"
#include "cache/pagehits.h"
#include "serve/chaos.h"
#include "serve/render.h"
#include "serve/route.h"
#include "cache/pages.h"
#include "db/db.h"
#include "tmpl/tmpl.h"
#include "lib/util.h"
#include "serve/worker.h"

#define MAX_KIDS	512
#define BACKLOG		1024

struct kid {
	pid_t	 pid;		/* 0: free slot */
	int	 ready_fd;	/* read end until ready, then -1 */
	bool	 ready;
	bool	 old;		/* from before the reload in progress */
	bool	 retiring;	/* sent SIGTERM by us */
	double	 started;
};

static struct kid kids[MAX_KIDS];
static volatile sig_atomic_t got_term, got_hup, got_chld;
static struct conf conf, prev_conf;
static bool have_prev, reloading, stopping;
static double stop_deadline, restart_at, backoff;
static const char *conf_path = CONF_DEFAULT_PATH;
static bool conf_given;
/*
 * The processes beside the workers, each started when its directory is
 * configured and restarted a second after it dies: the keeper
 * (keeper.c: page files kept honest), the renderer (render.c: the
 * last complete rendering of the site) and the page-hits counter
 * (pagehits.c: what nginx served from page files, into /metrics; it
 * adds into the shared block metrics_init() mapped before the fork).
 * pid 0: not running.
 */
struct side {
	const char	*name;
	int		(*run)(const struct conf *);
	pid_t		 pid;
	bool		 retiring;
	double		 at;
};
static struct side sides[] = {
	{ "keeper", keeper_main, 0, false, 0 },
	{ "renderer", render_main, 0, false, 0 },
	{ "page-hits counter", pagehits_main, 0, false, 0 },
};

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		got_term = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGCHLD:
		got_chld = 1;
		break;
	}
}

static void
notify(const char *state)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, state);
#else
	(void)state;
#endif
}

static void
usage(void)
{
	fprintf(stderr, "usage: inkwelld [-t] [-c config]\n"
	    "  -c FILE  configuration (default " CONF_DEFAULT_PATH ")\n"
	    "  -t       check the configuration and exit\n"
	    "  -V       print the version and exit\n");
	exit(2);
}

/* Opens unix:PATH; refuses to steal a socket another server answers on. */
static int
open_unix(const char *path, mode_t mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat	 st;
	int		 fd, probe;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_msg(LOG_ERROR, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_msg(LOG_ERROR, "%s exists and is not a socket",
			    path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			log_msg(LOG_ERROR, "%s: another server is listening "
			    "there", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);	/* stale, left by a crash */
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, mode) < 0 || listen(fd, BACKLOG) < 0) {
		log_msg(LOG_ERROR, "listen on unix:%s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Opens HOST:PORT or [V6]:PORT. */
static int
open_tcp(const char *spec)
{
	struct addrinfo	 hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo	*res = NULL;
	char		 host[256];
	const char	*colon = strrchr(spec, ':');
	size_t		 hl = (size_t)(colon - spec);
	int		 fd = -1, on = 1, e;

	if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		log_msg(LOG_ERROR, "listen address too long");
		return -1;
	}
	memcpy(host, spec, hl);
	host[hl] = '\0';
	if ((e = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		log_msg(LOG_ERROR, "listen %s: %s", host, gai_strerror(e));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, BACKLOG) < 0) {
		log_msg(LOG_ERROR, "listen on %s:%s: %s", host, colon + 1,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
open_listener(const struct conf *c)
{
	int	 fd;

	if (strcmp(c->listen, "systemd") == 0) {
#ifdef HAVE_SYSTEMD
		int n = sd_listen_fds(1);

		if (n != 1) {
			log_msg(LOG_ERROR, "listen = systemd, but systemd "
			    "passed %d sockets (want 1)", n < 0 ? 0 : n);
			return -1;
		}
		fd = SD_LISTEN_FDS_START;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
#else
		log_msg(LOG_ERROR, "listen = systemd, but inkwelld was built "
		    "without systemd support");
		return -1;
#endif
	} else if (strncmp(c->listen, "unix:", 5) == 0)
		fd = open_unix(c->listen + 5, (mode_t)c->socket_mode);
	else
		fd = open_tcp(c->listen);
	/* Workers poll and accept; losers of a race must get EAGAIN. */
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		log_msg(LOG_ERROR, "listen socket: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	return fd;
}

static int
drop_privileges(const char *user)
{
	struct passwd	*pw;

	if (*user == '\0' || geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_msg(LOG_ERROR, "user %s does not exist", user);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		log_msg(LOG_ERROR, "cannot become %s: %s", user,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
count(bool (*pred)(const struct kid *))
{
	int	 n = 0;

	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i].pid > 0 && pred(&kids[i]))
			n++;
	return n;
}

static bool any(const struct kid *k) { (void)k; return true; }
static bool is_new(const struct kid *k) { return !k->old; }
static bool is_new_pending(const struct kid *k) { return !k->old && !k->ready; }
static bool is_old(const struct kid *k) { return k->old; }
static bool is_serving(const struct kid *k) { return !k->retiring; }
static bool is_up(const struct kid *k) { return k->ready && !k->retiring; }

static pid_t
spawn(int lfd)
{
	int	 p[2], slot = -1;
	pid_t	 pid;

	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i].pid == 0) {
			slot = i;
			break;
		}
	if (slot < 0 || pipe2(p, O_CLOEXEC) < 0) {
		log_msg(LOG_ERROR, "cannot start a worker: %s",
		    slot < 0 ? "too many" : strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		log_msg(LOG_ERROR, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		for (int i = 0; i < MAX_KIDS; i++)
			if (kids[i].pid > 0 && kids[i].ready_fd >= 0)
				close(kids[i].ready_fd);
		close(p[0]);
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(worker_main(&conf, lfd, p[1]));
	}
	close(p[1]);
	kids[slot] = (struct kid){ .pid = pid, .ready_fd = p[0],
	    .started = util_now() };
	return pid;
}

/* Whether a side process is configured: the directory it keeps (the
 * page-hits socket, which counts nothing without page files). */
static bool
side_on(const struct side *sd)
{
	if (sd->run == keeper_main)
		return conf.pages_dir[0] != '\0';
	if (sd->run == pagehits_main)
		return conf.pages_dir[0] != '\0' && conf.page_hits[0] != '\0';
	return conf.stale_dir[0] != '\0';
}

/* Starts each side process that is configured and not running. */
static void
sides_start(int lfd)
{
	for (size_t s = 0; s < NELEM(sides); s++) {
		struct side	*sd = &sides[s];
		pid_t		 pid;

		if (!side_on(sd) || sd->pid != 0 ||
		    util_now() < sd->at)
			continue;
		if ((pid = fork()) < 0) {
			log_msg(LOG_ERROR, "fork: %s", strerror(errno));
			sd->at = util_now() + 1;
			continue;
		}
		if (pid == 0) {
			for (int i = 0; i < MAX_KIDS; i++)
				if (kids[i].pid > 0 && kids[i].ready_fd >= 0)
					close(kids[i].ready_fd);
			close(lfd);
			signal(SIGCHLD, SIG_DFL);
			_exit(sd->run(&conf));
		}
		sd->pid = pid;
		sd->retiring = false;
	}
}

/*
 * Stops the side processes; keep_hits spares the page-hits counter.
 * nginx's workers each keep their datagram socket connected to the one
 * the counter bound: a new counter's socket is another one, so each
 * nginx worker would lose a hit (and log a warning) before it connects
 * again, besides those sent while no counter is bound.  A reload that
 * leaves its settings alone keeps it running.
 */
static void
sides_stop(bool keep_hits)
{
	for (size_t s = 0; s < NELEM(sides); s++)
		if (sides[s].pid != 0 && !sides[s].retiring &&
		    !(keep_hits && sides[s].run == pagehits_main)) {
			sides[s].retiring = true;
			kill(sides[s].pid, SIGTERM);
		}
}

static bool
sides_running(void)
{
	for (size_t s = 0; s < NELEM(sides); s++)
		if (sides[s].pid != 0)
			return true;
	return false;
}

/*
 * A new, empty page generation: at start-up (files from a previous run
 * may be stale), after a reload (the theme may have changed) and at stop
 * (nginx should not go on serving a stopped blog).
 */
static void
pages_reset(const char *why)
{
	if (conf.pages_dir[0] == '\0')
		return;
	if (pages_swap(conf.pages_dir, -1, NULL) == 0)
		log_msg(LOG_DEBUG, "pages: new generation (%s)", why);
}

/*
 * Page files and the last complete rendering need their directory's
 * parent (systemd's RuntimeDirectory and CacheDirectory): without it (a
 * hand-made configuration) each is off for this configuration, with a
 * warning.
 */
static void
parent_check(char *dir, const char *off)
{
	char		*parent, *slash;
	struct stat	 st;

	if (dir[0] == '\0')
		return;
	parent = xstrdup(dir);
	if ((slash = strrchr(parent, '/')) != NULL)
		*(slash == parent ? slash + 1 : slash) = '\0';
	if (slash == NULL || stat(parent, &st) != 0 || !S_ISDIR(st.st_mode)) {
		log_msg(LOG_WARN, "%s: parent directory missing; %s", dir, off);
		dir[0] = '\0';
	}
	free(parent);
}

static void
pages_check(void)
{
	parent_check(conf.pages_dir, "page files are off (nginx asks the "
	    "workers for every page)");
	parent_check(conf.stale_dir, "no pages are kept for readers while "
	    "the database is down");
	parent_check(conf.page_hits, "page-file hits are not counted in "
	    "/metrics");
}

/* At start-up: a fresh generation (or, without room, none: the keeper
 * publishes one when there is), or page files off for the run when even
 * the old one cannot be retired (nothing would retire old files). */
static void
pages_setup(void)
{
	pages_check();
	if (conf.pages_dir[0] != '\0' &&
	    pages_swap(conf.pages_dir, -1, NULL) != 0) {
		log_msg(LOG_ERROR, "pages: page files are off for this run");
		conf.pages_dir[0] = '\0';
	}
}

static void
retire(struct kid *k)
{
	if (k->retiring)
		return;
	k->retiring = true;
	kill(k->pid, SIGTERM);
}

static void
begin_stop(void)
{
	stopping = true;
	notify("STOPPING=1");
	stop_deadline = util_now() + (double)conf.shutdown_timeout;
	log_msg(LOG_INFO, "stopping: letting requests in flight finish "
	    "(up to %llds)", (long long)conf.shutdown_timeout);
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i].pid > 0)
			retire(&kids[i]);
	sides_stop(false);
}

static void
abandon_reload(const char *why)
{
	log_msg(LOG_ERROR, "reload failed: %s; keeping the old workers and "
	    "configuration", why);
	for (int i = 0; i < MAX_KIDS; i++) {
		if (kids[i].pid == 0)
			continue;
		if (kids[i].old)
			kids[i].old = false;
		else
			retire(&kids[i]);
	}
	conf_free(&conf);
	conf = prev_conf;
	have_prev = false;
	reloading = false;
	notify("READY=1");
}

static void
begin_reload(void)
{
	struct conf	 next;
	char		 err[4096];

	if (reloading) {
		log_msg(LOG_WARN, "reload already in progress; ignoring SIGHUP");
		return;
	}
	notify("RELOADING=1");
	if (conf_load(&next, conf_path, conf_given, err,
	    sizeof(err)) != 0 || db_conninfo_check(&next, err,
	    sizeof(err)) != 0 || chaos_check_route(&next, route_known,
	    err, sizeof(err)) != 0) {
		conf_free(&next);
		log_msg(LOG_ERROR, "reload: configuration has errors, keeping "
		    "the running one:\n%s", err);
		notify("READY=1");
		return;
	}
	chaos_announce(&next);
	if (strcmp(next.listen, conf.listen) != 0)
		log_msg(LOG_WARN, "reload: listen changed; the new address "
		    "takes effect only after a restart");
	free(next.listen);
	next.listen = xstrdup(conf.listen);
	prev_conf = conf;
	have_prev = true;
	conf = next;
	pages_check();
	log_set_level(conf.log_level);
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i].pid > 0 && !kids[i].retiring)
			kids[i].old = true;
	reloading = true;
	metrics_count(METRIC_RELOADS);
	log_msg(LOG_INFO, "reloading: replacing workers one at a time");
}

/* Collects exited workers; decides whether each is replaced. */
static void
reap(void)
{
	pid_t	 pid;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct kid *k = NULL;

		bool		 side = false;

		for (size_t s = 0; s < NELEM(sides); s++) {
			if (pid != sides[s].pid)
				continue;
			if (!sides[s].retiring) {
				log_msg(LOG_ERROR, "%s %ld died (status %d); "
				    "restarting it in 1 s", sides[s].name,
				    (long)pid, status);
				sides[s].at = util_now() + 1;
			}
			sides[s].pid = 0;
			side = true;
		}
		if (side)
			continue;

		for (int i = 0; i < MAX_KIDS; i++)
			if (kids[i].pid == pid)
				k = &kids[i];
		if (k == NULL)
			continue;
		if (k->ready_fd >= 0)
			close(k->ready_fd);
		if (!k->retiring) {
			if (!stopping)
				metrics_count(METRIC_WORKER_RESTARTS);
			if (WIFSIGNALED(status))
				log_msg(LOG_ERROR, "worker %ld killed by signal "
				    "%d", (long)pid, WTERMSIG(status));
			else
				log_msg(LOG_ERROR, "worker %ld exited with "
				    "status %d", (long)pid, WEXITSTATUS(status));
		}
		if (!k->ready && !k->retiring && !stopping) {
			struct kid gone = *k;

			k->pid = 0;
			if (reloading && !gone.old) {
				abandon_reload("a new worker exited before it "
				    "was ready");
				continue;
			}
			/* Not even one worker could start: no point looping. */
			if (count(any) == 0 && !reloading &&
			    util_now() - gone.started < 2.0 && backoff == 0) {
				log_msg(LOG_ERROR, "worker failed during "
				    "start-up; giving up");
				exit(1);
			}
		}
		/* A crash loop backs off, up to 5 s between attempts. */
		if (!k->retiring && !stopping && k->pid != 0) {
			if (util_now() - k->started < 1.0)
				backoff = backoff ? backoff * 2 : 0.1;
			else
				backoff = 0;
			if (backoff > 5.0)
				backoff = 5.0;
			restart_at = util_now() + backoff;
		}
		k->pid = 0;
	}
}

static void
read_ready(struct pollfd *pfds, int n)
{
	for (int j = 0; j < n; j++) {
		char	 c;

		if ((pfds[j].revents & (POLLIN | POLLHUP)) == 0)
			continue;
		for (int i = 0; i < MAX_KIDS; i++) {
			struct kid *k = &kids[i];

			if (k->pid == 0 || k->ready_fd != pfds[j].fd)
				continue;
			if (read(k->ready_fd, &c, 1) == 1) {
				k->ready = true;
				/* One old worker leaves per new one ready. */
				if (reloading && !k->old)
					for (int o = 0; o < MAX_KIDS; o++)
						if (kids[o].pid > 0 &&
						    kids[o].old &&
						    !kids[o].retiring) {
							retire(&kids[o]);
							break;
						}
			}
			close(k->ready_fd);
			k->ready_fd = -1;
		}
	}
}

static void
step_reload(int lfd)
{
	if (count(is_new_pending) > 0)
		return;
	if (count(is_new) < conf.workers) {
		spawn(lfd);
		return;
	}
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i].pid > 0 && kids[i].old)
			retire(&kids[i]);
	if (count(is_old) == 0) {
		bool	 hits_same = have_prev &&
		    strcmp(prev_conf.page_hits, conf.page_hits) == 0 &&
		    strcmp(prev_conf.pages_dir, conf.pages_dir) == 0;

		reloading = false;
		if (have_prev) {
			conf_free(&prev_conf);
			have_prev = false;
		}
		log_msg(LOG_INFO, "reload complete");
		pages_reset("reload");
		/* back at once, with the new configuration */
		sides_stop(hits_same);
		notify("READY=1");
	}
}

static void
top_up(int lfd)
{
	int	 want = (int)conf.workers - count(is_serving);

	if (want <= 0 || util_now() < restart_at)
		return;
	while (want-- > 0)
		if (spawn(lfd) < 0)
			break;
}

static int
supervise(int lfd)
{
	struct sigaction sa;
	sigset_t	 block, waitmask;
	struct pollfd	 pfds[MAX_KIDS];
	bool		 announced = false;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGCHLD);

	for (int i = 0; i < conf.workers; i++)
		spawn(lfd);
	for (;;) {
		struct timespec	 ts = { 0, 200 * 1000 * 1000 };
		int		 n = 0;

		for (int i = 0; i < MAX_KIDS; i++)
			if (kids[i].pid > 0 && kids[i].ready_fd >= 0)
				pfds[n++] = (struct pollfd){
				    .fd = kids[i].ready_fd, .events = POLLIN };
		if (ppoll(pfds, (nfds_t)n, &ts, &waitmask) > 0)
			read_ready(pfds, n);
		if (got_chld) {
			got_chld = 0;
			reap();
		}
		metrics_gauge(METRIC_WORKERS, count(is_up));
		if (got_term && !stopping) {
			got_term = 0;
			begin_stop();
		}
		if (stopping) {
			if (count(any) == 0 && !sides_running()) {
				pages_reset("stop");
				log_msg(LOG_INFO, "stopped");
				return 0;
			}
			if (util_now() >= stop_deadline) {
				log_msg(LOG_WARN, "shutdown timeout: killing %d "
				    "workers", count(any));
				for (int i = 0; i < MAX_KIDS; i++)
					if (kids[i].pid > 0)
						kill(kids[i].pid, SIGKILL);
				for (size_t s = 0; s < NELEM(sides); s++)
					if (sides[s].pid != 0)
						kill(sides[s].pid, SIGKILL);
				stop_deadline = util_now() + 5;
			}
			continue;
		}
		if (got_hup) {
			got_hup = 0;
			begin_reload();
		}
		if (reloading)
			step_reload(lfd);
		else
			top_up(lfd);
		sides_start(lfd);
		if (!announced && count(is_new_pending) == 0 &&
		    count(any) >= conf.workers) {
			announced = true;
			log_msg(LOG_INFO, "ready: %lld workers on %s",
			    (long long)conf.workers, conf.listen);
			notify("READY=1");
		}
	}
}

/*
 * The [database] strings as libpq will read them (db_conninfo_check),
 * now rather than at a worker's first request: false having said why
 * on stderr and in the log.
 */
static bool
conninfo_ok(void)
{
	char	 err[4096];

	if (db_conninfo_check(&conf, err, sizeof(err)) == 0)
		return true;
	fprintf(stderr, "inkwelld: configuration errors:\n%s", err);
	log_msg(LOG_ERROR, "configuration errors: %s", err);
	return false;
}

int
main(int argc, char *argv[])
{
	char	 err[8192];
	int	 ch, lfd;
	bool	 check = false;

	log_set_role("supervisor");
	while ((ch = getopt(argc, argv, "c:tVh")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			conf_given = true;
			break;
		case 't':
			check = true;
			break;
		case 'V':
			printf("inkwelld %s (commit %s, built %s)\n",
			    PACKAGE_VERSION, INKWELL_COMMIT,
			    INKWELL_BUILD_DATE);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_load(&conf, conf_path, conf_given, err, sizeof(err)) != 0) {
		fprintf(stderr, "inkwelld: configuration errors:\n%s", err);
		return 1;
	}
	{
		/* Compile the theme once here so a template error stops
		 * start-up (and -t) with its file and line. */
		struct tmpl_set *ts = tmpl_load_dir(conf.templates, TMPL_STRICT,
		    err, sizeof(err));

		if (ts == NULL) {
			fprintf(stderr, "inkwelld: templates: %s\n", err);
			log_msg(LOG_ERROR, "templates: %s", err);
			return 1;
		}
		tmpl_free(ts);
	}
	{
		/* The languages too: a worker would refuse to start. */
		char		 dir[4096];
		struct i18n	*l;

		snprintf(dir, sizeof(dir), "%s/i18n", conf.templates);
		if ((l = i18n_load_dir(dir, err, sizeof(err))) == NULL) {
			fprintf(stderr, "inkwelld: languages: %s\n", err);
			log_msg(LOG_ERROR, "languages: %s", err);
			return 1;
		}
		i18n_free(l);
	}
	if (!conninfo_ok())
		return 1;
	if (chaos_check_route(&conf, route_known, err, sizeof(err)) != 0) {
		fprintf(stderr, "inkwelld: configuration errors:\n%s\n", err);
		log_msg(LOG_ERROR, "configuration errors: %s", err);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", conf_path);
		return 0;
	}
	log_set_level(conf.log_level);
	if ((lfd = open_listener(&conf)) < 0)
		return 1;
	if (drop_privileges(conf.user) < 0)
		return 1;
	/* Again as the user the workers connect as, when that changed. */
	if (conf.user[0] != '\0' && !conninfo_ok())
		return 1;
	(void)metrics_init();
	pages_setup();
	log_msg(LOG_INFO, "inkwelld %s starting, %lld workers",
	    PACKAGE_VERSION, (long long)conf.workers);
	chaos_announce(&conf);
	return supervise(lfd);
}
