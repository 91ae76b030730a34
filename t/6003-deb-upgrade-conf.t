#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6003-deb-upgrade-conf: no inkwell upgrade stops at dpkg's conffile
# prompt, and the operator's settings survive every upgrade.
#
# Packages (in $OUT/pkgs):
#   one    the package of these sources (t/6001's, else script/deb's);
#   two    built again from the same release files (make distdir) with a
#          changed default, "workers = 4" made "workers = 3" wherever the
#          package keeps its defaults, and a newer version (VERSION.1:
#          build-aux/version refuses "+", as the version tags the image);
#   zero   "one" repacked as the packages before the defaults file were:
#          /etc/inkwell/inkwell.conf a conffile holding the package's
#          settings (t/data/deb/inkwell.conf-0.1.0), an older version
#          (VERSION~conf0), and no migration in its postinst.
# In a clean bookworm root (mmdebstrap; no daemon starts: policy-rc.d),
# every upgrade with apt-get, DEBIAN_FRONTEND=noninteractive, standard
# input from /dev/null and no --force-conf* option:
#   1. install one, edit /etc/inkwell/inkwell.conf and add a drop-in,
#      upgrade to two: exit 0, no prompt, both files as edited, and
#      inkwellctl check-config shows the edit, the drop-in and the new
#      default, each with the file and line it came from;
#   2. install zero, edit its conffile, upgrade to one: exit 0, the edited
#      file stays and its settings win;
#   3. install zero unedited, upgrade to one: the old conffile is replaced
#      by the skeleton, the defaults come from defaults.conf;
#   then purge: /etc/inkwell is gone.
# Logs: $INKWELL_TEST_VAR/out/6003-deb-upgrade-conf; the root is removed
# at the end. Needs root, mmdebstrap, dpkg-buildpackage and the mirror.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/debroot.sh
. "$here/lib/debroot.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
self=$here/$(basename "$0")
CONF=/etc/inkwell/inkwell.conf

PATH_IN=/usr/sbin:/usr/bin:/sbin:/bin

# --- inside the namespaces ---------------------------------------------------

