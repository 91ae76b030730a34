#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 7201-multihost: inkwell on many machines, each machine a network
# namespace on a private switch (script/lib/multihost.sh): a load
# balancer (nginx/inkwell-lb.conf), two app hosts (nginx/inkwell.conf and
# inkwelld each), pgbouncer on a host of its own in front of a PostgreSQL
# primary, a streaming replica, Redis. Every connection crosses the switch, and
# every one to a database host is TLS with the server's certificate
# checked (t/7202-multihost-pgtls.t checks that part).
#   - the pieces talk over the network: the app hosts read from the
#     replica and write through pgbouncer, both reach Redis, the replica
#     streams from the primary, the app hosts see the reader's address;
#   - under a bounded load through the balancer, app host 1 fails three
#     ways: a clean stop (nginx SIGQUIT, inkwelld SIGTERM: a shutdown),
#     SIGKILL to every process on it (a crash), and its link cut at the
#     switch (power or network gone: no reset, no refusal, silence).
#     Every request gets a 200, the balancer logged the requests it
#     moved to app host 2, and app host 1 is used again once it is back;
#   - under load again, Redis stops (SIGTERM), later its link is cut:
#     every request gets a 200, pages come from PostgreSQL, and the cache
#     comes back by itself;
#   - with the replica's replay paused, a post created and then retitled
#     through the balancer's JSON API shows on both app hosts (directly
#     and through the balancer) within 5 s and never goes back.
# Nothing here asserts timings (script/bench-hosts measures). The lab is
# under $INKWELL_TEST_VAR/multihost-7201; its processes, namespaces and
# files are removed at the end whatever happens (logs kept in
# $INKWELL_TEST_VAR/log/7201/ on failure). INKWELL_TEST_LB_CONF runs
# another balancer site instead of nginx/inkwell-lb.conf.
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_VAR INKWELL_BUILD
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
((EUID == 0)) || skip_all "needs root (network namespaces)"
for c in ip nginx redis-server redis-cli pgbouncer curl flock runuser setsid openssl; do
	command -v "$c" >/dev/null || skip_all "$c missing"
done
[[ -x /usr/lib/postgresql/15/bin/pg_basebackup ]] ||
	skip_all "PostgreSQL 15 not in /usr/lib/postgresql/15/bin"
[[ -x $INKWELL_BUILD/inkwelld && -x $INKWELL_BUILD/inkwellctl ]] ||
	skip_all "inkwelld and inkwellctl not built in $INKWELL_BUILD"

# shellcheck source=script/lib/stack.sh
. "$src/script/lib/stack.sh"
# shellcheck source=script/lib/multihost.sh
. "$src/script/lib/multihost.sh"
STACK_PRIVATE_ENV+=(INKWELL_TEST_LB_CONF INKWELL_TEST_LOAD)
MH_REPO=$src
MH_LB_SITE=${INKWELL_TEST_LB_CONF:-$src/nginx/inkwell-lb.conf}
DIR=$INKWELL_TEST_VAR/multihost-7201
KEPT_LOGS=$INKWELL_TEST_VAR/log/7201
mh_init "$DIR"
mh_lock || skip_all "another multi-host lab holds $MH_LOCKFILE"
if ! ip netns add "$MH_PREFIX-probe" 2>/dev/null; then
	skip_all "cannot make network namespaces here"
