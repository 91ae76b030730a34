#!/bin/sh
# SPDX-License-Identifier: MIT
# inkwell-provision-database primary|replica: run once by cloud-init
# (runcmd) on a database machine, after postgresql and pgbouncer are
# installed. Puts the files staged in /etc/inkwell-provision in place,
# then:
#   primary: starts PostgreSQL, makes the roles (inkwell's, replicator)
#            and the database (idempotent: a second run changes nothing
#            but the passwords);
#   replica: copies the primary with pg_basebackup (retrying for
#            WAIT_SECONDS while the primary comes up), which leaves it a
#            standby that streams from the primary;
# and on both starts pgbouncer and checks that it lets inkwell in.
set -eu

role=${1:-}
case $role in
primary | replica) ;;
*)
	echo "usage: inkwell-provision-database primary|replica" >&2
	exit 2
	;;
esac

stage=/etc/inkwell-provision
# shellcheck source=/dev/null # written when the host is provisioned
. "$stage/database.env"

PGV=15
conf=/etc/postgresql/$PGV/main
data=/var/lib/postgresql/$PGV/main
say() { printf 'inkwell-provision-database: %s\n' "$*"; }
die() {
	say "$*" >&2
	exit 1
}
as_postgres() { runuser -u postgres -- "$@"; }
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# wait_for SECONDS WHAT CMD...: CMD every second until it succeeds.
wait_for() {
	limit=$1 what=$2
	shift 2
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt "$limit" ] || die "$what: not after $limit s"
		sleep 1
	done
}

[ -d "$conf" ] || die "no cluster $PGV/main: is postgresql installed?"

install -o postgres -g postgres -m 0644 "$stage/postgresql-inkwell.conf" "$conf/conf.d/inkwell.conf"
install -o postgres -g postgres -m 0640 "$stage/pg_hba.conf" "$conf/pg_hba.conf"

if [ "$role" = primary ]; then
	systemctl enable postgresql
	systemctl restart postgresql@$PGV-main
	wait_for 60 "PostgreSQL on this machine" as_postgres pg_isready -q

	# psql's variables keep the names and passwords out of the SQL text
	# (:'x' quotes a literal, :"x" an identifier).
	psql_admin -v user="$DB_USER" -v db="$DATABASE" \
		-v pw="$(cat "$stage/db-password")" \
		-v rpw="$(cat "$stage/replication-password")" \
		-v timeout="$STATEMENT_TIMEOUT_MS" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \gexec
ALTER ROLE :"user" PASSWORD :'pw';
-- What inkwell asks for in the startup parameter "options", which
-- pgbouncer does not pass on.
ALTER ROLE :"user" SET statement_timeout = :'timeout';
ALTER ROLE :"user" SET plan_cache_mode = 'force_generic_plan';
ALTER ROLE :"user" SET jit = off;
ALTER ROLE :"user" SET max_parallel_workers_per_gather = 0;
SELECT 'CREATE ROLE replicator REPLICATION LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \gexec
ALTER ROLE replicator PASSWORD :'rpw';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
	say "roles $DB_USER and replicator, database $DATABASE: in place"
else
	# The replicator's password for pg_basebackup and, afterwards, for
	# the WAL receiver (both run as postgres and read ~/.pgpass).
	pgpass=/var/lib/postgresql/.pgpass
	printf '*:5432:replication:replicator:%s\n' "$(cat "$stage/replication-password")" >"$pgpass.new"
	chown postgres:postgres "$pgpass.new"
	chmod 0600 "$pgpass.new"
	mv "$pgpass.new" "$pgpass"

	if [ -f "$data/standby.signal" ]; then
		say "already a standby of $PRIMARY_ADDRESS"
		systemctl restart postgresql@$PGV-main
	else
		systemctl stop postgresql@$PGV-main || true
		copy=$data.basebackup
		log=$(mktemp)
		i=0
		while :; do
			rm -rf "$copy"
			if as_postgres pg_basebackup -h "$PRIMARY_ADDRESS" -p 5432 -U replicator \
				-D "$copy" -X stream -R -w -c fast >"$log" 2>&1; then
				break
			fi
			i=$((i + 5))
			if [ "$i" -ge "$WAIT_SECONDS" ]; then
				cat "$log" >&2
				die "pg_basebackup from $PRIMARY_ADDRESS: still failing after $WAIT_SECONDS s"
			fi
			sleep 5
		done
		rm -f "$log"
		rm -rf "$data"
		mv "$copy" "$data"
		chmod 0700 "$data"
		say "copied the primary $PRIMARY_ADDRESS"
		systemctl enable postgresql
		systemctl start postgresql@$PGV-main
	fi
	wait_for 60 "PostgreSQL on this machine" as_postgres pg_isready -q
	[ "$(as_postgres psql -X -Atc 'SELECT pg_is_in_recovery()')" = t ] ||
		die "PostgreSQL here is not in recovery: not a standby"
	say "a standby of $PRIMARY_ADDRESS"
fi

install -o postgres -g postgres -m 0640 "$stage/pgbouncer.ini" /etc/pgbouncer/pgbouncer.ini
install -o postgres -g postgres -m 0640 "$stage/pgbouncer-hba.conf" /etc/pgbouncer/pgbouncer-hba.conf
install -o postgres -g postgres -m 0640 "$stage/pgbouncer-userlist.txt" /etc/pgbouncer/userlist.txt
systemctl enable pgbouncer
systemctl restart pgbouncer
wait_for 30 "pgbouncer on port $PGBOUNCER_PORT" \
	env PGPASSWORD="$(cat "$stage/db-password")" psql -X -h 127.0.0.1 -p "$PGBOUNCER_PORT" \
	-U "$DB_USER" -d "$DATABASE" -Atc 'SELECT 1'
say "pgbouncer lets $DB_USER in to $DATABASE on port $PGBOUNCER_PORT"
