#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6012-containerfile: deploy/container/Containerfile builds with podman and
# makes the image script/image makes: the same Debian packages at the same
# versions, the same configuration (user, environment, command, port,
# labels), the same inkwell files, an SBOM that lists exactly its own
# packages; and its HEALTHCHECK passes against a running inkwelld.
#
# No registry is reachable here, so debian:12 and debian:12-slim cannot be
# pulled: Debian 12 minbase roots that mmdebstrap makes from this
# machine's apt sources stand in for them (the slim one trimmed as Debian's
# slim image is), imported under those names into podman storage of the
# test's own. The comparison is with build/image/inkwell-VERSION.oci.tar
# (t/6010-image.t makes it; this test runs script/image when it is absent).
# shellcheck disable=SC2016,SC2317 # single-quoted $ are for the tools run; helpers are called through ok
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
ctr=$src/deploy/container
out=$build/image
py=/usr/bin/python3

((EUID == 0)) || skip_all "needs root (mmdebstrap, rootful podman)"
for c in mmdebstrap mmtarfilter podman; do
	command -v "$c" >/dev/null || skip_all "$c missing (script/bootstrap installs it)"
done
[[ -x $py ]] || skip_all "/usr/bin/python3 missing"

tmp=$(mktemp -d /tmp/inkwell-6012.XXXXXX)
P=(podman --root "$tmp/podman/root" --runroot "$tmp/podman/run"
	--tmpdir "$tmp/podman/tmp")
