// SPDX-License-Identifier: MIT
/*
 * t/browser/editor.mjs: the post editor in a real browser, through nginx.
 *
 *  - The preview is the server's rendering of what is typed, side by
 *    side with the text on a wide screen; an answer that comes late
 *    (held back here) never replaces a newer one.
 *  - The word count and reading time follow the text.
 *  - A picture pasted into the text opens a dialog asking for its alt
 *    text; it is uploaded and its Markdown is put where the cursor was;
 *    a dropped one can be cancelled with Escape; one the server refuses
 *    (chosen with the button's file input) shows the server's message.
 *  - The live preview warns of a picture without alt text.
 *  - Alt+Shift+P hides and shows the preview; Ctrl+S saves (a draft with
 *    a picture without alt is saved without a warning).
 *  - With JavaScript off: a slug already taken is said under the slug
 *    field (aria-invalid, aria-describedby), what was typed is kept;
 *    publishing a picture without alt text is held back with a warning by
 *    the text and a "Publish anyway" box, which then publishes.
 *  - The Content-Security-Policy is nginx's, unchanged; no page logs a
 *    console error, failed request or CSP violation; axe-core finds no
 *    violation on the editor with its preview and with its field errors,
 *    light and dark, at 390 and 1280 px.
 *
 * Run by t/5031-browser-editor.t, which makes the author (T31_AUTHOR,
 * T31_PASSWORD) and removes what the test made.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

import {
	BASE, axe, browser, browserTest, clean, diag, is, like, newPage, ok,
	problems, shot, visit,
} from '../lib/browser.mjs';

const env = process.env;
const AUTHOR = env.T31_AUTHOR;
const PASSWORD = env.T31_PASSWORD;
const SLUG = 't31-editor';

// The policy nginx is configured with, as the file says it.
const CSP = readFileSync(join(env.INKWELL_SRC, 'nginx/inkwell.conf'), 'utf8')
    .match(/add_header Content-Security-Policy "([^"]+)"/)[1];

// A real 2x2 PNG, made here (CRC and all).
function png() {
	const table = [];
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(2, 0);
	ihdr.writeUInt32BE(2, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0,
	    0, 0, 0, 255, 255, 255, 0]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

// Waits until the preview has the answer to the last change.
async function settled(page) {
	await page.locator('#preview:not([aria-busy])').waitFor({ state: 'attached' });
}

// Waits for the navigation a click (or key) starts; returns its response.
async function submit(page, act) {
	if (await page.locator('#preview').count() > 0)
		await settled(page);
	const [res] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		act(),
	]);
	return res;
}

async function signIn(page) {
	await visit(page, '/admin/login');
	await page.fill('#username', AUTHOR);
	await page.fill('#password', PASSWORD);
	await submit(page, () => page.click('form.login button[type=submit]'));
	is(new URL(page.url()).pathname, '/admin/posts', 'signed in');
}

// A file event on the text area, as a browser makes it from a paste or
// a drop: a DataTransfer holding a PNG named name.
async function fileEvent(page, kind, name, bytes) {
	await page.locator('#body_md').evaluate((area, [k, n, b64]) => {
		const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([raw], n, { type: 'image/png' }));
		const init = { bubbles: true, cancelable: true };
		area.dispatchEvent(k === 'paste' ?
		    new ClipboardEvent('paste', { ...init, clipboardData: dt }) :
		    new DragEvent('drop', { ...init, dataTransfer: dt }));
	}, [kind, name, bytes.toString('base64')]);
}

// The page in light and dark, at 390 and 1280 px: axe, no sideways
// scrolling, a screenshot each.
async function looks(page, name) {
	for (const scheme of ['light', 'dark']) {
		await page.emulateMedia({ colorScheme: scheme });
		for (const w of [1280, 390]) {
			await page.setViewportSize({ width: w, height: 900 });
			await axe(page, `${name} (${scheme}, ${w} px)`);
			const wide = await page.evaluate(() =>
			    document.documentElement.scrollWidth);
			ok(wide <= w, `${name} (${scheme}): fits ${w} px (${wide} px wide)`);
			await shot(page, `${name}-${scheme}-${w}`);
		}
	}
	await page.emulateMedia({ colorScheme: 'light' });
	await page.setViewportSize({ width: 1280, height: 900 });
}

await browserTest(async () => {
	const page = await newPage();
	const dot = png();
	await signIn(page);

	// --- the preview ------------------------------------------------
	let res = await visit(page, '/admin/posts/new');
	is(res.headers()['content-security-policy'], CSP,
	    'the editor has nginx\'s Content-Security-Policy, unchanged');
	const area = page.locator('#body_md');
	ok(await page.locator('#preview-pane').isVisible(),
	    'with JavaScript the preview pane is shown');
	const boxes = await page.evaluate(() => [
		document.querySelector('#body_md').getBoundingClientRect(),
		document.querySelector('#preview-pane').getBoundingClientRect(),
	].map((b) => ({ x: b.x, y: b.y })));
	ok(boxes[1].x > boxes[0].x, 'at 1280 px the preview is beside the text');
	await area.pressSequentially('Some *typed* text');
	await settled(page);
	is(await page.locator('#preview em').innerText(), 'typed',
	    'the typed Markdown shows rendered in the preview');
	like(await page.locator('#word-count').innerText(),
	    /^3 words · about 1 minute to read$/, 'the word count follows: 3 words');

	// A late answer must not win: the first request is held back until
	// the second one has been answered.
	let release, firstOut;
	const held = new Promise((r) => { release = r; });
	const out = new Promise((r) => { firstOut = r; });
	let seen = 0;
	await page.route('**/admin/preview', async (route) => {
		if (++seen === 1) {
			firstOut();
			await held;
		}
		await route.continue();
	});
	await area.fill('# Old heading');
	await out;
	await area.fill('## New heading\n\nfour words of text');
	await page.waitForFunction(() => document.querySelector('#preview h2') !== null);
	release();
	await settled(page);
	await page.unroute('**/admin/preview');
	is(seen, 2, 'two preview requests were made');
	is(await page.locator('#preview h1').count(), 0,
	    'the late answer for the old text was dropped');
	is(await page.locator('#preview h2').evaluate(
	    (h) => h.firstChild.textContent.trim()), 'New heading',
	    'the preview shows the newest text');
	like(await page.locator('#word-count').innerText(), /^6 words/,
	    'the word count: 6 words');
	clean(page, 'preview');

	// --- a pasted picture -------------------------------------------------
	await area.fill('Before.\n\nAfter.');
	await area.evaluate((a) => a.setSelectionRange(8, 8));
	await fileEvent(page, 'paste', 't31-Dot Ü.png', dot);
	const dialog = page.getByRole('dialog', { name: 'Insert an image' });
	await dialog.waitFor();
	ok(await dialog.isVisible(), 'paste: a dialog asks for the alt text');
	is(await page.evaluate(() => document.activeElement.id), 'image-alt',
	    'paste: the alt text field has the focus');
	like(await page.locator('#image-name').inputValue(),
	    /^t31-dot-u-[a-z0-9]+-[a-z0-9]{2}\.png$/,
	    'paste: a safe, unique name is made from the file\'s');
	await shot(page, 'alt-dialog');
	await page.emulateMedia({ colorScheme: 'dark' });
	await axe(page, 'the alt text dialog (dark)');
	await shot(page, 'alt-dialog-dark');
	await page.emulateMedia({ colorScheme: 'light' });
	await axe(page, 'the alt text dialog (light)');
	await page.fill('#image-alt', 'A red [and] green dot');
	await page.click('#image-form button[type=submit]');
	await page.waitForFunction(() => /!\[A red/.test(
	    document.querySelector('#body_md').value));
	const md = await area.inputValue();
	like(md, /^Before\.\n\n!\[A red \\\[and\\\] green dot\]\(\/media\/t31-dot-u-[a-z0-9-]+\.png\)\n\nAfter\.$/,
	    'paste: the picture\'s Markdown is put where the cursor was, a paragraph of its own');
	const name = md.match(/\/media\/([^)]+)\)/)[1];
	like(await page.locator('#image-status').innerText(), /Uploaded/,
	    'paste: the upload says it is done');
	await settled(page);
	is(await page.locator(`#preview img[src="/media/${name}"]`).getAttribute('alt'),
	    'A red [and] green dot', 'paste: the preview shows it with its alt text');
	ok(await page.locator('#alt-live').isHidden(), 'no alt warning yet');
	const got = await page.request.get(`${BASE}/media/${name}`);
	is(got.status(), 200, 'paste: the picture is served at its address');
	clean(page, 'paste');

	// --- a dropped picture, cancelled ---------------------------------------
	await fileEvent(page, 'drop', 't31-dropped.png', dot);
	await dialog.waitFor();
	await page.keyboard.press('Escape');
	await dialog.waitFor({ state: 'hidden' });
	is(await area.inputValue(), md, 'drop, then Escape: the text is unchanged');

	// --- a picture the server refuses ----------------------------------------
	await page.setInputFiles('#image-file', {
		name: 't31-bad.png', mimeType: 'image/png',
		buffer: Buffer.from('this is not a PNG at all'),
	});
	await dialog.waitFor();
	await page.fill('#image-alt', 'Nothing');
	await page.click('#image-form button[type=submit]');
	await page.locator('#image-error').waitFor();
	const why = await page.locator('#image-error').innerText();
	like(why, /^⚠? ?The picture was not uploaded: \S/,
	    'refused: the editor says the picture was not uploaded');
	diag(`the server said: ${why}`);
	ok(!/^The picture was not uploaded: 4\d\d /.test(why),
	    'refused: with the server\'s own message');
	is(await area.inputValue(), md, 'refused: the text is unchanged');
	const refused = problems(page);
	if (!ok(refused.length === 1 &&
	    /HTTP 4\d\d: PUT .*\/api\/v1\/media\/t31-bad/.test(refused[0]),
	    'refused: the PUT was the one failed request'))
		for (const p of refused)
			diag(p);
	await shot(page, 'upload-refused');

	// --- the alt warning, live ------------------------------------------------
	// A picture's own alt text stands in where the Markdown gives none:
	// take the uploaded one's away, so the text below has a picture
	// without any.
	res = await page.request.patch(`${BASE}/api/v1/media/${name}`, {
		headers: { 'X-CSRF-Token': await page.locator(
		    'form.edit input[name=csrf]').inputValue() },
		data: { alt: '' },
	});
	is(res.status(), 200, 'the picture\'s own alt text is taken away');
	await area.fill(`${md}\n\n![](/media/${name})`);
	await settled(page);
	await page.locator('#alt-live').waitFor();
	like(await page.locator('#alt-live').innerText(), /^1 picture has no alt text/,
	    'the preview warns of a picture without alt text');

	// --- shortcuts ---------------------------------------------------------
	const toggle = page.locator('button.preview-button');
	like(await page.locator('.shortcuts').innerText(), /Ctrl\+S saves/,
	    'the shortcuts are shown');
	like(await area.getAttribute('aria-keyshortcuts'), /Control\+S/,
	    'and named in aria-keyshortcuts');
	await area.press('Alt+Shift+P');
	ok(await page.locator('#preview-pane').isHidden(), 'Alt+Shift+P hides the preview');
	is(await toggle.getAttribute('aria-expanded'), 'false', '  and the button says so');
	is(await area.inputValue(), `${md}\n\n![](/media/${name})`, '  typing nothing');
	await area.press('Alt+Shift+P');
	ok(await page.locator('#preview-pane').isVisible(), 'Alt+Shift+P shows it again');
	await looks(page, 'editor');
	clean(page, 'editor looks');

	await page.fill('#title', 'Editor <test>');
	await page.fill('#slug', SLUG);
	res = await submit(page, () => area.press('Control+s'));
	is(res.status(), 200, 'Ctrl+S: saved');
	like(new URL(page.url()).pathname, /^\/admin\/posts\/\d+$/, 'Ctrl+S: on the post\'s page');
	like(await page.locator('.notice').innerText(), /created/,
	    'Ctrl+S: a draft with a picture without alt is saved, no warning');
	like(await page.locator('#preview').innerHTML(), /<img/,
	    'the saved post\'s editor shows its preview at once');
	clean(page, 'saved');
	await shot(page, 'saved');

	// A refused save with both a field error and the alt warning, as
	// axe-core sees it (Playwright cannot run it with JavaScript off).
	await visit(page, '/admin/posts/new');
	await page.fill('#title', 'Errors');
	await page.fill('#slug', `${SLUG}-errors`);
	await page.fill('#tags', 'x'.repeat(150));
	await area.fill(`![](/media/${name})`);
	await page.check('input[name=status][value=published]');
	res = await submit(page, () => page.click('form.edit button[type=submit]'));
	is(res.status(), 422, 'a tag too long and a picture without alt: 422');
	ok(await page.locator('#tags-error').isVisible() &&
	    await page.locator('#body_md-alt').isVisible(),
	    'the field error and the alt warning are both shown');
	await looks(page, 'errors');
	clean(page, 'errors');

	// --- without JavaScript ----------------------------------------------------
	const ctx = await browser().newContext({
		javaScriptEnabled: false, viewport: { width: 1280, height: 900 },
		locale: 'en-GB', timezoneId: 'UTC',
	});
	ctx.setDefaultTimeout(15000);
	const bare = await newPage(ctx);
	await signIn(bare);
	await visit(bare, '/admin/posts/new');
	ok(await bare.locator('#preview-pane').isHidden(),
	    'no JavaScript: no preview pane');
	await bare.fill('#title', 'Same slug <again>');
	await bare.fill('#slug', SLUG);
	await bare.fill('#body_md', 'Kept *as typed*.');
	res = await submit(bare, () => bare.click('form.edit button[type=submit]'));
	is(res.status(), 409, 'no JavaScript: a slug taken is refused (409)');
	is(await bare.locator('#slug').getAttribute('aria-invalid'), 'true',
	    'the slug field is marked invalid');
	like(await bare.locator('#slug').getAttribute('aria-describedby'), /\bslug-error\b/,
	    'and described by its message');
	like(await bare.locator('#slug-error').innerText(), /Another post has this slug/,
	    'the message is by the field');
	is(await bare.locator('.field:has(#slug) #slug-error').count(), 1,
	    'in the field\'s own box');
	is(await bare.locator('#title').getAttribute('aria-invalid'), null,
	    'the title is not marked');
	is(await bare.locator('#title').inputValue(), 'Same slug <again>', 'the title is kept');
	is(await bare.locator('#body_md').inputValue(), 'Kept *as typed*.', 'the text is kept');
	like(await bare.locator('.error').innerText(), /Not saved: slug/, 'the banner says so too');
	clean(bare, 'field error');

	await bare.fill('#slug', `${SLUG}-alt`);
	await bare.fill('#body_md', `A picture:\n\n![](/media/${name})`);
	await bare.check('input[name=status][value=published]');
	res = await submit(bare, () => bare.click('form.edit button[type=submit]'));
	is(res.status(), 422, 'no JavaScript: publishing a picture without alt is held back');
	like(await bare.locator('#body_md-alt').innerText(), /1 picture in the text has no alt text/,
	    'a warning by the text says why');
	like(await bare.locator('#body_md').getAttribute('aria-describedby'), /\bbody_md-alt\b/,
	    'the text is described by it');
	is(await bare.locator('input[name=status][value=published]').isChecked(), true,
	    'Published stays chosen');
	await shot(bare, 'alt-warning');
	clean(bare, 'alt warning');
	await bare.check('input[name=publish_anyway]');
	res = await submit(bare, () => bare.click('form.edit button[type=submit]'));
	is(res.status(), 200, 'Publish anyway: saved');
	like(await bare.locator('.notice').innerText(), /created/, 'Publish anyway: created');
	res = await visit(bare, `/posts/${SLUG}-alt`);
	is(res.status(), 200, 'and the post is live');
	clean(bare, 'published anyway');
	await ctx.close();
}, { timeout: 150 });
