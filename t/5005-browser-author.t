#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5005-browser-author: the author flow in headless Chromium through nginx
# (t/browser/author.mjs): sign in, write with a preview, publish, edit,
# schedule, tag, upload an image, a reader's comment approved, an admin's
# settings and menu, the image deleted, sign out; a screenshot per page under
# $INKWELL_TEST_VAR/out/5005-browser-author/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PG INKWELL_BUILD INKWELL_NODE_MODULES
CTL=$INKWELL_BUILD/inkwellctl
export T6_AUTHOR=t6author T6_ADMIN=t6admin T6_PASSWORD='browser test passphrase'
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
title=$(sql "SELECT value FROM settings WHERE key = 'title'")
menu=$(sql "SELECT value FROM settings WHERE key = 'menu'")
cleanup() {
	sql "DELETE FROM media WHERE name = 't6-dot.png';
	     DELETE FROM posts WHERE slug LIKE 't6-browser-post%';
	     DELETE FROM tags WHERE slug IN ('browser', 't6-tests', 't6-added');
	     DELETE FROM users WHERE username IN ('t6author', 't6admin');
	     DELETE FROM throttle WHERE bucket LIKE 'comment:%';
	     UPDATE settings SET value = \$\$$title\$\$ WHERE key = 'title';
	     UPDATE settings SET value = \$\$$menu\$\$ WHERE key = 'menu';" >/dev/null 2>&1
}
trap cleanup EXIT
cleanup
for u in t6author:author t6admin:admin; do
	if ! printf '%s\n' "$T6_PASSWORD" | "$CTL" -c "$INKWELL_TEST_CONF" user add \
		--role "${u#*:}" --name "T6 ${u%%:*}" --password-stdin "${u%%:*}" >/dev/null; then
		printf 'Bail out! cannot add user %s\n' "${u%%:*}"
		exit 1
	fi
done
INKWELL_TEST_NAME=$(basename "$0" .t) timeout -k 10 200 node "$here/browser/author.mjs"
