#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6022-trace: one request followed from nginx to PostgreSQL as one trace.
# With [trace] endpoint pointing at a receiver on loopback that decodes
# every export with the official OpenTelemetry protocol definitions
# (t/lib/otlp_receiver.mjs), a request with a traceparent that misses the
# cache comes back as one trace with the client's trace id: the request
# span's parent is the client's span, and the cache lookup, the SQL
# statements (named, no parameter value anywhere), the render and the
# response are its children. The worker's log lines and nginx's access
# log carry the trace id; a page-file hit's access line carries the
# client's (and "-" without a traceparent).
# A query that fails (the tags table renamed away, as 4006 does) makes
# the request span and the statement's span errors.
# Then a dead collector (a closed port) and one that never answers: every
# request still succeeds and the dropped spans are counted. sample_ratio
# = 0 exports nothing for new traces but follows a sampled traceparent.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/workers.sh
. "$here/lib/workers.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_TEST_PIDFILE INKWELL_BUILD INKWELL_NODE_MODULES
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
LOG=$INKWELL_TEST_VAR/log/inkwell.log
NGINX_LOG=$INKWELL_TEST_VAR/log/nginx-access.log
workers_init
for tool in node python3 curl psql; do
	command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
export NODE_PATH=$INKWELL_NODE_MODULES
TMP=$(mktemp -d /tmp/inkwell-6022.XXXXXX)
SLUG=trace-6022
RECV=
SILENT=

