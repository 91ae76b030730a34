#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 7102-provision: what terraform/modules' cloud-init does to a machine,
# done for real, in clean Debian 12 roots that stand for the machines.
#
#   1. The user data of every role is rendered from the modules with
#      t/lib/hcl_eval.mjs (no terraform binary here): cache, database
#      primary, database replica, app host (its package from a URL, with
#      its SHA-256), load balancer; addresses in 10.71.0.0/24.
#   2. mmdebstrap makes one minbase bookworm root, copied for each role.
#      With the host's network, in mount and PID namespaces of their own:
#      cloud-init's first steps (t/lib/cloudinit_apply.py, which uses
#      cloud-init's own code for what it can): write_files,
#      then package_update and packages from the mirror, with no daemon
#      started (policy-rc.d, removed afterwards). The roles' namespaces
#      below reach no mirror, so apt's cache is also filled here with
#      what installing the inkwell package will want.
#   3. Each role then gets a network namespace (iw71-ROLE, its address on
#      a bridge in iw71-lan, where the test itself is 10.71.0.1 and serves
#      the package over HTTP) and runs the rest as cloud-init would:
#      deferred write_files and runcmd, which runs the module's
#      provisioning script. systemd is not PID 1 there: a stand-in
#      systemctl (t/terraform/systemctl) starts the units the scripts
#      name as Debian's init scripts or inkwell's unit files say.
#   4. Checks, from 10.71.0.1: Redis answers with the module's settings;
#      PostgreSQL takes inkwell's role through pgbouncer on the primary
#      and refuses a wrong password; the replica streams from the primary
#      (pg_stat_replication there, pg_is_in_recovery() and replayed data
#      here); the app host serves /healthz, /readyz and / through nginx,
#      from the primary and replica (its pgbouncer sessions) and Redis
#      (keys appear), with the admin user made; the load balancer serves
#      the blog, and the app host's nginx logs the reader's address, not
#      the balancer's (realip).
#
# Everything started runs in those namespaces: ending their first
# process ends it all, and the network namespaces are deleted. Logs:
# $INKWELL_TEST_VAR/out/7102-provision (build/t/out/... without it);
# the roots are removed at the end.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/debroot.sh
. "$here/lib/debroot.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
self=$here/$(basename "$0")

NET=10.71.0
LAN_NS=iw71-lan
ROLES=(cache dbp dbr app lb)
declare -A ADDR=([cache]=$NET.30 [dbp]=$NET.20 [dbr]=$NET.21 [app]=$NET.10 [lb]=$NET.40)
declare -A WHAT=([cache]="the cache" [dbp]="the database primary" [dbr]="the database replica"
	[app]="the app host" [lb]="the load balancer")
DEB_PORT=8071

# --- inside the namespaces ---------------------------------------------------

if [[ ${1:-} == --phase ]]; then
	# PID 1 of fresh mount and PID namespaces. $TMP, $OUT and $DEB come
	# from the outer test; the outcome goes to $OUT/ROLE.STAGE.rc.
	stage=$2 role=$3
	R=$TMP/$role
	log=$OUT/$role.$stage.log
	status=1
	trap 'echo "$status" >"$OUT/$role.$stage.rc"' EXIT
	debroot_mount "$R" || exit 1
	apply() { /usr/bin/python3 "$here/lib/cloudinit_apply.py" "$OUT/$role.yaml" "$R" "$1" >>"$log" 2>&1; }
	case $stage in
	prepare)
		printf '#!/bin/sh\n# t/7102: no daemon starts while packages are installed\nexit 101\n' \
			>"$R/usr/sbin/policy-rc.d"
		chmod 755 "$R/usr/sbin/policy-rc.d"
		apply init && apply packages || exit 1
		if [[ $role == app ]]; then
			# What apt will fetch for the package, fetched now.
			cp "$DEB" "$R/tmp/inkwell.deb" &&
				chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
					DEBIAN_FRONTEND=noninteractive \
					apt-get install -y -q --download-only /tmp/inkwell.deb >>"$log" 2>&1 || exit 1
			rm -f "$R/tmp/inkwell.deb"
		fi
		rm -f "$R/usr/sbin/policy-rc.d"
		install -m 0755 "$here/terraform/systemctl" "$R/usr/local/sbin/systemctl"
		status=0
		;;
	run)
		ip link set lo up
		apply final
		status=$?
		echo "$status" >"$OUT/$role.$stage.rc"
		# Serve until the test is done (bounded: the outer test's
		# limit is shorter).
		for ((i = 0; i < 18000; i++)); do
			[[ -e $OUT/stop ]] && break
			sleep 0.1
		done
		;;
	esac
	exit 0
