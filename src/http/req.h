/* SPDX-License-Identifier: MIT */
/* req.h: one request: what the client sent (parsed) and what we answer. */
#ifndef INKWELL_REQ_H
#define INKWELL_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "http/input.h"
#include "lib/status.h"

struct arena;
struct principal;		/* db/principal.h */
struct worker;			/* lib/worker_state.h */

enum method {
	METHOD_GET,
	METHOD_HEAD,
	METHOD_POST,
	METHOD_PUT,
	METHOD_DELETE,
	METHOD_PATCH,
	METHOD_OPTIONS,
	METHOD__MAX
};

extern const char *const req_method_names[];

#define REQ_MAXCAPS	4	/* {captures} in one route pattern */
#define REQ_MAXHDRS	16	/* response headers besides the fixed ones */

struct hdr {
	const char	*name;
	const char	*value;
};

/* The response under construction; out.c writes it, worker.c sends it. */
struct resp {
	int		 status;	/* HTTP status, 200 by default */
	const char	*ctype;		/* Content-Type */
	const char	*cache;		/* Cache-Control, NULL: "no-store" */
	bool		 etag;		/* add an ETag and answer 304 to a match */
	const char	*etag_value;	/* quoted; NULL: out_etag() computes it */
	int64_t		 last_modified;	/* epoch seconds, 0: none */
	struct hdr	 hdrs[REQ_MAXHDRS];
	size_t		 nhdrs;
	struct buf	 body;
	const char	*detail;	/* for an error: what the client is told
					 * instead of the status's stock message
					 * (static storage or the arena) */
};

/*
 * Request-scoped: everything here lives in r->a and dies with it.  The
 * environment parameters are read once by req_parse(); handlers use the
 * parsed fields and in[] only.
 */
struct req {
	struct arena	*a;
	struct worker	*w;		/* long-lived; never store r->a memory in it */
	enum method	 method;
	const char	*method_name;	/* as sent, for logs */
	const char	*uri;		/* REQUEST_URI as sent */
	const char	*path;		/* decoded path, no query */
	const char	*query;		/* QUERY_STRING as sent */
	struct kv	*qkv;		/* decoded query pairs */
	size_t		 nqkv;
	struct kv	*form;		/* decoded urlencoded body pairs */
	size_t		 nform;
	struct kv	*cookies;
	size_t		 ncookies;
	const char	*body;		/* raw body (NUL-terminated), or NULL */
	size_t		 bodylen;
	const char	*ctype_in;	/* request Content-Type */
	const char	*if_none_match;
	const char	*if_modified_since;
	const char	*accept;
	const char	*remote_addr;
	const char	*authorization;	/* Authorization header, or NULL */
	const char	*csrf_header;	/* X-CSRF-Token header, or NULL */
	const char	*origin;	/* Origin header, or NULL */
	const char	*sec_fetch_site;	/* Sec-Fetch-Site, or NULL */
	const char	*host;		/* Host as nginx resolved it */
	bool		 https;		/* the client spoke TLS to nginx */
	const struct principal *user;	/* RF_USER routes: never NULL */
	bool		 changed;	/* the handler committed a change readers
					 * can see: the page cache is retired
					 * before the answer goes out */
	const char	*traceparent;	/* W3C, validated or NULL */
	const char	*chaos;		/* X-Inkwell-Chaos, read only while
					 * fault injection is on, or NULL */
	char		 id[33];	/* request id, hex */
	struct input_value *in[KEY__MAX];
	bool		 in_refused[KEY__MAX];	/* sent, but not valid */
	/* A route with a form or a JSON body (route.h): its fields, in its
	 * table's order, checked before the handler runs; and the fields
	 * that failed, which every error answer names. */
	struct input_got *fin;
	struct input_fails fails;
	const char	*cap[REQ_MAXCAPS];	/* route captures, decoded */
	size_t		 ncap;
	const char	*route;		/* matched pattern, for logs/metrics */
	int		 route_id;	/* route_label()'s index, for metrics */
	bool		 api;		/* path under /api/: errors as JSON */
	int		 cache_result;	/* enum metric_cache, for metrics and log */
	double		 cache_lookup;	/* seconds in Redis, -1: not asked */
	double		 t0;		/* util_now() at start */
	double		 db_seconds;	/* waiting on PostgreSQL, for log */
	unsigned	 db_statements;	/* and how many statements */
	struct resp	 resp;
};

/* What req_parse needs to read a parameter; lets tests feed a fake env. */
typedef const char *(*req_getenv_fn)(void *ctx, const char *name);

/* Reads body bytes; returns bytes read (0 at EOF) or -1. */
typedef long (*req_read_fn)(void *ctx, char *buf, size_t n);

/*
 * The most body bytes r may send.  Asked when r announces a body, once
 * its method and decoded path are set and before a byte of the body is
 * read, so the cap can depend on where the request goes (a file upload
 * takes more than a form).
 */
typedef size_t (*req_limit_fn)(const struct req *r);

/*
 * Fills r from the FastCGI parameters and body.  Limits are enforced here:
 * ST_URITOOLONG (414), ST_HDRTOOBIG (431), ST_BODYTOOBIG (413, when
 * Content-Length is over what limit says, refused unread),
 * ST_INVALID (400: bad method, bad escape, bad Content-Length, truncated
 * body, malformed query or form), ST_OK otherwise.  headers is the
 * envp-style array of all parameters, scanned for HTTP_* sizes.  On any
 * status the fields parsed so far are usable for the error page and log.
 */
enum status	 req_parse(struct req *r, req_getenv_fn get, void *getctx,
		    char *const *envp, req_read_fn rd, void *rdctx,
		    req_limit_fn limit);

/* Looks up a cookie by name; NULL when absent. */
const char	*req_cookie(const struct req *r, const char *name);

#endif
