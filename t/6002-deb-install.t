#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6002-deb-install: the Debian package on a clean Debian 12.
#
#   1. mmdebstrap makes a minbase bookworm root from this machine's
#      Debian mirror (the bookworm entries of /etc/apt/sources.list*).
#   2. "apt-get install ./inkwell_*.deb" there, dependencies from the
#      mirror, with no daemon running (a policy-rc.d): it must succeed,
#      say the database is not set up and what to run; the user, the
#      configuration, the units (enabled; systemd-analyze verify) and the
#      nginx site link are there; the exporters are suggested and
#      inkwell-exporters refuses without them.
#   3. In a network namespace of its own (so every daemon has its usual
#      port): PostgreSQL, Redis and nginx started as Debian starts them,
#      "dpkg-reconfigure inkwell" (as the postinst said) makes and migrates
#      the database, inkwellctl setup changes nothing the second time,
#      inkwelld started as inkwell.service and inkwell.socket say (their
#      ExecStart, User, RuntimeDirectory, socket and its mode, through
#      systemd-socket-activate), then /healthz, /readyz, / (twice: the
#      second from a page file) and a theme file through nginx.
#   4. Purge with the noninteractive frontend: the user, configuration,
#      site link, units' links, state and runtime directories are gone,
#      nginx -t still passes, the database stays with its data.
#   5. Install again (the postinst finds PostgreSQL and the database),
#      purge with "drop the database" preseeded: the database and role
#      are gone.
#
# The package: the one t/6001-deb-build.t left when it was built from
# these very sources (script/deb --source-id), else script/deb builds it.
# Every phase runs in its own mount and PID namespaces: whatever it
# mounted or started dies with it. Logs: $INKWELL_TEST_VAR/out/6002-deb-install
# (build/t/out/... without it); the root is removed at the end.
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

# --- inside the namespaces ---------------------------------------------------

