/* SPDX-License-Identifier: MIT */
/*
 * trace.c: the spans of the request a worker serves, and their export.
 *
 * A worker serves one request at a time, so the request's trace lives in
 * one static block: the trace id, a stack of open spans, and the spans
 * made so far.  Lower layers (db, cache, tmpl) open child spans of
 * whatever span is current without knowing about requests; outside a
 * request, or for a request that is not sampled, a span is -1 and every
 * call on it returns at once.  Ids are made even when nothing is
 * recorded, so log lines always carry them.
 *
 * Export never holds a request.  A finished request copies its spans
 * into a bounded queue under a mutex that the exporter thread only ever
 * holds to move spans out (never across a network call); a full queue
 * drops the spans and counts them.  The thread wakes when a batch is
 * ready or a second has passed, turns the batch into OTLP/HTTP JSON and
 * POSTs it with libcurl under a short timeout; a collector that is
 * slow, refuses or answers an error loses that batch (counted as
 * dropped) and later spans pile up only to the queue's bound.
 *
 * JSON, not protobuf: json-c is linked already, the OTLP JSON mapping
 * is a stable part of the protocol every collector takes on
 * /v1/traces, and it adds no generated code to the build.  The bytes
 * are larger, which matters little at one batch a second.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/trace.h"
#include "lib/util.h"

#define MAX_SPANS	64	/* recorded per request; more are dropped */
#define MAX_DEPTH	16	/* open at once */
#define MAX_ATTRS	6
#define TEXT_MAX	64	/* bytes of a name or value, NUL included */

struct attr {
	const char	*key;		/* a literal */
	bool		 is_int;
	int64_t		 i;
	char		 s[TEXT_MAX];
};

struct span {
	uint8_t		 trace_id[16];
	uint8_t		 id[8];
	uint8_t		 parent[8];
	bool		 has_parent;
	bool		 error;
	uint8_t		 kind;
	uint8_t		 nattr;
	uint64_t	 start, end;	/* Unix time, ns */
	char		 name[TEXT_MAX];
	struct attr	 attr[MAX_ATTRS];
};

/* The request being served.  Thread-local: the exporter thread logs
 * too, and its lines must not read (or race on) the request's ids. */
static _Thread_local struct {
	bool		 active;
	bool		 recording;
	uint8_t		 trace_id[16];
	char		 trace_hex[33];
	char		 span_hex[MAX_DEPTH][17];	/* of the open spans */
	uint8_t		 span_ids[MAX_DEPTH][8];
	int		 open[MAX_DEPTH];	/* span index, or -1 */
	int		 depth;			/* open[depth - 1]: current */
	struct span	 spans[MAX_SPANS];
	int		 nspans;
	int		 dropped;		/* past MAX_SPANS */
} rq;

/* The exporter; on only when started with an endpoint. */
static struct {
	bool		 on;
	double		 ratio;
	char		*endpoint;
	char		*service;
	size_t		 cap, batch;
	long		 timeout_ms;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct span	*q;		/* ring of cap */
	size_t		 head, n;
	bool		 stop;
} ex = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static const char hexd[] = "0123456789abcdef";

