#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6001-deb-build: script/deb builds the Debian package; lintian finds no
# error and no warning in it; it holds the binaries, the theme, the
# package's defaults (every key, commented) and the skeleton of the
# operator's configuration, the nginx site and the TLS snippet (its
# conffiles), inkwell-https and its manual, the
# sysusers file and the units, whose hardening systemd-analyze rates;
# inkwell-backup and its manual, its example pgbackrest.conf (pgBackRest
# reads it without a complaint) and its units (full and differential
# backups as postgres, on timers the package neither enables nor
# starts), which systemd-analyze verifies and rates; deploy/monitoring's
# files as they are (Prometheus and Alertmanager suggested); its
# binaries tell the date of debian/changelog; and a second build, from a
# clone of the tree at a path of another name and length, into another
# directory, at another time and under another umask, gives the same
# bytes.
#
# Leaves the first build in $INKWELL_BUILD/t/6001-deb-build/one for
# t/6002-deb-install.t (with its source-id, see script/deb); the rest of
# the output dir is removed when every check passed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/clone.sh
. "$here/lib/clone.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
for c in dpkg-buildpackage dpkg-deb lintian systemd-analyze; do
	command -v "$c" >/dev/null || skip_all "$c not installed (script/bootstrap installs it)"
done
[[ -d $src/debian ]] || skip_all "no debian/ in $src"

out=$build/t/6001-deb-build
one=$out/one
two=$out/second-build-directory
rm -rf "$out"
mkdir -p "$out"

start=$SECONDS
deb=$("$src/script/deb" "$one" 2>"$out/one.log")
rc=$?
t_one=$((SECONDS - start))
is "$rc" 0 "script/deb builds the package"
if_fail tail -n 30 "$out/one.log"
like "$deb" "^$one/inkwell_[0-9.]+_[a-z0-9]+\\.deb\$" "and prints the path of inkwell_*.deb"
note "first build: $t_one s (script/bootstrap, make distdir, dpkg-buildpackage with make check)"
if [[ $rc -ne 0 || ! -f $deb ]]; then
	done_testing
fi
changes=$(ls "$one"/inkwell_*.changes)

# --- lintian ----------------------------------------------------------------
lintian --pedantic -I -E --color never "$changes" >"$out/lintian.txt" 2>&1
rc=$?
note "lintian: $(grep -c '^E:' "$out/lintian.txt") errors," \
	"$(grep -c '^W:' "$out/lintian.txt") warnings," \
	"$(grep -c '^I:' "$out/lintian.txt") info," \
	"$(grep -c '^P:' "$out/lintian.txt") pedantic," \
	"$(grep -c '^X:' "$out/lintian.txt") experimental"
ok "lintian ran (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 2
is "$(grep '^E:' "$out/lintian.txt")" "" "lintian: no errors"
is "$(grep '^W:' "$out/lintian.txt")" "" "lintian: no warnings"
is "$(grep -E '^[IPX]:' "$out/lintian.txt" | grep -v package-supports-alternative-init-but-no-init.d-script)" "" \
	"lintian: no info or pedantic tag but 'no init.d script' (inkwell needs systemd's socket)"

