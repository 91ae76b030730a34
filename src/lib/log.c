/* SPDX-License-Identifier: MIT */
/*
 * log.c: JSON log lines on stderr.
 *
 * Each line is assembled in a stack buffer and written with one write(2),
 * so lines from several workers sharing one stderr never interleave.
 * Values are JSON-escaped here (logs are not responses, so json-c is not
 * needed).  Each string value is capped at STR_MAX escaped bytes and marked
 * "...(cut)", which keeps every line valid JSON and under LINE_MAX_BYTES.
 */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"

#define LINE_MAX_BYTES	8192
#define STR_MAX		1024

static const char *const level_names[] = {
	"debug",	/* LOG_DEBUG */
	"info",		/* LOG_INFO */
	"warn",		/* LOG_WARN */
	"error",	/* LOG_ERROR */
};
_Static_assert(NELEM(level_names) == LOG_LEVEL__MAX,
    "level_names[] must cover enum log_level");

static enum log_level min_level = LOG_INFO;
static log_ids_fn ids;
static const char *role = "inkwell";

struct line {
	char	 p[LINE_MAX_BYTES];
	size_t	 n;
};

static void
put(struct line *l, const char *s, size_t n)
{
	/* Unreachable with STR_MAX caps; kept so a mistake truncates, not
	 * overflows. */
	if (n > sizeof(l->p) - 2 - l->n)
		n = sizeof(l->p) - 2 - l->n;
	memcpy(l->p + l->n, s, n);
	l->n += n;
}

static void
puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* Appends s as a JSON string, quotes included. */
static void
putstr(struct line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char	 esc[7];
	size_t	 start = l->n;
	/* Bytes of invalid UTF-8 are written as \u00XX so the line stays
	 * valid JSON whatever a client sent. */
	bool	 raw8 = s != NULL && util_utf8_valid(s, strlen(s));

	put(l, "\"", 1);
	for (; s != NULL && *s; s++) {
		if (l->n - start > STR_MAX) {
			puts_(l, "...(cut)");
			break;
		}
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			put(l, esc, 2);
		} else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !raw8)) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4], esc[5] = hex[c & 15];
			put(l, esc, 6);
		} else
			put(l, (const char *)&c, 1);
	}
	put(l, "\"", 1);
}

/*
 * The process id, asked of the kernel once per process rather than once
 * per line (glibc no longer caches it).  A fork resets it.
 */
static pid_t	 cached_pid;

static void
forget_pid(void)
{
	cached_pid = 0;
}

static pid_t
pid(void)
{
	static bool	 registered;

	if (!registered) {
		pthread_atfork(NULL, NULL, forget_pid);
		registered = true;
	}
	if (cached_pid == 0)
		cached_pid = getpid();
	return cached_pid;
}

static void
begin(struct line *l, enum log_level lv)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[64];
	const char	*tid, *sid;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(t, sizeof(t), "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	l->n = 0;
	puts_(l, t);
	puts_(l, ",\"level\":\"");
	puts_(l, level_names[lv]);
	puts_(l, "\",\"role\":");
	putstr(l, role);
	snprintf(t, sizeof(t), ",\"pid\":%ld", (long)pid());
	puts_(l, t);
	/* While a request is served: its trace and the span now open, so a
	 * line joins the trace (ids are hex, nothing to escape). */
	if (ids != NULL && ids(&tid, &sid)) {
		puts_(l, ",\"trace_id\":\"");
		puts_(l, tid);
		puts_(l, "\",\"span_id\":\"");
		puts_(l, sid);
		puts_(l, "\"");
	}
}

static void
finish(struct line *l)
{
	ssize_t	 w;

	l->p[l->n++] = '}';
	l->p[l->n++] = '\n';
	w = write(STDERR_FILENO, l->p, l->n);
	(void)w;	/* nowhere left to report a failed log write */
}

void
log_set_level(const char *s)
{
	min_level = LOG_INFO;
	for (int i = 0; i < LOG_LEVEL__MAX; i++)
		if (strcmp(s, level_names[i]) == 0)
			min_level = (enum log_level)i;
}

void
log_set_ids(log_ids_fn f)
{
	ids = f;
}

void
log_set_role(const char *r)
{
	role = r;
}

void
log_msg(enum log_level lv, const char *fmt, ...)
{
	struct line	 l;
	char		 msg[2048];
	va_list		 ap;

	if (lv < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	begin(&l, lv);
	puts_(&l, ",\"msg\":");
	putstr(&l, msg);
	finish(&l);
}

void
log_request(const struct log_request *q)
{
	struct line	 l;
	char		 num[96];

	if (LOG_INFO < min_level)
		return;
	begin(&l, q->status >= 500 ? LOG_ERROR : LOG_INFO);
	puts_(&l, ",\"msg\":\"request\",\"req_id\":");
	putstr(&l, q->id);
	puts_(&l, ",\"method\":");
	putstr(&l, q->method);
	puts_(&l, ",\"path\":");
	putstr(&l, q->path);
	puts_(&l, ",\"route\":");
	putstr(&l, q->route ? q->route : "(none)");
	snprintf(num, sizeof(num), ",\"status\":%d,\"bytes\":%zu,"
	    "\"duration_ms\":%.3f", q->status, q->bytes, q->seconds * 1e3);
	puts_(&l, num);
	if (q->db_statements > 0) {
		snprintf(num, sizeof(num), ",\"db_ms\":%.3f,"
		    "\"db_statements\":%u", q->db_seconds * 1e3,
		    q->db_statements);
		puts_(&l, num);
	}
	if (q->cache != NULL) {
		puts_(&l, ",\"cache\":");
		putstr(&l, q->cache);
	}
	if (q->remote != NULL) {
		puts_(&l, ",\"remote\":");
		putstr(&l, q->remote);
	}
	if (q->traceparent != NULL) {
		puts_(&l, ",\"traceparent\":");
		putstr(&l, q->traceparent);
	}
	finish(&l);
}
