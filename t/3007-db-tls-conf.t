#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3007-db-tls-conf: [database] connection strings with TLS settings, as
# inkwellctl and inkwelld read them at start, with no database at all.
#   - a key=value primary and a postgresql:// URI replica, both with
#     sslmode=verify-full and a CA file that exists: check-config and
#     inkwelld -t accept them; the strings are not shown (passwords);
#     with a client certificate and key too, the line longer than the
#     200 bytes of inih's buffer;
#   - an sslmode libpq does not know, a sslrootcert or sslcert naming no
#     file, a string libpq cannot parse, PGSSLMODE or PGSSLROOTCERT (which
#     libpq reads when the string is silent): check-config, another
#     inkwellctl command, inkwelld -t and inkwelld itself exit 1 before
#     connecting or listening, naming the file and line of the string,
#     the setting and why, and never the password;
#   - a reload (SIGHUP) into a missing CA file keeps the running
#     configuration and says why.
# libpq's own checks at connect time (a certificate from another CA, a
# name it does not carry) are t/7202-multihost-pgtls.t's.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src}
[[ -x $build/inkwelld && -x $build/inkwellctl ]] ||
	skip_all "inkwelld and inkwellctl not built in $build"
unset PGSSLMODE PGSSLROOTCERT PGSSLCERT PGSSLKEY PGSSLCRL PGSSLCRLDIR \
	INKWELL_DATABASE_PRIMARY INKWELL_DATABASE_REPLICA \
	INKWELL_DATABASE_PRIMARY_FILE INKWELL_DATABASE_REPLICA_FILE

