#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6010-image: the container image. script/image builds it with no engine;
# the OCI archive must be sound and configured as the Containerfile says
# (t/lib/image_check.py), the SBOM must list exactly the Debian packages
# dpkg has in the image, and the image must hold no compiler and no -dev
# package; a clone of the tree at another path builds the same bytes
# again. Then it runs under podman (its own storage in a temporary
# directory, host network) against a PostgreSQL and a Redis this test
# starts on loopback: the image's inkwellctl migrates, imports the demo
# posts and adds a user; inkwelld (as uid 10001, read-only root) answers
# FastCGI on 127.0.0.1:9111; nginx on the host, with the container site
# (deploy/container/nginx-inkwell.conf) and the image's static files,
# serves /healthz, /readyz, pages and page files the container wrote.
# Ports: FastCGI 9111, nginx 8111, PostgreSQL 5461, Redis 6411.
# shellcheck disable=SC2016,SC2317 # single-quoted $ are for the tools run; helpers are called through ok
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/clone.sh
. "$here/lib/clone.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
ctr=$src/deploy/container
out=$build/image

((EUID == 0)) || skip_all "needs root (mmdebstrap's chroot, rootful podman)"
for c in mmdebstrap umoci podman nginx curl redis-server redis-cli ss; do
	command -v "$c" >/dev/null || skip_all "$c missing (script/bootstrap installs it)"
done
pgbin=/usr/lib/postgresql/15/bin
[[ -x $pgbin/initdb ]] || skip_all "PostgreSQL 15 missing (script/bootstrap installs it)"
py=/usr/bin/python3
[[ -x $py ]] || skip_all "/usr/bin/python3 missing"

FCGI_PORT=9111 HTTP_PORT=8111 PG_PORT=5461 REDIS_PORT=6411
for p in $FCGI_PORT $HTTP_PORT $PG_PORT $REDIS_PORT; do
	if [[ -n $(ss -Hltn "( sport = :$p )" 2>/dev/null) ]]; then
		echo "Bail out! port $p is in use; 6010 needs 9111, 8111, 5461 and 6411"
		exit 1
	fi
done

tmp=$(mktemp -d /tmp/inkwell-6010.XXXXXX)
chmod 0755 "$tmp" # PostgreSQL runs as postgres under it
cname=inkwell-6010-$$
P=(podman --root "$tmp/podman/root" --runroot "$tmp/podman/run"
	--tmpdir "$tmp/podman/tmp")
nginx_pid=
stack_up=0

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [[ -n $nginx_pid ]]; then
		kill -QUIT "$nginx_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
	fi
	if [[ -d $tmp/podman/root ]]; then
		"${P[@]}" rm -f -t 5 "$cname" >/dev/null 2>&1
		# Not "system reset": that also removes podman's networks, which
		# are the machine's, not this storage's.
		"${P[@]}" rm -af -t 5 >/dev/null 2>&1
		"${P[@]}" rmi -af >/dev/null 2>&1
	fi
	if ((stack_up)); then
		(stack_redis_stop; stack_pg_stop) >/dev/null 2>&1
	fi
	# Whatever podman left mounted under our directory.
	findmnt -rn -o TARGET | grep "^$tmp/" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

version=$("$src/build-aux/version")

# --- the Containerfile, read -------------------------------------------------
cf=$ctr/Containerfile
like "$(grep -c '^ARG VERSION=' "$cf")" '^[1-9]' "Containerfile declares ARG VERSION"
is "$(sed -n 's/^ARG VERSION=//p' "$cf" | sort -u)" "$version" \
	"its default is debian/changelog's version ($version)"
like "$(grep -E '^FROM ' "$cf" | tr '\n' '|')" \
	'^FROM debian:12 AS build\|FROM debian:12-slim AS runtime\|.*FROM runtime\|$' \
	"build on debian:12, run on debian:12-slim, the last stage from the runtime"
missing=
while read -r d; do
	grep -qw -- "$d" <(sed -n '/^FROM debian:12 AS build/,/^FROM /p' "$cf") || missing+=" $d"
done < <(sed -n 's/.*install the Debian package \([a-z0-9.+-]*\).*/\1/p' "$src/configure.ac")
is "$missing" "" "the build stage installs every -dev package configure.ac asks for"

