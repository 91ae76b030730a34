#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 6031-k8s-kube-play: deploy/k8s's dev overlay run for real, by Debian
# 12's podman 4.3 "kube play", the one runtime for Kubernetes objects
# that works here. The overlay is rendered by "kubectl kustomize" and
# made into what kube play runs by t/lib/kube_play.py (its top says how:
# StatefulSets become the Pod and claims Kubernetes would make, Jobs
# Pods, Secrets go to podman's secret store, Services become network
# aliases of the pods they select). Then: every probe of every container
# passes (each run as the kubelet would: httpGet through nginx's port,
# exec in the container), the home page, a post and the API list are
# served through the pod's nginx, an admin made by inkwellctl in the
# inkwelld container signs in, and "podman kube down" removes the pods.
# What podman does not run (Ingress, HorizontalPodAutoscaler,
# PodDisruptionBudget, NetworkPolicy, ...) t/6030's checks validate.
#
# Images as in t/6013-compose-up.t (t/lib/podman.sh): script/image's
# inkwell image, and stand-ins built from Debian 12's packages for the
# images the overlay names for PostgreSQL, Redis and nginx, in a podman
# storage of this test's own. nginx's port is published on 127.0.0.1:18131
# only. Everything the test made is removed at the end, failed or not.
#
# INKWELL_K8S_DIR: the deploy/k8s to run (default: this tree's);
# INKWELL_KUBECTL: the kubectl to render with (default: kubectl on PATH,
# Debian's kubernetes-client where script/bootstrap installed it).
# shellcheck disable=SC2317 # helpers are called through ok and wait_for
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=t/lib/podman.sh
. "$here/lib/podman.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
out=$build/image
k8s=${INKWELL_K8S_DIR:-$src/deploy/k8s}
kubectl=${INKWELL_KUBECTL:-kubectl}

podman_require "$kubectl"
[[ -f $k8s/overlays/dev/kustomization.yaml ]] || skip_all "no $k8s/overlays/dev"
PORT=18131
podman_ports_free 6031 "$PORT"

tmp=$(mktemp -d /tmp/inkwell-6031.XXXXXX)
chmod 0755 "$tmp"
net=iw6031x$$
started=$SECONDS
podman_private
plays=()
cleanup() {
	local f
	for f in "${plays[@]}"; do
		podman kube down "$f" >>"$tmp/play.log" 2>&1
	done
	podman_cleanup "$net"
}
trap cleanup EXIT

# --- the rendering, made into what kube play runs --------------------------------
"$kubectl" kustomize "$k8s/overlays/dev" >"$tmp/rendered.yaml" 2>"$tmp/render.log"
ok "kubectl kustomize renders the dev overlay" test "$?" -eq 0 -a -s "$tmp/rendered.yaml"
if_fail diag "$(cat "$tmp/render.log")"
"$py" "$here/lib/kube_play.py" "$tmp/rendered.yaml" "$tmp/play" \
	--publish "inkwell:http=127.0.0.1:$PORT" 2>"$tmp/convert.log"
ok "t/lib/kube_play.py makes it into pods kube play runs (nginx's http on 127.0.0.1:$PORT)" \
	test "$?" -eq 0 -a -s "$tmp/play/plan.tsv"
if_fail diag "$(cat "$tmp/convert.log")"
# POD=ALIASES for each pod, POD/CONTAINER/KIND for each probe.
plan=$(awk -F'\t' '{ printf "%s=%s ", $2, $3 }' "$tmp/play/plan.tsv" 2>/dev/null)
probes=$(awk -F'\t' '{ printf "%s/%s/%s ", $1, $2, $3 }' "$tmp/play/probes.tsv" 2>/dev/null)
note "pods (=names they answer to): $plan"
note "not run by podman: $(awk -F'\t' '{ printf "%s/%s ", $1, $2 }' "$tmp/play/unplayed.tsv" 2>/dev/null)"
like "$plan" '(^| )postgres-0=postgres,' "the postgres StatefulSet: pod postgres-0, reached as \"postgres\""
like "$plan" '(^| )redis-0=redis,' "the redis StatefulSet: pod redis-0, reached as \"redis\""
like "$plan" '(^| )inkwell-pod-0=' "the inkwell Deployment: pod inkwell-pod-0"
like "$probes" 'inkwell-pod-0/(nginx|inkwelld)/readiness' "the inkwell pod has a readiness probe"

