/* SPDX-License-Identifier: MIT */
/*
 * imgrun.c: one run of inkwell-image, from the process that needs a
 * picture decoded (a worker, or inkwellctl).
 *
 * Decoders of image formats are large and have a history of memory
 * bugs; an upload is whatever the uploader made.  So no decoding happens
 * in the worker that answers readers: each upload is decoded by a fresh
 * process with a small address space, a CPU-time cap, no files to
 * write, no core dump and no inherited descriptor but its pipes, and is
 * killed when the wall clock runs out.  What it answers is parsed as
 * hostile (imgframe.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "content/imgrun.h"
#include "content/items.h"
#include "lib/log.h"
#include "lib/util.h"

/* The most a helper's answer may be: the picture and its variants. */
#define FRAME_MAX	((size_t)256 << 20)

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
limit(int what, rlim_t v)
{
	struct rlimit	 rl = { v, v };

	if (setrlimit(what, &rl) != 0)
		_exit(126);
}

/*
 * The helper to run: the configured one, or, when that is not there (a
 * build not installed: tests, script/server), the one beside the
 * running program.  Static storage.
 */
static const char *
helper(const char *configured)
{
	static char	 path[4096];
	ssize_t		 k;
	char		*slash;

	if (access(configured, X_OK) == 0)
		return configured;
	if ((k = readlink("/proc/self/exe", path, sizeof(path) - 32)) <= 0)
		return configured;
	path[k] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return configured;
	strcpy(slash + 1, "inkwell-image");
	return access(path, X_OK) == 0 ? path : configured;
}

/* In the child: the limits, the pipes as stdin and stdout, the program. */
static void __attribute__((noreturn))
child(const struct imgrun_limits *l, const char *path, int in, int out,
    char *const argv[])
{
	/*
	 * One thread; no loaders libvips itself calls untrusted; no ORC,
	 * whose run-time code generator writes executable code to a file
	 * in /tmp (which RLIMIT_FSIZE forbids, and which is best not done
	 * with hostile input anyway).
	 */
	static char *const env[] = { "VIPS_CONCURRENCY=1",
	    "VIPS_BLOCK_UNTRUSTED=1", "VIPS_NOVECTOR=1", "PATH=/usr/bin:/bin",
	    NULL };
	sigset_t	 none;
	int		 null;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0)
		_exit(126);
	/*
	 * No stderr: it may be a log file, which RLIMIT_FSIZE forbids it
	 * to write (libvips warns there of oddities in files it reads).
	 * What matters comes back in the frame.
	 */
	if ((null = open("/dev/null", O_WRONLY)) < 0 || dup2(null, 2) < 0)
		_exit(126);
	/* Nothing else: not the database's or Redis's sockets, nor the
	 * listening one. */
	if (close_range(3, ~0U, 0) != 0)
		for (int fd = 3; fd < 65536; fd++)
			close(fd);
	limit(RLIMIT_AS, (rlim_t)l->memory_mb << 20);
	limit(RLIMIT_CPU, (rlim_t)l->timeout);
	limit(RLIMIT_FSIZE, 0);
	limit(RLIMIT_CORE, 0);
	limit(RLIMIT_NOFILE, 32);
	execve(path, argv, env);
	_exit(127);
}

int
imgrun(const struct imgrun_limits *l, const void *p, size_t n,
    struct imgframe *f, unsigned char **frame, const char **why)
{
	char		 bytes[32], pixels[32], side[32];
	char		*argv[] = { "inkwell-image", "--max-bytes", bytes,
	    "--max-pixels", pixels, "--max-side", side, NULL };
	int		 ip[2], op[2], status;
	size_t		 sent = 0, got = 0, cap = 65536;
	double		 deadline = now() + (double)l->timeout;
	const char	*path = helper(l->helper);
	bool		 killed = false;
	pid_t		 pid;

