/* SPDX-License-Identifier: MIT */
/* route-t.c: pattern matching, captures, dispatch statuses. */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "http/req.h"
#include "serve/route.h"
#include "view/error.h"
#include "lib/status.h"
#include "tap.h"
#include "unit.h"

static const struct {
	const char	*pattern, *path;
	bool		 match;
	const char	*cap0, *cap1;
} cases[] = {
	{ "/", "/", true, NULL, NULL },
	{ "/", "", false, NULL, NULL },
	{ "/healthz", "/healthz", true, NULL, NULL },
	{ "/healthz", "/healthz/", false, NULL, NULL },
	{ "/healthz", "/healthzz", false, NULL, NULL },
	{ "/healthz", "/health", false, NULL, NULL },
	{ "/p/{slug}", "/p/hello-world", true, "hello-world", NULL },
	{ "/p/{slug}", "/p/", false, NULL, NULL },
	{ "/p/{slug}", "/p/a/b", false, NULL, NULL },
	{ "/p/{slug}", "/p/<script>", true, "<script>", NULL },
	{ "/p/{slug}", "/p/with space", true, "with space", NULL },
	{ "/t/{tag}/page/{n}", "/t/c/page/2", true, "c", "2" },
	{ "/t/{tag}/page/{n}", "/t/c/page/", false, NULL, NULL },
	{ "/t/{tag}/page/{n}", "/t//page/2", false, NULL, NULL },
	{ "/api/v1/posts/{slug}", "/api/v1/posts/x", true, "x", NULL },
	{ "/feed.atom", "/feed.atom", true, NULL, NULL },
	{ "/feed.atom", "/feed.atomx", false, NULL, NULL },
};

static struct req *
mkreq(struct arena *a, enum method m, const char *path)
{
	struct req	*r = arena_zalloc(a, sizeof(*r));

	r->a = a;
	r->method = m;
	r->method_name = "GET";
	r->path = path;
	r->api = strncmp(path, "/api/", 5) == 0;
	r->resp.status = 200;
	strcpy(r->id, "00000000000000000000000000000000");
	buf_init(&r->resp.body, a, 64);
	return r;
}

