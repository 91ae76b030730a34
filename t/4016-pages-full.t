#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4016-pages-full: readers never see a page older than an acknowledged
# write, even when the page-files directory cannot take a new generation.
# The stack's [paths] pages gets its own small tmpfs; with it full (blocks,
# then inodes) and then read-only, under a low steady reader load, every
# write through the API either is answered 2xx and the home page and the
# post's page nginx serves show it at once, or is refused with a JSON
# error and nothing changed. With room again, page files come back.
# Needs root (mount).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
ctl() { "$INKWELL_BUILD/inkwellctl" -c "$INKWELL_TEST_CONF" "$@"; }
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
if [[ $(id -u) -ne 0 ]]; then
	echo "1..0 # SKIP needs root to mount a tmpfs"
	exit 0
fi
PAGES=$(sed -n 's/^[[:space:]]*pages[[:space:]]*=[[:space:]]*//p' "$INKWELL_TEST_CONF" | head -n 1)
if [[ -z $PAGES || ! -d $PAGES ]]; then
	echo "1..0 # SKIP page files are off in $INKWELL_TEST_CONF"
	exit 0
fi
TMP=$(mktemp -d /tmp/inkwell-4016.XXXXXX)
loadpid=
mounted=
cleanup() {
	[[ -n $loadpid ]] && kill "$loadpid" 2>/dev/null && wait "$loadpid" 2>/dev/null
	if [[ -n $mounted ]]; then
		mount -o remount,rw "$PAGES" 2>/dev/null
		umount "$PAGES" 2>/dev/null || umount -l "$PAGES" 2>/dev/null
		# The generation under the mount predates this test's writes:
		# do not leave it to the keeper's next look.
		ctl cache flush >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- a token, a tmpfs under the pages directory ----------------------------
ctl user add --no-password --role admin --name 'Pages Full' t4016-admin >/dev/null 2>&1
tok=$(ctl token add --name t4016 t4016-admin 2>/dev/null)
like "$tok" '^iw_' "an API token"
owner=$(stat -c %u "$PAGES") group=$(stat -c %g "$PAGES")
ok "a 1 MiB tmpfs with 64 inodes over $PAGES" \
	mount -t tmpfs -o "size=1m,nr_inodes=64,mode=0755,uid=$owner,gid=$group" tmpfs "$PAGES"
mounted=1
# The keeper finds no generation there and publishes one.
for _ in $(seq 50); do [[ -L $PAGES/current ]] && break; sleep 0.1; done
ok "the keeper publishes a generation in it" test -L "$PAGES/current"

# api METHOD PATH JSON: body in $TMP/api, code in $code.
api() {
	code=$(curl -s -o "$TMP/api" -w '%{http_code}' -X "$1" \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		-d "$3" "$URL$2")
}
# fetch PATH: body in $TMP/body, headers in $TMP/head, code in $fcode.
fetch() {
	fcode=$(curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' "$URL$1")
}
header() { sed -n "s/^$1: //Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
stamp=$(date +%s)
slug=t4016-$stamp
title() { printf 'Fullpages %s %s' "$1" "$stamp"; }
# shows TITLE NAME: three reads each of the home page and the post's
# page through nginx all carry TITLE.
shows() {
	local bad=""
	for _ in 1 2 3; do
		for p in / "/posts/$slug"; do
			fetch "$p"
			[[ $fcode == 200 ]] && grep -qF "$1" "$TMP/body" ||
				bad="$bad $p:$fcode:$(header X-Cache)${bad:+}"
		done
	done
	ok "$2" test -z "$bad"
	if_fail diag "stale or failed reads:$bad"
}
stored() { pg -c "SELECT title FROM posts WHERE slug = '$slug'"; }
# write NAME METHOD PATH JSON EXPECT: a write, then either it was
# acknowledged and readers see EXPECT, or it was refused (503, JSON
# error) and readers and the database still have the title before.
write() {
	local name=$1 before
	before=$(stored)
	api "$2" "$3" "$4"
	if [[ $code == 2?? ]]; then
		pass "$name: acknowledged ($code)"
		is "$(stored)" "$5" "$name: stored"
		shows "$5" "$name: home and post pages show it at once"
	else
		is "$code" 503 "$name: refused with 503"
		like "$(cat "$TMP/api")" '"error":' "$name: with a JSON error"
		is "$(stored)" "$before" "$name: nothing changed"
		shows "$before" "$name: readers still see what is stored"
	fi
}
# served_from_file PATH: a second read comes from a page file (nginx,
# no X-Request-Id) and the file is in the current generation.
served_from_file() {
	local seen=""
	for _ in $(seq 20); do
		fetch "$1"
		if [[ $(header X-Cache) == HIT && -z $(header X-Request-Id) ]]; then
			seen=1
			break
		fi
		sleep 0.1
	done
	ok "$1 is served from a page file again" test -n "$seen"
}

api POST /api/v1/posts "{\"slug\":\"$slug\",\"title\":\"$(title one)\",\"body_md\":\"x\",\"status\":\"published\"}"
is "$code" 201 "a post is created"
shows "$(title one)" "home and post pages show it"
served_from_file "/posts/$slug"
served_from_file /

# --- reader load: bounded (count and time), low and steady ---------------
(
	end=$((SECONDS + 240))
	for i in $(seq 2400); do
		((SECONDS < end)) || break
		[[ -e $TMP/stop ]] && break
		p=/
		((i % 2)) && p=/posts/$slug
		curl -s -o /dev/null -w '%{http_code}\n' "$URL$p" >>"$TMP/load"
		sleep 0.1
	done
) &
loadpid=$!

# --- full: blocks, then inodes ----------------------------------------------
# fill: every block, then every inode; a few rounds, as a worker's page
# file that failed for want of blocks gives its inode back.
fill() {
	local n=0
	dd if=/dev/zero of="$PAGES/fill" bs=64k count=64 2>/dev/null
	for _ in 1 2 3 4 5; do
		while touch "$PAGES/fill.$n" 2>/dev/null && ((n < 200)); do n=$((n + 1)); done
		sleep 0.1
	done
}
fill
ok "the tmpfs is full (blocks and inodes)" test "$(df --output=avail "$PAGES" | tail -n 1)" -eq 0 -a \
	"$(df --output=iavail "$PAGES" | tail -n 1)" -eq 0
# No generation can be opened now (no inode for its directory).
write "full: edit" PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title two)\"}" "$(title two)"
write "full: edit again" PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title three)\"}" "$(title three)"
api POST /api/v1/posts "{\"slug\":\"$slug-b\",\"title\":\"$(title other)\",\"body_md\":\"y\",\"status\":\"published\"}"
if [[ $code == 201 ]]; then
	fetch /
	like "$(cat "$TMP/body")" "$(title other)" "full: a new post is on the home page at once"
else
	is "$code" 503 "full: a new post is refused with 503"
fi

# --- read-only while full ---------------------------------------------------
ok "remounted read-only" mount -o remount,ro "$PAGES"
write "full, read-only: edit" PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title four)\"}" "$(title four)"

