variable "primary" {
  type = object({
    name    = string
    address = string
  })
  description = "The primary: its host name (a DNS label) and private IPv4 address. Writes go here."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.primary.name))
    error_message = "primary.name must be a DNS label: 1 to 63 of a-z, 0-9 and -, starting with a letter."
  }

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.primary.address))
    error_message = "primary.address must be an IPv4 address such as 10.0.1.20."
  }
}

variable "replicas" {
  type = list(object({
    name    = string
    address = string
  }))
  description = "Streaming replicas of the primary, each with its host name and private IPv4 address; reads may go there. Empty: none."
  default     = []

  validation {
    condition     = alltrue([for r in var.replicas : can(regex("^[a-z][a-z0-9-]{0,62}$", r.name))])
    error_message = "Each replica's name must be a DNS label: 1 to 63 of a-z, 0-9 and -, starting with a letter."
  }

  validation {
    condition     = alltrue([for r in var.replicas : can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", r.address))])
    error_message = "Each replica's address must be an IPv4 address such as 10.0.1.21."
  }
}

variable "client_cidrs" {
  type        = list(string)
  description = "Networks (IPv4 CIDR) whose machines may connect to pgbouncer: the app hosts' subnets. The network in front must admit the same, and no more."

  validation {
    condition     = length(var.client_cidrs) > 0 && alltrue([for c in var.client_cidrs : can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$", c))])
    error_message = "client_cidrs must hold at least one IPv4 network such as 10.0.1.0/24."
  }
}

variable "database" {
  type        = string
  description = "Name of inkwell's database."
  default     = "inkwell"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.database))
    error_message = "The database name must be 1 to 63 of a-z, 0-9 and _, not starting with a digit."
  }
}

variable "user" {
  type        = string
  description = "The role inkwell connects as; it owns the database."
  default     = "inkwell"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.user)) && var.user != "postgres" && var.user != "replicator"
    error_message = "The user must be 1 to 63 of a-z, 0-9 and _, not starting with a digit, and neither postgres nor replicator."
  }
}

variable "password" {
  type        = string
  description = "Password of the role inkwell connects as (random_password with special = false makes a good one)."
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_.~-]{16,128}$", var.password))
    error_message = "The password must be 16 to 128 of A-Z, a-z, 0-9, _ . ~ and - (it is written into libpq connection strings and pgbouncer's user list unquoted)."
  }
}

variable "replication_password" {
  type        = string
  description = "Password of the role replicator, which the replicas stream the primary's WAL as."
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_.~-]{16,128}$", var.replication_password))
    error_message = "The replication password must be 16 to 128 of A-Z, a-z, 0-9, _ . ~ and -."
  }
}

variable "pgbouncer_port" {
  type        = number
  description = "TCP port pgbouncer listens on, on every database machine; inkwell connects there."
  default     = 6432

  validation {
    condition     = var.pgbouncer_port >= 1 && var.pgbouncer_port <= 65535 && floor(var.pgbouncer_port) == var.pgbouncer_port && var.pgbouncer_port != 5432
    error_message = "pgbouncer_port must be a whole number from 1 to 65535, and not PostgreSQL's 5432."
  }
}

variable "pool_size" {
  type        = number
  description = "Server connections pgbouncer opens to PostgreSQL per database and user (PostgreSQL's max_connections is set to this plus 20). Each inkwell worker holds one client connection to the primary for its whole life (session pooling), and one to its replica when it has one: make it at least app hosts x workers, and leave room for inkwellctl."
  default     = 40

  validation {
    condition     = var.pool_size >= 1 && var.pool_size <= 500 && floor(var.pool_size) == var.pool_size
    error_message = "pool_size must be a whole number from 1 to 500."
  }
}

variable "max_client_conn" {
  type        = number
  description = "Client connections pgbouncer accepts; past pool_size they wait for a server connection."
  default     = 400

  validation {
    condition     = var.max_client_conn >= 1 && floor(var.max_client_conn) == var.max_client_conn
    error_message = "max_client_conn must be a whole number of at least 1."
  }
}

variable "statement_timeout_ms" {
  type        = number
  description = "statement_timeout of the role inkwell connects as, in ms. pgbouncer cannot pass on the settings inkwell asks for at connection time (the startup parameter options), so the role carries them: this one and the planner settings inkwell's [database] section documents."
  default     = 5000

  validation {
    condition     = var.statement_timeout_ms >= 10 && var.statement_timeout_ms <= 600000 && floor(var.statement_timeout_ms) == var.statement_timeout_ms
    error_message = "statement_timeout_ms must be a whole number from 10 to 600000 (inkwell's own bounds)."
  }
}

variable "wal_keep_size_mb" {
  type        = number
  description = "WAL the primary keeps for replicas that fall behind, in MiB. No replication slots are used, so a replica away for longer than this much WAL must be made again."
  default     = 1024

  validation {
    condition     = var.wal_keep_size_mb >= 64 && floor(var.wal_keep_size_mb) == var.wal_keep_size_mb
    error_message = "wal_keep_size_mb must be a whole number of at least 64."
  }
}

