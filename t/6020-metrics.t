#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6020-metrics: /metrics through nginx is Prometheus text that promtool
# accepts, summed across workers: requests by route and status code,
# latency histograms by route, database time, cache hits and misses,
# worker restarts and reloads, each moved by exactly the requests and
# events this test makes.  Then the monitoring examples in
# deploy/monitoring: promtool checks the configuration, the alert rules
# and the service-level objectives (slo.yml) and runs their unit tests,
# which cover every rule, and a real Prometheus scrapes the test stack and
# evaluates every dashboard query and rule without an error, each naming
# only metrics that /metrics has or rules slo.yml records.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/prom.sh
. "$here/lib/prom.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_CONF INKWELL_TEST_PIDFILE INKWELL_SRC
URL=${INKWELL_TEST_URL%/}
MON=$INKWELL_SRC/deploy/monitoring
LOG=$INKWELL_TEST_VAR/log/inkwell.log
PROM_PORT=${INKWELL_PROM_PORT:-9191}
TMP=$(mktemp -d /tmp/inkwell-6020.XXXXXX)
PROM_PID=
cleanup() {
	[[ -n $PROM_PID ]] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in promtool prometheus python3 curl; do
	command -v "$tool" >/dev/null || {
		fail "$tool is installed (script/bootstrap installs it)"
		done_testing
	}
done

SUP=$(head -n 1 "$INKWELL_TEST_PIDFILE" | tr -dc '0-9')
if [[ -z $SUP ]] || ! kill -0 "$SUP" 2>/dev/null; then
	skip_all "no running inkwelld in $INKWELL_TEST_PIDFILE"
fi
WORKERS=$(awk -F '=' '
	/^[[:space:]]*\[/ { sect = $0; gsub(/[][[:space:]]/, "", sect) }
	sect == "server" && $1 ~ /^[[:space:]]*workers[[:space:]]*$/ {
		gsub(/[[:space:]]/, "", $2); print $2 }' "$INKWELL_TEST_CONF")
[[ $WORKERS =~ ^[0-9]+$ ]] || skip_all "cannot read workers = N from $INKWELL_TEST_CONF"

# scrape FILE: /metrics into FILE; prints the HTTP status.
scrape() {
	curl -s --max-time 5 -o "$1" -D "$1.head" -w '%{http_code}' "$URL/metrics"
}
# value FILE SERIES: the sample of SERIES (name{labels} exactly as
# rendered), 0 when absent.
value() {
	awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$1"
}
# delta A B SERIES: value in B minus value in A (integers).
delta() {
	local a b
	a=$(value "$1" "$3")
	b=$(value "$2" "$3")
	awk -v a="$a" -v b="$b" 'BEGIN { printf "%d\n", b - a }'
}
workers_alive() {
	local pid n=0
	for pid in $(pgrep -x -P "$SUP" inkwelld 2>/dev/null); do
		[[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] || n=$((n + 1))
	done
	echo "$n"
}
get() { curl -s --max-time 10 -o /dev/null -w '%{http_code}' "$@"; }

# --- the format -----------------------------------------------------------
is "$(scrape "$TMP/m0")" 200 "/metrics answers 200 through nginx"
like "$(tr -d '\r' <"$TMP/m0.head" | grep -i '^content-type:')" 'text/plain; version=0.0.4' \
	"it is Prometheus text, format 0.0.4"
promtool check metrics <"$TMP/m0" >"$TMP/lint" 2>&1
ok "promtool check metrics finds nothing to say" test $? -eq 0 -a ! -s "$TMP/lint"
if_fail diag "$(head -n 20 "$TMP/lint")"
for fam in inkwell_http_requests_total inkwell_http_request_duration_seconds \
	inkwell_db_seconds_total inkwell_db_statements_total inkwell_db_request_seconds \
	inkwell_cache_requests_total inkwell_worker_restarts_total inkwell_reloads_total \
	inkwell_workers inkwell_build_info; do
	ok "/metrics declares $fam" grep -q "^# TYPE $fam " "$TMP/m0"
done

# --- requests by route and code, summed across workers --------------------
HZ='inkwell_http_requests_total{method="GET",route="/healthz",code="200"}'
HZC='inkwell_http_request_duration_seconds_count{method="GET",route="/healthz"}'
HZINF='inkwell_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}'
log_lines=$(wc -l <"$LOG")
N=40
seq "$N" | xargs -P 4 -I{} curl -s --max-time 10 -o /dev/null -H 'X-Test: 6020' "$URL/healthz"
for i in 1 2 3 4 5; do get "$URL/no-such-page-6020-$i" >/dev/null; done
is "$(get -X DELETE "$URL/healthz")" 405 "DELETE /healthz is 405"
for i in 1 2 3 4 5; do get "$URL/readyz" >/dev/null; done
scrape "$TMP/m1" >/dev/null
is "$(delta "$TMP/m0" "$TMP/m1" "$HZ")" "$N" "$N concurrent /healthz: the route's 200s grew by $N"
is "$(delta "$TMP/m0" "$TMP/m1" "$HZC")" "$N" "and its latency histogram counted $N"
is "$(value "$TMP/m1" "$HZINF")" "$(value "$TMP/m1" "$HZC")" "its +Inf bucket equals its count"
ok "its buckets never decrease" awk -v p='inkwell_http_request_duration_seconds_bucket{method="GET",route="/healthz",' '
	index($1, p) == 1 { if ($2 + 0 < last) bad = 1; last = $2 + 0 }
	END { exit bad }' "$TMP/m1"
is "$(delta "$TMP/m0" "$TMP/m1" 'inkwell_http_requests_total{method="ANY",route="(none)",code="404"}')" 5 \
	"5 unknown pages: (none) 404 grew by 5"
is "$(delta "$TMP/m0" "$TMP/m1" 'inkwell_http_requests_total{method="ANY",route="(method)",code="405"}')" 1 \
	"a wrong method: (method) 405 grew by 1"
pids=$(tail -n +"$((log_lines + 1))" "$LOG" | grep '"path":"/healthz"' |
	sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | sort -u | wc -l)
if ((WORKERS > 1)); then
	ok "the /healthz requests were answered by more than one worker ($pids), so the count is a sum" \
		test "$pids" -gt 1
fi

# --- database time --------------------------------------------------------
RZ='method="GET",route="/readyz"'
ok "5 /readyz: at least 5 statements counted for the route" \
	test "$(delta "$TMP/m0" "$TMP/m1" "inkwell_db_statements_total{$RZ}")" -ge 5
ok "and time spent on them" awk -v a="$(value "$TMP/m0" "inkwell_db_seconds_total{$RZ}")" \
	-v b="$(value "$TMP/m1" "inkwell_db_seconds_total{$RZ}")" 'BEGIN { exit !(b > a) }'
ok "the per-request database histogram counted them" \
	test "$(delta "$TMP/m0" "$TMP/m1" inkwell_db_request_seconds_count)" -ge 5
is "$(delta "$TMP/m0" "$TMP/m1" "inkwell_db_statements_total{method=\"GET\",route=\"/healthz\"}")" 0 \
	"/healthz asks no database"
like "$(tail -n +"$((log_lines + 1))" "$LOG" | grep '"path":"/readyz"' | tail -n 1)" \
	'"db_ms":[0-9.]+,"db_statements":[1-9]' "the request log line says the database time"

# --- cache hits and misses ------------------------------------------------
q="/search?q=metrics$$"
get -H 'X-Inkwell-Skip-Files: 1' "$URL$q" >/dev/null
scrape "$TMP/m2" >/dev/null
get -H 'X-Inkwell-Skip-Files: 1' "$URL$q" >/dev/null
scrape "$TMP/m3" >/dev/null
is "$(delta "$TMP/m1" "$TMP/m2" 'inkwell_cache_requests_total{result="miss"}')" 1 "a new search is one miss"
is "$(delta "$TMP/m2" "$TMP/m3" 'inkwell_cache_requests_total{result="hit"}')" 1 "the same search again is one hit"
is "$(delta "$TMP/m2" "$TMP/m3" 'inkwell_cache_requests_total{result="miss"}')" 0 "and no miss"

# --- worker restarts and reloads -----------------------------------------
is "$(value "$TMP/m3" inkwell_workers)" "$WORKERS" "inkwell_workers is the configured $WORKERS"
victim=$(pgrep -x -P "$SUP" inkwelld | head -n 1)
restarted() {
	scrape "$TMP/m4" >/dev/null &&
		[[ $(delta "$TMP/m3" "$TMP/m4" inkwell_worker_restarts_total) == 1 &&
			$(value "$TMP/m4" inkwell_workers) == "$WORKERS" ]]
}
if [[ -n $victim ]]; then
	kill -KILL "$victim"
	ok "SIGKILL to a worker: restarts grew by 1 and $WORKERS serve again" wait_for 15 restarted
	if_fail diag "$(grep -E '^inkwell_worker|^inkwell_workers' "$TMP/m4")"
	ok "the counts outlived the worker that made some of them" \
		test "$(delta "$TMP/m1" "$TMP/m4" "$HZ")" -ge 0
else
	fail "found a worker to kill"
fi
reloaded() {
	scrape "$TMP/m5" >/dev/null &&
		[[ $(delta "$TMP/m4" "$TMP/m5" inkwell_reloads_total) == 1 &&
			$(value "$TMP/m5" inkwell_workers) == "$WORKERS" &&
			$(workers_alive) -ge "$WORKERS" ]]
}
kill -HUP "$SUP"
ok "SIGHUP: reloads grew by 1 and $WORKERS workers serve" wait_for 20 reloaded
is "$(delta "$TMP/m4" "$TMP/m5" inkwell_worker_restarts_total)" 0 "a reload is no restart"
ok "the counts outlived the reload" test "$(delta "$TMP/m1" "$TMP/m5" "$HZ")" -ge 0
promtool check metrics <"$TMP/m5" >"$TMP/lint" 2>&1
ok "promtool still finds nothing to say after all that" test $? -eq 0 -a ! -s "$TMP/lint"
if_fail diag "$(head -n 20 "$TMP/lint")"

# --- the monitoring examples ---------------------------------------------
ok "promtool check rules alerts.yml" promtool check rules "$MON/alerts.yml"
promtool test rules "$MON/alerts.test.yml" >"$TMP/rt" 2>&1
ok "promtool test rules alerts.test.yml: every alert fires and stays quiet as written" test $? -eq 0
if_fail diag "$(tail -n 30 "$TMP/rt")"
ok "promtool check rules slo.yml" promtool check rules "$MON/slo.yml"
promtool test rules "$MON/slo.test.yml" >"$TMP/st" 2>&1
ok "promtool test rules slo.test.yml: every SLO rule has the value and fires as written" test $? -eq 0
if_fail diag "$(tail -n 30 "$TMP/st")"
# Every alert has a test that makes it fire, every recording rule one
# that checks its value.
untested=$(python3 - "$MON" <<'EOF'
import sys, yaml
mon = sys.argv[1]
for rules, tests in (("alerts.yml", "alerts.test.yml"), ("slo.yml", "slo.test.yml")):
    rs = [r for g in yaml.safe_load(open(f"{mon}/{rules}"))["groups"] for r in g["rules"]]
    ts = yaml.safe_load(open(f"{mon}/{tests}"))["tests"]
    fired = {a["alertname"] for t in ts for a in t.get("alert_rule_test", []) if a["exp_alerts"]}
    valued = {q["expr"] for t in ts for q in t.get("promql_expr_test", []) if q["exp_samples"]}
    for r in rs:
        if "alert" in r and r["alert"] not in fired:
            print(f"{rules}: alert {r['alert']}")
        if "record" in r and r["record"] not in valued:
            print(f"{rules}: record {r['record']}")
EOF
)
is "$untested" "" "the unit tests fire every alert and check every recording rule"
ok "promtool check config prometheus.yml (with both rule files)" promtool check config "$MON/prometheus.yml"
ok "the Grafana dashboard is JSON with panels" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["panels"] and all(p["targets"] for p in d["panels"])' "$MON/grafana-dashboard.json"

# Every query of the dashboard and the rules, one per line, with Grafana's
# variables given values a plain Prometheus understands.
python3 - "$MON/grafana-dashboard.json" "$MON/alerts.yml" "$MON/slo.yml" >"$TMP/queries" <<'EOF'
import json, sys, yaml
d = json.load(open(sys.argv[1]))
qs = [t["expr"] for p in d["panels"] for t in p["targets"]]
# the host variable's query: label_values(SELECTOR, label)
v = [x for x in d["templating"]["list"] if x["name"] == "instance"][0]
qs.append(v["definition"][len("label_values("):].rsplit(",", 1)[0])
for f in sys.argv[2:]:
    rules = yaml.safe_load(open(f))
    qs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
for q in qs:
    q = q.replace("$__rate_interval", "1m").replace('"$instance"', '".*"')
    print(" ".join(q.split()))
EOF
nq=$(wc -l <"$TMP/queries")
ok "found the dashboard's and the rules' queries ($nq)" test "$nq" -ge 20
grep -o '^# TYPE [a-z_]*' "$TMP/m5" | awk '{ print $3 }' | sort -u >"$TMP/have"
grep -o 'inkwell_[a-z_]*' "$TMP/queries" | sed -E 's/_(bucket|sum|count)$//' | sort -u >"$TMP/used"
missing=$(comm -23 "$TMP/used" "$TMP/have")
is "$missing" "" "every metric the dashboard and the rules name is on /metrics"
# The names of recording rules (level:metric:operations) are no metric of
# /metrics: each one named must be recorded by slo.yml.
python3 -c '
import sys, yaml
for g in yaml.safe_load(open(sys.argv[1]))["groups"]:
    for r in g["rules"]:
        if "record" in r:
            print(r["record"])' "$MON/slo.yml" | sort -u >"$TMP/recorded"
grep -o 'inkwell:[a-z0-9_:]*' "$TMP/queries" | sort -u >"$TMP/rules_used"
ok "the dashboard and the alerts name recording rules ($(wc -l <"$TMP/rules_used"))" test -s "$TMP/rules_used"
is "$(comm -23 "$TMP/rules_used" "$TMP/recorded")" "" "and slo.yml records every one"

# A real Prometheus scrapes the test stack through nginx every second.
hostport=${URL#*://}
hostport=${hostport%%/*}
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $MON/alerts.yml
  - $MON/slo.yml
scrape_configs:
  - job_name: inkwell
    static_configs:
      - targets: ['$hostport']
EOF
prom_start "$TMP/prometheus.yml" "$TMP" "$PROM_PORT"
# query EXPR: prints "ok N" (N results) or "error: ..." from the HTTP API.
query() { prom_query count "$1"; }
scraped() { [[ $(query 'count_over_time(up{job="inkwell"}[1m]) >= 5 and up{job="inkwell"} == 1') == "ok 1" ]]; }
# keep a little traffic going while Prometheus gathers samples
for ((i = 0; i < 40; i++)); do
	get "$URL/healthz" >/dev/null
	get -H 'X-Inkwell-Skip-Files: 1' "$URL/" >/dev/null
	sleep 0.2
done &
traffic=$!
ok "Prometheus scraped /metrics through nginx at least 5 times" wait_for 30 scraped
if_fail diag "$(tail -n 20 "$TMP/prometheus.log")"
wait "$traffic"
bad=
while IFS= read -r q; do
	r=$(query "$q")
	[[ $r == ok* ]] || bad+="$q -> $r"$'\n'
done <"$TMP/queries"
is "$bad" "" "Prometheus evaluates all $nq queries without an error"
like "$(query 'sum(rate(inkwell_http_requests_total{job="inkwell"}[1m])) > 0')" '^ok 1$' \
	"the request rate Prometheus computes is above 0"
like "$(query 'histogram_quantile(0.95, sum by (le) (rate(inkwell_http_request_duration_seconds_bucket{job="inkwell"}[1m]))) > 0')" \
	'^ok 1$' "and so is the 95th percentile latency"
rules_ok() {
	curl -s --max-time 5 "$PROM/api/v1/rules" | python3 -c '
import json, sys
r = json.load(sys.stdin)
rules = [x for g in r["data"]["groups"] for x in g["rules"]]
bad = [x["name"] + ": " + x.get("lastError", "") for x in rules
       if x.get("health") != "ok"]
print(len(rules), "rules;", "; ".join(bad) or "all healthy")
sys.exit(1 if bad or not rules else 0)'
}
ok "Prometheus loaded the alert and SLO rules and evaluates every one healthy" wait_for 10 rules_ok
if_fail diag "$(rules_ok)"
like "$(query 'inkwell:slo_reader_requests:rate5m{job="inkwell"} > 0')" '^ok 1$' \
	"the SLO rules see the reader traffic"
like "$(query 'inkwell:slo_availability_errors:ratio_rate5m{job="inkwell"} == 0')" '^ok 1$' \
	"and no 5xx among it"
# InkwellLatencyBudgetBurn is left out: whether a loaded machine answers
# within 100 ms is a matter of time, which no test here asserts.
firing=$(curl -s --max-time 5 "$PROM/api/v1/alerts" | python3 -c '
import json, sys
print(" ".join(sorted(a["labels"]["alertname"] for a in json.load(sys.stdin)["data"]["alerts"]
                      if a["state"] == "firing"
                      and a["labels"]["alertname"] != "InkwellLatencyBudgetBurn")))')
is "$firing" "" "no alert fires for a healthy test stack"
done_testing
