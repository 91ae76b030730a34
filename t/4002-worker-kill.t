#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Workers die and get replaced without a single failed request:
#   1. under a bounded load on /healthz, SIGKILL a worker a few times; every
#      request must get a 200 (nginx retries the request that was in the
#      killed worker, see nginx/inkwell.conf) and the supervisor must fork
#      replacements;
#   2. under a second bounded load, SIGHUP the supervisor; every request
#      must get a 200 and every worker must have been replaced;
#   3. with a request provably inside every worker (each /readyz waits on a
#      table lock the test holds in PostgreSQL), SIGKILL one worker: nginx
#      must log the broken upstream and retry, and every request get 200.
# Everything is bounded in time. Needs: curl, pgrep (procps).
# shellcheck disable=SC2317 # helpers are called through ok, wait_for, if_fail
set -euo pipefail

# shellcheck source=t/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PIDFILE INKWELL_TEST_CONF

URL=${INKWELL_TEST_URL%/}
TMP=$(mktemp -d)
LOAD_PID=
cleanup() {
	if [[ -n $LOAD_PID ]] && kill -0 "$LOAD_PID" 2>/dev/null; then
		kill "$LOAD_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

SUP=$(head -n 1 "$INKWELL_TEST_PIDFILE" | tr -dc '0-9')
if [[ -z $SUP ]] || ! kill -0 "$SUP" 2>/dev/null; then
	skip_all "no running inkwelld supervisor in $INKWELL_TEST_PIDFILE"
fi

# The configured worker count: "workers = N" in [server].
WORKERS=$(awk -F '=' '
	/^[[:space:]]*\[/ { sect = $0; gsub(/[][[:space:]]/, "", sect) }
	sect == "server" && $1 ~ /^[[:space:]]*workers[[:space:]]*$/ {
		gsub(/[[:space:]]/, "", $2); print $2 }' "$INKWELL_TEST_CONF")
WORKERS=${INKWELL_SERVER_WORKERS:-$WORKERS}
[[ $WORKERS =~ ^[0-9]+$ ]] || skip_all "cannot read workers = N from $INKWELL_TEST_CONF"

# workers: the supervisor's live children, sorted, one line.
workers() {
	local pid out=()
	for pid in $(pgrep -x -P "$SUP" inkwelld 2>/dev/null); do
		[[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) != Z ]] || continue
		[[ -e /proc/$pid ]] && out+=("$pid")
	done
	((${#out[@]})) || return 0
	printf '%s\n' "${out[@]}" | sort -n | tr '\n' ' ' | sed 's/ $//'
}
# shellcheck disable=SC2086 # splitting the PID list is the point
nworkers() { local w; w=$(workers); set -- $w; echo $#; }

all_workers_up() { [[ $(nworkers) == "$WORKERS" ]]; }

# make_load N FILE: a curl config with N transfers of /healthz; curl prints
# one status code per transfer ("000" when it got no answer at all).
make_load() {
	local i
	for ((i = 0; i < $1; i++)); do
		printf 'url = "%s/healthz?n=%d"\noutput = "/dev/null"\n' "$URL" "$i"
	done >"$2"
}

# start_load FILE: runs the load in the background, codes into FILE.
start_load() {
	timeout 120 curl --parallel --parallel-max 8 -s --max-time 20 \
		-w '%{http_code}\n' -K "$TMP/curl.conf" >"$1" 2>"$1.err" &
	LOAD_PID=$!
}

# The load must last long enough to kill workers in the middle of it: a
# short warm-up measures the request rate, and each load is about 3 seconds
# of requests, at least 3000 and at most 30000 (INKWELL_TEST_LOAD fixes it).
if [[ -n ${INKWELL_TEST_LOAD:-} ]]; then
	REQUESTS=$INKWELL_TEST_LOAD
else
	make_load 500 "$TMP/warm.conf"
	t0=$EPOCHREALTIME
	timeout 60 curl --parallel --parallel-max 8 -s --max-time 20 -o /dev/null \
		-w '%{http_code}\n' -K "$TMP/warm.conf" >"$TMP/warm.codes" 2>&1 || true
	t1=$EPOCHREALTIME
	REQUESTS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {
		n = int(3 * 500 / (b - a + 0.001));
		if (n < 3000) n = 3000; if (n > 30000) n = 30000; print n }')
	note "warm-up: 500 requests in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s; load: $REQUESTS requests"
fi
make_load "$REQUESTS" "$TMP/curl.conf"

load_running() { kill -0 "$LOAD_PID" 2>/dev/null; }
finish_load() {
	local rc=0
	wait "$LOAD_PID" || rc=$?
	LOAD_PID=
	return "$rc"
}

# check_answers FILE NAME: every one of REQUESTS transfers answered 200.
check_answers() {
	local file=$1 name=$2 total good
	total=$(wc -l <"$file")
	good=$(grep -cx 200 "$file" || true)
	is "$total" "$REQUESTS" "$name: an answer for each of the $REQUESTS requests"
	is "$good" "$REQUESTS" "$name: every answer is 200"
	if ((good != total)); then
		diag "status codes: $(sort "$file" | uniq -c | tr -s ' \n' ' ')"
	fi
}

ok "supervisor has $WORKERS workers before the test" wait_for 10 all_workers_up
if_fail diag "workers: $(workers)"

# How many times nginx saw a worker vanish mid-request (and retried).
NGINX_LOG=${INKWELL_TEST_VAR:-/nonexistent}/log/nginx-error.log
upstream_errors() { grep -c 'upstream' "$NGINX_LOG" 2>/dev/null || true; }

# --- 1. SIGKILL workers under load ------------------------------------------
BEFORE=$(workers)
errors_before=$(upstream_errors)
killed=()
start_load "$TMP/codes1"
sleep 0.3
for round in 1 2 3; do
	load_running || break
	# shellcheck disable=SC2046
	set -- $(workers)
	(($#)) || break
	victim=$1
	if kill -KILL "$victim" 2>/dev/null; then
		killed+=("$victim")
	fi
	note "round $round: SIGKILL worker $victim"
	# The supervisor forks a replacement; wait for it before the next kill
	# so that there is always a worker to take the retried request.
	wait_for 10 all_workers_up || true
	sleep 0.5
done
load_rc=0
finish_load || load_rc=$?
is "$load_rc" 0 "load 1: curl finished in time"
like "${#killed[@]}" '^[1-9]' "killed ${#killed[@]} worker(s) while the load was running"
if_fail diag "the load ended too soon; set INKWELL_TEST_LOAD higher"
check_answers "$TMP/codes1" "load 1 (SIGKILL)"
note "nginx logged $(($(upstream_errors) - errors_before)) upstream error(s) (requests caught in a killed worker, retried)"

ok "supervisor $SUP is still running" kill -0 "$SUP"
ok "supervisor is back to $WORKERS workers" wait_for 10 all_workers_up
AFTER=$(workers)
survivor=
for pid in "${killed[@]}"; do
	if [[ " $AFTER " == *" $pid "* ]]; then
		survivor+=" $pid"
	fi
done
is "$survivor" "" "no killed worker is still listed"
isnt_same() { [[ $BEFORE != "$AFTER" ]]; }
ok "the workers have new PIDs ($BEFORE -> $AFTER)" isnt_same

# --- 2. SIGHUP (rolling reload) under load ----------------------------------
BEFORE=$(workers)
old_gone() {
	local w pid
	w=" $(workers) "
	for pid in $BEFORE; do
		if [[ $w == *" $pid "* ]]; then
			return 1
		fi
	done
	all_workers_up
}
start_load "$TMP/codes2"
sleep 0.2
ok "SIGHUP sent to the supervisor" kill -HUP "$SUP"
ok "every worker was replaced within 30s" wait_for 30 old_gone
if_fail diag "before: $BEFORE  now: $(workers)"
load_rc=0
finish_load || load_rc=$?
is "$load_rc" 0 "load 2: curl finished in time"
check_answers "$TMP/codes2" "load 2 (SIGHUP)"
ok "supervisor $SUP is still running after the reload" kill -0 "$SUP"
is "$(nworkers)" "$WORKERS" "still $WORKERS workers after the reload"

# --- 3. SIGKILL a worker with a request inside it ---------------------------
# /readyz reads inkwell_migrations; while this session holds an exclusive
# lock on it, every /readyz waits inside its worker.  The lock is held for
# 3 s, well under the workers' statement_timeout.
if [[ -n ${INKWELL_TEST_PG:-} ]] && command -v psql >/dev/null; then
	pg() { psql -X -q -t -A -d "$INKWELL_TEST_PG" "$@"; }
	ok "all $WORKERS workers up before the in-flight kill" wait_for 10 all_workers_up
	errors_before=$(upstream_errors)
	pg -c "BEGIN; LOCK TABLE inkwell_migrations IN ACCESS EXCLUSIVE MODE;
		SELECT pg_sleep(3); COMMIT;" >/dev/null 2>"$TMP/lock.err" &
	LOCK_PID=$!
	lock_held() {
		[[ $(pg -c "SELECT count(*) FROM pg_locks l JOIN pg_class c
			ON c.oid = l.relation WHERE c.relname = 'inkwell_migrations'
			AND l.mode = 'AccessExclusiveLock' AND l.granted") == 1 ]]
	}
	ok "the test holds the lock" wait_for 5 lock_held
	for ((i = 0; i < WORKERS; i++)); do
		timeout 60 curl -s -o /dev/null --max-time 30 -w '%{http_code}\n' \
			"$URL/readyz?inflight=$i" >"$TMP/inflight.$i" 2>&1 &
		INFLIGHT[i]=$!
	done
	waiting() {
		[[ $(pg -c "SELECT count(*) FROM pg_stat_activity WHERE
			application_name = 'inkwell' AND wait_event_type = 'Lock'") == "$WORKERS" ]]
	}
	ok "a /readyz request is waiting inside each of the $WORKERS workers" wait_for 2 waiting
	# shellcheck disable=SC2046
	set -- $(workers)
	ok "SIGKILL worker $1 while its request is in flight" kill -KILL "$1"
	wait "$LOCK_PID" || true
	codes=
	for ((i = 0; i < WORKERS; i++)); do
		wait "${INFLIGHT[i]}" || true
		codes+="$(cat "$TMP/inflight.$i") "
	done
	is "$codes" "$(printf '200 %.0s' $(seq "$WORKERS"))" \
		"every in-flight request answered 200, the killed one retried"
	ok "nginx logged the broken upstream it retried" \
		test "$(upstream_errors)" -gt "$errors_before"
	if_fail diag "$(tail -n 5 "$NGINX_LOG" 2>/dev/null)"
	ok "supervisor replaced the killed worker" wait_for 10 all_workers_up
else
	pass "# SKIP INKWELL_TEST_PG or psql missing: in-flight kill not run"
fi

done_testing
