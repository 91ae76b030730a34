#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4018-https: HTTPS through the real ACME protocol, on the test stack.
# Debian's pebble (script/lib/acme.sh) is the CA, on loopback; the test
# runs src/ctl/inkwell-https as an operator would, with the stack's paths
# (stack_https_env) and "localhost" as the domain.
#   - refusals leave the HTTP site as it was: a name that does not
#     resolve, one that resolves to no address of this host, a port 80
#     that does not answer, nginx refusing the result;
#   - certbot gets a certificate; every reader page, the admin login and
#     the API answer over HTTPS (HTTP/2), checked with curl against
#     pebble's root; links, feeds, the sitemap and cookies say https;
#   - plain HTTP: 301 for GET and HEAD, 308 for POST, ACME challenges
#     and health checks still answered; HSTS on HTTPS;
#   - the check itself fails for a wrong name, an unknown root and an
#     expired certificate (made here with openssl);
#   - TLS 1.0 and 1.1 refused, 1.2 and 1.3 taken; every TLS 1.2 suite the
#     server accepts is forward-secret and AEAD; resumption from the
#     session cache with no ticket; OCSP stapled (a responder on
#     loopback answers for pebble's intermediate);
#   - a forced renewal under a bounded load: certbot's deploy hook
#     reloads nginx, the new certificate is served, no request fails;
#   - inkwell-https --off: HTTP only again, links say http.
# HTTPS port: the stack's HTTP port + 363 (8444). ACME ports 14100-14101,
# DNS 8153, OCSP 8154.
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_CONF INKWELL_BUILD INKWELL_TEST_PG
for tool in pebble certbot openssl nginx curl; do
	command -v "$tool" >/dev/null || skip_all "$tool is not installed (script/bootstrap --for test)"
done
# shellcheck source=script/lib/stack.sh
. "$here/../script/lib/stack.sh"
STACK_BUILD=$INKWELL_BUILD
stack_init "$INKWELL_TEST_VAR" 8081 5434 6381
_stack_state_read
[[ $STACK_URL == "${INKWELL_TEST_URL%/}" ]] ||
	skip_all "the test stack is at $INKWELL_TEST_URL, not $STACK_URL"
# shellcheck source=script/lib/acme.sh
. "$here/../script/lib/acme.sh"

export ACME_PORT=14100 ACME_MGMT_PORT=14101 ACME_DNS_PORT=8153 ACME_OCSP_PORT=8154
HTTP=$STACK_URL
P=$STACK_HTTPS_PORT
HTTPS=https://localhost:$P
CMD=$STACK_REPO/src/ctl/inkwell-https
TMP=$(mktemp -d /tmp/inkwell-4018.XXXXXX)
CA_DIR=$STACK_VAR/acme-ca

