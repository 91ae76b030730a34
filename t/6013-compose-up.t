#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6013-compose-up: deploy/container/compose.yaml run for real, by Debian
# 12's podman-compose (1.0.3), which ignores depends_on conditions: it
# starts every service one after the other, a second apart, without
# waiting for any to be healthy or finished. The first "up" must still
# serve pages through the compose's nginx with no manual step (migrate
# waits for PostgreSQL itself), and "down" then "up" must keep the data.
# The second "up" adds compose.https.yaml, with a certificate for
# localhost from a CA made here by openssl in the mounted directory: the
# blog over HTTPS (HTTP/2, HSTS, links on https://), plain HTTP
# redirected, a client trusting another CA refused, and a new
# certificate served after "nginx -s reload".
#
# No registry is reachable here. The inkwell image is script/image's
# (built when missing or older than the sources); the images compose
# names for PostgreSQL, Redis and nginx are stand-ins built from Debian
# 12's packages (one mmdebstrap root, three image configurations; their
# entrypoints are in t/compose/) and tagged with the names compose.yaml
# uses, so the file runs unchanged. They live in a podman storage of this
# test's own (CONTAINERS_STORAGE_CONF and CONTAINERS_CONF point podman
# and podman-compose at files in its temporary directory), so those
# registry names never reach the machine's image store; its networks and
# volumes are there too. nginx is published on 127.0.0.1 only: HTTP on
# 18113 (INKWELL_HTTP_PORT=127.0.0.1:18113, which compose.yaml puts before
# ":80"), HTTPS on 18443 (INKWELL_HTTPS_PORT, before ":443"), away from
# the ports script/test's stacks use. Everything the test made is removed
# at the end, failed or not.
# shellcheck disable=SC2016,SC2317 # single-quoted $ are for the shells run; helpers are called through ok
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/podman.sh
. "$here/lib/podman.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
ctr=$src/deploy/container
out=$build/image

podman_require podman-compose openssl
HTTP_PORT=18113 HTTPS_PORT=18443
podman_ports_free 6013 "$HTTP_PORT" "$HTTPS_PORT"

tmp=$(mktemp -d /tmp/inkwell-6013.XXXXXX)
chmod 0755 "$tmp"
project=iw6013x$$
net=${project}_default
started=$SECONDS

# podman and podman-compose (which runs "podman") use this storage and
# this network configuration only (t/lib/podman.sh).
podman_private

# podman-compose as a user would run it, on this test's project and
# ports: compose.yaml, then with HTTPS (https_on) compose.https.yaml too.
files=(-f "$ctr/compose.yaml")
base_url=http://127.0.0.1:$HTTP_PORT
pc() {
	INKWELL_HTTP_PORT=127.0.0.1:$HTTP_PORT INKWELL_HTTPS_PORT=127.0.0.1:$HTTPS_PORT \
		INKWELL_TLS_DIR=$tmp/tls INKWELL_BASE_URL=$base_url \
		podman-compose -p "$project" "${files[@]}" "$@"
}

cleanup() {
	[[ -d $tmp/podman/root ]] && pc down -v >>"$tmp/compose.log" 2>&1
	podman_cleanup "$net"
}
trap cleanup EXIT

image_of() { # SERVICE: the image compose.yaml names for it
	"$py" -c 'import sys, yaml
print(yaml.safe_load(open(sys.argv[1]))["services"][sys.argv[2]]["image"])' \
		"$ctr/compose.yaml" "$1"
}

# --- the images ------------------------------------------------------------------
# script/image's inkwell image; stand-ins for the images compose names
# for PostgreSQL, Redis and nginx (t/lib/podman.sh).
podman_inkwell_image
t0=$SECONDS
podman_standins
pg_image=$(image_of postgres) redis_image=$(image_of redis) nginx_image=$(image_of nginx)
ok "a stand-in tagged $pg_image" podman_standin "$pg_image" "$PODMAN_STANDIN_POSTGRES"
ok "a stand-in tagged $redis_image" podman_standin "$redis_image" "$PODMAN_STANDIN_REDIS"
ok "a stand-in tagged $nginx_image" podman_standin "$nginx_image" "$PODMAN_STANDIN_NGINX"
if_fail diag "$(tail -n 20 "$tmp/standins.log")"
note "images ready after $((SECONDS - t0)) s"
podman_pick_runtime "$nginx_image"

# --- the first up ----------------------------------------------------------------
url=http://127.0.0.1:$HTTP_PORT
code() { curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 "$url$1"; }
state() { podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "${project}_$1_1" 2>/dev/null; }
# settled: nginx answers /healthz from inkwelld and migrate has finished;
# what / and /readyz say then is the outcome (nothing else will run).
# Polled once a second.
settled() {
	[[ $(code /healthz) == 200 && $(state migrate) == exited* ]] || {
		sleep 1
		return 1
	}
}

