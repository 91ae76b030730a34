#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 0003-bootstrap: script/bootstrap's package sets. script/server's set
# builds and runs the blog and holds no test, benchmark or packaging tool;
# the test set holds every other set; each script asks for its own set.
# As root: while another process holds dpkg's lock (an fcntl lock, as apt
# takes it), bootstrap says who holds it and waits, and gives up after
# INKWELL_APT_LOCK_TIMEOUT seconds with a clear error, or goes on to
# apt-get once the lock is free.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
boot=$src/script/bootstrap

list() { timeout 60 "$boot" --for "$1" --list 2>/dev/null; }

server=$(list server)
is "$?" 0 "bootstrap --for server --list: exit 0"
for p in gcc make libc6-dev libpq-dev libfcgi-dev postgresql redis-server nginx-light curl python3; do
	like "$server" "(^|"$'\n'")$p($|"$'\n'")" "  the server set has $p"
done
for p in build-essential g++ chromium nodejs npm fonts-dejavu-core podman crun runc umoci mmdebstrap \
	lintian debhelper dpkg-dev fakeroot po-debconf prometheus prometheus-alertmanager wrk pgbouncer \
	cloud-init clang libasan8 tidy mandoc shellcheck libfcgi-bin python3-yaml \
	node-spdx-expression-parse python3-feedparser pgbackrest; do
	unlike "$server" "(^|"$'\n'")$p($|"$'\n'")" "  and not $p"
done
note "the server set: $(wc -l <<<"$server") packages"

all=$(list test)
is "$?" 0 "bootstrap --for test --list: exit 0"
for set in server https backup bench deb image; do
	extra=$(comm -23 <(list "$set" | sort -u) <(sort -u <<<"$all"))
	is "$extra" "" "the test set holds the $set set"
done
like "$(list bench)" "(^|"$'\n'")wrk($|"$'\n'")" "the bench set has wrk"
like "$(list deb)" "(^|"$'\n'")lintian($|"$'\n'")" "the deb set has lintian"
like "$(list image)" "(^|"$'\n'")mmdebstrap($|"$'\n'")" "the image set has mmdebstrap"
like "$(list backup)" "(^|"$'\n'")pgbackrest($|"$'\n'")" "the backup set has pgbackrest"

out=$("$boot" --for nosuch --list 2>&1)
is "$?" 2 "an unknown set: exit 2"
like "$out" 'unknown package set: nosuch' "  says so"

# Each script asks for its set, every time it runs bootstrap
# (script/server --https and --backup ask for the https and backup sets,
# which hold the server's).
for pair in 'server:(server|https|backup)' test:test bench:bench bench-hosts:bench deb:deb image:image; do
	script=${pair%%:*} set=${pair#*:}
	if [[ ! -e $src/script/$script ]]; then
		note "script/$script is not in this tree (a release tarball ships only some scripts)"
		continue
	fi
	calls=$(grep -c 'script/bootstrap"' "$src/script/$script")
	mine=$(grep -Ec "script/bootstrap\" --for $set\\b" "$src/script/$script")
	ok "script/$script runs bootstrap --for $set (${mine} of ${calls} calls)" \
		test "$calls" -ge 1 -a "$mine" -eq "$calls"
done

# --- another apt holds the lock -------------------------------------------------
# These take the host's dpkg lock and run apt-get: only in a checkout, never
# in a package's or a release tarball's build (dpkg-buildpackage runs make
# check, and a package build has no business touching apt).
if [[ ! -e $src/.git ]]; then
	note "SKIP the dpkg lock checks: not a git checkout"
	done_testing
fi
if ((EUID != 0)) || ! command -v python3 >/dev/null || ! command -v lslocks >/dev/null ||
	[[ ! -e /var/lib/dpkg/lock-frontend ]]; then
	note "SKIP the dpkg lock checks: they need root, python3, lslocks and dpkg"
	done_testing
fi
tmp=$(mktemp -d /tmp/inkwell-0003.XXXXXX)
holder=
cleanup() {
	[[ -z $holder ]] || kill "$holder" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
# hold SECONDS: holds dpkg's frontend lock as apt does (a POSIX write lock
# from fcntl) for SECONDS in the background; $holder is its PID.
hold() {
	python3 -c 'import fcntl, sys, time
f = open("/var/lib/dpkg/lock-frontend", "w")
fcntl.lockf(f, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[1]))' "$1" >"$tmp/held" &
	holder=$!
	wait_for 10 grep -q held "$tmp/held"
}
# A package that is not installed sends bootstrap down its install path.
missing=inkwell-t0003-no-such-package
hold 30
start=$SECONDS
out=$(INKWELL_APT_LOCK_TIMEOUT=2 INKWELL_BOOTSTRAP_ALSO=$missing timeout 60 "$boot" --for server 2>&1)
rc=$? took=$((SECONDS - start))
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
is "$rc" 1 "the lock held throughout: bootstrap exits 1"
like "$out" "waiting for another package manager to finish: python3 \\(pid [0-9]+\\) holds /var/lib/dpkg/lock-frontend" \
	"  it says what it waits for, and who holds the lock"
like "$out" "gave up after 2 s waiting for another package manager: python3 \\(pid [0-9]+\\) holds /var/lib/dpkg/lock-frontend\\. Let it finish" \
	"  and gives up with a clear error"
unlike "$out" "Could not get lock|apt-get update" "  without apt's raw message, and without running apt-get"
ok "  after the timeout, not at once (${took} s)" test "$took" -ge 2 -a "$took" -le 20

# Released while bootstrap waits: it goes on to apt-get, which then fails
# on the package that does not exist. The lock is let go only once
# bootstrap says it waits (its checks before that take a while on a busy
# machine), so the order is the test's, not the scheduler's.
hold 300
INKWELL_APT_LOCK_TIMEOUT=120 INKWELL_BOOTSTRAP_ALSO=$missing timeout 300 "$boot" --for server \
	>"$tmp/boot.out" 2>&1 &
bootpid=$!
wait_for 60 grep -q "waiting for another package manager" "$tmp/boot.out"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
wait "$bootpid"
rc=$?
out=$(cat "$tmp/boot.out")
like "$out" "waiting for another package manager to finish: python3" "a lock released in time: bootstrap waited"
like "$out" "==> apt-get install .*$missing" "  then went on to apt-get install"
like "$out" "apt-get install failed \\(apt's messages are above\\)" "  whose failure it names"
is "$rc" 1 "  exit 1"
done_testing
