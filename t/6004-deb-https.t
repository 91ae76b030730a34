#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6004-deb-https: the Debian package's HTTPS, on a clean Debian 12, as an
# operator turns it on.
#
#   1. mmdebstrap makes a minbase bookworm root (as t/6002 does); there
#      "apt-get install ./inkwell_*.deb certbot": the package brings
#      /usr/sbin/inkwell-https, its manual, the TLS snippet (a conffile),
#      /var/lib/inkwell/acme and /etc/inkwell/nginx.
#   2. In a network namespace of its own: the blog's name,
#      blog.inkwell.test, is 10.42.17.2 (an address of the namespace's
#      loopback) in the root's /etc/hosts and in the answers of the DNS
#      server pebble asks (pebble-challtestsrv, 127.0.0.1:8253). Debian's
#      pebble is the ACME CA (127.0.0.1:14200, management 14201), run
#      from this machine in the namespace; it checks challenges on the
#      name's port 80. PostgreSQL, Redis, inkwelld and nginx start as in
#      t/6002 (no systemd: reloads take inkwell-https's way without it,
#      "nginx -s reload" and SIGHUP to inkwelld; no reload command is
#      given in the environment).
#      In the root: a name that does not resolve is refused (exit 1, HTTP
#      as it was); "inkwell-https --domain blog.inkwell.test --email ...
#      --acme-directory PEBBLE" turns HTTPS on (certbot trusts pebble's
#      API through REQUESTS_CA_BUNDLE, the command's own check through
#      CURL_CA_BUNDLE: pebble's root). From outside the root, curl checks
#      the chain with pebble's root: the home page and a new post over
#      HTTP/2, HSTS, links in https, http:// answered with a 301 to
#      https; the same check with another root fails. --status shows the
#      certificate; "certbot renew --force-renewal" runs the deploy hook
#      (/usr/sbin/inkwell-https --reload) and nginx serves the new
#      serial; --off: HTTP only again.
#   3. HTTPS on again, then purge: /etc/inkwell (https.conf and
#      50-https.conf with it) and the snippet go, certbot's
#      /etc/letsencrypt stays, nginx -t passes.
#
# The package: the one t/6001-deb-build.t left when it was built from
# these sources, else script/deb builds it (INKWELL_TEST_DEB=FILE: that
# one). Phases run in their own mount and PID namespaces, as in t/6002.
# Logs: $INKWELL_TEST_VAR/out/6004-deb-https (build/t/out/... without it).
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/debroot.sh
. "$here/lib/debroot.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
self=$here/$(basename "$0")

PATH_IN=/usr/sbin:/usr/bin:/sbin:/bin
DOMAIN=blog.inkwell.test
ADDR=10.42.17.2
ACME_PORT=14200
ACME_MGMT_PORT=14201
DNS_PORT=8253
DIRECTORY=https://127.0.0.1:$ACME_PORT/dir

# --- inside the namespaces ---------------------------------------------------

