// SPDX-License-Identifier: MIT
/*
 * t/browser/look.mjs: what a reader and an author see, in a real browser
 * through nginx.
 *
 *  - Icons: every page links an SVG and a PNG icon that the browser loads
 *    (no 404 in the console), and /favicon.ico answers with an icon.
 *  - axe-core finds no violation, color-contrast included, on the admin
 *    posts, media, new-post, tags and comments pages, a post with a
 *    comment, a search with results and a search that is too long, each
 *    in light and in dark mode (prefers-color-scheme emulated).
 *  - In dark mode the form fields are dark, with light text.
 *  - Every pattern attribute compiles with the v flag browsers use.
 *  - Each of those pages fits 390 and 1280 px without sideways
 *    scrolling, and is kept as a screenshot at both, light and dark.
 *
 * Run by t/5006-browser-look.t, which seeds the demo posts, an author
 * (T5006_AUTHOR, T5006_PASSWORD) and an approved comment on T5006_POST.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	BASE, axe, browserTest, clean, context, diag, is, like, newPage, ok,
	shot, visit,
} from '../lib/browser.mjs';

const env = process.env;
const AUTHOR = env.T5006_AUTHOR;
const PASSWORD = env.T5006_PASSWORD;
const POST = `/posts/${env.T5006_POST}`;
const MEDIA = env.T5006_MEDIA;
const SRC = env.INKWELL_SRC;
const WIDTHS = [390, 1280];


// Waits for the navigation a click starts; returns its response.
async function submit(page, locator) {
	const [res] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		locator.click(),
	]);
	return res;
}

// The icons the page links load in the page itself, as the browser
// would show them: through nginx and its Content-Security-Policy.
async function icons(page, name) {
	const links = await page.locator('head link[rel~="icon"]').evaluateAll(
	    (ls) => ls.map((l) => ({ href: l.href, type: l.type })));
	ok(links.some((l) => l.type === 'image/svg+xml'),
	    `${name}: links an SVG icon`);
	ok(links.some((l) => l.type === 'image/png'),
	    `${name}: links a PNG icon`);
	const sizes = await page.evaluate((hrefs) => Promise.all(hrefs.map(
	    (h) => new Promise((done) => {
		const img = new Image();

		img.onload = () => done(`${h} ${img.naturalWidth}`);
		img.onerror = () => done(`${h} failed`);
		img.src = h;
	    }))), links.map((l) => l.href));
	ok(sizes.length > 0 && sizes.every((s) => / [1-9][0-9]*$/.test(s)),
	    `${name}: every icon it links loads as an image`);
	for (const s of sizes)
		if (!/ [1-9][0-9]*$/.test(s))
			diag(s);
}

// Relative luminance (WCAG) of a CSS rgb()/rgba() colour, with its alpha.
function luminance(css) {
	const m = css.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
	if (m === null)
		return { l: NaN, a: 1 };
	const lin = (c) => {
		const v = c / 255;
		return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
	};
	return {
		l: 0.2126 * lin(+m[1]) + 0.7152 * lin(+m[2]) + 0.0722 * lin(+m[3]),
		a: m[4] === undefined ? 1 : +m[4],
	};
}

// In dark mode every visible field (inputs, text areas, selects,
// buttons) has a dark background and light text that reads on it.
async function darkFields(page, name) {
	const fields = await page.locator('input, textarea, select, button')
	    .evaluateAll((els) => els.filter((e) => e.type !== 'hidden' &&
		e.closest('[aria-hidden="true"]') === null &&
		e.getClientRects().length > 0).map((e) => {
		const s = getComputedStyle(e);

		return {
			what: `${e.tagName.toLowerCase()}` +
			    `${e.id ? `#${e.id}` : ''}${e.type ? `[${e.type}]` : ''}`,
			bg: s.backgroundColor, fg: s.color,
		};
	}));
	// Dark: a luminance under 0.2 (Chromium's dark buttons are
	// rgb(107, 107, 107), 0.15; a light field is 0.85 or more), and text
	// readable on it (4.5:1), or light text on a transparent field.
	const light = fields.filter((f) => {
		const bg = luminance(f.bg), fg = luminance(f.fg);

		if (bg.a === 0)
			return !(fg.l > 0.4);
		return !(bg.l < 0.2) || (fg.l + 0.05) / (bg.l + 0.05) < 4.5;
	});
	ok(fields.length > 0 && light.length === 0,
	    `${name}: its ${fields.length} form fields are dark with light text`);
	for (const f of light)
		diag(`${f.what}: background ${f.bg}, text ${f.fg}`);
}

// axe-core over the whole page; every violation is a diagnostic line.
// axe-core, which must also have checked the colours' contrast.
async function axeContrast(page, name) {
	const r = await axe(page, name);
	ok([...r.passes, ...r.violations].some((x) => x.id === 'color-contrast'),
	    `${name}: axe-core checked color-contrast`);
}

// Every pattern attribute of the page compiles as browsers now compile
// it: with the v flag, under which "-" in a class must be escaped. One
// that does not is ignored, silently: the field takes anything.
async function patterns(page, name) {
	const bad = await page.locator('[pattern]').evaluateAll((els) =>
	    els.map((e) => e.getAttribute('pattern')).filter((p) => {
		try {
			new RegExp(`^(?:${p})$`, 'v');
			return false;
		} catch (e) {
			return true;
		}
	    }));
	if (!ok(bad.length === 0, `${name}: every field's pattern compiles`))
		for (const p of bad)
			diag(`invalid pattern: ${p}`);
}

// One page in both schemes: axe-core, dark fields, four screenshots.
async function look(page, path, name, check) {
	for (const scheme of ['light', 'dark']) {
		await page.emulateMedia({ colorScheme: scheme });
		await page.setViewportSize({ width: 1280, height: 800 });
		const res = await visit(page, path);
		if (check)
			await check(res, `${name} (${scheme})`);
		ok(await page.evaluate((s) => matchMedia(
		    `(prefers-color-scheme: ${s})`).matches, scheme),
		    `${name} (${scheme}): the page sees ${scheme} mode`);
		await axeContrast(page, `${name} (${scheme})`);
		if (scheme === 'light')
			await patterns(page, name);
		if (scheme === 'dark')
			await darkFields(page, `${name} (${scheme})`);
		for (const w of WIDTHS) {
			await page.setViewportSize({ width: w, height: 800 });
			const wide = await page.evaluate(() =>
			    document.documentElement.scrollWidth);
			ok(wide <= w, `${name} (${scheme}): fits ${w} px ` +
			    `without sideways scrolling (${wide} px wide)`);
			await shot(page, `${name}-${scheme}-${w}`);
		}
		clean(page, `${name} (${scheme})`);
	}
	await page.emulateMedia({ colorScheme: 'light' });
	await page.setViewportSize({ width: 1280, height: 800 });
}

await browserTest(async () => {
	const page = await newPage();

	// --- icons ---------------------------------------------------------
	for (const [path, name] of [['/', 'home'], [POST, 'post'],
	    ['/search?q=inkwell', 'search']]) {
		is((await visit(page, path)).status(), 200, `${name}: 200`);
		await icons(page, name);
		clean(page, name);
	}
	const ico = await context().request.get(`${BASE}/favicon.ico`);
	is(ico.status(), 200, '/favicon.ico: 200 through nginx');
	like(ico.headers()['content-type'] || '(none)',
	    /^image\/(x-icon|vnd\.microsoft\.icon)$/, '/favicon.ico: an icon type');
	const body = await ico.body();
	ok(body.length > 6 && body.readUInt32BE(0) === 0x00000100,
	    '/favicon.ico: an ICO file');
	is(Buffer.compare(body, readFileSync(join(SRC, 'static/favicon.ico'))),
	    0, '/favicon.ico: the theme\'s static/favicon.ico');

	await visit(page, '/admin/login');
	await icons(page, 'login');
	await page.fill('#username', AUTHOR);
	await page.fill('#password', PASSWORD);
	await submit(page, page.locator('form.login button[type=submit]'));
	is(new URL(page.url()).pathname, '/admin/posts', 'signed in');
	await icons(page, 'admin posts');
	clean(page, 'admin posts');

	// An image on the media page (the theme's own icon, uploaded), so
	// that the page shows one with its details.
	await visit(page, '/admin/media');
	await page.setInputFiles('#file', {
		name: MEDIA, mimeType: 'image/png',
		buffer: readFileSync(join(SRC, 'static/apple-touch-icon.png')),
	});
	await Promise.all([
		page.waitForURL((u) => u.searchParams.get('done') === 'uploaded',
		    { waitUntil: 'load' }),
		page.click('form#upload button[type=submit]'),
	]);
	is(await page.locator(`ul.media img[src="/media/${MEDIA}"]`).count(), 1,
	    'media: an image is listed');
	await icons(page, 'admin media');
	clean(page, 'admin media');

	// --- light and dark ---------------------------------------------------
	await look(page, '/admin/posts', 'admin-posts');
	await look(page, '/admin/media', 'admin-media');
	await look(page, '/admin/posts/new', 'admin-new-post');
	await look(page, '/admin/tags', 'admin-tags');
	await look(page, '/admin/comments', 'admin-comments');
	// The pages of issue 19: pages, menu, redirects, settings (admins).
	await look(page, '/admin/pages', 'admin-pages');
	await look(page, '/admin/menu', 'admin-menu');
	await look(page, '/admin/redirects', 'admin-redirects');
	await look(page, '/admin/settings', 'admin-settings');
	await look(page, POST, 'post', async (res, name) => {
		is(res.status(), 200, `${name}: 200`);
		ok(await page.locator('.comment .meta time').count() > 0,
		    `${name}: shows a comment with its time`);
	});
	await look(page, '/search?q=inkwell', 'search', async (res, name) => {
		is(res.status(), 200, `${name}: 200`);
		ok(await page.locator('main article.summary').count() > 0,
		    `${name}: finds posts`);
	});
	await look(page, `/search?q=${'a'.repeat(6144)}`, 'search-too-long',
	    async (res, name) => {
		is(res.status(), 400, `${name}: 400`);
		like(await page.locator('main .error').innerText(), /too long/,
		    `${name}: says the search is too long`);
		// Chromium reports the page's own 400 in the console.
	});
}, { timeout: 180 });
