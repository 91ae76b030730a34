output "primary_user_data" {
  description = "cloud-init user data (#cloud-config) for the primary."
  value       = local.primary_user_data
  sensitive   = true
}

output "replica_user_data" {
  description = "cloud-init user data for each replica, in the order of var.replicas."
  value       = local.replica_user_data
  sensitive   = true
}

output "primary_address" {
  description = "Where inkwell writes: the primary's address (pgbouncer listens on pgbouncer_port there)."
  value       = var.primary.address
}

output "replica_addresses" {
  description = "The replicas' addresses, in the order of var.replicas (pgbouncer on pgbouncer_port on each)."
  value       = [for r in var.replicas : r.address]
}

output "pgbouncer_port" {
  description = "The port inkwell connects to on every database machine."
  value       = var.pgbouncer_port
}

output "primary_conninfo" {
  description = "libpq connection string for writes, through the primary's pgbouncer (password included)."
  value       = local.primary_conninfo
  sensitive   = true
}

output "replica_conninfos" {
  description = "libpq connection strings for reads, one per replica, through its pgbouncer (password included)."
  value       = local.replica_conninfos
  sensitive   = true
}

output "backup_repository" {
  description = "Where pgBackRest keeps the backups and archived WAL: s3://BUCKET/PATH, or PRIMARY-NAME:PATH on the primary's disk; empty without inkwell_deb (no backups)."
  value       = local.backup_repository
}

output "backup_stanza" {
  description = "pgBackRest's stanza for inkwell's cluster (pgbackrest --stanza=inkwell info; inkwell-backup status)."
  value       = "inkwell"
}
