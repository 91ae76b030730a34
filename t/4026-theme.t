#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4026-theme: the default theme's parts that HTML alone shows, through
# nginx with curl.  A post's reading time (posts.words, 0014), its
# previous and next posts, its feature picture (posts.feature_media):
# set, changed, refused and cleared through the API; shown on the post
# with its size and srcset, on the listing's cards (the first loaded at
# once, the rest lazily), as og:image / twitter:image with absolute
# URLs and in its JSON-LD; carried by export and import.  And the
# theme's promises: a skip link, a print style, a dark scheme, no
# request to another host from the pages or the style sheet.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
TMP=$(mktemp -d /tmp/inkwell-4026.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PIC=t4026-pic.png
VAR=t4026-pic.0123abcd.w480.webp
cleanup() {
	sql "DELETE FROM posts WHERE slug LIKE 't4026-%';
	     DELETE FROM tags WHERE slug = 't4026';
	     DELETE FROM media WHERE name LIKE 't4026-%';
	     DELETE FROM users WHERE username = 't4026admin';" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
sql "DELETE FROM posts WHERE slug LIKE 't4026-%';
     DELETE FROM media WHERE name LIKE 't4026-%'" >/dev/null 2>&1

printf '%s\n' 'a long enough passphrase' | "$CTL" -c "$INKWELL_TEST_CONF" user add \
	--role admin --name "T4026 Admin" --password-stdin t4026admin >/dev/null 2>&1
TOK=$("$CTL" -c "$INKWELL_TEST_CONF" token add --name t4026 t4026admin 2>/dev/null)
like "$TOK" '^iw_' "an admin's API token"

# A picture as an upload stores one: its size, alt text and a
# smaller WebP copy (the bytes only need to exist for this test).
hex=$(od -An -v -tx1 "$here/../static/apple-touch-icon.png" | tr -d ' \n')
sql "INSERT INTO media (name, content_type, bytes, sha256, width, height, alt)
	VALUES ('$PIC', 'image/png', '\\x$hex'::bytea, sha256('\\x$hex'::bytea),
	        1200, 630, 'A harbour at dawn');
     INSERT INTO media (name, content_type, bytes, sha256)
	VALUES ('t4026-old.png', 'image/png', '\\x$hex'::bytea, sha256('\\x$hex'::bytea));
     INSERT INTO media_variants (media_id, name, content_type, width, height, bytes)
	SELECT id, '$VAR', 'image/webp', 480, 252, '\\x00'::bytea
	FROM media WHERE name = '$PIC';" >/dev/null
ok "a picture with a variant, and an old picture without a size" \
	test "$(sql "SELECT count(*) FROM media WHERE name LIKE 't4026-%'")" = 2

api() {
	local method=$1 path=$2
	shift 2
	: >"$TMP/body"
	curl -s --max-time 20 -X "$method" -o "$TMP/body" -w '%{http_code}' \
		-H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
		${1:+--data-binary "$1"} "$URL$path"
}
get() { curl -s --max-time 20 "$URL$1"; }
body() { cat "$TMP/body"; }

# 700 words: 3 minutes at 230 a minute.
words=$(for _ in $(seq 1 140); do printf 'one two three four five '; done)
post() { # slug date [extra JSON fields]
	api POST /api/v1/posts "{\"title\":\"T4026 $1\",\"slug\":\"$1\",\"status\":\"published\",
		\"published_at\":\"$2\",\"tags\":[\"t4026\"],\"body_md\":\"$words\"${3:+,$3}}"
}
is "$(api POST /api/v1/tags '{"slug":"t4026","name":"T4026"}')" 201 "a tag for the posts"
# Long ago, so that they are the oldest posts and each other's neighbours.
is "$(post t4026-a 1990-01-01T00:00:00Z "\"feature_image\":\"t4026-old.png\"")" 201 \
	"the oldest post, with a picture of unknown size"
is "$(post t4026-b 1990-01-02T00:00:00Z "\"feature_image\":\"$PIC\"")" 201 \
	"the middle post, with a feature picture"
