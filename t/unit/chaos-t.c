/* SPDX-License-Identifier: MIT */
/* chaos-t.c: [chaos] settings, the injection decision, an injected error. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/metrics.h"
#include "http/req.h"
#include "serve/chaos.h"
#include "serve/route.h"
#include "tap.h"
#include "unit.h"

static char	 err[8192];

/* Parses text as a whole inkwell.conf: 0 or -1, the reasons in err. */
static int
parse(struct conf *c, const char *text)
{
	conf_free(c);
	return conf_parse_string(c, "mem", text, strlen(text), err,
	    sizeof(err));
}

static bool
said(const char *needle)
{
	bool	 r = strstr(err, needle) != NULL;

	if (!r)
		diag("error text was: %s", err);
	return r;
}

/* The [chaos] section body, as a whole file. */
static int
chaos(struct conf *c, const char *body)
{
	char	 text[1024];

	snprintf(text, sizeof(text), "[chaos]\n%s", body);
	return parse(c, text);
}

/* inkwelld's check of the route against the table. */
static int
check_route(const struct conf *c)
{
	return chaos_check_route(c, route_known, err, sizeof(err));
}

static uint64_t
counted(struct arena *a, const char *kind)
{
	struct buf	 b;
	char		 needle[96];
	const char	*p;

	buf_init(&b, a, 8192);
	metrics_render(&b);
	buf_putc(&b, '\0');
	snprintf(needle, sizeof(needle),
	    "inkwell_chaos_injections_total{kind=\"%s\"} ", kind);
	if ((p = strstr(b.p, needle)) == NULL)
		return (uint64_t)-1;
	return strtoull(p + strlen(needle), NULL, 10);
}

