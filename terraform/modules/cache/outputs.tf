output "user_data" {
  description = "cloud-init user data (#cloud-config) for the cache machine."
  value       = local.user_data
}

output "redis_address" {
  description = "HOST:PORT of Redis, as inkwell's [redis] address takes it (the app-host module's redis_address)."
  value       = "${var.address}:${var.port}"
}
