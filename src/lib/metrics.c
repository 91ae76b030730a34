/* SPDX-License-Identifier: MIT */
/*
 * metrics.c: request, database and cache counters shared by all workers.
 *
 * The supervisor maps one small block of anonymous shared memory before
 * it forks; every worker adds into it with relaxed atomic increments, so
 * any worker can answer /metrics with the sum over all of them, and the
 * numbers survive a worker's crash or a rolling reload.  Nothing here
 * takes a lock or allocates on the request path.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/buf.h"
#include "buildinfo.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/util.h"

/* Upper bounds of the histogram buckets, in seconds. */
static const double bounds[] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 1.0, 5.0
};
#define NBOUNDS	NELEM(bounds)

struct hist {
	uint64_t	 bucket[NBOUNDS + 1];	/* last: above every bound */
	uint64_t	 sum_ns;
};

/*
 * The statuses inkwell and libfcgi answer with, each its own label
 * value; anything else is counted under "other".
 */
static const int codes[] = {
	200, 201, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405,
	409, 410, 412, 413, 414, 415, 422, 429, 431, 500, 502, 503, 504
};
#define NCODES	NELEM(codes)

struct shared {
	uint64_t	 counter[METRIC__MAX];
	int64_t		 gauge[METRIC_GAUGE__MAX];
	int64_t		 started;	/* the supervisor's start, Unix time */
	uint64_t	 requests[METRIC_ROUTES][NCODES + 1];
	struct hist	 duration[METRIC_ROUTES];
	uint64_t	 db_ns[METRIC_ROUTES];
	uint64_t	 db_statements[METRIC_ROUTES];
	struct hist	 by_cache[METRIC_CACHE__MAX];
	struct hist	 lookup;
	struct hist	 db;		/* per request that asked PostgreSQL */
	uint64_t	 page_hits[METRIC_PAGE__MAX];	/* served by nginx */
};

static struct shared	 private_block;
static struct shared	*m = &private_block;

/* The routes, as metrics_routes() handed them in. */
static size_t		 nroutes_;
static size_t		 none_route;
static metric_label_fn	 route_label_;

const char *const metric_cache_names[] = {
	"none",		/* METRIC_CACHE_NONE */
	"hit",		/* METRIC_CACHE_HIT */
	"miss",		/* METRIC_CACHE_MISS */
	"bypass",	/* METRIC_CACHE_BYPASS */
};
_Static_assert(NELEM(metric_cache_names) == METRIC_CACHE__MAX,
    "metric_cache_names[] must cover enum metric_cache");

const char *const metric_page_names[] = {
	"html",		/* METRIC_PAGE_HTML */
	"json",		/* METRIC_PAGE_JSON */
	"atom",		/* METRIC_PAGE_ATOM */
	"rss",		/* METRIC_PAGE_RSS */
	"jsonfeed",	/* METRIC_PAGE_JSONFEED */
	"xml",		/* METRIC_PAGE_XML */
};
_Static_assert(NELEM(metric_page_names) == METRIC_PAGE__MAX,
    "metric_page_names[] must cover enum metric_page");

/*
 * Rows that share a name are one family, told apart by their label
 * ('k="v"', or NULL for none); they must be next to each other, and
 * only the first carries the help.
 */
