/* SPDX-License-Identifier: MIT */
/* req-t.c: request parsing limits and their statuses, from a fake env. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "http/req.h"
#include "tap.h"

#define MAXENV	256

struct fake {
	char	*env[MAXENV + 1];
	size_t	 n;
	const char *body;
	size_t	 bodylen, pos;
};

static void
set(struct fake *f, const char *name, const char *value)
{
	size_t	 n = strlen(name) + strlen(value) + 2;
	char	*s = malloc(n);

	snprintf(s, n, "%s=%s", name, value);
	f->env[f->n++] = s;
	f->env[f->n] = NULL;
}

static const char *
get(void *ctx, const char *name)
{
	struct fake	*f = ctx;
	size_t		 n = strlen(name);

	for (size_t i = 0; i < f->n; i++)
		if (strncmp(f->env[i], name, n) == 0 && f->env[i][n] == '=')
			return f->env[i] + n + 1;
	return NULL;
}

static long
rd(void *ctx, char *p, size_t n)
{
	struct fake	*f = ctx;
	size_t		 left = f->bodylen - f->pos;

	if (n > left)
		n = left;
	if (n > 7)
		n = 7;		/* short reads, as a socket gives */
	memcpy(p, f->body + f->pos, n);
	f->pos += n;
	return (long)n;
}

static void
clear(struct fake *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->env[i]);
	memset(f, 0, sizeof(*f));
}

/* 1000 bytes, or 5000 under /big/, asked with the decoded path. */
static size_t
limit(const struct req *r)
{
	return strncmp(r->path, "/big/", 5) == 0 ? 5000 : 1000;
}

static struct fake F;
static struct req R;
static struct arena *A;

static enum status
run(const char *method, const char *uri)
{
	const char	*q = strchr(uri, '?');

	set(&F, "REQUEST_METHOD", method);
	set(&F, "REQUEST_URI", uri);
	set(&F, "QUERY_STRING", q ? q + 1 : "");
	arena_reset(A);
	memset(&R, 0, sizeof(R));
	R.a = A;
	return req_parse(&R, get, &F, F.env, rd, &F, limit);
}

