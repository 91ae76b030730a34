#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5014-docs-agree: what README.md and the OpenAPI document promise, through
# nginx:
#   - the admin posts page lists the newest change first;
#   - the media page's file picker offers every type the API takes (AVIF
#     included);
#   - a front matter with "status: published" and no date imports, live
#     from the import on, and importing it again keeps that date;
#   - the write API names existing tags only: an unknown slug is a 422
#     that names it, and no tag is made;
#   - body_md of exactly its documented maximum (1048576 characters, even
#     of 4-byte UTF-8) is accepted, one character more is a JSON 422; a
#     body over the workers' cap (8 MiB) or nginx's (10 MiB) a JSON 413.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD INKWELL_SRC
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
TMP=$(mktemp -d /tmp/inkwell-5014.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PW='a long enough passphrase'
cleanup() {
	sql "DELETE FROM posts WHERE slug LIKE 't14-%';
	     DELETE FROM tags WHERE slug LIKE 't14-%';
	     DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE username LIKE 't14%');
	     DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username LIKE 't14%');
	     DELETE FROM users WHERE username LIKE 't14%';
	     DELETE FROM throttle WHERE bucket LIKE 'login:%';" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
cleanup_db() { sql "DELETE FROM posts WHERE slug LIKE 't14-%'; DELETE FROM tags WHERE slug LIKE 't14-%';" >/dev/null; }
cleanup_db

printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role admin \
	--name 'T14 admin' --password-stdin t14admin >/dev/null 2>&1 ||
	printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user passwd --password-stdin t14admin >/dev/null 2>&1
TOKEN=$("$CTL" -c "$INKWELL_TEST_CONF" token add --name t14 t14admin 2>/dev/null)
like "$TOKEN" '^iw_' "an API token for the admin"

