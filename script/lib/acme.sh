# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# script/lib/acme.sh: a private ACME CA on loopback, Debian's pebble, for
# the dev stack's HTTPS (script/server --https) and the tests. Sourced
# after script/lib/stack.sh (it uses stack_die, stack_say and the
# _stack_* process helpers).
#
#   acme_start DIR HTTP_PORT   start pebble and its DNS under DIR; pebble
#                              checks HTTP-01 challenges on 127.0.0.1:HTTP_PORT
#   acme_stop DIR              stop what acme_start started from DIR
#
# After acme_start:
#   ACME_DIRECTORY   https://127.0.0.1:ACME_PORT/dir
#   ACME_API_CA      the CA of pebble's own listener (certbot needs it:
#                    REQUESTS_CA_BUNDLE)
#   ACME_ROOT        the root pebble issues under (made anew at each
#                    start): what a client checks the blog's chain with
#   ACME_OCSP_URL    the OCSP responder pebble names in its certificates
#                    (acme_ocsp_start runs it; acme_ocsp_add CERT makes
#                    it answer "good" for CERT)
#
# pebble resolves every name through pebble-challtestsrv's DNS, which
# answers 127.0.0.1 for any A query: any name's challenge comes to the
# stack's nginx. Ports: ACME_PORT (14000), ACME_MGMT_PORT (15000),
# ACME_DNS_PORT (8053), ACME_OCSP_PORT (8054); change them to run two.

ACME_PORT=${ACME_PORT:-14000}
ACME_MGMT_PORT=${ACME_MGMT_PORT:-15000}
ACME_DNS_PORT=${ACME_DNS_PORT:-8053}
ACME_OCSP_PORT=${ACME_OCSP_PORT:-8054}

_acme_ca() {
	# The CA and certificate of pebble's own HTTPS listener.
	local d=$1
	[[ -s $d/api-ca.pem && -s $d/api-cert.pem ]] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=inkwell test ACME API CA' \
		-keyout "$d/api-ca.key" -out "$d/api-ca.pem" >/dev/null 2>&1 ||
		stack_die "openssl could not make the ACME API's CA"
	if ! openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' \
		-keyout "$d/api-key.pem" -out "$d/api.csr" >/dev/null 2>&1 ||
		! openssl x509 -req -in "$d/api.csr" -CA "$d/api-ca.pem" -CAkey "$d/api-ca.key" \
			-CAcreateserial -days 3650 -out "$d/api-cert.pem" \
			-extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n') >/dev/null 2>&1; then
		stack_die "openssl could not make the ACME API's certificate"
	fi
}