static const struct {
	const char	*name, *label, *help;
} counters[] = {
	{ "inkwell_cache_errors_total", NULL,
	    "Redis commands that failed or timed out." },	/* METRIC_CACHE_ERRORS */
	{ "inkwell_cache_breaker_trips_total", NULL,
	    "Times a worker stopped asking Redis after a failure." },	/* METRIC_CACHE_TRIPS */
	{ "inkwell_cache_stores_total", NULL,
	    "Pages written to the cache." },			/* METRIC_CACHE_STORES */
	{ "inkwell_cache_invalidations_total", NULL,
	    "Content versions pushed to Redis (writes and catch-ups)." },	/* METRIC_CACHE_INVALIDATIONS */
	{ "inkwell_cache_stale_total", NULL,
	    "Cached pages found but not served: content changed since." },	/* METRIC_CACHE_STALE */
	{ "inkwell_cache_renders_total", NULL,
	    "Pages rendered after a cache miss." },		/* METRIC_CACHE_RENDERS */
	{ "inkwell_cache_render_waits_total", "outcome=\"hit\"",
	    "Misses that waited for another worker's render of the page: "
	    "hit, it came; timeout, the bound passed and they rendered." },	/* METRIC_CACHE_WAIT_HIT */
	{ "inkwell_cache_render_waits_total", "outcome=\"timeout\"",
	    NULL },						/* METRIC_CACHE_WAIT_TIMEOUT */
	{ "inkwell_cache_renders_overlapping_total", NULL,
	    "Renders made while another render of the same page and version "
	    "may have been in flight (wait timeout, lock error, lock "
	    "outlived)." },					/* METRIC_CACHE_OVERLAPPING */
	{ "inkwell_worker_starts_total", NULL,
	    "Worker processes started." },			/* METRIC_WORKER_STARTS */
	{ "inkwell_worker_restarts_total", NULL,
	    "Workers that died unasked and were replaced." },	/* METRIC_WORKER_RESTARTS */
	{ "inkwell_reloads_total", NULL,
	    "Reloads begun (SIGHUP)." },			/* METRIC_RELOADS */
	{ "inkwell_page_files_total", NULL,
	    "Cached pages also written as files for nginx to serve." },	/* METRIC_PAGE_FILES */
	{ "inkwell_page_file_hit_rejects_total", NULL,
	    "Datagrams on the page-hit socket that were not one nginx "
	    "page-hit line, ignored." },			/* METRIC_PAGE_HIT_REJECTS */
	{ "inkwell_chaos_injections_total", "kind=\"latency\"",
	    "Faults injected on purpose ([chaos] in inkwell.conf): delays, "
	    "error answers, worker crashes." },		/* METRIC_CHAOS_LATENCY */
	{ "inkwell_chaos_injections_total", "kind=\"error\"",
	    NULL },						/* METRIC_CHAOS_ERROR */
	{ "inkwell_chaos_injections_total", "kind=\"crash\"",
	    NULL },						/* METRIC_CHAOS_CRASH */
	{ "inkwell_trace_spans_total", "outcome=\"exported\"",
	    "Trace spans by fate: exported, a collector took them; "
	    "dropped, lost to a full queue or a failed export." },	/* METRIC_TRACE_EXPORTED */
	{ "inkwell_trace_spans_total", "outcome=\"dropped\"",
	    NULL },						/* METRIC_TRACE_DROPPED */
};
_Static_assert(NELEM(counters) == METRIC__MAX,
    "counters[] must cover enum metric_counter");

static const struct {
	const char	*name, *help;
} gauges[] = {
	{ "inkwell_workers",
	    "Worker processes serving now." },			/* METRIC_WORKERS */
};
_Static_assert(NELEM(gauges) == METRIC_GAUGE__MAX,
    "gauges[] must cover enum metric_gauge");

static void
add(uint64_t *p, uint64_t n)
{
	__atomic_fetch_add(p, n, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

int
metrics_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		log_msg(LOG_ERROR, "metrics: mmap of the shared block failed; "
		    "/metrics will show one worker's numbers");
		m->started = (int64_t)time(NULL);
		return -1;
	}
	memset(p, 0, sizeof(struct shared));
	m = p;
	m->started = (int64_t)time(NULL);
	return 0;
}

void
metrics_count(enum metric_counter c)
{
	if (c < METRIC__MAX)
		add(&m->counter[c], 1);
}

void
metrics_add(enum metric_counter c, uint64_t n)
{
	if (c < METRIC__MAX)
		add(&m->counter[c], n);
}

void
metrics_gauge(enum metric_gauge g, int64_t v)
{
	if (g < METRIC_GAUGE__MAX)
		__atomic_store_n(&m->gauge[g], v, __ATOMIC_RELAXED);
}

static uint64_t
to_ns(double seconds)
{
	return seconds > 0 ? (uint64_t)(seconds * 1e9) : 0;
}

static void
observe(struct hist *h, double seconds)
{
	size_t	 i;

	for (i = 0; i < NBOUNDS && seconds > bounds[i]; i++)
		continue;
	add(&h->bucket[i], 1);
	add(&h->sum_ns, to_ns(seconds));
}

static size_t
code_slot(int http)
{
	for (size_t i = 0; i < NCODES; i++)
		if (codes[i] == http)
			return i;
	return NCODES;
}

