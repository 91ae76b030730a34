#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5002-media: media files end to end, through nginx: PUT with an API
# token (201, then 200 for the same bytes, 409 for others; what is stored
# is the picture decoded and written again: t/5023 looks at that), the type told
# by content only (SVG and HTML refused whatever the client says, a name
# whose extension lies refused), bad names, empty and oversized bodies;
# GET /media/NAME byte for byte with immutable caching, its ETag and
# 304, HEAD; the listing; and deletion by the uploader or an admin only.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-5002.XXXXXX)
# Leave no media behind: the admin media page shows every file, and one
# of these is a row no reader may be served (its 500 is on purpose).
cleanup() {
	pg -c "DELETE FROM media WHERE name LIKE 't5002-%'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# req METHOD PATH [curl args]: body in $TMP/body, headers in $TMP/head,
# status in $code.
req() {
	local m=$1 path=$2
	shift 2
	rm -f "$TMP/body"
	touch "$TMP/body"
	code=$(curl -s -X "$m" -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path")
}
# put NAME FILE TOKEN [curl args]
put() {
	local name=$1 file=$2 tok=$3
	shift 3
	req PUT "/api/v1/media/$name" -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/octet-stream' --data-binary "@$file" "$@"
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
json() { python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[int(k)] if isinstance(v, list) else v[k]
print("null" if v is None else v)' "$TMP/body" "$1" 2>/dev/null; }

# --- fixtures -------------------------------------------------------------
# png FILE WIDTH [EXTRA]: a real WIDTHx1 RGBA PNG, EXTRA appended after IEND.
png() {
	python3 - "$@" <<-'PY'
	import struct, sys, zlib
	out, width = sys.argv[1], int(sys.argv[2])
	extra = sys.argv[3].encode() if len(sys.argv) > 3 else b""
	def chunk(t, d):
	    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	raw = b"\0" + b"\x10\x20\x30\xff" * width
	data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, 1, 8, 6, 0, 0, 0))
	        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"") + extra)
	open(out, "wb").write(data)
	PY
}
png "$TMP/a.png" 1
png "$TMP/b.png" 2
png "$TMP/pct.png" 3 '%zz&a=%&&&=<script>'
vips black "$TMP/a.jpg" 2 2
printf 'GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;' >"$TMP/a.gif"
printf 'RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00' >"$TMP/a.webp"
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$TMP/x.svg"
printf '<!DOCTYPE html><html><body><script>alert(1)</script></body></html>' >"$TMP/x.html"
: >"$TMP/empty"

pg -c "DELETE FROM media WHERE name LIKE 't5002-%'" >/dev/null
ctl user add --no-password --role admin t5002-admin >/dev/null 2>&1
ctl user add --no-password --role author t5002-author >/dev/null 2>&1
ADMIN=$(ctl token add --name t5002 t5002-admin 2>/dev/null)
AUTHOR=$(ctl token add --name t5002 t5002-author 2>/dev/null)
like "$ADMIN $AUTHOR" '^iw_[^ ]{43} iw_[^ ]{43}$' "tokens for an admin and an author"

# --- upload ---------------------------------------------------------------------
put t5002-a.png "$TMP/a.png" "$AUTHOR"
is "$code" 201 "PUT a new PNG: 201"
is "$(header Location)" "/media/t5002-a.png" "Location: /media/NAME"
is "$(json media.name)" "t5002-a.png" "media.name"
is "$(json media.url)" "/media/t5002-a.png" "media.url"
is "$(json media.content_type)" "image/png" "media.content_type from the bytes, not the request's"
# What is stored is the clean picture: its bytes, size and hash.
curl -s -o "$TMP/a.clean" "$URL/media/t5002-a.png"
is "$(json media.bytes)" "$(stat -c %s "$TMP/a.clean")" "media.bytes: the stored picture's"
sha=$(sha256sum "$TMP/a.clean" | cut -d' ' -f1)
is "$(json media.sha256)" "$sha" "media.sha256 (hex)"
is "$(json media.uploaded_by)" "t5002-author" "media.uploaded_by"
like "$(json media.created_at)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "media.created_at"
is "$(pg -c "SELECT encode(sha256, 'hex') || ' ' || octet_length(bytes) FROM media WHERE name = 't5002-a.png'")" \
	"$sha $(stat -c %s "$TMP/a.clean")" "stored with its SHA-256"