t0=$SECONDS
pc up -d >"$tmp/compose.log" 2>&1
rc=$?
ok "podman-compose up -d (the first: empty volumes)" test "$rc" -eq 0
if_fail diag "$(tail -n 20 "$tmp/compose.log")"
ok "nginx answers through inkwelld and migrate has finished (up to 240 s)" wait_for 240 settled
note "first up: settled $((SECONDS - t0)) s after podman-compose up"
if_fail diag "$(podman ps -a --format '{{.Names}} {{.Status}}' 2>&1)"
mlog=$(podman logs "${project}_migrate_1" 2>&1)
is "$(state migrate)" "exited 0" "migrate exited 0 (no one ran it again)"
if_fail diag "$mlog"
note "migrate: $(grep -c 'waiting for' <<<"$mlog") line(s) saying what it waited for; $(grep -E 'answered after|waiting for the configuration' <<<"$mlog" | head -n 2 | tr '\n' ' ')"
ready() { [[ $(code /readyz) == 200 ]] || { sleep 1; return 1; }; }
ok "GET /readyz through the compose's nginx: 200 (schema current)" wait_for 20 ready
if_fail diag "$(cat "$tmp/body")"
is "$(code /)" 200 "GET / through the compose's nginx: 200"
like "$(cat "$tmp/body")" '<html' "and it is the blog's home page"
is "$(code /static/style.css)" 200 "nginx serves the theme's assets"
curl -s -o /dev/null --max-time 10 -k "https://127.0.0.1:$HTTPS_PORT/"
is "$?" 7 "without compose.https.yaml, nothing answers on the HTTPS port"

# --- a post, written through the API -----------------------------------------------
ink=${project}_inkwell_1
ctl() { podman exec -i "$ink" inkwellctl "$@"; }
ctl user add --no-password --role admin --name 'Compose Admin' composer >"$tmp/ctl.log" 2>&1
tok=$(ctl token add composer 2>>"$tmp/ctl.log")
like "$tok" '^iw_[A-Za-z0-9_-]{43}$' "inkwellctl in the inkwell container makes an admin and a token"
if_fail diag "$(cat "$tmp/ctl.log")"
slug=kept-across-down-$$
pcode=$(curl -s -o "$tmp/post" -w '%{http_code}' --max-time 10 -X POST \
	-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	-d "{\"slug\":\"$slug\",\"title\":\"Kept across down\",\"body_md\":\"Written before *down*.\",\"status\":\"published\"}" \
	"$url/api/v1/posts")
like "$pcode" '^20[01]$' "POST /api/v1/posts through nginx: $pcode"
if_fail diag "$(cat "$tmp/post")"
is "$(code "/posts/$slug")" 200 "the post is on the blog"

# --- certificates ----------------------------------------------------------------------
# A CA, and a certificate for localhost (and 127.0.0.1) it signs, in the
# directory compose.https.yaml mounts, as tls.crt and tls.key; another
# CA, which must not be enough to trust it.
mkdir -p "$tmp/ca" "$tmp/tls"
ssl() { openssl "$@" 2>>"$tmp/openssl.log"; }
make_ca() { # NAME: $tmp/ca/NAME.pem and NAME.key
	ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=inkwell 6013 $1" -keyout "$tmp/ca/$1.key" -out "$tmp/ca/$1.pem"
}
# make_cert: a new key and certificate for localhost, signed by the CA,
# moved into the certificate directory the way a renewal replaces them.
make_cert() {
	ssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
		-keyout "$tmp/ca/new.key" -out "$tmp/ca/new.csr" &&
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tmp/ca/ext" &&
		ssl x509 -req -in "$tmp/ca/new.csr" -CA "$tmp/ca/ca.pem" -CAkey "$tmp/ca/ca.key" \
			-set_serial "0x$(openssl rand -hex 16)" -days 2 -extfile "$tmp/ca/ext" \
			-out "$tmp/ca/new.crt" &&
		mv "$tmp/ca/new.key" "$tmp/tls/tls.key" && mv "$tmp/ca/new.crt" "$tmp/tls/tls.crt"
}
serial_of() { openssl x509 -noout -serial -in "$1" 2>/dev/null; }
make_ca ca && make_ca other && make_cert
ok "openssl makes a CA, another CA, and tls.crt and tls.key for localhost" \
	test -s "$tmp/tls/tls.crt" -a -s "$tmp/tls/tls.key" -a -s "$tmp/ca/other.pem"
