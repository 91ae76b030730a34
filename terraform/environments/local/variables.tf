variable "libvirt_uri" {
  type        = string
  description = "The libvirt daemon to create the machines with."
  default     = "qemu:///system"
}

variable "pool" {
  type        = string
  description = "The libvirt storage pool for the disks (virsh pool-list)."
  default     = "default"
}

variable "prefix" {
  type        = string
  description = "Starts the name of every libvirt object made here (machines, disks, the network), and the machines' host names."
  default     = "inkwell"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,39}$", var.prefix))
    error_message = "prefix must be 1 to 40 of a-z, 0-9 and -, starting with a letter."
  }
}

variable "base_image" {
  type        = string
  description = "Debian 12 cloud image (qcow2) the machines' disks start from: a URL the provider downloads, or a local path. The \"generic\" image has Debian's full kernel, for local virtual hardware; the \"genericcloud\" one has a kernel trimmed for cloud platforms."
  default     = "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-generic-amd64.qcow2"
}

variable "network_cidr" {
  type        = string
  description = "The private network libvirt makes for the machines (NAT to the outside, which apt needs). The machines take fixed addresses in it: .10 the load balancer, .20 up the app hosts, .50 the database primary, .51 up its replicas, .60 the cache."
  default     = "10.17.71.0/24"

  validation {
    condition     = can(cidrhost(var.network_cidr, 254)) && tonumber(split("/", var.network_cidr)[1]) <= 24
    error_message = "network_cidr must be an IPv4 network of /24 or larger, such as 10.17.71.0/24."
  }
}

variable "app_count" {
  type        = number
  description = "How many app machines (nginx and inkwell) the load balancer spreads requests over."
  default     = 2

  validation {
    condition     = var.app_count >= 1 && var.app_count <= 20 && floor(var.app_count) == var.app_count
    error_message = "app_count must be a whole number from 1 to 20."
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

variable "inkwell_deb_path" {
  type        = string
  description = "Path to the inkwell Debian package on this machine (script/deb prints it: build/deb/inkwell_VERSION_amd64.deb). It travels to the app machines and the database primary (for inkwell-backup) inside their cloud-init disks."

  validation {
    condition     = can(regex("\\.deb$", var.inkwell_deb_path))
    error_message = "inkwell_deb_path must name a .deb file."
  }
}

variable "ssh_authorized_keys" {
  type        = list(string)
  description = "SSH public keys that may log in to every machine as debian (who may sudo). Without one, only the console (virsh console) lets you in, and Debian's cloud image has no password for it."
  default     = []

  validation {
    condition     = alltrue([for k in var.ssh_authorized_keys : can(regex("^(ssh-|ecdsa-|sk-)[^\\n]+$", k))])
    error_message = "Each key must be one line of an OpenSSH public key (ssh-ed25519 AAAA..., ecdsa-sha2-..., ...)."
  }
}

variable "memory_mb" {
  type = object({
    app      = number
    database = number
    cache    = number
    lb       = number
  })
  description = "Memory of each kind of machine, in MiB."
  default = {
    app      = 1024
    database = 2048
    cache    = 512
    lb       = 512
  }

  validation {
    condition     = alltrue([for m in values(var.memory_mb) : m >= 512])
    error_message = "Every machine needs at least 512 MiB."
  }
}

variable "disk_gb" {
  type        = number
  description = "Size of each machine's disk, in GiB (the cloud image grows into it at first boot)."
  default     = 10

  validation {
    condition     = var.disk_gb >= 4 && floor(var.disk_gb) == var.disk_gb
    error_message = "disk_gb must be a whole number of at least 4."
  }
}

variable "domain_name" {
  type        = string
  description = "The blog's host name. Set: the load balancer gets a certificate for it with certbot from the ACME server at acme_directory_url, serves HTTPS on 443 and redirects port 80 there, and base_url is https://domain_name. The name must resolve, for the ACME server, to an address whose port 80 reaches the load balancer (see the README). Empty: HTTP on the load balancer's address."
  default     = ""

  validation {
    condition     = var.domain_name == "" || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be empty or a lower-case host name such as blog.example.org."
  }
}

variable "acme_directory_url" {
  type        = string
  description = "The ACME server's directory URL (with domain_name). Let's Encrypt's production server by default; its staging server, https://acme-staging-v02.api.letsencrypt.org/directory, for trials; or a private ACME server of your own."
  default     = "https://acme-v02.api.letsencrypt.org/directory"

  validation {
    condition     = can(regex("^https://[A-Za-z0-9.:\\[\\]_-]+(/[A-Za-z0-9._~/%-]*)?$", var.acme_directory_url))
    error_message = "acme_directory_url must be an https:// URL without spaces or quotes, such as https://acme-v02.api.letsencrypt.org/directory."
  }
}

variable "acme_email" {
  type        = string
  description = "Contact e-mail for the ACME account (with domain_name): the CA writes there about expiring certificates. Empty: an account without one."
  default     = ""

  validation {
    condition     = var.acme_email == "" || can(regex("^[A-Za-z0-9._%+-]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}$", var.acme_email))
    error_message = "acme_email must be empty or an e-mail address such as hostmaster@example.org."
  }
}

variable "acme_ca_certificate_file" {
  type        = string
  description = "Path to a PEM file with the CA of a private ACME server's own HTTPS certificate, when Debian's CA bundle does not trust it (step-ca, say). Empty: Debian's bundle."
  default     = ""
}

variable "hsts_max_age" {
  type        = number
  description = "max-age of the Strict-Transport-Security header, in seconds (with domain_name). A day by default, so that a mistake costs a day; a year (31536000) once HTTPS has proven itself."
  default     = 86400

  validation {
    condition     = var.hsts_max_age >= 0 && floor(var.hsts_max_age) == var.hsts_max_age
    error_message = "hsts_max_age must be a whole number of seconds."
  }
}

variable "hsts_preload" {
  type        = bool
  description = "Adds includeSubDomains and preload to the Strict-Transport-Security header, for the browsers' preload list (which wants hsts_max_age of a year or more, and HTTPS on every subdomain)."
  default     = false
}

variable "backup_retention_full" {
  type        = number
  description = "Full backups pgBackRest keeps on the database primary's disk (one a week, Sundays 03:00)."
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
  description = "PostgreSQL's archive_timeout in seconds: at least this often the primary archives a WAL segment into its repository."
  default     = 60

  validation {
    condition     = var.backup_archive_timeout >= 15 && var.backup_archive_timeout <= 3600 && floor(var.backup_archive_timeout) == var.backup_archive_timeout
    error_message = "backup_archive_timeout must be a whole number of seconds from 15 to 3600."
  }
}
