#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4006-internal-error: a query that fails while PostgreSQL is up is a 500,
# not a 503 and not a hang: the reader gets the theme's error page, the API
# its stable JSON error, the operator a log line, and the next request
# after the fault is repaired is served normally.  The fault is real: the
# tags table is renamed away under the running workers (a schema that does
# not match the binary, the usual cause of such errors in production).
# Then a query that outlasts statement_timeout: that one is a 503 with
# Retry-After, since asking again later will work.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG
URL=${INKWELL_TEST_URL%/}
LOG=$INKWELL_TEST_VAR/log/inkwell.log
TMP=$(mktemp -d /tmp/inkwell-4006.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
restore() {
	if [[ -n $(sql "SELECT 1 FROM pg_class WHERE relname = 'tags_4006'") ]]; then
		sql 'ALTER TABLE tags_4006 RENAME TO tags'
	fi
	rm -rf "$TMP"
}
trap restore EXIT

# A tag of the seeded data if there is one; else any slug (then 404).
tag=$(sql "SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id LIMIT 1")
want=200
[[ -n $tag ]] || { tag=no-such-tag-4006; want=404; }
# A query string no other test uses, so no cache can answer for the page.
q="?page=1&n=$RANDOM$RANDOM"
get() { curl -s --max-time 10 -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@"; }

is "$(get "$URL/tags/$tag$q")" "$want" "before: /tags/$tag answers $want"

ok "the tags table is renamed away" sql 'ALTER TABLE tags RENAME TO tags_4006'
lines=$(wc -l <"$LOG")

t0=$EPOCHREALTIME
is "$(get "$URL/tags/$tag$q")" 500 "a failing query answers 500"
t1=$EPOCHREALTIME
ok "at once (under 2 s)" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 2) }'
head=$(tr -d '\r' <"$TMP/head")
like "$head" $'\n''Content-Type: text/html; charset=utf-8' "the 500 page is HTML"
like "$head" $'\n''Cache-Control: no-store' "and is never cached"
unlike "$head" 'Retry-After' "no Retry-After: this is not an outage"
body=$(cat "$TMP/body")
like "$body" '<h1>500 Internal Server Error</h1>' "the page names the error"
like "$body" 'Something went wrong on our side' "and says what happened in plain words"
like "$body" '<a class="skip" href="#main">' "it is the theme's error page, not the built-in fallback"
like "$body" '<meta name="robots" content="noindex">' "error pages are not indexed"
unlike "$body" 'tags_4006|relation|SELECT' "no SQL or internals leak to the reader"

is "$(get "$URL/api/v1/tags")" 500 "the API answers 500 too"
like "$(cat "$TMP/body")" '^\{"error":\{"status":500,"code":"internal","message":"[^"]+"\}\}$' \
	"with the stable JSON error shape"
like "$(tr -d '\r' <"$TMP/head")" $'\n''Content-Type: application/json' "as JSON"

sleep 0.2
new=$(tail -n +"$((lines + 1))" "$LOG")
like "$new" 'relation \\"tags\\" does not exist|relation "tags" does not exist' \
	"the log says what failed"
like "$new" '"status":500' "and logs the request with its status"

ok "the table is put back" sql 'ALTER TABLE tags_4006 RENAME TO tags'
is "$(get "$URL/tags/$tag$q")" "$want" "after the repair the same page answers $want again"
is "$(get "$URL/api/v1/tags")" 200 "and so does the API"

# A query that outlasts [database] statement_timeout is cut off by
# PostgreSQL: the reader gets 503 with Retry-After (try again), not a 500
# and not a hang.  The posts table is locked for longer than the timeout.
timeout_ms=$(awk -F' *= *' '/^statement_timeout/ { print $2 }' "${INKWELL_TEST_CONF:-/dev/null}" 2>/dev/null)
timeout_ms=${timeout_ms:-5000}
hold=$(((timeout_ms + 2500) / 1000))
sql "BEGIN; LOCK TABLE posts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($hold); COMMIT;" >/dev/null 2>&1 &
locker=$!
for ((i = 0; i < 50; i++)); do
	[[ $(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE c.relname = 'posts' AND l.mode = 'AccessExclusiveLock' AND l.granted") == 1 ]] && break
	sleep 0.1
done
t0=$EPOCHREALTIME
is "$(get "$URL/?utm_source=4006")" 503 "a query cut off by statement_timeout answers 503"
t1=$EPOCHREALTIME
ok "after the timeout ($timeout_ms ms), not the lock's $hold s" \
	awk -v a="$t0" -v b="$t1" -v t="$timeout_ms" 'BEGIN { exit !(b - a < t / 1000 + 1.5) }'
like "$(tr -d '\r' <"$TMP/head")" $'\n''Retry-After: [0-9]+' "with Retry-After"
wait "$locker"
is "$(get "$URL/?utm_source=4006")" 200 "once the lock is gone the page answers 200"

done_testing
