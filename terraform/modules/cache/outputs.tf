output "user_data" {
  description = "cloud-init user data (#cloud-config) for the cache machine (sensitive: it holds Redis's password)."
  value       = local.user_data
  sensitive   = true
}

output "redis_address" {
  description = "HOST:PORT of Redis, as inkwell's [redis] address takes it (the app-host module's redis_address)."
  value       = "${var.address}:${var.port}"
}
