// SPDX-License-Identifier: MIT
/*
 * t/api/openapi.mjs: static/openapi.json, as nginx serves it, is a valid
 * OpenAPI document and stays true to the running server. Run by
 * t/5003-openapi.t, which imports the demo posts first.
 *
 *   1. GET /api/v1/openapi.json through nginx: 200, application/json, the
 *      file in the source tree; kept as $INKWELL_TEST_VAR/out/5003-openapi/
 *      openapi.json and validated with swagger-cli.
 *   2. Read API: real answers (lists, a search, one post, errors) have a
 *      status the document declares for them, and match its schema: types,
 *      required properties, enums and patterns, through $ref and allOf.
 *   3. Every operation in "paths" is routed: OPTIONS on its path is not a
 *      404 and, when the server lists methods (Allow), lists it; and an
 *      operation that declares bearerAuth answers 401 without a token.
 *
 * Operations of the write API not routed yet are listed in PENDING: their
 * checks are TODO ("not ok ... # TODO pending"), and prove reports them as
 * unexpectedly passing once the server routes them: then drop them here.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bail, diag, done, is, like, note, ok, skipAll } from '../lib/tap.mjs';

// Issue 5's write API, described in the document before the server has it.
const PENDING = new Set([
]);

// Stand-ins for path parameters: well-formed, and naming nothing, so a
// request that gets past routing changes nothing.
const SAMPLE = { slug: 'openapi-check-none', name: 'openapi-check-none.png' };

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const env = process.env;
const BASE = (env.INKWELL_TEST_URL || '').replace(/\/+$/, '');
const TIMEOUT_MS = 10000;

if (BASE === '')
	skipAll('INKWELL_TEST_URL not set (script/test sets it)');
if (!env.INKWELL_NODE_MODULES)
	skipAll('INKWELL_NODE_MODULES not set (script/test installs the npm packages)');

async function request(path, init = {}) {
	const res = await fetch(BASE + path, {
		redirect: 'manual', ...init, signal: AbortSignal.timeout(TIMEOUT_MS),
	});
	const text = await res.text();
	return { status: res.status, headers: res.headers, text };
}

function run(file, args) {
	return new Promise((resolve) => {
		execFile(file, args, { timeout: 60000 }, (err, stdout, stderr) =>
			resolve({ code: err ? (err.code ?? 1) : 0, out: stdout + stderr }));
	});
}

// --- a small schema checker --------------------------------------------

let doc = null;

function deref(schema) {
	while (schema && schema.$ref) {
		if (!schema.$ref.startsWith('#/'))
			throw new Error(`only local $ref: ${schema.$ref}`);
		schema = schema.$ref.slice(2).split('/').reduce((o, k) =>
			o === undefined ? undefined : o[k.replace(/~1/g, '/')
			    .replace(/~0/g, '~')], doc);
		if (schema === undefined)
			throw new Error('unresolved $ref');
	}
	return schema;
}

function typeOf(v) {
	if (v === null)
		return 'null';
	if (Array.isArray(v))
		return 'array';
	if (Number.isInteger(v))
		return 'integer';
	return typeof v;
}

// conform(value, schema, where, errs): appends to errs every way value
// differs from schema.
function conform(value, schema, where, errs) {
	schema = deref(schema);
	for (const sub of schema.allOf || [])
		conform(value, sub, where, errs);
	if (value === null) {
		if (!schema.nullable && schema.type !== undefined)
			errs.push(`${where}: null, but not nullable`);
		return;
	}
	const t = typeOf(value);
	if (schema.type !== undefined && schema.type !== t &&
	    !(schema.type === 'number' && t === 'integer')) {
		errs.push(`${where}: ${t}, the document says ${schema.type}`);
		return;
	}
	if (schema.enum && !schema.enum.includes(value))
		errs.push(`${where}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
	if (schema.pattern && t === 'string' && !new RegExp(schema.pattern).test(value))
		errs.push(`${where}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
	if (t === 'object') {
		for (const k of schema.required || [])
			if (!(k in value))
				errs.push(`${where}: no "${k}", which the document requires`);
		for (const [k, v] of Object.entries(value)) {
			if (schema.properties && k in schema.properties)
				conform(v, schema.properties[k], `${where}.${k}`, errs);
			else if (typeof schema.additionalProperties === 'object')
				conform(v, schema.additionalProperties, `${where}.${k}`, errs);
		}
	}
	if (t === 'array' && schema.items)
		value.forEach((v, i) => conform(v, schema.items, `${where}[${i}]`, errs));
}

// --- 1. the document ---------------------------------------------------

const outDir = join(env.INKWELL_TEST_VAR || join(tmpdir(), 'inkwell-test'),
    'out', env.INKWELL_TEST_NAME || '5003-openapi');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const saved = join(outDir, 'openapi.json');

let got;
try {
	got = await request('/api/v1/openapi.json');
} catch (e) {
	bail(`GET ${BASE}/api/v1/openapi.json: ${e.message}`);
}
is(got.status, 200, 'GET /api/v1/openapi.json through nginx: 200');
like(got.headers.get('content-type'), /^application\/json(;|$)/,
    'the document is application/json');
writeFileSync(saved, got.text);
note(`saved as ${saved}`);
try {
	doc = JSON.parse(got.text);
	ok(true, 'the document is JSON');
} catch (e) {
	ok(false, 'the document is JSON');
	diag(e.message);
	done();
}
if (env.INKWELL_SRC) {
	const mine = readFileSync(join(env.INKWELL_SRC, 'static/openapi.json'), 'utf8');
	ok(got.text === mine, 'nginx serves static/openapi.json of this tree');
}
like(doc.openapi, /^3\./, `it is OpenAPI 3 (${doc.openapi})`);

const cli = join(env.INKWELL_NODE_MODULES, '.bin', 'swagger-cli');
const v = await run(cli, ['validate', saved]);
ok(v.code === 0, 'swagger-cli validate finds it valid');
if (v.code !== 0)
	diag(v.out.trim());

// --- 2. the read API keeps the document's shapes -----------------------

// shape(template, path, status): GET path; the operation GET template
// declares status with a JSON schema, and the answer matches it.
async function shape(template, path, status) {
	const op = doc.paths?.[template]?.get;
	const declared = op?.responses?.[String(status)];
	const schema = declared && deref(declared).content?.['application/json']?.schema;
	const name = `GET ${path}`;
	const r = await request(path);

	if (!is(r.status, status, `${name}: ${status}`))
		return null;
	if (!ok(schema !== undefined,
	    `${name}: the document declares ${status} for GET ${template} with a JSON schema`))
		return null;
	let body;
	try {
		body = JSON.parse(r.text);
	} catch (e) {
		ok(false, `${name}: the answer is JSON`);
		diag(e.message);
		return null;
	}
	const errs = [];
	conform(body, schema, 'answer', errs);
	ok(errs.length === 0, `${name}: the answer matches the document`);
	for (const e of errs.slice(0, 20))
		diag(e);
	return body;
}

const list = await shape('/api/v1/posts', '/api/v1/posts', 200);
const first = list?.posts?.[0];
ok(first !== undefined, 'the read API lists posts (the demo posts)');
if (first !== undefined) {
	await shape('/api/v1/posts/{slug}', `/api/v1/posts/${first.slug}`, 200);
	const word = (first.title.match(/[A-Za-z]{4,}/g) || ['inkwell'])[0];
	const found = await shape('/api/v1/posts',
	    `/api/v1/posts?q=${encodeURIComponent(word)}`, 200);
	ok(found?.posts?.some((p) => typeof p.snippet_html === 'string'),
	    'a search answers snippets');
	const tag = first.tags?.[0]?.slug;
	if (tag !== undefined)
		await shape('/api/v1/posts', `/api/v1/posts?tag=${tag}&per_page=2`, 200);
}
await shape('/api/v1/tags', '/api/v1/tags', 200);
await shape('/api/v1/authors', '/api/v1/authors', 200);
await shape('/api/v1/posts/{slug}', `/api/v1/posts/${SAMPLE.slug}`, 404);
await shape('/api/v1/posts', '/api/v1/posts?page=abc', 400);

// --- 3. every operation is routed --------------------------------------

const ops = [];
for (const [template, item] of Object.entries(doc.paths || {}))
	for (const m of METHODS)
		if (item[m] !== undefined)
			ops.push({ template, method: m.toUpperCase(), op: item[m] });
const known = new Set(ops.map((o) => `${o.method} ${o.template}`));
const stale = [...PENDING].filter((p) => !known.has(p));
ok(stale.length === 0, 'every pending operation is in the document');
if (stale.length)
	diag(`not in the document: ${stale.join(', ')}`);

for (const { template, method, op } of ops) {
	const key = `${method} ${template}`;
	const todo = PENDING.has(key) ? { todo: 'pending' } : {};
	const path = template.replace(/\{([^}]+)\}/g, (_, p) =>
		encodeURIComponent(SAMPLE[p] ?? 'x'));
	let r = await request(path, { method: 'OPTIONS' });
	const allow = r.headers.get('allow');
	ok(r.status !== 404 && (allow === null ||
	    allow.split(/,\s*/).includes(method)),
	    `${key} is routed (OPTIONS: ${r.status}${allow ? `, Allow: ${allow}` : ''})`,
	    todo);

	const secured = (op.security || doc.security || []).some((s) =>
		'bearerAuth' in s);
	if (method !== 'GET' && !secured)
		ok(false, `${key} declares bearerAuth, as every write does`);
	if (!secured)
		continue;
	const init = { method };
	if (['POST', 'PATCH', 'PUT'].includes(method))
		init.headers = { 'Content-Type': 'application/json' };
	if (['POST', 'PATCH'].includes(method))
		init.body = '{}';
	r = await request(path, init);
	let code = null;
	try {
		code = JSON.parse(r.text).error?.code;
	} catch {
		// not JSON: the check below fails and shows the status
	}
	ok(r.status === 401 && code === 'unauthorized',
	    `${key} without a token: 401 unauthorized (got ${r.status} ${code ?? 'non-JSON'})`,
	    todo);
}
note(`${ops.length} operations, ${PENDING.size} pending`);
done();
