#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 3003-user: inkwellctl user add | passwd | role | disable | enable |
# delete | list against a scratch database: Argon2id hashes stored (never
# the password), refusals for bad usernames, roles, short or
# control-character passwords and taken names, no password accepted from
# anything but a terminal or --password-stdin; delete refuses a user who
# owns posts unless --reassign-to moves them (with their comments, and the
# user's media), and takes the sessions and tokens along.  Then, through
# nginx on the test stack: a role change applies to a signed-in session
# at once, a disabled user cannot sign in and their session and API token
# stop working at once (and work again once enabled), and a deleted
# user's session and token are gone.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_PG INKWELL_BUILD
ctl=$INKWELL_BUILD/inkwellctl
tmp=$(mktemp -d /tmp/inkwell-3003.XXXXXX)
db=inkwell_t3003_$$
pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
pgdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG dbname=$db" "$@"; }
cleanup() {
	pg -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
if ! pg -c "CREATE DATABASE $db" >/dev/null; then
	fail "create a scratch database"
	done_testing
fi
printf '[database]\nprimary = %s dbname=%s\n[redis]\naddress =\n[paths]\npages =\n' \
	"$INKWELL_TEST_PG" "$db" >"$tmp/c.conf"
ctl() { "$ctl" -c "$tmp/c.conf" "$@"; }
ok "migrate the scratch database" ctl migrate

PW='correct horse battery staple'
out=$(printf '%s\n' "$PW" | ctl user add --name 'Ada Lovelace' --email ada@example.org \
	--role admin --password-stdin ada 2>&1)
is "$?" 0 "user add with --password-stdin: exit 0"
like "$out" '^user ada added \(admin\)' "says so"
hash=$(pgdb -c "SELECT password_hash FROM users WHERE username = 'ada'")
like "$hash" '^\$argon2id\$v=19\$m=19456,t=2,p=1\$' "an Argon2id hash is stored (19 MiB, 2 passes)"
unlike "$hash" "$PW" "not the password"
is "$(pgdb -c "SELECT role || ' ' || display_name || ' ' || email FROM users WHERE username = 'ada'")" \
	"admin Ada Lovelace ada@example.org" "role, name and email as given"

out=$(printf '%s\n' "$PW" | ctl user add --password-stdin ada 2>&1)
is "$?" 1 "the same username again: exit 1"
like "$out" 'ada: the username or email is taken' "says it is taken"
out=$(printf '%s\n' "$PW" | ctl user add --email ada@example.org --password-stdin ada2 2>&1)
is "$?" 1 "the same email again: exit 1"
for bad in Ada -ada 'a b' "$(printf 'x%.0s' {1..41})" 'ada;drop' ''; do
	out=$(printf '%s\n' "$PW" | ctl user add --password-stdin "$bad" 2>&1)
	rc=$?
	ok "username '${bad:0:12}' refused (exit $rc)" test "$rc" -eq 2
done
out=$(printf '%s\n' "$PW" | ctl user add --role root --password-stdin eve 2>&1)
is "$?" 2 "an unknown role: exit 2"
for pw in short 1234567 $'tab\there-and-long' ; do
	out=$(printf '%s\n' "$pw" | ctl user add --password-stdin weakling 2>&1)
	is "$?" 1 "password '${pw//$'\t'/\\t}' refused"
done
like "$(printf 'short\n' | ctl user add --password-stdin weakling 2>&1)" 'at least 8 characters' "and told why"
long=$(printf 'y%.0s' {1..1100})
out=$(printf '%s\n' "$long" | ctl user add --password-stdin weakling 2>&1)
is "$?" 1 "a 1100-byte password is refused"
is "$(pgdb -c "SELECT count(*) FROM users WHERE username = 'weakling'")" 0 "and no such user was made"
out=$(ctl user add bob </dev/null 2>&1)
is "$?" 1 "no terminal and no --password-stdin: exit 1"
like "$out" 'not a terminal' "says how to give it"
# Eight characters of UTF-8, fewer bytes than that would be wrong to count.
out=$(printf 'pässwörd\n' | ctl user add --password-stdin umlaut 2>&1)
is "$?" 0 "eight characters with umlauts are enough"

out=$(ctl user add --no-password carol 2>&1)
is "$?" 0 "user add --no-password"
like "$out" 'cannot sign in' "says the user cannot sign in yet"
is "$(pgdb -c "SELECT password_hash IS NULL FROM users WHERE username = 'carol'")" t "no hash stored"
out=$(printf 'another good one\n' | ctl user passwd --password-stdin carol 2>&1)
is "$?" 0 "user passwd sets it"
like "$out" '^password of carol set; 0 sessions signed out$' "  and says how many sessions it ended"
like "$(pgdb -c "SELECT password_hash FROM users WHERE username = 'carol'")" '^\$argon2id\$' "now hashed"
out=$(printf 'another good one\n' | ctl user passwd --password-stdin nobody 2>&1)
is "$?" 1 "passwd for a user that does not exist: exit 1"
like "$out" 'no such user' "says so"
h1=$(pgdb -c "SELECT password_hash FROM users WHERE username = 'carol'")
printf 'another good one\n' | ctl user passwd --password-stdin carol >/dev/null 2>&1
h2=$(pgdb -c "SELECT password_hash FROM users WHERE username = 'carol'")
ok "the same password again gets a new salt" test "$h2" != "$h1"

out=$(ctl user list 2>&1)
is "$?" 0 "user list: exit 0"
like "$out" 'ada +admin +yes .*Ada Lovelace <ada@example.org>' "lists ada"
like "$out" 'carol +author +yes' "and carol"
# --- role, disable, enable, delete --------------------------------------------
out=$(ctl user role carol admin 2>&1)
is "$?" 0 "user role carol admin: exit 0"
like "$out" '^carol is now an admin' "  says so"
is "$(pgdb -c "SELECT role FROM users WHERE username = 'carol'")" admin "  stored"
out=$(ctl user role carol root 2>&1)
is "$?" 2 "user role with an unknown role: exit 2"
like "$out" 'a role is admin or author' "  says which roles there are"
out=$(ctl user role nobody author 2>&1)
is "$?" 1 "user role for a user that does not exist: exit 1"
like "$out" 'nobody: no such user' "  says so"
is "$(ctl user role carol 2>&1; echo "rc=$?")" "$(ctl user 2>&1; echo "rc=$?")" "user role without a role: usage"

cid=$(pgdb -c "SELECT id FROM users WHERE username = 'carol'")
pgdb -c "INSERT INTO sessions (token_hash, user_id, csrf, expires_at)
	VALUES ('\\x01', $cid, 'c', now() + interval '1 hour'),
	       ('\\x02', $cid, 'c', now() + interval '1 hour')" >/dev/null
out=$(ctl user disable carol 2>&1)
is "$?" 0 "user disable: exit 0"
like "$out" '^user carol disabled; 2 sessions signed out' "  says how many sessions it ended"
is "$(pgdb -c "SELECT count(*) FROM sessions WHERE user_id = $cid")" 0 "  they are gone"
like "$(ctl user list)" 'carol +admin +disabled' "user list shows carol disabled"
d1=$(pgdb -c "SELECT disabled_at FROM users WHERE username = 'carol'")
ctl user disable carol >/dev/null 2>&1
is "$(pgdb -c "SELECT disabled_at FROM users WHERE username = 'carol'")" "$d1" "disabling again keeps the first time"
out=$(ctl user enable carol 2>&1)
is "$?" 0 "user enable: exit 0"
like "$(ctl user list)" 'carol +admin +yes' "  carol can sign in again"
out=$(ctl user disable nobody 2>&1)
is "$?" 1 "user disable for a user that does not exist: exit 1"
like "$out" 'nobody: no such user' "  says so"
is "$(ctl user enable 2>&1; echo "rc=$?")" "$(ctl user 2>&1; echo "rc=$?")" "user enable without a user: usage"

# dave owns two posts (one with a comment), a media file, a session and a token.
printf 'a good password\n' | ctl user add --password-stdin dave >/dev/null 2>&1
did=$(pgdb -c "SELECT id FROM users WHERE username = 'dave'")
pgdb -c "INSERT INTO posts (author_id, slug, title) VALUES ($did, 'dave-one', 'One'), ($did, 'dave-two', 'Two');
	INSERT INTO comments (post_id, author_name, body) SELECT id, 'Reader', 'Nice' FROM posts WHERE slug = 'dave-one';
	INSERT INTO media (name, content_type, bytes, sha256, uploaded_by) VALUES ('dave.png', 'image/png', '\\x00', '\\x00', $did);
	INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ('\\x03', $did, 'c', now() + interval '1 hour')" >/dev/null
ctl token add dave >/dev/null 2>&1
out=$(ctl user delete dave 2>&1)
is "$?" 1 "user delete of a user who owns posts: exit 1"
like "$out" 'dave owns 2 posts: not deleted; give them to another user with --reassign-to USERNAME' "  says why and what to do"
is "$(pgdb -c "SELECT count(*) FROM users WHERE username = 'dave'")" 1 "  dave is still there"
out=$(ctl user delete --reassign-to nobody dave 2>&1)
is "$?" 1 "--reassign-to a user that does not exist: exit 1"
like "$out" 'nobody: no such user' "  names that user"
is "$(pgdb -c "SELECT count(*) FROM posts WHERE author_id = $did")" 2 "  the posts are still dave's"
out=$(ctl user delete --reassign-to dave dave 2>&1)
is "$?" 2 "--reassign-to the user being deleted: exit 2"
out=$(ctl user delete nobody 2>&1)
is "$?" 1 "user delete of a user that does not exist: exit 1"
like "$out" 'nobody: no such user' "  says so"
out=$(ctl user delete --reassign-to ada dave 2>&1)
is "$?" 0 "user delete --reassign-to ada dave: exit 0"
like "$out" '^user dave deleted; 1 session and 1 API token deleted; 2 posts and 1 media file now belong to ada$' \
	"  says what went and what moved"
aid=$(pgdb -c "SELECT id FROM users WHERE username = 'ada'")
is "$(pgdb -c "SELECT string_agg(slug, ',' ORDER BY slug) FROM posts WHERE author_id = $aid")" "dave-one,dave-two" "  the posts are ada's"
is "$(pgdb -c "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.slug = 'dave-one'")" 1 "  the comment stays with its post"
is "$(pgdb -c "SELECT uploaded_by FROM media WHERE name = 'dave.png'")" "$aid" "  the media file is ada's"
is "$(pgdb -c "SELECT (SELECT count(*) FROM sessions WHERE user_id = $did) + (SELECT count(*) FROM api_tokens WHERE user_id = $did)")" 0 \
	"  dave's session and token are gone"
# A user with no posts goes without --reassign-to; their media stays, with no uploader.
printf 'a good password\n' | ctl user add --password-stdin erin >/dev/null 2>&1
pgdb -c "INSERT INTO media (name, content_type, bytes, sha256, uploaded_by) SELECT 'erin.png', 'image/png', '\\x00', '\\x00', id FROM users WHERE username = 'erin'" >/dev/null
out=$(ctl user delete erin 2>&1)
is "$?" 0 "user delete of a user with no posts: exit 0"
like "$out" '^user erin deleted; 0 sessions and 0 API tokens deleted$' "  says so"
is "$(pgdb -c "SELECT coalesce(uploaded_by::text, 'none') FROM media WHERE name = 'erin.png'")" none "  their media stays, with no uploader"
is "$(ctl user delete 2>&1; echo "rc=$?")" "$(ctl user 2>&1; echo "rc=$?")" "user delete without a user: usage"

# The last enabled admin cannot be demoted, disabled or deleted:
# nobody would be left to open the settings.
ctl user enable carol >/dev/null 2>&1
ctl user role carol author >/dev/null 2>&1
is "$(pgdb -c "SELECT string_agg(username, ',') FROM users WHERE role = 'admin' AND disabled_at IS NULL")" ada "ada is the one admin left"
out=$(ctl user role ada author 2>&1)
is "$?" 1 "user role of the last admin to author: exit 1"
like "$out" 'ada is the last enabled admin' "  says why"
is "$(pgdb -c "SELECT role FROM users WHERE username = 'ada'")" admin "  ada is still an admin"
out=$(ctl user disable ada 2>&1)
is "$?" 1 "user disable of the last admin: exit 1"
like "$out" 'last enabled admin' "  says why"
is "$(pgdb -c "SELECT disabled_at IS NULL FROM users WHERE username = 'ada'")" t "  ada is not disabled"
out=$(ctl user delete --reassign-to carol ada 2>&1)
is "$?" 1 "user delete of the last admin: exit 1"
like "$out" 'last enabled admin' "  says why"
is "$(pgdb -c "SELECT count(*) FROM users WHERE username = 'ada'")" 1 "  ada is still there"
ctl user role carol admin >/dev/null 2>&1
ctl user disable carol >/dev/null 2>&1
out=$(ctl user role ada author 2>&1)
is "$?" 1 "a disabled admin does not count as another admin"
ctl user enable carol >/dev/null 2>&1
out=$(ctl user disable ada 2>&1)
is "$?" 0 "with carol an admin again, ada can be disabled"
ctl user enable ada >/dev/null 2>&1

is "$(ctl user 2>&1; echo "rc=$?")" "$(ctl user frobnicate 2>&1; echo "rc=$?")" "usage errors look alike"
like "$(ctl user frobnicate 2>&1; echo "rc=$?")" 'rc=2$' "and exit 2"
like "$(ctl user 2>&1)" 'user delete \[--reassign-to USERNAME\] USERNAME' "the usage names delete"

# --- through nginx, on the test stack ------------------------------------------
if [[ -z ${INKWELL_TEST_URL:-} || -z ${INKWELL_TEST_CONF:-} ]]; then
	done_testing
fi
URL=$INKWELL_TEST_URL
sctl() { "$ctl" -c "$INKWELL_TEST_CONF" "$@"; }
stackdb() { psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"; }
u=t3dis$$
sctl user delete "$u" >/dev/null 2>&1
printf '%s\n' "$PW" | sctl user add --password-stdin "$u" >/dev/null
# Another admin, so that $u is never the last one (which could not be
# demoted, disabled or deleted).
sctl user add --no-password --role admin t3keeper >/dev/null 2>&1
stackdb -c "DELETE FROM throttle WHERE bucket LIKE 'login:%'" >/dev/null
req() {
	local jar=$1 method=$2 path=$3
	shift 3
	curl -s --max-time 20 -b "$jar" -c "$jar" -X "$method" -o "$tmp/body" \
		-w '%{http_code}' "$@" "$URL$path"
}
login() {
	local tok
	req "$1" GET /admin/login >/dev/null
	tok=$(grep -o 'name="csrf" value="[^"]*"' "$tmp/body" | head -n 1 | sed 's/.*value="//; s/"$//')
	req "$1" POST /admin/login --data-urlencode "csrf=$tok" --data-urlencode "username=$u" \
		--data-urlencode "password=$PW" --data-urlencode "next=/admin/posts"
}
me() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$URL/api/v1/me"; }
J=$tmp/jar
is "$(login "$J")" 303 "$u signs in"
tok=$(sctl token add "$u" 2>/dev/null)
is "$(me)" 200 "  and their API token works"
is "$(req "$J" GET /admin/settings)" 403 "  an author: /admin/settings is 403"
sctl user role "$u" admin >/dev/null
is "$(req "$J" GET /admin/settings)" 200 "user role admin: the same session opens /admin/settings"
sctl user role "$u" author >/dev/null
is "$(req "$J" GET /admin/settings)" 403 "user role author: 403 again"
sctl user disable "$u" >/dev/null
is "$(req "$J" GET /admin/posts)" 303 "user disable: the session no longer signs in (303 to the login)"
is "$(me)" 401 "  the API token is refused (401)"
is "$(login "$tmp/jar2")" 403 "  signing in is refused (403)"
like "$(cat "$tmp/body")" 'This account is disabled' "  with a page that says why"
sctl user enable "$u" >/dev/null
is "$(me)" 200 "user enable: the token works again"
is "$(login "$tmp/jar3")" 303 "  and the user signs in"
out=$(sctl user delete "$u" 2>&1)
like "$out" "user $u deleted; 1 session and 1 API token deleted" "user delete: says what went"
is "$(req "$tmp/jar3" GET /admin/posts)" 303 "  the deleted user's session no longer signs in"
is "$(me)" 401 "  and the token is refused"
done_testing
