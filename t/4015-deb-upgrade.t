#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4015-deb-upgrade: a package upgrade drops no request.  The maintainer
# script snippets debhelper makes from debian/ (dh_installsystemd, run as
# debian/rules runs it) are run in the order dpkg runs them on an upgrade
# (old prerm upgrade, new preinst upgrade, old postrm upgrade, new
# postinst configure), as on a machine with systemd, under a bounded load
# through nginx.  Their systemctl calls go to stubs, and
# deb-systemd-invoke acts on the test stack the way systemd would on the
# units: restarting inkwell.service alone is stack_inkwell_restart (the
# socket held, as inkwell.socket holds it; see t/4013-restart.t), while
# stopping or restarting inkwell.socket closes the socket (stopping the
# service with it, which Requires= it) before anything starts again.
# Every request must answer 200, and the upgrade must restart
# inkwell.service and never stop or restart inkwell.socket.
# The load runs in batches of BATCH requests until the upgrade is over,
# so it spans the whole upgrade however fast this machine is.  Bounded:
# at most MAX_BATCHES batches, 120 s.  Needs debhelper, curl, pgrep.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PIDFILE INKWELL_TEST_SOCKET INKWELL_BUILD
command -v dh_installsystemd >/dev/null || skip_all "dh_installsystemd not installed (debhelper; script/bootstrap installs it)"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
URL=${INKWELL_TEST_URL%/}
TMP=$(mktemp -d /tmp/inkwell-4015.XXXXXX)
BATCH=500
MAX_BATCHES=60
LOAD_PID=
cleanup() {
	if [[ -n $LOAD_PID ]]; then
		kill "$LOAD_PID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# --- the maintainer script snippets -------------------------------------------
mkdir -p "$TMP/src"
cp -a "$src/debian" "$TMP/src/"
(
	cd "$TMP/src" || exit 1
	if grep -q '^override_dh_installsystemd:' debian/rules; then
		make -s -f debian/rules override_dh_installsystemd
	else
		dh_installsystemd
	fi
) >"$TMP/dh.log" 2>&1
is "$?" 0 "dh_installsystemd makes the snippets from debian/"
if_fail diag "$(cat "$TMP/dh.log")"

# As on a machine that runs systemd: the snippets look for this directory.
mkdir -p "$TMP/systemd-running"
# dh_installdeb puts the service snippets after the others in preinst and
# postinst, before them in prerm and postrm.
gen=$TMP/src/debian/.debhelper/generated/inkwell
for s in preinst prerm postrm postinst; do
	parts=("$TMP/src/debian/inkwell.$s.debhelper" "$gen/$s.service")
	case $s in
	prerm | postrm) parts=("${parts[1]}" "${parts[0]}") ;;
	esac
	cat "${parts[@]}" 2>/dev/null |
		sed "s#/run/systemd/system#$TMP/systemd-running#g" >"$TMP/$s"
done
ok "the postinst snippet starts or restarts units" grep -q 'deb-systemd-invoke' "$TMP/postinst"

# --- systemctl, deb-systemd-helper and deb-systemd-invoke ---------------------
mkdir -p "$TMP/bin"
for c in systemctl deb-systemd-helper; do
	# shellcheck disable=SC2016 # $* and $CALLS are the stub's own
	printf '#!/bin/sh\necho "%s $*" >>"$CALLS"\nexit 0\n' "$c" >"$TMP/bin/$c"