static void
tohex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[p[i] >> 4];
		out[2 * i + 1] = hexd[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
trace_parse_id(const char *s, size_t n, uint8_t *out, size_t len)
{
	uint8_t	 any = 0;

	if (s == NULL || n != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
		any |= out[i];
	}
	return any ? 0 : -1;
}

int
trace_parse(const char *s, size_t n, struct trace_parent *out)
{
	uint8_t	 flags;

	/* 00-<32>-<16>-<2>; the length first, so nothing long is read. */
	if (s == NULL || n != TRACE_PARENT_LEN || s[0] != '0' || s[1] != '0' ||
	    s[2] != '-' || s[35] != '-' || s[52] != '-')
		return -1;
	if (trace_parse_id(s + 3, 32, out->trace_id, 16) != 0 ||
	    trace_parse_id(s + 36, 16, out->span_id, 8) != 0)
		return -1;
	if (hexval(s[53]) < 0 || hexval(s[54]) < 0)
		return -1;
	flags = (uint8_t)(hexval(s[53]) << 4 | hexval(s[54]));
	out->flags = flags;
	return 0;
}

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
copy_text(char *dst, const char *src)
{
	size_t	 len = src != NULL ? strlen(src) : 0, n = len;

	if (n >= TEXT_MAX)
		n = TEXT_MAX - 1;
	/* Never cut inside a UTF-8 sequence: the JSON must stay valid. */
	while (n > 0 && n < len && ((unsigned char)src[n] & 0xc0) == 0x80)
		n--;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Pushes a new open span (index sp, or -1 unrecorded) with a fresh id. */
static void
push(int sp, const uint8_t id[8])
{
	int	 d = rq.depth;

	memcpy(rq.span_ids[d], id, 8);
	tohex(rq.span_hex[d], id, 8);
	rq.open[d] = sp;
	rq.depth++;
}

static bool
sample_new(void)
{
	if (!ex.on || ex.ratio <= 0)
		return false;
	if (ex.ratio >= 1)
		return true;
	return randombytes_uniform(1000000) < (uint32_t)(ex.ratio * 1e6);
}

void
trace_request_begin(const char *traceparent, const char *trace_id)
{
	struct trace_parent p;
	bool		 have_parent;
	uint8_t		 id[8];
	struct span	*s;

	rq.active = true;
	rq.depth = 0;
	rq.nspans = 0;
	rq.dropped = 0;
	have_parent = traceparent != NULL && trace_parse(traceparent,
	    strlen(traceparent), &p) == 0;
	if (have_parent) {
		memcpy(rq.trace_id, p.trace_id, 16);
		rq.recording = ex.on && (p.flags & 1);
	} else {
		if (trace_id == NULL || trace_parse_id(trace_id,
		    strlen(trace_id), rq.trace_id, 16) != 0)
			randombytes_buf(rq.trace_id, 16);
		rq.recording = sample_new();
	}
	tohex(rq.trace_hex, rq.trace_id, 16);
	randombytes_buf(id, sizeof(id));
	if (!rq.recording) {
		push(-1, id);
		return;
	}
	s = &rq.spans[rq.nspans];
	memset(s, 0, sizeof(*s));
	memcpy(s->trace_id, rq.trace_id, 16);
	memcpy(s->id, id, 8);
	if (have_parent) {
		memcpy(s->parent, p.span_id, 8);
		s->has_parent = true;
	}
	s->kind = TRACE_SERVER;
	s->start = now_ns();
	copy_text(s->name, "request");
	push(rq.nspans++, id);
}

bool
trace_sampled(void)
{
	return rq.active && rq.recording;
}

static int
span_new(const char *name, enum trace_kind kind, bool current)
{
	struct span	*s;
	uint8_t		 id[8];

	if (!rq.active || !rq.recording)
		return -1;
	if (rq.nspans == MAX_SPANS || rq.depth == MAX_DEPTH) {
		rq.dropped++;
		return -1;
	}
	randombytes_buf(id, sizeof(id));
	s = &rq.spans[rq.nspans];
	memset(s, 0, sizeof(*s));
	memcpy(s->trace_id, rq.trace_id, 16);
	memcpy(s->id, id, 8);
	memcpy(s->parent, rq.span_ids[rq.depth - 1], 8);
	s->has_parent = true;
	s->kind = (uint8_t)kind;
	s->start = now_ns();
	copy_text(s->name, name);
	if (current)
		push(rq.nspans, id);
	return rq.nspans++;
}

int
trace_span_begin(const char *name, enum trace_kind kind)
{
	return span_new(name, kind, true);
}

int
trace_span_open(const char *name, enum trace_kind kind)
{
	return span_new(name, kind, false);
}

static struct attr *
new_attr(int sp, const char *key)
{
	struct span	*s;

	if (sp < 0 || sp >= rq.nspans || !rq.recording)
		return NULL;
	s = &rq.spans[sp];
	if (s->nattr == MAX_ATTRS)
		return NULL;
	s->attr[s->nattr].key = key;
	return &s->attr[s->nattr++];
}

void
trace_attr_str(int sp, const char *key, const char *value)
{
	struct attr	*a = new_attr(sp, key);

	if (a != NULL) {
		a->is_int = false;
		copy_text(a->s, value);
	}
}

void
trace_attr_int(int sp, const char *key, int64_t value)
{
	struct attr	*a = new_attr(sp, key);

	if (a != NULL) {
		a->is_int = true;
		a->i = value;
	}
}

void
trace_span_end(int sp, bool error)
{
	if (sp < 0 || sp >= rq.nspans || !rq.recording)
		return;
	rq.spans[sp].end = now_ns();
	rq.spans[sp].error = error;
	/* Pop it and anything opened inside it and left open. */
	for (int d = rq.depth - 1; d > 0; d--)
		if (rq.open[d] == sp) {
			for (int e = d; e < rq.depth; e++)
				if (rq.open[e] >= 0 && rq.spans[rq.open[e]].end
				    == 0)
					rq.spans[rq.open[e]].end =
					    rq.spans[sp].end;
			rq.depth = d;
			break;
		}
}

/* Moves n spans into the queue, or counts them dropped when full. */
static void
enqueue(const struct span *s, size_t n)
{
	size_t	 took = 0;

	if (!ex.on) {
		metrics_add(METRIC_TRACE_DROPPED, n);
		return;
	}
	pthread_mutex_lock(&ex.mu);
	for (; took < n && ex.n < ex.cap; took++) {
		ex.q[(ex.head + ex.n) % ex.cap] = s[took];
		ex.n++;
	}
	if (ex.n >= ex.batch)
		pthread_cond_signal(&ex.cv);
	pthread_mutex_unlock(&ex.mu);
	if (took < n)
		metrics_add(METRIC_TRACE_DROPPED, n - took);
}

void
trace_request_end(const char *method, const char *route, int http)
{
	struct span	*s;

	if (!rq.active)
		return;
	if (rq.recording && rq.nspans > 0) {
		s = &rq.spans[0];
		if (route != NULL) {
			char	 name[TEXT_MAX];

			snprintf(name, sizeof(name), "%s %s", method, route);
			copy_text(s->name, name);
			trace_attr_str(0, "http.route", route);
		} else
			copy_text(s->name, method);
		trace_attr_str(0, "http.request.method", method);
		trace_attr_int(0, "http.response.status_code", http);
		s->error = http >= 500;
		s->end = now_ns();
		for (int i = 1; i < rq.nspans; i++)
			if (rq.spans[i].end == 0)
				rq.spans[i].end = s->end;
		enqueue(rq.spans, (size_t)rq.nspans);
		if (rq.dropped > 0)
			metrics_add(METRIC_TRACE_DROPPED, (uint64_t)rq.dropped);
	}
	rq.active = false;
	rq.recording = false;
	rq.depth = 0;
	rq.nspans = 0;
}

bool
trace_current(const char **trace_id, const char **span_id)
{
	if (!rq.active || rq.depth == 0)
		return false;
	*trace_id = rq.trace_hex;
	*span_id = rq.span_hex[rq.depth - 1];
	return true;
}

const char *
trace_id_hex(void)
{
	return rq.active ? rq.trace_hex : NULL;
}

/* --- export ----------------------------------------------------------- */

static json_object *
attr_json(const char *key, const struct attr *a, const char *s)
{
	json_object	*o = json_object_new_object(), *v;

	json_object_object_add(o, "key", json_object_new_string(key));
	v = json_object_new_object();
	if (a != NULL && a->is_int) {
		char	 num[24];

		/* OTLP JSON writes 64-bit integers as strings. */
		snprintf(num, sizeof(num), "%lld", (long long)a->i);
		json_object_object_add(v, "intValue",
		    json_object_new_string(num));
	} else
		json_object_object_add(v, "stringValue",
		    json_object_new_string(a != NULL ? a->s : s));
	json_object_object_add(o, "value", v);
	return o;
}

static json_object *
span_json(const struct span *s)
{
	json_object	*o = json_object_new_object(), *attrs, *st;
	char		 hex[33], num[24];

	tohex(hex, s->trace_id, 16);
	json_object_object_add(o, "traceId", json_object_new_string(hex));
	tohex(hex, s->id, 8);
	json_object_object_add(o, "spanId", json_object_new_string(hex));
	if (s->has_parent) {
		tohex(hex, s->parent, 8);
		json_object_object_add(o, "parentSpanId",
		    json_object_new_string(hex));
	}
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "kind", json_object_new_int(s->kind));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)s->start);
	json_object_object_add(o, "startTimeUnixNano",
	    json_object_new_string(num));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)s->end);
	json_object_object_add(o, "endTimeUnixNano",
	    json_object_new_string(num));
	/* Empty and default fields are left out, as protobuf's JSON
	 * mapping writes them. */
	if (s->nattr > 0) {
		attrs = json_object_new_array();
		for (int i = 0; i < s->nattr; i++)
			json_object_array_add(attrs, attr_json(s->attr[i].key,
			    &s->attr[i], NULL));
		json_object_object_add(o, "attributes", attrs);
	}
	if (s->error) {
		st = json_object_new_object();
		json_object_object_add(st, "code", json_object_new_int(2));
		json_object_object_add(o, "status", st);	/* ERROR */
	}
	return o;
}

