#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4007-replica-lag: a lagging replica must not leave a stale page cached
# past a bounded time after a write.  The test builds its own streaming
# replica of the test stack's PostgreSQL (pg_basebackup -R, hot standby),
# its own inkwelld (primary = the stack's, replica = that one, Redis = the
# stack's) and its own nginx, then pauses the replica's replay
# (pg_wal_replay_pause) so that the lag is real and checks, through nginx:
#   - a write through inkwell (inkwellctl import) shows at once on the
#     post, the home page, the Atom feed and the API, never the old title,
#     although the replica still has it; then the pages are cached again;
#   - a write that bypasses inkwell (UPDATE on the primary) shows within
#     5 s, and no page goes back to an older title after it did;
#   - with replay resumed and caught up the pages show the newest title;
#     with the replica stopped, reads fall back to the primary: every
#     request answers 200.
# The post is imported back in its original form at the end.  The replica,
# inkwelld and nginx run under $INKWELL_TEST_VAR/replica-4007 and are
# stopped through their pidfiles and data directory there, whatever
# happens; on failure their logs are kept in $INKWELL_TEST_VAR/log/4007/.
# Ports: the stack's PostgreSQL and HTTP ports + 10 (5444 and 8091 under
# script/test), or INKWELL_TEST_REPLICA_PORT, INKWELL_TEST_REPLICA_HTTP_PORT.
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_REDIS INKWELL_TEST_REDIS_PASSWORD_FILE
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
for c in psql curl nginx ss; do
	command -v "$c" >/dev/null || skip_all "$c missing"
done
[[ -x /usr/lib/postgresql/15/bin/pg_basebackup ]] ||
	skip_all "pg_basebackup not in /usr/lib/postgresql/15/bin"
[[ -x $build/inkwelld && -x $build/inkwellctl ]] ||
	skip_all "inkwelld and inkwellctl not built in $build"

[[ $INKWELL_TEST_PG =~ (^|[[:space:]])port=([0-9]+) ]] ||
	skip_all "no port= in INKWELL_TEST_PG"
primary_port=${BASH_REMATCH[2]}
[[ $INKWELL_TEST_URL =~ :([0-9]+)/?$ ]] || skip_all "no port in INKWELL_TEST_URL"
RPORT=${INKWELL_TEST_REPLICA_PORT:-$((primary_port + 10))}
HPORT=${INKWELL_TEST_REPLICA_HTTP_PORT:-$((BASH_REMATCH[1] + 10))}

REPLICA_NAME=inkwell-replica-4007
# shellcheck source=t/lib/replica.sh
. "$here/lib/replica.sh"
DIR=$INKWELL_TEST_VAR/replica-4007
KEPT_LOGS=$INKWELL_TEST_VAR/log/4007
replica_init "$DIR" "$RPORT" "$HPORT"
# Whatever an interrupted earlier run left in DIR goes first.
replica_stop_all >/dev/null 2>&1
rm -rf "$DIR" "$KEPT_LOGS"
_stack_port_busy "$RPORT" &&
	skip_all "port $RPORT for the replica is in use (set INKWELL_TEST_REPLICA_PORT)"
_stack_port_busy "$HPORT" &&
	skip_all "port $HPORT for the replica's nginx is in use (set INKWELL_TEST_REPLICA_HTTP_PORT)"
