#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5003-openapi: the API description static/openapi.json, fetched through
# nginx at /api/v1/openapi.json, is valid (swagger-cli), the read API's
# real answers match it, and every operation it lists is routed (the write
# API's are TODO until they exist): t/api/openapi.mjs. Needs the npm
# packages script/test installs (INKWELL_NODE_MODULES).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_BUILD INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}

# Posts, tags and an author for the read API to answer with.
if ! out=$("$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" \
	import "$src/script/demo" 2>&1); then
	diag "$out"
	printf 'Bail out! inkwellctl import of the demo posts failed\n'
	exit 1
fi

INKWELL_SRC=$src INKWELL_TEST_NAME=$(basename "$0" .t) exec timeout -k 10 120 \
	node "$here/api/openapi.mjs"