fi

# --- outside ------------------------------------------------------------------

((EUID == 0)) || skip_all "needs root (mmdebstrap, chroot, namespaces)"
for c in mmdebstrap unshare nsenter chroot ip curl psql redis-cli node; do
	command -v "$c" >/dev/null || skip_all "$c not installed (script/bootstrap installs it)"
done
# Debian's Python (python3-yaml), whatever python3 comes first on PATH.
[[ -x /usr/bin/python3 ]] || skip_all "/usr/bin/python3 missing (script/bootstrap installs it)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed"
# t/lib/cloudinit_apply.py uses cloud-init's own code.
/usr/bin/python3 -c 'import cloudinit' 2>/dev/null || skip_all "cloud-init not installed (script/bootstrap installs it)"
need_env INKWELL_NODE_MODULES

OUT=${INKWELL_TEST_VAR:-$build/t}/out/7102-provision
rm -rf "$OUT"
mkdir -p "$OUT"
TMP=$(mktemp -d /var/tmp/inkwell-7102.XXXXXX)
chmod 0755 "$TMP"
declare -A PHASE=()
httpd=

netns_gone() { ! ip netns list | grep -q "^$1\( \|$\)"; }

cleanup() {
	local rc=$? role pid i
	: >"$OUT/stop"
	[[ -n $child ]] && kill -KILL "$child" 2>/dev/null
	[[ -n $httpd ]] && kill "$httpd" 2>/dev/null
	for role in "${!PHASE[@]}"; do
		pid=${PHASE[$role]}
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	[[ -n $httpd ]] && wait "$httpd" 2>/dev/null
	for role in "${ROLES[@]}" lan; do
		netns_gone "iw71-$role" || ip netns delete "iw71-$role" 2>/dev/null
	done
	if findmnt -rno TARGET | grep -q "^$TMP/"; then
		diag "something is still mounted under $TMP: left in place"
	else
		if ((TAP_FAILED)); then
			for role in "${ROLES[@]}"; do
				for f in var/log/systemctl-standin.log var/log/inkwell-standin.log \
					var/log/postgresql/postgresql-15-main.log var/log/postgresql/pgbouncer.log \
					var/log/redis/redis-server.log var/log/nginx/error.log; do
					[[ -f $TMP/$role/$f ]] && cp "$TMP/$role/$f" "$OUT/$role.${f##*/}"
				done
			done
		fi
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Namespaces an earlier run left behind, with nothing running in them.
for role in "${ROLES[@]}" lan; do
	ns=iw71-$role
	netns_gone "$ns" && continue
	if [[ -z $(ip netns pids "$ns" 2>/dev/null) ]]; then
		ip netns delete "$ns"
	else
		fail "network namespace $ns is in use (another run of this test?)"
		done_testing
	fi
done

# -- 1. the package and the user data
debroot_package "$src" "$build" "$OUT" "$TMP"
[[ -n $DEB ]] || done_testing
mkdir -p "$TMP/www"
cp "$DEB" "$TMP/www/"
sha=$(sha256sum "$DEB" | cut -d' ' -f1)

pw() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24; }
DB_PW=$(pw) REPL_PW=$(pw) ADMIN_PW=$(pw) REDIS_PW=$(pw)

