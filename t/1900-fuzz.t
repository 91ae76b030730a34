#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 1900-fuzz: runs every libFuzzer target under t/fuzz for a bounded time.
# Needs the clang build made by script/test (INKWELL_FUZZ_BUILD); each
# target gets INKWELL_FUZZ_SECONDS (default 10) and must finish clean.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_FUZZ_BUILD
secs=${INKWELL_FUZZ_SECONDS:-10}
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
# Every target under t/fuzz, so a new one cannot be forgotten here.
targets=()
for f in "$src"/t/fuzz/fuzz-*.c; do
	t=${f##*/fuzz-}
	targets+=("${t%.c}")
done
# fuzz T: one target's bounded run; its exit status in $INKWELL_FUZZ_BUILD/t/fuzz/fuzz-T.rc.
fuzz() {
	local t=$1 bin=$INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$1 rc=0
	local corpus=$INKWELL_FUZZ_BUILD/t/fuzz/corpus-$1
	mkdir -p "$corpus"
	# -max_len keeps each input within what nginx would let through.
	timeout $((secs + 60)) "$bin" -max_total_time="$secs" -max_len=16384 \
		-artifact_prefix="$INKWELL_FUZZ_BUILD/t/fuzz/crash-$t-" \
		"$corpus" >"$INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t.log" 2>&1 || rc=$?
	printf '%s\n' "$rc" >"$INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t.rc"
}
# As many targets at once as there are cores: each is one process, and
# one after the other they were minutes of a core left idle.
jobs=$(nproc)
for t in "${targets[@]}"; do
	rm -f "$INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t.rc"
	[[ -x $INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t ]] || continue
	while (($(jobs -rp | wc -l) >= jobs)); do
		wait -n
	done
	fuzz "$t" &
done
wait
for t in "${targets[@]}"; do
	if [[ ! -x $INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t ]]; then
		fail "fuzz-$t is built"
		continue
	fi
	log=$INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t.log
	rc=$(cat "$INKWELL_FUZZ_BUILD/t/fuzz/fuzz-$t.rc" 2>/dev/null || echo none)
	runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || true)
	ok "fuzz-$t: ${runs:-?} runs in ${secs}s, no crash" test "$rc" = 0
	if_fail tail -n 30 "$log"
done
done_testing
