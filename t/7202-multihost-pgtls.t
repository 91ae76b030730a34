#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 7202-multihost-pgtls: inkwell talks to PostgreSQL over TLS and checks
# whom it talks to, in the many-machines lab (script/lib/multihost.sh:
# each machine a network namespace on a private switch; a CA made for
# the lab signs pgb's, db1's and db2's certificates, each naming its host
# as HOST.inkwell.test and by address). App host 1 connects to pgbouncer
# on pgb with a key=value string (sslmode=verify-full, checked by name,
# hostaddr= for the address) and to the replica on db2 with a
# postgresql:// URI (checked by address).
#   - the sessions are TLS: pgbouncer's SHOW CLIENTS shows TLS on each of
#     app1's connections, the replica's pg_stat_ssl on each of app1's
#     sessions, the primary's on the replica's WAL stream and on
#     pgbouncer's connections;
#   - the servers take no plain text from the network: pgbouncer and the
#     replica turn away a client with sslmode=disable;
#   - a CA file that is not there stops inkwellctl check-config, naming
#     the file and line;
#   - inkwell refuses a server it cannot check: app1's inkwelld restarted
#     with pgbouncer's name wrong (db2's name for pgb's address), then
#     with another CA, answers /readyz 503 and logs libpq's reason for the
#     primary; with another CA for the replica it logs the replica's
#     failure and serves pages from the primary; put back, /readyz is 200.
# No balancer and one app host: t/7201 runs the whole lab, over the same
# TLS, under load. The lab is under $INKWELL_TEST_VAR/multihost-7202; its
# processes, namespaces and files are removed at the end whatever happens
# (logs kept in $INKWELL_TEST_VAR/log/7202/ on failure).
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_TEST_VAR INKWELL_BUILD
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
((EUID == 0)) || skip_all "needs root (network namespaces)"
for c in ip nginx redis-server redis-cli pgbouncer curl flock runuser setsid openssl; do
	command -v "$c" >/dev/null || skip_all "$c missing"
done
[[ -x /usr/lib/postgresql/15/bin/pg_basebackup ]] ||
	skip_all "PostgreSQL 15 not in /usr/lib/postgresql/15/bin"
[[ -x $INKWELL_BUILD/inkwelld && -x $INKWELL_BUILD/inkwellctl ]] ||
	skip_all "inkwelld and inkwellctl not built in $INKWELL_BUILD"

# shellcheck source=script/lib/stack.sh
. "$src/script/lib/stack.sh"
# shellcheck source=script/lib/multihost.sh
. "$src/script/lib/multihost.sh"
MH_REPO=$src
DIR=$INKWELL_TEST_VAR/multihost-7202
KEPT_LOGS=$INKWELL_TEST_VAR/log/7202
mh_init "$DIR"
mh_lock || skip_all "another multi-host lab holds $MH_LOCKFILE"
if ! ip netns add "$MH_PREFIX-probe" 2>/dev/null; then
	skip_all "cannot make network namespaces here"