render() { # MODULE INPUTS OUTPUT [INDEX] > FILE
	node "$here/terraform/render.mjs" "$src/terraform/modules/$1" "$2" "$3" ${4:+"$4"}
}
cat >"$TMP/cache.json" <<EOF
{ "name": "cache", "address": "${ADDR[cache]}", "maxmemory_mb": 64, "password": "$REDIS_PW" }
EOF
cat >"$TMP/database.json" <<EOF
{ "primary": { "name": "db-primary", "address": "${ADDR[dbp]}" },
  "replicas": [ { "name": "db-replica", "address": "${ADDR[dbr]}" } ],
  "client_cidrs": [ "$NET.0/24" ], "password": "$DB_PW",
  "replication_password": "$REPL_PW", "wait_seconds": 120 }
EOF
render database "$TMP/database.json" primary_conninfo >"$TMP/primary.conninfo" &&
	render database "$TMP/database.json" replica_conninfos 0 >"$TMP/replica.conninfo"
ok "the database module's connection strings" test $? -eq 0
cat >"$TMP/app.json" <<EOF
{ "name": "app",
  "inkwell_deb": { "url": "http://$NET.1:$DEB_PORT/${DEB##*/}", "sha256": "$sha" },
  "database_primary": "$(cat "$TMP/primary.conninfo")",
  "database_replica": "$(cat "$TMP/replica.conninfo")",
  "redis_address": "${ADDR[cache]}:6379", "redis_password": "$REDIS_PW",
  "base_url": "http://${ADDR[lb]}",
  "trusted_proxies": [ "${ADDR[lb]}/32" ], "workers": 2,
  "admin_password": "$ADMIN_PW", "wait_seconds": 120 }
EOF
cat >"$TMP/lb.json" <<EOF
{ "name": "lb", "backends": [ "${ADDR[app]}" ] }
EOF
render cache "$TMP/cache.json" user_data >"$OUT/cache.yaml" &&
	render database "$TMP/database.json" primary_user_data >"$OUT/dbp.yaml" &&
	render database "$TMP/database.json" replica_user_data 0 >"$OUT/dbr.yaml" &&
	render app-host "$TMP/app.json" user_data >"$OUT/app.yaml" &&
	render load-balancer "$TMP/lb.json" user_data >"$OUT/lb.yaml"
ok "render every role's user data from terraform/modules" test $? -eq 0
for role in "${ROLES[@]}"; do
	[[ -s $OUT/$role.yaml ]] || done_testing
done

# -- 2. the roots, and what needs the mirror
debroot_mirrors
note "mirror: ${DEBROOT_MIRRORS[*]}"
start=$SECONDS
bounded 900 "$OUT/mmdebstrap.log" unshare --mount --pid --fork --kill-child --mount-proc \
	mmdebstrap --variant=minbase bookworm "$TMP/base.tar" "${DEBROOT_MIRRORS[@]}"
is "$rc" 0 "mmdebstrap makes a clean bookworm root ($((SECONDS - start)) s)"
if_fail tail -n 20 "$OUT/mmdebstrap.log"
((rc == 0)) || done_testing

export TMP OUT DEB
for role in "${ROLES[@]}"; do
	if ! { mkdir "$TMP/$role" && tar -C "$TMP/$role" -xf "$TMP/base.tar"; }; then
		fail "unpack the root for $role"
		done_testing
	fi
	start=$SECONDS
	bounded 900 - unshare --mount --pid --fork --kill-child --mount-proc "$self" --phase prepare "$role"
	is "$(cat "$OUT/$role.prepare.rc" 2>/dev/null)" 0 \
		"${WHAT[$role]}: write_files, package_update, packages ($((SECONDS - start)) s)"
	if_fail tail -n 20 "$OUT/$role.prepare.log"
done
rm -f "$TMP/base.tar"
((TAP_FAILED == 0)) || done_testing

# -- 3. the network, and the rest of cloud-init's work
ip netns add "$LAN_NS" &&
	ip -n "$LAN_NS" link set lo up &&
	ip -n "$LAN_NS" link add br0 type bridge &&
	ip -n "$LAN_NS" addr add "$NET.1/24" dev br0 &&
	ip -n "$LAN_NS" link set br0 up
