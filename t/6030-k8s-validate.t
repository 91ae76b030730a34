#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6030-k8s-validate: the Kubernetes manifests (deploy/k8s) and the GitOps
# objects (deploy/gitops), checked without a cluster. Each overlay renders
# with "kubectl kustomize" (Debian's kubernetes-client, which
# script/bootstrap installs; INKWELL_KUBECTL names another kubectl), and
# t/lib/k8s_check.mjs checks the rendering: every object against its
# schema (the npm packages kubernetes-models and @kubernetes-models/*),
# the restricted Pod Security Standard on every pod template, and the
# project's own rules (see the checker's top). nginx's site in the pod is
# what deploy/k8s/gen-nginx-conf makes today, and nginx -t accepts the
# pod's nginx.conf with it. Then broken copies of the overlays (a missing
# probe, a privileged container, an image :latest, replicas: "three", ...)
# must each fail the check about what was broken.
#
# Skips without kubectl, unless in CI (CI=true), where its absence fails:
# script/bootstrap installs it there. Needs the npm packages script/test
# installs (INKWELL_NODE_MODULES).
# shellcheck disable=SC2317 # helpers are called through ok
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
need_env INKWELL_NODE_MODULES
kubectl=${INKWELL_KUBECTL:-kubectl}
if ! command -v "$kubectl" >/dev/null 2>&1; then
	if [[ ${CI:-} == true ]]; then
		fail "kubectl is installed (script/bootstrap --for test installs kubernetes-client)"
		done_testing
	fi
	skip_all "no kubectl (script/bootstrap --for test installs kubernetes-client)"
fi
command -v node >/dev/null || skip_all "node missing (script/bootstrap installs nodejs)"
export INKWELL_SRC=$src

