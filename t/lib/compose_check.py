#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compose_check.py: static checks of deploy/container/compose.yaml, for
t/6011-compose.t (no container engine can run it here).

  compose_check.py SRC [COMPOSE]
  compose_check.py SRC COMPOSE --https OVERRIDE

SRC is the source tree; COMPOSE defaults to SRC/deploy/container/
compose.yaml, and relative paths in it are taken from that directory
(so a changed copy elsewhere is checked as if it were there). Prints one
line per check, "PASS<TAB>name" or "FAIL<TAB>name<TAB>why", and exits 0
(the caller turns them into TAP).

With --https, only the checks of OVERRIDE (deploy/container/
compose.https.yaml) laid over COMPOSE as compose merges them: the
certificate directory, the HTTPS include (deploy/container/
nginx-https.conf) where the site looks for it, the TLS settings of
nginx/inkwell-tls.conf, the published HTTPS port, the redirect of
plain HTTP and the https:// base URL every service agrees on.

Everything the file names must fit together and fit the rest of inkwell:
services, volumes, dependencies, the image and its version, INKWELL_*
variables (against the keys in src/lib/conf.c), secrets files, the FastCGI
address nginx's site (deploy/container/nginx-inkwell.conf) uses against
the address inkwelld listens on and the port the image exposes, the
mounts nginx's site reads from (page files, theme assets) against the
volumes that provide them, and nginx's published port against its
listen line.
"""
import fnmatch
import json
import os
import re
import subprocess
import sys

import yaml

RESULTS = []


def check(name, ok, why=""):
    RESULTS.append((name, bool(ok), why))
    return ok


def interpolate(value, errors):
    """Compose's ${VAR:-default} with the defaults (as on a machine that
    sets none); $$ is a literal $. A ${VAR} without a default is an error:
    "compose up" must work as the README says, with nothing set."""
    if not isinstance(value, str):
        return value

    def one(m):
        if m.group(0) == "$$":
            return "$"
        body = m.group(1) or m.group(2)
        name, sep, default = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(:?-)?(.*)",
                                      body).groups()
        if sep is None:
            errors.append(name)
            return ""
        return default
    return re.sub(r"\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", one, value)


def walk(node, errors):
    if isinstance(node, dict):
        return {k: walk(v, errors) for k, v in node.items()}
    if isinstance(node, list):
        return [walk(v, errors) for v in node]
    return interpolate(node, errors)


def conf_keys(src):
    """(section, name, secret) of every key in src/lib/conf.c's table."""
    text = open(os.path.join(src, "src/lib/conf.c"), encoding="utf-8").read()
    table = text[text.index("static const struct ckey keys[]"):]
    table = table[:table.index("};")]
    keys = re.findall(r'\{\s*"(\w+)",\s*"(\w+)",\s*CT_\w+,.*?(true|false)\s*\}',
                      table, flags=re.S)
    return [(s, n, b == "true") for s, n, b in keys]


def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def mounts_of(svc):
    """[(source, target, read_only)] of a service's short-syntax volumes."""
    out = []
    for v in svc.get("volumes") or []:
        if isinstance(v, dict):
            out.append((v.get("source"), v.get("target"),
                        bool(v.get("read_only"))))
            continue
        parts = v.split(":")
        src, tgt = parts[0], parts[1] if len(parts) > 1 else parts[0]
        out.append((src, tgt, len(parts) > 2 and "ro" in parts[2].split(",")))
    return out


def under(path, mounts):
    """The mount whose target holds path, or None."""
    best = None
    for m in mounts:
        t = m[1].rstrip("/")
        if path == t or path.startswith(t + "/"):
            if best is None or len(t) > len(best[1]):
                best = m
    return best