# --- images ----------------------------------------------------------------------
t0=$SECONDS
podman_inkwell_image
version=$("$src/build-aux/version")
podman_standins
# Every image the rendering names: script/image's, or a stand-in.
images=$("$py" -c 'import sys, yaml
seen = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "image" and isinstance(v, str):
                seen.add(v)
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
for d in yaml.safe_load_all(open(sys.argv[1])):
    walk(d)
print("\n".join(sorted(seen)))' "$tmp/rendered.yaml")
for image in $images; do
	case $image in
	localhost/inkwell:*)
		is "$image" "localhost/inkwell:$version" "the overlay's inkwell image is script/image's"
		;;
	*/postgres:*) ok "a stand-in tagged $image" podman_standin "$image" "$PODMAN_STANDIN_POSTGRES" ;;
	*/redis:*) ok "a stand-in tagged $image" podman_standin "$image" "$PODMAN_STANDIN_REDIS" ;;
	*/nginx:*) ok "a stand-in tagged $image" podman_standin "$image" "$PODMAN_STANDIN_NGINX" ;;
	*) fail "no stand-in for $image" ;;
	esac
	if_fail diag "$(tail -n 20 "$tmp/standins.log" 2>/dev/null)"
done
note "images ready after $((SECONDS - t0)) s"
podman_pick_runtime localhost/inkwell-test-standins

# --- secrets, network, play --------------------------------------------------------
nsec=0
for f in "$tmp"/play/secret-*.yaml; do
	[[ -e $f ]] || continue
	name=${f##*/secret-}
	name=${name%.yaml}
	podman secret create "$name" "$f" >>"$tmp/play.log" 2>&1 && nsec=$((nsec + 1))
done
is "$nsec" "$(find "$tmp/play" -name 'secret-*.yaml' | wc -l)" \
	"podman secret create takes the overlay's $nsec Secret(s)"
podman network create "$net" >>"$tmp/play.log" 2>&1
ok "a podman network with DNS for the pods ($net)" test "$?" -eq 0

t0=$SECONDS
while IFS=$'\t' read -r file pod aliases; do
	# NETWORK:alias=A,alias=B: the Services' names for this pod.
	nw=$net
	[[ -z $aliases ]] || nw+=:alias=${aliases//,/,alias=}
	plays=("$tmp/play/$file" "${plays[@]}")
	# A pod's init containers run before kube play returns (migrate
	# waits up to 120 s for PostgreSQL).
	timeout 300 podman kube play --network "$nw" "$tmp/play/$file" </dev/null >>"$tmp/play.log" 2>&1
	ok "podman kube play ${file#*-} (pod $pod${aliases:+, as ${aliases%%,*}})" test "$?" -eq 0
	if_fail diag "$(tail -n 20 "$tmp/play.log")"
done <"$tmp/play/plan.tsv"
note "played in $((SECONDS - t0)) s"

# --- the probes ----------------------------------------------------------------------
# probe POD CONTAINER HOW: runs it once, as the kubelet would; 0 when it
# passes (an HTTP status from 200 to 399, exit 0, a connection).
probe() {
	local ctr=$1-$2 how=$3 code
	case $how in
	http\ *)
		local addr path
		read -r _ addr path <<<"$how"
		code=$(curl -s </dev/null -o /dev/null -w '%{http_code}' --max-time 5 "http://$addr$path")
		[[ $code =~ ^[23][0-9][0-9]$ ]]
		;;
	exec\ *)
		local -a argv
		mapfile -t argv < <("$py" -c 'import json, sys
print("\n".join(json.loads(sys.argv[1])))' "${how#exec }")
		podman exec "$ctr" "${argv[@]}" </dev/null >/dev/null 2>&1
		;;
	tcp\ *)
		podman exec "$ctr" bash -c "exec 3<>/dev/tcp/127.0.0.1/${how#tcp }" </dev/null >/dev/null 2>&1
		;;
	*) return 1 ;;
	esac
}
passes() { probe "$@" || { sleep 1; return 1; }; }
# Each pod's startup probes, then readiness, then liveness: up to 240 s
# in all from here (the first start initialises PostgreSQL), and at
# least 10 s for each, so one that never passes leaves the others time.
t0=$SECONDS
for kind in startup readiness liveness; do
	while IFS=$'\t' read -r pod ctr k how; do
		[[ $k == "$kind" ]] || continue
		left=$((240 - (SECONDS - t0)))
		((left >= 10)) || left=10
		ok "$pod/$ctr: the $kind probe ($how) passes" wait_for "$left" passes "$pod" "$ctr" "$how"
		if_fail diag "$(podman ps -a --format '{{.Names}} {{.Status}}' 2>&1)
