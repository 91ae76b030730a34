# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/podman.sh: what the tests that run inkwell's deployment files
# under podman share (t/6013-compose-up.t, t/6031-k8s-kube-play.t).
# Source it after t/lib/tap.sh, with $src (the source tree), $out (where
# script/image puts its files), $here (t/) and $tmp (the test's own
# temporary directory, mode 0755) set.
#
#   podman_require [TOOL...] skips the test unless it runs as root with
#                            podman, mmdebstrap, mmtarfilter, curl, ss,
#                            CNI's dnsname plugin, python3-yaml (sets $py)
#                            and each TOOL named
#   podman_ports_free TEST PORT...  bails out when a port is taken
#   podman_private           a podman storage, network configuration and
#                            containers.conf of the test's own, in $tmp
#                            (CONTAINERS_STORAGE_CONF, CONTAINERS_CONF
#                            exported): nothing reaches the machine's store
#   podman_write_conf [RUNTIME]  containers.conf again, with that OCI
#                            runtime
#   podman_pick_runtime IMAGE    runc instead of crun where crun refuses
#                            the host's cgroups (a note says so)
#   podman_inkwell_image     script/image's image, built when missing or
#                            older than the sources, loaded; two checks
#   podman_standins          the root of the stand-ins (below), one check
#   podman_standin NAME LINES  an image of that root tagged NAME, the
#                            Containerfile lines after FROM as LINES
#   podman_cleanup [NETWORK...]  removes everything in the private storage,
#                            what CNI keeps outside it for each network,
#                            the mounts under $tmp and $tmp
#
# No registry is reachable here. The images the deployment files name for
# PostgreSQL, Redis and nginx are stand-ins made from Debian 12's packages
# (one mmdebstrap root kept in $out, their entrypoints in t/compose/),
# tagged with those names in the private storage only.
# shellcheck disable=SC2154,SC2034 # $src, $out, $here, $tmp are the test's; it uses PODMAN_STANDIN_* and $py

podman_require() { # [TOOL...]
	local c
	((EUID == 0)) || skip_all "needs root (rootful podman, mmdebstrap's chroot)"
	for c in podman mmdebstrap mmtarfilter curl ss "$@"; do
		command -v "$c" >/dev/null || skip_all "$c missing (script/bootstrap installs it)"
	done
	[[ -x /usr/lib/cni/dnsname ]] ||
		skip_all "CNI's dnsname plugin missing (golang-github-containernetworking-plugin-dnsname; script/bootstrap installs it)"
	py=/usr/bin/python3
	"$py" -c 'import yaml' 2>/dev/null || skip_all "python3-yaml missing"
}

# The tests publish fixed ports on loopback: a port already taken would
# make podman fail in a way that reads like a bug in the files tested.
podman_ports_free() { # TEST PORT...
	local test=$1 p
	shift
	for p in "$@"; do
		if [[ -n $(ss -Hltn "( sport = :$p )" 2>/dev/null) ]]; then
			echo "Bail out! port $p is in use; $test needs it"
			exit 1
		fi
	done
}

podman_private() {
	mkdir -p "$tmp/podman"/{root,run,tmp,volumes,cni} "$tmp/context"
	PODMAN_NOFILE=$(ulimit -Hn) PODMAN_NPROC=$(ulimit -Hu)
	[[ $PODMAN_NOFILE == unlimited || $PODMAN_NOFILE -gt 4096 ]] && PODMAN_NOFILE=4096
	[[ $PODMAN_NPROC == unlimited || $PODMAN_NPROC -gt 4096 ]] && PODMAN_NPROC=4096
	cat >"$tmp/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$tmp/podman/root"
		runroot = "$tmp/podman/run"
	EOF
	podman_write_conf
	export CONTAINERS_STORAGE_CONF=$tmp/storage.conf CONTAINERS_CONF=$tmp/containers.conf
}

# podman's default limits for root are above what this machine lets even
# root set (t/6010-image.t); the deployment files set none.
podman_write_conf() { # [RUNTIME]
	local runtime=
	[[ -z ${1:-} ]] || runtime="runtime = \"$1\""
	cat >"$tmp/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=$PODMAN_NOFILE:$PODMAN_NOFILE", "nproc=$PODMAN_NPROC:$PODMAN_NPROC"]
		[engine]
		tmp_dir = "$tmp/podman/tmp"
		volume_path = "$tmp/podman/volumes"
		$runtime
		[network]
		network_backend = "cni"
		network_config_dir = "$tmp/podman/cni"
	EOF
}

# crun refuses a cgroup v1 host whose cgroup2 hierarchy has controllers
# ("hybrid mode"); runc runs there (t/6010-image.t).
podman_pick_runtime() { # IMAGE
	local err
	if ! err=$(podman run --rm --network none "$1" true 2>&1) &&
		[[ $err == *"hybrid mode"* ]] && command -v runc >/dev/null; then
		podman_write_conf runc
		diag "crun: '$err'; runc runs the containers"
	fi
}