# --- what is in it ----------------------------------------------------------
listing=$(dpkg-deb -c "$deb" | awk '{ print $6 }')
holds() { grep -qxF -- "$1" <<<"$listing"; }
for f in ./usr/sbin/inkwelld ./usr/bin/inkwellctl ./usr/share/inkwell/defaults.conf \
	./usr/share/inkwell/inkwell.conf.skel \
	./etc/nginx/sites-available/inkwell ./lib/systemd/system/inkwell.service \
	./lib/systemd/system/inkwell.socket ./usr/lib/sysusers.d/inkwell.conf \
	./usr/share/inkwell/templates/index.html.mustache \
	./usr/share/inkwell/templates/partials/head.mustache \
	./usr/share/inkwell/static/style.css ./usr/share/inkwell/static/openapi.json \
	./usr/share/man/man8/inkwelld.8.gz ./usr/share/man/man8/inkwellctl.8.gz \
	./usr/share/man/man5/inkwell.conf.5.gz ./usr/share/doc/inkwell/copyright \
	./usr/sbin/inkwell-https ./usr/share/man/man8/inkwell-https.8.gz \
	./etc/nginx/snippets/inkwell-tls.conf ./var/lib/inkwell/acme/ \
	./usr/sbin/inkwell-backup ./usr/share/man/man8/inkwell-backup.8.gz \
	./usr/share/doc/inkwell/examples/pgbackrest.conf \
	./lib/systemd/system/inkwell-backup-full.service \
	./lib/systemd/system/inkwell-backup-full.timer \
	./lib/systemd/system/inkwell-backup-diff.service \
	./lib/systemd/system/inkwell-backup-diff.timer \
	./usr/share/inkwell/monitoring/prometheus.yml ./usr/share/inkwell/monitoring/alerts.yml \
	./usr/share/inkwell/monitoring/alerts.test.yml ./usr/share/inkwell/monitoring/slo.yml \
	./usr/share/inkwell/monitoring/slo.test.yml ./usr/share/inkwell/monitoring/alertmanager.yml \
	./usr/share/inkwell/monitoring/grafana-dashboard.json; do
	ok "the package holds ${f#.}" holds "$f"
done
unlike "$listing" "usr/share/inkwell/templates/admin/" "but not the admin templates (they are in the binaries)"

x=$out/x
rm -rf "$x"
mkdir -p "$x"
dpkg-deb -x "$deb" "$x/root"
dpkg-deb -e "$deb" "$x/DEBIAN"
is "$(cat "$x/DEBIAN/conffiles")" $'/etc/nginx/sites-available/inkwell\n/etc/nginx/snippets/inkwell-tls.conf' \
	"the nginx site and the TLS snippet are its conffiles (upgrades change only files under /usr)"
unlike "$listing" "^\./etc/inkwell/" "nothing under /etc/inkwell: the postinst makes inkwell.conf once"
ok "the nginx site is nginx/inkwell.conf as it is" \
	cmp "$src/nginx/inkwell.conf" "$x/root/etc/nginx/sites-available/inkwell"
ok "the TLS snippet is nginx/inkwell-tls.conf as it is" \
	cmp "$src/nginx/inkwell-tls.conf" "$x/root/etc/nginx/snippets/inkwell-tls.conf"
ok "inkwell-https is src/ctl/inkwell-https, executable" \
	eval 'cmp "$src/src/ctl/inkwell-https" "$x/root/usr/sbin/inkwell-https" && test -x "$x/root/usr/sbin/inkwell-https"'
like "$(dpkg-deb -f "$deb" Depends)" "(^|, )nginx(,|\$)" "it depends on nginx"
like "$(dpkg-deb -f "$deb" Recommends)" "postgresql.*redis-server" "and recommends PostgreSQL and Redis"
like "$(dpkg-deb -f "$deb" Recommends)" "(^|, )curl, openssl(,|\$)" "and curl and openssl (inkwell-https)"
like "$(dpkg-deb -f "$deb" Recommends)" "(^|, )pgbackrest(,|\$)" "and pgbackrest (inkwell-backup)"
is "$(dpkg-deb -f "$deb" Suggests)" \
	"certbot, prometheus, prometheus-alertmanager, prometheus-nginx-exporter, prometheus-postgres-exporter, prometheus-redis-exporter" \
	"it suggests certbot (inkwell-https), Prometheus, Alertmanager and the exporters (inkwell-exporters)"
ok "its monitoring files are deploy/monitoring's as they are" bash -c '
	for f in prometheus.yml alerts.yml alerts.test.yml slo.yml slo.test.yml alertmanager.yml grafana-dashboard.json; do
		cmp "$1/deploy/monitoring/$f" "$2/usr/share/inkwell/monitoring/$f" || exit 1
	done' _ "$src" "$x/root"
ok "the postinst runs inkwellctl setup" grep -q 'inkwellctl setup' "$x/DEBIAN/postinst"
ok "the templates hold the purge question" grep -q '^Template: inkwell/purge_database' "$x/DEBIAN/templates"
is "$(sed -n '/^Template: inkwell\/purge_database/,/^$/s/^Default: //p' "$x/DEBIAN/templates")" false \
	"whose default keeps the database"

