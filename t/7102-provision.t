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
#   5. HTTPS: the load balancer is provisioned again (as a machine whose
#      user data changed is at its next boot) with a domain and the ACME
#      directory of Debian's pebble, an ACME test server run in iw71-lan
#      on 10.71.0.1 (its own HTTPS certificate made here with openssl,
#      whose CA the module hands to certbot), with pebble-challtestsrv as
#      the DNS server that tells pebble the domain is the balancer.
#      certbot must get a certificate through nginx's webroot on port 80;
#      then, checked against pebble's root (from its management
#      interface): the blog over HTTPS with HTTP/2 and HSTS, http://
#      redirected (301; 308 for a POST), TLS 1.2 with only the listed
#      ciphers, and 1.3, resumption from the session cache without
#      tickets; provisioning again keeps the certificate, and a renewal
#      (certbot renew --force-renewal) makes nginx serve the new one (the
#      deploy hook).
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
# HTTPS (5.): pebble's ACME and management listeners and the DNS server
# pebble-challtestsrv answers on, all on $NET.1 in iw71-lan.
DOMAIN=blog.iw71.test
ACME_PORT=14000
ACME_MGMT_PORT=15000
DNS_PORT=8053
CHALL_MGMT_PORT=8055

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
	apply() { # STAGE [USER_DATA]
		/usr/bin/python3 "$here/lib/cloudinit_apply.py" "${2:-$OUT/$role.yaml}" "$R" "$1" >>"$log" 2>&1
	}
	case $stage in
	prepare)
		printf '#!/bin/sh\n# t/7102: no daemon starts while packages are installed\nexit 101\n' \
			>"$R/usr/sbin/policy-rc.d"
		chmod 755 "$R/usr/sbin/policy-rc.d"
		# A role provisioned again later with other user data
		# (ROLE-again.yaml) gets that one's packages now: only this
		# stage reaches the mirror.
		pkgs=$OUT/$role.yaml
		[[ -f $OUT/$role-again.yaml ]] && pkgs=$OUT/$role-again.yaml
		apply init && apply packages "$pkgs" || exit 1
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
for c in mmdebstrap unshare nsenter chroot ip curl psql redis-cli node openssl pebble pebble-challtestsrv; do
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
daemons=()

netns_gone() { ! ip netns list | grep -q "^$1\( \|$\)"; }

