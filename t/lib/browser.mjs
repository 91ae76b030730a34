// SPDX-License-Identifier: MIT
/*
 * t/lib/browser.mjs: a harness for browser tests. It drives Debian's
 * Chromium (/usr/bin/chromium) headless with playwright-core, installed by
 * script/test (script/lib/node.sh) in $INKWELL_NODE_MODULES, against the
 * test stack at $INKWELL_TEST_URL, and speaks TAP (t/lib/tap.mjs).
 *
 * A test is an ES module under t/browser/, run by a t/NNNN-*.t wrapper
 * (see t/5090-browser-smoke.t, which also seeds what the test needs):
 *
 *   import { browserTest, newPage, visit, shot, clean, ok, is }
 *       from '../lib/browser.mjs';
 *
 *   await browserTest(async () => {
 *       const page = await newPage();
 *       const res = await visit(page, '/');
 *       is(res.status(), 200, 'home: 200');
 *       await shot(page, 'home');
 *       clean(page, 'home');
 *   });
 *
 * browserTest(body[, {name, timeout}])
 *     Skips the whole test (TAP "1..0 # SKIP") when INKWELL_TEST_URL or
 *     INKWELL_NODE_MODULES is unset, i.e. outside script/test. Otherwise
 *     starts Chromium and one browser context, runs body, closes the
 *     browser, prints the plan and exits: 0 when every check passed.
 *     An exception out of body is a failed check with its stack. The
 *     whole test is bounded by timeout seconds (INKWELL_BROWSER_TIMEOUT,
 *     default 120): past it, a failed check says so and the browser is
 *     closed. name (default INKWELL_TEST_NAME, else the script's name)
 *     picks the screenshot directory.
 * newPage([ctx])       a new tab in the context (or in ctx, one the test
 *                      made with browser().newContext(), e.g. without
 *                      JavaScript), watched for problems (below); actions
 *                      wait at most 15 s, navigations 20 s
 * visit(page, path)    goes to $INKWELL_TEST_URL + path, waits for "load",
 *                      returns playwright's Response (status(), headers())
 * shot(page, name)     saves a full-page PNG as
 *                      $INKWELL_TEST_VAR/out/<test>/NN-<name>.png (NN counts
 *                      up from 01), prints its path as a TAP comment and
 *                      returns it; the directory is emptied when the test
 *                      starts
 * problems(page)       what went wrong on the page since the last call,
 *                      as strings: console errors, uncaught exceptions,
 *                      requests that failed or answered 400 or more (but
 *                      the page itself: check visit()'s status), and
 *                      Content-Security-Policy violations (Chromium reports
 *                      them as console errors; they are labelled "CSP")
 * clean(page, name)    one check: problems(page) is empty; each problem is
 *                      a diagnostic line
 * axe(page, name)      one check: axe-core (from $INKWELL_NODE_MODULES)
 *                      finds no violation on the whole page; each one is a
 *                      diagnostic line; returns axe-core's results
 * BASE                 $INKWELL_TEST_URL without a trailing slash
 * browser(), context() the playwright Browser and BrowserContext
 * ok, is, like, diag, note, bail, skipAll    re-exported from tap.mjs
 *
 * Chromium gets --no-sandbox only as root, where it refuses to start
 * without it (INKWELL_BROWSER_NO_SANDBOX=1 forces it, e.g. in a container
 * without user namespaces). INKWELL_CHROMIUM names another binary. The
 * page's own Content-Security-Policy is enforced (bypassCSP stays off), so
 * whatever nginx's policy blocks shows up in problems().
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { bail, diag, done, ok, skipAll } from './tap.mjs';

export { bail, diag, is, like, note, ok, skipAll } from './tap.mjs';

const env = process.env;

export const BASE = (env.INKWELL_TEST_URL || '').replace(/\/+$/, '');

const ACTION_MS = 15000;
const NAVIGATION_MS = 20000;
const LAUNCH_MS = 30000;
const CLOSE_MS = 10000;

let theBrowser = null;
let theContext = null;
let outDir = null;
let shots = 0;
const watched = new WeakMap();

export function browser() {
	return theBrowser;
}

export function context() {
	return theContext;
}

// within(ms, what, promise): promise's value, or an Error naming what
// did not finish in time.
function within(ms, what, promise) {
	let timer;
	const late = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(
		    `${what}: no answer within ${ms / 1000}s`)), ms);
	});
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function closeBrowser() {
	const b = theBrowser;

	theBrowser = null;
	theContext = null;
	if (b === null)
		return;
	try {
		await within(CLOSE_MS, 'closing Chromium', b.close());
	} catch (e) {
		// playwright kills the browsers it started when node exits.
		diag(e.message);
	}
}

export async function newPage(ctx = theContext) {
	const page = await ctx.newPage();
	const list = [];
	let main = null;

	const answered = new WeakSet();

	watched.set(page, list);
	page.on('console', (m) => {
		const t = m.text();

		// A 4xx/5xx answer is reported below, with its URL; the page
		// itself is the test's to check.
		if (m.type() !== 'error' ||
		    /^Failed to load resource: the server responded/.test(t))
			return;
		list.push(/Content.Security.Policy/i.test(t) ?
		    `CSP: ${t}` : `console error: ${t}`);
	});
	page.on('pageerror', (e) => list.push(`uncaught exception: ${e.message}`));
	page.on('request', (r) => {
		if (r.isNavigationRequest() && r.frame() === page.mainFrame())
			main = r;
	});
	page.on('response', (res) => {
		if (res.status() < 400 || res.request() === main)
			return;
		answered.add(res.request());
		list.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
	});
	page.on('requestfailed', (r) => {
		const why = r.failure() ? r.failure().errorText : 'failed';

		// Chromium aborts a subresource that answered 4xx/5xx: said above.
		if (answered.has(r) || r === main)
			return;
		// Chromium fetches the site's icons after "load" and cancels the
		// fetch when the page navigates on: not a fault of the page
		// (t/5006 checks that every icon loads).
		if (why === 'net::ERR_ABORTED' &&
		    /\/(favicon\.(svg|png|ico)|apple-touch-icon\.png)$/.test(
		    new URL(r.url()).pathname))
			return;
		list.push(why === 'csp' ? `CSP: blocked ${r.method()} ${r.url()}` :
		    `request failed (${why}): ${r.method()} ${r.url()}`);
	});
	return page;
}

export async function visit(page, path) {
	const res = await page.goto(BASE + path, { waitUntil: 'load' });

	if (res === null)
		throw new Error(`${path}: no response`);
	return res;
}

export function problems(page) {
	const list = watched.get(page);

	if (list === undefined)
		return [`this page was not made by newPage()`];
	return list.splice(0, list.length);
}

export function clean(page, name) {
	const list = problems(page);
	const pass = ok(list.length === 0,
	    `${name}: no console errors, failed requests or CSP violations`);

	for (const p of list)
		diag(p);
	return pass;
}

let axeSource = null;

export async function axe(page, name) {
	if (axeSource === null) {
		const req = createRequire(join(dirname(env.INKWELL_NODE_MODULES),
		    'package.json'));
		axeSource = readFileSync(req.resolve('axe-core/axe.min.js'), 'utf8');
	}
	if (!await page.evaluate(() => typeof window.axe === 'object'))
		await page.evaluate(axeSource);
	const r = await page.evaluate(() => window.axe.run(document));
	ok(r.violations.length === 0, `${name}: axe-core finds no violations`);
	for (const v of r.violations)
		for (const n of v.nodes.slice(0, 5))
			diag(`${v.id} (${v.impact}): ${n.target.join(' ')}: ` +
			    `${(n.failureSummary || v.help).replace(/\s+/g, ' ')}`);
	return r;
}

export async function shot(page, name) {
	const slug = String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-')
	    .replace(/^-|-$/g, '') || 'page';
	const file = join(outDir, `${String(++shots).padStart(2, '0')}-${slug}.png`);

	await page.screenshot({ path: file, fullPage: true, timeout: ACTION_MS });
	process.stdout.write(`# screenshot: ${file}\n`);
	return file;
}

function loadPlaywright() {
	const mods = env.INKWELL_NODE_MODULES;
	// Resolve from the directory that holds node_modules, the way a
	// script placed there would.
	const req = createRequire(join(dirname(mods), 'package.json'));

	try {
		return req('playwright-core');
	} catch (e) {
		bail(`cannot load playwright-core from ${mods}: ${e.message}`);
	}
	return null;
}

export async function browserTest(body, opts = {}) {
	if (BASE === '')
		skipAll('INKWELL_TEST_URL not set (script/test sets it)');
	if (!env.INKWELL_NODE_MODULES)
		skipAll('INKWELL_NODE_MODULES not set (script/test installs the npm packages)');

	const name = opts.name || env.INKWELL_TEST_NAME ||
	    basename(process.argv[1] || 'browser', '.mjs');
	const secs = Number(opts.timeout || env.INKWELL_BROWSER_TIMEOUT || 120);
	const exe = env.INKWELL_CHROMIUM || '/usr/bin/chromium';
	const args = ['--disable-gpu', '--disable-quic',
	    '--disable-background-networking', '--disable-component-update',
	    '--no-first-run', '--disable-sync'];
	if ((process.getuid && process.getuid() === 0) ||
	    env.INKWELL_BROWSER_NO_SANDBOX === '1')
		args.push('--no-sandbox');

	outDir = join(env.INKWELL_TEST_VAR || join(tmpdir(), 'inkwell-test'),
	    'out', name);
	rmSync(outDir, { recursive: true, force: true });
	mkdirSync(outDir, { recursive: true });

	const { chromium } = loadPlaywright();
	let timer;
	const overall = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(
		    `the test did not finish within ${secs}s (INKWELL_BROWSER_TIMEOUT)`)),
		    secs * 1000);
	});
	// A signal (prove interrupted, timeout(1)) or an error thrown outside
	// body (in an event handler) still closes Chromium.
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.once(sig, () => {
			ok(false, `stopped by ${sig}`);
			closeBrowser().finally(done);
		});
	}
	for (const ev of ['uncaughtException', 'unhandledRejection']) {
		process.once(ev, (e) => {
			ok(false, `no ${ev}`);
			diag((e && e.stack) || String(e));
			closeBrowser().finally(done);
		});
	}

	const run = async () => {
		theBrowser = await chromium.launch({
			executablePath: exe, headless: true, args,
			timeout: LAUNCH_MS,
			// the handlers above close it
			handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
		});
		process.stdout.write(`# Chromium ${theBrowser.version()} (${exe})\n`);
		theContext = await theBrowser.newContext({
			viewport: { width: 1280, height: 800 },
			locale: 'en-GB', timezoneId: 'UTC',
		});
		theContext.setDefaultTimeout(ACTION_MS);
		theContext.setDefaultNavigationTimeout(NAVIGATION_MS);
		await body();
	};
	try {
		await Promise.race([run(), overall]);
	} catch (e) {
		ok(false, `the test ran to its end without an exception`);
		diag(e.stack || String(e));
	} finally {
		clearTimeout(timer);
		await closeBrowser();
	}
	done();
}
