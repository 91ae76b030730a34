/* SPDX-License-Identifier: MIT */
/*
 * worker.c: the FastCGI accept loop of one worker process.
 *
 * We accept connections ourselves and hand the connected socket to
 * libfcgi through FCGX_Request.ipcFd, instead of letting FCGX_Accept_r
 * block in accept(): libfcgi's own accept has a window between checking
 * for shutdown and blocking in accept() where SIGTERM is lost, and it
 * retries lock waits on EINTR.  Here SIGTERM and SIGHUP stay blocked
 * except inside ppoll(), so a signal either interrupts the wait or waits
 * for the request in flight to finish: graceful by construction.  The
 * listen socket is non-blocking, so when several workers wake for one
 * connection the losers get EAGAIN and go back to waiting.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "view/admin_tmpl.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "cache/cache.h"
#include "lib/conf.h"
#include "lib/i18n.h"
#include "db/db.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "http/out.h"
#include "http/req.h"
#include "serve/chaos.h"
#include "serve/route.h"
#include "view/error.h"
#include "view/view.h"
#include "tmpl/tmpl.h"
#include "lib/trace.h"
#include "lib/util.h"
#include "serve/worker.h"

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *
getparam(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static long
readbody(void *ctx, char *p, size_t n)
{
	FCGX_Request	*fr = ctx;
	int		 want = n > (1 << 30) ? (1 << 30) : (int)n;

	return FCGX_GetStr(p, want, fr->in);
}

/* The body cap for r: files may be larger than forms. */
static size_t
body_limit(const struct req *r)
{
	const struct conf *c = r->w->conf;

	return (size_t)(route_upload(r) ? c->media_max_bytes : c->max_body);
}

/*
 * Serves one request.  True when nginx has nothing more to send on the
 * connection: the request had no body, or the whole body was read.
 */
static bool
serve(struct worker *w, FCGX_Request *fr)
{
	struct req	 r;
	struct buf	 head;
	enum status	 st;
	size_t		 bytes;
	struct metric_request mr;
	const char	*clen;
	int		 sp;
	bool		 sent;

	/* First, so every line logged for the request carries its ids.
	 * INKWELL_TRACE_ID is nginx's: the traceparent's trace id, or its
	 * request id, which its access log shows. */
	trace_request_begin(FCGX_GetParam("HTTP_TRACEPARENT", fr->envp),
	    FCGX_GetParam("INKWELL_TRACE_ID", fr->envp));
	arena_reset(w->arena);
	db_time_take(&mr.db_seconds, &mr.db_statements);	/* zero */
	memset(&r, 0, sizeof(r));
	r.a = w->arena;
	r.w = w;
	r.t0 = util_now();
	r.resp.status = 200;
	r.cache_result = METRIC_CACHE_NONE;
	r.cache_lookup = -1;
	buf_init(&r.resp.body, r.a, 16384);

	st = req_parse(&r, getparam, fr, fr->envp, readbody, fr, body_limit);
	if (chaos_live)
		r.chaos = FCGX_GetParam("HTTP_X_INKWELL_CHAOS", fr->envp);
	if (st != ST_OK) {
		r.route = "(parse)";
		r.route_id = route_id_pseudo(r.route);
		error_page(&r, st);
	} else
		route_dispatch(&r);
	out_conditional(&r);

	buf_init(&head, r.a, 512);
	out_head(&r, &head);
	bytes = r.method == METHOD_HEAD ? 0 : r.resp.body.n;
	sp = trace_span_begin("write response", TRACE_INTERNAL);
	trace_attr_int(sp, "http.response.body.size", (int64_t)bytes);
	sent = FCGX_PutStr(head.p, (int)head.n, fr->out) >= 0 &&
	    (bytes == 0 || FCGX_PutStr(r.resp.body.p, (int)bytes, fr->out) >=
	    0);
	trace_span_end(sp, !sent);
	if (!sent)
		log_msg(LOG_WARN, "client went away before the response "
		    "(req_id %s)", r.id);
	w->nreq++;
	db_time_take(&r.db_seconds, &r.db_statements);
	mr.seconds = util_now() - r.t0;
	log_request(&(struct log_request){
		.id = r.id, .method = r.method_name, .path = r.path,
		.route = r.route, .status = r.resp.status, .bytes = bytes,
		.seconds = mr.seconds, .db_seconds = r.db_seconds,
		.db_statements = r.db_statements,
		.cache = r.cache_result > METRIC_CACHE_NONE &&
		    r.cache_result < METRIC_CACHE__MAX ?
		    metric_cache_names[r.cache_result] : NULL,
		.remote = r.remote_addr, .traceparent = r.traceparent,
	});
	mr.route = r.route_id;
	mr.cache = (enum metric_cache)r.cache_result;
	mr.http = r.resp.status;
	mr.lookup = r.cache_lookup;
	mr.db_seconds = r.db_seconds;
	mr.db_statements = r.db_statements;
	metrics_request(&mr);
	trace_attr_str(0, "inkwell.request_id", r.id);
	/* A method of the client's own spelling is no span name: OTel's
	 * "_OTHER" stands for any we do not know. */
	trace_request_end(r.method < METHOD__MAX && strcmp(r.method_name,
	    req_method_names[r.method]) == 0 ? r.method_name : "_OTHER",
	    r.route, r.resp.status);
	clen = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	return clen == NULL || clen[0] == '\0' || strcmp(clen, "0") == 0 ||
	    r.body != NULL;
}

