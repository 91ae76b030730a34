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