void
metrics_routes(size_t n, size_t none, metric_label_fn label)
{
	nroutes_ = n <= METRIC_ROUTES ? n : METRIC_ROUTES;
	none_route = none < nroutes_ ? none : 0;
	route_label_ = label;
}

void
metrics_request(const struct metric_request *q)
{
	enum metric_cache c = q->cache < METRIC_CACHE__MAX ? q->cache :
	    METRIC_CACHE_NONE;
	size_t	 r = q->route >= 0 && (size_t)q->route < nroutes_ ?
	    (size_t)q->route : none_route;

	add(&m->requests[r][code_slot(q->http)], 1);
	observe(&m->duration[r], q->seconds);
	observe(&m->by_cache[c], q->seconds);
	if (q->lookup >= 0)
		observe(&m->lookup, q->lookup);
	if (q->db_statements > 0) {
		observe(&m->db, q->db_seconds);
		add(&m->db_ns[r], to_ns(q->db_seconds));
		add(&m->db_statements[r], q->db_statements);
	}
}

void
metrics_page_hits(enum metric_page k, uint64_t n)
{
	if (k < METRIC_PAGE__MAX)
		add(&m->page_hits[k], n);
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* label: "" or 'k="v",...' without braces. */
static void
render_hist(struct buf *b, const char *name, const char *label,
    const struct hist *h)
{
	uint64_t	 cum = 0;
	const char	*sep = *label ? "," : "";

	for (size_t i = 0; i <= NBOUNDS; i++) {
		cum += get(&h->bucket[i]);
		if (i < NBOUNDS)
			buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name,
			    label, sep, bounds[i], (unsigned long long)cum);
		else
			buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n",
			    name, label, sep, (unsigned long long)cum);
	}
	buf_printf(b, "%s_sum%s%s%s %.9f\n", name, *label ? "{" : "", label,
	    *label ? "}" : "", (double)get(&h->sum_ns) / 1e9);
	buf_printf(b, "%s_count%s%s%s %llu\n", name, *label ? "{" : "", label,
	    *label ? "}" : "", (unsigned long long)cum);
}

static uint64_t
hist_count(const struct hist *h)
{
	uint64_t	 n = 0;

	for (size_t i = 0; i <= NBOUNDS; i++)
		n += get(&h->bucket[i]);
	return n;
}

/* 'method="GET",route="/posts/{slug}"' for route id r.  Patterns are
 * ours and hold no quote or backslash. */
static void
route_labels(char *out, size_t len, size_t r)
{
	const char	*method, *pattern;

	route_label_(r, &method, &pattern);
	snprintf(out, len, "method=\"%s\",route=\"%s\"",
	    *method ? method : "ANY", pattern);
}

static void
render_routes(struct buf *b)
{
	size_t		 nroutes = nroutes_;
	char		 label[192];

	family(b, "inkwell_http_requests_total", "counter",
	    "Requests answered, by route and status code.");
	for (size_t r = 0; r < nroutes; r++)
		for (size_t k = 0; k <= NCODES; k++) {
			uint64_t v = get(&m->requests[r][k]);
			char	 code[8];

			if (v == 0)
				continue;
			route_labels(label, sizeof(label), r);
			if (k < NCODES)
				snprintf(code, sizeof(code), "%d", codes[k]);
			else
				snprintf(code, sizeof(code), "other");
			buf_printf(b, "inkwell_http_requests_total{%s,"
			    "code=\"%s\"} %llu\n", label, code,
			    (unsigned long long)v);
		}

	family(b, "inkwell_http_request_duration_seconds", "histogram",
	    "Time from request to response in the worker, by route.");
	for (size_t r = 0; r < nroutes; r++) {
		if (hist_count(&m->duration[r]) == 0)
			continue;
		route_labels(label, sizeof(label), r);
		render_hist(b, "inkwell_http_request_duration_seconds", label,
		    &m->duration[r]);
	}

	family(b, "inkwell_db_seconds_total", "counter",
	    "Time spent waiting on PostgreSQL, by route.");
	for (size_t r = 0; r < nroutes; r++) {
		if (get(&m->db_statements[r]) == 0)
			continue;
		route_labels(label, sizeof(label), r);
		buf_printf(b, "inkwell_db_seconds_total{%s} %.9f\n", label,
		    (double)get(&m->db_ns[r]) / 1e9);
	}
	family(b, "inkwell_db_statements_total", "counter",
	    "SQL statements run for requests, by route.");
	for (size_t r = 0; r < nroutes; r++) {
		if (get(&m->db_statements[r]) == 0)
			continue;
		route_labels(label, sizeof(label), r);
		buf_printf(b, "inkwell_db_statements_total{%s} %llu\n", label,
		    (unsigned long long)get(&m->db_statements[r]));
	}
	family(b, "inkwell_db_request_seconds", "histogram",
	    "Time one request spent waiting on PostgreSQL (requests that "
	    "asked it).");
	render_hist(b, "inkwell_db_request_seconds", "", &m->db);
}

