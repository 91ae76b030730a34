terraform {
  required_version = ">= 1.3.0"

  required_providers {
    # The 0.8 series: libvirt_cloudinit_disk, and network_interface and
    # disk blocks in libvirt_domain. 0.9 is a new provider with another
    # schema; this environment is written for 0.8.
    libvirt = {
      source  = "dmacvicar/libvirt"
      version = "~> 0.8.3"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}