conf=$x/root/usr/share/inkwell/defaults.conf
ok "the defaults are commented" test "$(grep -c '^;' "$conf")" -gt 30
is "$(grep -v '^;' "$x/root/usr/share/inkwell/inkwell.conf.skel" | grep -c .)" 0 \
	"the skeleton of /etc/inkwell/inkwell.conf sets nothing"
cfg=$(env -i "$x/root/usr/bin/inkwellctl" -c "$conf" check-config 2>&1)
is "$?" 0 "inkwellctl check-config accepts it"
like "$cfg" $'listen = systemd\n' "listen = systemd"
like "$cfg" "templates = /usr/share/inkwell/templates" "the package's templates"
like "$cfg" "static = /usr/share/inkwell/static" "the package's static files"
like "$cfg" "pages = /run/inkwell/pages" "the page files in /run/inkwell/pages"

# The build date is debian/changelog's (SOURCE_DATE_EPOCH), not the clock's.
when=$(date -u -d "@$(dpkg-parsechangelog -l "$src/debian/changelog" -S Timestamp)" +%Y-%m-%dT%H:%M:%SZ)
like "$(env -i "$x/root/usr/bin/inkwellctl" version)" "built $when" \
	"inkwellctl version says debian/changelog's date ($when)"

# --- the units ----------------------------------------------------------------
svc=$x/root/lib/systemd/system/inkwell.service
sock=$x/root/lib/systemd/system/inkwell.socket
for d in ListenStream=/run/inkwell/inkwell.sock SocketGroup=www-data SocketMode=0660; do
	ok "inkwell.socket: $d" grep -qx "$d" "$sock"
done
for d in Type=notify User=inkwell Group=inkwell 'ExecStart=/usr/sbin/inkwelld' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'RuntimeDirectory=inkwell/pages inkwell/hits' \
	Requires=inkwell.socket NoNewPrivileges=yes CapabilityBoundingSet= \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
	ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes \
	ProtectControlGroups=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
	RestrictNamespaces=yes LockPersonality=yes MemoryDenyWriteExecute=yes \
	SystemCallFilter=@system-service; do
	ok "inkwell.service: $d" grep -qxF "$d" "$svc"
done
sec=$(systemd-analyze security --offline=true --root="$x/root" inkwell.service 2>&1)
level=$(printf '%s\n' "$sec" | sed -n 's/.*Overall exposure level for inkwell\.service: \([0-9.]*\).*/\1/p')
like "$level" '^[0-9]+\.[0-9]+$' "systemd-analyze security rates inkwell.service (exposure $level)"
ok "exposure at most 2.0 of 10 (hardened)" awk -v l="${level:-10}" 'BEGIN { exit !(l <= 2.0) }'
if_fail diag "$(printf '%s\n' "$sec" | grep '✗')"