fi
ip netns del "$MH_PREFIX-probe"
sockpath=$DIR/db2/run/.s.PGSQL.$MH_PG_PORT.lock
((${#sockpath} <= 107)) || skip_all "$DIR is too deep for Unix sockets"

TMP=$(mktemp -d /tmp/inkwell-7201.XXXXXX)
LOAD_PID=
cleanup() {
	[[ -z $LOAD_PID ]] || kill "$LOAD_PID" 2>/dev/null
	mh_down || diag "stopping the lab: $(mh_why 5)"
	if ((TAP_FAILED)) && [[ -d $DIR ]]; then
		mkdir -p "$KEPT_LOGS" && (cd "$DIR" &&
			find . \( -name '*.log' -o -name site.conf -o -name inkwell.conf \) \
				-exec cp --parents {} "$KEPT_LOGS/" \;) 2>/dev/null
		diag "the lab's logs and configuration: $KEPT_LOGS/"
	fi
	rm -rf "$DIR" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# give_up: after a failed step of building the lab nothing else can run.
give_up() {
	if ((TAP_LAST)); then
		diag "$(mh_why 20)"
		done_testing
	fi
}

# Whatever an interrupted earlier run left: its processes (inside the
# lab's namespaces), the namespaces, the files.
mh_sweep
rm -rf "$DIR" "$KEPT_LOGS"

# --- the machines ---------------------------------------------------------

ok "seven hosts on a switch (namespaces $MH_PREFIX-*, $MH_NET.0/24)" mh_net_up
give_up
ok "PostgreSQL primary on db1, pgbouncer on pgb in front, a replica on db2 streaming from it" mh_db_start
give_up
ok "Redis on ${MH_ADDR[redis]}:$MH_REDIS_PORT" mh_redis_start
give_up
ok "inkwellctl migrate on app1, through pgbouncer" mh_migrate
give_up
# q CMD...: runs CMD with its output kept in $TMP/out (shown on failure).
q() { "$@" >"$TMP/out" 2>&1 </dev/null; }
shown() { diag "$(cat "$TMP/out")"; }
ok "seed: inkwellctl import script/demo on app1 (through pgbouncer)" \
	q mh_ctl import "$src/script/demo"
if_fail shown
give_up
for n in 1 2; do
	ok "app$n: inkwelld and nginx, /readyz answers 200 at ${MH_ADDR[app$n]}" mh_app_start "$n"
	give_up
done
ok "the load balancer at ${MH_ADDR[lb]} with both app hosts ($(basename "$MH_LB_SITE"))" mh_lb_start 1 2
give_up

# get HOST PATH [curl args]: GET http://HOST/PATH from the client host;
# prints the status; body in $TMP/body, headers in $TMP/head.
get() {
	local host=$1 path=$2
	shift 2
	: >"$TMP/body"
	: >"$TMP/head"
	mh_in client curl -s -o "$TMP/body" -D "$TMP/head" --max-time 15 \
		-w '%{http_code}' "$@" "http://$host$path" 2>/dev/null || true
}
xcache() { tr -d '\r' <"$TMP/head" | sed -n 's/^X-Cache:[[:space:]]*//Ip'; }
LB=${MH_ADDR[lb]} A1=${MH_ADDR[app1]} A2=${MH_ADDR[app2]}

# upstream_of UA: the app host(s) the balancer sent the request with that
# User-Agent to, as it logged them ("10.72.0.11:80, 10.72.0.12:80").
upstream_of() {
	grep -F "\"$1\" rt=" "$MH_LB_ACCESS" | tail -n 1 |
		sed -n 's/.* upstream="\([^"]*\)".*/\1/p'
}

# --- over the network, not loopback ---------------------------------------

for i in 1 2 3 4; do
	get "$LB" / -A "probe-$i" >/dev/null
done
ups=$(for i in 1 2 3 4; do upstream_of "probe-$i"; done | sort -u | tr '\n' ' ')
is "$ups" "$A1:80 $A2:80 " "four requests to the balancer: both app hosts answered"
like "$(tr -d '\r' <"$TMP/head" | head -n 1)" '^HTTP/1\.1 200 ' "through the balancer: 200"
# A page made from PostgreSQL on each host, and a search (Redis tier).
for h in "$A1" "$A2"; do
	get "$h" "/?utm_source=7201" >/dev/null
	get "$h" "/search?q=postgresql" >/dev/null
done
is "$(get "$LB" /healthz -A probe-realip)" 200 "/healthz through the balancer: 200"
via=$(upstream_of probe-realip)
via=app${via#"$MH_NET".1}
via=${via%:80}
last=$(grep -F '"probe-realip"' "$DIR/$via/log/nginx-access.log" 2>/dev/null | tail -n 1)
like "$last" "^${MH_ADDR[client]//./\\.} " \
	"$via logs the reader's address, not the balancer's (realip trusts its X-Forwarded-For)"
from_replica=$(mh_replica_psql -c "SELECT string_agg(DISTINCT host(client_addr), ' '
	ORDER BY host(client_addr)) FROM pg_stat_activity WHERE application_name = 'inkwell'")
is "$from_replica" "$A1 $A2" "the replica serves both app hosts' reads over the network"
streams=$(mh_psql -d postgres -c "SELECT host(client_addr) || ' ' || state FROM pg_stat_replication")
is "$streams" "${MH_ADDR[db2]} streaming" "the primary streams its WAL to db2"
bouncer=$(sed -n 's/.*inkwell\/inkwell@\([0-9.]*\):[0-9]* login attempt.*/\1/p' \
	"$DIR/pgb/log/pgbouncer.log" | sort -u | tr '\n' ' ')
like "$bouncer" "$A1 .*$A2 " "pgbouncer logged in inkwell from both app hosts ($bouncer)"
redis_from=$(mh_redis_cli client list 2>/dev/null | sed -n 's/.* addr=\([0-9.]*\):.*/\1/p' |
	sort -u | tr '\n' ' ')
like "$redis_from" "$A1 .*$A2 " "Redis has connections from both app hosts"
direct=$(mh_psql -d postgres -c "SELECT count(*) FROM pg_stat_activity
	WHERE application_name = 'inkwell' AND client_addr IS NOT NULL
	AND host(client_addr) <> '${MH_ADDR[pgb]}'")
is "$direct" 0 "no app host connects to the primary around pgbouncer"
via_pgb=$(mh_psql -d postgres -c "SELECT count(*) FROM pg_stat_activity
	WHERE application_name = 'inkwell' AND host(client_addr) = '${MH_ADDR[pgb]}'")
like "$via_pgb" '^[1-9]' "the primary serves inkwell through pgbouncer on pgb ($via_pgb sessions)"

# --- load -----------------------------------------------------------------

SLUG=welcome-to-inkwell
# Page files (/, a post, the API, the feed), the Redis tier (a search),
# and a page with a query key it does not know (made from PostgreSQL
# every time).
PATHS=(/ "/posts/$SLUG" /api/v1/posts "/search?q=postgresql" "/?utm_source=load"
	/feed.atom)
# make_load PHASE N: a curl config of N transfers over PATHS, all with
# the User-Agent "lab-PHASE" so the balancer's log says where they went.
make_load() {
	local phase=$1 n=$2 i
	{
		printf 'user-agent = "lab-%s"\n' "$phase"
		for ((i = 0; i < n; i++)); do
			printf 'url = "http://%s%s"\noutput = "/dev/null"\n' \
				"$LB" "${PATHS[i % ${#PATHS[@]}]}"
		done
	} >"$TMP/$phase.conf"
}
# start_load PHASE: the load, in the background, one status per line in
# $TMP/PHASE.codes ("000": no answer at all). Bounded: 30 s per request,
# 180 s in all. The file is made first: the background job opens it
# later, and answered may look before that.
start_load() {
	: >"$TMP/$1.codes"
	mh_in client timeout 180 curl --parallel --parallel-max 8 -s --no-progress-meter --max-time 30 \
		-w '%{http_code}\n' -K "$TMP/$1.conf" >"$TMP/$1.codes" 2>"$TMP/$1.err" 9>&- &
	LOAD_PID=$!
}
finish_load() {
	local rc=0
	wait "$LOAD_PID" || rc=$?
	LOAD_PID=
	return "$rc"
}
answered() { wc -l <"$TMP/$1.codes"; }
answered_at_least() { (($(answered "$1") >= $2)); }
load_running() { kill -0 "$LOAD_PID" 2>/dev/null; }

# About 8 s of requests at the rate a warm-up finds, 2000 to 20000
# (INKWELL_TEST_LOAD fixes it).
if [[ -n ${INKWELL_TEST_LOAD:-} ]]; then
	REQUESTS=$INKWELL_TEST_LOAD
else
	make_load warm 400
	t0=$EPOCHREALTIME
	start_load warm
	finish_load
	t1=$EPOCHREALTIME
	REQUESTS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {
		n = int(8 * 400 / (b - a + 0.001)); n -= n % 6;
		if (n < 2000) n = 2000; if (n > 20000) n = 20000; print n }')
	note "warm-up: 400 requests in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; each load: $REQUESTS requests"
fi

# check_load PHASE: every request answered, every answer a 200.
check_load() {
	local phase=$1 total good
	total=$(answered "$phase")
	good=$(grep -cx 200 "$TMP/$phase.codes")
	is "$total" "$REQUESTS" "$phase: an answer for each of the $REQUESTS requests"
	is "$good" "$REQUESTS" "$phase: every answer is 200"
	if ((good != REQUESTS)); then
		diag "$phase: status codes: $(sort "$TMP/$phase.codes" | uniq -c | tr -s ' \n' ' ')"
		[[ -s $TMP/$phase.err ]] && diag "$(head -n 5 "$TMP/$phase.err")"
	fi
}

# lb_lines PHASE FROM: the balancer's log lines of that load from line FROM on.
lb_lines() { tail -n "+$(($2 + 1))" "$MH_LB_ACCESS" | grep -F "\"lab-$1\" rt="; }
lb_count() { wc -l <"$MH_LB_ACCESS"; }

# app1_back: app host 1 answers requests through the balancer again.
app1_back() {
	local i ua
	for i in 1 2 3 4; do
		ua=back-$RANDOM$RANDOM
		get "$LB" /healthz -A "$ua" >/dev/null
		[[ $(upstream_of "$ua") == "$A1:80" ]] && return 0
	done
	return 1
}

# fail_app1 PHASE HOW: under load, app host 1 fails HOW (clean, kill,
# link); then it comes back.
fail_app1() {
	local phase=$1 how=$2 from at moved served1 served2 after
	make_load "$phase" "$REQUESTS"
	from=$(lb_count)
	start_load "$phase"
	ok "$phase: the load is under way (a tenth answered)" \
		wait_for 60 answered_at_least "$phase" $((REQUESTS / 10))
	served1=$(lb_lines "$phase" "$from" | grep -c "upstream=\"$A1:80\"")
	like "$served1" '^[1-9]' "$phase: app1 was serving it ($served1 requests so far)"
	at=$(lb_count)
	case $how in
	clean) ok "$phase: app1 stopped cleanly (nginx SIGQUIT, inkwelld SIGTERM)" mh_app_stop 1 clean ;;
	kill) ok "$phase: app1's processes killed (SIGKILL to each)" mh_app_stop 1 kill ;;
	link) ok "$phase: app1's link cut at the switch" mh_link app1 down ;;
	esac
	after=$(answered "$phase")
	ok "$phase: the load was still running ($after of $REQUESTS answered)" load_running
	finish_load
	check_load "$phase"
	# The requests the balancer sent to app1 and then, app1 failing them,
	# to app2: what the retry rescued.
	moved=$(lb_lines "$phase" "$at" | grep -c "upstream=\"$A1:80, $A2:80\"")
	like "$moved" '^[1-9]' "$phase: the balancer moved requests app1 failed to app2 ($moved)"
	served2=$(lb_lines "$phase" "$at" | grep -c "upstream=\"$A2:80\"")
	note "$phase: after the failure app2 alone served $served2 requests, $moved were moved from app1"
	case $how in
	clean | kill) ok "$phase: app1 started again" mh_app_start 1 ;;
	link) ok "$phase: app1's link restored" mh_link app1 up ;;
	esac
	ok "$phase: the balancer sends requests to app1 again (within 30 s)" wait_for 30 app1_back
}

fail_app1 stop clean
fail_app1 kill kill
fail_app1 link link

# --- Redis gone under load ---------------------------------------------------

# redis_hits: each app host answers a search from Redis again.
redis_hits() {
	local h
	for h in "$A1" "$A2"; do
		get "$h" "/search?q=postgresql" -H 'X-Inkwell-Skip-Files: 1' >/dev/null
		get "$h" "/search?q=postgresql" -H 'X-Inkwell-Skip-Files: 1' >/dev/null
		[[ $(xcache) == HIT ]] || return 1
	done
}
ok "with Redis up, both app hosts answer a search from it (X-Cache: HIT)" wait_for 10 redis_hits

# fail_redis PHASE HOW: under load, Redis fails HOW (stop, link).
fail_redis() {
	local phase=$1 how=$2 x1 x2
	make_load "$phase" "$REQUESTS"
	start_load "$phase"
	ok "$phase: the load is under way" wait_for 60 answered_at_least "$phase" $((REQUESTS / 10))
	case $how in
	stop) ok "$phase: Redis stopped (SIGTERM)" mh_redis_stop TERM ;;
	link) ok "$phase: Redis's link cut at the switch" mh_link redis down ;;
	esac
	sleep 1
	is "$(get "$A1" "/search?q=postgresql")" 200 "$phase: a search on app1 without Redis: 200"
	x1=$(xcache)
	is "$(get "$A2" "/search?q=postgresql")" 200 "$phase: on app2: 200"
	x2=$(xcache)
	is "$x1 $x2" "BYPASS BYPASS" "$phase: both made from PostgreSQL (X-Cache: BYPASS)"
	ok "$phase: the load was still running ($(answered "$phase") of $REQUESTS answered)" load_running
	finish_load
	check_load "$phase"
	case $how in
	stop) ok "$phase: Redis started again" mh_redis_start ;;
	link) ok "$phase: Redis's link restored" mh_link redis up ;;
	esac
	ok "$phase: both app hosts use the cache again by themselves (within 15 s)" \
		wait_for 15 redis_hits
}

