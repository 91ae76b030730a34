#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4030-chaos: fault injection ([chaos] in inkwell.conf) through nginx,
# PostgreSQL and Redis, each setting applied by a reload:
#   - without the section, nothing is injected and the counters stay;
#   - error_status at ratio 1 on one route: that route answers the status
#     (the theme's page, marked X-Inkwell-Chaos: injected), other routes
#     do not, and /metrics and the log count every injection;
#   - with a header secret (from a file), only requests carrying it are
#     hit, and an API route answers the API's JSON error;
#   - latency: the answer is marked and the delay logged and counted (no
#     timing is asserted);
#   - crash: the worker aborts, the supervisor replaces it (restarts
#     grow by as many as crashes were injected) and the log says so;
#   - a route that does not exist is refused (inkwelld -t, and a reload
#     keeps the running configuration);
#   - the section removed again, the same requests are served as before.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/workers.sh
. "$here/lib/workers.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_CONF INKWELL_TEST_PIDFILE INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
LOG=$INKWELL_TEST_VAR/log/inkwell.log
[[ -f $LOG ]] || skip_all "no inkwell log at $LOG"
workers_init
TMP=$(mktemp -d /tmp/inkwell-4030.XXXXXX)
SECRET=chaos-4030-$RANDOM$RANDOM

all_up() { [[ $(workers | wc -l) -ge $NWORKERS ]]; }
# with_chaos LINES: the test's configuration plus a [chaos] section.
with_chaos() {
	{
		cat "$TMP/conf.orig"
		printf '\n[chaos]\n%s\n' "$1"
	} >"$INKWELL_TEST_CONF"
	reload
}
cleanup() {
	if [[ -f $TMP/conf.orig ]] && ! cmp -s "$TMP/conf.orig" "$INKWELL_TEST_CONF"; then
		cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
		reload
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
cp "$INKWELL_TEST_CONF" "$TMP/conf.orig"
if grep -q '^\[chaos\]' "$TMP/conf.orig"; then
	skip_all "$INKWELL_TEST_CONF already has a [chaos] section"
fi
printf '%s\n' "$SECRET" >"$TMP/secret"

# req PATH [curl args]: the status; head and body in $TMP/head, $TMP/body.
# X-Inkwell-Skip-Files sends it to the workers even when a page file of
# it exists (nginx/inkwell.conf).
req() {
	local path=$1
	shift
	curl -s --max-time 30 -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' \
		-H 'X-Inkwell-Skip-Files: 1' "$@" "$URL$path"
}
header() { tr -d '\r' <"$TMP/head" | awk -v h="$1" 'BEGIN { h = tolower(h) ": " }
	index(tolower($0), h) == 1 { print substr($0, length(h) + 1) }'; }
scrape() { curl -s --max-time 10 -o "$1" -w '%{http_code}' "$URL/metrics"; }
value() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }
delta() { awk -v a="$(value "$1" "$3")" -v b="$(value "$2" "$3")" 'BEGIN { printf "%d\n", b - a }'; }
C='inkwell_chaos_injections_total{kind="'
# The log from here on: only what this test causes is looked at.
mark() { LOGAT=$(($(stat -c %s "$LOG") + 1)); }
newlog() { tail -c "+$LOGAT" "$LOG"; }
count() { newlog | grep -c -- "$1"; }

# --- off: no section -------------------------------------------------------
is "$(scrape "$TMP/m0")" 200 "/metrics answers"
for k in latency error crash; do
	ok "/metrics counts kind=\"$k\" even when off" grep -q "^$C$k\"} " "$TMP/m0"
done
mark
is "$(req /archive)" 200 "without [chaos]: /archive answers 200"
is "$(header X-Inkwell-Chaos)" "" "  unmarked"
is "$(req /archive -H "X-Inkwell-Chaos: $SECRET")" 200 "  with the header too"
is "$(req /)" 200 "  and / answers 200"

# --- errors at ratio 1 on one route ---------------------------------------
mark
with_chaos 'enabled = true
route = /archive
ratio = 1
error_status = 503'
ok "reloaded with errors on /archive" test $? -eq 0
like "$(newlog)" 'FAULT INJECTION IS ON.*error.*route /archive' "the reload logs a loud warning"
like "$(newlog | grep 'FAULT INJECTION')" '"level":"warn"' "  as a warning"
scrape "$TMP/m1" >/dev/null
ids=()
for i in 1 2 3; do
	is "$(req /archive)" 503 "GET /archive $i: the injected 503"
	is "$(header X-Inkwell-Chaos)" injected "  marked X-Inkwell-Chaos: injected"
	ids+=("$(header X-Request-Id)")
done
like "$(header Content-Type)" '^text/html' "  an HTML error page"
like "$(cat "$TMP/body")" '503' "  that says 503"
is "$(req /archive -I)" 503 "HEAD /archive is the same route: 503"
is "$(req /)" 200 "GET /: another route, untouched"
is "$(header X-Inkwell-Chaos)" "" "  and unmarked"
is "$(req /feed.atom)" 200 "GET /feed.atom: untouched"
scrape "$TMP/m2" >/dev/null
is "$(delta "$TMP/m1" "$TMP/m2" "${C}error\"}")" 4 "/metrics: 4 errors injected"
is "$(delta "$TMP/m1" "$TMP/m2" "${C}latency\"}")" 0 "  no delay"
is "$(delta "$TMP/m1" "$TMP/m2" "${C}crash\"}")" 0 "  no crash"
is "$(delta "$TMP/m1" "$TMP/m2" 'inkwell_http_requests_total{method="GET",route="/archive",code="503"}')" 4 \
	"  the route's 503s grew by 4, as the SLO rules see them"
