# An app machine: nginx and inkwell from its Debian package (DESIGN.md,
# "Many machines": stateless, as many as wanted), configured by
# cloud-init.
#
# cloud-init installs curl, stages the files below in
# /etc/inkwell-provision/ (root only: connection strings hold the
# database password), and runs provision-app-host.sh once. That script
# gets the package (from inkwell_deb.url, or the copy in the user data),
# checks its SHA-256, installs it, replaces the package's configuration
# with the one rendered here, enables the nginx site alone, migrates the
# database (waiting for it), makes the first admin where asked, restarts
# inkwell and waits for /readyz.

locals {
  embedded_deb = var.inkwell_deb.content_base64 != null

  # inkwell.conf(5). The connection strings stay out of it: they hold a
  # password, so they live in files only root and inkwell can read.
  inkwell_conf = templatefile("${path.module}/files/inkwell.conf.tftpl", {
    workers       = var.workers
    base_url      = var.base_url
    replica_line  = var.database_replica == "" ? ";replica_file =" : "replica_file = /etc/inkwell/database-replica"
    redis_address = var.redis_address
    redis_line    = var.redis_password == "" ? ";password_file =" : "password_file = /etc/inkwell/redis-password"
  })

  # nginx's realip module: the client's address from X-Forwarded-For,
  # when the load balancer sent it.
  realip_conf = join("\n", concat(
    ["# terraform/modules/app-host: the load balancer's networks"],
    [for c in var.trusted_proxies : "set_real_ip_from ${c};"],
    length(var.trusted_proxies) == 0 ? ["# (none: no load balancer in front)"] : ["real_ip_header X-Forwarded-For;", "real_ip_recursive on;"],
    [""],
  ))

  # Shell assignments for provision-app-host.sh; every value passed the
  # variables' validation, none holds a single quote.
  settings = join("\n", [
    "DEB_URL='${local.embedded_deb ? "" : var.inkwell_deb.url}'",
    "DEB_SHA256='${var.inkwell_deb.sha256}'",
    "ADMIN_USER='${var.admin_user}'",
    "WAIT_SECONDS='${var.wait_seconds}'",
    "",
  ])

  write_files = concat(
    [
      { path = "/etc/inkwell-provision/app-host.env", permissions = "0600", content = local.settings },
      { path = "/etc/inkwell-provision/inkwell.conf", permissions = "0600", content = local.inkwell_conf },
      { path = "/etc/inkwell-provision/database-primary", permissions = "0600", content = "${var.database_primary}\n" },
      { path = "/etc/inkwell-provision/database-replica", permissions = "0600", content = var.database_replica == "" ? "" : "${var.database_replica}\n" },
      { path = "/etc/inkwell-provision/redis-password", permissions = "0600", content = var.redis_password == "" ? "" : "${var.redis_password}\n" },
      { path = "/etc/inkwell-provision/admin-password", permissions = "0600", content = var.admin_password == "" ? "" : "${var.admin_password}\n" },
      { path = "/etc/inkwell-provision/nginx-realip.conf", permissions = "0600", content = local.realip_conf },
      { path = "/usr/local/sbin/inkwell-provision-app-host", permissions = "0755", content = file("${path.module}/files/provision-app-host.sh") },
    ],
    local.embedded_deb ? [{ path = "/etc/inkwell-provision/inkwell.deb", permissions = "0600", encoding = "b64", content = var.inkwell_deb.content_base64 }] : [],
  )

  # cloud-init refuses an empty ssh_authorized_keys: only when there are keys.
  ssh_keys = { for k, v in { ssh_authorized_keys = var.ssh_authorized_keys } : k => v if length(v) > 0 }

  cloud_config = merge(local.ssh_keys, {
    hostname       = var.name
    package_update = true
    packages       = concat(["ca-certificates", "curl"], var.enable_exporters ? ["prometheus-nginx-exporter"] : [])
    write_files    = local.write_files
    # enable_exporters: the package's inkwell-exporters, once nginx runs
    # the site (the default site is gone: 127.0.0.1 reaches inkwell's).
    runcmd = concat([["/usr/local/sbin/inkwell-provision-app-host"]],
    var.enable_exporters ? [["inkwell-exporters", "enable", "--listen", var.exporters_listen_address, "nginx"]] : [])
  })

  user_data = "#cloud-config\n${yamlencode(local.cloud_config)}"
}
