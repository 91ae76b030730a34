#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3010-pitr: the point-in-time recovery drill, with src/ctl/inkwell-backup
# on a stack of its own (PostgreSQL, Redis, inkwelld, nginx under
# var/test-pitr, on ports of its own), so the shared test stack is never
# touched.  Posts, comments and media are written through the API and the
# comment form; "inkwell-backup enable" takes the first full backup; more
# is written; once the last write has reached the archive by
# archive_timeout alone (no pg_switch_wal), that moment is T: every
# reader page and "inkwellctl export" are kept as they are at T.  Then
# more is written and read (so Redis entries and page files from after T
# exist), and the disaster: DROP TABLE posts CASCADE, and in a second
# round the data directory removed under a running PostgreSQL.  After
# "inkwell-backup restore --time T --yes", the export and every reader
# page are byte for byte those of T, the posts written after T are 404,
# no cached page from after T is left, and the content version is above
# every version seen before.  The restore's wall time and the archive lag
# are printed as diagnostics.
# Needs root (the cluster runs as postgres), pgbackrest; about 2 minutes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# Under script/test only (it names the test stack's directory, beside
# which this one goes); "make check" has no stack and skips it.
need_env INKWELL_BUILD INKWELL_TEST_VAR
[[ $(id -u) -eq 0 ]] || skip_all "needs root (PostgreSQL runs as postgres)"
command -v pgbackrest >/dev/null 2>&1 || skip_all "pgbackrest is not installed (script/bootstrap --for test)"

HTTP_PORT=${INKWELL_PITR_HTTP_PORT:-8690}
PG_PORT=${INKWELL_PITR_PG_PORT:-5790}
REDIS_PORT=${INKWELL_PITR_REDIS_PORT:-6790}
VAR=$INKWELL_TEST_VAR-pitr
TMP=$(mktemp -d /tmp/inkwell-3010.XXXXXX)

# The drill's own stack: the shared test stack's variables go.
unset INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_TEST_SOCKET
# shellcheck source=script/lib/stack.sh
. "$here/../script/lib/stack.sh"
STACK_BUILD=$INKWELL_BUILD
export STACK_FRESH_DB=1
INKWELL_HTTP_PORT=$HTTP_PORT INKWELL_PG_PORT=$PG_PORT INKWELL_REDIS_PORT=$REDIS_PORT \
	stack_init "$VAR" "$HTTP_PORT" "$PG_PORT" "$REDIS_PORT"
# stack_init reads these; what the shared stack was given must not leak
# into the stop and start commands of the restore.
unset INKWELL_HTTP_PORT INKWELL_PG_PORT INKWELL_REDIS_PORT

cleanup() {
	stack_stop >>"$TMP/stack.log" 2>&1
	# The cluster and the repository are big; the logs stay for a look.
	rm -rf "$VAR/pg" "$VAR/backup/repo" "$TMP"
}
trap cleanup EXIT

# A fresh start: no cluster or repository of an earlier run.
stack_stop >"$TMP/stack.log" 2>&1
rm -rf "$VAR/pg" "$VAR/backup"
if ! stack_start >>"$TMP/stack.log" 2>&1; then
	fail "the drill's stack starts (ports $HTTP_PORT, $PG_PORT, $REDIS_PORT)"
	diag "$(tail -n 20 "$TMP/stack.log")"
	done_testing
	exit 1
fi
pass "the drill's stack starts on ports $HTTP_PORT, $PG_PORT, $REDIS_PORT"
URL=$STACK_URL

ctl() { _stack_clean_env "$STACK_BUILD/inkwellctl" -c "$STACK_CONF" "$@"; }
sql() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$STACK_PG_CONNINFO" -c "$1"; }
rcli() { stack_redis_cli "$@"; }
PAGES=$STACK_RUN/pages
STALE=$STACK_VAR/stale

ctl user add --no-password --role admin --name 'Drill Writer' t3010-writer >/dev/null 2>&1
tok=$(ctl token add --name t3010 t3010-writer 2>/dev/null)
like "$tok" '^iw_' "an API token"
# Two posts a page (listing pages 2..N exist); comments shown at once.
sql "UPDATE settings SET value = '2' WHERE key = 'posts_per_page';
     UPDATE settings SET value = 'open' WHERE key = 'comments'" >/dev/null

