#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4025-markdown: a post saved through the API and read through nginx
# shows what cmark-gfm and inkwell add: footnotes, heading ids with
# their anchor links (left out of the feeds), a coloured C block, raw
# HTML as text, bad links cut; and "inkwellctl render" gives a post saved with an older
# renderer's HTML (md4c's) the new HTML, leaving updated_at alone.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
TMP=$(mktemp -d /tmp/inkwell-4025.XXXXXX)
stamp=$(date +%s)
slug=t4025-$stamp
cleanup() {
	pg -c "DELETE FROM posts WHERE slug IN ('$slug', '$slug-old')" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

ctl user add --no-password --role admin --name 'Markdown Test' t4025-admin >/dev/null 2>&1
tok=$(ctl token add --name t4025 t4025-admin 2>/dev/null)
like "$tok" '^iw_' "an API token"

# api METHOD PATH JSON-FILE: body in $TMP/api, code in $code.
api() {
	code=$(curl -s -o "$TMP/api" -w '%{http_code}' -X "$1" \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		--data-binary "@$3" "$URL$2")
}
page() { curl -s "$URL/posts/$1"; }

python3 - "$slug" >"$TMP/post.json" <<'PY'
import json, sys
body = """Intro with a note[^1] and <b>raw</b> and [bad](javascript:alert(1)).

## Why C?

Text.

## Why C?

```c
#include <stdio.h>
int main(void) { return 0; /* done */ }
```

[^1]: The *note* itself.
"""
print(json.dumps({"slug": sys.argv[1], "title": "Markdown test",
    "body_md": body, "status": "published"}))
PY
api POST /api/v1/posts "$TMP/post.json"
is "$code" 201 "the post is saved through the API"
html=$(page "$slug")
like "$html" '<sup class="footnote-ref"><a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup>' \
	"the footnote reference"
like "$html" '<section class="footnotes" data-footnotes>' "the footnotes section"
like "$html" '<li id="fn-1">' "the footnote"
like "$html" 'The <em>note</em> itself' "the footnote's Markdown rendered"
like "$html" '<h2 id="why-c">Why C\? <a class="anchor" href="#why-c" aria-label="Link to this section">#</a></h2>' \
	"a heading with its id and anchor"
like "$html" '<h2 id="why-c-2">' "a repeated heading numbered"
like "$html" '<pre class="code"><code class="language-c"><span class="hl-p">#include &lt;stdio.h&gt;</span>' \
	"the C block coloured, its text escaped"
like "$html" '<span class="hl-k">return</span> <span class="hl-n">0</span>; <span class="hl-c">/\* done \*/</span>' \
	"keywords, numbers and comments"
like "$html" '&lt;b&gt;raw&lt;/b&gt;' "raw HTML shown as text"
unlike "$html" 'javascript:' "the javascript: link cut"

# Feeds carry the headings without their anchor links, which a feed
# reader, showing no CSS, would show as a stray "#".
for f in feed.atom feed.rss feed.json; do
	body=$(curl -s "$URL/$f")
	if [[ $f == feed.json ]]; then
		body=$(printf '%s' "$body" | python3 -c 'import json, sys
for i in json.load(sys.stdin)["items"]:
    print(i.get("content_html", ""))')
	fi
	like "$body" 'why-c-2(&quot;|")(&gt;|>)Why C\?(&lt;|<)/h2' "$f: the heading, its id kept"
	unlike "$body" 'class=(&quot;|")anchor' "$f: without its anchor link"
done

# A post as an older renderer left it: same Markdown, md4c's HTML.
pg -c "INSERT INTO posts (author_id, slug, title, body_md, body_html,
	status, published_at, updated_at)
	SELECT id, '$slug-old', 'Old', 'Old[^n].

[^n]: Old note.
', '<p>Old[^n].</p>
<p>[^n]: Old note.</p>
', 'published', now(), '2020-01-02T03:04:05Z'
	FROM users WHERE username = 't4025-admin'" >/dev/null
like "$(page "$slug-old")" '\[\^n\]: Old note' "the old post shows md4c's HTML"
out=$(ctl render --batch 1 2>&1)
rc=$?
is "$rc" 0 "inkwellctl render succeeds"
like "$out" '^[1-9][0-9]* posts and pages rendered again' "and says how many"
html=$(pg -c "SELECT body_html FROM posts WHERE slug = '$slug-old'")
like "$html" '<li id="fn-n">' "the old post has its footnote now"
# The rendered pages follow the content version, which the update bumped.
ok "and readers see it" wait_for 10 eval 'page "$slug-old" | grep -q data-footnote-ref'
is "$(pg -c "SELECT updated_at = '2020-01-02T03:04:05Z' FROM posts WHERE slug = '$slug-old'")" t \
	"updated_at is left alone"
out=$(ctl render 2>&1)
like "$out" '^0 posts and pages rendered again' "a second run changes nothing"
like "$(ctl render --batch 0 2>&1)" 'batch takes 1 to 10000' "a bad batch size is refused"

done_testing
