output "user_data" {
  description = "cloud-init user data (#cloud-config) for the load balancer machine."
  value       = local.user_data
}