is "$(count '"chaos: injecting error into [A-Z]* /archive (route /archive')" 4 "the log has a line for each"
for id in "${ids[@]}"; do
	like "$(newlog | grep 'chaos: injecting')" "req_id $id" "  one names request $id"
done

# --- only with the secret, on an API route ---------------------------------
mark
with_chaos "enabled = true
route = /api/v1/posts
ratio = 1
error_status = 502
header_secret_file = $TMP/secret"
ok "reloaded with a header secret from a file" test $? -eq 0
like "$(newlog | grep 'FAULT INJECTION')" 'that carry the X-Inkwell-Chaos secret' "  the warning says the secret gates it"
unlike "$(newlog)" "$SECRET" "  and never shows the secret"
scrape "$TMP/m1" >/dev/null
is "$(req /api/v1/posts)" 200 "no header: /api/v1/posts answers 200"
is "$(req /api/v1/posts -H 'X-Inkwell-Chaos: wrong')" 200 "a wrong secret: 200"
is "$(req /api/v1/posts -H "X-Inkwell-Chaos: ${SECRET}x")" 200 "the secret and more: 200"
is "$(req /api/v1/posts -H "X-Inkwell-Chaos: $SECRET")" 502 "the secret: the injected 502"
is "$(header X-Inkwell-Chaos)" injected "  marked"
is "$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["status"], e["code"])' \
	"$TMP/body" 2>&1)" "502 internal" "  the API's JSON error"
is "$(req /archive -H "X-Inkwell-Chaos: $SECRET")" 200 "the secret on another route: 200"
is "$(req '/api/v1/posts?page=1' -H "X-Inkwell-Chaos: $SECRET")" 502 "a query is the same route: 502"
scrape "$TMP/m2" >/dev/null
is "$(delta "$TMP/m1" "$TMP/m2" "${C}error\"}")" 2 "/metrics: 2 errors injected"
is "$(count 'chaos: injecting error')" 2 "  and 2 logged"

# --- latency --------------------------------------------------------------
mark
with_chaos 'enabled = true
route = /archive
ratio = 1
latency_ms = 20'
ok "reloaded with a delay on /archive" test $? -eq 0
scrape "$TMP/m1" >/dev/null
is "$(req /archive)" 200 "a delayed /archive still answers 200"
is "$(header X-Inkwell-Chaos)" injected "  marked"
is "$(req /)" 200 "/ answers"
is "$(header X-Inkwell-Chaos)" "" "  unmarked"
scrape "$TMP/m2" >/dev/null
is "$(delta "$TMP/m1" "$TMP/m2" "${C}latency\"}")" 1 "/metrics: 1 delay injected"
is "$(delta "$TMP/m1" "$TMP/m2" "${C}error\"}")" 0 "  no error"
is "$(count 'chaos: injecting latency into GET /archive')" 1 "  and logged"

