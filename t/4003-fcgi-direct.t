#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 4003-fcgi-direct: inkwelld driven over FastCGI with no nginx in between:
# request limits end to end, SIGTERM with a request in flight, TCP and
# systemd-activated sockets, and SIGHUP reloads good and bad.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src}
inkwelld=$build/inkwelld
client=$src/t/lib/fcgi_client.py
[[ -x $inkwelld ]] || skip_all "inkwelld not built at $inkwelld"
command -v python3 >/dev/null || skip_all "python3 missing"

tmp=$(mktemp -d /tmp/inkwell-4003.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# A database that exists when the stack runs, and a dead one otherwise.
db=${INKWELL_TEST_PG:-"host=$tmp dbname=none connect_timeout=1"}

write_conf() { # file listen workers [extra lines]
	cat >"$1" <<-CONF
	[server]
	listen = $2
	workers = $3
	socket_mode = 0600
	shutdown_timeout = 10
	[database]
	primary = $db
	[paths]
	templates = ${TEMPLATES:-$src/templates}
	[log]
	level = info
	${4:-}
	CONF
}

start() { # conf log -> sets $pid
	"$inkwelld" -c "$1" 2>>"$2" &
	pid=$!
	pids+=("$pid")
}

wait_for() { # command... : up to 5 s
	local i
	for ((i = 0; i < 50; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

req() { python3 "$client" "$@"; }
status_of() { req "$@" | sed -n 's/^Status: \([0-9]*\).*/\1/p' | head -n 1; }
kids() { pgrep -x -P "$1" inkwelld | sort | tr '\n' ' '; }

sock=$tmp/s.sock
write_conf "$tmp/a.conf" "unix:$sock" 2
start "$tmp/a.conf" "$tmp/a.log"
main=$pid
ok "inkwelld starts on a unix socket" wait_for req "unix:$sock" GET /livez
is "$(stat -c %a "$sock")" 600 "socket has the configured mode"
is "$(status_of "unix:$sock" GET /healthz)" 200 "/healthz 200"
# An unknown path may be an old address with a redirect: with the
# database, 404; without it (make check), 503, as nobody can tell.
if [[ -n ${INKWELL_TEST_PG:-} ]]; then
	is "$(status_of "unix:$sock" GET /nope)" 404 "unknown path 404"
else
	is "$(status_of "unix:$sock" GET /nope)" 503 "unknown path, no database: 503"
fi
is "$(status_of "unix:$sock" DELETE /healthz)" 405 "wrong method 405"
is "$(status_of "unix:$sock" GET "/$(head -c 9000 /dev/zero | tr '\0' a)")" 414 \
	"9000-byte URI: 414"
is "$(status_of "unix:$sock" GET / -H "HTTP_X_BIG=$(head -c 9000 /dev/zero | tr '\0' b)")" 431 \
	"9000-byte header: 431"
is "$(status_of "unix:$sock" POST / --body-size 8388609)" 413 \
	"body one byte over max_body: 413"
is "$(status_of "unix:$sock" POST /healthz --body-size 8388608)" 405 \
	"body exactly max_body is read (then 405 for the method)"
# On a unix socket a worker closes as soon as it has answered a request
# it read whole; it does not wait for the client to close first (as
# libfcgi's own close does, for up to 2 s).
# Five times over: the end of the request's stdin may come after the
# worker has read the rest, as this client sends it separately.
closes() {
	local i
	for ((i = 0; i < 5; i++)); do
		req "$@" --closed-within 1 >/dev/null || return 1
	done
}
ok "unix socket: the worker closes after its answer, at once" \
	closes "unix:$sock" GET /livez
is "$(status_of "unix:$sock" GET '/%zz')" 400 "bad escape in path: 400"
is "$(status_of "unix:$sock" GET '/?a=%')" 400 "bad escape in query: 400"
is "$(status_of "unix:$sock" BREW /)" 405 "unknown method: 405"
body=$(req "unix:$sock" GET '/api/v1/<script>' | sed '1,/^\r$/d')
like "$body" '"code":"not_found"' "API 404 is JSON with a stable code"
unlike "$body" '<script>' "the hostile path is not echoed"
body=$(req "unix:$sock" GET '/"><script>alert(1)</script>')
unlike "$body" '<script>alert' "HTML 404 page does not echo the path"
grep -q '"status":414' "$tmp/a.log"
ok "refused requests are logged with their status" test $? -eq 0
ok "every log line is JSON" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$tmp/a.log"

# Start-up refuses a socket another server answers on.
"$inkwelld" -c "$tmp/a.conf" 2>"$tmp/dup.log"
is "$?" 1 "a second inkwelld on the same socket exits 1"
like "$(cat "$tmp/dup.log")" "another server is listening" "and says why"

# SIGHUP with a broken configuration keeps the running one.
before=$(kids "$main")
cp "$tmp/a.conf" "$tmp/a.good"
printf '[server]\nworkers = lots\n' >>"$tmp/a.conf"
kill -HUP "$main"
ok "reload error is logged with file and line" \
	wait_for grep -q "a.conf:$(wc -l <"$tmp/a.conf"): workers = ..lots" "$tmp/a.log"
is "$(kids "$main")" "$before" "bad reload keeps the same workers"
is "$(status_of "unix:$sock" GET /healthz)" 200 "and keeps serving"

# SIGHUP with a good configuration replaces every worker.
cp "$tmp/a.good" "$tmp/a.conf"
sed -i 's/^workers = 2/workers = 3/' "$tmp/a.conf"
kill -HUP "$main"
ok "reload completes" wait_for grep -q '"reload complete"' "$tmp/a.log"
after=$(kids "$main")
is "$(wc -w <<<"$after")" 3 "worker count follows the new configuration"
common=$(comm -12 <(tr ' ' '\n' <<<"$before" | sed '/^$/d') <(tr ' ' '\n' <<<"$after" | sed '/^$/d'))
is "$common" "" "no old worker survives the reload"

# A worker killed outright is replaced.
victim=$(pgrep -x -P "$main" inkwelld | head -n 1)
kill -KILL "$victim"
nkids_is() { test "$(pgrep -x -P "$1" inkwelld | wc -l)" -eq "$2"; }
# Until the supervisor reaps it, the victim is a zombie that pgrep still
# counts: wait for it to be gone as well as for the count.
replaced() { nkids_is "$main" 3 && [[ " $(kids "$main")" != *" $victim "* ]]; }
ok "killed worker is replaced" wait_for replaced
unlike "$(kids "$main")" "(^| )$victim( |$)" "with a new process"

# SIGTERM lets the request in flight finish: half a body is sent, the
# supervisor is signalled, the rest arrives a second later.
out=$(req "unix:$sock" POST /healthz -b "$(head -c 4000 /dev/zero | tr '\0' d)" \
	--stall 1 --signal "$main:SIGTERM")
is "$?" 0 "request in flight during SIGTERM completes"
like "$out" '^Status: 405' "with its real response"
wait "$main"
is "$?" 0 "inkwelld exits 0 after SIGTERM"
ok "and removes nothing it should not (log says stopped)" grep -q '"stopped"' "$tmp/a.log"

# TCP listener.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Its base_url is https, as behind a load balancer that ends TLS: nginx
# on the app host sends no HTTPS=on, yet cookies must be Secure.
write_conf "$tmp/t.conf" "127.0.0.1:$port" 1 "[server]
base_url = https://blog.example"
start "$tmp/t.conf" "$tmp/t.log"
ok "inkwelld listens on TCP 127.0.0.1:$port" wait_for req "127.0.0.1:$port" GET /livez
is "$(status_of "127.0.0.1:$port" GET /healthz)" 200 "/healthz over TCP"
like "$(req "127.0.0.1:$port" GET /admin/login | tr -d '\r' | grep -i '^Set-Cookie: inkwell_login=')" \
	'; HttpOnly; SameSite=Strict; Secure$' \
	"base_url https: the sign-in cookie is Secure without HTTPS=on"
kill -TERM "$pid"; wait "$pid"
is "$?" 0 "TCP instance stops cleanly"

# Socket handed over by systemd (LISTEN_FDS), as the package's unit does.
if command -v systemd-socket-activate >/dev/null; then
	write_conf "$tmp/s.conf" systemd 1
	systemd-socket-activate -l "$tmp/act.sock" "$inkwelld" -c "$tmp/s.conf" \
		2>>"$tmp/s.log" &
	pid=$!
	pids+=("$pid")
	ok "socket-activated inkwelld answers" wait_for req "unix:$tmp/act.sock" GET /livez
	is "$(status_of "unix:$tmp/act.sock" GET /healthz)" 200 "/healthz via systemd socket"
	kill -TERM "$pid"; wait "$pid"
	is "$?" 0 "socket-activated instance stops cleanly"
else
	pass "# SKIP systemd-socket-activate not installed"
fi

# listen = systemd without a socket is a clear start-up error.
LISTEN_FDS='' "$inkwelld" -c "$tmp/s.conf" 2>"$tmp/nosock.log"
is "$?" 1 "listen = systemd without a socket exits 1"
like "$(cat "$tmp/nosock.log")" "systemd passed 0 sockets" "and says why"

# A template that does not compile stops start-up with file and line.
cp -r "$src/templates" "$tmp/theme"
printf '{{#posts}}\nunclosed\n' >>"$tmp/theme/list.html.mustache"
TEMPLATES=$tmp/theme write_conf "$tmp/theme.conf" "unix:$tmp/theme.sock" 1
"$inkwelld" -t -c "$tmp/theme.conf" 2>"$tmp/theme.log"
is "$?" 1 "inkwelld -t refuses a theme with an unclosed section"
like "$(cat "$tmp/theme.log")" "list\.html\.mustache:[0-9]+:" "naming the file and line"
"$inkwelld" -c "$tmp/theme.conf" 2>"$tmp/theme2.log"
is "$?" 1 "and inkwelld will not start with it"
ok "no socket is left behind" test ! -S "$tmp/theme.sock"

# A reload onto a broken theme keeps the workers that have the good one.
cp -r "$src/templates" "$tmp/theme2"
TEMPLATES=$tmp/theme2 write_conf "$tmp/r.conf" "unix:$tmp/r.sock" 1
start "$tmp/r.conf" "$tmp/r.log"
ok "inkwelld with a copy of the theme starts" wait_for req "unix:$tmp/r.sock" GET /livez
before=$(kids "$pid")
printf '{{/nope}}\n' >>"$tmp/theme2/post.html.mustache"
kill -HUP "$pid"
ok "the failed reload is logged" wait_for grep -q 'reload failed' "$tmp/r.log"
is "$(kids "$pid")" "$before" "the old worker keeps serving"
is "$(status_of "unix:$tmp/r.sock" GET /livez)" 200 "and answers"
kill -TERM "$pid"; wait "$pid"

# Configuration errors stop start-up with file and line.
printf '[server]\nworkers = 0\n' >"$tmp/bad.conf"
"$inkwelld" -t -c "$tmp/bad.conf" 2>"$tmp/bad.log"
is "$?" 1 "inkwelld -t refuses a bad file"
like "$(cat "$tmp/bad.log")" "bad.conf:2: workers = \"0\": out of range" "naming file and line"
"$build/inkwellctl" -c "$tmp/bad.conf" check-config >/dev/null 2>"$tmp/bad2.log"
is "$?" 1 "inkwellctl check-config refuses it too"
like "$(cat "$tmp/bad2.log")" "bad.conf:2:" "with the same location"

done_testing
