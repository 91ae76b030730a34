# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/replica.sh: a streaming replica of the test stack's PostgreSQL, and
# an inkwelld and an nginx of its own in front of it, for the replica tests
# (t/4007-replica-lag.t). Source it after t/lib/tap.sh; it sources
# script/lib/stack.sh and reuses its functions, with its STACK_* variables
# pointed at a directory of its own (stack_init DIR), so the layout is the
# stack's:
#
#   DIR/pg/                  the replica's data directory (pg_basebackup -R)
#   DIR/run/                 its socket, inkwell.sock, inkwelld.pid, nginx.pid
#   DIR/log/                 postgresql.log inkwell.log nginx-error.log ...
#   DIR/nginx/               nginx.conf and site.conf (from nginx/inkwell.conf)
#   DIR/inkwell.conf         written by the test (replica_write_conf)
#
#   replica_init DIR PG_PORT HTTP_PORT  set the STACK_* variables for DIR
#   replica_pg_start                    base backup of INKWELL_TEST_PG, then
#                                       start it as a hot standby
#   replica_pg_running                  its postmaster is up
#   replica_pg_stop [MODE]              pg_ctl stop -m MODE (immediate) of
#                                       DIR/pg only
#   replica_psql ARGS...                psql -tA on the replica, db inkwell
#   replica_inkwell_start               inkwelld -c DIR/inkwell.conf
#   replica_nginx_start                 nginx on 127.0.0.1:HTTP_PORT
#   replica_stop_all                    stop all of the above that runs
#
# The start functions return non-zero on failure (stack_die exits only the
# subshell they run in); their messages are in DIR/log/harness.log and
# replica_why prints the end of it. Stops act on the pidfiles and the data
# directory under DIR only, never on processes found by name.

# shellcheck source=script/lib/stack.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/script/lib/stack.sh"

# The replica's cluster_name (its application_name on the primary).
REPLICA_NAME=${REPLICA_NAME:-inkwell-replica}

# The test's own knobs are not inkwelld configuration.
STACK_PRIVATE_ENV+=(INKWELL_TEST_REPLICA_PORT INKWELL_TEST_REPLICA_HTTP_PORT
	INKWELL_TEST_LOAD INKWELL_FUZZ_BUILD)

# replica_init DIR PG_PORT HTTP_PORT. The INKWELL_*_PORT variables of the
# main stack must not win over these ports (stack_init prefers them).
replica_init() {
	INKWELL_HTTP_PORT='' INKWELL_PG_PORT='' INKWELL_REDIS_PORT='' \
		stack_init "$1" "$3" "$2" 1
	STACK_FRESH_DB=0
	STACK_WORKERS=2
	REPLICA_HARNESS_LOG=$STACK_LOG/harness.log
	# The replica as libpq sees it (stack_init built it for DIR).
	REPLICA_CONNINFO=$STACK_PG_CONNINFO
}

# replica_dirs: DIR and its run/, log/, nginx/tmp/; run/ must be writable
# by the postgres user for the replica's socket.
replica_dirs() {
	mkdir -p "$STACK_VAR" "$STACK_RUN" "$STACK_LOG" "$STACK_VAR/nginx/tmp"
	chmod 0755 "$STACK_VAR" "$STACK_LOG"
	if ((EUID == 0)); then
		chown root:postgres "$STACK_RUN"
		chmod 0775 "$STACK_RUN"
	fi
	: >>"$REPLICA_HARNESS_LOG"
}

replica_why() { tail -n "${1:-15}" "$REPLICA_HARNESS_LOG" 2>/dev/null; }

_replica_log() { printf '%s\n' "$*" >>"$REPLICA_HARNESS_LOG"; }

# _replica_primary_psql ARGS...: psql -tA on the primary (INKWELL_TEST_PG).
_replica_primary_psql() {
	psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$INKWELL_TEST_PG" "$@"
}

replica_psql() {
	psql -X -q -t -A -v ON_ERROR_STOP=1 -d "$REPLICA_CONNINFO" "$@"
}

replica_pg_running() {
	[[ -f $STACK_PGDATA/PG_VERSION ]] || return 1
	_stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$STACK_PGDATA" status >/dev/null 2>&1
}

