#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4010-log-json: what PostgreSQL says never reaches inkwell's log as raw
# text.  A search for stop words only makes PostgreSQL send a NOTICE,
# which libpq would print on stderr as a bare line; every line the
# workers write stays one JSON object.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR
URL=${INKWELL_TEST_URL%/}
LOG=$INKWELL_TEST_VAR/log/inkwell.log
[[ -f $LOG ]] || skip_all "no inkwell log at $LOG"
TMP=$(mktemp -d /tmp/inkwell-4010.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
code() { curl -s -o "$TMP/body" --max-time 10 -w '%{http_code}' "$@"; }

# The log from here on: only what this test causes is looked at.
start=$(($(stat -c %s "$LOG") + 1))
newlog() { tail -c "+$start" "$LOG"; }

# Every line of $TMP/log one JSON object; the others go to $TMP/bad.
all_json() {
	python3 -c '
import json, sys
bad = 0
for line in sys.stdin:
    try:
        if not isinstance(json.loads(line), dict):
            raise ValueError
    except ValueError:
        bad += 1
        sys.stdout.write(line)
sys.exit(1 if bad else 0)' <"$TMP/log" >"$TMP/bad"
}

# --- 12: a NOTICE from PostgreSQL --------------------------------------------
# Each search is a new query string, so no cache answers for PostgreSQL,
# and enough of them that every worker runs one.
for i in 1 2 3 4 5 6 7 8; do
	c=$(code "$URL/search?q=the&n=$i")
	[[ $c == 200 ]] || break
done
is "$c" 200 "a search for stop words only: 200"
sleep 0.3	# let the workers' lines land
newlog >"$TMP/log"
ok "the log got lines" test -s "$TMP/log"
ok "every log line is one JSON object" all_json
if_fail diag "$(head -n 5 "$TMP/bad")"
unlike "$(cat "$TMP/log")" '(^|
)(NOTICE|WARNING|ERROR):  ' "no bare libpq line"

done_testing
