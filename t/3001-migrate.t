#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3001-migrate: inkwellctl migrate against a real PostgreSQL, on a scratch
# database of its own: pending status, apply, idempotence, two migrators
# at once, refusal of a database newer than the binary, and /readyz of a
# worker pointed at it (503 while migrations are pending, 200 after).
# Then --wait: migrate started before its PostgreSQL (a cluster of this
# test's own, on a Unix socket in its directory) waits for it, says so,
# and gives up after the bound; a server that refuses is not waited for.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_BUILD
command -v psql >/dev/null || skip_all "psql missing"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
ctl=$INKWELL_BUILD/inkwellctl
client=$src/t/lib/fcgi_client.py

db=inkwell_t3001_$$
tmp=$(mktemp -d /tmp/inkwell-3001.XXXXXX)
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
pgdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$db" "$@"; }
daemon=
pgbin=/usr/lib/postgresql/15/bin
late=$tmp/late
# as_pg CMD...: as the postgres user when root (initdb refuses root).
as_pg() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
	[[ -z $daemon ]] || { kill -TERM "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; }
	[[ ! -f $late/data/postmaster.pid ]] ||
		as_pg "$pgbin/pg_ctl" -D "$late/data" -m immediate stop >/dev/null 2>&1
	pg -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
pg -c "CREATE DATABASE $db" >/dev/null || { fail "create scratch database"; done_testing; }

cat >"$tmp/c.conf" <<CONF
[server]
listen = unix:$tmp/s.sock
workers = 1
[database]
primary = $INKWELL_TEST_PG dbname=$db
[paths]
templates = $src/templates
CONF
want=$("$ctl" version | sed -n 's/^schema //p')
like "$want" '^[1-9][0-9]*$' "the binary knows its schema version ($want)"

out=$("$ctl" -c "$tmp/c.conf" migrate --status 2>&1)
is "$?" 1 "--status on an empty database exits 1"
like "$out" "schema version 0, this inkwell expects $want: migrations pending" "and says pending"

"$INKWELL_BUILD/inkwelld" -c "$tmp/c.conf" 2>"$tmp/d.log" &
daemon=$!
for _ in $(seq 50); do [[ -S $tmp/s.sock ]] && break; sleep 0.1; done
status() { python3 "$client" "unix:$tmp/s.sock" GET "$1" | sed -n 's/^Status: \([0-9]*\).*/\1/p'; }
is "$(status /readyz)" 503 "/readyz is 503 while migrations are pending"
like "$(python3 "$client" "unix:$tmp/s.sock" GET /readyz)" '"status":"migrations pending"' \
	"and says why"

# Two migrators at once: the advisory lock serialises them.
"$ctl" -c "$tmp/c.conf" migrate >"$tmp/m1" 2>&1 &
m1=$!
"$ctl" -c "$tmp/c.conf" migrate >"$tmp/m2" 2>&1 &
m2=$!
wait "$m1"; r1=$?
wait "$m2"; r2=$?
is "$r1:$r2" "0:0" "two concurrent migrators both succeed"
# One row per migration file: numbers may have gaps while migrations
# written in parallel are merged, so the files are counted, not the
# version.
nfiles=$(find "$src/sql" -name '[0-9][0-9][0-9][0-9]_*.sql' | wc -l)
is "$(pgdb -c 'SELECT count(*) FROM inkwell_migrations')" "$nfiles" \
	"each migration recorded exactly once"
is "$(cat "$tmp/m1" "$tmp/m2" | grep -c '^applied 0001_')" 1 "0001 applied by one of them only"
is "$(pgdb -c "SELECT value FROM settings WHERE key = 'title'")" inkwell "0001 created its table and rows"

out=$("$ctl" -c "$tmp/c.conf" migrate 2>&1)
is "$?" 0 "migrating again is a no-op"
like "$out" "up to date" "and says so"
is "$(status /readyz)" 200 "/readyz is 200 once migrated"

# A database from a newer inkwell is left alone.
pgdb -c "INSERT INTO inkwell_migrations (version, name) VALUES (9999, 'future')" >/dev/null
out=$("$ctl" -c "$tmp/c.conf" migrate 2>&1)
is "$?" 1 "migrate refuses a database newer than itself"
like "$out" "schema version 9999, newer than this inkwell \\($want\\)" "naming both versions"
is "$(status /readyz)" 503 "/readyz is 503 on a schema it does not know"

# A failing migration rolls back whole: simulate with a broken database
# (the table 0001 creates already exists in another form).
kill -TERM "$daemon"; wait "$daemon"; daemon=
pg -c "DROP DATABASE $db" >/dev/null
pg -c "CREATE DATABASE $db" >/dev/null
pgdb -c "CREATE TABLE settings (x int)" >/dev/null
out=$("$ctl" -c "$tmp/c.conf" migrate 2>&1)
is "$?" 1 "a migration that fails makes migrate exit 1"
like "$out" "0001|core" "naming the migration"
is "$(pgdb -c 'SELECT coalesce(max(version), 0) FROM inkwell_migrations')" 0 \
	"and leaves the version where it was"

# --- migrate --wait ----------------------------------------------------------
# A PostgreSQL that is not there yet: its socket directory, no server.
mkdir -p "$late/sock"
chmod 0755 "$tmp"
((EUID == 0)) && chown -R postgres: "$late"
cat >"$tmp/late.conf" <<CONF
[database]
primary = host=$late/sock port=5432 dbname=postgres user=postgres
connect_timeout = 2
CONF
out=$("$ctl" -c "$tmp/late.conf" migrate --wait nope 2>&1)
is "$?" 2 "migrate --wait with no number is a usage error"
like "$out" 'takes a number of seconds' "and says what it takes"

t0=$SECONDS
out=$("$ctl" -c "$tmp/late.conf" migrate --wait 3 2>&1)
rc=$? took=$((SECONDS - t0))
is "$rc" 1 "migrate --wait 3 with no PostgreSQL exits 1"
ok "after waiting its bound, not much longer ($took s)" test "$took" -ge 3 -a "$took" -le 10
like "$out" 'waiting for PostgreSQL \(0 of 3 s\).*No such file' \
	"it says what it waits for, and why"
like "$out" 'did not answer within 3 s; giving up' "and that it gave up"

# Milliseconds: $SECONDS ticks on the clock's second, so even a quick
# command can span one.
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
t0=$(ms)
out=$("$ctl" -c "$tmp/late.conf" migrate 2>&1)
rc=$? took=$(($(ms) - t0))
is "$rc" 1 "without --wait it fails, as before"
ok "at once, well within what --wait 3 took ($took ms)" test "$took" -lt 2000

# Started first, migrate waits; PostgreSQL comes up a little later.
"$ctl" -c "$tmp/late.conf" migrate --wait 60 >"$tmp/late.out" 2>&1 &
waiter=$!
sleep 2
as_pg "$pgbin/initdb" -D "$late/data" -U postgres -A trust >"$tmp/initdb.log" 2>&1 &&
	as_pg "$pgbin/pg_ctl" -D "$late/data" -w -l "$late/pg.log" \
		-o "-c listen_addresses='' -c unix_socket_directories=$late/sock" \
		start >>"$tmp/initdb.log" 2>&1
ok "a PostgreSQL of the test's own starts (after migrate)" test -S "$late/sock/.s.PGSQL.5432"
if_fail diag "$(tail -n 20 "$tmp/initdb.log")"
wait "$waiter"
is "$?" 0 "migrate --wait 60 started before PostgreSQL succeeds"
like "$(cat "$tmp/late.out")" 'waiting for PostgreSQL' "after saying it waited"
like "$(cat "$tmp/late.out")" 'applied 0001_' "and applies the migrations"
like "$(cat "$tmp/late.out")" 'PostgreSQL answered after [0-9]+ s' "saying when it answered"

# The connection string in a file another process has not written yet
# (compose's secrets service): waited for too, within the same bound.
cat >"$tmp/file.conf" <<CONF
[database]
primary_file = $tmp/conninfo
CONF
"$ctl" -c "$tmp/file.conf" migrate --wait 30 >"$tmp/file.out" 2>&1 &
waiter=$!
sleep 2
printf 'host=%s port=5432 dbname=postgres user=postgres\n' "$late/sock" >"$tmp/conninfo"
wait "$waiter"
is "$?" 0 "migrate --wait 30 waits for its primary_file to appear"
like "$(cat "$tmp/file.out")" 'waiting for the configuration.*cannot read' \
	"saying what it waits for"

# A server that answers and refuses (no such database) is not waited for.
sed 's/dbname=postgres/dbname=no_such_db/' "$tmp/late.conf" >"$tmp/nodb.conf"
t0=$SECONDS
out=$("$ctl" -c "$tmp/nodb.conf" migrate --wait 60 2>&1)
rc=$? took=$((SECONDS - t0))
is "$rc" 1 "migrate --wait 60 on a database that does not exist fails"
ok "at once, not after 60 s ($took s)" test "$took" -le 5
like "$out" 'no_such_db.*does not exist' "naming what is wrong"

done_testing
