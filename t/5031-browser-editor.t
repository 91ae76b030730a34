#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5031-browser-editor: the post editor in headless Chromium through nginx
# (t/browser/editor.mjs): the live preview (and that a late answer never
# replaces a newer one), the word count, pictures pasted, dropped and
# chosen (the alt text dialog, progress, the server's refusal), Ctrl+S,
# the preview shortcut; with JavaScript off, a field error by its field
# and the alt text warning before publishing; axe-core on the editor,
# light and dark. Screenshots under $INKWELL_TEST_VAR/out/5031-browser-editor/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PG INKWELL_BUILD INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
CTL=$INKWELL_BUILD/inkwellctl
export INKWELL_SRC=$src
export T31_AUTHOR=t31author T31_PASSWORD='editor test passphrase'
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
cleanup() {
	sql "DELETE FROM posts WHERE slug LIKE 't31-%';
	     DELETE FROM media WHERE name LIKE 't31-%';
	     DELETE FROM users WHERE username = 't31author';" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
if ! printf '%s\n' "$T31_PASSWORD" | "$CTL" -c "$INKWELL_TEST_CONF" user add \
	--role author --name "T31 Author" --password-stdin t31author >/dev/null; then
	printf 'Bail out! cannot add user t31author\n'
	exit 1
fi
INKWELL_TEST_NAME=$(basename "$0" .t) timeout -k 10 200 node "$here/browser/editor.mjs"
