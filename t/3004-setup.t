#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3004-setup: inkwellctl setup against the test cluster: makes the role
# and the database named in [database] primary, migrates it with every
# table owned by that role, changes nothing on a second run, and refuses
# clearly: names it will not quote, a host on another machine (exit 3),
# a server that does not answer (exit 3), an administrator without the
# right to create roles (exit 1).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_BUILD
ctl=$INKWELL_BUILD/inkwellctl
tmp=$(mktemp -d /tmp/inkwell-3004.XXXXXX)
chmod 755 "$tmp"
name=inkwell_t3004_$$
weak=inkwell_t3004_weak_$$
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=postgres" "$@"; }
pgdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$name" "$@"; }
cleanup() {
	for d in "$name" "${name}_b"; do
		pg -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1
	done
	pg -c "DROP ROLE IF EXISTS $name" >/dev/null 2>&1
	pg -c "DROP ROLE IF EXISTS $weak" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# The test cluster's host and port, from its conninfo; user and dbname
# are what setup is about, so they are left out.
# shellcheck disable=SC2086 # split the conninfo into its words
server=$(printf '%s\n' $INKWELL_TEST_PG | grep -E '^(host|port)=' | tr '\n' ' ')
like "$server" 'host=.*port=' "the test cluster's host and port"
conf() {
	printf '[database]\nprimary = %s\n[redis]\naddress =\n[paths]\npages =\n' \
		"$1" >"$tmp/c.conf"
	chmod 644 "$tmp/c.conf"
}
ctl() { "$ctl" -c "$tmp/c.conf" "$@"; }

conf "$server dbname=$name user=$name"
out=$(ctl setup 2>&1)
is "$?" 0 "setup: exit 0"
if_fail diag "$out"
like "$out" "role $name: created" "it creates the role"
like "$out" "database $name: created \\(owner $name\\)" "and the database, owned by the role"
like "$out" "applied 0001_core" "and applies the migrations"
is "$(pgdb -c "SELECT tableowner FROM pg_tables WHERE tablename = 'posts'")" "$name" \
	"the tables belong to the role, not to the administrator"
is "$(pg -c "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '$name'")" \
	UTF8 "the database is UTF-8"
is "$(pg -c "SELECT rolcanlogin::text || rolsuper::text FROM pg_roles WHERE rolname = '$name'")" \
	truefalse "the role can log in and is no superuser"
out=$(ctl migrate --status 2>&1)
is "$?" 0 "inkwellctl migrate --status, connecting as the role: up to date"

out=$(ctl setup 2>&1)
is "$?" 0 "setup again: exit 0"
like "$out" "role $name: exists" "it finds the role"
like "$out" "database $name: exists \\(owner $name\\)" "and the database"
like "$out" "schema version [0-9]+: up to date" "and nothing to migrate"
unlike "$out" "applied|created" "and changes nothing"

conf "$server user=$name"
out=$(ctl setup 2>&1)
is "$?" 0 "no dbname: libpq's default, the database named after the role"
like "$out" "database $name: exists" "which is the one made above"

conf "$server dbname=Blog-Data user=$name"
out=$(ctl setup 2>&1)
is "$?" 1 "a database name it would have to quote: exit 1"
like "$out" 'make these by hand' "and says what to do"

conf "$server dbname=$name user=$name"
out=$(ctl setup --bogus 2>&1)
is "$?" 2 "an unknown option: exit 2"

conf "host=db.example.org dbname=$name user=$name"
out=$(timeout 10 "$ctl" -c "$tmp/c.conf" setup 2>&1)
is "$?" 3 "a database on another machine: exit 3"
like "$out" 'db\.example\.org is not on this machine' "says so, with the host"

free=$(mktemp -d /tmp/inkwell-3004-nopg.XXXXXX)
chmod 755 "$free"
conf "host=$free port=1 dbname=$name user=$name connect_timeout=2"
out=$(timeout 20 "$ctl" -c "$tmp/c.conf" setup 2>&1)
is "$?" 3 "no server on the socket: exit 3"
like "$out" 'cannot connect to PostgreSQL' "says it cannot connect"
like "$out" 'is PostgreSQL installed and running here' "and what to check"
rmdir "$free"

pg -c "CREATE ROLE $weak LOGIN" >/dev/null
conf "$server dbname=${name}_b user=${name}_b"
out=$(ctl setup --admin "$weak" 2>&1)
is "$?" 1 "an administrator who may not create roles: exit 1"
like "$out" 'creating the role: .*permission denied' "PostgreSQL's reason is shown"
is "$(pg -c "SELECT count(*) FROM pg_database WHERE datname = '${name}_b'")" 0 \
	"and no database was made"
done_testing
