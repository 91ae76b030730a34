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

variable "domain_name" {
  type        = string
  description = "The blog's host name. Set: the machine gets a certificate for it from an ACME server (certbot, HTTP-01 through nginx on port 80), serves the blog with HTTPS on 443 and redirects HTTP there. Empty: HTTP on port 80 only."
  default     = ""

  validation {
    condition     = var.domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be empty or a lower-case host name such as blog.example.org."
  }
}

variable "acme_directory_url" {
  type        = string
  description = "The ACME server's directory URL certbot asks for the certificate (with domain_name). Let's Encrypt's production one by default; its staging one (https://acme-staging-v02.api.letsencrypt.org/directory) gives untrusted certificates without production's rate limits."
  default     = "https://acme-v02.api.letsencrypt.org/directory"

  validation {
    condition     = can(regex("^https://[A-Za-z0-9.:\\[\\]_-]+(/[A-Za-z0-9._~/%-]*)?$", var.acme_directory_url))
    error_message = "acme_directory_url must be an https:// URL without spaces or quotes, such as https://acme-v02.api.letsencrypt.org/directory."
  }
}

variable "acme_email" {
  type        = string
  description = "Contact e-mail for the ACME account (the CA writes there about expiring certificates and problems). Empty: an account without one."
  default     = ""

  validation {
    condition     = var.acme_email == "" || can(regex("^[A-Za-z0-9._%+-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$", var.acme_email))
    error_message = "acme_email must be empty or an e-mail address such as hostmaster@example.org."
  }
}

variable "acme_ca_certificate" {
  type        = string
  description = "PEM certificate(s) that the ACME server's own HTTPS certificate chains to, for a private ACME server whose certificate Debian's CA bundle does not trust. Empty: Debian's CA bundle."
  default     = ""

  validation {
    condition     = var.acme_ca_certificate == "" || can(regex("^-----BEGIN CERTIFICATE-----\\n[A-Za-z0-9+/=\\n]+-----END CERTIFICATE-----\\n?", var.acme_ca_certificate))
    error_message = "acme_ca_certificate must be empty or PEM text starting with -----BEGIN CERTIFICATE-----."
  }
}

variable "hsts" {
  type = object({
    max_age = optional(number, 86400)
    preload = optional(bool, false)
  })
  description = "The Strict-Transport-Security header on HTTPS answers (with domain_name): max_age in seconds (a day by default, so a mistake costs a day; a year, 31536000, once HTTPS has proven itself); preload adds includeSubDomains and preload, for the browsers' preload list, which wants a max_age of a year or more."
  default     = {}

  validation {
    condition     = var.hsts.max_age >= 0 && floor(var.hsts.max_age) == var.hsts.max_age && (!var.hsts.preload || var.hsts.max_age >= 31536000)
    error_message = "hsts.max_age must be a whole number of seconds, and at least 31536000 (a year) with preload."
  }
}
