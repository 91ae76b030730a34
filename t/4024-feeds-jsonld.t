#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4024-feeds-jsonld: through nginx, the feeds of each tag and author and
# the JSON Feeds, and the pages' structured data:
#   - every feed (site, tag, author; Atom, RSS, JSON Feed) answers with
#     its Content-Type, parses (feedparser's bozo 0; JSON Feeds against
#     t/data/jsonfeed-1.1.schema.json, the 1.1 spec's rules) and lists
#     exactly its scope's live posts: never a draft or a scheduled post;
#   - an unknown tag or author is a 404 for every format;
#   - the home, tag and author pages link their own feeds;
#   - feed_content: the admin form refuses a bad value (422) and saves a
#     good one; summary feeds carry the summary, not the text; the
#     database refuses a value the feeds cannot honour;
#   - JSON-LD: a BlogPosting on a post, a WebSite with a SearchAction on
#     the home page, both parsed back with json; a hostile title stays
#     inert (no "</script><script>" in the page, one <script> element).
# Needs: curl, python3 with feedparser and jsonschema, tidy.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
# Debian's python3 has feedparser and jsonschema; another python3 earlier
# on PATH (pyenv, a venv) may not.
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
"$PY" -c 'import feedparser, jsonschema' 2>/dev/null ||
	skip_all "python3 without feedparser or jsonschema"
TMP=$(mktemp -d /tmp/inkwell-4024.XXXXXX)
PW='a long enough passphrase'
# What the test adds goes again, so the tests after it on the same stack
# see the database they expect.
cleanup() {
	pg -c "UPDATE settings SET value = 'full' WHERE key = 'feed_content';
	DELETE FROM posts WHERE slug LIKE 't24-%';
	DELETE FROM tags WHERE slug LIKE 't24-%';
	DELETE FROM users WHERE username IN ('t24ann', 't24bob', 't24admin');
	DELETE FROM throttle WHERE bucket LIKE 'login:%'" >/dev/null 2>&1
	"$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" cache flush >/dev/null 2>&1
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
# Two authors, two tags; a draft and a scheduled post that must never
# show; a post whose title and summary try to leave the JSON-LD script.
HOSTILE='</script><script>alert(1)</script>'
mkdir -p "$TMP/md"
post() { # slug author date status tags summary title
	printf -- '---\ntitle: "%s"\nslug: %s\ndate: %s\nstatus: %s\nauthor: %s\nauthor_name: "%s"\ntags: [%s]\nsummary: "%s"\n---\nThe text of %s: FULLTEXT%s.\n' \
		"$7" "$1" "$3" "$4" "$2" "T24 ${2#t24}" "$5" "$6" "$1" "$1" >"$TMP/md/$1.md"
}
post t24-one t24ann 2026-01-02T10:00:00Z published 't24-alpha: T24 Alpha' 'Summary of one' 'T24 one'
post t24-two t24bob 2026-01-03T10:00:00Z published 't24-alpha: T24 Alpha, t24-beta: T24 Beta' 'Summary of two' 'T24 two'
post t24-hostile t24ann 2026-01-04T10:00:00Z published 't24-beta: T24 Beta' "$HOSTILE" "$HOSTILE"
post t24-draft t24ann 2026-01-05T10:00:00Z draft 't24-alpha: T24 Alpha, t24-beta: T24 Beta' 'Draft' 'T24 draft'
post t24-sched t24bob 2099-01-01T10:00:00Z scheduled 't24-alpha: T24 Alpha, t24-beta: T24 Beta' 'Scheduled' 'T24 scheduled'
ok "the posts import" ctl import "$TMP/md"
is "$(pg -c "SELECT string_agg(slug || ':' || status, ' ' ORDER BY slug) FROM posts WHERE slug LIKE 't24-%'")" \
	"t24-draft:draft t24-hostile:published t24-one:published t24-sched:scheduled t24-two:published" \
	"five posts: three live, a draft, a scheduled one"
pg -c "UPDATE settings SET value = 'full' WHERE key = 'feed_content'" >/dev/null
ok "the cache is flushed after the SQL seeding" ctl cache flush

# --- every feed -------------------------------------------------------------
# check_feed PATH FORMAT WANT: WANT the t24 slugs the feed must list
# (space-separated, sorted); only t24 posts are counted, so the demo or
# other tests' posts on the site feeds do not matter.
check_feed() {
	local path=$1 fmt=$2 want=$3 ctype got
	case $fmt in
	atom) ctype='^application/atom\+xml; charset=utf-8$' ;;
	rss) ctype='^application/rss\+xml; charset=utf-8$' ;;
	json) ctype='^application/feed\+json$' ;;
	esac
	fetch "$path"
	is "$code" 200 "$path: 200"
	like "$(header Content-Type)" "$ctype" "$path: Content-Type"
	got=$("$PY" - "$TMP/body" "$fmt" "$src/t/data/jsonfeed-1.1.schema.json" 2>"$TMP/py.err" <<-'EOF'
		import json, sys
		body, fmt, schema = sys.argv[1:4]
		if fmt == "json":
		    import jsonschema
		    doc = json.load(open(body, encoding="utf-8"))
		    jsonschema.validate(doc, json.load(open(schema)))
		    links = [i["url"] for i in doc["items"]]
		else:
		    import feedparser
		    d = feedparser.parse(open(body, "rb").read())
		    if d.bozo:
		        sys.exit("bozo: %r" % d.bozo_exception)
		    links = [e.link for e in d.entries]
		print(" ".join(sorted(l.rsplit("/", 1)[-1] for l in links
		                      if "/posts/t24-" in l)))
		EOF
	)
	is "$got" "$want" "$path: parses (bozo 0 / schema valid), lists: ${want:-nothing}"
	if_fail diag "$(cat "$TMP/py.err")"
}
for fmt in atom rss json; do
	check_feed "/feed.$fmt" "$fmt" "t24-hostile t24-one t24-two"
	check_feed "/tags/t24-alpha/feed.$fmt" "$fmt" "t24-one t24-two"
	check_feed "/tags/t24-beta/feed.$fmt" "$fmt" "t24-hostile t24-two"
	check_feed "/authors/t24ann/feed.$fmt" "$fmt" "t24-hostile t24-one"
	check_feed "/authors/t24bob/feed.$fmt" "$fmt" "t24-two"