$(podman logs --tail 15 "$pod-$ctr" 2>&1)"
	done <"$tmp/play/probes.tsv"
done
note "probes passed $((SECONDS - t0)) s after the plays"

# --- the blog through the pod's nginx ---------------------------------------------------
url=http://127.0.0.1:$PORT
code() { curl -s -o "$tmp/body" -w '%{http_code}' --max-time 10 "$url$1"; }
is "$(code /)" 200 "GET / through the pod's nginx: 200"
like "$(cat "$tmp/body" 2>/dev/null)" '<html' "and it is the blog's home page"
is "$(code /static/style.css)" 200 "nginx serves the theme's assets"

ink=inkwell-pod-0-inkwelld
ctl() { podman exec -i "$ink" inkwellctl "$@"; }
pw=kube-play-$$-$RANDOM$RANDOM
printf '%s\n' "$pw" | ctl user add --password-stdin --role admin --name 'Kube Admin' kubeadmin \
	>"$tmp/ctl.log" 2>&1
tok=$(ctl token add kubeadmin 2>>"$tmp/ctl.log")
like "$tok" '^iw_[A-Za-z0-9_-]{43}$' "inkwellctl in the inkwelld container makes an admin and a token"
if_fail diag "$(cat "$tmp/ctl.log")"
slug=kube-play-$$
pcode=$(curl -s -o "$tmp/post" -w '%{http_code}' --max-time 10 -X POST \
	-H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
	-d "{\"slug\":\"$slug\",\"title\":\"Played by podman\",\"body_md\":\"From a *kustomize* rendering.\",\"status\":\"published\"}" \
	"$url/api/v1/posts")
like "$pcode" '^20[01]$' "POST /api/v1/posts through nginx: $pcode"
if_fail diag "$(cat "$tmp/post" 2>/dev/null)"
is "$(code "/posts/$slug")" 200 "GET /posts/$slug: 200"
like "$(cat "$tmp/body" 2>/dev/null)" 'Played by podman' "with its title"
is "$(code /api/v1/posts)" 200 "GET /api/v1/posts: 200"
is "$("$py" -c 'import json, sys
posts = json.load(open(sys.argv[1]))["posts"]
print(any(p.get("slug") == sys.argv[2] for p in posts))' \
	"$tmp/body" "$slug" 2>&1 | tail -n 1)" True "  JSON that lists the post"

# The admin signs in through the login form.
jar=$tmp/jar
req() {
	local method=$1 path=$2
	shift 2
	curl -s --max-time 10 -b "$jar" -c "$jar" -X "$method" -o "$tmp/body" \
		-w '%{http_code}' "$@" "$url$path"
}
req GET /admin/login >/dev/null
csrf=$(grep -so 'name="csrf" value="[^"]*"' "$tmp/body" | head -n 1 | sed 's/.*value="//; s/"$//')
is "$(req POST /admin/login --data-urlencode "csrf=$csrf" --data-urlencode username=kubeadmin \
	--data-urlencode "password=$pw" --data-urlencode next=/admin/posts)" 303 \
	"the admin signs in at /admin/login (303)"
is "$(req GET /admin/posts)" 200 "and opens /admin/posts"
like "$(cat "$tmp/body" 2>/dev/null)" 'Played by podman' "  which lists the post"

# --- down ------------------------------------------------------------------------------
rc=0
for f in "${plays[@]}"; do
	podman kube down "$f" >>"$tmp/play.log" 2>&1 || rc=1
done
plays=()
ok "podman kube down, each file" test "$rc" -eq 0
if_fail diag "$(tail -n 10 "$tmp/play.log")"
is "$(podman pod ps -q | wc -l)" 0 "no pod is left"
curl -s -o /dev/null --max-time 5 "$url/"
is "$?" 7 "nothing answers on 127.0.0.1:$PORT"

note "6031: $((SECONDS - started)) s in all"
done_testing
