#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6011-compose: deploy/container/compose.yaml, checked without running it
# (no container engine here, and no registry to pull PostgreSQL, Redis or
# nginx from): it parses, everything it names fits together and fits
# inkwell (t/lib/compose_check.py says what), the nginx site it mounts is
# what deploy/container/gen-nginx-conf makes from nginx/inkwell.conf today,
# and nginx -t accepts it (with the inkwell service's name mapped to
# 127.0.0.1). Changed copies of the file must fail the checks, so they are
# known to bite.
# shellcheck disable=SC2016,SC2317 # single-quoted $ are for the shells run; helpers are called through ok
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
ctr=$src/deploy/container
# Debian's Python (python3-yaml), whatever python3 comes first on PATH.
py=/usr/bin/python3
[[ -x $py ]] || skip_all "/usr/bin/python3 missing (script/bootstrap installs it)"
"$py" -c 'import yaml' 2>/dev/null ||
	skip_all "python3-yaml missing (script/bootstrap installs it)"
command -v nginx >/dev/null || skip_all "nginx missing (script/bootstrap installs it)"

tmp=$(mktemp -d /tmp/inkwell-6011.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run_checks FILE: the checker's lines for FILE, as TAP.
run_checks() {
	tap_report 41 < <("$py" "$here/lib/compose_check.py" "$src" "$1")
}

run_checks "$ctr/compose.yaml"

# A broken copy must fail the one check about what was broken.
# mutant NAME CHECK-REGEX PYTHON-EDIT: edits a parsed copy, checks it.
mutant() {
	local name=$1 want=$2 edit=$3 out
	"$py" - "$ctr/compose.yaml" "$tmp/mutant.yaml" "$edit" <<-'PY'
		import sys, yaml
		d = yaml.safe_load(open(sys.argv[1]))
		s = d["services"]
		exec(sys.argv[3])
		yaml.safe_dump(d, open(sys.argv[2], "w"))
	PY
	out=$("$py" "$here/lib/compose_check.py" "$src" "$tmp/mutant.yaml")
	like "$(grep '^FAIL' <<<"$out" | cut -f2)" "$want" "caught: $name"
}
mutant "nginx without the page volume" "nginx has the page files" \
	's["nginx"]["volumes"] = [v for v in s["nginx"]["volumes"] if not v.startswith("pages:")]'
mutant "inkwelld on another port than nginx's upstream" "port 9000 is where inkwelld listens" \
	's["inkwell"]["environment"]["INKWELL_SERVER_LISTEN"] = "0.0.0.0:9001"'
mutant "a misspelt INKWELL_ variable" "INKWELL_\* variable is a key" \
	's["inkwell"]["environment"]["INKWELL_REDIS_ADRESS"] = "redis:6379"'
mutant "a dependency on no service" "depends_on names services" \
	's["inkwell"]["depends_on"]["postgress"] = {"condition": "service_healthy"}'
mutant "an undeclared volume" "declared volume or an existing path" \
	'del d["volumes"]["db"]'
mutant "the image of another version" "image is inkwell:" \
	's["migrate"]["image"] = "inkwell:0.0.9"'
mutant "migrate that does not wait for PostgreSQL" "migrate runs \"inkwellctl migrate --wait" \
	's["migrate"]["command"] = ["inkwellctl", "migrate"]'
mutant "a grace period no longer than the drain" "stop_grace_period outlasts" \
	's["inkwell"]["stop_grace_period"] = "35s"'
mutant "a drain made longer than the grace period" "stop_grace_period outlasts" \
	's["inkwell"]["environment"]["INKWELL_SERVER_SHUTDOWN_TIMEOUT"] = "60"'
mutant "PostgreSQL without the password file" "postgres reads db_password" \
	's["postgres"]["volumes"] = s["postgres"]["volumes"][:1]'

# The site compose mounts is generated: it must match what the generator
# makes from nginx/inkwell.conf now.
if "$ctr/gen-nginx-conf" >"$tmp/site.conf" 2>"$tmp/gen.err"; then
	ok "nginx-inkwell.conf is what gen-nginx-conf makes from nginx/inkwell.conf" \
		cmp -s "$tmp/site.conf" "$ctr/nginx-inkwell.conf"
	if_fail diag "$(diff -u "$ctr/nginx-inkwell.conf" "$tmp/site.conf" | head -n 20)"
else
	fail "gen-nginx-conf runs"
	diag "$(cat "$tmp/gen.err")"
fi
# ... and the generator refuses a site whose socket line it cannot find.
sed 's#unix:/run/inkwell/inkwell.sock#unix:/elsewhere.sock#' "$src/nginx/inkwell.conf" \
	>"$tmp/other.conf"
ok "gen-nginx-conf refuses a site without the socket it replaces" \
	bash -c '! "$1" "$2" >/dev/null 2>&1' _ "$ctr/gen-nginx-conf" "$tmp/other.conf"

# nginx -t, in the shape of the nginx image: the site included in http {}
# after mime.types. The service name is only known on the compose network.
mkdir -p "$tmp/nginx"
sed 's#^\([[:space:]]*server \)inkwell:9000#\1127.0.0.1:9000#' "$ctr/nginx-inkwell.conf" \
	>"$tmp/nginx/site.conf"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events {
    worker_connections 64;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $tmp/nginx/body;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    proxy_temp_path $tmp/nginx/proxy;
    scgi_temp_path $tmp/nginx/scgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    include $tmp/nginx/site.conf;
}
EOF
out=$(nginx -t -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>&1)
rc=$?
ok "nginx -t accepts the container site" test "$rc" -eq 0
if_fail diag "$out"
like "$(grep -c '127.0.0.1:9000' "$tmp/nginx/site.conf")" '^2$' \
	"the site's two upstream servers were the inkwell service"
# The same check sees a broken site (a directive nginx does not know).
printf 'inkwell_nonsense on;\n' >>"$tmp/nginx/site.conf"
ok "nginx -t refuses a broken site" \
	bash -c '! nginx -t -p "$1/" -c "$1/nginx.conf" -e "$1/error.log" >/dev/null 2>&1' _ "$tmp/nginx"

done_testing
