variable "name" {
  type        = string
  description = "Host name of the app machine (a DNS label: lower-case letters, digits and hyphens)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.name))
    error_message = "The name must be a DNS label: 1 to 63 of a-z, 0-9 and -, starting with a letter."
  }
}

variable "inkwell_deb" {
  type = object({
    sha256         = string
    url            = optional(string)
    content_base64 = optional(string)
  })
  description = "The inkwell Debian package (script/deb builds it): its SHA-256, and either a url the machine downloads it from or the package itself, base64-encoded (filebase64()), carried in the user data. The machine installs it only when the digest matches."

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.inkwell_deb.sha256))
    error_message = "inkwell_deb.sha256 must be 64 lower-case hex digits (sha256sum's, or filesha256())."
  }

  validation {
    condition     = (var.inkwell_deb.url == null) != (var.inkwell_deb.content_base64 == null)
    error_message = "Set exactly one of inkwell_deb.url and inkwell_deb.content_base64."
  }

  validation {
    condition     = var.inkwell_deb.url == null || can(regex("^https?://[A-Za-z0-9._~:/?#@!$&()*+,;=%\\[\\]-]+$", var.inkwell_deb.url))
    error_message = "inkwell_deb.url must be an http:// or https:// URL without spaces or quotes."
  }
}

variable "database_primary" {
  type        = string
  description = "libpq connection string for writes (the database module's primary_conninfo: the primary's pgbouncer). Written to a file only root and inkwell can read."
  sensitive   = true

  validation {
    condition     = can(regex("^[^\\r\\n]*host=[^\\r\\n]+$", var.database_primary))
    error_message = "database_primary must be one line of libpq key=value pairs, with a host=."
  }
}

variable "database_replica" {
  type        = string
  description = "libpq connection string for reads (one of the database module's replica_conninfos). Empty: reads go to the primary."
  sensitive   = true
  default     = ""

  validation {
    condition     = var.database_replica == "" || can(regex("^[^\\r\\n]*host=[^\\r\\n]+$", var.database_replica))
    error_message = "database_replica must be empty or one line of libpq key=value pairs, with a host=."
  }
}

variable "redis_address" {
  type        = string
  description = "HOST:PORT of the page cache (the cache module's redis_address). Empty: no Redis (pages come from PostgreSQL and page files)."
  default     = ""

  validation {
    condition     = var.redis_address == "" || can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}$", var.redis_address))
    error_message = "redis_address must be empty or HOST:PORT, such as 10.0.1.30:6379."
  }
}

variable "redis_password" {
  type        = string
  description = "Redis's password (the one given to the cache module), sent with AUTH. Written to a file only root and inkwell can read. Empty: none."
  sensitive   = true
  default     = ""

  validation {
    condition     = var.redis_password == "" || can(regex("^[A-Za-z0-9_.~-]{16,128}$", var.redis_password))
    error_message = "redis_password must be empty or 16 to 128 of A-Z, a-z, 0-9, _ . ~ and -."
  }
}

variable "base_url" {
  type        = string
  description = "The blog's address as readers see it (the load balancer's), for feeds, the sitemap and absolute links."

  validation {
    condition     = can(regex("^https?://[A-Za-z0-9.:\\[\\]_-]+(/[A-Za-z0-9._~/-]*)?$", var.base_url))
    error_message = "base_url must be http:// or https://, a host (and port), and an optional path, such as https://blog.example.org."
  }
}

variable "workers" {
  type        = number
  description = "FastCGI worker processes inkwelld runs on this machine. Each holds one connection to pgbouncer (two with a replica)."
  default     = 4

  validation {
    condition     = var.workers >= 1 && var.workers <= 256 && floor(var.workers) == var.workers
    error_message = "workers must be a whole number from 1 to 256 (inkwell's bounds)."
  }
}

variable "trusted_proxies" {
  type        = list(string)
  description = "Networks (IPv4 CIDR) of the load balancer. nginx takes the client's address from X-Forwarded-For only from these, so that its rate limits count readers, not the load balancer."
  default     = []

  validation {
    condition     = alltrue([for c in var.trusted_proxies : can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$", c))])
    error_message = "Each trusted proxy must be an IPv4 network such as 10.0.0.0/16."
  }
}

variable "admin_user" {
  type        = string
  description = "User name of the first admin, made when admin_password is set."
  default     = "admin"

  validation {
    condition     = can(regex("^[a-z0-9_][a-z0-9_.-]{0,39}$", var.admin_user))
    error_message = "admin_user must be 1 to 40 of a-z, 0-9, _ . and -, not starting with . or -."
  }
}

variable "admin_password" {
  type        = string
  description = "Password of the first admin. Set it on one app host only (the environments set it on the first): that machine makes the user if the database has none of that name. Empty: no user is made."
  sensitive   = true
  default     = ""

  validation {
    condition     = var.admin_password == "" || (length(var.admin_password) >= 8 && can(regex("^[^\\x00-\\x1f\\x7f]+$", var.admin_password)))
    error_message = "admin_password must be empty or at least 8 characters without control characters (inkwell's rule)."
  }
}

variable "wait_seconds" {
  type        = number
  description = "How long the machine keeps trying to reach the database (which boots at the same time) to migrate it before its provisioning fails."
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

variable "enable_exporters" {
  type        = bool
  description = "Install Debian's Prometheus exporter for what this machine runs (prometheus-nginx-exporter) and run \"inkwell-exporters enable\" (inkwell-exporters(8)) once it is provisioned."
  default     = false
}

variable "exporters_listen_address" {
  type        = string
  description = "The address the exporter listens on (port 9113): 127.0.0.1 for a Prometheus on the machine, the machine's private address for one elsewhere (open the port to it alone)."
  default     = "127.0.0.1"

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.exporters_listen_address))
    error_message = "exporters_listen_address must be an IPv4 address, such as 127.0.0.1 or 10.0.1.30."
  }
}
