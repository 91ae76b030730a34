#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5004-admin: authors through nginx with curl: signing in and out
# (cookies as the issue says, the session stored only as a hash), every
# admin form refused without its CSRF token or from another site, one
# author unable to touch another's post, sign-in failures limited per
# account and per address, XSS payloads in every field escaped wherever
# they are shown, comments (form token, honeypot, rate limit,
# moderation), a scheduled post going live with no write, and the write
# API with a session.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD INKWELL_TEST_SOCKET INKWELL_SRC
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
TMP=$(mktemp -d /tmp/inkwell-5004.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PW='a long enough passphrase'
USERS="'t5admin','t5alice','t5bob','t5xss'"
cleanup() {
	sql "DELETE FROM media WHERE name LIKE 't5-%';
	     DELETE FROM posts WHERE author_id IN (SELECT id FROM users WHERE username IN ($USERS));
	     DELETE FROM tags WHERE slug LIKE 't5-%' OR slug LIKE '%script%' OR slug LIKE '%onerror%';
	     DELETE FROM users WHERE username IN ($USERS);
	     DELETE FROM throttle WHERE bucket LIKE 'login:%' OR bucket LIKE 'comment:%';
	     UPDATE settings SET value = 'held' WHERE key = 'comments';" >/dev/null 2>&1
	if [[ -f $TMP/settings ]]; then
		while IFS='|' read -r k v; do
			sql "UPDATE settings SET value = \$\$$v\$\$ WHERE key = '$k'" >/dev/null 2>&1
		done <"$TMP/settings"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
cleanup_start() {
	sql "DELETE FROM throttle WHERE bucket LIKE 'login:%' OR bucket LIKE 'comment:%'" >/dev/null
}
cleanup_start
sql "SELECT key, value FROM settings WHERE key IN ('title', 'description', 'posts_per_page', 'comments')" >"$TMP/settings.tmp" &&
	mv "$TMP/settings.tmp" "$TMP/settings"

for u in t5admin:admin t5alice:author t5bob:author; do
	printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role "${u#*:}" \
		--name "T5 ${u%%:*}" --password-stdin "${u%%:*}" >/dev/null 2>&1 ||
		printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user passwd --password-stdin "${u%%:*}" >/dev/null 2>&1
done

# req JAR METHOD PATH [curl args]: body in $TMP/body, headers in
# $TMP/head; prints the status code.
req() {
	local jar=$1 method=$2 path=$3
	shift 3
	: >"$TMP/body"
	curl -s --max-time 20 -b "$jar" -c "$jar" -X "$method" -o "$TMP/body" -D "$TMP/head" \
		-w '%{http_code}' "$@" "$URL$path"
}
hdr() { sed -n "s/^$1: *//Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
# The CSRF token of the last page fetched.
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }

# login JAR USER PASS [curl args]: prints the POST's status.
login() {
	local jar=$1 user=$2 pass=$3 tok
	shift 3
	req "$jar" GET /admin/login "$@" >/dev/null
	tok=$(csrf)
	req "$jar" POST /admin/login "$@" --data-urlencode "csrf=$tok" \
		--data-urlencode "username=$user" --data-urlencode "password=$pass" \
		--data-urlencode "next=/admin/posts"
}

A=$TMP/admin.jar
AL=$TMP/alice.jar
B=$TMP/bob.jar

# --- signing in ----------------------------------------------------------
is "$(req "$TMP/anon" GET /admin/posts)" 303 "an admin page without a session: 303"
like "$(hdr Location)" '^/admin/login\?next=%2Fadmin%2Fposts$' "to the login page, coming back after"
is "$(req "$TMP/anon" GET /api/v1/me)" 401 "the API without a credential: 401" 
is "$(req "$TMP/anon" GET /admin/login)" 200 "the login page: 200"
like "$(hdr Set-Cookie)" '^inkwell_login=[A-Za-z0-9_-]{43}; Path=/admin/login; Max-Age=3600; HttpOnly; SameSite=Strict$' \
	"it sets the login form's token cookie"
like "$(hdr Cache-Control)" 'no-store' "admin pages are not stored"
is "$(req "$TMP/anon" POST /admin/login --data-urlencode username=t5admin --data-urlencode "password=$PW")" 403 \
	"a sign-in without the form token: 403"
ok "  and no session cookie" bash -c "! grep -qi '^Set-Cookie: inkwell_session=[^;]' '$TMP/head'"
is "$(login "$TMP/wrong" t5admin 'not the password')" 403 "a wrong password: 403"
like "$(cat "$TMP/body")" 'Wrong username or password' "  says so on the form"
is "$(login "$TMP/nouser" t5nobody "$PW")" 403 "an unknown user: the same 403"
like "$(cat "$TMP/body")" 'Wrong username or password' "  with the same words"
is "$(login "$A" t5admin "$PW")" 303 "the right password: 303"
is "$(hdr Location)" /admin/posts "  back to where the login was asked for"
cookie=$(grep -i '^Set-Cookie: inkwell_session=' "$TMP/head" | tr -d '\r')
like "$cookie" '^Set-Cookie: inkwell_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax$' \
	"the session cookie is HttpOnly and SameSite=Lax (no Secure over plain HTTP)"
# shellcheck disable=SC2001 # one capture group, clearer as sed
tok=$(sed 's/^Set-Cookie: inkwell_session=\([^;]*\).*/\1/' <<<"$cookie")
hash=$(python3 -c 'import hashlib,sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).hexdigest())' "$tok")
is "$(sql "SELECT count(*) FROM sessions WHERE token_hash = '\\x$hash'")" 1 "PostgreSQL holds the session as the token's BLAKE2b hash"
is "$(sql "SELECT count(*) FROM sessions WHERE encode(token_hash, 'escape') LIKE '%$tok%' OR csrf = '$tok'")" 0 \
	"  and never the token itself"
is "$(req "$A" GET /admin/posts)" 200 "signed in: the posts page"
like "$(cat "$TMP/body")" 'T5 t5admin' "  names who is signed in"
for p in abc 0 -1 1e9; do
	is "$(req "$A" GET "/admin/posts?page=$p")" 400 "  /admin/posts?page=$p: 400, as on the blog and the API"
done
like "$(cat "$TMP/body")" 'page number' "  and the page says what a page number is"
is "$(req "$A" GET "/admin/login?next=/admin/tags")" 303 "the login page when signed in already: 303"
is "$(hdr Location)" /admin/tags "  straight to next"
is "$(req "$A" GET "/admin/login?next=https://evil.example/")" 303 "an outside next"
is "$(hdr Location)" /admin "  is not followed"
is "$(req "$A" GET "/admin/login?next=//evil.example/admin")" 303 "a scheme-relative next"
is "$(hdr Location)" /admin "  is not followed either"

# Behind TLS (nginx sets HTTPS=on), the cookie is Secure.
tls_login() {
	local tok2 out
	out=$(python3 "$INKWELL_SRC/t/lib/fcgi_client.py" "unix:$INKWELL_TEST_SOCKET" GET /admin/login -H HTTPS=on) || return 1
	tok2=$(grep -o 'name="csrf" value="[^"]*"' <<<"$out" | sed 's/.*value="//; s/"$//')
	python3 "$INKWELL_SRC/t/lib/fcgi_client.py" "unix:$INKWELL_TEST_SOCKET" POST /admin/login -H HTTPS=on \
		-H "HTTP_COOKIE=inkwell_login=$tok2" -H CONTENT_TYPE=application/x-www-form-urlencoded \
		-b "csrf=$tok2&username=t5alice&password=${PW// /+}"
}
like "$(tls_login | tr -d '\r' | grep -i '^Set-Cookie: inkwell_session=')" '; HttpOnly; SameSite=Lax; Secure$' \
	"behind TLS the session cookie is Secure"

is "$(login "$AL" t5alice "$PW")" 303 "alice (an author) signs in"
is "$(login "$B" t5bob "$PW")" 303 "bob (an author) signs in"

# --- CSRF: every form ---------------------------------------------------
req "$AL" GET /admin/posts/new >/dev/null
ATOK=$(csrf)
like "$ATOK" '^[A-Za-z0-9_-]{43}$' "the post form carries a CSRF token"
is "$(req "$AL" POST /admin/posts --data-urlencode "csrf=$ATOK" --data-urlencode title='Alice one' \
	--data-urlencode slug=t5-alice-one --data-urlencode status=published --data-urlencode 'body_md=Hello *world*' \
	--data-urlencode 'tags=T5 One, t5-two')" 303 "alice creates a post"
like "$(hdr Location)" '^/admin/posts/[0-9]+\?done=created$' "  and is sent to its edit page"
PID=$(sql "SELECT id FROM posts WHERE slug = 't5-alice-one'")
is "$(sql "SELECT string_agg(t.slug || '=' || t.name, ',' ORDER BY t.slug) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = $PID")" \
	"t5-one=T5 One,t5-two=t5-two" "  with the tags typed, made as needed"
is "$(req "$TMP/anon" GET /posts/t5-alice-one)" 200 "the post is live"

# form_refused NAME PATH FIELDS...: 403 without the token, with a wrong
# one, and with the right one from another site; nothing changes.
v0=$(sql "SELECT version FROM content_version")
form_refused() {
	local name=$1 path=$2
	shift 2
	local args=() f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	is "$(req "$A" POST "$path" "${args[@]}")" 403 "$name without the CSRF token: 403"
	is "$(req "$A" POST "$path" "${args[@]}" --data-urlencode "csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")" 403 \
		"$name with a wrong CSRF token: 403"
	is "$(req "$A" POST "$path" "${args[@]}" --data-urlencode "csrf=$ADTOK" -H 'Origin: http://evil.example')" 403 \
		"$name with the token, from another site: 403"
	is "$(req "$A" POST "$path" "${args[@]}" --data-urlencode "csrf=$ADTOK" -H 'Sec-Fetch-Site: cross-site')" 403 \
		"$name with the token, Sec-Fetch-Site cross-site: 403"
}
req "$A" GET /admin/posts >/dev/null
ADTOK=$(csrf)
sql "INSERT INTO comments (post_id, author_name, body) VALUES ($PID, 'c', 'held one')" >/dev/null
CID=$(sql "SELECT max(id) FROM comments WHERE post_id = $PID")
form_refused "create a post" /admin/posts title=x slug=t5-csrf status=draft
form_refused "change a post" "/admin/posts/$PID" title=Changed slug=t5-alice-one status=draft
form_refused "delete a post" "/admin/posts/$PID/delete"
form_refused "preview" /admin/preview body_md=x
form_refused "add a tag" /admin/tags name=T5csrf
form_refused "rename a tag" /admin/tags/t5-one name=Renamed
form_refused "delete a tag" /admin/tags/t5-one/delete
form_refused "save settings" /admin/settings title=Hacked description=x posts_per_page=3
form_refused "moderate a comment" "/admin/comments/$CID" action=approve
form_refused "sign out" /admin/logout
is "$(sql "SELECT version FROM content_version")" "$v0" "none of the refused forms changed anything a reader sees"
is "$(sql "SELECT title || '|' || status FROM posts WHERE id = $PID")" "Alice one|published" "  the post is as it was"
is "$(sql "SELECT count(*) FROM posts WHERE slug = 't5-csrf'")" 0 "  no post was created"
is "$(sql "SELECT status FROM comments WHERE id = $CID")" pending "  the comment is still held"
is "$(req "$A" GET /admin/posts)" 200 "  and the admin is still signed in"
is "$(req "$A" POST /admin/preview --data-urlencode "csrf=$ADTOK" --data-urlencode 'body_md=*x* <b>y</b>')" 200 \
	"with the token, the preview renders"
is "$(cat "$TMP/body")" "<p><em>x</em> &lt;b&gt;y&lt;/b&gt;</p>" "  Markdown, raw HTML escaped"

# --- one author, another's post -------------------------------------------
req "$B" GET /admin/posts >/dev/null
BTOK=$(csrf)
is "$(req "$B" GET "/admin/posts/$PID")" 403 "bob cannot open alice's post for editing"
is "$(req "$B" POST "/admin/posts/$PID" --data-urlencode "csrf=$BTOK" --data-urlencode title=Bob \
	--data-urlencode slug=t5-alice-one --data-urlencode status=draft)" 403 "bob cannot change it"
is "$(req "$B" POST "/admin/posts/$PID/delete" --data-urlencode "csrf=$BTOK")" 403 "bob cannot delete it"
is "$(req "$B" PATCH "/api/v1/posts/t5-alice-one" -H "X-CSRF-Token: $BTOK" -H 'Content-Type: application/json' \
	-d '{"title":"Bob"}')" 403 "bob cannot change it through the API"
is "$(req "$B" DELETE "/api/v1/posts/t5-alice-one" -H "X-CSRF-Token: $BTOK")" 403 "bob cannot delete it through the API"
is "$(sql "SELECT title || '|' || status FROM posts WHERE id = $PID")" "Alice one|published" "  alice's post is untouched"
req "$B" GET /admin/posts >/dev/null
unlike "$(cat "$TMP/body")" "href=\"/admin/posts/$PID\"" "bob's list does not offer to edit alice's post"
is "$(req "$B" POST /admin/tags/t5-one --data-urlencode "csrf=$BTOK" --data-urlencode name=Bobbed)" 403 "an author cannot rename a tag"
is "$(req "$B" POST /admin/tags/t5-one/delete --data-urlencode "csrf=$BTOK")" 403 "an author cannot delete a tag"
is "$(req "$B" GET /admin/settings)" 403 "an author cannot see the settings"
is "$(req "$B" POST /admin/settings --data-urlencode "csrf=$BTOK" --data-urlencode title=Bob \
	--data-urlencode posts_per_page=3)" 403 "  or save them"
is "$(req "$B" POST "/admin/comments/$CID" --data-urlencode "csrf=$BTOK" --data-urlencode action=approve)" 403 \
	"an author cannot moderate comments on another's post"
is "$(req "$A" POST "/admin/posts/$PID" --data-urlencode "csrf=$ADTOK" --data-urlencode 'title=Alice one (edited)' \
	--data-urlencode slug=t5-alice-one --data-urlencode status=published --data-urlencode tags=t5-one)" 303 \
	"an admin can change any post"
is "$(sql "SELECT title FROM posts WHERE id = $PID")" "Alice one (edited)" "  and it is changed"
is "$(sql "SELECT u.username FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $PID")" t5alice "  its author stays alice"

# --- XSS: every input comes back escaped ----------------------------------
X1='"><script>alert(1)</script>'
X2="<img src=x onerror=alert(2)>"
X3="'><svg/onload=alert(3)>"
is "$(req "$AL" POST /admin/posts --data-urlencode "csrf=$ATOK" --data-urlencode "title=T $X1" \
	--data-urlencode slug=t5-xss --data-urlencode "summary=S $X2" --data-urlencode "body_md=B $X1 $X2 [l](javascript:alert(4))" \
	--data-urlencode "tags=T5 $X3" --data-urlencode status=published)" 303 "a post with payloads in every field is saved"
raw_in() { grep -F -e '<script>alert' -e '<img src=x' -e '<svg/onload' -e 'javascript:alert' "$TMP/body"; }
for page in /posts/t5-xss / /tags/t5-svg-onload-alert-3 /feed.atom /feed.rss /search?q=alert \
	/admin/posts "/admin/posts/$(sql "SELECT id FROM posts WHERE slug = 't5-xss'")" /admin/tags; do
	jar=$TMP/anon
	[[ $page == /admin/* ]] && jar=$AL
	code=$(req "$jar" GET "$page")
	is "$code" 200 "$page: 200"
	ok "  $page: no payload comes back as markup" bash -c "! grep -qF -e '<script>alert' -e '<img src=x' -e '<svg/onload' '$TMP/body'"
	if_fail raw_in
	# The Markdown source may say javascript: in the editor's textarea
	# (as text); no page may link to it.
	ok "  $page: no javascript: link" bash -c "! grep -qiE 'href=\"?javascript:' '$TMP/body'"
done
# JSON is not HTML: the API gives the strings as they are, typed so no
# browser renders them.
is "$(req "$TMP/anon" GET /api/v1/posts/t5-xss)" 200 "the API gives the post"
like "$(hdr Content-Type)" '^application/json' "  as application/json (nginx adds nosniff)"
like "$(cat "$TMP/body")" '"title":"T \\"><script>alert\(1\)</script>"' "  with the title as typed"
req "$TMP/anon" GET /posts/t5-xss >/dev/null
like "$(cat "$TMP/body")" '&lt;script&gt;alert\(1\)&lt;/script&gt;' "the title shows as text"
# A form that was refused shows what was typed, escaped.
is "$(req "$AL" POST /admin/posts --data-urlencode "csrf=$ATOK" --data-urlencode "title=$X1" \
	--data-urlencode "slug=Bad Slug $X2" --data-urlencode status=published)" 422 "a refused form: 422"
like "$(cat "$TMP/body")" 'Not saved: slug' "  says which field"
ok "  and shows the typed values escaped" bash -c "! grep -qF -e '<script>alert' -e '<img src=x' '$TMP/body'"
is "$(req "$A" POST /admin/settings --data-urlencode "csrf=$ADTOK" --data-urlencode "title=Site $X1" \
	--data-urlencode "description=D $X2" --data-urlencode posts_per_page=7 --data-urlencode comments=held)" 303 "settings with payloads are saved"
is "$(sql "SELECT value FROM settings WHERE key = 'posts_per_page'")" 7 "  posts per page is 7"
for page in / /archive /posts/t5-xss /admin/settings; do
	jar=$TMP/anon
	[[ $page == /admin/* ]] && jar=$A
	req "$jar" GET "$page" >/dev/null
	ok "  $page: the site title and description come back escaped" bash -c "! grep -qF -e '<script>alert' -e '<img src=x' '$TMP/body'"
	if_fail raw_in
done
is "$(req "$A" POST /admin/settings --data-urlencode "csrf=$ADTOK" --data-urlencode title=x \
	--data-urlencode posts_per_page=0)" 422 "posts per page 0 is refused"

# The inputs that are not a post's or the settings' fields: an author's
# name, the sign-in form, a search, the tag forms, a bad date.
noraw() { ok "  $1: nothing comes back as markup" bash -c "! grep -qF -e '<script>alert' -e '<img src=x' -e '<svg/onload' '$TMP/body'"; if_fail raw_in; }
printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role author \
	--name "W $X1 $X2" --password-stdin t5xss >/dev/null 2>&1
W=$TMP/xss.jar
is "$(login "$W" t5xss "$PW")" 303 "an author whose name holds payloads signs in"
req "$W" GET /admin/posts/new >/dev/null
WTOK=$(csrf)
noraw "the admin page naming them"
is "$(req "$W" POST /admin/posts --data-urlencode "csrf=$WTOK" --data-urlencode title=Byline \
	--data-urlencode slug=t5-byline --data-urlencode status=published)" 303 "  and publishes a post"
for page in /posts/t5-byline /authors/t5xss / /feed.atom; do
	is "$(req "$TMP/anon" GET "$page")" 200 "$page: 200"
	noraw "$page"
done
like "$(req "$TMP/anon" GET /authors/t5xss >/dev/null; cat "$TMP/body")" 'W &quot;&gt;&lt;script&gt;' "  the name shows as text"
is "$(login "$TMP/xlogin" "$X1" "$PW")" 403 "a sign-in with a payload for a username: 403"
noraw "the sign-in form shown again"
is "$(req "$TMP/anon" GET "/admin/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")" 200 "the sign-in page with a payload in next"
noraw "the sign-in page"
is "$(req "$TMP/anon" GET "/search?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")" 200 "a search for a payload"
noraw "the search page"
like "$(cat "$TMP/body")" 'value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;"' "  the query shows as text in its box"
is "$(req "$A" POST /admin/tags --data-urlencode "csrf=$ADTOK" --data-urlencode "name=T5 tag $X1")" 303 \
	"an admin adds a tag named with a payload"
TSLUG=$(sql "SELECT slug FROM tags WHERE name LIKE 'T5 tag %'")
like "$TSLUG" '^[a-z0-9-]+$' "  its slug is made of safe characters ($TSLUG)"
is "$(req "$A" POST "/admin/tags/$TSLUG" --data-urlencode "csrf=$ADTOK" --data-urlencode "name=T5 tag $X2")" 303 \
	"  and renames it to another"
is "$(req "$A" GET /admin/tags)" 200 "/admin/tags: 200"
noraw "/admin/tags"
is "$(req "$A" POST /api/v1/posts -H "X-CSRF-Token: $ADTOK" -H 'Content-Type: application/json' \
	-d "{\"slug\":\"t5-tagged\",\"title\":\"Tagged\",\"status\":\"published\",\"tags\":[\"$TSLUG\"]}")" 201 \
	"a post with that tag"
for page in "/tags/$TSLUG" /posts/t5-tagged; do
	is "$(req "$TMP/anon" GET "$page")" 200 "$page: 200"
	noraw "$page"
done
is "$(req "$AL" POST /admin/posts --data-urlencode "csrf=$ATOK" --data-urlencode title=When \
	--data-urlencode slug=t5-when --data-urlencode status=scheduled --data-urlencode "published_at=$X1")" 422 \
	"a payload for a date: 422"
noraw "the refused form"

# --- comments --------------------------------------------------------------
req "$TMP/anon" GET /posts/t5-alice-one >/dev/null
FTOK=$(csrf)
like "$FTOK" '^[A-Za-z0-9_-]{43}$' "the post page has a comment form with a token"
ok "  and a honeypot field" grep -q 'name="website"' "$TMP/body"
comment() { req "$TMP/anon" POST /posts/t5-alice-one/comments --interface 127.0.0.8 "$@"; }
n0=$(sql "SELECT count(*) FROM comments WHERE post_id = $PID")
is "$(comment --data-urlencode name=Reader --data-urlencode body=Hello)" 403 "a comment without the form token: 403"
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode name=Reader --data-urlencode body=Hello \
	-H 'Origin: http://evil.example')" 403 "a comment from another site: 403"
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode name=Bot --data-urlencode body=Buy \
	--data-urlencode website=http://spam.example)" 200 "a filled honeypot gets a thank-you"
is "$(sql "SELECT count(*) FROM comments WHERE post_id = $PID")" "$n0" "  and nothing is stored"
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode name= --data-urlencode body=x)" 422 "a comment without a name: 422"
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode name=x --data-urlencode body=x \
	--data-urlencode 'url=javascript:alert(1)')" 422 "a javascript: website: 422"
v1=$(sql "SELECT version FROM content_version")
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode "name=N $X1" --data-urlencode "body=B $X2" \
	--data-urlencode "url=http://x.example/$X3" --data-urlencode email=r@example.org)" 200 "a comment with payloads: 200"
like "$(cat "$TMP/body")" 'held for moderation' "  held for moderation"
is "$(sql "SELECT status || '|' || host(remote_addr) FROM comments WHERE post_id = $PID ORDER BY id DESC LIMIT 1")" \
	"pending|127.0.0.8" "  stored as pending, with the address"
is "$(sql "SELECT version FROM content_version")" "$v1" "  a held comment does not empty the page cache"
req "$TMP/anon" GET /posts/t5-alice-one >/dev/null
unlike "$(cat "$TMP/body")" 'B &lt;img' "  and is not shown"
for i in 1 2 3 4; do
	comment --data-urlencode "csrf=$FTOK" --data-urlencode name=R --data-urlencode "body=n$i" >/dev/null
done
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode name=R --data-urlencode body=n6)" 429 \
	"the sixth comment from one address in ten minutes: 429"
like "$(hdr Retry-After)" '^[0-9]+$' "  with Retry-After"
is "$(req "$TMP/anon" POST /posts/t5-alice-one/comments --data-urlencode "csrf=$FTOK" --data-urlencode name=R \
	--data-urlencode body=other)" 200 "another address may still comment"
NEW=$(sql "SELECT id FROM comments WHERE post_id = $PID AND author_name LIKE 'N %'")
req "$AL" GET /admin/comments >/dev/null
like "$(cat "$TMP/body")" "action=\"/admin/comments/$NEW\"" "alice sees the held comment on her post"
ok "  escaped" bash -c "! grep -qF -e '<script>alert' -e '<img src=x' -e '<svg/onload' '$TMP/body'"
req "$B" GET /admin/comments >/dev/null
unlike "$(cat "$TMP/body")" "action=\"/admin/comments/$NEW\"" "bob does not"
is "$(req "$AL" POST "/admin/comments/$NEW" --data-urlencode "csrf=$ATOK" --data-urlencode action=approve)" 303 "alice approves it"
is "$(sql "SELECT status FROM comments WHERE id = $NEW")" approved "  it is approved"
req "$TMP/anon" GET /posts/t5-alice-one >/dev/null
like "$(cat "$TMP/body")" "id=\"comment-$NEW\"" "the approved comment is on the post at once"
like "$(cat "$TMP/body")" 'N &quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;' "  its name escaped"
like "$(cat "$TMP/body")" 'B &lt;img src=x onerror=alert\(2\)&gt;' "  its text escaped"
ok "  nothing raw" bash -c "! grep -qF -e '<script>alert' -e '<img src=x' -e '<svg/onload' '$TMP/body'"
is "$(req "$AL" POST "/admin/comments/$CID" --data-urlencode "csrf=$ATOK" --data-urlencode action=spam)" 303 "alice marks one as spam"
is "$(req "$AL" POST "/admin/comments/$CID" --data-urlencode "csrf=$ATOK" --data-urlencode action=delete)" 303 "  and deletes it"
is "$(sql "SELECT count(*) FROM comments WHERE id = $CID")" 0 "  it is gone"
is "$(req "$A" POST /admin/settings --data-urlencode "csrf=$ADTOK" --data-urlencode title=T5 \
	--data-urlencode description= --data-urlencode posts_per_page=10 --data-urlencode comments=closed)" 303 "an admin closes comments"
req "$TMP/anon" GET /posts/t5-alice-one >/dev/null
unlike "$(cat "$TMP/body")" 'name="website"' "the post has no comment form then"
is "$(comment --data-urlencode "csrf=$FTOK" --data-urlencode name=R --data-urlencode body=closed)" 403 "  and a comment is refused"

# --- scheduled publishing: live at its time, with no write -----------------
when=$(date -u -d '+4 seconds' +%Y-%m-%dT%H:%M:%S)
is "$(req "$AL" POST /admin/posts --data-urlencode "csrf=$ATOK" --data-urlencode 'title=Later' \
	--data-urlencode slug=t5-later --data-urlencode status=scheduled --data-urlencode "published_at=$when")" 303 \
	"alice schedules a post 4 s ahead"
is "$(req "$TMP/anon" GET /posts/t5-later)" 404 "  it is not there yet"
req "$TMP/anon" GET / >/dev/null
unlike "$(cat "$TMP/body")" '/posts/t5-later' "  nor on the home page"
later_live() { [[ $(req "$TMP/anon" GET /posts/t5-later) == 200 ]]; }
ok "  it is live within 10 s, with no write" wait_for 10 later_live
# The home page nginx serves as a file is replaced when the keeper sees
# the post go live: within its sync interval (1 s here), not at once.
home_has_later() { req "$TMP/anon" GET / >/dev/null && grep -q '/posts/t5-later' "$TMP/body"; }
ok "  and on the home page within 2 s more" wait_for 2 home_has_later

# --- the write API with a session ------------------------------------------
is "$(req "$AL" POST /api/v1/tags -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d '{"slug":"t5-api"}')" 201 "an author makes a tag through the API (a post names existing tags)"
is "$(req "$AL" POST /api/v1/posts -H 'Content-Type: application/json' -d '{"slug":"t5-api","title":"API"}')" 403 \
	"the API with a session but no X-CSRF-Token: 403"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d '{"slug":"t5-api","title":"API","body_md":"*x*","status":"published","tags":["t5-api"]}')" 201 \
	"with it: 201"
is "$(hdr Location)" /api/v1/posts/t5-api "  Location names the post"
like "$(cat "$TMP/body")" '"body_html":"<p><em>x</em></p>\\n"' "  the answer has the rendered body"
like "$(cat "$TMP/body")" '"author":\{"id":[0-9]+,"username":"t5alice"' "  and alice as its author"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d '{"slug":"t5-api","title":"Again"}')" 409 "the same slug again: 409"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d '{"slug":"t5-bad","title":""}')" 422 "an empty title: 422"
like "$(cat "$TMP/body")" '"fields":\{"title":' "  naming the field"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d '{"slug":"t5-bad","title":"x","extra":1}')" 422 "an unknown field: 422"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: text/plain' -d '{}')" 415 \
	"not JSON: 415"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' -d '{"slug":')" 400 \
	"malformed JSON: 400"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d "$(python3 -c 'print("[" * 100 + "]" * 100)')")" 400 "JSON nested 100 deep: 400"
is "$(req "$AL" PATCH /api/v1/posts/t5-api -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	-d '{"status":"draft"}')" 200 "PATCH one field: 200"
is "$(sql "SELECT title || '|' || status FROM posts WHERE slug = 't5-api'")" "API|draft" "  only that field changed"
is "$(req "$TMP/anon" GET /api/v1/posts/t5-api)" 404 "  a draft is not public"
is "$(req "$AL" DELETE /api/v1/tags/t5-api -H "X-CSRF-Token: $ATOK")" 403 "an author cannot delete a tag through the API"
is "$(req "$A" DELETE /api/v1/tags/t5-api -H "X-CSRF-Token: $ADTOK")" 204 "an admin can"
is "$(req "$AL" DELETE /api/v1/posts/t5-api -H "X-CSRF-Token: $ATOK")" 204 "alice deletes her post: 204"
is "$(sql "SELECT count(*) FROM posts WHERE slug = 't5-api'")" 0 "  it is gone"

# --- bodies over nginx's cap (10 MiB here): a clear 413, nothing saved -------
head -c $((11 * 1024 * 1024)) /dev/zero | tr '\0' a >"$TMP/3m"
is "$(req "$AL" POST /api/v1/posts -H "X-CSRF-Token: $ATOK" -H 'Content-Type: application/json' \
	--data-binary "@$TMP/3m")" 413 "11 MiB to the API: 413"
like "$(hdr Content-Type)" '^application/json' "  as JSON"
like "$(cat "$TMP/body")" '"code":"body_too_large"' "  the API's error, code body_too_large"
is "$(req "$AL" POST /admin/posts --data-urlencode "csrf=$ATOK" --data-urlencode title=Big \
	--data-urlencode slug=t5-big --data-urlencode "body_md@$TMP/3m")" 413 "11 MiB from the post form: 413"
like "$(hdr Content-Type)" '^text/html' "  as a page"
like "$(cat "$TMP/body")" 'over this site&rsquo;s size limit, so nothing was saved' "  that says so"
is "$(sql "SELECT count(*) FROM posts WHERE slug = 't5-big'")" 0 "  and nothing was saved"
is "$(req "$TMP/anon" GET /.inkwell/413.json)" 404 "nginx's error pages are not readable from outside"

# --- media on the admin page: deleted by the uploader or an admin ------------
python3 - "$TMP/t5.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(b"\0\x10\x20\x30\xff")) + chunk(b"IEND", b""))
PY
MEDIA=/admin/media/t5-del.png/delete
is "$(req "$AL" PUT /api/v1/media/t5-del.png -H "X-CSRF-Token: $ATOK" -H 'Content-Type: image/png' \
	--data-binary "@$TMP/t5.png")" 201 "alice uploads an image as the media page does (session, X-CSRF-Token)"
req "$AL" GET /admin/media >/dev/null
like "$(cat "$TMP/body")" "action=\"$MEDIA\"" "her media page offers to delete it"
req "$B" GET /admin/media >/dev/null
unlike "$(cat "$TMP/body")" "action=\"$MEDIA\"" "bob's does not"
is "$(req "$B" POST "$MEDIA" --data-urlencode "csrf=$BTOK")" 403 "bob cannot delete it"
is "$(req "$AL" POST "$MEDIA")" 403 "alice cannot either without the CSRF token"
is "$(req "$AL" POST "$MEDIA" --data-urlencode "csrf=$ATOK" -H 'Origin: http://evil.example')" 403 \
	"  nor from another site"
is "$(req "$TMP/anon" GET /media/t5-del.png)" 200 "  it is still served"
is "$(req "$AL" POST "$MEDIA" --data-urlencode "csrf=$ATOK")" 303 "alice deletes it"
is "$(hdr Location)" "/admin/media?done=deleted" "  back to the media page, which says so"
is "$(req "$TMP/anon" GET /media/t5-del.png)" 404 "  it is no longer served"
is "$(req "$AL" PUT /api/v1/media/t5-del.png -H "X-CSRF-Token: $ATOK" -H 'Content-Type: image/png' \
	--data-binary "@$TMP/t5.png")" 201 "alice uploads it again"
is "$(req "$A" POST "$MEDIA" --data-urlencode "csrf=$ADTOK")" 303 "an admin deletes it"
is "$(sql "SELECT count(*) FROM media WHERE name = 't5-del.png'")" 0 "  it is gone"
is "$(req "$A" POST /admin/media/bad%20name.png/delete --data-urlencode "csrf=$ADTOK")" 404 "a bad media name: 404"

# --- API tokens: a token can do what its user can, no more -----------------
AT=$("$CTL" -c "$INKWELL_TEST_CONF" token add --name t5 t5alice 2>/dev/null)
XT=$("$CTL" -c "$INKWELL_TEST_CONF" token add --name t5 t5admin 2>/dev/null)
like "$AT" '^iw_[A-Za-z0-9_-]{43}$' "an author's API token"
api() { local tok=$1; shift; req "$TMP/none" "$@" -H "Authorization: Bearer $tok" -H 'Content-Type: application/json'; }
is "$(api "$XT" POST /api/v1/posts -d '{"slug":"t5-admins","title":"Admin","status":"published","tags":["t5-one"]}')" 201 \
	"the admin's token creates a post (no CSRF token needed: a bearer token is no ambient credential)"
is "$(api "$AT" PATCH /api/v1/posts/t5-admins -d '{"title":"Alice was here"}')" 403 "the author's token cannot change the admin's post"
is "$(api "$AT" DELETE /api/v1/posts/t5-admins)" 403 "  nor delete it"
is "$(api "$AT" PATCH /api/v1/tags/t5-one -d '{"name":"Renamed"}')" 403 "  nor rename a tag"
is "$(api "$AT" DELETE /api/v1/tags/t5-one)" 403 "  nor delete one"
is "$(sql "SELECT title FROM posts WHERE slug = 't5-admins'")" Admin "  the admin's post is untouched"
is "$(api "$AT" POST /api/v1/posts -d '{"slug":"t5-by-token","title":"Mine","author":"t5admin"}')" 422 \
	"a post cannot name another author"
is "$(api "$AT" POST /api/v1/posts -d '{"slug":"t5-by-token","title":"Mine"}')" 201 "the author's token creates a post"
like "$(cat "$TMP/body")" '"username":"t5alice"' "  as alice"
is "$(api "$AT" PATCH /api/v1/posts/t5-by-token -d '{"title":"Mine, changed"}')" 200 "  and changes it"
is "$(api "$XT" PATCH /api/v1/posts/t5-by-token -d '{"title":"Admin edit"}')" 200 "the admin's token changes alice's post"
is "$(api "$AT" GET /api/v1/me)" 200 "/api/v1/me with the author's token"
like "$(cat "$TMP/body")" '"role":"author"' "  says author"
"$CTL" -c "$INKWELL_TEST_CONF" token revoke "$(sql "SELECT max(id) FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE username = 't5alice')")" >/dev/null 2>&1
is "$(api "$AT" PATCH /api/v1/posts/t5-by-token -d '{"title":"After revoke"}')" 401 "a revoked token: 401"
is "$(api "$XT" DELETE /api/v1/posts/t5-admins)" 204 "the admin's token deletes its post"

# --- sign-in limits ----------------------------------------------------------
for i in 1 2 3 4 5; do login "$TMP/t$i" t5bob "wrong $i" >/dev/null; done
is "$(login "$TMP/t6" t5bob "$PW")" 429 "after 5 failures the account is locked, even with the right password"
like "$(hdr Retry-After)" '^[0-9]+$' "  with Retry-After"
like "$(cat "$TMP/body")" 'Too many failed sign-ins' "  and says so"
is "$(login "$TMP/t7" t5bob "$PW" --interface 127.0.0.7)" 429 "  from another address too (per account)"
is "$(login "$TMP/t8" t5alice "$PW")" 303 "another account from the same address still signs in"
for i in $(seq 1 20); do login "$TMP/u$i" "t5nobody$i" wrong --interface 127.0.0.9 >/dev/null; done
is "$(login "$TMP/u21" t5alice "$PW" --interface 127.0.0.9)" 429 "after 20 failures from one address, it is locked (per address)"
is "$(login "$TMP/u22" t5alice "$PW" --interface 127.0.0.10)" 303 "  another address is not"

# --- a new password ends the old sessions ------------------------------------
is "$(req "$AL" GET /admin/posts)" 200 "alice is signed in"
out=$(printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user passwd --password-stdin t5alice 2>&1)
like "$out" '^password of t5alice set; [1-9][0-9]* sessions? signed out$' "inkwellctl user passwd says her sessions ended"
is "$(sql "SELECT count(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 't5alice')")" 0 \
	"  none is left in PostgreSQL"
is "$(req "$AL" GET /admin/posts)" 303 "  her old cookie no longer signs in"
is "$(req "$A" GET /admin/posts)" 200 "  the admin's session is untouched"
is "$(login "$AL" t5alice "$PW")" 303 "  and she signs in again"

# --- signing out --------------------------------------------------------------
req "$A" GET /admin/posts >/dev/null
is "$(req "$A" POST /admin/logout --data-urlencode "csrf=$(csrf)")" 303 "signing out: 303"
like "$(grep -i '^Set-Cookie: inkwell_session=' "$TMP/head" | tr -d '\r')" 'inkwell_session=; Path=/; Max-Age=0' "  clears the cookie"
is "$(sql "SELECT count(*) FROM sessions WHERE token_hash = '\\x$hash'")" 0 "  and removes the session"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "inkwell_session=$tok" "$URL/admin/posts")" 303 "the old cookie no longer signs in"

done_testing
