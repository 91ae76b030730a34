#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3005-pgbouncer: inkwell reaches PostgreSQL through pgbouncer (session
# pooling, as the "many machines" shape runs it in front of the primary)
# with its session settings in force. pgbouncer refuses a client whose
# startup packet carries "options", which is where inkwell used to put
# statement_timeout and the planner settings; they are now set by a query
# after connecting (src/db/db.c). The test runs pgbouncer on 127.0.0.1 in
# front of the test stack's PostgreSQL, then:
#   - inkwellctl user list through it succeeds;
#   - with [database] statement_timeout = 200 and the users table locked
#     by the test for 3 s, user list fails with PostgreSQL's statement
#     timeout instead of waiting for the lock: the setting made it into
#     the session.
# Port: the stack's PostgreSQL port + 30 (5464 under script/test), or
# INKWELL_TEST_BOUNCER_PORT.
# shellcheck disable=SC2317 # helpers are called through ok, wait_for, trap
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_BUILD
command -v pgbouncer >/dev/null || skip_all "pgbouncer missing"
command -v psql >/dev/null || skip_all "psql missing"
[[ -x $INKWELL_BUILD/inkwellctl ]] || skip_all "inkwellctl not built"
[[ $INKWELL_TEST_PG =~ (^|[[:space:]])port=([0-9]+) ]] || skip_all "no port= in INKWELL_TEST_PG"
pgport=${BASH_REMATCH[2]}
[[ $INKWELL_TEST_PG =~ (^|[[:space:]])host=([^[:space:]]+) ]] || skip_all "no host= in INKWELL_TEST_PG"
pghost=${BASH_REMATCH[2]}
BPORT=${INKWELL_TEST_BOUNCER_PORT:-$((pgport + 30))}
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
# shellcheck source=script/lib/stack.sh
. "$src/script/lib/stack.sh"
STACK_PRIVATE_ENV+=(INKWELL_TEST_BOUNCER_PORT)
_stack_port_busy "$BPORT" && skip_all "port $BPORT is in use (set INKWELL_TEST_BOUNCER_PORT)"

DIR=$INKWELL_TEST_VAR/pgbouncer-3005
PIDFILE=$DIR/pgbouncer.pid
cleanup() {
	local pid
	if pid=$(_stack_pidfile_pid "$PIDFILE" pgbouncer); then
		_stack_kill_wait "$pid" pgbouncer INT 10 >/dev/null 2>&1
	fi
	[[ -n ${LOCK_PID:-} ]] && kill "$LOCK_PID" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
rm -rf "$DIR"
mkdir -p "$DIR"

# Trust, on loopback only: the stack's PostgreSQL trusts its socket too.
printf '"postgres" ""\n' >"$DIR/userlist.txt"
cat >"$DIR/pgbouncer.ini" <<EOF
[databases]
inkwell = host=$pghost port=$pgport dbname=inkwell

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BPORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = session
server_reset_query = DISCARD ALL
logfile = $DIR/pgbouncer.log
pidfile = $PIDFILE
EOF
_stack_chown_pg "$DIR" "$DIR/userlist.txt" "$DIR/pgbouncer.ini"
# pgbouncer refuses to run as root.
bouncer() {
	if ((EUID == 0)); then
		runuser -u postgres -- pgbouncer -q -d "$DIR/pgbouncer.ini"
	else
		pgbouncer -q -d "$DIR/pgbouncer.ini"
	fi
}
ok "pgbouncer (session pooling) on 127.0.0.1:$BPORT" bouncer
listening() { _stack_port_busy "$BPORT"; }
ok "it listens" wait_for 10 listening

# conf TIMEOUT: an inkwell.conf whose primary is pgbouncer, no Redis.
conf() {
	cat >"$DIR/inkwell.conf" <<-EOF
		[database]
		primary = host=127.0.0.1 port=$BPORT dbname=inkwell user=postgres
		statement_timeout = $1
		[redis]
		address =
	EOF
}
ctl() { _stack_clean_env timeout 30 "$INKWELL_BUILD/inkwellctl" -c "$DIR/inkwell.conf" "$@" </dev/null; }

conf 5000
out=$(ctl user list 2>&1)
rc=$?
is "$rc" 0 "inkwellctl user list through pgbouncer succeeds"
if_fail diag "$out"
if_fail diag "$(tail -n 5 "$DIR/pgbouncer.log")"
unlike "$(cat "$DIR/pgbouncer.log")" 'unsupported startup parameter' \
	"pgbouncer saw no startup parameter it refuses"

# The users table locked for 3 s: with the timeout in force, the query
# is cancelled after 200 ms; without it, it would wait and then succeed.
conf 200
psql -X -q -d "$INKWELL_TEST_PG" -c "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;
	SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
LOCK_PID=$!
locked() {
	[[ $(psql -X -q -t -A -d "$INKWELL_TEST_PG" -c "SELECT count(*) FROM pg_locks l
		JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'users'
		AND l.mode = 'AccessExclusiveLock' AND l.granted") == 1 ]]
}
ok "the test holds a lock on users" wait_for 5 locked
out=$(ctl user list 2>&1)
urc=$?
wait "$LOCK_PID"
LOCK_PID=
failed() { [[ $urc != 0 ]]; }
ok "with statement_timeout = 200, user list fails while the table is locked (rc $urc)" failed
like "$out" 'statement timeout' "PostgreSQL cancelled it: the timeout was set in the session"
if_fail diag "$out"
done_testing
