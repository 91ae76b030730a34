#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# 4014-hostile-input: malformed addresses and page numbers through nginx.
#   - under /api/, a path the workers or nginx refuse (an encoded '/',
#     invalid UTF-8, raw bytes, a dot-dot walk above the root, an address
#     too long) is a JSON error with the right status, never the HTML
#     error page;
#   - raw bytes in a path never reach an error page's markup, and error
#     pages carry no canonical link nor og:url at all;
#   - a page number that is not one (abc, -1, 0, 1e9) is a 400 with a
#     readable page for the pages and a JSON 400 for the API; a page past
#     the last is a 404.
# Raw bytes go through python's socket, which sends the request line
# exactly as written (curl would re-encode it).
# Needs: curl, python3.
# shellcheck disable=SC2317 # helpers are called through ok and if_fail
set -uo pipefail

# shellcheck source=t/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
need_env INKWELL_TEST_URL

URL=${INKWELL_TEST_URL%/}
TMP=$(mktemp -d /tmp/inkwell-4014.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# raw PATH: sends "GET PATH HTTP/1.1" with PATH's bytes as they are (a
# python bytes literal); prints the status, leaves the headers in
# $TMP/hdrs and the body in $TMP/body.
raw() {
	python3 - "$URL" "$1" "$TMP" <<'EOF'
import ast, socket, sys, urllib.parse
url, path, tmp = sys.argv[1], ast.literal_eval("b'" + sys.argv[2] + "'"), sys.argv[3]
u = urllib.parse.urlsplit(url)
s = socket.create_connection((u.hostname, u.port or 80), timeout=10)
s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: " + u.netloc.encode() +
          b"\r\nConnection: close\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
lines = head.split(b"\r\n")
if any(l.lower() == b"transfer-encoding: chunked" for l in lines[1:]):
    out, rest = b"", body
    while rest:
        n, _, rest = rest.partition(b"\r\n")
        n = int(n.split(b";")[0], 16)
        if n == 0:
            break
        out, rest = out + rest[:n], rest[n + 2:]
    body = out
open(tmp + "/hdrs", "wb").write(b"\n".join(lines[1:]) + b"\n")
open(tmp + "/body", "wb").write(body)
print(lines[0].split()[1].decode())
EOF
}

# get PATH [curl args]: the same through curl (PATH sent as written).
get() {
	local path=$1
	shift
	: >"$TMP/body"
	curl -s --max-time 10 --path-as-is -o "$TMP/body" -D "$TMP/hdrs" \
		-w '%{http_code}' "$@" "$URL$path"
}

ctype() { sed -n 's/^content-type: *//Ip' "$TMP/hdrs" | tr -d '\r' | tail -n 1; }
json_status() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["status"])' "$TMP/body" 2>/dev/null
}
show() { diag "$(ctype): $(head -c 300 "$TMP/body")"; }

# api_error NAME STATUS PATH (raw): a JSON error with STATUS.
api_error() {
	local name=$1 want=$2 path=$3
	is "$(raw "$path")" "$want" "$name: $want"
	like "$(ctype)" '^application/json' "  in JSON"
	if_fail show
	is "$(json_status)" "$want" "  whose error.status says $want"
}

# --- the API answers malformed paths in JSON --------------------------------
api_error "an encoded / in an API path segment" 400 '/api/v1/posts/a%2Fb'
api_error "an encoded / in a write path" 400 '/api/v1/tags/a%2fb'
api_error "invalid UTF-8 (%ff) in an API path" 400 '/api/v1/posts/%ff%fe'
api_error "raw bytes 0xff 0xfe in an API path" 400 '/api/v1/posts/\xff\xfe'
api_error "an encoded NUL in an API path" 400 '/api/v1/posts/a%00b'
api_error "a bad escape in an API path" 400 '/api/v1/posts/%zz'
api_error "a dot-dot walk above the root (nginx refuses it)" 400 '/api/v1/../../../../etc/passwd'
api_error "an API address longer than nginx takes" 414 "/api/v1/posts/$(head -c 9000 /dev/zero | tr '\0' a)"
api_error "an unknown API path" 404 '/api/v1/no-such-thing'
is "$(raw "/$(head -c 9000 /dev/zero | tr '\0' a)")" 414 "outside the API a long address is a 414"
like "$(ctype)" '^text/html' "  as a page"
is "$(raw '/posts/a%2Fb')" 400 "outside the API the same path is a 400"
like "$(ctype)" '^text/html' "  as a page"

# --- raw bytes never reach an error page; error pages name no canonical -----
is "$(raw '/\xff\xfe')" 400 "raw bytes 0xff 0xfe in a page's path: 400"
like "$(ctype)" '^text/html; charset=utf-8' "  a page declared UTF-8"
ok "  whose body is valid UTF-8" python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$TMP/body"
ok "  and holds neither byte" python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); sys.exit(b"\xff" in b or b"\xfe" in b)' "$TMP/body"
ok "  and no canonical link" bash -c "! grep -qi 'rel=\"canonical\"' '$TMP/body'"
if_fail show
ok "  nor og:url" bash -c "! grep -qi 'og:url' '$TMP/body'"
like "$(cat "$TMP/body")" '400 Bad Request' "  it is still the site's error page"
is "$(raw '/posts/%ff')" 400 "an encoded 0xff in a page's path: 400"
ok "  with no canonical link" bash -c "! grep -qi 'rel=\"canonical\"' '$TMP/body'"
is "$(get /no/such/page-4014)" 404 "a page that is not there: 404"
ok "  with no canonical link" bash -c "! grep -qi 'rel=\"canonical\"' '$TMP/body'"
ok "  nor og:url" bash -c "! grep -qi 'og:url' '$TMP/body'"
is "$(get /)" 200 "the home page"
like "$(cat "$TMP/body")" '<link rel="canonical" href="http://[^"]+/">' "  keeps its canonical link"
like "$(cat "$TMP/body")" '<meta property="og:url" content="http://[^"]+/">' "  and og:url"

# --- page numbers: one rule for the pages and the API -----------------------
for p in abc -1 0 1e9 1.5 ''; do
	is "$(get "/?page=$p")" 400 "/?page=$p: 400"
	like "$(ctype)" '^text/html' "  a page"
	like "$(cat "$TMP/body")" 'page' "  that says the page number is wrong"
	if_fail show
	is "$(get "/api/v1/posts?page=$p")" 400 "/api/v1/posts?page=$p: 400"
	like "$(ctype)" '^application/json' "  in JSON"
done
for path in /tags/no-such-tag-4014 /archive/2020/01 /authors/nobody4014 '/search?q=x'; do
	sep='?'
	[[ $path == *'?'* ]] && sep='&'
	is "$(get "$path${sep}page=abc")" 400 "$path with page=abc: 400"
done
is "$(get '/?page=1')" 200 "/?page=1: 200"
is "$(get '/?page=100000')" 404 "a page past the last: 404"
is "$(get '/api/v1/posts?page=1')" 200 "/api/v1/posts?page=1: 200"

done_testing
