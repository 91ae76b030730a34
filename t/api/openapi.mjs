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
 *   4. Write API, with the API tokens of an author and of an admin that
 *      t/5003-openapi.t made (INKWELL_OA_AUTHOR_TOKEN, _ADMIN_TOKEN): tags,
 *      posts and media made, changed and deleted, and the errors the
 *      document declares (400, 403, 404, 409, 415, 422), each answer with
 *      a declared status and, when it has a body, the declared schema.
 *      Pages under /api/v1/pages the same way, and the menu: replaced,
 *      refused (403, 400) and put back as it was.
 *      What it makes is named oa-check-*; the .t removes it either way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bail, diag, done, is, like, note, ok, skipAll } from '../lib/tap.mjs';

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
for (const k of ['INKWELL_OA_ADMIN_TOKEN', 'INKWELL_OA_AUTHOR_TOKEN', 'INKWELL_OA_PNG', 'INKWELL_OA_PNG2'])
	if (!env[k])
		skipAll(`${k} not set (t/5003-openapi.t sets it)`);

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

// check(method, template, path, status, opts): sends the request (opts:
// token, json: a value sent as JSON, raw + type: a body as it is); the
// operation METHOD template declares status, and the answer matches it:
// no body where the document gives it none, else JSON of its schema.
// Returns the parsed answer, or null.
async function check(method, template, path, status, opts = {}) {
	const op = doc.paths?.[template]?.[method.toLowerCase()];
	const ref = op?.responses?.[String(status)];
	const declared = ref && deref(ref);
	const name = `${method} ${path}${opts.as ? ` (${opts.as})` : ''}`;
	const headers = {};
	let body;
	if (opts.token)
		headers.Authorization = `Bearer ${opts.token}`;
	if (opts.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.json);
	} else if (opts.raw !== undefined) {
		headers['Content-Type'] = opts.type;
		body = opts.raw;
	}
	const r = await request(path, { method, headers, body });

	if (!is(r.status, status, `${name}: ${status}`)) {
		diag(r.text.slice(0, 400));
		return null;
	}
	if (!ok(declared !== undefined,
	    `${name}: the document declares ${status} for ${method} ${template}`))
		return null;
	if (declared.content === undefined) {
		is(r.text, '', `${name}: no body, as the document says`);
		return null;
	}
	const schema = declared.content['application/json']?.schema;
	if (!ok(schema !== undefined, `${name}: the document gives ${status} a JSON schema`))
		return null;
	let parsed;
	try {
		parsed = JSON.parse(r.text);
	} catch (e) {
		ok(false, `${name}: the answer is JSON`);
		diag(e.message);
		return null;
	}
	const errs = [];
	conform(parsed, schema, 'answer', errs);
	ok(errs.length === 0, `${name}: the answer matches the document`);
	for (const e of errs.slice(0, 20))
		diag(e);
	return parsed;
}
const shape = (template, path, status) => check('GET', template, path, status);

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
for (const { template, method, op } of ops) {
	const key = `${method} ${template}`;
	const path = template.replace(/\{([^}]+)\}/g, (_, p) =>
		encodeURIComponent(SAMPLE[p] ?? 'x'));
	let r = await request(path, { method: 'OPTIONS' });
	const allow = r.headers.get('allow');
	ok(r.status !== 404 && (allow === null ||
	    allow.split(/,\s*/).includes(method)),
	    `${key} is routed (OPTIONS: ${r.status}${allow ? `, Allow: ${allow}` : ''})`);

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
	    `${key} without a token: 401 unauthorized (got ${r.status} ${code ?? 'non-JSON'})`);
}
note(`${ops.length} operations`);

// --- 4. the write API keeps the document's shapes ----------------------

const AUTHOR = { token: env.INKWELL_OA_AUTHOR_TOKEN, as: 'author' };
const ADMIN = { token: env.INKWELL_OA_ADMIN_TOKEN, as: 'admin' };
const png = readFileSync(env.INKWELL_OA_PNG);
const png2 = readFileSync(env.INKWELL_OA_PNG2);
const T = '/api/v1/tags';
const TS = '/api/v1/tags/{slug}';
const P = '/api/v1/posts';
const PS = '/api/v1/posts/{slug}';
const M = '/api/v1/media/{name}';

const me = await check('GET', '/api/v1/me', '/api/v1/me', 200, AUTHOR);
is(me?.user?.role, 'author', 'the author token is the author');

// Tags: anyone signed in may add one; only an admin may change or remove it.
const tag = await check('POST', T, T, 201,
    { ...AUTHOR, json: { slug: 'oa-check-tag', name: 'OA check' } });