load_pids=()
cleanup() {
	touch "$TMP/stop"
	((${#load_pids[@]} == 0)) || wait "${load_pids[@]}" 2>/dev/null
	"$CMD" --off >/dev/null 2>&1
	rm -f "$STACK_VAR/nginx/https.conf" "$STACK_VAR/conf.d/50-https.conf"
	acme_stop "$CA_DIR" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

stack_https_env
not() { ! "$@"; }
code() { curl -s -o /dev/null --max-time 20 -w '%{http_code}' "$@"; }
# get URL [curl args]: body in $TMP/body, headers in $TMP/head; prints the status.
get() {
	local url=$1
	shift
	curl -s --max-time 20 -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$url"
}
has() { grep -qF -- "$1" "$TMP/body"; }
hdr() { sed -n "s/^$1: *//Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
https_off() { [[ ! -e $STACK_VAR/nginx/https.conf ]] && [[ ! -e $STACK_VAR/conf.d/50-https.conf ]]; }
http_serves() { [[ $(code "$HTTP/") == 200 ]]; }

# From HTTP only, whatever an earlier run left.
"$CMD" --off >/dev/null 2>&1
acme_start "$CA_DIR" "$STACK_HTTP_PORT"
rm -rf "$STACK_VAR/letsencrypt"
run() {
	# run [ENV=V...] -- ARGS: the command, its output in $TMP/out
	REQUESTS_CA_BUNDLE=$ACME_API_CA CURL_CA_BUNDLE=$ACME_ROOT "$CMD" "$@" >"$TMP/out" 2>&1
}

# --- refusals ------------------------------------------------------------------
run --domain no-such-host.invalid --email ops@example.org --acme-directory "$ACME_DIRECTORY"
is "$?" 1 "a name that does not resolve: exit 1"
like "$(cat "$TMP/out")" 'no-such-host.invalid does not resolve' "  says so"
ok "  nothing written" https_off
ok "  the HTTP site still serves" http_serves

# A name resolving to 127.0.0.2, which nginx does not listen on (a mount
# namespace with its own /etc/hosts).
printf '127.0.0.1 localhost\n127.0.0.2 elsewhere.test\n' >"$TMP/hosts"
REQUESTS_CA_BUNDLE=$ACME_API_CA unshare -m bash -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' _ \
	"$TMP/hosts" "$CMD" --domain elsewhere.test --email ops@example.org \
	--acme-directory "$ACME_DIRECTORY" >"$TMP/out" 2>&1
is "$?" 1 "a name that resolves to another host: exit 1"
like "$(cat "$TMP/out")" 'elsewhere.test resolves to 127.0.0.2 , which is not this host' "  says so, with the address"
ok "  nothing written" https_off

INKWELL_HTTPS_HTTP_PORT=1 run --domain localhost --email ops@example.org --acme-directory "$ACME_DIRECTORY"
is "$?" 1 "port 80 not answering: exit 1"
like "$(cat "$TMP/out")" 'port 1 at localhost does not answer' "  says so"
ok "  nothing written" https_off

run --domain 'bad_name;rm' --email ops@example.org
is "$?" 2 "a malformed name: exit 2"
run --domain localhost --email 'not an address'
is "$?" 2 "a malformed e-mail address: exit 2"
run --domain localhost --email ops@example.org --acme-directory http://127.0.0.1:1/dir
is "$?" 2 "a plain-http ACME directory: exit 2"

printf 'ssl_protocols TLSv1.2\n' >"$TMP/broken-tls.conf" # no ";": nginx -t fails
INKWELL_HTTPS_TLS_SNIPPET=$TMP/broken-tls.conf run --domain localhost --email ops@example.org \
	--acme-directory "$ACME_DIRECTORY"
is "$?" 1 "nginx refusing the HTTPS server: exit 1"
like "$(cat "$TMP/out")" 'nginx refused the HTTPS server' "  says so"
ok "  nothing left behind" https_off
ok "  the HTTP site still serves" http_serves
is "$(get "$HTTP/")" 200 "  and does not redirect"

# --- on --------------------------------------------------------------------------
run --domain localhost --email ops@example.org --acme-directory "$ACME_DIRECTORY"
is "$?" 0 "inkwell-https --domain localhost: exit 0"
if_fail diag "$(tail -n 20 "$TMP/out")"
like "$(cat "$TMP/out")" "$HTTPS/ is served over HTTPS" "  says where"
run --status
like "$(cat "$TMP/out")" 'HTTPS is on.*subject=CN ?= ?localhost' "--status: on, the certificate's subject"

R=(--cacert "$ACME_ROOT")
tok=$("$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" user add --no-password --role admin t4018-admin >/dev/null 2>&1
"$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" token add t4018-admin 2>/dev/null)
slug=t4018-over-https tag=t4018-tls
is "$(get "$HTTPS/api/v1/tags" "${R[@]}" -X POST -H "Authorization: Bearer $tok" \
	-H 'Content-Type: application/json' --data "{\"slug\":\"$tag\",\"name\":\"TLS\"}")" 201 \
	"POST /api/v1/tags over HTTPS with a token: 201"
is "$(get "$HTTPS/api/v1/posts" "${R[@]}" -X POST -H "Authorization: Bearer $tok" \
	-H 'Content-Type: application/json' \
	--data "{\"title\":\"Over HTTPS\",\"slug\":\"$slug\",\"body_md\":\"sent encrypted\",\"status\":\"published\",\"tags\":[\"$tag\"]}")" 201 \
	"POST /api/v1/posts over HTTPS with a token: 201"
for path in / "/posts/$slug" "/tags/$tag" /archive /feed.atom /feed.rss /sitemap.xml \
	'/search?q=encrypted' /admin/login /api/v1/posts /api/v1/openapi.json /static/style.css; do
	is "$(curl -s --max-time 20 -o /dev/null -w '%{http_code} %{http_version}' "${R[@]}" "$HTTPS$path")" "200 2" \
		"GET $path over HTTPS (HTTP/2), chain checked with pebble's root"
done
is "$(get "$HTTPS/" "${R[@]}")" 200 "the home page again"
is "$(hdr Strict-Transport-Security)" "max-age=86400" "  HSTS: a day, as inkwell-tls.conf ships"
ok "  its canonical link is https" has "<link rel=\"canonical\" href=\"$HTTPS/\">"
get "$HTTPS/feed.atom" "${R[@]}" >/dev/null
ok "the feed's links are https" has "<link rel=\"self\" type=\"application/atom+xml\" href=\"$HTTPS/feed.atom\"/>"
ok "  its post's too" has "<id>$HTTPS/posts/$slug</id>"
ok "  and none is plain http" not has 'href="http:'

get "$HTTPS/sitemap.xml" "${R[@]}" >/dev/null
ok "the sitemap's addresses are https" has "<loc>$HTTPS/posts/$slug</loc>"
get "$HTTPS/admin/login" "${R[@]}" >/dev/null
like "$(hdr Set-Cookie)" '; Secure' "the login form's cookie is Secure"


# --- plain HTTP ------------------------------------------------------------------
is "$(get "$HTTP/posts/$slug?x=1")" 301 "GET over http: 301"
is "$(hdr Location)" "https://localhost:$P/posts/$slug?x=1" "  to the same path on the certificate's name over https"
is "$(code -I "$HTTP/")" 301 "HEAD over http: 301"
is "$(get "$HTTP/api/v1/posts" -X POST -H 'Content-Type: application/json' --data '{}')" 308 "POST over http: 308 (repeat it as it was)"
is "$(hdr Location)" "https://localhost:$P/api/v1/posts" "  to https"
echo t4018-token >"$STACK_VAR/acme/.well-known/acme-challenge/t4018-token"
is "$(get "$HTTP/.well-known/acme-challenge/t4018-token")" 200 "an ACME challenge is answered over http"
is "$(cat "$TMP/body")" t4018-token "  with the file certbot put there"
rm -f "$STACK_VAR/acme/.well-known/acme-challenge/t4018-token"
is "$(code "$HTTP/.well-known/acme-challenge/none")" 404 "  an unknown one: 404, not a redirect"
is "$(code "$HTTP/healthz")" 200 "/healthz still answers over http (local health checks)"

# --- the check can fail ----------------------------------------------------------
tls_ok() {
	# tls_ok NAME CA: a verified HTTPS answer from the stack for NAME
	[[ $(code --cacert "$2" --resolve "$1:$P:127.0.0.1" "https://$1:$P/livez") == 200 ]]
}
ok "the check passes: localhost, pebble's root" tls_ok localhost "$ACME_ROOT"
ok "the check fails for a name the certificate does not hold" not tls_ok other.test "$ACME_ROOT"
ok "the check fails against another root" not tls_ok localhost "$ACME_API_CA"

# An own CA, one valid and one expired certificate for localhost.
mkdir -p "$TMP/ca/new"
: >"$TMP/ca/index.txt"
echo 1000 >"$TMP/ca/serial"
cat >"$TMP/ca/ca.cnf" <<EOF
[ca]
default_ca = c
[c]
dir = $TMP/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[p]
commonName = supplied
EOF
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=t4018-CA \
	-keyout "$TMP/ca/ca.key" -out "$TMP/ca/ca.pem" >/dev/null 2>&1
own_cert() {
	# own_cert NAME START END
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=DNS:localhost \
		-keyout "$TMP/ca/$1.key" -out "$TMP/ca/$1.csr" >/dev/null 2>&1 &&
		openssl ca -batch -config "$TMP/ca/ca.cnf" -cert "$TMP/ca/ca.pem" -keyfile "$TMP/ca/ca.key" \
			-startdate "$2" -enddate "$3" -in "$TMP/ca/$1.csr" -out "$TMP/ca/$1.pem" >/dev/null 2>&1
}
serve_cert() {
	# serve_cert PEM KEY: the stack's nginx serves them (until restored)
	sed -e "s#^ssl_certificate .*#ssl_certificate $1;#" -e "s#^ssl_certificate_key .*#ssl_certificate_key $2;#" \
		"$TMP/https.conf.good" >"$STACK_VAR/nginx/https.conf" && "$CMD" --reload >/dev/null 2>&1
}
served_serial() {
	echo | openssl s_client -connect "127.0.0.1:$P" -servername localhost 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}
serial_is() { [[ $(served_serial) == "$1" ]]; }
cp "$STACK_VAR/nginx/https.conf" "$TMP/https.conf.good"
ok "an own CA's certificate valid today" own_cert valid "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" "$(date -u -d '+1 day' +%Y%m%d%H%M%SZ)"
ok "and one that expired a year ago" own_cert expired "$(date -u -d '-400 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '-365 days' +%Y%m%d%H%M%SZ)"
serve_cert "$TMP/ca/valid.pem" "$TMP/ca/valid.key"
want=$(openssl x509 -in "$TMP/ca/valid.pem" -noout -serial | cut -d= -f2)
wait_for 10 serial_is "$want"
ok "the check passes with the valid one" tls_ok localhost "$TMP/ca/ca.pem"
serve_cert "$TMP/ca/expired.pem" "$TMP/ca/expired.key"
want=$(openssl x509 -in "$TMP/ca/expired.pem" -noout -serial | cut -d= -f2)
ok "  (nginx serves the expired one)" wait_for 10 serial_is "$want"
ok "the check fails with the expired one" not tls_ok localhost "$TMP/ca/ca.pem"
like "$(curl -sS --cacert "$TMP/ca/ca.pem" "$HTTPS/livez" 2>&1)" 'expired' "  curl says: expired"
cp "$TMP/https.conf.good" "$STACK_VAR/nginx/https.conf"
"$CMD" --reload >/dev/null 2>&1
ok "pebble's certificate is back" wait_for 10 tls_ok localhost "$ACME_ROOT"

# --- TLS settings ----------------------------------------------------------------
handshake() {
	# handshake ARGS: openssl s_client to the stack; the client offers old
	# versions and weak suites too (security level 0), the server decides.
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -servername localhost "$@" >"$TMP/hs" 2>&1 &&
		grep -q 'Cipher is [A-Z0-9]' "$TMP/hs"
}
ok "TLS 1.0 refused" not handshake -tls1 -cipher 'ALL:@SECLEVEL=0'
ok "TLS 1.1 refused" not handshake -tls1_1 -cipher 'ALL:@SECLEVEL=0'
ok "TLS 1.2 taken" handshake -tls1_2
ok "TLS 1.3 taken" handshake -tls1_3
accepted=() weak=()
for c in $(openssl ciphers 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' | tr ':' ' '); do
	handshake -tls1_2 -cipher "$c:@SECLEVEL=0" || continue
	accepted+=("$c")
	[[ $c =~ ^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$ ]] || weak+=("$c")
done
ok "TLS 1.2: some suites taken (${accepted[*]:-none})" test "${#accepted[@]}" -gt 0
is "${weak[*]:-}" "" "  all forward-secret AEAD: no weak suite"
handshake -tls1_2 -reconnect
like "$(grep -c '^Reused, TLSv1.2' "$TMP/hs")" '^[1-9]' "TLS 1.2 sessions resume (from the session cache)"
unlike "$(cat "$TMP/hs")" 'TLS session ticket:' "  and no session ticket is handed out"

cert=$STACK_VAR/letsencrypt/config/live/localhost/cert.pem
acme_ocsp_add "$CA_DIR" "$cert"
acme_ocsp_start "$CA_DIR"
# nginx asked before there was an answer and waits minutes to ask again;
# a reload starts its stapling afresh.
"$CMD" --reload >/dev/null 2>&1
stapled() {
	handshake -status && grep -q 'OCSP Response Status: successful' "$TMP/hs" &&
		grep -q 'Cert Status: good' "$TMP/hs"
}
ok "OCSP: a good response is stapled (the certificate names a responder)" wait_for 20 stapled

# --- renewal under load ----------------------------------------------------------
# Three readers until told to stop (at most 1500 requests each): two with
# a new connection per request, one keeping its connection (20 a call).
#
# A request the server refused unprocessed is sent once more, as a
# browser does. During a reload, an old nginx worker that has just
# accepted a connection, or that gets a new stream on a kept one, answers
# with GOAWAY (NO_ERROR) naming a last stream below the client's: that
# stream was not processed and may be sent again (RFC 9113, 6.8).
# Chromium and Firefox do so on a new connection; curl 7.88 reports
# "(16) Error in the HTTP2 framing layer" instead. A bare nginx 1.22 with
# a static file does this to about 1 request in 5 reloads under this
# load, whatever the site's configuration. Any other failure, or a
# refusal whose second try fails, fails the test.
#
# refusals: reads curl -v's stderr; prints how many transfers failed
# only because GOAWAY refused their stream unprocessed; false when any
# transfer failed otherwise.
refusals() {
	awk '
	/Using Stream ID: / { match($0, /ID: [0-9]+/); s = substr($0, RSTART + 4, RLENGTH - 4) + 0; g = -1 }
	/GOAWAY, error=0, last_stream=/ { match($0, /last_stream=[0-9]+/); g = substr($0, RSTART + 12, RLENGTH - 12) + 0 }
	/^curl: \(/ { if ($0 ~ /^curl: \(16\) / && g >= 0 && s > g) r++; else bad++ }
	END { print r + 0; exit bad > 0 }'
}
# read_once N URL CURL-ARGS...: one curl run; a status line per transfer
# on stdout (000 for a failed one), its errors in $TMP/err.N. Refused
# transfers are sent again, one by one, and counted in $TMP/refused.N.
read_once() {
	local n=$1 url=$2 out r k
	shift 2
	out=$(curl -sS -v --max-time 20 -w '%{http_code}\n' "${R[@]}" "$@" 2>"$TMP/v.$n")
	if r=$(refusals <"$TMP/v.$n") && ((r > 0)) && (($(grep -cx 000 <<<"$out") == r)); then
		grep -vx 000 <<<"$out"
		for ((k = 0; k < r; k++)); do
			echo "$url" >>"$TMP/refused.$n"
			curl -sS -o /dev/null --max-time 10 -w '%{http_code}\n' "${R[@]}" "$url" 2>>"$TMP/err.$n"
		done
	else
		printf '%s\n' "$out"
		grep '^curl: (' "$TMP/v.$n" >>"$TMP/err.$n"
	fi
}
# The classifier itself, on curl -v lines of each kind.
refusals_say() { local want=$1 r; shift; r=$(printf '%s\n' "$@" | refusals) && [[ $r == "$want" ]]; }
goaway() { printf '* recveived GOAWAY, error=%s, last_stream=%s' "$1" "$2"; }
e16='curl: (16) Error in the HTTP2 framing layer'
ok "refusals: stream 1 refused by GOAWAY last_stream=0 is a refusal" \
	refusals_say 1 '* Using Stream ID: 1 (easy handle 0x1)' "$(goaway 0 0)" "$e16"
ok "  so is stream 7 after last_stream=5" \
	refusals_say 1 '* Using Stream ID: 7 (easy handle 0x1)' "$(goaway 0 5)" "$e16" '* Using Stream ID: 9 (easy handle 0x1)'
ok "  no error, no refusal" refusals_say 0 '* Using Stream ID: 1 (easy handle 0x1)'
ok "  a stream the server took (7, last_stream=7) is a failure" \
	not refusals_say 1 '* Using Stream ID: 7 (easy handle 0x1)' "$(goaway 0 7)" "$e16"
ok "  so is one refused by a GOAWAY with an error code" \
	not refusals_say 1 '* Using Stream ID: 1 (easy handle 0x1)' "$(goaway 2 0)" "$e16"
ok "  and a reset connection" \
	not refusals_say 0 '* Using Stream ID: 1 (easy handle 0x1)' 'curl: (56) Recv failure: Connection reset by peer'
load_fresh() {
	local i
	for ((i = 0; i < 1500; i++)); do
		[[ -f $TMP/stop ]] && break
		read_once "$1" "$HTTPS/posts/$slug" -o /dev/null "$HTTPS/posts/$slug"
	done >"$TMP/load.$1"
}
load_kept() {
	local i urls=()
	for ((i = 0; i < 20; i++)); do urls+=("$HTTPS/" "-o" "/dev/null"); done
	for ((i = 0; i < 75; i++)); do
		[[ -f $TMP/stop ]] && break
		read_once kept "$HTTPS/" "${urls[@]}"
	done >"$TMP/load.kept"
}
answers() { cat "$TMP"/load.* 2>/dev/null | wc -l; }
answers_ge() { (($(answers) >= $1)); }
before=$(served_serial)
rm -f "$TMP/stop"
load_fresh 1 &
load_pids+=($!)
load_fresh 2 &
load_pids+=($!)
load_kept &
load_pids+=($!)
wait_for 30 answers_ge 60
n0=$(answers)
REQUESTS_CA_BUNDLE=$ACME_API_CA certbot renew --force-renewal --no-random-sleep-on-renew \
	--config-dir "$STACK_VAR/letsencrypt/config" --work-dir "$STACK_VAR/letsencrypt/work" \
	--logs-dir "$STACK_VAR/letsencrypt/logs" >"$TMP/renew" 2>&1
is "$?" 0 "certbot renew --force-renewal under load: exit 0"
if_fail diag "$(tail -n 15 "$TMP/renew")"
after_file=$(openssl x509 -in "$cert" -noout -serial | cut -d= -f2)
ok "  a new certificate" test "$after_file" != "$before"
ok "  served after the deploy hook's reload" wait_for 10 serial_is "$after_file"
n1=$(answers)
wait_for 30 answers_ge $((n1 + 60))
touch "$TMP/stop"
wait "${load_pids[@]}"
load_pids=()
total=$(answers)
bad=$(grep -cvx 200 "$TMP"/load.* | awk -F: '{ s += $2 } END { print s + 0 }')
ok "requests answered before ($n0), during and after ($((total - n1))) the renewal: $total in all" \
	test "$n0" -gt 0 -a "$((total - n1))" -gt 0
is "$bad" 0 "  none failed"
if_fail diag "$(sort "$TMP"/load.* | uniq -c; head -n 5 "$TMP"/err.* 2>/dev/null)"
refused=$(cat "$TMP"/refused.* 2>/dev/null | wc -l)
note "  $refused refused unprocessed by a retiring nginx worker (GOAWAY), sent again"

# --- off -------------------------------------------------------------------------
run --off
is "$?" 0 "inkwell-https --off: exit 0"
ok "  its files are gone" https_off
ok "  http serves again" wait_for 10 http_serves
ok "  the feed's links say http again" wait_for 10 \
	bash -c '[[ $(curl -s "$1/feed.atom") == *"<id>$1/</id>"* ]]' _ "$HTTP"
ok "  and HTTPS is closed" wait_for 10 bash -c '! curl -s -o /dev/null --max-time 5 -k "$1/"' _ "$HTTPS"

psql -X -q -d "$INKWELL_TEST_PG" -c "DELETE FROM posts WHERE slug = '$slug'; DELETE FROM tags WHERE slug = '$tag'" >/dev/null 2>&1
"$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" user delete t4018-admin >/dev/null 2>&1
done_testing
