# inkwell on AWS: an application load balancer in two public subnets; app
# machines, the database primary and replicas, and the cache in two
# private subnets (out through a NAT gateway, for Debian's mirror); each
# machine set up at first boot by cloud-init from the user data
# terraform/modules render.
#
#   internet -> ALB (80, 443) -> app machines (nginx + inkwell)
#                                  -> pgbouncer (6432) on the database machines
#                                  -> Redis (6379) on the cache machine
#
# The database and cache machines get fixed private addresses, so the
# modules know them before any machine exists. The inkwell package goes
# to an S3 bucket that only this VPC's gateway endpoint can read.

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "inkwell"
      Environment = var.prefix
    }
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

# Debian's own images (the account Debian publishes them from).
data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

locals {
  azs             = slice(data.aws_availability_zones.available.names, 0, 2)
  public_subnets  = [for i in range(2) : cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), i)]
  private_subnets = [for i in range(2) : cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), 10 + i)]

  # Fixed addresses: the primary and the cache in the first private
  # subnet, the replicas alternating between the two.
  primary_address   = cidrhost(local.private_subnets[0], 20)
  replica_addresses = [for i in range(var.replica_count) : cidrhost(local.private_subnets[(i + 1) % 2], 21 + i)]
  cache_address     = cidrhost(local.private_subnets[0], 30)

  # HTTPS with a certificate given (certificate_arn), or with one made
  # here in ACM for domain_name. Either way the load balancer ends TLS;
  # the app machines behind it see plain HTTP, and base_url tells them
  # (their links, feeds and Secure cookies) what readers see.
  https    = var.certificate_arn != "" || var.domain_name != ""
  acm      = var.certificate_arn == "" && var.domain_name != ""
  scheme   = local.https ? "https" : "http"
  host     = var.domain_name == "" ? aws_lb.inkwell.dns_name : var.domain_name
  base_url = "${local.scheme}://${local.host}"
}

# --- the network ----------------------------------------------------------------

resource "aws_vpc" "inkwell" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.prefix }
}

resource "aws_internet_gateway" "inkwell" {
  vpc_id = aws_vpc.inkwell.id
  tags   = { Name = var.prefix }
}

resource "aws_subnet" "public" {
  count = 2

  vpc_id            = aws_vpc.inkwell.id
  cidr_block        = local.public_subnets[count.index]
  availability_zone = local.azs[count.index]
  tags              = { Name = "${var.prefix}-public-${count.index + 1}" }
}

resource "aws_subnet" "private" {
  count = 2

  vpc_id            = aws_vpc.inkwell.id
  cidr_block        = local.private_subnets[count.index]
  availability_zone = local.azs[count.index]
  tags              = { Name = "${var.prefix}-private-${count.index + 1}" }
}

resource "aws_eip" "nat" {
  domain = "vpc"
  tags   = { Name = "${var.prefix}-nat" }
}

resource "aws_nat_gateway" "inkwell" {
  allocation_id = aws_eip.nat.id
  subnet_id     = aws_subnet.public[0].id
  tags          = { Name = var.prefix }

  depends_on = [aws_internet_gateway.inkwell]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.inkwell.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.inkwell.id
  }

  tags = { Name = "${var.prefix}-public" }
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.inkwell.id

  route {
    cidr_block     = "0.0.0.0/0"
    nat_gateway_id = aws_nat_gateway.inkwell.id
  }

  tags = { Name = "${var.prefix}-private" }
}

resource "aws_route_table_association" "public" {
  count = 2

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "private" {
  count = 2

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private.id
}

# S3 from the private subnets without the NAT gateway; the package's
# bucket admits requests through this endpoint only.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.inkwell.id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
  tags              = { Name = "${var.prefix}-s3" }
}

# --- the package ------------------------------------------------------------------

