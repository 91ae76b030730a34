#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4020-pages-menu: standalone pages and the navigation menu through nginx
# with curl.  Pages are made, published, kept as drafts and scheduled
# through the API and the admin form; they are at /pages/SLUG, nowhere
# in the listings, feeds, search or the posts API, and in the sitemap.
# The menu is replaced through the API and the admin form; the header
# and the footer show the change on the next request, through the page
# cache; hostile labels and links are refused with 400 and a reason,
# and nothing is saved.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
TMP=$(mktemp -d /tmp/inkwell-4020.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PW='a long enough passphrase'
USERS="'t20admin','t20author'"
cleanup() {
	sql "DELETE FROM posts WHERE author_id IN (SELECT id FROM users WHERE username IN ($USERS));
	     DELETE FROM users WHERE username IN ($USERS);
	     DELETE FROM throttle WHERE bucket LIKE 'login:%';" >/dev/null 2>&1
	if [[ -f $TMP/menu ]]; then
		sql "UPDATE settings SET value = \$\$$(cat "$TMP/menu")\$\$ WHERE key = 'menu'" >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
sql "DELETE FROM throttle WHERE bucket LIKE 'login:%'" >/dev/null
sql "SELECT value FROM settings WHERE key = 'menu'" >"$TMP/menu.tmp" && mv "$TMP/menu.tmp" "$TMP/menu"

for u in t20admin:admin t20author:author; do
	printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role "${u#*:}" \
		--name "T20 ${u%%:*}" --password-stdin "${u%%:*}" >/dev/null 2>&1 ||
		printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user passwd --password-stdin "${u%%:*}" >/dev/null 2>&1
done
ATOK=$("$CTL" -c "$INKWELL_TEST_CONF" token add --name t4020 t20admin 2>/dev/null)
UTOK=$("$CTL" -c "$INKWELL_TEST_CONF" token add --name t4020 t20author 2>/dev/null)
like "$ATOK" '^iw_' "an admin's API token"

# api TOKEN METHOD PATH [JSON]: body in $TMP/body, headers in $TMP/head;
# prints the status.
api() {
	local tok=$1 method=$2 path=$3
	shift 3
	: >"$TMP/body"
	curl -s --max-time 20 -X "$method" -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		${1:+--data-binary "$1"} "$URL$path"
}
get() { curl -s --max-time 20 "$URL$1"; }
code() { curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$URL$1"; }
hdr() { sed -n "s/^$1: *//Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
body() { cat "$TMP/body"; }

# --- pages through the API ------------------------------------------------
WORD=zqxpageword
is "$(api "$ATOK" POST /api/v1/pages "{\"title\":\"T20 About\",\"slug\":\"t20-about\",\"status\":\"published\",\"body_md\":\"About **us**, $WORD.\"}")" 201 \
	"POST /api/v1/pages: 201"
is "$(hdr Location)" /api/v1/pages/t20-about "Location names the page"
like "$(body)" '"page":\{' "the answer is the page"
like "$(body)" '"kind":"page"' "of kind page"
is "$(api "$ATOK" POST /api/v1/pages '{"title":"T20 Draft","slug":"t20-draft","status":"draft","body_md":"not yet"}')" 201 \
	"a draft page"
is "$(api "$ATOK" POST /api/v1/pages '{"title":"T20 Later","slug":"t20-later","status":"scheduled","published_at":"2099-01-01T00:00:00Z","body_md":"later"}')" 201 \
	"a scheduled page"
is "$(api "$ATOK" POST /api/v1/pages '{"title":"T20 Tagged","tags":["x"]}')" 422 "a page with tags: 422"
like "$(body)" 'a page has no tags' "says why"
is "$(api "$UTOK" POST /api/v1/pages '{"title":"T20 Author page","slug":"t20-author-page","status":"published"}')" 201 \
	"an author writes pages too"
is "$(api "$UTOK" PATCH /api/v1/pages/t20-about '{"title":"Mine now"}')" 403 "but not another's page"

page=$(get /pages/t20-about)
like "$page" '<h1>T20 About</h1>' "/pages/SLUG shows the page"
like "$page" 'About <strong>us</strong>' "its Markdown rendered"
unlike "$page" 'class="byline"|comment-form' "without byline or comment form"
is "$(code /pages/t20-draft)" 404 "a draft page: 404"
is "$(code /pages/t20-later)" 404 "a scheduled page before its time: 404"
is "$(code /posts/t20-about)" 404 "a page is not at /posts/SLUG"
is "$(code /api/v1/posts/t20-about)" 404 "nor in the posts API"
is "$(api "$ATOK" PATCH /api/v1/posts/t20-about '{"title":"x"}')" 404 "nor written through it"
is "$(api "$ATOK" DELETE /api/v1/posts/t20-about)" 404 "nor deleted through it"

for p in / /archive /feed.atom /feed.rss "/search?q=$WORD" '/api/v1/posts?per_page=100' "/api/v1/posts?q=$WORD" \
	/authors/t20admin; do
	unlike "$(get "$p")" 't20-about' "not in $p"
done
smap=$(get /sitemap.xml)
like "$smap" '/pages/t20-about</loc>' "the sitemap lists the page"
unlike "$smap" 't20-draft|t20-later' "but not the draft or the scheduled one"
list=$(get /api/v1/pages)
like "$list" '"url":"/pages/t20-about"' "GET /api/v1/pages lists it, at its address"
unlike "$list" 't20-draft|t20-later' "live pages only"
is "$(code /api/v1/pages/t20-about)" 200 "GET /api/v1/pages/SLUG"
is "$(code /api/v1/pages/t20-draft)" 404 "a draft's: 404"

# The scheduled page goes live by itself once its time has come.
sql "UPDATE posts SET published_at = now() - interval '1 minute' WHERE slug = 't20-later'" >/dev/null
is "$(code /pages/t20-later)" 200 "a scheduled page after its time: 200"
is "$(api "$ATOK" PATCH /api/v1/pages/t20-about '{"title":"T20 About us"}')" 200 "PATCH a page"
like "$(get /pages/t20-about)" '<h1>T20 About us</h1>' "the next request shows the change"
is "$(api "$ATOK" DELETE /api/v1/pages/t20-draft)" 204 "DELETE a page"
is "$(api "$ATOK" GET /api/v1/pages/t20-draft)" 404 "it is gone"

# --- pages in the admin ---------------------------------------------------
J=$TMP/admin.jar
req() {
	local method=$1 path=$2
	shift 2
	: >"$TMP/body"
	curl -s --max-time 20 -b "$J" -c "$J" -X "$method" -o "$TMP/body" -D "$TMP/head" \
		-w '%{http_code}' "$@" "$URL$path"
}
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
req GET /admin/login >/dev/null
tok=$(csrf)
is "$(req POST /admin/login --data-urlencode "csrf=$tok" --data-urlencode username=t20admin \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/pages)" 303 "the admin signs in"
is "$(req GET /admin/pages)" 200 "/admin/pages"
like "$(body)" 'T20 About us' "lists the pages"
like "$(body)" 'stand alone at /pages/' "with help text"
req GET /admin/posts >/dev/null
unlike "$(body)" 'T20 About' "/admin/posts does not list pages"
is "$(req GET /admin/pages/new)" 200 "the new page form"
like "$(body)" 'action="/admin/pages"' "posts to /admin/pages"
unlike "$(body)" 'name="tags"' "without a tags field"
tok=$(csrf)
is "$(req POST /admin/pages --data-urlencode "csrf=$tok" --data-urlencode 'title=T20 Colophon' \
	--data-urlencode slug=t20-colophon --data-urlencode 'body_md=Set in *type*.' \
	--data-urlencode status=published)" 303 "a page made with the admin form"
is "$(code /pages/t20-colophon)" 200 "is at /pages/SLUG"
is "$(sql "SELECT kind FROM posts WHERE slug = 't20-colophon'")" page "as a page"
id=$(sql "SELECT id FROM posts WHERE slug = 't20-colophon'")
is "$(req GET "/admin/posts/$id")" 200 "its edit form"
like "$(body)" 'Delete this page' "says page"
tok=$(csrf)
is "$(req POST "/admin/posts/$id" --data-urlencode "csrf=$tok" --data-urlencode 'title=T20 Colophon' \
	--data-urlencode slug=t20-colophon --data-urlencode 'body_md=Set.' --data-urlencode status=draft)" 303 \
	"made a draft with the form"
is "$(code /pages/t20-colophon)" 404 "then it is gone from the site"
is "$(sql "SELECT kind FROM posts WHERE slug = 't20-colophon'")" page "and still a page"
tok=$(csrf)
req POST "/admin/posts/$id" --data-urlencode "csrf=$tok" --data-urlencode 'title=T20 Colophon' \
	--data-urlencode slug=t20-colophon --data-urlencode 'body_md=Set.' --data-urlencode status=published >/dev/null
is "$(api "$ATOK" POST /api/v1/pages '{"title":"T20 Gone","slug":"t20-gone"}')" 201 "a page to delete in the form"
gone=$(sql "SELECT id FROM posts WHERE slug = 't20-gone'")
req GET "/admin/posts/$gone" >/dev/null
tok=$(csrf)
is "$(req POST "/admin/posts/$gone/delete" --data-urlencode "csrf=$tok" -d kind=page)" 303 "deleted with the form"
is "$(hdr Location)" '/admin/pages?done=deleted' "back to the pages list"

# --- the menu through the API ---------------------------------------------
like "$(get /api/v1/menu)" '"menu":\[\{"label":"Home","url":"/"\}' "GET /api/v1/menu: the seeded menu"
get / >/dev/null	# cached now
v0=$(sql "SELECT version FROM content_version")
MENU='{"menu":[{"label":"Home","url":"/"},{"label":"About <us> & \"co\"","url":"/pages/t20-about"},{"label":"Elsewhere","url":"https://example.org/a?b=1&c=2"}]}'
is "$(api "$UTOK" PUT /api/v1/menu "$MENU")" 403 "an author may not change the menu"
is "$(api "$ATOK" PUT /api/v1/menu "$MENU")" 200 "PUT /api/v1/menu"
like "$(body)" '"label":"About <us> & \\"co\\""' "answers with the menu"
v1=$(sql "SELECT version FROM content_version")
ok "the content version moved ($v0 -> $v1)" test "$v1" -gt "$v0"
home=$(get /)
is "$(grep -c 'href="/pages/t20-about">About &lt;us&gt; &amp; &quot;co&quot;</a>' <<<"$home")" 2 \
	"the next request shows it, escaped, in the header and the footer"
like "$home" 'href="https://example.org/a\?b=1&amp;c=2">Elsewhere' "an absolute link, escaped"
unlike "$home" '<li><a href="/archive">Archive</a>' "the old links are gone"
like "$(get /pages/t20-colophon)" 'href="/pages/t20-about"' "on every page"

# hostile ones: 400, a reason, nothing saved
bad() { # JSON-ITEM PATTERN NAME
	is "$(api "$ATOK" PUT /api/v1/menu "{\"menu\":[{\"label\":\"Home\",\"url\":\"/\"},$1]}")" 400 "$3: 400"
	like "$(body)" "$2" "$3: says why"
}
bad '{"label":"x","url":"javascript:alert(1)"}' 'item 2: url: must be a path' 'a javascript: link'
bad '{"label":"x","url":"JavaScript:alert(1)"}' 'item 2: url' 'a JavaScript: link'
bad '{"label":"x","url":"data:text/html,<b>"}' 'item 2: url' 'a data: link'
bad '{"label":"x","url":"//evil.example/"}' 'not \\"//' 'a //host link'
bad '{"label":"x","url":"/\\\\evil.example"}' 'backslash' 'a /\\host link'
bad '{"label":"x","url":"java\tscript:alert(1)"}' 'control characters' 'a tab in a link'
bad '{"label":"x","url":"https://"}' 'no host' 'a URL with no host'
bad '{"label":"bell\u0007","url":"/"}' 'item 2: label' 'a control character in a label'
bad '{"label":"","url":"/"}' 'item 2: label: is required' 'an empty label'
bad "{\"label\":\"$(printf 'x%.0s' $(seq 61))\",\"url\":\"/\"}" 'at most 60' 'a label of 61 characters'
bad "{\"label\":\"x\",\"url\":\"/$(printf 'x%.0s' $(seq 500))\"}" 'longer than 500' 'a link of 501 bytes'
bad '{"label":"x","url":"/","extra":1}' 'other than label and url' 'an unknown field'
many=$(for i in $(seq 30); do printf '{"label":"L%s","url":"/"},' "$i"; done)
bad "${many%,}" 'at most 30' '31 links'
is "$(api "$ATOK" PUT /api/v1/menu '{"items":[]}')" 400 "a body without menu: 400"
like "$(get /api/v1/menu)" 'About <us>' "after all that the menu is as it was"

# --- the menu through the admin form --------------------------------------
J2=$TMP/author.jar
is "$(curl -s -o /dev/null -w '%{http_code}' -b "$J2" "$URL/admin/menu")" 303 "/admin/menu needs a session"
is "$(req GET /admin/menu)" 200 "/admin/menu"
like "$(body)" 'name="label_2" maxlength="60" value="About &lt;us&gt; &amp; &quot;co&quot;"' "shows the links, escaped"
like "$(body)" 'position number' "with help text"
tok=$(csrf)
# Reordered by position, Elsewhere removed, Colophon added in an empty row.
is "$(req POST /admin/menu --data-urlencode "csrf=$tok" \
	-d pos_1=30 --data-urlencode label_1=Home --data-urlencode url_1=/ \
	-d pos_2=10 --data-urlencode 'label_2=About' --data-urlencode url_2=/pages/t20-about \
	-d pos_3=20 --data-urlencode label_3=Elsewhere --data-urlencode url_3=https://example.org/ -d remove_3=1 \
	-d pos_4=15 --data-urlencode label_4=Colophon --data-urlencode url_4=/pages/t20-colophon \
	-d pos_5=50 -d label_5= -d url_5=)" 303 "the admin form saves the menu"
is "$(get /api/v1/menu)" '{"menu":[{"label":"About","url":"/pages/t20-about"},{"label":"Colophon","url":"/pages/t20-colophon"},{"label":"Home","url":"/"}]}' \
	"in the order of the positions, the removed one gone, the new one in"
like "$(get /)" '<li><a href="/pages/t20-about">About</a></li>
<li><a href="/pages/t20-colophon">Colophon</a></li>
<li><a href="/">Home</a></li>' "the next request's header shows it"
req GET /admin/menu >/dev/null
tok=$(csrf)
is "$(req POST /admin/menu --data-urlencode "csrf=$tok" --data-urlencode 'label_1=<script>x</script>' \
	--data-urlencode 'url_1=javascript:alert(1)')" 400 "a javascript: link in the form: 400"
like "$(body)" 'Not saved: Row 1: the link must be a path' "the form again, saying why"
like "$(body)" 'value="&lt;script&gt;x&lt;/script&gt;"' "with what was typed, escaped"
unlike "$(body)" '<script>x' "never raw"
like "$(get /api/v1/menu)" 'Colophon' "and the menu unchanged"
is "$(req POST /admin/menu --data-urlencode "csrf=$tok" --data-urlencode label_1=Home --data-urlencode url_1=/)" 303 \
	"a menu of one link"
is "$(req POST /admin/menu --data-urlencode label_1=X --data-urlencode url_1=/)" 403 "the form without its CSRF token: 403"
is "$(get /api/v1/menu)" '{"menu":[{"label":"Home","url":"/"}]}' "only the one saved with its token"

# an author is not let in
req2() { curl -s --max-time 20 -b "$J2" -c "$J2" -o "$TMP/body" -w '%{http_code}' "$@"; }
req2 "$URL/admin/login" >/dev/null
tok=$(csrf)
req2 -X POST --data-urlencode "csrf=$tok" --data-urlencode username=t20author \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/posts "$URL/admin/login" >/dev/null
is "$(req2 "$URL/admin/menu")" 403 "an author may not edit the menu"

done_testing