# --- the build -----------------------------------------------------------------
started=$SECONDS
INKWELL_IMAGE_DIR=$out "$src/script/image" >"$tmp/image.log" 2>&1
rc=$?
ok "script/image builds the image" test "$rc" -eq 0
if_fail diag "$(tail -n 30 "$tmp/image.log")"
note "script/image: $((SECONDS - started)) s"
archive=$out/inkwell-$version.oci.tar
sbom=$out/inkwell-$version.spdx.json
ok "it wrote the archive $archive" test -s "$archive"
ok "it wrote the SBOM beside it" test -s "$sbom"
if [[ ! -s $archive || ! -s $sbom ]]; then
	done_testing
fi
note "archive: $(stat -c %s "$archive") bytes"
revision=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null ||
	sed -n 's/^#define INKWELL_COMMIT "\(.*\)"$/\1/p' "$out/build/src/buildinfo.h")

# --- reproducible: another checkout, at another path, later ------------------
# A clone of this tree (its uncommitted changes too) under a path of
# another name and length builds the image again into another directory:
# the archive must be the same bytes (the build stage maps both paths
# away; every time stamp is SOURCE_DATE_EPOCH, the commit's date).
sleep 1
other=$tmp/another-inkwell-checkout
if ! is_checkout "$src"; then
	pass "a second build from a clone # SKIP $src is not a git checkout"
elif clone_checkout "$src" "$other" 2>"$tmp/clone.err"; then
	started=$SECONDS
	env -u INKWELL_BUILD INKWELL_IMAGE_DIR="$tmp/image-two" "$other/script/image" \
		>"$tmp/image-two.log" 2>&1
	rc=$?
	ok "script/image builds it again from a clone at another path" test "$rc" -eq 0
	if_fail diag "$(tail -n 30 "$tmp/image-two.log")"
	note "second script/image (clone): $((SECONDS - started)) s"
	ok "the two archives are byte-identical" \
		cmp "$archive" "$tmp/image-two/inkwell-$version.oci.tar"
	if_fail diag "$("$py" "$here/lib/image_check.py" diff "$archive" \
		"$tmp/image-two/inkwell-$version.oci.tar" 2>&1 | head -n 20)"
	ok "and so are the two SBOMs" cmp "$sbom" "$tmp/image-two/inkwell-$version.spdx.json"
	rm -rf "$other" "$tmp/image-two"
else
	fail "a clone of $src at another path"
	diag "$(cat "$tmp/clone.err")"
fi

# quiet CMD...: CMD's output goes to a log, shown when the check fails.
quiet() { "$@" >"$tmp/cmd.log" 2>&1; }

"$ctr/image-config" --json --arg "VERSION=$version" --arg "REVISION=$revision" \
	"$cf" >"$tmp/expected.json" 2>/dev/null
tap_report 6 < <("$py" "$here/lib/image_check.py" archive "$archive" \
	"$tmp/expected.json" "$version" "$revision")

# --- podman ------------------------------------------------------------------
mkdir -p "$tmp/podman"
loaded=$("${P[@]}" load -i "$archive" 2>&1)
like "$loaded" "Loaded image: localhost/inkwell:$version" \
	"podman load names it localhost/inkwell:$version"
image=localhost/inkwell:$version
# podman's default limits for root are above what this machine lets even
# root set; inkwelld needs little.
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
[[ $nofile == unlimited || $nofile -gt 4096 ]] && nofile=4096
[[ $nproc == unlimited || $nproc -gt 4096 ]] && nproc=4096
run=(run --rm --network host --ulimit "nofile=$nofile:$nofile"
	--ulimit "nproc=$nproc:$nproc")
# crun (podman's default here) refuses a cgroup v1 host whose cgroup2
# hierarchy has controllers ("hybrid mode"); runc runs there.
if ! err=$("${P[@]}" "${run[@]}" "$image" true 2>&1) &&
	[[ $err == *"hybrid mode"* ]] && command -v runc >/dev/null; then
	P+=(--runtime runc)
	diag "crun: '$err'; runc runs the containers"
fi
ok "podman runs a container of the image" "${P[@]}" "${run[@]}" "$image" true
if_fail diag "$("${P[@]}" "${run[@]}" "$image" true 2>&1)"
note "image size (uncompressed): $("${P[@]}" image inspect --format '{{.Size}}' "$image") bytes"

# --- what is in the image ----------------------------------------------------
inimage() { "${P[@]}" "${run[@]}" "$image" "$@"; }
inimage dpkg-query -W -f '${db:Status-Status} ${Package} ${Version} ${Architecture}\n' \
	2>&1 | sed -n 's/^installed //p' >"$tmp/dpkg.list"
note "Debian packages in the image: $(wc -l <"$tmp/dpkg.list")"
cp "$sbom" "$tmp/sbom.json"
tap_report 6 < <("$py" "$here/lib/image_check.py" sbom "$tmp/sbom.json" \
	"$tmp/dpkg.list" "$version" "$revision")
