#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3009-wxr-complete: inkwellctl import --wxr FILE --attachments DIR on the
# test stack, with t/data/wxr/complete.xml and its files: the authors
# become users (an existing one reused), comments keep their threads and
# approval states (trash and pingbacks left out), attachments become
# media (one missing: reported, not fatal) and post bodies point at
# them, old permalinks are recorded as redirects; the reader pages
# through nginx show the approved comments threaded and the images from
# /media/; importing again changes nothing; hostile exports (paths out of
# the folder, symbolic links, oversized and non-image files, threads too
# deep or in a circle, too many comments) are refused or cut, each
# counted.  Everything it makes is named wxr3009* and removed at the end.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
command -v psql >/dev/null || skip_all "psql missing"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
URL=${INKWELL_TEST_URL%/}
wxr=$src/t/data/wxr
TMP=$(mktemp -d /tmp/inkwell-3009.XXXXXX)
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }

cleanup() {
	pg "DELETE FROM redirects WHERE to_path LIKE '/posts/wxr3009-%' OR from_path LIKE '%wxr3009%';
	    DELETE FROM posts WHERE slug LIKE 'wxr3009-%';
	    DELETE FROM media WHERE name LIKE '%wxr3009%';
	    DELETE FROM users WHERE username LIKE 'wxr3009%';" >/dev/null 2>&1
}
finish() {
	cleanup
	rm -rf "$TMP"
}
trap finish EXIT
cleanup

