/* SPDX-License-Identifier: MIT */
/* log.h: JSON lines on stderr, one per event and one per request. */
#ifndef INKWELL_LOG_H
#define INKWELL_LOG_H

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_LEVEL__MAX
};

#include <stdbool.h>
#include <stddef.h>

/*
 * One answered request, as its access line tells it: the caller (the
 * worker loop) copies the fields out of its struct req, so logging
 * needs to know nothing of requests.  Strings are borrowed for the call.
 */
struct log_request {
	const char	*id;		/* request id */
	const char	*method;	/* as sent */
	const char	*path;
	const char	*route;		/* matched pattern, NULL: "(none)" */
	int		 status;	/* HTTP */
	size_t		 bytes;		/* body bytes sent */
	double		 seconds;
	double		 db_seconds;
	unsigned	 db_statements;	/* 0: no db_ms, db_statements */
	const char	*cache;		/* the page cache's "hit"..., or NULL */
	const char	*remote;	/* or NULL */
	const char	*traceparent;	/* or NULL */
};

/* Sets the lowest level written ("debug".."error"); unknown: info. */
void	 log_set_level(const char *);

/* Names the process in every line ("supervisor", "worker"). */
void	 log_set_role(const char *);

/*
 * Gives the logger a way to ask for the ids of the trace being served
 * (trace_current in trace.h; the worker sets it): every line written
 * while it answers true carries "trace_id" and "span_id".  The logger
 * cannot ask trace.c itself, which logs through it.
 */
typedef bool (*log_ids_fn)(const char **trace_id, const char **span_id);
void	 log_set_ids(log_ids_fn);

/* Writes {"time","level","role","pid","msg"} as one line, one write(2). */
void	 log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Writes the access line for a finished request. */
void	 log_request(const struct log_request *);

#endif