done

# A tag feed's own title and links.
fetch /tags/t24-alpha/feed.atom
"$PY" - "$TMP/body" "$URL" >"$TMP/meta" 2>&1 <<-'EOF'
	import sys, feedparser
	d = feedparser.parse(open(sys.argv[1], "rb").read())
	f = d.feed
	self_ = [l.href for l in f.links if l.rel == "self"]
	alt = [l.href for l in f.links if l.rel == "alternate"]
	print(f.title, self_, alt)
	EOF
like "$(cat "$TMP/meta")" "T24 Alpha \\['http://[^']*/tags/t24-alpha/feed\\.atom'\\] \\['http://[^']*/tags/t24-alpha'\\]" \
	"the tag's Atom feed: its title names the tag, self and alternate are the tag's"
fetch /authors/t24bob/feed.json
"$PY" - "$TMP/body" >"$TMP/meta" 2>&1 <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	it = d["items"][0]
	print(d["title"].endswith("T24 bob"), d["feed_url"].endswith("/authors/t24bob/feed.json"),
	      d["home_page_url"].endswith("/authors/t24bob"), it["id"] == it["url"],
	      "FULLTEXTt24-two" in it.get("content_html", ""), it["tags"],
	      it["authors"][0]["name"], it["authors"][0]["url"].endswith("/authors/t24bob"))
	EOF
is "$(cat "$TMP/meta")" "True True True True True ['T24 Alpha', 'T24 Beta'] T24 bob True" \
	"the author's JSON Feed: title, feed_url, home_page_url, id, full content, tags, author"

# Cached as pages are: the second answer is nginx's page file, with the
# same Content-Type.
fetch /tags/t24-beta/feed.json
fetch /tags/t24-beta/feed.json
is "$(header X-Cache) $(header Content-Type)" "HIT application/feed+json" \
	"a tag's JSON Feed is served from its page file, still application/feed+json"

# --- unknown tag or author ------------------------------------------------
for path in /tags/t24-nope /authors/t24nobody; do
	for fmt in atom rss json; do
		fetch "$path/feed.$fmt"
		is "$code" 404 "$path/feed.$fmt: 404"
	done
done

# --- <link rel="alternate"> -----------------------------------------------
alternates() { # the rel=alternate links of the page in $TMP/body: "TYPE HREF"
	"$PY" - "$TMP/body" <<-'EOF'
		import sys
		from html.parser import HTMLParser
		class P(HTMLParser):
		    def handle_starttag(self, tag, attrs):
		        a = dict(attrs)
		        if tag == "link" and a.get("rel") == "alternate":
		            print(a.get("type"), a.get("href"))
		P().feed(open(sys.argv[1], encoding="utf-8").read())
		EOF
}
fetch /
alternates >"$TMP/alt"
ok "home: links the site's JSON Feed" grep -qx 'application/feed+json /feed.json' "$TMP/alt"
ok "home: and its Atom and RSS feeds" grep -qx 'application/atom+xml /feed.atom' "$TMP/alt"
for kind in tags/t24-alpha authors/t24ann; do
	fetch "/$kind"
	is "$code" 200 "/$kind: 200"
	alternates >"$TMP/alt"
	for f in "application/atom+xml /$kind/feed.atom" "application/rss+xml /$kind/feed.rss" \
		"application/feed+json /$kind/feed.json"; do
		ok "/$kind: links ${f#* }" grep -qxF "$f" "$TMP/alt"
	done
