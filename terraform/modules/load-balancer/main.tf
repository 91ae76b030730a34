# A load balancer machine: nginx proxying to the app machines, for
# environments without one of their own (terraform/environments/local;
# the AWS environment uses an application load balancer instead).
#
# nginx spreads requests over the app machines and stops sending to one
# that fails (max_fails, then fail_timeout before it tries again); it
# has no active health checks. It passes the client's address in
# X-Forwarded-For, which the app machines trust from this machine only
# (app-host's trusted_proxies).
#
# With domain_name, TLS ends here: certbot (Debian's) gets a certificate
# from the ACME server at acme_directory_url, answering its HTTP-01
# challenge from a webroot nginx serves on port 80; nginx then serves
# the blog on 443 and sends port 80 there. certbot's timer renews it,
# and a deploy hook reloads nginx with the new one.

locals {
  https   = var.domain_name != ""
  webroot = "/var/lib/inkwell-acme"

  servers = join("\n", [for b in var.backends : "    server ${b}:${var.backend_port} max_fails=2 fail_timeout=10s;"])
  proxy   = file("${path.module}/files/nginx-lb-proxy.conf")
  hsts    = var.hsts.preload ? "max-age=${var.hsts.max_age}; includeSubDomains; preload" : "max-age=${var.hsts.max_age}"

  # Port 80 with a domain: the ACME challenges, and a redirect. Alone,
  # it is the site nginx serves while there is no certificate yet.
  redirect_site = templatefile("${path.module}/files/nginx-lb-redirect.conf.tftpl", {
    domain  = var.domain_name
    webroot = local.webroot
  })
  https_site = templatefile("${path.module}/files/nginx-lb-https.conf.tftpl", {
    servers = local.servers
    proxy   = local.proxy
    domain  = var.domain_name
    hsts    = local.hsts
  })
  http_site = templatefile("${path.module}/files/nginx-lb.conf.tftpl", {
    servers = local.servers
    proxy   = local.proxy
  })
  site = local.https ? "${local.redirect_site}\n${local.https_site}" : local.http_site

  # Shell assignments for provision-load-balancer.sh; every value passed
  # the variables' validation, none holds a single quote.
  settings = join("\n", [
    "DOMAIN='${var.domain_name}'",
    "ACME_DIRECTORY='${var.acme_directory_url}'",
    "ACME_EMAIL='${var.acme_email}'",
    "WEBROOT='${local.webroot}'",
    "",
  ])

  write_files = concat(
    [
      { path = "/etc/inkwell-provision/load-balancer.env", permissions = "0600", content = local.settings },
      { path = "/etc/inkwell-provision/nginx-lb.conf", permissions = "0600", content = local.site },
    ],
    local.https ? [{ path = "/etc/inkwell-provision/nginx-lb-acme.conf", permissions = "0600", content = local.redirect_site }] : [],
    var.acme_ca_certificate == "" ? [] : [{ path = "/etc/inkwell-provision/acme-ca.pem", permissions = "0644", content = var.acme_ca_certificate }],
    [{ path = "/usr/local/sbin/inkwell-provision-load-balancer", permissions = "0755", content = file("${path.module}/files/provision-load-balancer.sh") }],
  )

  # cloud-init refuses an empty ssh_authorized_keys: only when there are keys.
  ssh_keys = { for k, v in { ssh_authorized_keys = var.ssh_authorized_keys } : k => v if length(v) > 0 }

  cloud_config = merge(local.ssh_keys, {
    hostname       = var.name
    package_update = true
    packages       = concat(["nginx-light", "curl"], local.https ? ["certbot"] : [])
    write_files    = local.write_files
    runcmd         = [["/usr/local/sbin/inkwell-provision-load-balancer"]]
  })

  user_data = "#cloud-config\n${yamlencode(local.cloud_config)}"
}