# req JAR METHOD PATH [curl args]: status; body in $TMP/body.
req() {
	local jar=$1 method=$2 path=$3
	shift 3
	: >"$TMP/body"
	curl -s --max-time 60 -b "$jar" -c "$jar" -X "$method" -o "$TMP/body" -D "$TMP/head" \
		-w '%{http_code}' "$@" "$URL$path"
}
api() { req "$TMP/none" "$@" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'; }
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
jget() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[k]
print(v)' "$TMP/body" "$1" 2>/dev/null; }
J=$TMP/admin.jar
req "$J" GET /admin/login >/dev/null
is "$(req "$J" POST /admin/login --data-urlencode "csrf=$(csrf)" --data-urlencode username=t14admin \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/posts)" 303 "the admin signs in"

# --- the admin posts page: newest change first ------------------------------
for n in 1 2 3; do
	api POST /api/v1/posts -d "{\"slug\":\"t14-order-$n\",\"title\":\"T14 order $n\"}" >/dev/null
done
# Made 1, 2, 3; changed last 1, then 2, then 3 (the future keeps them on top).
sql "UPDATE posts SET updated_at = now() + interval '3 hours' WHERE slug = 't14-order-1';
     UPDATE posts SET updated_at = now() + interval '2 hours' WHERE slug = 't14-order-2';
     UPDATE posts SET updated_at = now() + interval '1 hour' WHERE slug = 't14-order-3';" >/dev/null
is "$(req "$J" GET /admin/posts)" 200 "the admin posts page"
is "$(grep -o 'T14 order [0-9]' "$TMP/body" | awk '!seen[$0]++' | tr '\n' ,)" "T14 order 1,T14 order 2,T14 order 3," \
	"  lists the newest change first"
is "$(sql "SELECT string_agg(slug, ',' ORDER BY updated_at DESC) FROM posts WHERE slug LIKE 't14-order-%'")" \
	"t14-order-1,t14-order-2,t14-order-3" "  as the database has them"

# --- the media page's picker: every type the API takes ----------------------
is "$(req "$J" GET /admin/media)" 200 "the admin media page"
accept=$(grep -o 'type="file" accept="[^"]*"' "$TMP/body" | sed 's/.*accept="//; s/"$//')
for t in image/png image/jpeg image/gif image/webp image/avif; do
	like ",$accept," ",$t," "  its file picker offers $t"
done
label=$(grep -o '<label for="file">[^<]*' "$TMP/body")
for n in PNG JPEG GIF WebP AVIF; do
	like "$label" "$n" "  and its label names $n"
done

# --- front matter: published without a date ---------------------------------
mkdir -p "$TMP/import"
printf -- '---\ntitle: T14 undated\nslug: t14-undated\nstatus: published\n---\nNo date given.\n' \
	>"$TMP/import/undated.md"
"$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/import" >"$TMP/import.out" 2>&1
is "$?" 0 "import takes status: published without a date"
if_fail diag "$(cat "$TMP/import.out")"
is "$(sql "SELECT status || ' ' || (abs(extract(epoch FROM now() - published_at)) < 120)::text
	FROM posts WHERE slug = 't14-undated'")" "published true" "  published as of the import"
is "$(req "$TMP/anon" GET /posts/t14-undated)" 200 "  and live at once"
first=$(sql "SELECT published_at FROM posts WHERE slug = 't14-undated'")
sleep 1
"$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/import" >"$TMP/import.out" 2>&1
is "$?" 0 "importing it again"
is "$(sql "SELECT published_at FROM posts WHERE slug = 't14-undated'")" "$first" "  keeps the first import's date"
printf -- '---\ntitle: T14 undated later\nslug: t14-undated-later\nstatus: scheduled\n---\nNo date.\n' \
	>"$TMP/import/later.md"
"$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/import" >"$TMP/import.out" 2>&1
is "$?" 1 "status: scheduled without a date is still refused"
like "$(cat "$TMP/import.out")" 'later\.md' "  naming the file"

# --- tags in the write API: existing ones only -------------------------------
is "$(api POST /api/v1/posts -d '{"slug":"t14-tagged","title":"Tagged","tags":["t14-never-made"]}')" 422 \
	"a post naming a tag that does not exist: 422"
is "$(jget error.code)" invalid "  code invalid"
like "$(jget error.fields.tags)" 't14-never-made' "  fields.tags names the slug"
is "$(sql "SELECT count(*) FROM tags WHERE slug = 't14-never-made'")" 0 "  no tag was made"
is "$(sql "SELECT count(*) FROM posts WHERE slug = 't14-tagged'")" 0 "  nor the post"
is "$(api POST /api/v1/tags -d '{"slug":"t14-made","name":"T14 made"}')" 201 "a tag made first"
is "$(api POST /api/v1/posts -d '{"slug":"t14-tagged","title":"Tagged","tags":["t14-made"]}')" 201 \
	"  is taken on a post"
is "$(api PATCH /api/v1/posts/t14-tagged -d '{"tags":["t14-made","t14-never-made"]}')" 422 \
	"changing the tags to one that does not exist: 422"
is "$(sql "SELECT string_agg(t.slug, ',') FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
	JOIN posts p ON p.id = pt.post_id WHERE p.slug = 't14-tagged'")" t14-made "  the post keeps its tags"

# --- body_md at its documented maximum ---------------------------------------
max=$(python3 -c 'import json; d=json.load(open("'"$INKWELL_SRC"'/static/openapi.json")); print(d["components"]["schemas"]["PostFields"]["properties"]["body_md"]["maxLength"])' 2>/dev/null)
is "$max" 1048576 "the OpenAPI document's body_md maxLength"
body() { # SLUG CHAR COUNT: a post's JSON in $TMP/post.json
	python3 -c 'import json,sys; json.dump({"slug": sys.argv[1], "title": "Long", "body_md": sys.argv[2] * int(sys.argv[3])},
		open(sys.argv[4], "w"), ensure_ascii=False)' "$1" "$2" "$3" "$TMP/post.json"
}
body t14-max a "$max"
is "$(api POST /api/v1/posts --data-binary "@$TMP/post.json")" 201 "body_md of exactly $max ASCII characters: 201"
is "$(sql "SELECT length(body_md) FROM posts WHERE slug = 't14-max'")" "$max" "  all of it stored"
body t14-max-wide $'\U0001F600' "$max"
is "$(api POST /api/v1/posts --data-binary "@$TMP/post.json")" 201 \
	"body_md of $max 4-byte characters ($(stat -c %s "$TMP/post.json") bytes of JSON): 201"
body t14-over a $((max + 1))
is "$(api POST /api/v1/posts --data-binary "@$TMP/post.json")" 422 "one character more: 422"
is "$(jget error.status)" 422 "  a JSON error"
like "$(jget error.fields.body_md)" '1048576' "  naming body_md and its limit"
is "$(sql "SELECT count(*) FROM posts WHERE slug = 't14-over'")" 0 "  nothing saved"
head -c $((8 * 1024 * 1024 + 1)) /dev/zero | tr '\0' a >"$TMP/huge"
is "$(api POST /api/v1/posts --data-binary "@$TMP/huge")" 413 "a body one byte over the workers' cap (8 MiB): 413"
is "$(jget error.code)" body_too_large "  the API's JSON error"
head -c $((10 * 1024 * 1024 + 1)) /dev/zero | tr '\0' a >"$TMP/huge"
is "$(api POST /api/v1/posts --data-binary "@$TMP/huge")" 413 "a body over nginx's cap (10 MiB): 413"
is "$(jget error.code)" body_too_large "  the API's JSON error"

done_testing
