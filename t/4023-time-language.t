#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4023-time-language: the site's time zone and date language through
# nginx.  Readers see a post's date, and the archive counts its month,
# in the site's zone (a post at 20:00Z on 31 January is on 1 February in
# Auckland; one at 03:00Z on 1 February is in January in Los Angeles);
# the editor reads and shows "Goes live at" in that zone; the feeds still
# give the right instant; zones not in tzdata and languages inkwell ships
# no file for are refused with a 400 and change nothing; German shows
# German month names, the theme's German strings and <html lang="de">.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
TMP=$(mktemp -d /tmp/inkwell-4023.XXXXXX)
PY=python3
[[ -x /usr/bin/python3 ]] && PY=/usr/bin/python3
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PW='a long enough passphrase'
cleanup() {
	sql "DELETE FROM posts WHERE slug LIKE 't23-%';
	     DELETE FROM throttle WHERE bucket LIKE 'login:%';" >/dev/null 2>&1
	if [[ -f $TMP/settings ]]; then
		while IFS='|' read -r k v; do
			sql "UPDATE settings SET value = \$\$$v\$\$ WHERE key = '$k'" >/dev/null 2>&1
		done <"$TMP/settings"
	fi
	sql "DELETE FROM users WHERE username = 't23admin'" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
sql "DELETE FROM posts WHERE slug LIKE 't23-%'" >/dev/null
sql "SELECT key, value FROM settings WHERE key IN ('title', 'description',
	'posts_per_page', 'comments', 'timezone', 'language')" >"$TMP/settings"

printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role admin \
	--name "T23 admin" --password-stdin t23admin >/dev/null 2>&1 ||
	printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user passwd \
		--password-stdin t23admin >/dev/null 2>&1
J=$TMP/jar
req() { # METHOD PATH [curl args]: body in $TMP/body; prints the status
	local method=$1 path=$2
	shift 2
	: >"$TMP/body"
	curl -s --max-time 20 -b "$J" -c "$J" -X "$method" -o "$TMP/body" \
		-D "$TMP/head" -w '%{http_code}' "$@" "$URL$path"
}
body() { cat "$TMP/body"; }
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
req GET /admin/login >/dev/null
is "$(req POST /admin/login --data-urlencode "csrf=$(csrf)" \
	--data-urlencode username=t23admin --data-urlencode "password=$PW" \
	--data-urlencode next=/admin/settings)" 303 "the admin signs in"
req GET /admin/settings >/dev/null
TOK=$(csrf)
like "$(body)" 'name="timezone"' "the settings form has a time zone field"
like "$(body)" 'name="language"' "  and a language field"
like "$(body)" '<option value="de"' "  which offers German"

# settings ZONE LANG: saves them with the other settings as they are.
settings() {
	req POST /admin/settings --data-urlencode "csrf=$TOK" \
		--data-urlencode title=T23 --data-urlencode description=D23 \
		--data-urlencode posts_per_page=10 --data-urlencode comments=open \
		--data-urlencode "timezone=$1" --data-urlencode "language=$2"
}
setting() { sql "SELECT value FROM settings WHERE key = '$1'"; }

uid=$(sql "SELECT id FROM users WHERE username = 't23admin'")
sql "INSERT INTO posts (author_id, slug, title, body_md, body_html, status,
	published_at) VALUES
	($uid, 't23-auckland', 'T23 Auckland', 'a', '<p>a</p>', 'published',
	 '2026-01-31T20:00:00Z'),
	($uid, 't23-la', 'T23 Los Angeles', 'b', '<p>b</p>', 'published',
	 '2026-02-01T03:00:00Z')" >/dev/null

# --- Auckland -------------------------------------------------------------
v0=$(sql "SELECT version FROM content_version")
is "$(settings Pacific/Auckland en)" 303 "the time zone Pacific/Auckland is saved"
is "$(setting timezone)" Pacific/Auckland "  and stored"
ok "  the content version moved" test "$(sql "SELECT version FROM content_version")" -gt "$v0"
is "$(req GET /posts/t23-auckland)" 200 "the post at 20:00Z on 31 January: 200"
like "$(body)" '<time datetime="2026-01-31T20:00:00Z">1 February 2026</time>' \
	"  shows 1 February 2026, its datetime attribute still the UTC instant"
is "$(req GET /archive/2026/02)" 200 "/archive/2026/02: 200"
like "$(body)" 'href="/posts/t23-auckland"' "  holds it"
req GET /archive/2026/01 >/dev/null
unlike "$(body)" 'href="/posts/t23-auckland"' "/archive/2026/01 does not"
req GET /archive >/dev/null
like "$(body)" '<a href="/archive/2026/02">February 2026</a> \([0-9]+\)' \
	"the archive lists February (Auckland), the month of both"
req GET / >/dev/null
like "$(body)" '>1 February 2026</time>' "the home page's listing shows the Auckland date"

# --- Los Angeles ------------------------------------------------------------
is "$(settings America/Los_Angeles en)" 303 "the time zone America/Los_Angeles is saved"
req GET /posts/t23-la >/dev/null
like "$(body)" '<time datetime="2026-02-01T03:00:00Z">31 January 2026</time>' \
	"the post at 03:00Z on 1 February shows 31 January 2026"
