# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/debroot.sh: clean Debian 12 roots for the tests that install
# inkwell, or provision machines, in them (t/6002-deb-install.t,
# t/7102-provision.t). Source it after t/lib/tap.sh.
#
#   debroot_mirrors          sets DEBROOT_MIRRORS: the bookworm entries of
#                            this machine's apt sources, as mmdebstrap
#                            takes them (one-line "deb URI SUITE COMPS")
#   bounded SECONDS LOG CMD...
#                            runs CMD (a program, so that $! is its PID),
#                            its output to LOG ("-": not redirected), in
#                            the background (so a signal reaches the
#                            caller's trap at once; $child names it for
#                            the trap to kill) for at most SECONDS, then
#                            kills it; sets rc
#   debroot_mount ROOT       mounts proc, dev, dev/shm, dev/pts and sys in
#                            ROOT, as a Debian system has them; call it in
#                            a mount namespace of its own, which takes
#                            the mounts with it when it ends
#   debroot_package SRC BUILD OUT TMP
#                            sets DEB: the package t/6001-deb-build.t
#                            left in BUILD when it built it from the
#                            sources as they are now (script/deb
#                            --source-id), else one script/deb builds in
#                            TMP/deb (its log: OUT/deb.log); DEB is empty
#                            when that fails (a failed check says so).
#                            INKWELL_TEST_DEB=FILE: that package instead
#   debroot_unit_get FILE KEY
#                            the last KEY= value in a unit file
#   debroot_inkwell_start ROOT LOG
#                            starts the installed inkwelld in ROOT as its
#                            units would, in the background: makes the
#                            socket's directory and every
#                            RuntimeDirectory with the units' owners and
#                            modes, then runs ExecStart as User and Group
#                            under UMask through systemd-socket-activate
#                            on ListenStream, its output added to LOG.
#                            Sets INKPID, DEBROOT_DIRS_OK (1: every
#                            directory made), DEBROOT_UNITS (what the
#                            units say, for a note), and DEBROOT_LISTEN,
#                            DEBROOT_SGROUP and DEBROOT_SMODE (the
#                            socket's path, group and mode; the caller
#                            sets those once the socket is there)

child=

