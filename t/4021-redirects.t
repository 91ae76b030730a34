#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4021-redirects: redirects through nginx.  A published post whose slug
# changes (by the API and by the admin form) sends its old address to
# the new one on the very next request, even once the old page was a
# page file and in Redis; chains collapse; loops, off-site targets
# inkwell did not get from an admin, and hostile values are refused;
# prefix redirects, exact over prefix, the query kept, HEAD; the admin
# page and the API list, add and remove; a WordPress import's old
# permalink then redirects; an unknown address is still the themed 404.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD INKWELL_TEST_VAR
PAGES=$INKWELL_TEST_VAR/run/pages
URL=${INKWELL_TEST_URL%/}
TMP=$(mktemp -d /tmp/inkwell-4021.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
PW='a long enough passphrase'
cleanup() {
	sql "DELETE FROM redirects WHERE from_path LIKE '%r4021%' OR to_path LIKE '%r4021%';
	     DELETE FROM posts WHERE slug LIKE 'r4021-%';
	     DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE username LIKE 'r4021%');
	     DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username LIKE 'r4021%');
	     DELETE FROM users WHERE username LIKE 'r4021%';
	     DELETE FROM throttle WHERE bucket LIKE 'login:%';" >/dev/null 2>&1
}
finish() {
	cleanup
	rm -rf "$TMP"
}
trap finish EXIT
cleanup

for u in r4021admin:admin r4021author:author; do
	printf '%s\n' "$PW" | ctl user add --role "${u#*:}" --name "R ${u%%:*}" \
		--password-stdin "${u%%:*}" >/dev/null 2>&1
done
XT=$(ctl token add --name r4021 r4021admin 2>/dev/null)
AT=$(ctl token add --name r4021 r4021author 2>/dev/null)
like "$XT" '^iw_' "an admin's API token"