inroot() {
	chroot "$R" /usr/bin/env -i PATH="$PATH_IN" HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The command as the operator runs it, trusting pebble (its API for
# certbot, its root for the command's own https check); output in
# $OUT/cmd.out.
https_cmd() {
	inroot REQUESTS_CA_BUNDLE=/etc/inkwell-test/api-ca.pem \
		CURL_CA_BUNDLE=/etc/inkwell-test/root.pem inkwell-https "$@" >"$OUT/cmd.out" 2>&1
}

# get URL [curl options]: "STATUS VERSION"; body and headers in $OUT.
get() {
	local url=$1
	shift
	curl -s -o "$OUT/body" -D "$OUT/headers" -w '%{http_code} %{http_version}' \
		--max-time 10 --resolve "$DOMAIN:80:$ADDR" --resolve "$DOMAIN:443:$ADDR" \
		"$@" "$url" 2>/dev/null
}
tls() {
	local url=$1
	shift
	get "$url" --cacert "$CA/root.pem" "$@"
}
header() { sed -n "s/^$1: *//Ip" "$OUT/headers" | tr -d '\r' | tail -n 1; }
not() { ! "$@"; }
https_files_gone() {
	[[ ! -e $R/etc/inkwell/nginx/https.conf && ! -e $R/etc/inkwell/conf.d/50-https.conf ]]
}
served_serial() {
	openssl s_client -connect "$ADDR:443" -servername "$DOMAIN" </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}
live_serial() {
	openssl x509 -noout -serial -in "$R/etc/letsencrypt/live/$DOMAIN/cert.pem" 2>/dev/null |
		cut -d= -f2
}

phase_install() {
	printf '#!/bin/sh\n# t/6004: no daemon starts while packages are installed\nexit 101\n' \
		>"$R/usr/sbin/policy-rc.d"
	chmod 755 "$R/usr/sbin/policy-rc.d"
	cp "$DEB" "$R/tmp/"
	local deb=/tmp/${DEB##*/} log=$OUT/install.log

	inroot apt-get update -q >"$OUT/apt-update.log" 2>&1
	ok "apt-get update in the root" test $? -eq 0
	inroot apt-get install -y -q "$deb" certbot >"$log" 2>&1
	is "$?" 0 "apt-get install ./${DEB##*/} certbot"
	if_fail tail -n 30 "$log"
	local p
	for p in inkwell certbot curl openssl; do
		is "$(inroot dpkg-query -W -f='${Status}' "$p" 2>&1)" "install ok installed" "$p is installed"
	done
	like "$(inroot dpkg-query -W -f='${Suggests}' inkwell)" 'certbot' "inkwell suggests certbot"
	ok "/usr/sbin/inkwell-https, executable" test -x "$R/usr/sbin/inkwell-https"
	ok "its manual" eval "inroot dpkg -L inkwell | grep -qx /usr/share/man/man8/inkwell-https.8.gz"
	ok "/etc/nginx/snippets/inkwell-tls.conf" cmp "$src/nginx/inkwell-tls.conf" \
		"$R/etc/nginx/snippets/inkwell-tls.conf"
	like "$(inroot dpkg-query -W -f='${Conffiles}' inkwell)" '/etc/nginx/snippets/inkwell-tls.conf ' \
		"  a conffile"
	ok "/var/lib/inkwell/acme" test -d "$R/var/lib/inkwell/acme"
	ok "/etc/inkwell/nginx (the postinst)" test -d "$R/etc/inkwell/nginx"
	ok "nginx -t accepts the site" inroot nginx -t -q
}

start_pebble() {
	mkdir -p "$CA"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj '/CN=t6004 ACME API CA' \
		-keyout "$CA/api-ca.key" -out "$CA/api-ca.pem" >/dev/null 2>&1 &&
		openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' \
			-keyout "$CA/api-key.pem" -out "$CA/api.csr" >/dev/null 2>&1 &&
		openssl x509 -req -in "$CA/api.csr" -CA "$CA/api-ca.pem" -CAkey "$CA/api-ca.key" \
			-CAcreateserial -days 30 -out "$CA/api-cert.pem" \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1\n') >/dev/null 2>&1
	ok "a CA for pebble's own listener (openssl)" test $? -eq 0
	cat >"$CA/pebble.json" <<-EOF
		{
		  "pebble": {
		    "listenAddress": "127.0.0.1:$ACME_PORT",
		    "managementListenAddress": "127.0.0.1:$ACME_MGMT_PORT",
		    "certificate": "$CA/api-cert.pem",
		    "privateKey": "$CA/api-key.pem",
		    "httpPort": 80,
		    "tlsPort": 0,
		    "externalAccountBindingRequired": false
		  }
		}
	EOF
	pebble-challtestsrv -defaultIPv4 "$ADDR" -defaultIPv6 '' -dns01 "127.0.0.1:$DNS_PORT" \
		-http01 '' -https01 '' -tlsalpn01 '' -management "127.0.0.1:$((DNS_PORT + 100))" \
		</dev/null >"$OUT/challtestsrv.log" 2>&1 &
	DNSPID=$!
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
		pebble -config "$CA/pebble.json" -dnsserver "127.0.0.1:$DNS_PORT" \
		</dev/null >"$OUT/pebble.log" 2>&1 &
	PEBBLEPID=$!
	ok "pebble answers and gives its root" wait_for 20 \
		curl -fs --cacert "$CA/api-ca.pem" -o "$CA/root.pem" "https://127.0.0.1:$ACME_MGMT_PORT/roots/0"
	if_fail tail -n 20 "$OUT/pebble.log"
	mkdir -p "$R/etc/inkwell-test"
	cp "$CA/api-ca.pem" "$CA/root.pem" "$R/etc/inkwell-test/"
}

start_inkwell() {
	debroot_inkwell_start "$R" "$OUT/inkwelld.log"
	((DEBROOT_DIRS_OK)) || diag "could not make the directories systemd would make"
	wait_for 10 test -S "$R$DEBROOT_LISTEN" && inroot chgrp "$DEBROOT_SGROUP" "$DEBROOT_LISTEN" &&
		inroot chmod "$DEBROOT_SMODE" "$DEBROOT_LISTEN"
	ok "inkwelld listens as inkwell.socket says" test $? -eq 0
}

stop_pid() {
	local pid=$1 i
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

phase_https() {
	local out serial1 serial2 tok slug=over-https
	ip link set lo up && ip addr add "$ADDR/32" dev lo
	ok "the namespace's loopback, with $ADDR" test $? -eq 0
	# The blog's name, as its DNS record would give it; no other name
	# resolves (no DNS server at 127.0.0.1:53).
	printf '127.0.0.1 localhost\n%s %s\n' "$ADDR" "$DOMAIN" >"$R/etc/hosts"
	printf 'nameserver 127.0.0.1\n' >"$R/etc/resolv.conf"
	start_pebble

	inroot pg_ctlcluster 15 main start >"$OUT/pg-start.log" 2>&1
	ok "PostgreSQL starts" wait_for 30 eval "inroot runuser -u postgres -- psql -XAtqc 'SELECT 1' >/dev/null 2>&1"
	inroot /etc/init.d/redis-server start >"$OUT/redis-start.log" 2>&1
	ok "Redis starts" wait_for 15 test "$(inroot redis-cli ping 2>/dev/null)" = PONG
	inroot dpkg-reconfigure inkwell >"$OUT/reconfigure.log" 2>&1
	ok "dpkg-reconfigure inkwell sets up the database" test $? -eq 0
	start_inkwell
	rm -f "$R/etc/nginx/sites-enabled/default"
	inroot nginx >"$OUT/nginx-start.log" 2>&1
	ok "nginx starts with the site" wait_for 10 test "$(get "http://$DOMAIN/readyz")" = "200 1.1"
	is "$(get "http://$DOMAIN/")" "200 1.1" "http://$DOMAIN/: 200 before HTTPS"

	# -- refused
	https_cmd --domain nowhere.inkwell.test --email ops@example.org --acme-directory "$DIRECTORY"
	is "$?" 1 "a name that does not resolve: exit 1"
	like "$(cat "$OUT/cmd.out")" 'nowhere.inkwell.test does not resolve' "  says so"
	ok "  nothing written" https_files_gone
	is "$(get "http://$DOMAIN/")" "200 1.1" "  HTTP still serves, no redirect"

	# -- on, as the operator does it (no INKWELL_HTTPS_* in the environment)
	https_cmd --domain "$DOMAIN" --email ops@example.org --acme-directory "$DIRECTORY"
	is "$?" 0 "inkwell-https --domain $DOMAIN --email ... --acme-directory pebble: exit 0"
	if_fail diag "$(tail -n 25 "$OUT/cmd.out")"
	like "$(cat "$OUT/cmd.out")" "https://$DOMAIN/ is served over HTTPS" "  says so"
	ok "  /etc/inkwell/nginx/https.conf written" test -f "$R/etc/inkwell/nginx/https.conf"
	like "$(cat "$R/etc/inkwell/conf.d/50-https.conf" 2>/dev/null)" "base_url = https://$DOMAIN" \
		"  /etc/inkwell/conf.d/50-https.conf: base_url https"
	like "$(cat "$R/etc/letsencrypt/renewal/$DOMAIN.conf" 2>/dev/null)" \
		'renew_hook = /usr/sbin/inkwell-https --reload' "  certbot's deploy hook is the command's --reload"

	is "$(tls "https://$DOMAIN/")" "200 2" "https://$DOMAIN/: 200 over HTTP/2, chain checked with pebble's root"
	is "$(header Strict-Transport-Security)" "max-age=86400" "  HSTS, as the snippet says"
	ok "  links say https (inkwell reloaded without systemd)" \
		grep -qF "<link rel=\"canonical\" href=\"https://$DOMAIN/\">" "$OUT/body"
	if_fail diag "$(tail -n 5 "$OUT/inkwelld.log")"
	is "$(get "https://$DOMAIN/" --cacert "$CA/api-ca.pem")" "000 0" \
		"the same check with another root fails"
	is "$(get "https://other.inkwell.test/" --cacert "$CA/root.pem" \
		--resolve "other.inkwell.test:443:$ADDR")" "000 0" "  and for a name the certificate does not hold"

	printf 'keeper\n' | inroot runuser -u inkwell -- inkwellctl user add --no-password --role admin keeper \
		>"$OUT/user-add.log" 2>&1
	tok=$(inroot runuser -u inkwell -- inkwellctl token add keeper 2>>"$OUT/user-add.log")
	is "$(tls "https://$DOMAIN/api/v1/posts" -X POST -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' \
		--data "{\"title\":\"Over HTTPS\",\"slug\":\"$slug\",\"body_md\":\"sent encrypted\",\"status\":\"published\"}")" \
		"201 2" "a post made through the API over HTTPS: 201"
	if_fail diag "$(cat "$OUT/body" "$OUT/user-add.log")"
	is "$(tls "https://$DOMAIN/posts/$slug")" "200 2" "GET /posts/$slug over HTTPS: 200 (HTTP/2)"
	ok "  the post" grep -q "sent encrypted" "$OUT/body"

	is "$(get "http://$DOMAIN/posts/$slug?x=1")" "301 1.1" "http://: 301"
	is "$(header Location)" "https://$DOMAIN/posts/$slug?x=1" "  to the same address over https"
	is "$(get "http://$DOMAIN/healthz")" "200 1.1" "  /healthz still answers over http"

	https_cmd --status
	like "$(cat "$OUT/cmd.out")" "HTTPS is on.*subject=CN ?= ?$DOMAIN" "--status: on, the certificate's subject"
	like "$(cat "$OUT/cmd.out")" "notAfter=" "  and its expiry"

	# -- renewal: certbot's deploy hook reloads nginx
	serial1=$(served_serial)
	like "$serial1" '^[0-9A-F]+$' "the served certificate's serial ($serial1)"
	is "$serial1" "$(live_serial)" "  is certbot's"
	inroot REQUESTS_CA_BUNDLE=/etc/inkwell-test/api-ca.pem certbot renew --force-renewal --no-random-sleep-on-renew \
		>"$OUT/renew.log" 2>&1
	is "$?" 0 "certbot renew --force-renewal"
	if_fail tail -n 20 "$OUT/renew.log"
	like "$(grep deploy-hook "$R/var/log/letsencrypt/letsencrypt.log" 2>/dev/null)" \
		'Running deploy-hook command: /usr/sbin/inkwell-https --reload' "  runs the deploy hook"
	unlike "$(cat "$OUT/renew.log")" "deploy-hook' ran with error" "  which says nothing on stderr"
	serial2=$(live_serial)
	ok "  a new certificate ($serial2)" test -n "$serial2" -a "$serial2" != "$serial1"
	ok "  nginx serves it" wait_for 10 eval '[[ $(served_serial) == "$serial2" ]]'
	is "$(tls "https://$DOMAIN/")" "200 2" "  the home page over HTTPS"

	# -- off
	https_cmd --off
	is "$?" 0 "inkwell-https --off: exit 0"
	if_fail cat "$OUT/cmd.out"
	ok "  both files gone" https_files_gone
	ok "  HTTP serves again, no redirect" wait_for 10 eval '[[ $(get "http://$DOMAIN/") == "200 1.1" ]]'
	ok "  port 443 closed" wait_for 10 eval '[[ $(tls "https://$DOMAIN/") == "000 0" ]]'
	# base_url is the configuration's again: the package's default
	# (http://localhost) here, where no operator has set one.
	ok "  links say http again (base_url no longer https)" wait_for 10 eval \
		'get "http://$DOMAIN/posts/$slug" >/dev/null; grep -qE "<link rel=\"canonical\" href=\"http://[^\"]*/posts/$slug\">" "$OUT/body"'
	https_cmd --status
	like "$(cat "$OUT/cmd.out")" "HTTPS is off" "--status: off"

	# -- on again (the certificate kept), then purge
	https_cmd --domain "$DOMAIN" --email ops@example.org --acme-directory "$DIRECTORY"
	is "$?" 0 "on again: exit 0"
	like "$(cat "$OUT/cmd.out")" "not yet due for renewal|Certificate not yet due" "  with the certificate it has"
	ok "  https.conf and 50-https.conf there" not https_files_gone

	stop_pid "$INKPID"
	inroot apt-get purge -y -q inkwell >"$OUT/purge.log" 2>&1
	is "$?" 0 "apt-get purge inkwell"
	if_fail tail -n 20 "$OUT/purge.log"
	for p in /etc/inkwell/nginx/https.conf /etc/inkwell/conf.d/50-https.conf /etc/inkwell \
		/etc/nginx/snippets/inkwell-tls.conf /var/lib/inkwell/acme /usr/sbin/inkwell-https; do
		ok "  no $p" eval "! test -e '$R$p'"
	done
	ok "  certbot's /etc/letsencrypt stays, the certificate with it" \
		test -f "$R/etc/letsencrypt/live/$DOMAIN/fullchain.pem"
	ok "  nginx -t passes" inroot nginx -t -q

	inroot nginx -s quit >/dev/null 2>&1
	inroot /etc/init.d/redis-server stop >/dev/null 2>&1
	inroot pg_ctlcluster 15 main stop >/dev/null 2>&1
	stop_pid "$PEBBLEPID"
	stop_pid "$DNSPID"
}

if [[ ${1:-} == --phase ]]; then
	TAP_RUN=$TAP_START
	done=no
	trap 'printf "%s %s %s\n" "$TAP_RUN" "$TAP_FAILED" "$done" >"$OUT/tap.state"' EXIT
	if ! debroot_mount "$R"; then
		fail "mount proc, dev and sys in the root"
		exit 1
	fi
	INKPID='' PEBBLEPID='' DNSPID=''
	"phase_$2"
	done=yes
	exit 0
fi

# --- outside ------------------------------------------------------------------

((EUID == 0)) || skip_all "needs root (mmdebstrap, chroot, namespaces)"
for c in mmdebstrap unshare chroot curl dpkg-deb openssl ip pebble pebble-challtestsrv; do
	command -v "$c" >/dev/null || skip_all "$c not installed (script/bootstrap installs it)"
done

OUT=${INKWELL_TEST_VAR:-$build/t}/out/6004-deb-https
rm -rf "$OUT"
mkdir -p "$OUT"
tmp=$(mktemp -d /var/tmp/inkwell-6004.XXXXXX)
R=$tmp/root
CA=$tmp/ca

cleanup() {
	local rc=$?
	if [[ -n $child ]]; then
		kill -KILL "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	if findmnt -rno TARGET | grep -q "^$tmp/"; then
		diag "something is still mounted under $tmp: left in place"
	else
		if ((TAP_FAILED)) && [[ -d $R ]]; then
			for f in /var/log/nginx/error.log /var/log/letsencrypt/letsencrypt.log; do
				[[ -f $R$f ]] && cp "$R$f" "$OUT/"
			done
		fi
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() {
	local limit=$1 opts=()
	shift
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	rm -f "$OUT/tap.state"
	export R OUT DEB CA src TAP_START=$TAP_RUN
	bounded "$limit" - unshare --mount --pid --fork --kill-child --mount-proc \
		"${opts[@]}" "$self" --phase "$1"
	local run failed finished
	if read -r run failed finished <"$OUT/tap.state" 2>/dev/null; then
		TAP_RUN=$run
		TAP_FAILED=$((TAP_FAILED + failed))
	fi
	is "${finished:-no}" yes "the $1 phase ran to its end"
}

debroot_package "$src" "$build" "$OUT" "$tmp"
[[ -n $DEB ]] || done_testing
debroot_mirrors
note "mirror: ${DEBROOT_MIRRORS[*]}"

start=$SECONDS
bounded 900 "$OUT/mmdebstrap.log" unshare --mount --pid --fork --kill-child --mount-proc \
	mmdebstrap --variant=minbase bookworm "$R" "${DEBROOT_MIRRORS[@]}"
is "$rc" 0 "mmdebstrap makes a clean bookworm root ($((SECONDS - start)) s)"
if_fail tail -n 20 "$OUT/mmdebstrap.log"
((rc == 0)) || done_testing

start=$SECONDS
in_ns 1200 -- install
note "install: $((SECONDS - start)) s"
start=$SECONDS
in_ns 900 --net -- https
note "HTTPS on, renewed, off, purge: $((SECONDS - start)) s"
done_testing
