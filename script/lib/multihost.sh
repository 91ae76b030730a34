# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# script/lib/multihost.sh: inkwell's "many machines" shape (DESIGN.md) on
# one machine. Every machine is a network namespace with one address on a
# private switch; nothing talks over loopback. Sourced by t/7201-multihost.t
# and script/bench-hosts, after script/lib/stack.sh (whose helpers it uses);
# needs root, iproute2, PostgreSQL 15, pgbouncer, Redis, nginx.
#
#   host     namespace    address       runs
#   client   iw72-client  10.72.0.10    the readers (curl, wrk)
#   lb       iw72-lb      10.72.0.2     nginx with nginx/inkwell-lb.conf
#   app1     iw72-app1    10.72.0.11    nginx (nginx/inkwell.conf), inkwelld
#   app2     iw72-app2    10.72.0.12    the same
#   pgb      iw72-pgb     10.72.0.20    pgbouncer :6432, in front of the
#                                       primary (db1; db2 after a failover)
#   db1      iw72-db1     10.72.0.21    PostgreSQL primary :5432
#   db2      iw72-db2     10.72.0.22    PostgreSQL streaming replica :5432
#   redis    iw72-redis   10.72.0.31    Redis :6379
#
# The switch is the namespace iw72-sw: a bridge iw72-br0 and, for each
# host, the veth iw72-HOST whose peer is iw72-eth0 in the host. Nothing is
# made in the machine's own namespace, so deleting the namespaces removes
# every interface. Each host keeps its files under MH_DIR/HOST/.
#
# Every connection to a database host is TLS with the server's
# certificate checked (sslmode=verify-full): inkwell to pgbouncer and to
# the replica, the replica's WAL stream from the primary. Each lab makes
# its own CA (MH_DIR/tls/, which no host reads) and, for pgb, db1 and
# db2, a certificate naming the host both ways, HOST.inkwell.test and its
# address; a client finds it by the name (host=, with hostaddr= the
# address, as there is no DNS here) or by the address. The servers refuse
# plain text from the network (hostssl in pg_hba.conf; pgbouncer's
# client_tls_sslmode = require). pgbouncer has a host of its own, so that
# it outlives the primary's host: it reaches the primary over the network,
# TLS with the certificate checked by address (server_tls_sslmode =
# verify-full). Redis stays plain TCP: Debian 12's hiredis 0.14 has no TLS.
#
# Durability is on (fsync, full_page_writes, synchronous_commit). With
# MH_SYNC_STANDBY set (on or remote_apply) before mh_db_start, the primary
# also waits for the replica (synchronous_standby_names naming its
# cluster_name) before it answers a commit: no write acknowledged is
# missing from the replica, so a failover loses none (docs/failover.md).
#
#   mh_init DIR              set the variables below (DIR: the lab's files)
#   mh_lock                  take the lab's lock (one lab per machine: the
#                            names are global); fails when it is taken
#   mh_sweep                 what an interrupted run left: its processes
#                            (those inside iw72-* namespaces), namespaces
#   mh_net_up                namespaces, switch, addresses
#   mh_db_start              the lab's CA and the database hosts'
#                            certificates (mh_tls_setup), then primary,
#                            pgbouncer, replica (streaming), all over TLS;
#                            then synchronous replication when
#                            MH_SYNC_STANDBY says so
#   mh_failover              script/inkwell-failover run on pgb against
#                            the lab: fences db1 (its link cut, a
#                            standby.signal in its data directory),
#                            promotes db2, points pgbouncer at it
#   mh_pg_kill HOST          SIGKILL to every process of HOST (its
#                            PostgreSQL: a crash)
#   mh_pg_start HOST         start HOST's cluster again as it is on disk
#   mh_redis_start / mh_redis_stop [SIGNAL]
#   mh_migrate               inkwellctl migrate from app1, through pgbouncer
#   mh_app_start N           inkwelld and nginx on appN
#   mh_inkwelld_restart N    stop appN's inkwelld, start it again with the
#                            configuration files as they are (a test may
#                            have changed them); waits for its socket only
#   mh_primary_conninfo CA [NAME], mh_replica_conninfo CA [ADDRESS]
#                            an app host's connection strings, checking
#                            the server against CA, by NAME or ADDRESS
#   mh_tls_ca DIR CN         a CA in DIR (ca.crt, ca.key)
#   mh_app_stop N clean|kill a clean stop (nginx SIGQUIT, inkwelld SIGTERM,
#                            as at a shutdown) or SIGKILL to every process
#                            of the host
#   mh_link HOST up|down     the host's cable at the switch
#   mh_lb_start N...         nginx on lb with app hosts N... behind it
#                            (again: rewrites the site and reloads)
#   mh_down                  stop everything, delete the namespaces
#
#   mh_in HOST CMD...        run CMD on HOST (ip netns exec)
#   mh_ctl ARGS...           inkwellctl with app1's configuration, on app1
#   mh_psql ARGS...          psql as postgres on the primary (db inkwell)
#   mh_replica_psql ARGS...  the same on the replica
#   mh_bouncer_show WHAT     pgbouncer's SHOW WHAT, over TLS on pgb
#
# Functions return non-zero on failure with the reason in MH_DIR/harness.log
# (mh_why prints its end). Processes are stopped by the PIDs this file
# recorded, or found in the lab's own namespaces; never by name.

MH_PREFIX=iw72
MH_NET=10.72.0
MH_SW=$MH_PREFIX-sw
MH_BRIDGE=$MH_PREFIX-br0
MH_IF=$MH_PREFIX-eth0
MH_HOSTS=(client lb app1 app2 pgb db1 db2 redis)
declare -A MH_ADDR=([client]=$MH_NET.10 [lb]=$MH_NET.2 [app1]=$MH_NET.11
	[app2]=$MH_NET.12 [pgb]=$MH_NET.20 [db1]=$MH_NET.21 [db2]=$MH_NET.22
	[redis]=$MH_NET.31)
MH_DOMAIN=inkwell.test
MH_PG_PORT=5432
MH_BOUNCER_PORT=6432
MH_REDIS_PORT=6379
MH_LOCKFILE=${MH_LOCKFILE:-${TMPDIR:-/tmp}/inkwell-$MH_PREFIX.lock}

