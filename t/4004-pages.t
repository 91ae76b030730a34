#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4004-pages: the reader's blog through nginx, against a seeded database:
# every page and feed answers with the right type and valid markup,
# hostile content comes back escaped, feeds parse without a bozo flag,
# ETag and Last-Modified give 304s, and the read API keeps its shapes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-4004.XXXXXX)
# Debian's python3 has python3-feedparser; another python3 earlier on
# PATH (pyenv, a venv) may not.
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
trap 'rm -rf "$TMP"' EXIT

# --- seed -----------------------------------------------------------------
ok "demo content imports" ctl import "$src/script/demo"
ok "hostile post imports" ctl import "$src/t/data/hostile"
long=$(printf 'L%.0s' $(seq 1000))
mkdir -p "$TMP/long"
printf -- '---\ntitle: "%s"\nslug: very-long-title\ndate: 2026-01-16T10:00:00Z\nstatus: published\nauthor: mallory\n---\nLong title body.\n' \
	"$long" >"$TMP/long/long.md"
ok "a post with a 1000-character title imports" ctl import "$TMP/long"
printf -- '---\ntitle: "bad \xff\xfe bytes"\nslug: bad-utf8\ndate: 2026-01-17T10:00:00Z\nstatus: published\n---\nbody\n' \
	>"$TMP/bad.md"
