# The database machines: a PostgreSQL 15 primary and its streaming
# replicas, each with pgbouncer in front (DESIGN.md, "Many machines"),
# configured by cloud-init.
#
# Every machine gets the same files; the argument of the provisioning
# script (primary or replica) makes the difference. cloud-init installs
# the packages, stages the files in /etc/inkwell-provision/ (root only:
# passwords are among them) and runs provision-database.sh once, which
# puts them in place. On the primary it makes the roles and the
# database; a replica copies the primary with pg_basebackup (retrying
# until the primary, which boots at the same time, lets it) and then
# streams from it. inkwell's own schema is applied by the app hosts
# ("inkwellctl migrate" through pgbouncer).
#
# Backups: every machine gets pgBackRest; the primary, given the inkwell
# package (inkwell_deb), installs it for its command inkwell-backup and
# runs "inkwell-backup enable": WAL archiving (archive_timeout), the
# stanza "inkwell", a first full backup, and the timers of the weekly
# full and daily differential backups, into backup_repo_path on its
# disk or, with backup_s3, into an S3 bucket with the machine's instance
# profile.

locals {
  hosts = concat([var.primary], var.replicas)

  # The same rules on every machine, so that a promoted replica needs no
  # change: local administration by peer authentication, pgbouncer from
  # the loopback, replication from the database machines only.
  pg_hba = join("\n", concat(
    [
      "# terraform/modules/database: inkwell's database machines",
      "# TYPE  DATABASE     USER        ADDRESS          METHOD",
      "local   all          postgres                     peer",
      "local   all          all                          peer",
      "host    all          all         127.0.0.1/32     scram-sha-256",
      "host    all          all         ::1/128          scram-sha-256",
    ],
    [for h in local.hosts : "host    replication  replicator  ${h.address}/32  scram-sha-256"],
    [""],
  ))

  # pgbouncer's own host-based rules: inkwell's role, to inkwell's
  # database, from the app hosts' networks (and from this machine, for
  # the provisioning's check and the operator).
  pgbouncer_hba = join("\n", concat(
    [
      "# terraform/modules/database: who may connect to pgbouncer",
      "host  ${var.database}  ${var.user}  127.0.0.1/32  scram-sha-256",
    ],
    [for c in var.client_cidrs : "host  ${var.database}  ${var.user}  ${c}  scram-sha-256"],
    [""],
  ))

  # pgbouncer opens up to pool_size connections; replication, the
  # administrator and pgbouncer's reserve need a few more. A standby
  # needs at least the primary's value: every machine gets the same.
  postgresql_conf = templatefile("${path.module}/files/postgresql-inkwell.conf.tftpl", {
    wal_keep_size_mb = var.wal_keep_size_mb
    max_connections  = var.pool_size + 20
  })

  pgbouncer_ini = templatefile("${path.module}/files/pgbouncer.ini.tftpl", {
    database        = var.database
    port            = var.pgbouncer_port
    pool_size       = var.pool_size
    max_client_conn = var.max_client_conn
  })

  # The package, when given, as a list of none or one (a null object has
  # no attributes to read, and Terraform's || reads both sides).
  debs = [for d in [var.inkwell_deb] : d if d != null]
  s3   = [for s in [var.backup_s3] : merge(s, { endpoint = s.endpoint != null ? s.endpoint : "s3.${s.region}.amazonaws.com" }) if s != null]

  # Where the backups go, as an operator would name it.
  backup_repository = length(local.debs) == 0 ? "" : (
    length(local.s3) > 0 ? "s3://${local.s3[0].bucket}${var.backup_repo_path}" : "${var.primary.name}:${var.backup_repo_path}"
  )

  # Shell assignments for provision-database.sh. Every value passed the
  # variables' validation (names, addresses, numbers, URLs without
  # quotes), so single quotes are safe; the passwords travel in files of
  # their own.
  settings = join("\n", [
    "PRIMARY_ADDRESS='${var.primary.address}'",
    "DATABASE='${var.database}'",
    "DB_USER='${var.user}'",
    "PGBOUNCER_PORT='${var.pgbouncer_port}'",
    "STATEMENT_TIMEOUT_MS='${var.statement_timeout_ms}'",
    "WAIT_SECONDS='${var.wait_seconds}'",
    "DEB_URL='${join("", [for d in local.debs : d.url if d.url != null])}'",
    "DEB_SHA256='${join("", [for d in local.debs : d.sha256])}'",
    "BACKUP_REPO='${var.backup_repo_path}'",
    "BACKUP_RETENTION_FULL='${var.backup_retention_full}'",
    "BACKUP_RETENTION_DIFF='${var.backup_retention_diff}'",
    "BACKUP_ARCHIVE_TIMEOUT='${var.backup_archive_timeout}'",
    "BACKUP_S3_BUCKET='${join("", [for s in local.s3 : s.bucket])}'",
    "BACKUP_S3_REGION='${join("", [for s in local.s3 : s.region])}'",
    "BACKUP_S3_ENDPOINT='${join("", [for s in local.s3 : s.endpoint])}'",
    "",
  ])

  write_files = [
    { path = "/etc/inkwell-provision/database.env", permissions = "0600", content = local.settings },
    { path = "/etc/inkwell-provision/db-password", permissions = "0600", content = var.password },
    { path = "/etc/inkwell-provision/replication-password", permissions = "0600", content = var.replication_password },
    { path = "/etc/inkwell-provision/postgresql-inkwell.conf", permissions = "0600", content = local.postgresql_conf },
    { path = "/etc/inkwell-provision/pg_hba.conf", permissions = "0600", content = local.pg_hba },
    { path = "/etc/inkwell-provision/pgbouncer.ini", permissions = "0600", content = local.pgbouncer_ini },
    { path = "/etc/inkwell-provision/pgbouncer-hba.conf", permissions = "0600", content = local.pgbouncer_hba },
    { path = "/etc/inkwell-provision/pgbouncer-userlist.txt", permissions = "0600", content = "\"${var.user}\" \"${var.password}\"\n" },
    { path = "/usr/local/sbin/inkwell-provision-database", permissions = "0755", content = file("${path.module}/files/provision-database.sh") },
  ]

  # enable_exporters: the exporters' switch (src/ctl/inkwell-exporters,
  # carried here: the inkwell package may not be), run once PostgreSQL
  # is up; it makes the role "prometheus" (pg_monitor) on the primary.
  exporters_files = var.enable_exporters ? [{ path = "/usr/local/sbin/inkwell-exporters", permissions = "0755", content = file("${path.module}/../../../src/ctl/inkwell-exporters") }] : []
  exporters_run   = var.enable_exporters ? [["/usr/local/sbin/inkwell-exporters", "enable", "--listen", var.exporters_listen_address, "--database", var.database, "postgres"]] : []

  # cloud-init refuses an empty ssh_authorized_keys: only when there are keys.
  ssh_keys = { for k, v in { ssh_authorized_keys = var.ssh_authorized_keys } : k => v if length(v) > 0 }

  common = merge(local.ssh_keys, {
    package_update = true
    packages       = concat(["postgresql", "postgresql-client", "pgbouncer", "pgbackrest", "ca-certificates", "curl"], var.enable_exporters ? ["prometheus-postgres-exporter"] : [])
    write_files    = concat(local.write_files, local.exporters_files)
  })

  # The package travels to the primary alone: only it takes backups.
  primary_config = merge(local.common, {
    hostname    = var.primary.name
    write_files = concat(local.write_files, local.exporters_files, [for d in local.debs : { path = "/etc/inkwell-provision/inkwell.deb", permissions = "0600", encoding = "b64", content = d.content_base64 } if d.content_base64 != null])
    runcmd      = concat([["/usr/local/sbin/inkwell-provision-database", "primary"]], local.exporters_run)
  })

  replica_configs = [for r in var.replicas : merge(local.common, {
    hostname = r.name
    # A replica is read-only: the role comes from the primary.
    runcmd = concat([["/usr/local/sbin/inkwell-provision-database", "replica"]],
    [for c in local.exporters_run : concat(["env", "INKWELL_EXPORTERS_PSQL=none"], c)])
  })]

  primary_user_data = "#cloud-config\n${yamlencode(local.primary_config)}"
  replica_user_data = [for c in local.replica_configs : "#cloud-config\n${yamlencode(c)}"]
  primary_conninfo  = "host=${var.primary.address} port=${var.pgbouncer_port} dbname=${var.database} user=${var.user} password=${var.password}"
  replica_conninfos = [for r in var.replicas : "host=${r.address} port=${var.pgbouncer_port} dbname=${var.database} user=${var.user} password=${var.password}"]
}
