/* SPDX-License-Identifier: MIT */
/*
 * pagehits.c: the page-hits process and the parser of what nginx sends
 * it (see pagehits.h for the format).
 *
 * The datagrams come from nginx's access log, so they are outside input:
 * a fixed shape, checked byte by byte, at most PAGEHITS_MAX bytes, and a
 * datagram that is not exactly a page-hit line counts as a reject and
 * nothing else.  The socket is mode 0666 because nginx runs as another
 * user (www-data in the package, root or the developer in the dev stack)
 * that shares no group with inkwell; what a stranger on the host can do
 * with it is add to a counter, which any local user could already do by
 * asking nginx for a page.  nginx sends without blocking and drops what
 * does not fit (it then warns in its error log), so this process only
 * reads and adds: a full queue loses counts, never delays a reader.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "cache/pagehits.h"
#include "lib/util.h"

#define TAG	"inkwell: page-hit "

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* "Mmm dd hh:mm:ss", as nginx's syslog time; 15 bytes at p. */
static bool
stamp(const char *p)
{
	return p[0] >= 'A' && p[0] <= 'Z' && lower(p[1]) && lower(p[2]) &&
	    p[3] == ' ' && (p[4] == ' ' || (p[4] >= '1' && p[4] <= '3')) &&
	    digit(p[5]) && p[6] == ' ' &&
	    digit(p[7]) && digit(p[8]) && p[9] == ':' &&
	    digit(p[10]) && digit(p[11]) && p[12] == ':' &&
	    digit(p[13]) && digit(p[14]);
}

int
pagehits_parse(const char *p, size_t n, enum metric_page *kind)
{
	size_t	 i = 1, pri = 0, tl = strlen(TAG);

	if (n > PAGEHITS_MAX || n < 2 || p[0] != '<')
		return -1;
	if (p[n - 1] == '\n')
		n--;
	/* <PRI>: one to three digits, no leading zero but "0" itself. */
	while (i < n && i <= 3 && digit(p[i]))
		pri = pri * 10 + (size_t)(p[i++] - '0');
	if (i == 1 || i >= n || p[i] != '>' || pri > 191 ||
	    (p[1] == '0' && i > 2))
		return -1;
	i++;
	if (n - i < 16 || !stamp(p + i) || p[i + 15] != ' ')
		return -1;
	i += 16;
	if (n - i < tl || memcmp(p + i, TAG, tl) != 0)
		return -1;
	i += tl;
	for (int k = 0; k < METRIC_PAGE__MAX; k++) {
		size_t	 kl = strlen(metric_page_names[k]);

		if (n - i == kl && memcmp(p + i, metric_page_names[k],
		    kl) == 0) {
			*kind = (enum metric_page)k;
			return 0;
		}
	}
	return -1;
}

/*
 * A unix datagram socket queues net.unix.max_dgram_qlen datagrams; nginx
 * drops a hit, and logs a warning for it, when the queue is full.  The
 * kernel's default is 10, which a busy nginx fills in the moment this
 * process waits for a core; systemd raises it to 512 at boot, which
 * keeps up with tens of thousands of hits a second.  Say so at start
 * when the machine has less.
 */
#define PAGEHITS_QLEN_WANT	512

static void
qlen_check(void)
{
	FILE	*f = fopen("/proc/sys/net/unix/max_dgram_qlen", "re");
	long	 q = -1;

	if (f == NULL)
		return;
	if (fscanf(f, "%ld", &q) != 1)
		q = -1;
	fclose(f);
	if (q >= 0 && q < PAGEHITS_QLEN_WANT)
		log_msg(LOG_WARN, "page hits: net.unix.max_dgram_qlen is %ld; "
		    "under load nginx will drop hits (and log each drop) "
		    "until it is at least %d, as systemd sets it: "
		    "sysctl -w net.unix.max_dgram_qlen=%d", q,
		    PAGEHITS_QLEN_WANT, PAGEHITS_QLEN_WANT);
}

