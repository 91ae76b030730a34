#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6011-compose: deploy/container/compose.yaml, checked without running it
# (no container engine here, and no registry to pull PostgreSQL, Redis or
# nginx from): it parses, everything it names fits together and fits
# inkwell (t/lib/compose_check.py says what), the nginx site it mounts is
# what deploy/container/gen-nginx-conf makes from nginx/inkwell.conf today,
# and nginx -t accepts it (with the inkwell service's name mapped to
# 127.0.0.1). The same for HTTPS: compose.https.yaml laid over it fits
# (the checker's --https checks), and the nginx command it runs before
# nginx starts, with the site, nginx-https.conf, nginx/inkwell-tls.conf
# and a certificate made here by openssl, passes nginx -t. Changed copies
# of the files must fail the checks, so they are known to bite.
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
command -v openssl >/dev/null || skip_all "openssl missing (script/bootstrap installs it)"

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
mutant "the nginx exporter on the compose network" "nginx-exporter asks nginx's loopback-only stub_status" \
	'del s["nginx-exporter"]["network_mode"]'
mutant "an exporter started by plain up" "in the monitoring profile" \
	'del s["redis-exporter"]["profiles"]'

# --- HTTPS: compose.https.yaml over compose.yaml ---------------------------------
https=$ctr/compose.https.yaml
tap_report 15 < <("$py" "$here/lib/compose_check.py" "$src" "$ctr/compose.yaml" --https "$https")
# mutant_https NAME CHECK-REGEX PYTHON-EDIT: the same, for compose.https.yaml.
mutant_https() {
	local name=$1 want=$2 edit=$3 out
	"$py" - "$https" "$tmp/mutant.https.yaml" "$edit" <<-'PY'
		import sys, yaml
		d = yaml.safe_load(open(sys.argv[1]))
		s = d["services"]
		exec(sys.argv[3])
		yaml.safe_dump(d, open(sys.argv[2], "w"))
	PY
	out=$("$py" "$here/lib/compose_check.py" "$src" "$ctr/compose.yaml" --https "$tmp/mutant.https.yaml")
	like "$(grep '^FAIL' <<<"$out" | cut -f2)" "$want" "caught: $name"
}
mutant_https "a certificate directory mounted read-write" "certificate directory .*read-only" \
	's["nginx"]["volumes"] = [v.replace("/etc/nginx/tls:ro", "/etc/nginx/tls") for v in s["nginx"]["volumes"]]'
mutant_https "nginx-https.conf where the site does not look" "where the site's include" \
	's["nginx"]["volumes"] = [v.replace("/etc/nginx/inkwell/https.conf", "/etc/nginx/conf.d/https.conf") for v in s["nginx"]["volumes"]]'
mutant_https "HTTPS not published" "listens on 443 .*publishes it" \
	'del s["nginx"]["ports"]'
mutant_https "inkwell left on an http:// base URL" "one https:// base URL" \
	's["inkwell"]["environment"]["INKWELL_SERVER_BASE_URL"] = "http://localhost:8080"'
mutant_https "a base URL on another port than HTTPS's" "published HTTPS port" \
	'for n in ("inkwell", "migrate", "nginx"):
    e = s[n]["environment"]
    k = "INKWELL_BASE_URL" if n == "nginx" else "INKWELL_SERVER_BASE_URL"
    e[k] = e[k].replace(":8443}", ":9443}")'
# The default certificate directory is inside the clone: keys put there
# must stay out of git.
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	ok "the default certificate directory (deploy/container/tls) is ignored by git" \
		git -C "$src" check-ignore -q deploy/container/tls/tls.key
else
	pass "the default certificate directory is ignored by git # SKIP not a git checkout"
fi

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
# nginx_tree DIR: DIR/nginx.conf, including DIR/site.conf (to be written).
nginx_tree() {
	mkdir -p "$1"
	cat >"$1/nginx.conf" <<-EOF
		worker_processes 1;
		pid $1/nginx.pid;
		error_log $1/error.log;
		events {
		    worker_connections 64;
		}
		http {
		    include /etc/nginx/mime.types;
		    default_type application/octet-stream;
		    client_body_temp_path $1/body;
		    fastcgi_temp_path $1/fastcgi;
		    proxy_temp_path $1/proxy;
		    scgi_temp_path $1/scgi;
		    uwsgi_temp_path $1/uwsgi;
		    include $1/site.conf;
		}
	EOF
}
nginx_tree "$tmp/nginx"
sed -e 's#^\([[:space:]]*server \)inkwell:9000#\1127.0.0.1:9000#' \
	-e 's#^\([[:space:]]*include \)/etc/nginx/inkwell/#\1'"$tmp"'/nginx/inkwell/#' \
	-e 's#/var/log/nginx/access\.log#'"$tmp"'/nginx/access.log#g' \
	"$ctr/nginx-inkwell.conf" >"$tmp/nginx/site.conf"
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

