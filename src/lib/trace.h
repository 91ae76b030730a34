/* SPDX-License-Identifier: MIT */
/*
 * trace.h: W3C Trace Context and the spans of the request being served,
 * exported as OTLP/HTTP JSON from a background thread.
 */
#ifndef INKWELL_TRACE_H
#define INKWELL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A traceparent header is exactly this long (version 00). */
#define TRACE_PARENT_LEN	55

/* The parts of a valid traceparent. */
struct trace_parent {
	uint8_t		 trace_id[16];
	uint8_t		 span_id[8];
	uint8_t		 flags;		/* bit 0: sampled */
};

/*
 * Parses a W3C traceparent header of n bytes into *out: version 00,
 * exactly 55 bytes, lowercase hex, neither id all zeros.  Anything else
 * (another version, upper case, a longer value) is refused: the request
 * then starts a trace of its own.  0, or -1 leaving *out unspecified.
 */
int	 trace_parse(const char *s, size_t n, struct trace_parent *out);

/*
 * Parses an id of len bytes written as 2 * len lowercase hex digits (n
 * must be exactly that), not all zeros, into out.  0 or -1.
 */
int	 trace_parse_id(const char *s, size_t n, uint8_t *out, size_t len);

/* OTLP's span kinds (the numbers are the protocol's). */
enum trace_kind {
	TRACE_INTERNAL = 1,
	TRACE_SERVER = 2,
	TRACE_CLIENT = 3,
};

/* What the exporter is told; strings are copied. */
struct trace_config {
	const char	*endpoint;	/* OTLP/HTTP traces URL; "": off */
	double		 sample_ratio;	/* 0..1, for traces we start */
	const char	*service;	/* resource service.name */
	size_t		 queue;		/* spans waiting, at most */
	size_t		 batch;		/* spans in one export, at most */
	long		 timeout_ms;	/* connect and whole export */
};

/*
 * Starts tracing in this process: with an endpoint, a background thread
 * that exports finished spans.  Call once per worker, after fork.  0, or
 * -1 (logged) when the thread could not start: spans are then dropped
 * and counted.  Without a call, or with an empty endpoint, nothing is
 * recorded and only ids are made (for log lines).
 */
int	 trace_start(const struct trace_config *);

/* Stops the exporter: one last export bounded by the timeout, then the
 * thread is joined.  Safe without trace_start(). */
void	 trace_stop(void);

/*
 * Opens the request's trace and its SERVER span.  traceparent (may be
 * NULL) is the client's header: its trace id and sampled flag are
 * followed and its span becomes the parent.  Without a valid one, the
 * trace id is trace_id (nginx's, 32 lowercase hex; NULL or invalid: a
 * random one) and sampling follows sample_ratio.  The strings are read
 * during the call only.
 */
void	 trace_request_begin(const char *traceparent, const char *trace_id);

/*
 * Closes the request span: name it "METHOD route" (route NULL: the
 * method alone), status error when http >= 500, and queue the
 * request's spans for export when sampled.  Never blocks: a full queue
 * drops them (counted).
 */
void	 trace_request_end(const char *method, const char *route, int http);

/* Whether the current request's spans are recorded (and exported). */
bool	 trace_sampled(void);

/*
 * Opens a child of the current span and makes it current; name is
 * copied (cut at 63 bytes).  Returns its handle, or -1 when nothing is
 * recorded (not sampled, no request, too many spans): the other calls
 * accept -1 and do nothing.
 */
int	 trace_span_begin(const char *name, enum trace_kind);

/*
 * Opens a child of the current span without making it current: for
 * work that overlaps (statements sent down one pipeline together).
 */
int	 trace_span_open(const char *name, enum trace_kind);

/* Adds an attribute to span sp; key must be a string literal (kept by
 * address), value is copied (cut at 63 bytes). */
void	 trace_attr_str(int sp, const char *key, const char *value);
void	 trace_attr_int(int sp, const char *key, int64_t value);

/* Closes span sp (status error if error) and makes its parent current. */
void	 trace_span_end(int sp, bool error);

/*
 * The current trace id (32 hex) and span id (16 hex), for log lines:
 * false outside a request.  The strings live until the request ends.
 */
bool	 trace_current(const char **trace_id, const char **span_id);

/* The request's trace id as 32 hex digits, or NULL outside a request. */
const char *trace_id_hex(void);

#endif