int
main(void)
{
	static const char *const good[] = {
		"enabled = true\nroute = /\nratio = 1\nerror_status = 503\n",
		"enabled = yes\nroute = *\nratio = 0.25\nlatency_ms = 60000\n",
		"enabled = on\nroute = /posts/{slug}\nratio = 0.5\ncrash = 1\n",
		"enabled = false\nroute =\nratio = 0\n",
		"error_status = 500\n", "error_status = 502\n",
		"error_status = 504\n", "ratio = 0.000001\n",
	};
	static const struct { const char *body, *why; } bad[] = {
		{ "ratio = 1.5\n", "out of range" },
		{ "ratio = -0.1\n", "expected a number from 0 to 1" },
		{ "ratio = nan\n", "expected a number from 0 to 1" },
		{ "ratio = inf\n", "expected a number from 0 to 1" },
		{ "ratio = 0x1p-1\n", "expected a number from 0 to 1" },
		{ "ratio = 1e-3\n", "expected a number from 0 to 1" },
		{ "ratio = 0.5.5\n", "expected a number from 0 to 1" },
		{ "ratio = .5\n", "expected a number from 0 to 1" },
		{ "ratio =\n", "expected a number from 0 to 1" },
		{ "error_status = 404\n", "expected 0 (none), 500, 502, 503" },
		{ "error_status = 599\n", "expected 0 (none), 500, 502, 503" },
		{ "error_status = 600\n", "out of range" },
		{ "error_status = -1\n", "out of range" },
		{ "latency_ms = 60001\n", "out of range" },
		{ "latency_ms = -5\n", "out of range" },
		{ "enabled = maybe\n", "expected true or false" },
		{ "crash = 2\n", "expected true or false" },
		{ "enabled = true\nratio = 1\nerror_status = 500\n",
		    "enabled with no route" },
		{ "header_sekret = x\n", "unknown key \"header_sekret\"" },
	};
	struct conf	 c;
	struct chaos	 ch;
	struct arena	*a;
	struct req	*r;
	FILE		*f;
	char		 dump[8192];
	size_t		 n;

	plan_lazy();
	if (sodium_init() < 0)
		bail("libsodium");
	memset(&c, 0, sizeof(c));

	/* --- settings ---------------------------------------------------- */
	conf_defaults(&c);
	ok(!c.chaos_enabled && c.chaos_route[0] == '\0' && c.chaos_ratio == 0 &&
	    c.chaos_latency_ms == 0 && c.chaos_error_status == 0 &&
	    !c.chaos_crash && c.chaos_header_secret[0] == '\0',
	    "defaults: off, nothing to inject");
	chaos_from_conf(&ch, &c);
	ok(!ch.on, "  and chaos_from_conf says off");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!is_int(0, chaos(&c, good[i]), "accepted: %s", good[i]))
			diag("%s", err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(-1, chaos(&c, bad[i].body), "refused: %s", bad[i].body);
		ok(said(bad[i].why), "  says %s", bad[i].why);
		ok(said("mem:"), "  and where");
	}
	is_int(0, chaos(&c, "enabled = true\nroute = /\nratio = 0.5\n"
	    "latency_ms = 250\nerror_status = 503\ncrash = false\n"
	    "header_secret = s3cret-value\n"), "a full section");
	ok(c.chaos_enabled && strcmp(c.chaos_route, "/") == 0 &&
	    c.chaos_ratio == 0.5 && c.chaos_latency_ms == 250 &&
	    c.chaos_error_status == 503 && !c.chaos_crash &&
	    strcmp(c.chaos_header_secret, "s3cret-value") == 0,
	    "  read as written");
	f = fmemopen(dump, sizeof(dump), "w");
	conf_dump(&c, f);
	n = (size_t)ftell(f);
	fclose(f);
	dump[n < sizeof(dump) ? n : sizeof(dump) - 1] = '\0';
	ok(strstr(dump, "header_secret = (set, hidden)") != NULL,
	    "check-config hides the secret");
	ok(strstr(dump, "s3cret") == NULL, "  nowhere in the dump");
	ok(strstr(dump, "enabled = true\n") != NULL &&
	    strstr(dump, "ratio = 0.5\n") != NULL, "  and shows the rest");
	ok(check_route(&c) == 0, "route / exists");
	is_int(0, chaos(&c, "enabled = true\nroute = /posts/{slug}\n"),
	    "a route with a capture");
	ok(check_route(&c) == 0, "  exists");
	is_int(0, chaos(&c, "enabled = true\nroute = *\n"), "route *");
	ok(check_route(&c) == 0, "  is always fine");
	is_int(0, chaos(&c, "enabled = true\nroute = /posts/{id}\n"),
	    "a route that is not in the table parses");
	is_int(-1, check_route(&c),
	    "  but inkwelld refuses it");
	ok(said("no such route") && said("mem:3"), "  saying so, and where");
	is_int(0, chaos(&c, "enabled = true\nroute = (none)\n"),
	    "a pseudo-route parses");
	is_int(-1, check_route(&c),
	    "  but is not a route");
	is_int(0, chaos(&c, "enabled = false\nroute = /nowhere\n"),
	    "off, an unknown route");
	is_int(0, check_route(&c), "  is not checked");

	/* --- the decision ------------------------------------------------ */
	chaos(&c, "enabled = true\nroute = /\nratio = 1\nerror_status = 503\n");
	chaos_from_conf(&ch, &c);
	ok(ch.on, "on: enabled, a route, a ratio, an error");
	is_int(CHAOS_ERROR, chaos_decide(&ch, "/", NULL, 0), "ratio 1: draw 0");
	is_int(CHAOS_ERROR, chaos_decide(&ch, "/", NULL, UINT32_MAX),
	    "ratio 1: the highest draw");
	is_int(0, chaos_decide(&ch, "/posts/{slug}", NULL, 0),
	    "another route: never");
	is_int(0, chaos_decide(&ch, NULL, NULL, 0), "no route: never");
	is_int(0, chaos_decide(&ch, "/x", NULL, 0), "a prefix is no match");
	chaos(&c, "enabled = true\nroute = /\nratio = 0\nerror_status = 503\n");
	chaos_from_conf(&ch, &c);
	ok(!ch.on, "ratio 0: off");
	ok(chaos_decide(&ch, "/", NULL, 0) == 0 &&
	    chaos_decide(&ch, "/", NULL, UINT32_MAX) == 0, "  never, any draw");
	chaos(&c, "enabled = true\nroute = /\nratio = 0.5\nerror_status = 500\n");
	chaos_from_conf(&ch, &c);
	is_int(CHAOS_ERROR, chaos_decide(&ch, "/", NULL, 0x7fffffffu),
	    "ratio 0.5: a draw below half injects");
	is_int(0, chaos_decide(&ch, "/", NULL, 0x80000000u),
	    "  one at half does not");
	{
		unsigned hits = 0;

		for (int i = 0; i < 10000; i++)
			hits += chaos_decide(&ch, "/", NULL,
			    randombytes_random()) != 0;
		ok(hits > 4000 && hits < 6000,
		    "  about half of 10000 random draws (%u)", hits);
	}
	chaos(&c, "enabled = false\nroute = /\nratio = 1\nerror_status = 500\n");
	chaos_from_conf(&ch, &c);
	is_int(0, chaos_decide(&ch, "/", NULL, 0), "enabled = false: never");
	chaos(&c, "enabled = true\nroute = /\nratio = 1\n");
	chaos_from_conf(&ch, &c);
	is_int(0, chaos_decide(&ch, "/", NULL, 0), "nothing to inject: never");
	chaos(&c, "enabled = true\nroute = *\nratio = 1\nlatency_ms = 5\n"
	    "error_status = 500\ncrash = true\n");
	chaos_from_conf(&ch, &c);
	is_int(CHAOS_LATENCY | CHAOS_CRASH, chaos_decide(&ch, "/archive", NULL,
	    0), "*: any route; a crash wins over an error, after the delay");
	for (const char *const *p = (const char *const[]){ "/metrics",
	    "/livez", "/healthz", "/readyz", NULL }; *p; p++)
		is_int(0, chaos_decide(&ch, *p, NULL, 0), "*: spares %s", *p);
	chaos(&c, "enabled = true\nroute = /metrics\nratio = 1\n"
	    "latency_ms = 5\n");
	chaos_from_conf(&ch, &c);
	is_int(CHAOS_LATENCY, chaos_decide(&ch, "/metrics", NULL, 0),
	    "/metrics when named");
	chaos(&c, "enabled = true\nroute = /\nratio = 1\nerror_status = 502\n"
	    "header_secret = open-sesame\n");
	chaos_from_conf(&ch, &c);
	is_int(0, chaos_decide(&ch, "/", NULL, 0), "secret set: no header, never");
	is_int(0, chaos_decide(&ch, "/", "", 0), "  an empty one, never");
	is_int(0, chaos_decide(&ch, "/", "open-sesamE", 0), "  a wrong one, never");
	is_int(0, chaos_decide(&ch, "/", "open-sesame ", 0), "  a longer one, never");
	is_int(0, chaos_decide(&ch, "/", "open-sesam", 0), "  a prefix, never");
	is_int(CHAOS_ERROR, chaos_decide(&ch, "/", "open-sesame", 0),
	    "  the secret: injected");
	is_int(0, chaos_decide(&ch, "/archive", "open-sesame", 0),
	    "  the secret on another route: never");

	/* --- an injected error, through the dispatcher ------------------- */
	a = arena_new(4096);
	chaos(&c, "enabled = true\nroute = /api/v1/posts/{slug}\nratio = 1\n"
	    "error_status = 503\nlatency_ms = 1\n");
	chaos_setup(&c);
	ok(chaos_live, "chaos_setup: live");
	r = arena_zalloc(a, sizeof(*r));
	r->a = a;
	r->method = METHOD_GET;
	r->method_name = "GET";
	r->path = "/api/v1/posts/hello";
	r->api = true;
	r->resp.status = 200;
	strcpy(r->id, "0123456789abcdef0123456789abcdef");
	buf_init(&r->resp.body, a, 64);
	route_dispatch(r);
	is_int(503, r->resp.status, "an injected 503");
	is_string("/api/v1/posts/{slug}", r->route, "  counted under its route");
	is_string("injected", unit_header(r, CHAOS_HEADER), "  marked " CHAOS_HEADER);
	buf_putc(&r->resp.body, '\0');
	ok(strstr(r->resp.body.p, "\"status\":503") != NULL ||
	    strstr(r->resp.body.p, "\"status\": 503") != NULL,
	    "  the API's JSON error");
	is_int(1, (int64_t)counted(a, "error"), "  counted as an error");
	is_int(1, (int64_t)counted(a, "latency"), "  and a delay");
	is_int(0, (int64_t)counted(a, "crash"), "  no crash");
	c.chaos_enabled = false;
	chaos_setup(&c);
	ok(!chaos_live, "off again: not live");

	arena_free(a);
	conf_free(&c);
	return done_testing();
}