variable "wait_seconds" {
  type        = number
  description = "How long a replica keeps trying to copy the primary (which boots at the same time) before its provisioning fails."
  default     = 900

  validation {
    condition     = var.wait_seconds >= 10 && floor(var.wait_seconds) == var.wait_seconds
    error_message = "wait_seconds must be a whole number of at least 10."
  }
}

variable "ssh_authorized_keys" {
  type        = list(string)
  description = "SSH public keys for the image's default user (debian on Debian's cloud images)."
  default     = []

  validation {
    condition     = alltrue([for k in var.ssh_authorized_keys : can(regex("^(ssh-|ecdsa-|sk-)[^\\n]+$", k))])
    error_message = "Each key must be one line of an OpenSSH public key (ssh-ed25519 AAAA..., ecdsa-sha2-..., ...)."
  }
}

variable "inkwell_deb" {
  type = object({
    sha256         = string
    url            = optional(string)
    content_base64 = optional(string)
  })
  description = "The inkwell Debian package (script/deb builds it; the app hosts' inkwell_deb): its SHA-256, and either a url the primary downloads it from or the package itself, base64-encoded (filebase64()). The primary installs it for inkwell-backup alone (no web server: nginx and inkwell's units are stopped and disabled there) and runs \"inkwell-backup enable\". null: no package, and no backups (the provisioning says so)."
  default     = null

  validation {
    condition     = alltrue([for d in [var.inkwell_deb] : can(regex("^[0-9a-f]{64}$", d.sha256)) if d != null])
    error_message = "inkwell_deb.sha256 must be 64 lower-case hex digits (sha256sum's, or filesha256())."
  }

  validation {
    condition     = alltrue([for d in [var.inkwell_deb] : (d.url == null) != (d.content_base64 == null) if d != null])
    error_message = "Set exactly one of inkwell_deb.url and inkwell_deb.content_base64."
  }

  validation {
    condition     = alltrue([for d in [var.inkwell_deb] : d.url == null || can(regex("^https?://[A-Za-z0-9._~:/?#@!$&()*+,;=%\\[\\]-]+$", d.url)) if d != null])
    error_message = "inkwell_deb.url must be an http:// or https:// URL without spaces or quotes."
  }
}

variable "backup_repo_path" {
  type        = string
  description = "pgBackRest's repository (inkwell-backup enable --repo): a directory on the primary, or with backup_s3 the path inside the bucket."
  default     = "/var/lib/pgbackrest"

  validation {
    condition     = can(regex("^/[A-Za-z0-9._/-]{0,200}$", var.backup_repo_path)) && !can(regex("(^|/)\\.\\.(/|$)", var.backup_repo_path))
    error_message = "backup_repo_path must be an absolute path of A-Z, a-z, 0-9, . _ / and -, without \"..\"."
  }
}

variable "backup_retention_full" {
  type        = number
  description = "Full backups pgBackRest keeps (one a week, Sundays); older ones, and the WAL only they need, are removed after each backup."
  default     = 2

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
  description = "PostgreSQL's archive_timeout, in seconds: at least this often a WAL segment goes to the repository even when it is not full, so losing the primary loses at most this much of the last writes. Each switch archives a segment (16 MiB, compressed), so lower costs space."
  default     = 60

  validation {
    condition     = var.backup_archive_timeout >= 15 && var.backup_archive_timeout <= 3600 && floor(var.backup_archive_timeout) == var.backup_archive_timeout
    error_message = "backup_archive_timeout must be a whole number of seconds from 15 to 3600."
  }
}

variable "backup_s3" {
  type = object({
    bucket   = string
    region   = string
    endpoint = optional(string)
  })
  description = "An S3 bucket as pgBackRest's repository instead of the primary's disk, reached with the machine's instance profile (--s3-key-type auto; the AWS environment makes the bucket, the role and the profile). endpoint defaults to s3.REGION.amazonaws.com. null: the repository is backup_repo_path on the primary."
  default     = null

  validation {
    condition     = alltrue([for s in [var.backup_s3] : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", s.bucket)) && !can(regex("\\.\\.", s.bucket)) if s != null])
    error_message = "backup_s3.bucket must be an S3 bucket name: 3 to 63 of a-z, 0-9, . and -."
  }

  validation {
    condition     = alltrue([for s in [var.backup_s3] : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", s.region)) if s != null])
    error_message = "backup_s3.region must be an AWS region name such as eu-central-1."
  }

  validation {
    condition     = alltrue([for s in [var.backup_s3] : s.endpoint == null || can(regex("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", s.endpoint)) if s != null])
    error_message = "backup_s3.endpoint must be a host name such as s3.eu-central-1.amazonaws.com (no scheme, no path)."
  }
}

variable "enable_exporters" {
  type        = bool
  description = "Install Debian's Prometheus exporter for what this machine runs (prometheus-postgres-exporter) and run \"inkwell-exporters enable\" (inkwell-exporters(8)) once it is provisioned."
  default     = false
}

variable "exporters_listen_address" {
  type        = string
  description = "The address the exporter listens on (port 9187): 127.0.0.1 for a Prometheus on the machine, the machine's private address for one elsewhere (open the port to it alone)."
  default     = "127.0.0.1"

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.exporters_listen_address))
    error_message = "exporters_listen_address must be an IPv4 address, such as 127.0.0.1 or 10.0.1.30."
  }
}
