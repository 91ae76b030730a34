#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4027-coalesce: render coalescing through nginx, PostgreSQL and Redis.
# After a write every cached page misses at once; with a render held up
# in PostgreSQL (a table every page reads locked for a moment), 16
# concurrent readers of one page all get the same 200, and the page is
# rendered exactly once: the others wait for it and answer it as a hit.
# With coalescing off ([cache] render_wait_ms = 0, by a reload) the same
# burst renders it more than once, so the count can tell.  A redirect
# stored in the cache is coalesced the same way, and a 404 (nothing to
# store) hands the lock on at once: no reader waits out the bound.  A
# render lock nobody releases makes its waiters time out and render
# (counted as overlapping), and meanwhile an author's write followed by
# a read shows the new text at once, as it does five times over under a
# load of concurrent readers (read-your-writes).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/workers.sh
. "$here/lib/workers.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_TEST_PIDFILE INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
[[ -x $CTL && -S $INKWELL_TEST_VAR/run/redis.sock ]] || skip_all "no test stack Redis or inkwellctl"
workers_init
command -v redis-cli >/dev/null || skip_all "no redis-cli"
TMP=$(mktemp -d /tmp/inkwell-4027.XXXXXX)
SLUG=coalesce-4027
OLD=/r4027-old
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
rcli() {
	REDISCLI_AUTH=$(cat "$INKWELL_TEST_VAR/redis-password") \
		redis-cli -s "$INKWELL_TEST_VAR/run/redis.sock" "$@" 2>/dev/null
}
LOCKER=
cleanup() {
	[[ -n $LOCKER ]] && kill "$LOCKER" 2>/dev/null
	wait 2>/dev/null
	if [[ -f $TMP/conf.orig ]] && ! cmp -s "$TMP/conf.orig" "$INKWELL_TEST_CONF"; then
		cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
		reload
	fi
	sql "DELETE FROM posts WHERE slug = '$SLUG'; DELETE FROM redirects WHERE from_path = '$OLD'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
cp "$INKWELL_TEST_CONF" "$TMP/conf.orig"

# A post of our own, written as an author's write is: inkwellctl.
mkdir -p "$TMP/in"
WHEN=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
post() {
	cat >"$TMP/in/$SLUG.md" <<-EOT
		---
		title: "$1"
		slug: $SLUG
		author: coalesce-tester
		author_name: Coalesce Tester
		date: $WHEN
		status: published
		---
		The coalescing test's post.
	EOT
	"$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/in" >"$TMP/import.log" 2>&1
}

# snap FILE: /metrics into FILE.  value FILE SERIES (0 when absent).
snap() { curl -s --max-time 5 -o "$1" "$URL/metrics"; }
value() { awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$1"; }
delta() { echo $(($(value "$2" "$3") - $(value "$1" "$3"))); }
RENDERS=inkwell_cache_renders_total
WHIT='inkwell_cache_render_waits_total{outcome="hit"}'
WTIME='inkwell_cache_render_waits_total{outcome="timeout"}'
OVER=inkwell_cache_renders_overlapping_total

# hold TABLE SECONDS: a background psql holds TABLE in ACCESS EXCLUSIVE
# mode for SECONDS (every render that reads it waits); returns once the
# lock is granted (at most 5 s).
hold() {
	psql -X -q -d "$INKWELL_TEST_PG" -c "BEGIN; LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE;
		SELECT pg_sleep($2); COMMIT;" >/dev/null 2>&1 &
	LOCKER=$!
	held() {
		[[ $(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND granted
			AND mode = 'AccessExclusiveLock' AND relation = '$1'::regclass") == 1 ]]
	}
	wait_for 5 held "$1"
}
# burst N PATH: N concurrent GETs of PATH; "code x-cache md5" a line in
# $TMP/burst (bodies in $TMP/b.I).
burst() {
	local i pids=()
	for ((i = 0; i < $1; i++)); do
		(
			code=$(curl -s --max-time 10 -o "$TMP/b.$i" -D "$TMP/h.$i" -w '%{http_code}' "$URL$2")
			x=$(tr -d '\r' <"$TMP/h.$i" | sed -n 's/^X-Cache: //p')
			loc=$(tr -d '\r' <"$TMP/h.$i" | sed -n 's/^Location: //p')
			printf '%s %s %s %s\n' "$code" "${x:--}" "$(md5sum <"$TMP/b.$i" | cut -c1-32)" "${loc:--}"
		) >"$TMP/r.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	cat "$TMP"/r.* >"$TMP/burst"
	rm -f "$TMP"/r.*
}
# experiment TITLE TABLE PATH: a write, TABLE held for 0.6 s, 16 readers
# of PATH meanwhile; metrics before and after in $TMP/m0, $TMP/m1.
experiment() {
	post "$1" || { diag "$(cat "$TMP/import.log")"; return 1; }
	snap "$TMP/m0"
	hold "$2" 0.6 || return 1
	burst 16 "$3"
	wait "$LOCKER" 2>/dev/null
	LOCKER=
	snap "$TMP/m1"
}

ok "a post imported" post "Coalesce title zero"
if_fail diag "$(cat "$TMP/import.log")"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/posts/$SLUG")" 200 "its page answers"
ok "there are $NWORKERS workers (a burst needs two or more)" test "$NWORKERS" -ge 2

# --- one render for a burst of readers -----------------------------------
# Every page reads the settings; holding them holds up the first render.
ok "burst with coalescing on" experiment "Coalesce title one" settings "/posts/$SLUG"
is "$(awk '$1 != 200' "$TMP/burst" | wc -l)" 0 "all 16 answers are 200"
is "$(awk '{ print $3 }' "$TMP/burst" | sort -u | wc -l)" 1 "with one and the same body"
like "$(cat "$TMP/b.0")" 'Coalesce title one' "the page after the write"
is "$(delta "$TMP/m0" "$TMP/m1" "$RENDERS")" 1 "the page was rendered exactly once"
if_fail diag "$(sort "$TMP/burst" | uniq -c)"
ok "another reader waited for that render and answered it ($(delta "$TMP/m0" "$TMP/m1" "$WHIT") waits)" \
	test "$(delta "$TMP/m0" "$TMP/m1" "$WHIT")" -ge 1
is "$(awk '$2 == "MISS"' "$TMP/burst" | wc -l)" 1 "one answer says MISS, the rest HIT"
is "$(delta "$TMP/m0" "$TMP/m1" "$WTIME")" 0 "no wait timed out"
is "$(delta "$TMP/m0" "$TMP/m1" "$OVER")" 0 "no render overlapped another"

# --- a cached redirect ----------------------------------------------------
sql "INSERT INTO redirects (from_path, to_path) VALUES ('$OLD', '/posts/$SLUG')"
redirected() { [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL$OLD") == 301 ]]; }
ok "a redirect made with psql is followed (within 5 s)" wait_for 5 redirected
ok "burst on the redirect" experiment "Coalesce title two" redirects "$OLD"
is "$(awk -v l="/posts/$SLUG" '$1 == 301 && $4 == l' "$TMP/burst" | wc -l)" 16 \
	"all 16 answers are the 301 to the post"
if_fail diag "$(sort "$TMP/burst" | uniq -c)"
is "$(delta "$TMP/m0" "$TMP/m1" "$RENDERS")" 1 "the redirect was looked up once"
ok "the others waited for it" test "$(delta "$TMP/m0" "$TMP/m1" "$WHIT")" -ge 1
is "$(delta "$TMP/m0" "$TMP/m1" "$OVER")" 0 "no overlap"

# --- a 404 stores nothing: the lock is handed on --------------------------
t0=$EPOCHREALTIME
ok "burst on a page that does not exist" experiment "Coalesce title three" redirects /no-such-4027
t1=$EPOCHREALTIME
is "$(awk '$1 == 404' "$TMP/burst" | wc -l)" 16 "all 16 answers are 404"
is "$(delta "$TMP/m0" "$TMP/m1" "$RENDERS")" 16 "each of them was made (a 404 is never stored)"
is "$(delta "$TMP/m0" "$TMP/m1" "$WTIME")" 0 "none waited out the bound: the lock was handed on"
is "$(delta "$TMP/m0" "$TMP/m1" "$OVER")" 0 "and they were made one at a time"
ok "all within 3 s" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }'

# --- coalescing off: the count can tell -----------------------------------
printf '\n[cache]\nrender_wait_ms = 0\n' >>"$INKWELL_TEST_CONF"
ok "reloaded with render_wait_ms = 0" reload
ok "burst with coalescing off" experiment "Coalesce title four" settings "/posts/$SLUG"
is "$(awk '$1 != 200' "$TMP/burst" | wc -l)" 0 "all 16 answers are 200"
n=$(delta "$TMP/m0" "$TMP/m1" "$RENDERS")
ok "the page was rendered more than once ($n times)" test "$n" -gt 1
is "$(delta "$TMP/m0" "$TMP/m1" "$WHIT")" 0 "nobody waited"
cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
ok "reloaded with the stack's configuration" reload

# --- a lock nobody releases; read-your-writes meanwhile -------------------
# Stands for a worker stuck in a render: its lock, made by hand the way
# cache.c makes one ({iw}:l:<version>:<page key without {iw}:p:>).
ok "a write" post "Coalesce title five"
curl -s -o /dev/null "$URL/posts/$SLUG"
pkey=$(rcli --scan --pattern "{iw}:p:*/posts/$SLUG?" | head -n 1)
like "$pkey" "/posts/$SLUG\\?\$" "the page's key in Redis ($pkey)"
# stuck: a write, then the lock of its version taken by nobody.
stuck() {
	post "$1" || return 1
	lkey="{iw}:l:$(rcli get '{iw}:version'):${pkey#\{iw\}:p:}"
	[[ $(rcli set "$lkey" stuck-4027 PX 5000 NX) == OK ]]
}
# reader NAME: a GET in the background: "code seconds x-cache" in
# $TMP/NAME.out, the body in $TMP/NAME.
reader() {
	curl -s --max-time 10 -o "$TMP/$1" -D "$TMP/$1.head" -w '%{http_code} %{time_total}' \
		"$URL/posts/$SLUG" >"$TMP/$1.out"
	printf ' %s\n' "$(tr -d '\r' <"$TMP/$1.head" | sed -n 's/^X-Cache: //p')" >>"$TMP/$1.out"
}
ok "a write, and its render lock held by nobody" stuck "Coalesce title six"
snap "$TMP/m0"
reader lone
read -r wcode wtime wx <"$TMP/lone.out"
snap "$TMP/m1"
is "$wcode" 200 "a reader: 200 all the same"
ok "  after waiting out the bound, 1 s ($wtime s)" awk -v t="$wtime" 'BEGIN { exit !(t >= 0.9 && t < 5) }'
is "$wx" MISS "  made by itself"
is "$(delta "$TMP/m0" "$TMP/m1" "$WTIME")" 1 "the wait is counted as timed out"
is "$(delta "$TMP/m0" "$TMP/m1" "$OVER")" 1 "and its render as overlapping"
rcli del "$lkey" >/dev/null

ok "a write, and its render lock held by nobody again" stuck "Coalesce title seven"
reader waiter &
waiter=$!
sleep 0.3
ok "the author's write while a reader waits" post "Coalesce title eight"
t0=$EPOCHREALTIME
is "$(curl -s --max-time 10 -o "$TMP/author" -w '%{http_code}' "$URL/posts/$SLUG")" 200 "the author's read: 200"
t1=$EPOCHREALTIME
like "$(cat "$TMP/author")" 'Coalesce title eight' "  shows the new title"
ok "  at once (not held up by the stuck lock of the version before)" \
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 0.5) }'
wait "$waiter"
read -r wcode wtime wx <"$TMP/waiter.out"
is "$wcode" 200 "the waiting reader: 200"
like "$(cat "$TMP/waiter")" 'Coalesce title eight' "  with the author's page, the newer one it saw stored"
is "$wx" HIT "  as a hit"
ok "  before its bound ($wtime s)" awk -v t="$wtime" 'BEGIN { exit !(t < 0.9) }'
rcli del "$lkey" >/dev/null

# --- read-your-writes under a load of readers -----------------------------
load() {
	local i
	for ((i = 0; i < 400; i++)); do
		[[ -e $TMP/stop ]] && break
		curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' "$URL/posts/$SLUG"
	done >>"$TMP/load.$1"
}
load 1 &
l1=$!
load 2 &
l2=$!
load 3 &
l3=$!
stale=0
for k in 1 2 3 4 5; do
	post "Coalesce load title $k" || diag "$(cat "$TMP/import.log")"
	curl -s --max-time 10 -o "$TMP/author" "$URL/posts/$SLUG"
	if ! grep -q "Coalesce load title $k<" "$TMP/author"; then
		stale=$((stale + 1))
		diag "write $k: the read after it shows $(grep -o 'Coalesce[^<]*' "$TMP/author" | head -n 1)"
	fi
done
touch "$TMP/stop"
wait "$l1" "$l2" "$l3"
is "$stale" 0 "5 writes under load, each read after it shows its own title"
n=$(cat "$TMP"/load.* | wc -l)
ok "the readers made requests meanwhile ($n)" test "$n" -gt 10
is "$(grep -vcx 200 "$TMP"/load.* | awk -F: '{ s += $NF } END { print s + 0 }')" 0 "every one answered 200"

done_testing