fail_redis redis-stop stop
fail_redis redis-link link

# --- a write through the balancer, the replica lagging ----------------------

API=multihost-7201
T1="Many machines 7201 one $$"
T2="Many machines 7201 two $$"

ok "an admin user for the API (inkwellctl user add on app1)" \
	q mh_ctl user add --role admin --no-password lab-admin
if_fail shown
TOKEN=$(mh_ctl token add --name lab-7201 lab-admin 2>"$TMP/out" </dev/null)
like "$TOKEN" '^iw_' "an API token for it (inkwellctl token add)"
give_up

ok "pg_wal_replay_pause() on the replica" q mh_replica_psql -c 'SELECT pg_wal_replay_pause()'
if_fail shown
# The pause takes effect at the next WAL record: make one.
mh_psql -c 'SELECT pg_current_xact_id()' >/dev/null
paused() { [[ $(mh_replica_psql -c 'SELECT pg_get_wal_replay_pause_state()' 2>/dev/null) == paused ]]; }
ok "the replica's replay is paused" wait_for 10 paused
give_up

# api METHOD PATH JSON UA: the write API through the balancer; prints
# the status.
api() {
	mh_in client curl -s -o "$TMP/api" --max-time 15 -w '%{http_code}' -X "$1" \
		-A "$4" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' --data-binary "$3" \
		"http://$LB$2" 2>/dev/null || true
}
on_replica() {
	mh_replica_psql -c "SELECT coalesce(max(title), '(none)') FROM posts WHERE slug = '$API'"
}

