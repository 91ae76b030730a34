#!/bin/sh
# SPDX-License-Identifier: MIT
# inkwell-provision-app-host: run once by cloud-init (runcmd) on an app
# machine. Installs the inkwell package (downloaded from DEB_URL, or the
# copy cloud-init wrote), checked against DEB_SHA256; puts the staged
# configuration in place; migrates the database, retrying for
# WAIT_SECONDS while it comes up; makes the first admin when a password
# was staged and no user of that name exists; restarts inkwell and
# waits until /readyz answers 200 through nginx.
set -eu

stage=/etc/inkwell-provision
# shellcheck source=/dev/null # written when the host is provisioned
. "$stage/app-host.env"
export DEBIAN_FRONTEND=noninteractive

say() { printf 'inkwell-provision-app-host: %s\n' "$*"; }
die() {
	say "$*" >&2
	exit 1
}
as_inkwell() { runuser -u inkwell -- "$@"; }

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

# apt wants a path to a file its sandbox user can read. Debian's daily
# apt jobs may hold dpkg's lock at first boot: wait for it a while.
cp "$deb" /var/cache/apt/archives/inkwell-provision.deb
apt-get install -y -q -o DPkg::Lock::Timeout=300 /var/cache/apt/archives/inkwell-provision.deb
rm -f /var/cache/apt/archives/inkwell-provision.deb
say "installed $(dpkg-query -W -f='${Package} ${Version}' inkwell)"

install -o root -g inkwell -m 0640 "$stage/inkwell.conf" /etc/inkwell/inkwell.conf
install -o root -g inkwell -m 0640 "$stage/database-primary" /etc/inkwell/database-primary
if [ -s "$stage/database-replica" ]; then
	install -o root -g inkwell -m 0640 "$stage/database-replica" /etc/inkwell/database-replica
else
	rm -f /etc/inkwell/database-replica
fi
if [ -s "$stage/redis-password" ]; then
	install -o root -g inkwell -m 0640 "$stage/redis-password" /etc/inkwell/redis-password
else
	rm -f /etc/inkwell/redis-password
fi
as_inkwell inkwellctl check-config || die "inkwellctl check-config refuses the configuration"

# The inkwell site alone answers on port 80, whatever the Host header
# (the load balancer's health checks name the machine's address).
install -m 0644 "$stage/nginx-realip.conf" /etc/nginx/conf.d/inkwell-realip.conf
rm -f /etc/nginx/sites-enabled/default
[ -e /etc/nginx/sites-enabled/inkwell ] ||
	ln -s ../sites-available/inkwell /etc/nginx/sites-enabled/inkwell
nginx -t -q || die "nginx -t refuses the configuration"

# The database machines boot with this one: migrate once they let us in
# (the migrations take a lock, so app machines may race).
log=$(mktemp)
i=0
until as_inkwell inkwellctl migrate >"$log" 2>&1; do
	i=$((i + 5))
	if [ "$i" -ge "$WAIT_SECONDS" ]; then
		cat "$log" >&2
		die "inkwellctl migrate: still failing after $WAIT_SECONDS s"
	fi
	sleep 5
done
cat "$log"
rm -f "$log"
say "the database is migrated"

if [ -s "$stage/admin-password" ]; then
	if as_inkwell inkwellctl user list | awk -v u="$ADMIN_USER" 'NR > 1 && $1 == u { found = 1 } END { exit !found }'; then
		say "user $ADMIN_USER exists: left as it is"
	else
		as_inkwell inkwellctl user add --role admin --password-stdin "$ADMIN_USER" <"$stage/admin-password"
	fi
fi

systemctl enable inkwell.socket inkwell.service nginx
# The socket stays: it holds connections while the service restarts.
systemctl restart inkwell.service
systemctl restart nginx

i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1/readyz)" = 200 ]; do
	i=$((i + 1))
	[ "$i" -lt 60 ] || die "/readyz does not answer 200 after 60 s"
	sleep 1
done
say "inkwell is ready: /readyz answers 200"