cleanup() {
	local rc=$? role pid i
	: >"$OUT/stop"
	[[ -n $child ]] && kill -KILL "$child" 2>/dev/null
	[[ -n $httpd ]] && kill "$httpd" 2>/dev/null
	for pid in "${daemons[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
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
					var/log/redis/redis-server.log var/log/nginx/error.log \
					var/log/letsencrypt/letsencrypt.log; do
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

# The CA of pebble's own HTTPS certificate (for $NET.1), which certbot
# must trust: the module's acme_ca_certificate.
TLS=$TMP/tls
mkdir -p "$TLS"
cat >"$TLS/openssl.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = inkwell t/7102 ACME server CA
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:$NET.1
authorityKeyIdentifier = keyid
EOF
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
{
	openssl req -x509 -config "$TLS/openssl.cnf" -extensions ca "${ec[@]}" -days 2 \
		-keyout "$TLS/ca.key" -out "$TLS/ca.pem" &&
		openssl req -new -config "$TLS/openssl.cnf" -subj "/CN=$NET.1" "${ec[@]}" \
			-keyout "$TLS/acme.key" -out "$TLS/acme.csr" &&
		openssl x509 -req -in "$TLS/acme.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" \
			-CAcreateserial -days 2 -extfile "$TLS/openssl.cnf" -extensions leaf \
			-out "$TLS/acme.pem"
} >"$OUT/openssl.log" 2>&1
ok "openssl makes a CA, and with it pebble's certificate for $NET.1" test $? -eq 0
if_fail tail -n 20 "$OUT/openssl.log"
ACME_DIR=https://$NET.1:$ACME_PORT/dir
cat >"$TMP/lb-again.json" <<EOF
{ "name": "lb", "backends": [ "${ADDR[app]}" ],
  "domain_name": "$DOMAIN", "acme_directory_url": "$ACME_DIR",
  "acme_email": "hostmaster@iw71.test",
  "acme_ca_certificate": $(/usr/bin/python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$TLS/ca.pem") }
EOF

render cache "$TMP/cache.json" user_data >"$OUT/cache.yaml" &&
	render database "$TMP/database.json" primary_user_data >"$OUT/dbp.yaml" &&
	render database "$TMP/database.json" replica_user_data 0 >"$OUT/dbr.yaml" &&
	render app-host "$TMP/app.json" user_data >"$OUT/app.yaml" &&
	render load-balancer "$TMP/lb.json" user_data >"$OUT/lb.yaml" &&
	render load-balancer "$TMP/lb-again.json" user_data >"$OUT/lb-again.yaml"
ok "render every role's user data from terraform/modules (the balancer's also with a domain)" test $? -eq 0
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

# pebble, and the DNS server that tells it $DOMAIN is the balancer (A
# records; no challenge server of its own). ip netns exec and env exec
# the server: $! is its PID.
ip netns exec "$LAN_NS" pebble-challtestsrv -defaultIPv4 "${ADDR[lb]}" -defaultIPv6 "" \
	-dns01 "$NET.1:$DNS_PORT" -http01 "" -https01 "" -tlsalpn01 "" \
	-management "$NET.1:$CHALL_MGMT_PORT" >"$OUT/challtestsrv.log" 2>&1 &
daemons+=("$!")
cat >"$TLS/pebble.json" <<EOF
{ "pebble": {
    "listenAddress": "$NET.1:$ACME_PORT", "managementListenAddress": "$NET.1:$ACME_MGMT_PORT",
    "certificate": "$TLS/acme.pem", "privateKey": "$TLS/acme.key",
    "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "",
    "externalAccountBindingRequired": false } }
EOF
# No random sleep before validating, no good nonce refused on purpose:
# this test wants pebble's checks, not its drills of a client's retries.
ip netns exec "$LAN_NS" env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
	pebble -config "$TLS/pebble.json" -dnsserver "$NET.1:$DNS_PORT" >"$OUT/pebble.log" 2>&1 &
daemons+=("$!")
ok "pebble answers at $ACME_DIR, with the certificate made here" \
	wait_for 20 inlan curl -sfo /dev/null --cacert "$TLS/ca.pem" "$ACME_DIR"
if_fail tail -n 20 "$OUT/pebble.log"

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

# -- 5. HTTPS: the balancer provisioned again, with a domain
# again ROLE USER_DATA SECONDS WHAT: cloud-init's work once more in the
# role's namespaces (its new files, then runcmd), as at the next boot of
# a machine whose user data changed; packages came with the first.
again() {
	local role=$1 yaml=$2 limit=$3 what=$4 pid start=$SECONDS
	pid=$(pgrep -P "${PHASE[$role]}" | head -n 1)
	bounded "$limit" "$OUT/$role.again.log" nsenter -t "$pid" -m -p -n -- /bin/sh -c \
		'/usr/bin/python3 "$1" "$2" "$3" init && /usr/bin/python3 "$1" "$2" "$3" final' \
		sh "$here/lib/cloudinit_apply.py" "$yaml" "$TMP/$role"
	is "$rc" 0 "${WHAT[$role]}, $what: runcmd succeeds ($((SECONDS - start)) s)"
	if_fail tail -n 25 "$OUT/$role.again.log"
}
again lb "$OUT/lb-again.yaml" 240 "provisioned again with domain_name $DOMAIN"

live=$TMP/lb/etc/letsencrypt/live/$DOMAIN
like "$(openssl x509 -in "$live/cert.pem" -noout -issuer -ext subjectAltName 2>&1)" \
	"issuer=CN ?= ?Pebble Intermediate CA .*DNS:$DOMAIN" \
	"certbot got a certificate for $DOMAIN from pebble (the ACME directory given)"
ok "certbot renews it from that server (server = $ACME_DIR in its renewal file)" \
	grep -qxF "server = $ACME_DIR" "$TMP/lb/etc/letsencrypt/renewal/$DOMAIN.conf"
inlan curl -sf --cacert "$TLS/ca.pem" -o "$TLS/pebble-root.pem" "https://$NET.1:$ACME_MGMT_PORT/roots/0"
like "$(openssl x509 -in "$TLS/pebble-root.pem" -noout -subject 2>&1)" "Pebble Root CA" \
	"pebble's root, from its management interface (/roots/0)"

# https URL [curl options...]: like http, for $DOMAIN at the balancer,
# trusting pebble's root alone; prints "STATUS HTTP_VERSION".
https() {
	local url=$1
	shift
	inlan curl -s -o "$OUT/body" -D "$OUT/headers" -w '%{http_code} %{http_version}' --max-time 10 \
		--cacert "$TLS/pebble-root.pem" --resolve "$DOMAIN:443:${ADDR[lb]}" "$@" "$url" 2>"$OUT/curl.err"
}
site=https://$DOMAIN
is "$(https "$site/?from=https")" "200 2" "GET https://$DOMAIN/ through the balancer: 200, over HTTP/2, verified against pebble's root"
if_fail cat "$OUT/curl.err"
like "$(cat "$OUT/body")" 'rel="alternate" type="application/atom\+xml"' "inkwell's home page"
is "$(header Strict-Transport-Security)" "max-age=86400" "HSTS: Strict-Transport-Security: max-age=86400 (the default)"
is "$(https "$site/readyz")" "200 2" "GET /readyz over HTTPS: 200"
ok "the app host's nginx logs the reader ($NET.1) for HTTPS requests too" \
	eval 'inrole app cat /var/log/nginx/access.log | grep -q "^$NET\.1 .*\"GET /?from=https "'

plain=(--resolve "$DOMAIN:80:${ADDR[lb]}")
is "$(http "http://$DOMAIN/tag/x?page=2" "${plain[@]}")" 301 "GET http://$DOMAIN/...: 301"
is "$(header Location)" "$site/tag/x?page=2" "to the same address with https"
is "$(http "http://$DOMAIN/api/v1/posts" "${plain[@]}" -X POST -d x=1)" 308 \
	"POST http://$DOMAIN/...: 308, which keeps the method and the body"
is "$(header Location)" "$site/api/v1/posts" "to the same address with https"
is "$(http "http://$DOMAIN/.well-known/acme-challenge/none" "${plain[@]}")" 404 \
	"/.well-known/acme-challenge/ is answered on port 80 (certbot's webroot), not redirected"

# tls ARGS...: openssl s_client to the balancer for $DOMAIN, its output.
tls() {
	inlan timeout 10 openssl s_client -connect "${ADDR[lb]}:443" -servername "$DOMAIN" \
		-CAfile "$TLS/pebble-root.pem" -verify_return_error "$@" </dev/null 2>&1
}
out12=$(tls -tls1_2)
like "$out12" $'\n''New, TLSv1\.2, Cipher is ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)' \
	"TLS 1.2, with an ECDHE AEAD suite"
unlike "$out12" "TLS session ticket" "no session ticket (ssl_session_tickets off)"
like "$(tls -tls1_3)" $'\n''New, TLSv1\.3, Cipher is TLS_' "TLS 1.3"
unlike "$(tls -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA')" \
	$'\n''New, TLSv1\.2, Cipher is ' "TLS 1.2 refuses suites not listed (ECDHE with CBC)"
like "$(tls -tls1_2 -reconnect)" $'\n''Reused, TLSv1\.2' "a TLS 1.2 session resumes from the shared session cache"
# pebble's certificates name no OCSP responder, so nothing is stapled;
# nginx -t says so only when stapling is on.
like "$(inrole lb nginx -t 2>&1)" '"ssl_stapling" ignored, no OCSP responder URL' \
	"OCSP stapling is on (nginx -t: pebble's certificate names no responder to ask)"

ok "a deploy hook reloads nginx after a renewal" \
	grep -q 'systemctl reload nginx' "$TMP/lb/etc/letsencrypt/renewal-hooks/deploy/inkwell-reload-nginx"
bundle=$(sed -n 's/^Environment=REQUESTS_CA_BUNDLE=//p' \
	"$TMP/lb/etc/systemd/system/certbot.service.d/inkwell-acme-ca.conf" 2>/dev/null)
like "$bundle" '^/' "certbot.service gets REQUESTS_CA_BUNDLE for renewals (a drop-in)"
serial() { tls | openssl x509 -noout -serial 2>/dev/null; }
first=$(serial)
like "$first" '^serial=' "nginx serves the certificate ($first)"
is "$first" "$(openssl x509 -in "$live/cert.pem" -noout -serial)" "the one certbot keeps"
# The same user data again (a reboot): the certificate is kept.
again lb "$OUT/lb-again.yaml" 120 "provisioned once more with the same user data"
is "$(serial)" "$first" "provisioned once more, the balancer keeps the certificate (not due)"
# A renewal, as certbot.timer runs it (certbot.service's environment).
bounded 180 "$OUT/lb.renew.log" inrole lb env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	REQUESTS_CA_BUNDLE="$bundle" certbot renew --force-renewal --no-random-sleep-on-renew
is "$rc" 0 "certbot renew --force-renewal, with certbot.service's REQUESTS_CA_BUNDLE"
if_fail tail -n 20 "$OUT/lb.renew.log"
renewed=$(openssl x509 -in "$live/cert.pem" -noout -serial)
serves_renewed() { [[ $(serial) == "$renewed" && $renewed != "$first" ]]; }
ok "nginx serves the renewed certificate at once (the deploy hook reloaded it)" wait_for 10 serves_renewed
if_fail diag "before: $first; renewed: $renewed; served: $(serial)"

done_testing
