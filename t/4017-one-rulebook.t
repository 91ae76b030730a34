#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4017-one-rulebook: one set of content rules, whichever way a post
# comes in, through the whole stack (nginx, inkwelld, PostgreSQL,
# Redis).  The same bad post sent through the admin form and the JSON
# API is refused naming the same fields, every one of them; a long
# title makes the same slug (cut after a whole word) through the admin
# form, the API and a WordPress import; and a PATCH whose body is bad
# is refused before any query, while a good one takes three calls on
# the database (read, write, read back), as the request log counts.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD INKWELL_TEST_VAR
URL=${INKWELL_TEST_URL%/}
LOG=$INKWELL_TEST_VAR/log/inkwell.log
TMP=$(mktemp -d /tmp/inkwell-4017.XXXXXX)
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PW='a long enough passphrase'
cleanup() {
	sql "DELETE FROM posts WHERE author_id IN (SELECT id FROM users WHERE username = 't4017admin');
	     DELETE FROM tags WHERE slug LIKE 't4017-%';
	     DELETE FROM users WHERE username = 't4017admin';
	     DELETE FROM throttle WHERE bucket LIKE 'login:%';" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
cleanup_db() { sql "DELETE FROM posts WHERE author_id IN (SELECT id FROM users WHERE username = 't4017admin')" >/dev/null 2>&1; }
cleanup_db
printf '%s\n' "$PW" | ctl user add --role admin --name 'T4017 Admin' --password-stdin t4017admin >/dev/null 2>&1 ||
	printf '%s\n' "$PW" | ctl user passwd --password-stdin t4017admin >/dev/null 2>&1
TOKEN=$(ctl token add t4017admin 2>/dev/null)
like "$TOKEN" '^iw_' "an API token for the test's admin"

# req JAR METHOD PATH [curl args]: body in $TMP/body; prints the status.
req() {
	local jar=$1 method=$2 path=$3
	shift 3
	: >"$TMP/body"
	curl -s --max-time 20 -b "$jar" -c "$jar" -X "$method" -o "$TMP/body" \
		-w '%{http_code}' "$@" "$URL$path"
}
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
api() {
	local method=$1 path=$2
	shift 2
	req "$TMP/none" "$method" "$path" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' "$@"
}
JAR=$TMP/admin.jar
req "$JAR" GET /admin/login >/dev/null
tok=$(csrf)
is "$(req "$JAR" POST /admin/login --data-urlencode "csrf=$tok" --data-urlencode username=t4017admin \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/posts)" 303 "the admin signs in"
req "$JAR" GET /admin/posts/new >/dev/null
CSRF=$(csrf)

# The fields an answer names, sorted, one line: from the admin page's
# "Not saved: f: why; g: why." or from the API's error.fields.
admin_fields() {
	grep -o 'Not saved: [^<]*' "$TMP/body" | head -n 1 | sed 's/^Not saved: //' |
		tr ';' '\n' | sed -n 's/^ *\([a-z_]*\): .*/\1/p' | sort | tr '\n' ' '
}
api_fields() {
	python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["error"].get("fields", {}))) + " ")' <"$TMP/body"
}

# --- the same bad post, two ways ------------------------------------------
WANT='published_at slug status title '
is "$(req "$JAR" POST /admin/posts --data-urlencode "csrf=$CSRF" --data-urlencode 'slug=Not A Slug' \
	--data-urlencode title= --data-urlencode status=gone --data-urlencode published_at=yesterday)" 422 \
	"a bad post through the admin form: 422"
admin=$(admin_fields)
is "$admin" "$WANT" "  naming every field that fails"
is "$(api POST /api/v1/posts -d '{"slug":"Not A Slug","title":"","status":"gone","published_at":"yesterday"}')" 422 \
	"the same post through the API: 422"
apif=$(api_fields)
is "$apif" "$WANT" "  naming every field that fails"
is "$apif" "$admin" "the admin form and the API name the same fields"
is "$(sql "SELECT count(*) FROM posts WHERE author_id = (SELECT id FROM users WHERE username = 't4017admin')")" 0 \
	"and neither wrote anything"

# Bytes no text may hold: bad UTF-8 in the form, an escaped NUL in JSON.
is "$(req "$JAR" POST /admin/posts --data-urlencode "csrf=$CSRF" --data 'title=T&slug=t4017-x&summary=%FF%FE')" 422 \
	"a summary that is not UTF-8 through the form: 422"
is "$(admin_fields)" 'summary ' "  names summary alone"
is "$(api POST /api/v1/posts -d '{"slug":"t4017-x","title":"T","summary":"a\u0000b"}')" 422 \
	"a summary with a NUL through the API: 422"
