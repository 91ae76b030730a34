// SPDX-License-Identifier: MIT
/*
 * t/terraform/check.mjs: the checks of t/7101-terraform-parse.t on
 * terraform/, where no terraform binary is needed:
 *
 *   1. every .tf file parses (@cdktf/hcl2json);
 *   2. structure: every module has main.tf, variables.tf, outputs.tf,
 *      versions.tf and README.md, every environment those and
 *      terraform.tfvars.example; every variable has a type and a
 *      description, every output a description; versions.tf pins
 *      Terraform and every provider the directory's resources use; the
 *      README names every variable and output; every module call in an
 *      environment passes only variables the module declares and every
 *      one it requires; the tfvars examples set only declared variables,
 *      and every required one;
 *   3. the evaluator (t/lib/hcl_eval.mjs) on its own: values it must
 *      compute, input it must refuse with a clear error, YAML that must
 *      read back the same, hostile strings included;
 *   4. each module rendered from t/data/terraform/*.json: its variables'
 *      validation blocks pass those inputs and refuse broken ones, and
 *      the user data passes "cloud-init schema --config-file", uses only
 *      what t/lib/cloudinit_apply.py emulates (t/7102), and fits EC2's
 *      16 KiB when the package comes from a URL;
 *   4a. backups: the database primary's user data installs pgBackRest,
 *      the package (from its URL or the copy carried, primary only) and
 *      runs "inkwell-backup enable" with the module's repository (local
 *      or S3 with --s3-key-type auto), retention and archive_timeout,
 *      and the outputs name the repository; in the AWS environment, the
 *      backup bucket (versioned, encrypted, private, TLS only, old
 *      versions expired, current ones never) and the primary's instance
 *      profile, whose policy, computed, allows that bucket alone;
 *   4b. HTTPS: the local environment's variables, through its call of
 *      the load-balancer module, make the balancer's user data install
 *      certbot, ask the ACME directory given, and serve the nginx site
 *      expected (443 with HTTP/2, TLS 1.2/1.3, the ciphers, no session
 *      tickets, a shared cache, stapling, HSTS; 80 with the challenges and
 *      301/308); the AWS environment's listeners (443 with the validated
 *      ACM certificate and a TLS 1.2/1.3 policy, 80 redirecting with a
 *      301), their conditions computed from its variables;
 *   5. where a terraform binary is on PATH after all: "terraform fmt
 *      -check", and the same modules rendered by Terraform itself must
 *      give the same data as the evaluator (skipped without one).
 *
 * Environment: INKWELL_NODE_MODULES (@cdktf/hcl2json), INKWELL_SRC (the
 * source tree), INKWELL_TEST_OUT (where rendered files go).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { EvalError, ModuleEval, loadHcl2json, loadModule, yamlencode } from '../lib/hcl_eval.mjs';
import { diag, done, is, like, note, ok, skipAll } from '../lib/tap.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(process.env.INKWELL_SRC || join(here, '..', '..'));
const tf = join(src, 'terraform');
const out = process.env.INKWELL_TEST_OUT || mkdtempSync(join(tmpdir(), 'inkwell-7101-'));
mkdirSync(out, { recursive: true });
if (!process.env.INKWELL_NODE_MODULES) skipAll('INKWELL_NODE_MODULES not set (script/test sets it)');
const hcl = await loadHcl2json(process.env.INKWELL_NODE_MODULES);
const py = '/usr/bin/python3';

const dirs = (p) => readdirSync(p).filter((f) => statSync(join(p, f)).isDirectory()).sort();
const moduleNames = dirs(join(tf, 'modules'));
const envNames = dirs(join(tf, 'environments'));
ok(moduleNames.length >= 3, `terraform/modules has the modules (${moduleNames.join(', ')})`);
ok(envNames.length >= 2, `terraform/environments has the environments (${envNames.join(', ')})`);

// --- 1. every file parses ------------------------------------------------------------

function tfFiles(p) {
	const found = [];
	for (const f of readdirSync(p).sort()) {
		const full = join(p, f);
		if (f === '.terraform') continue;
		if (statSync(full).isDirectory()) found.push(...tfFiles(full));
		else if (f.endsWith('.tf') || f.endsWith('.tfvars.example')) found.push(full);
	}
	return found;
}
for (const f of tfFiles(tf)) {
	let err = null;
	try {
		await hcl.parse(f, readFileSync(f, 'utf8'));
	} catch (e) {
		err = e.message;
	}
	ok(err === null, `${relative(src, f)} parses`);
	if (err) diag(err);
}

// --- 2. structure --------------------------------------------------------------------------

const loaded = {};
for (const [kind, names] of [['modules', moduleNames], ['environments', envNames]])
	for (const n of names) {
		const dir = join(tf, kind, n);
		try {
			loaded[`${kind}/${n}`] = await loadModule(hcl, dir);
		} catch (e) {
			ok(false, `${kind}/${n} loads`);
			diag(e.message);
		}
	}

function checkStructure(key, mod) {
	const isEnv = key.startsWith('environments/');
	const want = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md'];
	if (isEnv) want.push('terraform.tfvars.example');
	const missing = want.filter((f) => !existsSync(join(mod.dir, f)));
	is(missing.join(' '), '', `${key}: has ${want.join(', ')}`);

	const untyped = Object.entries(mod.variables).filter(([, v]) => typeof v.type !== 'string' || !/^\$\{.+\}$/s.test(v.type)).map(([n]) => n);
	is(untyped.join(' '), '', `${key}: every variable has a type (${Object.keys(mod.variables).length} variables)`);
	const undescribed = Object.entries(mod.variables).filter(([, v]) => typeof v.description !== 'string' || v.description.trim().length < 10).map(([n]) => n);
	is(undescribed.join(' '), '', `${key}: every variable has a description`);
	const wrongFile = Object.entries(mod.variables).filter(([, v]) => v._file !== 'variables.tf').map(([n]) => n);
	is(wrongFile.join(' '), '', `${key}: variables live in variables.tf`);
	const outNoDesc = Object.entries(mod.outputs).filter(([, o]) => typeof o.description !== 'string' || o.description.trim().length < 10).map(([n]) => n);
	is(outNoDesc.join(' '), '', `${key}: every output has a description (${Object.keys(mod.outputs).length} outputs)`);
	ok(Object.keys(mod.outputs).length > 0, `${key}: has outputs`);

	// versions.tf: Terraform pinned, and every provider the resources use.
	const tfBlocks = mod.terraform.filter((t) => t._file === 'versions.tf');
	ok(tfBlocks.some((t) => typeof t.required_version === 'string' && /[<>~=]/.test(t.required_version)),
		`${key}: versions.tf pins required_version`);
	const declared = {};
	for (const t of tfBlocks)
		for (const rp of t.required_providers || [])
			Object.assign(declared, rp);
	const used = new Set([...Object.values(mod.resources), ...Object.values(mod.data)].map((r) => r._type.split('_')[0]));
	for (const p of Object.keys(mod.providers)) used.add(p);
	const unpinned = [...used].filter((p) => !declared[p] || typeof declared[p].source !== 'string' || !/[<>~=]|^\d/.test(declared[p].version || ''));
	is(unpinned.join(' '), '', `${key}: versions.tf pins every provider it uses (${[...used].sort().join(', ') || 'none: it makes no resource'})`);
	const unused = Object.keys(declared).filter((p) => !used.has(p));
	is(unused.join(' '), '', `${key}: and declares no provider it does not use`);

	// The README names every variable and output.
	const readme = existsSync(join(mod.dir, 'README.md')) ? readFileSync(join(mod.dir, 'README.md'), 'utf8') : '';
	const unnamed = [...Object.keys(mod.variables), ...Object.keys(mod.outputs)].filter((n) => !readme.includes('`' + n + '`'));
	is(unnamed.join(' '), '', `${key}: README.md names every variable and output`);
}

const META_ARGS = new Set(['source', 'version', 'count', 'for_each', 'depends_on', 'providers', '_file']);

function checkCalls(key, mod) {
	for (const [name, call] of Object.entries(mod.modules)) {
		const target = resolve(mod.dir, String(call.source));
		const rel = relative(tf, target);
		const callee = loaded[rel];
		ok(!!callee && rel.startsWith('modules/'), `${key}: module "${name}" calls ${call.source} (terraform/${rel})`);
		if (!callee) continue;
		const args = Object.keys(call).filter((a) => !META_ARGS.has(a));
		const unknown = args.filter((a) => !(a in callee.variables));
		is(unknown.join(' '), '', `${key}: module "${name}" passes only variables ${rel} declares`);
		const required = Object.entries(callee.variables).filter(([, v]) => !('default' in v)).map(([n]) => n);
		const missing = required.filter((r) => !args.includes(r));
		is(missing.join(' '), '', `${key}: module "${name}" passes every variable ${rel} requires (${required.join(', ')})`);
	}
}

async function checkExample(key, mod) {
	const f = join(mod.dir, 'terraform.tfvars.example');
	if (!existsSync(f)) return;
	const vars = await hcl.parse('terraform.tfvars.example', readFileSync(f, 'utf8'));
	const unknown = Object.keys(vars).filter((v) => !(v in mod.variables));
	is(unknown.join(' '), '', `${key}: terraform.tfvars.example sets only declared variables`);
	const required = Object.entries(mod.variables).filter(([, v]) => !('default' in v)).map(([n]) => n);
	const missing = required.filter((r) => !(r in vars));
	is(missing.join(' '), '', `${key}: terraform.tfvars.example sets every required variable (${required.join(', ')})`);
}

for (const [key, mod] of Object.entries(loaded)) {
	checkStructure(key, mod);
	if (key.startsWith('environments/')) {
		ok(Object.keys(mod.modules).length >= 3, `${key}: calls the modules (${Object.keys(mod.modules).join(', ')})`);
		checkCalls(key, mod);
		await checkExample(key, mod);
	} else {
		ok(Object.keys(mod.resources).length === 0 && Object.keys(mod.data).length === 0,
			`${key}: creates nothing (provider-neutral: it renders user data)`);
	}
}

// --- 3. the evaluator itself ---------------------------------------------------------------------

const scratch = mkdtempSync(join(out, 'eval-'));
const scratch2 = mkdtempSync(join(out, 'policy-'));
writeFileSync(join(scratch, 'greeting.tftpl'), 'hello ${who}, $${not} %%{this}\n');
writeFileSync(join(scratch, 'directive.tftpl'), '%{ for x in xs }${x}%{ endfor }\n');
writeFileSync(join(scratch, 'latin1.bin'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));

// evalLocal: the value of local.x where x = EXPR, with optional extra .tf
// text and inputs.
let caseNo = 0;
async function evalLocal(expr, { extra = '', inputs = {} } = {}) {
	const dir = join(scratch, `case-${++caseNo}`);
	mkdirSync(dir);
	writeFileSync(join(dir, 'main.tf'), `locals {\n  x = ${expr}\n}\n${extra}`);
	const mod = await loadModule(hcl, dir);
	const ev = new ModuleEval(hcl, mod, inputs, { cwd: scratch });
	await ev.prepare();
	return ev.local('x');
}

const VALUE_CASES = [
	['"a${"b"}c${1 + 2}"', 'abc3'],
	['"$${literal} %%{too}"', '${literal} %{too}'],
	['"tab\\tquote\\"u\\u00e9"', 'tab\tquote"ué'],
	['{ a = 1, "b-c" = [true, null], (var.k) = "v" }', { a: 1, 'b-c': [true, null], kk: 'v' }, { extra: 'variable "k" {\n  type = string\n  default = "kk"\n}\n' }],
	['[for i, s in ["a", "b", "c"] : "${i}${upper(s)}" if s != "b"]', ['0A', '2C']],
	['{ for k, v in { x = 1, y = 2 } : "k-${k}" => v * 10 }', { 'k-x': 10, 'k-y': 20 }],
	['length(var.l) > 1 ? var.l[1] : "none"', 'q', { extra: 'variable "l" {\n  type = list(string)\n  default = ["p", "q"]\n}\n' }],
	['merge({ a = 1, b = 2 }, { b = 3 }, null)', { a: 1, b: 3 }],
	['concat([1], [], [2, 3])', [1, 2, 3]],
	['join(",", [for n in [3, 1, 2] : tostring(n)])', '3,1,2'],
	['jsonencode({ b = [1, "x"], a = null })', '{"b":[1,"x"],"a":null}'],
	['base64encode("inkwell")', 'aW5rd2VsbA=='],
	['templatefile("greeting.tftpl", { who = "ada" })', 'hello ada, ${not} %{this}\n'],
	['file("greeting.tftpl")', 'hello ${who}, $${not} %%{this}\n'],
	['can(regex("^[a-z]+$", "abc")) && !can(regex("^[a-z]+$", "ab1"))', true],
	['alltrue([for n in [1, 2] : n > 0]) && !anytrue([false])', true],
	['floor(7 / 2) + 10 % 4 - -1', 6],
	['var.o.b', 3, { extra: 'variable "o" {\n  type = object({ a = string, b = optional(number, 3), c = optional(string) })\n  default = { a = "x" }\n}\n' }],
	['var.o.c == null', true, { extra: 'variable "o" {\n  type = object({ a = string, c = optional(string) })\n  default = { a = "x" }\n}\n' }],
	['yamlencode({ b = ["x", { c = [] }], a = {} })', '"a": {}\n"b":\n  - "x"\n  - "c": []\n'],
	['[cidrhost("10.17.71.0/24", 10), cidrhost("10.42.7.9/16", 300), cidrhost("10.42.0.0/16", -1)]', ['10.17.71.10', '10.42.1.44', '10.42.255.255']],
	['tonumber(split("/", "10.0.0.0/22")[1]) + length(values({ b = 1, a = 2 })) + length(keys({}))', 24],
	['[range(3), range(1, 4), range(10, 0, -4), range(2, 2)]', [[0, 1, 2], [1, 2, 3], [10, 6, 2], []]],
];
for (const [expr, want, opts] of VALUE_CASES) {
	let got;
	try {
		got = await evalLocal(expr, opts);
	} catch (e) {
		got = `error: ${e.message}`;
	}
	is(JSON.stringify(sortKeys(got)), JSON.stringify(sortKeys(want)), `evaluator: ${expr}`);
}

const ERROR_CASES = [
	['"%{ if true }x%{ endif }"', /template directives .* not supported/],
	['templatefile("directive.tftpl", { xs = [1] })', /template directives .* not supported/],
	['templatefile("greeting.tftpl", {})', /"who" is not one of the template's variables/],
	['aws_instance.web.id', /aws_instance\.web\.id: unknown name "aws_instance" \(resources are not supported\)/],
	['module.db.primary_conninfo', /references to module are not supported/],
	['data.aws_ami.debian.id', /references to data are not supported/],
	['lookup({ a = 1 }, "a", 0)', /the function lookup\(\) is not supported by this evaluator/],
	['var.nope', /var\.nope: no such variable/],
	['local.y', /local\.y: refers to itself \(x -> y -> z -> y\)|refers to itself/, { extra: 'locals {\n  y = local.z\n  z = local.y\n}\n' }],
	['[1, 2][5]', /index 5 is out of range/],
	['"a" + 1', /add needs numbers/],
	['"a${[1]}"', /cannot put list into a string template/],
	['"x" ? 1 : 2', /the condition .* is string, not a bool/],
	['[for x in [1] : x]...', /does not parse/],
	['var.l[*]', /splat expressions .* are not supported/, { extra: 'variable "l" {\n  type = list(string)\n  default = []\n}\n' }],
	['file("no-such-file")', /file\(\): cannot read .*no-such-file: ENOENT/],
	['file("latin1.bin")', /latin1\.bin is not UTF-8 text/],
	['join(",")', /join\(\) takes 2 arguments, got 1/],
	['{ for s in ["a", "b", "a"] : s => 1 }', /the key "a" comes twice in a for expression/],
	['can(nosuchfunction(1))', /nosuchfunction\(\) is not supported/],
	['regex("(", "x")', /regex\(\): bad pattern/],
	['cidrhost("10.0.0.0/30", 4)', /prefix 10\.0\.0\.0\/30 has no host 4/],
	['cidrhost("fd00::/64", 1)', /not an IPv4 prefix/],
	['range(0, 5, -1)', /range\(\): the step must go from start towards limit/],
	['"${var.s}"', /variable "s": required, and no value was given/, { extra: 'variable "s" {\n  type = string\n}\n' }],
	['var.o', /variable "o": attribute "a" is required/, { extra: 'variable "o" {\n  type = object({ a = string })\n  default = { b = "x" }\n}\n' }],
	['var.n', /variable "n": a number required, got string/, { extra: 'variable "n" {\n  type = number\n  default = "ten"\n}\n' }],
	['var.t', /type map\(list\(any\)\) is not supported|type .* is not supported/, { extra: 'variable "t" {\n  type = tuple([string])\n  default = ["x"]\n}\n' }],
];
for (const [expr, want, opts] of ERROR_CASES) {
	let got = 'no error';
	try {
		const v = await evalLocal(expr, opts);
		got = `no error, value ${JSON.stringify(v)}`;
	} catch (e) {
		got = e instanceof EvalError ? e.message : `not an EvalError: ${e.stack}`;
	}
	like(got, want, `evaluator refuses: ${expr}`);
}
{
	let got = 'no error';
	try {
		const dir = join(scratch, 'unknown-input');
		mkdirSync(dir);
		writeFileSync(join(dir, 'main.tf'), 'variable "a" {\n  type = string\n}\n');
		await new ModuleEval(hcl, await loadModule(hcl, dir), { a: 'x', b: 'y' }).prepare();
	} catch (e) {
		got = e.message;
	}
	like(got, /input "b": the module .* declares no such variable/, 'evaluator refuses an input the module does not declare');
	got = 'no error';
	try {
		const dir = join(scratch, 'broken');
		mkdirSync(dir);
		writeFileSync(join(dir, 'main.tf'), 'locals {\n  x = [1, \n}\n');
		await loadModule(hcl, dir);
	} catch (e) {
		got = e.message;
	}
	like(got, /broken\/main\.tf: does not parse/, 'a file that does not parse: the error names it');
}

// yamlencode of hostile strings reads back the same (Debian's PyYAML, as
// cloud-init reads it).
const HOSTILE = {
	yaml_words: ['yes', 'no', 'on', 'off', 'null', '~', 'true', '0644', '0x1f', '1e3', '.inf', '2001-01-01'],
	syntax: ['- item', 'key: value', '# comment', '&anchor', '*alias', '!tag', '%directive', '@', '`', '|', '>', '{a: b}', '[1]', '? q', "'single'", '"double"', ''],
	space: [' leading', 'trailing ', '\ttab', 'line\nbreak\n', '\r\n', 'end\n\n'],
	control: ['nul\u0000', 'bell\u0007', 'del\u007f', 'c1\u0085\u0099', 'bom\ufeff', 'ls\u2028ps\u2029'],
	text: ['é ü ß', '日本語', '🦀 emoji', '\\ backslash \\n', '${not interpolated}', 'a'.repeat(3000)],
	'key: with # odd "chars"\n': 'value',
	nested: { list: [[], {}, [[]], [{ a: null }]], numbers: [0, -1, 1.5, 1e21, -2.5e-7, 123456789] },
};
const hostileYaml = join(out, 'hostile.yaml');
writeFileSync(hostileYaml, yamlencode(HOSTILE));
const back = spawnSync(py, ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))))', hostileYaml], { encoding: 'utf8' });
let same = false;
try {
	same = back.status === 0 && JSON.stringify(sortKeys(JSON.parse(back.stdout))) === JSON.stringify(sortKeys(HOSTILE));
} catch (e) {
	diag(e.message);
}
ok(same, 'yamlencode: hostile strings (YAML words, syntax, control characters, ...) read back the same through PyYAML');
if (!same) diag(back.stderr.slice(0, 2000), back.stdout.slice(0, 2000));

function sortKeys(v) {
	if (Array.isArray(v)) return v.map(sortKeys);
	if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
	return v;
}

// --- 4. the modules, rendered -----------------------------------------------------------------

const data = join(src, 't', 'data', 'terraform');
const RENDER = [
	// [module, inputs file, output, index, fits EC2's 16 KiB]
	['cache', 'cache.json', 'user_data', null, true],
	['database', 'database.json', 'primary_user_data', null, true],
	['database', 'database.json', 'replica_user_data', 0, true],
	['database', 'database.json', 'replica_user_data', 1, true],
	['database', 'database-backup-s3.json', 'primary_user_data', null, true],
	['database', 'database-backup-s3.json', 'replica_user_data', 0, true],
	['database', 'database-backup-local.json', 'primary_user_data', null, true],
	['app-host', 'app-host.json', 'user_data', null, true],
	['app-host', 'app-host-embedded.json', 'user_data', null, false],
	['load-balancer', 'load-balancer.json', 'user_data', null, true],
	['load-balancer', 'load-balancer-tls.json', 'user_data', null, true],
];
const cloudInit = spawnSync('cloud-init', ['--version'], { encoding: 'utf8' }).status === 0;
const rendered = {};
async function render(modName, inputs) {
	const mod = loaded[`modules/${modName}`];
	const ev = new ModuleEval(hcl, mod, inputs);
	await ev.prepare();
	return ev;
}

for (const [modName, file, output, index, ec2] of RENDER) {
	const label = `${modName} ${output}${index === null ? '' : `[${index}]`} (${file})`;
	let text;
	try {
		const ev = await render(modName, JSON.parse(readFileSync(join(data, file), 'utf8')));
		const failed = await ev.validate();
		is(failed.map((f) => `${f.variable}: ${f.message}`).join('; '), '', `${label}: the inputs pass every validation block`);
		text = await ev.output(output);
		if (index !== null) text = text[index];
	} catch (e) {
		ok(false, `${label}: renders`);
		diag(e.message);
		continue;
	}
	const name = `${modName}-${output}${index === null ? '' : `-${index}`}-${file.replace(/\.json$/, '')}.yaml`;
	const path = join(out, name);
	writeFileSync(path, text);
	rendered[name] = text;
	like(text.split('\n')[0], /^#cloud-config$/, `${label}: renders, starting with #cloud-config`);
	if (cloudInit) {
		const r = spawnSync('cloud-init', ['schema', '--config-file', path], { encoding: 'utf8' });
		ok(r.status === 0 && /Valid cloud-config/.test(r.stdout), `${label}: cloud-init schema --config-file: valid`);
		if (r.status !== 0) diag((r.stdout + r.stderr).slice(0, 2000));
	} else {
		ok(true, `${label}: cloud-init schema # SKIP cloud-init not installed (script/bootstrap installs it)`);
	}
	const a = spawnSync(py, [join(src, 't', 'lib', 'cloudinit_apply.py'), path, '-', 'check'], { encoding: 'utf8' });
	is(a.status, 0, `${label}: uses only what t/lib/cloudinit_apply.py emulates (t/7102 runs it)`);
	if (a.status !== 0) diag(a.stderr);
	if (ec2) ok(Buffer.byteLength(text) <= 16384, `${label}: ${Buffer.byteLength(text)} bytes, within EC2's 16 KiB for user data`);
}

// What the rendered data says, checked where a slip would cost a machine.
{
	const app = rendered['app-host-user_data-app-host.yaml'] || '';
	like(app, /replica_file = \/etc\/inkwell\/database-replica/, 'app-host: with a replica, inkwell.conf names its file');
	like(rendered['app-host-user_data-app-host-embedded.yaml'] || '', /;replica_file =/, 'app-host: without one, it does not');
	like(rendered['app-host-user_data-app-host-embedded.yaml'] || '', /"encoding": "b64"/, 'app-host: an embedded package travels base64-encoded');
	like(app, /DEB_URL='https:\/\/packages\.example\.org\/inkwell_0\.1\.0_amd64\.deb'/, 'app-host: a URL package: the script gets the URL');
	like(app, /\\npassword_file = \/etc\/inkwell\/redis-password\\n/, 'app-host: with a Redis password, inkwell.conf names its file');
	like(app, /"content": "cache-test-password-0123456789\\n"\n +"path": "\/etc\/inkwell-provision\/redis-password"\n +"permissions": "0600"/,
		'app-host: and the password is staged for it, root only');
	like(rendered['app-host-user_data-app-host-embedded.yaml'] || '', /\\n;password_file =\\n/, 'app-host: without one, it does not');
	like(rendered['cache-user_data-cache.yaml'] || '', /\\nrequirepass cache-test-password-0123456789\\n/, 'cache: Redis wants the password');
	like(rendered['database-primary_user_data-database.yaml'] || '', /host    replication  replicator  10\.0\.2\.21\/32  scram-sha-256\\nhost    replication  replicator  10\.0\.1\.22\/32/,
		'database: pg_hba.conf admits replication from every database machine');
	like(rendered['database-primary_user_data-database.yaml'] || '', /host  inkwell  inkwell  10\.0\.2\.0\/24  scram-sha-256/, 'database: pgbouncer admits the client networks');
	like(rendered['database-replica_user_data-1-database.yaml'] || '', /"hostname": "inkwell-db-3"[\s\S]*"replica"/, 'database: each replica has its own host name and runs as replica');
}

// --- exporters ----------------------------------------------------------------------------------
// enable_exporters (default false) on the cache, database and app-host
// modules: the exporter package of each machine, then the switch
// (src/ctl/inkwell-exporters, carried where the inkwell package is not).
{
	const cases = [
		['cache', 'cache.json', 'user_data', null, 'redis'],
		['database', 'database.json', 'primary_user_data', null, 'postgres'],
		['database', 'database.json', 'replica_user_data', 0, 'postgres'],
		['app-host', 'app-host.json', 'user_data', null, 'nginx'],
	];
	const switchText = readFileSync(join(src, 'src', 'ctl', 'inkwell-exporters'), 'utf8');
	for (const [modName, file, output, index, exp] of cases) {
		const label = `${modName} ${output}${index === null ? '' : `[${index}]`} with enable_exporters`;
		const inputs = JSON.parse(readFileSync(join(data, file), 'utf8'));
		try {
			const off = await render(modName, inputs);
			let offText = await off.output(output);
			if (index !== null) offText = offText[index];
			ok(!/exporter/.test(offText), `${modName} ${output}: without enable_exporters, no exporter at all (the default)`);
			const ev = await render(modName, { ...inputs, enable_exporters: true, exporters_listen_address: '10.0.9.9' });
			is((await ev.validate()).map((f) => f.message).join('; '), '', `${label}: the inputs pass validation`);
			let text = await ev.output(output);
			if (index !== null) text = text[index];
			const cfg = cloudConfig(text);
			ok((cfg.packages || []).includes(`prometheus-${exp}-exporter`), `${label}: cloud-init installs prometheus-${exp}-exporter`);
			const run = (cfg.runcmd || []).map((c) => c.join(' '));
			ok(run.some((c) => new RegExp(`inkwell-exporters enable --listen 10\\.0\\.9\\.9 .*${exp}$`).test(c)),
				`${label}: then runs inkwell-exporters enable ${exp}, listening where asked (${run.join(' | ')})`);
			if (modName !== 'app-host') {
				const f = (cfg.write_files || []).find((w) => w.path === '/usr/local/sbin/inkwell-exporters');
				ok(f && f.content === switchText, `${label}: carries the switch as the package installs it`);
			}
			const path = join(out, `${modName}-${output}${index === null ? '' : `-${index}`}-exporters.yaml`);
			writeFileSync(path, text);
			if (cloudInit) {
				const r = spawnSync('cloud-init', ['schema', '--config-file', path], { encoding: 'utf8' });
				ok(r.status === 0 && /Valid cloud-config/.test(r.stdout), `${label}: cloud-init schema: valid`);
			}
			const a = spawnSync(py, [join(src, 't', 'lib', 'cloudinit_apply.py'), path, '-', 'check'], { encoding: 'utf8' });
			is(a.status, 0, `${label}: uses only what t/lib/cloudinit_apply.py emulates`);
			if (a.status !== 0) diag(a.stderr);
		} catch (e) {
			ok(false, `${label}: renders`);
			diag(e.message);
		}
	}
	const ev = await render('cache', { ...JSON.parse(readFileSync(join(data, 'cache.json'), 'utf8')), exporters_listen_address: '0.0.0.0; x' });
	like((await ev.validate()).map((f) => f.message).join('; '), /exporters_listen_address must be an IPv4 address/,
		'cache: an exporters_listen_address that is no address is refused');
}

// --- 4a. backups ------------------------------------------------------------------------------

// userFiles: a rendered cloud-config's write_files, by path (parsed with
// PyYAML, as cloud-init reads it).
function cloudConfig(text) {
	const r = spawnSync(py, ['-c', 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text, encoding: 'utf8' });
	try {
		return JSON.parse(r.stdout);
	} catch {
		return { write_files: [], packages: [] };
	}
}
const byPath = (cfg) => Object.fromEntries((cfg.write_files || []).map((f) => [f.path, f]));
const envOf = (cfg) => Object.fromEntries(((byPath(cfg)['/etc/inkwell-provision/database.env'] || {}).content || '')
	.split('\n').filter((l) => l).map((l) => { const i = l.indexOf('='); return [l.slice(0, i), l.slice(i + 1)]; }));
{
	const plain = cloudConfig(rendered['database-primary_user_data-database.yaml'] || '');
	const s3p = cloudConfig(rendered['database-primary_user_data-database-backup-s3.yaml'] || '');
	const s3r = cloudConfig(rendered['database-replica_user_data-0-database-backup-s3.yaml'] || '');
	const loc = cloudConfig(rendered['database-primary_user_data-database-backup-local.yaml'] || '');
	for (const [label, cfg] of [['without a package', plain], ['S3, primary', s3p], ['S3, replica', s3r], ['local', loc]])
		ok((cfg.packages || []).includes('pgbackrest'), `database (${label}): pgbackrest is installed`);
	is(envOf(plain).DEB_SHA256, "''", 'database: without inkwell_deb, no package to install (the provisioning warns: no backups)');
	const e = envOf(s3p);
	is([e.DEB_URL, e.DEB_SHA256].join(' '), "'https://inkwell-packages-0123.s3.eu-central-1.amazonaws.com/inkwell_0.1.0_amd64.deb' '" + '0123456789abcdef'.repeat(4) + "'",
		'database (S3): the primary gets the package\'s URL and SHA-256');
	is(['BACKUP_REPO', 'BACKUP_RETENTION_FULL', 'BACKUP_RETENTION_DIFF', 'BACKUP_ARCHIVE_TIMEOUT', 'BACKUP_S3_BUCKET', 'BACKUP_S3_REGION', 'BACKUP_S3_ENDPOINT'].map((k) => `${k}=${e[k]}`).join(' '),
		"BACKUP_REPO='/pgbackrest' BACKUP_RETENTION_FULL='4' BACKUP_RETENTION_DIFF='6' BACKUP_ARCHIVE_TIMEOUT='30' BACKUP_S3_BUCKET='inkwell-backups-20261206' BACKUP_S3_REGION='eu-central-1' BACKUP_S3_ENDPOINT='s3.eu-central-1.amazonaws.com'",
		'database (S3): the repository, the retention, archive_timeout and the bucket (its endpoint from the region)');
	const l = envOf(loc);
	is(['BACKUP_REPO', 'BACKUP_RETENTION_FULL', 'BACKUP_RETENTION_DIFF', 'BACKUP_ARCHIVE_TIMEOUT', 'BACKUP_S3_BUCKET', 'DEB_URL'].map((k) => `${k}=${l[k]}`).join(' '),
		"BACKUP_REPO='/var/lib/pgbackrest' BACKUP_RETENTION_FULL='2' BACKUP_RETENTION_DIFF='6' BACKUP_ARCHIVE_TIMEOUT='60' BACKUP_S3_BUCKET='' DEB_URL=''",
		'database (local): by default a repository on the primary\'s disk, 2 fulls, 6 differentials, archive_timeout 60');
	const deb = byPath(loc)['/etc/inkwell-provision/inkwell.deb'] || {};
	is(`${deb.encoding} ${deb.permissions} ${deb.content}`, 'b64 0600 IW5vdCBhIHBhY2thZ2UsIGEgc3RhbmQtaW4gZm9yIHQvNzEwMQo=',
		'database (local): the package carried travels base64-encoded, root only');
	ok(!('/etc/inkwell-provision/inkwell.deb' in byPath(s3p)), 'database (S3): a package from a URL is not carried');
	const locReplica = await render('database', JSON.parse(readFileSync(join(data, 'database-backup-local.json'), 'utf8')));
	ok(!(await locReplica.output('replica_user_data')).some((t) => t.includes('/etc/inkwell-provision/inkwell.deb')),
		'database (local): the replicas do not get the package (the primary alone takes backups)');
	const script = (byPath(s3p)['/usr/local/sbin/inkwell-provision-database'] || {}).content || '';
	like(script, /\[ "\$role" = primary \] \|\| exit 0\n/, 'database: the backup step runs on the primary alone');
	like(script, /set -- --repo "\$BACKUP_REPO" --stanza inkwell \\\n\t--retention-full "\$BACKUP_RETENTION_FULL" \\\n\t--retention-diff "\$BACKUP_RETENTION_DIFF" \\\n\t--archive-timeout "\$BACKUP_ARCHIVE_TIMEOUT"\n/,
		'database: inkwell-backup enable gets the repository, stanza inkwell, the retention and archive_timeout');
	like(script, /--s3-bucket "\$BACKUP_S3_BUCKET" --s3-region "\$BACKUP_S3_REGION" \\\n\t\t--s3-endpoint "\$BACKUP_S3_ENDPOINT" --s3-key-type auto\n/,
		'database: and with a bucket, the S3 options, the instance profile\'s keys (--s3-key-type auto)');
	like(script, /\ninkwell-backup enable "\$@"\n/, 'database: it runs inkwell-backup enable');
	like(script, /--no-install-recommends[\s\S]*for unit in inkwell\.socket inkwell\.service nginx; do\n\tsystemctl stop "\$unit"[^\n]*\n\tsystemctl disable "\$unit"/,
		'database: the package comes without its recommendations, its web server off');
	like(script, /sha256sum -c --quiet -[\s\S]*apt-get install/, 'database: the package\'s SHA-256 is checked before it is installed');
	like((byPath(s3p)['/etc/inkwell-provision/postgresql-inkwell.conf'] || {}).content || '', /\nsynchronous_commit = on\nfsync = on\nfull_page_writes = on\n/,
		'database: PostgreSQL commits synchronously, with fsync and full_page_writes');
	for (const [file, want] of [['database.json', ''], ['database-backup-s3.json', 's3://inkwell-backups-20261206/pgbackrest'], ['database-backup-local.json', 'inkwell-db-1:/var/lib/pgbackrest']]) {
		const ev = await render('database', JSON.parse(readFileSync(join(data, file), 'utf8')));
		is(await ev.output('backup_repository'), want, `database (${file}): backup_repository is "${want}"`);
		is(await ev.output('backup_stanza'), 'inkwell', `database (${file}): backup_stanza is inkwell`);
	}
}

// The AWS environment's backup bucket and the primary's identity, read
// from the HCL; the policies computed, with the bucket's ARN put in for
// the resource it names.
try {
	const mod = loaded['environments/aws'];
	const res = (n) => mod.resources[n] || {};
	const blk = (v) => (Array.isArray(v) ? v[0] : v) || {};
	const ARN = 'arn:aws:s3:::inkwell-backups-x';
	const policy = async (n, expr) => {
		const text = String(expr).replace(/^\$\{([\s\S]*)\}$/, '$1').replaceAll('aws_s3_bucket.backups.arn', `"${ARN}"`);
		const dir = join(scratch2, `policy-${n}`);
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, 'main.tf'), `locals {\n  x = ${text}\n}\n`);
		const ev = new ModuleEval(hcl, await loadModule(hcl, dir), {});
		await ev.prepare();
		return JSON.parse(await ev.local('x'));
	};
	const bucket = res('aws_s3_bucket.backups');
	ok(bucket._type === 'aws_s3_bucket', 'aws: a bucket for the backups');
	is(bucket.force_destroy, false, 'aws: which terraform destroy does not empty');
	is(blk(res('aws_s3_bucket_versioning.backups').versioning_configuration).status, 'Enabled', 'aws: versioned');
	const sse = blk(blk(res('aws_s3_bucket_server_side_encryption_configuration.backups').rule).apply_server_side_encryption_by_default);
	like(String(sse.sse_algorithm), /^(AES256|aws:kms)$/, `aws: encrypted (${sse.sse_algorithm})`);
	const pab = res('aws_s3_bucket_public_access_block.backups');
	is(['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].map((k) => pab[k]).join(' '), 'true true true true',
		'aws: public access blocked, all four ways');
	is(blk(res('aws_s3_bucket_ownership_controls.backups').rule).object_ownership, 'BucketOwnerEnforced', 'aws: no ACLs (the bucket owner owns every object)');
	for (const n of ['versioning', 'server_side_encryption_configuration', 'public_access_block', 'ownership_controls', 'lifecycle_configuration', 'policy'])
		is(res(`aws_s3_bucket_${n}.backups`).bucket, '${aws_s3_bucket.backups.id}', `aws: aws_s3_bucket_${n}.backups is the backup bucket's`);
	const rules = res('aws_s3_bucket_lifecycle_configuration.backups').rule || [];
	const rule = blk(rules);
	is(rule.status, 'Enabled', 'aws: a lifecycle rule, enabled');
	is(blk(rule.noncurrent_version_expiration).noncurrent_days, '${var.backup_noncurrent_days}', 'aws: old versions expire after backup_noncurrent_days');
	ok(blk(rule.abort_incomplete_multipart_upload).days_after_initiation > 0, 'aws: uploads left halfway are removed');
	ok(rules.every((r) => (r.expiration || []).every((x) => x.days === undefined && x.date === undefined)),
		'aws: no rule expires current objects (pgBackRest\'s retention does; WAL a restore needs must stay)');
	const bp = await policy('bucket', res('aws_s3_bucket_policy.backups').policy);
	ok(bp.Statement.some((s) => s.Effect === 'Deny' && s.Principal === '*' && s.Action === 's3:*' &&
		JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}' &&
		JSON.stringify(s.Resource) === JSON.stringify([ARN, `${ARN}/*`])), 'aws: the bucket refuses requests without TLS');
	const rp = await policy('role', res('aws_iam_role_policy.database_backups').policy);
	const allowed = rp.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [].concat(s.Action).map((a) => `${a} ${[].concat(s.Resource).join(',')}`)).sort();
	is(allowed.join('; '), [`s3:DeleteObject ${ARN}/*`, `s3:GetBucketLocation ${ARN}`, `s3:GetObject ${ARN}/*`, `s3:ListBucket ${ARN}`, `s3:PutObject ${ARN}/*`].join('; '),
		'aws: the primary\'s role may list the backup bucket and read, write and delete its objects, nothing else');
	is(res('aws_iam_role_policy.database_backups').role, '${aws_iam_role.database.id}', 'aws: that policy is the database role\'s');
	const ap = JSON.parse(await (async () => {
		const dir = join(scratch2, 'assume');
		mkdirSync(dir, { recursive: true });
		writeFileSync(join(dir, 'main.tf'), `locals {\n  x = ${String(res('aws_iam_role.database').assume_role_policy).replace(/^\$\{([\s\S]*)\}$/, '$1')}\n}\n`);
		const ev = new ModuleEval(hcl, await loadModule(hcl, dir), {});
		await ev.prepare();
		return ev.local('x');
	})());
	is(JSON.stringify(ap.Statement), '[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]', 'aws: the role is for EC2 machines');
	is(res('aws_iam_instance_profile.database').role, '${aws_iam_role.database.name}', 'aws: an instance profile holds it');
	is(res('aws_instance.database_primary').iam_instance_profile, '${aws_iam_instance_profile.database.name}', 'aws: the database primary has that profile');
	is(['aws_instance.database_replica', 'aws_instance.app', 'aws_instance.cache'].filter((n) => mod.resources[n] && 'iam_instance_profile' in mod.resources[n]).join(' '), '',
		'aws: no other machine has it');
	like(JSON.stringify(res('aws_instance.database_primary').depends_on), /aws_iam_role_policy\.database_backups.*aws_s3_bucket_policy\.backups.*encryption_configuration\.backups.*versioning\.backups/,
		'aws: the primary (whose first boot takes the first backup) waits for the bucket\'s settings and the role\'s policy');
	const call = mod.modules.database || {};
	is(JSON.stringify(call.backup_s3), JSON.stringify({ bucket: '${aws_s3_bucket.backups.bucket}', region: '${var.region}' }), 'aws: the database module\'s repository is that bucket, in the region');
	like(String((call.inkwell_deb || {}).url), /^https:\/\/\$\{aws_s3_bucket\.packages\.bucket_regional_domain_name\}\/\$\{aws_s3_object\.inkwell_deb\.key\}$/, 'aws: and the package, from the packages bucket as the app machines\'');
	is(['backup_retention_full', 'backup_retention_diff', 'backup_archive_timeout'].map((k) => call[k]).join(' '),
		'${var.backup_retention_full} ${var.backup_retention_diff} ${var.backup_archive_timeout}', 'aws: retention and archive_timeout from the environment\'s variables');
	is(String(mod.outputs.backup_repository?.value), '${module.database.backup_repository}', 'aws: the output backup_repository names the repository');
	is(String(mod.outputs.backup_bucket?.value), '${aws_s3_bucket.backups.bucket}', 'aws: and backup_bucket the bucket');
	const lcall = loaded['environments/local'].modules.database || {};
	like(String((lcall.inkwell_deb || {}).content_base64), /^\$\{filebase64\(var\.inkwell_deb_path\)\}$/, 'local: the database primary gets the package, carried');
	ok(!('backup_s3' in lcall), 'local: its repository is on the primary\'s disk');
	is(['backup_retention_full', 'backup_retention_diff', 'backup_archive_timeout'].map((k) => lcall[k]).join(' '),
		'${var.backup_retention_full} ${var.backup_retention_diff} ${var.backup_archive_timeout}', 'local: retention and archive_timeout from the environment\'s variables');
	is(String(loaded['environments/local'].outputs.backup_repository?.value), '${module.database.backup_repository}', 'local: the output backup_repository names it');
} catch (e) {
	ok(false, 'aws: the backup bucket and the role read and compute');
	diag(e.stack);
}

// --- 4b. HTTPS in both environments ---------------------------------------------------------
//
// local: the environment's variables, through its call of the
// load-balancer module, to the user data the balancer gets: certbot, the
// ACME directory, and the nginx site. aws: the listeners, read from the
// HCL, with what can be computed (the locals and conditions that do not
// name a resource) computed from the variables.

// modArgs: a module call's arguments, evaluated by the environment.
async function modArgs(env, call, inputs) {
	const mod = loaded[`environments/${env}`];
	const ev = new ModuleEval(hcl, mod, inputs);
	await ev.prepare();
	const args = {};
	for (const [k, v] of Object.entries(mod.modules[call]))
		if (!META_ARGS.has(k)) args[k] = await ev.value(v, { where: `${env}: module "${call}" ${k}` });
	return { ev, args };
}
// lbConfig: the load balancer's cloud-config (an object) and its files.
async function lbConfig(inputs) {
	const ev = new ModuleEval(hcl, loaded['modules/load-balancer'], inputs);
	await ev.prepare();
	const failed = await ev.validate();
	const cfg = await ev.local('cloud_config');
	const files = Object.fromEntries(cfg.write_files.map((f) => [f.path, f.content]));
	return { cfg, files, failed };
}
// directive: the arguments of each line "NAME ARGS;" (one a line).
const directive = (conf, name) => [...conf.matchAll(new RegExp(`^\\s*${name}\\s+(.*?);\\s*$`, 'gm'))].map((m) => m[1]);
const MOZILLA_INTERMEDIATE_ECDHE = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305';

try {
	const example = await hcl.parse('terraform.tfvars.example', readFileSync(join(tf, 'environments', 'local', 'terraform.tfvars.example'), 'utf8'));
	const pem = readFileSync(join(data, 'load-balancer-tls.json'), 'utf8');
	const caFile = join(out, 'acme-ca.pem');
	writeFileSync(caFile, JSON.parse(pem).acme_ca_certificate);
	const dir = 'https://acme.test.example:14000/my-directory';
	const tlsVars = { ...example, domain_name: 'blog.example.org', acme_directory_url: dir, acme_email: 'ops@example.org', acme_ca_certificate_file: caFile };

	// Without a domain: HTTP as before.
	{
		const { ev, args } = await modArgs('local', 'lb', example);
		is(await ev.local('base_url'), 'http://10.17.71.10', 'local: without domain_name, base_url is http:// and the balancer\'s address');
		const { cfg, files, failed } = await lbConfig(args);
		is(failed.map((f) => f.message).join('; '), '', 'local: the balancer\'s inputs pass the module\'s validation (no domain)');
		ok(!cfg.packages.includes('certbot'), 'local: no domain, no certbot');
		const site = files['/etc/inkwell-provision/nginx-lb.conf'] || '';
		is(directive(site, 'listen').join(', '), '80 default_server, [::]:80 default_server', 'local: no domain, nginx listens on port 80 only');
		like(site, /location \/ \{\s+proxy_pass http:\/\/inkwell_app;/, 'local: and proxies to the app machines there');
		ok(!('/etc/inkwell-provision/nginx-lb-acme.conf' in files), 'local: and stages no ACME site');
	}

	// With one: certbot, the ACME directory from the variable, HTTPS.
	const { ev, args } = await modArgs('local', 'lb', tlsVars);
	is(await ev.local('base_url'), 'https://blog.example.org', 'local: with domain_name, base_url is https://DOMAIN (the app machines\' links and cookies)');
	const { cfg, files, failed } = await lbConfig(args);
	is(failed.map((f) => f.message).join('; '), '', 'local: the balancer\'s inputs pass the module\'s validation (with a domain)');
	ok(cfg.packages.includes('certbot'), 'local: with a domain, cloud-init installs certbot');
	const env = files['/etc/inkwell-provision/load-balancer.env'] || '';
	like(env, new RegExp(`^ACME_DIRECTORY='${dir.replace(/[.]/g, '\\.')}'$`, 'm'), 'local: the ACME directory comes from acme_directory_url');
	like(env, /^DOMAIN='blog\.example\.org'$/m, 'local: the domain from domain_name');
	like(env, /^ACME_EMAIL='ops@example\.org'$/m, 'local: the contact from acme_email');
	is(files['/etc/inkwell-provision/acme-ca.pem'], readFileSync(caFile, 'utf8'), 'local: the private ACME server\'s CA from acme_ca_certificate_file');
	const script = files['/usr/local/sbin/inkwell-provision-load-balancer'] || '';
	is(JSON.stringify(cfg.runcmd), '[["/usr/local/sbin/inkwell-provision-load-balancer"]]', 'local: runcmd runs the provisioning script');
	like(script, /\. "\$stage\/load-balancer\.env"/, 'local: which reads those settings');
	like(script, /certbot certonly [^\n]*\\\n\s*--webroot --webroot-path "\$WEBROOT" --domain "\$DOMAIN"[^\n]*\\\n\s*--server "\$ACME_DIRECTORY"/,
		'local: the certbot step: certonly, webroot, the domain, --server the ACME directory');
	like(script, /REQUESTS_CA_BUNDLE=\$ca\n\s*export REQUESTS_CA_BUNDLE/, 'local: certbot trusts the given CA (REQUESTS_CA_BUNDLE)');
	like(script, /renewal-hooks\/deploy\/inkwell-reload-nginx[\s\S]*exec systemctl reload nginx/, 'local: a renewal deploy hook reloads nginx');

	const site = files['/etc/inkwell-provision/nginx-lb.conf'] || '';
	const acme = files['/etc/inkwell-provision/nginx-lb-acme.conf'] || '';
	const webroot = (/^WEBROOT='([^']*)'$/m.exec(env) || [])[1];
	is(directive(site, 'listen').join(', '), '80 default_server, [::]:80 default_server, 443 ssl http2 default_server, [::]:443 ssl http2 default_server',
		'local: nginx listens on 80 and on 443 with TLS and HTTP/2');
	like(site, new RegExp(`location \\^~ /\\.well-known/acme-challenge/ \\{\\s+root ${webroot};`), `local: port 80 answers ACME challenges from the webroot certbot writes (${webroot})`);
	like(site, /if \(\$request_method !~ \^\(GET\|HEAD\)\$\) \{\s+return 308 https:\/\/blog\.example\.org\$request_uri;\s+\}\s+return 301 https:\/\/blog\.example\.org\$request_uri;/,
		'local: and redirects the rest to https: 301, 308 for methods other than GET and HEAD');
	is(directive(site, 'ssl_certificate').join(' '), '/etc/letsencrypt/live/blog.example.org/fullchain.pem', 'local: the certificate certbot keeps');
	is(directive(site, 'ssl_protocols').join(' '), 'TLSv1.2 TLSv1.3', 'local: TLS 1.2 and 1.3 only');
	is(directive(site, 'ssl_ciphers').join(' '), MOZILLA_INTERMEDIATE_ECDHE, 'local: TLS 1.2 suites: Mozilla intermediate\'s ECDHE ones');
	is(directive(site, 'ssl_session_tickets').join(' '), 'off', 'local: no session tickets');
	like(directive(site, 'ssl_session_cache').join(' '), /^shared:[a-z_]+:\d+m$/, 'local: a shared session cache');
	is(directive(site, 'ssl_stapling').join(' '), 'on', 'local: OCSP stapling on');
	is(directive(site, 'add_header').join(' | '), 'Strict-Transport-Security "max-age=86400" always', 'local: HSTS, max-age 86400 by default');
	ok(acme.length > 0 && site.startsWith(acme), 'local: before the certificate exists, port 80 alone (the same server block)');
	ok(!/listen 443/.test(acme), 'local: and without 443');

	const pre = await modArgs('local', 'lb', { ...tlsVars, hsts_max_age: 31536000, hsts_preload: true });
	const preSite = (await lbConfig(pre.args)).files['/etc/inkwell-provision/nginx-lb.conf'] || '';
	is(directive(preSite, 'add_header').join(' | '), 'Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always',
		'local: hsts_max_age and hsts_preload make the header');
	const short = await modArgs('local', 'lb', { ...tlsVars, hsts_preload: true });
	like((await lbConfig(short.args)).failed.map((f) => f.message).join('; '), /at least 31536000 \(a year\) with preload/,
		'local: preload with a max-age of a day is refused');
} catch (e) {
	ok(false, 'local: the load balancer\'s HTTPS renders');
	diag(e.stack);
}

try {
	const mod = loaded['environments/aws'];
	const example = await hcl.parse('terraform.tfvars.example', readFileSync(join(mod.dir, 'terraform.tfvars.example'), 'utf8'));
	const aws = async (inputs) => {
		const ev = new ModuleEval(hcl, mod, inputs);
		await ev.prepare();
		return ev;
	};
	const res = (n) => mod.resources[n] || {};
	const https = res('aws_lb_listener.https');
	const http = res('aws_lb_listener.http');
	const cert = res('aws_acm_certificate.inkwell');
	const validation = res('aws_acm_certificate_validation.inkwell');
	const records = res('aws_route53_record.certificate_validation');
	const on = await aws({ ...example, domain_name: 'blog.example.org' });
	const zone = await aws({ ...example, domain_name: 'blog.example.org', route53_zone_id: 'Z0123456789ABC' });
	const off = await aws(example);
	const val = (ev, v, where) => ev.value(v, { where });

	is(https.port, 443, 'aws: the HTTPS listener is on 443');
	is(https.protocol, 'HTTPS', 'aws: with protocol HTTPS');
	like(String(https.ssl_policy), /^ELBSecurityPolicy-TLS13-1-2-(Res-)?20\d\d-\d\d$/, `aws: a TLS 1.2/1.3-only policy (${https.ssl_policy})`);
	is(String(https.certificate_arn), '${local.certificate_arn}', 'aws: its certificate is local.certificate_arn');
	like(String(mod.locals.certificate_arn?.value), /aws_acm_certificate_validation\.inkwell\[\*\]\.certificate_arn/,
		'aws: which is the validated ACM certificate (the listener waits for validation)');
	is(await val(on, https.count, 'https count'), 1, 'aws: with domain_name, the HTTPS listener exists');
	is(await val(off, https.count, 'https count'), 0, 'aws: without, it does not');
	is(await val(on, cert.count, 'cert count'), 1, 'aws: with domain_name, an ACM certificate is made');
	is(String(cert.domain_name), '${var.domain_name}', 'aws: for domain_name');
	is(cert.validation_method, 'DNS', 'aws: validated through DNS');
	const own = await aws({ ...example, domain_name: 'blog.example.org', certificate_arn: 'arn:aws:acm:eu-central-1:1:certificate/x' });
	is(await val(own, cert.count, 'cert count'), 0, 'aws: with a certificate_arn of one\'s own, none is made');
	is(await own.local('certificate_arn'), 'arn:aws:acm:eu-central-1:1:certificate/x', 'aws: and the listener takes that one');
	is(String(records.zone_id), '${var.route53_zone_id}', 'aws: the validation records go into route53_zone_id');
	like(String(records.for_each), /if var\.route53_zone_id != ""/, 'aws: and only when it is set');
	like(String(validation.validation_record_fqdns), /var\.route53_zone_id == "" \? null : \[for r in aws_route53_record\.certificate_validation : r\.fqdn\]/,
		'aws: the validation waits for those records, or, without a zone, for the operator\'s');
	like(String(mod.outputs.certificate_validation_records?.value), /resource_record_name[\s\S]*if var\.route53_zone_id == ""/,
		'aws: without a zone, the records are an output');
	const act = (http.default_action || [])[0] || {};
	is(await val(on, act.type, 'http type'), 'redirect', 'aws: with HTTPS, the HTTP listener (80) redirects');
	is(await val(on, act.target_group_arn, 'http target'), null, 'aws: and forwards nothing');
	is(http.port, 80, 'aws: the HTTP listener is on 80');
	const redirect = (((act.dynamic || {}).redirect || [])[0]) || {};
	is(JSON.stringify(await val(on, redirect.for_each, 'redirect for_each')), '[1]', 'aws: its redirect block is there with HTTPS');
	is(JSON.stringify(await val(off, redirect.for_each, 'redirect for_each')), '[]', 'aws: and not without');
	const r = (redirect.content || [])[0] || {};
	is(`${r.protocol} ${r.port} ${r.status_code}`, 'HTTPS 443 HTTP_301', 'aws: to HTTPS on 443, with a 301');
	is(await val(off, act.type, 'http type'), 'forward', 'aws: without HTTPS, 80 forwards to the app machines');
	is(await on.local('base_url'), 'https://blog.example.org', 'aws: with domain_name, base_url is https://DOMAIN');
	is(await zone.local('base_url'), 'https://blog.example.org', 'aws: with a zone too');
	is(await val(on, res('aws_vpc_security_group_ingress_rule.alb_https').count, 'sg'), 1, 'aws: and the load balancer\'s firewall lets 443 in');
	is(await val(off, res('aws_vpc_security_group_ingress_rule.alb_https').count, 'sg'), 0, 'aws: only then');
} catch (e) {
	ok(false, 'aws: the listeners read and compute');
	diag(e.stack);
}

// Broken inputs: each must fail the validation block meant for it, with
// its message.
const BROKEN = [
	['app-host', 'app-host.json', { inkwell_deb: { sha256: 'F'.repeat(64), url: 'https://x.example/p.deb' } }, /64 lower-case hex digits/],
	['app-host', 'app-host.json', { inkwell_deb: { sha256: 'f'.repeat(64), url: 'https://x.example/p.deb', content_base64: 'eA==' } }, /Set exactly one of inkwell_deb\.url and inkwell_deb\.content_base64/],
	['app-host', 'app-host.json', { inkwell_deb: { sha256: 'f'.repeat(64) } }, /Set exactly one/],
	['app-host', 'app-host.json', { inkwell_deb: { sha256: 'f'.repeat(64), url: "https://x.example/it's.deb" } }, /without spaces or quotes/],
	['app-host', 'app-host.json', { base_url: 'https://blog.example.org\n[server]\nworkers = 1' }, /base_url must be/],
	['app-host', 'app-host.json', { redis_address: 'redis' }, /HOST:PORT/],
	['app-host', 'app-host.json', { database_primary: 'dbname=inkwell\nhost=x' }, /one line of libpq/],
	['app-host', 'app-host.json', { admin_password: 'short' }, /at least 8 characters/],
	['app-host', 'app-host.json', { workers: 0 }, /workers must be/],
	['app-host', 'app-host.json', { name: 'App_1' }, /DNS label/],
	['app-host', 'app-host.json', { trusted_proxies: ['10.0.0.0/33'] }, /IPv4 network/],
	['app-host', 'app-host.json', { ssh_authorized_keys: ['not a key'] }, /OpenSSH public key/],
	['database', 'database.json', { password: "it's-a-password-with-quote" }, /password must be 16 to 128/],
	['database', 'database.json', { replication_password: 'short' }, /replication password must be/],
	['database', 'database.json', { primary: { name: 'db', address: '10.0.1.256' } }, /primary\.address must be an IPv4 address/],
	['database', 'database.json', { replicas: [{ name: 'db 2', address: '10.0.1.2' }] }, /replica's name must be a DNS label/],
	['database', 'database.json', { client_cidrs: [] }, /at least one IPv4 network/],
	['database', 'database.json', { user: 'postgres' }, /neither postgres nor replicator/],
	['database', 'database.json', { pgbouncer_port: 5432 }, /not PostgreSQL's 5432/],
	['database', 'database-backup-s3.json', { inkwell_deb: { sha256: 'F'.repeat(64), url: 'https://x.example/p.deb' } }, /inkwell_deb\.sha256 must be 64 lower-case hex digits/],
	['database', 'database-backup-s3.json', { inkwell_deb: { sha256: 'f'.repeat(64), url: 'https://x.example/p.deb', content_base64: 'eA==' } }, /Set exactly one of inkwell_deb\.url and inkwell_deb\.content_base64/],
	['database', 'database-backup-s3.json', { inkwell_deb: { sha256: 'f'.repeat(64), url: "https://x.example/it's.deb" } }, /inkwell_deb\.url must be/],
	['database', 'database-backup-s3.json', { backup_repo_path: 'pgbackrest' }, /backup_repo_path must be an absolute path/],
	['database', 'database-backup-s3.json', { backup_repo_path: '/var/lib/../../etc' }, /without "\.\."/],
	['database', 'database-backup-s3.json', { backup_repo_path: "/var/lib/pg'backrest" }, /backup_repo_path must be/],
	['database', 'database-backup-s3.json', { backup_retention_full: 0 }, /backup_retention_full must be a whole number from 1 to 100/],
	['database', 'database-backup-s3.json', { backup_retention_diff: 2.5 }, /backup_retention_diff must be a whole number/],
	['database', 'database-backup-s3.json', { backup_archive_timeout: 5 }, /backup_archive_timeout must be a whole number of seconds from 15 to 3600/],
	['database', 'database-backup-s3.json', { backup_s3: { bucket: 'Inkwell_Backups', region: 'eu-central-1' } }, /backup_s3\.bucket must be an S3 bucket name/],
	['database', 'database-backup-s3.json', { backup_s3: { bucket: 'inkwell-backups', region: 'Frankfurt' } }, /backup_s3\.region must be an AWS region/],
	['database', 'database-backup-s3.json', { backup_s3: { bucket: 'inkwell-backups', region: 'eu-central-1', endpoint: 'https://s3.example.org/' } }, /backup_s3\.endpoint must be a host name/],
	['cache', 'cache.json', { address: 'cache.internal' }, /IPv4 address/],
	['cache', 'cache.json', { maxmemory_mb: 8 }, /at least 16/],
	['cache', 'cache.json', { password: 'short' }, /password must be 16 to 128/],
	['cache', 'cache.json', { password: 'sixteen-or-more chars\nrequirepass x' }, /password must be 16 to 128/],
	['app-host', 'app-host.json', { redis_password: "it's-a-password-with-quote" }, /redis_password must be empty or 16 to 128/],
	['load-balancer', 'load-balancer.json', { backends: [] }, /at least one IPv4 address/],
	['load-balancer', 'load-balancer-tls.json', { domain_name: "blog.example.org'; rm -rf /" }, /domain_name must be empty or a lower-case host name/],
	['load-balancer', 'load-balancer-tls.json', { domain_name: 'Blog.Example.org' }, /domain_name must be empty or a lower-case host name/],
	['load-balancer', 'load-balancer-tls.json', { acme_directory_url: 'http://acme.example.org/dir' }, /acme_directory_url must be an https:\/\/ URL/],
	['load-balancer', 'load-balancer-tls.json', { acme_directory_url: "https://acme.example.org/d'ir" }, /acme_directory_url must be an https:\/\/ URL/],
	['load-balancer', 'load-balancer-tls.json', { acme_email: "ops'@example.org" }, /acme_email must be empty or an e-mail address/],
	['load-balancer', 'load-balancer-tls.json', { acme_ca_certificate: 'not a certificate' }, /acme_ca_certificate must be empty or PEM text/],
	['load-balancer', 'load-balancer-tls.json', { hsts: { max_age: 86400, preload: true } }, /at least 31536000 \(a year\) with preload/],
	['load-balancer', 'load-balancer-tls.json', { hsts: { max_age: -1 } }, /hsts\.max_age must be a whole number/],
];
for (const [modName, file, change, want] of BROKEN) {
	const inputs = { ...JSON.parse(readFileSync(join(data, file), 'utf8')), ...change };
	let got;
	try {
		const ev = await render(modName, inputs);
		got = (await ev.validate()).map((f) => `var.${f.variable}: ${f.message}`).join('; ') || 'passed every validation';
	} catch (e) {
		got = `error: ${e.message}`;
	}
	like(got, want, `${modName}: refuses ${JSON.stringify(change).slice(0, 90)}`);
}

// The environments' variables: the tfvars examples must pass their
// validation blocks, and broken values must not.
const ENV_BROKEN = {
	local: [
		[{ app_count: 0 }, /app_count must be a whole number from 1 to 20/],
		[{ network_cidr: '10.17.71.0/25' }, /network_cidr must be an IPv4 network of \/24 or larger/],
		[{ inkwell_deb_path: 'build/deb/inkwell.tar.gz' }, /must name a \.deb file/],
		[{ memory_mb: { app: 256, database: 2048, cache: 512, lb: 512 } }, /at least 512 MiB/],
		[{ domain_name: 'blog.example.org.' }, /domain_name must be empty or a lower-case host name/],
		[{ acme_directory_url: 'http://acme.example.org/dir' }, /acme_directory_url must be an https:\/\/ URL/],
		[{ acme_email: 'not an address' }, /acme_email must be empty or an e-mail address/],
		[{ hsts_max_age: 1.5 }, /hsts_max_age must be a whole number of seconds/],
		[{ backup_retention_full: 101 }, /backup_retention_full must be a whole number from 1 to 100/],
		[{ backup_archive_timeout: 7200 }, /backup_archive_timeout must be a whole number of seconds from 15 to 3600/],
	],
	aws: [
		[{ region: 'Frankfurt' }, /region must be an AWS region name/],
		[{ replica_count: 1.5 }, /replica_count must be a whole number/],
		[{ vpc_cidr: '10.42.0.0/24' }, /vpc_cidr must be an IPv4 network of \/22 or larger/],
		[{ certificate_arn: 'arn:aws:iam::1:server-certificate/x' }, /certificate_arn must be empty or an ACM certificate ARN/],
		[{ domain_name: 'blog.example.org/path' }, /domain_name must be empty or a host name/],
		[{ route53_zone_id: 'example.org' }, /route53_zone_id must be empty or a hosted zone id/],
		[{ backup_retention_full: 0 }, /backup_retention_full must be a whole number from 1 to 100/],
		[{ backup_retention_diff: 400 }, /backup_retention_diff must be a whole number from 1 to 365/],
		[{ backup_archive_timeout: 1.5 }, /backup_archive_timeout must be a whole number of seconds/],
		[{ backup_noncurrent_days: 0 }, /backup_noncurrent_days must be a whole number from 1 to 3650/],
	],
};
for (const env of envNames) {
	const mod = loaded[`environments/${env}`];
	const f = join(mod.dir, 'terraform.tfvars.example');
	if (!mod || !existsSync(f)) continue;
	const example = await hcl.parse('terraform.tfvars.example', readFileSync(f, 'utf8'));
	const attempt = async (inputs) => {
		try {
			const ev = new ModuleEval(hcl, mod, inputs);
			await ev.prepare();
			return (await ev.validate()).map((b) => `var.${b.variable}: ${b.message}`).join('; ') || 'passed every validation';
		} catch (e) {
			return `error: ${e.message}`;
		}
	};
	is(await attempt(example), 'passed every validation', `environments/${env}: terraform.tfvars.example passes every validation block`);
	for (const [change, want] of ENV_BROKEN[env] || [])
		like(await attempt({ ...example, ...change }), want, `environments/${env}: refuses ${JSON.stringify(change)}`);
}

// --- 5. Terraform itself, where there is one ------------------------------------------------------

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });
if (terraform.status !== 0) {
	ok(true, 'terraform fmt -check # SKIP no terraform binary here');
	ok(true, 'Terraform renders what the evaluator renders # SKIP no terraform binary here');
} else {
	note(`also checking with ${terraform.stdout.split('\n')[0]}`);
	const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', tf], { encoding: 'utf8' });
	ok(fmt.status === 0, 'terraform fmt -check -recursive terraform/');
	if (fmt.status !== 0) diag(fmt.stdout.slice(0, 3000));
	for (const [modName, file, output, index] of RENDER) {
		const label = `${modName} ${output}${index === null ? '' : `[${index}]`} (${file})`;
		const name = `${modName}-${output}${index === null ? '' : `-${index}`}-${file.replace(/\.json$/, '')}.yaml`;
		const root = mkdtempSync(join(out, 'tf-'));
		const inputs = JSON.parse(readFileSync(join(data, file), 'utf8'));
		writeFileSync(join(root, 'main.tf.json'), JSON.stringify({
			module: { m: { source: join(tf, 'modules', modName), ...inputs } },
			output: { out: { value: `\${module.m.${output}${index === null ? '' : `[${index}]`}}`, sensitive: true } },
		}, null, 2));
		const env = { ...process.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
		const steps = [['init', '-no-color', '-backend=false'], ['validate', '-no-color'], ['apply', '-no-color', '-auto-approve']];
		let failed = null;
		for (const args of steps) {
			if (args[0] === 'apply') {
				// -backend=false above; apply wants a state: a local one.
				spawnSync('terraform', ['init', '-no-color', '-reconfigure'], { cwd: root, env, encoding: 'utf8', timeout: 120000 });
			}
			const r = spawnSync('terraform', args, { cwd: root, env, encoding: 'utf8', timeout: 120000 });
			if (r.status !== 0) {
				failed = `terraform ${args[0]}: ${(r.stdout + r.stderr).slice(-1500)}`;
				break;
			}
		}
		let same = false;
		if (!failed) {
			const o = spawnSync('terraform', ['output', '-raw', 'out'], { cwd: root, env, encoding: 'utf8' });
			writeFileSync(join(root, 'terraform.yaml'), o.stdout);
			const cmp = spawnSync(py, ['-c', 'import sys,yaml; a,b=(yaml.safe_load(open(f, encoding="utf-8")) for f in sys.argv[1:]); sys.exit(0 if a == b else 1)',
				join(root, 'terraform.yaml'), join(out, name)], { encoding: 'utf8' });
			same = cmp.status === 0 && o.stdout.startsWith('#cloud-config\n');
			if (!same) failed = `the data differ: compare ${join(root, 'terraform.yaml')} with ${join(out, name)}`;
		}
		ok(same, `${label}: Terraform validates the module and renders the same data as the evaluator`);
		if (failed) diag(failed);
		else rmSync(root, { recursive: true, force: true });
	}
}

rmSync(scratch, { recursive: true, force: true });
rmSync(scratch2, { recursive: true, force: true });
done();