cname=inkwell-6012-$$
cleanup() {
	if [[ -d $tmp/podman/root ]]; then
		"${P[@]}" rm -f -t 5 "$cname" >/dev/null 2>&1
		# Not "system reset": that also removes podman's networks, which
		# are the machine's, not this storage's.
		"${P[@]}" rm -af -t 5 >/dev/null 2>&1
		"${P[@]}" rmi -af >/dev/null 2>&1
	fi
	findmnt -rn -o TARGET | grep "^$tmp/" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/podman"

version=$("$src/build-aux/version")
archive=$out/inkwell-$version.oci.tar
if [[ ! -s $archive || ! -s $out/bookworm.sources ]]; then
	INKWELL_IMAGE_DIR=$out "$src/script/image" >"$tmp/image.log" 2>&1
	ok "script/image builds the image to compare with" test -s "$archive"
	if_fail diag "$(tail -n 20 "$tmp/image.log")"
fi
revision=$(sed -n 's/^#define INKWELL_COMMIT "\(.*\)"$/\1/p' "$out/build/src/buildinfo.h")
epoch=$(sed -n 's/^#define INKWELL_BUILD_EPOCH //p' "$out/build/src/buildinfo.h")

# --- stand-ins for debian:12 and debian:12-slim --------------------------------
slim=(
	--dpkgopt='path-exclude=/usr/share/doc/*'
	--dpkgopt='path-include=/usr/share/doc/*/copyright'
	--dpkgopt='path-exclude=/usr/share/man/*'
	--dpkgopt='path-exclude=/usr/share/info/*'
	--dpkgopt='path-exclude=/usr/share/locale/*'
	--dpkgopt='path-include=/usr/share/locale/locale.alias'
)
base() { # NAME [mmdebstrap options]: a Debian 12 minbase imported as NAME
	local name=$1
	shift
	mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		"$@" --customize-hook=': >"$1/etc/resolv.conf"; : >"$1/etc/hostname"' \
		bookworm - "$out/bookworm.sources" 2>>"$tmp/mmdebstrap.log" |
		mmtarfilter --path-exclude='/dev/*' >"$tmp/base.tar" &&
		"${P[@]}" import --change 'CMD ["bash"]' \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			"$tmp/base.tar" "$name" >/dev/null 2>>"$tmp/mmdebstrap.log"
}
ok "a stand-in for debian:12-slim" base docker.io/library/debian:12-slim "${slim[@]}"
ok "a stand-in for debian:12" base docker.io/library/debian:12
if_fail diag "$(tail -n 20 "$tmp/mmdebstrap.log")"
rm -f "$tmp/base.tar"

# The runtime, as in t/6010-image.t: crun refuses a cgroup v1 host whose
# cgroup2 hierarchy has controllers, and root may not raise the limits
# podman asks for by default.
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
[[ $nofile == unlimited || $nofile -gt 4096 ]] && nofile=4096
[[ $nproc == unlimited || $nproc -gt 4096 ]] && nproc=4096
lim=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
if ! err=$("${P[@]}" run --rm --network none "${lim[@]}" docker.io/library/debian:12-slim true 2>&1) &&
	[[ $err == *"hybrid mode"* ]] && command -v runc >/dev/null; then
	P+=(--runtime runc)
	diag "crun: '$err'; runc runs the containers"
fi

# --- the build -----------------------------------------------------------------
started=$SECONDS
"${P[@]}" build --pull=never --network host "${lim[@]}" --format docker \
	-f "$ctr/Containerfile" --ignorefile "$ctr/Containerfile.dockerignore" \
	--build-arg "REVISION=$revision" --build-arg "SOURCE_DATE_EPOCH=$epoch" \
	-t "localhost/inkwell-containerfile:$version" "$src" >"$tmp/build.log" 2>&1
rc=$?
ok "podman builds deploy/container/Containerfile" test "$rc" -eq 0
if_fail diag "$(tail -n 30 "$tmp/build.log")"
note "podman build: $((SECONDS - started)) s"
((rc == 0)) || done_testing
cf=localhost/inkwell-containerfile:$version
"${P[@]}" load -i "$archive" >/dev/null 2>&1
si=localhost/inkwell:$version

inimg() { # IMAGE CMD...
	local image=$1
	shift
	"${P[@]}" run --rm --network none --no-healthcheck "${lim[@]}" "$image" "$@"
}
pkgs() {
	inimg "$1" dpkg-query -W -f '${db:Status-Status} ${Package} ${Version} ${Architecture}\n' |
		sed -n 's/^installed //p' | sort
}
pkgs "$cf" >"$tmp/cf.pkgs"
pkgs "$si" >"$tmp/si.pkgs"
note "Debian packages: $(wc -l <"$tmp/cf.pkgs") (Containerfile), $(wc -l <"$tmp/si.pkgs") (script/image)"
ok "both images hold the same Debian packages at the same versions" \
	cmp -s "$tmp/cf.pkgs" "$tmp/si.pkgs"
if_fail diag "$(diff "$tmp/si.pkgs" "$tmp/cf.pkgs" | head -n 20)"

"${P[@]}" image inspect "$cf" >"$tmp/cf.json"
"${P[@]}" image inspect "$si" >"$tmp/si.json"
while IFS=$'\t' read -r status name why; do
	if [[ $status == PASS ]]; then pass "$name"; else fail "$name"; diag "  $why"; fi
done < <("$py" - "$tmp/cf.json" "$tmp/si.json" <<'PY'
import json, sys
cfi = json.load(open(sys.argv[1]))[0]
cf, si = cfi["Config"], json.load(open(sys.argv[2]))[0]["Config"]
# The builder's own label ("io.buildah.version") is not the Containerfile's.
cf["Labels"] = {k: v for k, v in (cf.get("Labels") or {}).items()
                if not k.startswith("io.buildah.")}
for key in ("User", "Env", "Cmd", "Entrypoint", "ExposedPorts", "Labels",
            "WorkingDir", "StopSignal"):
    a, b = cf.get(key) or None, si.get(key) or None
    print("%s\tthe same %s in both images%s" % (
        "PASS" if a == b and (a or key == "Entrypoint") else "FAIL", key,
        "" if a == b else "\tContainerfile %r, script/image %r" % (a, b)))
hc = (cf.get("Healthcheck") or cfi.get("Healthcheck") or {}).get("Test")
print("%s\tthe Containerfile's image has the HEALTHCHECK%s" % (
    "PASS" if hc == ["CMD", "/usr/libexec/inkwell/healthcheck"] else "FAIL",
    "" if hc else "\tnone"))
PY
)

files() { inimg "$1" find /usr/sbin/inkwelld /usr/bin/inkwellctl /usr/share/inkwell \
	/usr/libexec/inkwell /usr/share/doc/inkwell /etc/inkwell | sort; }
files "$cf" >"$tmp/cf.files"
files "$si" >"$tmp/si.files"
ok "both images hold the same inkwell files" cmp -s "$tmp/cf.files" "$tmp/si.files"
if_fail diag "$(diff "$tmp/si.files" "$tmp/cf.files" | head -n 20)"
is "$(inimg "$cf" inkwellctl version 2>/dev/null | head -n 2 | tr '\n' ' ')" \
	"inkwell $version commit $revision " "its inkwellctl names version $version and commit $revision"

inimg "$cf" cat /usr/share/doc/inkwell/sbom.spdx.json >"$tmp/sbom.json"
while IFS=$'\t' read -r status name why; do
	if [[ $status == PASS ]]; then pass "SBOM: $name"; else fail "SBOM: $name"; diag "  $why"; fi
done < <("$py" "$here/lib/image_check.py" sbom "$tmp/sbom.json" "$tmp/cf.pkgs" \
	"$version" "$revision" | grep -E 'exactly|SPDX-2.3|inkwell ')

# Its HEALTHCHECK, run by podman, against inkwelld in the container (no
# database: /healthz only says the process is up).
"${P[@]}" run -d --name "$cname" --network none "${lim[@]}" \
	-e 'INKWELL_DATABASE_PRIMARY=host=/nonexistent dbname=none connect_timeout=1' \
	"$cf" >/dev/null 2>"$tmp/run.err"
healthy() { "${P[@]}" healthcheck run "$cname" >/dev/null 2>&1; }
ok "podman healthcheck run: the image's HEALTHCHECK passes" wait_for 20 healthy
if_fail diag "$(cat "$tmp/run.err"; "${P[@]}" logs "$cname" 2>&1 | tail -n 10)"
ok "... and the check fails where nothing answers" bash -c '! "$@" >/dev/null 2>&1' _ \
	"${P[@]}" exec -e INKWELL_SERVER_LISTEN=127.0.0.1:9 "$cname" \
	/usr/libexec/inkwell/healthcheck

done_testing