static void
render_cache(struct buf *b)
{
	uint64_t	 n[METRIC_CACHE__MAX], hits, misses, files = 0;
	char		 label[64];

	for (int c = 0; c < METRIC_CACHE__MAX; c++)
		n[c] = hist_count(&m->by_cache[c]);

	family(b, "inkwell_page_file_hits_total", "counter",
	    "Requests nginx answered from a page file, by its kind; no "
	    "worker saw them.");
	for (int k = 0; k < METRIC_PAGE__MAX; k++) {
		uint64_t v = get(&m->page_hits[k]);

		files += v;
		buf_printf(b, "inkwell_page_file_hits_total{type=\"%s\"} "
		    "%llu\n", metric_page_names[k], (unsigned long long)v);
	}

	family(b, "inkwell_cache_requests_total", "counter",
	    "Cacheable requests, by what the page cache did.");
	for (int c = METRIC_CACHE_HIT; c < METRIC_CACHE__MAX; c++)
		buf_printf(b, "inkwell_cache_requests_total{result=\"%s\"} "
		    "%llu\n", metric_cache_names[c], (unsigned long long)n[c]);

	/* A page-file hit is the cache's first tier answering: it counts
	 * as a hit, as a Redis hit does. */
	hits = n[METRIC_CACHE_HIT] + files;
	misses = n[METRIC_CACHE_MISS];
	family(b, "inkwell_cache_hit_ratio", "gauge",
	    "Hits (page files nginx served and Redis hits) over hits and "
	    "misses since the supervisor started (0 before any).");
	buf_printf(b, "inkwell_cache_hit_ratio %.6f\n", hits + misses ?
	    (double)hits / (double)(hits + misses) : 0.0);

	family(b, "inkwell_cache_request_duration_seconds", "histogram",
	    "Time from request to response in the worker, by what the page "
	    "cache did (none: not a cacheable route).");
	for (int c = 0; c < METRIC_CACHE__MAX; c++) {
		snprintf(label, sizeof(label), "cache=\"%s\"",
		    metric_cache_names[c]);
		render_hist(b, "inkwell_cache_request_duration_seconds", label,
		    &m->by_cache[c]);
	}
	family(b, "inkwell_cache_lookup_seconds", "histogram",
	    "Time of the one Redis round trip that looks a page up.");
	render_hist(b, "inkwell_cache_lookup_seconds", "", &m->lookup);
}

void
metrics_render(struct buf *b)
{
	render_routes(b);
	render_cache(b);
	for (int c = 0; c < METRIC__MAX; c++) {
		if (c == 0 || strcmp(counters[c].name, counters[c - 1].name) !=
		    0)
			family(b, counters[c].name, "counter",
			    counters[c].help);
		buf_printf(b, "%s%s%s%s %llu\n", counters[c].name,
		    counters[c].label ? "{" : "", counters[c].label ?
		    counters[c].label : "", counters[c].label ? "}" : "",
		    (unsigned long long)get(&m->counter[c]));
	}
	for (int g = 0; g < METRIC_GAUGE__MAX; g++) {
		family(b, gauges[g].name, "gauge", gauges[g].help);
		buf_printf(b, "%s %lld\n", gauges[g].name, (long long)
		    __atomic_load_n(&m->gauge[g], __ATOMIC_RELAXED));
	}
	family(b, "inkwell_start_time_seconds", "gauge",
	    "When the supervisor started, in seconds since the Unix epoch.");
	buf_printf(b, "inkwell_start_time_seconds %lld\n",
	    (long long)m->started);
	family(b, "inkwell_build_info", "gauge",
	    "Always 1; the labels name the running build.");
	buf_printf(b, "inkwell_build_info{version=\"%s\",commit=\"%s\"} 1\n",
	    PACKAGE_VERSION, INKWELL_COMMIT);
}