debroot_mirrors() {
	DEBROOT_MIRRORS=()
	local line
	while IFS= read -r line; do
		DEBROOT_MIRRORS+=("$line")
	done < <(
		shopt -s nullglob
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[[ -f $f ]] && sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+(bookworm[^[:space:]]*)[[:space:]]+(.*)$/deb \2 \3 \4/p' "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && enabled != "no")
					for (i = 1; i <= nu; i++)
						for (j = 1; j <= ns; j++)
							if (s[j] ~ /^bookworm/)
								print "deb " u[i] " " s[j] " " comps
				types = ""; enabled = ""; comps = ""; nu = 0; ns = 0
			}
			/^[[:space:]]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { types = $2; for (i = 3; i <= NF; i++) types = types " " $i }
			tolower($1) == "uris:" { for (i = 2; i <= NF; i++) u[++nu] = $i }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) s[++ns] = $i }
			tolower($1) == "components:" { comps = $2; for (i = 3; i <= NF; i++) comps = comps " " $i }
			tolower($1) == "enabled:" { enabled = tolower($2) }
			END { flush() }' "$f"
		done
	)
	((${#DEBROOT_MIRRORS[@]})) || DEBROOT_MIRRORS=("deb http://deb.debian.org/debian bookworm main")
}

# shellcheck disable=SC2034 # rc is for the caller
bounded() {
	local limit=$1 log=$2 i
	shift 2
	if [[ $log == - ]]; then
		"$@" &
	else
		"$@" >"$log" 2>&1 &
	fi
	child=$!
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$child" 2>/dev/null; then
		kill -KILL "$child" 2>/dev/null
		diag "timed out after $limit s: $*"
	fi
	rc=0
	wait "$child" || rc=$?
	child=
}

debroot_mount() {
	local r=$1
	mount -t proc proc "$r/proc" &&
		mount --bind /dev "$r/dev" &&
		mount -t tmpfs -o mode=1777,size=256m tmpfs "$r/dev/shm" &&
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts" &&
		mount -t sysfs -o ro sysfs "$r/sys"
}

debroot_package() {
	local src=$1 build=$2 out=$3 tmp=$4 prev id f
	if [[ -n ${INKWELL_TEST_DEB:-} ]]; then
		DEB=$(realpath "$INKWELL_TEST_DEB")
		note "using $DEB (INKWELL_TEST_DEB)"
		return 0
	fi
	prev=$build/t/6001-deb-build/one
	id=$("$src/script/deb" --source-id 2>"$out/source-id.log")
	DEB=
	if [[ -n $id && -f $prev/source-id && $(cat "$prev/source-id") == "$id" ]]; then
		for f in "$prev"/inkwell_*_*.deb; do
			[[ -f $f ]] && { DEB=$f; break; }
		done
	fi
	if [[ -n $DEB ]]; then
		note "using $DEB (built by t/6001 from these sources)"
	else
		DEB=$("$src/script/deb" "$tmp/deb" 2>"$out/deb.log")
		ok "script/deb builds the package" test $? -eq 0 -a -f "$DEB"
		if_fail tail -n 20 "$out/deb.log"
		[[ -f $DEB ]] || DEB=
	fi
}

# debroot_unit_get FILE KEY: the last KEY= value in a unit file.
debroot_unit_get() { sed -n "s/^$2=//p" "$1" | tail -n 1; }

# shellcheck disable=SC2034 # INKPID and the DEBROOT_ values are the caller's
debroot_inkwell_start() {
	local root=$1 log=$2 path=/usr/sbin:/usr/bin:/sbin:/bin
	local svc=$root/lib/systemd/system/inkwell.service sock=$root/lib/systemd/system/inkwell.socket
	local exec user group rtdir rtmode umask dmode d
	exec=$(debroot_unit_get "$svc" ExecStart)
	user=$(debroot_unit_get "$svc" User)
	group=$(debroot_unit_get "$svc" Group)
	rtdir=$(debroot_unit_get "$svc" RuntimeDirectory)
	rtmode=$(debroot_unit_get "$svc" RuntimeDirectoryMode)
	umask=$(debroot_unit_get "$svc" UMask)
	dmode=$(debroot_unit_get "$sock" DirectoryMode)
	DEBROOT_LISTEN=$(debroot_unit_get "$sock" ListenStream)
	DEBROOT_SGROUP=$(debroot_unit_get "$sock" SocketGroup)
	DEBROOT_SMODE=$(debroot_unit_get "$sock" SocketMode)
	DEBROOT_UNITS="ExecStart=$exec User=$user RuntimeDirectory=$rtdir ListenStream=$DEBROOT_LISTEN"
	DEBROOT_DIRS_OK=1
	chroot "$root" /usr/bin/env -i PATH="$path" \
		install -d -m "$dmode" "${DEBROOT_LISTEN%/*}" || DEBROOT_DIRS_OK=0
	# RuntimeDirectory names one or more directories, space-separated.
	for d in $rtdir; do
		chroot "$root" /usr/bin/env -i PATH="$path" \
			install -d -m "$rtmode" -o "$user" -g "$group" "/run/$d" || DEBROOT_DIRS_OK=0
	done
	# systemd-socket-activate listens, then execs the service (same PID,
	# as LISTEN_PID wants) at the first connection; setpriv execs too.
	# shellcheck disable=SC2086 # ExecStart is a command line
	(umask "$umask" && exec chroot "$root" /usr/bin/env -i PATH="$path" LC_ALL=C.UTF-8 \
		systemd-socket-activate -l "$DEBROOT_LISTEN" -- \
		setpriv --reuid="$user" --regid="$group" --init-groups -- $exec) \
		>>"$log" 2>&1 &
	INKPID=$!
}
