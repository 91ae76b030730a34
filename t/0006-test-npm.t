#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 0006-test-npm: script/test asks npm for the JavaScript tests' packages
# only when one of the tests it runs uses them.  With an npm that always
# fails (as when the npm registry cannot be reached) first on PATH, and
# a copy of the build directory that never had its npm packages (as in a
# fresh clone):
#   - "script/test t/0004-routes-documented.t" never runs npm and runs
#     the test (a quick one: the policy test it once ran takes minutes);
#   - "script/test t/5003-openapi.t" (a JavaScript test) runs npm, and
#     stops with a clear error before starting anything.
# The nested script/test starts its own stack under a temporary
# directory, on the ports INKWELL_NESTED_HTTP_PORT, _PG_PORT and
# _REDIS_PORT (18081, 15434, 16381), stopped when it ends.  Bounded:
# 300 s per run.  Needs root (the nested stack runs PostgreSQL as
# postgres) and what script/test sets (INKWELL_BUILD, INKWELL_TEST_VAR):
# run it through script/test, not make check.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_BUILD INKWELL_TEST_VAR
((EUID == 0)) || skip_all "needs root (the nested stack's PostgreSQL runs as postgres)"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=$INKWELL_BUILD
[[ -x $build/inkwelld ]] || skip_all "inkwell is not built in $build"

TMP=$(mktemp -d /tmp/inkwell-0006.XXXXXX)
chmod 755 "$TMP"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

# The build directory as it is, minus the npm packages and the variants.
mkdir "$TMP/build"
tar -C "$build" --exclude=./asan --exclude=./fuzz --exclude=./deb \
	--exclude=./image --exclude=./t/node --exclude=./t/out -cf - . |
	tar -C "$TMP/build" -xf -
ok "a copy of the build directory without npm packages" \
	test -x "$TMP/build/inkwelld" -a ! -e "$TMP/build/t/node"

mkdir "$TMP/bin"
cat >"$TMP/bin/npm" <<EOF
#!/bin/sh
echo "npm \$*" >>"$TMP/npm.calls"
echo "npm ERR! network request failed (t/0006: no registry)" >&2
exit 1
EOF
chmod 755 "$TMP/bin/npm"

# nested TEST: script/test TEST with the failing npm; output in
# $TMP/out, status in rc.
nested() {
	rm -f "$TMP/npm.calls"
	rm -rf "${TMP:?}/var"
	rc=0
	timeout 300 env PATH="$TMP/bin:$PATH" INKWELL_BUILD="$TMP/build" \
		INKWELL_VAR="$TMP/var" INKWELL_SKIP_VARIANTS=1 PROVE_FLAGS= \
		INKWELL_HTTP_PORT="${INKWELL_NESTED_HTTP_PORT:-18081}" \
		INKWELL_PG_PORT="${INKWELL_NESTED_PG_PORT:-15434}" \
		INKWELL_REDIS_PORT="${INKWELL_NESTED_REDIS_PORT:-16381}" \
		"$src/script/test" "$1" </dev/null >"$TMP/out" 2>&1 || rc=$?
}

nested "$src/t/0004-routes-documented.t"
is "$rc" 0 "script/test t/0004-routes-documented.t with a failing npm: exit 0"
if_fail diag "$(tail -n 30 "$TMP/out")"
ok "npm never ran" test ! -e "$TMP/npm.calls"
if_fail diag "$(cat "$TMP/npm.calls" 2>/dev/null)"
like "$(cat "$TMP/out")" "0004-routes-documented\.t \.+ ok" "the test ran and passed"
like "$(cat "$TMP/out")" "npm packages not needed" "and script/test says why npm was left out"
ok "no npm packages in the build directory" test ! -e "$TMP/build/t/node/node_modules"

nested "$src/t/5003-openapi.t"
ok "script/test t/5003-openapi.t (JavaScript) with a failing npm: fails (rc $rc)" \
	test "$rc" -ne 0
like "$(cat "$TMP/npm.calls" 2>/dev/null)" "(^|"$'\n'")npm ci" "npm ci ran for it"
like "$(cat "$TMP/out")" "npm ci failed" "and says npm ci failed"
unlike "$(cat "$TMP/out")" "prove \(" "before any test ran"
done_testing