put t5002-a.png "$TMP/a.png" "$AUTHOR"
is "$code" 200 "the same bytes again: 200 (nothing changes)"
is "$(header Location)" "" "no Location"
is "$(json media.sha256)" "$sha" "the same description"
put t5002-a.png "$TMP/a.png" "$ADMIN"
is "$code" 200 "the same bytes from another user: 200"
is "$(json media.uploaded_by)" "t5002-author" "still the first uploader's"
put t5002-a.png "$TMP/b.png" "$AUTHOR"
is "$code" 409 "other bytes under a taken name: 409"
like "$(json error.message)" 'delete it first' "says what to do"
is "$(pg -c "SELECT encode(sha256, 'hex') FROM media WHERE name = 't5002-a.png'")" "$sha" \
	"the stored file is unchanged"

# curl --data-binary calls its body a form unless told otherwise.
req PUT /api/v1/media/t5002-pct.png -H "Authorization: Bearer $AUTHOR" --data-binary "@$TMP/pct.png"
is "$code" 201 "a PNG sent as 'application/x-www-form-urlencoded' (with '%zz' in it): 201"
for kind in jpg:image/jpeg gif:image/gif webp:image/webp; do
	put "t5002-a.${kind%%:*}" "$TMP/a.${kind%%:*}" "$AUTHOR" -H "Content-Type: text/html"
	is "$code $(json media.content_type)" "201 ${kind#*:}" \
		"a ${kind%%:*} labelled text/html is stored as ${kind#*:}"
done

# --- refused uploads ------------------------------------------------------------
put t5002-x.svg "$TMP/x.svg" "$AUTHOR" -H 'Content-Type: image/svg+xml'
is "$code" 415 "SVG: 415"
like "$(json error.message)" 'not SVG' "says why"
put t5002-x.png "$TMP/x.svg" "$AUTHOR" -H 'Content-Type: image/png'
is "$code" 415 "SVG named .png and labelled image/png: 415"
put t5002-x.png "$TMP/x.html" "$AUTHOR" -H 'Content-Type: image/png'
is "$code" 415 "HTML labelled image/png: 415"
put t5002-x.png "$TMP/a.jpg" "$AUTHOR"
is "$code" 422 "a JPEG named .png: 422"
is "$(json error.message)" "the file is a JPEG image: its name must end in .jpg or .jpeg" "says why"
put t5002-x.jpg "$TMP/a.png" "$AUTHOR"
is "$code" 422 "a PNG named .jpg: 422"
put t5002-x "$TMP/a.png" "$AUTHOR"
is "$code" 422 "a PNG named without an extension: 422"
put t5002-e.png "$TMP/empty" "$AUTHOR"
is "$code" 422 "an empty body: 422"
like "$(json error.message)" 'empty' "says so"
for bad in -t5002.png .t5002.png t5002%20a.png 't5002%3Cb%3E.png' t5002%C3%A9.png \
	"t5002-$(printf 'n%.0s' {1..200}).png"; do
	put "$bad" "$TMP/a.png" "$AUTHOR"
	is "$code" 422 "name '${bad:0:20}': 422"
done
like "$(json error.message)" 'at most 200 characters' "a long name: says why"
put t5002-a%2Fb.png "$TMP/a.png" "$AUTHOR"
is "$code" 400 "a name with an encoded slash: 400 (refused as a path)"
is "$(pg -c "SELECT count(*) FROM media WHERE name LIKE 't5002-x%' OR name LIKE 't5002-e%' OR name LIKE '%t5002%' AND name NOT LIKE 't5002-%'")" 0 \
	"none of those was stored"

# Over media_max_bytes (8 MiB by default): a PNG header and zeros.
big=$TMP/big.png
cp "$TMP/a.png" "$big"
head -c $((9 * 1024 * 1024)) /dev/zero >>"$big"
put t5002-big.png "$big" "$AUTHOR"
is "$code" 413 "9 MiB: 413 (before it is read)"
is "$(header Content-Type)" "application/json" "as a JSON error"
is "$(pg -c "SELECT count(*) FROM media WHERE name = 't5002-big.png'")" 0 "and nothing stored"
# Over nginx's own cap (16 MiB): nginx refuses it, still as the API's
# JSON error.
head -c $((8 * 1024 * 1024)) /dev/zero >>"$big"
put t5002-big.png "$big" "$AUTHOR"
is "$code" 413 "17 MiB, over nginx's cap: 413"
is "$(header Content-Type)" "application/json" "  as a JSON error"
like "$(cat "$TMP/body")" '^\{"error":\{"status":413,"code":"body_too_large",' "  the API's error, code body_too_large"
is "$(header X-Cache)" "" "  not taken for a cached page"

put t5002-n.png "$TMP/a.png" ""
is "$code" 401 "PUT without a token: 401"
like "$(header WWW-Authenticate)" '^Bearer realm="inkwell"' "with the bearer challenge"
req PUT /api/v1/media/t5002-n.png --data-binary "@$TMP/a.png"
is "$code" 401 "no Authorization header at all: 401"
is "$(header WWW-Authenticate)" 'Bearer realm="inkwell"' "challenged"