# fetch PATH: body in $TMP/body, headers in $TMP/head, code in $code.
fetch() {
	rm -f "$TMP/body"
	touch "$TMP/body"
	code=$(curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$URL$1")
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
# comment_line NAME: the <article> line of the comment by NAME on the page.
comment_line() {
	grep -B1 -F -e "<strong>$1</strong>" -e ">$1</a></strong>" "$TMP/body" | grep -F '<article' | head -n 1
}
# cid NAME: the id of the comment by NAME on post wxr3009-threads.
cid() { pg "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id
	WHERE p.slug = 'wxr3009-threads' AND c.author_name = '$1'"; }
# digest: everything the import writes, as one line.
digest() {
	pg "SELECT string_agg(x, E'\n' ORDER BY x) FROM (
	    SELECT format('%s %s %s %s %s %s', slug, title, status, body_md, updated_at, author_id) AS x
	      FROM posts WHERE slug LIKE 'wxr3009-%'
	    UNION ALL SELECT format('%s %s %s %s %s %s %s %s', c.id, c.parent_id, c.author_name,
	      c.author_email, c.author_url, c.body, c.status, c.created_at)
	      FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug LIKE 'wxr3009-%'
	    UNION ALL SELECT format('%s %s %s %s', username, display_name, email, role)
	      FROM users WHERE username LIKE 'wxr3009%'
	    UNION ALL SELECT format('%s %s %s', name, content_type, encode(sha256, 'hex'))
	      FROM media WHERE name LIKE '%wxr3009%'
	    UNION ALL SELECT format('%s %s %s %s', from_path, to_path, code, source)
	      FROM redirects WHERE to_path LIKE '/posts/wxr3009-%') t"
}

# An author that exists before the import keeps what it has.
ctl user add --no-password --role author --name 'Bob Before' wxr3009-bob >/dev/null 2>&1
is "$(pg "SELECT count(*) FROM users WHERE username = 'wxr3009-bob'")" 1 "an existing author wxr3009-bob"

# --- the import -------------------------------------------------------------
out=$(ctl import --wxr "$wxr/complete.xml" --attachments "$wxr/complete-files" 2>&1)
rc=$?
is "$rc" 0 "the complete export imports (exit 0, a missing file is not fatal)"
if_fail diag "$out"
like "$out" "3 imported, 0 failed; authors: 2 new, 1 existing, 0 failed; comments: 9 new, 0 existing, 0 failed, 1 trashed or of other states, 1 pingbacks and trackbacks, 0 nested too deep or in a circle, 0 over the limits \(all left out\); attachments: 2 stored, 1 missing \(not fatal\), 0 refused; redirects: 2 new, 0 existing, 0 kept elsewhere, 0 failed" \
	"the summary line counts every kind"
like "$out" "attachment https://old\.example\.org/wp-content/uploads/2026/03/wxr3009-gone\.png: missing: no file 2026/03/wxr3009-gone\.png nor wxr3009-gone\.png in the attachments folder" \
	"the missing file is named"

# Authors.
is "$(pg "SELECT string_agg(format('%s|%s|%s|%s|%s', username, display_name, coalesce(email, '-'), role,
	password_hash IS NULL), ' ' ORDER BY username) FROM users WHERE username LIKE 'wxr3009%'")" \
	'wxr3009-alice|Alice "Wonder" Liddell|wxr3009-alice@example.org|author|t wxr3009-bob|Bob Before|-|author|t wxr3009-carol|wxr3009-carol|-|author|t' \
	"authors: users with display name and email, role author, no password; the existing one reused as it was"
is "$(pg "SELECT string_agg(p.slug || ':' || u.username, ' ' ORDER BY p.slug) FROM posts p
	JOIN users u ON u.id = p.author_id WHERE p.slug LIKE 'wxr3009-%'")" \
	"wxr3009-draft:wxr3009-carol wxr3009-plain:wxr3009-bob wxr3009-threads:wxr3009-alice" \
	"posts keep their dc:creator as author"

# Comments: states and threads.
is "$(pg "SELECT string_agg(c.author_name || ':' || c.status, ' ' ORDER BY c.author_name) FROM comments c
	JOIN posts p ON p.id = c.post_id WHERE p.slug LIKE 'wxr3009-%'")" \
	"<b>Mallory</b>:approved Lone Reader:approved Pending Person:pending Reader Five:approved Reader Four:approved Reader One:approved Reader Three:approved Reader Two:approved Spammer:spam" \
	"comments in their states (1 approved, 0 pending, spam spam), trash and the pingback left out"
is "$(pg "SELECT string_agg(c.author_name || '>' || coalesce(q.author_name, '-'), ' ' ORDER BY c.author_name)
	FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN comments q ON q.id = c.parent_id
	WHERE p.slug = 'wxr3009-threads'")" \
	"<b>Mallory</b>>- Pending Person>Reader One Reader Five>Pending Person Reader Four>Reader One Reader One>- Reader Three>Reader Two Reader Two>Reader One Spammer>-" \
	"wp:comment_parent became parent_id, whatever the order in the file"
is "$(pg "SELECT author_email || '|' || author_url || '|' || created_at AT TIME ZONE 'UTC' FROM comments
	WHERE author_name = 'Reader One' AND post_id = (SELECT id FROM posts WHERE slug = 'wxr3009-threads')")" \
	"one@example.org|https://one.example.org/|2026-03-01 11:00:00" "a comment's email, URL and date"
is "$(pg "SELECT author_url FROM comments WHERE author_name = 'Reader Two'
	AND post_id = (SELECT id FROM posts WHERE slug = 'wxr3009-threads')")" "" "a javascript: author URL is dropped"

# Attachments and the bodies that point at them.
# Decoded and written again as an upload is (t/5023): size, not bytes.
is "$(pg "SELECT string_agg(format('%s|%s|%sx%s|%s', m.name, m.content_type, m.width, m.height, u.username), ' ' ORDER BY m.name)
	FROM media m LEFT JOIN users u ON u.id = m.uploaded_by WHERE m.name LIKE '%wxr3009%'")" \
	"wxr3009-cat.png|image/png|2x2|wxr3009-alice wxr3009-dog.gif|image/gif|1x1|wxr3009-bob" \
	"attachments stored as media (found by path, and by name), uploaded by their creators"
is "$(pg "SELECT count(*) FROM media_variants v JOIN media m ON m.id = v.media_id WHERE m.name = 'wxr3009-cat.png'")" \
	3 "with their smaller copies, as an upload"
body=$(pg "SELECT body_md FROM posts WHERE slug = 'wxr3009-threads'")
like "$body" '!\[The cat\]\(/media/wxr3009-cat\.png\)' "an image's old URL is now its media URL"
like "$body" '\[dog\]\(/media/wxr3009-dog\.gif\)' "a link's old URL (http for https) too"
like "$body" 'https://old\.example\.org/wp-content/uploads/2026/03/wxr3009-gone\.png' "the missing one keeps its old URL"
like "$body" 'wxr3009-cat\.png\.html' "a longer URL that starts like one is left alone"

# Redirects.
is "$(pg "SELECT string_agg(format('%s>%s|%s|%s', from_path, to_path, code, source), ' ' ORDER BY from_path)
	FROM redirects WHERE to_path LIKE '/posts/wxr3009-%'")" \
	"/2026/03/wxr3009-threads/>/posts/wxr3009-threads|301|wxr /archives/302>/posts/wxr3009-plain|301|wxr" \
	"old permalinks recorded as redirects (not the ?p= one)"

# --- the reader's pages ---------------------------------------------------
fetch /posts/wxr3009-threads
is "$code" 200 "the threaded post's page: 200"
page=$(cat "$TMP/body")
names=$(grep -o '<strong>[^<]*\(<a [^>]*>\)\?[^<]*' "$TMP/body" | sed 's/<[^>]*>//g' | tr '\n' ',')
is "$names" "Reader One,Reader Two,Reader Three,Reader Four,Reader Five,&lt;b&gt;Mallory&lt;/b&gt;," \
	"approved comments only, each reply right under the comment it answers"
one=$(cid 'Reader One')
two=$(cid 'Reader Two')
like "$(comment_line 'Reader One')" '^<article class="comment" id="comment-[0-9]+">$' "a comment on the post: as before threads"
like "$(comment_line 'Reader Two')" "^<article class=\"comment reply indent-1\" id=\"comment-$two\">\$" "a reply: indented one step"
like "$(comment_line 'Reader Three')" '^<article class="comment reply indent-2" id="comment-[0-9]+">$' "a reply to a reply: two steps"
like "$page" "in reply to <a href=\"#comment-$one\">Reader One</a>" "a reply says whom it answers, linking to it"
like "$page" "in reply to <a href=\"#comment-$two\">Reader Two</a>" "and so does a reply to a reply"
like "$(comment_line 'Reader Five')" '^<article class="comment" id="comment-[0-9]+">$' "a reply to a comment not shown stands on the post"
unlike "$page" "Pending Person|Spammer|Trashed|Some Blog" "pending, spam, trashed comments and pingbacks are not shown"
unlike "$page" "<script>alert" "a comment's markup is escaped"
like "$page" '<img src="/media/wxr3009-cat\.png"[^>]* alt="The cat"' "the image comes from /media/"
fetch /media/wxr3009-cat.png
is "$code" 200 "which nginx serves"
is "$(header Content-Type)" "image/png" "as image/png"
is "$(sha256sum "$TMP/body" | cut -d' ' -f1)" "$(pg "SELECT encode(sha256, 'hex') FROM media WHERE name = 'wxr3009-cat.png'")" \
	"the stored picture, its sha256 recorded"
fetch /posts/wxr3009-plain
is "$code" 200 "the post without replies: 200"
like "$(cat "$TMP/body")" '<article class="comment" id="comment-[0-9]+">' "its comment is shown"
unlike "$(cat "$TMP/body")" 'reply|in reply to' "with no trace of threads"
if command -v tidy >/dev/null; then
	fetch /posts/wxr3009-threads
	rc=0
	tidy -q -e -utf8 "$TMP/body" >"$TMP/tidy.out" 2>&1 || rc=$?
	ok "the threaded page is valid HTML (tidy)" test "$rc" -lt 2
	if_fail diag "$(head -n 20 "$TMP/tidy.out")"
fi

# --- again ----------------------------------------------------------------
before=$(digest)
out=$(ctl import --wxr "$wxr/complete.xml" --attachments "$wxr/complete-files" 2>&1)
is "$?" 0 "importing the same export again: exit 0"
like "$out" "3 imported, 0 failed; authors: 0 new, 3 existing, 0 failed; comments: 0 new, 9 existing, 0 failed, .*attachments: 2 stored, 1 missing \(not fatal\), 0 refused; redirects: 0 new, 2 existing" \
	"finds everything already there"
after=$(digest)
is "$(md5sum <<<"$after")" "$(md5sum <<<"$before")" "and changes nothing"
if_fail diag "$(diff <(echo "$before") <(echo "$after"))"
out=$(ctl import --attachments "$wxr/complete-files" --wxr "$wxr/complete.xml" 2>&1)
is "$(digest | md5sum)" "$(md5sum <<<"$before")" "nor with the options the other way round"

# --- hostile input ----------------------------------------------------------
# A folder with the good files, a PNG outside it, and links and names that
# try to reach it.
mkdir -p "$TMP/files/2026/03" "$TMP/outside"
cp "$wxr/complete-files/2026/03/wxr3009-cat.png" "$TMP/files/2026/03/wxr3009-ok.png"
python3 - "$TMP/outside/wxr3009-secret.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 1, 8, 6, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(b"\0" + b"\x01\x02\x03\xff" * 3)) + chunk(b"IEND", b""))
PY
secret=$(sha256sum "$TMP/outside/wxr3009-secret.png" | cut -d' ' -f1)
ln -s ../outside/wxr3009-secret.png "$TMP/files/wxr3009-link.png"
ln -s ../../outside "$TMP/files/2026/linked"
printf 'just text\n' >"$TMP/files/wxr3009-text.png"
mkfifo "$TMP/files/wxr3009-fifo.png"
head -c 4096 /dev/zero >>"$TMP/files/2026/03/wxr3009-ok.png.big"
cat "$TMP/files/2026/03/wxr3009-ok.png" "$TMP/files/2026/03/wxr3009-ok.png.big" >"$TMP/files/wxr3009-big.png"
rm "$TMP/files/2026/03/wxr3009-ok.png.big"
cp "$TMP/files/2026/03/wxr3009-ok.png" "$TMP/files/Wxr3009 Odd (1).PNG"
att() { # URL
	printf '<item><title>a</title><wp:post_type>attachment</wp:post_type><dc:creator>wxr3009.Alice</dc:creator><wp:attachment_url><![CDATA[%s]]></wp:attachment_url></item>\n' "$1"
}
u=https://old.example.org/wp-content/uploads
{
	printf '<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>\n'
	att "$u/2026/03/wxr3009-ok.png"
	att "$u/../../outside/wxr3009-secret.png"
	att "$u/%2e%2e/%2E%2E/outside/wxr3009-secret.png"
	att "$u/%2Fetc%2Fpasswd"
	att "$u//etc/passwd"
	att "$u/2026/03/..%2f..%2f..%2foutside/wxr3009-secret.png"
	att "$u/wxr3009-link.png"
	att "$u/2026/linked/wxr3009-secret.png"
	att "$u/wxr3009-text.png"
	att "$u/wxr3009-fifo.png"
	att "$u/wxr3009-big.png"
	att "$u/x%00/wxr3009-secret.png"
	att "$u/Wxr3009%20Odd%20%281%29.PNG"
	# A chain of 40 replies (32 deep is the most kept) and two that answer each other.
	printf '<item><title>wxr3009 deep</title><wp:post_type>post</wp:post_type><wp:status>draft</wp:status><wp:post_name>wxr3009-deep</wp:post_name><dc:creator>wxr3009.Alice</dc:creator><content:encoded>x</content:encoded>\n'
	for i in $(seq 1 40); do
		printf '<wp:comment><wp:comment_id>%d</wp:comment_id><wp:comment_parent>%d</wp:comment_parent><wp:comment_author>Deep %d</wp:comment_author><wp:comment_content>level %d</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_date_gmt>2026-03-05 10:00:%02d</wp:comment_date_gmt></wp:comment>\n' \
			"$i" $((i - 1)) "$i" "$i" "$i"
	done
	printf '<wp:comment><wp:comment_id>901</wp:comment_id><wp:comment_parent>902</wp:comment_parent><wp:comment_author>Ring A</wp:comment_author><wp:comment_content>a</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>\n'
	printf '<wp:comment><wp:comment_id>902</wp:comment_id><wp:comment_parent>901</wp:comment_parent><wp:comment_author>Ring B</wp:comment_author><wp:comment_content>b</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>\n'
	printf '</item>\n'
	# More comments than a post may have (pingbacks, so that nothing is written).
	printf '<item><title>wxr3009 many</title><wp:post_type>post</wp:post_type><wp:status>draft</wp:status><wp:post_name>wxr3009-many</wp:post_name><content:encoded>x</content:encoded>\n'
	for _ in $(seq 1 10001); do
		printf '<wp:comment><wp:comment_type>pingback</wp:comment_type><wp:comment_content>p</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment>\n'
	done
	printf '</item>\n</channel></rss>\n'
} >"$TMP/hostile.xml"
out=$(INKWELL_SERVER_MEDIA_MAX_BYTES=1024 timeout 60 "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" \
	import --wxr "$TMP/hostile.xml" --attachments "$TMP/files" 2>&1)
rc=$?
is "$rc" 1 "a hostile export: exit 1 (something was refused), in time"
like "$out" "2 imported, 0 failed; .*comments: 33 new, .*0 trashed or of other states, 10000 pingbacks and trackbacks, 9 nested too deep or in a circle, 1 over the limits .*attachments: 2 stored, [0-9]+ missing \(not fatal\), [0-9]+ refused" \
	"threads cut at 32 deep, circles and comments past 10000 left out and counted"
# Stored pictures are decoded again, so look for the secret's size too:
# it is the only 3x1 picture.
is "$(pg "SELECT count(*) FROM media WHERE sha256 = decode('$secret', 'hex') OR (width = 3 AND height = 1)")" 0 \
	"no file outside the folder was read (by .., %2e%2e, an absolute path, %00, a linked file or folder)"
for u2 in "$u/../../outside/wxr3009-secret.png" "$u/%2e%2e/%2E%2E/outside/wxr3009-secret.png" \
	"$u/%2Fetc%2Fpasswd" "$u//etc/passwd" "$u/2026/03/..%2f..%2f..%2foutside/wxr3009-secret.png"; do
	like "$out" "attachment ${u2//./\\.}: refused: its URL names no file inside the folder" "refused: ${u2#"$u"}"
done
like "$out" "wxr3009-link\.png: refused: a symbolic link" "a symbolic link to a file out of the folder is refused"
unlike "$out" "linked/wxr3009-secret\.png: (already )?stored" "a linked folder is not followed"
like "$out" "wxr3009-text\.png: refused: not an image" "a file that is not an image is refused"
like "$out" "wxr3009-fifo\.png: refused: not a regular file" "a FIFO is refused (and does not block)"
like "$out" "wxr3009-big\.png: refused: larger than 1024 bytes" "a file past media_max_bytes is refused"
like "$out" "Odd%20%281%29\.PNG: stored as /media/Wxr3009-Odd-1\.PNG" "an odd file name is made a media name"
is "$(pg "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug = 'wxr3009-deep'")" 33 \
	"33 of the chain stored (depths 0 to 32)"
is "$(pg "SELECT max(author_name) FILTER (WHERE author_name LIKE 'Ring%') IS NULL FROM comments c
	JOIN posts p ON p.id = c.post_id WHERE p.slug = 'wxr3009-deep'")" t "the circle is not stored"
out=$(ctl import --wxr "$TMP/hostile.xml" --attachments "$TMP/nonexistent" 2>&1)
is "$?" 1 "a missing attachments folder: exit 1"
like "$out" "nonexistent: No such file" "says so"
is "$(ctl import --wxr 2>&1; echo "rc=$?")" "usage: inkwellctl import [--posts] DIR
       inkwellctl import --wxr FILE [--attachments DIR]
rc=2" "usage names --attachments"

done_testing
