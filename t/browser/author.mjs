// SPDX-License-Identifier: MIT
/*
 * t/browser/author.mjs: the whole author flow in a real browser, through
 * nginx, with a screenshot of every page: an author signs in, writes a
 * post with a Markdown preview, publishes it, edits it, schedules
 * another, adds a tag and uploads an image; a reader comments; the
 * author approves the comment; an admin changes the site's title, adds
 * a link to the menu (and sees it in the header and the footer) and takes
 * it out again, and deletes the image; both sign out. Every page must show no console error, failed request or
 * CSP violation. Run by t/5005-browser-author.t, which makes the users
 * (T6_AUTHOR, T6_ADMIN, password T6_PASSWORD) and cleans up after.
 */
import { deflateSync } from 'node:zlib';

import {
	BASE, browserTest, clean, context, is, like, newPage, ok, shot, visit,
} from '../lib/browser.mjs';

const env = process.env;
const AUTHOR = env.T6_AUTHOR;
const ADMIN = env.T6_ADMIN;
const PASSWORD = env.T6_PASSWORD;
const SLUG = 't6-browser-post';

// A real 2x2 PNG, made here (CRC and all), for the upload.
function png() {
	const crcTable = [];
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		crcTable[n] = c >>> 0;
	}
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
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
	ihdr[8] = 8;	// bit depth
	ihdr[9] = 2;	// truecolour
	const rows = Buffer.from([0, 255, 0, 0, 0, 0, 255,
	    0, 0, 255, 0, 255, 255, 0]);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

// Waits for the navigation a click starts; returns its response. On
// the editor, the live preview is let finish first: a request the
// navigation cuts off would count as a failed one.
async function submit(page, locator) {
	if (await page.locator('#preview').count() > 0)
		await page.locator('#preview:not([aria-busy])').waitFor({ state: 'attached' });
	const [res] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		locator.click(),
	]);
	return res;
}

async function signIn(page, user, name) {
	const res = await visit(page, '/admin');
	is(new URL(page.url()).pathname, '/admin/login',
	    `${name}: /admin sends a stranger to the login page`);
	is(res.status(), 200, `${name}: login page 200`);
	await shot(page, `${name}-login`);
	clean(page, `${name}-login`);
	await page.fill('#username', user);
	await page.fill('#password', PASSWORD);
	await submit(page, page.locator('form.login button[type=submit]'));
	is(new URL(page.url()).pathname, '/admin/posts',
	    `${name}: signed in, on the posts page`);
	const cookies = await context().cookies(BASE);
	const s = cookies.find((c) => c.name === 'inkwell_session');
	ok(s && s.httpOnly && s.sameSite === 'Lax',
	    `${name}: the session cookie is HttpOnly, SameSite=Lax`);
}

async function signOut(page, name) {
	await submit(page, page.locator('form[action="/admin/logout"] button'));
	is(new URL(page.url()).pathname, '/admin/login',
	    `${name}: signed out, on the login page`);
	const cookies = await context().cookies(BASE);
	ok(!cookies.some((c) => c.name === 'inkwell_session'),
	    `${name}: the session cookie is gone`);
}

