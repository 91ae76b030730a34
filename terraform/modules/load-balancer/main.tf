# A load balancer machine: nginx proxying to the app machines, for
# environments without one of their own (terraform/environments/local;
# the AWS environment uses an application load balancer instead).
#
# nginx spreads requests over the app machines and stops sending to one
# that fails (max_fails, then fail_timeout before it tries again); it
# has no active health checks. It passes the client's address in
# X-Forwarded-For, which the app machines trust from this machine only
# (app-host's trusted_proxies).

locals {
  site = templatefile("${path.module}/files/nginx-lb.conf.tftpl", {
    servers = join("\n", [for b in var.backends : "    server ${b}:${var.backend_port} max_fails=2 fail_timeout=10s;"])
  })

  # cloud-init refuses an empty ssh_authorized_keys: only when there are keys.
  ssh_keys = { for k, v in { ssh_authorized_keys = var.ssh_authorized_keys } : k => v if length(v) > 0 }

  cloud_config = merge(local.ssh_keys, {
    hostname       = var.name
    package_update = true
    packages       = ["nginx-light", "curl"]
    write_files = [
      { path = "/etc/inkwell-provision/nginx-lb.conf", permissions = "0600", content = local.site },
      { path = "/usr/local/sbin/inkwell-provision-load-balancer", permissions = "0755", content = file("${path.module}/files/provision-load-balancer.sh") },
    ]
    runcmd = [["/usr/local/sbin/inkwell-provision-load-balancer"]]
  })

  user_data = "#cloud-config\n${yamlencode(local.cloud_config)}"
}
