#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4029-search-passages: a post's search passages (post_passages) follow
# its edits through the write API.  Its title and summary are passages
# apart from its body's (n <= 0 and n > 0); after each edit the passages
# are those the post's text makes from scratch; an edit of the summary
# leaves the body's passages untouched (same row versions: not made
# again), an edit of the body leaves the head's, and a word new in the
# body is found by a search at once, marked in the snippet; the body's
# words are counted anew when it changes, whoever writes the column.
# Needs: curl, python3, psql.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-4029.XXXXXX)
stamp=$(date +%s)
slug=t4029-$stamp
cleanup() {
	pg -c "DELETE FROM posts WHERE slug = '$slug'" >/dev/null 2>&1
	ctl user delete t4029-writer >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# api METHOD PATH JSON: body in $TMP/api, code in $code.
api() {
	code=$(curl -s --max-time 10 -o "$TMP/api" -w '%{http_code}' -X "$1" \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		${3:+-d "$3"} "$URL$2")
}
# words N WORD: N words of filler, WORD in the middle (a passage's worth
# of words is 64, so N over 128 makes three body passages).
words() {
	local i out=""
	for ((i = 1; i <= $1; i++)); do
		if ((i == $1 / 2)); then out+="$2 "; else out+="filler$((i % 7)) "; fi
	done
	printf '%s' "${out% }"
}
# passages WHERE: "n:xmin:ctid" of the post's passages where WHERE.
passages() {
	pg -c "SELECT string_agg(x.n || ':' || x.xmin || ':' || x.ctid, ' '
		ORDER BY x.n) FROM post_passages x JOIN posts p ON p.id = x.post_id
		WHERE p.slug = '$slug' AND $1"
}
# fresh: the passages differ from those the post's text makes anew
# (nothing printed when they agree).
fresh() {
	pg -c "WITH p AS (SELECT * FROM posts WHERE slug = '$slug'),
		have AS (SELECT x.n, x.body, x.lexemes::text AS l FROM post_passages x,
			p WHERE x.post_id = p.id),
		want AS (SELECT s.n, s.body, s.lexemes::text AS l FROM p,
			LATERAL post_passages_make(p.title, p.summary, p.body_md,
				true, true) s)
		SELECT count(*) FROM ((TABLE have EXCEPT TABLE want)
			UNION ALL (TABLE want EXCEPT TABLE have)) d"
}
# found WORD: the slugs the search API finds for WORD, and whether the
# first result's snippet marks it ("SLUG,... marked|unmarked").
found() {
	api GET "/api/v1/posts?q=$1"
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
ps = d["posts"]
m = ps and ("<mark>" + sys.argv[2] + "</mark>") in ps[0].get("snippet_html", "")
print(",".join(p["slug"] for p in ps), "marked" if m else "unmarked")' \
		"$TMP/api" "$1" 2>&1
}

ctl user add --no-password --role admin --name 'Passages' t4029-writer >/dev/null 2>&1
tok=$(ctl token add --name t4029 t4029-writer 2>/dev/null)
like "$tok" '^iw_' "an API token"

body=$(words 150 "quokkaold$stamp")
api POST /api/v1/posts "{\"slug\":\"$slug\",\"title\":\"Passages $stamp\",\"summary\":\"A short summary.\",\"body_md\":\"$body\",\"status\":\"published\"}"
is "$code" 201 "a post of 150 words is made"
is "$(pg -c "SELECT string_agg(x.n::text, ' ' ORDER BY x.n)
	FROM post_passages x JOIN posts p ON p.id = x.post_id
	WHERE p.slug = '$slug'")" "0 1 2 3" \
	"its passages: the head as 0, the body's from 1"
like "$(pg -c "SELECT x.body FROM post_passages x JOIN posts p ON p.id = x.post_id
	WHERE p.slug = '$slug' AND x.n = 0")" "^Passages $stamp A short summary\.\$" \
	"the head passage is the title and summary"
is "$(fresh)" 0 "the passages are those its text makes"

# --- a new summary ------------------------------------------------------------
before_body=$(passages "x.n > 0")
before_head=$(passages "x.n <= 0")
long=$(words 100 "wallabysum$stamp")
api PATCH "/api/v1/posts/$slug" "{\"summary\":\"$long\"}"
is "$code" 200 "the summary is edited (100 words)"
is "$(passages "x.n > 0")" "$before_body" \
	"the body's passages are the same row versions: not made again"
isnt_head=$(passages "x.n <= 0")
ok "the head's passages are made again" test "$isnt_head" != "$before_head"
is "$(pg -c "SELECT string_agg(x.n::text, ' ' ORDER BY x.n)
	FROM post_passages x JOIN posts p ON p.id = x.post_id
	WHERE p.slug = '$slug' AND x.n <= 0")" "-1 0" \
	"a head of more than 64 words is two passages, up to 0"
is "$(fresh)" 0 "the passages are those its text makes"
is "$(found "wallabysum$stamp")" "$slug marked" \
	"a word of the new summary is found and marked"

# --- a new body ---------------------------------------------------------------
before_head=$(passages "x.n <= 0")
before_body=$(passages "x.n > 0")
body=$(words 150 "wombatnew$stamp")
api PATCH "/api/v1/posts/$slug" "{\"body_md\":\"$body\"}"
is "$code" 200 "the body is edited"
is "$(passages "x.n <= 0")" "$before_head" \
	"the head's passages are the same row versions: not made again"
ok "the body's passages are made again" test "$(passages "x.n > 0")" != "$before_body"
is "$(fresh)" 0 "the passages are those its text makes"
is "$(found "wombatnew$stamp")" "$slug marked" \
	"a word of the new body is found at once and marked"
is "$(found "quokkaold$stamp")" " unmarked" "a word of the old body is not found"
is "$(pg -c "SELECT count(*) FROM post_passages x JOIN posts p ON p.id = x.post_id
	WHERE p.slug = '$slug' AND x.body LIKE '%quokkaold%'")" 0 \
	"no passage holds the old body"

# posts.words (0017: a trigger, counted when the body changes).
is "$(pg -c "SELECT words FROM posts WHERE slug = '$slug'")" 150 \
	"the new body's words are counted"
is "$(pg -c "UPDATE posts SET words = 1 WHERE slug = '$slug' RETURNING words")" 150 \
	"a value written to words is counted over"

# --- both at once, and an edit of neither --------------------------------------
api PATCH "/api/v1/posts/$slug" "{\"title\":\"Passages again $stamp\",\"body_md\":\"Short.\"}"
is "$code" 200 "title and body are edited at once"
is "$(fresh)" 0 "the passages are those its text makes"
before=$(passages "true")
api PATCH "/api/v1/posts/$slug" "{\"status\":\"published\"}"
is "$code" 200 "an edit of neither text"
is "$(passages "true")" "$before" "leaves every passage as it was"

done_testing
