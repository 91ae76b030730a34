// SPDX-License-Identifier: MIT
// admin.js: the little the admin pages do with JavaScript. Everything
// else works without it: on the post form a live Markdown preview, a
// word count, pictures pasted or dropped into the text (uploaded after
// asking for their alt text), keyboard shortcuts, autosave of the post
// being edited (a revision that readers never see) and a warning before
// leaving it with unsaved changes; image upload on the media page (PUT
// /api/v1/media/{name} with the session's CSRF token).
"use strict";

function csrfOf(form) {
	const f = form && form.querySelector("input[name=csrf]");
	return f ? f.value : (form && form.dataset.csrf) || "";
}

// How long after the last keystroke the preview is asked for.
const PREVIEW_DELAY_MS = 350;
// Words a reader reads in a minute, for the reading time.
const WORDS_PER_MINUTE = 220;

// The words of a Markdown text, as a reader would count them: the
// addresses of links and pictures and the markup around them are no
// words; the alt text and link texts are.
function countWords(md) {
	const text = md
		.replace(/\]\([^)\s]*(?:\s+"[^"]*")?\)/g, "] ")	// (url "title")
		.replace(/^\s{0,3}\[[^\]]+\]:\s*\S+.*$/gm, " ")	// [ref]: url
		.replace(/<[^>\n]*>/g, " ");			// <https://autolinks>
	const words = text.match(/[\p{L}\p{N}]+(?:['\u2019.\-][\p{L}\p{N}]+)*/gu);
	return words ? words.length : 0;
}

function wordsText(n) {
	const minutes = Math.ceil(n / WORDS_PER_MINUTE);
	return (n === 1 ? "1 word" : n + " words") + " \u00b7 " +
	    (n === 0 ? "nothing to read yet" :
	    minutes <= 1 ? "about 1 minute to read" :
	    "about " + minutes + " minutes to read");
}

// Is this a Mac, where shortcuts use Cmd rather than Ctrl?
function onMac() {
	const p = (navigator.userAgentData && navigator.userAgentData.platform) ||
	    navigator.platform || "";
	return /mac|iphone|ipad/i.test(p);
}

// The pictures of rendered HTML with no alt text, as the server's
// check counts them (src/content/imgalt.c): no alt, or a blank one.
function missingAlt(root) {
	let n = 0;
	for (const img of root.querySelectorAll("img"))
		if (!img.hasAttribute("alt") || img.getAttribute("alt").trim() === "")
			n++;
	return n;
}

function altWarningText(n) {
	return n === 1 ?
	    "1 picture has no alt text: describe it between the brackets, ![like this](/media/name.png). Publishing will ask first." :
	    n + " pictures have no alt text: describe each between the brackets, ![like this](/media/name.png). Publishing will ask first.";
}

// The editor's Markdown text area: a live preview rendered by the
// server's own renderer (POST /admin/preview), side by side with the
// text on a wide screen; a word count and reading time; pictures pasted
// or dropped in (or chosen with a button) are uploaded after asking for
// their alt text; Ctrl/Cmd+S saves, Alt+Shift+P shows or hides the
// preview.
function setupPreview() {
	const area = document.querySelector("textarea[data-preview]");
	if (!area) return;
	const form = area.form;
	const out = document.getElementById(area.dataset.preview);
	const pane = document.getElementById("preview-pane");
	const editor = document.getElementById("editor");
	const head = editor.querySelector(".editor-head");
	const mac = onMac();

	// The tools above the text: insert an image, show or hide the
	// preview.
	const tools = document.createElement("div");
	tools.className = "editor-tools";
	const imageButton = document.createElement("button");
	imageButton.type = "button";
	imageButton.className = "image-button";
	imageButton.textContent = "Insert image\u2026";
	const fileInput = document.createElement("input");
	fileInput.type = "file";
	fileInput.id = "image-file";
	fileInput.accept = "image/png,image/jpeg,image/gif,image/webp,image/avif";
	fileInput.hidden = true;
	const toggle = document.createElement("button");
	toggle.type = "button";
	toggle.className = "preview-button";
	toggle.setAttribute("aria-controls", "preview-pane");
	toggle.setAttribute("aria-keyshortcuts", "Alt+Shift+P");
	toggle.textContent = "Preview";
	tools.append(imageButton, fileInput, toggle);
	head.append(tools);

	// Under the text: the word count, the live alt warning, the state
	// of an upload, and the shortcuts.
	const status = document.createElement("div");
	status.className = "editor-status";
	const count = document.createElement("p");
	count.id = "word-count";
	count.className = "word-count";
	const altLive = document.createElement("p");
	altLive.id = "alt-live";
	altLive.className = "field-warning alt-live";
	altLive.setAttribute("role", "status");
	altLive.hidden = true;
	const upload = document.createElement("div");
	upload.id = "image-status";
	upload.className = "image-status";
	upload.setAttribute("role", "status");
	const progress = document.createElement("progress");
	progress.max = 100;
	progress.hidden = true;
	progress.id = "image-progress";
	progress.setAttribute("aria-label", "Upload");
	const uploadText = document.createElement("span");
	upload.append(uploadText, progress);
	const uploadError = document.createElement("p");
	uploadError.id = "image-error";
	uploadError.className = "field-error";
	uploadError.setAttribute("role", "alert");
	uploadError.hidden = true;
	const keys = document.createElement("p");
	keys.className = "shortcuts muted";
	const mod = mac ? "\u2318" : "Ctrl";
	for (const [k, what] of [[mod + "+S", "saves"],
	    [(mac ? "\u2325" : "Alt") + "+Shift+P", "shows or hides the preview"],
	    ["", "paste or drop a picture into the text to upload it"]]) {
		const span = document.createElement("span");
		if (k) {
			const kbd = document.createElement("kbd");
			kbd.textContent = k;
			span.append(kbd, " " + what);
		} else {
			span.append(what);
		}
		keys.append(span);
	}
	status.append(count, altLive, upload, uploadError, keys);
	area.insertAdjacentElement("afterend", status);
	area.setAttribute("aria-keyshortcuts", "Control+S Meta+S Alt+Shift+P");

	// --- the preview ---------------------------------------------------
	// Each request is numbered; an answer older than the newest shown
	// is dropped, so a slow answer never replaces a newer one.
	// The preview is aria-busy from a keystroke until the answer to the
	// last request is in (tests wait for that before they go on).
	let asked = 0, shown = 0, timer = 0, pending = 0, lastSent = null;
	function idle() {
		if (pending === 0 && !timer) out.removeAttribute("aria-busy");
	}
	async function refresh() {
		timer = 0;
		const md = area.value;
		if (md === lastSent) {
			idle();
			return;
		}
		lastSent = md;
		const n = ++asked;
		const body = new URLSearchParams();
		body.set("csrf", csrfOf(form));
		body.set("body_md", md);
		out.setAttribute("aria-busy", "true");
		pending++;
		try {
			const res = await fetch("/admin/preview", {
				method: "POST", body, credentials: "same-origin",
			});
			const html = await res.text();
			if (n < shown) return;
			shown = n;
			if (!res.ok) throw new Error("the preview failed (" + res.status + " " + res.statusText + ")");
			// The server's Markdown renderer escapes raw HTML: this is
			// the same HTML readers will get.
			out.innerHTML = html;
			const missing = missingAlt(out);
			altLive.hidden = missing === 0;
			altLive.textContent = missing ? altWarningText(missing) : "";
		} catch (e) {
			if (n < shown) return;
			shown = n;
			lastSent = null;
			const p = document.createElement("p");
			p.className = "field-error";
			p.textContent = String(e.message || e);
			out.replaceChildren(p);
		} finally {
			pending--;
			idle();
		}
	}
	function later() {
		if (timer) clearTimeout(timer);
		out.setAttribute("aria-busy", "true");
		timer = setTimeout(refresh, PREVIEW_DELAY_MS);
	}
	// Leaving for the save: no new request to be cut off.
	form.addEventListener("submit", () => {
		if (timer) clearTimeout(timer);
		timer = 0;
	});

	function showPreview(on) {
		pane.hidden = !on;
		editor.classList.toggle("with-preview", on);
		toggle.setAttribute("aria-expanded", String(on));
		toggle.textContent = on ? "Hide preview" : "Show preview";
		try { localStorage.setItem("inkwell.preview", on ? "on" : "off"); } catch (e) { /* private mode */ }
	}
	let stored = null;
	try { stored = localStorage.getItem("inkwell.preview"); } catch (e) { /* private mode */ }
	showPreview(stored !== "off");
	toggle.addEventListener("click", () => showPreview(pane.hidden));

	function words() {
		count.textContent = wordsText(countWords(area.value));
	}
	area.addEventListener("input", () => { words(); later(); });
	words();
	// The page comes with the text rendered (the stored HTML, or the
	// typed text after a refused save): no request until it changes.
	if (out.firstChild !== null || area.value === "") {
		lastSent = area.value;
		const missing = missingAlt(out);
		altLive.hidden = missing === 0;
		altLive.textContent = missing ? altWarningText(missing) : "";
	} else {
		refresh();
	}

	// --- shortcuts -------------------------------------------------------
	document.addEventListener("keydown", (ev) => {
		const k = ev.key.toLowerCase();
		if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && k === "s") {
			ev.preventDefault();
			if (document.querySelector("dialog[open]")) return;
			form.requestSubmit();
		} else if (ev.altKey && ev.shiftKey && !ev.ctrlKey && !ev.metaKey && ev.code === "KeyP") {
			ev.preventDefault();
			showPreview(pane.hidden);
		}
	});

	// --- pictures ----------------------------------------------------------
	const dialog = document.getElementById("image-dialog");
	const dform = document.getElementById("image-form");
	const altField = document.getElementById("image-alt");
	const nameField = document.getElementById("image-name");
	const thumb = document.getElementById("image-thumb");
	const fileName = document.getElementById("image-file-name");
	let queue = Promise.resolve();

	// Asks for the alt text and name of file in the dialog; resolves
	// to {alt, name}, or null when the author cancels.
	function ask(file) {
		return new Promise((done) => {
			dform.reset();
			altField.value = "";
			nameField.value = mediaName(file);
			fileName.textContent = file.name || "pasted picture";
			thumb.hidden = true;
			thumb.removeAttribute("src");
			// A data: URL, as the CSP allows (img-src 'self' data:).
			if (file.size < 8 * 1024 * 1024) {
				const r = new FileReader();
				r.onload = () => { thumb.src = r.result; thumb.hidden = false; };
				r.readAsDataURL(file);
			}
			const finish = (v) => {
				dform.removeEventListener("submit", onSubmit);
				dialog.removeEventListener("close", onClose);
				document.getElementById("image-cancel").removeEventListener("click", onCancel);
				if (dialog.open) dialog.close();
				area.focus();
				done(v);
			};
			const onSubmit = (ev) => {
				ev.preventDefault();
				finish({ alt: altField.value.trim(), name: nameField.value.trim() });
			};
			const onClose = () => finish(null);
			const onCancel = () => finish(null);
			dform.addEventListener("submit", onSubmit);
			dialog.addEventListener("close", onClose);
			document.getElementById("image-cancel").addEventListener("click", onCancel);
			dialog.showModal();
			altField.focus();
		});
	}

	function putText(at, end, text) {
		area.setRangeText(text, at, end, "end");
		area.dispatchEvent(new Event("input", { bubbles: true }));
	}

	// One picture: ask, mark the place in the text, upload with
	// progress, then put the Markdown where the mark is.
	async function one(file, at, end) {
		uploadError.hidden = true;
		const got = await ask(file);
		if (got === null) return;
		// On an empty line the picture becomes a paragraph of its own
		// (blank lines around it); within a line it follows a space.
		const before = area.value.slice(0, at), after = area.value.slice(end);
		let lead = "", trail = "";
		if ((before === "" || before.endsWith("\n")) &&
		    (after === "" || after.startsWith("\n"))) {
			lead = before === "" || before.endsWith("\n\n") ? "" : "\n";
			trail = after === "" || after.startsWith("\n\n") ? "" : "\n";
		} else if (!/\s$/.test(before)) {
			lead = " ";
		}
		const mark = lead + "[Uploading " + got.name + "\u2026]" + trail;
		putText(at, end, mark);
		// The mark is replaced wherever it is now (the author may have
		// typed on); if it is gone, the picture goes at the cursor.
		const replace = (text) => {
			const i = area.value.indexOf(mark);
			if (i >= 0) putText(i, i + mark.length, text && lead + text + trail);
			else if (text) putText(area.selectionStart, area.selectionEnd, text);
		};
		uploadText.textContent = "Uploading " + got.name + "\u2026 ";
		progress.hidden = false;
		progress.value = 0;
		try {
			const url = await send(file, got.name, got.alt, (p) => { progress.value = p; });
			replace("![" + mdEscape(got.alt) + "](" + url + ")");
			uploadText.textContent = "Uploaded " + got.name + ".";
		} catch (e) {
			replace("");
			uploadText.textContent = "";
			uploadError.textContent = "The picture was not uploaded: " + String(e.message || e);
			uploadError.hidden = false;
		} finally {
			progress.hidden = true;
		}
	}

	function send(file, name, alt, onProgress) {
		return new Promise((done, fail) => {
			const x = new XMLHttpRequest();
			x.open("PUT", "/api/v1/media/" + encodeURIComponent(name) +
			    "?alt=" + encodeURIComponent(alt));
			x.setRequestHeader("X-CSRF-Token", csrfOf(form));
			x.setRequestHeader("Content-Type", file.type || "application/octet-stream");
			x.upload.onprogress = (ev) => {
				if (ev.lengthComputable) onProgress(Math.round(100 * ev.loaded / ev.total));
			};
			x.onload = () => {
				let j = null;
				try { j = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
				if (x.status >= 200 && x.status < 300) {
					onProgress(100);
					done((j && j.url) || "/media/" + encodeURIComponent(name));
				} else {
					fail(new Error((j && j.error && j.error.message) ||
					    (x.status === 413 ? "the file is larger than the server takes" :
					    x.status + " " + x.statusText)));
				}
			};
			x.onerror = () => fail(new Error("the connection failed"));
			x.send(file);
		});
	}

	// Each picture in turn, at the place the text's cursor was.
	function take(files) {
		const pics = [...files].filter((f) => /^image\//.test(f.type));
		if (pics.length === 0) {
			uploadError.textContent = "Only pictures (PNG, JPEG, GIF, WebP or AVIF) can be put in the text.";
			uploadError.hidden = false;
			return;
		}
		for (const f of pics) {
			queue = queue.then(() => one(f, area.selectionStart, area.selectionEnd));
		}
	}

	area.addEventListener("paste", (ev) => {
		const files = ev.clipboardData && ev.clipboardData.files;
		if (!files || files.length === 0) return;
		ev.preventDefault();
		take(files);
	});
	area.addEventListener("dragover", (ev) => {
		if (ev.dataTransfer && [...ev.dataTransfer.types].includes("Files")) {
			ev.preventDefault();
			area.classList.add("dropping");
		}
	});
	area.addEventListener("dragleave", () => area.classList.remove("dropping"));
	area.addEventListener("drop", (ev) => {
		area.classList.remove("dropping");
		const files = ev.dataTransfer && ev.dataTransfer.files;
		if (!files || files.length === 0) return;
		ev.preventDefault();
		take(files);
	});
	imageButton.addEventListener("click", () => fileInput.click());
	fileInput.addEventListener("change", () => {
		if (fileInput.files.length > 0) take(fileInput.files);
		fileInput.value = "";
	});
}

// The type's extension, for a name the server takes (media.c).
const EXTENSIONS = {
	"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
	"image/webp": "webp", "image/avif": "avif",
};

// A safe, unique media name from a file's name: lower-case letters,
// digits and '-', a stamp of time and chance, and the type's extension
// ("Photo of Ünï.JPG" -> "photo-of-uni-m1x2k3-7q.jpg").
function mediaName(file) {
	const dot = (file.name || "").lastIndexOf(".");
	const base = dot > 0 ? file.name.slice(0, dot) : (file.name || "");
	const ext = EXTENSIONS[file.type] ||
	    (dot > 0 ? file.name.slice(dot + 1).toLowerCase().replace(/[^a-z0-9]/g, "") : "") || "bin";
	const stem = base.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
		.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
		.slice(0, 60).replace(/-+$/, "") || "image";
	const r = new Uint32Array(1);
	crypto.getRandomValues(r);
	return stem + "-" + Date.now().toString(36) + "-" + (r[0] % 1296).toString(36).padStart(2, "0") + "." + ext;
}

// Alt text inside ![...]: brackets and backslashes escaped, one line.
function mdEscape(s) {
	return s.replace(/\s+/g, " ").replace(/[\\[\]]/g, "\\$&");
}

function setupUpload() {
	const form = document.getElementById("upload");
	if (!form) return;
	const status = document.getElementById("upload-status");
	form.addEventListener("submit", async (ev) => {
		ev.preventDefault();
		const file = form.querySelector("input[type=file]").files[0];
		if (!file) {
			status.textContent = "Choose a file first.";
			return;
		}
		const typed = form.querySelector("input[name=name]").value.trim();
		const name = typed || file.name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
		const alt = (form.querySelector("input[name=alt]") || { value: "" }).value.trim();
		const query = alt ? "?alt=" + encodeURIComponent(alt) : "";
		status.textContent = "Uploading\u2026";
		try {
			const res = await fetch("/api/v1/media/" + encodeURIComponent(name) + query, {
				method: "PUT", body: file, credentials: "same-origin",
				headers: { "X-CSRF-Token": form.dataset.csrf,
					"Content-Type": file.type || "application/octet-stream" },
			});
			if (res.ok) {
				// Read the answer through before leaving the page,
				// or the browser reports the request as aborted.
				await res.text();
				window.location.assign("/admin/media?done=uploaded");
				return;
			}
			let why = res.status + " " + res.statusText;
			try {
				const j = await res.json();
				if (j.error && j.error.message) why = j.error.message;
			} catch (e) { /* not JSON: keep the status */ }
			status.textContent = "Not uploaded: " + why;
		} catch (e) {
			status.textContent = "Not uploaded: " + String(e.message || e);
		}
	});
}

// How long after the last keystroke the editor autosaves.
const AUTOSAVE_DELAY_MS = 5000;

function twoDigits(n) {
	return String(n).padStart(2, "0");
}

// The form's fields as one string, to tell whether anything changed.
function formState(form) {
	const data = new FormData(form);
	data.delete("csrf");
	return new URLSearchParams(data).toString();
}

// The post form: with a data-autosave address (a post that exists), its
// title, summary and text are sent there 5 s after the last keystroke
// when they changed, as a revision readers never see; on any post form,
// leaving with changes not saved asks first.
function setupEditor() {
	const form = document.querySelector("form.edit");
	if (!form) return;
	const loaded = formState(form);
	let submitting = false;

	// Saving is leaving on purpose: no warning then.
	form.addEventListener("submit", () => { submitting = true; });
	window.addEventListener("beforeunload", (ev) => {
		if (submitting || formState(form) === loaded) return;
		ev.preventDefault();
		ev.returnValue = "";
	});
	if (!form.dataset.autosave) return;

	const status = document.getElementById("autosave-status");
	const fields = ["title", "summary", "body_md"];
	const text = () => fields.map((f) => form.elements[f] ? form.elements[f].value : "").join("\u0000");
	let sent = text();
	let timer = 0;

	async function autosave() {
		timer = 0;
		const now = text();
		if (now === sent || submitting) return;
		const body = new URLSearchParams();
		body.set("csrf", csrfOf(form));
		for (const f of fields)
			if (form.elements[f]) body.set(f, form.elements[f].value);
		try {
			const res = await fetch(form.dataset.autosave, {
				method: "POST", body, credentials: "same-origin",
			});
			await res.text();
			if (!res.ok) throw new Error(res.status + " " + res.statusText);
			sent = now;
			const t = new Date();
			status.textContent = "Draft saved " + twoDigits(t.getHours()) + ":" + twoDigits(t.getMinutes());
		} catch (e) {
			status.textContent = "Draft not saved: " + String(e.message || e);
		}
	}

	form.addEventListener("input", () => {
		if (timer) clearTimeout(timer);
		timer = setTimeout(autosave, AUTOSAVE_DELAY_MS);
	});
}

// The section of the admin bar the page belongs to is marked current.
function markSection() {
	const here = location.pathname;
	let best = null;
	for (const a of document.querySelectorAll(".admin-bar nav ul a")) {
		const p = new URL(a.href).pathname;
		if (p === "/" || !(here === p || here.startsWith(p + "/"))) continue;
		if (!best || p.length > new URL(best.href).pathname.length) best = a;
	}
	if (best) best.setAttribute("aria-current", "page");
}

document.addEventListener("DOMContentLoaded", () => {
	markSection();
	setupPreview();
	setupEditor();
	setupUpload();
});