/*
 * Reads, without waiting, what the client has sent on fd beyond the
 * request (the empty record that ends its stdin, when libfcgi did not
 * read it): true when nothing is left unread.  Closing a unix socket
 * with bytes unread resets the client's side.  A client still sending
 * more than a few records is left to libfcgi's close.
 */
static bool
nothing_pending(int fd)
{
	char	 trash[4096];

	for (int i = 0; i < 4; i++) {
		ssize_t n = recv(fd, trash, sizeof(trash), MSG_DONTWAIT);

		if (n == 0)
			return true;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
	}
	return false;
}

/* Is fd a unix socket (nginx on this host)? */
static bool
unix_socket(int fd)
{
	struct sockaddr_storage ss;
	socklen_t	 len = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_UNIX;
}

/* Waits for a connection; returns its fd, or -1 to re-check stop. */
static int
wait_accept(int lfd, const sigset_t *waitmask)
{
	struct pollfd	 pfd = { .fd = lfd, .events = POLLIN };
	int		 fd;

	if (ppoll(&pfd, 1, NULL, waitmask) < 0)
		return -1;	/* EINTR: a signal; the caller looks */
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		return fd;
	switch (errno) {
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		break;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		log_msg(LOG_ERROR, "accept: %s; pausing", strerror(errno));
		usleep(100000);
		break;
	default:
		log_msg(LOG_ERROR, "accept: %s", strerror(errno));
		usleep(100000);
		break;
	}
	return -1;
}

