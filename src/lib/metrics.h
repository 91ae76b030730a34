/* SPDX-License-Identifier: MIT */
/*
 * metrics.h: counters and histograms shared by every worker, read out as
 * Prometheus text at /metrics.
 */
#ifndef INKWELL_METRICS_H
#define INKWELL_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* What the page cache did for one request; METRIC_CACHE_NONE: not a
 * cacheable route. */
enum metric_cache {
	METRIC_CACHE_NONE,
	METRIC_CACHE_HIT,
	METRIC_CACHE_MISS,
	METRIC_CACHE_BYPASS,	/* Redis off, down, slow, or breaker open */
	METRIC_CACHE__MAX
};

/* "none", "hit", "miss", "bypass". */
extern const char *const metric_cache_names[];

enum metric_counter {
	METRIC_CACHE_ERRORS,		/* Redis commands that failed */
	METRIC_CACHE_TRIPS,		/* times a breaker opened */
	METRIC_CACHE_STORES,		/* pages written to Redis */
	METRIC_CACHE_INVALIDATIONS,	/* content versions pushed to Redis */
	METRIC_CACHE_STALE,		/* entries found but of an old version */
	METRIC_CACHE_RENDERS,		/* pages rendered after a miss */
	METRIC_CACHE_WAIT_HIT,		/* waited for a render, got it */
	METRIC_CACHE_WAIT_TIMEOUT,	/* waited, bound passed, rendered */
	METRIC_CACHE_OVERLAPPING,	/* renders another may overlap */
	METRIC_WORKER_STARTS,		/* worker processes started */
	METRIC_WORKER_RESTARTS,		/* workers that died and were replaced */
	METRIC_RELOADS,			/* reloads begun (SIGHUP) */
	METRIC_PAGE_FILES,		/* page files written for nginx */
	METRIC_PAGE_HIT_REJECTS,	/* page-hit datagrams refused */
	METRIC_CHAOS_LATENCY,		/* [chaos] delays injected */
	METRIC_CHAOS_ERROR,		/* [chaos] error answers injected */
	METRIC_CHAOS_CRASH,		/* [chaos] worker crashes injected */
	METRIC_TRACE_EXPORTED,		/* spans a collector took */
	METRIC_TRACE_DROPPED,		/* spans lost: queue full, export failed */
	METRIC__MAX
};

/* The kinds of page file nginx serves (the extension of the file). */
enum metric_page {
	METRIC_PAGE_HTML,
	METRIC_PAGE_JSON,
	METRIC_PAGE_ATOM,
	METRIC_PAGE_RSS,
	METRIC_PAGE_JSONFEED,
	METRIC_PAGE_XML,
	METRIC_PAGE__MAX
};

/* "html", "json", "atom", "rss", "jsonfeed", "xml": the label values,
 * and the words nginx sends (cache/pagehits.h). */
extern const char *const metric_page_names[];

enum metric_gauge {
	METRIC_WORKERS,			/* workers serving now */
	METRIC_GAUGE__MAX
};

/* Slots for routes (route_count() in route.h must not exceed it). */
#define METRIC_ROUTES	128

/* One answered request, as the worker saw it. */
struct metric_request {
	int		 route;		/* route.h's route id */
	enum metric_cache cache;
	int		 http;		/* status sent */
	double		 seconds;	/* from request to response */
	double		 lookup;	/* in Redis; < 0 when not asked */
	double		 db_seconds;	/* waiting on PostgreSQL */
	unsigned	 db_statements;
};

/*
 * Maps the shared counters (anonymous shared memory) so workers forked
 * after it add into the same ones.  Called once, in the supervisor,
 * before the first fork.  Without it (inkwellctl, unit tests) counting
 * goes into process-private memory.  0, or -1 when mmap fails (logged;
 * the process then counts privately).
 */
int	metrics_init(void);

/*
 * Gives metrics the routes it counts requests by: ids 0 .. n - 1 (n at
 * most METRIC_ROUTES), label(id) their method ("" for any) and pattern,
 * and none the id a request is counted under when its id is out of
 * range.  The router owns the table; metrics only reads it, so it needs
 * no knowledge of routes.  Called in each worker before it serves;
 * until then every request counts under id 0 and /metrics lists none.
 */
typedef void (*metric_label_fn)(size_t id, const char **method,
	    const char **pattern);
void	metrics_routes(size_t n, size_t none, metric_label_fn label);

void	metrics_count(enum metric_counter);
/* Adds n to a counter; safe from any thread. */
void	metrics_add(enum metric_counter, uint64_t n);
void	metrics_gauge(enum metric_gauge, int64_t value);

void	metrics_request(const struct metric_request *);

/* n requests nginx answered from a page file of kind k (no worker saw
 * them); an out-of-range k is ignored. */
void	metrics_page_hits(enum metric_page k, uint64_t n);

/* Appends the Prometheus text exposition (format 0.0.4) to b. */
void	metrics_render(struct buf *b);

#endif
