#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6021-alerting: alerts from a real Prometheus, through a real
# Alertmanager, to a webhook.  amtool checks deploy/monitoring/
# alertmanager.yml and that every alert of alerts.yml and slo.yml goes to
# the receiver of its severity.  Then Prometheus scrapes the test stack
# through nginx every second with both rule files and sends to an
# Alertmanager on loopback that runs alertmanager.yml with its receivers
# pointed at t/lib/webhook_sink.py:
#   - a host that answers no /metrics: InkwellDown reaches the paging
#     receiver (its "for" shortened in the test's copy of alerts.yml);
#   - fault injection ([chaos]: / answers 503) makes the availability
#     budget burn: InkwellAvailabilityBudgetBurn fires as a page in
#     Prometheus and reaches the paging receiver, its ticket twin is held
#     back, and the dashboard's error-budget queries see the budget go;
#   - inhibition: a host down, and PostgreSQL down, hold back the symptom
#     alerts Alertmanager is given.
# Half a minute or so when all goes well; every wait and the traffic are
# bounded, so a failure costs a few minutes at most.  It uses the running
# stack, so it runs in the stack's lane, after 6020 (both use
# INKWELL_PROM_PORT; INKWELL_AM_PORT and INKWELL_WEBHOOK_PORT move the
# other two).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/prom.sh
. "$here/lib/prom.sh"
# shellcheck source=t/lib/workers.sh
. "$here/lib/workers.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PIDFILE INKWELL_SRC
URL=${INKWELL_TEST_URL%/}
MON=$INKWELL_SRC/deploy/monitoring
PROM_PORT=${INKWELL_PROM_PORT:-9191}
AM_PORT=${INKWELL_AM_PORT:-9193}
HOOK_PORT=${INKWELL_WEBHOOK_PORT:-9194}
AM_BIN=$(command -v prometheus-alertmanager || command -v alertmanager)
TMP=$(mktemp -d /tmp/inkwell-6021.XXXXXX)
PROM_PID=''
AM_PID=''
HOOK_PID=''
TRAFFIC_PID=''
SUP=''
stop() {
	[[ -n $1 ]] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
}
cleanup() {
	stop "$TRAFFIC_PID"
	if [[ -f $TMP/conf.orig ]] && ! cmp -s "$TMP/conf.orig" "$INKWELL_TEST_CONF"; then
		cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
		reload
	fi
	stop "$PROM_PID"
	stop "$AM_PID"
	stop "$HOOK_PID"
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in prometheus amtool python3 curl; do
	command -v "$tool" >/dev/null || {
		fail "$tool is installed (script/bootstrap installs it)"
		done_testing
	}
done
[[ -n $AM_BIN ]] || {
	fail "Alertmanager is installed (prometheus-alertmanager; script/bootstrap installs it)"
	done_testing
}

# --- amtool: the configuration and its routes ------------------------------
amtool check-config "$MON/alertmanager.yml" >"$TMP/check" 2>&1
ok "amtool check-config alertmanager.yml" test $? -eq 0
if_fail diag "$(cat "$TMP/check")"
sed 's/receiver: ticket$/receiver: tickets/' "$MON/alertmanager.yml" >"$TMP/broken.yml"
amtool check-config "$TMP/broken.yml" >/dev/null 2>&1
ok "and it refuses a copy that routes to a receiver nobody defined" test $? -ne 0
# route LABELS...: the receiver amtool picks for an alert with LABELS.
route() { amtool config routes test --config.file="$MON/alertmanager.yml" "$@" 2>/dev/null; }
is "$(route alertname=InkwellDown severity=page instance=app1:80)" page "a page goes to the paging receiver"
is "$(route alertname=InkwellSlowPages severity=ticket instance=app1:80)" ticket "a ticket to the ticket receiver"
is "$(route alertname=SomethingElse)" ticket "an alert without a severity to the tickets, not nowhere"
# Every alert of the rule files, with the labels its rule gives it.
python3 - "$MON/alerts.yml" "$MON/slo.yml" >"$TMP/alerts" <<'EOF'
import sys, yaml
for f in sys.argv[1:]:
    for g in yaml.safe_load(open(f))["groups"]:
        for r in g["rules"]:
            if "alert" in r:
                labels = dict(r.get("labels", {}), alertname=r["alert"], instance="app1:80")
                print(" ".join(f"{k}={v}" for k, v in sorted(labels.items())))
EOF
ok "found the alerts of alerts.yml and slo.yml ($(wc -l <"$TMP/alerts"))" test "$(wc -l <"$TMP/alerts")" -ge 10
bad=
while read -r -a labels; do
	sev=
	for l in "${labels[@]}"; do [[ $l == severity=* ]] && sev=${l#severity=}; done
	got=$(route "${labels[@]}")
	[[ -n $sev && $got == "$sev" ]] || bad+="${labels[*]} -> $got"$'\n'
done <"$TMP/alerts"
is "$bad" "" "each has a severity and goes to the receiver of that name"

workers_init
cp "$INKWELL_TEST_CONF" "$TMP/conf.orig"
if grep -q '^\[chaos\]' "$TMP/conf.orig"; then
	skip_all "$INKWELL_TEST_CONF already has a [chaos] section"
fi

# --- the webhook, Alertmanager and Prometheus -------------------------------
: >"$TMP/hook.jsonl"
python3 "$here/lib/webhook_sink.py" "$HOOK_PORT" "$TMP/hook.jsonl" 2>"$TMP/hook.log" &
HOOK_PID=$!
# The test's Alertmanager: alertmanager.yml as it is, but every receiver a
# webhook to the sink at /NAME, and notifications a second after an alert
# comes (not the 10 to 30 s an operator wants).
python3 - "$MON/alertmanager.yml" "$HOOK_PORT" >"$TMP/alertmanager.yml" <<'EOF'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for r in c["receivers"]:
    name = r["name"]
    r.clear()
    r["name"] = name
    r["webhook_configs"] = [{"url": f"http://127.0.0.1:{sys.argv[2]}/{name}", "send_resolved": True}]
def fast(route):
    route["group_wait"] = "1s"
    route["group_interval"] = "1s"
    for child in route.get("routes", []):
        fast(child)
fast(c["route"])
yaml.safe_dump(c, sys.stdout, sort_keys=False)
EOF
ok "the test's copy of alertmanager.yml passes amtool too" \
	amtool check-config "$TMP/alertmanager.yml"
"$AM_BIN" --config.file="$TMP/alertmanager.yml" --storage.path="$TMP/am" \
	--web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
	>"$TMP/am.log" 2>&1 &
AM_PID=$!
AM=http://127.0.0.1:$AM_PORT
am_ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$AM/-/ready") == 200 ]]; }
ok "Alertmanager is up on 127.0.0.1:$AM_PORT" wait_for 20 am_ready
if_fail diag "$(tail -n 20 "$TMP/am.log")"
hook_up() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$HOOK_PORT/") == 404 ]]; }
ok "the webhook is up on 127.0.0.1:$HOOK_PORT" wait_for 10 hook_up

# alerts.yml with InkwellDown's two minutes made two seconds: the rest as
# it is.
python3 - "$MON/alerts.yml" >"$TMP/alerts.yml" <<'EOF'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for g in c["groups"]:
    for r in g["rules"]:
        if r.get("alert") == "InkwellDown":
            r["for"] = "2s"
yaml.safe_dump(c, sys.stdout, sort_keys=False)
EOF
hostport=${URL#*://}
hostport=${hostport%%/*}
DEAD=127.0.0.1:$HOOK_PORT
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $TMP/alerts.yml
  - $MON/slo.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$AM_PORT']
scrape_configs:
  - job_name: inkwell
    static_configs:
      # the test stack through nginx, and a host whose /metrics is a 404
      - targets: ['$hostport', '$DEAD']
EOF
ok "promtool check config for the test's Prometheus" promtool check config "$TMP/prometheus.yml"
prom_start "$TMP/prometheus.yml" "$TMP" "$PROM_PORT"
# value EXPR: the value of the one sample EXPR gives, else "none" (or
# "many", or "error: ...").
value() { prom_query value "$1"; }
# below A B: A < B as numbers (false for "none" and the like).
below() { python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
# firing NAME LABELS: Prometheus has alert NAME firing with every
# k=v of LABELS (space-separated).
firing() {
	curl -s --max-time 5 "$PROM/api/v1/alerts" | python3 -c '
import json, sys
want = dict(kv.split("=", 1) for kv in sys.argv[2].split())
for a in json.load(sys.stdin)["data"]["alerts"]:
    l = a["labels"]
    if a["state"] == "firing" and l.get("alertname") == sys.argv[1] and \
            all(l.get(k) == v for k, v in want.items()):
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}
# delivered RECEIVER NAME LABELS: the webhook got, from RECEIVER, a firing
# NAME with every k=v of LABELS; prints the alert's labels.
delivered() {
	python3 - "$TMP/hook.jsonl" "$@" <<'EOF'
import json, sys
path, receiver, name, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
want = dict(kv.split("=", 1) for kv in want.split())
for line in open(path):
    e = json.loads(line)
    b = e.get("body")
    if e["path"] != "/" + receiver or not b or b.get("receiver") != receiver:
        continue
    for a in b.get("alerts", []):
        l = a["labels"]
        if a["status"] == "firing" and l.get("alertname") == name and \
                all(l.get(k) == v for k, v in want.items()):
            print(" ".join(f"{k}={v}" for k, v in sorted(l.items())))
            sys.exit(0)
sys.exit(1)
EOF
}
scraped() { [[ $(value "count_over_time(up{job=\"inkwell\",instance=\"$hostport\"}[1m]) >= 3") != none ]]; }
ok "Prometheus scrapes the test stack through nginx" wait_for 30 scraped
if_fail diag "$(tail -n 20 "$TMP/prometheus.log")"

# --- a host down pages ------------------------------------------------------
ok "InkwellDown fires in Prometheus for the host without /metrics" \
	wait_for 30 firing InkwellDown "instance=$DEAD severity=page"
ok "and Alertmanager delivers it to the paging receiver's webhook" \
	wait_for 30 delivered page InkwellDown "instance=$DEAD severity=page job=inkwell"
if_fail diag "$(tail -n 5 "$TMP/hook.jsonl") $(tail -n 10 "$TMP/am.log")"
not_delivered() { ! delivered "$@" >/dev/null; }
ok "not to the ticket receiver" not_delivered ticket InkwellDown "instance=$DEAD"
ok "nothing reached the webhook that was not JSON" test "$(grep -c '"error"' "$TMP/hook.jsonl")" -eq 0

# --- fault injection burns the availability budget ---------------------------
# Reader traffic on / that the workers answer (no page file), for at
# most 90 s: 5 requests a second.
traffic() {
	local i
	for ((i = 0; i < 450; i++)); do
		curl -s -o /dev/null --max-time 5 -H 'X-Inkwell-Skip-Files: 1' "$URL/"
		sleep 0.2
	done
}
get() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'X-Inkwell-Skip-Files: 1' "$URL$1"; }
# The dashboard's queries, for this host: the two error budgets and the
# availability burn rates.
python3 - "$MON/grafana-dashboard.json" "$hostport" >"$TMP/panels" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
host = re.escape(sys.argv[2]).replace("\\", "\\\\")
for p in d["panels"]:
    for t in p["targets"]:
        if p["title"] in ("Availability error budget left (30 days)",
                          "Latency error budget left (30 days)") or \
                (p["title"] == "Availability burn rate" and t["legendFormat"] == "5m"):
            print(p["title"] + "\t" + t["expr"].replace('"$instance"', '"' + host + '"'))
EOF
is "$(wc -l <"$TMP/panels")" 3 "found the dashboard's error-budget and burn-rate queries"
BUDGET=$(awk -F '\t' '$1 == "Availability error budget left (30 days)" { print $2 }' "$TMP/panels")
LBUDGET=$(awk -F '\t' '$1 == "Latency error budget left (30 days)" { print $2 }' "$TMP/panels")
BURN=$(awk -F '\t' '$1 == "Availability burn rate" { print $2 }' "$TMP/panels")

traffic &
TRAFFIC_PID=$!
seen_reader() { [[ $(value "inkwell:slo_reader_requests:rate5m{instance=\"$hostport\"} > 0") != none ]]; }
ok "the SLO rules see the reader traffic" wait_for 30 seen_reader
is "$(value "$BUDGET")" 1 "before: the dashboard's availability budget is whole"
like "$(value "$LBUDGET")" '^-?[0-9.e+-]+$' "and the latency one is a number"

{
	cat "$TMP/conf.orig"
	printf '\n[chaos]\nenabled = true\nroute = /\nratio = 1\nerror_status = 503\n'
} >"$INKWELL_TEST_CONF"
ok "reloaded with [chaos] on / (every request, 503)" reload
is "$(get /)" 503 "/ now answers 503"
is "$(get /archive)" 200 "and /archive still 200"
burning() { below 14.4 "$(value "$BURN")"; }
ok "the dashboard's 5-minute availability burn rate goes above 14.4" wait_for 60 burning
if_fail diag "burn rate: $(value "$BURN")"
ok "InkwellAvailabilityBudgetBurn fires as a page in Prometheus" \
	wait_for 60 firing InkwellAvailabilityBudgetBurn "instance=$hostport severity=page slo=availability"
ok "Alertmanager delivers it to the paging receiver's webhook" \
	wait_for 30 delivered page InkwellAvailabilityBudgetBurn \
	"instance=$hostport severity=page slo=availability job=inkwell"
if_fail diag "$(tail -n 5 "$TMP/hook.jsonl") $(tail -n 10 "$TMP/am.log")"
note "delivered: $(delivered page InkwellAvailabilityBudgetBurn "instance=$hostport")"
after=$(value "$BUDGET")
ok "the dashboard's availability budget dropped below 0 (spent: $after)" below "$after" 0

# --- inhibition ------------------------------------------------------------
# am_state NAME LABELS: Alertmanager's state of its alert NAME with every
# k=v of LABELS: active, suppressed (with what inhibits it), or none.
am_state() {
	curl -s --max-time 5 "$AM/api/v2/alerts" | python3 -c '
import json, sys
want = dict(kv.split("=", 1) for kv in sys.argv[2].split())
for a in json.load(sys.stdin):
    l = a["labels"]
    if l.get("alertname") == sys.argv[1] and all(l.get(k) == v for k, v in want.items()):
        s = a["status"]
        print(s["state"] + (" by " + ",".join(s["inhibitedBy"]) if s["inhibitedBy"] else ""))
        sys.exit()
print("none")' "$1" "$2"
}
# The ticket twin of the page fires too in Prometheus (its thresholds
# are lower): Alertmanager holds it back.
ok "the ticket InkwellAvailabilityBudgetBurn fires in Prometheus too" \
	wait_for 30 firing InkwellAvailabilityBudgetBurn "instance=$hostport severity=ticket"
held() { [[ $(am_state "$1" "$2") == "suppressed by "* ]]; }
ok "Alertmanager holds the ticket back behind the page" \
	wait_for 10 held InkwellAvailabilityBudgetBurn "instance=$hostport severity=ticket"
if_fail diag "$(am_state InkwellAvailabilityBudgetBurn "instance=$hostport severity=ticket")"
# post JSON: alerts to Alertmanager, as Prometheus sends them.
post() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' \
		--data "$1" "$AM/api/v2/alerts"
}
is "$(post '[{"labels":{"alertname":"InkwellDown","severity":"page","job":"inkwell","instance":"down.test:80"}},
	{"labels":{"alertname":"InkwellServerErrors","severity":"page","instance":"down.test:80"}},
	{"labels":{"alertname":"InkwellServerErrors","severity":"page","instance":"up.test:80"}}]')" 200 \
	"posted a host down with its 5xx, and another host's 5xx"
ok "a host down holds back its own 5xx alert" wait_for 10 held InkwellServerErrors "instance=down.test:80"
is "$(am_state InkwellServerErrors instance=up.test:80)" active "not the other host's"
is "$(post '[{"labels":{"alertname":"InkwellDatabaseDown","severity":"page","job":"postgres","instance":"db.test:9187"}}]')" \
	200 "posted PostgreSQL down"
ok "PostgreSQL down holds back every host's 5xx" wait_for 10 held InkwellServerErrors "instance=up.test:80"
ok "and the burning budget of the test stack" \
	wait_for 10 held InkwellAvailabilityBudgetBurn "instance=$hostport severity=page"
is "$(am_state InkwellDatabaseDown instance=db.test:9187)" active "the cause itself stays active"

# --- chaos off --------------------------------------------------------------
stop "$TRAFFIC_PID"
TRAFFIC_PID=
cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
ok "reloaded without [chaos]" reload
is "$(get /)" 200 "/ answers 200 again"
done_testing
