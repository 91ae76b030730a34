#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4028-search-large: the search page and the API's search at 100,000
# posts give what the product rule says (src/db/db_blog.c, above
# Q_SEARCH): the 100 newest matching live posts, best ranked first
# (ts_rank_cd), ties newest first, then by id; 10 a page, no page past
# the last; every snippet marks the words looked for.  An oracle written
# here, in plain SQL, says which posts and in which order, for a topic
# word (1 post in 20), two words, a phrase, a word with a minus, a rare
# pair (fewer than 10 posts), a word in 12 posts, a word in none and a
# stop word alone.
#
# Its 100,000 posts go in a database of its own on the test stack's
# PostgreSQL (the shared one is left alone), made, migrated and seeded
# with script/lib/bench-seed.sql, plus a few posts of its own: drafts,
# a scheduled post, a page, and live posts with equal times and ranks.
# A second inkwelld (2 workers, no Redis, no page files, no renderer)
# serves it on a socket in a temporary directory and is asked over
# FastCGI directly.  Both are removed on exit, whatever happens.
#
# The oracle finds matches with posts.search (the schema's generated
# column: title, summary and body, weighted A, B, C): reading every
# post's text instead takes about a minute a query.  It ranks its 100
# from the text itself, and checks that the text matches too.
#
# Needs: the test stack (INKWELL_TEST_PG, a superuser who may create a
# database), psql, python3, about 1 GB of disk for the database; takes
# about 5 minutes on 2 cores, most of it seeding.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_BUILD
command -v psql >/dev/null || skip_all "psql missing"
command -v python3 >/dev/null || skip_all "python3 missing"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
seed=$src/script/lib/bench-seed.sql
[[ -f $seed ]] || skip_all "no $seed"
client=$src/t/lib/fcgi_client.py
N=100000