# --- crash ------------------------------------------------------------------
mark
with_chaos "enabled = true
route = /archive
ratio = 1
crash = true
header_secret = $SECRET"
ok "reloaded with crashes on /archive" test $? -eq 0
scrape "$TMP/m1" >/dev/null
before=$(workers)
code=$(req /archive -H "X-Inkwell-Chaos: $SECRET")
# nginx retries a GET once on another worker, which is hit too: the
# reader sees nginx's 502.
is "$code" 502 "the request that crashed its workers: 502 from nginx"
crashes_counted() {
	scrape "$TMP/m2" >/dev/null
	local c r
	c=$(delta "$TMP/m1" "$TMP/m2" "${C}crash\"}")
	r=$(delta "$TMP/m1" "$TMP/m2" inkwell_worker_restarts_total)
	((c >= 1 && r == c))
}
ok "the supervisor replaced each crashed worker (restarts == crashes)" wait_for 20 crashes_counted
if_fail diag "crashes $(delta "$TMP/m1" "$TMP/m2" "${C}crash\"}"), restarts $(delta "$TMP/m1" "$TMP/m2" inkwell_worker_restarts_total)"
ok "as many workers as before" wait_for 20 all_up
ok "  and at least one of them new" test -n "$(comm -13 <(echo "$before") <(workers))"
ncrash=$(delta "$TMP/m1" "$TMP/m2" "${C}crash\"}")
is "$(count 'chaos: worker aborting on purpose')" "$ncrash" "the log has each crash"
is "$(count 'killed by signal 6')" "$ncrash" "  and the supervisor saw each abort"
is "$(req /archive)" 200 "without the secret /archive answers 200"
is "$(req /healthz)" 200 "/healthz answers 200"

# --- a route that does not exist ---------------------------------------------
{
	cat "$TMP/conf.orig"
	printf '\n[chaos]\nenabled = true\nroute = /archives\nratio = 1\nerror_status = 500\n'
} >"$TMP/bad.conf"
out=$("$INKWELL_BUILD/inkwelld" -t -c "$TMP/bad.conf" 2>&1)
is "$?" 1 "inkwelld -t refuses a route that does not exist"
like "$out" 'route = "/archives": no such route' "  saying which"
mark
before=$(workers)
cp "$TMP/bad.conf" "$INKWELL_TEST_CONF"
kill -HUP "$SUP"
logged_refusal() { newlog | grep -q 'reload: configuration has errors'; }
ok "a reload to it is refused" wait_for 20 logged_refusal
like "$(newlog)" 'no such route' "  saying why"
is "$(workers)" "$before" "  and keeps the running workers"
is "$(req /archive -H "X-Inkwell-Chaos: $SECRET")" 502 "  with their configuration (crash)"
wait_for 20 all_up

# --- off again -----------------------------------------------------------------
mark
cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
reload
ok "reloaded without [chaos]" test $? -eq 0
unlike "$(newlog)" 'FAULT INJECTION' "  no warning"
scrape "$TMP/m1" >/dev/null
is "$(req /archive -H "X-Inkwell-Chaos: $SECRET")" 200 "/archive with the header: 200"
is "$(header X-Inkwell-Chaos)" "" "  unmarked"
is "$(req /archive)" 200 "/archive: 200"
is "$(req /api/v1/posts -H "X-Inkwell-Chaos: $SECRET")" 200 "/api/v1/posts: 200"
scrape "$TMP/m2" >/dev/null
for k in latency error crash; do
	is "$(delta "$TMP/m1" "$TMP/m2" "$C$k\"}")" 0 "  no $k counted"
done
is "$(count 'chaos:')" 0 "  nor logged"
done_testing