mkdir -p "$TMP/bad" && mv "$TMP/bad.md" "$TMP/bad/"
ctl import "$TMP/bad" >"$TMP/bad.out" 2>&1
ok "invalid UTF-8 is refused at import" test $? -ne 0
is "$(pg -c "SELECT count(*) FROM posts WHERE slug = 'bad-utf8'")" 0 "and nothing is stored"
pg -c "UPDATE settings SET value = '3' WHERE key = 'posts_per_page'" >/dev/null
live=$(pg -c "SELECT count(*) FROM posts WHERE status <> 'draft' AND published_at <= now()")
like "$live" '^[0-9]+$' "$live live posts"
draft=$(pg -c "SELECT slug FROM posts WHERE status = 'draft' LIMIT 1")
sched=$(pg -c "SELECT slug FROM posts WHERE status = 'scheduled' AND published_at > now() LIMIT 1")
first=$(pg -c "SELECT slug FROM posts WHERE status = 'published' AND slug NOT IN ('hostile-content', 'very-long-title') ORDER BY published_at LIMIT 1")
tag=$(pg -c "SELECT t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1")
month=$(pg -c "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY/MM') FROM posts WHERE slug = '$first'")
# The month's newest live post: the first one its page lists.
mnewest=$(pg -c "SELECT slug FROM posts WHERE status <> 'draft' AND published_at <= now()
	AND to_char(published_at AT TIME ZONE 'UTC', 'YYYY/MM') = '$month'
	ORDER BY published_at DESC, id DESC LIMIT 1")

# fetch PATH [curl args]: body in $TMP/body, headers in $TMP/head, code in $code.
fetch() {
	local path=$1
	shift
	# curl leaves the output file alone when there is no body (a 304).
	rm -f "$TMP/body"
	touch "$TMP/body"
	code=$(curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path")
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
tidy_ok() { # name
	local rc=0
	tidy -q -e -utf8 "$TMP/body" >"$TMP/tidy.out" 2>&1 || rc=$?
	ok "$1: valid HTML (tidy finds no errors)" test "$rc" -lt 2
	if_fail diag "$(head -n 20 "$TMP/tidy.out")"
}
page() { # path code name
	fetch "$1"
	is "$code" "$2" "$3: $2"
	like "$(header Content-Type)" '^text/html; charset=utf-8$' "$3: text/html"
	tidy_ok "$3"
}

# --- pages ----------------------------------------------------------------
page / 200 "home"
like "$(cat "$TMP/body")" '<link rel="canonical" href="http://127\.0\.0\.1:[0-9]+/">' "home: canonical link"
like "$(cat "$TMP/body")" 'property="og:type" content="website"' "home: Open Graph type"
is "$(grep -c '<article class="summary">' "$TMP/body")" 3 "home: posts_per_page (3) posts"
like "$(cat "$TMP/body")" 'rel="next" href="/\?page=2"' "home: link to older posts"
# No external requests: everything a page loads (stylesheets, scripts,
# images, fonts) comes from the site itself.
external=$(grep -oE '<(link|script|img|iframe)[^>]*(src|href)="(https?:)?//[^"]*"' "$TMP/body" |
	grep -v 'rel="canonical"' | grep -v "href=\"$URL" || true)
is "$external" "" "home: loads nothing from another origin"
page "/?page=2" 200 "home page 2"
like "$(cat "$TMP/body")" 'rel="prev" href="/"' "page 2: link back to newer posts"
fetch "/?page=9999"
is "$code" 404 "a page past the last: 404"
page "/posts/$first" 200 "post"
like "$(cat "$TMP/body")" "property=\"og:type\" content=\"article\"" "post: og:type article"
like "$(cat "$TMP/body")" "href=\"http://127\\.0\\.0\\.1:[0-9]+/posts/$first\"" "post: canonical URL"
page "/posts/no-such-post" 404 "unknown post"
like "$(cat "$TMP/body")" '<h1>404 Not Found</h1>' "404 page is the theme's"
[[ -n $draft ]] && { fetch "/posts/$draft"; is "$code" 404 "a draft is not public"; }
[[ -n $sched ]] && { fetch "/posts/$sched"; is "$code" 404 "a scheduled post is hidden until its time"; }
page "/tags/$tag" 200 "tag $tag"
page "/tags/no-such-tag" 404 "unknown tag"
page "/authors/admin" 200 "author"
page "/authors/nobody" 404 "unknown author"
page "/archive" 200 "archive"
like "$(cat "$TMP/body")" "href=\"/archive/$month\"" "archive links the month of $first"
page "/archive/$month" 200 "month $month"
like "$(cat "$TMP/body")" "/posts/$mnewest" "month page lists $mnewest"
fetch "/archive/2026/13"
is "$code" 404 "month 13: 404"
page "/search" 200 "search form"
page "/search?q=zanzibarquux" 200 "search"
like "$(cat "$TMP/body")" '<mark>zanzibarquux</mark>' "search: the match is highlighted"
like "$(cat "$TMP/body")" 'href="/posts/hostile-content"' "search: finds the post"
page "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E" 200 "search for a script tag"
unlike "$(cat "$TMP/body")" '<script' "search: the query is escaped"

# --- hostile content --------------------------------------------------------
page "/posts/hostile-content" 200 "hostile post"
body=$(cat "$TMP/body")
# The one script element is the JSON-LD data block (4024 checks it).
unlike "${body//<script type=\"application\/ld+json\">/}" '<script' "no script element but the JSON-LD data block"
unlike "$body" '<img src=x' "raw img not passed through"
unlike "$body" 'onerror=alert\(1\)>' "no live event handler"
unlike "$body" 'javascript:' "javascript: link neutralised"
like "$body" '&lt;script&gt;alert\(&quot;title&quot;\)&lt;/script&gt;' "title escaped in the heading"
like "$body" 'Mallory &lt;b&gt;Bold&lt;/b&gt;' "author name escaped"
like "$body" 'href="https://example.org/\?a=1&amp;b=2"' "safe link kept, & escaped"
page "/posts/very-long-title" 200 "post with a 1000-character title"
is "$(grep -o 'LLLLLLLLLL*' "$TMP/body" | head -n 1 | wc -c)" 1001 "the long title is shown whole"
fetch "/posts/%ff%fe"
is "$code" 400 "invalid UTF-8 in the path: 400"

# --- feeds, sitemap, robots -------------------------------------------------
feed() { # path type name
	fetch "$1"
	is "$code" 200 "$3: 200"
	like "$(header Content-Type)" "^$2" "$3: $2"
	"$PY" - "$TMP/body" "$live" >"$TMP/feed.out" 2>&1 <<-'PY'
	import sys, feedparser
	raw = open(sys.argv[1], "rb").read()
	assert b"<script" not in raw, "an unescaped <script in the XML"
	d = feedparser.parse(raw)
	assert not d.bozo, "bozo: %r" % d.get("bozo_exception")
	assert d.feed.get("title"), "no feed title"
	assert len(d.entries) == min(int(sys.argv[2]), 20), "entries %d" % len(d.entries)
	for e in d.entries:
	    assert e.get("link", "").startswith("http"), e
	    # A plain-text summary may say "<script>" as text; HTML content
	    # must not carry a script element once decoded.
	    for c in e.get("content", []) or [e.get("summary_detail", {})]:
	        if "html" in c.get("type", ""):
	            assert "<script" not in c.get("value", ""), e.link
	print("ok", len(d.entries))
	PY
	ok "$3: feedparser reads it with no bozo flag and every entry" test $? -eq 0
	if_fail diag "$(cat "$TMP/feed.out")"
	[[ -n $(header ETag) && -n $(header Last-Modified) ]]
	ok "$3: ETag and Last-Modified" test $? -eq 0
}
feed /feed.atom "application/atom\\+xml" "Atom"
etag=$(header ETag)
lm=$(header Last-Modified)
fetch /feed.atom -H "If-None-Match: $etag"
is "$code" 304 "Atom with If-None-Match: 304"
is "$(wc -c <"$TMP/body")" 0 "304 has no body"
fetch /feed.atom -H "If-Modified-Since: $lm"
is "$code" 304 "Atom with If-Modified-Since: 304"
fetch /feed.atom -H "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT"
is "$code" 200 "Atom modified since 2001: 200"
feed /feed.rss "application/rss\\+xml" "RSS"
fetch /sitemap.xml
is "$code" 200 "sitemap: 200"
ok "sitemap is well-formed XML with every live post" python3 -c '
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
locs = [e.text for e in ET.parse(sys.argv[1]).getroot().findall("s:url/s:loc", ns)]
assert sum("/posts/" in l for l in locs) == int(sys.argv[2]), locs' "$TMP/body" "$live"
fetch /robots.txt
is "$code" 200 "robots.txt: 200"
like "$(cat "$TMP/body")" 'Sitemap: http://127\.0\.0\.1:[0-9]+/sitemap\.xml' "robots.txt names the sitemap"

# --- ETag on pages ----------------------------------------------------------
fetch "/posts/$first"
etag=$(header ETag)
# A digest of the page from a worker, or nginx's mtime-size of its page
# file (which the worker then sends too): strong either way.
like "$etag" '^"([0-9a-f]{32}|[0-9a-f]+-[0-9a-f]+)"$' "post page has a strong ETag"
fetch "/posts/$first" -H "If-None-Match: $etag"
is "$code" 304 "post page revalidates to 304"
fetch "/posts/$first" -H 'If-None-Match: "0000"'
is "$code" 200 "a different ETag gets the page"

# --- read API -----------------------------------------------------------------
api() { # path code name python-assertion
	fetch "$1"
	is "$code" "$2" "$3: $2"
	like "$(header Content-Type)" '^application/json' "$3: JSON"
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $4" "$TMP/body" 2>"$TMP/py.err"
	ok "$3: shape" test $? -eq 0
	if_fail diag "$(cat "$TMP/py.err")"
}
api "/api/v1/posts" 200 "posts" "assert len(d['posts']) == min(20, $live) and d['page'] == 1 and 'slug' in d['posts'][0] and 'body_html' not in d['posts'][0]"
api "/api/v1/posts?per_page=2&page=2" 200 "posts page 2" "assert len(d['posts']) == 2 and d['per_page'] == 2 and d['has_more'] in (True, False)"
api "/api/v1/posts?tag=$tag" 200 "posts by tag" "assert d['posts'] and all(any(t['slug'] == '$tag' for t in p['tags']) for p in d['posts'])"
api "/api/v1/posts?author=mallory" 200 "posts by author" "assert {p['author']['username'] for p in d['posts']} == {'mallory'}"
api "/api/v1/posts?q=zanzibarquux" 200 "posts by search" "assert [p['slug'] for p in d['posts']] == ['hostile-content'] and '<mark>' in d['posts'][0]['snippet_html']"
api "/api/v1/posts/hostile-content" 200 "one post" "assert d['post']['title'].startswith('<script>') and '<script' not in d['post']['body_html']"
api "/api/v1/posts/nope" 404 "missing post" "assert d['error']['code'] == 'not_found' and d['error']['status'] == 404"
api "/api/v1/posts?page=abc" 400 "bad page" "assert d['error']['code'] == 'bad_request'"
api "/api/v1/posts?tag=Not%20A%20Slug" 400 "bad tag" "assert d['error']['status'] == 400"
api "/api/v1/tags" 200 "tags" "assert any(t['slug'] == '$tag' and t['count'] >= 1 for t in d['tags'])"
api "/api/v1/authors" 200 "authors" "assert {'admin', 'mallory'} <= {a['username'] for a in d['authors']}"
pg -c "UPDATE settings SET value = '10' WHERE key = 'posts_per_page'" >/dev/null
done_testing
