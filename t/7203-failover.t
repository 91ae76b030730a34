#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 7203-failover: the primary dies under load, script/inkwell-failover
# makes the replica the primary, and no write that was answered 2xx is
# lost, in the many-machines lab (script/lib/multihost.sh: pgbouncer on
# a host of its own, pgb; the primary on db1, the replica on db2) with
# synchronous replication on (synchronous_commit = remote_apply, the
# replica named in synchronous_standby_names) and durability on.
#   - inkwell-failover refuses while the primary is alive, and changes
#     nothing;
#   - under a bounded load through the balancer, readers' pages (every
#     answer counted) and posts written through the JSON API with a token
#     (each write's answer, its time and the post's id recorded), db1
#     loses its power: its link is cut at the switch (silence, no reset),
#     then every PostgreSQL process on it is killed (SIGKILL): writes are
#     refused with 503, never 500/502/504 or no answer; inkwell-failover
#     fences db1 (its link cut, a standby.signal left in its data
#     directory), promotes db2 and points pgbouncer at it; writes are
#     answered 201 again;
#   - then: no reader's page failed, every write answered 201 has its
#     post on the new primary (lost: 0), and db1, started again, is a
#     standby that refuses writes, while pgbouncer keeps writes on db2.
# The numbers (read failures, the write-refusal window from the first
# 503 to the next 201, writes refused, the promotion's time) are printed
# as notes (PROVE_FLAGS=-v) and in $INKWELL_TEST_VAR/log/7203/numbers;
# docs/failover.md has those measured. Nothing asserts a timing. The lab
# is under $INKWELL_TEST_VAR/multihost-7203; its processes, namespaces
# and files are removed at the end whatever happens (logs kept in
# $INKWELL_TEST_VAR/log/7203/ on failure).
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
MH_REPO=$src
MH_SYNC_STANDBY=remote_apply
DIR=$INKWELL_TEST_VAR/multihost-7203
KEPT_LOGS=$INKWELL_TEST_VAR/log/7203
mh_init "$DIR"
mh_lock || skip_all "another multi-host lab holds $MH_LOCKFILE"
if ! ip netns add "$MH_PREFIX-probe" 2>/dev/null; then
	skip_all "cannot make network namespaces here"
