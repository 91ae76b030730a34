#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5006-browser-look: what a reader and an author see, in headless Chromium
# through nginx (t/browser/look.mjs): the theme's icons load on the
# reader's and the admin pages and /favicon.ico answers; axe-core finds
# no violation (color-contrast included) on the admin posts, media,
# new-post, tags, comments, pages, menu, redirects and settings pages
# (signed in as an admin, who sees them all), a post with a comment and
# the search page, light and dark
# (prefers-color-scheme emulated); form fields are dark in dark mode.
# Screenshots at 390 and 1280 px, light and dark, under
# $INKWELL_TEST_VAR/out/5006-browser-look/. Needs the npm packages
# script/test installs (INKWELL_NODE_MODULES: playwright-core,
# axe-core) and /usr/bin/chromium.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PG INKWELL_BUILD INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
CTL=$INKWELL_BUILD/inkwellctl
export INKWELL_SRC=$src
export T5006_AUTHOR=t5006author T5006_PASSWORD='look test passphrase'
export T5006_POST=welcome-to-inkwell T5006_MEDIA=t5006-icon.png
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
cleanup() {
	sql "DELETE FROM media WHERE name = '$T5006_MEDIA';
	     DELETE FROM comments WHERE author_name = 'T5006 Reader';
	     DELETE FROM users WHERE username = '$T5006_AUTHOR';" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
if ! out=$("$CTL" -c "$INKWELL_TEST_CONF" import "$src/script/demo" 2>&1); then
	diag "$out"
	printf 'Bail out! inkwellctl import of the demo posts failed\n'
	exit 1
fi
if ! printf '%s\n' "$T5006_PASSWORD" | "$CTL" -c "$INKWELL_TEST_CONF" user add \
	--role admin --name "T5006 Author" --password-stdin "$T5006_AUTHOR" >/dev/null; then
	printf 'Bail out! cannot add user %s\n' "$T5006_AUTHOR"
	exit 1
fi
# An approved comment, so the post page shows one (name, time, body).
if ! sql "INSERT INTO comments (post_id, author_name, body, status)
	SELECT id, 'T5006 Reader', 'Thanks, this helped.', 'approved'
	FROM posts WHERE slug = '$T5006_POST'" >/dev/null ||
	! "$CTL" -c "$INKWELL_TEST_CONF" cache flush >/dev/null; then
	printf 'Bail out! cannot seed a comment on %s\n' "$T5006_POST"
	exit 1
fi
INKWELL_TEST_NAME=$(basename "$0" .t) timeout -k 10 200 node "$here/browser/look.mjs"