resource "aws_s3_bucket" "packages" {
  bucket_prefix = "${var.prefix}-packages-"
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "packages" {
  bucket                  = aws_s3_bucket.packages.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Anonymous reads, through this VPC's endpoint only (S3 does not count a
# policy bound to aws:SourceVpce as public): the machines need neither
# credentials nor the AWS CLI to download the package with curl.
resource "aws_s3_bucket_policy" "packages" {
  bucket = aws_s3_bucket.packages.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReadFromTheVpc"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.packages.arn}/*"
      Condition = { StringEquals = { "aws:SourceVpce" = aws_vpc_endpoint.s3.id } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.packages]
}

resource "aws_s3_object" "inkwell_deb" {
  bucket = aws_s3_bucket.packages.id
  key    = basename(var.inkwell_deb_path)
  source = var.inkwell_deb_path
  etag   = filemd5(var.inkwell_deb_path)
}

# --- backups -----------------------------------------------------------------------
#
# pgBackRest's repository (repo1, inkwell-backup(8)): the database
# primary writes its full and differential backups and every WAL segment
# here, through the VPC's S3 endpoint, as the role of its instance
# profile (--s3-key-type auto), which may use this bucket and nothing
# else. Versioned, so a backup deleted or overwritten (by pgBackRest's
# own expiry, a mistake, or whoever takes the machine) stays for
# backup_noncurrent_days; pgBackRest's retention decides what is current.
# "terraform destroy" leaves a bucket that holds backups, and fails.

resource "aws_s3_bucket" "backups" {
  bucket_prefix = "${var.prefix}-backups-"
  force_destroy = false
  tags          = { Name = "${var.prefix}-backups" }
}

resource "aws_s3_bucket_ownership_controls" "backups" {
  bucket = aws_s3_bucket.backups.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "backups" {
  bucket                  = aws_s3_bucket.backups.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "backups" {
  bucket = aws_s3_bucket.backups.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Current objects are pgBackRest's to expire (repo1-retention-*): a rule
# that expired them would break the chain of WAL a restore needs. Old
# versions go after backup_noncurrent_days, so do uploads left halfway.
resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  bucket = aws_s3_bucket.backups.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.backup_noncurrent_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }

    expiration {
      expired_object_delete_marker = true
    }
  }

  depends_on = [aws_s3_bucket_versioning.backups]
}

# Over TLS only.
resource "aws_s3_bucket_policy" "backups" {
  bucket = aws_s3_bucket.backups.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TlsOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.backups.arn, "${aws_s3_bucket.backups.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.backups]
}

# The database primary's identity: this bucket's objects, and nothing
# else of the account.
resource "aws_iam_role" "database" {
  name_prefix = "${var.prefix}-db-"
  description = "inkwell database primary: pgBackRest's repository in S3"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "database_backups" {
  name_prefix = "backups-"
  role        = aws_iam_role.database.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "TheBucket"
        Effect   = "Allow"
        Action   = ["s3:ListBucket", "s3:GetBucketLocation"]
        Resource = aws_s3_bucket.backups.arn
      },
      {
        Sid      = "ItsObjects"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "${aws_s3_bucket.backups.arn}/*"
      },
    ]
  })
}

resource "aws_iam_instance_profile" "database" {
  name_prefix = "${var.prefix}-db-"
  role        = aws_iam_role.database.name
}