tmp=$(mktemp -d /tmp/inkwell-3007.XXXXXX)
pid=
cleanup() {
	if [[ -n $pid ]]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The CA file's contents matter only to libpq, when it connects.
mkdir -p "$tmp/tls dir"
printf 'a CA certificate would be here\n' >"$tmp/tls dir/db-ca.crt"
CA="$tmp/tls dir/db-ca.crt"
CA_URI=${CA// /%20}
PW=Pa55word-3007

# write_conf PRIMARY REPLICA: $tmp/inkwell.conf, primary on line 8,
# replica on line 9.
write_conf() {
	cat >"$tmp/inkwell.conf" <<-EOF
		[server]
		listen = unix:$tmp/s.sock
		workers = 1
		[paths]
		templates = $src/templates
		pages =
		[database]
		primary = $1
		replica = $2
		connect_timeout = 1
		[redis]
		address =
	EOF
}
GOOD_PRIMARY="host=db1.example.org hostaddr=192.0.2.21 port=6432 dbname=inkwell user=inkwell password=$PW sslmode=verify-full sslrootcert='$CA'"
GOOD_REPLICA="postgresql://inkwell:$PW@192.0.2.22:5432/inkwell?sslmode=verify-full&sslrootcert=$CA_URI"

ctl() { "$build/inkwellctl" -c "$tmp/inkwell.conf" "$@" >"$tmp/out" 2>&1 </dev/null; }
out() { cat "$tmp/out"; }

write_conf "$GOOD_PRIMARY" "$GOOD_REPLICA"
ok "check-config accepts a key=value primary and a URI replica with sslmode=verify-full and a CA file" ctl check-config
if_fail diag "$(out)"
unlike "$(out)" "$PW|sslrootcert" "  and shows neither string (they hold passwords)"
"$build/inkwelld" -t -c "$tmp/inkwell.conf" >"$tmp/out" 2>&1
is "$?" 0 "inkwelld -t accepts them"
# With a client certificate the line is longer than inih's buffer (200
# bytes in Debian's build).
: >"$tmp/tls dir/client.crt"
: >"$tmp/tls dir/client.key"
long="$GOOD_PRIMARY sslcert='$tmp/tls dir/client.crt' sslkey='$tmp/tls dir/client.key'"
write_conf "$long" "$GOOD_REPLICA"
ok "check-config accepts a primary line of $((${#long} + 10)) bytes (client certificate and key)" ctl check-config
if_fail diag "$(out)"

# refused WHAT PATTERN: check-config, user list, inkwelld -t and inkwelld
# exit 1 saying PATTERN, without the password.
refused() {
	local what=$1 pattern=$2
	ctl check-config
	is "$?" 1 "$what: check-config exits 1"
	like "$(out)" "$pattern" "  naming the file and line, the setting and why"
	unlike "$(out)" "$PW" "  and not the password"
	ctl user list
	is "$?" 1 "  inkwellctl user list exits 1 too"
	like "$(out)" "$pattern" "  saying the same"
	"$build/inkwelld" -t -c "$tmp/inkwell.conf" >"$tmp/out" 2>&1
	is "$?" 1 "  inkwelld -t exits 1"
	like "$(out)" "$pattern" "  saying the same"
	rm -f "$tmp/s.sock"
	timeout 20 "$build/inkwelld" -c "$tmp/inkwell.conf" >"$tmp/out" 2>&1
	is "$?" 1 "  inkwelld exits 1 at start"
	like "$(out)" "$pattern" "  saying the same"
	ok "  before it listens" test ! -e "$tmp/s.sock"
}

write_conf "${GOOD_PRIMARY/verify-full/verify-ful}" "$GOOD_REPLICA"
refused "sslmode=verify-ful" \
	'inkwell\.conf:8: \[database\] primary: sslmode "verify-ful": expected disable, allow, prefer, require, verify-ca or verify-full'

write_conf "$GOOD_PRIMARY" "${GOOD_REPLICA/db-ca.crt/nothere.crt}"
refused "a replica URI whose sslrootcert names no file" \
	'inkwell\.conf:9: \[database\] replica: sslrootcert "[^"]*/tls dir/nothere\.crt": cannot read it: No such file or directory'

write_conf "${GOOD_PRIMARY/sslmode=verify-full/sslmode=require} sslcert=$tmp/client.crt" ""
refused "a sslcert naming no file (libpq would go on without one)" \
	'inkwell\.conf:8: \[database\] primary: sslcert "[^"]*/client\.crt": cannot read it'

write_conf "host=db1 sslmod=verify-full password=$PW" ""
refused "a parameter libpq does not know" \
	'inkwell\.conf:8: \[database\] primary: not a libpq connection string: invalid connection option "sslmod"'

write_conf "host=db1 dbname=inkwell password=$PW" ""
export PGSSLMODE=verify-full PGSSLROOTCERT=$tmp/none.crt
refused "PGSSLROOTCERT naming no file, the string silent" \
	'\[database\] primary: sslrootcert "[^"]*/none\.crt" \(from PGSSLROOTCERT in the environment\): cannot read it'
unset PGSSLMODE PGSSLROOTCERT

write_conf "$GOOD_PRIMARY" ""
INKWELL_DATABASE_REPLICA="postgresql://db2/inkwell?sslmode=verify_full" ctl check-config
is "$?" 1 "INKWELL_DATABASE_REPLICA with sslmode=verify_full: check-config exits 1"
like "$(out)" 'environment INKWELL_DATABASE_REPLICA: \[database\] replica: sslmode "verify_full"' \
	"  naming the variable"

# A reload into a broken string keeps the running configuration.
write_conf "$GOOD_PRIMARY" "$GOOD_REPLICA"
rm -f "$tmp/s.sock"
"$build/inkwelld" -c "$tmp/inkwell.conf" 2>"$tmp/d.log" &
pid=$!
ok "inkwelld starts with the good strings (it connects only when asked)" \
	wait_for 10 test -S "$tmp/s.sock"
mv "$CA" "$CA.away"
kill -HUP "$pid"
reload_refused() {
	grep -F 'reload: configuration has errors, keeping the running one' "$tmp/d.log" |
		grep -qF 'sslrootcert'
}
ok "SIGHUP with the CA file gone: the reload is refused, saying why" wait_for 10 reload_refused
if_fail diag "$(tail -n 5 "$tmp/d.log")"
ok "  and inkwelld runs on" kill -0 "$pid"
mv "$CA.away" "$CA"
kill -TERM "$pid"
wait "$pid"
pid=

done_testing