acme_start() {
	local d=$1 http_port=$2 pid
	if ! command -v pebble >/dev/null || ! command -v pebble-challtestsrv >/dev/null; then
		stack_die "pebble is not installed (apt install pebble)"
	fi
	mkdir -p "$d"
	acme_stop "$d"
	# A new pebble, a new intermediate: the serials of the old one go.
	rm -f "$d/ocsp-index" "$d/ocsp-index.attr"
	_acme_ca "$d"
	ACME_OCSP_URL=http://127.0.0.1:$ACME_OCSP_PORT/
	cat >"$d/pebble.json" <<-EOF
		{
		  "pebble": {
		    "listenAddress": "127.0.0.1:$ACME_PORT",
		    "managementListenAddress": "127.0.0.1:$ACME_MGMT_PORT",
		    "certificate": "$d/api-cert.pem",
		    "privateKey": "$d/api-key.pem",
		    "httpPort": $http_port,
		    "tlsPort": 0,
		    "ocspResponderURL": "$ACME_OCSP_URL",
		    "externalAccountBindingRequired": false
		  }
		}
	EOF
	setsid pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 '' \
		-dns01 "127.0.0.1:$ACME_DNS_PORT" -http01 '' -https01 '' -tlsalpn01 '' \
		-management "127.0.0.1:$((ACME_DNS_PORT + 100))" \
		</dev/null >"$d/challtestsrv.log" 2>&1 &
	echo $! >"$d/challtestsrv.pid"
	# No artificial delays, no nonces refused on purpose, a fresh
	# authorization for every order (renewals are then checked again).
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
		setsid pebble -config "$d/pebble.json" -dnsserver "127.0.0.1:$ACME_DNS_PORT" \
		</dev/null >"$d/pebble.log" 2>&1 &
	pid=$!
	echo "$pid" >"$d/pebble.pid"
	ACME_DIRECTORY=https://127.0.0.1:$ACME_PORT/dir
	ACME_API_CA=$d/api-ca.pem
	ACME_ROOT=$d/root.pem
	local i
	for ((i = 0; i < 100; i++)); do
		if curl -fsS --cacert "$ACME_API_CA" -o "$ACME_ROOT" \
			"https://127.0.0.1:$ACME_MGMT_PORT/roots/0" 2>/dev/null; then
			if ! curl -fsS --cacert "$ACME_API_CA" -o "$d/intermediate.pem" \
				"https://127.0.0.1:$ACME_MGMT_PORT/intermediates/0" ||
				! curl -fsS --cacert "$ACME_API_CA" -o "$d/intermediate-key.pem" \
					"https://127.0.0.1:$ACME_MGMT_PORT/intermediate-keys/0"; then
				stack_die "pebble gave no intermediate certificate"
			fi
			export ACME_DIRECTORY ACME_API_CA ACME_ROOT ACME_OCSP_URL
			return 0
		fi
		_stack_alive "$pid" || break
		sleep 0.1
	done
	tail -n 20 "$d/pebble.log" >&2
	stack_die "pebble did not start (log: $d/pebble.log)"
}

# An OCSP responder for pebble's intermediate (pebble names one in its
# certificates but runs none): script/lib/ocsp_responder.py on loopback,
# answering "good" for the serials in DIR/ocsp-index, which
# acme_ocsp_add fills from a certificate.
acme_ocsp_add() {
	local d=$1 cert=$2 serial end subj
	serial=$(openssl x509 -in "$cert" -noout -serial | cut -d= -f2)
	if [[ -f $d/ocsp-index ]] && grep -q "	$serial	" "$d/ocsp-index"; then
		return 0
	fi
	end=$(date -u -d "$(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
	subj=$(openssl x509 -in "$cert" -noout -subject -nameopt compat | sed 's/^subject=//')
	printf 'V\t%s\t\t%s\tunknown\t%s\n' "$end" "$serial" "$subj" >>"$d/ocsp-index"
}

acme_ocsp_start() {
	local d=$1 pid
	acme_ocsp_stop "$d"
	[[ -f $d/ocsp-index ]] || : >"$d/ocsp-index"
	# Renewals keep the subject: openssl must not insist it is unique.
	echo 'unique_subject = no' >"$d/ocsp-index.attr"
	setsid python3 "$STACK_REPO/script/lib/ocsp_responder.py" "$ACME_OCSP_PORT" \
		"$d/ocsp-index" "$d/intermediate.pem" "$d/intermediate-key.pem" \
		</dev/null >"$d/ocsp.log" 2>&1 &
	pid=$!
	echo "$pid" >"$d/ocsp.pid"
	_stack_wait 50 0.1 _stack_port_busy "$ACME_OCSP_PORT" ||
		stack_die "the OCSP responder did not start (log: $d/ocsp.log)"
}

acme_ocsp_stop() {
	local d=$1 pid
	if pid=$(_stack_pidfile_pid "$d/ocsp.pid" python3); then
		_stack_kill_wait "$pid" "the OCSP responder" TERM 5
	fi
	rm -f "$d/ocsp.pid"
}

acme_stop() {
	local d=$1 pid
	acme_ocsp_stop "$d"
	if pid=$(_stack_pidfile_pid "$d/pebble.pid" pebble); then
		_stack_kill_wait "$pid" pebble TERM 5
	fi
	if pid=$(_stack_pidfile_pid "$d/challtestsrv.pid" pebble-challtestsrv); then
		_stack_kill_wait "$pid" pebble-challtestsrv TERM 5
	fi
	rm -f "$d/pebble.pid" "$d/challtestsrv.pid"
}