# --- room again -------------------------------------------------------------
ok "remounted read-write" mount -o remount,rw "$PAGES"
rm -f "$PAGES"/fill*
# With room again, files come back by themselves, before any write.
for _ in $(seq 50); do [[ -L $PAGES/current ]] && break; sleep 0.1; done
ok "room again: a generation is published by itself" test -L "$PAGES/current"
served_from_file "/posts/$slug"
write "room again: edit" PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title five)\"}" "$(title five)"
is "$code" 200 "room again: the edit is acknowledged"
served_from_file "/posts/$slug"
served_from_file /

# --- the directory fills up while a write waits for its commit ------------
# A row lock holds the edit between its reservation and its commit; the
# directory fills meanwhile, so only the reserved generation can go in.
log=${INKWELL_TEST_VAR:-}/log/inkwell.log
in_force() { grep -c 'put the one reserved before the write in force' "$log" 2>/dev/null; }
before=$(in_force)
# Only the current generation left, so that removing old ones (the
# keeper does every 10 s) frees nothing while the write waits.
ctl cache flush >/dev/null 2>&1
pg -c "BEGIN; SELECT 1 FROM posts WHERE slug = '$slug' FOR UPDATE; SELECT pg_sleep(4); COMMIT" \
	>/dev/null 2>&1 &
lockpid=$!
# until: up to 3 s for a query to count 1 or more.
until_pg() {
	for _ in $(seq 30); do
		(($(pg -c "$1") > 0)) && return 0
		sleep 0.1
	done
	return 1
}
until_pg "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(4)%' AND state = 'active' AND pid <> pg_backend_pid()"
( api PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title racing)\"}"; echo "$code" >"$TMP/race" ) &
racepid=$!
ok "filled during a write: the edit waits for the row lock" \
	until_pg "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
fill
left=$(df --output=iavail "$PAGES" | tail -n 1)
wait "$racepid"
wait "$lockpid"
is "$(cat "$TMP/race")" 200 "filled during a write: the edit is acknowledged"
is "$(stored)" "$(title racing)" "filled during a write: stored"
shows "$(title racing)" "filled during a write: home and post pages show it at once"
if [[ -f $log ]]; then
	ok "filled during a write: the generation reserved before it went in force" \
		test "$(in_force)" -gt "$before"
	if_fail diag "inodes left before the commit: $left"
fi
rm -f "$PAGES"/fill*
for _ in $(seq 50); do [[ -L $PAGES/current ]] && break; sleep 0.1; done
served_from_file "/posts/$slug"

# --- read-only with a generation in force ----------------------------------
ok "remounted read-only again" mount -o remount,ro "$PAGES"
write "read-only: edit" PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title six)\"}" "$(title six)"
mkdir -p "$TMP/imp"
printf -- '---\ntitle: "%s"\nslug: %s-imp\ndate: %s\nstatus: published\nauthor: t4016-admin\n---\nImported.\n' \
	"$(title imported)" "$slug" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$TMP/imp/imp.md"
ctl import "$TMP/imp" >"$TMP/imp.out" 2>&1
is "$?" 1 "read-only: inkwellctl import exits 1"
like "$(cat "$TMP/imp.out")" 'nothing imported' "and says nothing was imported"
is "$(pg -c "SELECT count(*) FROM posts WHERE slug = '$slug-imp'")" 0 "and nothing is stored"
ok "remounted read-write again" mount -o remount,rw "$PAGES"
ctl import "$TMP/imp" >"$TMP/imp.out" 2>&1
is "$?" 0 "writable: inkwellctl import exits 0"
fetch /
like "$(cat "$TMP/body")" "$(title imported)" "writable: the imported post is on the home page at once"
write "writable: edit" PATCH "/api/v1/posts/$slug" "{\"title\":\"$(title seven)\"}" "$(title seven)"
is "$code" 200 "writable: the edit is acknowledged"
served_from_file "/posts/$slug"
served_from_file /

# --- the load saw only answers ----------------------------------------------
touch "$TMP/stop"
wait "$loadpid"
loadpid=
total=$(wc -l <"$TMP/load")
bad=$(grep -vc '^200$' "$TMP/load")
ok "reader load: $total reads" test "$total" -gt 20
is "$bad" 0 "reader load: every read answered 200"
if_fail diag "$(sort "$TMP/load" | uniq -c)"

pg -c "DELETE FROM posts WHERE slug IN ('$slug', '$slug-b', '$slug-imp')" >/dev/null
done_testing