# mh_init DIR
mh_init() {
	local repo
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	MH_REPO=${MH_REPO:-$repo}
	MH_BUILD=${MH_BUILD:-${INKWELL_BUILD:-$MH_REPO/build}}
	MH_DIR=$1
	MH_LOG=$MH_DIR/harness.log
	MH_WORKERS=${MH_WORKERS:-2}
	MH_NGINX_WORKERS=${MH_NGINX_WORKERS:-1}
	# The load generator is exempt from the app hosts' rate limit, as
	# loopback is (an operator's monitoring or load-test host).
	MH_LB_SITE=${MH_LB_SITE:-$MH_REPO/nginx/inkwell-lb.conf}
	MH_PGDATA1=$MH_DIR/db1/pg
	MH_PGDATA2=$MH_DIR/db2/pg
	MH_BOUNCER_PIDFILE=$MH_DIR/pgb/run/pgbouncer.pid
	MH_BOUNCER_INI=$MH_DIR/pgb/pgbouncer/pgbouncer.ini
	MH_SYNC_STANDBY=${MH_SYNC_STANDBY:-off}
	MH_REDIS_PIDFILE=$MH_DIR/redis/run/redis.pid
	MH_LB_PIDFILE=$MH_DIR/lb/run/nginx.pid
	MH_LB_ACCESS=$MH_DIR/lb/log/access.log
	MH_URL=http://${MH_ADDR[lb]}
	umask 022
}

mh_why() { tail -n "${1:-15}" "$MH_LOG" 2>/dev/null; }
_mh_log() { printf '%s %s\n' "$(date -u +%H:%M:%S.%N | cut -c1-12)" "$*" >>"$MH_LOG"; }

mh_in() {
	local host=$1
	shift
	ip netns exec "$MH_PREFIX-$host" "$@"
}

# mh_lock: an exclusive lock on MH_LOCKFILE held by fd 9 until exit. The
# daemons are started with fd 9 closed ("9>&-"): were they to keep it, a
# run killed before its cleanup would leave the lock taken by them, and
# the next run could not sweep them away.
mh_lock() {
	exec 9>>"$MH_LOCKFILE" || return 1
	flock -n 9
}

# _mh_namespaces: the lab's namespaces that exist now.
_mh_namespaces() {
	ip netns list 2>/dev/null | awk -v p="^$MH_PREFIX-" '$1 ~ p { print $1 }'
}