done
fetch /tags/t24-alpha
unlike "$(alternates)" 'authors/' "the tag page links no author's feeds"

# --- feed_content ---------------------------------------------------------
printf '%s\n' "$PW" | ctl user add --role admin --name 'T24 admin' --password-stdin t24admin >/dev/null 2>&1 ||
	printf '%s\n' "$PW" | ctl user passwd --password-stdin t24admin >/dev/null 2>&1
J=$TMP/jar
req() { # METHOD PATH [curl args]: prints the status
	local m=$1 p=$2
	shift 2
	: >"$TMP/body"
	curl -s --max-time 20 -b "$J" -c "$J" -X "$m" -o "$TMP/body" -D "$TMP/head" \
		-w '%{http_code}' "$@" "$URL$p"
}
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
req GET /admin/login >/dev/null
tok=$(csrf)
is "$(req POST /admin/login --data-urlencode "csrf=$tok" --data-urlencode username=t24admin \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/settings)" 303 "admin signs in"
is "$(req GET /admin/settings)" 200 "the settings page: 200"
like "$(cat "$TMP/body")" 'name="feed_content" value="full" checked' "it shows feed_content full, checked"
like "$(cat "$TMP/body")" 'What every feed \(Atom, RSS and JSON Feed' "with its help text"
tok=$(csrf)
title=$(pg -c "SELECT value FROM settings WHERE key = 'title'")
desc=$(pg -c "SELECT coalesce((SELECT value FROM settings WHERE key = 'description'), '')")
per=$(pg -c "SELECT coalesce((SELECT value FROM settings WHERE key = 'posts_per_page'), '10')")
comments=$(pg -c "SELECT coalesce((SELECT value FROM settings WHERE key = 'comments'), 'held')")
save() { # FEED_CONTENT: prints the status
	req POST /admin/settings --data-urlencode "csrf=$tok" --data-urlencode "title=$title" \
		--data-urlencode "description=$desc" --data-urlencode "posts_per_page=$per" \
		--data-urlencode "comments=$comments" --data-urlencode "feed_content=$1"
}
is "$(save 'summary<script>')" 422 "feed_content not full or summary: 422"
is "$(pg -c "SELECT value FROM settings WHERE key = 'feed_content'")" full "  and nothing is saved"
is "$(save summary)" 303 "feed_content summary: saved (303)"
is "$(pg -c "SELECT value FROM settings WHERE key = 'feed_content'")" summary "  and stored"

fetch /tags/t24-alpha/feed.atom
"$PY" - "$TMP/body" >"$TMP/sum" 2>&1 <<-'EOF'
	import sys, feedparser
	d = feedparser.parse(open(sys.argv[1], "rb").read())
	e = [e for e in d.entries if e.link.endswith("/posts/t24-one")][0]
	print(int(d.bozo), "content" in e, e.summary)
	EOF
is "$(cat "$TMP/sum")" "0 False Summary of one" "summary: the Atom entry has its summary and no content"
fetch /authors/t24bob/feed.rss
"$PY" - "$TMP/body" >"$TMP/sum" 2>&1 <<-'EOF'
	import sys, feedparser
	d = feedparser.parse(open(sys.argv[1], "rb").read())
	print(int(d.bozo), d.entries[0].description)
	EOF
is "$(cat "$TMP/sum")" "0 Summary of two" "summary: the RSS item's description is the summary"
fetch /feed.json
"$PY" - "$TMP/body" "$src/t/data/jsonfeed-1.1.schema.json" >"$TMP/sum" 2>&1 <<-'EOF'
	import json, sys, jsonschema
	d = json.load(open(sys.argv[1]))
	jsonschema.validate(d, json.load(open(sys.argv[2])))
	it = [i for i in d["items"] if i["url"].endswith("/posts/t24-one")][0]
	print("content_html" in it, it["content_text"], it["summary"])
	EOF