db=inkwell_t4028_$$
tmp=$(mktemp -d /tmp/inkwell-4028.XXXXXX)
sock=$tmp/s.sock
daemon=
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
pgdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$db" "$@"; }
cleanup() {
	if [[ -n $daemon ]]; then
		kill -TERM "$daemon" 2>/dev/null
		wait "$daemon" 2>/dev/null
	fi
	pg -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The configuration below is the whole of it: no INKWELL_SECTION_KEY
# from the caller's environment may point these programs elsewhere.
clean=(env)
while IFS= read -r v; do
	clean+=(-u "$v")
done < <(env | sed -n 's/^\(INKWELL_\(SERVER\|DATABASE\|REDIS\|PATHS\|LOG\|CACHE\)_[A-Z_]*\)=.*/\1/p')

started=$SECONDS
pg -c "CREATE DATABASE $db" >/dev/null || { fail "create the database $db"; done_testing; }
cat >"$tmp/c.conf" <<-CONF
	[server]
	listen = unix:$sock
	workers = 2
	socket_mode = 0600
	shutdown_timeout = 10
	[database]
	primary = $INKWELL_TEST_PG dbname=$db
	statement_timeout = 30000
	[redis]
	address = unix:$tmp/no-redis.sock
	[paths]
	templates = $src/templates
	static = $src/static
	pages =
	stale =
	[log]
	level = warn
CONF
migrate() { "${clean[@]}" "$INKWELL_BUILD/inkwellctl" -c "$tmp/c.conf" migrate >"$tmp/migrate.log" 2>&1; }
ok "inkwellctl migrate makes the schema" migrate
if_fail diag "$(tail -n 5 "$tmp/migrate.log")"
t0=$SECONDS
# In the background: bash runs a trap only once its foreground command
# ends, and a signal must not wait minutes for the seeding to finish.
seed_db() {
	pgdb -v n="$N" -f "$seed" >"$tmp/seed.log" 2>&1 &
	wait $!
}
ok "bench-seed.sql makes $N posts" seed_db
if_fail diag "$(tail -n 5 "$tmp/seed.log")"
note "seeding took $((SECONDS - t0)) s"

# Posts of the test's own, newer than every seeded one, so a rule broken
# shows on the first page: a draft, a scheduled post still to come and
# a page, all saying what the live posts say; a scheduled post whose
# time has come (live); "quokka" in 12 live posts, "zephyr" too in 8 of
# them; q1 to q4 alike to the byte and at the same instant, so only
# their ids order them, and so q6 and q11, 10th and 11th for "quokka":
# the id decides which is on the first page.  x-q10 is older than the
# newest 3,000 posts (the search's first window, SEARCH_WINDOW).
pgdb >"$tmp/extra.log" 2>&1 <<-'SQL'
	BEGIN;
	WITH a AS (SELECT min(id) AS id FROM users),
	x (slug, kind, status, at, title, body) AS (VALUES
	    ('x-draft', 'post', 'draft', now() - interval '5 s',
	     'Replication quokka zephyr draft', 'Quokka zephyr replication.'),
	    ('x-future', 'post', 'scheduled', now() + interval '1 day',
	     'Replication quokka zephyr to come', 'Quokka zephyr replication.'),
	    ('x-page', 'page', 'published', now() - interval '5 s',
	     'Replication quokka zephyr page', 'Quokka zephyr replication.'),
	    ('x-due', 'post', 'scheduled', now() - interval '6 s',
	     'A quokka and a zephyr', 'The quokka met the zephyr by the river.'),
	    ('x-q1', 'post', 'published', now() - interval '10 s',
	     'Quokka notes', 'A zephyr came to the garden.'),
	    ('x-q2', 'post', 'published', now() - interval '10 s',
	     'Quokka notes', 'A zephyr came to the garden.'),
	    ('x-q3', 'post', 'published', now() - interval '10 s',
	     'Quokka notes', 'A zephyr came to the garden.'),
	    ('x-q4', 'post', 'published', now() - interval '10 s',
	     'Quokka notes', 'A zephyr came to the garden.'),
	    ('x-q5', 'post', 'published', now() - interval '11 s',
	     'Notes from the harbour', 'Quokka, quokka, quokka: a zephyr.'),
	    ('x-q6', 'post', 'published', now() - interval '12 s',
	     'Zephyr', 'One quokka.'),
	    ('x-q11', 'post', 'published', now() - interval '12 s',
	     'Zephyr', 'One quokka.'),
	    ('x-q7', 'post', 'published', now() - interval '13 s',
	     'Quokka', 'Nothing else.'),
	    ('x-q8', 'post', 'published', now() - interval '14 s',
	     'A quiet week', 'A quokka, then a quokka again.'),
	    ('x-q9', 'post', 'published', now() - interval '15 s',
	     'Quokka quokka', 'In the morning.'),
	    ('x-q10', 'post', 'published', now() - interval '400 days',
	     'An old note', 'The first quokka.'))
	INSERT INTO posts (author_id, slug, kind, status, published_at, title,
	    summary, body_md, body_html)
	SELECT a.id, x.slug, x.kind, x.status, x.at, x.title, '', x.body,
	    '<p>' || x.body || '</p>'
	FROM x, a ORDER BY x.slug;
	COMMIT;
	ANALYZE posts;
SQL
ok "the test's own posts are added" test $? -eq 0
if_fail diag "$(tail -n 5 "$tmp/extra.log")"
is "$(pgdb -c "SELECT count(*) FROM posts")" $((N + 15)) "the database holds $((N + 15)) posts"

"${clean[@]}" "$INKWELL_BUILD/inkwelld" -c "$tmp/c.conf" 2>"$tmp/d.log" &
daemon=$!
req() { python3 "$client" "unix:$sock" GET "$1"; }
alive() { req /livez >/dev/null 2>&1; }
ok "a second inkwelld serves that database" wait_for 10 alive
if_fail diag "$(tail -n 5 "$tmp/d.log")"

# The oracle: the product rule as plain SQL, one slug a line, best
# first.  Matches come from posts.search; the rank from the text.
oracle() { # QUERY
	pgdb -v q="$1" >"$tmp/oracle" 2>"$tmp/oracle.err" <<-'SQL'
		SET client_min_messages = warning;
		WITH q AS (SELECT websearch_to_tsquery('english', :'q') AS q),
		m AS (
		    SELECT p.id, p.slug, p.published_at,
		        setweight(to_tsvector('english', p.title), 'A') ||
		        setweight(to_tsvector('english', p.summary), 'B') ||
		        setweight(to_tsvector('english', p.body_md), 'C') AS v
		    FROM posts p, q
		    WHERE p.kind = 'post' AND p.status <> 'draft'
		    AND p.published_at <= now() AND p.search @@ q.q
		    ORDER BY p.published_at DESC, p.id DESC LIMIT 100)
		SELECT m.slug || CASE WHEN m.v @@ q.q THEN '' ELSE ' TEXT-DOES-NOT-MATCH' END
		FROM m, q
		ORDER BY ts_rank_cd(m.v, q.q) DESC, m.published_at DESC, m.id DESC;
	SQL
}

# parse FILE: one line per post of a result page, "post SLUG MARKS"
# (the snippet's marked words, lower case, comma-separated, "-" for
# none), then "newer URL" and "older URL" for the pagination links
# there are, and "nomatch" when the page says nothing matched.
parse() {
	python3 - "$1" <<-'EOF'
		import html, re, sys
		body = open(sys.argv[1], encoding="utf-8").read()
		for art in re.findall(r'<article class="summary">(.*?)</article>', body, re.S):
		    m = re.search(r'<h2><a href="/posts/([^"]+)">', art)
		    sn = re.search(r'<p class="snippet">(.*?)</p>', art, re.S)
		    marks = re.findall(r"<mark>(.*?)</mark>", sn.group(1), re.S) if sn else []
		    print("post", m.group(1) if m else "?",
		          ",".join(html.unescape(x).lower() for x in marks) or "-")
		for rel, name in (("prev", "newer"), ("next", "older")):
		    for href in re.findall(r'<a rel="%s" href="([^"]*)"' % rel, body):
		        print(name, html.unescape(href))
		if re.search(r"<p>[^<]*&ldquo;", body):
		    print("nomatch")
	EOF
}

# fetch URI: the response in $tmp/resp, its status in $code, the body
# in $tmp/body.
fetch() {
	req "$1" >"$tmp/resp" 2>"$tmp/req.err"
	code=$(sed -n '1,/^\r$/s/^Status: \([0-9]*\).*/\1/p' "$tmp/resp" | head -n 1)
	[[ -n $code ]] || code=200
	sed '1,/^\r$/d' "$tmp/resp" >"$tmp/body"
}

urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# Whether a pagination URL is /search for QUERY at PAGE (1: no page=).
link_is() { # URL QUERY PAGE
	python3 - "$@" <<-'EOF'
		import sys, urllib.parse
		url, q, page = sys.argv[1], sys.argv[2], int(sys.argv[3])
		u = urllib.parse.urlsplit(url)
		a = urllib.parse.parse_qs(u.query, keep_blank_values=True)
		want = {"q": [q]}
		if page > 1:
		    want["page"] = [str(page)]
		sys.exit(0 if u.path == "/search" and a == want else 1)
	EOF
}

# check_query QUERY MARKS: MARKS is the words a snippet may mark, as
# a regular expression.
check_query() {
	local q=$1 marks=$2 enc n last page pages mid from want got bad slug mk cnt
	enc=$(urlq "$q")
	oracle "$q"
	ok "[$q] the oracle answers" test ! -s "$tmp/oracle.err"
	if_fail diag "$(head -n 5 "$tmp/oracle.err")"
	ok "[$q] every match's text matches too" bash -c '! grep -q TEXT-DOES-NOT-MATCH "$1"' _ "$tmp/oracle"
	mapfile -t want_all <"$tmp/oracle"
	n=${#want_all[@]}
	last=$(((n + 9) / 10))
	((last >= 1)) || last=1
	note "[$q] $n posts, $last pages"
	pages=(1)
	mid=$(((last + 1) / 2))
	((mid > 1 && mid < last)) && pages+=("$mid")
	((last > 1)) && pages+=("$last")
	for page in "${pages[@]}"; do
		if ((page == 1)); then fetch "/search?q=$enc"; else fetch "/search?q=$enc&page=$page"; fi
		is "$code" 200 "[$q] page $page: 200"
		parse "$tmp/body" >"$tmp/parsed"
		from=$(((page - 1) * 10))
		want=$(printf '%s\n' "${want_all[@]:from:10}" | sed '/^$/d')
		got=$(sed -n 's/^post \([^ ]*\) .*/\1/p' "$tmp/parsed")
		cnt=$(grep -c . <<<"$want")
		is "$(tr '\n' ' ' <<<"$got")" "$(tr '\n' ' ' <<<"$want")" \
			"[$q] page $page: the oracle's $cnt posts from number $((from + 1)), in its order"
		bad=
		while read -r _ slug mk; do
			[[ $mk =~ ^($marks)(,($marks))*$ ]] || bad="$bad $slug:$mk"
		done < <(grep '^post ' "$tmp/parsed")
		is "$bad" "" "[$q] page $page: every snippet marks the words, and only them"
		if ((page > 1)); then
			ok "[$q] page $page: a newer link to page $((page - 1))" \
				link_is "$(sed -n 's/^newer //p' "$tmp/parsed")" "$q" $((page - 1))
		else
			ok "[$q] page 1: no newer link" bash -c '! grep -q "^newer" "$1"' _ "$tmp/parsed"
		fi
		if ((page < last)); then
			ok "[$q] page $page: an older link to page $((page + 1))" \
				link_is "$(sed -n 's/^older //p' "$tmp/parsed")" "$q" $((page + 1))
		else
			ok "[$q] page $page: no older link (the last page)" \
				bash -c '! grep -q "^older" "$1"' _ "$tmp/parsed"
		fi
		if ((n == 0)); then
			ok "[$q] the page says nothing matched" grep -qx nomatch "$tmp/parsed"
		fi
	done
	fetch "/search?q=$enc&page=$((last + 1))"
	is "$code" 404 "[$q] page $((last + 1)), past the last: 404"

	# The API: all of them in one page of 100, then a page of 7 (its
	# pages do not fall on the HTML's), then past the end.
	fetch "/api/v1/posts?q=$enc&per_page=100"
	is "$code" 200 "[$q] API, per_page=100: 200"
	python3 - "$tmp/body" "$tmp/oracle" 0 100 "$marks" >"$tmp/api.out" 2>&1 <<-'EOF'
		import json, re, sys
		doc = json.load(open(sys.argv[1]))
		want = open(sys.argv[2]).read().split()
		start, per, marks = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
		got = [p["slug"] for p in doc["posts"]]
		exp = want[start:start + per]
		if got != exp:
		    i = next((i for i, (g, e) in enumerate(zip(got, exp)) if g != e),
		             min(len(got), len(exp)))
		    print("%d posts, expected %d; number %d is %s, expected %s" % (
		        len(got), len(exp), i + 1, got[i] if i < len(got) else "none",
		        exp[i] if i < len(exp) else "none"))
		if doc.get("has_more") != (len(want) > start + per):
		    print("has_more is %s with %d posts" % (doc.get("has_more"), len(want)))
		for p in doc["posts"]:
		    ms = re.findall(r"<mark>(.*?)</mark>", p.get("snippet_html", ""))
		    if not ms or not all(re.fullmatch(marks, m.lower()) for m in ms):
		        print("%s: snippet marks %s" % (p["slug"], ms))
	EOF
	is "$(cat "$tmp/api.out")" "" "[$q] API, per_page=100: the oracle's posts, has_more false, marked"
	if ((n > 14)); then
		fetch "/api/v1/posts?q=$enc&per_page=7&page=3"
		python3 - "$tmp/body" "$tmp/oracle" 14 7 "$marks" >"$tmp/api.out" 2>&1 <<-'EOF'
			import json, sys
			doc = json.load(open(sys.argv[1]))
			want = open(sys.argv[2]).read().split()
			start, per = int(sys.argv[3]), int(sys.argv[4])
			got = [p["slug"] for p in doc["posts"]]
			if got != want[start:start + per]:
			    print("posts: got %s, expected %s" % (got, want[start:start + per]))
			if doc.get("has_more") != (len(want) > start + per):
			    print("has_more is %s" % doc.get("has_more"))
		EOF
		is "$code $(cat "$tmp/api.out")" "200 " "[$q] API, per_page=7&page=3: the oracle's posts 15-21"
	fi
	fetch "/api/v1/posts?q=$enc&per_page=100&page=2"
	is "$code $(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(len(d["posts"]), d["has_more"])' "$tmp/body" 2>&1)" \
		"200 0 False" "[$q] API, past the 100: no posts, no more"
}

# The oracle itself, on what the test knows the answer to: both words
# in the title first; then x-q6 and x-q11, whose two words stand closer
# than in the newer q1-q4 (rank before time); q1-q4, alike, the newest
# id first; last x-q5, newer than x-q6 but with both words in its body.
oracle "quokka zephyr"
is "$(tr '\n' ' ' <"$tmp/oracle")" "x-due x-q6 x-q11 x-q4 x-q3 x-q2 x-q1 x-q5 " \
	"the oracle: the rare pair in rank, then time, then id order"
oracle replication
is "$(wc -l <"$tmp/oracle" | tr -d ' ')" 100 "the oracle: a topic word gives 100 posts"

# Each query with the words its snippets may mark.
check_query replication 'replication'
check_query 'replication latency' 'replication|latency'
check_query '"cut the latency"' 'cut|latency'
check_query 'replication -outage' 'replication'
check_query 'quokka zephyr' 'quokka|zephyr'
check_query quokka 'quokka'
check_query xylophone 'xylophone'
check_query the 'the'

ok "the inkwelld log has no error" bash -c '! grep -q "\"level\":\"error\"" "$1"' _ "$tmp/d.log"
if_fail diag "$(grep '"level":"error"' "$tmp/d.log" | head -n 3)"
note "the whole test took $((SECONDS - started)) s"
done_testing
