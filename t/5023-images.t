#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5023-images: uploaded pictures are decoded and written again by
# inkwell-image, through nginx: a JPEG with GPS, XMP and IPTC comes back
# upright with none of them (exiftool looks), with smaller copies at the
# contract's widths in JPEG, WebP and AVIF, never wider than the picture,
# served immutable; alt text on upload and by PATCH; names that look
# like a copy's refused; hostile files (a decompression bomb, too many
# pixels, a truncated JPEG, garbage behind a JPEG's magic, HTML named
# .jpg) refused with the limit named while the worker keeps answering;
# inkwellctl media reprocess cleans a picture stored before all this;
# and a post showing a picture gets its srcset.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
command -v vips >/dev/null || skip_all "vips (libvips-tools) is not installed"
command -v exiftool >/dev/null || skip_all "exiftool (libimage-exiftool-perl) is not installed"
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-5023.XXXXXX)
cleanup() {
	pg -c "DELETE FROM posts WHERE slug LIKE 't5023-%'" >/dev/null 2>&1
	pg -c "DELETE FROM media WHERE name LIKE 't5023-%'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# req METHOD PATH [curl args]: body in $TMP/body, headers in $TMP/head,
# status in $code.
req() {
	local m=$1 path=$2
	shift 2
	rm -f "$TMP/body"
	touch "$TMP/body"
	code=$(curl -s -X "$m" -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path")
}
put() {
	local name=$1 file=$2
	shift 2
	req PUT "/api/v1/media/$name" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/octet-stream' --data-binary "@$file" "$@"
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
json() { python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[int(k)] if isinstance(v, list) else v[k]
print("null" if v is None else v)' "$TMP/body" "$1" 2>/dev/null; }
# meta FILE: the metadata exiftool finds that is not about the file
# itself, its pixels or its colour profile; one tag a line.
meta() {
	exiftool -a -G1 -s "$1" | grep -vE '^\[(ExifTool|System|File|Composite|ICC_Profile|ICC-[a-z]+|JFIF|PNG|RIFF|QuickTime|Meta|GIF)\]'
}
size() { exiftool -s -s -s -ImageSize "$1"; }
healthy() { [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/version") == 200 ]]; }

pg -c "DELETE FROM media WHERE name LIKE 't5023-%'" >/dev/null
ctl user add --no-password --role admin t5023-admin >/dev/null 2>&1
TOKEN=$(ctl token add --name t5023 t5023-admin 2>/dev/null)
like "$TOKEN" '^iw_' "a token"

# --- a photo with a location in it ------------------------------------------------
# 2000x1500, tagged "rotate 90 CW": upright it is 1500x2000.
vips black "$TMP/photo.jpg" 2000 1500
exiftool -q -overwrite_original -GPSLatitude=48.8584 -GPSLatitudeRef=N \
	-GPSLongitude=2.2945 -GPSLongitudeRef=E -Orientation#=6 -Make=Camera \
	-XMP:Creator=someone -IPTC:Keywords=secret -Comment=hello "$TMP/photo.jpg"
like "$(meta "$TMP/photo.jpg" | tr '\n' ' ')" 'GPSLatitude.*' "the upload carries GPS (the test is not empty)"

put "t5023-photo.jpg?alt=A%20black%20square%20%E2%80%94%20or%20is%20it%3F" "$TMP/photo.jpg"
is "$code" 201 "PUT a JPEG with GPS: 201"
cp "$TMP/body" "$TMP/photo.json"
is "$(json media.width)x$(json media.height)" "1500x2000" "width and height: turned upright"
is "$(json media.alt)" "A black square — or is it?" "alt from ?alt="
sha=$(json media.sha256)
widths=$(python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["media"]["variants"]
print(" ".join("%d:%s" % (x["width"], x["content_type"]) for x in v))' "$TMP/body")
is "$widths" "480:image/avif 480:image/jpeg 480:image/webp 960:image/avif 960:image/jpeg 960:image/webp 1500:image/avif 1500:image/jpeg 1500:image/webp" \
	"variants: 480, 960 and its own 1500 (not 1600: never upscaled), in JPEG, WebP and AVIF"
bad=$(python3 -c 'import json, re, sys
m = json.load(open(sys.argv[1]))["media"]
ext = {"image/jpeg": "jpg", "image/webp": "webp", "image/avif": "avif"}
for x in m["variants"]:
    want = "t5023-photo.%s.w%d.%s" % (m["sha256"][:8], x["width"], ext[x["content_type"]])
    if x["name"] != want or x["url"] != "/media/" + want:
        print(x["name"], "is not", want)
    if x["height"] != round(x["width"] * 2000 / 1500) and abs(x["height"] - x["width"] * 2000 / 1500) > 1:
        print(x["name"], "height", x["height"])' "$TMP/body")
is "$bad" "" "variant names STEM.HASH8.wWIDTH.EXT, heights in proportion"

req GET /media/t5023-photo.jpg
cp "$TMP/body" "$TMP/stored.jpg"
is "$code $(header Content-Type)" "200 image/jpeg" "the picture is served"
is "$(sha256sum "$TMP/stored.jpg" | cut -d' ' -f1)" "$sha" "its sha256 is the clean bytes'"
is "$(size "$TMP/stored.jpg")" "1500x2000" "stored upright"
is "$(meta "$TMP/stored.jpg" | tr '\n' ' ')" "" "no EXIF, GPS, XMP, IPTC or comment left in the stored picture"

python3 -c 'import json, sys
for x in json.load(open(sys.argv[1]))["media"]["variants"]:
    print(x["name"], x["content_type"], x["width"], x["height"])' "$TMP/photo.json" >"$TMP/variants"
while read -r name ctype w h; do
	req GET "/media/$name"
	cp "$TMP/body" "$TMP/v"
	is "$code $(header Content-Type)" "200 $ctype" "$name: served as $ctype"
	is "$(header Cache-Control)" "public, max-age=31536000, immutable" "$name: immutable"
	is "$(size "$TMP/v")" "${w}x$h" "$name: ${w}x$h"
	is "$(meta "$TMP/v" | tr '\n' ' ')" "" "$name: no metadata"
done <"$TMP/variants"
last=$(tail -n 1 "$TMP/variants" | cut -d' ' -f1)
etag=$(header ETag)
like "$etag" '^".+"$' "a variant has an ETag"
req GET "/media/$last" -H "If-None-Match: $etag"
is "$code" 304 "and answers 304 to it"

put t5023-photo.jpg "$TMP/photo.jpg"
is "$code" 200 "the same upload again: 200 (the same clean bytes)"
is "$(pg -c "SELECT count(*) FROM media_variants v JOIN media m ON m.id = v.media_id WHERE m.name = 't5023-photo.jpg'")" 9 \
	"nine variants stored, once"

# --- the colour profile is the one thing kept -----------------------------------------
vips black "$TMP/c.v" 640 480 --bands 3
vips icc_transform "$TMP/c.v" "$TMP/icc.jpg" srgb --input-profile srgb
exiftool -q -overwrite_original -GPSLatitude=3 -GPSLatitudeRef=S "$TMP/icc.jpg"
put t5023-icc.jpg "$TMP/icc.jpg"
is "$code" 201 "a JPEG with an ICC profile and GPS"
cp "$TMP/body" "$TMP/icc.json"
curl -s -o "$TMP/icc-stored.jpg" "$URL/media/t5023-icc.jpg"
like "$(exiftool -G1 -s "$TMP/icc-stored.jpg" | grep -c '^\[ICC_Profile\]')" '^[1-9]' "the stored JPEG keeps its ICC profile"
is "$(meta "$TMP/icc-stored.jpg" | tr '\n' ' ')" "" "and nothing else"
wv=$(python3 -c 'import json, sys
print([x["url"] for x in json.load(open(sys.argv[1]))["media"]["variants"] if x["content_type"] == "image/webp"][0])' "$TMP/icc.json")
curl -s -o "$TMP/icc-v.webp" "$URL$wv"
like "$(exiftool -G1 -s "$TMP/icc-v.webp" | grep -c '^\[ICC_Profile\]')" '^[1-9]' "a WebP copy keeps it too"
is "$(meta "$TMP/icc-v.webp" | tr '\n' ' ')" "" "  and nothing else"

# --- small pictures are never made larger -------------------------------------------
vips black "$TMP/small.png" 300 200 --bands 4
put t5023-small.png "$TMP/small.png"
is "$code" 201 "a 300x200 PNG: 201"
is "$(python3 -c 'import json, sys
print(" ".join("%d:%s" % (x["width"], x["content_type"]) for x in json.load(open(sys.argv[1]))["media"]["variants"]))' "$TMP/body")" \
	"300:image/avif 300:image/png 300:image/webp" "only its own width, in PNG, WebP and AVIF"
vips black "$TMP/wide.webp" 2400 100
put t5023-wide.webp "$TMP/wide.webp"
is "$code" 201 "a 2400 wide WebP: 201"
is "$(python3 -c 'import json, sys
print(" ".join("%d:%s" % (x["width"], x["content_type"]) for x in json.load(open(sys.argv[1]))["media"]["variants"]))' "$TMP/body")" \
	"480:image/avif 480:image/webp 960:image/avif 960:image/webp 1600:image/avif 1600:image/webp" \
	"480, 960 and 1600, not its own 2400; WebP once"

# An animated GIF keeps its first frame only (README: "Pictures").
python3 -c '
import sys
g = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
g += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
frame = b"\x21\xf9\x04\x00\x0a\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
open(sys.argv[1], "wb").write(g + frame * 3 + b"\x3b")' "$TMP/anim.gif"
is "$(vipsheader -f n-pages "$TMP/anim.gif")" 3 "a GIF of three frames (the test is not empty)"
put t5023-anim.gif "$TMP/anim.gif"
is "$code" 201 "an animated GIF: 201"
curl -s -o "$TMP/anim-stored.gif" "$URL/media/t5023-anim.gif"
is "$(vipsheader -f n-pages "$TMP/anim-stored.gif")" 1 "stored as its first frame"

# --- names ----------------------------------------------------------------------------
for n in "t5023-photo.3fa9c1d2.w480.webp" "t5023-x.0123abcd.w1600.jpg"; do
	put "$n" "$TMP/small.png"
	is "$code" 422 "the name $n looks like a copy's: 422"
done
like "$(json error.message)" 'smaller copy' "says why"

# --- alt text ----------------------------------------------------------------------------
req PATCH /api/v1/media/t5023-small.png -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data '{"alt": "A small dark field"}'
is "$code $(json media.alt)" "200 A small dark field" "PATCH {alt}: 200, changed"
req PATCH /api/v1/media/t5023-small.png -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data '{"alt": "two\nlines"}'
is "$code" 422 "alt with a newline: 422"
req PATCH /api/v1/media/t5023-small.png -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data "{\"alt\": \"$(printf 'a%.0s' {1..1001})\"}"
is "$code" 422 "alt over 1000 bytes: 422"
req PATCH /api/v1/media/t5023-none.png -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data '{"alt": "x"}'
is "$code" 404 "PATCH of an unknown picture: 404"
req GET "/api/v1/media?per_page=50" -H "Authorization: Bearer $TOKEN"
is "$(python3 -c 'import json, sys
m = [x for x in json.load(open(sys.argv[1]))["media"] if x["name"] == "t5023-small.png"][0]
print(m["width"], m["height"], m["alt"], len(m["variants"]))' "$TMP/body")" \
	"300 200 A small dark field 3" "the listing has width, height, alt and variants"

# --- hostile pictures -------------------------------------------------------------------
# bomb FILE W H: a PNG that declares WxH, with one row of data.
bomb() {
	python3 - "$@" <<-'PY'
	import struct, sys, zlib
	out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	def chunk(t, d):
	    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	idat = zlib.compress(b"\0" * (w + 1) * 16, 9)
	open(out, "wb").write(b"\x89PNG\r\n\x1a\n"
	    + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
	    + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
	PY
}
bomb "$TMP/bomb.png" 30000 30000
put t5023-bomb.png "$TMP/bomb.png"
is "$code" 422 "a PNG declaring 30000x30000 (a decompression bomb): 422"
like "$(json error.message)" 'media_max_side' "names the limit on a side"
bomb "$TMP/many.png" 10000 10000
put t5023-many.png "$TMP/many.png"
is "$code" 422 "a PNG declaring 10000x10000 (100 megapixels): 422"
like "$(json error.message)" 'media_max_pixels' "names the pixel limit"

vips gaussnoise "$TMP/noise.jpg" 600 400
head -c $(($(stat -c %s "$TMP/noise.jpg") / 2)) "$TMP/noise.jpg" >"$TMP/cut.jpg"
put t5023-cut.jpg "$TMP/cut.jpg"
is "$code" 422 "a JPEG cut in half: 422"
like "$(json error.message)" 'truncated|corrupt|cannot be' "says it is broken"

{ printf '\xff\xd8\xff\xe0'; head -c 4000 /dev/urandom; } >"$TMP/garbage.jpg"
put t5023-garbage.jpg "$TMP/garbage.jpg"
is "$code" 422 "garbage behind a JPEG's magic: 422"
like "$(json error.message)" 'cannot be read|cannot be decoded' "says it cannot be read"

printf '<!DOCTYPE html><script>alert(1)</script>' >"$TMP/page.jpg"
put t5023-page.jpg "$TMP/page.jpg"
is "$code" 415 "HTML named .jpg: 415"

# A GIF made of a header and nothing else.
printf 'GIF89a\x10\x00\x10\x00\x80\x00\x00' >"$TMP/short.gif"
put t5023-short.gif "$TMP/short.gif"
is "$code" 422 "a GIF cut after its header: 422"

is "$(pg -c "SELECT count(*) FROM media WHERE name IN ('t5023-bomb.png', 't5023-many.png', 't5023-cut.jpg', 't5023-garbage.jpg', 't5023-page.jpg', 't5023-short.gif')")" 0 \
	"none of them stored"
ok "the workers still answer" healthy
req GET /media/t5023-photo.jpg
is "$code" 200 "and still serve pictures"

# --- pictures from before: inkwellctl media reprocess ----------------------------------------
vips black "$TMP/old.jpg" 800 600
exiftool -q -overwrite_original -GPSLatitude=1.5 -GPSLatitudeRef=N "$TMP/old.jpg"
hex=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().hex())' "$TMP/old.jpg")
pg -c "INSERT INTO media (name, content_type, bytes, sha256) VALUES ('t5023-old.jpg', 'image/jpeg', decode('$hex', 'hex'), sha256(decode('$hex', 'hex')))" >/dev/null
ok "inkwellctl media reprocess" bash -c 'out=$("$1" -c "$2" media reprocess t5023-old.jpg) && [[ $out == *"800x600, 6 smaller copies"* ]]' _ \
	"$INKWELL_BUILD/inkwellctl" "$INKWELL_TEST_CONF"
is "$(pg -c "SELECT width || 'x' || height || ' ' || (SELECT count(*) FROM media_variants v WHERE v.media_id = m.id) FROM media m WHERE name = 't5023-old.jpg'")" \
	"800x600 6" "the old picture has its size and variants"
req GET /media/t5023-old.jpg
cp "$TMP/body" "$TMP/old-clean.jpg"
is "$(meta "$TMP/old-clean.jpg" | tr '\n' ' ')" "" "and its GPS is gone"
ok "a second reprocess leaves processed pictures alone" bash -c 'out=$("$1" -c "$2" media reprocess t5023-old.jpg) && [[ $out == *"0 pictures processed"* ]]' _ \
	"$INKWELL_BUILD/inkwellctl" "$INKWELL_TEST_CONF"

# --- posts show the picture with its copies --------------------------------------------------
# What the renderer is told of a picture (db_md_image, through t/lib/md-image).
h8=${sha:0:8}
is "$("$INKWELL_BUILD/t/lib/md-image" "$INKWELL_TEST_CONF" /media/t5023-photo.jpg)" \
	"/media/t5023-photo.jpg /media/t5023-photo.jpg 1500x2000 alt=A black square — or is it? same=/media/t5023-photo.$h8.w480.jpg:480,/media/t5023-photo.$h8.w960.jpg:960,/media/t5023-photo.$h8.w1500.jpg:1500 webp=/media/t5023-photo.$h8.w480.webp:480,/media/t5023-photo.$h8.w960.webp:960,/media/t5023-photo.$h8.w1500.webp:1500 avif=/media/t5023-photo.$h8.w480.avif:480,/media/t5023-photo.$h8.w960.avif:960,/media/t5023-photo.$h8.w1500.avif:1500" \
	"the lookup gives size, alt and the copies by format, widths ascending"
wsha=$(pg -c "SELECT substr(encode(sha256, 'hex'), 1, 8) FROM media WHERE name = 't5023-wide.webp'")
like "$("$INKWELL_BUILD/t/lib/md-image" "$INKWELL_TEST_CONF" /media/t5023-wide.webp)" \
	" 2400x100 alt= same=/media/t5023-wide.$wsha.w480.webp:480,.*:1600 webp= avif=.*w1600.avif:1600\$" \
	"a WebP's copies are its own format's, none listed twice"
is "$("$INKWELL_BUILD/t/lib/md-image" "$INKWELL_TEST_CONF" /media/t5023-none.jpg https://example.org/media/t5023-photo.jpg /media/t5023-photo.jpg/x '/media/t5023-photo.jpg?x')" \
	"/media/t5023-none.jpg -
https://example.org/media/t5023-photo.jpg -
/media/t5023-photo.jpg/x -
/media/t5023-photo.jpg?x -" "no lookup for an unknown picture or another address"
req POST /api/v1/posts -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data '{"slug":"t5023-post","title":"Pictures","body_md":"![](/media/t5023-photo.jpg)\n","status":"published"}'
is "$code" 201 "a post showing the photo"
req GET /posts/t5023-post
is "$code" 200 "its page"
# The renderer wrote what the lookup knows: a <picture> with a WebP and an
# AVIF source, the JPEG copies in the img's srcset, its size, the media's
# own alt (the Markdown gave none), and no lazy loading for a post's first
# picture.
body=$(cat "$TMP/body")
like "$body" "<picture><source type=\"image/avif\" srcset=\"/media/t5023-photo\.$h8\.w480\.avif 480w, " \
	"the post offers the AVIF copies first"
like "$body" "<source type=\"image/webp\" srcset=\"/media/t5023-photo\.$h8\.w480\.webp 480w, [^\"]*w960\.webp 960w, [^\"]*w1500\.webp 1500w\"" \
	"then the WebP copies, by width"
like "$body" "<img src=\"/media/t5023-photo\.jpg\" srcset=\"/media/t5023-photo\.$h8\.w480\.jpg 480w, [^\"]*\" sizes=\"[^\"]+\" width=\"1500\" height=\"2000\" alt=\"A black square — or is it\?\"" \
	"the img has the JPEG copies, its size and the media's alt text"
unlike "$body" '<img [^>]*t5023-photo[^>]*loading="lazy"' "the post's first picture is not lazy"

# --- the admin media page, without JavaScript ---------------------------------------------
PW='a long enough passphrase'
printf '%s\n' "$PW" | ctl user passwd --password-stdin t5023-admin >/dev/null 2>&1
jar=$TMP/jar
areq() { # METHOD PATH [curl args]: status in $code
	local m=$1 path=$2
	shift 2
	: >"$TMP/body"
	code=$(curl -s -b "$jar" -c "$jar" -X "$m" -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path")
}
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
areq GET /admin/login
areq POST /admin/login --data-urlencode "csrf=$(csrf)" --data-urlencode username=t5023-admin \
	--data-urlencode "password=$PW" --data-urlencode next=/admin/media
is "$code" 303 "signed in to the admin pages"
pg -c "INSERT INTO media (name, content_type, bytes, sha256) VALUES ('t5023-raw.jpg', 'image/jpeg', decode('$hex', 'hex'), sha256(decode('$hex', 'hex')))" >/dev/null
areq GET /admin/media
is "$code" 200 "the media page"
like "$(cat "$TMP/body")" '1500×2000 pixels' "shows the picture's size"
like "$(cat "$TMP/body")" "href=\"/media/t5023-photo\.$h8\.w480\.webp\"" "and links its copies"
like "$(cat "$TMP/body")" '<form class="inline" action="/admin/media/t5023-photo.jpg/alt" method="post">' \
	"an alt text form that is a plain form"
like "$(cat "$TMP/body")" 'value="A black square — or is it\?"' "holding the current alt text"
like "$(cat "$TMP/body")" 'Not processed yet' "a picture without a size says so"
areq POST /admin/media/t5023-photo.jpg/alt --data-urlencode "csrf=$(csrf)" --data-urlencode 'alt=Changed in the admin'
is "$code $(header Location)" "303 /admin/media?done=saved" "posting the form: 303 back to the page"
is "$(pg -c "SELECT alt FROM media WHERE name = 't5023-photo.jpg'")" "Changed in the admin" "the alt text is changed"
# The editor holds back a published post whose picture has no alt text;
# a picture whose media has its own alt text is not such a picture.
newpost() { # SLUG BODY: publishes a post through the editor's form
	areq GET /admin/posts/new
	areq POST /admin/posts --data-urlencode "csrf=$(csrf)" --data-urlencode "title=$1" \
		--data-urlencode "slug=$1" --data-urlencode "body_md=$2" --data-urlencode status=published
}
newpost t5023-own-alt '![](/media/t5023-photo.jpg)'
is "$code" 303 "the editor publishes a picture that has alt text of its own"
newpost t5023-no-alt '![](/media/t5023-unknown.png)'
is "$code" 422 "and holds back one that has none"
like "$(cat "$TMP/body")" 'name="publish_anyway"' "offering to publish anyway"

# --- a helper that misbehaves -------------------------------------------------------------
# Stand-ins for inkwell-image (as a picture that took it over might make
# it): each run is one failure, reported, with nothing stored.
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nexec sleep 30\n' >"$TMP/bin/slow"
printf '#!/bin/sh\ncat >/dev/null; echo "<html>hello"\n' >"$TMP/bin/garbage"
printf '#!/bin/sh\ncat >/dev/null; kill -SEGV $$\n' >"$TMP/bin/crash"
printf '#!/bin/sh\ncat >/dev/null; h='"'"'{"ok":true,"images":[{"type":"text/html","width":1,"height":1,"length":5}]}'"'"'\nprintf "IWIMG1 %%s\\n%%s<svg>" ${#h} "$h"\n' >"$TMP/bin/html"
chmod +x "$TMP/bin"/*
for h in slow:'ran out of time' garbage:'magic' crash:'crashed' html:'type is not one inkwell serves'; do
	out=$(INKWELL_SERVER_IMAGE_HELPER=$TMP/bin/${h%%:*} INKWELL_SERVER_MEDIA_TIMEOUT=2 \
		"$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" media reprocess t5023-raw.jpg 2>&1)
	st=$?
	is "$st" 1 "a helper that is ${h%%:*}: the command fails"
	like "$out" "${h#*:}" "  and says why"
done
is "$(pg -c "SELECT coalesce(width, 0) FROM media WHERE name = 't5023-raw.jpg'")" 0 "nothing was stored"
out=$(INKWELL_SERVER_MEDIA_MEMORY_MB=64 "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" media reprocess t5023-raw.jpg 2>&1)
is "$?" 1 "the real helper in 64 MiB of address space: fails"
like "$out" 'picture helper' "  the helper's failure, reported"

# --- deleting takes the copies with it ----------------------------------------------------
vname=$(head -n 1 "$TMP/variants" | cut -d' ' -f1)
req DELETE /api/v1/media/t5023-photo.jpg -H "Authorization: Bearer $TOKEN"
is "$code" 204 "the photo is deleted"
req GET "/media/$vname"
is "$code" 404 "its copies are gone with it"
done_testing
