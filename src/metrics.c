/* SPDX-License-Identifier: MIT */
/*
 * metrics.c: request and cache counters shared by all workers.
 *
 * The supervisor maps one small block of anonymous shared memory before
 * it forks; every worker adds into it with relaxed atomic increments, so
 * any worker can answer /metrics with the sum over all of them, and the
 * numbers survive a worker's crash or a rolling reload.  Nothing here
 * takes a lock or allocates on the request path.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "util.h"

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

/* Label of status[][s]: its class, or "other" outside 100-599. */
static const char *const status_classes[] = {
	"other", "1xx", "2xx", "3xx", "4xx", "5xx"
};
#define NCLASSES	NELEM(status_classes)

struct shared {
	uint64_t	 counter[METRIC__MAX];
	uint64_t	 status[METRIC_CACHE__MAX][NCLASSES];
	struct hist	 duration[METRIC_CACHE__MAX];
	struct hist	 lookup;
};

static struct shared	 private_block;
static struct shared	*m = &private_block;

const char *const metric_cache_names[] = {
	"none",		/* METRIC_CACHE_NONE */
	"hit",		/* METRIC_CACHE_HIT */
	"miss",		/* METRIC_CACHE_MISS */
	"bypass",	/* METRIC_CACHE_BYPASS */
};
_Static_assert(NELEM(metric_cache_names) == METRIC_CACHE__MAX,
    "metric_cache_names[] must cover enum metric_cache");


static const struct {
	const char	*name, *help;
} counters[] = {
	{ "inkwell_cache_errors_total",
	    "Redis commands that failed or timed out." },	/* METRIC_CACHE_ERRORS */
	{ "inkwell_cache_breaker_trips_total",
	    "Times a worker stopped asking Redis after a failure." },	/* METRIC_CACHE_TRIPS */
	{ "inkwell_cache_stores_total",
	    "Pages written to the cache." },			/* METRIC_CACHE_STORES */
	{ "inkwell_cache_invalidations_total",
	    "Content versions pushed to Redis (writes and catch-ups)." },	/* METRIC_CACHE_INVALIDATIONS */
	{ "inkwell_cache_stale_total",
	    "Cached pages found but not served: content changed since." },	/* METRIC_CACHE_STALE */
	{ "inkwell_worker_starts_total",
	    "Worker processes started." },			/* METRIC_WORKER_STARTS */
	{ "inkwell_page_files_total",
	    "Cached pages also written as files for nginx to serve." },	/* METRIC_PAGE_FILES */
};
_Static_assert(NELEM(counters) == METRIC__MAX,
    "counters[] must cover enum metric_counter");

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
		return -1;
	}
	memset(p, 0, sizeof(struct shared));
	m = p;
	return 0;
}

void
metrics_count(enum metric_counter c)
{
	if (c < METRIC__MAX)
		add(&m->counter[c], 1);
}

static void
observe(struct hist *h, double seconds)
{
	size_t	 i;

	if (seconds < 0)
		seconds = 0;
	for (i = 0; i < NBOUNDS && seconds > bounds[i]; i++)
		continue;
	add(&h->bucket[i], 1);
	add(&h->sum_ns, (uint64_t)(seconds * 1e9));
}

void
metrics_request(enum metric_cache c, int http, double seconds,
    double lookup)
{
	if (c >= METRIC_CACHE__MAX)
		c = METRIC_CACHE_NONE;
	add(&m->status[c][http >= 100 && http < 600 ? http / 100 : 0], 1);
	observe(&m->duration[c], seconds);
	if (lookup >= 0)
		observe(&m->lookup, lookup);
}

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

void
metrics_render(struct buf *b)
{
	uint64_t	 n[METRIC_CACHE__MAX] = { 0 }, hits, misses;
	char		 label[64];

	for (int c = 0; c < METRIC_CACHE__MAX; c++)
		for (int s = 0; s < (int)NCLASSES; s++)
			n[c] += get(&m->status[c][s]);

	buf_puts(b, "# HELP inkwell_http_requests_total Requests answered, "
	    "by status class and what the page cache did.\n"
	    "# TYPE inkwell_http_requests_total counter\n");
	for (int c = 0; c < METRIC_CACHE__MAX; c++)
		for (int s = 0; s < (int)NCLASSES; s++) {
			uint64_t v = get(&m->status[c][s]);

			if (v == 0 && s != 2)
				continue;
			buf_printf(b, "inkwell_http_requests_total{cache=\"%s\","
			    "code=\"%s\"} %llu\n", metric_cache_names[c],
			    status_classes[s], (unsigned long long)v);
		}

	buf_puts(b, "# HELP inkwell_cache_requests_total Cacheable requests, "
	    "by what the page cache did.\n"
	    "# TYPE inkwell_cache_requests_total counter\n");
	for (int c = METRIC_CACHE_HIT; c < METRIC_CACHE__MAX; c++)
		buf_printf(b, "inkwell_cache_requests_total{result=\"%s\"} "
		    "%llu\n", metric_cache_names[c], (unsigned long long)n[c]);

	hits = n[METRIC_CACHE_HIT];
	misses = n[METRIC_CACHE_MISS];
	buf_puts(b, "# HELP inkwell_cache_hit_ratio Hits over hits and "
	    "misses since the supervisor started (0 before any).\n"
	    "# TYPE inkwell_cache_hit_ratio gauge\n");
	buf_printf(b, "inkwell_cache_hit_ratio %.6f\n", hits + misses ?
	    (double)hits / (double)(hits + misses) : 0.0);

	for (int c = 0; c < METRIC__MAX; c++) {
		buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		    counters[c].name, counters[c].help, counters[c].name,
		    counters[c].name, (unsigned long long)get(&m->counter[c]));
	}

	buf_puts(b, "# HELP inkwell_request_duration_seconds Time from "
	    "request to response in the worker, by cache outcome.\n"
	    "# TYPE inkwell_request_duration_seconds histogram\n");
	for (int c = 0; c < METRIC_CACHE__MAX; c++) {
		snprintf(label, sizeof(label), "cache=\"%s\"",
		    metric_cache_names[c]);
		render_hist(b, "inkwell_request_duration_seconds", label,
		    &m->duration[c]);
	}
	buf_puts(b, "# HELP inkwell_cache_lookup_seconds Time of the one "
	    "Redis round trip that looks a page up.\n"
	    "# TYPE inkwell_cache_lookup_seconds histogram\n");
	render_hist(b, "inkwell_cache_lookup_seconds", "", &m->lookup);
}
