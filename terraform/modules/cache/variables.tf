variable "name" {
  type        = string
  description = "Host name of the cache machine (a DNS label: lower-case letters, digits and hyphens)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.name))
    error_message = "The name must be a DNS label: 1 to 63 of a-z, 0-9 and -, starting with a letter."
  }
}

variable "address" {
  type        = string
  description = "The machine's private IPv4 address. Redis listens on it (and on 127.0.0.1) and nowhere else."

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.address))
    error_message = "The address must be an IPv4 address such as 10.0.1.30."
  }
}

variable "password" {
  type        = string
  description = "Redis's requirepass: app machines send it with AUTH (the app-host module's redis_password). random_password with special = false makes a good one."
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_.~-]{16,128}$", var.password))
    error_message = "The password must be 16 to 128 of A-Z, a-z, 0-9, _ . ~ and - (it is written into redis.conf unquoted)."
  }
}

variable "port" {
  type        = number
  description = "TCP port Redis listens on."
  default     = 6379

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "The port must be a whole number from 1 to 65535."
  }
}

variable "maxmemory_mb" {
  type        = number
  description = "Memory Redis may use for cached pages, in MiB; past it, the least recently used pages are dropped."
  default     = 256

  validation {
    condition     = var.maxmemory_mb >= 16 && floor(var.maxmemory_mb) == var.maxmemory_mb
    error_message = "maxmemory_mb must be a whole number of at least 16."
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
  description = "Install Debian's Prometheus exporter for what this machine runs (prometheus-redis-exporter) and run \"inkwell-exporters enable\" (inkwell-exporters(8)) once it is provisioned."
  default     = false
}

variable "exporters_listen_address" {
  type        = string
  description = "The address the exporter listens on (port 9121): 127.0.0.1 for a Prometheus on the machine, the machine's private address for one elsewhere (open the port to it alone)."
  default     = "127.0.0.1"

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.exporters_listen_address))
    error_message = "exporters_listen_address must be an IPv4 address, such as 127.0.0.1 or 10.0.1.30."
  }
}