sockpath=$STACK_RUN/.s.PGSQL.$RPORT.lock
((${#sockpath} <= 107)) || skip_all "$DIR is too deep for Unix sockets"

URL=$STACK_URL
TMP=$(mktemp -d /tmp/inkwell-4007.XXXXXX)
slug=
restored=1
pgp() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
ctl() { _stack_clean_env "$build/inkwellctl" -c "$STACK_CONF" "$@"; }
# q CMD...: runs CMD with its output kept in $TMP/out (shown on failure).
q() { "$@" >"$TMP/out" 2>&1 </dev/null; }
shown() { diag "$(cat "$TMP/out")"; }

cleanup() {
	if ((!restored)) && [[ -f $TMP/restore/$slug.md ]]; then
		ctl import "$TMP/restore" >"$TMP/out" 2>&1 ||
			diag "could not import $slug back: $(cat "$TMP/out")"
	fi
	replica_stop_all || diag "stopping the replica's pieces: $(replica_why 5)"
	if ((TAP_FAILED)) && [[ -d $DIR/log ]]; then
		mkdir -p "$KEPT_LOGS" && cp -a "$DIR/log/." "$KEPT_LOGS/" &&
			diag "logs of the replica, its inkwelld and nginx: $KEPT_LOGS/"
	fi
	rm -rf "$DIR" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# give_up: after a failed harness step nothing else can be checked.
give_up() {
	if ((TAP_LAST)); then
		diag "$(replica_why 20)"
		done_testing
	fi
}

# fetch PATH: body in $TMP/body, headers in $TMP/head, status in $code,
# the X-Cache header in $xc.
fetch() {
	: >"$TMP/body"
	: >"$TMP/head"
	code=$(curl -s -o "$TMP/body" -D "$TMP/head" --max-time 10 \
		-w '%{http_code}' "$URL$1" 2>/dev/null) || true
	[[ $code =~ ^[0-9]{3}$ ]] || code=000
	xc=$(sed -n 's/^X-Cache:[[:space:]]*//Ip' "$TMP/head" | tr -d '\r' | head -n 1)
}
shows() { grep -qF -- "$1" "$TMP/body"; }
answered() { [[ $code == 200 ]] && shows "$1"; }
# headers WHAT [FILE]: the response headers (of the last fetch) as diag.
headers() { diag "$1 response headers:"$'\n'"$(tr -d '\r' <"${2:-$TMP/head}")"; }
# keep PATH: a copy of the last headers for PATH, for headers_of.
hfile() { printf '%s/head.%s' "$TMP" "${1//[^A-Za-z0-9]/_}"; }
keep() { cp "$TMP/head" "$(hfile "$1")"; }
headers_of() { headers "$1 (last)" "$(hfile "$1")"; }

# --- the replica and its own inkwelld and nginx ------------------------------

ok "a streaming replica of the test primary (pg_basebackup -R) starts on port $RPORT" \
	replica_pg_start
give_up
in_recovery() { [[ $(replica_psql -c 'SELECT pg_is_in_recovery()' 2>/dev/null) == t ]]; }
ok "it accepts connections and is in recovery" wait_for 30 in_recovery
give_up
streaming() {
	[[ $(pgp -c "SELECT count(*) FROM pg_stat_replication
		WHERE application_name = '$REPLICA_NAME' AND state = 'streaming'") == 1 ]]
}
ok "the primary streams to it" wait_for 30 streaming
give_up

# The test stack's configuration with a replica added and the cache's
# timing keys spelt out (the socket comes from stack.sh's holder).
cat >"$STACK_CONF" <<-EOF
	; Written by t/4007-replica-lag.t; removed at its end.
	[server]
	listen = systemd
	workers = $STACK_WORKERS
	shutdown_timeout = 10
	base_url = $STACK_URL

	[database]
	primary = $INKWELL_TEST_PG
	replica = $REPLICA_CONNINFO
	statement_timeout = 5000
	connect_timeout = 3

	[redis]
	address = unix:$INKWELL_TEST_REDIS
	password_file = $INKWELL_TEST_REDIS_PASSWORD_FILE
	timeout = 100
	ttl = 600
	sync_interval = 1000

	[paths]
	templates = $src/templates
	static = $src/static
	pages = $STACK_RUN/pages

	[log]
	level = info
EOF
ok "inkwellctl check-config accepts [redis] ttl = 600 and sync_interval = 1000" \
	q ctl check-config
if_fail shown
give_up

ok "its own inkwelld ($STACK_WORKERS workers) starts on $STACK_SOCKET" replica_inkwell_start
give_up
ok "its own nginx (nginx/inkwell.conf) starts on 127.0.0.1:$HPORT" replica_nginx_start
give_up
healthy() { fetch /healthz && [[ $code == 200 ]]; }
ok "/healthz answers 200 through that nginx" wait_for 10 healthy
give_up

# --- the post ------------------------------------------------------------------

live="status <> 'draft' AND published_at <= now()"
if [[ $(pgp -c "SELECT count(*) FROM posts WHERE $live" 2>/dev/null) == 0 ]]; then
	ok "no live post in the database: import script/demo" q ctl import "$src/script/demo"
	if_fail shown
fi
# The newest live post: on the first page of / and in the feed.
slug=$(pgp -c "SELECT slug FROM posts WHERE $live
	ORDER BY published_at DESC, id DESC LIMIT 1" 2>/dev/null)
like "$slug" '^[a-z0-9][a-z0-9-]*$' "the newest live post is '$slug'"
give_up
title_on() { "$@" -c "SELECT title FROM posts WHERE slug = '$slug'" 2>/dev/null; }
ok "export the posts (inkwellctl export)" q ctl export "$TMP/orig"
if_fail shown
ok "the export has $slug.md" test -s "$TMP/orig/$slug.md"
give_up
mkdir -p "$TMP/restore"
cp "$TMP/orig/$slug.md" "$TMP/restore/"
restored=0

# retitle N TITLE: $TMP/tN/<slug>.md, the export with only its title changed.
retitle() {
	mkdir -p "$TMP/t$1"
	awk -v t="$2" '
		NR == 1 && $0 == "---" { fm = 1; print; next }
		fm && !done && /^title:/ { print "title: " t; done = 1; next }
		fm && $0 == "---" { fm = 0 }
		{ print }' "$TMP/orig/$slug.md" >"$TMP/t$1/$slug.md"
}
T0="Replica lag 4007 zero $$"
T1="Replica lag 4007 one $$"
T2="Replica lag 4007 two $$"
retitle 0 "$T0"
retitle 1 "$T1"

ok "import the post titled '$T0' (replay running)" q ctl import "$TMP/t0"
if_fail shown
is "$(title_on pgp)" "$T0" "the primary has it"
give_up
replica_has() { [[ $(title_on replica_psql) == "$1" ]]; }
ok "the replica has replayed it" wait_for 30 replica_has "$T0"
give_up

P=/posts/$slug
PAGES=("$P" / /feed.atom "/api/v1/posts/$slug")

fetch "$P"
c1=$code x1=$xc
fetch "$P"
is "$c1 $code" "200 200" "$P answers 200 twice"
if_fail headers "$P"
like "$x1" '^(MISS|HIT)$' "the first answer carries X-Cache: MISS or HIT"
is "$xc" HIT "the second answer carries X-Cache: HIT"
if_fail headers "$P"
for p in "${PAGES[@]}"; do
	fetch "$p"
	fetch "$p"
	ok "$p answers 200 with '$T0' (fetched twice, to fill the cache)" \
		answered "$T0"
	if_fail headers "$p"
done

# --- replay paused: a write through inkwell ------------------------------------

ok "pg_wal_replay_pause() on the replica" q replica_psql -c 'SELECT pg_wal_replay_pause()'
if_fail shown
# The pause takes effect at the next WAL record: make one.
pgp -c 'SELECT pg_current_xact_id()' >/dev/null
paused() {
	[[ $(replica_psql -c 'SELECT pg_get_wal_replay_pause_state()' 2>/dev/null) == paused ]]
}
ok "pg_get_wal_replay_pause_state() is 'paused'" wait_for 10 paused
give_up

ok "import the post titled '$T1' (inkwellctl import, replay paused)" q ctl import "$TMP/t1"
if_fail shown
is "$(title_on pgp)" "$T1" "the primary has the new title"
is "$(title_on replica_psql)" "$T0" "the replica still has the old one: the lag is real"
give_up

# Right after the import: every page, five times over.
for p in "${PAGES[@]}"; do
	good=0 stale=0 trace=
	for i in 1 2 3 4 5; do
		fetch "$p"
		kind=other
		if shows "$T0"; then
			kind=OLD
			stale=$((stale + 1))
		elif [[ $code == 200 ]] && shows "$T1"; then
			kind=new
			good=$((good + 1))
		fi
		trace+=" $code/$kind/${xc:--}"
	done
	is "$good" 5 "$p: 5 answers of 200 with the new title"
	is "$stale" 0 "$p: none with the old title"
	is "$xc" HIT "$p: the last one carries X-Cache: HIT"
	if ((good != 5 || stale != 0)) || [[ $xc != HIT ]]; then
		diag "$p: status/title/X-Cache:$trace"
		headers "$p (last)"
	fi
done

# Those hits were page files nginx served (pages.h), made after the write
# from a replica that had not replayed it, or from the primary.
nfiles=$(find "$STACK_RUN/pages/current/" -type f -name '*@*' 2>/dev/null | wc -l)
ok "page files were in play ($nfiles in the current generation)" test "$nfiles" -ge 3

# --- a write that bypasses inkwell ---------------------------------------------

ok "UPDATE posts SET title = '$T2' on the primary (psql)" \
	q pgp -c "UPDATE posts SET title = '$T2' WHERE slug = '$slug'"
now_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((10#$t)); }
t0=$(now_us)
declare -A first=() older=() bad=() trace=()
for p in "${PAGES[@]}"; do
	first[$p]='' older[$p]=0 bad[$p]=0 trace[$p]=''
done
# Every 100 ms for at most 5 s until a page shows the newer title, and
# 2 s more from then on.
while :; do
	t=$(($(now_us) - t0))
	((t < 7000000)) || break
	settled=1
	for p in "${PAGES[@]}"; do
		if [[ -z ${first[$p]} ]]; then
			((t < 5000000)) && settled=0
		elif ((t - ${first[$p]} < 2000000)); then
			settled=0
		fi
	done
	((settled)) && break
	for p in "${PAGES[@]}"; do
		fetch "$p"
		keep "$p"
		t=$(($(now_us) - t0))
		if [[ $code != 200 ]]; then
			kind=$code
			bad[$p]=$((${bad[$p]} + 1))
		elif shows "$T2" && ! shows "$T1" && ! shows "$T0"; then
			kind=new
			[[ -n ${first[$p]} ]] || first[$p]=$t
		elif shows "$T1" || shows "$T0"; then
			kind=older
			[[ -z ${first[$p]} ]] || older[$p]=$((${older[$p]} + 1))
		else
			kind=none
			bad[$p]=$((${bad[$p]} + 1))
		fi
		trace[$p]+=" $((t / 1000))ms:$kind/${xc:--}"
	done
	sleep 0.1
done
for p in "${PAGES[@]}"; do
	f=${first[$p]}
	if [[ -n $f ]] && ((f <= 5000000)); then
		pass "$p shows the newer title within 5 s of the UPDATE (after $((f / 1000)) ms)"
	else
		fail "$p shows the newer title within 5 s of the UPDATE"
	fi
	is "${older[$p]}" 0 "$p: never an older title again once it showed the newer one"
	is "${bad[$p]}" 0 "$p: every answer 200 with a title"
	if [[ -z $f ]] || ((f > 5000000 || ${older[$p]} || ${bad[$p]})); then
		diag "$p:${trace[$p]}"
		headers_of "$p"
	fi
done

# --- replay resumed, then the replica gone --------------------------------------

ok "pg_wal_replay_resume() on the replica" q replica_psql -c 'SELECT pg_wal_replay_resume()'
if_fail shown
target=$(pgp -c 'SELECT pg_current_wal_lsn()')
caught_up() {
	[[ $(replica_psql -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn" 2>/dev/null) == t ]]
}
ok "the replica replays up to the primary's $target within 30 s" wait_for 30 caught_up
is "$(title_on replica_psql)" "$T2" "the replica has the newest title"
for p in "${PAGES[@]}"; do
	fetch "$p"
	c1=$code x1=$xc n1=0
	shows "$T2" && n1=1
	fetch "$p"
	n2=0
	shows "$T2" && n2=1
	is "$c1/$n1 $code/$n2" "200/1 200/1" "$p: still the newest title (twice)"
	like "$x1 $xc" '^(HIT|MISS) (HIT|MISS)$' "$p: with X-Cache HIT or MISS"
	if_fail headers "$p"
done

ok "pg_wal_replay_pause() again" q replica_psql -c 'SELECT pg_wal_replay_pause()'
ok "the replica is stopped (pg_ctl stop -m immediate)" replica_pg_stop immediate
replica_gone() { ! replica_pg_running; }
ok "and is gone" replica_gone
tag=$(pgp -c "SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id
	JOIN posts p ON p.id = pt.post_id WHERE p.slug = '$slug' LIMIT 1")
# The cached pages and some that are read each time.
paths=("${PAGES[@]}" /archive /api/v1/posts "/search?q=replica")
[[ -n $tag ]] && paths+=("/tags/$tag")
total=0 n200=0 n5xx=0 nnone=0 newest=0 codes=
for ((i = 0; i < 10; i++)); do
	for p in "${paths[@]}"; do
		fetch "$p"
		total=$((total + 1))
		codes+=" $p=$code"
		case $code in
		200) n200=$((n200 + 1)) ;;
		5??) n5xx=$((n5xx + 1)) ;;
		000) nnone=$((nnone + 1)) ;;
		esac
		if [[ $p == "$P" && $code == 200 ]] && shows "$T2"; then
			newest=$((newest + 1))
		fi
	done
	sleep 0.2
done
is "$nnone" 0 "with the replica down, every one of $total requests got an answer"
is "$n5xx" 0 "none of them a 5xx"
is "$n200" "$total" "all of them 200 (reads fall back to the primary)"
if_fail diag "status codes:$(tr ' ' '\n' <<<"$codes" | grep -v '=200$' | sort | uniq -c | tr -s ' \n' ' ')"
is "$newest" 10 "$P shows the newest title each time"

# --- the original post back -------------------------------------------------------

ok "the original $slug.md is imported back" q ctl import "$TMP/restore"
if_fail shown
((TAP_LAST)) || restored=1
ok "and the post exports exactly as before the test" q ctl export "$TMP/after"
ok "byte for byte" cmp "$TMP/orig/$slug.md" "$TMP/after/$slug.md"
if_fail diag "$(diff -u "$TMP/orig/$slug.md" "$TMP/after/$slug.md")"

done_testing
