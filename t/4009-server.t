#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4009-server: script/server as a newcomer runs it.  A detached stack of
# its own (ports: the test stack's plus 100) on a fresh directory prints
# an admin login that signs in through nginx and opens /admin/settings;
# so does a restart of a directory whose "admin" was left an author (as
# the demo import made it before).  "script/server status", run without
# the INKWELL_*_PORT variables, names the ports the stack was started on.
# "script/server --https --detach" serves it over HTTPS from the stack's
# own ACME CA (ACME ports 14300-14301, DNS 8353, OCSP 8354) and prints
# the https login, which signs in; a plain start is HTTP only again.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_BUILD INKWELL_SRC
command -v curl >/dev/null || skip_all "curl missing"

test_http=${INKWELL_TEST_URL##*:}
test_http=${test_http%%/*}
test_pg=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$INKWELL_TEST_PG")
http=$((test_http + 100))
pgport=$((test_pg + 100))
redis=$((${INKWELL_REDIS_PORT:-6381} + 100))
URL=http://127.0.0.1:$http

tmp=$(mktemp -d /tmp/inkwell-4009.XXXXXX)
chmod 755 "$tmp"
var=$tmp/var
server() {
	env -u INKWELL_HTTP_PORT -u INKWELL_PG_PORT -u INKWELL_REDIS_PORT \
		INKWELL_VAR="$var" "$INKWELL_SRC/script/server" "${args[@]}"
}
start() {
	timeout 300 env INKWELL_HTTP_PORT=$http INKWELL_PG_PORT=$pgport \
		INKWELL_REDIS_PORT=$redis INKWELL_VAR="$var" \
		ACME_PORT=14300 ACME_MGMT_PORT=14301 ACME_DNS_PORT=8353 ACME_OCSP_PORT=8354 \
		"$INKWELL_SRC/script/server" --detach "$@" >"$tmp/out" 2>"$tmp/err"
}
cleanup() {
	args=(stop)
	server >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# req JAR METHOD PATH [curl args]: body in $tmp/body; prints the status.
req() {
	local jar=$1 method=$2 path=$3
	shift 3
	curl -s --max-time 20 -b "$jar" -c "$jar" -X "$method" -o "$tmp/body" \
		-w '%{http_code}' "$@" "$URL$path"
}
csrf() { grep -o 'name="csrf" value="[^"]*"' "$tmp/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
# admin_opens_settings: signs in with what the start printed; prints the
# login's status and /admin/settings' status.
admin_opens_settings() {
	local user pw jar=$tmp/jar.$RANDOM tok
	user=$(sed -n 's/.*user: \([^ ]*\) .*/\1/p' "$tmp/out")
	pw=$(sed -n 's/.*password: \([^ ]*\).*/\1/p' "$tmp/out")
	req "$jar" GET /admin/login >/dev/null
	tok=$(csrf)
	printf '%s %s' \
		"$(req "$jar" POST /admin/login --data-urlencode "csrf=$tok" \
			--data-urlencode "username=$user" --data-urlencode "password=$pw" \
			--data-urlencode "next=/admin/posts")" \
		"$(req "$jar" GET /admin/settings)"
}

start
is "$?" 0 "script/server --detach on a fresh directory: exit 0"
if_fail diag "$(tail -n 20 "$tmp/err")"
like "$(cat "$tmp/out")" "admin: +$URL/admin +user: admin +password: " "it prints the admin login"
is "$(admin_opens_settings)" "303 200" "the printed admin signs in and opens /admin/settings"
like "$(grep -c 'Settings' "$tmp/body")" '^[1-9]' "  the settings page"
unlike "$(cat "$var/log/"*.log 2>/dev/null)" 'username or email is taken' "no 'username taken' in its logs"

# What script/server status says, started with other ports and asked
# without them.
args=(status)
st=$(server 2>&1)
like "$st" "nginx +running .*127\\.0\\.0\\.1:$http/" "status names the HTTP port it was started on ($http)"
like "$st" "redis +running .*127\\.0\\.0\\.1:$redis" "  and the Redis port ($redis)"
like "$st" "postgresql +running .*127\\.0\\.0\\.1:$pgport" "  and the PostgreSQL port ($pgport)"
unlike "$st" ':(8080|5433|6380)\b' "  not the defaults"

# A directory from before the fix: its "admin" is an author.
psql -X -q -t -A -d "host=$var/run port=$pgport dbname=inkwell user=postgres" \
	-c "UPDATE users SET role = 'author' WHERE username = 'admin'" >/dev/null
start
is "$?" 0 "script/server --detach again on that directory: exit 0"
is "$(admin_opens_settings)" "303 200" "the admin left an author is an admin again"

# HTTPS, as README's dev-stack command gives it.
if command -v pebble >/dev/null && command -v certbot >/dev/null; then
	https=$((http + 363))
	start --https
	is "$?" 0 "script/server --https --detach: exit 0"
	if_fail diag "$(tail -n 20 "$tmp/err"; tail -n 20 "$var/log/https.log")"
	URL=https://localhost:$https
	like "$(cat "$tmp/out")" "admin: +$URL/admin +user: admin" "it prints the https admin address"
	export CURL_CA_BUNDLE=$var/acme-ca/root.pem
	like "$(cat "$tmp/out")" "curl --cacert $CURL_CA_BUNDLE $URL/" "  and the root to check it with"
	is "$(admin_opens_settings)" "303 200" "the printed admin signs in over https (chain checked with the stack's root)"
	is "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http/about")" \
		"301 $URL/about" "http:// redirects to it"
	unset CURL_CA_BUNDLE
	is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" 000 "  (without that root the chain is refused)"
	URL=http://127.0.0.1:$http
	start
	is "$?" 0 "a plain start after it: exit 0"
	is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" 200 "  serves HTTP again, no redirect"
	is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "https://localhost:$https/")" 000 "  and nothing on the HTTPS port"
	ok "  the ACME CA is stopped" test ! -e "$var/acme-ca/pebble.pid"
else
	pass "HTTPS # SKIP pebble or certbot is not installed (script/bootstrap --for https)"
fi

args=(stop)
server >/dev/null 2>&1
args=(status)
like "$(server 2>&1)" "nginx +stopped" "stopped"
done_testing