is "$(api_fields)" 'summary ' "  names summary alone"

# --- a long title: one slug, three ways -------------------------------------
# 40 nine-letter words after a first word: well past 200 bytes, so the
# slug must end after the last whole word that fits.
words=$(for i in $(seq -w 10 49); do printf ' Word%sxyz' "$i"; done)
# expect TITLE: lower-case words joined by '-', cut after a whole word
# within 200 bytes.
expect() {
	local s='' w
	for w in $1; do
		w=$(printf '%s' "$w" | tr '[:upper:]' '[:lower:]')
		if [[ -z $s ]]; then
			s=$w
		elif ((${#s} + 1 + ${#w} <= 200)); then
			s=$s-$w
		else
			break
		fi
	done
	printf '%s' "$s"
}
slug_of() { sql "SELECT slug FROM posts WHERE title = \$\$$1\$\$"; }

T1="Admin$words"
is "$(req "$JAR" POST /admin/posts --data-urlencode "csrf=$CSRF" --data-urlencode "title=$T1" \
	--data-urlencode slug= --data-urlencode status=draft)" 303 "admin: a long title and no slug is saved"
s1=$(slug_of "$T1")
is "$s1" "$(expect "$T1")" "  its slug is the title's, cut after a whole word"
ok "  at most 200 bytes" test "${#s1}" -le 200 -a "${#s1}" -gt 150

T2="Api$words"
is "$(api POST /api/v1/posts -d "{\"title\":\"$T2\"}")" 201 "API: a long title and no slug is saved"
s2=$(slug_of "$T2")
is "$s2" "$(expect "$T2")" "  its slug is the title's, cut the same way"

T3="Imported$words"
cat >"$TMP/long.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Long titles</title>
	<item>
		<title>$T3</title>
		<dc:creator>t4017admin</dc:creator>
		<content:encoded><![CDATA[<p>Long.</p>]]></content:encoded>
		<wp:post_id>1</wp:post_id>
		<wp:post_date>2026-01-02 03:04:05</wp:post_date>
		<wp:post_date_gmt>2026-01-02 03:04:05</wp:post_date_gmt>
		<wp:post_name></wp:post_name>
		<wp:status>draft</wp:status>
		<wp:post_type>post</wp:post_type>
	</item>
</channel>
</rss>
XML
ok "import: a WXR item with a long title and no post_name" ctl import --wxr "$TMP/long.xml"
s3=$(slug_of "$T3")
is "$s3" "$(expect "$T3")" "  its slug is the title's, cut the same way"

# --- PATCH: the body first, then three calls on the database ---------------
api POST /api/v1/posts -d '{"slug":"t4017-patch","title":"Patch me","status":"published"}' >/dev/null
before=$(sql "SELECT xmin::text || updated_at::text FROM posts WHERE slug = 't4017-patch'")
ok "a post to change" test -n "$before"
# statements PATH: db_statements of the last request to PATH in the log.
statements() {
	sleep 0.3
	grep -F "\"path\":\"$1\"" "$LOG" | grep -F '"method":"PATCH"' | tail -n 1 |
		sed -n 's/.*"db_statements":\([0-9]*\).*/\1/p'
}
is "$(api PATCH /api/v1/posts/t4017-patch -d '{"title":7,"status":"gone"}')" 422 \
	"a PATCH whose body has a field of the wrong type: 422"
# The token's lookup is the one statement before the handler.
is "$(statements /api/v1/posts/t4017-patch)" 1 "  refused before any query of the handler's (the token's lookup only)"
is "$(api PATCH /api/v1/posts/t4017-patch -d '{"title":"","status":"gone"}')" 422 \
	"a PATCH whose fields break the rules: 422"
is "$(api_fields)" 'status title ' "  naming both fields"
is "$(statements /api/v1/posts/t4017-patch)" 2 "  after the token's lookup and one read, and no write"
is "$(sql "SELECT xmin::text || updated_at::text FROM posts WHERE slug = 't4017-patch'")" "$before" \
	"the post is as it was"
is "$(api PATCH /api/v1/posts/t4017-patch -d '{"title":"Patched"}')" 200 "a good PATCH: 200"
# The token (1); three calls: read (1), the write's transaction (BEGIN,
# TimeZone, lock, update, clear tags, keep a revision and drop what its
# bounds say goes (3), COMMIT: 9), read back (1); and the content version
# the cache keys on (1).
is "$(statements /api/v1/posts/t4017-patch)" 13 "  three calls on the database: read, write, read back (13 statements)"
is "$(sql "SELECT title FROM posts WHERE slug = 't4017-patch'")" Patched "  and the title changed"

done_testing
