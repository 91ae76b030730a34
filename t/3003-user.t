#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3003-user: inkwellctl user add | passwd | list against a scratch
# database: Argon2id hashes stored (never the password), refusals for bad
# usernames, roles, short or control-character passwords and taken names,
# and no password accepted from anything but a terminal or
# --password-stdin.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_BUILD
ctl=$INKWELL_BUILD/inkwellctl
tmp=$(mktemp -d /tmp/inkwell-3003.XXXXXX)
db=inkwell_t3003_$$
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
pgdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$db" "$@"; }
cleanup() {
	pg -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
if ! pg -c "CREATE DATABASE $db" >/dev/null; then
	fail "create a scratch database"
	done_testing
fi
printf '[database]\nprimary = %s dbname=%s\n[redis]\naddress =\n[paths]\npages =\n' \
	"$INKWELL_TEST_PG" "$db" >"$tmp/c.conf"
ctl() { "$ctl" -c "$tmp/c.conf" "$@"; }
ok "migrate the scratch database" ctl migrate

PW='correct horse battery staple'
out=$(printf '%s\n' "$PW" | ctl user add --name 'Ada Lovelace' --email ada@example.org \
	--role admin --password-stdin ada 2>&1)
is "$?" 0 "user add with --password-stdin: exit 0"
like "$out" '^user ada added \(admin\)' "says so"
hash=$(pgdb -c "SELECT password_hash FROM users WHERE username = 'ada'")
like "$hash" '^\$argon2id\$v=19\$m=19456,t=2,p=1\$' "an Argon2id hash is stored (19 MiB, 2 passes)"
unlike "$hash" "$PW" "not the password"
is "$(pgdb -c "SELECT role || ' ' || display_name || ' ' || email FROM users WHERE username = 'ada'")" \
	"admin Ada Lovelace ada@example.org" "role, name and email as given"

out=$(printf '%s\n' "$PW" | ctl user add --password-stdin ada 2>&1)
is "$?" 1 "the same username again: exit 1"
like "$out" 'ada: the username or email is taken' "says it is taken"
out=$(printf '%s\n' "$PW" | ctl user add --email ada@example.org --password-stdin ada2 2>&1)
is "$?" 1 "the same email again: exit 1"
for bad in Ada -ada 'a b' "$(printf 'x%.0s' {1..41})" 'ada;drop' ''; do
	out=$(printf '%s\n' "$PW" | ctl user add --password-stdin "$bad" 2>&1)
	rc=$?
	ok "username '${bad:0:12}' refused (exit $rc)" test "$rc" -eq 2
done
out=$(printf '%s\n' "$PW" | ctl user add --role root --password-stdin eve 2>&1)
is "$?" 2 "an unknown role: exit 2"
for pw in short 1234567 $'tab\there-and-long' ; do
	out=$(printf '%s\n' "$pw" | ctl user add --password-stdin weakling 2>&1)
	is "$?" 1 "password '${pw//$'\t'/\\t}' refused"
done
like "$(printf 'short\n' | ctl user add --password-stdin weakling 2>&1)" 'at least 8 characters' "and told why"
long=$(printf 'y%.0s' {1..1100})
out=$(printf '%s\n' "$long" | ctl user add --password-stdin weakling 2>&1)
is "$?" 1 "a 1100-byte password is refused"
is "$(pgdb -c "SELECT count(*) FROM users WHERE username = 'weakling'")" 0 "and no such user was made"
out=$(ctl user add bob </dev/null 2>&1)
is "$?" 1 "no terminal and no --password-stdin: exit 1"
like "$out" 'not a terminal' "says how to give it"
# Eight characters of UTF-8, fewer bytes than that would be wrong to count.
out=$(printf 'pässwörd\n' | ctl user add --password-stdin umlaut 2>&1)
is "$?" 0 "eight characters with umlauts are enough"

out=$(ctl user add --no-password carol 2>&1)
is "$?" 0 "user add --no-password"
like "$out" 'cannot sign in' "says the user cannot sign in yet"
is "$(pgdb -c "SELECT password_hash IS NULL FROM users WHERE username = 'carol'")" t "no hash stored"
out=$(printf 'another good one\n' | ctl user passwd --password-stdin carol 2>&1)
is "$?" 0 "user passwd sets it"
like "$out" '^password of carol set; 0 sessions signed out$' "  and says how many sessions it ended"
like "$(pgdb -c "SELECT password_hash FROM users WHERE username = 'carol'")" '^\$argon2id\$' "now hashed"
out=$(printf 'another good one\n' | ctl user passwd --password-stdin nobody 2>&1)
is "$?" 1 "passwd for a user that does not exist: exit 1"
like "$out" 'no such user' "says so"
h1=$(pgdb -c "SELECT password_hash FROM users WHERE username = 'carol'")
printf 'another good one\n' | ctl user passwd --password-stdin carol >/dev/null 2>&1
h2=$(pgdb -c "SELECT password_hash FROM users WHERE username = 'carol'")
ok "the same password again gets a new salt" test "$h2" != "$h1"

out=$(ctl user list 2>&1)
is "$?" 0 "user list: exit 0"
like "$out" 'ada +admin +yes .*Ada Lovelace <ada@example.org>' "lists ada"
like "$out" 'carol +author +yes' "and carol"
is "$(ctl user 2>&1; echo "rc=$?")" "$(ctl user frobnicate 2>&1; echo "rc=$?")" "usage errors look alike"
like "$(ctl user frobnicate 2>&1; echo "rc=$?")" 'rc=2$' "and exit 2"
done_testing