static char *
rep(char c, size_t n)
{
	char	*s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

int
main(void)
{
	char	*s, *u;
	char	 name[64];

	plan_lazy();
	A = arena_new(4096);

	is_int(ST_OK, run("GET", "/p/hello?page=3&q=a+b"), "plain GET parses");
	is_string("/p/hello", R.path, "path without query");
	ok(R.in[KEY_PAGE] && R.in[KEY_PAGE]->i == 3, "page validated as 3");
	is_string("a b", R.in[KEY_Q] ? R.in[KEY_Q]->s : NULL, "q decoded");
	is_int(32, (int64_t)strlen(R.id), "a request id is made");
	clear(&F);

	is_int(ST_OK, run("GET", "/?page=0&page=7"), "out-of-range page");
	ok(R.in[KEY_PAGE] == NULL, "invalid page dropped, not fatal");
	clear(&F);

	set(&F, "REQUEST_ID", "0123456789abcdef0123456789abcdef");
	run("GET", "/");
	is_string("0123456789abcdef0123456789abcdef", R.id,
	    "nginx's request id kept");
	clear(&F);
	set(&F, "REQUEST_ID", "<script>");
	run("GET", "/");
	ok(strcmp(R.id, "<script>") != 0 && strlen(R.id) == 32,
	    "hostile request id replaced");
	clear(&F);

	set(&F, "HTTP_TRACEPARENT",
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
	run("GET", "/");
	ok(R.traceparent != NULL, "valid traceparent kept");
	clear(&F);
	set(&F, "HTTP_TRACEPARENT",
	    "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
	run("GET", "/");
	ok(R.traceparent == NULL, "all-zero trace id dropped");
	clear(&F);
	set(&F, "HTTP_TRACEPARENT", "00-xyz\r\n");
	run("GET", "/");
	ok(R.traceparent == NULL, "garbage traceparent dropped");
	clear(&F);

	/* 414 */
	s = rep('a', INPUT_MAX_URI);
	u = malloc(INPUT_MAX_URI + 2);
	snprintf(u, INPUT_MAX_URI + 2, "/%s", s);
	is_int(ST_URITOOLONG, run("GET", u), "URI one over the limit: 414");
	clear(&F);
	u[INPUT_MAX_URI] = '\0';
	is_int(ST_OK, run("GET", u), "URI at the limit: ok");
	clear(&F);
	free(u);
	free(s);
	s = rep('b', INPUT_MAX_QUERY + 1);
	set(&F, "QUERY_STRING", s);
	set(&F, "REQUEST_METHOD", "GET");
	set(&F, "REQUEST_URI", "/x");
	arena_reset(A);
	memset(&R, 0, sizeof(R));
	R.a = A;
	is_int(ST_URITOOLONG, req_parse(&R, get, &F, F.env, rd, &F, limit),
	    "query string over the limit: 414");
	clear(&F);
	free(s);

	/* 431 */
	s = rep('c', INPUT_MAX_HEADER + 100);
	set(&F, "HTTP_X_BIG", s);
	is_int(ST_HDRTOOBIG, run("GET", "/"), "one huge header: 431");
	clear(&F);
	free(s);
	for (int i = 0; i <= INPUT_MAX_HEADER_COUNT; i++) {
		snprintf(name, sizeof(name), "HTTP_X_H%d", i);
		set(&F, name, "v");
	}
	is_int(ST_HDRTOOBIG, run("GET", "/"), "too many headers: 431");
	clear(&F);
	s = rep('d', 7000);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "HTTP_X_M%d", i);
		set(&F, name, s);
	}
	is_int(ST_HDRTOOBIG, run("GET", "/"), "headers over the total: 431");
	clear(&F);
	free(s);
	s = malloc(INPUT_MAX_COOKIES * 8 + 64);
	s[0] = '\0';
	for (int i = 0; i <= INPUT_MAX_COOKIES; i++) {
		snprintf(name, sizeof(name), "c%d=1; ", i);
		strcat(s, name);
	}
	set(&F, "HTTP_COOKIE", s);
	is_int(ST_HDRTOOBIG, run("GET", "/"), "too many cookies: 431");
	clear(&F);
	free(s);
	set(&F, "HTTP_COOKIE", "sid=abc; broken; =x; theme=\"dark\"");
	is_int(ST_OK, run("GET", "/"), "broken cookie pairs are skipped");
	is_string("abc", req_cookie(&R, "sid"), "good cookie read");
	is_string("dark", req_cookie(&R, "theme"), "quoted cookie unquoted");
	ok(req_cookie(&R, "broken") == NULL, "malformed pair not seen");
	clear(&F);

	/* 413 and bodies */
	set(&F, "CONTENT_LENGTH", "1001");
	is_int(ST_BODYTOOBIG, run("POST", "/"), "body over max_body: 413");
	ok(R.body == NULL, "and not read");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "1001");
	F.body = "";
	is_int(ST_INVALID, run("POST", "/big/x"), "a path with a higher "
	    "limit reads on (and finds the body short)");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "1001");
	F.body = "";
	is_int(ST_INVALID, run("POST", "/%62ig/x"), "the limit is asked for "
	    "the decoded path (/%%62ig/ is /big/)");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "5001");
	is_int(ST_BODYTOOBIG, run("POST", "/big/x"), "over the higher limit: "
	    "413");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "99999999999999999999999");
	is_int(ST_INVALID, run("POST", "/"), "absurd Content-Length: 400");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "-5");
	is_int(ST_INVALID, run("POST", "/"), "negative Content-Length: 400");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "10");
	F.body = "short";
	F.bodylen = 5;
	is_int(ST_INVALID, run("POST", "/"), "body shorter than announced: 400");
	clear(&F);
	F.body = "title=%3Cb%3E&page=2&x=%0D%0A";
	F.bodylen = strlen(F.body);
	snprintf(name, sizeof(name), "%zu", F.bodylen);
	set(&F, "CONTENT_LENGTH", name);
	set(&F, "CONTENT_TYPE", "application/x-www-form-urlencoded; charset=UTF-8");
	is_int(ST_OK, run("POST", "/"), "form body parses");
	if (!is_int(3, (int64_t)R.nform, "three pairs"))
		bail("form not parsed");
	is_string("<b>", R.form[0].val, "form value decoded");
	is_string("\r\n", R.form[2].val, "CR LF decoded, left to validators");
	ok(R.in[KEY_PAGE] && R.in[KEY_PAGE]->i == 2, "page from the form");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "5");
	set(&F, "CONTENT_TYPE", "application/x-www-form-urlencoded");
	F.body = "a=%zz";
	F.bodylen = 5;
	is_int(ST_INVALID, run("POST", "/"), "malformed form: 400");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "5");
	set(&F, "CONTENT_TYPE", "application/x-www-form-urlencoded");
	F.body = "a=%zz";
	F.bodylen = 5;
	is_int(ST_OK, run("PUT", "/"), "a PUT body is never a form (curl "
	    "--data-binary names it one)");
	ok(R.nform == 0 && R.bodylen == 5, "and is kept whole");
	clear(&F);
	set(&F, "CONTENT_LENGTH", "2");
	set(&F, "CONTENT_TYPE", "application/json");
	F.body = "{}";
	F.bodylen = 2;
	is_int(ST_OK, run("PUT", "/"), "JSON body kept raw");
	ok(R.body && R.bodylen == 2 && R.nform == 0, "not parsed as a form");
	clear(&F);

	/* 400 and 405 */
	is_int(ST_INVALID, run("GET", "/%zz"), "bad path escape: 400");
	is_string("/%zz", R.path, "raw path kept for the log");
	clear(&F);
	is_int(ST_INVALID, run("GET", "/a%00b"), "encoded NUL in path: 400");
	clear(&F);
	is_int(ST_INVALID, run("GET", "/%C0%AF"), "overlong UTF-8 in path: 400");
	clear(&F);
	is_int(ST_INVALID, run("GET", "/?a=%"), "bad query escape: 400");
	clear(&F);
	is_int(ST_INVALID, run("GET", "relative"), "URI without '/': 400");
	clear(&F);
	is_int(ST_METHOD, run("BREW", "/"), "unknown method: 405");
	is_string("BREW", R.method_name, "method kept for the log");
	clear(&F);
	is_int(ST_OK, run("GET", "/caf%C3%A9"), "UTF-8 path decodes");
	is_string("/caf\xc3\xa9", R.path, "decoded");
	ok(!R.api, "not an API path");
	clear(&F);
	run("GET", "/api/v1/posts");
	ok(R.api, "/api/ path flagged for JSON errors");
	clear(&F);

	arena_free(A);
	return done_testing();
}
