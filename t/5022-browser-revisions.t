#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5022-browser-revisions: revisions and autosave in headless Chromium
# through nginx (t/browser/revisions.mjs): the autosave's status after
# typing, the revision it stored, the warning before leaving with
# unsaved changes, the diff of two revisions, a restore.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PG INKWELL_BUILD INKWELL_NODE_MODULES
CTL=$INKWELL_BUILD/inkwellctl
export T22_AUTHOR=t22browser T22_PASSWORD='browser test passphrase'
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
cleanup() {
	sql "DELETE FROM posts WHERE slug = 't22-browser-revisions';
	     DELETE FROM users WHERE username = 't22browser';" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
if ! printf '%s\n' "$T22_PASSWORD" | "$CTL" -c "$INKWELL_TEST_CONF" user add \
	--role author --name "T22 browser" --password-stdin t22browser >/dev/null; then
	printf 'Bail out! cannot add user t22browser\n'
	exit 1
fi
INKWELL_TEST_NAME=$(basename "$0" .t) timeout -k 10 200 node "$here/browser/revisions.mjs"
