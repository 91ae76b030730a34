variable "name" {
  type        = string
  description = "Host name of the load balancer machine (a DNS label: lower-case letters, digits and hyphens)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.name))
    error_message = "The name must be a DNS label: 1 to 63 of a-z, 0-9 and -, starting with a letter."
  }
}

variable "backends" {
  type        = list(string)
  description = "IPv4 addresses of the app machines; nginx on each answers on backend_port."

  validation {
    condition     = length(var.backends) > 0 && alltrue([for b in var.backends : can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", b))])
    error_message = "backends must hold at least one IPv4 address such as 10.0.1.10."
  }
}

variable "backend_port" {
  type        = number
  description = "The port the app machines' nginx listens on."
  default     = 80

  validation {
    condition     = var.backend_port >= 1 && var.backend_port <= 65535 && floor(var.backend_port) == var.backend_port
    error_message = "backend_port must be a whole number from 1 to 65535."
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
