terraform {
  # optional() attributes with defaults in object types came with 1.3.
  required_version = ">= 1.3.0"

  # This module creates no resource: it renders cloud-init user data, and
  # the environment that calls it creates the machine. So it needs no
  # provider, and declares none.
  required_providers {}
}