is(tag?.tag?.slug, 'oa-check-tag', 'the new tag is in the answer');
await check('POST', T, T, 409, { ...AUTHOR, json: { slug: 'oa-check-tag' } });
await check('POST', T, T, 422, { ...AUTHOR, json: { slug: 'Not A Slug' } });
await check('PATCH', TS, `${T}/oa-check-tag`, 403, { ...AUTHOR, json: { name: 'x' } });
await check('PATCH', TS, `${T}/oa-check-tag`, 200, { ...ADMIN, json: { name: 'OA renamed' } });
await check('PATCH', TS, `${T}/oa-check-none`, 404, { ...ADMIN, json: { name: 'x' } });

// Posts: an author's own, and not the admin's.
const post = await check('POST', P, P, 201, { ...AUTHOR, json: {
	slug: 'oa-check-post', title: 'OpenAPI check', body_md: '*x*',
	status: 'published', tags: ['oa-check-tag'] } });
is(post?.post?.author?.username, 't5003-author', 'the post is the author\'s');
await check('POST', P, P, 201, { ...ADMIN, json: { slug: 'oa-check-admin', title: 'Admin\'s' } });
await check('POST', P, P, 409, { ...AUTHOR, json: { slug: 'oa-check-post', title: 'Again' } });
await check('POST', P, P, 422, { ...AUTHOR, json: { slug: 'oa-check-bad', title: '' } });
await check('POST', P, P, 400, { ...AUTHOR, raw: '{"slug":', type: 'application/json' });
await check('POST', P, P, 415, { ...AUTHOR, raw: 'slug=x', type: 'application/x-www-form-urlencoded' });
await check('PATCH', PS, `${P}/oa-check-post`, 200, { ...AUTHOR, json: { title: 'Changed' } });
await check('PATCH', PS, `${P}/oa-check-admin`, 403, { ...AUTHOR, json: { title: 'Mine' } });
await check('DELETE', PS, `${P}/oa-check-admin`, 403, AUTHOR);
await check('PATCH', PS, `${P}/oa-check-none`, 404, { ...AUTHOR, json: { title: 'x' } });
await check('GET', PS, `${P}/oa-check-post`, 200);

// Revisions: the create and the change above kept one each.
const RL = `${PS}/revisions`;
const RI = `${PS}/revisions/{id}`;
const RR = `${PS}/revisions/{id}/restore`;
const revs = await check('GET', RL, `${P}/oa-check-post/revisions`, 200, AUTHOR);
is(revs?.revisions?.length, 2, 'a create and a change kept two revisions');
const firstRev = revs?.revisions?.[1]?.id ?? 0;
await check('GET', RL, `${P}/oa-check-admin/revisions`, 403, AUTHOR);
await check('GET', RL, `${P}/oa-check-none/revisions`, 404, AUTHOR);
await check('GET', RI, `${P}/oa-check-post/revisions/${firstRev}`, 200, AUTHOR);
await check('GET', RI, `${P}/oa-check-post/revisions/999999999`, 404, AUTHOR);
const restored = await check('POST', RR,
    `${P}/oa-check-post/revisions/${firstRev}/restore`, 200, AUTHOR);
is(restored?.post?.title, 'OpenAPI check', 'the restore brings the first title back');
is(restored?.revision?.kind, 'restore', 'and keeps a revision of kind restore');
await check('POST', RR, `${P}/oa-check-admin/revisions/${firstRev}/restore`, 403, AUTHOR);
await check('POST', RR, `${P}/oa-check-post/revisions/999999999/restore`, 404, AUTHOR);

// Media: the same bytes again are 200, other bytes under the name 409.
const media = `${'/api/v1/media'}/oa-check.png`;
const up = await check('PUT', M, media, 201, { ...AUTHOR, raw: png, type: 'image/png' });
is(up?.media?.name, 'oa-check.png', 'the upload is in the answer');
await check('PUT', M, media, 200, { ...AUTHOR, raw: png, type: 'image/png' });
await check('PUT', M, media, 409, { ...AUTHOR, raw: png2, type: 'image/png' });
await check('PUT', M, '/api/v1/media/oa-check-text.png', 415,
    { ...AUTHOR, raw: 'not an image', type: 'image/png' });
await check('GET', '/api/v1/media', '/api/v1/media', 200, AUTHOR);
await check('DELETE', M, media, 204, AUTHOR);
await check('DELETE', M, media, 404, AUTHOR);

// Pages: a post's operations under /api/v1/pages, without tags.
const G = '/api/v1/pages';
const GS = '/api/v1/pages/{slug}';
await check('POST', G, G, 201, { ...AUTHOR, json: { slug: 'oa-check-page',
	title: 'A page', status: 'published', body_md: 'About *us*' } });
await check('POST', G, G, 201, { ...ADMIN, json: { slug: 'oa-check-page-admin',
	title: 'The admin\'s draft page' } });
await check('POST', G, G, 409, { ...AUTHOR, json: { slug: 'oa-check-page', title: 'Again' } });
await check('POST', G, G, 422, { ...AUTHOR, json: { slug: 'oa-check-page-tags',
	title: 'Tagged', tags: ['x'] } });
