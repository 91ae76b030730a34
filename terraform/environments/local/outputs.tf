output "url" {
  description = "The blog, through the load balancer (from this machine: the network is private to it)."
  value       = "${local.base_url}/"
}

output "admin_url" {
  description = "Where to sign in."
  value       = "${local.base_url}/admin"
}

output "admin_user" {
  description = "The first admin, made by the first app machine."
  value       = "admin"
}

output "admin_password" {
  description = "The first admin's password: terraform output -raw admin_password."
  value       = random_password.admin.result
  sensitive   = true
}

output "addresses" {
  description = "Every machine's address (ssh debian@ADDRESS with one of ssh_authorized_keys)."
  value       = { for k, m in local.machines : "${var.prefix}-${k}" => m.address }
}

output "backup_repository" {
  description = "Where the database's backups are: the primary's /var/lib/pgbackrest (stanza inkwell; inkwell-backup status there). On the primary's disk, they go with it: copy them elsewhere."
  value       = module.database.backup_repository
}
