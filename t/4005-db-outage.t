#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4005-db-outage: PostgreSQL stopped and started again under a bounded
# load, through nginx.  While it is down pages answer 503 with Retry-After
# at once (never hang), except those the page cache holds, which are still
# served; /healthz stays 200 and /readyz says 503; when it is back the
# workers reconnect by themselves.  Every request gets an answer, and 503
# only while the database is really down.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG
URL=${INKWELL_TEST_URL%/}
PGDATA=$INKWELL_TEST_VAR/pg
PGBIN=/usr/lib/postgresql/15/bin
[[ -d $PGDATA && -x $PGBIN/pg_ctl ]] || skip_all "no PostgreSQL cluster of the test stack at $PGDATA"
TMP=$(mktemp -d /tmp/inkwell-4005.XXXXXX)
pgctl() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" "$@"; }
restart_pg() { pgctl -l "$INKWELL_TEST_VAR/log/postgresql.log" -w -t 60 start >/dev/null 2>&1; }
cleanup() {
	pgctl status >/dev/null 2>&1 || restart_pg
	rm -rf "$TMP"
}
trap cleanup EXIT

slug=$(psql -X -q -t -A -d "$INKWELL_TEST_PG" -c \
	"SELECT slug FROM posts WHERE status = 'published' AND published_at <= now() LIMIT 1")
# The page cache would answer for a page it holds even with the database
# down (checked below); an unknown query key makes a URL the cache never
# stores, so these requests reach PostgreSQL every time.
cached=/posts/${slug:-none}
path="$cached?utm_source=4005"
code() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
# Run alone on an empty database there is no post: the page is a 404,
# which also needs PostgreSQL (it looked the slug up).
want=$([[ -n $slug ]] && echo 200 || echo 404)
is "$(code "$URL$path")" "$want" "before: $path answers"
# Warm the cache, and wait until it stays warm: a post that went live
# within the last second (a test before this one may have just imported
# one) retires the pages made before that second once the keeper looks,
# up to a second later. A HIT that is still a HIT 1.2 s on is one the
# outage below can rely on.
warm() {
	code "$URL$cached" >/dev/null
	sleep 1.2
	curl -s -o /dev/null -D - --max-time 10 "$URL$cached" | tr -d '\r' | grep -q '^X-Cache: HIT'
}
[[ -n $slug ]] && { ok "the cached page stays cached" wait_for 10 warm; }

# A bounded load in the background: 200 requests, one every 20 ms or so,
# each recorded as "start code end" (epoch seconds).
load() {
	local i s c
	for ((i = 0; i < 200; i++)); do
		s=$EPOCHREALTIME
		c=$(code "$URL$path")
		printf '%s %s %s\n' "$s" "$c" "$EPOCHREALTIME"
		sleep 0.02
	done >"$TMP/load"
}
load &
loader=$!
sleep 1.5

down_at=$EPOCHREALTIME
ok "PostgreSQL stopped (fast shutdown)" pgctl -m fast -w -t 30 stop -s
t0=$EPOCHREALTIME
c=$(curl -s -o "$TMP/body" -D "$TMP/head" --max-time 10 -w '%{http_code}' "$URL$path")
t1=$EPOCHREALTIME
is "$c" 503 "a page while the database is down: 503"
ok "answered within 2 s, not after a timeout" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }'
like "$(tr -d '\r' <"$TMP/head")" $'\n''Retry-After: [0-9]+' "503 carries Retry-After"
like "$(cat "$TMP/body")" '503' "the 503 page says so"
is "$(code "$URL/api/v1/posts?utm_source=4005")" 503 "API while down: 503"
like "$(curl -s --max-time 10 "$URL/api/v1/posts?utm_source=4005")" '"code":"unavailable"' "API 503 is the stable JSON error"
if [[ -n $slug ]]; then
	c=$(curl -s -o /dev/null -D "$TMP/head" --max-time 10 -w '%{http_code}' "$URL$cached")
	is "$c" 200 "a page the cache holds is still served while the database is down"
	like "$(tr -d '\r' <"$TMP/head")" $'\n''X-Cache: HIT' "from the cache"
fi
is "$(code "$URL/healthz")" 200 "/healthz stays 200 (the process is up)"
is "$(code "$URL/readyz")" 503 "/readyz says 503"
sleep 2

ok "PostgreSQL started again" restart_pg
up_at=$EPOCHREALTIME
back() { [[ $(code "$URL$path") == "$want" ]]; }
recovered=1
for ((i = 0; i < 50; i++)); do
	back && { recovered=0; break; }
	sleep 0.1
done
ok "pages are served again within 5 s, with no restart of inkwell" test "$recovered" -eq 0
# A worker that saw the database down waits a short jittered pause
# before its next attempt, so the one that did not serve the check above
# may still be waiting it out.
ready=1
for ((i = 0; i < 20; i++)); do
	[[ $(code "$URL/readyz") == 200 ]] && { ready=0; break; }
	sleep 0.1
done
ok "/readyz is 200 again within 2 s" test "$ready" -eq 0
wait "$loader"

total=$(wc -l <"$TMP/load")
is "$total" 200 "the load got an answer for each of its 200 requests"
bad=$(awk -v w="$want" '$2 != w && $2 != 503' "$TMP/load" | wc -l)
is "$bad" 0 "every answer was $want or 503 (no 502, 504 or hang)"
if_fail diag "$(awk '{print $2}' "$TMP/load" | sort | uniq -c)"
# 503s only between the stop and a grace after the start (the reconnect
# back-off is a fraction of a second).  A request still in flight when
# the stop began belongs to the outage: stray means answered before the
# stop, or sent after the grace.
stray=$(awk -v d="$down_at" -v u="$up_at" '$2 == 503 && ($3 < d || $1 > u + 1.5)' "$TMP/load" | wc -l)
is "$stray" 0 "503 only while the database was down"
n503=$(awk '$2 == 503' "$TMP/load" | wc -l)
like "$n503" '^[1-9]' "the load saw the outage ($n503 answers of 503)"
done_testing
