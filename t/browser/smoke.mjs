// SPDX-License-Identifier: MIT
/*
 * t/browser/smoke.mjs: a reader's pages in a real browser, through nginx:
 * the home page, the first post it links to, and a search made with the
 * header's search form. Each answers 200 with nginx's
 * Content-Security-Policy, loads its stylesheet, and shows no console
 * error, failed request or CSP violation; each is kept as a screenshot.
 * Run by t/5090-browser-smoke.t, which imports the demo posts first.
 */
import {
	browserTest, clean, is, like, newPage, ok, shot, visit,
} from '../lib/browser.mjs';

// What nginx/inkwell.conf sends; a page without it would prove nothing.
const CSP = /default-src 'self'/;

// Checks the page now shown, as answered by res.
async function looks(page, res, name) {
	is(res.status(), 200, `${name}: 200`);
	like(res.headers()['content-security-policy'] || '(none)', CSP,
	    `${name}: with nginx's Content-Security-Policy`);
	ok(await page.evaluate(() => [...document.styleSheets].some((s) =>
	    s.href !== null && s.href.endsWith('/static/style.css') &&
	    s.cssRules.length > 0)), `${name}: the stylesheet is applied`);
	await shot(page, name);
	clean(page, name);
}

await browserTest(async () => {
	const page = await newPage();

	await looks(page, await visit(page, '/'), 'home');
	const post = await page.locator('main a[href^="/posts/"]').first()
	    .getAttribute('href');
	like(post, /^\/posts\/[a-z0-9-]+$/, 'home links to a post');

	await looks(page, await visit(page, post), 'post');
	const title = (await page.locator('main h1').first().innerText()).trim();
	ok(title !== '', `post: has a heading (${title})`);

	// A word of the title, to find the post again.
	const word = (title.match(/[A-Za-z]{4,}/g) || [title])
	    .sort((a, b) => b.length - a.length)[0];
	const answer = page.waitForResponse((r) =>
	    r.request().isNavigationRequest() &&
	    new URL(r.url()).pathname === '/search');
	await page.locator('form.search input[name="q"]').fill(word);
	await page.keyboard.press('Enter');
	await page.waitForURL((u) => u.pathname === '/search',
	    { waitUntil: 'load' });
	const res = await answer;
	is(new URL(page.url()).searchParams.get('q'), word,
	    `search form: asks for "${word}"`);
	await looks(page, res, 'search');
	ok(await page.locator(`main a[href="${post}"]`).count() > 0,
	    `search: finds ${post}`);
});