ok "network namespace $LAN_NS: a bridge, $NET.1/24" test $? -eq 0
for role in "${ROLES[@]}"; do
	ns=iw71-$role
	ip netns add "$ns" &&
		ip -n "$LAN_NS" link add "v-$role" type veth peer name eth0 netns "$ns" &&
		ip -n "$LAN_NS" link set "v-$role" master br0 up &&
		ip -n "$ns" addr add "${ADDR[$role]}/24" dev eth0 &&
		ip -n "$ns" link set eth0 up
	ok "network namespace $ns: ${ADDR[$role]}" test $? -eq 0
done

inlan() { ip netns exec "$LAN_NS" "$@"; }
# ip netns exec execs the server: $! is its PID.
ip netns exec "$LAN_NS" /usr/bin/python3 -m http.server "$DEB_PORT" --bind "$NET.1" \
	--directory "$TMP/www" >"$OUT/httpd.log" 2>&1 &
httpd=$!
ok "the package is served at http://$NET.1:$DEB_PORT/" \
	wait_for 10 inlan curl -sfo /dev/null "http://$NET.1:$DEB_PORT/${DEB##*/}"

# run ROLE SECONDS: the role's deferred write_files and runcmd, in its
# namespaces, which stay up afterwards.
run() {
	local role=$1 limit=$2 rcfile=$OUT/$1.run.rc start=$SECONDS
	ip netns exec "iw71-$role" unshare --mount --pid --fork --kill-child --mount-proc \
		"$self" --phase run "$role" &
	PHASE[$role]=$!
	wait_for "$limit" test -e "$rcfile" 2>/dev/null
	is "$(cat "$rcfile" 2>/dev/null)" 0 "${WHAT[$role]}: runcmd (the module's provisioning script) succeeds ($((SECONDS - start)) s)"
	if_fail tail -n 25 "$OUT/$role.run.log"
}