/* The ExportTraceServiceRequest for spans b[0..n), as JSON text (the
 * caller frees it with free()). */
static char *
request_json(const struct span *b, size_t n)
{
	json_object	*root, *rss, *rs, *res, *attrs, *scopes, *scope, *sc;
	json_object	*spans;
	char		*text;

	attrs = json_object_new_array();
	json_object_array_add(attrs, attr_json("service.name", NULL,
	    ex.service));
	json_object_array_add(attrs, attr_json("service.version", NULL,
	    PACKAGE_VERSION));
	res = json_object_new_object();
	json_object_object_add(res, "attributes", attrs);
	sc = json_object_new_object();
	json_object_object_add(sc, "name", json_object_new_string("inkwell"));
	json_object_object_add(sc, "version",
	    json_object_new_string(PACKAGE_VERSION));
	spans = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(spans, span_json(&b[i]));
	scope = json_object_new_object();
	json_object_object_add(scope, "scope", sc);
	json_object_object_add(scope, "spans", spans);
	scopes = json_object_new_array();
	json_object_array_add(scopes, scope);
	rs = json_object_new_object();
	json_object_object_add(rs, "resource", res);
	json_object_object_add(rs, "scopeSpans", scopes);
	rss = json_object_new_array();
	json_object_array_add(rss, rs);
	root = json_object_new_object();
	json_object_object_add(root, "resourceSpans", rss);
	text = xstrdup(json_object_to_json_string_ext(root,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return text;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POSTs body; true on a 2xx answer within the timeout. */
static bool
post(CURL *h, const char *body)
{
	struct curl_slist *hdr = NULL;
	long		 code = 0;
	CURLcode	 rc;

	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, ex.endpoint);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ex.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ex.timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hdr);
	return rc == CURLE_OK && code >= 200 && code < 300;
}

static void *
exporter(void *arg)
{
	struct span	*b = xcalloc(ex.batch, sizeof(*b));
	CURL		*h = curl_easy_init();
	double		 logged = 0;

	(void)arg;
	for (;;) {
		size_t		 n = 0;
		bool		 stopping;
		struct timespec	 until;

		pthread_mutex_lock(&ex.mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		while (!ex.stop && ex.n < ex.batch)
			if (pthread_cond_timedwait(&ex.cv, &ex.mu, &until) ==
			    ETIMEDOUT)
				break;
		for (; n < ex.batch && ex.n > 0; n++) {
			b[n] = ex.q[ex.head];
			ex.head = (ex.head + 1) % ex.cap;
			ex.n--;
		}
		stopping = ex.stop;
		pthread_mutex_unlock(&ex.mu);
		if (n > 0) {
			char	*body = request_json(b, n);

			if (h != NULL && post(h, body))
				metrics_add(METRIC_TRACE_EXPORTED, n);
			else {
				metrics_add(METRIC_TRACE_DROPPED, n);
				if (util_now() - logged >= 60) {
					logged = util_now();
					log_msg(LOG_WARN, "trace: export to %s "
					    "failed; %zu spans dropped (more "
					    "are counted, not logged, for a "
					    "minute)", ex.endpoint, n);
				}
			}
			free(body);
		}
		if (stopping)
			break;
	}
	if (h != NULL)
		curl_easy_cleanup(h);
	free(b);
	return NULL;
}

int
trace_start(const struct trace_config *c)
{
	if (ex.on || c->endpoint == NULL || c->endpoint[0] == '\0')
		return 0;
	ex.ratio = c->sample_ratio;
	ex.endpoint = xstrdup(c->endpoint);
	ex.service = xstrdup(c->service != NULL && *c->service ? c->service :
	    "inkwell");
	ex.cap = c->queue > 0 ? c->queue : 1;
	ex.batch = c->batch > 0 && c->batch <= ex.cap ? c->batch : ex.cap;
	ex.timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 1000;
	ex.q = xcalloc(ex.cap, sizeof(*ex.q));
	ex.head = ex.n = 0;
	ex.stop = false;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&ex.thread, NULL, exporter, NULL) != 0) {
		log_msg(LOG_ERROR, "trace: cannot start the exporter thread; "
		    "spans will be dropped");
		ex.on = false;
		return -1;
	}
	ex.on = true;
	return 0;
}

void
trace_stop(void)
{
	if (!ex.on)
		return;
	pthread_mutex_lock(&ex.mu);
	ex.stop = true;
	pthread_cond_signal(&ex.cv);
	pthread_mutex_unlock(&ex.mu);
	pthread_join(ex.thread, NULL);
	ex.on = false;
	/* What the last export could not take. */
	if (ex.n > 0)
		metrics_add(METRIC_TRACE_DROPPED, ex.n);
	free(ex.q);
	free(ex.endpoint);
	free(ex.service);
	ex.q = NULL;
	curl_global_cleanup();
}