def seconds(duration):
    """A compose duration ("35s", "1m30s", "1h") in seconds, or None."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s|us)", str(duration))
    if not parts or "".join(n + u for n, u in parts) != str(duration):
        return None
    unit = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * unit[u] for n, u in parts)


def drain_time(src, env):
    """How long inkwelld lets requests in flight finish on SIGTERM: [server]
    shutdown_timeout (src/lib/conf.c's default unless the environment sets
    it), and the seconds src/serve/inkwelld.c then gives killed workers to be
    reaped."""
    conf = open(os.path.join(src, "src/lib/conf.c"), encoding="utf-8").read()
    default = re.search(r'\{\s*"server",\s*"shutdown_timeout",\s*CT_INT,'
                        r'[^"]*"(\d+)"', conf).group(1)
    timeout = int(env.get("INKWELL_SERVER_SHUTDOWN_TIMEOUT", default))
    daemon = open(os.path.join(src, "src/serve/inkwelld.c"), encoding="utf-8").read()
    reap = re.search(r"kill\(sides\[s\]\.pid, SIGKILL\);\s*"
                     r"stop_deadline = util_now\(\) \+ (\d+);", daemon)
    return timeout, int(reap.group(1)) if reap else None


def main():
    src = os.path.abspath(sys.argv[1])
    path = sys.argv[2] if len(sys.argv) > 2 else \
        os.path.join(src, "deploy/container/compose.yaml")
    ctr = os.path.join(src, "deploy/container")
    here = ctr

    try:
        raw = yaml.safe_load(open(path, encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        check("compose file parses as YAML", False, str(e))
        return
    check("compose file parses as YAML", isinstance(raw, dict))
    unset = []
    doc = walk(raw, unset)
    check("every ${VAR} has a default (up works with nothing set)",
          not unset, "no default: " + ", ".join(sorted(set(unset))))
    services = doc.get("services") or {}
    volumes = doc.get("volumes") or {}

    want = {"nginx", "postgres", "redis", "inkwell", "migrate"}
    check("services nginx, postgres, redis, inkwell and migrate are there",
          want <= set(services), "missing: %s" % sorted(want - set(services)))
    if not want <= set(services):
        return
    ink, mig, ngx, pg = (services[s] for s in
                         ("inkwell", "migrate", "nginx", "postgres"))

    # --- images -----------------------------------------------------------
    # inkwell's version: debian/changelog's, as build-aux/version reads it.
    version = subprocess.run(
        [os.path.join(src, "build-aux", "version")], check=True,
        capture_output=True, text=True).stdout.strip()
    ours = [n for n, s in services.items()
            if str(s.get("image", "")).split(":")[0] in ("inkwell",
                                                        "localhost/inkwell")]
    check("inkwell and migrate run the inkwell image",
          {"inkwell", "migrate"} <= set(ours), "inkwell image in: %s" % ours)
    for n in ours:
        img = services[n]["image"]
        check("%s: image is inkwell:%s (debian/changelog's version)" % (n, version),
              img.endswith(":" + version), img)
        check("%s: pull_policy never (never a registry's \"inkwell\")" % n,
              services[n].get("pull_policy") == "never",
              services[n].get("pull_policy"))
    # The exporters (profile "monitoring"): an image of Debian's packages
    # that compose builds here (Containerfile.exporters), never pulled.
    exporters = [n for n, s in services.items() if "monitoring" in
                 (s.get("profiles") or [])]
    check("the exporters postgres-exporter, redis-exporter and "
          "nginx-exporter are in the monitoring profile",
          {"postgres-exporter", "redis-exporter", "nginx-exporter"} <=
          set(exporters), "monitoring: %s" % exporters)
    check("the default services are in no profile (plain \"up\" is as before)",
          not any(services[n].get("profiles") for n in want),
          [n for n in want if services[n].get("profiles")])
    efile = os.path.join(ctr, "Containerfile.exporters")
    etext = open(efile, encoding="utf-8").read() if os.path.isfile(efile) else ""
    check("the exporters' image is built from Containerfile.exporters, "
          "which installs Debian's three exporter packages",
          exporters and all(
              (services[n].get("build") or {}).get("dockerfile") ==
              "Containerfile.exporters" for n in exporters) and
          all("prometheus-%s-exporter" % e in etext
              for e in ("postgres", "redis", "nginx")),
          exporters)
    nx = services.get("nginx-exporter") or {}
    uri = " ".join(nx.get("command") or [])
    site = open(os.path.join(ctr, "nginx-inkwell.conf"),
                encoding="utf-8").read()
    loc = re.search(r"location = /stub_status \{([^}]*)\}", site)
    check("nginx-exporter asks nginx's loopback-only stub_status from "
          "inside nginx's network",
          nx.get("network_mode") == "service:nginx" and
          "-nginx.scrape-uri=http://127.0.0.1/stub_status" in uri and
          loc is not None and "stub_status;" in loc.group(1) and
          "allow 127.0.0.0/8;" in loc.group(1) and
          "deny all;" in loc.group(1),
          "%s %s" % (nx.get("network_mode"), uri))
    for n, s in services.items():
        if n in ours or n in exporters:
            continue
        img = str(s.get("image", ""))
        check("%s: image names a registry and a tag other than latest" % n,
              re.match(r"^[a-z0-9.-]+\.[a-z]+/[^:]+:[^:]+$", img) and
              not img.endswith(":latest"), img)

    # --- dependencies -----------------------------------------------------
    conditions = {"service_started", "service_healthy",
                  "service_completed_successfully"}
    bad = []
    for n, s in services.items():
        deps = s.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for d, spec in deps.items():
            cond = (spec or {}).get("condition", "service_started")
            if d not in services:
                bad.append("%s -> %s: no such service" % (n, d))
            elif cond not in conditions:
                bad.append("%s -> %s: condition %s" % (n, d, cond))
            elif cond == "service_healthy" and \
                    not services[d].get("healthcheck"):
                bad.append("%s waits for %s to be healthy, which has no "
                           "healthcheck" % (n, d))
            elif cond == "service_completed_successfully" and \
                    services[d].get("restart", "no") != "no":
                bad.append("%s waits for one-shot %s, whose restart is %s" %
                           (n, d, services[d].get("restart")))
    check("depends_on names services, valid conditions, checks that exist",
          not bad, "; ".join(bad))

    def deps(n):
        d = services[n].get("depends_on") or {}
        return list(d)

    def reaches(a, b, seen=()):
        return any(d == b or (d not in seen and reaches(d, b, seen + (d,)))
                   for d in deps(a) if d in services)
    check("no dependency cycle", not any(reaches(n, n) for n in services))
    check("inkwell starts after migrate has finished",
          (ink.get("depends_on") or {}).get("migrate", {}).get("condition")
          == "service_completed_successfully")
    check("migrate waits for a healthy postgres",
          (mig.get("depends_on") or {}).get("postgres", {}).get("condition")
          == "service_healthy")
    # An orchestrator that ignores depends_on conditions (podman-compose
    # 1.0.3) starts migrate as soon as postgres is created: it must wait
    # for PostgreSQL itself, for long enough to cover a first initdb.
    cmd = mig.get("command")
    cmd = cmd.split() if isinstance(cmd, str) else [str(c) for c in cmd or []]
    wait = cmd[3] if cmd[:3] == ["inkwellctl", "migrate", "--wait"] and \
        len(cmd) == 4 else ""
    check("migrate runs \"inkwellctl migrate --wait N\", N >= 60",
          wait.isdigit() and int(wait) >= 60, mig.get("command"))

    # --- volumes ----------------------------------------------------------
    bad, used = [], set()
    for n, s in services.items():
        for m in mounts_of(s):
            source = m[0]
            if source.startswith((".", "/")):
                p = os.path.normpath(os.path.join(here, source))
                if not os.path.exists(p):
                    bad.append("%s: %s does not exist" % (n, source))
            else:
                used.add(source)
                if source not in volumes:
                    bad.append("%s: volume %s is not declared" % (n, source))
    check("every mount's source is a declared volume or an existing path",
          not bad, "; ".join(bad))
    check("every declared volume is mounted",
          not set(volumes) - used, "unused: %s" % sorted(set(volumes) - used))
    db = under("/var/lib/postgresql/data", mounts_of(pg))
    check("postgres keeps its data on a named volume",
          db and db[0] in volumes, db)

    # --- environment ------------------------------------------------------
    keys = conf_keys(src)
    names = {"INKWELL_%s_%s" % (s.upper(), n.upper()) for s, n, _ in keys}
    names |= {"INKWELL_%s_%s_FILE" % (s.upper(), n.upper())
              for s, n, sec in keys if sec}
    bad = []
    for n, s in services.items():
        env = env_of(s)
        for k, v in env.items():
            if k.startswith("INKWELL_") and k not in names:
                bad.append("%s: %s" % (n, k))
            if k.startswith("INKWELL_") and k.endswith("_FILE") and \
                    not under(v, mounts_of(s)):
                bad.append("%s: %s=%s is on no mount" % (n, k, v))
    check("every INKWELL_* variable is a key of src/lib/conf.c (or its _FILE)",
          len(keys) > 10 and not bad, "; ".join(bad) or "%d keys" % len(keys))
    ienv, menv = env_of(ink), env_of(mig)
    check("migrate and inkwell reach the same database",
          ienv.get("INKWELL_DATABASE_PRIMARY_FILE") and
          ienv.get("INKWELL_DATABASE_PRIMARY_FILE") ==
          menv.get("INKWELL_DATABASE_PRIMARY_FILE") and
          ienv.get("INKWELL_DATABASE_PRIMARY") ==
          menv.get("INKWELL_DATABASE_PRIMARY"))

    # The password: made by the secrets service, read by PostgreSQL and
    # (inside the connection string) by inkwell, on one volume.
    sec = services.get("secrets") or {}
    script = " ".join(str(c) for c in (sec.get("command") or []))
    conninfo = re.search(r"host=(\S+) dbname=(\S+) user=(\S+) password=",
                         script)
    check("the secrets service writes a connection string",
          conninfo, script[:80])
    if conninfo:
        host, dbname, user = conninfo.groups()
        pe = env_of(pg)
        check("its host, database and user are the postgres service's",
              host == "postgres" and dbname == pe.get("POSTGRES_DB") and
              user == pe.get("POSTGRES_USER"), conninfo.groups())
    workdir = re.search(r"\bcd\s+(/\S+)", script)
    smount = under(workdir.group(1) if workdir else "/nonexistent",
                   mounts_of(sec)) or ("", "", False)
    check("the secrets service writes on a named volume",
          smount[0] in volumes and not smount[2], smount)
    for who, var in (("postgres", "POSTGRES_PASSWORD_FILE"),
                     ("inkwell", "INKWELL_DATABASE_PRIMARY_FILE"),
                     ("migrate", "INKWELL_DATABASE_PRIMARY_FILE")):
        s = services[who]
        file = env_of(s).get(var, "")
        m = under(file, mounts_of(s))
        base = os.path.basename(file)
        check("%s reads %s from the volume the secrets service writes" %
              (who, base),
              m and m[0] == smount[0] and m[2] and
              re.search(r"\b%s\b" % re.escape(base), script) and
              (sec.get("depends_on") is None) and
              (who != "postgres" or
               (s.get("depends_on") or {}).get("secrets", {}).get("condition")
               == "service_completed_successfully"),
              "%s=%s, mount %s" % (var, file, m))

    # --- FastCGI: nginx's upstream, inkwelld's listen, the image's port ---
    site_path = None
    for m in mounts_of(ngx):
        if m[1] == "/etc/nginx/conf.d/default.conf":
            site_path = os.path.normpath(os.path.join(here, m[0]))
    check("nginx mounts deploy/container/nginx-inkwell.conf as its site",
          site_path == os.path.join(ctr, "nginx-inkwell.conf"), site_path)
    if not site_path or not os.path.exists(site_path):
        return
    site = open(site_path, encoding="utf-8").read()
    live = "\n".join(l.split("#", 1)[0] for l in site.splitlines())
    ups = [u for block in re.findall(r"^\s*upstream\s+\S+\s*\{([^}]*)\}",
                                     live, flags=re.M)
           for u in re.findall(r"^\s*server\s+([^\s;]+)", block, flags=re.M)]
    image = json.loads(subprocess.run(
        [os.path.join(ctr, "image-config"), "--json",
         os.path.join(ctr, "Containerfile")], check=True,
        capture_output=True, text=True).stdout)
    img_env = dict(e.split("=", 1) for e in image["env"])
    listen = ienv.get("INKWELL_SERVER_LISTEN",
                      img_env.get("INKWELL_SERVER_LISTEN", ""))
    lport = listen.rsplit(":", 1)[-1]
    check("nginx's upstream servers are host:port, not sockets",
          ups and all(":" in u and not u.startswith("unix:") for u in ups),
          ups)
    for u in sorted(set(ups)):
        host, port = u.rsplit(":", 1)
        check("upstream %s: %s is a service" % (u, host), host in services)
        check("upstream %s: port %s is where inkwelld listens (%s)" %
              (u, port, listen), port == lport and
              listen.split(":")[0] in ("0.0.0.0", "*", "[::]"), listen)
        check("upstream %s: the image exposes port %s" % (u, port),
              port + "/tcp" in image["exposed"], image["exposed"])

    ports = ngx.get("ports") or []
    published = [str(p).rsplit(":", 1)[-1].split("/")[0] for p in ports]
    listens = re.findall(r"^\s*listen\s+(?:[\d.]+:)?(\d+)", live, flags=re.M)
    check("nginx publishes the port its site listens on",
          published and set(published) <= set(listens),
          "published %s, listen %s" % (published, listens))

    # --- what nginx's site reads: page files and theme assets -------------
    # The root of the page files: the one that ends in $inkwell_pages (the
    # ACME challenges' location has a root of its own).
    roots = re.findall(r"^\s*root\s+(/[^$;\s]*)\$inkwell_pages\s*;", live,
                       flags=re.M)
    pages_root = roots[0].rstrip("/") if roots else ""
    pm = under(pages_root + "/x", mounts_of(ngx))
    check("nginx has the page files at %s, read-only" % pages_root,
          pm and pm[1].rstrip("/") == pages_root and pm[2] and
          pm[0] in volumes, pm)
    im = under(ienv.get("INKWELL_PATHS_PAGES", "") + "/x", mounts_of(ink))
    check("inkwell writes page files (INKWELL_PATHS_PAGES) to the same volume",
          pm and im and im[0] == pm[0] and
          im[1].rstrip("/") == ienv.get("INKWELL_PATHS_PAGES", "").rstrip("/")
          and not im[2], im)
    opts = ((volumes.get(pm[0] if pm else "") or {}).get("driver_opts") or {})
    uid = re.search(r"uid=(\d+)", str(opts.get("o", "")))
    check("the page volume belongs to the image's user (%s)" % image["user"],
          uid and image["user"].split(":")[0] == uid.group(1), opts)
    aliases = re.findall(r"^\s*alias\s+(/usr/share/inkwell/static)/", live,
                         flags=re.M)
    sm = under(aliases[0] + "/style.css", mounts_of(ngx)) if aliases else None
    check("nginx has the theme assets at /usr/share/inkwell/static",
          sm and sm[2] and os.path.isfile(os.path.join(
              os.path.normpath(os.path.join(here, sm[0])), "style.css")), sm)

    # --- stopping -----------------------------------------------------------
    # The engine's SIGKILL must not cut inkwelld's drain short.
    timeout, reap = drain_time(src, ienv)
    grace = seconds(ink.get("stop_grace_period", "10s"))
    check("inkwell's stop_grace_period outlasts inkwelld's drain "
          "(shutdown_timeout, then the reaping of killed workers)",
          reap is not None and grace is not None and grace > timeout + reap,
          "stop_grace_period %s, shutdown_timeout %ss + %ss to reap" %
          (ink.get("stop_grace_period"), timeout, reap))

    # --- the health check -------------------------------------------------
    hc = (ink.get("healthcheck") or {}).get("test") or []
    build = open(os.path.join(ctr, "build-inkwell"), encoding="utf-8").read()
    cf = open(os.path.join(ctr, "Containerfile"), encoding="utf-8").read()
    check("inkwell's healthcheck is the image's (installed by build-inkwell)",
          len(hc) == 2 and hc[0] == "CMD" and hc[1] in build and hc[1] in cf,
          hc)


def merge(base, over, key=None):
    """over laid on base as compose merges files: mappings key by key,
    ports and expose added up, volumes replacing the mount of the same
    target, anything else (command among them) replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base[k], v, k) if k in base else v
        return out
    if isinstance(base, list) and isinstance(over, list):
        if key in ("ports", "expose"):
            return base + over
        if key == "volumes":
            targets = {m[1] for m in mounts_of({"volumes": over})}
            kept = [v for v, m in zip(base, mounts_of({"volumes": base}))
                    if m[1] not in targets]
            return kept + over
    return over