# get METHOD PATH [curl args]: body in $TMP/body, headers in $TMP/head;
# prints the status.
get() {
	local method=$1 path=$2
	shift 2
	: >"$TMP/body"
	if [[ $method == HEAD ]]; then
		curl -s --max-time 20 -I -o /dev/null -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path"
	else
		curl -s --max-time 20 -X "$method" -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path"
	fi
}
hdr() { sed -n "s/^$1: *//Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
api() { local tok=$1; shift; get "$@" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json'; }

# --- a slug change by the API ----------------------------------------------
is "$(api "$XT" POST /api/v1/posts -d '{"slug":"r4021-one","title":"One","status":"published","body_md":"one"}')" 201 \
	"a published post"
# cached GET PATH: asks until the page comes from the cache (the keeper
# may open a generation between two requests, and under a loaded CI
# machine took over two seconds to); prints the last X-Cache.
cached() {
	local _
	for _ in $(seq 50); do
		get GET "$1" >/dev/null
		[[ $(hdr X-Cache) == HIT && -f $PAGES/current$1@.html ]] && break
		sleep 0.2
	done
	hdr X-Cache
}
is "$(get GET /posts/r4021-one)" 200 "  is served"
is "$(cached /posts/r4021-one)" HIT "  and then from a page file or Redis"
ok "  its page file is written (nginx serves it now)" test -f "$PAGES/current/posts/r4021-one@.html"
is "$(get GET /posts/r4021-one)" 200 "  from the page file"
is "$(hdr X-Request-Id)" "" "  (no worker answered)"
is "$(api "$XT" PATCH /api/v1/posts/r4021-one -d '{"slug":"r4021-two"}')" 200 "PATCH changes its slug"
is "$(sql "SELECT to_path || ' ' || code || ' ' || source || ' ' || match FROM redirects WHERE from_path = '/posts/r4021-one'")" \
	"/posts/r4021-two 301 slug exact" "  a redirect old -> new was recorded (source slug)"
is "$(get GET /posts/r4021-one)" 301 "the old address, on the very next request: 301"
is "$(hdr Location)" /posts/r4021-two "  to the new one"
is "$(get GET /posts/r4021-one)" 301 "  again (now from the page cache)"
is "$(hdr X-Cache)" HIT "  a cache hit: one lookup"
is "$(hdr Location)" /posts/r4021-two "  to the same place"
is "$(get GET '/posts/r4021-one?page=2')" 301 "with a query"
is "$(hdr Location)" '/posts/r4021-two?page=2' "  the query is kept"
is "$(get GET '/posts/r4021-one?utm_source=x&b=1')" 301 "with a query the blog does not know"
is "$(hdr Location)" '/posts/r4021-two?utm_source=x&b=1' "  kept as it was"
is "$(get HEAD /posts/r4021-one)" 301 "HEAD: 301"
is "$(hdr Location)" /posts/r4021-two "  with the Location"
is "$(get GET /posts/r4021-two)" 200 "the new address is served"

# --- chains collapse; the new path's redirect goes -------------------------
is "$(api "$XT" PATCH /api/v1/posts/r4021-two -d '{"slug":"r4021-three"}')" 200 "a second slug change"
is "$(sql "SELECT string_agg(from_path || '>' || to_path, ' ' ORDER BY from_path) FROM redirects WHERE from_path LIKE '/posts/r4021-%'")" \
	"/posts/r4021-one>/posts/r4021-three /posts/r4021-two>/posts/r4021-three" \
	"A->B, B->C became A->C, B->C"
is "$(get GET /posts/r4021-one)" 301 "the first address"
is "$(hdr Location)" /posts/r4021-three "  straight to the last"
is "$(api "$XT" PATCH /api/v1/posts/r4021-three -d '{"slug":"r4021-one"}')" 200 "back to the first slug"
is "$(sql "SELECT count(*) FROM redirects WHERE from_path = '/posts/r4021-one'")" 0 \
	"  the redirect from the address that is live again is gone"
is "$(get GET /posts/r4021-one)" 200 "  and the post is served there"
is "$(get GET /posts/r4021-three)" 301 "the address it left"
is "$(hdr Location)" /posts/r4021-one "  leads back"
is "$(get GET /posts/r4021-two)" 301 "and the middle one"
is "$(hdr Location)" /posts/r4021-one "  too (no loop, no chain)"

# A draft's slug change records nothing: readers never saw it.
is "$(api "$XT" POST /api/v1/posts -d '{"slug":"r4021-draft","title":"D","status":"draft"}')" 201 "a draft"
is "$(api "$XT" PATCH /api/v1/posts/r4021-draft -d '{"slug":"r4021-draft2"}')" 200 "  its slug changes"
is "$(sql "SELECT count(*) FROM redirects WHERE from_path = '/posts/r4021-draft'")" 0 "  no redirect"

# --- a slug change in the admin form -------------------------------------
jar=$TMP/jar
post_form() { curl -s --max-time 20 -b "$jar" -c "$jar" -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@"; }
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
post_form "$URL/admin/login" >/dev/null
tok=$(csrf)
is "$(post_form "$URL/admin/login" --data-urlencode "csrf=$tok" --data-urlencode username=r4021admin \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/redirects)" 303 "the admin signs in"
is "$(post_form "$URL/admin/redirects")" 200 "the redirects page"
like "$(cat "$TMP/body")" '/posts/r4021-three' "  lists the redirects"
like "$(cat "$TMP/body")" '<td>slug</td>' "  with their source"
like "$(cat "$TMP/body")" 'only answers where there is' "  and says what a redirect does"
ADTOK=$(csrf)
PID=$(sql "SELECT id FROM posts WHERE slug = 'r4021-one'")
is "$(cached /posts/r4021-one)" HIT "the post's page is cached again"
ok "  as a page file" test -f "$PAGES/current/posts/r4021-one@.html"
is "$(post_form "$URL/admin/posts/$PID" --data-urlencode "csrf=$ADTOK" --data-urlencode title=One \
	--data-urlencode slug=r4021-four --data-urlencode status=published --data-urlencode body_md=one \
	--data-urlencode "published_at=$(sql "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI') FROM posts WHERE id = $PID")")" 303 \
	"the admin form changes the slug"
is "$(get GET /posts/r4021-one)" 301 "the old address, at once: 301"
is "$(hdr Location)" /posts/r4021-four "  to the new one"
is "$(get GET /posts/r4021-two)" 301 "the older ones"
is "$(hdr Location)" /posts/r4021-four "  follow"

# --- the admin page: add, refuse, remove -----------------------------------
form_add() {
	post_form "$URL/admin/redirects" --data-urlencode "csrf=$ADTOK" "$@"
}
is "$(form_add --data-urlencode from_path=/r4021-old-blog/ --data-urlencode to_path=/posts/ \
	--data-urlencode match=prefix --data-urlencode code=301)" 303 "the form adds a prefix redirect"
is "$(hdr Location)" "/admin/redirects?done=redirect-added" "  and says so"
is "$(post_form "$URL/admin/redirects" --data-urlencode from_path=/r4021-x --data-urlencode to_path=/)" 403 \
	"  not without the CSRF token"
is "$(get GET /r4021-old-blog/r4021-four)" 301 "a path under the prefix: 301"
is "$(hdr Location)" /posts/r4021-four "  the rest appended"
is "$(get GET '/r4021-old-blog/a%20b?x=1')" 301 "  the rest encoded again, the query kept"
is "$(hdr Location)" '/posts/a%20b?x=1' "  as $(hdr Location)"
is "$(form_add --data-urlencode from_path=/r4021-old-blog/special --data-urlencode to_path=/posts/r4021-four \
	--data-urlencode code=302)" 303 "an exact redirect inside the prefix"
is "$(get GET /r4021-old-blog/special)" 302 "exact beats prefix (and its code is used)"
is "$(hdr Location)" /posts/r4021-four "  to its own target"
is "$(form_add --data-urlencode from_path=/r4021-old-blog/deeper/ --data-urlencode to_path=/tags/ \
	--data-urlencode match=prefix)" 303 "a longer prefix"
is "$(get GET /r4021-old-blog/deeper/x)" 301 "the longest prefix wins"
is "$(hdr Location)" /tags/x "  to its target"
is "$(form_add --data-urlencode 'from_path=//evil' --data-urlencode to_path=/)" 400 "a hostile from in the form: 400"
like "$(cat "$TMP/body")" 'from_path' "  the page names the field"
RID=$(sql "SELECT id FROM redirects WHERE from_path = '/r4021-old-blog/deeper/'")
is "$(post_form "$URL/admin/redirects/$RID/delete" --data-urlencode "csrf=$ADTOK")" 303 "the form removes one"
is "$(get GET /r4021-old-blog/deeper/x)" 301 "  the shorter prefix answers at once"
is "$(hdr Location)" /posts/deeper/x "  as $(hdr Location)"

# --- the API: list, add, remove, refuse ------------------------------------
is "$(api "$XT" GET /api/v1/redirects)" 200 "GET /api/v1/redirects"
like "$(cat "$TMP/body")" '"from_path":"/r4021-old-blog/","to_path":"/posts/","code":301,"match":"prefix","source":"manual"' \
	"  lists them"
is "$(api "$AT" GET /api/v1/redirects)" 403 "  an author may not"
is "$(get GET /api/v1/redirects)" 401 "  nor anyone signed out"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-a","to_path":"/r4021-b"}')" 201 "POST adds one"
like "$(hdr Location)" '^/api/v1/redirects/[0-9]+$' "  with its Location"
RA=$(hdr Location); RA=${RA##*/}
like "$(cat "$TMP/body")" '"code":301' "  301 by default"
is "$(api "$AT" POST /api/v1/redirects -d '{"from_path":"/r4021-z","to_path":"/"}')" 403 "  not by an author"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-b","to_path":"/r4021-c"}')" 201 "B -> C"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-c","to_path":"/r4021-a"}')" 400 "C -> A would loop: 400"
like "$(cat "$TMP/body")" 'circle' "  and says why"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-self","to_path":"/r4021-self"}')" 400 "a redirect to itself: 400"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-p/","to_path":"/r4021-p/x/","match":"prefix"}')" 400 \
	"a prefix into itself: 400"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-a","to_path":"/"}')" 409 "a second redirect from one path: 409"
is "$(api "$XT" POST /api/v1/redirects -d '{"from_path":"/r4021-ext","to_path":"https://example.org/moved?x=1","code":308}')" 201 \
	"an admin's full URL is taken"
is "$(get GET '/r4021-ext?q=2')" 308 "  served with its code"
is "$(hdr Location)" 'https://example.org/moved?x=1' "  the URL as typed, the request's query not added"
n0=$(sql "SELECT count(*) FROM redirects")
for bad in '{"from_path":"/r4021-h1","to_path":"//evil.example/"}' \
	'{"from_path":"/r4021-h2","to_path":"/\\\\evil.example"}' \
	'{"from_path":"/r4021-h3","to_path":"javascript:alert(1)"}' \
	'{"from_path":"/r4021 h4","to_path":"/"}' \
	'{"from_path":"/r4021-h5\r\nX: y","to_path":"/"}' \
	'{"from_path":"/r4021-h6","to_path":"/a\u0000b"}' \
	'{"from_path":"/admin/r4021","to_path":"/"}' \
	'{"from_path":"/api/v1/r4021","to_path":"/"}' \
	'{"from_path":"/static/r4021","to_path":"/"}' \
	'{"from_path":"/healthz","to_path":"/"}' \
	'{"from_path":"r4021","to_path":"/"}' \
	'{"from_path":"/r4021-h7?x=1","to_path":"/"}' \
	'{"from_path":"/r4021-h8","to_path":"/","code":200}' \
	'{"from_path":"/r4021-h9","to_path":"/","match":"regex"}' \
	'{"from_path":"/r4021-h10","to_path":"/","code":"301"}' \
	'{"from_path":"/r4021-h11","to_path":"/","extra":1}'; do
	is "$(api "$XT" POST /api/v1/redirects -d "$bad")" 400 "hostile: $bad: 400"
	like "$(cat "$TMP/body")" '"fields":\{"' "  names the field"
done
long=$(printf '/r4021-%02000d' 0)
is "$(api "$XT" POST /api/v1/redirects -d "{\"from_path\":\"$long\",\"to_path\":\"/\"}")" 400 "a from over 2000 bytes: 400"
is "$(sql "SELECT count(*) FROM redirects")" "$n0" "none of them was stored"
is "$(api "$XT" DELETE "/api/v1/redirects/$RA")" 204 "DELETE removes one"
is "$(get GET /r4021-a)" 404 "  its address is a 404 at once"
is "$(api "$XT" DELETE "/api/v1/redirects/$RA")" 404 "  a second DELETE: 404"
is "$(api "$XT" DELETE /api/v1/redirects/abc)" 404 "  a bad id: 404"

# --- only an admin's redirect leaves the site ------------------------------
ok "the database refuses a slug or import redirect to another site" bash -c \
	"! psql -X -q -d '$INKWELL_TEST_PG' -c \"INSERT INTO redirects (from_path, to_path, source) VALUES ('/r4021-w', 'https://evil.example/', 'wxr')\" 2>/dev/null"
ok "  or to //host" bash -c \
	"! psql -X -q -d '$INKWELL_TEST_PG' -c \"INSERT INTO redirects (from_path, to_path, source) VALUES ('/r4021-w', '//evil.example/', 'slug')\" 2>/dev/null"

# --- a WordPress import's old permalink ------------------------------------
cat >"$TMP/r.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>r4021</title>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:author><wp:author_login>r4021wp</wp:author_login><wp:author_display_name>WP</wp:author_display_name></wp:author>
	<item>
		<title>r4021 imported</title>
		<link>https://old.example.org/2020/01/r4021-imported/</link>
		<dc:creator>r4021wp</dc:creator>
		<content:encoded><![CDATA[<p>From WordPress.</p>]]></content:encoded>
		<wp:post_id>1</wp:post_id>
		<wp:post_date_gmt>2020-01-02 10:00:00</wp:post_date_gmt>
		<wp:post_name>r4021-imported</wp:post_name>
		<wp:status>publish</wp:status>
		<wp:post_type>post</wp:post_type>
	</item>
</channel>
</rss>
XML
ctl import --wxr "$TMP/r.xml" >"$TMP/import.out" 2>&1
is "$?" 0 "a WordPress import"
if_fail cat "$TMP/import.out"
is "$(sql "SELECT to_path || ' ' || source FROM redirects WHERE from_path = '/2020/01/r4021-imported/'")" \
	"/posts/r4021-imported wxr" "  recorded the old permalink"
is "$(get GET /2020/01/r4021-imported/)" 301 "the old permalink: 301"
is "$(hdr Location)" /posts/r4021-imported "  to the imported post"

# --- nothing there, no redirect ---------------------------------------------
is "$(get GET /r4021-nothing-here)" 404 "an unknown address: 404"
like "$(cat "$TMP/body")" '<!DOCTYPE html>' "  the themed page"
is "$(get GET /posts/r4021-nothing)" 404 "an unknown post: 404"
is "$(get POST /r4021-old-blog/x)" 404 "a POST to a redirected path is not redirected"
is "$(get GET /posts/r4021-four)" 200 "live content wins over any redirect"
done_testing