await browserTest(async () => {
	const page = await newPage();

	// --- the author ------------------------------------------------
	await signIn(page, AUTHOR, 'author');
	await shot(page, 'posts');
	clean(page, 'posts');

	await visit(page, '/admin/posts/new');
	await page.fill('#title', 'Written in <Chromium>');
	await page.fill('#slug', SLUG);
	await page.fill('#summary', 'A post from the browser test');
	await page.fill('#body_md',
	    'Some *emphasis* and a list:\n\n- one\n- two\n\n<script>alert(1)</script>');
	await page.fill('#tags', 'Browser, T6 Tests');
	// The preview follows the text as it is typed.
	await page.locator('#preview em').waitFor();
	is(await page.locator('#preview em').innerText(), 'emphasis',
	    'preview: the Markdown is rendered');
	is(await page.locator('#preview script').count(), 0,
	    'preview: raw HTML stays text');
	await shot(page, 'new-post-preview');
	clean(page, 'new-post-preview');
	await page.check('input[name=status][value=published]');
	let res = await submit(page, page.locator('form.edit button[type=submit]'));
	is(res.status(), 200, 'save: lands on a page');
	like(new URL(page.url()).pathname, /^\/admin\/posts\/\d+$/,
	    'save: on the post\'s edit page');
	like(await page.locator('.notice').innerText(), /created/,
	    'save: says the post was created');
	await shot(page, 'post-created');
	clean(page, 'post-created');

	res = await visit(page, `/posts/${SLUG}`);
	is(res.status(), 200, 'the post is live');
	is(await page.locator('main h1').first().innerText(),
	    'Written in <Chromium>', 'its title shows as typed, as text');
	is(await page.locator('main article script').count(), 0,
	    'its body has no script element');
	await shot(page, 'post-public');
	clean(page, 'post-public');

	await page.goBack();
	await page.waitForLoadState('load');
	await page.fill('#title', 'Written in Chromium, edited');
	await submit(page, page.locator('form.edit button[type=submit]'));
	like(await page.locator('.notice').innerText(), /Saved/,
	    'edit: saved');
	await shot(page, 'post-edited');
	clean(page, 'post-edited');

	await visit(page, '/admin/posts/new');
	await page.fill('#title', 'Tomorrow');
	await page.fill('#slug', `${SLUG}-later`);
	await page.check('input[name=status][value=scheduled]');
	await page.fill('#published_at', '2099-01-01T09:00');
	await submit(page, page.locator('form.edit button[type=submit]'));
	await visit(page, '/admin/posts');
	like(await page.locator('table.list').innerText(),
	    /scheduled for 2099-01-01T09:00:00Z/,
	    'the list shows the scheduled post');
	await shot(page, 'posts-scheduled');
	clean(page, 'posts-scheduled');
	res = await visit(page, `/posts/${SLUG}-later`);
	is(res.status(), 404, 'a scheduled post is not public before its time');

	await visit(page, '/admin/tags');
	await page.fill('form[action="/admin/tags"] #name', 'T6 Added');
	await submit(page, page.locator('form[action="/admin/tags"] button'));
	like(await page.locator('table.list').innerText(), /t6-added/,
	    'tags: the new tag is listed');
	await shot(page, 'tags');
	clean(page, 'tags');

	await visit(page, '/admin/media');
	await page.setInputFiles('#file', {
		name: 't6-dot.png', mimeType: 'image/png', buffer: png(),
	});
	await Promise.all([
		page.waitForURL((u) => u.searchParams.get('done') === 'uploaded',
		    { waitUntil: 'load' }),
		page.click('form#upload button[type=submit]'),
	]);
	ok(await page.locator('ul.media img[src="/media/t6-dot.png"]').count() === 1,
	    'media: the uploaded image is listed');
	await page.locator('ul.media img[src="/media/t6-dot.png"]').evaluate(
	    (img) => img.decode());
	ok(await page.locator('ul.media img[src="/media/t6-dot.png"]').evaluate(
	    (img) => img.naturalWidth === 2), 'media: and the browser shows it');
	await shot(page, 'media');
	clean(page, 'media');
	await signOut(page, 'author');

	// --- a reader -----------------------------------------------------
	await visit(page, `/posts/${SLUG}`);
	await page.fill('#c-name', 'A <b>reader</b>');
	await page.fill('#c-body', 'Nice post! <img src=x onerror=alert(1)>');
	res = await submit(page, page.locator('form.comment-form button'));
	is(res.status(), 200, 'comment: sent');
	like(await page.locator('.notice').innerText(), /held for moderation/,
	    'comment: held for moderation');
	await shot(page, 'comment-sent');
	clean(page, 'comment-sent');

	// --- the author approves it ----------------------------------------
	await signIn(page, AUTHOR, 'author again');
	await visit(page, '/admin/comments');
	like(await page.locator('main').innerText(), /A <b>reader<\/b>/,
	    'moderation: the held comment is listed, as text');
	await shot(page, 'comments-held');
	clean(page, 'comments-held');
	await submit(page, page.locator('article.comment button[value=approve]').first());
	like(await page.locator('.notice').innerText(), /approved/,
	    'moderation: approved');
	await visit(page, `/posts/${SLUG}`);
	is(await page.locator('.comment .meta strong').first().innerText(),
	    'A <b>reader</b>', 'the comment is on the post, its name as text');
	is(await page.locator('.comment img').count(), 0,
	    'its body made no element');
	await shot(page, 'post-with-comment');
	clean(page, 'post-with-comment');
	await visit(page, '/admin/posts');
	await signOut(page, 'author again');

	// --- an admin ------------------------------------------------------
	await signIn(page, ADMIN, 'admin');
	await visit(page, '/admin/settings');
	await page.fill('#title', 'T6 Browser Blog');
	await submit(page, page.locator('form[action="/admin/settings"] button[type=submit]'));
	like(await page.locator('.notice').innerText(), /Saved/, 'settings: saved');
	await shot(page, 'settings');
	clean(page, 'settings');
	await visit(page, '/');
	is(await page.locator('.site-title a').innerText(), 'T6 Browser Blog',
	    'the home page has the new title at once');
	await shot(page, 'home-retitled');
	clean(page, 'home-retitled');

	// The menu editor: a link added in the first empty row, first by
	// its position number; then removed with its box.
	await visit(page, '/admin/menu');
	const rows = await page.locator('tr.menu-row').count();
	const row = rows - 2;	// three empty rows follow the saved links
	ok(rows >= 4, `menu: the editor shows the links and empty rows (${rows} rows)`);
	await page.fill(`input[name="pos_${row}"]`, '1');
	await page.fill(`input[name="label_${row}"]`, 'T6 <Post>');
	await page.fill(`input[name="url_${row}"]`, `/posts/${SLUG}`);
	await shot(page, 'menu-edit');
	clean(page, 'menu-edit');
	res = await submit(page, page.locator('#menu-form button[type=submit]'));
	is(res.status(), 200, 'menu: saved (after the redirect)');
	like(await page.locator('.notice').innerText(), /Saved/, 'menu: says so');
	is(await page.locator('input[name="label_1"]').inputValue(), 'T6 <Post>',
	    'menu: the new link is first');
	await visit(page, '/');
	const head = page.locator('header.site nav ul.menu li a').first();
	is(await head.innerText(), 'T6 <Post>', 'the header shows it first, as text');
	is(await head.getAttribute('href'), `/posts/${SLUG}`, 'linking the post');
	is(await page.locator('footer.site nav ul.menu li a').first().innerText(),
	    'T6 <Post>', 'and so does the footer');
	await shot(page, 'home-menu');
	clean(page, 'home-menu');
	await visit(page, '/admin/menu');
	await page.check('input[name="remove_1"]');
	await submit(page, page.locator('#menu-form button[type=submit]'));
	like(await page.locator('.notice').innerText(), /Saved/, 'menu: the link removed');
	await visit(page, '/');
	is(await page.locator('header.site nav ul.menu li a', { hasText: 'T6' }).count(), 0,
	    'the header no longer shows it');
	clean(page, 'home-menu-removed');
	await visit(page, '/admin/media');
	await submit(page, page.locator('form[action="/admin/media/t6-dot.png/delete"] button'));
	like(await page.locator('.notice').innerText(), /Deleted/,
	    'media: the admin deletes the author\'s image');
	is(await page.locator('ul.media img[src="/media/t6-dot.png"]').count(), 0,
	    'media: it is no longer listed');
	await shot(page, 'media-deleted');
	clean(page, 'media-deleted');
	await visit(page, '/admin/posts');
	await signOut(page, 'admin');
}, { timeout: 150 });
