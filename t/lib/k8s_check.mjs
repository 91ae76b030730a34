// SPDX-License-Identifier: MIT
/*
 * t/lib/k8s_check.mjs: the checker of t/6030-k8s-validate.t for the
 * Kubernetes manifests (deploy/k8s, rendered by kustomize) and the GitOps
 * objects (deploy/gitops).
 *
 *   node t/lib/k8s_check.mjs [--prod] [--gitops] FILE...
 *
 * Reads every YAML document of the FILEs and prints one line a check,
 * "PASS<TAB>name" or "FAIL<TAB>name<TAB>why" (t/lib/tap.sh's tap_report
 * makes TAP of them); exits 1 when a check failed, 2 when it could not
 * run. Needs INKWELL_NODE_MODULES (the npm packages of t/node/) and
 * INKWELL_SRC (the source tree: src/lib/conf.c for inkwelld's keys and
 * its drain time).
 *
 *   1. Schemas: every object validates against its schema, from the
 *      npm packages kubernetes-models (Kubernetes' own OpenAPI) and
 *      @kubernetes-models/{argo-cd,flux-cd,cert-manager,
 *      prometheus-operator,external-secrets} (the versions that run on
 *      Debian 12's Node.js 18; kubernetes-models has Kubernetes 1.31's
 *      schemas); a kind none of them knows fails, but for a SealedSecret,
 *      whose shape is checked here.
 *   2. The restricted Pod Security Standard on every pod template
 *      (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod), init
 *      containers included: runAsNonRoot and a non-zero uid, seccomp
 *      RuntimeDefault, no privilege escalation, every capability
 *      dropped, not privileged, only the volume types it allows, no host
 *      namespaces, paths or ports; and this project's own rules: a
 *      read-only root file system, requests and limits of CPU and
 *      memory, liveness and startup probes on every container and a
 *      readiness probe in the pod, no service account token, no service
 *      links, images tagged and not "latest" (with --prod: by digest).
 *   3. inkwell's pod: the nginx upstream socket is where inkwelld
 *      listens, nginx listens on the Service's target port, every
 *      INKWELL_* variable is a key of src/lib/conf.c, the grace period
 *      outlasts the preStop wait and inkwelld's drain, the Deployment
 *      leaves its replica count to the HorizontalPodAutoscaler, and the
 *      objects it needs are there and refer to each other.
 *   4. With --prod: no Secret with its data in clear.
 *   5. With --gitops: the Argo CD Application and the Flux objects point
 *      at an overlay that exists, with pruning and self-healing on.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const args = process.argv.slice(2);
const prod = args.includes('--prod');
const gitops = args.includes('--gitops');
const files = args.filter((a) => !a.startsWith('--'));
const modules = process.env.INKWELL_NODE_MODULES;
const src = process.env.INKWELL_SRC;

function die(msg) {
	process.stderr.write(`k8s_check: ${msg}\n`);
	process.exit(2);
}
if (!modules) die('INKWELL_NODE_MODULES is not set (script/test sets it)');
if (!src) die('INKWELL_SRC is not set');
if (files.length === 0) die('usage: k8s_check.mjs [--prod] [--gitops] FILE...');

const req = createRequire(join(modules, '..', 'package.json'));
const YAML = req('yaml');

let failed = 0;
function check(name, ok, why = '') {
	if (ok) {
		process.stdout.write(`PASS\t${name}\n`);
	} else {
		failed++;
		process.stdout.write(`FAIL\t${name}\t${String(why).replace(/\s+/g, ' ')}\n`);
	}
}

// --- reading ---------------------------------------------------------------
const objects = [];
for (const f of files) {
	let docs;
	try {
		docs = YAML.parseAllDocuments(readFileSync(f, 'utf8'));
	} catch (e) {
		die(`${f}: ${e.message}`);
	}
	for (const d of docs) {
		if (d.errors.length) die(`${f}: ${d.errors[0].message}`);
		const o = d.toJS();
		if (o !== null && o !== undefined) objects.push(o);
	}
}
check('the files hold Kubernetes objects', objects.length > 0, 'no object found');
const id = (o) => `${o.kind}/${o.metadata?.name}`;
const byKind = (k) => objects.filter((o) => o.kind === k);
const find = (k, n) => objects.find((o) => o.kind === k && o.metadata?.name === n);

// --- 1. schemas ------------------------------------------------------------
// The npm package that has the models of each API group.
const PACKAGES = {
	'argoproj.io': '@kubernetes-models/argo-cd',
	'source.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
	'kustomize.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
	'cert-manager.io': '@kubernetes-models/cert-manager',
	'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
	// What deploy/k8s/README.md suggests for prod's Secrets (SealedSecret:
	// below).
	'external-secrets.io': '@kubernetes-models/external-secrets',
};
function model(apiVersion, kind) {
	const slash = apiVersion.indexOf('/');
	const group = slash < 0 ? '' : apiVersion.slice(0, slash);
	const pkg = group === '' || !group.includes('.') || group.endsWith('.k8s.io')
		? 'kubernetes-models' : PACKAGES[group];
	if (!pkg) return null;
	try {
		const m = req(`${pkg}/${apiVersion}/${kind}`);
		return m[kind] || m.default || null;
	} catch {
		return null;
	}
}
for (const o of objects) {
	const name = `schema: ${id(o)}`;
	if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
		check(name, false, 'no apiVersion or kind');
		continue;
	}
	if (o.apiVersion === 'bitnami.com/v1alpha1' && o.kind === 'SealedSecret') {
		// The npm models of SealedSecret want a newer Node.js than
		// Debian 12's: its shape is checked here.
		const enc = o.spec?.encryptedData;
		check(name, typeof o.metadata?.name === 'string' && enc && typeof enc === 'object' &&
			Object.keys(enc).length > 0 && Object.values(enc).every((v) => typeof v === 'string' && v.length > 0),
			'spec.encryptedData must map keys to encrypted strings');
		continue;
	}
	const M = model(o.apiVersion, o.kind);
	if (!M) {
		check(name, false, `no schema for ${o.apiVersion} ${o.kind} in the npm packages`);
		continue;
	}
	// kustomize writes long base64 values of a Secret's data on several
	// lines; the API server's decoder skips the line breaks, the "byte"
	// format of the schema does not.
	if (o.kind === 'Secret' && o.data && typeof o.data === 'object') {
		o.data = Object.fromEntries(Object.entries(o.data).map(([k, v]) =>
			[k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v]));
	}
	try {
		new M(o).validate();
		check(name, true);
	} catch (e) {
		const errs = e.errors ? e.errors.map((x) => `${x.instancePath || x.dataPath || ''} ${x.message}`).join('; ') : e.message;
		check(name, false, errs);
	}
}

// --- 2. pod templates ------------------------------------------------------
function podSpec(o) {
	switch (o.kind) {
	case 'Pod': return o.spec;
	case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job':
		return o.spec?.template?.spec;
	case 'CronJob': return o.spec?.jobTemplate?.spec?.template?.spec;
	default: return undefined;
	}
}
const workloads = objects.filter((o) => podSpec(o));
if (!gitops) check('there are pod templates to check', workloads.length > 0, 'none');

// The restricted standard's volume types.
const VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral',
	'persistentVolumeClaim', 'projected', 'secret'];

function all(list, pred) {
	const bad = list.filter((x) => !pred(x));
	return [bad.length === 0, bad.map((x) => x.name).join(', ')];
}

for (const o of workloads) {
	const spec = podSpec(o);
	const w = id(o);
	const psc = spec.securityContext || {};
	const inits = spec.initContainers || [];
	const ctrs = spec.containers || [];
	const every = [...inits, ...ctrs];
	const sc = (c) => c.securityContext || {};
	const eff = (c, k) => (sc(c)[k] !== undefined ? sc(c)[k] : psc[k]);

	check(`runAsNonRoot, not uid 0: ${w}`,
		...all(every, (c) => eff(c, 'runAsNonRoot') === true && eff(c, 'runAsUser') !== 0 &&
			psc.runAsUser !== 0 && eff(c, 'runAsGroup') !== 0));
	check(`seccompProfile RuntimeDefault: ${w}`,
		...all(every, (c) => ['RuntimeDefault', 'Localhost'].includes(
			(sc(c).seccompProfile || psc.seccompProfile || {}).type)));
	check(`allowPrivilegeEscalation false: ${w}`,
		...all(every, (c) => sc(c).allowPrivilegeEscalation === false));
	check(`capabilities drop ALL, add none: ${w}`,
		...all(every, (c) => (sc(c).capabilities?.drop || []).includes('ALL') &&
			(sc(c).capabilities?.add || []).every((a) => a === 'NET_BIND_SERVICE')));
	check(`not privileged: ${w}`, ...all(every, (c) => sc(c).privileged !== true &&
		(sc(c).procMount || 'Default') === 'Default'));
	check(`readOnlyRootFilesystem: ${w}`,
		...all(every, (c) => sc(c).readOnlyRootFilesystem === true));
	const vols = spec.volumes || [];
	const badVol = vols.filter((v) => !Object.keys(v).filter((k) => k !== 'name').every((k) => VOLUMES.includes(k)));
	check(`volume types of the restricted standard (no hostPath): ${w}`, badVol.length === 0,
		badVol.map((v) => v.name).join(', '));
	check(`no host network, PID, IPC or ports: ${w}`,
		!spec.hostNetwork && !spec.hostPID && !spec.hostIPC &&
		every.every((c) => (c.ports || []).every((p) => !p.hostPort)),
		'hostNetwork, hostPID, hostIPC or a hostPort is set');
	check(`requests and limits of cpu and memory: ${w}`,
		...all(every, (c) => ['requests', 'limits'].every((r) =>
			c.resources?.[r]?.cpu !== undefined && c.resources?.[r]?.memory !== undefined)));
	check(`liveness and startup probes on every container: ${w}`,
		...all(ctrs, (c) => c.livenessProbe && c.startupProbe));
	check(`a readiness probe in the pod: ${w}`, ctrs.some((c) => c.readinessProbe), 'no container has one');
	const sa = spec.serviceAccountName ? find('ServiceAccount', spec.serviceAccountName) : null;
	check(`no service account token: ${w}`,
		spec.automountServiceAccountToken === false ||
		(spec.automountServiceAccountToken === undefined && sa?.automountServiceAccountToken === false),
		'automountServiceAccountToken is not false');
	check(`no service links: ${w}`, spec.enableServiceLinks === false, 'enableServiceLinks is not false');
	check(`images tagged, none "latest": ${w}`, ...all(every, (c) => {
		const m = /^(.*?)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(c.image || '');
		if (!m || m[1].includes('@')) return false;
		const last = m[1].split('/').pop();
		if (last.includes(':')) return false;
		return m[3] !== undefined || (m[2] !== undefined && m[2] !== 'latest');
	}));
	if (prod) {
		check(`images pinned by digest: ${w}`,
			...all(every, (c) => /@sha256:[0-9a-f]{64}$/.test(c.image || '')));
	}
}

// --- 3. inkwell's pod ------------------------------------------------------
function confKeys() {
	const text = readFileSync(join(src, 'src/lib/conf.c'), 'utf8');
	let table = text.slice(text.indexOf('static const struct ckey keys[]'));
	table = table.slice(0, table.indexOf('};'));
	const keys = new Map();
	for (const m of table.matchAll(/\{\s*"(\w+)",\s*"(\w+)",\s*CT_\w+,([\s\S]*?)(true|false)\s*\}/g))
		keys.set(`INKWELL_${m[1]}_${m[2]}`.toUpperCase(), { secret: m[4] === 'true', rest: m[3] });
	return keys;
}
// inkwelld's drain: [server] shutdown_timeout (its default, or the value
// given), and the seconds it then waits for killed workers.
function drain(env) {
	const conf = readFileSync(join(src, 'src/lib/conf.c'), 'utf8');
	const def = /\{\s*"server",\s*"shutdown_timeout",\s*CT_INT,[^"]*"(\d+)"/.exec(conf);
	const daemon = readFileSync(join(src, 'src/serve/inkwelld.c'), 'utf8');
	const reap = /kill\(sides\[s\]\.pid, SIGKILL\);\s*stop_deadline = util_now\(\) \+ (\d+);/.exec(daemon);
	return [Number(env.INKWELL_SERVER_SHUTDOWN_TIMEOUT ?? (def ? def[1] : NaN)), reap ? Number(reap[1]) : NaN];
}
// A container's environment: its env values, and the data of the
// ConfigMaps of its envFrom.
function envOf(c) {
	const env = {};
	for (const ef of c.envFrom || []) {
		const cm = ef.configMapRef && find('ConfigMap', ef.configMapRef.name);
		Object.assign(env, cm?.data || {});
	}
	for (const e of c.env || []) env[e.name] = e.value ?? '';
	return env;
}
function preStopSleep(c) {
	const cmd = (c.lifecycle?.preStop?.exec?.command || []).join(' ');
	const m = /sleep (\d+)/.exec(cmd);
	return m ? Number(m[1]) : 0;
}

const dep = find('Deployment', 'inkwell');
if (!gitops) {
	check('the Deployment inkwell is there', !!dep, 'missing');
}
if (dep) {
	const spec = podSpec(dep);
	const ctr = (n) => (spec.containers || []).find((c) => c.name === n);
	const nginx = ctr('nginx');
	const ink = ctr('inkwelld');
	check('inkwell runs the containers nginx and inkwelld', nginx && ink,
		(spec.containers || []).map((c) => c.name).join(', '));
	const inkEnv = ink ? envOf(ink) : {};
	const keys = confKeys();
	const unknown = [];
	for (const c of [...(spec.initContainers || []), ...(spec.containers || [])]) {
		for (const k of Object.keys(envOf(c))) {
			if (!k.startsWith('INKWELL_')) continue;
			const base = k.endsWith('_FILE') ? k.slice(0, -5) : k;
			if (!(keys.has(k) || (k.endsWith('_FILE') && keys.get(base)?.secret))) unknown.push(`${c.name}: ${k}`);
		}
	}
	check('every INKWELL_* variable is a key of src/lib/conf.c (or its _FILE)', unknown.length === 0,
		unknown.join(', '));

	// nginx's configuration, from the ConfigMap mounted on /etc/nginx/inkwell.
	const mount = (nginx?.volumeMounts || []).find((m) => m.mountPath === '/etc/nginx/inkwell');
	const vol = mount && (spec.volumes || []).find((v) => v.name === mount.name);
	const cm = vol?.configMap && find('ConfigMap', vol.configMap.name);
	const site = cm?.data?.['site.conf'] || '';
	const main = cm?.data?.['nginx.conf'] || '';
	check("nginx's configuration (nginx.conf, site.conf) comes from a ConfigMap", site && main,
		'no ConfigMap with nginx.conf and site.conf mounted on /etc/nginx/inkwell');
	check('nginx.conf includes site.conf', /include \/etc\/nginx\/inkwell\/site\.conf;/.test(main), 'no include');
	const upstream = /upstream inkwell \{\s*server (unix:\S+) /.exec(site);
	check('the nginx upstream is the socket inkwelld listens on',
		upstream && upstream[1] === inkEnv.INKWELL_SERVER_LISTEN,
		`nginx: ${upstream?.[1]}, inkwelld: ${inkEnv.INKWELL_SERVER_LISTEN}`);
	const sock = (inkEnv.INKWELL_SERVER_LISTEN || '').replace(/^unix:/, '');
	const dirOf = (p) => p.replace(/\/[^/]*$/, '');
	const shared = (nginx?.volumeMounts || []).find((m) => m.mountPath === dirOf(sock));
	const sharedInk = (ink?.volumeMounts || []).find((m) => m.mountPath === dirOf(sock));
	const sharedVol = shared && (spec.volumes || []).find((v) => v.name === shared.name);
	check('the socket is on an emptyDir (memory) both containers mount',
		shared && sharedInk && shared.name === sharedInk.name && sharedVol?.emptyDir?.medium === 'Memory',
		`${dirOf(sock)}: nginx ${shared?.name}, inkwelld ${sharedInk?.name}`);
	const pages = inkEnv.INKWELL_PATHS_PAGES || '';
	check('the page files are on that emptyDir too', pages.startsWith(`${dirOf(sock)}/`) &&
		site.includes(`root ${pages}/`), `INKWELL_PATHS_PAGES=${pages}`);
	const listen = /^\s*listen (\d+);/m.exec(site);
	const http = (nginx?.ports || []).find((p) => p.name === 'http');
	const svc = find('Service', 'inkwell');
	const svcPort = (svc?.spec?.ports || []).find((p) => p.name === 'http');
	check('nginx listens on the port the Service inkwell targets (not below 1024)',
		listen && http && Number(listen[1]) === http.containerPort && http.containerPort >= 1024 &&
		svcPort && (svcPort.targetPort === 'http' || svcPort.targetPort === http.containerPort),
		`listen ${listen?.[1]}, containerPort ${http?.containerPort}, targetPort ${svcPort?.targetPort}`);
	const probes = [nginx?.livenessProbe?.httpGet?.path, nginx?.readinessProbe?.httpGet?.path];
	check("nginx's probes ask /livez and /readyz", probes[0] === '/livez' && probes[1] === '/readyz',
		probes.join(', '));

	const [timeout, reap] = drain(inkEnv);
	const wait = Math.max(preStopSleep(nginx || {}), preStopSleep(ink || {}));
	const grace = spec.terminationGracePeriodSeconds ?? 30;
	check('the grace period outlasts the preStop wait and inkwelld\'s drain',
		Number.isFinite(timeout) && Number.isFinite(reap) && wait > 0 && grace > wait + timeout + reap,
		`terminationGracePeriodSeconds ${grace}, preStop sleep ${wait}, shutdown_timeout ${timeout}, reap ${reap}`);

	const migrate = [...(spec.initContainers || [])].find((c) => (c.command || []).slice(0, 2).join(' ') === 'inkwellctl migrate') ||
		byKind('Job').find((j) => podSpec(j).containers.some((c) => (c.command || []).slice(0, 2).join(' ') === 'inkwellctl migrate'));
	check('inkwellctl migrate runs before inkwelld (init container or Job)', !!migrate, 'none');

	const hpa = byKind('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' &&
		h.spec.scaleTargetRef.name === 'inkwell');
	check('a HorizontalPodAutoscaler on CPU scales the Deployment inkwell',
		hpa && (hpa.spec.metrics || []).some((m) => m.resource?.name === 'cpu'), 'none');
	check('the Deployment leaves its replica count to the HorizontalPodAutoscaler',
		!hpa || dep.spec.replicas === undefined, `replicas: ${dep.spec.replicas}`);
	if (hpa) {
		const want = prod ? 3 : 1;
		check(`the HorizontalPodAutoscaler keeps ${want} replica${want > 1 ? 's' : ''} at least`,
			hpa.spec.minReplicas === want, `minReplicas ${hpa.spec.minReplicas}`);
	}
	const labels = dep.spec.template.metadata?.labels || {};
	const selects = (sel) => sel && Object.entries(sel).every(([k, v]) => labels[k] === v);
	check('a PodDisruptionBudget covers the pods',
		byKind('PodDisruptionBudget').some((p) => selects(p.spec?.selector?.matchLabels)), 'none');
	check('the Service inkwell selects the pods', svc && selects(svc.spec?.selector), 'no');
	const ing = byKind('Ingress').find((i) => (i.spec?.rules || []).some((r) =>
		(r.http?.paths || []).some((p) => p.backend?.service?.name === 'inkwell')));
	check('an Ingress with TLS sends readers to the Service inkwell',
		ing && (ing.spec.tls || []).length > 0, 'none');
	const sm = byKind('ServiceMonitor').find((s) => svc && Object.entries(s.spec?.selector?.matchLabels || {})
		.every(([k, v]) => svc.metadata.labels?.[k] === v));
	check('a ServiceMonitor scrapes /metrics on a port of the Service',
		sm && (sm.spec.endpoints || []).some((e) => e.path === '/metrics' &&
			(svc.spec.ports || []).some((p) => p.name === e.port)), 'none');
	const nps = byKind('NetworkPolicy');
	const ingressFrom = nps.filter((n) => selects(n.spec?.podSelector?.matchLabels) &&
		(n.spec.policyTypes || []).includes('Ingress'));
	const ports = ingressFrom.flatMap((n) => (n.spec.ingress || []).flatMap((r) => (r.ports || []).map((p) => p.port)));
	check('NetworkPolicies let in only nginx\'s ports',
		nps.some((n) => Object.keys(n.spec?.podSelector || {}).length === 0 ||
			Object.keys(n.spec?.podSelector?.matchLabels || {}).length === 0) &&
		ingressFrom.length > 0 && ports.length > 0 &&
		ports.every((p) => ['http', 'metrics', 8080, 9090].includes(p)) &&
		ingressFrom.every((n) => (n.spec.ingress || []).every((r) => (r.from || []).length > 0 && (r.ports || []).length > 0)),
		`ports: ${ports.join(', ')}`);
	const egress = nps.filter((n) => selects(n.spec?.podSelector?.matchLabels) &&
		(n.spec.policyTypes || []).includes('Egress')).flatMap((n) => n.spec.egress || []);
	const egressPorts = egress.flatMap((r) => (r.ports || []).map((p) => p.port)).sort((a, b) => a - b);
	check('NetworkPolicies let inkwell out to DNS, PostgreSQL and Redis only',
		egress.length > 0 && egress.every((r) => (r.to || []).length > 0 && (r.ports || []).length > 0) &&
		[53, 5432, 6379].every((p) => egressPorts.includes(p)) &&
		egressPorts.every((p) => [53, 5432, 6379].includes(p)), `ports: ${egressPorts.join(', ')}`);
	// Every ConfigMap the pod names is in the rendering; Secrets are
	// made outside the repository in prod.
	const cms = [];
	for (const v of spec.volumes || []) if (v.configMap) cms.push(v.configMap.name);
	for (const c of [...(spec.initContainers || []), ...(spec.containers || [])])
		for (const ef of c.envFrom || []) if (ef.configMapRef) cms.push(ef.configMapRef.name);
	const missing = cms.filter((n) => !find('ConfigMap', n));
	check('every ConfigMap the pod names is there', missing.length === 0, missing.join(', '));
	const sa = find('ServiceAccount', spec.serviceAccountName || 'default');
	check('the pod\'s ServiceAccount is there and mounts no token',
		sa && sa.automountServiceAccountToken === false, spec.serviceAccountName);
}

// --- 4. Secrets ------------------------------------------------------------
if (prod) {
	const clear = byKind('Secret').filter((s) => Object.keys(s.data || {}).length || Object.keys(s.stringData || {}).length);
	check('no Secret with data in clear', clear.length === 0, clear.map(id).join(', '));
}

// --- 5. GitOps ---------------------------------------------------------------
if (gitops) {
	const overlay = (p) => p && existsSync(join(src, p.replace(/^\.\//, ''), 'kustomization.yaml'));
	const apps = byKind('Application');
	check('an Argo CD Application follows an overlay of deploy/k8s',
		apps.length > 0 && apps.every((a) => overlay(a.spec?.source?.path)),
		apps.map((a) => a.spec?.source?.path).join(', '));
	check('the Application prunes and heals itself',
		apps.length > 0 && apps.every((a) => a.spec?.syncPolicy?.automated?.prune === true &&
			a.spec.syncPolicy.automated.selfHeal === true), 'automated prune/selfHeal not both true');
	const kss = objects.filter((o) => o.kind === 'Kustomization' && o.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io/'));
	const repos = byKind('GitRepository');
	check('a Flux Kustomization applies an overlay of deploy/k8s from the GitRepository',
		kss.length > 0 && kss.every((k) => overlay(k.spec?.path) && k.spec?.sourceRef?.kind === 'GitRepository' &&
			repos.some((r) => r.metadata.name === k.spec.sourceRef.name)),
		kss.map((k) => k.spec?.path).join(', '));
	check('the Flux Kustomization prunes and checks health',
		kss.length > 0 && kss.every((k) => k.spec.prune === true &&
			((k.spec.healthChecks || []).length > 0 || k.spec.wait === true)), 'prune or health checks missing');
	check('the Flux Kustomization\'s target namespace is made with the restricted standard',
		kss.every((k) => !k.spec.targetNamespace ||
			byKind('Namespace').some((n) => n.metadata.name === k.spec.targetNamespace &&
				n.metadata.labels?.['pod-security.kubernetes.io/enforce'] === 'restricted')),
		'no such Namespace');
}

process.exit(failed ? 1 : 0);
