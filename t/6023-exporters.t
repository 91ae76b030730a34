#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6023-exporters: Debian's PostgreSQL, Redis and nginx exporters, with the
# settings src/ctl/inkwell-exporters writes (into a directory of this
# test's instead of /etc/default, starting no service), run against the
# test stack on loopback; a real Prometheus scrapes them every second and
# its HTTP API must say pg_up, redis_up and nginx_up are 1, and see
# nginx's request counter grow with page-file traffic no worker sees.
# The switch itself: idempotent, it makes the monitoring role (pg_monitor),
# keeps Redis's password from other users, refuses bad input, and
# "disable" puts back what the package had.
#
# Ports: INKWELL_EXPORTERS_TEST_PORT_BASE (19280): Prometheus on it, the
# exporters on the three after it.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/prom.sh
. "$here/lib/prom.sh"
need_env INKWELL_TEST_URL INKWELL_TEST_VAR INKWELL_TEST_PG INKWELL_TEST_REDIS_PASSWORD_FILE INKWELL_SRC
URL=${INKWELL_TEST_URL%/}
SWITCH=$INKWELL_SRC/src/ctl/inkwell-exporters
BASE=${INKWELL_EXPORTERS_TEST_PORT_BASE:-19280}
PROM_PORT=$BASE
TMP=$(mktemp -d /tmp/inkwell-6023.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in prometheus prometheus-postgres-exporter prometheus-redis-exporter \
	prometheus-nginx-exporter psql curl python3; do
	command -v "$tool" >/dev/null ||
		skip_all "$tool is not installed (script/bootstrap installs it)"
done
for p in postgres redis nginx; do
	[[ $(dpkg-query -W -f='${Status}' "prometheus-$p-exporter" 2>/dev/null) == "install ok installed" ]] ||
		skip_all "prometheus-$p-exporter is not installed as a package (script/bootstrap installs it)"
done

# The stack's PostgreSQL: its socket directory and port.
conninfo() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" <<<"$INKWELL_TEST_PG"; }
PG_HOST=$(conninfo host)
PG_PORT=$(conninfo port)
hostport=${URL#*://}
hostport=${hostport%%/*}
REDIS_PORT=$(awk '$1 == "port" { print $2 }' "$INKWELL_TEST_VAR/redis.conf" 2>/dev/null)
[[ -n $PG_HOST && -n $PG_PORT && -n $REDIS_PORT ]] ||
	skip_all "cannot read the stack's PostgreSQL ($INKWELL_TEST_PG) or Redis port"

psql_su() { psql -X -h "$PG_HOST" -p "$PG_PORT" -U postgres "$@"; }
export INKWELL_EXPORTERS_DEFAULT_DIR=$TMP/default
export INKWELL_EXPORTERS_SYSTEMCTL=none
export INKWELL_EXPORTERS_PSQL="psql -h $PG_HOST -p $PG_PORT -U postgres"
export INKWELL_EXPORTERS_PORTS="$((BASE + 1)) $((BASE + 2)) $((BASE + 3))"
mkdir -p "$INKWELL_EXPORTERS_DEFAULT_DIR"
D=$INKWELL_EXPORTERS_DEFAULT_DIR
# What the package ships, to be kept aside and put back.
printf '# the package'"'"'s own\nARGS=""\n' >"$D/prometheus-nginx-exporter"
cp "$D/prometheus-nginx-exporter" "$TMP/nginx.orig"

# A role left by an earlier run would hide whether the switch makes it.
drop_role() {
	psql_su -d inkwell -q -c "DO \$\$ BEGIN
		IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'inkwell_6023') THEN
			REVOKE ALL ON DATABASE inkwell FROM inkwell_6023;
			DROP ROLE inkwell_6023;
		END IF; END \$\$" >/dev/null
}
drop_role
enable() {
	"$SWITCH" enable --pg-host "$PG_HOST" --pg-port "$PG_PORT" --pg-role inkwell_6023 \
		--redis "127.0.0.1:$REDIS_PORT" --redis-password-file "$INKWELL_TEST_REDIS_PASSWORD_FILE" \
		--nginx-status "http://$hostport/stub_status"
}

# --- the switch ------------------------------------------------------------------
out=$(enable 2>&1)
ok "inkwell-exporters enable configures all three" test $? -eq 0
if_fail diag "$out"
for p in postgres redis nginx; do
	like "$out" "$p: wrote $D/prometheus-$p-exporter" "it says it wrote $p's settings"
done
like "$out" "no systemd here" "and that it started nothing (no systemd asked for)"
is "$(psql_su -d inkwell -Atc "SELECT pg_has_role('inkwell_6023', 'pg_monitor', 'MEMBER')
	AND has_database_privilege('inkwell_6023', 'inkwell', 'CONNECT')")" t \
	"it made the monitoring role, a member of pg_monitor that may connect"
like "$(cat "$D/prometheus-postgres-exporter")" \
	"DATA_SOURCE_NAME='user=inkwell_6023 host=$PG_HOST port=$PG_PORT dbname=inkwell sslmode=disable'" \
	"postgres: the DSN names the role and the inkwell database"
is "$(stat -c %a "$D/prometheus-redis-exporter")" "$(
	getent group prometheus >/dev/null && echo 640 || echo 600)" \
	"redis: the file with the password is not for everyone"
like "$(cat "$D/prometheus-nginx-exporter")" "-nginx.scrape-uri=http://$hostport/stub_status" \
	"nginx: it scrapes the site's stub_status"
is "$(cat "$D/prometheus-nginx-exporter.inkwell-orig")" "$(cat "$TMP/nginx.orig")" \
	"the package's own file is kept aside"
cp -a "$D" "$TMP/first"
out=$(enable 2>&1)
ok "enable again succeeds" test $? -eq 0
is "$(grep -c ': .* unchanged$' <<<"$out")" 3 "and changes nothing (all three unchanged)"
ok "the files are byte for byte the same" diff -r "$TMP/first" "$D"
"$SWITCH" enable --redis 'x; rm -rf /' >"$TMP/bad" 2>&1
is "$?" 2 "a Redis address that is no HOST:PORT is refused (exit 2)"
"$SWITCH" enable --database "inkwell' x" >"$TMP/bad" 2>&1
is "$?" 2 "so is a database name with a quote"
"$SWITCH" enable mysql >"$TMP/bad" 2>&1
is "$?" 2 "and an exporter it does not know"
like "$(cat "$TMP/bad")" "unknown argument 'mysql'" "saying which"
ok "--help says what it does" bash -c '"$1" --help | grep -q "inkwell-exporters enable"' _ "$SWITCH"

# --- the exporters, scraped by Prometheus -------------------------------------------
# run NAME: the exporter as its systemd unit would start it (the settings
# are its environment, ARGS its arguments).
run() {
	(
		set -a
		# shellcheck source=/dev/null # written above
		. "$D/prometheus-$1-exporter"
		set +a
		# shellcheck disable=SC2086 # ARGS is a list of arguments
		exec "prometheus-$1-exporter" $ARGS
	) >"$TMP/$1.log" 2>&1 &
	PIDS+=($!)
}
for p in postgres redis nginx; do run "$p"; done
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: postgres
    static_configs:
      - targets: ['127.0.0.1:$((BASE + 1))']
  - job_name: redis
    static_configs:
      - targets: ['127.0.0.1:$((BASE + 2))']
  - job_name: nginx
    static_configs:
      - targets: ['127.0.0.1:$((BASE + 3))']
EOF
promtool check config "$TMP/prometheus.yml" >"$TMP/promtool.log" 2>&1
ok "promtool check config accepts the test's scrape configuration" test $? -eq 0
if_fail diag "$(cat "$TMP/promtool.log")"
prom_start "$TMP/prometheus.yml" "$TMP" "$PROM_PORT"
PIDS+=("$PROM_PID")
# value EXPR: the one sample EXPR gives, else "none", "many" or "error: ...".
value() { prom_query value "$1"; }
equals() { [[ $(value "$1") == "$2" ]]; }
for m in pg_up redis_up nginx_up; do
	ok "Prometheus scrapes $m == 1" wait_for 30 equals "$m" 1
	if_fail diag "$m = '$(value "$m")'; exporter logs: $(tail -n 5 "$TMP"/*.log)"
done
ok "and the exporter's own target is up for each" \
	wait_for 10 equals 'count(up{job=~"postgres|redis|nginx"} == 1)' 3
ok "postgres: it sees the inkwell database" \
	wait_for 10 equals 'count(pg_database_size_bytes{datname="inkwell"})' 1
ok "redis: it sees inkwell's keyspace or clients" \
	wait_for 10 equals 'count(redis_connected_clients > 0)' 1

# nginx's requests counter counts page files, which no worker sees.
nginx_requests() { value 'nginx_http_requests_total'; }
before=$(nginx_requests)
ok "nginx_http_requests_total is there ($before)" test -n "$before"
N=30
for ((i = 0; i < N; i++)); do
	curl -s --max-time 5 -o /dev/null "$URL/"
done
grown() {
	local now
	now=$(nginx_requests)
	[[ -n $now ]] && ((now - before >= N))
}
ok "after $N requests it grew by at least $N" wait_for 15 grown
if_fail diag "before $before, now $(nginx_requests)"

# --- disable ---------------------------------------------------------------------
out=$("$SWITCH" disable 2>&1)
ok "disable succeeds" test $? -eq 0
if_fail diag "$out"
is "$(cat "$D/prometheus-nginx-exporter" 2>&1)" "$(cat "$TMP/nginx.orig")" \
	"nginx: the package's own file is back"
ok "postgres and redis: the written files are gone (the package had none)" \
	test ! -e "$D/prometheus-postgres-exporter" -a ! -e "$D/prometheus-redis-exporter"
out=$("$SWITCH" disable 2>&1)
like "$out" "not written by inkwell-exporters: left as it is" "disable again leaves the package's file alone"
ok "the test's role goes again" drop_role
done_testing
