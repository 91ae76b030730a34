#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4011-db-restart: PostgreSQL killed (pg_ctl stop -m immediate) and
# started again, through nginx.  The workers' connections die under them
# without a goodbye they read in time, so the first statement on each
# finds a dead connection.  That must never be a 500: while PostgreSQL is
# down it is a 503, and once it is back a read is asked again on a fresh
# connection and answered 200.  Under a bounded load: no 500 at any
# point, 503 only while PostgreSQL is down, and reads served again soon
# after it accepts connections (the figure is printed; the bound checked
# is a generous one, as this runs on small shared machines).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_CONF
URL=${INKWELL_TEST_URL%/}
PGDATA=$INKWELL_TEST_VAR/pg
PGBIN=/usr/lib/postgresql/15/bin
[[ -d $PGDATA && -x $PGBIN/pg_ctl ]] || skip_all "no PostgreSQL cluster of the test stack at $PGDATA"
TMP=$(mktemp -d /tmp/inkwell-4011.XXXXXX)
pgctl() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" "$@"; }
start_pg() { pgctl -l "$INKWELL_TEST_VAR/log/postgresql.log" -w -t 60 start >/dev/null 2>&1; }
kill_pg() { pgctl -m immediate -w -t 30 stop -s; }
cleanup() {
	pgctl status >/dev/null 2>&1 || start_pg
	rm -rf "$TMP"
}
trap cleanup EXIT

# The inkwell log from here on, to check it stays JSON lines: the server
# says goodbye with a WARNING that libpq would print on stderr bare.
LOG=$INKWELL_TEST_VAR/log/inkwell.log
logstart=$(($(stat -c %s "$LOG" 2>/dev/null || echo 0) + 1))

workers=$(sed -n 's/^[[:space:]]*workers[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$INKWELL_TEST_CONF" | head -n 1)
workers=${workers:-4}
# Reads that reach PostgreSQL every time: an unknown query key makes a
# URL the cache never stores.
path="/api/v1/posts?utm_source=4011"
code() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
# n requests one after another; prints their codes on one line.
burst() {
	local i out=
	for ((i = 0; i < $1; i++)); do out+="$(code "$URL$path&b=$i") "; done
	echo "${out% }"
}
n=$((workers * 4))
only200() { [[ $1 =~ ^(200 ?)+$ ]]; }

ok "before: $n reads answer 200" only200 "$(burst "$n")"

# --- one read at a time, PostgreSQL already back --------------------------
# Every connection a worker holds is dead, and the server is up again:
# the read is retried once on a fresh connection (200), never a 500.
ok "PostgreSQL killed (immediate shutdown)" kill_pg
ok "and started again" start_pg
seen=$(burst "$n")
ok "each worker's first read on its dead connection: 200 ($seen)" only200 "$seen"

# --- under load -------------------------------------------------------------
# 250 requests, one every 20 ms or so, each recorded as "start code end"
# (epoch seconds).
load() {
	local i s c
	for ((i = 0; i < 250; i++)); do
		s=$EPOCHREALTIME
		c=$(code "$URL$path")
		printf '%s %s %s\n' "$s" "$c" "$EPOCHREALTIME"
		sleep 0.02
	done >"$TMP/load"
}
load &
loader=$!
sleep 1.2
down_at=$EPOCHREALTIME
ok "under load: PostgreSQL killed" kill_pg
c=$(code "$URL$path")
is "$c" 503 "a read while it is down: 503"
sleep 1.5
ok "under load: PostgreSQL started again" start_pg
up_at=$EPOCHREALTIME
wait "$loader"

total=$(wc -l <"$TMP/load")
is "$total" 250 "the load got an answer for each of its 250 requests"
diag "statuses: $(awk '{print $2}' "$TMP/load" | sort | uniq -c | tr -s ' \n' ' ')"
is "$(awk '$2 == 500' "$TMP/load" | wc -l)" 0 "no 500 at any point"
is "$(awk '$2 != 200 && $2 != 503' "$TMP/load" | wc -l)" 0 "every answer was 200 or 503"
n503=$(awk '$2 == 503' "$TMP/load" | wc -l)
like "$n503" '^[1-9]' "the load saw the outage ($n503 answers of 503)"
# How long after pg_ctl said PostgreSQL accepts connections a read was
# first answered 200 again, and the last 503 sent after that.
first=$(awk -v u="$up_at" '$1 > u && $2 == 200 { printf "%.3f\n", $3 - u; exit }' "$TMP/load")
last=$(awk -v u="$up_at" '$1 > u && $2 == 503 { l = $3 - u } END { printf "%.3f\n", l + 0 }' "$TMP/load")
diag "reads served again ${first:-never} s after PostgreSQL was back; last 503 at +$last s"
ok "reads served again within 3 s of PostgreSQL accepting connections" \
	awk -v f="${first:-99}" 'BEGIN { exit !(f < 3) }'
# 503 only while it was down: none answered before the kill, none sent
# later than a generous grace after the start.
stray=$(awk -v d="$down_at" -v u="$up_at" '$2 == 503 && ($3 < d || $1 > u + 2)' "$TMP/load" | wc -l)
is "$stray" 0 "503 only while PostgreSQL was down"
sleep 0.3	# let the last lines land
tail -c "+$logstart" "$LOG" >"$TMP/log"
python3 -c '
import json, sys
bad = [l for l in open(sys.argv[1]) if not l.startswith("{") or
       not isinstance(json.loads(l), dict)]
sys.stdout.write("".join(bad[:5]))
sys.exit(1 if bad else 0)' "$TMP/log" >"$TMP/bad" 2>&1
is "$?" 0 "every line inkwell logged meanwhile is one JSON object"
if_fail diag "$(cat "$TMP/bad")"
done_testing
