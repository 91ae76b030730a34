#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 0005-version: inkwell's version has one source, the first entry of
# debian/changelog. build-aux/version reads it; configure.ac states none
# of its own; the build is configured for it; every file that repeats it
# agrees (build-aux/version --check). Then, in a clone of the tree, a
# release made the documented way, one changelog entry and
# "build-aux/version --update", reaches everything: --check fails before
# the update and names the files, passes after it; a build directory
# configured before the entry takes the new version at its next make;
# the compose file's checks pass with it; no file outside t/ still names
# the old one.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/clone.sh
. "$here/lib/clone.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
ver=$src/build-aux/version

ok "build-aux/version is there" test -x "$ver"
v=$("$ver" 2>&1)
like "$v" '^[0-9][0-9A-Za-z.]*$' "it prints a version ($v)"
if command -v dpkg-parsechangelog >/dev/null; then
	is "$v" "$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)" \
		"debian/changelog's, as dpkg-parsechangelog reads it"
fi
unlike "$(grep '^AC_INIT' "$src/configure.ac")" '\[[0-9]' \
	"configure.ac's AC_INIT states no version by hand"
out=$("$ver" --check 2>&1)
is "$?" 0 "build-aux/version --check: every file that repeats it agrees"
if_fail diag "$out"
if [[ -f $build/config.h ]]; then
	is "$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$build/config.h")" "$v" \
		"the build is configured for it"
fi
if [[ -x $build/inkwellctl ]]; then
	like "$(env -i "$build/inkwellctl" version 2>&1 | head -n 1)" "^inkwell $v\$" \
		"inkwellctl version says it"
fi

# --- a release, in a clone ----------------------------------------------------
for c in git autoreconf make; do
	command -v "$c" >/dev/null || {
		pass "a release in a clone # SKIP $c missing"
		done_testing
	}
done
is_checkout "$src" || {
	pass "a release in a clone # SKIP $src is not the top of a git checkout"
	done_testing
}
tmp=$(mktemp -d /tmp/inkwell-0005.XXXXXX)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$tmp"' EXIT
c=$tmp/src
ok "a clone of the tree" clone_checkout "$src" "$c"
# What it carried over uncommitted, committed there, so that what the
# release changes stands alone.
git -C "$c" add -A && git -C "$c" -c user.name=t -c user.email=t@example.org \
	commit -q --allow-empty -m 'the tree under test'
(cd "$c" && autoreconf -fi) >"$tmp/autoreconf.log" 2>&1
ok "autoreconf -fi in it" test -x "$c/configure"
if_fail diag "$(tail -n 20 "$tmp/autoreconf.log")"
mkdir -p "$tmp/build"
(cd "$tmp/build" && "$c/configure") >"$tmp/configure.log" 2>&1
ok "a build directory configured for $v" \
	grep -qx "PACKAGE_VERSION = $v" "$tmp/build/Makefile"
if_fail diag "$(tail -n 20 "$tmp/configure.log")"

# The next version: the last number of this one, plus one.
new=$(printf '%s\n' "$v" | awk -F. -v OFS=. '{ $NF = $NF + 1; print }')
[[ $new != "$v" ]] || new=$v.1
sleep 1 # the entry must be newer than configure, as a later edit is
{
	printf 'inkwell (%s) unstable; urgency=medium\n\n' "$new"
	printf '  * A release, made by this entry alone (t/0005-version.t).\n\n'
	printf ' -- inkwell developers <inkwell@example.org>  %s\n\n' \
		"$(date -u -R)"
	cat "$src/debian/changelog"
} >"$c/debian/changelog"
is "$("$c/build-aux/version")" "$new" "after a changelog entry for $new, build-aux/version says $new"
out=$("$c/build-aux/version" --check 2>&1)
ok "--check fails until the files that repeat it are updated" test "$?" -ne 0
like "$out" "deploy/container/Containerfile:[0-9]+: not $new" "it names the Containerfile's lines"
like "$out" "deploy/container/compose.yaml:[0-9]+: not $new" "and the compose file's"
like "$out" "run build-aux/version --update" "and says what to run"
out=$("$c/build-aux/version" --update 2>&1)
ok "build-aux/version --update" test "$?" -eq 0
if_fail diag "$out"
out=$("$c/build-aux/version" --check 2>&1)
is "$?" 0 "then --check passes"
if_fail diag "$out"

is "$(sed -n 's/^ARG VERSION=//p' "$c/deploy/container/Containerfile" | sort -u)" "$new" \
	"the Containerfile's ARG VERSION lines say $new"
if /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
	res=$(/usr/bin/python3 "$here/lib/compose_check.py" "$c" "$c/deploy/container/compose.yaml")
	is "$(grep -c "^PASS.*image is inkwell:$new " <<<"$res")" 3 \
		"compose.yaml: its three services of the inkwell image run inkwell:$new"
	is "$(grep '^FAIL' <<<"$res")" "" "and the compose file's checks all pass"
else
	pass "compose.yaml's checks # SKIP python3-yaml missing"
fi
ve=${v//./\\.}
pat="localhost/inkwell:$ve|inkwell_${ve}_|inkwell-$ve\\.(oci\\.tar|spdx\\.json)|^ARG VERSION=$ve\$"
is "$(git -C "$c" grep -n -E "$pat" -- . ':!t' ':!debian/changelog')" "" \
	"no file outside t/ still names $v as the version"
is "$(git -C "$c" status --porcelain --untracked-files=no | sed 's/^...//' | sort | tr '\n' ' ')" \
	"README.md debian/changelog deploy/container/Containerfile deploy/container/compose.yaml deploy/gitops/README.md deploy/k8s/README.md deploy/k8s/base/deployment.yaml docs/backup-shipping.md terraform/environments/aws/README.md terraform/environments/aws/terraform.tfvars.example terraform/environments/local/README.md terraform/environments/local/terraform.tfvars.example terraform/modules/app-host/README.md terraform/modules/database/README.md " \
	"the entry and the update changed the changelog and the files that repeat it"

# The build configured before the entry: its next make regenerates
# configure and reconfigures (Makefile.am's CONFIGURE_DEPENDENCIES).
make -C "$tmp/build" Makefile config.h >"$tmp/make.log" 2>&1
ok "make in the old build directory" test "$?" -eq 0
if_fail diag "$(tail -n 20 "$tmp/make.log")"
ok "which is now configured for $new" \
	grep -qx "PACKAGE_VERSION = $new" "$tmp/build/Makefile"
is "$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$tmp/build/config.h")" "$new" \
	"config.h says $new"

done_testing