int
worker_main(const struct conf *conf, int listen_fd, int ready_fd)
{
	struct worker	 w = { .conf = conf, .listen_fd = listen_fd };
	sigset_t	 block, waitmask;
	FCGX_Request	 fr;
	int		 fd;
	char		 one = 'R';
	bool		 local = unix_socket(listen_fd), drained;

	log_set_role("worker");
	log_set_ids(trace_current);
	metrics_routes(route_count(), (size_t)route_id_pseudo("(none)"),
	    route_label);
	/* If the supervisor dies, so do we; nothing else would stop us. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);

	util_on_stop(on_stop);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);

	if (sodium_init() < 0) {
		log_msg(LOG_ERROR, "libsodium failed to initialise");
		return 1;
	}
	if (FCGX_Init() != 0) {
		log_msg(LOG_ERROR, "libfcgi failed to initialise");
		return 1;
	}
	FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	w.arena = arena_new(64 * 1024);
	chaos_setup(conf);
	w.db = db_open(conf);
	w.cache = cache_open(conf);
	metrics_count(METRIC_WORKER_STARTS);
	(void)trace_start(&(struct trace_config){
		.endpoint = conf->trace_endpoint,
		.sample_ratio = conf->trace_sample_ratio,
		.service = conf->trace_service,
		.queue = (size_t)conf->trace_queue,
		.batch = (size_t)conf->trace_batch,
		.timeout_ms = (long)conf->trace_timeout,
	});
	{
		char	 err[1024], dir[4096];

		/* The supervisor compiled these already; a failure here means
		 * they changed under a reload, which then keeps old workers. */
		if ((w.tmpl = tmpl_load_dir(conf->templates, TMPL_STRICT, err,
		    sizeof(err))) == NULL) {
			log_msg(LOG_ERROR, "templates: %s", err);
			return 2;
		}
		if ((w.admin = admin_load(err, sizeof(err))) == NULL) {
			log_msg(LOG_ERROR, "admin templates: %s", err);
			return 2;
		}
		snprintf(dir, sizeof(dir), "%s/i18n", conf->templates);
		if ((w.i18n = i18n_load_dir(dir, err, sizeof(err))) == NULL) {
			log_msg(LOG_ERROR, "languages: %s", err);
			return 2;
		}
	}
	cache_theme_id(conf->templates, conf->base_url, w.theme);

	if (ready_fd >= 0) {
		if (write(ready_fd, &one, 1) != 1)
			log_msg(LOG_WARN, "cannot tell the supervisor we are "
			    "ready: %s", strerror(errno));
		close(ready_fd);
	}
	log_msg(LOG_DEBUG, "worker ready");

	while (!stop) {
		if ((fd = wait_accept(listen_fd, &waitmask)) < 0)
			continue;
		fr.ipcFd = fd;
		/*
		 * With ipcFd set, FCGX_Accept_r reads the request from it
		 * instead of accepting.  It first calls FCGX_Finish_r, which
		 * would close ipcFd unless keepConnection is set; the begin
		 * record then overwrites keepConnection with nginx's flag.
		 * A protocol error makes it close the fd and try its own
		 * accept, which fails at once with EAGAIN on our
		 * non-blocking socket: we just wait again.
		 */
		fr.keepConnection = 1;
		if (FCGX_Accept_r(&fr) < 0)
			continue;
		drained = serve(&w, &fr);
		/*
		 * libfcgi closes a connection by shutting down our side and
		 * then waiting for nginx to close its own, reading whatever
		 * it still sends: closing with request bytes unread resets
		 * nginx's side, which may lose the response.  On a unix
		 * socket, once nginx has sent the whole request and we
		 * have read every byte of it, there is nothing to wait for:
		 * keeping libfcgi from closing and closing at once below
		 * saves the wait for nginx's close (a sleep and a wake-up
		 * of this process for every request) and two system calls.
		 * With a body or bytes left unread, or over TCP (whose
		 * peer may be on another host), libfcgi's close stays.
		 */
		if (local && drained && nothing_pending(fr.ipcFd))
			fr.keepConnection = 1;
		FCGX_Finish_r(&fr);
		if (fr.ipcFd >= 0) {
			/*
			 * We do not keep FastCGI connections open: a kept
			 * connection ties nginx's next requests to this worker
			 * even while it is busy and another is idle, and a
			 * killed worker leaves dead ones in nginx's pool that
			 * its one retry can land on (tried: 502s under the
			 * worker-kill test).  The kernel's accept queue hands
			 * each new connection to whichever worker is free.
			 */
			close(fr.ipcFd);
			fr.ipcFd = -1;
		}
	}
	log_msg(LOG_DEBUG, "worker stopping after %llu requests",
	    (unsigned long long)w.nreq);
	trace_stop();
	cache_close(w.cache);
	db_close(w.db);
	tmpl_free(w.tmpl);
	tmpl_free(w.admin);
	view_strings_free(&w);
	i18n_free(w.i18n);
	arena_free(w.arena);
	return 0;
}