like "$(body)" "\"feature_image\":\"$PIC\"" "the answer names the picture"
is "$(post t4026-c 1990-01-03T00:00:00Z)" 201 "the newest post, without"
like "$(body)" '"feature_image":null' "the answer says it has none"
is "$(post t4026-d 1990-01-04T00:00:00Z '"feature_image":"no-such.png"')" 422 \
	"a name no picture has: 422"
like "$(body)" 'feature_image' "the refusal names the field"
is "$(post t4026-d 1990-01-04T00:00:00Z '"feature_image":"../etc/passwd"')" 422 \
	"a name no media can have: 422"
is "$(sql "SELECT count(*) FROM posts WHERE slug = 't4026-d'")" 0 "and nothing was saved"

is "$(sql "SELECT words FROM posts WHERE slug = 't4026-b'")" 700 "posts.words counts the body's words"
is "$(api GET /api/v1/posts/t4026-b)" 200 "GET the post"
like "$(body)" "\"feature_image\":\"$PIC\"" "it names its feature picture"
like "$(body)" '"reading_minutes":3' "and its reading time"
unlike "$(body)" '"feature":|"older":|"newer":' "and none of the theme's own parts"

# --- the post ----------------------------------------------------------------
html=$(get /posts/t4026-b)
base=$(printf '%s' "$html" | sed -n 's/.*<meta property="og:url" content="\([^"]*\)\/posts\/t4026-b".*/\1/p')
like "$base" '^https?://' "the post's og:url gives the site's address ($base)"
like "$html" '3&nbsp;min read' "the post says 3 min read"
like "$html" '<figure class="feature">' "it leads with its feature picture"
like "$html" "<img src=\"/media/$PIC\"[^>]* width=\"1200\" height=\"630\" alt=\"A harbour at dawn\"" \
	"with its size and alt text"
like "$html" "<source type=\"image/webp\" srcset=\"/media/$VAR 480w\"" "and its WebP variant as a source"
img=$(printf '%s' "$html" | grep -o "<img src=\"/media/$PIC\"[^>]*>" | head -n 1)
like "$img" 'fetchpriority="high"' "loaded first"
unlike "$img" 'loading=' "and at once, not lazily"
like "$html" "<meta property=\"og:image\" content=\"$base/media/$PIC\">" "og:image: the picture's absolute URL"
like "$html" '<meta property="og:image:width" content="1200">' "og:image:width"
like "$html" '<meta property="og:image:height" content="630">' "og:image:height"
like "$html" '<meta name="twitter:card" content="summary_large_image">' "twitter:card summary_large_image"
like "$html" "<meta name=\"twitter:image\" content=\"$base/media/$PIC\">" "twitter:image"
like "$html" "\"image\":\"$base/media/$PIC\"" "and the image of its structured data (BlogPosting)"
like "$html" '<a class="older" rel="prev" href="/posts/t4026-a">' "the previous post is the older one"
like "$html" '<a class="newer" rel="next" href="/posts/t4026-c">' "the next post is the newer one"
like "$(get /tags/t4026/feed.json)" "\"image\":\"$base/media/$PIC\"" \
	"the JSON Feed gives the picture as the item's image"
html=$(get /posts/t4026-a)
like "$html" "<img src=\"/media/t4026-old.png\" alt=\"\" fetchpriority" \
	"a picture of unknown size is shown without width and height"
like "$html" 'rel="next" href="/posts/t4026-b"' "the oldest post's next is the middle one"
html=$(get /posts/t4026-c)
unlike "$html" 'og:image|twitter:card' "a post without a picture has no og:image"
like "$html" 'rel="prev" href="/posts/t4026-b"' "the newest one's previous is the middle one"

# --- the listing ------------------------------------------------------------------
html=$(get /tags/t4026)
is "$(printf '%s' "$html" | grep -c '<article class="summary">')" 3 "the tag's page lists the three"
is "$(printf '%s' "$html" | grep -c '<div class="card-image">')" 2 "two cards with a picture"
is "$(printf '%s' "$html" | grep -o '<img [^>]*>' | head -n 1 | grep -c 'loading="lazy"')" 0 \
	"the first picture of the page loads at once"
