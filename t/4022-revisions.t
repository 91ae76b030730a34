#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4022-revisions: a post's revisions through nginx: each save keeps one
# with who and when, the revisions_keep bound holds, the diff page shows
# the changed lines and escapes hostile text, restoring makes a new
# revision and changes the post (and the reader's page), the autosave
# endpoint stores without changing the post or the content version,
# CSRF is required, another author is refused, the API lists, shows and
# restores, and what is not there is a 404.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_PG INKWELL_TEST_CONF INKWELL_BUILD
URL=${INKWELL_TEST_URL%/}
CTL=$INKWELL_BUILD/inkwellctl
TMP=$(mktemp -d /tmp/inkwell-4022.XXXXXX)
sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" -c "$1"; }
PW='a long enough passphrase'
USERS="'t22admin','t22alice','t22bob'"
cleanup() {
	sql "DELETE FROM posts WHERE author_id IN (SELECT id FROM users WHERE username IN ($USERS));
	     DELETE FROM users WHERE username IN ($USERS);
	     DELETE FROM throttle WHERE bucket LIKE 'login:%';" >/dev/null 2>&1
	if [[ -f $TMP/settings ]]; then
		while IFS='|' read -r k v; do
			sql "UPDATE settings SET value = \$\$$v\$\$ WHERE key = '$k'" >/dev/null 2>&1
		done <"$TMP/settings"
	fi
	if [[ -f $TMP/keep ]]; then
		sql "UPDATE settings SET value = '$(cat "$TMP/keep")' WHERE key = 'revisions_keep'" >/dev/null 2>&1
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
sql "DELETE FROM throttle WHERE bucket LIKE 'login:%'" >/dev/null
sql "SELECT value FROM settings WHERE key = 'revisions_keep'" >"$TMP/keep"
sql "SELECT key, value FROM settings WHERE key IN ('title', 'description', 'posts_per_page', 'comments')" >"$TMP/settings"
is "$(cat "$TMP/keep")" 50 "revisions_keep is 50 after the migration"

for u in t22admin:admin t22alice:author t22bob:author; do
	printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user add --role "${u#*:}" \
		--name "T22 ${u%%:*}" --password-stdin "${u%%:*}" >/dev/null 2>&1 ||
		printf '%s\n' "$PW" | "$CTL" -c "$INKWELL_TEST_CONF" user passwd --password-stdin "${u%%:*}" >/dev/null 2>&1
done

req() {
	local jar=$1 method=$2 path=$3
	shift 3
	: >"$TMP/body"
	curl -s --max-time 20 -b "$jar" -c "$jar" -X "$method" -o "$TMP/body" -D "$TMP/head" \
		-w '%{http_code}' "$@" "$URL$path"
}
hdr() { sed -n "s/^$1: *//Ip" "$TMP/head" | tr -d '\r' | head -n 1; }
csrf() { grep -o 'name="csrf" value="[^"]*"' "$TMP/body" | head -n 1 | sed 's/.*value="//; s/"$//'; }
body() { cat "$TMP/body"; }
login() {
	local jar=$1 user=$2 tok
	req "$jar" GET /admin/login >/dev/null
	tok=$(csrf)
	req "$jar" POST /admin/login --data-urlencode "csrf=$tok" \
		--data-urlencode "username=$user" --data-urlencode "password=$PW" \
		--data-urlencode "next=/admin/posts"
}
version() { sql "SELECT version FROM content_version"; }
revs() { sql "SELECT count(*) FROM post_revisions WHERE post_id = $PID${1:+ AND $1}"; }

AD=$TMP/admin.jar
AL=$TMP/alice.jar
B=$TMP/bob.jar
is "$(login "$AL" t22alice)" 303 "alice signs in"
is "$(login "$B" t22bob)" 303 "bob signs in"
is "$(login "$AD" t22admin)" 303 "the admin signs in"
req "$AL" GET /admin/posts/new >/dev/null
TOK=$(csrf)
req "$B" GET /admin/posts/new >/dev/null
BTOK=$(csrf)
req "$AD" GET /admin/posts/new >/dev/null
ADTOK=$(csrf)

# --- saves keep revisions -------------------------------------------------
BODY1=$'First line\nsecond line\nthird line\n'
BODY2=$'First line\nsecond line, changed\nthird line\n<script>alert(1)</script>\n'
save() {	# save PATH BODY [curl args]
	local path=$1 text=$2
	shift 2
	req "$AL" POST "$path" --data-urlencode "csrf=$TOK" --data-urlencode "title=Revised" \
		--data-urlencode "slug=${SLUG:-t22-revised}" --data-urlencode status=published \
		--data-urlencode "body_md=$text" "$@"
}
is "$(save /admin/posts "$BODY1")" 303 "alice creates a post with the admin form"
PID=$(hdr Location | sed -n 's#^/admin/posts/\([0-9]*\)?.*#\1#p')
like "$PID" '^[0-9]+$' "  its id is in the Location"
is "$(revs)" 1 "creating it kept one revision"
is "$(sql "SELECT r.kind || ' ' || u.username || ' ' || (r.created_at > now() - interval '1 minute') || ' ' || r.title FROM post_revisions r JOIN users u ON u.id = r.user_id WHERE r.post_id = $PID")" \
	"save t22alice true Revised" "  a save, by alice, just now, with the title"
is "$(save "/admin/posts/$PID" "$BODY2")" 303 "alice saves a new text"
is "$(revs)" 2 "  a second revision"
R1=$(sql "SELECT min(id) FROM post_revisions WHERE post_id = $PID")
R2=$(sql "SELECT max(id) FROM post_revisions WHERE post_id = $PID")
is "$(sql "SELECT body_md FROM post_revisions WHERE id = $R2")" "${BODY2%$'\n'}" "  holding the text as saved"

is "$(req "$AL" GET "/admin/posts/$PID")" 200 "the editor"
like "$(body)" "href=\"/admin/posts/$PID/revisions\"" "  links to the revisions"
like "$(body)" "data-autosave=\"/admin/posts/$PID/autosave\"" "  names its autosave endpoint for the script"
like "$(body)" 'id="autosave-status"[^>]*aria-live="polite"' "  has a status line the script writes to"
unlike "$(body)" 'newer than its last save' "  offers no autosave when there is none"

# --- the diff -------------------------------------------------------------
is "$(req "$AL" GET "/admin/posts/$PID/revisions")" 200 "the revisions page"
like "$(body)" "revision-$R1" "  lists the first revision"
like "$(body)" "revision-$R2" "  and the second"
like "$(body)" 'T22 t22alice \(t22alice\)' "  says who"
like "$(body)" '<time datetime="[0-9-]+T[0-9:]+Z"' "  and when"
like "$(body)" "<del>second line</del>" "  the diff of the two newest shows the removed line"
like "$(body)" "<ins>second line, changed</ins>" "  and the added one"
like "$(body)" '<ins>&lt;script&gt;alert\(1\)&lt;/script&gt;</ins>' "  hostile text is escaped"
unlike "$(body)" '<script>alert' "  and never comes back as markup"
like "$(body)" '1 line\(s\) removed, 2 line\(s\) added' "  with the count of lines"
is "$(req "$AL" GET "/admin/posts/$PID/revisions?from=$R2&to=$R1")" 200 "the diff the other way round"
like "$(body)" "<del>second line, changed</del>" "  removes what was added"
is "$(req "$AL" GET "/admin/posts/$PID/revisions?from=$R1&to=$R1")" 200 "a revision with itself"
like "$(body)" 'The texts are the same' "  says they are the same"

# A huge pair with nothing in common: bounded, said, still a true diff.
seq 1 3000 | sed 's/^/old /' >"$TMP/big1"
seq 1 3000 | sed 's/^/new /' >"$TMP/big2"
is "$(save "/admin/posts/$PID" "$(cat "$TMP/big1")")" 303 "a 3000-line text is saved"
is "$(save "/admin/posts/$PID" "$(cat "$TMP/big2")")" 303 "  and another with no line in common"
is "$(req "$AL" GET "/admin/posts/$PID/revisions")" 200 "  their diff answers"
like "$(body)" 'differ too much to match line by line' "  saying it shows the changed part whole"
like "$(body)" '3000 line\(s\) removed, 3000 line\(s\) added' "  with every line"
is "$(save "/admin/posts/$PID" "$BODY2")" 303 "the short text again"

# --- autosave ---------------------------------------------------------------
V0=$(version)
N0=$(revs)
is "$(req "$AL" POST "/admin/posts/$PID/autosave" --data-urlencode "csrf=$TOK" --data-urlencode title=Revised \
	--data-urlencode 'body_md=half-typed tex')" 200 "an autosave: 200"
like "$(body)" '"kind": *"autosave"' "  answers with the revision"
like "$(hdr Content-Type)" '^application/json' "  as JSON"
is "$(revs "kind = 'autosave'")" 1 "  stores an autosave revision"
is "$(sql "SELECT body_md FROM posts WHERE id = $PID")" "${BODY2%$'\n'}" "  the live post is unchanged"
is "$(version)" "$V0" "  and the content version did not move"
is "$(req "$TMP/anon" GET /posts/t22-revised)" 200 "the reader's page"
unlike "$(body)" 'half-typed' "  does not show the autosave"
is "$(req "$AL" POST "/admin/posts/$PID/autosave" --data-urlencode "csrf=$TOK" --data-urlencode title=Revised \
	--data-urlencode 'body_md=half-typed text, more')" 200 "another autosave"
is "$(revs "kind = 'autosave'")" 1 "  replaces alice's older one since the last save"
is "$(revs)" "$((N0 + 1))" "  so typing cannot flood the table"
AS=$(sql "SELECT max(id) FROM post_revisions WHERE post_id = $PID AND kind = 'autosave'")
is "$(req "$AL" POST "/admin/posts/$PID/autosave" --data-urlencode title=Revised \
	--data-urlencode 'body_md=no token')" 403 "an autosave without the CSRF token: 403"
is "$(req "$AL" POST "/admin/posts/$PID/autosave" --data-urlencode "csrf=$TOK" \
	--data-urlencode "title=$(head -c 1100 /dev/zero | tr '\0' x)")" 422 "an autosave with a title too long: 422"
is "$(req "$B" POST "/admin/posts/$PID/autosave" --data-urlencode "csrf=$BTOK" --data-urlencode title=x)" 403 \
	"bob cannot autosave alice's post"
is "$(req "$AL" POST /admin/posts/999999999/autosave --data-urlencode "csrf=$TOK" --data-urlencode title=x)" 404 \
	"an autosave of no post: 404"
is "$(revs "body_md = 'no token'")" 0 "  none of those stored anything"
is "$(version)" "$V0" "  nor moved the content version"
is "$(req "$AL" GET "/admin/posts/$PID")" 200 "the editor again"
like "$(body)" 'newer than its last save' "  offers the autosave"
LAST=$(sql "SELECT max(id) FROM post_revisions WHERE post_id = $PID AND kind = 'save'")
like "$(body)" "revisions\\?from=$LAST&amp;to=$AS\"" "  with a link comparing it to the last save"

# --- restore ----------------------------------------------------------------
is "$(req "$AL" POST "/admin/posts/$PID/revisions/$R1/restore")" 403 "a restore without the CSRF token: 403"
is "$(req "$B" POST "/admin/posts/$PID/revisions/$R1/restore" --data-urlencode "csrf=$BTOK")" 403 \
	"bob cannot restore alice's post"
is "$(req "$B" GET "/admin/posts/$PID/revisions")" 403 "  nor see its revisions"
N0=$(revs)
is "$(req "$AL" POST "/admin/posts/$PID/revisions/$R1/restore" --data-urlencode "csrf=$TOK")" 303 "alice restores the first revision"
is "$(hdr Location)" "/admin/posts/$PID?done=restored" "  back to the editor, which says so"
is "$(sql "SELECT body_md FROM posts WHERE id = $PID")" "${BODY1%$'\n'}" "  the post has its text again"
is "$(revs)" "$N0" "  one revision more, and alice's autosave gone (the restore ends it)"
is "$(revs "kind = 'autosave'")" 0 "  no autosave left"
is "$(sql "SELECT kind || ' ' || body_md FROM post_revisions WHERE post_id = $PID ORDER BY id DESC LIMIT 1")" \
	"restore ${BODY1%$'\n'}" "  of kind restore, with the restored text"
is "$(revs "id = $R2")" 1 "  the history is kept, not rewritten"
ok "  the content version moved" test "$(version)" -gt "$V0"
is "$(req "$TMP/anon" GET /posts/t22-revised)" 200 "the reader's page on the next request"
like "$(body)" 'second line' "  shows the restored text"
unlike "$(body)" 'second line, changed' "  not the one before"
is "$(req "$AL" GET "/admin/posts/$PID?done=restored")" 200 "the editor after it"
like "$(body)" 'The revision was restored' "  says it was restored"
unlike "$(body)" 'newer than its last save' "  and no longer offers the autosave"

# --- 404s --------------------------------------------------------------------
is "$(req "$AL" GET /admin/posts/999999999/revisions)" 404 "the revisions of no post: 404"
is "$(req "$AL" GET "/admin/posts/$PID/revisions?from=abc")" 404 "a revision that is no number: 404"
is "$(req "$AL" GET "/admin/posts/$PID/revisions?from=999999999&to=$R1")" 404 "a revision that is not there: 404"
is "$(req "$AL" POST "/admin/posts/$PID/revisions/999999999/restore" --data-urlencode "csrf=$TOK")" 404 \
	"restoring a revision that is not there: 404"
is "$(SLUG=t22-other save /admin/posts "other")" 303 "alice makes a second post"
PID2=$(hdr Location | sed -n 's#^/admin/posts/\([0-9]*\)?.*#\1#p')
is "$(req "$AL" POST "/admin/posts/$PID2/revisions/$R1/restore" --data-urlencode "csrf=$TOK")" 404 \
	"restoring another post's revision: 404"
is "$(sql "SELECT body_md FROM posts WHERE id = $PID2")" other "  and that post is unchanged"

# --- the bound ----------------------------------------------------------------
is "$(req "$AD" POST /admin/settings --data-urlencode "csrf=$ADTOK" --data-urlencode title=inkwell --data-urlencode description=d \
	--data-urlencode posts_per_page=10 --data-urlencode revisions_keep=0)" 422 "revisions_keep 0 is refused"
is "$(req "$AD" POST /admin/settings --data-urlencode "csrf=$ADTOK" --data-urlencode title=inkwell --data-urlencode description=d \
	--data-urlencode posts_per_page=10 --data-urlencode revisions_keep=1001)" 422 "revisions_keep 1001 is refused"
is "$(req "$AD" GET /admin/settings)" 200 "the settings page"
like "$(body)" 'name="revisions_keep"[^>]*value="50"' "  shows revisions_keep"
is "$(req "$AD" POST /admin/settings --data-urlencode "csrf=$ADTOK" --data-urlencode title=inkwell --data-urlencode description=d \
	--data-urlencode posts_per_page=10 --data-urlencode revisions_keep=3)" 303 "the admin sets revisions_keep to 3"
is "$(sql "SELECT value FROM settings WHERE key = 'revisions_keep'")" 3 "  stored"
for i in 1 2 3 4 5; do
	save "/admin/posts/$PID" "text $i" >/dev/null
done
is "$(revs)" 3 "after five saves the post keeps three revisions"
is "$(sql "SELECT string_agg(body_md, ',' ORDER BY id) FROM post_revisions WHERE post_id = $PID")" \
	"text 3,text 4,text 5" "  the newest three"

# --- the API -----------------------------------------------------------------
is "$(req "$AL" GET /api/v1/posts/t22-revised/revisions)" 200 "API: the list"
like "$(hdr Content-Type)" '^application/json' "  as JSON"
is "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["revisions"]; print(len(r), r[0]["kind"], r[0]["user"]["username"], "body_md" in r[0])' "$TMP/body")" \
	"3 save t22alice False" "  newest first, with who, without the text"
RA=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["revisions"][2]["id"])' "$TMP/body")
is "$(req "$AL" GET "/api/v1/posts/t22-revised/revisions/$RA")" 200 "API: one revision"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["revision"]["body_md"])' "$TMP/body")" "text 3" \
	"  with its text"