is "$(cat "$TMP/sum")" "False Summary of one Summary of one" "summary: the JSON Feed item has content_text, no content_html"
ok "summary: no feed carries the text" test "$(curl -s "$URL/feed.atom" "$URL/feed.rss" "$URL/feed.json" \
	"$URL/tags/t24-beta/feed.atom" | grep -c FULLTEXT)" -eq 0
is "$(save full)" 303 "feed_content back to full"
ok "full: the feeds carry the text again" test "$(curl -s "$URL/tags/t24-alpha/feed.atom" | grep -c 'FULLTEXTt24-one')" -ge 1
pg -c "UPDATE settings SET value = 'most' WHERE key = 'feed_content'" >/dev/null 2>&1
ok "the database refuses a feed_content the feeds cannot honour" test $? -ne 0

# --- JSON-LD ----------------------------------------------------------------
# ld_of: the JSON-LD blocks of the page in $TMP/body, parsed, as one JSON
# list; and the number of <script elements in the page.
ld_of() {
	"$PY" - "$TMP/body" <<-'EOF'
		import json, re, sys
		page = open(sys.argv[1], encoding="utf-8").read()
		blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
		print(json.dumps({"n_script": len(re.findall(r"<script", page)),
		                  "ld": [json.loads(b) for b in blocks]}))
		EOF
}
fetch /posts/t24-hostile
is "$code" 200 "the hostile post: 200"
unlike "$(cat "$TMP/body")" '</script><script>alert' "the raw page never holds the title's </script><script>"
ld_of >"$TMP/ld.json" 2>"$TMP/py.err"
ok "its JSON-LD parses" test -s "$TMP/ld.json"
if_fail diag "$(cat "$TMP/py.err")"
"$PY" - "$TMP/ld.json" "$HOSTILE" >"$TMP/ld.out" 2>&1 <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	hostile = sys.argv[2]
	(ld,) = d["ld"]
	checks = [
	    d["n_script"] == 1,
	    ld["@context"] == "https://schema.org",
	    ld["@type"] == "BlogPosting",
	    ld["headline"] == hostile,
	    ld["description"] == hostile,
	    ld["author"]["@type"] == "Person",
	    ld["author"]["name"] == "T24 ann",
	    ld["author"]["url"].endswith("/authors/t24ann"),
	    ld["datePublished"] == "2026-01-04T10:00:00Z",
	    len(ld["dateModified"]) == 20,
	    ld["url"].endswith("/posts/t24-hostile"),
	    ld["mainEntityOfPage"]["@id"] == ld["url"],
	]
	print(" ".join("1" if c else "0" for c in checks))
	EOF
is "$(cat "$TMP/ld.out")" "1 1 1 1 1 1 1 1 1 1 1 1" \
	"post: one script element, a BlogPosting with headline, description, author Person, dates, url, mainEntityOfPage"
ok "the escaped title is in the page as \\u003c/script\\u003e" grep -qF '\u003c/script\u003e\u003cscript\u003ealert(1)' "$TMP/body"
tidy -q -e -utf8 "$TMP/body" >"$TMP/tidy.out" 2>&1
ok "the post page is valid HTML (tidy)" test $? -lt 2
if_fail diag "$(head -n 20 "$TMP/tidy.out")"

fetch /
ld_of >"$TMP/ld.json" 2>"$TMP/py.err"
"$PY" - "$TMP/ld.json" >"$TMP/ld.out" 2>&1 <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	(ld,) = d["ld"]
	a = ld["potentialAction"]
	checks = [
	    ld["@type"] == "WebSite",
	    ld["url"].endswith("/"),
	    isinstance(ld["name"], str) and ld["name"] != "",
	    a["@type"] == "SearchAction",
	    a["target"]["urlTemplate"].endswith("/search?q={search_term_string}"),
	    a["query-input"] == "required name=search_term_string",
	]
	print(" ".join("1" if c else "0" for c in checks))
	EOF
is "$(cat "$TMP/ld.out")" "1 1 1 1 1 1" "home: a WebSite with a SearchAction on /search?q={search_term_string}"
if_fail diag "$(cat "$TMP/ld.out" "$TMP/py.err")"
fetch /tags/t24-alpha
is "$(ld_of | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["ld"]))')" 0 \
	"a tag page has no JSON-LD (only posts and the home page do)"

# CSP: the JSON-LD is data, not script; the site's policy stays as it is
# and every <script> in the page is a data block.
fetch /posts/t24-one
like "$(header Content-Security-Policy)" "default-src 'self'" "a post is sent with the site's CSP"
is "$(grep -o '<script[^>]*>' "$TMP/body" | sort -u)" '<script type="application/ld+json">' \
	"its only script element is the ld+json data block"

done_testing