# --- the backup units -----------------------------------------------------------
# Installed, but enabled and started by "inkwell-backup enable" alone: the
# maintainer scripts know them (for purge) and neither enable nor start
# them, on installation or upgrade. A oneshot started is a backup made.
ok "inkwell-backup is executable" test -x "$x/root/usr/sbin/inkwell-backup"
for u in full diff; do
	svc=$x/root/lib/systemd/system/inkwell-backup-$u.service
	tmr=$x/root/lib/systemd/system/inkwell-backup-$u.timer
	for d in Type=oneshot User=postgres Group=postgres "ExecStart=/usr/sbin/inkwell-backup run $u" \
		ConditionPathExists=/etc/pgbackrest/pgbackrest.conf NoNewPrivileges=yes \
		CapabilityBoundingSet= ProtectSystem=strict ProtectHome=yes PrivateDevices=yes \
		'ReadWritePaths=-/var/lib/pgbackrest -/var/log/pgbackrest -/var/spool/pgbackrest /tmp' \
		MemoryDenyWriteExecute=yes SystemCallFilter=@system-service; do
		ok "inkwell-backup-$u.service: $d" grep -qxF "$d" "$svc"
	done
	# RemoveIPC= would take PostgreSQL's shared memory (postgres's) away
	# at the end of every backup.
	is "$(grep -E '^(RemoveIPC|PrivateTmp|PrivateUsers|DynamicUser)=' "$svc")" "" \
		"inkwell-backup-$u.service: no RemoveIPC (PostgreSQL's shared memory), PrivateTmp (pgBackRest's locks), PrivateUsers or DynamicUser"
	for d in RandomizedDelaySec=30min Persistent=true WantedBy=timers.target; do
		ok "inkwell-backup-$u.timer: $d" grep -qxF "$d" "$tmr"
	done
	sec=$(systemd-analyze security --offline=true --root="$x/root" "inkwell-backup-$u.service" 2>&1)
	level=$(printf '%s\n' "$sec" | sed -n "s/.*Overall exposure level for inkwell-backup-$u\.service: \([0-9.]*\).*/\1/p")
	like "$level" '^[0-9]+\.[0-9]+$' "systemd-analyze security rates inkwell-backup-$u.service (exposure $level)"
	ok "exposure at most 2.0 of 10 (hardened)" awk -v l="${level:-10}" 'BEGIN { exit !(l <= 2.0) }'
	if_fail diag "$(printf '%s\n' "$sec" | grep '✗')"
	# debhelper's snippet enables a unit again only where it was
	# enabled before (an upgrade keeps what the operator chose).
	en=$(grep -cE "deb-systemd-helper .*enable .*inkwell-backup-$u" "$x/DEBIAN/postinst")
	guarded=$(grep -A2 "if deb-systemd-helper --quiet was-enabled 'inkwell-backup-$u" "$x/DEBIAN/postinst" |
		grep -cE "deb-systemd-helper .*enable .*inkwell-backup-$u")
	ok "the postinst enables inkwell-backup-$u only where it was enabled ($en of $en under was-enabled)" \
		test "$en" -eq "$guarded"
	is "$(grep -E "deb-systemd-invoke .*(start|restart).*inkwell-backup-$u|systemctl .*(start|enable).*inkwell-backup-$u" \
		"$x/DEBIAN/postinst")" "" "the postinst starts no inkwell-backup-$u unit"
	ok "the postrm purges inkwell-backup-$u.timer's state" grep -q "inkwell-backup-$u.timer" "$x/DEBIAN/postrm"
done
# The timers "inkwell-backup enable" started stop when the package goes,
# not when it is upgraded.
is "$(sed -n '/^remove)$/,/;;/p' "$x/DEBIAN/prerm" | grep -c 'deb-systemd-invoke stop inkwell-backup-full.timer')" 1 \
	"the prerm stops the backup timers on removal"
is "$(sed -n 's/^OnCalendar=//p' "$x/root/lib/systemd/system/inkwell-backup-full.timer")" 'Sun *-*-* 03:00:00' \
	"the full backup: Sundays at 03:00"
is "$(sed -n 's/^OnCalendar=//p' "$x/root/lib/systemd/system/inkwell-backup-diff.timer")" 'Mon..Sat *-*-* 03:00:00' \
	"the differential one: the other days at 03:00"
ok "both due at once: the full backup first" \
	grep -qxF 'After=network-online.target postgresql.service inkwell-backup-full.service' \
	"$x/root/lib/systemd/system/inkwell-backup-diff.service"
