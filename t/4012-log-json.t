#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4012-log-json: what PostgreSQL says never reaches inkwell's log as raw
# text.  A search for stop words only makes PostgreSQL send a NOTICE; a
# post saved under a taken slug (409 for its author) makes it refuse with
# a unique violation.  Every line the workers write stays one JSON object,
# and the conflict the client was told about is logged below "error",
# in words, not as libpq's multi-line report.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
LOG=$INKWELL_TEST_VAR/log/inkwell.log
[[ -f $LOG ]] || skip_all "no inkwell log at $LOG"
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-4012.XXXXXX)
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

# --- 13: a conflict the client is told about ---------------------------------
ctl user add --no-password --role author --name 'Log Author' t4012-author >/dev/null 2>&1
tok=$(ctl token add --name t4012 t4012-author 2>/dev/null)
like "$tok" '^iw_' "a token for an author"
slug=t4012-taken-$$
post() {
	code -X POST -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		-d "{\"slug\":\"$slug\",\"title\":\"Taken\",\"status\":\"draft\"}" \
		"$URL/api/v1/posts"
}
like "$(post)" '^20[01]$' "a new post: created"
start=$(($(stat -c %s "$LOG") + 1))
is "$(post)" 409 "the same slug again: 409"
like "$(cat "$TMP/body")" '"code":"conflict"' "the client is told it conflicts"
sleep 0.3
newlog >"$TMP/log"
ok "every log line is one JSON object" all_json
if_fail diag "$(head -n 5 "$TMP/bad")"
# The line db wrote about the refused statement (not the request line).
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("msg") != "request" and "saving post" in o.get("msg", ""):
        print(o["level"], o["msg"].replace("\n", "\\n"), sep="\t")
' "$TMP/log" >"$TMP/conflict"
like "$(cat "$TMP/conflict")" '.' "the refused save is logged"
if_fail diag "$(cat "$TMP/log")"
unlike "$(cut -f1 "$TMP/conflict")" 'error' "at a level below error"
like "$(cut -f1 "$TMP/conflict" | head -n 1)" '^(info|warn)$' "at info or warn"
like "$(cut -f2 "$TMP/conflict")" 'slug' "the message names the slug"
unlike "$(cut -f2 "$TMP/conflict")" 'ERROR:|DETAIL:|duplicate key value' "and not PostgreSQL's raw text"
if_fail diag "$(cat "$TMP/conflict")"
# The request line for the 409 stays info (a client's conflict, not ours).
like "$(newlog | grep '"status":409' | head -n 1)" '"level":"info"' "the 409 request line is info"
done_testing