# --- nginx -t with HTTPS on ---------------------------------------------------------
# The container's tree, under $tmp/https: the site, nginx-https.conf where
# its include looks, nginx/inkwell-tls.conf where that includes it, and a
# certificate for localhost signed by a CA made here. What runs is the
# command compose.https.yaml gives nginx, with those paths moved and its
# last line "nginx -t" instead of nginx itself.
h=$tmp/https
nginx_tree "$h"
mkdir -p "$h/inkwell" "$h/tls" "$h/ca"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj '/CN=inkwell 6011 CA' -keyout "$h/ca/ca.key" -out "$h/ca/ca.pem" 2>"$h/openssl.log" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=localhost' \
		-keyout "$h/tls/tls.key" -out "$h/ca/leaf.csr" 2>>"$h/openssl.log" &&
	openssl x509 -req -in "$h/ca/leaf.csr" -CA "$h/ca/ca.pem" -CAkey "$h/ca/ca.key" \
		-CAcreateserial -days 2 -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') \
		-out "$h/tls/tls.crt" 2>>"$h/openssl.log"
ok "openssl makes a CA and a certificate for localhost (tls.crt, tls.key)" test -s "$h/tls/tls.crt"
if_fail diag "$(cat "$h/openssl.log")"
sed -e 's#^\([[:space:]]*server \)inkwell:9000#\1127.0.0.1:9000#' \
	-e 's#^\([[:space:]]*include \)/etc/nginx/inkwell/#\1'"$h"'/inkwell/#' \
	"$ctr/nginx-inkwell.conf" >"$h/site.conf"
sed -e "s#/etc/nginx/tls/#$h/tls/#g" -e "s#/etc/nginx/inkwell/#$h/inkwell/#g" \
	-e "s#/etc/nginx/snippets/inkwell-tls.conf#$src/nginx/inkwell-tls.conf#g" \
	"$ctr/nginx-https.conf" >"$h/inkwell/https.conf"
"$py" - "$https" "$h" >"$h/start.sh" <<-'PY'
	import sys, yaml
	cmd = yaml.safe_load(open(sys.argv[1]))["services"]["nginx"]["command"]
	script, h = cmd[2].replace("$$", "$"), sys.argv[2]
	script = script.replace("/etc/nginx/tls/", h + "/tls/")
	script = script.replace("/etc/nginx/inkwell/", h + "/inkwell/")
	nginx = "exec nginx -g 'daemon off;'"
	assert nginx in script, "no " + nginx
	sys.stdout.write(script.replace(nginx, 'exec nginx -t -p "%s/" -c "%s/nginx.conf" -e "%s/error.log"' % (h, h, h)))
PY
start() { # BASE-URL: nginx's start in the moved tree, with INKWELL_BASE_URL
	INKWELL_BASE_URL=$1 sh -eu "$h/start.sh" 2>&1
}
out=$(start https://localhost:8443/)
rc=$?
ok "nginx's start command, then nginx -t, accepts the site with HTTPS on" test "$rc" -eq 0
if_fail diag "$out"
is "$(cat "$h/inkwell/base-url.conf" 2>&1)" 'set $inkwell_base_url https://localhost:8443;' \
	"it set \$inkwell_base_url to INKWELL_BASE_URL, without the trailing slash"
out=$(start http://localhost:8080)
like "$out" "not https://" "it refuses an http:// INKWELL_BASE_URL"
out=$(start 'https://localhost:8443/"; return 200 x')
like "$out" "not https://" "and an address nginx would read as more than one"
mv "$h/tls/tls.key" "$h/tls/tls.key.kept"
out=$(start https://localhost:8443)
like "$out" "no tls.key in the certificate directory" "and a certificate directory without tls.key"
# nginx -t sees a key that is not the certificate's.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$h/tls/tls.key" 2>>"$h/openssl.log"
out=$(start https://localhost:8443)
rc=$?
ok "nginx -t refuses a key that is not the certificate's" test "$rc" -ne 0
if_fail diag "$out"
mv "$h/tls/tls.key.kept" "$h/tls/tls.key"

done_testing
