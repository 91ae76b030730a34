/* SPDX-License-Identifier: MIT */
/*
 * chaos.c: fault injection for drills and alert tests ([chaos] in
 * inkwell.conf): a delay, an error answer or a worker crash for a ratio
 * of the requests to one route, or to every route.
 *
 * Off, it costs a request one test of chaos_live.  On, route_dispatch()
 * asks chaos_inject() once the route is matched and before anything
 * else runs (the session check, the body, the handler), so a fault
 * never half-does a write and the answer is counted under the route's
 * label like any other.  The draw comes from libsodium, not rand(): the
 * workers are forked from one supervisor, and a seed they shared would
 * have them inject in step.  With a header secret only requests that
 * carry it are eligible, so a drill on a live site touches its own
 * requests and no reader's; the secret is compared in constant time so
 * that timing does not give it away byte by byte.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <sodium.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/util.h"
#include "http/out.h"
#include "http/req.h"
#include "view/error.h"
#include "serve/chaos.h"

bool chaos_live;
static struct chaos live;

/* What "*" leaves alone unless named: the operators' endpoints. */
static const char *const spared[] = {
	"/metrics", "/livez", "/healthz", "/readyz",
};

void
chaos_from_conf(struct chaos *ch, const struct conf *c)
{
	memset(ch, 0, sizeof(*ch));
	ch->route = c->chaos_route;
	/* ratio * 2^32: 1 is above every 32-bit draw, 0 below none. */
	ch->below = (uint64_t)(c->chaos_ratio * 4294967296.0);
	ch->latency_ms = c->chaos_latency_ms;
	ch->error_status = (int)c->chaos_error_status;
	ch->crash = c->chaos_crash;
	if (c->chaos_header_secret[0] != '\0') {
		ch->secret = c->chaos_header_secret;
		ch->secretlen = strlen(ch->secret);
	}
	ch->on = c->chaos_enabled && c->chaos_route[0] != '\0' &&
	    ch->below > 0 && (ch->latency_ms > 0 || ch->error_status != 0 ||
	    ch->crash);
}

void
chaos_setup(const struct conf *c)
{
	chaos_from_conf(&live, c);
	chaos_live = live.on;
}

static bool
route_matches(const struct chaos *ch, const char *route)
{
	if (route == NULL)
		return false;
	if (strcmp(ch->route, "*") != 0)
		return strcmp(ch->route, route) == 0;
	for (size_t i = 0; i < NELEM(spared); i++)
		if (strcmp(route, spared[i]) == 0)
			return false;
	return true;
}

/* The secret check: the lengths may differ in time, the bytes not. */
static bool
secret_ok(const struct chaos *ch, const char *header)
{
	if (ch->secret == NULL)
		return true;
	if (header == NULL || strlen(header) != ch->secretlen)
		return false;
	return sodium_memcmp(header, ch->secret, ch->secretlen) == 0;
}

unsigned
chaos_decide(const struct chaos *ch, const char *route, const char *header,
    uint32_t draw)
{
	unsigned	 kinds = 0;

	if (!ch->on || !route_matches(ch, route) || !secret_ok(ch, header) ||
	    (uint64_t)draw >= ch->below)
		return 0;
	if (ch->latency_ms > 0)
		kinds |= CHAOS_LATENCY;
	if (ch->crash)
		kinds |= CHAOS_CRASH;
	else if (ch->error_status != 0)
		kinds |= CHAOS_ERROR;
	return kinds;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec	 ts = { .tv_sec = ms / 1000,
	    .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

bool
chaos_inject(struct req *r)
{
	unsigned	 kinds;

	kinds = chaos_decide(&live, r->route, r->chaos, randombytes_random());
	if (kinds == 0)
		return false;
	log_msg(LOG_WARN, "chaos: injecting%s%s%s into %s %s (route %s, "
	    "req_id %s)", kinds & CHAOS_LATENCY ? " latency" : "",
	    kinds & CHAOS_ERROR ? " error" : "",
	    kinds & CHAOS_CRASH ? " crash" : "", r->method_name, r->path,
	    r->route, r->id);
	if (kinds & CHAOS_LATENCY) {
		metrics_count(METRIC_CHAOS_LATENCY);
		sleep_ms(live.latency_ms);
	}
	if (kinds & CHAOS_CRASH) {
		metrics_count(METRIC_CHAOS_CRASH);
		log_msg(LOG_ERROR, "chaos: worker aborting on purpose (req_id "
		    "%s)", r->id);
		/* An injected crash leaves no core file behind: it would
		 * only fill the disk with copies of a known state. */
		(void)prctl(PR_SET_DUMPABLE, 0);
		abort();
	}
	out_header(r, CHAOS_HEADER, "injected");
	if ((kinds & CHAOS_ERROR) == 0)
		return false;
	metrics_count(METRIC_CHAOS_ERROR);
	error_page_http(r, live.error_status);
	/* error_page_http() kept the header: it resets the body only. */
	return true;
}

void
chaos_announce(const struct conf *c)
{
	char		 what[160];
	struct chaos	 ch;

	if (!c->chaos_enabled)
		return;
	chaos_from_conf(&ch, c);
	snprintf(what, sizeof(what), "%s%s%s", ch.latency_ms > 0 ?
	    "latency " : "", ch.crash ? "crash " : ch.error_status != 0 ?
	    "error " : "", ch.on ? "" : "nothing ");
	log_msg(LOG_WARN, "FAULT INJECTION IS ON ([chaos] in the "
	    "configuration): injecting %sinto %g of the requests to route "
	    "%s%s: latency_ms %lld, error_status %lld, crash %s; never run "
	    "a public site so without header_secret", what, c->chaos_ratio,
	    c->chaos_route, ch.secret != NULL ? " that carry the "
	    CHAOS_HEADER " secret" : " (every client's)",
	    (long long)c->chaos_latency_ms, (long long)c->chaos_error_status,
	    c->chaos_crash ? "true" : "false");
}

int
chaos_check_route(const struct conf *c, bool (*known)(const char *pattern),
    char *err, size_t errlen)
{
	if (!c->chaos_enabled || strcmp(c->chaos_route, "*") == 0 ||
	    known(c->chaos_route))
		return 0;
	snprintf(err, errlen, "%s: [chaos] route = \"%s\": no such route; "
	    "name a pattern as /metrics labels it (\"/posts/{slug}\"), or "
	    "\"*\"", conf_origin(c, "chaos", "route"), c->chaos_route);
	return -1;
}
