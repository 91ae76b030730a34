#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4008-cache: the page cache through nginx: Redis, and the page files
# nginx serves itself.  A second request is a hit (from the page file:
# no worker involved) with the same bytes and validators; a write through
# inkwellctl is visible on the very next request, one made behind
# inkwell's back (psql) within the sync interval, and a scheduled post
# appears when its time comes with no write at all.  Hostile paths never
# reach a file outside the current generation; generations swapped under
# load never cost a reader an error.  Then Redis is stopped under a
# bounded load and later frozen (slow): every request is answered 200
# within the timeout, writes still show at once, and when Redis is back
# the hits come back by themselves.  /metrics counts all of it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD INKWELL_SRC
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
REDIS_PIDFILE=$INKWELL_TEST_VAR/run/redis.pid
REDIS_CONF=$INKWELL_TEST_VAR/redis.conf
REDIS_LOG=$INKWELL_TEST_VAR/log/redis.log
[[ -x $CTL && -f $REDIS_CONF && -f $REDIS_PIDFILE ]] || skip_all "no test stack Redis or inkwellctl"
TMP=$(mktemp -d /tmp/inkwell-4008.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
redis_pid() { cat "$REDIS_PIDFILE" 2>/dev/null; }
redis_alive() { local p; p=$(redis_pid) && [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }
redis_start() {
	setsid redis-server "$REDIS_CONF" >>"$REDIS_LOG" 2>&1 </dev/null &
	echo $! >"$REDIS_PIDFILE"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(REDISCLI_AUTH=$(cat "$INKWELL_TEST_VAR/redis-password") \
			redis-cli -s "$INKWELL_TEST_VAR/run/redis.sock" ping 2>/dev/null) == PONG ]] && return 0
		sleep 0.1
	done
	return 1
}
SLUG=cache-4008
cleanup() {
	local p
	p=$(redis_pid)
	[[ -n $p ]] && kill -CONT "$p" 2>/dev/null
	redis_alive || redis_start
	sql "DELETE FROM posts WHERE slug IN ('$SLUG', '$SLUG-later')" >/dev/null 2>&1
	# A theme test that stopped half-way: the stack's own theme back.
	if [[ -f $TMP/conf.orig ]] && ! cmp -s "$TMP/conf.orig" "$INKWELL_TEST_CONF"; then
		cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
		[[ -n ${SUP:-} ]] && kill -HUP "$SUP" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# get PATH [curl args]: body in $TMP/body, headers in $TMP/head, prints code.
get() {
	local path=$1
	shift
	: >"$TMP/body"
	curl -s --max-time 10 -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$@" "$URL$path"
}
xcache() { tr -d '\r' <"$TMP/head" | sed -n 's/^X-Cache: //p'; }
header() { tr -d '\r' <"$TMP/head" | sed -n "s/^$1: //p"; }

# A post of our own, written the way an author's write is: inkwellctl.
mkdir -p "$TMP/in"
# A minute ago: the newest post, so it is on the home page and in the feed.
WHEN=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
post() {
	cat >"$TMP/in/$SLUG.md" <<-EOT
		---
		title: "$1"
		slug: $SLUG
		author: cache-tester
		author_name: Cache Tester
		date: $WHEN
		status: published
		---
		The cache test's post.
	EOT
	"$CTL" -c "$INKWELL_TEST_CONF" import "$TMP/in" >"$TMP/import.log" 2>&1
}
ok "a post imported" post "Cache title one"
if_fail diag "$(cat "$TMP/import.log")"

# --- hits, misses and validators --------------------------------------
p=/posts/$SLUG
is "$(get "$p")" 200 "first request answers"
like "$(xcache)" '^(MISS|HIT)$' "it says what the cache did"
cp "$TMP/body" "$TMP/first"
etag1=$(header ETag)
is "$(get "$p")" 200 "second request answers"
is "$(xcache)" HIT "and is a hit"
is "$(header X-Request-Id)" "" "served by nginx from the page file (no worker, no X-Request-Id)"
ok "a hit has the same bytes as the page made for the miss" cmp -s "$TMP/first" "$TMP/body"
is "$(header ETag)" "$etag1" "and the same ETag"
is "$(header Content-Type)" "text/html; charset=utf-8" "and the same Content-Type"
is "$(header Cache-Control)" "no-cache" "and the same Cache-Control"
is "$(get "$p" -H "If-None-Match: $etag1")" 304 "a hit revalidates: If-None-Match gives 304"
is "$(stat -c %s "$TMP/body")" 0 "with no body"
is "$(curl -s -I --max-time 10 -o /dev/null -w '%{http_code} %{size_download}' "$URL$p")" "200 0" \
	"HEAD is served from the cache too, with no body"

is "$(get "/api/v1/posts/$SLUG")" 200 "API post: answers"
is "$(get "/api/v1/posts/$SLUG")" 200 "API post: again"
is "$(xcache)" HIT "API answers are cached too"
is "$(header Content-Type)" "application/json" "with their JSON type"

get "/?page=1" >/dev/null
get "/?page=1" >/dev/null
is "$(xcache)" HIT "/?page=1 is cached"
get "/?page=1&utm_source=x" >/dev/null
is "$(xcache)" BYPASS "an unknown query key is never cached"
is "$(get "/api/v1/posts?page=abc")" 400 "a bad API filter still gets its 400"
is "$(get "/api/v1/posts?page=abc")" 400 "every time"
is "$(get /healthz)" 200 "/healthz answers"
is "$(xcache)" "" "and is not a cacheable route (no X-Cache)"
is "$(get /no/such/page)" 404 "a 404"
get /no/such/page >/dev/null
isnt_hit=$(xcache)
# A path no route has still asks the page cache (for a redirect there,
# sql/0010), so it may say MISS; a 404 itself is never stored.
ok "404s are not cached (never a HIT)" test "$isnt_hit" != HIT

# --- writes invalidate before they are acknowledged --------------------
get / >/dev/null
get / >/dev/null
get /feed.atom >/dev/null
get /feed.atom >/dev/null
is "$(xcache)" HIT "the feed is cached"
ok "the title changed with inkwellctl import" post "Cache title two"
for path in "$p" / /feed.atom "/api/v1/posts/$SLUG" /search?q=cache; do
	get "$path" >/dev/null
	like "$(cat "$TMP/body")" 'Cache title two' "right after the import, $path shows the new title"
	unlike "$(cat "$TMP/body")" 'Cache title one' "and not the old one"
done

# Behind inkwell's back: seen within the sync interval (1 s).
get "$p" >/dev/null
get "$p" >/dev/null
is "$(xcache)" HIT "cached again"
sql "UPDATE posts SET title = 'Cache title three' WHERE slug = '$SLUG'"
t0=$EPOCHREALTIME
seen=
for ((i = 0; i < 40; i++)); do
	get "$p" >/dev/null
	if grep -q 'Cache title three' "$TMP/body"; then
		seen=$EPOCHREALTIME
		break
	fi
	sleep 0.05
done
ok "an UPDATE made with psql shows within 2 s" test -n "$seen"
if [[ -n $seen ]]; then
	note "seen after $(awk -v a="$t0" -v b="$seen" 'BEGIN { printf "%.2f", b - a }') s"
fi
stale=0
for ((i = 0; i < 10; i++)); do
	get "$p" >/dev/null
	grep -q 'Cache title three' "$TMP/body" || stale=1
done
is "$stale" 0 "and once seen, never the old one again"

# The keeper (which retires page files on such changes) is restarted when
# it dies, and goes on doing its job.
SUP=$(head -n 1 "$INKWELL_TEST_VAR/run/inkwelld.pid" 2>/dev/null | tr -dc '0-9')
keeper() { pgrep -x -P "$SUP" inkwell-keeper 2>/dev/null | head -n 1; }
k1=$(keeper)
like "$k1" '^[0-9]+$' "inkwelld runs a keeper process ($k1)"
kill -KILL "$k1" 2>/dev/null
k2=
for ((i = 0; i < 50; i++)); do
	k2=$(keeper)
	[[ -n $k2 && $k2 != "$k1" ]] && break
	sleep 0.1
done
ok "killed, it is back within 5 s ($k2)" test -n "$k2" -a "$k2" != "$k1"
get "$p" >/dev/null
get "$p" >/dev/null
sql "UPDATE settings SET value = value || ' 4008' WHERE key = 'title'"
seen=
for ((i = 0; i < 40; i++)); do
	get "$p" >/dev/null
	if grep -q ' 4008<' "$TMP/body"; then seen=1; break; fi
	sleep 0.05
done
ok "the new keeper retires page files after a psql change too" test -n "$seen"
sql "UPDATE settings SET value = regexp_replace(value, ' 4008$', '') WHERE key = 'title'"

# A scheduled post goes live by time alone: no write marks the moment.
sql "INSERT INTO posts (slug, title, summary, body_md, body_html, status, published_at, author_id)
     SELECT '$SLUG-later', 'Cache scheduled post', '', 'x', '<p>x</p>', 'scheduled',
            now() + interval '3 seconds', author_id FROM posts WHERE slug = '$SLUG'"
live_at=$(sql "SELECT extract(epoch FROM published_at) FROM posts WHERE slug = '$SLUG-later'")
sleep 1.2	# past the sync interval: the cache knows when it goes live
get / >/dev/null
get / >/dev/null
is "$(xcache)" HIT "home cached before the scheduled time"
unlike "$(cat "$TMP/body")" 'Cache scheduled post' "without the scheduled post"
while awk -v t="$live_at" -v n="$EPOCHREALTIME" 'BEGIN { exit !(n < t) }'; do sleep 0.05; done
found=
for ((i = 0; i < 30; i++)); do
	get / >/dev/null
	if grep -q 'Cache scheduled post' "$TMP/body"; then
		found=$EPOCHREALTIME
		break
	fi
	sleep 0.05
done
ok "it is on the home page within 1.5 s of its time" test -n "$found"
sql "DELETE FROM posts WHERE slug = '$SLUG-later'" >/dev/null

# --- page files: what nginx may and may not serve ------------------------
PAGES=$INKWELL_TEST_VAR/run/pages
ok "the page files live under the stack's pages directory" test -L "$PAGES/current"
# The DELETE above changed the content: the keeper opens the next
# generation on its next pass, and only then are files written; under a
# loaded machine that took over a second, so ask for up to 10 s.
has_file() { get "$p" >/dev/null; get "$p" >/dev/null
	test -f "$PAGES/current/posts/$SLUG@.html"; }
ok "the post page has its file" wait_for 10 has_file
# A file of our own beside the generations, and one in the generation
# under a name no request may reach.
printf 'CANARY-OUTSIDE\n' >"$PAGES/canary@.html"
printf 'CANARY-INSIDE\n' >"$PAGES/current/.hidden@.html"
leak=0
for path in "/../canary" "/%2e%2e/canary" "/posts/..%2f..%2fcanary" "/..%2fcanary" \
	"/?../canary" "/.hidden" "/%2ehidden" "/posts/$SLUG?/../../../canary" \
	"/posts/$SLUG@" "/posts/$SLUG@.html"; do
	code=$(get "$path")
	if grep -q CANARY "$TMP/body"; then
		leak=1
		diag "$path answered $code with a canary"
	fi
done
is "$leak" 0 "no hostile path reads a file it should not"
rm -f "$PAGES/canary@.html" "$PAGES/current/.hidden@.html"
code=$(curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' --max-time 10 -X POST -d x=1 "$URL$p")
is "$code" 405 "a POST to a page with a file goes to the workers (405 from inkwell)"
like "$(header X-Request-Id)" '^[0-9a-f]{32}$' "answered by a worker"
is "$(curl -s -I --max-time 10 -o /dev/null -w '%{http_code} %{size_download}' "$URL/posts/$SLUG")" "200 0" \
	"HEAD from the page file: 200, no body"
get "/?page=1&utm_source=x" >/dev/null
ok "a URL with an unknown key never gets a file" bash -c "! ls '$PAGES/current/' | grep -q utm"
# Generations swapped (and old ones removed) over and over under load:
# nginx may resolve a file in a generation that is gone when it opens
# it; the workers answer then, so every request still gets its page.
swaps() {
	local i
	for ((i = 0; i < 15; i++)); do
		"$CTL" -c "$INKWELL_TEST_CONF" cache flush >/dev/null 2>&1
		sleep 0.05
	done
}
swaps &
swapper=$!
bad=0 n=0
while kill -0 "$swapper" 2>/dev/null && ((n < 2000)); do
	code=$(get "$p")
	n=$((n + 1))
	if [[ $code != 200 ]] || ! grep -q 'Cache title three' "$TMP/body"; then
		bad=$((bad + 1))
		diag "during swaps: $code $(xcache)"
	fi
done
wait "$swapper"
ok "requests ran during the swaps ($n)" test "$n" -gt 10
is "$bad" 0 "every one answered 200 with the page"

# inkwellctl cache flush
get "$p" >/dev/null
out=$("$CTL" -c "$INKWELL_TEST_CONF" cache flush 2>&1)
like "$out" '^[1-9][0-9]* cached pages removed' "inkwellctl cache flush removes pages"
get "$p" >/dev/null
is "$(xcache)" MISS "the next request is a miss"

# --- a reload onto another theme ------------------------------------------
# Cached pages (Redis entries and page files) were made with the old
# theme; after the reload none of them may be served.
cp -R "$INKWELL_SRC/templates" "$TMP/theme"
printf '<!-- theme-4008 -->\n' >>"$TMP/theme/partials/foot.mustache"
cp "$INKWELL_TEST_CONF" "$TMP/conf.orig"
for path in / "$p"; do get "$path" >/dev/null; get "$path" >/dev/null; done
is "$(xcache)" HIT "before the reload the pages are cached"
# theme_reload DIR: point the stack's inkwelld at DIR, SIGHUP it, and
# wait (up to 10 s) until / shows whether the marker is there.
theme_on() { get / >/dev/null; grep -q 'theme-4008' "$TMP/body"; }
sed -i "s#^templates = .*#templates = $TMP/theme#" "$INKWELL_TEST_CONF"
kill -HUP "$SUP"
ok "after a reload onto an edited theme, / shows it (within 10 s)" wait_for 10 theme_on
for path in "$p" /feed.atom; do
	get "$path" >/dev/null
	get "$path" >/dev/null
done
get "$p" >/dev/null
like "$(cat "$TMP/body")" 'theme-4008' "and so does the post page that was cached"
cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
kill -HUP "$SUP"
# The workers are replaced one at a time: / may already come from a
# new one while an old one still answers the post page, so wait for
# both (a page file or Redis entry of the old theme kept after the
# reload would never go, and fail this).
theme_off() { ! theme_on && get "$p" >/dev/null &&
	! grep -q 'theme-4008' "$TMP/body"; }
ok "back on the first theme, it is gone again (within 10 s)" wait_for 10 theme_off
get "$p" >/dev/null
unlike "$(cat "$TMP/body")" 'theme-4008' "from the post page too"

# --- Redis's password ------------------------------------------------------
# The stack's Redis wants one (requirepass). With a wrong one inkwell
# must not use Redis at all, yet answer every page; with the right one
# back, caching resumes by itself.
LOG=$INKWELL_TEST_VAR/log/inkwell.log
ok "the stack's Redis refuses a client without its password" \
	bash -c "redis-cli -s '$INKWELL_TEST_VAR/run/redis.sock' get x 2>&1 | grep -q NOAUTH"
printf 'not-the-password\n' >"$TMP/wrong-password"
sed -i "s#^password_file = .*#password_file = $TMP/wrong-password#" "$INKWELL_TEST_CONF"
lines0=$(wc -l <"$LOG")
kill -HUP "$SUP"
auth_logged() { tail -n +"$((lines0 + 1))" "$LOG" | grep -q 'redis: auth: WRONGPASS'; }
never_hit() {
	local i
	for i in 1 2 3; do
		[[ $(get "$p") == 200 ]] || return 1
		[[ $(xcache) != HIT ]] || return 1
	done
}
wrong_pw_served() { [[ $(get "$p") == 200 ]] && auth_logged; }
ok "with a wrong password the post page is still served, and the refusal logged (within 10 s)" \
	wait_for 10 wrong_pw_served
ok "  three times over, never from the cache" never_hit
cp "$TMP/conf.orig" "$INKWELL_TEST_CONF"
kill -HUP "$SUP"
hits_again() { get "$p" >/dev/null; get "$p" >/dev/null; [[ $(xcache) == HIT ]]; }
ok "with the right password back, pages are cached again (within 10 s)" wait_for 10 hits_again

# --- Redis stopped under load -----------------------------------------
metric() { curl -s --max-time 5 "$URL/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
trips0=$(metric inkwell_cache_breaker_trips_total)
# The load asks for a search: cached in Redis, never a page file (every
# search would be one), so it shows what the breaker does.
q="/search?q=cache"
get "$q" >/dev/null
# One request every 20 ms or so until told to stop (at most 1500):
# "epoch code x-cache seconds". A fixed count could run out before the
# thaw below on a quick machine, and leave nothing to show hits after it.
load() {
	local i out
	for ((i = 0; i < 1500; i++)); do
		[[ -f $TMP/stop ]] && break
		out=$(curl -s -o /dev/null -D - --max-time 10 -w 'CODE %{http_code} %{time_total}\n' "$URL$q" |
			tr -d '\r' | awk '/^X-Cache:/ { x = $2 } /^CODE/ { c = $2; t = $3 } END { print c, (x ? x : "-"), t }')
		printf '%s %s\n' "$EPOCHREALTIME" "$out"
		sleep 0.02
	done >"$TMP/load"
}
load &
loader=$!
sleep 1
stop_at=$EPOCHREALTIME
ok "Redis stopped (SIGTERM to its pid)" kill -TERM "$(redis_pid)"
for ((i = 0; i < 50; i++)); do redis_alive || break; sleep 0.1; done
ok "it is gone" bash -c "! kill -0 $(redis_pid) 2>/dev/null"
sleep 2
is "$(get "$q")" 200 "a search while Redis is down: 200"
is "$(xcache)" BYPASS "served without the cache"
like "$(cat "$TMP/body")" 'Cache title three' "with the right content"
is "$(get "$p")" 200 "the post page while Redis is down: 200"
like "$(cat "$TMP/body")" 'Cache title three' "with the right content"
ok "a write while Redis is down" post "Cache title four"
if_fail diag "$(cat "$TMP/import.log")"
get "$p" >/dev/null
like "$(cat "$TMP/body")" 'Cache title four' "shows on the very next request (the page file is retired without Redis)"
get "$p" >/dev/null
like "$(cat "$TMP/body")" 'Cache title four' "and the one after"
start_at=$EPOCHREALTIME
ok "Redis started again" redis_start
sleep 2.5	# the breaker retries within 1 s
# freeze it: a slow Redis, not a dead one
frozen=$(redis_pid)
sleep 1
freeze_at=$EPOCHREALTIME
ok "Redis frozen (SIGSTOP)" kill -STOP "$frozen"
sleep 2
t0=$EPOCHREALTIME
is "$(get "$q")" 200 "a search while Redis hangs: 200"
t1=$EPOCHREALTIME
ok "answered within 1 s (the Redis timeout is 100 ms)" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 1) }'
ok "Redis thawed (SIGCONT)" kill -CONT "$frozen"
thaw_at=$EPOCHREALTIME
# Hits after the thaw are looked for from 1.5 s on.
sleep 3
touch "$TMP/stop"
wait "$loader"

# One line a request, whatever curl got (no answer: code 000).
total=$(wc -l <"$TMP/load")
ok "the load ran through it all ($total requests)" test "$total" -ge 150
is "$(awk '$2 != 200' "$TMP/load" | wc -l)" 0 "every one of them 200: Redis down or slow is never an error"
if_fail diag "$(awk '{print $2, $3}' "$TMP/load" | sort | uniq -c)"
slow=$(awk '$4 > 1.0' "$TMP/load" | wc -l)
is "$slow" 0 "none took over 1 s"
if_fail diag "$(sort -k4 -n "$TMP/load" | tail -5)"
down=$(awk -v a="$stop_at" -v b="$start_at" '$1 > a + 0.5 && $1 < b && $3 != "BYPASS"' "$TMP/load" | wc -l)
is "$down" 0 "while Redis was down, every answer said BYPASS"
if_fail diag "$(awk -v a="$stop_at" -v b="$start_at" '$1 > a + 0.5 && $1 < b' "$TMP/load" | awk '{print $3}' | uniq -c)"
hits_between=$(awk -v a="$start_at" -v b="$freeze_at" '$1 > a + 1.5 && $1 < b && $3 == "HIT"' "$TMP/load" | wc -l)
like "$hits_between" '^[1-9]' "after Redis came back, hits resumed by themselves ($hits_between hits)"
hits_after=$(awk -v a="$thaw_at" '$1 > a + 1.5 && $3 == "HIT"' "$TMP/load" | wc -l)
like "$hits_after" '^[1-9]' "and again after it was thawed ($hits_after hits)"
if_fail diag "$(awk '{print $3}' "$TMP/load" | uniq -c)"

# --- metrics -------------------------------------------------------------
curl -s --max-time 5 -o "$TMP/metrics" -D "$TMP/head" "$URL/metrics"
like "$(header Content-Type)" '^text/plain; version=0.0.4' "/metrics is Prometheus text"
m=$(cat "$TMP/metrics")
for name in inkwell_cache_requests_total inkwell_cache_hit_ratio inkwell_cache_errors_total \
	inkwell_cache_lookup_seconds_bucket inkwell_http_request_duration_seconds_bucket; do
	like "$m" "(^|"$'\n'")${name}[{ ]" "/metrics has $name"
done
hits=$(awk '$1 == "inkwell_cache_requests_total{result=\"hit\"}" { print $2 }' "$TMP/metrics")
like "$hits" '^[1-9]' "hits counted ($hits)"
ratio=$(awk '$1 == "inkwell_cache_hit_ratio" { print $2 }' "$TMP/metrics")
ok "hit ratio between 0 and 1 and not 0 ($ratio)" awk -v r="$ratio" 'BEGIN { exit !(r > 0 && r <= 1) }'
trips1=$(metric inkwell_cache_breaker_trips_total)
ok "breaker trips counted ($trips0 -> $trips1)" test "${trips1:-0}" -gt "${trips0:-0}"
done_testing
