#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3006-pg-crash: a write the API acknowledged survives a PostgreSQL crash.
# Writers create posts through nginx and the JSON API, a bounded load,
# and PostgreSQL is stopped with "pg_ctl stop -m immediate" (no checkpoint,
# no flush: what a crash of the server does) while they write.  After it
# starts again, every post that was answered 201 must be there.  With
# synchronous_commit = off a commit is acknowledged before its WAL is
# written, and the last few are lost; the test stack must not do that.
# It runs with fsync and full_page_writes on as well, as everything
# inkwell ships does (t/0007), though only a crash of PostgreSQL, not of
# the machine, is tested here.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
PGDATA=$INKWELL_TEST_VAR/pg
PGBIN=/usr/lib/postgresql/15/bin
[[ -d $PGDATA && -x $PGBIN/pg_ctl ]] || skip_all "no PostgreSQL cluster of the test stack at $PGDATA"
TMP=$(mktemp -d /tmp/inkwell-3006.XXXXXX)
WRITERS=4
PER_WRITER=150		# at most; each writer also stops after 20 s
pgctl() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" "$@"; }
start_pg() { pgctl -l "$INKWELL_TEST_VAR/log/postgresql.log" -w -t 60 start >/dev/null 2>&1; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	pgctl status >/dev/null 2>&1 || start_pg
	rm -rf "$TMP"
}
trap cleanup EXIT

is "$(pg -c 'SHOW synchronous_commit')" on "the test stack's PostgreSQL commits synchronously"
is "$(pg -c 'SHOW fsync')" on "with fsync on"
is "$(pg -c 'SHOW full_page_writes')" on "and full_page_writes on"

ctl user add --no-password --role author --name 'Crash Writer' t3006-writer >/dev/null 2>&1
tok=$(ctl token add --name t3006 t3006-writer 2>/dev/null)
like "$tok" '^iw_' "an API token for the writer"
run=$(date +%s)-$$

# writer W: creates posts t3006-RUN-W-I one after the other; prints
# "code slug" for each, "000" when no answer came back.  Stops at
# PER_WRITER posts, after 20 s, or when told to (file $TMP/stop).
writer() {
	local w=$1 i slug code end=$((SECONDS + 20))
	for ((i = 0; i < PER_WRITER && SECONDS < end; i++)); do
		[[ -e $TMP/stop ]] && break
		slug=t3006-$run-$w-$i
		code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' \
			-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
			--data "{\"slug\":\"$slug\",\"title\":\"Crash $w $i\",\"body_md\":\"written before a crash\",\"status\":\"published\"}" \
			"$URL/api/v1/posts") || true
		printf '%s %s\n' "${code:-000}" "$slug"
	done >"$TMP/w$w"
}

acked() { cat "$TMP"/w* 2>/dev/null | awk '$1 == 201' | wc -l; }
enough() { (($(acked) >= 40)); }

for ((w = 0; w < WRITERS; w++)); do
	writer "$w" &
	pids+=($!)
done
ok "the writers got 40 posts acknowledged" wait_for 20 enough
# The crash, in the middle of the writing.
ok "PostgreSQL stopped with -m immediate while the writers write" \
	pgctl -m immediate -w -t 30 stop
crash_acked=$(acked)
sleep 0.5
touch "$TMP/stop"
ok "PostgreSQL starts again (crash recovery)" start_pg
for p in "${pids[@]}"; do
	wait "$p" || true
done
pids=()

awk '$1 == 201 { print $2 }' "$TMP"/w* | sort >"$TMP/acked"
n=$(wc -l <"$TMP/acked")
note "$n posts acknowledged ($crash_acked before the crash), codes: $(cat "$TMP"/w* | awk '{ print $1 }' | sort | uniq -c | tr -s ' \n' ' ')"
ok "posts were acknowledged" test "$n" -ge 40

pg -c "SELECT slug FROM posts WHERE slug LIKE 't3006-$run-%'" | sort >"$TMP/there"
lost=$(comm -23 "$TMP/acked" "$TMP/there")
is "$(comm -12 "$TMP/acked" "$TMP/there" | wc -l)" "$n" "all $n acknowledged posts survived the crash"
if_fail diag "lost $(printf '%s\n' "$lost" | grep -c .): $(printf '%s' "$lost" | tr '\n' ' ')"

# The workers reconnect; the API answers again, and for the posts too.
ready() { [[ $(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$URL/readyz") == 200 ]]; }
ok "/readyz answers 200 after the restart" wait_for 30 ready
last=$(tail -n 1 "$TMP/acked")
is "$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$URL/api/v1/posts/$last")" 200 \
	"the last acknowledged post ($last) is served"

# Away again through the API, so the cache forgets them as it should.
gone=0
while read -r slug; do
	[[ $(curl -s -o /dev/null --max-time 10 -w '%{http_code}' -X DELETE \
		-H "Authorization: Bearer $tok" "$URL/api/v1/posts/$slug") == 204 ]] &&
		gone=$((gone + 1))
done <"$TMP/there"
is "$gone" "$(wc -l <"$TMP/there")" "the test's posts are deleted through the API"
done_testing