# inrole ROLE CMD...: CMD in the role's root, namespaces and all.
inrole() {
	local role=$1 pid
	shift
	pid=$(pgrep -P "${PHASE[$role]}" | head -n 1)
	[[ -n $pid ]] || return 1
	nsenter -t "$pid" -m -p -n -- chroot "$TMP/$role" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

# -- 4. each role, and what it serves
run cache 120
rcli() { inlan env REDISCLI_AUTH="$REDIS_PW" redis-cli -h "${ADDR[cache]}" "$@"; }
is "$(rcli ping 2>&1)" PONG "Redis answers on ${ADDR[cache]}:6379, with the password"
like "$(inlan redis-cli -h "${ADDR[cache]}" get x 2>&1)" NOAUTH "and refuses a client without it"
like "$(inlan env REDISCLI_AUTH="wrong-$REDIS_PW" redis-cli -h "${ADDR[cache]}" get x 2>&1)" 'WRONGPASS|NOAUTH' \
	"or with a wrong one"
is "$(rcli config get maxmemory-policy 2>&1 | tail -n 1)" allkeys-lru \
	"with the module's settings (maxmemory-policy allkeys-lru)"
is "$(rcli config get maxmemory 2>&1 | tail -n 1)" $((64 * 1024 * 1024)) \
	"(maxmemory from maxmemory_mb = 64)"
is "$(inrole cache env REDISCLI_AUTH="$REDIS_PW" redis-cli ping 2>&1)" PONG "and on 127.0.0.1 there"

run dbp 180
pg() { # ROLE PASSWORD SQL
	inlan env PGPASSWORD="$2" PGCONNECT_TIMEOUT=5 psql -X -At -h "${ADDR[$1]}" -p 6432 \
		-U inkwell -d inkwell -c "$3" 2>&1
}
is "$(pg dbp "$DB_PW" 'SELECT current_user')" inkwell \
	"PostgreSQL on the primary takes inkwell's role through pgbouncer (${ADDR[dbp]}:6432)"
like "$(pg dbp "wrong-$DB_PW" 'SELECT 1')" "password authentication failed|SASL authentication failed" \
	"and refuses a wrong password"
like "$(inlan env PGPASSWORD="$DB_PW" PGCONNECT_TIMEOUT=5 psql -X -At -h "${ADDR[dbp]}" -p 5432 \
	-U inkwell -d inkwell -c 'SELECT 1' 2>&1)" "no pg_hba.conf entry" \
	"PostgreSQL itself (port 5432) admits no client from the network, only replication"
is "$(pg dbp "$DB_PW" 'SHOW statement_timeout')" 5s \
	"the role carries inkwell's statement_timeout (pgbouncer drops \"options\")"

run dbr 240
like "$(inrole dbp runuser -u postgres -- psql -X -At -c \
	"SELECT host(client_addr) || ' ' || state FROM pg_stat_replication" 2>&1)" "^${ADDR[dbr]} streaming$" \
	"the primary streams to the replica (pg_stat_replication)"
is "$(pg dbr "$DB_PW" 'SELECT pg_is_in_recovery()')" t \
	"the replica is in recovery, reached through its own pgbouncer"

run app 420
http() { # URL [curl options...]: the status; body in $OUT/body, headers in $OUT/headers
	local url=$1
	shift
	inlan curl -s -o "$OUT/body" -D "$OUT/headers" -w '%{http_code}' --max-time 10 "$@" "$url" 2>/dev/null
}
header() { sed -n "s/^$1: *//Ip" "$OUT/headers" | tr -d '\r' | tail -n 1; }
app=http://${ADDR[app]}
is "$(http "$app/healthz")" 200 "GET /healthz on the app host, through nginx: 200"
is "$(http "$app/readyz")" 200 "GET /readyz: 200"
like "$(cat "$OUT/body")" '"status": ?"ready"' "ready: PostgreSQL reached, migrations current"
is "$(http "$app/")" 200 "GET /: 200"
like "$(header Content-Type)" '^text/html' "the home page, as HTML"
like "$(cat "$OUT/body")" 'rel="alternate" type="application/atom\+xml"' "inkwell's page, with its feed link"
like "$(inrole app runuser -u inkwell -- inkwellctl user list 2>&1)" $'\n''admin +admin ' \
	"the first admin exists (admin_password was set)"
like "$(pg dbp "$DB_PW" "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'posts'")" '^1$' \
	"the migrations ran on the primary"
is "$(pg dbr "$DB_PW" "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'posts'")" 1 \
	"and reached the replica"
like "$(inrole dbr runuser -u postgres -- psql -X -At -c \
	"SELECT count(*) FROM pg_stat_activity WHERE datname = 'inkwell' AND application_name = 'inkwell'" 2>&1)" '^[1-9]' \
	"inkwell's workers read from the replica (application_name inkwell there, through its pgbouncer)"
is "$(inrole app stat -c '%U:%G %a' /etc/inkwell/redis-password 2>&1)" "root:inkwell 640" \
	"Redis's password is in a file only root and inkwell read"
ok "pages go to Redis (keys there after GET /)" \
	wait_for 5 eval '[[ $(rcli dbsize 2>/dev/null) -gt 0 ]]'

run lb 180
lb=http://${ADDR[lb]}
is "$(http "$lb/readyz")" 200 "GET /readyz through the load balancer: 200"
is "$(http "$lb/?from=lb")" 200 "GET / through the load balancer: 200"
like "$(cat "$OUT/body")" 'rel="alternate" type="application/atom\+xml"' "inkwell's home page"
is "$(http "$lb/feed.atom")" 200 "GET /feed.atom through the load balancer: 200"
like "$(cat "$OUT/body")" "href=\"http://${ADDR[lb]}/feed.atom\"" \
	"its links use base_url, the load balancer's address (inkwell.conf from the module)"
ok "the app host's nginx logs the reader ($NET.1), not the balancer (realip)" \
	eval 'inrole app cat /var/log/nginx/access.log | grep -q "^$NET\.1 .*\"GET /?from=lb "'
if_fail inrole app tail -n 3 /var/log/nginx/access.log

done_testing