RENAMED=
cleanup() {
	[[ -n $RENAMED ]] && psql -X -q -d "$INKWELL_TEST_PG" -c 'ALTER TABLE tags_6022 RENAME TO tags' >/dev/null 2>&1
	[[ -n $RECV ]] && kill "$RECV" 2>/dev/null
	[[ -n $SILENT ]] && kill "$SILENT" 2>/dev/null
	wait 2>/dev/null
	if [[ -f $TMP/conf.orig ]] && ! cmp -s "$TMP/conf.orig" "$INKWELL_TEST_CONF"; then
		cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
		reload
	fi
	psql -X -q -d "$INKWELL_TEST_PG" -c "DELETE FROM posts WHERE slug = '$SLUG'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
cp "$INKWELL_TEST_CONF" "$TMP/conf.orig"

# with_trace KEY=VALUE...: the stack's configuration plus a [trace]
# section of these keys, then a reload.
with_trace() {
	cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
	printf '\n[trace]\n' >>"$INKWELL_TEST_CONF"
	printf '%s\n' "$@" >>"$INKWELL_TEST_CONF"
	reload
}
# receiver MODE DIR: starts t/lib/otlp_receiver.mjs; prints its pid
# once it listens (its port in DIR/port).
receiver() {
	mkdir -p "$2"
	node "$here/lib/otlp_receiver.mjs" "$1" "$2" >>"$2/out.log" 2>&1 &
	echo $!
}
has_port() { [[ -s $1/port ]]; }
snap() { curl -s --max-time 5 -o "$1" "$URL/metrics"; }
value() { awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$1"; }
delta() { echo $(($(value "$2" "$3") - $(value "$1" "$3"))); }
DROPPED='inkwell_trace_spans_total{outcome="dropped"}'
EXPORTED='inkwell_trace_spans_total{outcome="exported"}'
# hex N: N random lowercase hex digits.
hex() { od -An -N$(($1 / 2)) -tx1 /dev/urandom | tr -d ' \n'; }
# spans_of TRACE: lines of the receiver's spans of that trace.
spans_of() { grep -F "\"traceId\":\"$1\"" "$TMP/recv/spans.jsonl" 2>/dev/null; }
has_spans() { [[ $(spans_of "$1" | wc -l) -ge $2 ]]; }

# A post of our own, so its page is one nobody has cached yet.
mkdir -p "$TMP/in"
cat >"$TMP/in/$SLUG.md" <<EOT
---
title: "Trace test"
slug: $SLUG
author: trace-tester
author_name: Trace Tester
date: $(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
status: published
---
The trace test's post.
EOT
ok "a post to read" "$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/in"

RECV=$(receiver ok "$TMP/recv")
ok "the receiver listens" wait_for 20 has_port "$TMP/recv"
PORT=$(cat "$TMP/recv/port" 2>/dev/null)
ok "reloaded with an endpoint" with_trace "endpoint = http://127.0.0.1:$PORT/v1/traces" \
	"sample_ratio = 1.0" "service_name = inkwell-6022"

# --- one request, one trace -----------------------------------------------
TID=$(hex 32)
PSPAN=$(hex 16)
: >"$TMP/empty"
lines0=$(wc -l <"$LOG")
nlines0=$(wc -l <"$NGINX_LOG")
code=$(curl -s --max-time 10 -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' \
	-H "traceparent: 00-$TID-$PSPAN-01" -H 'X-Inkwell-Skip-Files: 1' "$URL/posts/$SLUG")
is "$code" 200 "the post answers 200 through nginx"
like "$(tr -d '\r' <"$TMP/head" | grep -i '^x-cache:')" 'MISS' "from a cache miss"
APPS=$(psql -X -q -t -A -d "$INKWELL_TEST_PG" -c \
	"SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'inkwell %'")
ok "the spans arrive" wait_for 15 has_spans "$TID" 5
spans_of "$TID" >"$TMP/trace.jsonl"
ok "no export was refused by the protocol check" test ! -s "$TMP/recv/invalid.log"
if_fail diag "$(head -c 2000 "$TMP/recv/invalid.log" 2>/dev/null)"

# check.py: the shape of the trace, one assertion per line "ok|name".
cat >"$TMP/check.py" <<'EOF'
import json, sys
tid, pspan, slug = sys.argv[1:4]
spans = [json.loads(l) for l in open(sys.argv[4])]
def say(cond, name):
    print(("ok" if cond else "not ok") + "|" + name)
def attrs(s):
    return {a["key"]: list(a["value"].values())[0] for a in s.get("attributes", [])}
say(all(s["traceId"] == tid for s in spans), "every span has the incoming trace id")
req = [s for s in spans if s["kind"] == 2]
say(len(req) == 1, "one SERVER span (the request)")
if not req:
    sys.exit(0)
req = req[0]
say(req.get("parentSpanId") == pspan, "the request span's parent is the caller's span")
say(req["name"] == "GET /posts/{slug}", "named by method and route: " + req["name"])
ra = attrs(req)
say(ra.get("http.response.status_code") == "200", "with its status code")
say(req["service"] == "inkwell-6022", "service.name from [trace] service_name")
kids = [s for s in spans if s is not req]
byname = {}
for s in kids:
    byname.setdefault(s["name"], []).append(s)
ids = {s["spanId"] for s in spans}
say(len(ids) == len(spans), "span ids are unique")
cache = byname.get("cache lookup", [])
say(len(cache) == 1 and cache[0]["parentSpanId"] == req["spanId"],
    "the cache lookup is a child of the request")
say(cache and attrs(cache[0]).get("db.system") == "redis" and
    attrs(cache[0]).get("inkwell.cache.result") == "miss", "a Redis miss")
sql = [s for s in kids if attrs(s).get("db.system") == "postgresql"]
say(len(sql) >= 1, "%d SQL spans" % len(sql))
# The cache lookup may read the content version from PostgreSQL itself:
# those statements are its children, the page's are the request's.
parents = {req["spanId"]} | {c["spanId"] for c in cache}
say(all(s["parentSpanId"] in parents for s in sql),
    "every SQL span is a child of the request or of the cache lookup")
say(any(s["name"] == "post" and s["parentSpanId"] == req["spanId"]
    for s in sql), "the post's own statement is a child of the request")
say(all(s["kind"] == 3 for s in sql), "SQL spans are CLIENT spans")
say(all(s["name"] and not any(w in s["name"].upper() for w in
    ("SELECT ", "INSERT ", "UPDATE ", " FROM ", "$1")) for s in sql),
    "SQL spans are named by statement, not by SQL text: " +
    ", ".join(sorted({s["name"] for s in sql})))
rend = byname.get("render template", [])
say(len(rend) == 1 and rend[0]["parentSpanId"] == req["spanId"],
    "the render is a child of the request")
say(rend and attrs(rend[0]).get("inkwell.template") == "post.html",
    "of post.html")
resp = byname.get("write response", [])
say(len(resp) == 1 and resp[0]["parentSpanId"] == req["spanId"],
    "the response write is a child of the request")
say(all(int(s["startTimeUnixNano"]) >= int(req["startTimeUnixNano"]) and
    int(s["endTimeUnixNano"]) <= int(req["endTimeUnixNano"]) for s in kids),
    "children lie within the request span")
say(slug not in json.dumps(spans), "no parameter value (the slug) in any span")
say(all("status" not in s for s in spans), "no span is an error")
EOF
python3 "$TMP/check.py" "$TID" "$PSPAN" "$SLUG" "$TMP/trace.jsonl" >"$TMP/checks" 2>&1
[[ -s $TMP/checks ]] || fail "check.py ran"
while IFS='|' read -r res name; do
	if [[ $res == ok ]]; then pass "$name"; else fail "$name"; fi
done <"$TMP/checks"
if_fail diag "$(head -c 3000 "$TMP/trace.jsonl")"

like "$APPS" "inkwell $TID" "a PostgreSQL connection ran under application_name 'inkwell <trace id>'"
tail -n +"$((lines0 + 1))" "$LOG" >"$TMP/wlog"
REQLINE=$(grep -F '"msg":"request"' "$TMP/wlog" | grep -F "\"path\":\"/posts/$SLUG\"" | tail -n 1)
like "$REQLINE" "\"trace_id\":\"$TID\"" "the worker's access line carries the trace id"
like "$REQLINE" '"span_id":"[0-9a-f]{16}"' "and a span id"
RSPAN=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("span_id",""))' "$REQLINE" 2>/dev/null)
ok "the span id is the request span's" grep -q "\"spanId\":\"$RSPAN\".*\"kind\":2" "$TMP/trace.jsonl"
sleep 0.2
tail -n +"$((nlines0 + 1))" "$NGINX_LOG" >"$TMP/nlog"
like "$(grep -F "/posts/$SLUG " "$TMP/nlog" | tail -n 1)" "trace_id=$TID upstream=[^ -]" \
	"nginx's access line for it carries the same trace id"

# A request without a traceparent: nginx's request id is the trace id,
# the same in both logs.
lines0=$(wc -l <"$LOG")
nlines0=$(wc -l <"$NGINX_LOG")
is "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H 'X-Inkwell-Skip-Files: 1' \
	"$URL/posts/$SLUG")" 200 "a request without a traceparent"
sleep 0.2
NTID=$(tail -n +"$((nlines0 + 1))" "$NGINX_LOG" | grep -F "/posts/$SLUG " | tail -n 1 |
	grep -o 'trace_id=[0-9a-f]*' | cut -d= -f2)
like "$NTID" '^[0-9a-f]{32}$' "nginx logged a trace id of its own"
like "$(tail -n +"$((lines0 + 1))" "$LOG" | grep -F '"msg":"request"' | grep -F "/posts/$SLUG" | tail -n 1)" \
	"\"trace_id\":\"$NTID\"" "the worker's line has the same"
ok "its spans arrive under that id" wait_for 15 has_spans "$NTID" 3
ok "with no parent: a new trace" bash -c "grep -F '\"traceId\":\"$NTID\"' '$TMP/recv/spans.jsonl' |
	grep '\"kind\":2' | grep -vq parentSpanId"

# --- a page-file hit, served by nginx alone -------------------------------
# file_hit_logged WANT_ID LABEL [curl args]: the post again, from its page
# file (X-Cache: HIT from nginx, no worker's X-Request-Id), and nginx's
# access line for it ends "trace_id=WANT_ID upstream=-".
file_hit_logged() {
	local want=$1 label=$2 n0 code
	shift 2
	n0=$(wc -l <"$NGINX_LOG")
	code=$(curl -s --max-time 10 -o /dev/null -D "$TMP/hhead" -w '%{http_code}' "$@" "$URL/posts/$SLUG")
	if [[ $code != 200 ]] || ! grep -qi '^x-cache: HIT' "$TMP/hhead" ||
		grep -qi '^x-request-id' "$TMP/hhead"; then
		fail "$label: the page came from a page file (got $code)"
		diag "$(cat "$TMP/hhead")"
		return
	fi
	sleep 0.2
	like "$(tail -n +"$((n0 + 1))" "$NGINX_LOG" | grep -F "/posts/$SLUG " | tail -n 1)" \
		"trace_id=$want upstream=-\$" "$label"
}
curl -s --max-time 10 -o /dev/null "$URL/posts/$SLUG"
HTID=$(hex 32)
file_hit_logged "$HTID" "a page-file hit's access line carries the trace id" \
	-H "traceparent: 00-$HTID-$(hex 16)-01"
# Without a traceparent there is no trace to join: nginx logs "-"
# rather than drawing a request id for every page it sends from a file.
file_hit_logged - "a page-file hit without a traceparent is logged with trace_id=-"

# --- a 5xx is an error span ------------------------------------------------
# A real fault, as 4006 makes one: the tags table renamed away under the
# workers, so the tag page's query fails and the answer is a 500.
psql -X -q -d "$INKWELL_TEST_PG" -c 'ALTER TABLE tags RENAME TO tags_6022' >/dev/null 2>&1 &&
	RENAMED=1
ETID=$(hex 32)
is "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H 'X-Inkwell-Skip-Files: 1' \
	-H "traceparent: 00-$ETID-$(hex 16)-01" "$URL/tags/trace-6022?utm_source=6022")" 500 \
	"a failing query answers 500"
[[ -n ${RENAMED:-} ]] && psql -X -q -d "$INKWELL_TEST_PG" -c 'ALTER TABLE tags_6022 RENAME TO tags' >/dev/null 2>&1 &&
	RENAMED=
ok "its spans arrive" wait_for 15 has_spans "$ETID" 2
ok "the request span is an error (status code 2)" bash -c \
	"grep -F '\"traceId\":\"$ETID\"' '$TMP/recv/spans.jsonl' | grep '\"kind\":2' | grep -q '\"status\":{\"code\":2}'"
ok "so is the SQL span that failed" bash -c \
	"grep -F '\"traceId\":\"$ETID\"' '$TMP/recv/spans.jsonl' | grep '\"kind\":3' |
	grep 'postgresql' | grep -q '\"status\":{\"code\":2}'"

# --- sampling -------------------------------------------------------------
ok "reloaded with sample_ratio = 0" with_trace "endpoint = http://127.0.0.1:$PORT/v1/traces" \
	"sample_ratio = 0"
before=$(wc -l <"$TMP/recv/spans.jsonl")
UTID=$(hex 32)
for _ in 1 2 3 4 5; do
	curl -s --max-time 10 -o /dev/null -H 'X-Inkwell-Skip-Files: 1' "$URL/posts/$SLUG"
done
curl -s --max-time 10 -o /dev/null -H 'X-Inkwell-Skip-Files: 1' \
	-H "traceparent: 00-$UTID-$(hex 16)-00" "$URL/posts/$SLUG"
STID=$(hex 32)
curl -s --max-time 10 -o /dev/null -H 'X-Inkwell-Skip-Files: 1' \
	-H "traceparent: 00-$STID-$(hex 16)-01" "$URL/posts/$SLUG"
ok "a sampled traceparent is followed even at ratio 0" wait_for 15 has_spans "$STID" 3
sleep 1.5
is "$(($(wc -l <"$TMP/recv/spans.jsonl") - before - $(spans_of "$STID" | wc -l)))" 0 \
	"nothing else was exported: new traces and an unsampled parent are not sampled"

# --- a dead collector -----------------------------------------------------
DEAD=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
ok "reloaded with a closed port as endpoint" with_trace "endpoint = http://127.0.0.1:$DEAD/v1/traces" \
	"timeout_ms = 200"
# burst FILE: 40 traced requests, their statuses in FILE.
burst() {
	: >"$1"
	for _ in $(seq 1 40); do
		curl -s --max-time 5 -o /dev/null -w '%{http_code}\n' -H 'X-Inkwell-Skip-Files: 1' \
			-H "traceparent: 00-$(hex 32)-$(hex 16)-01" "$URL/posts/$SLUG" >>"$1"
	done
}
grew() { snap "$TMP/m1"; (($(delta "$TMP/m0" "$TMP/m1" "$DROPPED") > 0)); }
snap "$TMP/m0"
burst "$TMP/dead"
is "$(grep -c '^200$' "$TMP/dead")" 40 "all 40 requests answered 200 with the collector dead"
ok "inkwell_trace_spans_total{outcome=\"dropped\"} grows" wait_for 15 grew
is "$(delta "$TMP/m0" "$TMP/m1" "$EXPORTED")" 0 "and nothing counts as exported"

# --- a collector that never answers ---------------------------------------
SILENT=$(receiver silent "$TMP/silent")
ok "a silent receiver listens" wait_for 20 has_port "$TMP/silent"
ok "reloaded with it as endpoint" with_trace \
	"endpoint = http://127.0.0.1:$(cat "$TMP/silent/port")/v1/traces" "timeout_ms = 200" \
	"queue_size = 16" "batch_size = 8"
snap "$TMP/m0"
burst "$TMP/slow"
is "$(grep -c '^200$' "$TMP/slow")" 40 "all 40 requests answered 200 with the collector hanging"
ok "dropped spans are counted" wait_for 15 grew

done_testing
