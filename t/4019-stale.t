#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4019-stale: readers never see a database outage.  inkwelld's renderer
# keeps the last complete rendering of every public page ([paths]
# stale); with PostgreSQL stopped and Redis and the page files emptied,
# every page a reader can reach (each URL in the sitemap, the tag,
# author and month pages and their pages 2..N, the home page's, the
# archive, the site's feeds and a tag's and an author's) is still
# answered 200, byte for byte what it was, marked X-Inkwell-Stale: 1;
# search, the admin and writes answer 503.  When the database is back
# the pages are fresh again.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
PGDATA=$INKWELL_TEST_VAR/pg
PGBIN=/usr/lib/postgresql/15/bin
STALE=$INKWELL_TEST_VAR/stale
CTL=$INKWELL_BUILD/inkwellctl
[[ -d $PGDATA && -x $PGBIN/pg_ctl && -x $CTL ]] || skip_all "no PostgreSQL cluster of the test stack at $PGDATA"
grep -q "^stale = $STALE\$" "$INKWELL_TEST_CONF" || skip_all "the test stack keeps no rendering in $STALE"
TMP=$(mktemp -d /tmp/inkwell-4019.XXXXXX)
pgctl() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" "$@"; }
restart_pg() { pgctl -l "$INKWELL_TEST_VAR/log/postgresql.log" -w -t 60 start >/dev/null 2>&1; }
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
cleanup() {
	pgctl status >/dev/null 2>&1 || restart_pg
	[[ -e $STALE/current.4019 ]] && mv -T "$STALE/current.4019" "$STALE/current"
	sql "DELETE FROM posts WHERE slug LIKE 'stale-drill-%'; DELETE FROM tags WHERE slug = 'stale-drill';
	     DELETE FROM users WHERE username = 't4019'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# Enough posts that the home page, a tag and a month have pages 2..N:
# 23 live posts in two months of 2019, tagged, and one draft and one
# scheduled post, which no rendering may show.
PW=stale-drill-password-4019
printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role author \
	--name "Stale Drill" --password-stdin t4019 >/dev/null 2>&1
author=$(sql "SELECT id FROM users WHERE username = 't4019'")
like "$author" '^[0-9]+$' "an author of the drill's own"
ok "drill posts written" sql "
INSERT INTO tags (slug, name) VALUES ('stale-drill', 'Stale drill');
INSERT INTO posts (author_id, slug, title, summary, body_md, body_html, status, published_at)
SELECT $author, 'stale-drill-' || i, 'Stale drill ' || i, 'Summary ' || i,
       'Body ' || i, '<p>Body ' || i || '</p>', 'published',
       timestamptz '2019-05-01 12:00+00' + i * interval '2 days'
  FROM generate_series(1, 23) i;
INSERT INTO posts (author_id, slug, title, body_md, body_html, status, published_at)
VALUES ($author, 'stale-drill-draft', 'Stale drill draft', 'd', '<p>d</p>', 'draft', NULL),
       ($author, 'stale-drill-later', 'Stale drill later', 'l', '<p>l</p>', 'scheduled', now() + interval '1 year');
INSERT INTO post_tags (post_id, tag_id)
SELECT p.id, t.id FROM posts p, tags t WHERE p.slug LIKE 'stale-drill-%' AND t.slug = 'stale-drill'"
is "$(sql "SELECT count(*) FROM posts WHERE slug LIKE 'stale-drill-%'")" 25 "25 drill posts in the database"

# The rendering follows the content version ([paths] stale_settle and
# stale_every are short on the test stack).
version() { sql "SELECT version FROM content_version"; }
rendered() { [[ -r $STALE/current/.stamp ]] && [[ $(cut -d' ' -f1 "$STALE/current/.stamp") == "$(version)" ]]; }
ok "the renderer caught up with the content version" wait_for 60 rendered
if_fail diag "stamp: $(cat "$STALE/current/.stamp" 2>/dev/null) version: $(version)"

# Every page a reader can reach, as a reader finds them: the sitemap's
# URLs, then the listing pages' ?page=2..N.
fetch() { curl -s -o "$2" -w '%{http_code}' --max-time 10 "$URL$1"; }
base=$(sed -n 's/^base_url = //p' "$INKWELL_TEST_CONF" | tail -1)
base=${base%/}
fetch /sitemap.xml "$TMP/sitemap" >/dev/null
mapfile -t urls < <({
	printf '%s\n' / /archive /feed.atom /feed.rss /feed.json /sitemap.xml
	# The feeds of a tag and of an author (the sitemap lists their pages).
	for f in feed.atom feed.rss feed.json; do
		printf '%s\n' "/tags/stale-drill/$f" "/authors/t4019/$f"
	done
	grep -o '<loc>[^<]*</loc>' "$TMP/sitemap" | sed -e 's|</\?loc>||g' -e "s|^$base||"
} | awk '!seen[$0]++')
like "${#urls[@]}" '^[0-9]{2,}$' "the sitemap names the site's pages (${#urls[@]} URLs)"
for u in "${urls[@]}"; do
	case $u in
	*/feed.*) ;; # a feed has no pages
	/ | /tags/* | /authors/* | /archive/[0-9]*)
		for ((p = 2; p < 200; p++)); do
			[[ $(fetch "$u?page=$p" /dev/null) == 200 ]] || break
			urls+=("$u?page=$p")
		done
		;;
	esac
done
paged=$(printf '%s\n' "${urls[@]}" | grep -c 'page=')
like "$paged" '^[1-9]' "listing pages 2..N found ($paged of them)"
ok "the drill tag has a page 3" test -n "$(printf '%s\n' "${urls[@]}" | grep -Fx '/tags/stale-drill?page=3')"
ok "a drill month has a page 2" test -n "$(printf '%s\n' "${urls[@]}" | grep -Fx '/archive/2019/05?page=2')"

mkdir -p "$TMP/before" "$TMP/during"
n=0 bad=0
for u in "${urls[@]}"; do
	c=$(fetch "$u" "$TMP/before/$n")
	[[ $c == 200 ]] || { bad=$((bad + 1)); diag "before: $u answered $c"; }
	n=$((n + 1))
done
is "$bad" 0 "before the outage: all ${#urls[@]} pages answer 200"

# Empty Redis and the page files, so that nothing but the rendering can
# answer below; the flush moves the content version, so wait for the
# renderer once more.
ok "inkwellctl cache flush" "$CTL" -c "$INKWELL_TEST_CONF" cache flush
ok "the renderer caught up after the flush" wait_for 60 rendered
stamp_pages=$(cut -d' ' -f4 "$STALE/current/.stamp")
like "$stamp_pages" '^[0-9]+$' "the rendering holds $stamp_pages pages"
ok "it holds at least every page found above" test "$stamp_pages" -ge "${#urls[@]}"

# An author signed in before the outage, for the admin below.
curl -s -o "$TMP/login" -c "$TMP/jar" -b "$TMP/jar" --max-time 10 "$URL/admin/login"
tok=$(grep -o 'name="csrf" value="[^"]*"' "$TMP/login" | head -n 1 | sed 's/.*value="//; s/"$//')
c=$(curl -s -o /dev/null -w '%{http_code}' -c "$TMP/jar" -b "$TMP/jar" --max-time 10 \
	--data-urlencode "csrf=$tok" --data-urlencode username=t4019 --data-urlencode "password=$PW" \
	--data-urlencode next=/admin/posts "$URL/admin/login")
is "$c" 303 "the drill's author signs in"
is "$(curl -s -o /dev/null -w '%{http_code}' -b "$TMP/jar" --max-time 10 "$URL/admin/posts")" 200 "  and sees the admin"

ok "PostgreSQL stopped" pgctl -m fast -w -t 30 stop -s
n=0 bad=0 diff=0 unmarked=0
for u in "${urls[@]}"; do
	c=$(curl -s -o "$TMP/during/$n" -D "$TMP/head" --max-time 10 -w '%{http_code}' \
		-H 'X-Inkwell-Skip-Files: 1' "$URL$u")
	if [[ $c != 200 ]]; then
		bad=$((bad + 1))
		diag "during: $u answered $c"
	elif ! cmp -s "$TMP/before/$n" "$TMP/during/$n"; then
		diff=$((diff + 1))
		diag "during: $u differs from before"
	elif ! tr -d '\r' <"$TMP/head" | grep -qx 'X-Inkwell-Stale: 1'; then
		unmarked=$((unmarked + 1))
		diag "during: $u is not marked stale"
	fi
	n=$((n + 1))
done
is "$bad" 0 "while PostgreSQL is down: all ${#urls[@]} pages answer 200"
is "$diff" 0 "  each byte for byte what it was before"
is "$unmarked" 0 "  each marked X-Inkwell-Stale: 1"
c=$(curl -s -o /dev/null -D "$TMP/head" -w '%{http_code}' --max-time 10 -I -H 'X-Inkwell-Skip-Files: 1' "$URL/tags/stale-drill?page=2")
is "$c" 200 "HEAD of a listing page 2: 200"
like "$(tr -d '\r' <"$TMP/head")" $'\n''Content-Type: text/html' "  as HTML"
is "$(fetch /posts/stale-drill-draft /dev/null)" 503 "a draft was never rendered: 503, not a page"
is "$(fetch /posts/stale-drill-later /dev/null)" 503 "nor a scheduled post: 503"
is "$(fetch '/tags/stale-drill?page=2&utm_source=4019' /dev/null)" 503 "a query the renderer never makes: 503"

c=$(fetch '/search?q=drill' "$TMP/search")
is "$c" 503 "search: 503"
like "$(cat "$TMP/search")" 'stylesheet' "  a themed page (the site's stylesheet)"
like "$(cat "$TMP/search")" '[Uu]navailable' "  that says the site is unavailable"
c=$(curl -s -o "$TMP/admin" -w '%{http_code}' --max-time 10 -b "$TMP/jar" "$URL/admin/posts")
is "$c" 503 "the admin, signed in: 503"
like "$(cat "$TMP/admin")" '[Uu]navailable' "  saying the site is unavailable"
c=$(curl -s -o "$TMP/api" -w '%{http_code}' --max-time 10 -X POST -H 'Authorization: Bearer iw_0000000000000000000000000000000000000000000' \
	-H 'Content-Type: application/json' --data '{"title":"x","body_md":"y"}' "$URL/api/v1/posts")
is "$c" 503 "a write through the API: 503"
like "$(cat "$TMP/api")" '"code":"unavailable"' "  with the JSON error"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST --data 'name=a&body=b' "$URL/posts/stale-drill-1/comments")
is "$c" 503 "a comment: 503"

# The check can fail: without the rendering the same page is a 503.
mv -T "$STALE/current" "$STALE/current.4019"
is "$(fetch /tags/stale-drill?page=2 /dev/null)" 503 "with the rendering moved aside, a listing page is 503"
mv -T "$STALE/current.4019" "$STALE/current"
is "$(fetch /tags/stale-drill?page=2 /dev/null)" 200 "and 200 again with it back"

ok "PostgreSQL started again" restart_pg
fresh() {
	curl -s -o /dev/null -D "$TMP/head" --max-time 10 -H 'X-Inkwell-Skip-Files: 1' "$URL/tags/stale-drill?page=2" &&
		head -1 "$TMP/head" | grep -q ' 200' && ! grep -qi '^X-Inkwell-Stale' "$TMP/head"
}
ok "pages are fresh again (no X-Inkwell-Stale) once it is back" wait_for 10 fresh
done_testing
