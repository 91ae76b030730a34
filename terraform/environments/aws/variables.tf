variable "region" {
  type        = string
  description = "The AWS region to build in."
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "prefix" {
  type        = string
  description = "Starts the Name tag of everything made here, and the machines' host names."
  default     = "inkwell"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,23}$", var.prefix))
    error_message = "prefix must be 1 to 24 of a-z, 0-9 and -, starting with a letter (load balancer names are short)."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "The VPC's network. Two public /24 subnets (the load balancer, the NAT gateway) and two private ones (every machine) are cut from it."
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 22
    error_message = "vpc_cidr must be an IPv4 network of /22 or larger, such as 10.42.0.0/16."
  }
}

variable "app_count" {
  type        = number
  description = "How many app machines (nginx and inkwell) behind the load balancer, spread over two availability zones. The scaling knob: app machines keep no state."
  default     = 2

  validation {
    condition     = var.app_count >= 1 && var.app_count <= 50 && floor(var.app_count) == var.app_count
    error_message = "app_count must be a whole number from 1 to 50."
  }
}

variable "replica_count" {
  type        = number
  description = "How many streaming replicas of the database (0: reads go to the primary). App machine i reads from replica i modulo replica_count."
  default     = 1

  validation {
    condition     = var.replica_count >= 0 && var.replica_count <= 5 && floor(var.replica_count) == var.replica_count
    error_message = "replica_count must be a whole number from 0 to 5."
  }
}

variable "instance_types" {
  type = object({
    app      = string
    database = string
    cache    = string
  })
  description = "EC2 instance type of each kind of machine."
  default = {
    app      = "t3.small"
    database = "t3.medium"
    cache    = "t3.small"
  }

  validation {
    condition     = alltrue([for t in values(var.instance_types) : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "Each instance type must look like t3.small."
  }
}

variable "database_pool_size" {
  type        = number
  description = "pgbouncer's server connections to each database machine's PostgreSQL (max_connections is 20 more). Every inkwell worker holds one (4 per app machine): at least app_count x 4 + 10, which a precondition checks. Fixed when a database machine is made: choose it for the app_count you may grow to."
  default     = 100

  validation {
    condition     = var.database_pool_size >= 20 && var.database_pool_size <= 1000 && floor(var.database_pool_size) == var.database_pool_size
    error_message = "database_pool_size must be a whole number from 20 to 1000."
  }
}

variable "database_volume_gb" {
  type        = number
  description = "Size of each database machine's root volume (gp3, encrypted), in GiB."
  default     = 20

  validation {
    condition     = var.database_volume_gb >= 8 && floor(var.database_volume_gb) == var.database_volume_gb
    error_message = "database_volume_gb must be a whole number of at least 8."
  }
}

variable "inkwell_deb_path" {
  type        = string
  description = "Path to the inkwell Debian package on this machine (script/deb prints it: build/deb/inkwell_VERSION_amd64.deb). It is uploaded to an S3 bucket that only this VPC can read, and the app machines download it from there."

  validation {
    condition     = can(regex("\\.deb$", var.inkwell_deb_path))
    error_message = "inkwell_deb_path must name a .deb file."
  }
}

variable "domain_name" {
  type        = string
  description = "The blog's host name. Set: HTTPS on 443 with a certificate for it (from ACM, validated through DNS, unless certificate_arn gives one), port 80 redirected there, and base_url https://domain_name. Empty: the load balancer's own DNS name, over HTTP."
  default     = ""

  validation {
    condition     = var.domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be empty or a host name such as blog.example.org."
  }
}

variable "route53_zone_id" {
  type        = string
  description = "A Route 53 hosted zone that holds domain_name. Set: the certificate's DNS validation records and an alias record for domain_name (to the load balancer) go there. Empty: make the records of the certificate_validation_records output yourself, where the domain's DNS lives; the HTTPS listener waits until ACM has seen them."
  default     = ""

  validation {
    condition     = var.route53_zone_id == "" || can(regex("^Z[A-Z0-9]{1,31}$", var.route53_zone_id))
    error_message = "route53_zone_id must be empty or a hosted zone id such as Z0123456789ABCDEFGHIJ."
  }
}

variable "certificate_arn" {
  type        = string
  description = "An ACM certificate you already have, in the same region, for domain_name (no certificate is made here then). Set: HTTPS on 443 and HTTP redirected to it. Empty: with domain_name, a certificate is made in ACM; without, HTTP on 80 only."
  default     = ""

  validation {
    condition     = var.certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be empty or an ACM certificate ARN."
  }
}

variable "ssh_key_name" {
  type        = string
  description = "An EC2 key pair for the machines' default user (debian). Set: an EC2 Instance Connect endpoint lets you reach them (they have no public address). Empty: no SSH at all."
  default     = ""
}

variable "backup_retention_full" {
  type        = number
  description = "Full backups pgBackRest keeps in the bucket (one a week, Sundays 03:00 UTC)."
  default     = 4

  validation {
    condition     = var.backup_retention_full >= 1 && var.backup_retention_full <= 100 && floor(var.backup_retention_full) == var.backup_retention_full
    error_message = "backup_retention_full must be a whole number from 1 to 100."
  }
}

variable "backup_retention_diff" {
  type        = number
  description = "Differential backups pgBackRest keeps (one a day, Monday to Saturday)."
  default     = 6

  validation {
    condition     = var.backup_retention_diff >= 1 && var.backup_retention_diff <= 365 && floor(var.backup_retention_diff) == var.backup_retention_diff
    error_message = "backup_retention_diff must be a whole number from 1 to 365."
  }
}

variable "backup_archive_timeout" {
  type        = number
  description = "PostgreSQL's archive_timeout in seconds: at least this often the primary sends a WAL segment to the bucket, so losing the machine loses at most this much of the last writes."
  default     = 60

  validation {
    condition     = var.backup_archive_timeout >= 15 && var.backup_archive_timeout <= 3600 && floor(var.backup_archive_timeout) == var.backup_archive_timeout
    error_message = "backup_archive_timeout must be a whole number of seconds from 15 to 3600."
  }
}

variable "backup_noncurrent_days" {
  type        = number
  description = "Days the backup bucket keeps an object's old versions (what pgBackRest expired or anyone deleted or overwrote) before S3 removes them."
  default     = 30

  validation {
    condition     = var.backup_noncurrent_days >= 1 && var.backup_noncurrent_days <= 3650 && floor(var.backup_noncurrent_days) == var.backup_noncurrent_days
    error_message = "backup_noncurrent_days must be a whole number from 1 to 3650."
  }
}