is "$(req "$AL" POST "/api/v1/posts/t22-revised/revisions/$RA/restore")" 403 "API: a restore with a session but no CSRF header: 403"
is "$(req "$AL" POST "/api/v1/posts/t22-revised/revisions/$RA/restore" -H "X-CSRF-Token: $TOK")" 200 "API: a restore"
is "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["post"]["body_md"], j["revision"]["kind"])' "$TMP/body")" \
	"text 3 restore" "  answers with the post as now and the new revision"
is "$(sql "SELECT body_md FROM posts WHERE id = $PID")" "text 3" "  the post has the text"
is "$(req "$B" GET /api/v1/posts/t22-revised/revisions)" 403 "API: bob cannot list alice's revisions"
is "$(req "$TMP/anon" GET /api/v1/posts/t22-revised/revisions)" 401 "API: without a credential: 401"
is "$(req "$AL" GET /api/v1/posts/t22-no-such-post/revisions)" 404 "API: no such post: 404"
is "$(req "$AL" GET /api/v1/posts/t22-revised/revisions/999999999)" 404 "API: no such revision: 404"
is "$(req "$AL" GET "/api/v1/posts/t22-other/revisions/$RA")" 404 "API: another post's revision: 404"
is "$(req "$AD" GET /api/v1/posts/t22-revised/revisions)" 200 "API: an admin may list anyone's"

# Deleting the post deletes its revisions.
sql "DELETE FROM posts WHERE id = $PID" >/dev/null
is "$(revs)" 0 "deleting a post deletes its revisions"
done_testing