fi
ip netns del "$MH_PREFIX-probe"
sockpath=$DIR/db2/run/.s.PGSQL.$MH_PG_PORT.lock
((${#sockpath} <= 107)) || skip_all "$DIR is too deep for Unix sockets"

TMP=$(mktemp -d /tmp/inkwell-7203.XXXXXX)
READ_PID='' WRITE_PID=''
cleanup() {
	: >"$TMP/stop" 2>/dev/null
	[[ -z $READ_PID ]] || kill "$READ_PID" 2>/dev/null
	[[ -z $WRITE_PID ]] || kill "$WRITE_PID" 2>/dev/null
	mh_down || diag "stopping the lab: $(mh_why 5)"
	if ((TAP_FAILED)) && [[ -d $DIR ]]; then
		mkdir -p "$KEPT_LOGS" && (cd "$DIR" &&
			find . \( -name '*.log' -o -name '*.ini' -o -name inkwell.conf \
				-o -name 'inkwell-lab.conf' -o -name site.conf \) \
				-exec cp --parents {} "$KEPT_LOGS/" \;) 2>/dev/null
		cp "$TMP"/*.codes "$TMP"/failover.* "$KEPT_LOGS/" 2>/dev/null
		diag "the lab's logs and configuration: $KEPT_LOGS/"
	fi
	rm -rf "$DIR" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

give_up() {
	if ((TAP_LAST)); then
		diag "$(mh_why 20)"
		done_testing
	fi
}

mh_sweep
rm -rf "$DIR" "$KEPT_LOGS"

# --- the machines ---------------------------------------------------------

q() { "$@" >"$TMP/out" 2>&1 </dev/null; }
shown() { diag "$(cat "$TMP/out")"; }

ok "hosts on a switch (namespaces $MH_PREFIX-*, $MH_NET.0/24)" mh_net_up
give_up
ok "primary on db1, pgbouncer on pgb, a replica on db2, synchronous (remote_apply)" mh_db_start
give_up
ok "Redis on ${MH_ADDR[redis]}:$MH_REDIS_PORT" mh_redis_start
give_up
ok "inkwellctl migrate on app1, through pgbouncer" mh_migrate
give_up
ok "seed: inkwellctl import script/demo on app1" q mh_ctl import "$src/script/demo"
if_fail shown
give_up
for n in 1 2; do
	ok "app$n: inkwelld and nginx, /readyz answers 200" mh_app_start "$n"
	give_up
done
ok "the load balancer with both app hosts" mh_lb_start 1 2
give_up

settings=$(mh_psql -d postgres -F ' ' -c "SELECT current_setting('fsync'),
	current_setting('synchronous_commit'), current_setting('synchronous_standby_names')")
is "$settings" "on remote_apply \"$MH_PREFIX-db2\"" \
	"the primary: fsync on, synchronous_commit remote_apply, the replica named as synchronous standby"
is "$(mh_psql -d postgres -c "SELECT application_name || ' ' || sync_state FROM pg_stat_replication")" \
	"$MH_PREFIX-db2 sync" "pg_stat_replication: db2 is the synchronous standby"
is "$(mh_replica_psql -c "SELECT current_setting('synchronous_standby_names') = ''")" t \
	"the replica names no synchronous standby of its own (promoted, it answers commits alone)"

ok "an admin user for the API (inkwellctl user add on app1)" \
	q mh_ctl user add --role admin --no-password lab-admin
if_fail shown
TOKEN=$(mh_ctl token add --name lab-7203 lab-admin 2>"$TMP/out" </dev/null)
like "$TOKEN" '^iw_' "an API token for it (inkwellctl token add)"
give_up

# --- inkwell-failover while the primary is alive ---------------------------

mh_failover >"$TMP/refused.out" 2>&1 </dev/null
is "$?" 3 "inkwell-failover with the primary alive: exit 3, refused"
like "$(cat "$TMP/refused.out")" 'answers, as a primary: not failing over' \
	"  it says why"
is "$(mh_replica_psql -c 'SELECT pg_is_in_recovery()')" t "  the replica is still a replica"
ok "  db1's link is still up" mh_reach pgb db1 "$MH_PG_PORT"
ok "  no standby.signal was left in db1's data directory" test ! -e "$MH_PGDATA1/standby.signal"

# --- load ------------------------------------------------------------------

LB=${MH_ADDR[lb]}
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((10#${t:0:${#t}-3}))
}
# Readers' pages: page files, the Redis tier, a page made from the replica
# every time (a query key it does not know), the feed.
PATHS=(/ /posts/welcome-to-inkwell "/search?q=postgresql" "/?utm_source=7203"
	/feed.atom /api/v1/posts)
{
	printf 'user-agent = "lab-read"\n'
	for ((i = 0; i < 24; i++)); do
		printf 'url = "http://%s%s"\noutput = "/dev/null"\n' "$LB" "${PATHS[i % ${#PATHS[@]}]}"
	done
} >"$TMP/read.conf"

# reader: batches of 24 pages (4 at a time) until $TMP/stop exists; at
# most 2000 batches and 240 s. One line per page: "ms status".
reader() {
	local b end=$(($(now_ms) + 240000)) t
	for ((b = 0; b < 2000; b++)); do
		[[ -e $TMP/stop ]] && break
		t=$(now_ms)
		((t < end)) || break
		mh_in client curl --parallel --parallel-max 4 -s --no-progress-meter \
			--max-time 15 -w "$t %{http_code}\n" -K "$TMP/read.conf" \
			>>"$TMP/read.codes" 2>>"$TMP/read.err" 9>&-
		sleep 0.05
	done
}

# writer: posts created through the balancer one after another until
# $TMP/stop exists; at most 1500 and 240 s. One line per write:
# "n sent_ms answered_ms status id slug".
SLUGP=fo-$$
writer() {
	local n end=$(($(now_ms) + 240000)) t0 t1 code id slug
	for ((n = 1; n <= 1500; n++)); do
		[[ -e $TMP/stop ]] && break
		t0=$(now_ms)
		((t0 < end)) || break
		slug=$SLUGP-$n
		: >"$TMP/w.body"
		code=$(mh_in client curl -s -o "$TMP/w.body" --max-time 15 -w '%{http_code}' \
			-A lab-write -X POST -H "Authorization: Bearer $TOKEN" \
			-H 'Content-Type: application/json' --data-binary \
			"{\"slug\": \"$slug\", \"title\": \"Failover $n\", \"body_md\": \"Write $n.\", \"status\": \"published\"}" \
			"http://$LB/api/v1/posts" 2>/dev/null 9>&-) || true
		t1=$(now_ms)
		# {"post": {"id": N, ...}}: the first "id" in the post.
		id=$(sed -n 's/.*"post": *{[^{]*"id": *\([0-9][0-9]*\).*/\1/p' "$TMP/w.body" |
			head -n 1)
		printf '%d %d %d %s %s %s\n' "$n" "$t0" "$t1" "${code:-000}" "${id:--}" "$slug" \
			>>"$TMP/write.codes"
		sleep 0.02
	done
}
: >"$TMP/read.codes"
: >"$TMP/write.codes"
reader &
READ_PID=$!
writer &
WRITE_PID=$!

writes_with() { (($(awk -v c="$1" '$4 == c' "$TMP/write.codes" | wc -l) >= $2)); }
reads_at_least() { (($(wc -l <"$TMP/read.codes") >= $1)); }
ok "the load is under way: 20 writes answered 201" wait_for 90 writes_with 201 20
ok "  and 200 reader pages answered" wait_for 60 reads_at_least 200
give_up

# --- the primary dies ---------------------------------------------------------

before=$(wc -l <"$TMP/write.codes")
T_KILL=$(now_ms)
# db1 loses its power: its cable goes silent first (no reset reaches
# pgbouncer, whose connections to it hang until tcp_user_timeout), then
# its PostgreSQL is gone (SIGKILL to every process).
ok "db1's link cut at the switch" mh_link db1 down
ok "every PostgreSQL process on db1 killed (SIGKILL)" mh_pg_kill db1
ok "a write after that is refused with 503 (within 30 s)" wait_for 30 writes_with 503 1
# readyz_is N CODE: appN's /readyz answers CODE.
readyz_is() {
	[[ $(mh_in client curl -s -o /dev/null --max-time 12 -w '%{http_code}' \
		"http://${MH_ADDR[app$1]}/readyz" 2>/dev/null) == "$2" ]]
}
ok "/readyz on app1 answers 503: no primary" readyz_is 1 503
# What an operator needs to see the primary is gone and decide: a few
# seconds of refused writes.
sleep 2
T_FO=$(now_ms)
mh_failover >"$TMP/failover.out" 2>"$TMP/failover.err" </dev/null
rc=$?
T_DONE=$(now_ms)
is "$rc" 0 "inkwell-failover: fenced db1, promoted db2, pgbouncer on db2"
if_fail diag "$(cat "$TMP/failover.err" "$TMP/failover.out")"
note "inkwell-failover: $(tail -n 1 "$TMP/failover.out")"
is "$(mh_replica_psql -c 'SELECT pg_is_in_recovery()')" f "db2 is the primary"
is "$(mh_bouncer_show DATABASES | awk -F'|' '$1 == "inkwell" { print $2 }')" \
	"${MH_ADDR[db2]}" "pgbouncer's [databases] inkwell points at db2"
is "$(grep -c "^inkwell = $(mh_bouncer_target db2)\$" "$MH_BOUNCER_INI")" 1 \
	"  and its configuration file says so"
link_down() { ip -n "$MH_SW" -o link show "$MH_PREFIX-$1" | grep -q 'state DOWN'; }
ok "db1 is cut off (its link down at the switch)" link_down db1

both_ready() { readyz_is 1 200 && readyz_is 2 200; }
ok "/readyz on app1 and app2 answers 200 again (within 15 s)" wait_for 15 both_ready
after_fo() { awk -v t="$T_DONE" '$2 >= t && $4 == 201' "$TMP/write.codes" | grep -q .; }
ok "writes are answered 201 again after the failover (within 30 s)" wait_for 30 after_fo
# The load goes on a while on the new primary.
sleep 5
: >"$TMP/stop"
wait "$READ_PID"
READ_PID=''
wait "$WRITE_PID"
WRITE_PID=''

# --- counting ------------------------------------------------------------------

reads=$(wc -l <"$TMP/read.codes")
read_bad=$(awk '$2 != 200' "$TMP/read.codes" | wc -l)
is "$read_bad" 0 "reader pages: none of the $reads failed (every answer 200)"
if ((read_bad)); then
	diag "reader statuses: $(awk '{ print $2 }' "$TMP/read.codes" | sort | uniq -c | tr -s ' \n' ' ')"
fi
reads_during=$(awk -v a="$T_KILL" -v b="$T_DONE" '$1 >= a && $1 <= b' "$TMP/read.codes" | wc -l)
like "$reads_during" '^[1-9]' "  $reads_during of them were asked between the kill and the end of the failover"

writes=$(wc -l <"$TMP/write.codes")
w201=$(awk '$4 == 201' "$TMP/write.codes" | wc -l)
w503=$(awk '$4 == 503' "$TMP/write.codes" | wc -l)
wother=$(awk '$4 != 201 && $4 != 503' "$TMP/write.codes" | wc -l)
is "$wother" 0 "writes: each answered 201 or 503 ($writes: $w201 created, $w503 refused), none 500/502/504 or unanswered"
if ((wother)); then
	diag "$(awk '$4 != 201 && $4 != 503' "$TMP/write.codes" | head -n 10)"
fi
slow=$(awk '$3 - $2 > 10000' "$TMP/write.codes" | wc -l)
is "$slow" 0 "no write waited more than 10 s for its answer (the balancer's read timeout)"
like "$w503" '^[1-9]' "writes were refused while there was no primary ($w503)"
after_kill_201=$(awk -v t="$before" '$1 > t && $4 == 201' "$TMP/write.codes" | wc -l)
like "$after_kill_201" '^[1-9]' "writes created after the failover ($after_kill_201)"

# The window: from the first write answered 503 to the first answered 201
# after it (by the times they were answered).
read -r first503 first201 < <(awk '
	$4 == 503 && !a { a = $3 }
	a && $4 == 201 && !b { b = $3 }
	END { printf "%.0f %.0f\n", a, b }' "$TMP/write.codes")
window=$((first201 - first503))
((first503 && first201)) || window=-1
like "$window" '^[0-9]+$' "the write-refusal window: $window ms (first 503 to the next 201)"

# Lost: answered 201, but the post is not on the new primary.
awk '$4 == 201 { print $6 }' "$TMP/write.codes" | sort >"$TMP/acked"
mh_replica_psql -c "SELECT slug FROM posts WHERE slug LIKE '$SLUGP-%'" | sort >"$TMP/have"
lost=$(comm -23 "$TMP/acked" "$TMP/have" | wc -l)
is "$lost" 0 "lost writes: every one of the $w201 posts answered 201 is on the new primary"
if ((lost)); then
	diag "lost: $(comm -23 "$TMP/acked" "$TMP/have" | head -n 10 | tr '\n' ' ')"
fi
ids_ok=$(awk '$4 == 201 && $5 ~ /^[0-9]+$/' "$TMP/write.codes" | wc -l)
is "$ids_ok" "$w201" "  each of them was answered with its id"
awk '$4 == 201 { print $5 " " $6 }' "$TMP/write.codes" | sort >"$TMP/acked-ids"
mh_replica_psql -F ' ' -c "SELECT id, slug FROM posts WHERE slug LIKE '$SLUGP-%'" |
	sort >"$TMP/have-ids"
is "$(comm -23 "$TMP/acked-ids" "$TMP/have-ids" | wc -l)" 0 "  and the post on the new primary has that id"

promote=$(sed -n 's/.*promote \([0-9]*\) ms.*/\1/p' "$TMP/failover.out")
failover_ms=$((T_DONE - T_FO))
{
	printf 'reads %d\nread_failures %d\n' "$reads" "$read_bad"
	printf 'writes %d\nwrites_201 %d\nwrites_503 %d\nwrites_other %d\nlost %d\n' \
		"$writes" "$w201" "$w503" "$wother" "$lost"
	printf 'refusal_window_ms %d\nkill_to_failover_ms %d\nfailover_ms %d\npromote_ms %s\n' \
		"$window" $((T_FO - T_KILL)) "$failover_ms" "${promote:-?}"
} >"$TMP/numbers"
mkdir -p "$KEPT_LOGS" && cp "$TMP/numbers" "$KEPT_LOGS/numbers"
note "numbers: $(tr '\n' ' ' <"$TMP/numbers")"

# --- the old primary, started again -------------------------------------------

ok "db1's link restored" mh_link db1 up
ok "db1's PostgreSQL started again, from its data directory as it was left" mh_pg_start db1
is "$(mh_psql -d postgres -c 'SELECT pg_is_in_recovery()')" t \
	"db1 comes back as a standby (standby.signal), not as a second primary"
# Bounded: a db1 that came back as a primary would wait for ever for its
# synchronous standby (and psql says "canceling wait" when stopped).
PGOPTIONS='-c statement_timeout=20000' timeout 30 \
	"$STACK_PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$MH_DIR/db1/run" \
	-p "$MH_PG_PORT" -U postgres -d inkwell -c 'CREATE TABLE fenced_7203 (x int)' \
	>"$TMP/out" 2>&1 </dev/null
is "$?" 1 "a write on db1 itself fails"
like "$(cat "$TMP/out")" 'read-only transaction' "  (cannot execute CREATE TABLE in a read-only transaction)"
code=$(mh_in client curl -s -o "$TMP/w.body" --max-time 15 -w '%{http_code}' -X POST \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data-binary "{\"slug\": \"$SLUGP-last\", \"title\": \"After\", \"body_md\": \"x\", \"status\": \"published\"}" \
	"http://$LB/api/v1/posts" 2>/dev/null)
is "$code" 201 "a write through the balancer with db1 back: 201"
is "$(mh_replica_psql -c "SELECT count(*) FROM posts WHERE slug = '$SLUGP-last'")" 1 \
	"  it is on db2"
is "$(mh_psql -c "SELECT count(*) FROM posts WHERE slug = '$SLUGP-last'")" 0 \
	"  and not on db1"
is "$(mh_bouncer_show DATABASES | awk -F'|' '$1 == "inkwell" { print $2 }')" \
	"${MH_ADDR[db2]}" "  pgbouncer still points at db2"

done_testing