# systemd-analyze verify, in a root of the package's files and the
# host's targets and slices (which the units' defaults name): it must
# load all four, find the command, and say nothing (an unknown key is
# only a warning, but a key systemd ignores).
vr=$out/verify-root
rm -rf "$vr"
cp -a "$x/root" "$vr"
cp -n /lib/systemd/system/*.target /lib/systemd/system/*.slice "$vr/lib/systemd/system/" 2>/dev/null
units=()
for u in full diff; do
	units+=("$vr/lib/systemd/system/inkwell-backup-$u.service" "$vr/lib/systemd/system/inkwell-backup-$u.timer")
done
v=$(systemd-analyze verify --man=no --root="$vr" "${units[@]}" 2>&1)
is "$?" 0 "systemd-analyze verify accepts the backup units"
is "$v" "" "and has nothing to say about them"
rm -rf "$vr"

ex=$x/root/usr/share/doc/inkwell/examples/pgbackrest.conf
ok "the example pgbackrest.conf: the repository in /var/lib/pgbackrest" grep -qx 'repo1-path=/var/lib/pgbackrest' "$ex"
ok "the example pgbackrest.conf: the stanza inkwell" grep -qxF '[inkwell]' "$ex"
ok "on Debian's cluster 15/main" grep -qx 'pg1-path=/var/lib/postgresql/15/main' "$ex"
ok "the example names archive_timeout = 60" grep -q 'archive_timeout = 60$' "$ex"
if command -v pgbackrest >/dev/null; then
	# Every option, the S3 ones uncommented too, is one pgBackRest knows
	# (a misspelt one is a warning). Its repository and log in a
	# directory of this test's: no network, no repository of the host.
	pb=$out/pgbackrest
	mkdir -p "$pb"
	sed 's/^#\(repo1-\)/\1/' "$ex" | grep -vx 'repo1-path=/var/lib/pgbackrest' >"$pb/s3.conf"
	for c in "$ex" "$pb/s3.conf"; do
		what="the example"
		[[ $c == "$ex" ]] || what="the example with its S3 lines"
		r=$(pgbackrest --config="$c" --repo1-type=posix --repo1-path="$pb" --log-path="$pb" \
			--lock-path="$pb" --log-level-file=off --stanza=inkwell info 2>&1)
		like "$r" "^stanza: inkwell" "pgbackrest reads $what (stanza inkwell)"
		unlike "$r" "WARN|ERROR" "without a warning"
	done
	rm -rf "$pb"
else
	pass "pgbackrest reads the example # SKIP pgbackrest not installed"
fi

# --- reproducible -------------------------------------------------------------
# The second build is a clone's (uncommitted changes carried over), at a
# path of another name and length, with its own build directory
# (INKWELL_BUILD is this tree's).
sleep 1
clone=$out/another-inkwell-checkout
if ! is_checkout "$src"; then
	# A release tarball's tree: the same tree, into another directory.
	pass "a clone of the tree at another path # SKIP $src is not a git checkout"
	clone=$src
elif clone_checkout "$src" "$clone" 2>"$out/clone.log"; then
	pass "a clone of the tree at another path"
else
	fail "a clone of the tree at another path"
	diag "$(cat "$out/clone.log")"
fi
start=$SECONDS
deb2=$(umask 0002 && env -u INKWELL_BUILD "$clone/script/deb" "$two" 2>"$out/two.log")
rc=$?
note "second build: $((SECONDS - start)) s"
is "$rc" 0 "script/deb builds it again (another checkout and directory, later, umask 0002)"
if_fail tail -n 30 "$out/two.log"
is "$(cat "$two/source-id" 2>/dev/null)" "$(cat "$one/source-id")" "from the same sources"
same=0
for f in "$one"/*.deb; do
	g=$two/${f##*/}
	if cmp "$f" "$g" >"$out/cmp.txt" 2>&1; then
		pass "${f##*/}: byte-identical"
		continue
	fi
	same=1
	fail "${f##*/}: byte-identical"
	diag "$(cat "$out/cmp.txt")"
	diag "$(diff <(dpkg-deb -c "$f") <(dpkg-deb -c "$g") | head -n 20)"
	diag "$(diff <(dpkg-deb -I "$f" md5sums) <(dpkg-deb -I "$g" md5sums) | head -n 20)"
	diag "$(diff <(dpkg-deb -I "$f" control) <(dpkg-deb -I "$g" control) | head -n 20)"
done
[[ -n $deb2 ]] || fail "the second build printed a .deb"

# Keep what 6002 reuses (the first build); drop the rest when all passed.
rm -rf "$one/inkwell-"*/ "$x"
if ((TAP_FAILED == 0 && same == 0)); then
	rm -rf "$two"
	[[ $clone == "$src" ]] || rm -rf "$clone"
fi
done_testing
