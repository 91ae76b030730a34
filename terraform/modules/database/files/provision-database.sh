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
# Then on the primary, given the inkwell package (DEB_URL or the staged
# copy, checked against DEB_SHA256): installs it for inkwell-backup
# alone (its web server and units stopped and disabled) and runs
# "inkwell-backup enable" with the module's repository, retention and
# archive_timeout. Without the package, or pgBackRest, or the command,
# it says that backups are NOT on, and does not fail.
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

[ "$role" = primary ] || exit 0

# --- backups --------------------------------------------------------------
no_backups() {
	say "WARNING: backups are NOT enabled: $*" >&2
	exit 0
}
[ -n "$DEB_SHA256" ] || no_backups "no inkwell package was given (the module's inkwell_deb)"
deb=$stage/inkwell.deb
if [ -n "$DEB_URL" ]; then
	say "downloading $DEB_URL"
	curl -fsSL --retry 10 --retry-delay 3 --retry-connrefused --max-time 300 \
		-o "$deb.part" "$DEB_URL" || die "cannot download $DEB_URL"
	mv "$deb.part" "$deb"
fi
[ -f "$deb" ] || die "no package: neither a URL nor a copy in the user data"
printf '%s  %s\n' "$DEB_SHA256" "$deb" | sha256sum -c --quiet - ||
	die "the package's SHA-256 is not $DEB_SHA256: not installing it"
# Its recommendations (Redis, ...) have no place here; PostgreSQL and
# pgBackRest are installed already. Debian's daily apt jobs may hold
# dpkg's lock at first boot: wait for it a while.
cp "$deb" /var/cache/apt/archives/inkwell-provision.deb
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o DPkg::Lock::Timeout=300 /var/cache/apt/archives/inkwell-provision.deb
rm -f /var/cache/apt/archives/inkwell-provision.deb
say "installed $(dpkg-query -W -f='${Package} ${Version}' inkwell) for inkwell-backup"
# The package would also serve the blog here: that is the app hosts' job.
for unit in inkwell.socket inkwell.service nginx; do
	systemctl stop "$unit" >/dev/null 2>&1 || true
	systemctl disable "$unit" >/dev/null 2>&1 || true
done
rm -f /etc/nginx/sites-enabled/inkwell

command -v pgbackrest >/dev/null 2>&1 || no_backups "pgbackrest is not installed"
command -v inkwell-backup >/dev/null 2>&1 ||
	no_backups "this inkwell package has no inkwell-backup"
set -- --repo "$BACKUP_REPO" --stanza inkwell \
	--retention-full "$BACKUP_RETENTION_FULL" \
	--retention-diff "$BACKUP_RETENTION_DIFF" \
	--archive-timeout "$BACKUP_ARCHIVE_TIMEOUT"
where=$BACKUP_REPO
if [ -n "$BACKUP_S3_BUCKET" ]; then
	# The instance profile's credentials (--s3-key-type auto).
	set -- "$@" --s3-bucket "$BACKUP_S3_BUCKET" --s3-region "$BACKUP_S3_REGION" \
		--s3-endpoint "$BACKUP_S3_ENDPOINT" --s3-key-type auto
	where=s3://$BACKUP_S3_BUCKET$BACKUP_REPO
fi
inkwell-backup enable "$@"
say "backups on: stanza inkwell in $where (full on Sundays, differential the other days, WAL every $BACKUP_ARCHIVE_TIMEOUT s at most)"
