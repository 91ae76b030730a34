# inkwell on the operator's own Linux machine: libvirt (KVM) virtual
# machines on a private NAT network, each set up at first boot by
# cloud-init from the user data terraform/modules render.
#
#   load balancer (nginx) -> app machines (nginx + inkwell)
#                              -> pgbouncer on the database primary / replicas
#                              -> Redis on the cache machine
#
# Every machine has a fixed address in var.network_cidr (libvirt's DHCP
# hands it out by MAC), so the modules know them all before any machine
# exists.

provider "libvirt" {
  uri = var.libvirt_uri
}

locals {
  lb_address        = cidrhost(var.network_cidr, 10)
  app_addresses     = [for i in range(var.app_count) : cidrhost(var.network_cidr, 20 + i)]
  primary_address   = cidrhost(var.network_cidr, 50)
  replica_addresses = [for i in range(var.replica_count) : cidrhost(var.network_cidr, 51 + i)]
  cache_address     = cidrhost(var.network_cidr, 60)
  # With a domain, TLS ends at the load balancer; the app machines
  # behind it see plain HTTP, and base_url tells them (and their links,
  # feeds and Secure cookies) what readers see.
  base_url = var.domain_name == "" ? "http://${local.lb_address}" : "https://${var.domain_name}"
}

resource "random_password" "database" {
  length  = 32
  special = false
}

resource "random_password" "replication" {
  length  = 32
  special = false
}

resource "random_password" "redis" {
  length  = 32
  special = false
}

resource "random_password" "admin" {
  length  = 20
  special = false
}

module "database" {
  source = "../../modules/database"

  primary              = { name = "${var.prefix}-db-1", address = local.primary_address }
  replicas             = [for i, a in local.replica_addresses : { name = "${var.prefix}-db-${i + 2}", address = a }]
  client_cidrs         = [for a in local.app_addresses : "${a}/32"]
  password             = random_password.database.result
  replication_password = random_password.replication.result
  # Four workers on each app machine, one connection each, and room for
  # inkwellctl. A change reaches the database machines at their next
  # boot (their cloud-init disk changes; their data stays).
  pool_size           = max(40, var.app_count * 4 + 10)
  ssh_authorized_keys = var.ssh_authorized_keys
  # Backups: the package for inkwell-backup, in the primary's cloud-init
  # disk; the repository on the primary's own disk (/var/lib/pgbackrest).
  inkwell_deb = {
    sha256         = filesha256(var.inkwell_deb_path)
    content_base64 = filebase64(var.inkwell_deb_path)
  }
  backup_retention_full  = var.backup_retention_full
  backup_retention_diff  = var.backup_retention_diff
  backup_archive_timeout = var.backup_archive_timeout
}

module "cache" {
  source = "../../modules/cache"

  name                = "${var.prefix}-cache"
  address             = local.cache_address
  password            = random_password.redis.result
  ssh_authorized_keys = var.ssh_authorized_keys
}

module "app" {
  source = "../../modules/app-host"
  count  = var.app_count

  name = "${var.prefix}-app-${count.index + 1}"
  inkwell_deb = {
    sha256         = filesha256(var.inkwell_deb_path)
    content_base64 = filebase64(var.inkwell_deb_path)
  }
  database_primary    = module.database.primary_conninfo
  database_replica    = var.replica_count == 0 ? "" : module.database.replica_conninfos[count.index % var.replica_count]
  redis_address       = module.cache.redis_address
  redis_password      = random_password.redis.result
  base_url            = local.base_url
  trusted_proxies     = ["${local.lb_address}/32"]
  admin_password      = count.index == 0 ? random_password.admin.result : ""
  ssh_authorized_keys = var.ssh_authorized_keys
}

module "lb" {
  source = "../../modules/load-balancer"

  name                = "${var.prefix}-lb"
  backends            = local.app_addresses
  ssh_authorized_keys = var.ssh_authorized_keys

  domain_name         = var.domain_name
  acme_directory_url  = var.acme_directory_url
  acme_email          = var.acme_email
  acme_ca_certificate = var.acme_ca_certificate_file == "" ? "" : file(var.acme_ca_certificate_file)
  hsts                = { max_age = var.hsts_max_age, preload = var.hsts_preload }
}

# What each machine is. User data stays out of this map: it is sensitive,
# and for_each may not iterate over sensitive values.
locals {
  machines = merge(
    { lb = { address = local.lb_address, memory = var.memory_mb.lb } },
    { cache = { address = local.cache_address, memory = var.memory_mb.cache } },
    { db-1 = { address = local.primary_address, memory = var.memory_mb.database } },
    { for i, a in local.replica_addresses : "db-${i + 2}" => { address = a, memory = var.memory_mb.database } },
    { for i, a in local.app_addresses : "app-${i + 1}" => { address = a, memory = var.memory_mb.app } },
  )

  user_data = merge(
    { lb = module.lb.user_data, cache = module.cache.user_data, db-1 = module.database.primary_user_data },
    { for i, u in module.database.replica_user_data : "db-${i + 2}" => u },
    { for i, m in module.app : "app-${i + 1}" => m.user_data },
  )
}

resource "libvirt_network" "inkwell" {
  name      = var.prefix
  mode      = "nat"
  addresses = [var.network_cidr]
  autostart = true

  dhcp {
    enabled = true
  }

  dns {
    enabled    = true
    local_only = true
  }
}

resource "libvirt_volume" "base" {
  name   = "${var.prefix}-debian-12-base.qcow2"
  pool   = var.pool
  source = var.base_image
  format = "qcow2"
}

resource "libvirt_volume" "disk" {
  for_each = local.machines

  name           = "${var.prefix}-${each.key}.qcow2"
  pool           = var.pool
  base_volume_id = libvirt_volume.base.id
  format         = "qcow2"
  size           = var.disk_gb * 1024 * 1024 * 1024
}

resource "libvirt_cloudinit_disk" "init" {
  for_each = local.machines

  name      = "${var.prefix}-${each.key}-cloudinit.iso"
  pool      = var.pool
  user_data = local.user_data[each.key]
  # A new instance id whenever the user data changes (a new package,
  # say): at its next boot the machine runs cloud-init's provisioning
  # again, which keeps what is there (database, users) and updates the
  # rest.
  meta_data = yamlencode({
    instance-id    = "${var.prefix}-${each.key}-${substr(sha256(local.user_data[each.key]), 0, 12)}"
    local-hostname = "${var.prefix}-${each.key}"
  })
}

resource "libvirt_domain" "machine" {
  for_each = local.machines

  name      = "${var.prefix}-${each.key}"
  memory    = each.value.memory
  vcpu      = 1
  cloudinit = libvirt_cloudinit_disk.init[each.key].id
  autostart = true

  network_interface {
    network_id     = libvirt_network.inkwell.id
    hostname       = "${var.prefix}-${each.key}"
    addresses      = [each.value.address]
    wait_for_lease = false
  }

  disk {
    volume_id = libvirt_volume.disk[each.key].id
  }

  # Debian's cloud images talk on the serial console: virsh console NAME.
  console {
    type        = "pty"
    target_type = "serial"
    target_port = "0"
  }
}
