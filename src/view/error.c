/* SPDX-License-Identifier: MIT */
/*
 * error.c: the one place a status becomes an HTTP code, and the error
 * answers: JSON under /api/, else the theme's error page (or a plain
 * one when there is no theme), so every handler fails the same way.
 */
#include "config.h"

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "lib/worker_state.h"
#include "http/out.h"
#include "http/req.h"
#include "tmpl/tmpl.h"
#include "view/error.h"
#include "view/page.h"
#include "view/view.h"

static const struct {
	int		 http;
	const char	*code;		/* stable machine-readable name */
	const char	*message;	/* what the reader is told */
} statuses[] = {
	{ 200, "ok", "OK" },						/* ST_OK */
	{ 404, "not_found", "There is nothing at this address." },	/* ST_NOTFOUND */
	{ 400, "bad_request", "The request was malformed." },		/* ST_INVALID */
	{ 401, "unauthorized", "You need to sign in first." },		/* ST_UNAUTHORIZED */
	{ 403, "forbidden", "You are not allowed to do that." },	/* ST_FORBIDDEN */
	{ 405, "method_not_allowed",
	    "This address does not accept that method." },		/* ST_METHOD */
	{ 409, "conflict", "That conflicts with the current state." },	/* ST_CONFLICT */
	{ 413, "body_too_large", "The request body is too large." },	/* ST_BODYTOOBIG */
	{ 414, "uri_too_long", "The address is too long." },		/* ST_URITOOLONG */
	{ 415, "unsupported_media_type",
	    "The request body has a type this address does not accept." },	/* ST_UNSUPPORTED */
	{ 422, "invalid", "Some fields are not valid." },		/* ST_UNPROCESSABLE */
	{ 429, "too_many_requests", "Too many requests; try again soon." },	/* ST_TOOMANY */
	{ 431, "headers_too_large", "The request headers are too large." },	/* ST_HDRTOOBIG */
	{ 500, "internal", "Something went wrong on our side." },	/* ST_INTERNAL */
	{ 503, "unavailable",
	    "The site is briefly unavailable; try again in a moment." },	/* ST_UNAVAILABLE */
};
_Static_assert(NELEM(statuses) == ST__MAX, "statuses[] must cover enum status");

int
error_http_status(enum status st)
{
	return st < ST__MAX ? statuses[st].http : 500;
}

/*
 * Renders the theme's error.html, saying msg, when there is a theme
 * (there is none in unit tests, or before a worker has one).  The site
 * settings are read unless the database is what failed.
 */
static bool
themed_error(struct req *r, enum status st, int http, const char *msg)
{
	struct json_object *view, *err;

	if (r->w == NULL || r->w->tmpl == NULL ||
	    !tmpl_has(r->w->tmpl, "error.html"))
		return false;
	view = view_new(r);
	if (st != ST_UNAVAILABLE && st != ST_INTERNAL)
		(void)view_site(r, view);
	err = json_object_new_object();
	json_object_object_add(view, "error", err);
	json_object_object_add(err, "status", json_object_new_int(http));
	json_object_object_add(err, "reason",
	    json_object_new_string(out_reason(http)));
	json_object_object_add(err, "message",
	    json_object_new_string(msg));
	/* No canonical address: an error page is no page to point at, and
	 * r->path may hold bytes a client sent raw. */
	page_meta(r, view, arena_printf(r->a, "%d %s", http, out_reason(http)),
	    NULL, NULL, "website");
	json_object_object_add(json_object_object_get(view, "page"),
	    "noindex", json_object_new_boolean(1));
	view_localize(r, view);
	if (tmpl_render(r->w->tmpl, "error.html", view, &r->resp.body) != 0) {
		buf_reset(&r->resp.body);
		return false;
	}
	out_ctype(r, "text/html; charset=utf-8");
	return true;
}

/* error_page(), answering http, which the caller chose for st. */
static void
answer(struct req *r, enum status st, int http)
{
	struct json_object *root, *err, *fields;
	const char	*msg;

	msg = r->resp.detail != NULL ? r->resp.detail : r->fails.n > 0 ?
	    arena_printf(r->a, "%s: %s", r->fails.name[0], r->fails.why[0]) :
	    statuses[st].message;
	/* Whatever the handler had written is not shown. */
	buf_reset(&r->resp.body);
	r->resp.status = http;
	r->resp.cache = "no-store";
	if (st == ST_UNAVAILABLE)
		out_header(r, "Retry-After", "5");
	/* RFC 9110 wants a challenge with every 401; API clients sign in
	 * with a bearer token (RFC 6750), and one that sent a token learns
	 * that this one will not do. */
	if (st == ST_UNAUTHORIZED && r->api)
		out_header(r, "WWW-Authenticate", r->authorization != NULL ?
		    "Bearer realm=\"inkwell\", error=\"invalid_token\"" :
		    "Bearer realm=\"inkwell\"");
	if (r->api) {
		root = json_object_new_object();
		err = json_object_new_object();
		json_object_object_add(err, "status", json_object_new_int(http));
		json_object_object_add(err, "code",
		    json_object_new_string(statuses[st].code));
		json_object_object_add(err, "message",
		    json_object_new_string(msg));
		if (r->fails.n > 0) {
			fields = json_object_new_object();
			for (size_t i = 0; i < r->fails.n; i++)
				json_object_object_add(fields, r->fails.name[i],
				    json_object_new_string(r->fails.why[i]));
			json_object_object_add(err, "fields", fields);
		}
		json_object_object_add(root, "error", err);
		out_json(r, root);
		json_object_put(root);
		return;
	}
	if (themed_error(r, st, http, msg))
		return;
	out_ctype(r, "text/html; charset=utf-8");
	out_puts(r, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	buf_printf(&r->resp.body, "%d %s", http, out_reason(http));
	out_puts(r, "</title>\n<link rel=\"stylesheet\" "
	    "href=\"/static/style.css\">\n</head>\n<body>\n<main>\n<h1>");
	buf_printf(&r->resp.body, "%d %s", http, out_reason(http));
	out_puts(r, "</h1>\n<p>");
	out_html(r, msg);
	out_puts(r, "</p>\n<p><a href=\"/\">Go to the home page</a></p>\n"
	    "</main>\n</body>\n</html>\n");
}

void
error_page(struct req *r, enum status st)
{
	if (st == ST_OK || st >= ST__MAX)
		st = ST_INTERNAL;
	answer(r, st, error_http_status(st));
}

void
error_page_http(struct req *r, int http)
{
	if (http < 500 || http > 599)
		http = 500;
	answer(r, http == 503 ? ST_UNAVAILABLE : ST_INTERNAL, http);
}