inimage cat /usr/share/doc/inkwell/sbom.spdx.json >"$tmp/sbom-inside.json" 2>&1
ok "the image holds the same SBOM as /usr/share/doc/inkwell/sbom.spdx.json" \
	cmp -s "$tmp/sbom-inside.json" "$sbom"
# Every licence expression must be valid SPDX: Debian's
# node-spdx-expression-parse knows the SPDX list.
if command -v node >/dev/null && [[ -d /usr/share/nodejs/spdx-expression-parse ]]; then
	bad=$(NODE_PATH=/usr/share/nodejs node -e '
		const parse = require("spdx-expression-parse");
		const lines = require("fs").readFileSync(process.argv[1], "utf8")
			.split("\n").filter(Boolean);
		for (const l of lines) { try { parse(l); } catch (e) { console.log(l); } }
		if (lines.length < 10) console.log("only " + lines.length + " licences");
	' "$tmp/sbom.json.licenses" 2>&1)
	is "$bad" "" "every licence in the SBOM is a valid SPDX expression"
else
	pass "every licence in the SBOM is a valid SPDX expression # SKIP node or node-spdx-expression-parse missing"
fi
is "$(grep -E -- '(-dev|-dev-bin) |^(gcc|gcc-[0-9]+|cpp|cpp-[0-9]+|g\+\+|clang|clang-[0-9]+|binutils|make|build-essential|libc6-dev|linux-libc-dev|pkg-config|pkgconf) ' \
	"$tmp/dpkg.list" | cut -d' ' -f1 | tr '\n' ' ')" "" \
	"no compiler, toolchain or -dev package is installed"
is "$(inimage sh -c 'for c in cc gcc c99 cpp c++ g++ clang tcc ld as make; do command -v "$c"; done' 2>&1)" "" \
	"no compiler, linker or make on PATH"
missing=
while read -r p; do
	grep -q "^$p " "$tmp/dpkg.list" || missing+=" $p"
done <"$out/stage/runtime-packages"
is "$missing" "" "the runtime packages build-inkwell derived are installed ($(tr '\n' ' ' <"$out/stage/runtime-packages"))"
is "$(inimage sh -c 'ldd /usr/sbin/inkwelld /usr/bin/inkwellctl /usr/bin/cgi-fcgi | grep -c "not found"' 2>&1)" 0 \
	"every library inkwelld, inkwellctl and cgi-fcgi load is there"
like "$(inimage getent passwd inkwell 2>&1)" '^inkwell:x:10001:10001:[^:]*:/nonexistent:/usr/sbin/nologin$' \
	"user inkwell is 10001:10001, no home, no shell"
is "$(inimage id -u 2>&1)" 10001 "the image runs as uid 10001 by default"
like "$(inimage inkwellctl version 2>&1)" "inkwell $version.*commit $revision" \
	"the image's inkwellctl names version $version and commit $revision"
ok "templates and static files are installed" \
	"${P[@]}" "${run[@]}" "$image" test -f /usr/share/inkwell/templates/index.html.mustache \
	-a -f /usr/share/inkwell/static/style.css -a -x /usr/libexec/inkwell/healthcheck

# --- compose.yaml's "secrets" service, run as compose would ---------------------
# Its command, with compose's $$ unescaped, as the user it names, on a
# directory standing for the "secrets" volume.
mapfile -d '' cmd < <("$py" -c '
import sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["services"]["secrets"]
for w in s["command"]:
    sys.stdout.write(w.replace("$$", "$") + "\0")
' "$ctr/compose.yaml")
user=$("$py" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["services"]["secrets"]["user"])' "$ctr/compose.yaml")
mkdir -p "$tmp/secrets"
secrets() {
	"${P[@]}" "${run[@]}" --read-only --user "$user" \
		-v "$tmp/secrets:/run/inkwell-secrets" "$image" "${cmd[@]}"
}
ok "compose's secrets service runs in the image" quiet secrets
if_fail diag "$(cat "$tmp/cmd.log")"
pw=$(cat "$tmp/secrets/db_password" 2>/dev/null)
like "$pw" '^[0-9a-f]{48}$' "it makes a 48-digit random password"
is "$(cat "$tmp/secrets/db_conninfo" 2>/dev/null)" \
	"host=postgres dbname=inkwell user=inkwell password=$pw" \
	"and inkwell's connection string with it"
sums=$(sha256sum "$tmp/secrets/"*)
quiet secrets
is "$(sha256sum "$tmp/secrets/"*)" "$sums" "a second start keeps both files"
# The compose network's host name is unknown here: libpq saying so shows
# the connection string came from the file.
like "$("${P[@]}" "${run[@]}" -v "$tmp/secrets:/run/inkwell-secrets:ro" \
	-e INKWELL_DATABASE_PRIMARY_FILE=/run/inkwell-secrets/db_conninfo \
	"$image" inkwellctl migrate --status 2>&1)" 'host name "postgres"' \
	"uid 10001 reads the connection string through INKWELL_DATABASE_PRIMARY_FILE"

# --- PostgreSQL and Redis on loopback ------------------------------------------
# script/lib/stack.sh's PostgreSQL and Redis, on this test's ports (the
# running test stack's INKWELL_*_PORT must not apply).
. "$src/script/lib/stack.sh"
STACK_FRESH_DB=1
INKWELL_HTTP_PORT='' INKWELL_PG_PORT='' INKWELL_REDIS_PORT='' \
	stack_init "$tmp/stack" "$HTTP_PORT" "$PG_PORT" "$REDIS_PORT"
stack_up=1
(stack_dirs && stack_pg_start && stack_redis_start) >"$tmp/stack.log" 2>&1
up() {
	[[ $(stack_redis_cli ping 2>/dev/null) == PONG ]] &&
		"$pgbin/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U postgres -d inkwell \
			-tAc 'SELECT 1' >/dev/null 2>&1
}
ok "PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT are up" up
if_fail diag "$(tail -n 20 "$tmp/stack.log")"
db="host=127.0.0.1 port=$PG_PORT dbname=inkwell user=postgres"
# The stack's Redis wants a password (script/lib/stack.sh): the image's
# inkwell gets it from the environment, as inkwell.conf(5)'s keys.
env=(-e "INKWELL_DATABASE_PRIMARY=$db" -e "INKWELL_REDIS_ADDRESS=127.0.0.1:$REDIS_PORT"
	-e "INKWELL_REDIS_PASSWORD=$(cat "$STACK_REDIS_PASSWORD_FILE")")

# --- inkwellctl from the image: one-shot commands -----------------------------
ok "the image's inkwellctl migrate runs as a one-shot" \
	quiet "${P[@]}" "${run[@]}" --read-only "${env[@]}" "$image" inkwellctl migrate
if_fail diag "$(cat "$tmp/cmd.log")"
like "$("${P[@]}" "${run[@]}" "${env[@]}" "$image" inkwellctl migrate --status 2>&1)" \
	'up to date' "migrate --status: the schema is up to date"
printf '%s\n' 'correct horse battery staple' >"$tmp/pw"
ok "inkwellctl user add (password on standard input)" \
	quiet "${P[@]}" "${run[@]}" -i "${env[@]}" "$image" inkwellctl user add \
	--name 'Site Admin' --email admin@example.org --role admin \
	--password-stdin admin <"$tmp/pw"
if_fail diag "$(cat "$tmp/cmd.log")"
like "$("${P[@]}" "${run[@]}" "${env[@]}" "$image" inkwellctl user list 2>&1)" \
	'admin' "inkwellctl user list shows it"
ok "inkwellctl import of the demo posts (a mounted directory)" \
	quiet "${P[@]}" "${run[@]}" "${env[@]}" -v "$src/script/demo:/demo:ro" "$image" \
	inkwellctl import /demo
if_fail diag "$(cat "$tmp/cmd.log")"

# --- inkwelld in the container -----------------------------------------------
mkdir -p "$tmp/pages"
chown 10001:10001 "$tmp/pages"
"${P[@]}" run -d --name "$cname" --network host --read-only \
	--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
	"${env[@]}" -e "INKWELL_SERVER_LISTEN=127.0.0.1:$FCGI_PORT" \
	-e INKWELL_SERVER_WORKERS=2 -e INKWELL_PATHS_PAGES=/run/inkwell/pages \
	-e "INKWELL_SERVER_BASE_URL=http://127.0.0.1:$HTTP_PORT" \
	-v "$tmp/pages:/run/inkwell/pages" "$image" >/dev/null 2>"$tmp/run.err"
ok "inkwelld starts in a container (read-only root, the image's command)" \
	wait_for 30 "${P[@]}" exec "$cname" /usr/libexec/inkwell/healthcheck
if_fail diag "$(cat "$tmp/run.err"; "${P[@]}" logs "$cname" 2>&1 | tail -n 20)"
pid=$("${P[@]}" inspect --format '{{.State.Pid}}' "$cname" 2>/dev/null)
is "$(cat "/proc/$pid/comm" 2>/dev/null)" inkwelld "the container's first process is inkwelld"
uids=$(for p in "$pid" $(pgrep -P "$pid"); do awk '/^Uid:/ { print $2, $3 }' "/proc/$p/status"; done | sort -u)
is "$uids" "10001 10001" "inkwelld and its workers run as uid 10001 (real and effective)"
like "$(pgrep -c -P "$pid")" '^[3-9]$' "it runs its workers (2) and the keeper"

# --- nginx on the host, with the container site ------------------------------
"${P[@]}" create --name "$cname-cp" "$image" >/dev/null 2>&1 &&
	"${P[@]}" cp "$cname-cp:/usr/share/inkwell/static" "$tmp/static" &&
	"${P[@]}" rm "$cname-cp" >/dev/null
mkdir -p "$tmp/nginx"
sed -e "s#^\([[:space:]]*server \)inkwell:9000#\1127.0.0.1:$FCGI_PORT#" \
	-e "s#^\([[:space:]]*\)listen 80;#\1listen 127.0.0.1:$HTTP_PORT;#" \
	-e "s#/run/inkwell/pages#$tmp/pages#g" \
	-e "s#/usr/share/inkwell/static#$tmp/static#g" \
	-e "s#/var/log/nginx/access\.log#$tmp/nginx/access.log#g" \
	"$ctr/nginx-inkwell.conf" >"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {
    worker_connections 256;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $tmp/nginx/access.log;
    client_body_temp_path $tmp/nginx/body;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    proxy_temp_path $tmp/nginx/proxy;
    scgi_temp_path $tmp/nginx/scgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    include $tmp/nginx/site.conf;
}
EOF
nginx -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" \
	>"$tmp/nginx/start.log" 2>&1 && nginx_pid=$(cat "$tmp/nginx/nginx.pid")
ok "nginx starts with the container site on 127.0.0.1:$HTTP_PORT" test -n "$nginx_pid"
if_fail diag "$(cat "$tmp/nginx/start.log")"

url=http://127.0.0.1:$HTTP_PORT
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url$1"; }
is "$(code /healthz)" 200 "GET /healthz through nginx: 200"
is "$(code /readyz)" 200 "GET /readyz through nginx: 200 (database reachable, schema current)"
home=$(curl -s --max-time 10 "$url/")
like "$home" "FastCGI workers, and why a crash costs one request" \
	"the home page lists an imported post"
is "$(code /posts/fastcgi-workers)" 200 "GET /posts/fastcgi-workers: 200"
is "$(curl -s --max-time 10 "$url/static/style.css" | cmp - "$src/static/style.css" && echo same)" same \
	"/static/style.css is the image's copy of static/style.css"
v=$(curl -s --max-time 10 "$url/version")
like "$v" "\"version\": *\"$version\"" "/version names version $version"
like "$v" "\"commit\": *\"$revision\"" "/version names commit $revision"
# A page the container cached is then a file nginx serves itself: the
# first GET makes it (MISS), a later one finds the file (HIT, and no
# X-Request-Id: no worker saw it).
is "$(curl -s -D - -o /dev/null --max-time 10 "$url/tags/c" | tr -d '\r' |
	sed -n 's/^X-Cache: //p')" MISS "the first GET /tags/c is made from PostgreSQL"
from_file() {
	hdrs=$(curl -s -D - -o /dev/null --max-time 10 "$url/tags/c")
	[[ $hdrs == *"X-Cache: HIT"* && $hdrs != *X-Request-Id* ]]
}
ok "a later GET /tags/c is served by nginx from the page file" wait_for 5 from_file
if_fail diag "$hdrs"
file=$(find "$tmp/pages/" -name 'c@.html' -path '*/tags/*' | head -n 1)
is "$(stat -c %u "${file:-/nonexistent}" 2>/dev/null)" 10001 \
	"the page file is on the shared directory, written by uid 10001"
like "$(stack_redis_cli dbsize)" '^[1-9]' "inkwelld caches in Redis (with its password)"

# --- stop ----------------------------------------------------------------------
"${P[@]}" stop -t 40 "$cname" >/dev/null 2>&1
is "$("${P[@]}" inspect --format '{{.State.ExitCode}}' "$cname" 2>&1)" 0 \
	"podman stop (SIGTERM): inkwelld exits 0"
like "$("${P[@]}" logs "$cname" 2>&1 | tail -n 3)" '"msg":"stopped"' \
	"... after letting requests finish (its log says stopped)"

done_testing
