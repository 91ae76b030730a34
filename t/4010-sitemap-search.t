#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4010-sitemap-search: through nginx, the sitemap lists every tag, author
# and month page that has published posts (each with its lastmod, each
# answering 200) and no other; a search longer than the search box allows
# gets a 400 page that says so and still has a working form.
# Needs: curl, python3, tidy.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-4010.XXXXXX)
cleanup() {
	pg -c "DELETE FROM tags WHERE slug = 't4010-draft-only'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

fetch() { # PATH [curl args]: body in $TMP/body, headers in $TMP/head
	local path=$1
	shift
	: >"$TMP/body"
	code=$(curl -sS --max-time 10 -o "$TMP/body" -D "$TMP/head" \
		-w '%{http_code}' "$@" "$URL$path" 2>"$TMP/curl.err") || code=000
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }

# --- seed -----------------------------------------------------------------
ok "demo content imports" ctl import "$src/script/demo"
# A tag whose only post is a draft has no page worth listing.
pg -c "INSERT INTO tags (slug, name) VALUES ('t4010-draft-only', 'T4010 draft only')
	ON CONFLICT DO NOTHING;
	INSERT INTO post_tags (post_id, tag_id)
	SELECT p.id, t.id FROM posts p, tags t
	WHERE p.status = 'draft' AND t.slug = 't4010-draft-only'
	ON CONFLICT DO NOTHING" >/dev/null
is "$(pg -c "SELECT count(*) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
	WHERE t.slug = 't4010-draft-only'")" 1 "a tag on a draft only"
ok "the cache is flushed after the SQL seeding" ctl cache flush

# What the sitemap must list beyond the posts, with lastmod: the newest
# change among the live posts of each tag, author and month.
LIVE="p.status <> 'draft' AND p.published_at <= now()"
STAMP="to_char(max(greatest(p.updated_at, p.published_at)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
pg -F ' ' -c "
	SELECT '/tags/' || t.slug, $STAMP FROM tags t
	JOIN post_tags pt ON pt.tag_id = t.id JOIN posts p ON p.id = pt.post_id
	WHERE $LIVE GROUP BY t.slug
	UNION ALL
	SELECT '/authors/' || u.username, $STAMP FROM users u
	JOIN posts p ON p.author_id = u.id WHERE $LIVE GROUP BY u.username
	UNION ALL
	SELECT '/archive/' || to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY/MM'),
	$STAMP FROM posts p WHERE $LIVE
	GROUP BY to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY/MM')
	ORDER BY 1" >"$TMP/want"
like "$(grep -c '^/tags/' "$TMP/want") $(grep -c '^/authors/' "$TMP/want") $(grep -c '^/archive/' "$TMP/want")" \
	'^[1-9][0-9]* [1-9][0-9]* [1-9][0-9]*$' "the demo has tags, authors and months with live posts"

# --- sitemap --------------------------------------------------------------
fetch /sitemap.xml
is "$code" 200 "sitemap: 200"
like "$(header Content-Type)" '^application/xml' "sitemap: application/xml"
# Every <url> as "PATH LASTMOD" (LASTMOD "-" when absent), for the tag,
# author and month pages.
python3 - "$TMP/body" "$URL" >"$TMP/got" 2>"$TMP/py.err" <<-'EOF'
	import sys
	import xml.etree.ElementTree as ET
	ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
	root = ET.parse(sys.argv[1]).getroot()
	rows = []
	for u in root.findall("s:url", ns):
	    loc = u.findtext("s:loc", "", ns)
	    path = loc.split("//", 1)[-1]
	    path = path[path.find("/"):] if "/" in path else "/"
	    if path.startswith(("/tags/", "/authors/", "/archive/")):
	        rows.append("%s %s" % (path, u.findtext("s:lastmod", "-", ns)))
	print("\n".join(sorted(rows)))
EOF
ok "sitemap: parses as XML" test ! -s "$TMP/py.err"
if_fail diag "$(head -c 400 "$TMP/py.err")"
LC_ALL=C sort "$TMP/want" >"$TMP/want.s"
LC_ALL=C sort "$TMP/got" >"$TMP/got.s"
for kind in tags authors archive; do
	is "$(grep "^/$kind/" "$TMP/got.s" | tr '\n' ' ')" \
		"$(grep "^/$kind/" "$TMP/want.s" | tr '\n' ' ')" \
		"sitemap: exactly the /$kind/ pages with live posts, with lastmod"
done
unlike "$(cat "$TMP/body")" 't4010-draft-only' "sitemap: no tag whose posts are all drafts"
bad=""
while read -r path _; do
	fetch "$path"
	[[ $code == 200 ]] || bad="$bad $path:$code"
done <"$TMP/got.s"
is "$bad" "" "sitemap: every tag, author and month page it lists answers 200"

# --- a search longer than allowed ----------------------------------------
word=$(pg -c "SELECT substring(title FROM '[A-Za-z]{5,}') FROM posts p WHERE $LIVE ORDER BY published_at LIMIT 1")
like "$word" '^[A-Za-z]{5,}$' "a word to look for ($word)"
long=$(head -c 6144 /dev/zero | tr '\0' 'a')
fetch "/search?q=$long"
is "$code" 400 "6 KB search: 400"
like "$(header Content-Type)" '^text/html; charset=utf-8$' "6 KB search: an HTML page"
ok "6 KB search: the page says the search is too long" grep -q -- 'too long' "$TMP/body"
ok "6 KB search: and what the limit is" grep -q -- 'at most 200' "$TMP/body"
ok "6 KB search: the search form is there" grep -q -- '<form class="search" action="/search" method="get"' "$TMP/body"
ok "6 KB search: not shown as an empty search" bash -c '! grep -q -- "$1" "$2"' _ 'Type words to look for' "$TMP/body"
ok "6 KB search: the text is not echoed back" bash -c '! grep -q -- "$1" "$2"' _ "$(head -c 300 /dev/zero | tr '\0' 'a')" "$TMP/body"
rc=0
tidy -q -e -utf8 "$TMP/body" >"$TMP/tidy.out" 2>&1 || rc=$?
ok "6 KB search: valid HTML" test "$rc" -lt 2
if_fail diag "$(head -n 10 "$TMP/tidy.out")"
fetch "/search?q=$(head -c 201 /dev/zero | tr '\0' 'b')"
is "$code" 400 "201-byte search: 400 too"
fetch "/search?q=%01bad"
is "$code" 400 "a search with a control character: 400"
ok "and the page says why" grep -q -- 'cannot be searched for' "$TMP/body"
fetch "/search?q=$(head -c 200 /dev/zero | tr '\0' 'c')"
is "$code" 200 "a 200-byte search: 200"
fetch "/search?q=$word"
is "$code" 200 "a search after those: 200"
ok "and it finds posts" grep -q -- '<article class="summary">' "$TMP/body"
fetch "/search?q="
is "$code" 200 "an empty search: 200"
ok "and it asks for words" grep -q -- 'Type words to look for' "$TMP/body"

done_testing