if_fail diag "$(tail -n 20 "$tmp/openssl.log")"

# --- down, then up again, with HTTPS ----------------------------------------------------
pc down >>"$tmp/compose.log" 2>&1
is "$(podman ps -a --format '{{.Names}}' 2>&1 | grep -c "^${project}_")" 0 \
	"podman-compose down removes the containers"
like "$(podman volume ls --format '{{.Name}}' 2>&1 | tr '\n' ' ')" "${project}_db" \
	"and keeps the volumes"
files+=(-f "$ctr/compose.https.yaml")
base_url=https://localhost:$HTTPS_PORT
# scode PATH [CURL-ARGS...]: the status of an HTTPS request for
# localhost (on 127.0.0.1), trusting the CA made above; headers in
# $tmp/headers, the body in $tmp/body, the HTTP version in $tmp/version.
scode() {
	local path=$1
	shift
	curl -s --cacert "$tmp/ca/ca.pem" --resolve "localhost:$HTTPS_PORT:127.0.0.1" \
		-D "$tmp/headers" -o "$tmp/body" -w '%{http_code}\n%{http_version}\n' \
		--max-time 10 "$@" "$base_url$path" >"$tmp/scode"
	head -n 1 "$tmp/scode"
	sed -n 2p "$tmp/scode" >"$tmp/version"
}
t0=$SECONDS
pc up -d >>"$tmp/compose.log" 2>&1
rc=$?
ok "podman-compose -f compose.yaml -f compose.https.yaml up -d" test "$rc" -eq 0
ok "it settles again (up to 240 s)" wait_for 240 settled
note "second up: settled $((SECONDS - t0)) s after podman-compose up"
if_fail diag "$(podman logs "${project}_nginx_1" 2>&1 | tail -n 10)"
is "$(state migrate)" "exited 0" "migrate exited 0"
if_fail diag "$(podman logs "${project}_migrate_1" 2>&1 | tail -n 10)"
ok "GET /readyz over plain HTTP, not redirected: 200" wait_for 20 ready

is "$(scode /)" 200 "GET https://localhost:$HTTPS_PORT/ with the CA: 200"
if_fail diag "$(podman logs "${project}_nginx_1" 2>&1 | tail -n 10)"
is "$(cat "$tmp/version")" 2 "over HTTP/2"
hsts=$(grep -o 'max-age=[0-9]*' "$src/nginx/inkwell-tls.conf")
is "$(tr -d '\r' <"$tmp/headers" | sed -n 's/^[Ss]trict-[Tt]ransport-[Ss]ecurity: *//p')" "$hsts" \
	"with HSTS as nginx/inkwell-tls.conf sets it ($hsts)"
is "$(scode "/posts/$slug")" 200 "the post written before down is there after up"
like "$(cat "$tmp/body")" 'Kept across down' "with its title"
scode /feed.atom >/dev/null
like "$(cat "$tmp/body")" "https://localhost:$HTTPS_PORT/posts/$slug" \
	"the feed links the post on https:// (INKWELL_BASE_URL)"
is "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 "$url/posts/$slug?x=1")" \
	"301 $base_url/posts/$slug?x=1" "GET on plain HTTP: 301 to the same address on https://"
is "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 -X POST -d x=1 "$url/api/v1/posts")" \
	"308 $base_url/api/v1/posts" "POST on plain HTTP: 308 (repeat it as it was)"
curl -s -o /dev/null --cacert "$tmp/ca/other.pem" --resolve "localhost:$HTTPS_PORT:127.0.0.1" \
	--max-time 10 "$base_url/"
is "$?" 60 "a client trusting another CA refuses the certificate (curl: 60)"

# A renewal: new key and certificate in the directory, then the reload
# README.md says to run.
served() {
	openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername localhost </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null
}
old=$(serial_of "$tmp/tls/tls.crt")
got=$(served)
ok "nginx serves the certificate from the directory" test -n "$old" -a "$got" = "$old"
if_fail diag "served '$got', in the directory '$old'"
make_cert
new=$(serial_of "$tmp/tls/tls.crt")
pc exec -T nginx nginx -s reload >>"$tmp/compose.log" 2>&1
renewed() { [[ -n $new && $new != "$old" && $(served) == "$new" ]] || { sleep 1; return 1; }; }
ok "after podman-compose exec nginx nginx -s reload, it serves the new one (up to 20 s)" \
	wait_for 20 renewed
if_fail diag "served $(served), new $new, old $old"
is "$(scode /)" 200 "GET / over HTTPS with the new certificate: 200"

note "6013: $((SECONDS - started)) s in all"
done_testing