tmp=$(mktemp -d /tmp/inkwell-6030.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# render DIR OUT: kubectl kustomize DIR into OUT (its warnings, such as
# current kustomize's about fields it still reads, into OUT.err).
render() {
	timeout 60 "$kubectl" kustomize "$1" >"$2" 2>"$2.err"
}
# checker ARGS...: the checker's report.
checker() {
	timeout 120 node "$here/lib/k8s_check.mjs" "$@"
}

note "$("$kubectl" version --client 2>/dev/null | head -n 2)"

# --- the overlays as they are -----------------------------------------------
for overlay in dev prod; do
	out=$tmp/$overlay.yaml
	ok "kubectl kustomize renders the $overlay overlay" render "$src/deploy/k8s/overlays/$overlay" "$out"
	if_fail diag "$(cat "$out.err")"
	flags=()
	[[ $overlay == prod ]] && flags=(--prod)
	tap_report 50 < <(checker "${flags[@]}" "$out" | sed "s/\t/\t$overlay: /")
done
like "$(grep -c '^kind: StatefulSet' "$tmp/dev.yaml")" '^2$' "dev runs PostgreSQL and Redis as StatefulSets"
like "$(grep -c '^kind: StatefulSet' "$tmp/prod.yaml")" '^0$' "prod has PostgreSQL and Redis outside"
like "$(grep -c '^kind: Secret' "$tmp/prod.yaml")" '^0$' "prod makes no Secret: they come from outside the repository"

# --- the GitOps objects ------------------------------------------------------------
tap_report 10 < <(checker --gitops "$src"/deploy/gitops/argocd/*.yaml "$src"/deploy/gitops/flux/*.yaml |
	sed "s/\t/\tgitops: /")

# --- nginx's configuration in the pod -------------------------------------------
out=$("$src/deploy/k8s/gen-nginx-conf" 2>"$tmp/gen.err")
ok "deploy/k8s/gen-nginx-conf runs" test -n "$out"
if ! cmp -s <(printf '%s\n' "$out") "$src/deploy/k8s/base/nginx/site.conf"; then
	fail "base/nginx/site.conf is what deploy/k8s/gen-nginx-conf makes (run: deploy/k8s/gen-nginx-conf >deploy/k8s/base/nginx/site.conf)"
	diag "$(diff <(printf '%s\n' "$out") "$src/deploy/k8s/base/nginx/site.conf" | head -n 20)"
else
	pass "base/nginx/site.conf is what deploy/k8s/gen-nginx-conf makes"
fi
sed 's#inkwell:9000#inkwell:9001#' "$src/deploy/container/nginx-inkwell.conf" >"$tmp/other.conf"
ok "gen-nginx-conf refuses a site without the upstream it replaces" \
	bash -c '! "$1" "$2" >/dev/null 2>&1' _ "$src/deploy/k8s/gen-nginx-conf" "$tmp/other.conf"

if command -v nginx >/dev/null; then
	n=$tmp/nginx
	mkdir -p "$n/cache"
	# The pod's paths, moved under $n.
	for f in nginx.conf site.conf; do
		sed -e "s#/etc/nginx/inkwell/#$n/#g" -e "s#/run/inkwell/nginx.pid#$n/nginx.pid#" \
			-e "s#/var/cache/nginx/#$n/cache/#g" -e "s#^error_log stderr#error_log $n/error.log#" \
			"$src/deploy/k8s/base/nginx/$f" >"$n/$f"
	done
	out=$(nginx -t -p "$n/" -c "$n/nginx.conf" -e "$n/error.log" 2>&1)
	ok "nginx -t accepts the pod's nginx.conf and site.conf" test $? -eq 0
	if_fail diag "$out"
	printf 'inkwell_nonsense on;\n' >>"$n/site.conf"
	ok "nginx -t refuses a broken site" \
		bash -c '! nginx -t -p "$1/" -c "$1/nginx.conf" -e "$1/error.log" >/dev/null 2>&1' _ "$n"
else
	pass "nginx -t # SKIP nginx is not installed"
fi

# --- broken copies must fail -------------------------------------------------------
# mutant OVERLAY NAME CHECK-REGEX PATCH|-: a copy of deploy/k8s whose
# OVERLAY gets PATCH (a strategic merge patch, YAML) as one more
# patchesStrategicMerge entry (or, with "-", the edit already made by the
# caller in $tmp/k8s), rendered and checked: the checker must fail, on
# the check CHECK-REGEX names.
fresh() {
	rm -rf "$tmp/k8s"
	cp -R "$src/deploy/k8s" "$tmp/k8s"
}
mutant() {
	local overlay=$1 name=$2 want=$3 patch=$4 dir rendered report flags=()
	dir=$tmp/k8s/overlays/$overlay
	if [[ $patch != - ]]; then
		fresh
		printf '%s\n' "$patch" >"$dir/mutant.yaml"
		sed -i 's/^patchesStrategicMerge:$/&\n  - mutant.yaml/' "$dir/kustomization.yaml"
	fi
	rendered=$tmp/mutant.yaml
	if ! render "$dir" "$rendered"; then
		fail "caught: $name (the broken copy did not even render)"
		diag "$(cat "$rendered.err")"
		return
	fi
	[[ $overlay == prod ]] && flags=(--prod)
	report=$(checker "${flags[@]}" "$rendered")
	local rc=$?
	if ((rc == 1)) && grep -P "^FAIL\t" <<<"$report" | cut -f2 | grep -Eq -- "$want"; then
		pass "caught: $name"
	else
		fail "caught: $name"
		diag "checker exit $rc; its failures:"
		diag "$(grep -P '^FAIL\t' <<<"$report" | cut -f2,3)"
	fi
}
deployment_patch() { # CONTAINER-LIST-YAML (indented for spec.template.spec)
	printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: inkwell\nspec:\n  template:\n    spec:\n%s\n' "$1"
}

mutant dev "nginx without its liveness probe" '^liveness and startup probes on every container: Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: nginx
          livenessProbe: null')"
mutant dev "a privileged inkwelld" '^not privileged: Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: inkwelld
          securityContext:
            privileged: true')"
mutant dev "nginx from an image :latest" '^images tagged, none "latest": Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: nginx
          image: docker.io/library/nginx:latest')"
mutant dev "an untagged image" '^images tagged, none "latest": Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: nginx
          image: docker.io/library/nginx')"
mutant dev "migrate may escalate privileges" '^allowPrivilegeEscalation false: Deployment/inkwell$' \
	"$(deployment_patch '      initContainers:
        - name: migrate
          securityContext:
            allowPrivilegeEscalation: true')"
mutant dev "a writable root file system" '^readOnlyRootFilesystem: Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: inkwelld
          securityContext:
            readOnlyRootFilesystem: false')"
mutant dev "a capability added back" '^capabilities drop ALL, add none: Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: nginx
          securityContext:
            capabilities:
              add: [SYS_ADMIN]')"
mutant dev "the pod as root" '^runAsNonRoot, not uid 0: Deployment/inkwell$' \
	"$(deployment_patch '      securityContext:
        runAsUser: 0')"
mutant dev "no seccomp profile" '^seccompProfile RuntimeDefault: Deployment/inkwell$' \
	"$(deployment_patch '      securityContext:
        seccompProfile: null')"
mutant dev "a hostPath volume" '^volume types of the restricted standard \(no hostPath\): Deployment/inkwell$' \
	"$(deployment_patch '      volumes:
        - name: tmp
          emptyDir: null
          hostPath:
            path: /tmp')"
mutant dev "the host network" '^no host network, PID, IPC or ports: Deployment/inkwell$' \
	"$(deployment_patch '      hostNetwork: true')"
mutant dev "no memory limit" '^requests and limits of cpu and memory: Deployment/inkwell$' \
	"$(deployment_patch '      containers:
        - name: inkwelld
          resources:
            limits:
              memory: null')"
mutant dev "a service account token mounted" '^no service account token: Deployment/inkwell$' \
	"$(deployment_patch '      automountServiceAccountToken: true')"
mutant dev "a grace period shorter than the drain" "^the grace period outlasts the preStop wait and inkwelld's drain$" \
	"$(deployment_patch '      terminationGracePeriodSeconds: 30')"
mutant dev "a drain made longer than the grace period" "^the grace period outlasts the preStop wait and inkwelld's drain$" \
	"$(deployment_patch '      containers:
        - name: inkwelld
          env:
            - name: INKWELL_SERVER_SHUTDOWN_TIMEOUT
              value: "60"')"
mutant dev "a misspelt INKWELL_ variable" '^every INKWELL_\* variable is a key' \
	"$(deployment_patch '      containers:
        - name: inkwelld
          env:
            - name: INKWELL_REDIS_ADRESS
              value: redis:6379')"
mutant dev "inkwelld on another socket than nginx's upstream" '^the nginx upstream is the socket inkwelld listens on$' \
	"$(deployment_patch '      containers:
        - name: inkwelld
          env:
            - name: INKWELL_SERVER_LISTEN
              value: unix:/run/inkwell/other.sock')"
# Edits of the files themselves.
fresh
sed -i 's/^  replicas: 1$/  replicas: "three"/' "$tmp/k8s/overlays/dev/postgres.yaml"
mutant dev 'a schema error (replicas: "three")' '^schema: StatefulSet/postgres$' -
fresh
sed -i 's/^  maxUnavailable: 1$/  maxUnavailable: []/' "$tmp/k8s/base/pdb.yaml"
mutant dev "a list where the schema wants a number or a string" '^schema: PodDisruptionBudget/inkwell$' -
fresh
sed -i '/^    digest: /d' "$tmp/k8s/overlays/prod/kustomization.yaml"
mutant prod "prod images by tag, not digest" '^images pinned by digest: Deployment/inkwell$' -
fresh
printf 'secretGenerator:\n  - name: inkwell-db\n    literals:\n      - conninfo=host=db password=oops\n' \
	>>"$tmp/k8s/overlays/prod/kustomization.yaml"
mutant prod "a Secret in clear in prod" '^no Secret with data in clear$' -

done_testing
