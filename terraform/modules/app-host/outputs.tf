output "user_data" {
  description = "cloud-init user data (#cloud-config) for the app machine. It holds the database password (and the admin's, where set)."
  value       = local.user_data
  sensitive   = true
}

output "health_check_path" {
  description = "The path a load balancer should check: 200 once inkwell reaches PostgreSQL and the schema is current, 503 before."
  value       = "/readyz"
}
