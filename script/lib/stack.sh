# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# script/lib/stack.sh: a private inkwell stack (PostgreSQL 15, Redis,
# inkwelld, nginx) under one directory, for development and tests.
# Sourced by script/server and script/test; needs bash and "set -euo pipefail".
#
#   stack_init VAR HTTP_PORT PG_PORT REDIS_PORT   set up the variables below
#   stack_start                                   (re)start everything
#   stack_stop                                    stop everything started from VAR
#   stack_inkwell_restart                         restart inkwelld alone, the
#                                                 socket held open throughout
#   stack_status                                  one line per component,
#                                                 with the ports of stack.state
#   stack_backup ARGS...                          src/ctl/inkwell-backup ARGS
#                                                 on this stack's cluster
#   stack_backup_enable [ARGS...]                 inkwell-backup enable for it,
#                                                 the repository under backup/
#
# Everything listens on loopback only. Layout under $VAR:
#
#   pg/            PostgreSQL cluster (owned by the "postgres" user); its
#                  pidfile is pg/postmaster.pid
#   redis/         Redis working directory (no persistence)
#   nginx/         nginx.conf, site.conf (made from nginx/inkwell.conf), tmp/
#   run/           sockets and pidfiles: .s.PGSQL.<port>, redis.sock,
#                  inkwell.sock, redis.pid, inkwelld.pid, sockhold.pid,
#                  nginx.pid
#   log/           postgresql.log redis.log migrate.log inkwell.log
#                  nginx-error.log nginx-access.log
#   inkwell.conf   the inkwelld/inkwellctl configuration
#   backup/        pgbackrest.conf, repo/, log/, lock/ (stack_backup_enable)
#   stack.state    the ports of the last start (HTTP_PORT=, PG_PORT=,
#                  REDIS_PORT=), for stack_status
#   redis.conf
#
# Already running? stack_start always stops whatever a previous run started
# from the same $VAR (found through the pidfiles) and starts it again, so
# that configuration changes (ports, workers, a rebuilt binary) always take
# effect. Data in PostgreSQL is kept unless STACK_FRESH_DB=1.
#
# Knobs (environment):
#   INKWELL_HTTP_PORT, INKWELL_PG_PORT, INKWELL_REDIS_PORT   ports
#   STACK_WORKERS      inkwelld workers (default 2)
#   STACK_FRESH_DB=1   drop and re-create the "inkwell" database on start
#   STACK_FAST_PG=1    fsync=off, full_page_writes=off: a crash of the
#                      machine may lose acknowledged writes or corrupt the
#                      cluster (script/bench only; t/0007 checks)
#   STACK_ASYNC_COMMIT=1  synchronous_commit=off: acknowledged writes may be
#                      lost in a PostgreSQL crash (script/bench only)

STACK_PGBIN=${STACK_PGBIN:-/usr/lib/postgresql/15/bin}

# Variables that only these scripts and the tests read. inkwelld and
# inkwellctl treat INKWELL_<SECTION>_<KEY> as configuration, so they are
# removed from the environment of both binaries.
STACK_PRIVATE_ENV=(
	INKWELL_HTTP_PORT INKWELL_PG_PORT INKWELL_REDIS_PORT INKWELL_VAR
	INKWELL_HTTPS_PORT
	INKWELL_BUILD INKWELL_SRC INKWELL_CONFIGURE_FLAGS
	INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_SOCKET INKWELL_TEST_PG
	INKWELL_TEST_REDIS INKWELL_TEST_REDIS_PASSWORD_FILE INKWELL_TEST_CONF
	INKWELL_TEST_PIDFILE
	INKWELL_NODE_MODULES
	INKWELL_BACKUP_CONF INKWELL_BACKUP_PGBIN INKWELL_BACKUP_INKWELLCTL
	INKWELL_BACKUP_INKWELL_STOP INKWELL_BACKUP_INKWELL_START
)

stack_say() { printf '==> %s\n' "$*" >&2; }
stack_warn() { printf 'stack: warning: %s\n' "$*" >&2; }
stack_die() {
	printf 'stack: error: %s\n' "$*" >&2
	exit 1
}

# Prints the last lines of a log file to stderr, to explain a failure.
_stack_tail() {
	[[ -s $1 ]] || return 0
	printf -- '---- last lines of %s ----\n' "$1" >&2
	tail -n "${2:-20}" "$1" >&2 || true
	printf -- '----\n' >&2
}