# _mh_ns_kill NS: TERM every process in NS, KILL what is left after 10 s.
_mh_ns_kill() {
	local ns=$1 pids i
	pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
	[[ -n ${pids// /} ]] || return 0
	_mh_log "processes left in $ns: $pids (SIGTERM)"
	# shellcheck disable=SC2086 # a list of PIDs
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		[[ -n ${pids// /} ]] || return 0
		sleep 0.1
	done
	_mh_log "still in $ns after 10 s: $pids (SIGKILL)"
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		[[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && return 0
		sleep 0.1
	done
	return 1
}

# mh_sweep: every process inside the lab's namespaces, then the
# namespaces themselves (their interfaces go with them).
mh_sweep() {
	local ns rc=0
	for ns in $(_mh_namespaces); do
		_mh_ns_kill "$ns" || rc=1
	done
	for ns in $(_mh_namespaces); do
		ip netns del "$ns" 2>>"$MH_LOG" || rc=1
	done
	return "$rc"
}

# mh_net_up: the switch, then one namespace per host wired to it.
mh_net_up() {
	local h
	mkdir -p "$MH_DIR"
	chmod 0755 "$MH_DIR"
	: >>"$MH_LOG"
	for h in "${MH_HOSTS[@]}"; do
		mkdir -p "$MH_DIR/$h/run" "$MH_DIR/$h/log"
	done
	{
		ip netns add "$MH_SW" &&
			ip -n "$MH_SW" link set lo up &&
			ip -n "$MH_SW" link add "$MH_BRIDGE" type bridge &&
			ip -n "$MH_SW" link set "$MH_BRIDGE" up || return 1
		for h in "${MH_HOSTS[@]}"; do
			ip netns add "$MH_PREFIX-$h" &&
				ip -n "$MH_PREFIX-$h" link set lo up &&
				ip -n "$MH_SW" link add "$MH_PREFIX-$h" type veth \
					peer name "$MH_IF" netns "$MH_PREFIX-$h" &&
				ip -n "$MH_SW" link set "$MH_PREFIX-$h" master "$MH_BRIDGE" up &&
				ip -n "$MH_PREFIX-$h" addr add "${MH_ADDR[$h]}/24" dev "$MH_IF" &&
				ip -n "$MH_PREFIX-$h" link set "$MH_IF" up || return 1
		done
	} >>"$MH_LOG" 2>&1
	_mh_log "network up: ${MH_HOSTS[*]} on $MH_NET.0/24"
}

# mh_link HOST up|down: the host's port on the switch. Down, its frames
# go nowhere: no reset, no refusal, as when a machine loses power or its
# network.
mh_link() {
	_mh_log "link of $1 $2"
	ip -n "$MH_SW" link set "$MH_PREFIX-$1" "$2" >>"$MH_LOG" 2>&1
}

# mh_reach FROM TO PORT: a TCP connection from host FROM to TO:PORT opens.
mh_reach() {
	mh_in "$1" timeout 3 bash -c "exec 3<>/dev/tcp/${MH_ADDR[$2]}/$3" 2>/dev/null
}

# ---------------------------------------------------------------------------
# TLS: a CA for the lab, a certificate for each database host

# The OpenSSL settings of the CA and of a server certificate (section
# "server", its names in MH_TLS_SAN), written next to what they make.
_mh_tls_cnf() {
	cat >"$1" <<-EOF
		# Written by script/lib/multihost.sh.
		[req]
		distinguished_name = dn
		[dn]
		[ca]
		basicConstraints = critical, CA:true
		keyUsage = critical, keyCertSign, cRLSign
		subjectKeyIdentifier = hash
		[server]
		basicConstraints = critical, CA:false
		keyUsage = critical, digitalSignature
		extendedKeyUsage = serverAuth
		subjectAltName = ${MH_TLS_SAN:-DNS:localhost}
	EOF
}

# mh_tls_ca DIR CN: a CA valid for two days, DIR/ca.key and DIR/ca.crt.
mh_tls_ca() {
	local dir=$1 cn=$2
	mkdir -p "$dir"
	_mh_tls_cnf "$dir/openssl.cnf"
	_mh_log "a CA in $dir ($cn)"
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-noenc -sha256 -days 2 -subj "/CN=$cn" -config "$dir/openssl.cnf" \
		-extensions ca -keyout "$dir/ca.key" -out "$dir/ca.crt" >>"$MH_LOG" 2>&1
}

# _mh_tls_server HOST: HOST's certificate and key in MH_DIR/HOST/tls/
# (server.crt, server.key, the postgres user's: PostgreSQL and pgbouncer
# refuse a key others can read), signed by the lab's CA, naming
# HOST.MH_DOMAIN and HOST's address; ca.crt beside them.
_mh_tls_server() {
	local h=$1 dir=$MH_DIR/$1/tls serial
	mkdir -p "$dir"
	MH_TLS_SAN="DNS:$h.$MH_DOMAIN, IP:${MH_ADDR[$h]}" _mh_tls_cnf "$dir/openssl.cnf"
	serial=0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	_mh_log "a certificate for $h ($h.$MH_DOMAIN, ${MH_ADDR[$h]})"
	{
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-noenc -subj "/CN=$h.$MH_DOMAIN" -config "$dir/openssl.cnf" \
			-keyout "$dir/server.key" -out "$dir/server.csr" &&
			openssl x509 -req -in "$dir/server.csr" -CA "$MH_DIR/tls/ca.crt" \
				-CAkey "$MH_DIR/tls/ca.key" -set_serial "$serial" -days 2 \
				-sha256 -extfile "$dir/openssl.cnf" -extensions server \
				-out "$dir/server.crt"
	} >>"$MH_LOG" 2>&1 || return 1
	cp "$MH_DIR/tls/ca.crt" "$dir/ca.crt"
	chmod 0600 "$dir/server.key"
	_stack_chown_pg "$dir" "$dir/server.key" "$dir/server.crt" "$dir/ca.crt"
}

# mh_tls_setup: the lab's CA, and the database hosts' certificates.
mh_tls_setup() {
	mh_tls_ca "$MH_DIR/tls" "inkwell lab $MH_PREFIX CA" &&
		_mh_tls_server pgb && _mh_tls_server db1 && _mh_tls_server db2
}

# ---------------------------------------------------------------------------
# PostgreSQL: primary on db1, pgbouncer on pgb, streaming replica on db2

# Passwords made for each lab; the roles exist only in its clusters.
_mh_secret() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'; }

_mh_pg() {
	local host=$1
	local prog=$2
	shift 2
	mh_in "$host" runuser -u postgres -- "$STACK_PGBIN/$prog" "$@"
}

mh_psql() {
	"$STACK_PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$MH_DIR/db1/run" \
		-p "$MH_PG_PORT" -U postgres -d inkwell "$@"
}

# mh_bouncer_show WHAT: pgbouncer's SHOW WHAT (CLIENTS, SERVERS, ...),
# asked on pgb as an operator would, over TLS like any client: a header
# line, then a line per row, fields separated by "|".
mh_bouncer_show() {
	mh_in pgb env PGPASSWORD="$MH_DB_PASSWORD" "$STACK_PGBIN/psql" -X -q -A \
		-P footer=off -v ON_ERROR_STOP=1 -c "SHOW $1" \
		"host=pgb.$MH_DOMAIN hostaddr=${MH_ADDR[pgb]} port=$MH_BOUNCER_PORT dbname=pgbouncer user=stats sslmode=verify-full sslrootcert=$MH_DIR/tls/ca.crt"
}

mh_replica_psql() {
	"$STACK_PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$MH_DIR/db2/run" \
		-p "$MH_PG_PORT" -U postgres -d inkwell "$@"
}

# The settings both clusters share; written into each data directory as
# inkwell-lab.conf (postgresql.conf includes it).
_mh_pg_conf() {
	local host=$1 data=$2
	cat >"$data/inkwell-lab.conf" <<-EOF
		# Written by script/lib/multihost.sh on every start.
		listen_addresses = '${MH_ADDR[$host]}'
		port = $MH_PG_PORT
		unix_socket_directories = '$MH_DIR/$host/run'
		max_connections = 100
		password_encryption = 'scram-sha-256'
		wal_level = replica
		max_wal_senders = 5
		hot_standby = on
		cluster_name = '$MH_PREFIX-$host'
		# Durable: a commit is on disk before it is answered (and, with
		# synchronous replication, on the replica: mh_sync_standby).
		fsync = on
		full_page_writes = on
		synchronous_commit = on
		timezone = 'UTC'
		log_timezone = 'UTC'
		log_line_prefix = '%m [%p] %q%u@%d %r '
		log_connections = on
		ssl = on
		ssl_cert_file = '$MH_DIR/$host/tls/server.crt'
		ssl_key_file = '$MH_DIR/$host/tls/server.key'
		ssl_min_protocol_version = 'TLSv1.2'
	EOF
	_stack_chown_pg "$data/inkwell-lab.conf"
}

_mh_pg_primary() {
	local data=$MH_PGDATA1 run=$MH_DIR/db1/run log=$MH_DIR/db1/log
	rm -rf "$data"
	mkdir -m 0700 "$data"
	_stack_chown_pg "$data" "$run" "$log"
	_mh_log "initdb $data"
	_stack_as_pg "$STACK_PGBIN/initdb" -D "$data" -U postgres -E UTF8 \
		--locale=C.UTF-8 -A trust --no-sync >>"$MH_LOG" 2>&1 || return 1
	# The DBA on db1 itself (socket, peer-less trust: a test cluster);
	# inkwell from the app hosts and pgbouncer, the replica's walreceiver
	# from db2, inkwell-failover from pgb: passwords (SCRAM); from the
	# network over TLS only. The replica's base backup copies this file,
	# so it holds for db2 too (and for db1 as db2's replica: db1's line).
	cat >"$data/pg_hba.conf" <<-EOF
		# Written by script/lib/multihost.sh.
		local    all          postgres                      trust
		local    inkwell      inkwell                       scram-sha-256
		hostssl  inkwell      inkwell     $MH_NET.0/24      scram-sha-256
		hostssl  replication  replicator  ${MH_ADDR[db2]}/32  scram-sha-256
		hostssl  replication  replicator  ${MH_ADDR[db1]}/32  scram-sha-256
		hostssl  postgres     failover    ${MH_ADDR[pgb]}/32  scram-sha-256
	EOF
	printf "\ninclude_if_exists = 'inkwell-lab.conf'\n" >>"$data/postgresql.conf"
	_stack_chown_pg "$data/pg_hba.conf"
	_mh_pg_conf db1 "$data"
	_mh_log "starting the primary on ${MH_ADDR[db1]}:$MH_PG_PORT"
	_mh_pg db1 pg_ctl -D "$data" -l "$log/postgresql.log" -w -t 60 start \
		>>"$MH_LOG" 2>&1 9>&- || return 1
	mh_psql -d postgres >>"$MH_LOG" 2>&1 <<-EOF
		CREATE ROLE inkwell LOGIN PASSWORD '$MH_DB_PASSWORD';
		CREATE ROLE replicator LOGIN REPLICATION PASSWORD '$MH_REPL_PASSWORD';
		CREATE DATABASE inkwell OWNER inkwell;
		-- inkwell-failover: may ask whether a server is in recovery and
		-- promote one, nothing else (pg_promote() is the superuser's
		-- unless granted).
		CREATE ROLE failover LOGIN PASSWORD '$MH_FAILOVER_PASSWORD';
		GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO failover;
	EOF
}

# pgbouncer in session mode: inkwell prepares its statements once per
# connection and keeps them (src/db/db.c), which transaction pooling would
# hand to other clients; DISCARD ALL cleans a connection between clients.
# On a host of its own (pgb), so that it outlives the primary's: after a
# failover, script/inkwell-failover rewrites its [databases] line to name
# the new primary and reloads it.
_mh_bouncer() {
	local dir=$MH_DIR/pgb/pgbouncer
	mkdir -p "$dir"
	printf '"inkwell" "%s"\n"stats" "%s"\n"failover" "%s"\n' "$MH_DB_PASSWORD" \
		"$MH_DB_PASSWORD" "$MH_FAILOVER_PASSWORD" >"$dir/userlist.txt"
	cat >"$MH_BOUNCER_INI" <<-EOF
		; Written by script/lib/multihost.sh.
		[databases]
		inkwell = $(mh_bouncer_target db1)

		[pgbouncer]
		listen_addr = ${MH_ADDR[pgb]}
		listen_port = $MH_BOUNCER_PORT
		unix_socket_dir =
		auth_type = scram-sha-256
		auth_file = $dir/userlist.txt
		pool_mode = session
		server_reset_query = DISCARD ALL
		max_client_conn = 200
		default_pool_size = 40
		logfile = $MH_DIR/pgb/log/pgbouncer.log
		pidfile = $MH_BOUNCER_PIDFILE
		; Clients come over the network: TLS only, with pgb's
		; certificate. So does PostgreSQL, on another host: TLS, its
		; certificate checked against the lab's CA (by address, which
		; the certificates name too).
		client_tls_sslmode = require
		client_tls_cert_file = $MH_DIR/pgb/tls/server.crt
		client_tls_key_file = $MH_DIR/pgb/tls/server.key
		client_tls_protocols = secure
		server_tls_sslmode = verify-full
		server_tls_ca_file = $MH_DIR/pgb/tls/ca.crt
		server_tls_protocols = secure
		; A dead primary must cost a client a second or two, not
		; minutes: a server that does not answer a connect within 1 s,
		; or leaves what was sent to it unacknowledged for 1.5 s (its
		; host gone), is given up; for 3 s after a failed connect every
		; client is refused at once; and a client waits at most 2 s for
		; a server connection. inkwell answers 503 for each. Readers'
		; pages wait for this too: a worker compares the content version
		; with the primary's every sync_interval (src/cache/cache.c).
		server_connect_timeout = 1
		server_login_retry = 3
		tcp_user_timeout = 1500
		query_wait_timeout = 2
		; SHOW CLIENTS for the tests (mh_bouncer_show); KILL, RELOAD,
		; RESUME for inkwell-failover.
		stats_users = stats
		admin_users = failover
	EOF
	chmod 0600 "$dir/userlist.txt"
	_stack_chown_pg "$dir" "$dir/userlist.txt" "$MH_BOUNCER_INI" \
		"$MH_DIR/pgb/run" "$MH_DIR/pgb/log"
	_mh_log "starting pgbouncer on ${MH_ADDR[pgb]}:$MH_BOUNCER_PORT"
	mh_in pgb runuser -u postgres -- pgbouncer -q -d "$MH_BOUNCER_INI" \
		>>"$MH_LOG" 2>&1 9>&- || return 1
	_stack_wait 50 0.1 mh_reach app1 pgb "$MH_BOUNCER_PORT"
}

# mh_bouncer_target HOST: pgbouncer's [databases] value for inkwell on
# HOST (db1 or db2), by address (pgbouncer has no hostaddr=).
mh_bouncer_target() {
	printf 'host=%s port=%s dbname=inkwell' "${MH_ADDR[$1]}" "$MH_PG_PORT"
}

# The replica: a base backup taken over the network, then a hot standby
# streaming from the primary.
_mh_pg_replica() {
	local data=$MH_PGDATA2 log=$MH_DIR/db2/log
	rm -rf "$data"
	mkdir -m 0700 "$data"
	_stack_chown_pg "$data" "$MH_DIR/db2/run" "$log"
	# Over TLS, db1's certificate checked by its name (-R keeps these
	# settings in primary_conninfo for the WAL stream).
	local from="host=db1.$MH_DOMAIN hostaddr=${MH_ADDR[db1]} port=$MH_PG_PORT"
	from+=" user=replicator sslmode=verify-full sslrootcert=$MH_DIR/db2/tls/ca.crt"
	_mh_log "pg_basebackup -R from db1.$MH_DOMAIN (${MH_ADDR[db1]}) into $data"
	mh_in db2 runuser -u postgres -- env PGPASSWORD="$MH_REPL_PASSWORD" \
		"$STACK_PGBIN/pg_basebackup" -d "$from" -D "$data" -R -X stream \
		-c fast >>"$MH_LOG" 2>&1 || return 1
	_mh_pg_conf db2 "$data"
	_mh_log "starting the replica on ${MH_ADDR[db2]}:$MH_PG_PORT"
	_mh_pg db2 pg_ctl -D "$data" -l "$log/postgresql.log" -w -t 60 start \
		>>"$MH_LOG" 2>&1 9>&-
}

_mh_streaming() {
	[[ $(mh_psql -d postgres -c "SELECT count(*) FROM pg_stat_replication
		WHERE state = 'streaming' AND client_addr = '${MH_ADDR[db2]}'" 2>/dev/null) == 1 ]]
}

mh_db_start() {
	MH_DB_PASSWORD=${MH_DB_PASSWORD:-$(_mh_secret)}
	MH_REPL_PASSWORD=${MH_REPL_PASSWORD:-$(_mh_secret)}
	MH_FAILOVER_PASSWORD=${MH_FAILOVER_PASSWORD:-$(_mh_secret)}
	mh_tls_setup && _mh_pg_primary && _mh_bouncer && _mh_pg_replica || return 1
	_stack_wait 300 0.1 _mh_streaming || {
		_mh_log "the replica does not stream from the primary"
		return 1
	}
	[[ $MH_SYNC_STANDBY == off ]] || mh_sync_standby "$MH_SYNC_STANDBY"
}

# mh_sync_standby off|on|remote_apply: synchronous replication on the
# primary (db1), by ALTER SYSTEM and a reload. on: a commit is answered
# once the replica has it on disk; remote_apply: once the replica has
# applied it (a read there sees it). Set only once the replica streams:
# with no standby to answer, every commit would wait. The replica's own
# setting stays empty, so once promoted it answers commits alone until a
# new replica is attached (docs/failover.md).
mh_sync_standby() {
	local names=\"$MH_PREFIX-db2\" mode=$1
	if [[ $mode == off ]]; then
		names='' mode=on
	fi
	_mh_log "synchronous replication: '$names', synchronous_commit = $mode"
	mh_psql -d postgres >>"$MH_LOG" 2>&1 <<-EOF || return 1
		ALTER SYSTEM SET synchronous_standby_names = '$names';
		ALTER SYSTEM SET synchronous_commit = '$mode';
		SELECT pg_reload_conf();
	EOF
	_stack_wait 100 0.1 _mh_sync_is "$names"
}

_mh_sync_is() {
	local want=sync
	[[ -n $1 ]] || want=async
	[[ $(mh_psql -d postgres -c "SELECT sync_state FROM pg_stat_replication
		WHERE client_addr = '${MH_ADDR[db2]}'" 2>/dev/null) == "$want" ]]
}

# mh_pg_kill HOST: SIGKILL to every process in HOST's namespace (on db1
# and db2 these are PostgreSQL's alone): the server crashes, the host
# stays up (connections to it are refused, not silent).
mh_pg_kill() {
	local pids
	pids=$(ip netns pids "$MH_PREFIX-$1" 2>/dev/null | tr '\n' ' ')
	_mh_log "SIGKILL to every process of $1: $pids"
	# shellcheck disable=SC2086 # a list of PIDs
	[[ -z ${pids// /} ]] || kill -KILL $pids 2>/dev/null
	_stack_wait 50 0.1 _mh_ns_empty "$1"
}

# mh_pg_start HOST: HOST's cluster started again, as its data directory
# says (a standby.signal there makes it a standby).
mh_pg_start() {
	local data=$MH_DIR/$1/pg
	_mh_pg_conf "$1" "$data"
	_mh_log "starting PostgreSQL on $1 again"
	_mh_pg "$1" pg_ctl -D "$data" -l "$MH_DIR/$1/log/postgresql.log" -w -t 60 \
		start >>"$MH_LOG" 2>&1 9>&-
}

# mh_failover: script/inkwell-failover as an operator runs it
# on the pgbouncer host, against the lab: db1 is fenced (its link cut at
# the switch: what powering the machine off does; and a standby.signal
# in its data directory, so that, started again, it is a standby and not
# a second primary), db2 promoted, pgbouncer pointed at db2. Passwords
# come from a libpq password file.
mh_failover() {
	local d=$MH_DIR/pgb ca=$MH_DIR/pgb/tls/ca.crt tls
	tls="sslmode=verify-full sslrootcert=$ca"
	{
		printf '*:*:*:failover:%s\n' "$MH_FAILOVER_PASSWORD"
	} >"$d/failover.pgpass"
	chmod 0600 "$d/failover.pgpass"
	_mh_log "inkwell-failover on pgb: db1 to db2"
	mh_in pgb env PGPASSFILE="$d/failover.pgpass" PATH="$STACK_PGBIN:$PATH" \
		"$MH_REPO/script/inkwell-failover" \
		--old "host=db1.$MH_DOMAIN hostaddr=${MH_ADDR[db1]} port=$MH_PG_PORT dbname=postgres user=failover $tls" \
		--new "host=db2.$MH_DOMAIN hostaddr=${MH_ADDR[db2]} port=$MH_PG_PORT dbname=postgres user=failover $tls" \
		--fence "ip -n $MH_SW link set $MH_PREFIX-db1 down && runuser -u postgres -- touch $MH_PGDATA1/standby.signal" \
		--bouncer "host=pgb.$MH_DOMAIN hostaddr=${MH_ADDR[pgb]} port=$MH_BOUNCER_PORT dbname=pgbouncer user=failover $tls" \
		--bouncer-ini "$MH_BOUNCER_INI" \
		--target "$(mh_bouncer_target db2)"
}

_mh_pg_running() {
	[[ -f $1/PG_VERSION ]] || return 1
	_stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

_mh_db_stop() {
	local pid data
	if pid=$(_stack_pidfile_pid "$MH_BOUNCER_PIDFILE" pgbouncer); then
		_mh_log "stopping pgbouncer ($pid)"
		_stack_kill_wait "$pid" pgbouncer INT 10 >>"$MH_LOG" 2>&1
	fi
	for data in "$MH_PGDATA2" "$MH_PGDATA1"; do
		if _mh_pg_running "$data"; then
			_mh_log "pg_ctl stop $data"
			_stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$data" -m immediate -w \
				-t 30 stop >>"$MH_LOG" 2>&1
		fi
	done
}

# ---------------------------------------------------------------------------
# Redis

_mh_redis_ping() {
	[[ $(mh_in redis redis-cli -h "${MH_ADDR[redis]}" -p "$MH_REDIS_PORT" \
		ping 2>/dev/null) == PONG ]]
}

mh_redis_cli() {
	mh_in redis redis-cli -h "${MH_ADDR[redis]}" -p "$MH_REDIS_PORT" "$@"
}

# mh_redis_start: a cache only, no persistence, no password: inkwell
# has no Redis AUTH, so Redis belongs on the private network alone.
mh_redis_start() {
	local dir=$MH_DIR/redis
	cat >"$dir/redis.conf" <<-EOF
		# Written by script/lib/multihost.sh.
		bind ${MH_ADDR[redis]}
		port $MH_REDIS_PORT
		protected-mode no
		daemonize no
		dir $dir
		logfile ""
		save ""
		appendonly no
		maxmemory 64mb
		maxmemory-policy allkeys-lru
	EOF
	_mh_log "starting Redis on ${MH_ADDR[redis]}:$MH_REDIS_PORT"
	setsid ip netns exec "$MH_PREFIX-redis" redis-server "$dir/redis.conf" \
		>>"$dir/log/redis.log" 2>&1 </dev/null 9>&- &
	printf '%s\n' "$!" >"$MH_REDIS_PIDFILE"
	# Not a job of the calling shell: its death (the tests kill it) is
	# not reported on stderr.
	disown
	_stack_wait 100 0.1 _mh_redis_ping
}

# mh_redis_stop [SIGNAL]: TERM (default) waits for it to exit; KILL too.
mh_redis_stop() {
	local pid
	pid=$(_stack_pidfile_pid "$MH_REDIS_PIDFILE" redis-server) || return 0
	_mh_log "stopping Redis ($pid) with SIG${1:-TERM}"
	_stack_kill_wait "$pid" redis-server "${1:-TERM}" 15 >>"$MH_LOG" 2>&1
}

# ---------------------------------------------------------------------------
# App hosts: inkwelld and nginx (nginx/inkwell.conf), as the package
# installs them, pointed at the database and Redis hosts.

# _mh_uri_escape TEXT: TEXT %-escaped for a URI's query (all but
# A-Z a-z 0-9 - . _ ~ /).
_mh_uri_escape() {
	local s=$1 out='' c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~/-]) out+=$c ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$out"
}

# mh_primary_conninfo CA [NAME]: the string an app host writes with:
# pgbouncer on pgb, over TLS, its certificate checked against the CA file
# CA and the name NAME (pgb.inkwell.test); hostaddr= says where that is.
# key=value pairs.
mh_primary_conninfo() {
	printf 'host=%s hostaddr=%s port=%s dbname=inkwell user=inkwell password=%s sslmode=verify-full sslrootcert=%s\n' \
		"${2:-pgb.$MH_DOMAIN}" "${MH_ADDR[pgb]}" "$MH_BOUNCER_PORT" \
		"$MH_DB_PASSWORD" "$1"
}

# mh_replica_conninfo CA [ADDRESS]: the string an app host reads with:
# the replica on db2 by its address (ADDRESS: another one), which its
# certificate names too; a postgresql:// URI.
mh_replica_conninfo() {
	printf 'postgresql://inkwell:%s@%s:%s/inkwell?sslmode=verify-full&sslrootcert=%s\n' \
		"$MH_DB_PASSWORD" "${2:-${MH_ADDR[db2]}}" "$MH_PG_PORT" \
		"$(_mh_uri_escape "$1")"
}

_mh_app_conf() {
	local n=$1 d=$MH_DIR/app$1
	mkdir -p "$d/secrets" "$d/tls"
	chmod 0700 "$d/secrets"
	# The database hosts' CA, as a real host would have it in
	# /etc/inkwell/db-ca.crt.
	cp "$MH_DIR/tls/ca.crt" "$d/tls/db-ca.crt" || return 1
	# The connection strings carry passwords: secret files, as a real
	# host would have them (the *_file keys, src/lib/conf.c).
	mh_primary_conninfo "$d/tls/db-ca.crt" >"$d/secrets/primary"
	mh_replica_conninfo "$d/tls/db-ca.crt" >"$d/secrets/replica"
	cat >"$d/inkwell.conf" <<-EOF
		; Written by script/lib/multihost.sh: app host $n.
		[server]
		listen = unix:$d/run/inkwell.sock
		socket_mode = 0666
		workers = $MH_WORKERS
		shutdown_timeout = 10
		base_url = $MH_URL

		[database]
		; primary: pgbouncer on pgb; replica: db2, for reads; both over
		; TLS, sslmode=verify-full with the CA in $d/tls/db-ca.crt
		primary_file = $d/secrets/primary
		replica_file = $d/secrets/replica
		statement_timeout = 5000
		connect_timeout = 2

		[redis]
		address = ${MH_ADDR[redis]}:$MH_REDIS_PORT
		timeout = 100
		retry = 1000

		[paths]
		templates = $MH_REPO/templates
		static = $MH_REPO/static
		pages = $d/run/pages
		page_hits = $d/run/hits.sock

		[log]
		level = info
	EOF
}

# The site: nginx/inkwell.conf as stack.sh makes it (the same four
# spellings replaced), listening on the host's address, with the
# addresses a load balancer forwards for trusted (realip) so that rate
# limits and logs see the reader, and the lab's load generator exempt from
# the rate limit as loopback is.
_mh_app_nginx_conf() {
	local n=$1 d=$MH_DIR/app$1 user=
	mkdir -p "$d/nginx/tmp"
	((EUID == 0)) && user="user root;"
	cat >"$d/nginx/nginx.conf" <<-EOF
		# Written by script/lib/multihost.sh: app host $n.
		$user
		worker_processes $MH_NGINX_WORKERS;
		daemon on;
		pid $d/run/nginx.pid;
		error_log $d/log/nginx-error.log warn;
		events { worker_connections 1024; }
		http {
		    include /etc/nginx/mime.types;
		    default_type application/octet-stream;
		    sendfile on;
		    access_log $d/log/nginx-access.log;
		    client_body_temp_path $d/nginx/tmp/body;
		    fastcgi_temp_path     $d/nginx/tmp/fastcgi;
		    proxy_temp_path       $d/nginx/tmp/proxy;
		    scgi_temp_path        $d/nginx/tmp/scgi;
		    uwsgi_temp_path       $d/nginx/tmp/uwsgi;
		    include $d/nginx/site.conf;
		}
	EOF
	sed -e "s#^\([[:space:]]*\)listen[[:space:]]\{1,\}80;#\1listen ${MH_ADDR[app$n]}:80;#" \
		-e '/^[[:space:]]*listen[[:space:]]\{1,\}\[::\]:80;/d' \
		-e "s#/run/inkwell/inkwell\.sock#$d/run/inkwell.sock#g" \
		-e "s#/run/inkwell/pages#$d/run/pages#g" \
		-e "s#/run/inkwell/hits/hits\.sock#$d/run/hits.sock#g" \
		-e "s#/var/log/nginx/access\.log#$d/log/nginx-access.log#g" \
		-e "s#/usr/share/inkwell/static#$MH_REPO/static#g" \
		-e "s#^\([[:space:]]*\)::1/128\([[:space:]]*\)1;#&\n\1${MH_ADDR[client]}/32 1;  \# the lab's load generator#" \
		-e "s#^\([[:space:]]*\)server_tokens off;#&\n\1set_real_ip_from ${MH_ADDR[lb]};\n\1real_ip_header X-Forwarded-For;#" \
		"$MH_REPO/nginx/inkwell.conf" >"$d/nginx/site.conf"
	if ! grep -q "listen ${MH_ADDR[app$n]}:80;" "$d/nginx/site.conf" ||
		! grep -q "set_real_ip_from ${MH_ADDR[lb]};" "$d/nginx/site.conf" ||
		! grep -q "${MH_ADDR[client]}/32 1;" "$d/nginx/site.conf" ||
		grep -Eq '^[^#]*(/run/inkwell/|/usr/share/inkwell/|/var/log/nginx/|listen[[:space:]]+(\[::\]:)?80;)' \
			"$d/nginx/site.conf"; then
		_mh_log "could not make app$n's site from nginx/inkwell.conf"
		return 1
	fi
	mh_in "app$n" nginx -t -q -p "$d/nginx/" -c "$d/nginx/nginx.conf" >>"$MH_LOG" 2>&1
}

_mh_app_up() {
	local n=$1
	[[ $(mh_in client curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
		"http://${MH_ADDR[app$n]}/readyz" 2>/dev/null) == 200 ]]
}

# _mh_inkwelld_start N: inkwelld on appN with its configuration as it is;
# waits for its socket.
_mh_inkwelld_start() {
	local n=$1 d=$MH_DIR/app$1 pid
	rm -f "$d/run/inkwell.sock"
	_mh_log "starting inkwelld on app$n"
	_stack_env_cmd
	setsid ip netns exec "$MH_PREFIX-app$n" "${STACK_ENV_CMD[@]}" \
		"$MH_BUILD/inkwelld" -c "$d/inkwell.conf" \
		>>"$d/log/inkwell.log" 2>&1 </dev/null 9>&- &
	pid=$!
	disown
	printf '%s\n' "$pid" >"$d/run/inkwelld.pid"
	_stack_wait 100 0.1 test -S "$d/run/inkwell.sock" || {
		_mh_log "inkwelld on app$n made no socket"
		return 1
	}
}

# mh_inkwelld_restart N: appN's inkwelld stopped (SIGTERM) and started
# again, reading its configuration files anew; nginx keeps running.
mh_inkwelld_restart() {
	local n=$1 d=$MH_DIR/app$1 sup
	if sup=$(_stack_pidfile_pid "$d/run/inkwelld.pid" inkwelld); then
		_mh_log "stopping inkwelld on app$n ($sup)"
		_stack_kill_wait "$sup" inkwelld TERM 15 >>"$MH_LOG" 2>&1 || return 1
	fi
	_mh_inkwelld_start "$n"
}

mh_app_start() {
	local n=$1 d=$MH_DIR/app$1
	_mh_app_conf "$n" && _mh_app_nginx_conf "$n" || return 1
	_mh_inkwelld_start "$n" || return 1
	_mh_log "starting nginx on app$n (${MH_ADDR[app$n]}:80)"
	mh_in "app$n" nginx -p "$d/nginx/" -c "$d/nginx/nginx.conf" \
		>>"$MH_LOG" 2>&1 </dev/null 9>&- || return 1
	_stack_wait 100 0.1 _mh_app_up "$n" || {
		_mh_log "app$n does not answer /readyz with 200"
		return 1
	}
}

# mh_app_stop N clean|kill
mh_app_stop() {
	local n=$1 how=$2 d=$MH_DIR/app$1 ngx sup pids
	ngx=$(_stack_pidfile_pid "$d/run/nginx.pid" nginx) || ngx=
	sup=$(_stack_pidfile_pid "$d/run/inkwelld.pid" inkwelld) || sup=
	case $how in
	clean)
		# What a shutdown does: nginx finishes what it has and stops
		# listening; inkwelld lets its requests finish.
		_mh_log "clean stop of app$n: nginx ${ngx:--} SIGQUIT, inkwelld ${sup:--} SIGTERM"
		[[ -z $ngx ]] || kill -QUIT "$ngx" 2>/dev/null
		[[ -z $sup ]] || kill -TERM "$sup" 2>/dev/null
		[[ -z $ngx ]] || _stack_wait 150 0.1 _stack_gone "$ngx" || return 1
		[[ -z $sup ]] || _stack_wait 150 0.1 _stack_gone "$sup" || return 1
		;;
	kill)
		pids=$(ip netns pids "$MH_PREFIX-app$n" 2>/dev/null | tr '\n' ' ')
		_mh_log "SIGKILL to every process of app$n: $pids"
		# shellcheck disable=SC2086 # a list of PIDs
		[[ -z ${pids// /} ]] || kill -KILL $pids 2>/dev/null
		_stack_wait 50 0.1 _mh_ns_empty "app$n" || return 1
		;;
	*) return 2 ;;
	esac
	rm -f "$d/run/nginx.pid" "$d/run/inkwelld.pid"
}

_mh_ns_empty() { [[ -z $(ip netns pids "$MH_PREFIX-$1" 2>/dev/null) ]]; }

# ---------------------------------------------------------------------------
# The load balancer: nginx/inkwell-lb.conf (MH_LB_SITE) with the example
# app servers replaced by the lab's, their parameters kept.

_mh_lb_conf() {
	local d=$MH_DIR/lb params line user='' n servers=''
	mkdir -p "$d/nginx/tmp"
	((EUID == 0)) && user="user root;"
	# The parameters of the site's first example server line.
	line=$(grep -m 1 -E '^[[:space:]]*server[[:space:]]+192\.0\.2\.[0-9]+:80([[:space:]]|;)' \
		"$MH_LB_SITE") || {
		_mh_log "$MH_LB_SITE has no 'server 192.0.2.N:80 ...;' example line"
		return 1
	}
	params=$(sed -E 's/^[[:space:]]*server[[:space:]]+[^[:space:];]+[[:space:]]*//; s/;.*$//' <<<"$line")
	for n in "$@"; do
		servers+="    server ${MH_ADDR[app$n]}:80 $params;\\n"
	done
	cat >"$d/nginx/nginx.conf" <<-EOF
		# Written by script/lib/multihost.sh: the load balancer.
		$user
		worker_processes $MH_NGINX_WORKERS;
		daemon on;
		pid $MH_LB_PIDFILE;
		error_log $d/log/nginx-error.log warn;
		events { worker_connections 4096; }
		http {
		    include /etc/nginx/mime.types;
		    default_type application/octet-stream;
		    client_body_temp_path $d/nginx/tmp/body;
		    fastcgi_temp_path     $d/nginx/tmp/fastcgi;
		    proxy_temp_path       $d/nginx/tmp/proxy;
		    scgi_temp_path        $d/nginx/tmp/scgi;
		    uwsgi_temp_path       $d/nginx/tmp/uwsgi;
		    include $d/nginx/site.conf;
		}
	EOF
	# The first example server line becomes the lab's servers, the
	# others go.
	awk -v servers="$servers" '
		/^[[:space:]]*server[[:space:]]+192\.0\.2\.[0-9]+:80([[:space:]]|;)/ {
			if (!done) { printf "%s", servers; done = 1 }
			next
		}
		{ print }' "$MH_LB_SITE" |
		sed -e "s#^\([[:space:]]*\)listen[[:space:]]\{1,\}80;#\1listen ${MH_ADDR[lb]}:80;#" \
			-e '/^[[:space:]]*listen[[:space:]]\{1,\}\[::\]:80;/d' \
			-e "s#/var/log/nginx/inkwell-lb\.access\.log#$MH_LB_ACCESS#g" \
			>"$d/nginx/site.conf"
	if ! grep -q "listen ${MH_ADDR[lb]}:80;" "$d/nginx/site.conf" ||
		! grep -q "access_log $MH_LB_ACCESS " "$d/nginx/site.conf"; then
		_mh_log "could not make the load balancer's site from $MH_LB_SITE"
		return 1
	fi
	mh_in lb nginx -t -q -p "$d/nginx/" -c "$d/nginx/nginx.conf" >>"$MH_LOG" 2>&1
}

_mh_lb_up() {
	[[ $(mh_in client curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
		"$MH_URL/healthz" 2>/dev/null) == 200 ]]
}

# mh_lb_start N...: app hosts N... behind the load balancer; when it is
# running already, the new site is loaded with a reload (SIGHUP).
mh_lb_start() {
	local pid d=$MH_DIR/lb
	_mh_lb_conf "$@" || return 1
	if pid=$(_stack_pidfile_pid "$MH_LB_PIDFILE" nginx); then
		_mh_log "reloading the load balancer: app host(s) $*"
		local gen
		gen=$(_mh_lb_generation)
		kill -HUP "$pid"
		# The old workers leave once they are done; the new site is
		# in force when every worker is a new one.
		_stack_wait 100 0.1 _mh_lb_reloaded "$pid" "$gen" || return 1
	else
		_mh_log "starting the load balancer: app host(s) $*"
		mh_in lb nginx -p "$d/nginx/" -c "$d/nginx/nginx.conf" \
			>>"$MH_LOG" 2>&1 </dev/null 9>&- || return 1
	fi
	_stack_wait 100 0.1 _mh_lb_up
}

# The load balancer's worker PIDs, sorted, as one word.
_mh_lb_generation() {
	local pid
	pid=$(_stack_pidfile_pid "$MH_LB_PIDFILE" nginx) || return 0
	pgrep -P "$pid" 2>/dev/null | sort -n | tr '\n' ,
}

_mh_lb_reloaded() {
	local now
	now=$(_mh_lb_generation)
	[[ -n $now && $now != "$2" ]] || return 1
	# No worker of the old generation is left.
	local old
	for old in ${2//,/ }; do
		_stack_alive "$old" && return 1
	done
	return 0
}

# ---------------------------------------------------------------------------
# inkwellctl, as an operator runs it on an app host

mh_ctl() {
	_stack_env_cmd
	mh_in app1 "${STACK_ENV_CMD[@]}" "$MH_BUILD/inkwellctl" \
		-c "$MH_DIR/app1/inkwell.conf" "$@"
}

mh_migrate() {
	_mh_app_conf 1 || return 1
	_mh_log "inkwellctl migrate (app1, through pgbouncer)"
	mh_ctl migrate >>"$MH_LOG" 2>&1
}

# ---------------------------------------------------------------------------
# everything

mh_down() {
	local n pid rc=0
	[[ -n ${MH_DIR:-} ]] || return 0
	mkdir -p "$MH_DIR"
	if pid=$(_stack_pidfile_pid "$MH_LB_PIDFILE" nginx); then
		_stack_kill_wait "$pid" nginx QUIT 10 >>"$MH_LOG" 2>&1 || rc=1
	fi
	for n in 1 2; do
		if pid=$(_stack_pidfile_pid "$MH_DIR/app$n/run/nginx.pid" nginx); then
			_stack_kill_wait "$pid" nginx QUIT 10 >>"$MH_LOG" 2>&1 || rc=1
		fi
		if pid=$(_stack_pidfile_pid "$MH_DIR/app$n/run/inkwelld.pid" inkwelld); then
			_stack_kill_wait "$pid" inkwelld TERM 15 >>"$MH_LOG" 2>&1 || rc=1
		fi
	done
	mh_redis_stop TERM || rc=1
	_mh_db_stop || rc=1
	# Whatever is left inside the lab's namespaces, then the namespaces.
	mh_sweep || rc=1
	return "$rc"
}