is "$(printf '%s' "$html" | grep -o '<img [^>]*>' | sed -n 2p | grep -c 'loading="lazy"')" 1 \
	"the next one lazily"
is "$(printf '%s' "$html" | grep -c '3&nbsp;min read')" 3 "each card says its reading time"

# --- changing it --------------------------------------------------------------------
is "$(api PATCH /api/v1/posts/t4026-b '{"title":"T4026 b, renamed"}')" 200 "a PATCH without the field"
like "$(body)" "\"feature_image\":\"$PIC\"" "keeps the picture"
is "$(api PATCH /api/v1/posts/t4026-b '{"feature_image":null}')" 200 "PATCH feature_image null"
like "$(body)" '"feature_image":null' "clears it"
unlike "$(get /posts/t4026-b)" 'class="feature"|og:image' "and the post shows none"
is "$(api PATCH /api/v1/posts/t4026-b "{\"feature_image\":\"$PIC\"}")" 200 "PATCH it back"
is "$(api PATCH /api/v1/posts/t4026-b '{"feature_image":"nope.png"}')" 422 "to a name no picture has: 422"
is "$(sql "SELECT m.name FROM posts p JOIN media m ON m.id = p.feature_media WHERE p.slug = 't4026-b'")" \
	"$PIC" "and the picture stays"

# --- export and import ------------------------------------------------------------------
if "$CTL" -c "$INKWELL_TEST_CONF" export "$TMP/export" >"$TMP/export.log" 2>&1; then
	pass "inkwellctl export"
else
	fail "inkwellctl export"
	diag "$(cat "$TMP/export.log")"
fi
md=$(find "$TMP/export" -name t4026-b.md | head -n 1)
ok "the export holds the post" test -n "$md"
like "$(cat "$md" 2>/dev/null)" "(^|
)feature_image: $PIC(
|$)" "its front matter names the picture"
unlike "$(cat "$(find "$TMP/export" -name t4026-c.md | head -n 1)" 2>/dev/null)" 'feature_image' \
	"a post without one says nothing"
mkdir -p "$TMP/in"
cp "$md" "$TMP/in/"
sql "UPDATE posts SET feature_media = NULL WHERE slug = 't4026-b'" >/dev/null
if "$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/in" >"$TMP/import.log" 2>&1; then
	pass "inkwellctl import of the exported file"
else
	fail "inkwellctl import of the exported file"
	diag "$(cat "$TMP/import.log")"
fi
is "$(sql "SELECT m.name FROM posts p JOIN media m ON m.id = p.feature_media WHERE p.slug = 't4026-b'")" \
	"$PIC" "import sets the picture again"

# --- the theme's promises ------------------------------------------------------------------
"$CTL" -c "$INKWELL_TEST_CONF" cache flush >/dev/null 2>&1
html=$(get /)
like "$html" '<a class="skip" href="#main">' "a skip link first"
like "$html" '<main id="main"' "to the main content"
css=$(get /static/style.css)
like "$css" '@media print' "the style sheet has a print style"
like "$css" 'prefers-color-scheme: dark' "and a dark scheme"
for c in hl-k hl-s hl-c hl-n hl-t hl-p hl-a; do
	like "$css" "\\.$c \\{" "it colours the highlighter's $c"
done
unlike "$css" '@import|@font-face|https?://' "it fetches nothing (no @import, web font or URL)"
for path in / /posts/t4026-b /tags/t4026 '/search?q=t4026' /archive; do
	h=$(get "$path")
	# Every src, href, srcset or content that is a URL is this site's.
	ext=$(printf '%s' "$h" | grep -oE '(src|href|srcset|content)="(https?:)?//[^"]*"' |
		grep -vF "\"$base" | head -n 3)
	is "$ext" "" "$path: no URL of another host"
done

done_testing
