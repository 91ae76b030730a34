// SPDX-License-Identifier: MIT
/*
 * t/browser/revisions.mjs: revisions and autosave in a real browser,
 * through nginx: an author writes a post and saves it, types in the
 * editor and sees the autosave's status once the script has stored it
 * (and the API lists it, while the public page still shows the saved
 * text); the page warns before leaving with unsaved changes, and not
 * after a save; the revisions page shows the diff of two chosen
 * revisions; restoring one brings its text back.  Every page must show
 * no console error, failed request or CSP violation.  Run by
 * t/5022-browser-revisions.t, which makes the user (T22_AUTHOR,
 * password T22_PASSWORD) and cleans up after.
 */
import {
	BASE, browserTest, clean, is, like, newPage, ok, shot, visit,
} from '../lib/browser.mjs';

const env = process.env;
const SLUG = 't22-browser-revisions';

async function submit(page, locator) {
	// The editor's live preview finishes first: a request the
	// navigation cut off would count as a failed one.
	if (await page.locator('#preview').count() > 0)
		await page.locator('#preview:not([aria-busy])').waitFor({ state: 'attached' });
	const [res] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load' }),
		locator.click(),
	]);
	return res;
}

// Whether the page's beforeunload handler would ask before leaving.
function warns(page) {
	return page.evaluate(() => {
		const ev = new Event('beforeunload', { cancelable: true });
		window.dispatchEvent(ev);
		return ev.defaultPrevented;
	});
}

await browserTest(async () => {
	const page = await newPage();

	await visit(page, '/admin/login');
	await page.fill('#username', env.T22_AUTHOR);
	await page.fill('#password', env.T22_PASSWORD);
	await submit(page, page.locator('form.login button[type=submit]'));
	is(new URL(page.url()).pathname, '/admin/posts', 'signed in');

	await visit(page, '/admin/posts/new');
	await page.fill('#title', 'Revised in Chromium');
	await page.fill('#slug', SLUG);
	await page.fill('#body_md', 'Line one\nline two\n');
	ok(await warns(page), 'a new post typed in: leaving asks first');
	await page.check('input[name=status][value=published]');
	await submit(page, page.locator('form.edit button[type=submit]'));
	like(await page.locator('.notice').innerText(), /created/, 'the post is created');
	const editor = new URL(page.url()).pathname;
	ok(!(await warns(page)), 'after the save: leaving does not ask');

	// Typing: the autosave comes 5 s after the last key.
	await page.locator('#body_md').click();
	await page.keyboard.press('Control+A');
	await page.keyboard.type('Line one\nline 2, typed <b>later</b>');
	ok(await warns(page), 'typed in the editor: leaving asks first');
	await page.locator('#autosave-status').filter({ hasText: /Draft saved \d\d:\d\d/ })
	    .waitFor({ timeout: 15000 });
	like(await page.locator('#autosave-status').innerText(), /^Draft saved \d\d:\d\d$/,
	    'the status line says the draft was saved, with the time');
	is(await page.locator('#autosave-status').getAttribute('aria-live'), 'polite',
	    'the status line is announced politely');
	ok(await warns(page), 'an autosave is not a save: leaving still asks');
	await shot(page, 'autosaved');
	clean(page, 'autosaved');

	let res = await page.request.get(`${BASE}/api/v1/posts/${SLUG}/revisions`);
	is(res.status(), 200, 'the API lists the revisions with the session');
	const list = (await res.json()).revisions;
	is(list.map((r) => r.kind).join(','), 'autosave,save',
	    'an autosave on top of the save');
	res = await page.request.get(`${BASE}/api/v1/posts/${SLUG}/revisions/${list[0].id}`);
	like((await res.json()).revision.body_md, /typed <b>later<\/b>$/,
	    'the autosave holds what was typed');
	res = await page.request.get(`${BASE}/posts/${SLUG}`);
	ok(!(await res.text()).includes('typed'), 'the public page does not show it');

	// Saving it: a second save; then the diff of the two saves.
	await submit(page, page.locator('form.edit button[type=submit]'));
	like(await page.locator('.notice').innerText(), /Saved/, 'saved');
	await page.locator('a', { hasText: 'Revisions' }).click();
	await page.waitForLoadState('load');
	is(new URL(page.url()).pathname, `${editor}/revisions`, 'the revisions page');
	const rows = page.locator('table.revisions tbody tr');
	is(await rows.count(), 2, 'two revisions (the autosave gave way to the save)');
	await rows.nth(1).locator('input[name=from]').check();
	await rows.nth(0).locator('input[name=to]').check();
	await submit(page, page.getByRole('button', { name: 'Compare' }));
	is(await page.locator('table.diff-lines ins').first().innerText(),
	    'line 2, typed <b>later</b>', 'the diff shows the added line, as text');
	is(await page.locator('table.diff-lines del').first().innerText(), 'line two',
	    'and the removed one');
	is(await page.locator('table.diff-lines b').count(), 0, 'no markup from the text');
	await shot(page, 'diff');
	clean(page, 'diff');

	// Restoring the first save.
	await submit(page, rows.nth(1).getByRole('button', { name: /Restore/ }));
	is(new URL(page.url()).pathname, editor, 'back in the editor');
	like(await page.locator('.notice').innerText(), /restored/, 'it says the revision was restored');
	like(await page.locator('#body_md').inputValue(), /^Line one\r?\nline two\r?\n?$/,
	    'the editor has the old text');
	res = await page.request.get(`${BASE}/api/v1/posts/${SLUG}/revisions`);
	is((await res.json()).revisions.map((r) => r.kind).join(','), 'restore,save,save',
	    'the restore is a new revision; the history stays');
	res = await visit(page, `/posts/${SLUG}`);
	ok(!(await page.locator('main').innerText()).includes('typed'),
	    'the public page has the restored text');
	await shot(page, 'restored');
	clean(page, 'restored');
}, { timeout: 120 });