/*
 * Binds unix:path for datagrams; refuses one another process has bound
 * (a second inkwelld on the same runtime directory).  The descriptor,
 * or -1 (logged).
 */
static int
bind_dgram(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval	 tv = { 1, 0 };
	struct stat	 st;
	int		 fd = -1, probe, size = 1 << 20;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_msg(LOG_ERROR, "page hits: socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_msg(LOG_ERROR, "page hits: %s exists and is not "
			    "a socket", path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			log_msg(LOG_ERROR, "page hits: %s: another process "
			    "receives there", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);	/* stale, left by a crash */
	}
	/* The receive timeout bounds how long a SIGTERM that lands just
	 * before recv() goes unseen. */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(path, 0666) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		log_msg(LOG_ERROR, "page hits: unix:%s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Room for bursts; the kernel may give less, which only means
	 * drops sooner. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

static void
nap_ms(long ms)
{
	struct timespec	 ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop)
		;
}

/*
 * Reads one datagram (flags: 0 to wait, up to the receive timeout, or
 * MSG_DONTWAIT) and counts it: 1, or 0 when there was none (or a
 * signal came), -1 when the socket failed (logged).
 */
static int
take(int fd, int flags, uint64_t *rejects, double *said)
{
	char		 buf[PAGEHITS_MAX + 1];
	enum metric_page kind;
	ssize_t		 n;

	/* MSG_TRUNC: the datagram's real length, so an oversized one is
	 * seen as such, not as its first bytes. */
	n = recv(fd, buf, sizeof(buf), MSG_TRUNC | flags);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		log_msg(LOG_ERROR, "page hits: recv: %s", strerror(errno));
		return -1;
	}
	if ((size_t)n <= PAGEHITS_MAX && pagehits_parse(buf, (size_t)n,
	    &kind) == 0) {
		metrics_page_hits(kind, 1);
		return 1;
	}
	metrics_count(METRIC_PAGE_HIT_REJECTS);
	/* Said once a minute at most: a flood must not fill the log. */
	(*rejects)++;
	if (util_now() - *said >= 60) {
		log_msg(LOG_WARN, "page hits: %llu datagram(s) that were not "
		    "a page-hit line ignored (see nginx/inkwell.conf's "
		    "\"Page-file hits\")", (unsigned long long)*rejects);
		*rejects = 0;
		*said = util_now();
	}
	return 1;
}

/* Takes every datagram queued now: how many, or -1 as take() says. */
static int
drain(int fd, uint64_t *rejects, double *said)
{
	int	 n = 0, r = 0;

	while (!stop && (r = take(fd, MSG_DONTWAIT, rejects, said)) > 0)
		n++;
	return r < 0 ? -1 : n;
}

int
pagehits_main(const struct conf *conf)
{
	sigset_t	 none;
	uint64_t	 rejects = 0;
	int		 r;
	double		 said = 0;
	int		 fd;

	log_set_role("page-hits");
	prctl(PR_SET_NAME, "inkwell-hits");
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	util_on_stop(on_stop);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if ((fd = bind_dgram(conf->page_hits)) < 0)
		return 1;
	log_msg(LOG_DEBUG, "page hits: counting from unix:%s",
	    conf->page_hits);
	qlen_check();
	/*
	 * Wait for a datagram, take all that are queued, nap, and take
	 * again until a round finds none.  nginx's send wakes this process
	 * only while it waits in recv(): under load one wake-up reads a
	 * nap's worth of hits (at 80,000 a second, 160 in 2 ms; the queue
	 * holds 512) instead of one wake-up a hit, which cost nginx a
	 * third of its page-file rate.
	 */
	while (!stop && (r = take(fd, 0, &rejects, &said)) >= 0) {
		while (r > 0 && !stop) {
			nap_ms(PAGEHITS_NAP_MS);
			r = drain(fd, &rejects, &said);
		}
		if (r < 0)
			break;
	}
	close(fd);
	unlink(conf->page_hits);
	return 0;
}
