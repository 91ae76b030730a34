output "url" {
  description = "The blog, through the load balancer."
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

output "load_balancer_dns_name" {
  description = "The load balancer's DNS name: point the blog's DNS name at it (a CNAME, or an alias record)."
  value       = aws_lb.inkwell.dns_name
}

output "target_group_arn" {
  description = "The app machines' target group: aws elbv2 describe-target-health --target-group-arn ... shows which are healthy."
  value       = aws_lb_target_group.app.arn
}

output "package_url" {
  description = "Where the app machines download the inkwell package (readable from the VPC only)."
  value       = "https://${aws_s3_bucket.packages.bucket_regional_domain_name}/${aws_s3_object.inkwell_deb.key}"
}

output "instances" {
  description = "Every machine's instance id and private address (for aws ec2-instance-connect ssh --instance-id ID --connection-type eice, with ssh_key_name set)."
  value = merge(
    { for i, m in aws_instance.app : "app-${i + 1}" => { id = m.id, address = m.private_ip } },
    { "db-1" = { id = aws_instance.database_primary.id, address = aws_instance.database_primary.private_ip } },
    { for i, m in aws_instance.database_replica : "db-${i + 2}" => { id = m.id, address = m.private_ip } },
    { cache = { id = aws_instance.cache.id, address = aws_instance.cache.private_ip } },
  )
}

output "certificate_validation_records" {
  description = "The DNS records ACM wants before it issues the certificate made for domain_name (name, type, value), when no route53_zone_id makes them: create them where the domain's DNS lives. Empty otherwise."
  value = [
    for o in flatten(aws_acm_certificate.inkwell[*].domain_validation_options) :
    { name = o.resource_record_name, type = o.resource_record_type, value = o.resource_record_value }
    if var.route53_zone_id == ""
  ]
}

output "backup_bucket" {
  description = "The S3 bucket of the database's backups (pgBackRest's repo1): versioned, encrypted, private, for the primary's instance profile."
  value       = aws_s3_bucket.backups.bucket
}

output "backup_repository" {
  description = "Where the backups are: s3://BUCKET/pgbackrest (stanza inkwell; inkwell-backup status on the primary)."
  value       = module.database.backup_repository
}