inroot() {
	chroot "$R" /usr/bin/env -i PATH="$PATH_IN" HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# apt_install NAME DEB: apt-get install, no terminal; sets rc, log in
# $OUT/NAME.log.
apt_install() {
	rc=0
	inroot apt-get install -y -q --no-install-recommends "/tmp/pkgs/$2" \
		</dev/null >"$OUT/$1.log" 2>&1 || rc=$?
}

no_prompt() { # LOG
	! grep -Eq "Configuration file '/etc/inkwell|conffile prompt|end of file on stdin" "$1"
}

purge() { # NAME
	inroot apt-get purge -y -q inkwell </dev/null >"$OUT/$1.log" 2>&1
	is "$?" 0 "apt-get purge inkwell ($1)"
	ok "  /etc/inkwell is gone" test ! -e "$R/etc/inkwell"
}

check_config() { # NAME
	inroot inkwellctl check-config >"$OUT/$1.txt" 2>&1
}

# value FILE KEY: the line after the origin comment, as "origin|key = v".
value() {
	awk -v k="$2" 'index($0, k " = ") == 1 { print prev "|" $0; exit } { prev = $0 }' "$1"
}

phase_upgrade() {
	printf '#!/bin/sh\n# t/6003: no daemon starts\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
	chmod 755 "$R/usr/sbin/policy-rc.d"
	mkdir -p "$R/tmp/pkgs"
	cp "$OUT"/pkgs/*.deb "$R/tmp/pkgs/"
	inroot apt-get update -q >"$OUT/apt-update.log" 2>&1
	ok "apt-get update in the root" test $? -eq 0

	# -- 1. edited configuration, upgrade with a changed default
	apt_install 1-install-one "$ONE"
	is "$rc" 0 "1: install one (${ONE})"
	if_fail tail -n 20 "$OUT/1-install-one.log"
	ok "1: $CONF is there" test -f "$R$CONF"
	printf '\n[server]\nbase_url = http://edited.example\n' >>"$R$CONF"
	mkdir -p "$R/etc/inkwell/conf.d"
	printf '[redis]\nttl = 60\n' >"$R/etc/inkwell/conf.d/50-local.conf"
	cp "$R$CONF" "$OUT/1-edited.conf"
	check_config 1-before
	is "$(value "$OUT/1-before.txt" workers | sed 's/.*|//')" "workers = 4" \
		"1: before the upgrade, workers = 4"
	apt_install 1-upgrade-two "$TWO"
	is "$rc" 0 "1: upgrade to two with no terminal: exit 0"
	if_fail tail -n 20 "$OUT/1-upgrade-two.log"
	ok "1: no conffile prompt" no_prompt "$OUT/1-upgrade-two.log"
	if_fail grep -n -i -B2 -A4 conf "$OUT/1-upgrade-two.log"
	# shellcheck disable=SC2016 # dpkg-query's own fields
	is "$(inroot dpkg-query -W -f='${Version} ${Status}' inkwell)" \
		"$V2 install ok installed" "1: two is installed"
	ok "1: $CONF is byte for byte as edited" cmp "$OUT/1-edited.conf" "$R$CONF"
	is "$(cat "$R/etc/inkwell/conf.d/50-local.conf" 2>&1)" $'[redis]\nttl = 60' \
		"1: the drop-in is kept"
	check_config 1-after
	is "$?" 0 "1: inkwellctl check-config accepts the result"
	if_fail cat "$OUT/1-after.txt"
	like "$(value "$OUT/1-after.txt" workers)" \
		'^; /usr/share/inkwell/defaults.conf:[0-9]+\|workers = 3$' \
		"1: the changed default is in effect (workers = 3, from defaults.conf)"
	like "$(value "$OUT/1-after.txt" base_url)" \
		"^; $CONF:[0-9]+\\|base_url = http://edited.example\$" \
		"1: the edit wins (base_url, from $CONF)"
	like "$(value "$OUT/1-after.txt" ttl)" \
		'^; /etc/inkwell/conf.d/50-local.conf:2\|ttl = 60$' \
		"1: and the drop-in (ttl = 60, 50-local.conf:2)"
	like "$(value "$OUT/1-after.txt" listen)" '\|listen = systemd$' \
		"1: listen = systemd, the package's"
	purge 1-purge

	# -- 2. the conffile of an earlier package, edited
	apt_install 2-install-zero "$ZERO"
	is "$rc" 0 "2: install zero (inkwell.conf a conffile)"
	if_fail tail -n 20 "$OUT/2-install-zero.log"
	printf '\n[server]\nbase_url = http://edited.example\n' >>"$R$CONF"
	cp "$R$CONF" "$OUT/2-edited.conf"
	apt_install 2-upgrade-one "$ONE"
	is "$rc" 0 "2: upgrade to one with no terminal: exit 0"
	if_fail tail -n 20 "$OUT/2-upgrade-one.log"
	ok "2: no conffile prompt" no_prompt "$OUT/2-upgrade-one.log"
	ok "2: the edited $CONF stays, as edited" cmp "$OUT/2-edited.conf" "$R$CONF"
	like "$(cat "$OUT/2-upgrade-one.log")" "kept your edited $CONF" "2: and the postinst says so"
	check_config 2-after
	is "$?" 0 "2: inkwellctl check-config accepts it"
	like "$(value "$OUT/2-after.txt" base_url)" \
		"^; $CONF:[0-9]+\\|base_url = http://edited.example\$" "2: its edit wins"
	like "$(value "$OUT/2-after.txt" primary)" \
		"^; $CONF:[0-9]+\\|primary = " "2: and so do its other settings"
	purge 2-purge

	# -- 3. the conffile of an earlier package, unedited
	apt_install 3-install-zero "$ZERO"
	is "$rc" 0 "3: install zero again"
	apt_install 3-upgrade-one "$ONE"
	is "$rc" 0 "3: upgrade to one, the conffile unedited: exit 0"
	if_fail tail -n 20 "$OUT/3-upgrade-one.log"
	ok "3: no conffile prompt" no_prompt "$OUT/3-upgrade-one.log"
	ok "3: $CONF is now the skeleton" cmp "$R/usr/share/inkwell/inkwell.conf.skel" "$R$CONF"
	check_config 3-after
	like "$(value "$OUT/3-after.txt" listen)" \
		'^; /usr/share/inkwell/defaults.conf:[0-9]+\|listen = systemd$' \
		"3: listen = systemd comes from defaults.conf"
	purge 3-purge
}

if [[ ${1:-} == --phase ]]; then
	TAP_RUN=$TAP_START
	done=no
	trap 'printf "%s %s %s\n" "$TAP_RUN" "$TAP_FAILED" "$done" >"$OUT/tap.state"' EXIT
	if ! debroot_mount "$R"; then
		fail "mount proc, dev and sys in the root"
		exit 1
	fi
	"phase_$2"
	done=yes
	exit 0
fi

# --- outside ------------------------------------------------------------------

((EUID == 0)) || skip_all "needs root (mmdebstrap, chroot, namespaces)"
for c in mmdebstrap unshare chroot dpkg-deb dpkg-buildpackage; do
	command -v "$c" >/dev/null || skip_all "$c not installed (script/bootstrap installs it)"
done

OUT=${INKWELL_TEST_VAR:-$build/t}/out/6003-deb-upgrade-conf
rm -rf "$OUT"
mkdir -p "$OUT/pkgs"
tmp=$(mktemp -d /var/tmp/inkwell-6003.XXXXXX)
R=$tmp/root

cleanup() {
	local rc=$?
	if [[ -n $child ]]; then
		kill -KILL "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	if findmnt -rno TARGET | grep -q "^$tmp/"; then
		diag "something is still mounted under $tmp: left in place"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- one
debroot_package "$src" "$build" "$OUT" "$tmp"
[[ -n $DEB ]] || done_testing
V1=$(dpkg-deb -f "$DEB" Version)
arch=$(dpkg-deb -f "$DEB" Architecture)
ONE=${DEB##*/}
cp "$DEB" "$OUT/pkgs/"

# -- two: the same release files, a changed default, a newer version
V2=$V1.1
s2=$tmp/two/inkwell-$V1
mkdir -p "$tmp/two"
make -s -C "$build" distdir distdir="$s2" >"$OUT/two-distdir.log" 2>&1
ok "make distdir for the second package" test $? -eq 0
grep -l -E '^;?workers = 4$' "$s2"/debian/conf/* >"$OUT/two-default-files" 2>/dev/null
ok "the default workers = 4 is in debian/conf/ ($(tr '\n' ' ' <"$OUT/two-default-files"))" \
	test -s "$OUT/two-default-files"
while read -r f; do
	sed -i -E 's/^;?workers = 4$/workers = 3/' "$f"
done <"$OUT/two-default-files"
{
	printf 'inkwell (%s) unstable; urgency=medium\n\n' "$V2"
	printf '  * t/6003: the default workers = 3.\n\n'
	printf ' -- inkwell developers <inkwell@example.org>  Wed, 02 Dec 2026 00:00:00 +0000\n\n'
	cat "$s2/debian/changelog"
} >"$tmp/changelog" && mv "$tmp/changelog" "$s2/debian/changelog"
start=$SECONDS
bounded 900 "$OUT/two-build.log" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LC_ALL=C.UTF-8 DEB_BUILD_OPTIONS=nocheck \
	sh -c 'cd "$1" && exec dpkg-buildpackage -us -uc -b --jobs-try=2' sh "$s2"
TWO=inkwell_${V2}_$arch.deb
ok "dpkg-buildpackage makes the second package, $TWO ($((SECONDS - start)) s)" \
	test "$rc" -eq 0 -a -f "$tmp/two/$TWO"
if_fail tail -n 30 "$OUT/two-build.log"
cp "$tmp/two/$TWO" "$OUT/pkgs/" 2>/dev/null

# -- zero: one as the packages with a conffile were
V0=$V1~conf0
z=$tmp/zero
dpkg-deb -R "$DEB" "$z"
rm -f "$z/usr/share/inkwell/defaults.conf" "$z/usr/share/inkwell/inkwell.conf.skel"
install -D -m 0644 "$here/data/deb/inkwell.conf-0.1.0" "$z$CONF"
grep -qx "$CONF" "$z/DEBIAN/conffiles" 2>/dev/null || echo "$CONF" >>"$z/DEBIAN/conffiles"
sed -i "s/^Version: .*/Version: $V0/" "$z/DEBIAN/control"
sed -i '/^\tsetup_conf$/d' "$z/DEBIAN/postinst"
(cd "$z" && find . -path ./DEBIAN -prune -o -type f -print0 | LC_ALL=C sort -z |
	xargs -0 md5sum | sed 's#  \./#  #') >"$z/DEBIAN/md5sums"
ZERO=inkwell_${V0}_$arch.deb
dpkg-deb --root-owner-group -b "$z" "$OUT/pkgs/$ZERO" >"$OUT/zero-build.log" 2>&1
ok "repack one as zero, $ZERO: $CONF a conffile" test $? -eq 0
if_fail cat "$OUT/zero-build.log"

debroot_mirrors
start=$SECONDS
bounded 900 "$OUT/mmdebstrap.log" unshare --mount --pid --fork --kill-child --mount-proc \
	mmdebstrap --variant=minbase bookworm "$R" "${DEBROOT_MIRRORS[@]}"
is "$rc" 0 "mmdebstrap makes a clean bookworm root ($((SECONDS - start)) s)"
if_fail tail -n 20 "$OUT/mmdebstrap.log"
((rc == 0)) || done_testing

start=$SECONDS
rm -f "$OUT/tap.state"
export R OUT ONE TWO ZERO V2 TAP_START=$TAP_RUN
bounded 1500 - unshare --mount --pid --fork --kill-child --mount-proc "$self" --phase upgrade
if read -r run failed fin <"$OUT/tap.state" 2>/dev/null; then
	TAP_RUN=$run
	TAP_FAILED=$((TAP_FAILED + failed))
fi
is "${fin:-no}" yes "the upgrade phase ran to its end ($((SECONDS - start)) s)"
done_testing
