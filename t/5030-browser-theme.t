#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 5030-browser-theme: the default theme as a reader and an author see it,
# in headless Chromium through nginx (t/browser/theme.mjs): home, a post
# with a code block, a quotation, a table, a captioned picture, a
# footnote and a feature image, a tag page, a search, the sign-in page,
# the new-post editor and the media page, at 390 and 1280 px, light and
# dark: axe-core finds nothing, nothing scrolls sideways, no layout
# shift (CLS 0), and the home page's HTML and CSS weigh under 30 KB
# gzip-compressed. Screenshots under $INKWELL_TEST_VAR/out/5030-browser-theme/.
# Needs the npm packages script/test installs (INKWELL_NODE_MODULES:
# playwright-core, axe-core) and /usr/bin/chromium.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_TEST_PG INKWELL_BUILD INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
CTL=$INKWELL_BUILD/inkwellctl
export INKWELL_SRC=$src
export T5030_AUTHOR=t5030author T5030_PASSWORD='theme test passphrase'
export T5030_POST=t5030-theme-sampler T5030_TAG=t5030-theme
media=t5030-picture.png
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
work=$(mktemp -d)
forget() {
	sql "DELETE FROM posts WHERE slug = '$T5030_POST';
	     DELETE FROM tags WHERE slug = '$T5030_TAG';
	     DELETE FROM media WHERE name = '$media';
	     DELETE FROM users WHERE username = '$T5030_AUTHOR';" >/dev/null 2>&1
}
trap 'forget; rm -rf "$work"' EXIT
forget
# A picture to show: a plain 1200 x 630 PNG, made here so that the test
# needs no file it cannot explain.
python3 - "$work/$media" <<'PY'
import struct, sys, zlib
w, h = 1200, 630
# one colour per row keeps the file small
rows = b''.join(b'\0' + bytes((40, 90 + y * 100 // h, 140)) * w for y in range(h))
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b''))
open(sys.argv[1], 'wb').write(png)
PY
hex=$(od -An -v -tx1 "$work/$media" | tr -d ' \n')
if ! sql "INSERT INTO media (name, content_type, bytes, sha256, width, height, alt)
	VALUES ('$media', 'image/png', '\\x$hex'::bytea,
	        sha256('\\x$hex'::bytea), 1200, 630, 'A blue and green gradient')" >/dev/null; then
	printf 'Bail out! cannot store the picture %s\n' "$media"
	exit 1
fi
mkdir "$work/posts"
cat > "$work/posts/$T5030_POST.md" <<MD
---
title: A sampler of what a post can hold
slug: $T5030_POST
date: 2026-04-01T09:00:00Z
updated: 2026-04-01T09:00:00Z
status: published
author: admin
author_name: Site Admin
summary: Code, a quotation, a table, a picture with a caption and a footnote.
tags: [$T5030_TAG: Theme]
---

A paragraph long enough to show the measure of the text column, with a
[link](/posts/welcome-to-inkwell), some \`inline code\` and a note.[^1]

## Code

\`\`\`c
/* a comment */
static int
answer(const char *s)
{
	return strlen(s) + 42;
}
\`\`\`

## A quotation

> Simplicity is prerequisite for reliability.
> It takes work to keep it.

## A table

| Column | Another column | A third, wider column | Count |
|--------|----------------|-----------------------|------:|
| alpha  | beta           | gamma delta epsilon   | 1     |
| zeta   | eta            | theta iota kappa      | 22    |

## A picture

![A blue and green gradient](/media/$media "A gradient, as a captioned figure")

The end.

[^1]: A footnote, at the bottom of the post.
MD
if ! out=$("$CTL" -c "$INKWELL_TEST_CONF" import "$src/script/demo" 2>&1) ||
	! out=$("$CTL" -c "$INKWELL_TEST_CONF" import "$work/posts" 2>&1); then
	diag "$out"
	printf 'Bail out! inkwellctl import of the posts failed\n'
	exit 1
fi
if ! printf '%s\n' "$T5030_PASSWORD" | "$CTL" -c "$INKWELL_TEST_CONF" user add \
	--role admin --name "T5030 Author" --password-stdin "$T5030_AUTHOR" >/dev/null; then
	printf 'Bail out! cannot add user %s\n' "$T5030_AUTHOR"
	exit 1
fi
# The picture leads the post (the feature image).
if ! sql "UPDATE posts SET feature_media = (SELECT id FROM media WHERE name = '$media')
	WHERE slug = '$T5030_POST'" >/dev/null ||
	! "$CTL" -c "$INKWELL_TEST_CONF" cache flush >/dev/null; then
	printf 'Bail out! cannot give %s a feature image\n' "$T5030_POST"
	exit 1
fi
INKWELL_TEST_NAME=$(basename "$0" .t) timeout -k 10 400 node "$here/browser/theme.mjs"