podman_inkwell_image() {
	local version archive ctr=$src/deploy/container t0
	version=$("$src/build-aux/version")
	archive=$out/inkwell-$version.oci.tar
	if [[ ! -s $archive || ! -s $out/bookworm.sources ]] ||
		[[ -n $(find "$src/src" "$src/sql" "$src/templates" "$src/static" \
			"$ctr"/{Containerfile,build-inkwell,setup-runtime,runtime-packages,sbom,image-config,healthcheck} \
			"$src/configure.ac" "$src/debian/changelog" -newer "$archive" -print -quit) ]]; then
		t0=$SECONDS
		INKWELL_IMAGE_DIR=$out "$src/script/image" >"$tmp/image.log" 2>&1
		note "script/image: $((SECONDS - t0)) s"
	fi
	ok "script/image's inkwell image is there, newer than the sources" test -s "$archive"
	if_fail diag "$(tail -n 20 "$tmp/image.log" 2>/dev/null)"
	like "$(podman load -i "$archive" 2>&1)" "localhost/inkwell:$version" \
		"podman loads it as localhost/inkwell:$version"
}

# The root is kept in the build tree (mmdebstrap takes a minute or two) and
# made again when the files that shape it change.
podman_standins() {
	local standins=$out/compose-standins.tar
	local slim=(
		--dpkgopt='path-exclude=/usr/share/doc/*'
		--dpkgopt='path-exclude=/usr/share/man/*'
		--dpkgopt='path-exclude=/usr/share/info/*'
		--dpkgopt='path-exclude=/usr/share/locale/*'
	)
	if [[ ! -s $standins ]] ||
		[[ -n $(find "$here/compose" "$out/bookworm.sources" \
			-newer "$standins" -print -quit) ]]; then
		# shellcheck disable=SC2016 # $1 is mmdebstrap's, for its hooks
		mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
			--include=postgresql-15,redis-server,nginx-light "${slim[@]}" \
			--customize-hook='mkdir -p "$1/tmp/standins"' \
			--customize-hook="copy-in $here/compose/postgres-entrypoint $here/compose/redis-entrypoint $here/compose/nginx.conf $here/compose/setup-standins /tmp/standins" \
			--customize-hook='chroot "$1" sh /tmp/standins/setup-standins' \
			--customize-hook=': >"$1/etc/resolv.conf"; : >"$1/etc/hostname"' \
			bookworm - "$out/bookworm.sources" 2>"$tmp/mmdebstrap.log" |
			mmtarfilter --path-exclude='/dev/*' >"$standins.tmp" &&
			mv "$standins.tmp" "$standins"
		rm -f "$standins.tmp"
	fi
	ok "mmdebstrap made the stand-ins' root (Debian 12: postgresql-15, redis-server, nginx-light)" \
		test -s "$standins"
	if_fail diag "$(tail -n 20 "$tmp/mmdebstrap.log" 2>/dev/null)"
	podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		"$standins" localhost/inkwell-test-standins >/dev/null 2>>"$tmp/mmdebstrap.log"
}

podman_standin() { # NAME CONTAINERFILE-LINES
	printf 'FROM localhost/inkwell-test-standins\n%s\n' "$2" >"$tmp/Containerfile"
	podman build --pull=never --network none -f "$tmp/Containerfile" -t "$1" \
		"$tmp/context" >>"$tmp/standins.log" 2>&1
}

# The three stand-ins' configurations, as the real images are: the
# PostgreSQL and Redis entrypoints of t/compose/, nginx in the foreground.
PODMAN_STANDIN_POSTGRES='ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV PGDATA=/var/lib/postgresql/data
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]
STOPSIGNAL SIGINT
CMD ["postgres"]'
PODMAN_STANDIN_REDIS='WORKDIR /data
ENTRYPOINT ["/usr/local/bin/redis-entrypoint"]
CMD ["redis-server"]'
PODMAN_STANDIN_NGINX='STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]'

podman_cleanup() { # [NETWORK...]
	local net pid
	if [[ -d $tmp/podman/root ]]; then
		podman rm -af -t 5 >/dev/null 2>&1
		podman pod rm -af >/dev/null 2>&1
		podman volume rm -af >/dev/null 2>&1
		podman secret rm -a >/dev/null 2>&1
		for net in "$@"; do
			podman network rm -f "$net" >/dev/null 2>&1
		done
		podman rmi -af >/dev/null 2>&1
	fi
	# What CNI keeps for a network outside the storage: the dnsname
	# plugin's dnsmasq and both plugins' state, named after it.
	for net in "$@"; do
		pid=$(cat "/run/containers/cni/dnsname/$net/pidfile" 2>/dev/null)
		if [[ $pid =~ ^[0-9]+$ ]] && grep -q "dnsname/$net/" "/proc/$pid/cmdline" 2>/dev/null; then
			kill "$pid" 2>/dev/null
		fi
		rm -rf "/run/containers/cni/dnsname/$net" "/var/lib/cni/networks/$net"
	done
	findmnt -rn -o TARGET | grep "^$tmp/" | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp"
}
