#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 0002-distcheck: "make distcheck" passes: the release tarball carries
# everything needed to build, test and install from a read-only source
# tree.  Run by script/test (prove) only, never from make check, which
# distcheck itself runs: that would recurse.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_BUILD
[[ -z ${INKWELL_IN_DISTCHECK:-} ]] || skip_all "already inside distcheck"
export INKWELL_IN_DISTCHECK=1
log=$INKWELL_BUILD/distcheck.log
# On every core, as script/test's own "make -j2 check": the tarball's
# build and check were the suite's longest test run one job at a time.
# The stack variables would make the nested make check drive the running
# stack; distcheck must test the tarball on its own.
env -u INKWELL_TEST_URL -u INKWELL_TEST_PG -u INKWELL_TEST_SOCKET \
	-u INKWELL_FUZZ_BUILD timeout 900 make -j"$(nproc)" -C "$INKWELL_BUILD" distcheck >"$log" 2>&1
rc=$?
ok "make distcheck passes" test "$rc" -eq 0
if_fail tail -n 40 "$log"
tarball=$(grep -E '^inkwell-[0-9.]+\.tar\.gz$' "$log" | tail -n 1)
like "$tarball" '^inkwell-[0-9.]+\.tar\.gz$' "it names the tarball it made"
if [[ -n $tarball && -f $INKWELL_BUILD/$tarball ]]; then
	listing=$(tar tzf "$INKWELL_BUILD/$tarball")
	like "$listing" "/sql/0001_core.sql" "tarball holds the migrations"
	like "$listing" "/nginx/inkwell.conf" "tarball holds the nginx site"
	like "$listing" "/.commit" "tarball records its commit"
	# Every tracked file but CI's, git's own and the empty .keep markers
	# is in it: a file left out of EXTRA_DIST fails here by name, not as
	# a broken test inside distcheck.
	if git -C "$here/.." rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		dir=${tarball%.tar.gz}
		missing=$(git -C "$here/.." ls-files |
			grep -Ev '^\.ci/|^\.gitignore$|(^|/)\.keep$' |
			while IFS= read -r f; do
				grep -qxF "$dir/$f" <<<"$listing" || printf '%s\n' "$f"
			done)
		is "$missing" "" "tarball holds every tracked file (but .ci/, .gitignore, .keep)"
	else
		pass "tarball holds every tracked file # SKIP not a git checkout"
	fi
else
	fail "tarball exists"
fi
done_testing
