#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4013-restart: inkwelld stopped and started again under a bounded load,
# through nginx, drops no request.  The stack restarts inkwelld the way
# systemd restarts inkwell.service under inkwell.socket (stack.sh's
# stack_inkwell_restart): the listening socket is held by a parent for
# the whole time, so connections that arrive between the old inkwelld's
# last accept and the new one's first wait in the kernel's backlog
# instead of being refused.  Alongside the GETs, a writer creates posts
# through the API (a POST, which nginx never retries): every GET must
# answer 200 and every POST 201 (no connect error, reset, 502 or other
# 5xx), the socket must be the same one (same inode) before and after,
# and the supervisor a new process.
# Bounded: at most LOAD GETs and 400 POSTs, 120 s.  Needs curl and pgrep.
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PIDFILE INKWELL_TEST_SOCKET INKWELL_BUILD INKWELL_TEST_CONF INKWELL_TEST_PG
URL=${INKWELL_TEST_URL%/}
TMP=$(mktemp -d /tmp/inkwell-4013.XXXXXX)
LOAD=${INKWELL_TEST_LOAD:-4000}
LOAD_PID=
WRITER_PID=
cleanup() {
	if [[ -n $LOAD_PID ]]; then
		kill "$LOAD_PID" 2>/dev/null || true
	fi
	if [[ -n $WRITER_PID ]]; then
		kill "$WRITER_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# The stack's own functions, on the test stack (the ports come from the
# environment script/test was given, or from the URL).
port=${URL##*:}
INKWELL_HTTP_PORT=${INKWELL_HTTP_PORT:-$port}
# shellcheck source=script/lib/stack.sh
. "$here/../script/lib/stack.sh"
STACK_BUILD=$INKWELL_BUILD
stack_init "$INKWELL_TEST_VAR" 8081 5434 6381
[[ $STACK_SOCKET == "$INKWELL_TEST_SOCKET" ]] ||
	skip_all "the test stack's socket is $INKWELL_TEST_SOCKET, not $STACK_SOCKET"

sup() { head -n 1 "$INKWELL_TEST_PIDFILE" 2>/dev/null | tr -dc '0-9'; }
# inode: the kernel's inode of the socket listening on that path (not
# the file's: a new socket bound to the same path may get the same one).
inode() {
	awk -v p="$INKWELL_TEST_SOCKET" '$8 == p && $4 == "00010000" { print $7 }' /proc/net/unix
}
workers_up() {
	local s
	s=$(sup)
	[[ -n $s ]] && (($(pgrep -c -x -P "$s" inkwelld 2>/dev/null || echo 0) >= STACK_WORKERS))
}
ok "inkwelld is up with its workers" wait_for 10 workers_up

ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
ctl user add --no-password --role author --name 'Restart Writer' t4013-writer >/dev/null 2>&1
tok=$(ctl token add --name t4013 t4013-writer 2>/dev/null)
like "$tok" '^iw_' "an API token for the writer"
run=$(date +%s)-$$

# start_writer FILE: POSTs posts t4013-RUN-ROUND-I one after another while
# the GET load runs (at most 200), "code slug" per post.
start_writer() {
	local file=$1 i code slug
	(
		for ((i = 0; i < 200; i++)); do
			kill -0 "$LOAD_PID" 2>/dev/null || break
			slug=t4013-$run-$round-$i
			code=$(curl -s -o /dev/null --max-time 30 -w '%{http_code}' \
				-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
				--data "{\"slug\":\"$slug\",\"title\":\"Restart $i\",\"status\":\"draft\"}" \
				"$URL/api/v1/posts") || true
			printf '%s %s\n' "${code:-000}" "$slug"
		done >"$file"
	) &
	WRITER_PID=$!
}

# start_load FILE: LOAD GETs of pages a worker makes (/healthz, /livez,
# the home page) through nginx, 4 at a time; one status code per request
# ("000": no answer at all).
start_load() {
	local i
	for ((i = 0; i < LOAD; i++)); do
		case $((i % 3)) in
		0) printf 'url = "%s/healthz?n=%d"\n' "$URL" "$i" ;;
		1) printf 'url = "%s/livez?n=%d"\n' "$URL" "$i" ;;
		2) printf 'url = "%s/?restart=%d"\n' "$URL" "$i" ;;
		esac
		printf 'output = "/dev/null"\n'
	done >"$TMP/curl.conf"
	timeout 120 curl --parallel --parallel-max 4 -s --max-time 30 \
		-w '%{http_code}\n' -K "$TMP/curl.conf" >"$1" 2>"$1.err" &
	LOAD_PID=$!
}

for round in 1 2; do
	before_sup=$(sup)
	before_inode=$(inode)
	like "$before_inode" '^[0-9]+$' "round $round: a socket listens on $INKWELL_TEST_SOCKET"
	start_load "$TMP/codes$round"
	start_writer "$TMP/posts$round"
	sleep 0.5
	t0=$EPOCHREALTIME
	rc=0
	stack_inkwell_restart >"$TMP/restart$round.log" 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	is "$rc" 0 "round $round: stack_inkwell_restart exits 0"
	if_fail diag "$(cat "$TMP/restart$round.log")"
	ok "round $round: the load was still running after the restart" kill -0 "$LOAD_PID"
	lrc=0
	wait "$LOAD_PID" || lrc=$?
	LOAD_PID=
	is "$lrc" 0 "round $round: the load finished in time"
	total=$(wc -l <"$TMP/codes$round")
	good=$(grep -cx 200 "$TMP/codes$round")
	note "round $round: restart took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; codes: $(sort "$TMP/codes$round" | uniq -c | tr -s ' \n' ' ')"
	is "$total" "$LOAD" "round $round: an answer for each of the $LOAD requests"
	is "$((total - good))" 0 "round $round: no failed request (all $total answered 200)"
	wait "$WRITER_PID" || true
	WRITER_PID=
	posts=$(wc -l <"$TMP/posts$round")
	created=$(awk '$1 == 201' "$TMP/posts$round" | wc -l)
	note "round $round: POST codes: $(awk '{ print $1 }' "$TMP/posts$round" | sort | uniq -c | tr -s ' \n' ' ')"
	ok "round $round: the writer posted during the restart ($posts posts)" test "$posts" -ge 10
	is "$((posts - created))" 0 "round $round: every POST answered 201"
	after_sup=$(sup)
	ok "round $round: a new inkwelld ($before_sup -> $after_sup)" \
		test -n "$after_sup" -a "$after_sup" != "$before_sup"
	ok "round $round: the old inkwelld is gone" _stack_gone "$before_sup"
	is "$(inode)" "$before_inode" "round $round: the same listening socket (inode) throughout"
	ok "round $round: the new inkwelld has its workers" wait_for 10 workers_up
done

psql -X -q -d "$INKWELL_TEST_PG" -c "DELETE FROM posts WHERE slug LIKE 't4013-$run-%'" >/dev/null 2>&1
done_testing
