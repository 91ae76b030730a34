#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kube_play.py: a kustomize rendering made into what podman 4.3's
"kube play" runs, for t/6031-k8s-kube-play.t.

  kube_play.py RENDERED OUTDIR [--publish WORKLOAD:PORTNAME=IP:PORT]...
               [--empty-dirs EMPTYDIRS]

RENDERED is the output of "kubectl kustomize" (many YAML documents).
podman 4.3.1's kube play creates pods from Pod and Deployment objects,
named volumes from PersistentVolumeClaims and takes ConfigMaps and
Secrets for the pods' environment and volumes. Every other kind it skips.
Its Secrets have two faults, worked around here: a Secret volume's files
hold the base64 text of each value, not the value (so the Secret goes to
podman's store as YAML whose data are the decoded values, which it then
writes as they are), and a secretKeyRef is read as a JSON map its own
Secrets are not stored as (so each secretKeyRef and envFrom secretRef
becomes the value itself). A Secret volume without "optional" crashes
it: "optional: false" is added; its "items" are ignored (every key
becomes a file of its name): items that do so are dropped, others are
refused. An emptyDir becomes a volume named after it (shared with any
other pod's emptyDir of that name) that takes the owner and mode of the
image's directory it is mounted on, or of the host's where a symbolic
link in the image leads there (/var/run): the kubelet makes an emptyDir
a new directory of mode 0777 on the node, and so does this, in
EMPTYDIRS/POD/NAME, mounted as a hostPath (medium and sizeLimit are not
kept).
Init containers get the pod's restart policy, and under Always one that
has finished is started again (and podman then fails to remove it): a
pod with init containers gets restartPolicy OnFailure. Liveness probes
become healthchecks run inside the container with curl or nc on the
port's number (a named port is 0) that restart the container when they
fail: the probes are taken out and listed instead, for the caller to run
as the kubelet does.
So, in OUTDIR:

  secret-NAME.yaml  each Secret, its data decoded, for "podman secret
                    create NAME FILE"
  NN-NAME.yaml      one file per workload, in the order to play them:
                    every ConfigMap, the PersistentVolumeClaims the pod
                    uses, and the pod-making object:
                    - a StatefulSet (one replica) becomes the Pod
                      Kubernetes would make, NAME-0, and each of its
                      volumeClaimTemplates the claim Kubernetes would
                      make, TEMPLATE-NAME-0, which the Pod mounts;
                    - a Job becomes a Pod named after it, with the Job's
                      restartPolicy (Never or OnFailure);
                    - a Deployment stays as it is, each --publish port
                      given a hostIP and hostPort (kube play publishes
                      only those);
                    StatefulSets first, then Jobs, then Deployments.
  plan.tsv          per line: FILE, POD (the name kube play gives it:
                    NAME-0, the Job's name, or DEPLOYMENT-pod-0), and the
                    network aliases the pod gets, comma-separated
  probes.tsv        per line: POD, CONTAINER, KIND (startup, readiness,
                    liveness) and how to run it: "http HOSTIP:HOSTPORT
                    PATH" for an httpGet on a published port, "exec ARGV"
                    (JSON), "tcp PORT"; an httpGet on a port that is not
                    published is an error
  unplayed.tsv      per line: KIND, NAME and why podman does not run it
  emptydirs/        the emptyDirs (or EMPTYDIRS, given)

Services: podman has no cluster DNS. Each pod is attached to one podman
network whose DNS (CNI's dnsname plugin) answers for network aliases, and
every Service whose selector matches a pod's labels becomes an alias of
that pod, as NAME and NAME.NAMESPACE.svc.cluster.local, so clients reach
"postgres" and "redis" by the names they use in a cluster. A Service
whose port differs from its target port is listed in unplayed.tsv: its
name reaches the pod, but only at the target port.

Prints nothing on success; exits 1 with a message on what it cannot
convert (a StatefulSet of more than one replica, an unknown port name).
"""
import base64
import copy
import json
import os
import sys

import yaml

# What kube play runs (Pod and Deployment make pods), and what it does
# not: validated only (t/6030's checks), each with the reason.
NOT_RUN = {
    "Service": "no cluster DNS or virtual IPs: the pods it selects get its "
               "name as a network alias",
    "Ingress": "no ingress controller: nginx's port is published on "
               "the host instead",
    "HorizontalPodAutoscaler": "no metrics server or scaling",
    "PodDisruptionBudget": "no evictions",
    "NetworkPolicy": "no policy enforcement on podman networks",
    "ServiceAccount": "no API server tokens",
    "Certificate": "no cert-manager",
    "Issuer": "no cert-manager",
    "ClusterIssuer": "no cert-manager",
    "ServiceMonitor": "no Prometheus operator",
    "Namespace": "podman has no namespaces",
}


def die(msg):
    sys.exit("kube_play.py: " + msg)


def pod_spec_of(obj):
    return obj["spec"]["template"]["spec"]


def labels_of(obj):
    kind = obj["kind"]
    if kind == "Pod":
        return obj["metadata"].get("labels") or {}
    return (obj["spec"]["template"].get("metadata") or {}).get("labels") or {}


def statefulset_to_pod(sts):
    """The one Pod (NAME-0) and the claims a one-replica StatefulSet
    makes in a cluster."""
    name = sts["metadata"]["name"]
    if sts["spec"].get("replicas", 1) != 1:
        die("StatefulSet %s: %s replicas; podman gets one" %
            (name, sts["spec"]["replicas"]))
    tmpl = copy.deepcopy(sts["spec"]["template"])
    meta = tmpl.get("metadata") or {}
    meta["name"] = name + "-0"
    if "namespace" in sts["metadata"]:
        meta["namespace"] = sts["metadata"]["namespace"]
    spec = tmpl["spec"]
    # The pod's hostname and subdomain, as the StatefulSet controller
    # sets them.
    spec.setdefault("hostname", name + "-0")
    claims = []
    for vct in sts["spec"].get("volumeClaimTemplates") or []:
        claim = copy.deepcopy(vct)
        tname = vct["metadata"]["name"]
        claim["apiVersion"] = "v1"
        claim["kind"] = "PersistentVolumeClaim"
        claim["metadata"] = {"name": "%s-%s-0" % (tname, name)}
        claim.pop("status", None)
        claims.append(claim)
        spec.setdefault("volumes", []).append(
            {"name": tname,
             "persistentVolumeClaim": {"claimName": claim["metadata"]["name"]}})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": spec}, claims


def job_to_pod(job):
    tmpl = copy.deepcopy(job["spec"]["template"])
    meta = tmpl.get("metadata") or {}
    meta["name"] = job["metadata"]["name"]
    spec = tmpl["spec"]
    spec.setdefault("restartPolicy", "Never")
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": spec}


def claims_used(spec, pvcs):
    out = []
    for vol in spec.get("volumes") or []:
        ref = vol.get("persistentVolumeClaim")
        if ref and ref["claimName"] in pvcs:
            out.append(pvcs[ref["claimName"]])
    return out


def container_port(container, port):
    """A probe's or Service's port: a number, or a name of the
    container's ports."""
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return p["containerPort"]
    return None


def inline_secrets(spec, secrets):
    """secretKeyRef and envFrom secretRef become the values; Secret
    volumes get their "optional"."""
    for c in spec.get("initContainers", []) + spec["containers"]:
        for env in c.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                if ref["name"] not in secrets or ref["key"] not in secrets[ref["name"]]:
                    die("%s: secretKeyRef %s/%s: no such Secret or key" %
                        (c["name"], ref["name"], ref["key"]))
                del env["valueFrom"]
                env["value"] = secrets[ref["name"]][ref["key"]]
        keep = []
        for src in c.get("envFrom") or []:
            ref = src.get("secretRef")
            if not ref:
                keep.append(src)
                continue
            if ref["name"] not in secrets:
                die("%s: envFrom secretRef %s: no such Secret" % (c["name"], ref["name"]))
            prefix = src.get("prefix", "")
            env = c.setdefault("env", [])
            for k, v in secrets[ref["name"]].items():
                env.insert(0, {"name": prefix + k, "value": v})
        if "envFrom" in c:
            c["envFrom"] = keep
    for vol in spec.get("volumes") or []:
        if "secret" in vol:
            vol["secret"].setdefault("optional", False)
            for item in vol["secret"].pop("items", None) or []:
                if item["path"] != item["key"]:
                    die("Secret volume %s: item %s as %s: podman 4.3 names "
                        "each file after its key" % (vol["name"], item["key"], item["path"]))


def node_empty_dirs(spec, root, pod):
    """Each emptyDir a new directory ROOT/POD/NAME of mode 0777, as the
    kubelet makes it, mounted as a hostPath."""
    for v in spec.get("volumes") or []:
        if "emptyDir" in v:
            path = os.path.join(root, pod, v["name"])
            os.makedirs(path)
            os.chmod(path, 0o777)
            del v["emptyDir"]
            v["hostPath"] = {"path": path, "type": "Directory"}


def main(argv):
    if len(argv) < 3:
        die("usage: kube_play.py RENDERED OUTDIR [--publish W:PORT=IP:HOSTPORT]... [--empty-dirs DIR]")
    rendered, outdir = argv[1], argv[2]
    publish = {}
    empty_dirs = os.path.join(os.path.abspath(outdir), "emptydirs")
    rest = argv[3:]
    while rest:
        if rest[0] == "--empty-dirs" and len(rest) >= 2:
            empty_dirs = os.path.abspath(rest[1])
            rest = rest[2:]
            continue
        if rest[0] != "--publish" or len(rest) < 2:
            die("unknown argument %r" % rest[0])
        left, right = rest[1].split("=", 1)
        workload, portname = left.split(":", 1)
        ip, hostport = right.rsplit(":", 1)
        publish[(workload, portname)] = (ip, int(hostport))
        rest = rest[2:]

    with open(rendered) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    os.makedirs(outdir, exist_ok=True)

    configmaps, pvcs, services, workloads, unplayed = [], {}, [], [], []
    secrets = {}
    for d in docs:
        kind, name = d.get("kind"), d["metadata"]["name"]
        if kind == "Secret":
            values = {k: base64.b64decode(v).decode() for k, v in (d.get("data") or {}).items()}
            values.update(d.get("stringData") or {})
            secrets[name] = values
            plain = {"apiVersion": "v1", "kind": "Secret",
                     "metadata": {"name": name}, "data": values}
            with open(os.path.join(outdir, "secret-%s.yaml" % name), "w") as f:
                yaml.safe_dump(plain, f, sort_keys=False)
        elif kind == "ConfigMap":
            configmaps.append(d)
        elif kind == "PersistentVolumeClaim":
            pvcs[name] = d
        elif kind == "Service":
            services.append(d)
        elif kind == "StatefulSet":
            pod, claims = statefulset_to_pod(d)
            for c in claims:
                pvcs[c["metadata"]["name"]] = c
            workloads.append((0, name, pod, name + "-0"))
        elif kind == "Job":
            workloads.append((1, name, job_to_pod(d), name))
        elif kind == "Deployment":
            dep = copy.deepcopy(d)
            if dep["spec"].get("replicas", 1) != 1:
                # kube play makes as many pods; their published ports
                # would collide. The dev overlay has one.
                dep["spec"]["replicas"] = 1
            workloads.append((2, name, dep, name + "-pod-0"))
        elif kind == "Pod":
            workloads.append((2, name, d, name))
        else:
            unplayed.append((kind, name, NOT_RUN.get(kind, "not a kind podman runs")))

    # Services: aliases on the pods they select.
    aliases = {w[1]: [] for w in workloads}
    for svc in services:
        sel = svc["spec"].get("selector") or {}
        name = svc["metadata"]["name"]
        ns = svc["metadata"].get("namespace")
        hit = False
        for _, wname, obj, _ in workloads:
            labels = labels_of(obj)
            if sel and all(labels.get(k) == v for k, v in sel.items()):
                hit = True
                aliases[wname].append(name)
                if ns:
                    aliases[wname].append("%s.%s.svc.cluster.local" % (name, ns))
                spec = obj["spec"] if obj["kind"] == "Pod" else pod_spec_of(obj)
                for sp in svc["spec"].get("ports") or []:
                    target = sp.get("targetPort", sp["port"])
                    nums = {container_port(c, target) for c in spec["containers"]}
                    if sp["port"] not in nums:
                        unplayed.append(("Service", name,
                                         "port %s -> %s: the name reaches %s "
                                         "at the target port only" %
                                         (sp["port"], target, wname)))
        if not hit:
            unplayed.append(("Service", name, "selects no pod podman runs"))

    plan, probes = [], []
    for n, (order, wname, obj, podname) in enumerate(sorted(workloads, key=lambda w: w[0])):
        spec = obj["spec"] if obj["kind"] == "Pod" else pod_spec_of(obj)
        inline_secrets(spec, secrets)
        node_empty_dirs(spec, empty_dirs, podname)
        if spec.get("initContainers") and spec.get("restartPolicy", "Always") == "Always":
            spec["restartPolicy"] = "OnFailure"
        published = {}
        for c in spec["containers"]:
            for p in c.get("ports") or []:
                key = (wname, p.get("name"))
                if key in publish:
                    p["hostIP"], p["hostPort"] = publish.pop(key)
                    published[p["containerPort"]] = (p["hostIP"], p["hostPort"])
        for c in spec["containers"]:
            for kind in ("startup", "readiness", "liveness"):
                pr = c.get(kind + "Probe")
                if not pr:
                    continue
                if "httpGet" in pr:
                    port = container_port(c, pr["httpGet"]["port"])
                    if port not in published:
                        die("%s/%s: %sProbe on port %r, which is not published" %
                            (wname, c["name"], kind, pr["httpGet"]["port"]))
                    how = "http %s:%d %s" % (published[port][0], published[port][1],
                                             pr["httpGet"].get("path", "/"))
                elif "exec" in pr:
                    how = "exec " + json.dumps(pr["exec"]["command"])
                elif "tcpSocket" in pr:
                    how = "tcp %d" % container_port(c, pr["tcpSocket"]["port"])
                else:
                    die("%s/%s: %sProbe of a kind this does not run" %
                        (wname, c["name"], kind))
                probes.append((podname, c["name"], kind, how))
                del c[kind + "Probe"]
        fname = "%02d-%s.yaml" % (n, wname)
        with open(os.path.join(outdir, fname), "w") as f:
            yaml.safe_dump_all(configmaps + claims_used(spec, pvcs) + [obj], f,
                               sort_keys=False)
        plan.append((fname, podname, ",".join(aliases[wname])))
    if publish:
        die("no port to publish: %s" % ", ".join("%s:%s" % k for k in publish))

    def tsv(name, rows):
        with open(os.path.join(outdir, name), "w") as f:
            for r in rows:
                f.write("\t".join(r) + "\n")
    tsv("plan.tsv", plan)
    tsv("probes.tsv", probes)
    tsv("unplayed.tsv", unplayed)


if __name__ == "__main__":
    main(sys.argv)
