#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3002-import-export: inkwellctl import and export against a real
# PostgreSQL, on scratch databases of their own: the demo folder imports
# (and again, without duplicates), exports back to the very same files
# (with the JSON lines files of a complete export beside them),
# survives a round trip through a second database with every field equal
# (hostile values included), refuses to overwrite edited files, and a
# WordPress export imports with its hostile HTML defused, its XXE and
# entity bombs harmless, and broken XML refused whole.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_BUILD
command -v psql >/dev/null || skip_all "psql missing"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
ctl=$INKWELL_BUILD/inkwellctl

db=inkwell_t3002_$$
db2=inkwell_t3002b_$$
tmp=$(mktemp -d /tmp/inkwell-3002.XXXXXX)
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
pgdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$db" "$@"; }
pgdb2() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$db2" "$@"; }
cleanup() {
	pg -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	pg -c "DROP DATABASE IF EXISTS $db2" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
if ! pg -c "CREATE DATABASE $db" >/dev/null || ! pg -c "CREATE DATABASE $db2" >/dev/null; then
	fail "create scratch databases"
	done_testing
fi
printf '[database]\nprimary = %s dbname=%s\n' "$INKWELL_TEST_PG" "$db" >"$tmp/c.conf"
printf '[database]\nprimary = %s dbname=%s\n' "$INKWELL_TEST_PG" "$db2" >"$tmp/c2.conf"
ctl1() { "$ctl" -c "$tmp/c.conf" "$@"; }
ctl2() { "$ctl" -c "$tmp/c2.conf" "$@"; }
# q CMD...: runs CMD with its output kept in $tmp/out (shown on failure).
q() { "$@" >"$tmp/out" 2>&1; }
shown() { diag "$(cat "$tmp/out")"; }
# absent GREP-ARGS...: passes when fixed-string grep finds nothing.
absent() { ! grep -qF "$@"; }

ok "migrate the first database" q ctl1 migrate
if_fail shown
ok "migrate the second database" q ctl2 migrate
if_fail shown

# Every field the round trip must keep, one line per post, as one digest;
# $1 is an extra column (body_html, or nothing).
digest() {
	printf '%s' "SELECT md5(coalesce(string_agg(r, E'\\n' ORDER BY r), ''))
FROM (SELECT concat_ws(E'\\x1f', p.slug, p.title, p.summary, p.body_md, $1
	p.status, coalesce(p.published_at::text, '-'), p.updated_at::text,
	u.username, u.display_name,
	(SELECT coalesce(string_agg(t.slug || '=' || t.name, E'\\x1e'
		ORDER BY t.slug), '')
	 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
	 WHERE pt.post_id = p.id)) AS r
FROM posts p JOIN users u ON u.id = p.author_id) s"
}
DIGEST=$(digest "p.body_html,")
DIGEST_MD=$(digest "")

# --- the demo folder ------------------------------------------------------
out=$(ctl1 import "$src/script/demo" 2>&1)
is "$?" 0 "import script/demo exits 0"
like "$out" "8 imported, 0 failed" "and reports 8 imported"
is "$(pgdb -c 'SELECT count(*) FROM posts')" 8 "8 posts stored"
is "$(pgdb -c "SELECT count(*) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
	WHERE t.slug = 'inkwell'")" 4 "the tag inkwell is shared by 4 posts"
is "$(pgdb -c "SELECT name FROM tags WHERE slug = 'templates'")" "Templates & escaping" \
	"a tag keeps its name"
is "$(pgdb -c "SELECT status FROM posts WHERE slug = 'draft-notes'")" draft "the draft is a draft"
is "$(pgdb -c "SELECT status || ' ' || (published_at > now())::text
	FROM posts WHERE slug = 'roadmap'")" "scheduled true" "the scheduled post is in the future"
is "$(pgdb -c "SELECT count(*) FROM posts WHERE body_html LIKE '%<script%'
	OR body_html LIKE '%href=\"javascript:%'")" 0 "no <script or javascript: link in any body_html"
is "$(pgdb -c "SELECT title FROM posts WHERE slug = 'escaping-matters'")" \
	"Why \"<script>alert('x')</script>\" stays text & other 'quotes'" "a hostile title is stored as written"
like "$(pgdb -c "SELECT body_html FROM posts WHERE slug = 'escaping-matters'")" \
	'&lt;script&gt;alert\(&quot;body&quot;\)&lt;/script&gt;' "and a hostile body is escaped"
is "$(pgdb -c "SELECT username || '|' || display_name || '|' || (password_hash IS NULL)::text
	FROM users")" "admin|Site Admin|true" "the author was created, without a password"

before=$(pgdb -c "SELECT string_agg(id || ':' || slug, ',' ORDER BY id) FROM posts")
d1=$(pgdb -c "$DIGEST")
ok "importing the same folder again succeeds" q ctl1 import "$src/script/demo"
if_fail shown
is "$(pgdb -c "SELECT string_agg(id || ':' || slug, ',' ORDER BY id) FROM posts")" "$before" \
	"and updates in place: same posts, same ids"
is "$(pgdb -c "$DIGEST")" "$d1" "and changes no field"
is "$(pgdb -c 'SELECT count(*) FROM tags')" 9 "no tag duplicated"

# --- export -----------------------------------------------------------------
out=$(ctl1 export "$tmp/e1" 2>&1)
is "$?" 0 "export exits 0"
# A complete export (t/3008 tests the rest): the 8 posts and the 10 JSON
# lines files (their manifest is not counted); the posts' files are
# still the folder they came from.
like "$out" "18 written, 0 unchanged" "and writes 8 posts and 10 JSON lines files"
ok "and a manifest" test -s "$tmp/e1/manifest.jsonl"
ok "the export of the demo is the demo, byte for byte" diff -r -x '*.jsonl' "$src/script/demo" "$tmp/e1"
if_fail diff -ru -x '*.jsonl' "$src/script/demo" "$tmp/e1"
like "$(ctl1 export "$tmp/e1" 2>&1)" "0 written, 18 unchanged" "exporting again leaves identical files alone"

echo "local edit" >>"$tmp/e1/limits.md"
out=$(ctl1 export "$tmp/e1" 2>&1)
is "$?" 1 "export does not overwrite an edited file (exit 1)"
like "$out" "limits.md exists with other content; not overwritten" "and says which"
like "$(tail -n 1 "$tmp/e1/limits.md")" "local edit" "the edit is still there"
ok "export --force overwrites it" q ctl1 export --force "$tmp/e1"
if_fail shown
ok "with the database's version" cmp "$src/script/demo/limits.md" "$tmp/e1/limits.md"

# --- hostile values round-trip ----------------------------------------------
pgdb >/dev/null <<'SQL'
INSERT INTO users (username, display_name)
    VALUES ('tricky_user-1', E'  Dr. "Q" \\ Tricky: #1 [x] ');
INSERT INTO posts (author_id, slug, title, summary, body_md, body_html,
    status, published_at, updated_at)
VALUES ((SELECT id FROM users WHERE username = 'tricky_user-1'), 'tricky',
    E' Title: with "quotes", #hash, [brackets] \\n\nand a newline ',
    E'Summary\r\nwith CRLF\tand a tab and \x01 a control ',
    E'---\nnot: front matter\n---\n\nBody with trailing spaces  \r\n\n',
    '', 'published', '2026-05-01 10:00:00.123456+00',
    '2026-05-02 11:00:00.5+00');
INSERT INTO tags (slug, name) VALUES ('weird-tag', E'Weird, "tag": [x] # y ');
INSERT INTO post_tags SELECT p.id, t.id FROM posts p, tags t
    WHERE p.slug = 'tricky' AND t.slug IN ('weird-tag', 'inkwell');
SQL
out=$(ctl1 export "$tmp/e2" 2>&1)
is "$?" 0 "export with a hostile post exits 0"
like "$out" "19 written" "and writes 9 posts and 10 JSON lines files"
ok "the second database imports the export" q ctl2 import "$tmp/e2"
if_fail shown
is "$(pgdb2 -c "$DIGEST_MD")" "$(pgdb -c "$DIGEST_MD")" \
	"every field of every post is equal in both databases"
is "$(pgdb2 -c "SELECT title FROM posts WHERE slug = 'tricky'")" \
	"$(pgdb -c "SELECT title FROM posts WHERE slug = 'tricky'")" "a title with a newline and quotes"
is "$(pgdb2 -c "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM posts WHERE slug = 'tricky'")" \
	"2026-05-01 10:00:00.123456" "microseconds survive"
is "$(pgdb2 -c "SELECT display_name FROM users WHERE username = 'tricky_user-1'")" \
	'  Dr. "Q" \ Tricky: #1 [x] ' "a display name with blanks and quotes"
is "$(pgdb2 -c "SELECT name FROM tags WHERE slug = 'weird-tag'")" 'Weird, "tag": [x] # y ' \
	"a tag name with commas, quotes and brackets"

out=$(ctl1 import "$tmp/e2" 2>&1)
is "$?" 1 "a complete export into a database with content: exit 1"
like "$out" "the database is not empty" "and says why"
ok "re-importing its posts (--posts) into the first database succeeds" q ctl1 import --posts "$tmp/e2"
if_fail shown
is "$(pgdb2 -c "$DIGEST")" "$(pgdb -c "$DIGEST")" \
	"then the bodies are rendered the same too"
ok "an export after it" q ctl1 export "$tmp/e3"
if_fail shown
ok "is identical to the export before it" diff -r "$tmp/e2" "$tmp/e3"
if_fail diff -ru "$tmp/e2" "$tmp/e3"
ok "and the second database exports the same files" q ctl2 export "$tmp/e4"
if_fail shown
ok "byte for byte" diff -r "$tmp/e2" "$tmp/e4"

# --- a folder with a bad file -------------------------------------------------
mkdir -p "$tmp/mixed"
printf -- '---\ntitle: Good one\nslug: good-one\ndate: 2026-06-01T10:00:00Z\n---\nFine.\n' >"$tmp/mixed/a.md"
printf -- '---\ntitle: Bad one\ncolour: red\n---\nNo.\n' >"$tmp/mixed/b.md"
printf -- '---\ntitle: Bad slug\nslug: Not A Slug\n---\nNo.\n' >"$tmp/mixed/c.md"
printf 'not a post' >"$tmp/mixed/notes.txt"
out=$(ctl1 import "$tmp/mixed" 2>&1)
is "$?" 1 "a folder with bad files: exit 1"
like "$out" "b.md:3: unknown key \"colour\"" "the front matter error names file and line"
like "$out" "c.md: refused" "a refused field is reported"
like "$out" "slug: must be lower-case" "and the log names the field"
like "$out" "1 imported, 2 failed" "the summary counts"
is "$(pgdb -c "SELECT status FROM posts WHERE slug = 'good-one'")" published "the good file was imported"

# --- WordPress --------------------------------------------------------------
wxr=$src/t/data/wxr
out=$(ctl1 import --wxr "$wxr/sample.xml" 2>&1)
is "$?" 0 "the WXR sample imports"
like "$out" "3 imported, 0 failed" "three posts"
like "$out" 'item "In the bin" skipped' "the trashed item is reported as skipped"
is "$(pgdb -c "SELECT string_agg(slug || ':' || status, ' ' ORDER BY slug) FROM posts
	WHERE slug IN ('hello-wordpress', 'coming-soon', 'half-written-idea', 'in-the-bin', 'about', 'cat-jpg')")" \
	"coming-soon:scheduled half-written-idea:draft hello-wordpress:published" \
	"posts only (no page, attachment or trash), statuses mapped"
is "$(pgdb -c "SELECT u.username || '|' || u.display_name FROM posts p JOIN users u ON u.id = p.author_id
	WHERE p.slug = 'hello-wordpress'")" 'jane-doe|Jane "JD" Doe' "dc:creator becomes a username with its display name"
is "$(pgdb -c "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' ' ||
	to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM posts WHERE slug = 'hello-wordpress'")" \
	"2026-02-01 10:00 2026-02-03 09:30" "GMT dates used"
is "$(pgdb -c "SELECT string_agg(t.slug || '=' || t.name, ',' ORDER BY t.slug) FROM post_tags pt
	JOIN tags t ON t.id = pt.tag_id JOIN posts p ON p.id = pt.post_id WHERE p.slug = 'hello-wordpress'")" \
	"cats=Cats & <Dogs>,leak=leak,travel=Travel" "categories and tags become tags (nicename, name)"
is "$(pgdb -c "SELECT summary FROM posts WHERE slug = 'hello-wordpress'")" "A short excerpt & more" \
	"the excerpt becomes a plain-text summary"
is "$(pgdb -c "SELECT title FROM posts WHERE slug = 'hello-wordpress'")" "Hello from  WordPress" \
	"entity references in text add nothing"
wp="slug IN ('hello-wordpress', 'coming-soon', 'half-written-idea')"
is "$(pgdb -c "SELECT count(*) FROM posts WHERE $wp AND (body_html ~* '<script|javascript:|data:text|<iframe|<style|<object|<embed| on[a-z]+=' OR body_md ~* 'javascript:|evil')")" 0 \
	"no script, javascript:, data:, iframe, style, object or on* handler survives"
body=$(pgdb -c "SELECT body_html FROM posts WHERE slug = 'hello-wordpress'")
like "$body" '<a href="https://example.org/page\?a=1&amp;b=2">safe link</a>' "a safe link is kept"
like "$body" '<img src="https://old.example.org/wp-content/cat.jpg" alt="A cat"[ >]' "a safe image is kept"
like "$body" '&lt;script&gt;alert\(5\)&lt;/script&gt;' "text that looks like markup stays text"
like "$body" '<h2 id="a-heading">A heading <a class="anchor" href="#a-heading"' "headings"
like "$body" '<li>two <code>a\*b</code></li>' "lists and code"
like "$body" '<pre class="code"><code class="language-python"><span class="hl-t">print</span>\(<span class="hl-s">&quot;hi&quot;</span>\)' \
	"code blocks keep their language"
like "$(pgdb -c "SELECT body_html FROM posts WHERE slug = 'half-written-idea'")" \
	'<p>Plain WordPress text without tags.</p>.*<p>A second paragraph' "WordPress's empty-line paragraphs"

if command -v pg_dump >/dev/null; then
	pg_dump -d "$INKWELL_TEST_PG dbname=$db" --data-only >"$tmp/dump.sql" 2>"$tmp/dump.err"
	ok "pg_dump of the database" test -s "$tmp/dump.sql"
	if_fail diag "$(cat "$tmp/dump.err")"
	passwd=$(head -n 1 /etc/passwd)
	ok "no /etc/passwd content anywhere in the database (XXE)" \
		absent -e "$passwd" -e "/bin/sh" -e "nologin" "$tmp/dump.sql"
	ok "no entity expansion anywhere in the database" \
		absent -e "lollol" "$tmp/dump.sql"
else
	fail "pg_dump missing"
fi
before=$(pgdb -c "SELECT count(*) FROM posts")
ok "importing the WXR again succeeds" q ctl1 import --wxr "$wxr/sample.xml"
if_fail shown
is "$(pgdb -c "SELECT count(*) FROM posts")" "$before" "and adds nothing"

# Broken XML is refused whole, even when it starts with a good item.
sed -e 's/hello-wordpress/truncated-one/' -e '1,/<\/item>/!d' "$wxr/sample.xml" >"$tmp/truncated.xml"
printf '\t<item>\n\t\t<title>Cut here' >>"$tmp/truncated.xml"
out=$(ctl1 import --wxr "$tmp/truncated.xml" 2>&1)
is "$?" 1 "a truncated export: exit 1"
like "$out" "truncated.xml:[0-9]+: not well-formed XML, nothing imported" "with a clear message"
is "$(pgdb -c "SELECT count(*) FROM posts WHERE slug = 'truncated-one'")" 0 "and nothing from it"
printf '\x00\xff\xfegarbage <<< &&& \n' >"$tmp/garbage.xml"
out=$(ctl1 import --wxr "$tmp/garbage.xml" 2>&1)
is "$?" 1 "garbage: exit 1"
like "$out" "garbage.xml:[0-9]+: not well-formed XML" "with a clear message"
printf '<?xml version="1.0"?>\n<html><body/></html>\n' >"$tmp/html.xml"
like "$(ctl1 import --wxr "$tmp/html.xml" 2>&1)" "not a WordPress export" "XML that is not WXR is refused"
start=$(date +%s)
out=$(timeout 60 "$ctl" -c "$tmp/c.conf" import --wxr "$wxr/laughs.xml" 2>&1)
rc=$?
is "$rc" 1 "a billion-laughs export: exit 1"
ok "refused within 10 seconds" test $(($(date +%s) - start)) -le 10
like "$out" "laughs.xml:[0-9]+: not well-formed XML, nothing imported" "refused whole"
is "$(pgdb -c "SELECT count(*) FROM posts WHERE slug IN ('laughing-item', 'bomb')")" 0 \
	"nothing from it, not even the good item before the bomb"
out=$(ctl1 import --wxr "$tmp/missing.xml" 2>&1)
is "$?" 1 "a missing file: exit 1"
like "$out" "missing.xml: No such file" "says so"
is "$(ctl1 import 2>&1; echo "rc=$?")" "usage: inkwellctl import [--posts] DIR
       inkwellctl import --wxr FILE [--attachments DIR]
rc=2" "usage errors exit 2"

done_testing