done
cat >"$TMP/bin/deb-systemd-invoke" <<'EOF'
#!/usr/bin/env bash
# What systemd does to the units, done to the test stack's inkwelld.
set -euo pipefail
echo "deb-systemd-invoke $*" >>"$CALLS"
action=$1
shift
units=" $* "
. "$INKWELL_SRC/script/lib/stack.sh"
STACK_BUILD=$INKWELL_BUILD
stack_init "$INKWELL_TEST_VAR" 8081 5434 6381
running() { _stack_holder_pid >/dev/null; }
{
	case $action in
	restart | try-restart)
		if [[ $units == *" inkwell.socket "* ]]; then
			# The socket closes (and the service, which needs it,
			# stops first); then both start again.
			stack_inkwell_stop
			stack_inkwell_start
		elif [[ $units == *" inkwell.service "* ]]; then
			stack_inkwell_restart
		fi
		;;
	start) running || stack_inkwell_start ;;
	stop) stack_inkwell_stop ;;
	esac
} >>"$ACTIONS_LOG" 2>&1
EOF
chmod +x "$TMP/bin"/*
port=${URL##*:}
export CALLS=$TMP/calls ACTIONS_LOG=$TMP/actions.log INKWELL_SRC=$src
export INKWELL_HTTP_PORT=${INKWELL_HTTP_PORT:-$port}
: >"$CALLS"

sup() { head -n 1 "$INKWELL_TEST_PIDFILE" 2>/dev/null | tr -dc '0-9'; }
workers_up() {
	local s
	s=$(sup)
	[[ -n $s ]] && (($(pgrep -c -x -P "$s" inkwelld 2>/dev/null || echo 0) >= 2))
}
ok "inkwelld is up with its workers" wait_for 10 workers_up

# --- the upgrade, under load --------------------------------------------------
for ((i = 0; i < BATCH; i++)); do
	case $((i % 3)) in
	0) printf 'url = "%s/healthz?n=%d"\n' "$URL" "$i" ;;
	1) printf 'url = "%s/livez?n=%d"\n' "$URL" "$i" ;;
	2) printf 'url = "%s/?upgrade=%d"\n' "$URL" "$i" ;;
	esac
	printf 'output = "/dev/null"\n'
done >"$TMP/curl.conf"
before=$(sup)
: >"$TMP/codes"
# One batch after another until $TMP/stop appears; each batch started
# is a line in $TMP/batches.
timeout 120 bash -c '
	for ((b = 0; b < $2; b++)); do
		[[ -e $1/stop ]] && exit 0
		echo "$b" >>"$1/batches"
		curl --parallel --parallel-max 4 -s --max-time 30 \
			-w "%{http_code}\n" -K "$1/curl.conf" >>"$1/codes" 2>>"$1/curl.err"
	done
	exit 3' bash "$TMP" "$MAX_BATCHES" &
LOAD_PID=$!
sleep 0.5
old=0.1.0 new=0.1.1
rc=0
PATH=$TMP/bin:$PATH sh -e "$TMP/prerm" upgrade "$new" || rc=$?
PATH=$TMP/bin:$PATH sh -e "$TMP/preinst" upgrade "$old" || rc=$?
PATH=$TMP/bin:$PATH sh -e "$TMP/postrm" upgrade "$new" || rc=$?
PATH=$TMP/bin:$PATH sh -e "$TMP/postinst" configure "$old" || rc=$?
is "$rc" 0 "the snippets run as on an upgrade from $old to $new"
note "systemd calls: $(grep -v '^deb-systemd-helper' "$CALLS" | tr '\n' ';')"
ok "the load was still running after the upgrade" kill -0 "$LOAD_PID"
touch "$TMP/stop"
lrc=0
wait "$LOAD_PID" || lrc=$?
LOAD_PID=
is "$lrc" 0 "the load stopped when told, in time (3: ran out of batches)"
batches=$(wc -l <"$TMP/batches")
total=$(wc -l <"$TMP/codes")
good=$(grep -cx 200 "$TMP/codes")
note "codes: $(sort "$TMP/codes" | uniq -c | tr -s ' \n' ' ')"
is "$total" "$((batches * BATCH))" "an answer for each of the $batches x $BATCH requests"
is "$((total - good))" 0 "no failed request during the upgrade (all $total answered 200)"
if_fail diag "$(tail -n 5 "$ACTIONS_LOG")"

ok "the upgrade restarts inkwell.service" \
	grep -Eq '^deb-systemd-invoke (try-)?restart .*inkwell\.service' "$CALLS"
is "$(grep -E '^deb-systemd-invoke (stop|restart|try-restart) .*inkwell\.socket' "$CALLS")" "" \
	"and never stops or restarts inkwell.socket"
ok "a new inkwelld runs ($before -> $(sup))" test -n "$(sup)" -a "$(sup)" != "$before"
ok "with its workers" wait_for 10 workers_up

done_testing