const pages = await check('GET', G, G, 200);
ok(pages?.pages?.some((p) => p.url === '/pages/oa-check-page') &&
    !pages.pages.some((p) => p.slug === 'oa-check-page-admin'),
    'GET /api/v1/pages lists the live page at its address, not the draft');
await check('GET', GS, `${G}/oa-check-page`, 200);
await check('GET', GS, `${G}/oa-check-page-admin`, 404);
await check('GET', PS, `${P}/oa-check-page`, 404);
await check('GET', GS, `${G}/oa-check-post`, 404);
await check('PATCH', GS, `${G}/oa-check-page`, 200, { ...AUTHOR, json: { title: 'Changed' } });
await check('PATCH', GS, `${G}/oa-check-page-admin`, 403, { ...AUTHOR, json: { title: 'Mine' } });
await check('PATCH', GS, `${G}/oa-check-page`, 422, { ...AUTHOR, json: { tags: [] } });
await check('DELETE', GS, `${G}/oa-check-page-admin`, 204, ADMIN);
await check('DELETE', GS, `${G}/oa-check-page`, 204, AUTHOR);
await check('DELETE', GS, `${G}/oa-check-page`, 404, AUTHOR);

// The menu: admins replace it; a refused one changes nothing.
const MN = '/api/v1/menu';
const menu = await check('GET', MN, MN, 200);
ok(Array.isArray(menu?.menu) && menu.menu.length > 0, 'the menu has links');
const mine = { menu: [...(menu?.menu ?? []), { label: 'OA <check>', url: '/pages/oa-check' }] };
await check('PUT', MN, MN, 403, { ...AUTHOR, json: mine });
await check('PUT', MN, MN, 400, { ...ADMIN, json: { menu: [{ label: 'x', url: 'javascript:alert(1)' }] } });
await check('PUT', MN, MN, 400, { ...ADMIN, json: { menu: [{ label: 'x', url: '//evil.example/' }] } });
await check('PUT', MN, MN, 400, { ...ADMIN, raw: '{"menu":', type: 'application/json' });
await check('PUT', MN, MN, 415, { ...ADMIN, raw: 'menu=x', type: 'application/x-www-form-urlencoded' });
const put = await check('PUT', MN, MN, 200, { ...ADMIN, json: mine });
is(JSON.stringify(put), JSON.stringify(mine), 'PUT answers with the menu as sent');
is(JSON.stringify(await check('GET', MN, MN, 200)), JSON.stringify(mine), 'GET shows it');
if (menu)
	await check('PUT', MN, MN, 200, { ...ADMIN, json: menu });

// Gone for good.
await check('DELETE', PS, `${P}/oa-check-post`, 204, AUTHOR);
await check('DELETE', PS, `${P}/oa-check-admin`, 204, ADMIN);
await check('DELETE', PS, `${P}/oa-check-post`, 404, AUTHOR);
await check('DELETE', TS, `${T}/oa-check-tag`, 403, AUTHOR);
await check('DELETE', TS, `${T}/oa-check-tag`, 204, ADMIN);
await check('DELETE', TS, `${T}/oa-check-tag`, 404, ADMIN);

// Redirects: admins only; refusals are 400s that name the field.
const RD = '/api/v1/redirects';
const RDI = '/api/v1/redirects/{id}';
await check('GET', RD, RD, 401);
await check('GET', RD, RD, 403, AUTHOR);
const redirect = await check('POST', RD, RD, 201, { ...ADMIN, json: {
	from_path: '/oa-check-old', to_path: '/posts/oa-check-new', code: 308,
	match: 'prefix' } });
is(redirect?.redirect?.source, 'manual', 'an admin\'s redirect is manual');
await check('POST', RD, RD, 409, { ...ADMIN, json: { from_path: '/oa-check-old', to_path: '/' } });
await check('POST', RD, RD, 400, { ...ADMIN, json: { from_path: '/oa-check-x', to_path: '//evil.example/' } });
await check('POST', RD, RD, 400, { ...ADMIN, raw: '{"from_path":', type: 'application/json' });
await check('POST', RD, RD, 403, { ...AUTHOR, json: { from_path: '/oa-check-y', to_path: '/' } });
await check('POST', RD, RD, 415, { ...ADMIN, raw: 'from_path=/x', type: 'application/x-www-form-urlencoded' });
const rlist = await check('GET', RD, RD, 200, ADMIN);
ok(rlist?.redirects?.some((x) => x.from_path === '/oa-check-old'), 'the list holds the new redirect');
await check('DELETE', RDI, `${RD}/${redirect?.redirect?.id}`, 403, AUTHOR);
await check('DELETE', RDI, `${RD}/${redirect?.redirect?.id}`, 204, ADMIN);
await check('DELETE', RDI, `${RD}/${redirect?.redirect?.id}`, 404, ADMIN);
done();
