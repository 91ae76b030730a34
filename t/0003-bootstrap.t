#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 0003-bootstrap: script/bootstrap's package sets. script/server's set
# builds and runs the blog and holds no test, benchmark or packaging tool;
# the test set holds every other set; each script asks for its own set.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
boot=$src/script/bootstrap

list() { timeout 60 "$boot" --for "$1" --list 2>/dev/null; }

server=$(list server)
is "$?" 0 "bootstrap --for server --list: exit 0"
for p in build-essential libpq-dev libfcgi-dev postgresql redis-server nginx-light curl; do
	like "$server" "(^|"$'\n'")$p($|"$'\n'")" "  the server set has $p"
done
for p in chromium nodejs npm fonts-dejavu-core podman crun runc umoci mmdebstrap \
	lintian debhelper dpkg-dev fakeroot po-debconf prometheus wrk pgbouncer \
	cloud-init clang libasan8 tidy mandoc libfcgi-bin python3-yaml \
	node-spdx-expression-parse python3-feedparser; do
	unlike "$server" "(^|"$'\n'")$p($|"$'\n'")" "  and not $p"
done
note "the server set: $(wc -l <<<"$server") packages"

all=$(list test)
is "$?" 0 "bootstrap --for test --list: exit 0"
for set in server bench deb image; do
	extra=$(comm -23 <(list "$set" | sort -u) <(sort -u <<<"$all"))
	is "$extra" "" "the test set holds the $set set"
done
like "$(list bench)" "(^|"$'\n'")wrk($|"$'\n'")" "the bench set has wrk"
like "$(list deb)" "(^|"$'\n'")lintian($|"$'\n'")" "the deb set has lintian"
like "$(list image)" "(^|"$'\n'")mmdebstrap($|"$'\n'")" "the image set has mmdebstrap"

out=$("$boot" --for nosuch --list 2>&1)
is "$?" 2 "an unknown set: exit 2"
like "$out" 'unknown package set: nosuch' "  says so"

# Each script asks for its set, every time it runs bootstrap.
for pair in server:server test:test bench:bench bench-hosts:bench deb:deb image:image; do
	script=${pair%%:*} set=${pair#*:}
	calls=$(grep -c 'script/bootstrap"' "$src/script/$script")
	mine=$(grep -c "script/bootstrap\" --for $set\\b" "$src/script/$script")
	ok "script/$script runs bootstrap --for $set (${mine} of ${calls} calls)" \
		test "$calls" -ge 1 -a "$mine" -eq "$calls"
done
done_testing
