/* SPDX-License-Identifier: MIT */
/*
 * req.c: turns FastCGI parameters and body into a parsed struct req.
 *
 * Limits are checked before any parsing, cheapest first, so hostile input
 * costs little: header sizes (431), URI and query length (414), body
 * length (413, refused before reading a byte), then syntax (400).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "lib/arena.h"
#include "http/input.h"
#include "http/req.h"
#include "lib/trace.h"
#include "lib/util.h"

const char *const req_method_names[] = {
	"GET",		/* METHOD_GET */
	"HEAD",		/* METHOD_HEAD */
	"POST",		/* METHOD_POST */
	"PUT",		/* METHOD_PUT */
	"DELETE",	/* METHOD_DELETE */
	"PATCH",	/* METHOD_PATCH */
	"OPTIONS",	/* METHOD_OPTIONS */
};
_Static_assert(NELEM(req_method_names) == METHOD__MAX,
    "req_method_names[] must cover enum method");

static bool
ishex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* W3C traceparent, as trace.c reads it (version 00, strict). */
static bool
traceparent_ok(const char *s)
{
	struct trace_parent p;

	return trace_parse(s, strlen(s), &p) == 0;
}

static void
set_id(struct req *r, const char *given)
{
	unsigned char	 rnd[16];

	if (given != NULL && strlen(given) == 32 && ishex(given, 32)) {
		memcpy(r->id, given, 33);
		return;
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(r->id, sizeof(r->id), rnd, sizeof(rnd));
}

static bool
digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Media type without parameters, compared case-insensitively. */
static bool
is_ctype(const char *have, const char *want)
{
	size_t	 n = strlen(want);

	return have != NULL && strncasecmp(have, want, n) == 0 &&
	    (have[n] == '\0' || have[n] == ';' || have[n] == ' ');
}

static enum status
read_body(struct req *r, const char *clen, req_read_fn rd, void *rdctx,
    req_limit_fn limit)
{
	size_t		 len, got = 0;
	char		*p;
	long		 n;

	if (clen == NULL || *clen == '\0')
		return ST_OK;
	if (!digits(clen) || strlen(clen) > 15)
		return ST_INVALID;
	len = (size_t)strtoull(clen, NULL, 10);
	if (len > limit(r))
		return ST_BODYTOOBIG;
	if (len == 0)
		return ST_OK;
	p = arena_alloc(r->a, len + 1);
	while (got < len) {
		if ((n = rd(rdctx, p + got, len - got)) <= 0)
			return ST_INVALID;	/* shorter than announced */
		got += (size_t)n;
	}
	p[len] = '\0';
	r->body = p;
	r->bodylen = len;
	return ST_OK;
}

static enum status
from_input_err(enum input_err e)
{
	return e == INPUT_OK ? ST_OK : ST_INVALID;
}

enum status
req_parse(struct req *r, req_getenv_fn get, void *gc, char *const *envp,
    req_read_fn rd, void *rdctx, req_limit_fn limit)
{
	const char	*m, *uri, *q, *cookie, *qm;
	size_t		 nhdr = 0, total = 0, pathlen;
	char		*path;
	enum status	 st;
	enum input_err	 ie;

	r->path = "/";
	r->uri = "";
	r->method_name = "-";
	set_id(r, get(gc, "REQUEST_ID"));
	r->remote_addr = get(gc, "REMOTE_ADDR");

	/* 431 first: it bounds everything the later steps look at. */
	for (char *const *e = envp; e != NULL && *e != NULL; e++) {
		size_t	 n;

		if (strncmp(*e, "HTTP_", 5) != 0)
			continue;
		n = strlen(*e);
		nhdr++;
		total += n;
		if (n > INPUT_MAX_HEADER + 64 || nhdr > INPUT_MAX_HEADER_COUNT ||
		    total > INPUT_MAX_HEADERS_TOTAL)
			return ST_HDRTOOBIG;
	}

	/* Method and raw path first, so even a refused request logs them. */
	if ((m = get(gc, "REQUEST_METHOD")) == NULL)
		return ST_INVALID;
	r->method_name = m;
	r->method = METHOD__MAX;
	for (int i = 0; i < METHOD__MAX; i++)
		if (strcmp(m, req_method_names[i]) == 0)
			r->method = (enum method)i;
	uri = get(gc, "REQUEST_URI");
	if (uri == NULL || *uri != '/')
		return ST_INVALID;
	if (strlen(uri) > INPUT_MAX_URI)
		return ST_URITOOLONG;
	r->uri = uri;
	qm = strchr(uri, '?');
	pathlen = qm ? (size_t)(qm - uri) : strlen(uri);
	r->path = arena_strndup(r->a, uri, pathlen);
	/* From the raw path, so that a path refused below (an encoded '/',
	 * invalid UTF-8) is still answered as the API answers: in JSON. */
	r->api = strncmp(r->path, "/api/", 5) == 0 ||
	    strcmp(r->path, "/api") == 0;
	if (r->method == METHOD__MAX)
		return ST_METHOD;
	if (!input_decode_path(r->a, uri, pathlen, &path, &pathlen))
		return ST_INVALID;
	r->path = path;
	r->api = r->api || strncmp(path, "/api/", 5) == 0 ||
	    strcmp(path, "/api") == 0;

	if ((q = get(gc, "HTTP_TRACEPARENT")) != NULL && traceparent_ok(q))
		r->traceparent = q;
	r->if_none_match = get(gc, "HTTP_IF_NONE_MATCH");
	r->if_modified_since = get(gc, "HTTP_IF_MODIFIED_SINCE");
	r->accept = get(gc, "HTTP_ACCEPT");
	r->ctype_in = get(gc, "CONTENT_TYPE");
	r->authorization = get(gc, "HTTP_AUTHORIZATION");
	r->csrf_header = get(gc, "HTTP_X_CSRF_TOKEN");
	r->origin = get(gc, "HTTP_ORIGIN");
	r->sec_fetch_site = get(gc, "HTTP_SEC_FETCH_SITE");
	r->host = get(gc, "HTTP_HOST");
	q = get(gc, "HTTPS");
	r->https = q != NULL && strcmp(q, "on") == 0;

	q = get(gc, "QUERY_STRING");
	r->query = q ? q : "";
	if (strlen(r->query) > INPUT_MAX_QUERY)
		return ST_URITOOLONG;
	ie = input_parse_urlencoded(r->a, r->query, strlen(r->query),
	    INPUT_MAX_PAIRS, &r->qkv, &r->nqkv);
	if ((st = from_input_err(ie)) != ST_OK)
		return st;

	if ((cookie = get(gc, "HTTP_COOKIE")) != NULL) {
		if (strlen(cookie) > INPUT_MAX_COOKIE_HDR)
			return ST_HDRTOOBIG;
		ie = input_parse_cookies(r->a, cookie, strlen(cookie),
		    INPUT_MAX_COOKIES, &r->cookies, &r->ncookies);
		if (ie == INPUT_TOOMANY)
			return ST_HDRTOOBIG;
	}

	if ((st = read_body(r, get(gc, "CONTENT_LENGTH"), rd, rdctx,
	    limit)) != ST_OK)
		return st;
	/* Browsers send forms with POST only; the body of a PUT is what
	 * is put (a file), whatever Content-Type a client names. */
	if (r->body != NULL && r->method == METHOD_POST &&
	    is_ctype(r->ctype_in, "application/x-www-form-urlencoded")) {
		ie = input_parse_urlencoded(r->a, r->body, r->bodylen,
		    INPUT_MAX_PAIRS, &r->form, &r->nform);
		if ((st = from_input_err(ie)) != ST_OK)
			return st;
	}
	input_validate_sent(r->a, r->qkv, r->nqkv, r->form, r->nform, r->in,
	    r->in_refused);
	return ST_OK;
}

const char *
req_cookie(const struct req *r, const char *name)
{
	const struct kv *kv = input_find(r->cookies, r->ncookies, name);

	return kv ? kv->val : NULL;
}
