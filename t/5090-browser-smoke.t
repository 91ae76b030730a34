#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5090-browser-smoke: the reader's pages in headless Chromium through
# nginx (t/browser/smoke.mjs on t/lib/browser.mjs): home, a post and a
# search show no console error, failed request or CSP violation.
# Screenshots: $INKWELL_TEST_VAR/out/5090-browser-smoke/. Needs the npm
# packages script/test installs (INKWELL_NODE_MODULES) and /usr/bin/chromium.
#
# The pattern for browser tests: seed with inkwellctl here, then hand the
# TAP stream to one node script under a hard time limit.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_BUILD INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}

# Posts to open and to search for; importing again updates them in place.
if ! out=$("$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" \
	import "$src/script/demo" 2>&1); then
	diag "$out"
	printf 'Bail out! inkwellctl import of the demo posts failed\n'
	exit 1
fi

# The harness stops itself at INKWELL_BROWSER_TIMEOUT (120 s); timeout(1)
# is the last resort should node itself hang.
INKWELL_TEST_NAME=$(basename "$0" .t) exec timeout -k 10 180 \
	node "$here/browser/smoke.mjs"
