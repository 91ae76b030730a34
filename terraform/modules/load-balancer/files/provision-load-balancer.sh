#!/bin/sh
# SPDX-License-Identifier: MIT
# inkwell-provision-load-balancer: run by cloud-init (runcmd) on the load
# balancer machine, after nginx (and, with a domain, certbot) is
# installed, and again whenever the machine is provisioned anew. Makes
# the staged site nginx's only one and restarts nginx.
#
# With DOMAIN set, it first makes sure there is a certificate: while
# there is none, nginx serves only port 80 (the ACME challenges from
# WEBROOT, and redirects), certbot gets one from ACME_DIRECTORY, and then
# the whole site (HTTPS on 443) replaces it. A certificate already there
# is kept until it is due for renewal, unless it came from another ACME
# server. certbot's timer renews it later; the deploy hook written here
# reloads nginx when it has.
set -eu

stage=/etc/inkwell-provision
# shellcheck source=/dev/null # written when the host is provisioned
. "$stage/load-balancer.env"

say() { printf 'inkwell-provision-load-balancer: %s\n' "$*"; }
die() {
	say "$*" >&2
	exit 1
}

# site FILE...: those files, one after the other, as nginx's only site.
site() {
	cat "$@" >/etc/nginx/sites-available/inkwell-lb.new
	chmod 0644 /etc/nginx/sites-available/inkwell-lb.new
	mv /etc/nginx/sites-available/inkwell-lb.new /etc/nginx/sites-available/inkwell-lb
	rm -f /etc/nginx/sites-enabled/default
	[ -e /etc/nginx/sites-enabled/inkwell-lb ] ||
		ln -s ../sites-available/inkwell-lb /etc/nginx/sites-enabled/inkwell-lb
	nginx -t -q || die "nginx -t refuses the site"
}

if [ -z "$DOMAIN" ]; then
	site "$stage/nginx-lb.conf"
	systemctl enable nginx
	systemctl restart nginx
	say "nginx balances over: $(sed -n 's/^ *server \([^ ]*\) .*/\1/p' /etc/nginx/sites-available/inkwell-lb | tr '\n' ' ')"
	exit 0
fi

live=/etc/letsencrypt/live/$DOMAIN
renewal=/etc/letsencrypt/renewal/$DOMAIN.conf

# The DNS servers nginx asks for the OCSP responder's name (stapling);
# link-local ones with a zone (fe80::1%eth0) are left out.
{
	echo "# inkwell-provision-load-balancer: this machine's DNS servers"
	servers=$(awk '$1 == "nameserver" && $2 !~ /%/ { print ($2 ~ /:/ ? "[" $2 "]" : $2) }' \
		/etc/resolv.conf 2>/dev/null | tr '\n' ' ')
	if [ -n "$servers" ]; then
		echo "resolver $servers valid=300s;"
	else
		echo "# (none in /etc/resolv.conf)"
	fi
} >/etc/nginx/inkwell-lb-resolver.conf

# certbot trusts the ACME server through Debian's CA bundle, or through
# the one given for a private ACME server, now and at every renewal.
ca=/etc/ssl/inkwell-acme-ca.pem
dropin=/etc/systemd/system/certbot.service.d/inkwell-acme-ca.conf
if [ -s "$stage/acme-ca.pem" ]; then
	install -m 0644 "$stage/acme-ca.pem" "$ca"
	mkdir -p "${dropin%/*}"
	printf '[Service]\nEnvironment=REQUESTS_CA_BUNDLE=%s\n' "$ca" >"$dropin"
	REQUESTS_CA_BUNDLE=$ca
	export REQUESTS_CA_BUNDLE
else
	rm -f "$ca" "$dropin"
fi
systemctl daemon-reload

# After a renewal, nginx takes the new certificate at a reload.
hook=/etc/letsencrypt/renewal-hooks/deploy/inkwell-reload-nginx
mkdir -p "${hook%/*}"
printf '#!/bin/sh\n# inkwell-provision-load-balancer: nginx serves the renewed certificate.\nexec systemctl reload nginx\n' >"$hook"
chmod 0755 "$hook"

mkdir -p "$WEBROOT"
if [ -s "$live/fullchain.pem" ]; then
	site "$stage/nginx-lb.conf"
else
	site "$stage/nginx-lb-acme.conf"
fi
systemctl enable nginx
systemctl restart nginx

set -- --email "$ACME_EMAIL"
[ -n "$ACME_EMAIL" ] || set -- --register-unsafely-without-email
# A certificate from another ACME server (staging, then production, say)
# is replaced at once; one from this server when it is due.
if [ -f "$renewal" ] && ! grep -qxF "server = $ACME_DIRECTORY" "$renewal"; then
	set -- "$@" --force-renewal
else
	set -- "$@" --keep-until-expiring
fi
say "certificate for $DOMAIN from $ACME_DIRECTORY"
certbot certonly --non-interactive --agree-tos --no-eff-email \
	--webroot --webroot-path "$WEBROOT" --domain "$DOMAIN" --cert-name "$DOMAIN" \
	--server "$ACME_DIRECTORY" "$@" ||
	die "certbot could not get a certificate for $DOMAIN (is $DOMAIN's port 80 this machine, seen from the ACME server?)"
[ -s "$live/fullchain.pem" ] || die "certbot left no certificate in $live"

site "$stage/nginx-lb.conf"
systemctl reload nginx
say "nginx serves https://$DOMAIN/ and balances over: $(sed -n 's/^ *server \([^ ]*\) .*/\1/p' /etc/nginx/sites-available/inkwell-lb | tr '\n' ' ')"