	*frame = NULL;
	*why = NULL;
	snprintf(bytes, sizeof(bytes), "%" PRId64, l->max_bytes);
	snprintf(pixels, sizeof(pixels), "%" PRId64, l->max_pixels);
	snprintf(side, sizeof(side), "%" PRId64, l->max_side);
	if (pipe2(ip, O_CLOEXEC) != 0)
		return *why = "no pipe for the picture helper", -1;
	if (pipe2(op, O_CLOEXEC) != 0) {
		close(ip[0]);
		close(ip[1]);
		return *why = "no pipe for the picture helper", -1;
	}
	if ((pid = fork()) < 0) {
		close(ip[0]);
		close(ip[1]);
		close(op[0]);
		close(op[1]);
		return *why = "the picture helper could not be started", -1;
	}
	if (pid == 0)
		child(l, path, ip[0], op[1], argv);
	close(ip[0]);
	close(op[1]);
	fcntl(ip[1], F_SETFL, O_NONBLOCK);
	fcntl(op[0], F_SETFL, O_NONBLOCK);
	*frame = xmalloc(cap);
	for (;;) {
		struct pollfd	 pf[2] = { { op[0], POLLIN, 0 },
		    { ip[1], POLLOUT, 0 } };
		double		 left = deadline - now();
		ssize_t		 k;
		int		 np = ip[1] >= 0 ? 2 : 1;

		if (left <= 0) {
			killed = true;
			*why = "the picture helper ran out of time";
			break;
		}
		if (poll(pf, (nfds_t)np, (int)(left * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			killed = true;
			*why = "poll failed while the picture helper ran";
			break;
		}
		if (np == 2 && pf[1].revents != 0) {
			k = write(ip[1], (const char *)p + sent, n - sent);
			if (k > 0)
				sent += (size_t)k;
			if ((k < 0 && errno != EAGAIN && errno != EINTR) ||
			    sent == n) {
				/* Done, or it stopped reading: EOF for it. */
				close(ip[1]);
				ip[1] = -1;
			}
		}
		if (pf[0].revents == 0)
			continue;
		if (got == cap) {
			if (cap >= FRAME_MAX) {
				killed = true;
				*why = "the picture helper's answer is too "
				    "large";
				break;
			}
			cap *= 2;
			*frame = xrealloc(*frame, cap);
		}
		k = read(op[0], *frame + got, cap - got);
		if (k > 0)
			got += (size_t)k;
		else if (k == 0)
			break;
		else if (errno != EAGAIN && errno != EINTR) {
			killed = true;
			*why = "reading the picture helper's answer failed";
			break;
		}
	}
	if (ip[1] >= 0)
		close(ip[1]);
	close(op[0]);
	if (killed)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed)
		return -1;
	if (WIFSIGNALED(status))
		return *why = WTERMSIG(status) == SIGXCPU ||
		    WTERMSIG(status) == SIGKILL ? "the picture helper ran "
		    "out of time" : "the picture helper crashed (out of "
		    "memory?)", -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return *why = WEXITSTATUS(status) == 127 ? "the picture helper "
		    "could not be run" : "the picture helper failed (out of "
		    "memory?)", -1;
	return imgframe_parse(*frame, got, f, why);
}

/* The extension of a variant name for type. */
static const char *
variant_ext(const char *type)
{
	if (strcmp(type, "image/jpeg") == 0)
		return "jpg";
	return strchr(type, '/') + 1;	/* png gif webp avif */
}

int
imgrun_media(struct arena *a, const struct imgrun_limits *l,
    const char *name, const void *body, size_t n, const char *sha256,
    struct media_in *in, unsigned char **frame, int *status,
    const char **why)
{
	struct imgframe	*f = arena_alloc(a, sizeof(*f));
	struct media_variant_in *vs;
	unsigned char	 h[crypto_hash_sha256_BYTES];
	char		*hex = arena_alloc(a, 2 * sizeof(h) + 1);
	const char	*dot = strrchr(name, '.');
	int		 stem = dot != NULL ? (int)(dot - name) : (int)strlen(name);

	if (imgrun(l, body, n, f, frame, why) != 0) {
		log_msg(LOG_ERROR, "media %s: %s", name, *why);
		*status = 500;
		return -1;
	}
	if (!f->ok) {
		*why = arena_strdup(a, f->error);
		*status = f->status;
		log_msg(LOG_INFO, "media %s refused: %s", name, *why);
		return -1;
	}
	crypto_hash_sha256(h, f->images[0].data, f->images[0].length);
	sodium_bin2hex(hex, 2 * sizeof(h) + 1, h, sizeof(h));
	/* Copies of a picture kept as it is are named after it. */
	if (sha256 != NULL)
		hex = arena_strdup(a, sha256);
	vs = arena_array(a, f->nimages, sizeof(*vs));
	for (size_t i = 1; i < f->nimages; i++) {
		const struct imgframe_image *g = &f->images[i];

		vs[i - 1] = (struct media_variant_in){
			.name = arena_printf(a, "%.*s.%.8s.w%u.%s", stem,
			    name, hex, g->width, variant_ext(g->type)),
			.content_type = g->type, .width = g->width,
			.height = g->height, .data = g->data, .n = g->length,
		};
	}
	*in = (struct media_in){ .name = name,
	    .content_type = f->images[0].type, .data = f->images[0].data,
	    .n = f->images[0].length, .sha256 = hex,
	    .width = f->images[0].width, .height = f->images[0].height,
	    .variants = vs, .nvariants = f->nimages - 1 };
	return 0;
}

struct imgrun_limits
imgrun_limits_of(const struct conf *c)
{
	return (struct imgrun_limits){ c->image_helper, c->media_max_bytes,
	    c->media_max_pixels, c->media_max_side, c->media_timeout,
	    c->media_memory_mb };
}