# tag SLUG: a tag through the API; prints the status.
tag() {
	curl -s -o /dev/null --max-time 20 -w '%{http_code}' \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		--data "{\"slug\":\"$1\",\"name\":\"Tag $1\"}" "$URL/api/v1/tags"
}
# post SLUG TAG: a published post through the API; prints the status.
post() {
	curl -s -o /dev/null --max-time 20 -w '%{http_code}' \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		--data "{\"slug\":\"$1\",\"title\":\"Drill <$1> & co\",\"summary\":\"about $1\",\"body_md\":\"# $1\\n\\nText of *$1*, with [a link](https://example.org/$1).\",\"status\":\"published\",\"tags\":[\"$2\",\"drill\"]}" \
		"$URL/api/v1/posts"
}
# comment SLUG TEXT ADDR: through the post page's form, from ADDR (the
# form allows five comments an address in ten minutes); prints the status.
comment() {
	local tokf
	curl -s --max-time 20 -o "$TMP/page" "$URL/posts/$1"
	tokf=$(grep -o 'name="csrf" value="[^"]*"' "$TMP/page" | head -n 1 | sed 's/.*value="//; s/"$//')
	curl -s -o /dev/null --max-time 20 -w '%{http_code}' \
		--data-urlencode "csrf=$tokf" --data-urlencode "name=Reader $2" \
		--interface "$3" --data-urlencode "body=$2" "$URL/posts/$1/comments"
}
# png FILE WIDTH: a real WIDTHx1 RGBA PNG.
png() {
	python3 - "$@" <<-'PY'
	import struct, sys, zlib
	out, width = sys.argv[1], int(sys.argv[2])
	def chunk(t, d):
	    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
	raw = b"\0" + b"\x10\x20\x30\xff" * width
	open(out, "wb").write(b"\x89PNG\r\n\x1a\n"
	    + chunk(b"IHDR", struct.pack(">IIBBBBB", width, 1, 8, 6, 0, 0, 0))
	    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
	PY
}
media() {
	png "$TMP/$1" "$2"
	curl -s -o /dev/null --max-time 20 -w '%{http_code}' -X PUT \
		-H "Authorization: Bearer $tok" -H 'Content-Type: application/octet-stream' \
		--data-binary "@$TMP/$1" "$URL/api/v1/media/$1"
}

# write PREFIX N ADDR: N posts, a comment on each from ADDR, one media
# file; prints the answers' status codes.
write() {
	local p=$1 n=$2 i codes=
	codes=$(tag "tag-$p")
	for ((i = 1; i <= n; i++)); do
		codes+=" $(post "$p-$i" "tag-$p")"
		codes+=" $(comment "$p-$i" "comment on $p-$i" "$3")"
	done
	codes+=" $(media "$p.png" "$n")"
	printf '%s\n' "${codes# }"
}

# --- before the first backup ------------------------------------------------
is "$(tag drill)" 201 "the drill's tag"
codes=$(write t3010-a 3 127.0.0.11)
like "$codes" '^(20[01] ?)+$' "posts, comments and media written before the backup ($codes)"

# --- enable -----------------------------------------------------------------
t0=$EPOCHREALTIME
rc=0
# archive_timeout 10 s rather than the default 60: the drill waits for
# it once (the packaged example's 60 is checked by t/6001).
stack_backup_enable --archive-timeout 10 >"$TMP/enable.log" 2>&1 || rc=$?
is "$rc" 0 "inkwell-backup enable: archiving on, first full backup"
if_fail diag "$(tail -n 30 "$TMP/enable.log")"
diag "enable took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
is "$(sql 'SHOW archive_mode')" on "archive_mode is on"
is "$(sql 'SHOW archive_timeout')" 10s "archive_timeout is the 10 s asked for"
like "$(sql 'SHOW archive_command')" '^pgbackrest --config=.* --stanza=inkwell archive-push %p$' "archive_command is pgBackRest's"
conf=$VAR/backup/pgbackrest.conf
ok "the configuration names the repository under the stack" grep -qx "repo1-path=$VAR/backup/repo" "$conf"
ok "  with zst compression and two processes" grep -qx 'compress-type=zst' "$conf"
ok "  and keeps 2 full, 7 differential backups" grep -qx 'repo1-retention-full=2' "$conf"
rc=0
stack_backup enable >"$TMP/enable2.log" 2>&1 || rc=$?
is "$rc" 0 "enable again: safe"
ok "  and takes no second full backup" grep -q 'no new one taken' "$TMP/enable2.log"
rc=0
stack_backup status >"$TMP/status.log" 2>&1 || rc=$?
is "$rc" 0 "inkwell-backup status: all well"
like "$(cat "$TMP/status.log")" 'last backup: [0-9]{8}-[0-9]{6}F \(full\)' "  names the full backup"

# --- more, then T -------------------------------------------------------------
codes=$(write t3010-b 3 127.0.0.12)
like "$codes" '^(20[01] ?)+$' "more written after the backup ($codes)"
# The last write before T: where its WAL is, and how long archive_timeout
# takes to get that segment into the repository (no pg_switch_wal here).
is "$(post t3010-b-last tag-t3010-b)" 201 "the last write before T"
wrote=$EPOCHREALTIME
seg=$(sql 'SELECT pg_walfile_name(pg_current_wal_lsn())')
archived() { [[ $(sql "SELECT coalesce(last_archived_wal, '') >= '$seg' FROM pg_stat_archiver") == t ]]; }
ok "the last write's WAL segment $seg reaches the archive by archive_timeout alone" wait_for 60 archived
lag=$(awk -v a="$wrote" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
diag "archive lag: the last write reached the archive after $lag s (archive_timeout 10 s)"
T=$(sql "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
diag "T = $T"

# The reader pages: every sitemap URL, the listing pages, both feeds, the
# sitemap itself, the API's lists, and the media files.
pages() {
	local n i
	{
		curl -s --max-time 20 "$URL/sitemap.xml" | grep -o '<loc>[^<]*</loc>' |
			sed "s#<loc>$URL##; s#</loc>##"
		n=$(sql "SELECT count(*) FROM posts WHERE status = 'published'")
		for ((i = 2; i <= (n + 1) / 2; i++)); do printf '/?page=%d\n' "$i"; done
		printf '%s\n' /feed.atom /feed.rss /sitemap.xml /robots.txt /api/v1/posts \
			/api/v1/tags /api/v1/authors /archive
		sql "SELECT '/media/' || name FROM media ORDER BY name"
		sql "SELECT '/api/v1/posts/' || slug FROM posts WHERE status = 'published' ORDER BY slug"
	} | sort -u
}
# fetch LIST DIR: every page of LIST into DIR (file n = line n); prints
# the paths that did not answer 200.
fetch() {
	local path n=0 code
	mkdir -p "$2"
	while IFS= read -r path; do
		n=$((n + 1))
		code=$(curl -s --max-time 20 -o "$2/$n" -w '%{http_code}' "$URL$path")
		[[ $code == 200 ]] || printf '%s %s\n' "$code" "$path"
	done <"$1"
}
pages >"$TMP/list"
npages=$(wc -l <"$TMP/list")
ok "there are reader pages to keep ($npages)" test "$npages" -ge 25
ok "  among them listing page 2" grep -qx '/?page=2' "$TMP/list"
ok "  the drill's tag" grep -qx '/tags/drill' "$TMP/list"
ok "  a post from before the backup" grep -qx '/posts/t3010-a-1' "$TMP/list"
ok "  and a media file" grep -qx '/media/t3010-b.png' "$TMP/list"
is "$(fetch "$TMP/list" "$TMP/atT")" "" "every reader page answers 200 at T"
# Twice: the second answer comes from the caches (Redis, page files).
fetch "$TMP/list" "$TMP/atT2" >/dev/null
ok "  and again, from the caches, byte for byte" diff -r "$TMP/atT" "$TMP/atT2"
export_to() { ctl export "$1" >/dev/null 2>&1; }
ok "inkwellctl export at T" export_to "$TMP/exportT"
ok "  exports the drill's posts" test -s "$TMP/exportT/t3010-b-last.md"

# --- after T ------------------------------------------------------------------
codes=$(write t3010-c 2 127.0.0.13)
like "$codes" '^(20[01] ?)+$' "posts, a comment and media written after T ($codes)"
is "$(comment t3010-a-1 "late comment" 127.0.0.14)" 200 "a comment after T on a post from before"
pages >"$TMP/list-after"
fetch "$TMP/list-after" "$TMP/after" >/dev/null
fetch "$TMP/list-after" "$TMP/after" >/dev/null
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/posts/t3010-c-1")" 200 "a post from after T is served"
ok "  and cached in Redis" test "$(rcli --scan --pattern '{iw}:p:*' | wc -l)" -gt 0
ok "  and as page files" test -n "$(find "$PAGES" -type f -name '*.html' | head -n 1)"
rendered() { [[ -r $STALE/current/.stamp ]]; }
ok "  and a rendering is kept for outages" wait_for 30 rendered

# maxver: the highest content version seen so far (the database's and
# the one Redis holds).
maxver=0
seen() {
	local v
	for v in "$(sql 'SELECT version FROM content_version')" "$(rcli get '{iw}:version')"; do
		[[ $v =~ ^[0-9]+$ ]] && ((v > maxver)) && maxver=$v
	done
	return 0
}

# old_generations: the page-file generations ("ID-VERSION-EPOCH-BORN",
# src/cache/pages.c) of a version seen before the restore; one of an
# unknown version ("x": the keeper could not read it) must be born after
# the restore began.
old_generations() {
	local d n v born
	for d in "$PAGES"/*-*; do
		[[ -d $d ]] || continue
		n=${d##*/}
		IFS=- read -r _ v _ born <<<"$n"
		if [[ $v =~ ^[0-9]+$ ]]; then
			((v > maxver)) || printf '%s\n' "$n"
		elif [[ $v != x || ! $born =~ ^[0-9]+$ ]] || ((born < restore_ms)); then
			printf '%s\n' "$n"
		fi
	done
}

# stale_after: the rendering kept for outages ($stamp, its .stamp line)
# is gone or was made after the restore (its version above maxver).
stale_after() { [[ -z $stamp ]] || ((${stamp%% *} > maxver)); }

# check ROUND [PATH...]: what must hold after a restore to T; PATHs are
# more pages written after T that must be 404.
check() {
	local r=$1 code
	shift
	is "$rc" 0 "$r: inkwell-backup restore --time T --yes exits 0"
	if_fail diag "$(tail -n 30 "$TMP/restore-$r.log")"
	diag "$r: recovery time (restore command, wall) $took s"
	is "$(sql 'SELECT pg_is_in_recovery()')" f "$r: PostgreSQL is out of recovery"
	ok "$r: and takes writes" sql 'CREATE TEMP TABLE t3010_probe (x int)'
	v=$(sql 'SELECT version FROM content_version')
	ok "$r: the content version ($v) is above every one seen before ($maxver)" test "$v" -gt "$maxver"
	rm -rf "$TMP/export-$r"
	ok "$r: inkwellctl export" export_to "$TMP/export-$r"
	ok "$r: the export is byte for byte the one at T" diff -r "$TMP/exportT" "$TMP/export-$r"
	if_fail diag "$(diff -r "$TMP/exportT" "$TMP/export-$r" | head -n 20)"
	is "$(rcli --scan --pattern '{iw}:p:*' | wc -l)" 0 "$r: no page is left in Redis from before the restore"
	is "$(find "$PAGES" -mindepth 2 -type f ! -newer "$TMP/restore-$r.start" | wc -l)" 0 \
		"$r: no page file is left from before the restore"
	is "$(old_generations)" "" "$r: no generation of page files is of a version from before"
	stamp=$(cat "$STALE/current/.stamp" 2>/dev/null) || stamp=
	ok "$r: no rendering kept for outages is of a version from before" stale_after
	pages >"$TMP/list-$r"
	ok "$r: the reader pages are those of T" diff "$TMP/list" "$TMP/list-$r"
	if_fail diag "$(diff "$TMP/list" "$TMP/list-$r" | head -n 20)"
	is "$(fetch "$TMP/list" "$TMP/$r")" "" "$r: every reader page answers 200"
	ok "$r: every reader page is byte for byte its copy at T" diff -r "$TMP/atT" "$TMP/$r"
	if_fail diag "$(diff -r "$TMP/atT" "$TMP/$r" | head -n 20)"
	fetch "$TMP/list" "$TMP/$r-2" >/dev/null
	ok "$r: and again, from the caches refilled" diff -r "$TMP/atT" "$TMP/$r-2"
	for code in /posts/t3010-c-1 /posts/t3010-c-2 /api/v1/posts/t3010-c-1 /media/t3010-c.png "$@"; do
		is "$(curl -s -o /dev/null -w '%{http_code}' "$URL$code")" 404 "$r: $code, written after T, is 404"
	done
}

# restore ROUND: inkwell-backup restore --time T, timed.
restore() {
	touch "$TMP/restore-$1.start"
	restore_ms=$(date +%s%3N)
	sleep 1
	local a=$EPOCHREALTIME
	rc=0
	stack_backup restore --time "$T" --yes >"$TMP/restore-$1.log" 2>&1 || rc=$?
	took=$(awk -v a="$a" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

# --- round 1: DROP TABLE posts CASCADE ----------------------------------------
seen
ok "round 1: DROP TABLE posts CASCADE" sql 'DROP TABLE posts CASCADE'
seen
restore round1
check round1

# --- round 2: the data directory removed under a running PostgreSQL -----------
codes=$(post t3010-d-1 tag-t3010-a)
is "$codes" 201 "round 2: a post written after the first restore"
fetch "$TMP/list-after" "$TMP/after2" >/dev/null
curl -s -o /dev/null "$URL/posts/t3010-d-1"
seen
ok "round 2: the data directory is removed" rm -rf "$STACK_PGDATA"
restore round2
check round2 /posts/t3010-d-1

# --- the refusals -------------------------------------------------------------
rc=0
stack_backup restore --time "$T" </dev/null >"$TMP/refuse.log" 2>&1 || rc=$?
is "$rc" 1 "restore without --yes off a terminal is refused"
like "$(cat "$TMP/refuse.log")" 'refusing without --yes' "  and says why"
rc=0
stack_backup restore --time 'yesterday' --yes >"$TMP/refuse.log" 2>&1 || rc=$?
is "$rc" 2 "a --time that is not a timestamp is bad usage"
# Hostile values never reach a configuration file, SQL or a shell.
# usage ARGS...: inkwell-backup's exit status for ARGS.
usage() {
	local rc=0
	stack_backup "$@" >"$TMP/usage.log" 2>&1 || rc=$?
	printf '%s' "$rc"
}
is "$(usage restore --yes --time "$T'; DROP TABLE posts; --")" 2 "a --time with SQL after it is bad usage"
is "$(usage restore --yes --time "$T"$'\n'"x")" 2 "  a --time with a second line too"
is "$(usage enable --repo "/tmp/x'y")" 2 "a --repo with a quote is bad usage"
is "$(usage enable --repo 'relative/path')" 2 "  a relative --repo too"
is "$(usage enable --stanza $'a\nb')" 2 "  a --stanza of two lines too"
is "$(usage enable --pguser 'x;y')" 2 "  a --pguser with a ';' too"
is "$(usage enable --archive-timeout 99999999999)" 2 "  an --archive-timeout out of range too"
is "$(usage enable --s3-bucket 'b c' --s3-region r)" 2 "  an --s3-bucket with a space too"
is "$(usage run weekly)" 2 "  run of an unknown type too"
is "$(sql 'SELECT count(*) FROM posts WHERE slug LIKE $$t3010-b-%$$')" 4 "  and the posts of T are all there"
rc=0
stack_backup restore --time '2001-01-01 00:00:00+00' --yes >"$TMP/refuse.log" 2>&1 || rc=$?
is "$rc" 1 "a --time before the first backup is refused"
like "$(cat "$TMP/refuse.log")" 'no backup ends before' "  and says why"
is "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 200 "  with the blog still up"

# --- a backup by hand, and off ---------------------------------------------------
is "$(usage run diff)" 0 "inkwell-backup run diff (on the new timeline)"
rc=0
stack_backup status >"$TMP/status.log" 2>&1 || rc=$?
is "$rc" 0 "  status: all well"
like "$(cat "$TMP/status.log")" 'last backup: [0-9]{8}-[0-9]{6}F_[0-9]{8}-[0-9]{6}D \(diff\)' "  and the newest backup is that one"
is "$(usage off)" 0 "inkwell-backup off"
is "$(sql 'SHOW archive_mode')" off "  archive_mode is off"
rc=0
stack_backup status >"$TMP/status.log" 2>&1 || rc=$?
is "$rc" 1 "  status exits 1 when archiving is off"
like "$(cat "$TMP/status.log")" 'archiving: OFF' "  and says so"
ok "  the repository is kept" test -d "$VAR/backup/repo/backup/inkwell"

done_testing
