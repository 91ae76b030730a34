#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The operational endpoints, error pages and nginx headers, through nginx
# (script/test's stack). Needs: curl, python3, tidy.
# shellcheck disable=SC2317 # helpers are called through ok, wait_for, if_fail
set -euo pipefail

# shellcheck source=t/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
need_env INKWELL_TEST_URL

URL=${INKWELL_TEST_URL%/}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# fetch PATH [CURL ARGS...]: sets STATUS; the body is in $TMP/body, the
# response headers in $TMP/hdrs.
fetch() {
	local path=$1
	shift
	: >"$TMP/body"
	: >"$TMP/hdrs"
	STATUS=$(curl -sS --max-time 10 -o "$TMP/body" -D "$TMP/hdrs" \
		-w '%{http_code}' "$@" "$URL$path" 2>"$TMP/curl.err") || {
		diag "curl $URL$path: $(cat "$TMP/curl.err")"
		STATUS=000
	}
}

# header NAME: the value of the last NAME header (CR and blanks trimmed).
header() {
	grep -i "^$1:" "$TMP/hdrs" | tail -n 1 | sed 's/^[^:]*:[[:space:]]*//; s/[[:space:]]*$//' || true
}

header_count() {
	grep -ci "^$1:" "$TMP/hdrs" || true
}

is_json() { python3 -m json.tool "$TMP/body" >/dev/null 2>&1; }

# json_field KEY: top-level KEY of the JSON body, as text ("" when absent).
json_field() {
	python3 - "$TMP/body" "$1" <<-'EOF' 2>/dev/null || true
		import json, sys
		d = json.load(open(sys.argv[1]))
		v = d.get(sys.argv[2], "") if isinstance(d, dict) else ""
		print("" if v is None else v)
	EOF
}

show_body() { diag "body: $(head -c 400 "$TMP/body")"; }

# The headers nginx/inkwell.conf adds to every response, exactly once.
check_security_headers() {
	local what=$1 csp
	is "$(header X-Content-Type-Options)" nosniff "$what: X-Content-Type-Options nosniff"
	is "$(header X-Frame-Options)" DENY "$what: X-Frame-Options DENY"
	is "$(header Referrer-Policy)" strict-origin-when-cross-origin "$what: Referrer-Policy"
	csp=$(header Content-Security-Policy)
	like "$csp" "default-src 'self'" "$what: CSP default-src 'self'"
	like "$csp" "frame-ancestors 'none'" "$what: CSP frame-ancestors 'none'"
	like "$(header Permissions-Policy)" "interest-cohort=\(\)" "$what: Permissions-Policy"
	local h n dup=
	for h in X-Content-Type-Options X-Frame-Options Referrer-Policy Content-Security-Policy Permissions-Policy; do
		n=$(header_count "$h")
		((n == 1)) || dup+=" $h($n)"
	done
	is "$dup" "" "$what: each security header sent exactly once"
	unlike "$(header Server)" '[0-9]' "$what: Server header does not leak a version"
}

# --- /healthz -------------------------------------------------------------
fetch /healthz
is "$STATUS" 200 "/healthz answers 200"
ok "/healthz body is JSON" is_json
if_fail show_body
is "$(json_field status)" ok '/healthz says {"status":"ok"}'
like "$(header Content-Type)" '^application/json' "/healthz Content-Type is application/json"
check_security_headers /healthz
is "$(header Server)" nginx "Server header is just 'nginx'"

# --- /livez ---------------------------------------------------------------
fetch /livez
is "$STATUS" 200 "/livez answers 200"

# --- /readyz --------------------------------------------------------------
fetch /readyz
is "$STATUS" 200 "/readyz answers 200 (PostgreSQL up, migrations applied)"
if_fail show_body

# --- /version -------------------------------------------------------------
fetch /version
is "$STATUS" 200 "/version answers 200"
ok "/version body is JSON" is_json
like "$(json_field version)" '.' "/version has a non-empty version"
like "$(json_field commit)" '.' "/version has a non-empty commit"
like "$(json_field build_date)" '.' "/version has a non-empty build_date"

# --- an unknown page: HTML 404 --------------------------------------------
fetch /no/such/page-4001
is "$STATUS" 404 "an unknown path answers 404"
like "$(header Content-Type)" '^text/html' "the 404 page is text/html"
tidy_rc=0
tidy -q -e "$TMP/body" >"$TMP/tidy.out" 2>&1 || tidy_rc=$?
if ((tidy_rc < 2)); then
	pass "the 404 page has no HTML errors (tidy -q -e)"
else
	fail "the 404 page has no HTML errors (tidy -q -e)"
	diag "$(cat "$TMP/tidy.out")"
fi
check_security_headers "404 page"

# --- an unknown API path: JSON 404 ----------------------------------------
fetch /api/v1/nope
is "$STATUS" 404 "/api/v1/nope answers 404"
like "$(header Content-Type)" '^application/json' "/api/v1/nope Content-Type is application/json"
ok "/api/v1/nope body is JSON" is_json
if_fail show_body
check_security_headers "API 404"

# --- static files, served by nginx ----------------------------------------
fetch /static/style.css
is "$STATUS" 200 "/static/style.css answers 200"
like "$(header Content-Type)" '^text/css' "/static/style.css is text/css"
like "$(header Cache-Control)" 'max-age=604800' "/static/ is cached for 7 days"
check_security_headers /static/style.css

fetch /static/no-such-file.css
is "$STATUS" 404 "a missing static file answers 404"

done_testing