def directives(text, name):
    """The arguments of every "name ...;" in an nginx file, comments
    left out."""
    live = "\n".join(l.split("#", 1)[0] for l in text.splitlines())
    return re.findall(r"^\s*%s\s+([^;]*);" % re.escape(name), live,
                      flags=re.M)


def https_checks(src, path, over_path):
    ctr = os.path.join(src, "deploy/container")
    here = ctr
    name = os.path.basename(over_path)
    try:
        over_raw = yaml.safe_load(open(over_path, encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        check("%s parses as YAML" % name, False, str(e))
        return
    check("%s parses as YAML" % name, isinstance(over_raw, dict))
    unset = []
    over = walk(over_raw, unset)
    check("%s: every ${VAR} has a default" % name, not unset,
          "no default: " + ", ".join(sorted(set(unset))))
    base = walk(yaml.safe_load(open(path, encoding="utf-8")), [])
    bsv, osv = base.get("services") or {}, over.get("services") or {}
    check("%s changes services of compose.yaml only, not their images" % name,
          set(over) <= {"services"} and set(osv) <= set(bsv) and
          not any("image" in s for s in osv.values()),
          "keys %s, services %s" % (sorted(over), sorted(osv)))
    doc = merge(base, over)
    services = doc.get("services") or {}
    ngx = services.get("nginx") or {}
    mounts = mounts_of(ngx)
    raw_ngx = ((over_raw.get("services") or {}).get("nginx") or {})
    raw_mounts = mounts_of(raw_ngx)

    # --- the certificate directory ------------------------------------------
    tls = [m for m, r in zip(mounts_of(osv.get("nginx") or {}), raw_mounts)
           if str(r[0]).startswith("${INKWELL_TLS_DIR")]
    check("nginx mounts the certificate directory (INKWELL_TLS_DIR), read-only",
          len(tls) == 1 and tls[0][2], tls)
    tls_dir = tls[0][1].rstrip("/") if tls else "/nonexistent"
    bad = []
    for m, r in zip(mounts_of(osv.get("nginx") or {}), raw_mounts):
        if str(r[0]).startswith("${INKWELL_TLS_DIR"):
            continue
        if m[0].startswith((".", "/")) and not os.path.exists(
                os.path.normpath(os.path.join(here, m[0]))):
            bad.append(m[0])
    check("every other file %s mounts exists" % name, not bad,
          "missing: %s" % bad)

    # --- the HTTPS include, where the site looks for it ----------------------
    site = open(os.path.join(ctr, "nginx-inkwell.conf"), encoding="utf-8").read()
    globs = [g for g in directives(site, "include") if "https" in g]
    inc = [m for m in mounts
           if os.path.normpath(os.path.join(here, m[0])) ==
           os.path.join(ctr, "nginx-https.conf")]
    check("nginx mounts nginx-https.conf read-only where the site's include "
          "(%s) finds it" % ", ".join(globs),
          len(globs) == 1 and len(inc) == 1 and inc[0][2] and
          fnmatch.fnmatch(inc[0][1], globs[0]), "include %s, mount %s" %
          (globs, inc))
    if not inc:
        return
    conf = open(os.path.join(ctr, "nginx-https.conf"), encoding="utf-8").read()

    listens = directives(conf, "listen")
    ports = [str(p) for p in ngx.get("ports") or []]
    published = [p.rsplit(":", 1)[-1].split("/")[0] for p in ports]
    check("the HTTPS include listens on 443 (ssl, http2) and nginx publishes it",
          listens and all(re.match(r"^443 ssl http2$", l) for l in listens) and
          "443" in published, "listen %s, ports %s" % (listens, ports))
    check("nginx still publishes plain HTTP (80), which redirects",
          "80" in published, ports)
    check("the certificate and key are tls.crt and tls.key in that directory",
          directives(conf, "ssl_certificate") == [tls_dir + "/tls.crt"] and
          directives(conf, "ssl_certificate_key") == [tls_dir + "/tls.key"],
          "%s %s" % (directives(conf, "ssl_certificate"),
                     directives(conf, "ssl_certificate_key")))

    # --- the TLS settings: nginx/inkwell-tls.conf, one source -----------------
    snippet = os.path.join(src, "nginx", "inkwell-tls.conf")
    sm = [m for m in mounts
          if os.path.normpath(os.path.join(here, m[0])) == snippet]
    check("the TLS settings are nginx/inkwell-tls.conf, mounted read-only "
          "where the HTTPS include reads them",
          len(sm) == 1 and sm[0][2] and sm[0][1] in directives(conf, "include"),
          "mount %s, include %s" % (sm, directives(conf, "include")))
    own = [d for d in ("ssl_protocols", "ssl_ciphers", "ssl_session_cache",
                       "ssl_stapling", "add_header") if directives(conf, d)]
    check("the HTTPS include sets no TLS setting or header of its own",
          not own, own)

    # --- the redirect of plain HTTP -------------------------------------------
    live = "\n".join(l.split("#", 1)[0] for l in conf.splitlines())
    codes = re.findall(r"if\s*\(\$inkwell_https_redirect\s*=\s*(\d+)\)\s*"
                       r"\{\s*return\s+(\d+)\s+\$inkwell_base_url"
                       r"\$request_uri;\s*\}", live)
    check("plain HTTP is sent to $inkwell_base_url by the site's "
          "$inkwell_https_redirect (301 and 308)",
          sorted(codes) == [("301", "301"), ("308", "308")] and
          re.search(r"^map\s.*\$inkwell_https_redirect\s*\{", site,
                    flags=re.M), codes)
    # $inkwell_base_url: set in a file nginx's command writes before nginx
    # starts, out of reach of the site's include pattern.
    cmd = ngx.get("command")
    script = cmd if isinstance(cmd, str) else "\n".join(
        str(c) for c in cmd or [])
    written = [p for p in directives(conf, "include")
               if p not in (sm[0][1] if sm else "",) and p in script]
    check("nginx's command writes $inkwell_base_url from INKWELL_BASE_URL "
          "into the file the HTTPS include reads, then runs nginx",
          len(written) == 1 and globs and
          not fnmatch.fnmatch(written[0], globs[0]) and
          re.search(r"set \$inkwell_base_url ", script) and
          "INKWELL_BASE_URL" in script and
          re.search(r"^\s*exec nginx -g 'daemon off;'\s*$", script,
                    flags=re.M), written or script[:80])

    # --- one https:// address --------------------------------------------------
    urls = {n: env_of(services.get(n) or {}).get(v) for n, v in (
        ("inkwell", "INKWELL_SERVER_BASE_URL"),
        ("migrate", "INKWELL_SERVER_BASE_URL"),
        ("nginx", "INKWELL_BASE_URL"))}
    check("inkwell, migrate and nginx have one https:// base URL",
          len(set(urls.values())) == 1 and
          str(urls["nginx"]).startswith("https://"), urls)
    https_pub = [p for p in ports if p.rsplit(":", 1)[-1] == "443"]
    host_port = https_pub[0].rsplit(":", 1)[0].rsplit(":", 1)[-1] \
        if https_pub else ""
    m = re.match(r"^https://[^/:]+(?::(\d+))?/?$", str(urls["nginx"]))
    check("the base URL's port is the published HTTPS port (%s)" % host_port,
          m and (m.group(1) or "443") == host_port,
          "%s, published %s" % (urls["nginx"], https_pub))


if __name__ == "__main__":
    try:
        if len(sys.argv) == 5 and sys.argv[3] == "--https":
            https_checks(os.path.abspath(sys.argv[1]), sys.argv[2],
                         sys.argv[4])
        else:
            main()
    except Exception as e:  # a crash is a failed check, with its reason
        check("compose_check.py ran to the end", False,
              "%s: %s" % (type(e).__name__, e))
    for name, ok, why in RESULTS:
        print("%s\t%s%s" % ("PASS" if ok else "FAIL", name,
                            "" if ok else "\t" + str(why).replace("\n", " ")))
