#!/bin/sh
# SPDX-License-Identifier: MIT
# inkwell-provision-cache: run once by cloud-init (runcmd) on the cache
# machine, after redis-server is installed. Puts the staged settings in
# place and restarts Redis, then checks that it answers on its address.
set -eu

stage=/etc/inkwell-provision
say() { printf 'inkwell-provision-cache: %s\n' "$*"; }

install -o redis -g redis -m 0640 "$stage/redis-inkwell.conf" /etc/redis/redis-inkwell.conf
# The include goes last, once.
grep -qx 'include /etc/redis/redis-inkwell.conf' /etc/redis/redis.conf ||
	printf '\n# terraform/modules/cache\ninclude /etc/redis/redis-inkwell.conf\n' >>/etc/redis/redis.conf

systemctl enable redis-server
systemctl restart redis-server

addr=$(sed -n 's/^bind 127\.0\.0\.1 //p' /etc/redis/redis-inkwell.conf)
port=$(sed -n 's/^port //p' /etc/redis/redis-inkwell.conf)
REDISCLI_AUTH=$(sed -n 's/^requirepass //p' /etc/redis/redis-inkwell.conf)
export REDISCLI_AUTH
i=0
until [ "$(redis-cli -h "$addr" -p "$port" ping 2>/dev/null)" = PONG ]; do
	i=$((i + 1))
	if [ "$i" -ge 60 ]; then
		say "Redis does not answer on $addr:$port after 30 s"
		exit 1
	fi
	sleep 0.5
done
say "Redis answers on $addr:$port"