# --- firewalls ----------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name_prefix = "${var.prefix}-alb-"
  description = "inkwell load balancer: HTTP and HTTPS from anywhere"
  vpc_id      = aws_vpc.inkwell.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "app" {
  name_prefix = "${var.prefix}-app-"
  description = "inkwell app machines: HTTP from the load balancer"
  vpc_id      = aws_vpc.inkwell.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "database" {
  name_prefix = "${var.prefix}-db-"
  description = "inkwell database machines: pgbouncer from the app machines, replication among themselves"
  vpc_id      = aws_vpc.inkwell.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "cache" {
  name_prefix = "${var.prefix}-cache-"
  description = "inkwell cache machine: Redis from the app machines"
  vpc_id      = aws_vpc.inkwell.id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  count = local.https ? 1 : 0

  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 80
  to_port                      = 80
}

resource "aws_vpc_security_group_ingress_rule" "database_from_app" {
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 6432
  to_port                      = 6432
}

resource "aws_vpc_security_group_ingress_rule" "database_replication" {
  security_group_id            = aws_security_group.database.id
  referenced_security_group_id = aws_security_group.database.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_app" {
  security_group_id            = aws_security_group.cache.id
  referenced_security_group_id = aws_security_group.app.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
}

# Out: Debian's mirror (through the NAT gateway), S3, and each other.
resource "aws_vpc_security_group_egress_rule" "machines" {
  for_each = {
    app      = aws_security_group.app.id
    database = aws_security_group.database.id
    cache    = aws_security_group.cache.id
  }

  security_group_id = each.value
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# SSH, with a key pair only: through an EC2 Instance Connect endpoint
# (aws ec2-instance-connect ssh --instance-id ID --connection-type eice).
resource "aws_security_group" "eice" {
  count = var.ssh_key_name == "" ? 0 : 1

  name_prefix = "${var.prefix}-eice-"
  description = "EC2 Instance Connect endpoint: SSH to the machines"
  vpc_id      = aws_vpc.inkwell.id
}

resource "aws_vpc_security_group_egress_rule" "eice_ssh" {
  count = var.ssh_key_name == "" ? 0 : 1

  security_group_id = aws_security_group.eice[0].id
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
}

resource "aws_vpc_security_group_ingress_rule" "ssh_from_eice" {
  for_each = var.ssh_key_name == "" ? {} : {
    app      = aws_security_group.app.id
    database = aws_security_group.database.id
    cache    = aws_security_group.cache.id
  }

  security_group_id            = each.value
  referenced_security_group_id = aws_security_group.eice[0].id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
}

resource "aws_ec2_instance_connect_endpoint" "inkwell" {
  count = var.ssh_key_name == "" ? 0 : 1

  subnet_id          = aws_subnet.private[0].id
  security_group_ids = [aws_security_group.eice[0].id]
}

# --- the machines ---------------------------------------------------------------------

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
  client_cidrs         = local.private_subnets
  password             = random_password.database.result
  replication_password = random_password.replication.result
  pool_size            = var.database_pool_size
  max_client_conn      = var.database_pool_size * 4
  # Backups: the package for inkwell-backup, the repository in S3.
  inkwell_deb = {
    sha256 = filesha256(var.inkwell_deb_path)
    url    = "https://${aws_s3_bucket.packages.bucket_regional_domain_name}/${aws_s3_object.inkwell_deb.key}"
  }
  backup_s3              = { bucket = aws_s3_bucket.backups.bucket, region = var.region }
  backup_repo_path       = "/pgbackrest"
  backup_retention_full  = var.backup_retention_full
  backup_retention_diff  = var.backup_retention_diff
  backup_archive_timeout = var.backup_archive_timeout
}

module "cache" {
  source = "../../modules/cache"

  name     = "${var.prefix}-cache"
  address  = local.cache_address
  password = random_password.redis.result
}

module "app" {
  source = "../../modules/app-host"
  count  = var.app_count

  name = "${var.prefix}-app-${count.index + 1}"
  inkwell_deb = {
    sha256 = filesha256(var.inkwell_deb_path)
    url    = "https://${aws_s3_bucket.packages.bucket_regional_domain_name}/${aws_s3_object.inkwell_deb.key}"
  }
  database_primary = module.database.primary_conninfo
  database_replica = var.replica_count == 0 ? "" : module.database.replica_conninfos[count.index % var.replica_count]
  redis_address    = module.cache.redis_address
  redis_password   = random_password.redis.result
  base_url         = local.base_url
  # The load balancer's nodes live in the public subnets.
  trusted_proxies = local.public_subnets
  admin_password  = count.index == 0 ? random_password.admin.result : ""
}

locals {
  instance_common = {
    ami      = data.aws_ami.debian.id
    key_name = var.ssh_key_name == "" ? null : var.ssh_key_name
  }
}

resource "aws_instance" "database_primary" {
  ami                         = local.instance_common.ami
  key_name                    = local.instance_common.key_name
  instance_type               = var.instance_types.database
  subnet_id                   = aws_subnet.private[0].id
  private_ip                  = local.primary_address
  vpc_security_group_ids      = [aws_security_group.database.id]
  iam_instance_profile        = aws_iam_instance_profile.database.name
  user_data                   = module.database.primary_user_data
  user_data_replace_on_change = false

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.database_volume_gb
    encrypted   = true
  }

  tags = { Name = "${var.prefix}-db-1" }

  # The database lives here: neither a new Debian AMI nor a change in
  # the module's user data may replace the machine. New settings reach
  # new machines only (see the README).
  lifecycle {
    ignore_changes = [ami, user_data]
  }

  # Its provisioning downloads the package and takes the first backup.
  depends_on = [
    aws_route_table_association.private, aws_nat_gateway.inkwell, aws_s3_bucket_policy.packages,
    aws_iam_role_policy.database_backups, aws_s3_bucket_policy.backups,
    aws_s3_bucket_server_side_encryption_configuration.backups, aws_s3_bucket_versioning.backups,
  ]
}

resource "aws_instance" "database_replica" {
  count = var.replica_count

  ami                         = local.instance_common.ami
  key_name                    = local.instance_common.key_name
  instance_type               = var.instance_types.database
  subnet_id                   = aws_subnet.private[(count.index + 1) % 2].id
  private_ip                  = local.replica_addresses[count.index]
  vpc_security_group_ids      = [aws_security_group.database.id]
  user_data                   = module.database.replica_user_data[count.index]
  user_data_replace_on_change = false

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.database_volume_gb
    encrypted   = true
  }

  tags = { Name = "${var.prefix}-db-${count.index + 2}" }

  # The database lives here: neither a new Debian AMI nor a change in
  # the module's user data may replace the machine. New settings reach
  # new machines only (see the README).
  lifecycle {
    ignore_changes = [ami, user_data]
  }

  depends_on = [aws_route_table_association.private, aws_nat_gateway.inkwell]
}

