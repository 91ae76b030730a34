#!/bin/sh
# SPDX-License-Identifier: MIT
# inkwell-provision-load-balancer: run once by cloud-init (runcmd) on the
# load balancer machine, after nginx is installed: makes the staged site
# the only one and restarts nginx.
set -eu

say() { printf 'inkwell-provision-load-balancer: %s\n' "$*"; }

install -m 0644 /etc/inkwell-provision/nginx-lb.conf /etc/nginx/sites-available/inkwell-lb
rm -f /etc/nginx/sites-enabled/default
[ -e /etc/nginx/sites-enabled/inkwell-lb ] ||
	ln -s ../sites-available/inkwell-lb /etc/nginx/sites-enabled/inkwell-lb
nginx -t -q || {
	say "nginx -t refuses the site" >&2
	exit 1
}
systemctl enable nginx
systemctl restart nginx
say "nginx balances over: $(sed -n 's/^ *server \([^ ]*\) .*/\1/p' /etc/nginx/sites-available/inkwell-lb | tr '\n' ' ')"
