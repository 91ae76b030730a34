#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5001-token: API tokens end to end, through nginx: inkwellctl token
# add | list | revoke; GET /api/v1/me answers for the token's owner, and
# 401 with a bearer challenge for no token, a malformed, an unknown or a
# revoked one; the token is shown once and never stored or listed (only
# its BLAKE2b-256 hash is).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-5001.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# me [curl args]: GET /api/v1/me; body in $TMP/body, headers in $TMP/head.
me() {
	code=$(curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL/api/v1/me")
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
body() { cat "$TMP/body"; }

# Users made here, unless a rerun against the same database made them.
ctl user add --no-password --role admin --name 'Token Admin' t5001-admin >/dev/null 2>&1
ctl user add --no-password --role author --name 'Token <Author>' t5001-author >/dev/null 2>&1
is "$(pg -c "SELECT count(*) FROM users WHERE username IN ('t5001-admin', 't5001-author')")" 2 \
	"two users to hold tokens"

# --- inkwellctl token add ---------------------------------------------------
tok=$(ctl token add --name 'laptop script' t5001-admin 2>"$TMP/add.err")
is "$?" 0 "token add: exit 0"
like "$tok" '^iw_[A-Za-z0-9_-]{43}$' "prints the token alone on stdout"
like "$(cat "$TMP/add.err")" '^token [0-9]+ \(laptop script\) added for t5001-admin; it is shown only this once' \
	"says its id and that it is shown once, on stderr"
id=$(sed -n 's/^token \([0-9]*\) .*/\1/p' "$TMP/add.err")
tok2=$(ctl token add t5001-author 2>/dev/null)
like "$tok2" '^iw_[A-Za-z0-9_-]{43}$' "a token for the author (default name)"
ok "two tokens differ" test "$tok" != "$tok2"

out=$(ctl token add nobody-here 2>&1)
is "$?" 1 "token add for an unknown user: exit 1"
like "$out" 'nobody-here: no such user' "says so"
out=$(ctl token add --name "$(printf 'n%.0s' {1..101})" t5001-admin 2>&1)
is "$?" 2 "a 101-byte name: exit 2"
out=$(ctl token add --name $'two\nlines' t5001-admin 2>&1)
is "$?" 2 "a name with a newline: exit 2"
out=$(ctl token add 'Bad User' 2>&1)
is "$?" 2 "a malformed username: exit 2"
out=$(ctl token frobnicate 2>&1)
is "$?" 2 "an unknown subcommand: exit 2"

# --- what is stored, and listed ---------------------------------------------
hexhash=$(printf '%s' "$tok" | python3 -c 'import hashlib, sys; print(hashlib.blake2b(sys.stdin.buffer.read(), digest_size=32).hexdigest())')
is "$(pg -c "SELECT encode(token_hash, 'hex') FROM api_tokens WHERE id = $id")" "$hexhash" \
	"api_tokens holds BLAKE2b-256 of the token"
is "$(pg -c "SELECT count(*) FROM api_tokens WHERE token_hash = convert_to('$tok', 'UTF8')")" 0 \
	"and not the token"
pg_dump --data-only --table=api_tokens -d "$INKWELL_TEST_PG" >"$TMP/dump.sql" 2>"$TMP/dump.err"
ok "pg_dump of api_tokens" test -s "$TMP/dump.sql"
if_fail diag "$(cat "$TMP/dump.err")"
ok "the token is nowhere in the dump" bash -c '! grep -qF -- "$1" "$2" && ! grep -qF -- "${1:3}" "$2"' _ "$tok" "$TMP/dump.sql"
ok "nor the author's" bash -c '! grep -qF -- "${1:3}" "$2"' _ "$tok2" "$TMP/dump.sql"

out=$(ctl token list 2>&1)
is "$?" 0 "token list: exit 0"
like "$out" "^ID +USER +CREATED +LAST-USED +REVOKED +NAME" "has a header"
like "$out" "$id +t5001-admin +[0-9T:-]+Z +- +- +laptop script" "lists the admin's token, never used, not revoked"
unlike "$out" "${tok:3}" "never shows the token"
unlike "$out" "${tok2:3}" "nor the other one"
out=$(ctl token list t5001-author 2>&1)
like "$out" "t5001-author +[0-9T:-]+Z +- +- +cli" "token list USERNAME: that user's, named cli"
unlike "$out" "t5001-admin" "and no one else's"

# --- GET /api/v1/me -------------------------------------------------------------
me -H "Authorization: Bearer $tok"
is "$code" 200 "GET /api/v1/me with the token: 200"
is "$(body)" '{"user":{"username":"t5001-admin","display_name":"Token Admin","role":"admin"}}' \
	"names the token's owner"
is "$(header Cache-Control)" "no-store" "not to be cached"
me -H "Authorization: bearer $tok"
is "$code" 200 "the scheme in lower case: 200"
like "$(pg -c "SELECT last_used_at IS NOT NULL FROM api_tokens WHERE id = $id")" t "last_used_at is noted"
me -H "Authorization: Bearer $tok2"
is "$code" 200 "the author's token: 200"
is "$(body)" '{"user":{"username":"t5001-author","display_name":"Token <Author>","role":"author"}}' \
	"names the author (JSON, not HTML-escaped)"

me
is "$code" 401 "no Authorization header: 401"
is "$(header WWW-Authenticate)" 'Bearer realm="inkwell"' "with a bearer challenge"
like "$(body)" '"code":"unauthorized"' "and a JSON error"
is "$(header Content-Type)" "application/json" "as application/json"
for bad in "Bearer" "Bearer " "Basic dXNlcjpwYXNz" "Bearer ${tok}x" "Bearer ${tok:0:45}" \
	"Bearer ${tok/iw_/IW_}" "Token $tok" "Bearer $tok, Bearer $tok2"; do
	me -H "Authorization: $bad"
	is "$code" 401 "Authorization '${bad:0:24}...': 401"
done
unknown="iw_$(printf 'A%.0s' {1..43})"
me -H "Authorization: Bearer $unknown"
is "$code" 401 "a well-formed token nobody holds: 401"
is "$(header WWW-Authenticate)" 'Bearer realm="inkwell", error="invalid_token"' \
	"the challenge says the token is invalid"
me -H "Authorization: Bearer $(printf 'x%.0s' {1..6000})"
is "$code" 401 "a 6 kB header: 401"

# --- revoke ---------------------------------------------------------------------
out=$(ctl token revoke "$id" 2>&1)
is "$?" 0 "token revoke: exit 0"
is "$out" "token $id revoked" "says so"
me -H "Authorization: Bearer $tok"
is "$code" 401 "the revoked token: 401 at once"
me -H "Authorization: Bearer $tok2"
is "$code" 200 "the other token still works"
like "$(ctl token list t5001-admin)" "$id +t5001-admin +[0-9T:-]+Z +[0-9T:-]+Z +[0-9T:-]+Z +laptop script" \
	"token list shows when it was last used and revoked"
out=$(ctl token revoke 999999999 2>&1)
is "$?" 1 "revoking a token that does not exist: exit 1"
like "$out" 'no such token' "says so"
out=$(ctl token revoke 12abc 2>&1)
is "$?" 2 "a malformed id: exit 2"
done_testing
