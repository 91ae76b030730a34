#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5003-openapi: the API description static/openapi.json, fetched through
# nginx at /api/v1/openapi.json, is valid (swagger-cli), every operation
# it lists is routed, and the server's real answers keep to it: the read
# API's, and the write API's for an author's and an admin's API tokens
# (posts, pages, tags, media, the menu; success and the errors it declares):
# t/api/openapi.mjs. Needs the npm packages script/test installs
# (INKWELL_NODE_MODULES).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PG INKWELL_BUILD INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
TMP=$(mktemp -d /tmp/inkwell-5003.XXXXXX)

# What the write checks make is named oa-check-*; the users t5003-*.
cleanup() {
	pg "DELETE FROM media WHERE name LIKE 'oa-check-%';
	    DELETE FROM posts WHERE slug LIKE 'oa-check-%';
	    DELETE FROM tags WHERE slug LIKE 'oa-check-%';
	    DELETE FROM redirects WHERE from_path LIKE '/oa-check-%' OR to_path LIKE '/posts/oa-check-%';
	    DELETE FROM users WHERE username IN ('t5003-admin', 't5003-author');" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
cleanup
mkdir -p "$TMP"

# Posts, tags and an author for the read API to answer with.
if ! out=$(ctl import "$src/script/demo" 2>&1); then
	diag "$out"
	printf 'Bail out! inkwellctl import of the demo posts failed\n'
	exit 1
fi

# Two users, an API token each, and two small PNG files to upload.
ctl user add --no-password --role admin --name 'OpenAPI Admin' t5003-admin >/dev/null 2>&1
ctl user add --no-password --role author --name 'OpenAPI Author' t5003-author >/dev/null 2>&1
admin_token=$(ctl token add --name openapi t5003-admin 2>/dev/null)
author_token=$(ctl token add --name openapi t5003-author 2>/dev/null)
[[ $admin_token == iw_* && $author_token == iw_* ]] || {
	printf 'Bail out! could not make the API tokens\n'
	exit 1
}
python3 - "$TMP" <<'PY'
import struct, sys, zlib
def png(path, width):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"\0" + b"\x20\x40\x60\xff" * width
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, 1, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
png(sys.argv[1] + "/a.png", 1)
png(sys.argv[1] + "/b.png", 2)
PY

INKWELL_SRC=$src INKWELL_TEST_NAME=$(basename "$0" .t) \
	INKWELL_OA_ADMIN_TOKEN=$admin_token INKWELL_OA_AUTHOR_TOKEN=$author_token \
	INKWELL_OA_PNG=$TMP/a.png INKWELL_OA_PNG2=$TMP/b.png \
	timeout -k 10 120 node "$here/api/openapi.mjs"