resource "aws_instance" "cache" {
  ami                         = local.instance_common.ami
  key_name                    = local.instance_common.key_name
  instance_type               = var.instance_types.cache
  subnet_id                   = aws_subnet.private[0].id
  private_ip                  = local.cache_address
  vpc_security_group_ids      = [aws_security_group.cache.id]
  user_data                   = module.cache.user_data
  user_data_replace_on_change = true

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    encrypted   = true
  }

  tags = { Name = "${var.prefix}-cache" }

  depends_on = [aws_route_table_association.private, aws_nat_gateway.inkwell]
}

resource "aws_instance" "app" {
  count = var.app_count

  ami                         = local.instance_common.ami
  key_name                    = local.instance_common.key_name
  instance_type               = var.instance_types.app
  subnet_id                   = aws_subnet.private[count.index % 2].id
  vpc_security_group_ids      = [aws_security_group.app.id]
  user_data                   = module.app[count.index].user_data
  user_data_replace_on_change = true

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    encrypted   = true
  }

  tags = { Name = "${var.prefix}-app-${count.index + 1}" }

  lifecycle {
    precondition {
      condition     = var.app_count * 4 + 10 <= var.database_pool_size
      error_message = "${var.app_count} app machines of 4 workers need database_pool_size of at least ${var.app_count * 4 + 10} (pgbouncer's pool; raising it takes effect on new database machines only, see the README)."
    }
  }

  depends_on = [aws_route_table_association.private, aws_nat_gateway.inkwell, aws_s3_bucket_policy.packages]
}

# --- the load balancer ----------------------------------------------------------------

resource "aws_lb" "inkwell" {
  name               = var.prefix
  load_balancer_type = "application"
  subnets            = aws_subnet.public[*].id
  security_groups    = [aws_security_group.alb.id]
  # The app machines' nginx trusts X-Forwarded-For from the public
  # subnets; the load balancer appends the reader's address to it.
  xff_header_processing_mode = "append"

  lifecycle {
    precondition {
      condition     = var.route53_zone_id == "" || var.domain_name != ""
      error_message = "route53_zone_id is set, but domain_name is not: the zone is for the blog's name and its certificate."
    }
  }
}

resource "aws_lb_target_group" "app" {
  name_prefix = "inkw-"
  port        = 80
  protocol    = "HTTP"
  vpc_id      = aws_vpc.inkwell.id

  # 200 once the machine reaches PostgreSQL with the schema current: a
  # machine still provisioning gets no readers.
  health_check {
    path                = module.app[0].health_check_path
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  # inkwelld lets requests in flight finish within 30 s of a stop.
  deregistration_delay = 35

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_target_group_attachment" "app" {
  count = var.app_count

  target_group_arn = aws_lb_target_group.app.arn
  target_id        = aws_instance.app[count.index].id
  port             = 80
}

# --- the certificate -------------------------------------------------------------------
#
# With domain_name and no certificate_arn: a certificate from ACM,
# validated through DNS. With route53_zone_id the validation records go
# into that zone (and the blog's name becomes an alias of the load
# balancer); without it, they are the certificate_validation_records
# output, for the operator to create wherever the domain's DNS lives, and
# the HTTPS listener waits until ACM has seen them.

resource "aws_acm_certificate" "inkwell" {
  count = local.acm ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"
  tags              = { Name = var.prefix }

  # A new name: the new certificate is in place before the old one goes.
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  for_each = {
    for o in flatten(aws_acm_certificate.inkwell[*].domain_validation_options) :
    o.domain_name => o if var.route53_zone_id != ""
  }

  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

# Waits until ACM says the certificate is issued (up to 75 minutes, the
# provider's default): at once with the records made above, or once the
# operator has made them by hand.
resource "aws_acm_certificate_validation" "inkwell" {
  count = local.acm ? 1 : 0

  certificate_arn         = aws_acm_certificate.inkwell[0].arn
  validation_record_fqdns = var.route53_zone_id == "" ? null : [for r in aws_route53_record.certificate_validation : r.fqdn]
}

resource "aws_route53_record" "blog" {
  count = var.route53_zone_id != "" && var.domain_name != "" ? 1 : 0

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.inkwell.dns_name
    zone_id                = aws_lb.inkwell.zone_id
    evaluate_target_health = false
  }
}

locals {
  # The validated certificate: the listener is made only once ACM has
  # issued it.
  certificate_arn = var.certificate_arn != "" ? var.certificate_arn : one(aws_acm_certificate_validation.inkwell[*].certificate_arn)
}

# --- the listeners ----------------------------------------------------------------------
#
# HTTPS on 443, TLS 1.2 and 1.3 only (ELBSecurityPolicy-TLS13-1-2-2021-06:
# no TLS 1.0 or 1.1, and only forward-secret ECDHE suites for 1.2); port
# 80 sends readers there with a 301. Without a certificate, port 80
# serves the blog.

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.inkwell.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.app.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.inkwell.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}