# --- serving ----------------------------------------------------------------------
req GET /media/t5002-a.png
is "$code" 200 "GET /media/NAME: 200"
ok "the stored bytes come back" cmp -s "$TMP/body" "$TMP/a.clean"
is "$(header Content-Type)" "image/png" "Content-Type image/png"
is "$(header Cache-Control)" "public, max-age=31536000, immutable" "cached for a year, immutable"
is "$(header ETag)" "\"$sha\"" "a strong ETag: the SHA-256"
is "$(header Content-Disposition)" "inline" "Content-Disposition: inline"
is "$(grep -ci '^X-Content-Type-Options: nosniff' "$TMP/head")" 1 "nosniff, once"
like "$(header Content-Security-Policy)" "default-src 'self'" "nginx's CSP"
like "$(header X-Request-Id)" '^[0-9a-f]{32}$' "answered by a worker (no page file)"
req GET /media/t5002-a.png -H "If-None-Match: \"$sha\""
is "$code" 304 "If-None-Match with the ETag: 304"
is "$(stat -c %s "$TMP/body")" 0 "with no body"
req GET /media/t5002-a.png -H 'If-None-Match: "0000"'
is "$code" 200 "another ETag: 200"
req HEAD /media/t5002-a.png --head
is "$code" 200 "HEAD: 200"
is "$(header Content-Length)" "$(stat -c %s "$TMP/a.clean")" "with the file's Content-Length"
ok "and no body" bash -c '! grep -q IHDR "$1"' _ "$TMP/body"
req GET /media/t5002-a.webp
is "$code $(header Content-Type)" "200 image/webp" "a WebP is served as image/webp"
req GET /media/t5002-none.png
is "$code" 404 "an unknown name: 404"
like "$(header Content-Type)" '^text/html' "the HTML 404 page"
is "$(header Cache-Control)" "no-store" "not cached"
req GET /media/..%2Fetc%2Fpasswd
is "$code" 400 "a path trick: 400"
req GET /media/.htaccess
is "$code" 404 "a name no upload can have: 404"

# A row written behind inkwell's back is never served as what it claims.
pg -c "INSERT INTO media (name, content_type, bytes, sha256) VALUES ('t5002-evil.html', 'text/html', convert_to('<script>alert(1)</script>', 'UTF8'), '\\x00')" >/dev/null
req GET /media/t5002-evil.html
is "$code" 500 "stored HTML is not served (500)"
unlike "$(cat "$TMP/body")" '<script>alert' "not a byte of it"

# --- listing ----------------------------------------------------------------------
req GET /api/v1/media -H "Authorization: Bearer $ADMIN"
is "$code" 200 "GET /api/v1/media: 200"
names=$(python3 -c 'import json, sys; print(" ".join(m["name"] for m in json.load(open(sys.argv[1]))["media"] if m["name"].startswith("t5002-a")))' "$TMP/body")
is "$names" "t5002-a.webp t5002-a.gif t5002-a.jpg t5002-a.png" "newest first"
like "$(cat "$TMP/body")" '"has_more":false' "one page"
req GET "/api/v1/media?per_page=1" -H "Authorization: Bearer $AUTHOR"
is "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(len(d["media"]), d["has_more"])' "$TMP/body")" \
	"1 True" "per_page=1: one, and more"
req GET "/api/v1/media?per_page=x" -H "Authorization: Bearer $AUTHOR"
is "$code" 400 "a bad per_page: 400"
req GET /api/v1/media
is "$code" 401 "the listing without a token: 401"

# --- deleting ---------------------------------------------------------------------
put t5002-adm.png "$TMP/b.png" "$ADMIN"
is "$code" 201 "the admin uploads one"
req DELETE /api/v1/media/t5002-adm.png -H "Authorization: Bearer $AUTHOR"
is "$code" 403 "the author cannot delete the admin's: 403"
req GET /media/t5002-adm.png
is "$code" 200 "it is still there"
req DELETE /api/v1/media/t5002-a.png -H "Authorization: Bearer $AUTHOR"
is "$code" 204 "the author deletes their own: 204"
req GET /media/t5002-a.png
is "$code" 404 "then it is gone: 404"
req DELETE /api/v1/media/t5002-a.png -H "Authorization: Bearer $AUTHOR"
is "$code" 404 "deleting it again: 404"
req DELETE /api/v1/media/t5002-a.jpg -H "Authorization: Bearer $ADMIN"
is "$code" 204 "an admin deletes the author's: 204"
req DELETE /api/v1/media/t5002-adm.png
is "$code" 401 "DELETE without a token: 401"
put t5002-a.png "$TMP/b.png" "$AUTHOR"
is "$code" 201 "once deleted, the name takes other bytes: 201"
done_testing
