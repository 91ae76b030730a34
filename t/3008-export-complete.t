#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3008-export-complete: a complete export (inkwellctl export) imported
# into an empty database reproduces the site.  On the running stack: the
# stack's database is put aside and a fresh one takes its name (site A),
# seeded with posts in every status, tags, comments in every state with
# a reply, media, a second and a disabled user, an API token, a changed
# setting, a redirect and revisions of a post (one by a deleted user,
# one with hostile text); every reader page and API answer is recorded;
# the export is imported into another fresh database under the same name
# (site B) and everything is fetched again and compared byte for byte,
# and exported again and compared.  Then broken exports are refused,
# naming file and line, with nothing imported.  At the end the stack's
# own database is back under its name, as it was, and the caches are
# flushed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_TEST_URL INKWELL_TEST_CONF INKWELL_BUILD INKWELL_TEST_PIDFILE
command -v psql >/dev/null || skip_all "psql missing"
command -v curl >/dev/null || skip_all "curl missing"
command -v pgrep >/dev/null || skip_all "pgrep missing"
URL=$INKWELL_TEST_URL
bin=$INKWELL_BUILD/inkwellctl
ctl() { "$bin" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
adm() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=postgres" "$@"; }

db=$(pg -c 'SELECT current_database()') || skip_all "the stack's database is unreachable"
saved=${db}_t3008_saved_$$
site_a=${db}_t3008_a_$$
scratch=${db}_t3008_x_$$
tmp=$(mktemp -d /tmp/inkwell-3008.XXXXXX)

# set_aside NAME: the database under $db goes to NAME; no session stays
# connected to it (the workers reconnect by themselves later).
set_aside() {
	adm -c "ALTER DATABASE \"$db\" WITH ALLOW_CONNECTIONS false" >/dev/null || return 1
	for _ in $(seq 50); do
		adm -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
		if [[ $(adm -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db'") == 0 ]] &&
			adm -c "ALTER DATABASE \"$db\" RENAME TO \"$1\"" >/dev/null 2>&1; then
			adm -c "ALTER DATABASE \"$1\" WITH ALLOW_CONNECTIONS true" >/dev/null
			return 0
		fi
		sleep 0.1
	done
	return 1
}
exists() { [[ $(adm -c "SELECT count(*) FROM pg_database WHERE datname = '$1'") == 1 ]]; }
# fresh: a new, migrated, empty database under $db.
fresh() { adm -c "CREATE DATABASE \"$db\"" >/dev/null && ctl migrate >/dev/null; }
restore() {
	if exists "$saved"; then
		if exists "$db"; then
			set_aside "${db}_t3008_gone_$$" && adm -c "DROP DATABASE \"${db}_t3008_gone_$$\"" >/dev/null
		fi
		adm -c "ALTER DATABASE \"$saved\" RENAME TO \"$db\"" >/dev/null
	fi
	for d in "$site_a" "$scratch"; do
		adm -c "DROP DATABASE IF EXISTS \"$d\"" >/dev/null 2>&1
	done
}
cleanup() {
	restore
	ctl cache flush >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# ready: the stack answers from the database it has now.
ready() {
	for _ in $(seq 100); do
		if [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz") == 200 &&
			$(curl -s -o /dev/null -w '%{http_code}' "$URL/") == 200 ]]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# reload: inkwelld replaces its workers (SIGHUP), so none keeps what it
# read from the database before (the comment form's key) and every one
# connects afresh; waits (bounded) until no old worker is left.
sup=$(cat "$INKWELL_TEST_PIDFILE" 2>/dev/null)
workers() { pgrep -x -P "$sup" inkwelld 2>/dev/null | sort | paste -sd' '; }
reload() {
	local before w pid gone
	before=$(workers)
	[[ -n $before ]] && kill -HUP "$sup" || return 1
	for _ in $(seq 150); do
		w=" $(workers) "
		gone=1
		for pid in $before; do
			[[ $w == *" $pid "* ]] && gone=0
		done
		if ((gone)) && [[ $(wc -w <<<"$w") == $(wc -w <<<"$before") ]]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

ok "the stack's database is put aside" set_aside "$saved"
ok "a fresh database takes its name (site A)" fresh
if ! exists "$db"; then
	done_testing
fi

# --- site A -------------------------------------------------------------------
png() {
	python3 - "$1" <<-'PY'
	import struct, sys, zlib
	def chunk(t, d):
	    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	raw = b"\0" + b"\x10\x20\x30\xff" * 3
	open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n"
	    + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 1, 8, 6, 0, 0, 0))
	    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
	PY
}
mkdir -p "$tmp/seed"
post() { # slug status date author tags title
	{
		printf -- '---\ntitle: "%s"\nslug: %s\nstatus: %s\nauthor: %s\n' "$6" "$1" "$2" "$4"
		[[ -n $3 ]] && printf 'date: %s\n' "$3"
		printf 'updated: 2026-03-01T12:00:00.25Z\ntags: [%s]\nsummary: "Summary of %s"\n---\n\n' "$5" "$1"
		printf 'Body of *%s* with <script>alert("x")</script> & a [link](https://example.org/?a=1&b=2).\n' "$1"
	} >"$tmp/seed/$1.md"
}
for i in 1 2 3 4 5; do
	post "pub-$i" published "2026-0$i-0${i}T09:00:00.123456Z" admin "t-one: One, t-two: \"Two, <b>\"" "Published $i"
done
post "by-second" published "2026-02-14T10:00:00Z" writer2 "t-two" 'Second'"'"'s \"post\" <i>'
post "a-draft" draft "" admin "t-one" "A draft"
post "later" scheduled "2099-01-01T00:00:00Z" admin "" "Scheduled"
# Standalone pages (kind: page), one published and one a draft.
page() { # slug status title
	printf -- '---\ntitle: "%s"\nslug: %s\nstatus: %s\nauthor: admin\ndate: 2026-01-20T08:00:00Z\nupdated: 2026-03-02T12:00:00Z\nsummary: "Page %s"\nkind: page\n---\n\nThe *%s* page.\n' \
		"$3" "$1" "$2" "$1" "$1" >"$tmp/seed/$1.md"
}
page about published 'About <us>'
page hidden-page draft 'Hidden page'
# quiet CMD...: CMD without its output.
quiet() { "$@" >/dev/null 2>&1; }
ok "a second user" quiet ctl user add --name 'Writer <Two> "W2"' --email w2@example.org --no-password writer2
ok "an admin with a password" quiet sh -c "printf 'correct horse battery\n' | '$bin' -c '$INKWELL_TEST_CONF' user add --role admin --password-stdin --name 'Site Admin' admin"
ok "a user who is then disabled" quiet ctl user add --no-password gone
ok "disabled" quiet ctl user disable gone
ok "posts in every status" quiet ctl import --posts "$tmp/seed"
token=$(ctl token add --name "t3008 token" admin 2>/dev/null)
like "$token" '^iw_' "an API token"
ctl token add --name "revoked one" writer2 >/dev/null 2>&1
pg >/dev/null <<'SQL'
UPDATE users SET bio = E'Writes <em>things</em> & "quotes"\nover two lines' WHERE username = 'writer2';
UPDATE settings SET value = '2' WHERE key = 'posts_per_page';
UPDATE settings SET value = 'A "tested" blog <3' WHERE key = 'title';
UPDATE settings SET value = '[{"label":"Home","url":"/"},{"label":"About <us>","url":"/pages/about"},{"label":"Elsewhere","url":"https://example.org/x?a=1&b=2"}]' WHERE key = 'menu';
UPDATE api_tokens SET revoked_at = '2026-04-01 10:00:00.5+00' WHERE name = 'revoked one';
INSERT INTO tags (slug, name) VALUES ('unused', 'Unused tag');
INSERT INTO comments (post_id, author_name, author_email, author_url, body, status, remote_addr, created_at)
SELECT p.id, v.n, v.e, v.u, v.b, v.s, v.ip::inet, v.t::timestamptz
FROM posts p, (VALUES
    ('Ann', 'ann@example.org', 'https://ann.example.org/', E'First! <script>alert(1)</script>\nline two', 'approved', '192.0.2.1', '2026-01-10 10:00:00.1+00'),
    ('Bob', '', '', 'Held for moderation', 'pending', '2001:db8::1', '2026-01-11 10:00:00+00'),
    ('Spammer', 'x@spam.example', 'http://spam.example/', 'Buy now', 'spam', NULL, '2026-01-12 10:00:00+00'))
    AS v(n, e, u, b, s, ip, t)
WHERE p.slug = 'pub-1';
INSERT INTO comments (post_id, parent_id, author_name, body, status, created_at)
SELECT post_id, id, 'Cy "reply"', 'A reply to Ann', 'approved', '2026-01-13 10:00:00+00'
FROM comments WHERE author_name = 'Ann';
INSERT INTO redirects (from_path, to_path, code, source)
VALUES ('/2019/01/old-post/', '/posts/pub-1', 301, 'wxr'), ('/elsewhere', 'https://example.org/x', 302, 'manual');
INSERT INTO post_revisions (post_id, user_id, kind, created_at, title, summary, body_md)
SELECT p.id, u.id, v.k, v.t::timestamptz, v.ti, v.su, v.b
FROM posts p, users u, (VALUES
    ('save', '2026-01-05 09:00:00.25+00', 'First "draft"', '', E'Line one\n<script>alert(1)</script>\n\ttabbed'),
    ('restore', '2026-01-06 09:00:00+00', 'Back', 'A summary', E'Line one\n'),
    ('autosave', '2026-01-07 09:00:00+00', '', '', 'half-typ'))
    AS v(k, t, ti, su, b)
WHERE p.slug = 'pub-1' AND u.username = 'writer2';
INSERT INTO post_revisions (post_id, user_id, kind, created_at, title)
SELECT id, NULL, 'save', '2026-01-08 09:00:00+00', 'By a deleted user' FROM posts WHERE slug = 'pub-1';
SQL
png "$tmp/pic.png"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $token" \
	-H 'Content-Type: application/octet-stream' --data-binary "@$tmp/pic.png" "$URL/api/v1/media/pic-1.png")
is "$code" 201 "media uploaded through the API"
is "$(pg -c "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL")" 1 "a reply is stored"

# record DIR: every page and API answer into DIR (status, type, body).
record() {
	local dir=$1 u n=0 page
	mkdir -p "$dir"
	: >"$tmp/urls"
	curl -s "$URL/sitemap.xml" | grep -o '<loc>[^<]*</loc>' | sed -e 's/<[^>]*>//g' -e 's|^[a-z]*://[^/]*||' >>"$tmp/urls"
	printf '%s\n' / /archive /feed.atom /feed.rss /sitemap.xml /robots.txt \
		'/search?q=body' /tags/t-one /tags/t-two /tags/unused /authors/admin /authors/writer2 \
		/authors/gone /archive/2026/01 /archive/2026/02 /media/pic-1.png /posts/a-draft /posts/later \
		/api/v1/posts /api/v1/tags /api/v1/authors '/api/v1/posts?page=2' \
		/pages/hidden-page /posts/about /api/v1/pages /api/v1/pages/about /api/v1/menu >>"$tmp/urls"
	for page in 2 3 4 5; do
		printf '/?page=%s\n/tags/t-one?page=%s\n' "$page" "$page" >>"$tmp/urls"
	done
	for u in pub-1 pub-2 by-second a-draft later; do
		printf '/api/v1/posts/%s\n' "$u" >>"$tmp/urls"
	done
	sort -u "$tmp/urls" >"$dir.urls"
	while read -r u; do
		n=$((n + 1))
		curl -s -o "$dir/$n.body" -w '%{http_code} %{content_type}\n' "$URL$u" >"$dir/$n.head"
	done <"$dir.urls"
	# The token's own view: who it is, the media list, drafts.
	for u in /api/v1/me /api/v1/media /api/v1/posts/a-draft; do
		n=$((n + 1))
		echo "$u (token)" >>"$dir.urls"
		curl -s -H "Authorization: Bearer $token" -o "$dir/$n.body" \
			-w '%{http_code} %{content_type}\n' "$URL$u" >"$dir/$n.head"
	done
}
ok "the workers reloaded" reload
ok "site A serves" ready
ctl cache flush >/dev/null 2>&1
record "$tmp/a"
nurls=$(wc -l <"$tmp/a.urls")
ok "pages to compare: $nurls, the sitemap's among them" test "$nurls" -ge 40
like "$(cat "$tmp/a.urls")" '/posts/pub-5' "the sitemap lists the posts"
like "$(cat "$tmp/a.urls")" '/pages/about' "and the published page"
like "$(curl -s "$URL/")" 'href="/pages/about">About &lt;us&gt;</a>' "the menu links the page"
nsite=$(curl -s "$URL/sitemap.xml" | grep -c '<loc>')
ok "the sitemap's $nsite URLs are among them" test "$nsite" -ge 8
n200=$(cat "$tmp"/a/*.head | grep -c '^200 ')
ok "$n200 of them answer 200 (the rest 404: drafts, pages past the last)" test "$n200" -ge 38
like "$(cat "$tmp/a/1.body" "$tmp"/a/*.body 2>/dev/null | tr -d '\0' | grep -c 'A reply to Ann')" '^[1-9]' \
	"the reply is on a page"

ok "export with secrets" sh -c "'$bin' -c '$INKWELL_TEST_CONF' export --with-secrets '$tmp/e1' >'$tmp/out' 2>&1"
if_fail diag "$(cat "$tmp/out")"
ok "export without" sh -c "'$bin' -c '$INKWELL_TEST_CONF' export '$tmp/e0' >'$tmp/out' 2>&1"
if_fail diag "$(cat "$tmp/out")"

# --- secrets --------------------------------------------------------------------
ok "without --with-secrets: no password hash" test -z "$(grep -l 'password_hash\|argon2' "$tmp/e0"/*.jsonl)"
ok "no token hash" test -z "$(grep -l 'token_hash' "$tmp/e0"/*.jsonl)"
ok "no site key" test ! -s "$tmp/e0/site_keys.jsonl"
like "$(grep '"admin"' "$tmp/e1/users.jsonl")" '"password_hash" : "\$argon2id\$' "with it: the admin's password hash"
is "$(grep -c '"token_hash"' "$tmp/e1/tokens.jsonl")" 2 "and both token hashes"
is "$(stat -c %a "$tmp/e1/users.jsonl")" 600 "a secrets export is readable by its owner only"
ok "the comment form's key" test -s "$tmp/e1/site_keys.jsonl"
is "$(grep -c . "$tmp/e1/comments.jsonl")" 4 "every comment, whatever its state"
like "$(cat "$tmp/e1/comments.jsonl")" '"status" : "spam"' "spam too"
is "$(grep -c . "$tmp/e1/revisions.jsonl")" 4 "every revision"
like "$(cat "$tmp/e1/revisions.jsonl")" '"user_id" : null' "one whose user is gone too"
# What is stored (and exported) is the upload decoded and written again.
curl -s -o "$tmp/pic-stored.png" "$URL/media/pic-1.png"
ok "the media file as stored, byte for byte" cmp "$tmp/pic-stored.png" "$tmp/e1/media/pic-1.png"
like "$(head -n 1 "$tmp/e1/manifest.jsonl")" '^\{"format":"inkwell-export","version":1,"secrets":true\}$' \
	"the manifest's header"
is "$(tail -n 1 "$tmp/e1/manifest.jsonl")" "{\"end\":true,\"files\":$(($(wc -l <"$tmp/e1/manifest.jsonl") - 2))}" \
	"and its end line"

# --- site B: the import -----------------------------------------------------------
ok "site A is put aside" set_aside "$site_a"
ok "a fresh database takes the name (site B)" fresh
out=$(ctl import "$tmp/e1" 2>&1)
is "$?" 0 "the export imports into it"
if_fail diag "$out"
like "$out" "imported whole" "whole"
ctl cache flush >/dev/null 2>&1
ok "the workers reloaded" reload
ok "site B serves" ready
record "$tmp/b"
ok "the same pages asked" cmp "$tmp/a.urls" "$tmp/b.urls"
n=0
while read -r u; do
	n=$((n + 1))
	if cmp -s "$tmp/a/$n.head" "$tmp/b/$n.head" && cmp -s "$tmp/a/$n.body" "$tmp/b/$n.body"; then
		pass "$u: byte for byte"
	else
		fail "$u: byte for byte"
		diag "$(cat "$tmp/a/$n.head" "$tmp/b/$n.head")"
		diag "$(diff <(tr -d '\0' <"$tmp/a/$n.body") <(tr -d '\0' <"$tmp/b/$n.body") | head -n 20)"
	fi
done <"$tmp/a.urls"
is "$(pg -c "SELECT string_agg(t || ':' || (last_value >= m)::text, ' ' ORDER BY t) FROM (
	SELECT 'users' t, (SELECT max(id) FROM users) m, (SELECT last_value FROM users_id_seq) last_value
	UNION ALL SELECT 'comments', (SELECT max(id) FROM comments), (SELECT last_value FROM comments_id_seq)
	UNION ALL SELECT 'posts', (SELECT max(id) FROM posts), (SELECT last_value FROM posts_id_seq)
	UNION ALL SELECT 'revisions', (SELECT max(id) FROM post_revisions), (SELECT last_value FROM post_revisions_id_seq)) s")" \
	"comments:true posts:true revisions:true users:true" "identities are past the largest ids"
is "$(pg -c "SELECT string_agg(kind || '/' || coalesce(u.username, '-') || '/' || r.title, ',' ORDER BY r.id)
	FROM post_revisions r LEFT JOIN users u ON u.id = r.user_id")" \
	'save/writer2/First "draft",restore/writer2/Back,autosave/writer2/,save/-/By a deleted user' \
	"the revisions came back, with who"
ok "a new comment gets a new id" pg -c "INSERT INTO comments (post_id, author_name, body)
	SELECT id, 'New', 'new' FROM posts WHERE slug = 'pub-2'"
pg -c "DELETE FROM comments WHERE author_name = 'New'" >/dev/null
ok "exported again" sh -c "'$bin' -c '$INKWELL_TEST_CONF' export --with-secrets '$tmp/e2' >'$tmp/out' 2>&1"
if_fail diag "$(cat "$tmp/out")"
ok "the two exports are byte for byte the same" diff -r "$tmp/e1" "$tmp/e2"
if_fail diag "$(diff -r "$tmp/e1" "$tmp/e2" | head -n 20)"
ok "the password still signs in (the hash came back)" test "$(pg -c "SELECT password_hash FROM users WHERE username = 'admin'")" = \
	"$(grep '"admin"' "$tmp/e1/users.jsonl" | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["password_hash"])')"

# Exporting into the same folder after two posts went: the one nobody
# touched goes with them, the edited one stays.
echo "local edit" >>"$tmp/e2/pub-4.md"
pg -c "DELETE FROM posts WHERE slug IN ('pub-4', 'pub-5')" >/dev/null
out=$(ctl export --with-secrets "$tmp/e2" 2>&1)
like "$out" "pub-5.md: removed \(no longer in the site\)" "a deleted post's unchanged file is removed"
ok "it is gone" test ! -e "$tmp/e2/pub-5.md"
like "$out" "pub-4.md: no longer in the site, but changed since the last export; left alone" \
	"an edited one is left alone, saying so"
like "$(tail -n 1 "$tmp/e2/pub-4.md")" "local edit" "with the edit"
ok "the manifest lists neither" test -z "$(grep -e '"pub-4.md"' -e '"pub-5.md"' "$tmp/e2/manifest.jsonl")"

out=$(ctl import "$tmp/e1" 2>&1)
is "$?" 1 "a complete export into a database with content: exit 1"
like "$out" "the database is not empty" "says why"

# --- broken exports ---------------------------------------------------------------
adm -c "CREATE DATABASE \"$scratch\"" >/dev/null
printf '[database]\nprimary = %s dbname=%s\n' "$INKWELL_TEST_PG" "$scratch" >"$tmp/x.conf"
xctl() { "$bin" -c "$tmp/x.conf" "$@"; }
xpg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$scratch" "$@"; }
ok "an empty scratch database" sh -c "'$bin' -c '$tmp/x.conf' migrate >/dev/null"
counts="SELECT concat_ws(' ', (SELECT count(*) FROM users), (SELECT count(*) FROM posts),
	(SELECT count(*) FROM tags), (SELECT count(*) FROM comments), (SELECT count(*) FROM media),
	(SELECT count(*) FROM api_tokens), (SELECT count(*) FROM redirects), (SELECT count(*) FROM site_keys),
	(SELECT count(*) FROM post_revisions),
	(SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM settings))"
empty=$(xpg -c "$counts")
# remanifest DIR: the manifest made again for DIR's files as they are now,
# so a case tests what it means to (a line, a reference), not a checksum.
remanifest() {
	python3 - "$1" <<-'PY'
	import hashlib, json, sys, os
	d = sys.argv[1]
	lines = open(os.path.join(d, "manifest.jsonl")).read().splitlines()
	out = [lines[0]]
	for l in lines[1:-1]:
	    e = json.loads(l)
	    b = open(os.path.join(d, e["file"]), "rb").read()
	    out.append(json.dumps({"file": e["file"], "size": len(b), "lines": b.count(b"\n"),
	                           "sha256": hashlib.sha256(b).hexdigest()}, separators=(",", ":")))
	out.append(lines[-1])
	open(os.path.join(d, "manifest.jsonl"), "w").write("\n".join(out) + "\n")
	PY
}
# nul_key: settings.jsonl's first key gets a NUL (\u0000) inside.
nul_key() {
	python3 - <<-'PY'
	l = open("settings.jsonl").read().split("\n")
	l[0] = l[0].replace('"key" : "comments"', '"key" : "a\\u0000b"')
	open("settings.jsonl", "w").write("\n".join(l))
	PY
}
# broken NAME EXPECT CMD...: copies e1, runs CMD in the copy, imports it.
broken() {
	local name=$1 expect=$2 c=$tmp/c
	shift 2
	rm -rf "$c"
	cp -a "$tmp/e1" "$c"
	(cd "$c" && eval "$*")
	out=$(xctl import "$c" 2>&1)
	rc=$?
	ok "$name: refused (exit 1)" test "$rc" -eq 1
	like "$out" "$expect" "$name: says where"
	if_fail diag "$out"
	is "$(xpg -c "$counts")" "$empty" "$name: nothing imported"
}
broken "no manifest" "but manifest.jsonl is not: an export cut short" 'rm manifest.jsonl'
broken "manifest cut short" "manifest.jsonl:[0-9]+: .*(cut short|no end)" 'head -c -20 manifest.jsonl >m && mv m manifest.jsonl'
broken "a file missing" "comments.jsonl: No such file" 'rm comments.jsonl'
broken "a file cut short" "users.jsonl: [0-9]+ bytes, the manifest says" 'head -c -10 users.jsonl >u && mv u users.jsonl'
broken "a checksum mismatch" "tags.jsonl: its sha256 is not the manifest" 'sed -i "s/One/Uno/" tags.jsonl'
broken "a post's file changed" "pub-3.md: its sha256" 'sed -i "s/Body of/Bxdy of/" pub-3.md'
broken "media bytes changed" "media/pic-1.png: its sha256 is not the manifest" \
	'printf Q | dd of=media/pic-1.png bs=1 seek=20 conv=notrunc 2>/dev/null'
broken "media bytes that are not the sha256 of media.jsonl" "media.jsonl:1: media/pic-1.png: size or sha256" \
	'printf Q | dd of=media/pic-1.png bs=1 seek=20 conv=notrunc 2>/dev/null; remanifest .'
broken "an unknown format version" "manifest.jsonl:1: format version is not 1" \
	'sed -i "1s/\"version\":1/\"version\":2/" manifest.jsonl'
broken "a malformed line" "comments.jsonl:3: not one JSON value" \
	'sed -i "3s/}$/,/" comments.jsonl; remanifest .'
broken "an unknown key" "users.jsonl:2: unknown key" \
	'sed -i "2s/^{/{\"is_root\" : true, /" users.jsonl; remanifest .'
broken "a duplicate id" "comments.jsonl:2: id [0-9]+ given twice" \
	'sed -i "2s/\"id\" : [0-9]*/\"id\" : 1/" comments.jsonl; remanifest .'
broken "a comment on a missing post" "comments.jsonl:1: post_id 999 is no post" \
	'sed -i "1s/\"post_id\" : [0-9]*/\"post_id\" : 999/" comments.jsonl; remanifest .'
broken "a revision of a missing post" "revisions.jsonl:1: post_id 999 is no post" \
	'sed -i "1s/\"post_id\" : [0-9]*/\"post_id\" : 999/" revisions.jsonl; remanifest .'
broken "a revision by a missing user" "revisions.jsonl:1: user_id 999 is no user" \
	'sed -i "1s/\"user_id\" : [0-9]*/\"user_id\" : 999/" revisions.jsonl; remanifest .'
broken "a revision kind the schema refuses" "revisions.jsonl:2: .*check constraint" \
	'sed -i "2s/\"kind\" : \"[a-z]*\"/\"kind\" : \"maybe\"/" revisions.jsonl; remanifest .'
broken "a reply to a missing comment" "comments.jsonl:4: parent_id 77 is no earlier comment" \
	'sed -i "4s/\"parent_id\" : [0-9]*/\"parent_id\" : 77/" comments.jsonl; remanifest .'
broken "a post by a missing user" "posts.jsonl:1: author_id 999 is no user" \
	'sed -i "1s/\"author_id\" : [0-9]*/\"author_id\" : 999/" posts.jsonl; remanifest .'
broken "a token of a missing user" "tokens.jsonl:1: user_id 999 is no user" \
	'sed -i "1s/\"user_id\" : [0-9]*/\"user_id\" : 999/" tokens.jsonl; remanifest .'
broken "a line the database refuses" "users.jsonl:3: duplicate key" \
	'sed -i "3s/\"username\" : \"[a-z0-9]*\"/\"username\" : \"admin\"/" users.jsonl; remanifest .'
broken "a status the schema refuses" "comments.jsonl:2: .*check constraint" \
	'sed -i "2s/\"status\" : \"[a-z]*\"/\"status\" : \"maybe\"/" comments.jsonl; remanifest .'
broken "a line too long" "redirects.jsonl:3: line longer than" \
	'head -c 1100000 /dev/zero | tr "\0" a >>redirects.jsonl; echo >>redirects.jsonl; remanifest .'
broken "a NUL inside a string" "settings.jsonl:1: .*NUL" 'nul_key; remanifest .'
broken "a deeply nested line" "tags.jsonl:1: not one JSON value" \
	'python3 -c "print(\"[\" * 5000)" >tags.jsonl; remanifest .'
broken "a name outside the folder" "manifest.jsonl:[0-9]+: not a file name" \
	'sed -i "2s/\"file\":\"[^\"]*\"/\"file\":\"..\/..\/etc\/passwd\"/" manifest.jsonl'
broken "a media file that is a link" "media/pic-1.png: a symbolic link" \
	'ln -sf /etc/passwd media/pic-1.png'
broken "a post file missing from the manifest" "posts.jsonl:[0-9]+: pub-2.md is not in the manifest|Markdown files for" \
	'grep -v "\"pub-2.md\"" manifest.jsonl >m; mv m manifest.jsonl; sed -i "\$s/[0-9]*}$/$(($(wc -l <manifest.jsonl) - 2))}/" manifest.jsonl'

# --- without secrets ----------------------------------------------------------------
out=$(xctl import "$tmp/e0" 2>&1)
is "$?" 0 "the export without secrets imports too"
if_fail diag "$out"
is "$(xpg -c "SELECT count(*) FROM users WHERE password_hash IS NOT NULL")" 0 "with no password hash"
is "$(xpg -c "SELECT count(*) FROM api_tokens")" 2 "its tokens listed"
is "$(xpg -c "SELECT count(*) FROM api_tokens t WHERE t.token_hash IN (SELECT decode(h, 'hex') FROM (VALUES
	$(grep -o '"token_hash" : "[0-9a-f]*"' "$tmp/e1/tokens.jsonl" | sed -e "s/.*: \"\(.*\)\"/('\1')/" | paste -sd,)) v(h))")" 0 \
	"but no secret opens them"

# --- the stack as it was ---------------------------------------------------------------
restore
ok "the stack's own database is back under its name" exists "$db"
ok "and nothing of the test's is left" test "$(adm -c "SELECT count(*) FROM pg_database WHERE datname LIKE '%t3008%'")" = 0
ctl cache flush >/dev/null 2>&1
ok "the workers reloaded" reload
ok "the stack serves it" ready

done_testing