# watch NEW OLD: every 100 ms, the post and the home page on app1, on
# app2 and through the balancer, until each shows NEW (at most 5 s),
# then 2 s more; once a page showed NEW, every answer must be a 200 with
# NEW and without OLD. Sets first[] (us), older[] (answers that were
# not), trace[], and lb_ups (the app hosts behind the balancer's answers
# that showed NEW).
TARGETS=("$A1 /posts/$API" "$A2 /posts/$API" "$A1 /" "$A2 /" "$LB /posts/$API" "$LB /")
declare -A first=() older=() trace=()
now_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo $((10#$t)); }
watch() {
	local new=$1 old=$2 t0 t tg host path code kind settled n=0 ua
	local -A ups=()
	for tg in "${TARGETS[@]}"; do
		first[$tg]='' older[$tg]=0 trace[$tg]=''
	done
	t0=$(now_us)
	while :; do
		t=$(($(now_us) - t0))
		((t < 7000000)) || break
		settled=1
		for tg in "${TARGETS[@]}"; do
			if [[ -z ${first[$tg]} ]]; then
				((t < 5000000)) && settled=0
			elif ((t - ${first[$tg]} < 2000000)); then
				settled=0
			fi
		done
		((settled)) && break
		for tg in "${TARGETS[@]}"; do
			host=${tg%% *} path=${tg#* }
			n=$((n + 1))
			ua=watch-$$-$n
			code=$(get "$host" "$path" -A "$ua")
			t=$(($(now_us) - t0))
			if [[ $code == 200 ]] && grep -qF -- "$new" "$TMP/body" &&
				{ [[ -z $old ]] || ! grep -qF -- "$old" "$TMP/body"; }; then
				kind=new
				[[ -n ${first[$tg]} ]] || first[$tg]=$t
				[[ $host != "$LB" ]] || ups[$ua]=1
			elif [[ -n ${first[$tg]} ]]; then
				kind=older/$code
				older[$tg]=$((${older[$tg]} + 1))
			else
				kind=old/$code
			fi
			trace[$tg]+=" $((t / 1000))ms:$kind/$(xcache)"
		done
		sleep 0.1
	done
	lb_ups=$(for ua in "${!ups[@]}"; do upstream_of "$ua"; done | sort -u | tr '\n' ' ')
}
# judge WHAT: the checks on what watch saw.
judge() {
	local tg f
	for tg in "${TARGETS[@]}"; do
		f=${first[$tg]}
		if [[ -n $f ]] && ((f <= 5000000)); then
			pass "$1: http://${tg/ /} shows it within 5 s (after $((f / 1000)) ms)"
		else
			fail "$1: http://${tg/ /} shows it within 5 s"
		fi
		is "${older[$tg]}" 0 "$1: http://${tg/ /} never goes back once it showed it"
		if [[ -z $f ]] || ((f > 5000000 || ${older[$tg]})); then
			diag "http://${tg/ /}:${trace[$tg]}"
		fi
	done
	is "$lb_ups" "$A1:80 $A2:80 " "$1: through the balancer, both app hosts showed it"
}

# Both hosts have the home page cached (page files) before the write.
for h in "$A1" "$A2"; do
	get "$h" / >/dev/null
	get "$h" / >/dev/null
	is "$(xcache)" HIT "http://$h/ is cached before the write"
done

body=$(printf '{"slug": "%s", "title": "%s", "body_md": "Written through the balancer.", "status": "published"}' \
	"$API" "$T1")
is "$(api POST /api/v1/posts "$body" lab-post)" 201 "POST /api/v1/posts through the balancer: 201"
if_fail diag "$(cat "$TMP/api")"
like "$(upstream_of lab-post)" "^($A1|$A2):80\$" "one app host took it, once (a POST is never retried)"
is "$(on_replica)" "(none)" "the replica has not replayed it: the lag is real"
watch "$T1" ""
judge "the new post"

# Cached on both hosts again, then retitled.
for h in "$A1" "$A2"; do
	for p in "/posts/$API" /; do
		get "$h" "$p" >/dev/null
		get "$h" "$p" >/dev/null
	done
	is "$(xcache)" HIT "http://$h/ is cached again"
done
is "$(api PATCH "/api/v1/posts/$API" "{\"title\": \"$T2\"}" lab-patch)" 200 \
	"PATCH /api/v1/posts/$API (a new title) through the balancer: 200"
if_fail diag "$(cat "$TMP/api")"
is "$(on_replica)" "(none)" "the replica still has not replayed anything"
watch "$T2" "$T1"
judge "the new title"

ok "pg_wal_replay_resume() on the replica" q mh_replica_psql -c 'SELECT pg_wal_replay_resume()'
replica_has() { [[ $(on_replica 2>/dev/null) == "$T2" ]]; }
ok "the replica catches up (within 30 s)" wait_for 30 replica_has

done_testing