# stack_init VAR HTTP_PORT PG_PORT REDIS_PORT (ports are defaults; the
# INKWELL_*_PORT variables win).
stack_init() {
	local repo
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	STACK_REPO=${STACK_REPO:-$repo}
	STACK_BUILD=${STACK_BUILD:-${INKWELL_BUILD:-$STACK_REPO/build}}
	STACK_VAR=$1
	STACK_HTTP_PORT=${INKWELL_HTTP_PORT:-$2}
	STACK_PG_PORT=${INKWELL_PG_PORT:-$3}
	STACK_REDIS_PORT=${INKWELL_REDIS_PORT:-$4}
	STACK_WORKERS=${STACK_WORKERS:-2}

	# Directories we create must be reachable by the postgres user.
	umask 022

	case $STACK_VAR in
	/*) ;;
	*) STACK_VAR=$PWD/$STACK_VAR ;;
	esac
	# The paths end up in sed replacements, libpq conninfo strings, INI
	# values and PostgreSQL settings: keep them boring.
	local p
	for p in "$STACK_VAR" "$STACK_REPO" "$STACK_BUILD"; do
		[[ $p =~ ^[A-Za-z0-9._/+@,:-]+$ ]] ||
			stack_die "the path '$p' contains spaces or special characters; use a path made of letters, digits and . _ / + @ , : - (set INKWELL_VAR for the stack directory)"
	done
	local port var
	for var in STACK_HTTP_PORT STACK_PG_PORT STACK_REDIS_PORT; do
		port=${!var}
		if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
			stack_die "invalid port '$port' (${var/STACK_/INKWELL_})"
		fi
	done
	[[ $STACK_WORKERS =~ ^[1-9][0-9]*$ ]] ||
		stack_die "STACK_WORKERS must be a positive number, not '$STACK_WORKERS'"

	STACK_RUN=$STACK_VAR/run
	STACK_LOG=$STACK_VAR/log
	STACK_CONF=$STACK_VAR/inkwell.conf
	STACK_SOCKET=$STACK_RUN/inkwell.sock
	STACK_REDIS_SOCKET=$STACK_RUN/redis.sock
	STACK_INKWELL_PIDFILE=$STACK_RUN/inkwelld.pid
	STACK_HOLDER_PIDFILE=$STACK_RUN/sockhold.pid
	STACK_REDIS_PIDFILE=$STACK_RUN/redis.pid
	STACK_REDIS_PASSWORD_FILE=$STACK_VAR/redis-password
	STACK_NGINX_PIDFILE=$STACK_RUN/nginx.pid
	STACK_PGDATA=$STACK_VAR/pg
	STACK_PG_CONNINFO="host=$STACK_RUN port=$STACK_PG_PORT dbname=inkwell user=postgres"
	STACK_URL=http://127.0.0.1:$STACK_HTTP_PORT
	STACK_INKWELLD_PID=
	# HTTPS, when turned on (stack_https_on): 8080 -> 8443, 8081 -> 8444.
	STACK_HTTPS_PORT=${INKWELL_HTTPS_PORT:-$((STACK_HTTP_PORT + 363))}
	if ! [[ $STACK_HTTPS_PORT =~ ^[0-9]+$ ]] || ((STACK_HTTPS_PORT > 65535)); then
		stack_die "invalid port '$STACK_HTTPS_PORT' (INKWELL_HTTPS_PORT)"
	fi
}

# ---------------------------------------------------------------------------
# helpers

# _stack_alive PID: the process exists and is not a zombie.
_stack_alive() {
	local pid=$1 state
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $state != Z ]]
}

# _stack_is PID NAME: PID is alive and is the program NAME (so a pidfile
# whose PID was reused by some other process is never acted upon).
_stack_is() {
	local pid=$1 name=$2 comm exe arg0
	_stack_alive "$pid" || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || comm=
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || exe=
	exe=${exe% (deleted)}
	arg0=
	IFS= read -r -d '' arg0 <"/proc/$pid/cmdline" 2>/dev/null || true
	arg0=${arg0%% *}
	[[ $comm == "$name" || ${exe##*/} == "$name" || ${arg0##*/} == "$name" ||
		${arg0##*/} == "$name:" ]]
}

# _stack_pidfile_pid FILE NAME: prints the PID recorded in FILE if that
# process is alive and is NAME; removes FILE when it is stale.
_stack_pidfile_pid() {
	local file=$1 name=$2 pid
	[[ -f $file ]] || return 1
	pid=$(head -n 1 "$file" 2>/dev/null | tr -dc '0-9') || pid=
	if [[ -n $pid ]] && _stack_is "$pid" "$name"; then
		printf '%s\n' "$pid"
		return 0
	fi
	rm -f "$file"
	return 1
}

# _stack_wait TRIES DELAY COMMAND...: runs COMMAND until it succeeds, at most
# TRIES times, sleeping DELAY seconds in between. Never loops forever.
_stack_wait() {
	local tries=$1 delay=$2 i
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep "$delay"
	done
	return 1
}

_stack_gone() { ! _stack_alive "$1"; }

# _stack_kill_wait PID NAME SIGNAL SECONDS: sends SIGNAL, waits for the
# process to exit; on timeout sends SIGKILL (and says so).
_stack_kill_wait() {
	local pid=$1 name=$2 sig=$3 secs=$4
	kill "-$sig" "$pid" 2>/dev/null || true
	if ! _stack_wait $((secs * 10)) 0.1 _stack_gone "$pid"; then
		stack_warn "$name (pid $pid) did not exit ${secs}s after SIG$sig; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		_stack_wait 50 0.1 _stack_gone "$pid" ||
			stack_die "$name (pid $pid) survived SIGKILL"
	fi
}

# _stack_port_busy PORT: something listens on TCP PORT (any address).
_stack_port_busy() {
	local out
	out=$(ss -Hltn "( sport = :$1 )" 2>/dev/null) || return 1
	[[ -n $out ]]
}

# _stack_as_pg CMD...: runs CMD as the postgres user (PostgreSQL refuses to
# run as root). When not root, runs CMD as the current user.
_stack_as_pg() {
	if ((EUID == 0)); then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# _stack_chown_pg PATH...: hands PATH to the postgres user (when root).
_stack_chown_pg() {
	if ((EUID == 0)); then
		chown postgres:postgres "$@"
	fi
}

# _stack_clean_env CMD...: runs CMD without the variables that are only for
# these scripts (see STACK_PRIVATE_ENV). _stack_env_cmd sets the array
# STACK_ENV_CMD to the same thing, for use after setsid.
_stack_env_cmd() {
	local v
	STACK_ENV_CMD=(env)
	for v in "${STACK_PRIVATE_ENV[@]}"; do
		STACK_ENV_CMD+=(-u "$v")
	done
}
_stack_clean_env() {
	_stack_env_cmd
	"${STACK_ENV_CMD[@]}" "$@"
}

_stack_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			stack_die "'$c' not found: run script/bootstrap (as root) first"
	done
}

# ---------------------------------------------------------------------------
# preflight

stack_preflight() {
	_stack_need ss runuser setsid redis-server redis-cli nginx curl
	[[ -x $STACK_PGBIN/initdb && -x $STACK_PGBIN/pg_ctl ]] ||
		stack_die "PostgreSQL 15 not found in $STACK_PGBIN: run script/bootstrap (as root) first"
	local b
	for b in inkwelld inkwellctl inkwell-image; do
		[[ -x $STACK_BUILD/$b ]] ||
			stack_die "$STACK_BUILD/$b not found: run script/bootstrap (or make) first"
	done
	[[ -f $STACK_REPO/nginx/inkwell.conf ]] ||
		stack_die "$STACK_REPO/nginx/inkwell.conf is missing"
	[[ -d $STACK_REPO/static ]] || stack_die "$STACK_REPO/static is missing"

	# Unix socket paths are limited to 107 bytes.
	local longest="$STACK_RUN/.s.PGSQL.$STACK_PG_PORT.lock"
	((${#longest} <= 107)) ||
		stack_die "the stack directory $STACK_VAR is too deep for Unix sockets ($longest is over 107 bytes); set INKWELL_VAR to a shorter directory"

	# Ports: after stack_stop, anything still listening is not ours.
	local var port v
	for var in HTTP PG REDIS; do
		v=STACK_${var}_PORT
		port=${!v}
		if _stack_port_busy "$port"; then
			stack_die "port $port is already in use ($(ss -Hltnp "( sport = :$port )" 2>/dev/null | head -n 1 | tr -s ' ')); pick another one with INKWELL_${var}_PORT=<port>"
		fi
	done
	[[ $STACK_HTTP_PORT != "$STACK_PG_PORT" && $STACK_HTTP_PORT != "$STACK_REDIS_PORT" &&
		$STACK_PG_PORT != "$STACK_REDIS_PORT" ]] ||
		stack_die "INKWELL_HTTP_PORT, INKWELL_PG_PORT and INKWELL_REDIS_PORT must differ"
}

# Directories; the postgres user must be able to reach $VAR.
stack_dirs() {
	mkdir -p "$STACK_VAR" "$STACK_RUN" "$STACK_LOG" "$STACK_VAR/redis" \
		"$STACK_VAR/nginx/tmp"
	chmod 0755 "$STACK_VAR" "$STACK_LOG"
	if ((EUID == 0)); then
		id -u postgres >/dev/null 2>&1 || {
			stack_say "creating the system user 'postgres'"
			useradd --system --user-group --home-dir /var/lib/postgresql \
				--no-create-home --shell /bin/bash postgres
		}
		if ! runuser -u postgres -- test -x "$STACK_VAR"; then
			local hint
			hint=$(namei -m "$STACK_VAR" 2>/dev/null | sed 's/^/    /') || hint=
			stack_die "PostgreSQL runs as the 'postgres' user, and that user cannot reach
  $STACK_VAR
because a parent directory is not searchable by other users (typically a
home directory with mode 700). Permissions along the path:
$hint
Fix it in one of these ways:
  - clone inkwell somewhere world-searchable (e.g. /srv/inkwell or /opt/inkwell),
  - allow traversal:  chmod o+x <each directory above without x for others>,
  - or put the stack elsewhere:  INKWELL_VAR=/var/tmp/inkwell $0"
		fi
		chown root:postgres "$STACK_RUN"
		chmod 0775 "$STACK_RUN"
	fi
}

# ---------------------------------------------------------------------------
# PostgreSQL

_stack_pg_running() {
	[[ -f $STACK_PGDATA/PG_VERSION ]] || return 1
	_stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$STACK_PGDATA" status >/dev/null 2>&1
}

stack_pg_start() {
	local log=$STACK_LOG/postgresql.log
	if [[ ! -f $STACK_PGDATA/PG_VERSION ]]; then
		# initdb into a temporary directory and rename it, so an
		# interrupted initdb never leaves a half-made cluster behind.
		local tmp=$STACK_PGDATA.initdb
		rm -rf "$tmp"
		mkdir -p "$tmp"
		_stack_chown_pg "$tmp"
		chmod 0700 "$tmp"
		stack_say "initdb $STACK_PGDATA"
		if ! _stack_as_pg "$STACK_PGBIN/initdb" -D "$tmp" -U postgres \
			-E UTF8 --locale=C.UTF-8 -A trust --no-sync \
			>"$STACK_LOG/initdb.log" 2>&1; then
			_stack_tail "$STACK_LOG/initdb.log"
			stack_die "initdb failed (full log: $STACK_LOG/initdb.log)"
		fi
		mv "$tmp" "$STACK_PGDATA"
		# Development and tests only: trust on the socket and loopback.
		cat >"$STACK_PGDATA/pg_hba.conf" <<-'EOF'
			# inkwell dev/test stack: trust, loopback and local socket only.
			local all         all                trust
			host  all         all  127.0.0.1/32  trust
			host  all         all  ::1/128       trust
			local replication all                trust
			host  replication all  127.0.0.1/32  trust
		EOF
		printf "\ninclude_if_exists = 'inkwell-stack.conf'\n" \
			>>"$STACK_PGDATA/postgresql.conf"
		_stack_chown_pg "$STACK_PGDATA/pg_hba.conf"
	fi

	local fast=on sync=on
	if [[ ${STACK_FAST_PG:-0} == 1 ]]; then
		fast=off
	fi
	# A write the API acknowledged must survive a crash of PostgreSQL:
	# only the benchmark trades that away, and says so.
	if [[ ${STACK_ASYNC_COMMIT:-0} == 1 ]]; then
		sync=off
	fi
	cat >"$STACK_PGDATA/inkwell-stack.conf" <<-EOF
		# Written by script/lib/stack.sh on every start; edits are lost.
		listen_addresses = '127.0.0.1'
		port = $STACK_PG_PORT
		unix_socket_directories = '$STACK_RUN'
		unix_socket_permissions = 0777
		max_connections = 100
		synchronous_commit = $sync
		fsync = $fast
		full_page_writes = $fast
		timezone = 'UTC'
		log_timezone = 'UTC'
		log_line_prefix = '%m [%p] %q%u@%d '
		log_min_duration_statement = 1000
	EOF
	_stack_chown_pg "$STACK_PGDATA/inkwell-stack.conf"

	touch "$log"
	_stack_chown_pg "$log"
	stack_say "PostgreSQL on 127.0.0.1:$STACK_PG_PORT and $STACK_RUN"
	if ! _stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$STACK_PGDATA" -l "$log" \
		-w -t 60 start >/dev/null; then
		_stack_tail "$log"
		stack_die "PostgreSQL did not start (log: $log)"
	fi

	local psql=("$STACK_PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$STACK_RUN"
		-p "$STACK_PG_PORT" -U postgres -d postgres)
	_stack_wait 50 0.2 "${psql[@]}" -tAc 'SELECT 1' >/dev/null 2>&1 ||
		stack_die "PostgreSQL started but does not answer on $STACK_RUN port $STACK_PG_PORT (log: $log)"
	if [[ ${STACK_FRESH_DB:-0} == 1 ]]; then
		PGOPTIONS='-c client_min_messages=warning' \
			"${psql[@]}" -c 'DROP DATABASE IF EXISTS inkwell WITH (FORCE)' >/dev/null
	fi
	if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'inkwell'") ]]; then
		stack_say "creating database inkwell"
		"${psql[@]}" -c 'CREATE DATABASE inkwell' >/dev/null
	fi
}

stack_pg_stop() {
	if _stack_pg_running; then
		stack_say "stopping PostgreSQL ($STACK_PGDATA)"
		_stack_as_pg "$STACK_PGBIN/pg_ctl" -D "$STACK_PGDATA" -m fast -w -t 60 \
			stop >/dev/null ||
			stack_die "pg_ctl stop failed (log: $STACK_LOG/postgresql.log)"
	fi
}

# ---------------------------------------------------------------------------
# Redis

# Redis wants a password, as a production one should: nobody who can
# reach it may write pages readers are served. It is made once, kept in
# redis-password (mode 0600), and inkwell reads it with password_file.
stack_redis_start() {
	local conf=$STACK_VAR/redis.conf log=$STACK_LOG/redis.log pid
	[[ -s $STACK_REDIS_PASSWORD_FILE ]] ||
		(umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' >"$STACK_REDIS_PASSWORD_FILE")
	(umask 077 && cat >"$conf") <<-EOF
		# Written by script/lib/stack.sh on every start; edits are lost.
		bind 127.0.0.1
		port $STACK_REDIS_PORT
		protected-mode yes
		requirepass $(cat "$STACK_REDIS_PASSWORD_FILE")
		unixsocket $STACK_REDIS_SOCKET
		unixsocketperm 770
		daemonize no
		supervised no
		dir $STACK_VAR/redis
		logfile ""
		loglevel notice
		# a cache only: no persistence at all
		save ""
		appendonly no
		maxmemory 64mb
		maxmemory-policy allkeys-lru
	EOF
	rm -f "$STACK_REDIS_SOCKET"
	stack_say "Redis on 127.0.0.1:$STACK_REDIS_PORT and $STACK_REDIS_SOCKET"
	# setsid: its own session, so a Ctrl-C in the terminal reaches only the
	# script (whose trap stops the stack in order), not the daemons.
	setsid redis-server "$conf" >>"$log" 2>&1 </dev/null &
	pid=$!
	printf '%s\n' "$pid" >"$STACK_REDIS_PIDFILE"
	if ! _stack_wait 100 0.1 _stack_redis_ping; then
		_stack_tail "$log"
		stack_die "Redis did not start (log: $log)"
	fi
}

_stack_redis_ping() {
	[[ $(stack_redis_cli ping 2>/dev/null) == PONG ]]
}

# stack_redis_cli ARGS...: redis-cli on the stack's Redis, with its password.
stack_redis_cli() {
	REDISCLI_AUTH=$(cat "$STACK_REDIS_PASSWORD_FILE") redis-cli -s "$STACK_REDIS_SOCKET" "$@"
}

stack_redis_stop() {
	local pid
	if pid=$(_stack_pidfile_pid "$STACK_REDIS_PIDFILE" redis-server); then
		stack_say "stopping Redis (pid $pid)"
		_stack_kill_wait "$pid" redis-server TERM 15
	fi
	rm -f "$STACK_REDIS_PIDFILE" "$STACK_REDIS_SOCKET"
}

# ---------------------------------------------------------------------------
# inkwelld

stack_inkwell_config() {
	cat >"$STACK_CONF" <<-EOF
		; Written by script/lib/stack.sh on every start; edits are lost.
		; inkwell dev/test stack under $STACK_VAR

		[server]
		; The socket comes from script/lib/sockhold, as from systemd.
		listen = systemd
		workers = $STACK_WORKERS
		shutdown_timeout = 10
		base_url = $STACK_URL
		image_helper = $STACK_BUILD/inkwell-image

		[database]
		primary = $STACK_PG_CONNINFO
		replica =
		statement_timeout = 5000
		connect_timeout = 3

		[redis]
		address = unix:$STACK_REDIS_SOCKET
		password_file = $STACK_REDIS_PASSWORD_FILE
		timeout = 100

		[paths]
		templates = $STACK_REPO/templates
		static = $STACK_REPO/static
		pages = $STACK_RUN/pages
		; nginx's page-file hits, counted in /metrics
		page_hits = $STACK_RUN/hits.sock
		; the last complete rendering, served while PostgreSQL is
		; down; a small site renders in well under a second, so it
		; follows changes closely here
		stale = $STACK_VAR/stale
		stale_settle = 1
		stale_every = 5

		[log]
		level = info
	EOF
}

stack_inkwell_migrate() {
	local log=$STACK_LOG/migrate.log out
	if ! out=$(_stack_clean_env "$STACK_BUILD/inkwellctl" -c "$STACK_CONF" \
		check-config 2>&1 </dev/null); then
		printf '%s\n' "$out" >&2
		stack_die "inkwellctl -c $STACK_CONF check-config rejected the generated configuration"
	fi
	stack_say "inkwellctl migrate"
	if ! _stack_clean_env "$STACK_BUILD/inkwellctl" -c "$STACK_CONF" migrate \
		>>"$log" 2>&1 </dev/null; then
		_stack_tail "$log"
		stack_die "inkwellctl -c $STACK_CONF migrate failed (log: $log)"
	fi
}

# inkwelld runs under script/lib/sockhold, which holds the listening
# socket as systemd's inkwell.socket does: it passes it to inkwelld
# (socket activation, "listen = systemd") and keeps it open while
# inkwelld restarts, so connections wait in the backlog, never refused.
# sockhold.pid is the holder's PID, inkwelld.pid the supervisor's (the
# holder writes it, anew at each restart).

# _stack_is_holder PID: PID is a live script/lib/sockhold.
_stack_is_holder() {
	local arg
	_stack_alive "$1" || return 1
	arg=$(tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | sed -n 2p) || return 1
	[[ ${arg##*/} == sockhold ]]
}

_stack_holder_pid() {
	local pid
	[[ -f $STACK_HOLDER_PIDFILE ]] || return 1
	pid=$(head -n 1 "$STACK_HOLDER_PIDFILE" 2>/dev/null | tr -dc '0-9') || pid=
	if [[ -n $pid ]] && _stack_is_holder "$pid"; then
		printf '%s\n' "$pid"
		return 0
	fi
	rm -f "$STACK_HOLDER_PIDFILE"
	return 1
}

# _stack_inkwell_up: 0 when inkwelld runs on the held socket, 2 when the
# holder is gone (inkwelld exited), 1 when not yet.
_stack_inkwell_up() {
	_stack_alive "$STACK_INKWELLD_PID" || return 2
	[[ -S $STACK_SOCKET ]] || return 1
	_stack_inkwelld_pid >/dev/null
}

# _stack_inkwelld_pid: the PID in inkwelld.pid when it is a live inkwelld
# (the file is left alone: the holder rewrites it at each restart).
_stack_inkwelld_pid() {
	local pid
	pid=$(head -n 1 "$STACK_INKWELL_PIDFILE" 2>/dev/null | tr -dc '0-9') || pid=
	[[ -n $pid ]] && _stack_is "$pid" inkwelld && printf '%s\n' "$pid"
}

# nginx reports each page-file hit to inkwelld as one unix datagram
# (nginx/inkwell.conf, "Page-file hits"). The kernel queues 10 of them by
# default, which a loaded nginx overflows, dropping hits and logging a
# warning for each; systemd sets 512 at boot on every machine it runs,
# the package's home. Without systemd (a container, this machine), do
# what it would, as root; otherwise inkwelld's log says what to do.
_stack_dgram_qlen() {
	local f=/proc/sys/net/unix/max_dgram_qlen q
	q=$(cat "$f" 2>/dev/null) || return 0
	((q < 512)) || return 0
	if ((EUID == 0)) && printf '512\n' >"$f" 2>/dev/null; then
		stack_say "raised net.unix.max_dgram_qlen from $q to 512, as systemd does at boot"
	fi
	return 0
}

stack_inkwell_start() {
	local log=$STACK_LOG/inkwell.log rc i
	rm -f "$STACK_SOCKET" "$STACK_INKWELL_PIDFILE"
	stack_say "inkwelld ($STACK_WORKERS workers) on $STACK_SOCKET"
	_stack_dgram_qlen
	_stack_env_cmd
	# setsid: its own session, see stack_redis_start. Neither setsid (a
	# background child is never a process group leader without job control)
	# nor env forks, so $! is the PID of the holder itself.
	setsid "${STACK_ENV_CMD[@]}" python3 "$STACK_REPO/script/lib/sockhold" \
		--socket "$STACK_SOCKET" --mode 0666 --pidfile "$STACK_INKWELL_PIDFILE" \
		-- "$STACK_BUILD/inkwelld" -c "$STACK_CONF" >>"$log" 2>&1 </dev/null &
	STACK_INKWELLD_PID=$!
	printf '%s\n' "$STACK_INKWELLD_PID" >"$STACK_HOLDER_PIDFILE"
	for ((rc = 1, i = 0; i < 100; i++)); do
		rc=0
		_stack_inkwell_up || rc=$?
		((rc == 1)) || break
		sleep 0.1
	done
	if ((rc != 0)); then
		_stack_tail "$log"
		if ((rc == 2)); then
			stack_die "inkwelld exited right after start (log: $log)"
		fi
		stack_die "inkwelld did not start on $STACK_SOCKET within 10s (log: $log)"
	fi
}

# stack_inkwell_restart: a new inkwelld (a rebuilt binary, a regenerated
# configuration) in place of the running one, as "systemctl restart
# inkwell" does: the old one finishes its requests and exits, the new one
# starts, and the socket stays open throughout.  Returns once the new
# inkwelld has its workers.
stack_inkwell_restart() {
	local holder old new i log=$STACK_LOG/inkwell.log
	holder=$(_stack_holder_pid) ||
		stack_die "inkwelld is not running under script/lib/sockhold in $STACK_VAR (start the stack first)"
	old=$(_stack_inkwelld_pid) || old=
	if ! _stack_clean_env "$STACK_BUILD/inkwelld" -t -c "$STACK_CONF" >/dev/null 2>"$STACK_LOG/restart-check.log"; then
		cat "$STACK_LOG/restart-check.log" >&2
		stack_die "inkwelld -t rejects $STACK_CONF; the running inkwelld is left alone"
	fi
	stack_say "restarting inkwelld (pid ${old:-none}); $STACK_SOCKET stays open"
	kill -USR1 "$holder"
	# The old one drains (shutdown_timeout, 10 s) before the new one starts.
	for ((i = 0; i < 200; i++)); do
		new=$(_stack_inkwelld_pid) || new=
		if [[ -n $new && $new != "$old" ]] &&
			(($(pgrep -c -x -P "$new" inkwelld 2>/dev/null || echo 0) >= STACK_WORKERS)); then
			stack_say "inkwelld restarted (pid $new)"
			return 0
		fi
		_stack_alive "$holder" || break
		sleep 0.1
	done
	_stack_tail "$log"
	stack_die "inkwelld did not come back within 20s (log: $log)"
}

stack_inkwell_stop() {
	local pid kids
	# The holder stops inkwelld (SIGTERM: requests in flight finish) and
	# then closes the socket.
	if pid=$(_stack_holder_pid); then
		stack_say "stopping inkwelld (socket holder pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		_stack_wait 350 0.1 _stack_gone "$pid" ||
			stack_warn "the socket holder (pid $pid) did not exit 35s after SIGTERM"
	fi
	# An inkwelld left without its holder (or by an older stack.sh).
	if pid=$(_stack_pidfile_pid "$STACK_INKWELL_PIDFILE" inkwelld); then
		stack_say "stopping inkwelld (pid $pid)"
		kill -TERM "$pid" 2>/dev/null || true
		# shutdown_timeout is 10s in the generated config.
		if ! _stack_wait 150 0.1 _stack_gone "$pid"; then
			kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ') || kids=
			stack_warn "inkwelld (pid $pid) did not exit 15s after SIGTERM; sending SIGKILL to it and its workers ${kids}"
			# shellcheck disable=SC2086
			kill -KILL "$pid" $kids 2>/dev/null || true
			_stack_wait 50 0.1 _stack_gone "$pid" ||
				stack_die "inkwelld (pid $pid) survived SIGKILL"
		fi
	fi
	rm -f "$STACK_INKWELL_PIDFILE" "$STACK_HOLDER_PIDFILE"
}

# ---------------------------------------------------------------------------
# nginx

stack_nginx_config() {
	local dir=$STACK_VAR/nginx user=
	if ((EUID == 0)); then
		user="user root;  # dev stack only: the clone may not be readable by nobody"
	fi
	cat >"$dir/nginx.conf" <<-EOF
		# Written by script/lib/stack.sh on every start; edits are lost.
		$user
		worker_processes 2;
		daemon on;
		pid $STACK_NGINX_PIDFILE;
		error_log $STACK_LOG/nginx-error.log warn;

		events {
		    worker_connections 1024;
		}

		http {
		    include /etc/nginx/mime.types;
		    default_type application/octet-stream;
		    sendfile on;
		    access_log $STACK_LOG/nginx-access.log;

		    client_body_temp_path $dir/tmp/body;
		    fastcgi_temp_path     $dir/tmp/fastcgi;
		    proxy_temp_path       $dir/tmp/proxy;
		    scgi_temp_path        $dir/tmp/scgi;
		    uwsgi_temp_path       $dir/tmp/uwsgi;

		    include $dir/site.conf;
		}
	EOF

	# The site: the package's nginx/inkwell.conf with the package paths
	# replaced (see the comment at the top of that file).
	sed -e "s#^\([[:space:]]*\)listen[[:space:]]\{1,\}80;#\1listen 127.0.0.1:$STACK_HTTP_PORT;#" \
		-e '/^[[:space:]]*listen[[:space:]]\{1,\}\[::\]:80;/d' \
		-e "s#/run/inkwell/inkwell\.sock#$STACK_SOCKET#g" \
		-e "s#/run/inkwell/pages#$STACK_RUN/pages#g" \
		-e "s#/run/inkwell/hits/hits\.sock#$STACK_RUN/hits.sock#g" \
		-e "s#/usr/share/inkwell/static#$STACK_REPO/static#g" \
		-e "s#/var/lib/inkwell/acme#$STACK_VAR/acme#g" \
		-e "s#/etc/inkwell/nginx/#$dir/#g" \
		-e "s#/var/log/nginx/access\.log#$STACK_LOG/nginx-access.log#g" \
		"$STACK_REPO/nginx/inkwell.conf" >"$dir/site.conf"
	if ! grep -q "^[[:space:]]*listen 127\.0\.0\.1:$STACK_HTTP_PORT;" "$dir/site.conf" ||
		grep -Eq '^[^#]*(/run/inkwell/|/usr/share/inkwell/|/var/lib/inkwell/|/etc/inkwell/|listen[[:space:]]+(\[::\]:)?80;)' "$dir/site.conf"; then
		stack_die "could not turn nginx/inkwell.conf into $dir/site.conf: it no longer has 'listen 80;', /run/inkwell/inkwell.sock, /run/inkwell/pages, /run/inkwell/hits/hits.sock, /usr/share/inkwell/static, /var/lib/inkwell/acme and /etc/inkwell/nginx/ where stack.sh expects them"
	fi

	if ! nginx -t -q -e "$STACK_LOG/nginx-error.log" -p "$dir/" -c "$dir/nginx.conf" \
		>"$STACK_LOG/nginx-test.log" 2>&1; then
		cat "$STACK_LOG/nginx-test.log" >&2
		stack_die "nginx -t rejected $dir/nginx.conf (site: $dir/site.conf)"
	fi
}

_stack_nginx_up() {
	local pid
	pid=$(_stack_pidfile_pid "$STACK_NGINX_PIDFILE" nginx) || return 1
	_stack_port_busy "$STACK_HTTP_PORT"
}

stack_nginx_start() {
	local dir=$STACK_VAR/nginx
	stack_nginx_config
	stack_say "nginx on $STACK_URL/"
	rm -f "$STACK_NGINX_PIDFILE"
	# "daemon on": nginx forks, writes its pidfile and returns. setsid keeps
	# it away from the terminal like the other daemons.
	# shellcheck disable=SC2094 # nginx appends to its own log, so do we
	if ! setsid nginx -e "$STACK_LOG/nginx-error.log" -p "$dir/" -c "$dir/nginx.conf" \
		</dev/null >>"$STACK_LOG/nginx-error.log" 2>&1; then
		_stack_tail "$STACK_LOG/nginx-error.log"
		stack_die "nginx did not start (log: $STACK_LOG/nginx-error.log)"
	fi
	if ! _stack_wait 50 0.1 _stack_nginx_up; then
		_stack_tail "$STACK_LOG/nginx-error.log"
		stack_die "nginx is not listening on 127.0.0.1:$STACK_HTTP_PORT (log: $STACK_LOG/nginx-error.log)"
	fi
}

stack_nginx_stop() {
	local pid
	if pid=$(_stack_pidfile_pid "$STACK_NGINX_PIDFILE" nginx); then
		stack_say "stopping nginx (pid $pid)"
		# SIGQUIT: graceful shutdown (finish the requests in flight).
		_stack_kill_wait "$pid" nginx QUIT 15
	fi
	rm -f "$STACK_NGINX_PIDFILE"
}

# ---------------------------------------------------------------------------
# the whole stack

_stack_healthy() {
	[[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$STACK_URL/healthz" 2>/dev/null) == 200 ]]
}

# The ports this start uses, for a later "status" that is run without the
# INKWELL_*_PORT variables the start had.
_stack_state_write() {
	printf 'HTTP_PORT=%s\nPG_PORT=%s\nREDIS_PORT=%s\n' "$STACK_HTTP_PORT" \
		"$STACK_PG_PORT" "$STACK_REDIS_PORT" >"$STACK_VAR/stack.state.tmp"
	mv "$STACK_VAR/stack.state.tmp" "$STACK_VAR/stack.state"
}

# Takes the ports from stack.state when there is one (read as data, never
# sourced); what stack_init chose stays otherwise.
_stack_state_read() {
	local key val
	[[ -r $STACK_VAR/stack.state ]] || return 0
	while IFS='=' read -r key val; do
		[[ $val =~ ^[0-9]{1,5}$ ]] || continue
		case $key in
		HTTP_PORT) STACK_HTTP_PORT=$val ;;
		PG_PORT) STACK_PG_PORT=$val ;;
		REDIS_PORT) STACK_REDIS_PORT=$val ;;
		esac
	done <"$STACK_VAR/stack.state"
	STACK_PG_CONNINFO="host=$STACK_RUN port=$STACK_PG_PORT dbname=inkwell user=postgres"
	STACK_URL=http://127.0.0.1:$STACK_HTTP_PORT
}

stack_start() {
	# Whatever a previous run left behind in this $VAR goes first.
	stack_stop
	stack_preflight
	stack_dirs
	_stack_state_write
	stack_pg_start
	stack_redis_start
	# Every start is HTTP only: HTTPS comes back with stack_https_on (a
	# new pebble issues under a new root, so an old certificate is useless).
	rm -f "$STACK_VAR/nginx/https.conf" "$STACK_VAR/conf.d/50-https.conf"
	stack_inkwell_config
	stack_inkwell_migrate
	stack_inkwell_start
	stack_nginx_start
	if ! _stack_wait 50 0.2 _stack_healthy; then
		_stack_tail "$STACK_LOG/inkwell.log"
		_stack_tail "$STACK_LOG/nginx-error.log"
		stack_die "the stack is up but $STACK_URL/healthz does not answer 200 (logs: $STACK_LOG/)"
	fi
	stack_say "stack is up: $STACK_URL/ (logs: $STACK_LOG/)"
}

# ---------------------------------------------------------------------------
# HTTPS: src/ctl/inkwell-https run on this stack, against a private ACME CA
# (script/lib/acme.sh: pebble on loopback).

# The environment under which inkwell-https works on this stack's files
# and processes instead of the system's.
stack_https_env() {
	export INKWELL_HTTPS_CONF_DIR=$STACK_VAR
	export INKWELL_HTTPS_WEBROOT=$STACK_VAR/acme
	export INKWELL_HTTPS_TLS_SNIPPET=$STACK_REPO/nginx/inkwell-tls.conf
	export INKWELL_HTTPS_CERTBOT_DIR=$STACK_VAR/letsencrypt
	export INKWELL_HTTPS_LISTEN=127.0.0.1:$STACK_HTTPS_PORT
	export INKWELL_HTTPS_PORT=$STACK_HTTPS_PORT
	export INKWELL_HTTPS_HTTP_PORT=$STACK_HTTP_PORT
	export INKWELL_HTTPS_NGINX_TEST="nginx -t -q -e $STACK_LOG/nginx-error.log -p $STACK_VAR/nginx/ -c $STACK_VAR/nginx/nginx.conf"
	export INKWELL_HTTPS_NGINX_RELOAD="kill -HUP \$(cat $STACK_NGINX_PIDFILE)"
	export INKWELL_HTTPS_INKWELL_RELOAD="kill -HUP \$(cat $STACK_INKWELL_PIDFILE)"
}

# stack_https_on DOMAIN: pebble (script/lib/acme.sh) under var/acme-ca,
# then inkwell-https for DOMAIN, which must resolve to 127.0.0.1 here.
# Exports ACME_ROOT, the root a client checks the blog's chain with.
stack_https_on() {
	local domain=$1
	# shellcheck source=script/lib/acme.sh
	. "$STACK_REPO/script/lib/acme.sh"
	mkdir -p "$STACK_VAR/acme"
	# A new pebble is a new CA: what an earlier one issued is no use.
	rm -rf "$STACK_VAR/letsencrypt"
	acme_start "$STACK_VAR/acme-ca" "$STACK_HTTP_PORT"
	stack_https_env
	REQUESTS_CA_BUNDLE=$ACME_API_CA CURL_CA_BUNDLE=$ACME_ROOT \
		"$STACK_REPO/src/ctl/inkwell-https" --domain "$domain" \
		--email admin@example.org --acme-directory "$ACME_DIRECTORY"
}

# ---------------------------------------------------------------------------
# Backups: src/ctl/inkwell-backup on this stack's cluster, with the
# pgBackRest configuration and repository under $STACK_VAR/backup.

# _stack_self CMD: a command line that runs the stack function CMD on this
# stack from a new shell (inkwell-backup restore stops and starts inkwelld
# with it). The paths are plain (stack_init checks), so no quoting is
# needed beyond the outer single quotes.
_stack_self() {
	printf "INKWELL_HTTP_PORT=%s INKWELL_PG_PORT=%s INKWELL_REDIS_PORT=%s STACK_WORKERS=%s STACK_BUILD=%s STACK_REPO=%s bash -c 'set -euo pipefail; . %s/script/lib/stack.sh; stack_init %s %s %s %s; %s'" \
		"$STACK_HTTP_PORT" "$STACK_PG_PORT" "$STACK_REDIS_PORT" "$STACK_WORKERS" \
		"$STACK_BUILD" "$STACK_REPO" "$STACK_REPO" "$STACK_VAR" "$STACK_HTTP_PORT" \
		"$STACK_PG_PORT" "$STACK_REDIS_PORT" "$1"
}

# stack_backup ARGS...: inkwell-backup ARGS for this stack.
stack_backup() {
	_stack_env_cmd
	INKWELL_BACKUP_CONF=$STACK_VAR/backup/pgbackrest.conf \
		INKWELL_BACKUP_PGBIN=$STACK_PGBIN \
		INKWELL_BACKUP_INKWELLCTL="${STACK_ENV_CMD[*]} $STACK_BUILD/inkwellctl -c $STACK_CONF" \
		INKWELL_BACKUP_INKWELL_STOP="$(_stack_self stack_inkwell_stop)" \
		INKWELL_BACKUP_INKWELL_START="$(_stack_self stack_inkwell_start)" \
		"$STACK_REPO/src/ctl/inkwell-backup" "$@"
}

# stack_backup_enable [ARGS...]: WAL archiving and a first full backup of
# this stack's cluster, into $STACK_VAR/backup/repo (no timers: run
# "stack_backup run diff" when a newer backup is wanted).
stack_backup_enable() {
	_stack_need pgbackrest
	mkdir -p "$STACK_VAR/backup"
	_stack_chown_pg "$STACK_VAR/backup"
	stack_backup enable --repo "$STACK_VAR/backup/repo" \
		--pgdata "$STACK_PGDATA" --pgport "$STACK_PG_PORT" \
		--pgsocket "$STACK_RUN" --pguser postgres \
		--pglog "$STACK_LOG/postgresql.log" \
		--log-path "$STACK_VAR/backup/log" --lock-path "$STACK_VAR/backup/lock" \
		--no-timers "$@"
}

stack_stop() {
	[[ -d $STACK_VAR ]] || return 0
	if [[ -f $STACK_VAR/acme-ca/pebble.pid ]]; then
		# shellcheck source=script/lib/acme.sh
		. "$STACK_REPO/script/lib/acme.sh"
		acme_stop "$STACK_VAR/acme-ca"
	fi
	stack_nginx_stop
	stack_inkwell_stop
	stack_redis_stop
	stack_pg_stop
}

stack_status() {
	local pid
	_stack_state_read
	if pid=$(_stack_pidfile_pid "$STACK_NGINX_PIDFILE" nginx); then
		echo "nginx      running (pid $pid) $STACK_URL/"
	else echo "nginx      stopped"; fi
	if pid=$(_stack_pidfile_pid "$STACK_INKWELL_PIDFILE" inkwelld); then
		echo "inkwelld   running (pid $pid) $STACK_SOCKET"
	else echo "inkwelld   stopped"; fi
	if pid=$(_stack_holder_pid); then
		echo "sockhold   running (pid $pid) holds $STACK_SOCKET"
	fi
	if pid=$(_stack_pidfile_pid "$STACK_REDIS_PIDFILE" redis-server); then
		echo "redis      running (pid $pid) 127.0.0.1:$STACK_REDIS_PORT"
	else echo "redis      stopped"; fi
	if _stack_pg_running; then
		echo "postgresql running (pid $(head -n 1 "$STACK_PGDATA/postmaster.pid")) 127.0.0.1:$STACK_PG_PORT"
	else echo "postgresql stopped"; fi
}