fi
ip netns del "$MH_PREFIX-probe"
sockpath=$DIR/db2/run/.s.PGSQL.$MH_PG_PORT.lock
((${#sockpath} <= 107)) || skip_all "$DIR is too deep for Unix sockets"

TMP=$(mktemp -d /tmp/inkwell-7202.XXXXXX)
cleanup() {
	mh_down || diag "stopping the lab: $(mh_why 5)"
	if ((TAP_FAILED)) && [[ -d $DIR ]]; then
		mkdir -p "$KEPT_LOGS" && (cd "$DIR" &&
			find . \( -name '*.log' -o -name '*.ini' -o -name inkwell.conf \
				-o -name 'inkwell-lab.conf' -o -name pg_hba.conf \) \
				-exec cp --parents {} "$KEPT_LOGS/" \;) 2>/dev/null
		diag "the lab's logs and configuration: $KEPT_LOGS/"
	fi
	rm -rf "$DIR" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

give_up() {
	if ((TAP_LAST)); then
		diag "$(mh_why 20)"
		done_testing
	fi
}

mh_sweep
rm -rf "$DIR" "$KEPT_LOGS"

# --- the machines ---------------------------------------------------------

ok "hosts on a switch (namespaces $MH_PREFIX-*, $MH_NET.0/24)" mh_net_up
give_up
ok "a CA for the lab; PostgreSQL primary (TLS) on db1, pgbouncer (TLS) on pgb in front, a replica (TLS) on db2 streaming from it" mh_db_start
give_up
ok "Redis on ${MH_ADDR[redis]}:$MH_REDIS_PORT" mh_redis_start
give_up
ok "inkwellctl migrate on app1, through pgbouncer, over TLS" mh_migrate
give_up
ok "app1: inkwelld and nginx, /readyz answers 200 at ${MH_ADDR[app1]}" mh_app_start 1
give_up

A1=${MH_ADDR[app1]}
APP=$DIR/app1
CA=$APP/tls/db-ca.crt
q() { "$@" >"$TMP/out" 2>&1 </dev/null; }
shown() { diag "$(cat "$TMP/out")"; }
# status PATH: the status of GET http://app1/PATH from the client host.
status() {
	mh_in client curl -s -o "$TMP/body" --max-time 15 -w '%{http_code}' \
		"http://$A1$1" 2>/dev/null || true
}
readyz_is() { [[ $(status /readyz) == "$1" ]]; }

# Reads from the replica: pages made from PostgreSQL (a query key the
# page does not know is never cached), by each worker in turn.
for i in 1 2 3 4 5 6; do
	status "/?utm_source=7202-$i" >/dev/null
done

# --- every session is TLS -------------------------------------------------

# The replica: each of app1's inkwell sessions (the URI), by pg_stat_ssl.
replica_ssl=$(mh_replica_psql -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE s.ssl),
	coalesce(string_agg(DISTINCT s.version, ','), '-')
	FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
	WHERE a.application_name = 'inkwell' AND host(a.client_addr) = '$A1'")
note "the replica's sessions from app1 (all, TLS, versions): $replica_ssl"
read -r n_all n_tls versions <<<"$replica_ssl"
ok "app1 reads from the replica ($n_all sessions)" test "${n_all:-0}" -gt 0
is "${n_tls:-x}" "${n_all:-y}" "pg_stat_ssl on the replica: every one of app1's sessions is TLS ($versions)"

# pgbouncer: each of app1's client connections (the key=value string).
q mh_bouncer_show CLIENTS
if_fail shown
bouncer_tls=$(awk -F'|' -v a="$A1" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["user"] == "inkwell" && $col["addr"] == a {
		n++; if ($col["tls"] != "") { t++; v = $col["tls"] }
	}
	END { printf "%d %d %s\n", n, t, v == "" ? "-" : v }' "$TMP/out")
note "pgbouncer's clients from app1 (all, TLS, one's TLS): $bouncer_tls"
read -r b_all b_tls b_version <<<"$bouncer_tls"
ok "app1 writes through pgbouncer ($b_all client connections)" test "${b_all:-0}" -gt 0
is "${b_tls:-x}" "${b_all:-y}" "pgbouncer's SHOW CLIENTS: every one of app1's connections is TLS ($b_version)"

# The primary: the replica's WAL stream.
stream_ssl=$(mh_psql -d postgres -c "SELECT s.ssl FROM pg_stat_replication r
	JOIN pg_stat_ssl s USING (pid) WHERE host(r.client_addr) = '${MH_ADDR[db2]}'")
is "$stream_ssl" t "pg_stat_ssl on the primary: the replica's WAL stream is TLS"
# pgbouncer's connections to the primary, across the network since it
# has a host of its own.
bouncer_ssl=$(mh_psql -d postgres -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE s.ssl)
	FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
	WHERE host(a.client_addr) = '${MH_ADDR[pgb]}'")
read -r p_all p_tls <<<"$bouncer_ssl"
ok "pgbouncer on pgb has connections to the primary ($p_all)" test "${p_all:-0}" -gt 0
is "${p_tls:-x}" "${p_all:-y}" "pg_stat_ssl on the primary: every one of pgbouncer's connections is TLS"

# --- and nothing else is taken ---------------------------------------------

plain() {
	mh_in app1 env PGPASSWORD="$MH_DB_PASSWORD" PGCONNECT_TIMEOUT=5 "$STACK_PGBIN/psql" \
		-X -q -t -A -c 'SELECT 1' \
		"host=$1 port=$2 dbname=inkwell user=inkwell sslmode=disable" >"$TMP/out" 2>&1 </dev/null
}
plain "${MH_ADDR[db2]}" "$MH_PG_PORT"
is "$?" 2 "the replica refuses app1 in plain text (sslmode=disable)"
like "$(cat "$TMP/out")" 'no encryption' "  (no pg_hba.conf entry ... no encryption)"
plain "${MH_ADDR[pgb]}" "$MH_BOUNCER_PORT"
is "$?" 2 "pgbouncer refuses app1 in plain text (sslmode=disable)"
like "$(cat "$TMP/out")" 'SSL required' "  (SSL required)"

# --- a CA file that is not there --------------------------------------------

cp "$APP/secrets/primary" "$TMP/primary.good"
cp "$APP/secrets/replica" "$TMP/replica.good"
mh_primary_conninfo "$APP/tls/missing-ca.crt" >"$APP/secrets/primary"
mh_ctl check-config >"$TMP/out" 2>&1 </dev/null
is "$?" 1 "inkwellctl check-config: exit 1 with sslrootcert naming no file"
like "$(cat "$TMP/out")" "app1/inkwell\\.conf:[0-9]+: \\[database\\] primary: sslrootcert \"[^\"]*/missing-ca\\.crt\": cannot read it: No such file or directory" \
	"  it names the setting's file and line, the CA file and why"
unlike "$(cat "$TMP/out")" "$MH_DB_PASSWORD" "  and not the password"
cp "$TMP/primary.good" "$APP/secrets/primary"
ok "inkwellctl check-config accepts the lab's strings" q mh_ctl check-config
if_fail shown

# --- servers inkwell cannot check -------------------------------------------

ok "another CA, which signed neither database host" mh_tls_ca "$DIR/other-ca" "not the lab's CA"
cp "$DIR/other-ca/ca.crt" "$APP/tls/other-ca.crt"

# restart_with PRIMARY REPLICA: app1's inkwelld with these strings;
# from= the first line of its log that is new.
restart_with() {
	printf '%s\n' "$1" >"$APP/secrets/primary"
	printf '%s\n' "$2" >"$APP/secrets/replica"
	from=$(($(wc -l <"$APP/log/inkwell.log") + 1))
	mh_inkwelld_restart 1
}
# logged TEXT...: a line of app1's log since the restart has every TEXT.
logged() {
	local lines t
	lines=$(tail -n "+$from" "$APP/log/inkwell.log")
	for t in "$@"; do
		lines=$(grep -F -- "$t" <<<"$lines") || return 1
	done
}
good_primary=$(cat "$TMP/primary.good")
good_replica=$(cat "$TMP/replica.good")

ok "app1 restarted: pgbouncer (pgb's address) expected as db2.$MH_DOMAIN, a name its certificate lacks" \
	restart_with "$(mh_primary_conninfo "$CA" "db2.$MH_DOMAIN")" "$good_replica"
ok "  /readyz answers 503" wait_for 10 readyz_is 503
ok "  inkwelld logs why: the name does not match" wait_for 5 logged \
	'database connection failed (primary)' 'does not match host name' "db2.$MH_DOMAIN"
if_fail diag "$(tail -n "+$from" "$APP/log/inkwell.log" | tail -n 5)"

ok "app1 restarted: pgbouncer checked against another CA" \
	restart_with "$(mh_primary_conninfo "$APP/tls/other-ca.crt")" "$good_replica"
ok "  /readyz answers 503" wait_for 10 readyz_is 503
ok "  inkwelld logs why: the certificate does not verify" wait_for 5 logged \
	'database connection failed (primary)' 'certificate verify failed'
if_fail diag "$(tail -n "+$from" "$APP/log/inkwell.log" | tail -n 5)"

ok "app1 restarted: the replica checked against another CA" \
	restart_with "$good_primary" "$(mh_replica_conninfo "$APP/tls/other-ca.crt")"
ok "  /readyz answers 200 (the primary is fine)" wait_for 10 readyz_is 200
is "$(status "/?utm_source=7202-other-ca")" 200 "  a page made from PostgreSQL: 200, read from the primary"
ok "  inkwelld logs why it did not read from the replica" wait_for 5 logged \
	'database connection failed (replica)' 'certificate verify failed'
if_fail diag "$(tail -n "+$from" "$APP/log/inkwell.log" | tail -n 5)"

ok "app1 restarted with the lab's strings again" restart_with "$good_primary" "$good_replica"
ok "  /readyz answers 200" wait_for 10 readyz_is 200
no_failure() { ! logged 'database connection failed'; }
for i in 1 2 3 4; do
	status "/?utm_source=7202-back-$i" >/dev/null
done
ok "  and no connection failed" no_failure

done_testing