# replica_pg_start: pg_basebackup -R of the primary into DIR/pg (a fast
# checkpoint, WAL streamed, no slot left behind), its own port and socket
# directory, hot_standby on; returns once pg_ctl says it accepts
# connections.
replica_pg_start() {
	local data=$STACK_PGDATA log=$STACK_LOG/postgresql.log maxconn
	replica_dirs
	maxconn=$(_replica_primary_psql -c 'SHOW max_connections' 2>>"$REPLICA_HARNESS_LOG") ||
		return 1
	rm -rf "$data"
	mkdir -m 0700 "$data"
	_stack_chown_pg "$data"
	touch "$log"
	_stack_chown_pg "$log"
	_replica_log "pg_basebackup -R of '$INKWELL_TEST_PG' into $data"
	if ! _stack_as_pg "$STACK_PGBIN/pg_basebackup" -d "$INKWELL_TEST_PG" \
		-D "$data" -R -X stream -c fast -N >>"$REPLICA_HARNESS_LOG" 2>&1; then
		_replica_log "pg_basebackup failed"
		return 1
	fi
	[[ -f $data/standby.signal ]] || {
		_replica_log "pg_basebackup -R wrote no standby.signal"
		return 1
	}
	# The copy of the primary's inkwell-stack.conf names the primary's
	# port and socket directory: replace it. max_connections may not be
	# lower than the primary's on a hot standby. cluster_name is the
	# walreceiver's application_name in the primary's pg_stat_replication.
	cat >"$data/inkwell-stack.conf" <<-EOF
		# Written by t/lib/replica.sh: a hot standby of the test stack.
		listen_addresses = '127.0.0.1'
		port = $STACK_PG_PORT
		unix_socket_directories = '$STACK_RUN'
		unix_socket_permissions = 0777
		max_connections = $maxconn
		hot_standby = on
		cluster_name = '$REPLICA_NAME'
		timezone = 'UTC'
		log_timezone = 'UTC'
		log_line_prefix = '%m [%p] %q%u@%d '
	EOF
	_stack_chown_pg "$data/inkwell-stack.conf"
	_replica_log "starting the replica on 127.0.0.1:$STACK_PG_PORT and $STACK_RUN"
	if ! _stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
		start >>"$REPLICA_HARNESS_LOG" 2>&1; then
		_replica_log "pg_ctl start failed; end of $log:"
		tail -n 15 "$log" >>"$REPLICA_HARNESS_LOG" 2>/dev/null
		return 1
	fi
}

replica_pg_stop() {
	local mode=${1:-immediate}
	replica_pg_running || return 0
	_replica_log "pg_ctl stop -m $mode $STACK_PGDATA"
	_stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$STACK_PGDATA" -m "$mode" -w -t 60 \
		stop >>"$REPLICA_HARNESS_LOG" 2>&1
}

# replica_inkwell_start: inkwelld (STACK_WORKERS workers) with
# DIR/inkwell.conf, through stack.sh (the same environment clean-up,
# pidfile and wait for the socket as the stack's own).
replica_inkwell_start() {
	(
		set -euo pipefail
		stack_inkwell_start
	) >>"$REPLICA_HARNESS_LOG" 2>&1
}

# replica_nginx_start: nginx/inkwell.conf turned into DIR/nginx/site.conf
# exactly as for the stack (stack_nginx_config), on STACK_HTTP_PORT and
# pointing at DIR/run/inkwell.sock.
replica_nginx_start() {
	(
		set -euo pipefail
		stack_nginx_start
	) >>"$REPLICA_HARNESS_LOG" 2>&1
}

# replica_stop_all: nginx, inkwelld, then the replica. Each through its
# pidfile under DIR (checked to be that program) or its data directory.
replica_stop_all() {
	local rc=0
	[[ -n ${STACK_VAR:-} && -d $STACK_VAR ]] || return 0
	(
		set -euo pipefail
		stack_nginx_stop
	) >>"$REPLICA_HARNESS_LOG" 2>&1 || rc=1
	(
		set -euo pipefail
		stack_inkwell_stop
	) >>"$REPLICA_HARNESS_LOG" 2>&1 || rc=1
	replica_pg_stop immediate || rc=1
	return "$rc"
}
