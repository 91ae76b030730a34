#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""image_check.py: checks of the OCI archive and the SBOM script/image
makes, for t/6010-image.t.

  image_check.py archive ARCHIVE EXPECTED.json VERSION REVISION
  image_check.py sbom SBOM.json DPKG-LIST VERSION REVISION
  image_check.py diff ARCHIVE-A ARCHIVE-B

archive: the tarball is an OCI image layout (oci-layout, index.json with
one manifest named inkwell:VERSION), every blob the manifest names is
there with the digest and size it claims, the layer's uncompressed digest
is the config's diff_id, and the configuration is EXPECTED.json (what
deploy/container/image-config reads from the Containerfile) plus what
this test knows independently: a numeric non-root user, FastCGI on
0.0.0.0:9000, the version and commit labels.

sbom: the document has the fields SPDX 2.3 requires of a document and of
its packages, its relationships point at packages it has, and its Debian
packages (purl pkg:deb/debian/...) are exactly the lines of DPKG-LIST
("name version architecture", what dpkg-query says is installed in the
image), with purls that decode to the same; inkwell itself is there.

diff: for two archives that should be the same bytes, prints what
differs between them, down to the files in their layers (a diagnosis, no
checks).

The other modes print one line per check, "PASS<TAB>name" or "FAIL<TAB>name<TAB>why".
"""
import gzip
import hashlib
import io
import json
import re
import sys
import tarfile
import urllib.parse

RESULTS = []


def check(name, ok, why=""):
    RESULTS.append((name, bool(ok), why))
    return ok


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def archive(path, expected_path, version, revision):
    expected = json.load(open(expected_path))
    tar = tarfile.open(path)
    names = set(tar.getnames())

    def blob(digest):
        algo, _, hexd = digest.partition(":")
        return tar.extractfile("blobs/%s/%s" % (algo, hexd)).read()

    check("the archive has oci-layout and index.json",
          {"oci-layout", "index.json"} <= names, sorted(names)[:5])
    layout = json.loads(tar.extractfile("oci-layout").read())
    check("oci-layout says imageLayoutVersion 1.0.0",
          layout.get("imageLayoutVersion") == "1.0.0", layout)
    index = json.loads(tar.extractfile("index.json").read())
    mans = index.get("manifests", [])
    check("index.json has one manifest", len(mans) == 1, len(mans))
    desc = mans[0]
    ann = desc.get("annotations", {})
    check("it is named localhost/inkwell:%s (what podman and docker load "
          "call it)" % version,
          ann.get("io.containerd.image.name") == "localhost/inkwell:" +
          version and ann.get("org.opencontainers.image.ref.name") ==
          version, ann)
    raw = blob(desc["digest"])
    check("the manifest blob has its digest and size",
          sha256(raw) == desc["digest"] and len(raw) == desc["size"])
    man = json.loads(raw)
    check("the manifest is an OCI image manifest",
          man.get("mediaType", desc.get("mediaType")) ==
          "application/vnd.oci.image.manifest.v1+json" and
          man.get("schemaVersion") == 2)
    cfg_raw = blob(man["config"]["digest"])
    check("the config blob has its digest and size",
          sha256(cfg_raw) == man["config"]["digest"] and
          len(cfg_raw) == man["config"]["size"])
    cfg = json.loads(cfg_raw)
    layers = man.get("layers", [])
    check("the image is one layer", len(layers) == 1, len(layers))
    diff_ids = []
    for i, l in enumerate(layers):
        data = blob(l["digest"])
        check("layer %d has its digest and size" % i,
              sha256(data) == l["digest"] and len(data) == l["size"])
        if l["mediaType"].endswith("+gzip"):
            data = gzip.decompress(data)
        diff_ids.append(sha256(data))
        files = tarfile.open(fileobj=io.BytesIO(data)).getnames()
        norm = {f[2:] if f.startswith("./") else f for f in files}
        check("layer %d holds inkwelld, inkwellctl, the SBOM, no /dev nodes"
              % i, {"usr/sbin/inkwelld", "usr/bin/inkwellctl",
                    "usr/share/doc/inkwell/sbom.spdx.json"} <= norm and
              not any(f.startswith("dev/") for f in norm))
    check("the config's diff_ids are the layers' uncompressed digests",
          cfg.get("rootfs", {}).get("diff_ids") == diff_ids)
    check("architecture and os are set",
          cfg.get("architecture") and cfg.get("os") == "linux",
          (cfg.get("architecture"), cfg.get("os")))

    c = cfg.get("config", {})
    check("config User is the Containerfile's USER",
          c.get("User") == expected["user"], (c.get("User"), expected["user"]))
    check("config Env is the Containerfile's ENV",
          c.get("Env") == expected["env"], c.get("Env"))
    check("config Cmd is the Containerfile's CMD",
          c.get("Cmd") == expected["cmd"], c.get("Cmd"))
    check("config Entrypoint is the Containerfile's (none)",
          (c.get("Entrypoint") or None) == expected["entrypoint"],
          c.get("Entrypoint"))
    check("config ExposedPorts is the Containerfile's EXPOSE",
          sorted(c.get("ExposedPorts", {})) == sorted(expected["exposed"]),
          c.get("ExposedPorts"))
    check("config Labels are the Containerfile's LABELs",
          c.get("Labels") == expected["labels"], c.get("Labels"))
    check("config WorkingDir and StopSignal are the Containerfile's",
          c.get("WorkingDir") == expected["workdir"] and
          c.get("StopSignal") == expected["stopsignal"])

    # What this test expects regardless of how the Containerfile reads.
    uid = (c.get("User") or "").split(":")[0]
    check("the user is a number other than 0",
          uid.isdigit() and int(uid) != 0, c.get("User"))
    env = dict(e.split("=", 1) for e in c.get("Env", []))
    check("inkwelld listens for FastCGI on 0.0.0.0:9000",
          env.get("INKWELL_SERVER_LISTEN") == "0.0.0.0:9000" and
          "9000/tcp" in c.get("ExposedPorts", {}), env)
    check("the command is inkwelld",
          c.get("Cmd") == ["/usr/sbin/inkwelld"], c.get("Cmd"))
    labels = c.get("Labels") or {}
    check("labels name version %s and commit %s" % (version, revision),
          labels.get("org.opencontainers.image.version") == version and
          labels.get("org.opencontainers.image.revision") == revision,
          labels)


SPDXID = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def sbom(path, dpkg_list, version, revision):
    doc = json.load(open(path))
    for k, want in (("spdxVersion", "SPDX-2.3"), ("dataLicense", "CC0-1.0"),
                    ("SPDXID", "SPDXRef-DOCUMENT")):
        check("document %s is %s" % (k, want), doc.get(k) == want, doc.get(k))
    check("document has a name", isinstance(doc.get("name"), str) and
          doc["name"])
    ns = doc.get("documentNamespace", "")
    check("documentNamespace is an absolute URI without a fragment",
          re.match(r"^https?://[^/\s]+/\S+$", ns) and "#" not in ns, ns)
    ci = doc.get("creationInfo", {})
    check("creationInfo has created (UTC) and creators",
          TIME.match(ci.get("created", "")) and ci.get("creators") and
          all(re.match(r"^(Tool|Organization|Person): \S", c)
              for c in ci["creators"]), ci)

    pkgs = doc.get("packages", [])
    ids = [p.get("SPDXID", "") for p in pkgs]
    check("every package SPDXID is well formed and unique",
          all(SPDXID.match(i) for i in ids) and len(set(ids)) == len(ids))
    bad = [p.get("name") for p in pkgs
           if not all(isinstance(p.get(k), str) and p[k] for k in
                      ("name", "SPDXID", "downloadLocation", "versionInfo",
                       "licenseConcluded", "licenseDeclared",
                       "copyrightText")) or p.get("filesAnalyzed") is not False]
    check("every package has name, SPDXID, downloadLocation, versionInfo, "
          "licences, copyrightText, filesAnalyzed false",
          not bad, bad[:5])

    rels = doc.get("relationships", [])
    known = set(ids) | {"SPDXRef-DOCUMENT"}
    check("relationships point at elements of the document",
          rels and all(r.get("spdxElementId") in known and
                       r.get("relatedSpdxElement") in known and
                       r.get("relationshipType") for r in rels))
    described = [r["relatedSpdxElement"] for r in rels
                 if r["spdxElementId"] == "SPDXRef-DOCUMENT" and
                 r["relationshipType"] == "DESCRIBES"]
    check("the document DESCRIBES one package", len(described) == 1,
          described)
    root = described[0] if described else None
    contained = {r["relatedSpdxElement"] for r in rels
                 if r["spdxElementId"] == root and
                 r["relationshipType"] == "CONTAINS"}
    check("that package CONTAINS every other one",
          contained == set(ids) - {root}, len(contained))

    debs, purls_bad = {}, []
    for p in pkgs:
        refs = [r for r in p.get("externalRefs", [])
                if r.get("referenceType") == "purl"]
        for r in refs:
            loc = r.get("referenceLocator", "")
            if not loc.startswith("pkg:deb/"):
                continue
            m = re.match(r"^pkg:deb/debian/([a-z0-9][a-z0-9+.-]*)@([^?]+)"
                         r"\?arch=([a-z0-9-]+)&distro=debian-12$", loc)
            if not m or r.get("referenceCategory") not in (
                    "PACKAGE-MANAGER", "PACKAGE_MANAGER"):
                purls_bad.append(loc)
                continue
            name, ver, arch = m.group(1), urllib.parse.unquote(m.group(2)), \
                m.group(3)
            if name != p["name"] or ver != p["versionInfo"] or \
                    re.search(r"[^A-Za-z0-9.%_~-]", m.group(2)):
                purls_bad.append(loc)
            debs[(name, ver, arch)] = p
    check("every Debian purl is pkg:deb/debian/NAME@VERSION?arch=A&distro="
          "debian-12 and matches its package", not purls_bad, purls_bad[:3])
    installed = set()
    for line in open(dpkg_list):
        parts = line.split()
        if len(parts) == 3:
            installed.add(tuple(parts))
    check("dpkg-query lists packages in the image", len(installed) > 50,
          len(installed))
    missing = sorted(installed - set(debs))
    extra = sorted(set(debs) - installed)
    check("the SBOM lists exactly the Debian packages dpkg has in the image"
          " (%d)" % len(installed), not missing and not extra,
          "not in the SBOM: %s; not in the image: %s" % (missing[:5],
                                                           extra[:5]))
    ink = [p for p in pkgs if p.get("name") == "inkwell"]
    check("inkwell %s (MIT, commit %s) is in it" % (version, revision),
          len(ink) == 1 and ink[0]["versionInfo"] == version and
          ink[0]["licenseDeclared"] == "MIT" and
          revision in ink[0].get("sourceInfo", ""), ink)
    by_name = {k[0]: v for k, v in debs.items()}
    # Two copyright files known to say it simply, one known not to: the
    # licence reading works, and falls back instead of guessing.
    check("zlib1g's licence is Zlib, libjson-c5's MIT (their copyright files)",
          by_name.get("zlib1g", {}).get("licenseDeclared") == "Zlib" and
          by_name.get("libjson-c5", {}).get("licenseDeclared") == "MIT",
          (by_name.get("zlib1g", {}).get("licenseDeclared"),
           by_name.get("libjson-c5", {}).get("licenseDeclared")))
    check("base-files (free-form copyright file) is NOASSERTION",
          by_name.get("base-files", {}).get("licenseDeclared") ==
          "NOASSERTION")
    # For the caller's licence-expression check.
    with open(path + ".licenses", "w") as f:
        for p in pkgs:
            for k in ("licenseDeclared", "licenseConcluded"):
                if p.get(k) not in (None, "NOASSERTION", "NONE"):
                    f.write(p[k] + "\n")


def members(path):
    """Every file of every blob of the archive at PATH, blobs that are
    tarballs (layers) opened: {name: (mode, owner, mtime, sha256)}."""
    out = {}
    tar = tarfile.open(path)
    for m in tar.getmembers():
        data = tar.extractfile(m).read() if m.isfile() else b""
        out[m.name] = (m.mode, m.uid, m.gid, m.mtime, sha256(data))
        if not m.name.startswith("blobs/"):
            continue
        try:
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            layer = tarfile.open(fileobj=io.BytesIO(data))
            for e in layer.getmembers():
                body = layer.extractfile(e).read() if e.isfile() else b""
                out["layer:" + e.name] = (e.mode, e.uid, e.gid, e.mtime,
                                          e.linkname, sha256(body))
        except tarfile.TarError:
            pass
    return out


def diff(a_path, b_path):
    a, b = members(a_path), members(b_path)
    shown = 0
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name) and not name.startswith("blobs/"):
            print("differs: %s: %s / %s" % (name, a.get(name), b.get(name)))
            shown += 1
    if not shown:
        print("no file differs; the blobs or their order do")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
        return
    try:
        if sys.argv[1] == "archive":
            archive(*sys.argv[2:6])
        elif sys.argv[1] == "sbom":
            sbom(*sys.argv[2:6])
        else:
            sys.exit("usage: image_check.py archive|sbom|diff ...")
    except Exception as e:  # a crash is a failed check, with its reason
        check("image_check.py %s ran to the end" % sys.argv[1], False,
              "%s: %s" % (type(e).__name__, e))
    for name, ok, why in RESULTS:
        print("%s\t%s%s" % ("PASS" if ok else "FAIL", name,
                            "" if ok else "\t" + str(why).replace("\n", " ")))


if __name__ == "__main__":
    main()