# inroot CMD...: CMD in the root with a clean environment.
inroot() {
	chroot "$R" /usr/bin/env -i PATH="$PATH_IN" HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# http PATH [curl options...]: the status; body in $OUT/body, headers in
# $OUT/headers.
http() {
	local path=$1
	shift
	curl -s -o "$OUT/body" -D "$OUT/headers" -w '%{http_code}' --max-time 10 \
		"$@" "http://127.0.0.1$path" 2>/dev/null
}

header() { sed -n "s/^$1: *//Ip" "$OUT/headers" | tr -d '\r' | tail -n 1; }

db_exists() {
	inroot runuser -u postgres -- psql -XAtqc \
		"SELECT count(*) FROM pg_database WHERE datname = 'inkwell'" 2>/dev/null
}
role_exists() {
	inroot runuser -u postgres -- psql -XAtqc \
		"SELECT count(*) FROM pg_roles WHERE rolname = 'inkwell'" 2>/dev/null
}

phase_install() {
	printf '#!/bin/sh\n# t/6002: no daemon starts while packages are installed\nexit 101\n' \
		>"$R/usr/sbin/policy-rc.d"
	chmod 755 "$R/usr/sbin/policy-rc.d"
	cp "$DEB" "$R/tmp/"
	local deb=/tmp/${DEB##*/} log=$OUT/install.log rc

	inroot apt-get update -q >"$OUT/apt-update.log" 2>&1
	ok "apt-get update in the root" test $? -eq 0
	if_fail tail -n 20 "$OUT/apt-update.log"
	inroot apt-get install -y -q "$deb" >"$log" 2>&1
	rc=$?
	is "$rc" 0 "apt-get install ./${DEB##*/}: dependencies from the mirror"
	if_fail tail -n 30 "$log"
	is "$(inroot dpkg-query -W -f='${Status}' inkwell 2>&1)" "install ok installed" \
		"inkwell is installed"
	for p in postgresql redis-server nginx systemd; do
		is "$(inroot dpkg-query -W -f='${Status}' "$p" 2>&1)" "install ok installed" \
			"and $p with it"
	done
	like "$(cat "$log")" "inkwell: the database is not set up" \
		"PostgreSQL not running: the postinst says the database is not set up"
	like "$(cat "$log")" "dpkg-reconfigure inkwell" "and what to run then"
	like "$(inroot getent passwd inkwell)" '^inkwell:x:[0-9]+:[0-9]+:.*:/var/lib/inkwell:/usr/sbin/nologin$' \
		"the system user inkwell (sysusers), no login"
	ok "its group" eval 'inroot getent group inkwell >/dev/null' 
	ok "/etc/inkwell/inkwell.conf" test -f "$R/etc/inkwell/inkwell.conf"
	ok "/etc/nginx/sites-available/inkwell" test -f "$R/etc/nginx/sites-available/inkwell"
	is "$(readlink "$R/etc/nginx/sites-enabled/inkwell")" ../sites-available/inkwell \
		"the site is enabled (first installation)"
	ok "nginx -t accepts it" inroot nginx -t -q
	# The exporters' switch (inkwell-exporters(8)): the exporters are
	# suggested, none installed here, so it refuses and changes nothing.
	like "$(inroot dpkg-query -W -f='${Suggests}' inkwell)" \
		'prometheus-nginx-exporter.*prometheus-postgres-exporter.*prometheus-redis-exporter' \
		"the package suggests Debian's three exporters"
	ok "inkwell-exporters is installed" test -x "$R/usr/sbin/inkwell-exporters"
	like "$(inroot inkwell-exporters enable 2>&1)" "no exporter is installed" \
		"without an exporter package, enable refuses"
	like "$(inroot inkwell-exporters enable redis 2>&1)" \
		"prometheus-redis-exporter is not installed .*nothing changed" \
		"and names the package it misses"
	ok "and touches no settings" test ! -e "$R/etc/default/prometheus-redis-exporter"
	ok "inkwell.socket enabled" test -L "$R/etc/systemd/system/sockets.target.wants/inkwell.socket"
	ok "inkwell.service enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/inkwell.service"
	inroot systemd-analyze verify --man=no /lib/systemd/system/inkwell.socket \
		/lib/systemd/system/inkwell.service >"$OUT/verify.log" 2>&1
	is "$?:$(cat "$OUT/verify.log")" "0:" "systemd-analyze verify: the units are clean"
}

# Starts inkwelld the way its units do; sets INKPID.
start_inkwell() {
	debroot_inkwell_start "$R" "$OUT/inkwelld.log"
	note "$DEBROOT_UNITS"
	ok "the directories systemd would make" test "$DEBROOT_DIRS_OK" -eq 1
	ok "the socket is there" wait_for 10 test -S "$R$DEBROOT_LISTEN"
	inroot chgrp "$DEBROOT_SGROUP" "$DEBROOT_LISTEN" && inroot chmod "$DEBROOT_SMODE" "$DEBROOT_LISTEN"
	ok "with inkwell.socket's group and mode ($DEBROOT_SGROUP, $DEBROOT_SMODE)" test $? -eq 0
}

stop_inkwell() {
	[[ -n ${INKPID:-} ]] || return 0
	kill -TERM "$INKPID" 2>/dev/null
	local i
	for ((i = 0; i < 400; i++)); do
		kill -0 "$INKPID" 2>/dev/null || break
		sleep 0.1
	done
	wait "$INKPID" 2>/dev/null
	local rc=$?
	INKPID=
	return "$rc"
}

purge() { # log
	inroot apt-get purge -y -q inkwell >"$1" 2>&1
}

phase_run() {
	local out rc
	ip link set lo up
	inroot pg_ctlcluster 15 main start >"$OUT/pg-start.log" 2>&1
	ok "PostgreSQL starts (pg_ctlcluster 15 main start)" test $? -eq 0
	if_fail tail -n 20 "$OUT/pg-start.log"
	ok "and answers" wait_for 30 eval "inroot runuser -u postgres -- psql -XAtqc 'SELECT 1' >/dev/null 2>&1"
	inroot /etc/init.d/redis-server start >"$OUT/redis-start.log" 2>&1
	ok "Redis starts" wait_for 15 test "$(inroot redis-cli ping 2>/dev/null)" = PONG

	out=$(inroot dpkg-reconfigure inkwell 2>&1)
	is "$?" 0 "dpkg-reconfigure inkwell, as the postinst said"
	printf '%s\n' "$out" >"$OUT/reconfigure.log"
	like "$out" "role inkwell: created" "creates the role inkwell"
	like "$out" "database inkwell: created \\(owner inkwell\\)" "and the database inkwell"
	like "$out" "applied 0001_core" "and migrates it"
	like "$out" "[0-9]+ posts and pages rendered again" \
		"and renders the posts with this version's renderer"
	is "$(cat "$R/var/lib/inkwell/renderer" 2>/dev/null)" 2 "once: the renderer is noted"
	is "$(grep -v '^#' "$R/var/lib/inkwell/database" 2>/dev/null | sort | tr '\n' ' ')" \
		"database=inkwell role=inkwell " "the postinst notes them for the purge"
	out=$(inroot inkwellctl setup 2>&1)
	is "$?" 0 "inkwellctl setup again"
	like "$out" "role inkwell: exists.*database inkwell: exists.*up to date" "finds everything in place"
	unlike "$out" "created|applied" "and changes nothing"

	start_inkwell
	rm -f "$R/etc/nginx/sites-enabled/default"
	inroot nginx >"$OUT/nginx-start.log" 2>&1
	ok "nginx starts with the site (default site removed, as the README says)" test $? -eq 0
	if_fail cat "$OUT/nginx-start.log"
	ok "nginx answers" wait_for 10 test "$(http /healthz)" != 000
	is "$(http /healthz)" 200 "GET /healthz through nginx: 200"
	is "$(http /readyz)" 200 "GET /readyz: 200 (PostgreSQL reachable, migrations current)"
	like "$(cat "$OUT/body")" '"status": ?"ready"' "and says ready"
	is "$(http /)" 200 "GET /: 200"
	like "$(cat "$OUT/body")" "<html" "the home page"
	like "$(header Content-Type)" "^text/html" "as HTML"
	ok "a second GET / comes from a page file in /run/inkwell/pages" \
		wait_for 5 eval 'http / >/dev/null; [[ $(header X-Cache) == HIT && -z $(header X-Request-Id) ]]'
	is "$(http /static/style.css)" 200 "GET /static/style.css (nginx, /usr/share/inkwell/static): 200"
	like "$(inroot ps -o user= -p "$INKPID" 2>/dev/null)" "^inkwell" "inkwelld runs as inkwell"
	printf 'keeper\n' | inroot runuser -u inkwell -- inkwellctl user add --no-password keeper \
		>"$OUT/user-add.log" 2>&1
	ok "runuser -u inkwell -- inkwellctl user add (peer authentication)" test $? -eq 0
	if_fail cat "$OUT/user-add.log"

	stop_inkwell
	is "$?" 0 "inkwelld stops cleanly on SIGTERM (as systemd stops it before a purge)"

	# -- purge: noninteractive keeps the database
	purge "$OUT/purge-1.log"
	is "$?" 0 "apt-get purge inkwell (noninteractive)"
	if_fail tail -n 20 "$OUT/purge-1.log"
	like "$(cat "$OUT/purge-1.log")" "kept the PostgreSQL database inkwell" "says it keeps the database"
	is "$(inroot dpkg-query -W -f='${Status}' inkwell 2>/dev/null)" "" "the package is gone, configuration and all"
	ok "no user inkwell" eval '! inroot getent passwd inkwell >/dev/null'
	ok "no group inkwell" eval '! inroot getent group inkwell >/dev/null'
	local p
	for p in /etc/inkwell /etc/nginx/sites-available/inkwell /etc/nginx/sites-enabled/inkwell \
		/var/lib/inkwell /run/inkwell /etc/systemd/system/sockets.target.wants/inkwell.socket \
		/etc/systemd/system/multi-user.target.wants/inkwell.service; do
		ok "no $p" eval "! test -e '$R$p' -o -L '$R$p'"
	done
	ok "nginx -t still passes" inroot nginx -t -q
	is "$(db_exists)" 1 "the database inkwell is still there"
	is "$(inroot runuser -u postgres -- psql -XAtq -d inkwell -c \
		"SELECT username FROM users WHERE username = 'keeper'" 2>&1)" keeper \
		"with its data"

	# -- again: the postinst finds PostgreSQL and the database
	inroot apt-get install -y -q "/tmp/${DEB##*/}" >"$OUT/reinstall.log" 2>&1
	is "$?" 0 "install again"
	like "$(cat "$OUT/reinstall.log")" "database inkwell: exists" \
		"PostgreSQL running: the postinst runs setup, which finds the database"
	like "$(cat "$OUT/reinstall.log")" "inkwell's database is ready" "and says it is ready"

	# -- purge with "drop the database" preseeded
	echo 'inkwell inkwell/purge_database boolean true' | inroot debconf-set-selections
	ok "preseed inkwell/purge_database true" test $? -eq 0
	purge "$OUT/purge-2.log"
	is "$?" 0 "apt-get purge inkwell (preseeded)"
	if_fail tail -n 20 "$OUT/purge-2.log"
	like "$(cat "$OUT/purge-2.log")" "dropped the PostgreSQL database inkwell" "says it drops the database"
	is "$(db_exists)" 0 "the database inkwell is gone"
	is "$(role_exists)" 0 "and so is the role"

	inroot nginx -s quit >/dev/null 2>&1
	inroot /etc/init.d/redis-server stop >/dev/null 2>&1
	inroot pg_ctlcluster 15 main stop >/dev/null 2>&1
}

if [[ ${1:-} == --phase ]]; then
	# PID 1 of fresh namespaces: $R, $OUT, $DEB and TAP_START come from
	# the outer test, the counts go back through $OUT/tap.state.
	TAP_RUN=$TAP_START
	done=no
	trap 'printf "%s %s %s\n" "$TAP_RUN" "$TAP_FAILED" "$done" >"$OUT/tap.state"' EXIT
	if ! debroot_mount "$R"; then
		fail "mount proc, dev and sys in the root"
		exit 1
	fi
	"phase_$2"
	stop_inkwell
	done=yes
	exit 0
fi

# --- outside ------------------------------------------------------------------

((EUID == 0)) || skip_all "needs root (mmdebstrap, chroot, namespaces)"
for c in mmdebstrap unshare chroot curl dpkg-deb; do
	command -v "$c" >/dev/null || skip_all "$c not installed (script/bootstrap installs it)"
done

OUT=${INKWELL_TEST_VAR:-$build/t}/out/6002-deb-install
rm -rf "$OUT"
mkdir -p "$OUT"
tmp=$(mktemp -d /var/tmp/inkwell-6002.XXXXXX)
R=$tmp/root

cleanup() {
	local rc=$?
	if [[ -n $child ]]; then
		kill -KILL "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	# The namespaces took their mounts with them; never rm through one.
	if findmnt -rno TARGET | grep -q "^$tmp/"; then
		diag "something is still mounted under $tmp: left in place"
	else
		if ((TAP_FAILED)) && [[ -d $R ]]; then
			for f in /var/log/postgresql/postgresql-15-main.log \
				/var/log/redis/redis-server.log /var/log/nginx/error.log; do
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

# in_ns SECONDS [unshare options] -- NAME: runs phase_NAME of this file in
# new mount and PID namespaces (unshare --kill-child: when unshare dies,
# so does everything the phase started).
in_ns() {
	local limit=$1 opts=()
	shift
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	rm -f "$OUT/tap.state"
	export R OUT DEB TAP_START=$TAP_RUN
	bounded "$limit" - unshare --mount --pid --fork --kill-child --mount-proc \
		"${opts[@]}" "$self" --phase "$1"
	local run failed finished
	if read -r run failed finished <"$OUT/tap.state" 2>/dev/null; then
		TAP_RUN=$run
		TAP_FAILED=$((TAP_FAILED + failed))
	fi
	is "${finished:-no}" yes "the $1 phase ran to its end"
}

# The package: 6001's, when it was built from these sources.
debroot_package "$src" "$build" "$OUT" "$tmp"
[[ -n $DEB ]] || done_testing

# Debian's mirror as this machine reaches it: its bookworm entries.
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
in_ns 900 --net -- run
note "run, purge, install, purge: $((SECONDS - start)) s"
done_testing
