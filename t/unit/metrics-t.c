/* SPDX-License-Identifier: MIT */
/*
 * metrics-t.c: the counters' exposition: a family with a label is
 * declared once and has one sample per label value, each moved only by
 * its own counter.  promtool checks the whole text end to end (t/6020).
 */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/metrics.h"
#include "tap.h"
#include "unit.h"

/* Occurrences of needle in s. */
static int
count(const char *s, const char *needle)
{
	int	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

int
main(void)
{
	struct arena	*a = arena_new(65536);
	const char	*t;

	plan_lazy();
	metrics_count(METRIC_CACHE_RENDERS);
	metrics_count(METRIC_CACHE_RENDERS);
	metrics_count(METRIC_CACHE_RENDERS);
	metrics_count(METRIC_CACHE_WAIT_HIT);
	metrics_count(METRIC_CACHE_WAIT_HIT);
	metrics_count(METRIC_CACHE_WAIT_TIMEOUT);
	t = unit_metrics(a);
	is_int(1, count(t, "# TYPE inkwell_cache_render_waits_total counter\n"),
	    "the waits family is declared once");
	is_int(1, count(t, "# HELP inkwell_cache_render_waits_total "),
	    "with one help line");
	ok(count(t, "\ninkwell_cache_render_waits_total{outcome=\"hit\"} 2\n")
	    == 1, "waits{hit} 2");
	ok(count(t, "\ninkwell_cache_render_waits_total{outcome=\"timeout\"} "
	    "1\n") == 1, "waits{timeout} 1");
	ok(count(t, "\ninkwell_cache_renders_total 3\n") == 1, "renders 3");
	ok(count(t, "\ninkwell_cache_renders_overlapping_total 0\n") == 1,
	    "overlapping 0: nothing counted it");
	is_int(1, count(t, "# TYPE inkwell_cache_renders_overlapping_total "
	    "counter\n"), "overlapping is a counter family of its own");
	ok(count(t, "\ninkwell_cache_stale_total 0\n") == 1,
	    "an unlabelled counter as before");
	arena_free(a);
	return done_testing();
}
