# The cache machine: Redis as inkwell's page cache (DESIGN.md: a cache and
# only a cache), configured by cloud-init.
#
# cloud-init installs redis-server, writes the settings below to
# /etc/inkwell-provision/, and runs provision-cache.sh once, which puts
# them in place (Redis's own user must exist by then, so the files are
# staged rather than written where they belong) and restarts Redis.

locals {
  # Appended to Debian's /etc/redis/redis.conf by an "include" line; the
  # last value of a directive wins.
  redis_conf = templatefile("${path.module}/files/redis-inkwell.conf.tftpl", {
    address      = var.address
    port         = var.port
    password     = var.password
    maxmemory_mb = var.maxmemory_mb
  })

  # enable_exporters: the exporters' switch (src/ctl/inkwell-exporters,
  # carried here: this machine has no inkwell package), Redis's password
  # for it, and its run after Redis is up.
  exporters_files = var.enable_exporters ? concat(
    [{ path = "/usr/local/sbin/inkwell-exporters", permissions = "0755", content = file("${path.module}/../../../src/ctl/inkwell-exporters") }],
    var.password == "" ? [] : [{ path = "/etc/inkwell-provision/redis-password", permissions = "0600", content = "${var.password}\n" }],
  ) : []
  exporters_run = var.enable_exporters ? [concat(
    ["/usr/local/sbin/inkwell-exporters", "enable", "--listen", var.exporters_listen_address, "--redis", "127.0.0.1:${var.port}"],
    var.password == "" ? [] : ["--redis-password-file", "/etc/inkwell-provision/redis-password"],
    ["redis"],
  )] : []

  # cloud-init refuses an empty ssh_authorized_keys: only when there are keys.
  ssh_keys = { for k, v in { ssh_authorized_keys = var.ssh_authorized_keys } : k => v if length(v) > 0 }

  cloud_config = merge(local.ssh_keys, {
    hostname       = var.name
    package_update = true
    packages       = concat(["redis-server"], var.enable_exporters ? ["prometheus-redis-exporter"] : [])
    write_files = concat([
      {
        path        = "/etc/inkwell-provision/redis-inkwell.conf"
        permissions = "0600"
        content     = local.redis_conf
      },
      {
        path        = "/usr/local/sbin/inkwell-provision-cache"
        permissions = "0755"
        content     = file("${path.module}/files/provision-cache.sh")
      },
    ], local.exporters_files)
    runcmd = concat([["/usr/local/sbin/inkwell-provision-cache"]], local.exporters_run)
  })

  user_data = "#cloud-config\n${yamlencode(local.cloud_config)}"
}