int
main(void)
{
	struct arena	*a = arena_new(4096);
	const char	*caps[REQ_MAXCAPS];
	size_t		 n;
	struct req	*r;

	plan_lazy();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m = route_match(a, cases[i].pattern, cases[i].path, caps,
		    &n);

		is_int(cases[i].match, m, "%s ~ %s", cases[i].pattern,
		    cases[i].path);
		if (m && cases[i].cap0)
			is_string(cases[i].cap0, caps[0], "  capture 0");
		if (m && cases[i].cap1)
			is_string(cases[i].cap1, caps[1], "  capture 1");
	}
	ok(!route_match(a, "/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5", caps, &n),
	    "more captures than REQ_MAXCAPS never match");

	r = mkreq(a, METHOD_GET, "/nope");
	route_dispatch(r);
	is_int(404, r->resp.status, "unknown path: 404");
	ok(strstr(r->resp.body.p, "<h1>404 Not Found</h1>") != NULL,
	    "404 page says so");
	ok(strncmp(r->resp.ctype, "text/html", 9) == 0, "404 page is HTML");

	r = mkreq(a, METHOD_GET, "/api/v1/nope");
	route_dispatch(r);
	is_int(404, r->resp.status, "unknown API path: 404");
	is_string("application/json", r->resp.ctype, "API error is JSON");
	ok(strstr(r->resp.body.p, "\"code\":\"not_found\"") != NULL,
	    "API error has a stable code");

	r = mkreq(a, METHOD_POST, "/healthz");
	route_dispatch(r);
	is_int(405, r->resp.status, "POST to a GET route: 405");
	is_string("GET, HEAD, OPTIONS", unit_header(r, "Allow"), "405 says Allow");

	r = mkreq(a, METHOD_OPTIONS, "/healthz");
	route_dispatch(r);
	is_int(204, r->resp.status, "OPTIONS: 204");
	is_string("GET, HEAD, OPTIONS", unit_header(r, "Allow"), "OPTIONS says Allow");

	r = mkreq(a, METHOD_HEAD, "/livez");
	route_dispatch(r);
	is_int(200, r->resp.status, "HEAD served by the GET route");

	r = mkreq(a, METHOD_GET, "/livez");
	route_dispatch(r);
	is_string("ok\n", r->resp.body.p, "/livez body");

	/* Signed-in API routes: no credential, no database asked. */
	r = mkreq(a, METHOD_GET, "/api/v1/me");
	route_dispatch(r);
	is_int(401, r->resp.status, "/api/v1/me without a credential: 401");
	is_string("Bearer realm=\"inkwell\"", unit_header(r, "WWW-Authenticate"),
	    "401 under /api/ challenges for a bearer token");
	ok(strstr(r->resp.body.p, "\"code\":\"unauthorized\"") != NULL,
	    "and says unauthorized");
	r = mkreq(a, METHOD_GET, "/api/v1/me");
	r->authorization = "Bearer not-a-token";
	route_dispatch(r);
	is_int(401, r->resp.status, "a malformed bearer token: 401");
	is_string("Bearer realm=\"inkwell\", error=\"invalid_token\"",
	    unit_header(r, "WWW-Authenticate"), "the challenge says the token is "
	    "invalid");
	r = mkreq(a, METHOD_GET, "/x");
	error_page(r, ST_UNAUTHORIZED);
	ok(unit_header(r, "WWW-Authenticate") == NULL, "no challenge outside /api/");

	/* Uploads: a larger body cap, asked before dispatch. */
	r = mkreq(a, METHOD_PUT, "/api/v1/media/a.png");
	ok(route_upload(r), "PUT /api/v1/media/NAME is an upload");
	r = mkreq(a, METHOD_DELETE, "/api/v1/media/a.png");
	ok(!route_upload(r), "DELETE of the same path is not");
	r = mkreq(a, METHOD_PUT, "/api/v1/media");
	ok(!route_upload(r), "PUT /api/v1/media (no name) is not");
	r = mkreq(a, METHOD_POST, "/api/v1/posts");
	ok(!route_upload(r), "a POST elsewhere is not");
	r = mkreq(a, METHOD_PUT, "/api/v1/media/a.png");
	route_dispatch(r);
	is_int(401, r->resp.status, "an upload without a credential: 401");
	r = mkreq(a, METHOD_GET, "/api/v1/media/a.png");
	route_dispatch(r);
	is_int(405, r->resp.status, "GET /api/v1/media/NAME: 405");
	is_string("PUT, PATCH, DELETE, OPTIONS", unit_header(r, "Allow"), "  Allow: "
	    "PUT, PATCH, DELETE");

	/* A handler's reason replaces the stock message. */
	r = mkreq(a, METHOD_PUT, "/api/v1/x");
	r->resp.detail = "the name <must> end in .png";
	error_page(r, ST_UNPROCESSABLE);
	ok(strstr(r->resp.body.p, "\"message\":\"the name <must> end in "
	    ".png\"") != NULL, "422 JSON says why: %s", r->resp.body.p);
	r = mkreq(a, METHOD_GET, "/x");
	r->resp.detail = "the name <must> end in .png";
	error_page(r, ST_UNPROCESSABLE);
	ok(strstr(r->resp.body.p, "the name &lt;must&gt; end in .png") !=
	    NULL, "and the HTML page too, escaped");

	r = mkreq(a, METHOD_GET, "/x");
	error_page(r, ST_UNAVAILABLE);
	is_int(503, r->resp.status, "unavailable: 503");
	is_string("5", unit_header(r, "Retry-After"), "503 carries Retry-After");

	int want[][2] = { { ST_NOTFOUND, 404 }, { ST_INVALID, 400 },
	    { ST_UNAUTHORIZED, 401 }, { ST_FORBIDDEN, 403 },
	    { ST_METHOD, 405 }, { ST_CONFLICT, 409 }, { ST_BODYTOOBIG, 413 },
	    { ST_URITOOLONG, 414 }, { ST_UNSUPPORTED, 415 },
	    { ST_UNPROCESSABLE, 422 }, { ST_TOOMANY, 429 },
	    { ST_HDRTOOBIG, 431 }, { ST_INTERNAL, 500 },
	    { ST_UNAVAILABLE, 503 } };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		is_int(want[i][1], error_http_status((enum status)want[i][0]),
		    "status %d maps to %d", want[i][0], want[i][1]);
	arena_free(a);
	return done_testing();
}