req GET /archive/2026/01 >/dev/null
like "$(body)" 'href="/posts/t23-la"' "  it is in /archive/2026/01"
req GET /archive/2026/02 >/dev/null
unlike "$(body)" 'href="/posts/t23-la"' "  and not in /archive/2026/02"
req GET /archive >/dev/null
like "$(body)" '<a href="/archive/2026/01">January 2026</a> \([0-9]+\)' \
	"the archive lists January (Los Angeles), the month of both"

# --- feeds: the instant, whatever the zone ------------------------------------
for f in atom rss; do
	req GET "/feed.$f" >/dev/null
	"$PY" - "$TMP/body" "$f" >"$TMP/feed.out" 2>&1 <<-'PY'
	import sys, calendar, email.utils, re, feedparser
	raw = open(sys.argv[1], "rb").read()
	d = feedparser.parse(raw)
	assert not d.bozo, "bozo: %r" % d.get("bozo_exception")
	want = {"t23-auckland": 1769889600, "t23-la": 1769914800}
	seen = {}
	for e in d.entries:
	    slug = e.link.rsplit("/", 1)[-1]
	    if slug in want:
	        seen[slug] = calendar.timegm(e.published_parsed)
	assert seen == want, "instants %r, not %r" % (seen, want)
	if sys.argv[2] == "rss":
	    for m in re.findall(rb"<pubDate>([^<]*)</pubDate>", raw):
	        assert email.utils.parsedate_to_datetime(m.decode()).tzinfo, m
	print("ok")
	PY
	ok "/feed.$f parses (bozo 0) and gives each post's instant" test $? -eq 0
	if_fail diag "$(cat "$TMP/feed.out")"
done

# --- scheduling in the editor, in the site's zone -------------------------------
req GET /admin/posts/new >/dev/null
like "$(body)" 'Goes live at \(America/Los_Angeles' "the editor names the site's zone"
is "$(req POST /admin/posts --data-urlencode "csrf=$TOK" --data-urlencode title='T23 scheduled' \
	--data-urlencode slug=t23-scheduled --data-urlencode body_md=s --data-urlencode status=scheduled \
	--data-urlencode published_at=2027-03-01T10:00)" 303 "a post scheduled for 10:00 on 1 March 2027 is saved"
is "$(sql "SELECT to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM posts WHERE slug = 't23-scheduled'")" \
	2027-03-01T18:00:00 "  stored as 18:00Z (10:00 in Los Angeles, UTC-8)"
id=$(sql "SELECT id FROM posts WHERE slug = 't23-scheduled'")
req GET "/admin/posts/$id" >/dev/null
like "$(body)" 'name="published_at" type="datetime-local" step="1" value="2027-03-01T10:00:00"' \
	"  and shown again as 10:00 in the editor"
is "$(req POST /admin/posts --data-urlencode "csrf=$TOK" --data-urlencode title='T23 summer' \
	--data-urlencode slug=t23-summer --data-urlencode body_md=s --data-urlencode status=scheduled \
	--data-urlencode published_at=2027-07-01T10:00:00)" 303 "one for 10:00 on 1 July 2027 is saved"
is "$(sql "SELECT to_char(published_at AT TIME ZONE 'UTC', 'HH24:MI') FROM posts WHERE slug = 't23-summer'")" \
	17:00 "  stored as 17:00Z (summer time, UTC-7)"

# --- refused zones ------------------------------------------------------------
for z in Mars/Olympus ../etc/passwd 'UTC; DROP' posix/UTC '' 'Europe/Berlin/'; do
	is "$(settings "$z" en)" 400 "time zone \"$z\": 400"
	is "$(setting timezone)" America/Los_Angeles "  nothing changed"
done
settings Mars/Olympus en >/dev/null
like "$(body)" 'time zone database' "the 400 page says what a zone is"

# --- language -------------------------------------------------------------------
is "$(settings Pacific/Auckland de)" 303 "the language de is saved"
is "$(req GET /posts/t23-auckland)" 200 "the post in German: 200"
like "$(body)" '<html lang="de">' "  <html lang=\"de\">"
like "$(body)" '>1\. Februar 2026</time>' "  a German date"
like "$(body)" '>Zum Inhalt springen</a>' "  the theme's German skip link"
like "$(body)" 'Einen Kommentar schreiben' "  the German comment form"
like "$(body)" '<button type="submit">Suche</button>' "  the German search button"
unlike "$(body)" 'Skip to content|Leave a comment|Powered by' "  no English string of the theme left"
req GET /archive >/dev/null
like "$(body)" '<h1>Archiv</h1>' "the archive's heading in German"
like "$(body)" '>Februar 2026</a>' "  the months in German"
req GET /archive/2026/02 >/dev/null
like "$(body)" '<h1>Februar 2026</h1>' "a month's page is headed in German"
for l in xx fr ../en EN ''; do
	is "$(settings Pacific/Auckland "$l")" 400 "language \"$l\": 400"
	is "$(setting language)" de "  nothing changed"
done
is "$(settings UTC en)" 303 "back to UTC and English"
req GET /posts/t23-auckland >/dev/null
like "$(body)" '<html lang="en">' "  <html lang=\"en\">"
like "$(body)" '>31 January 2026</time>' "  the UTC date in English"
done_testing
