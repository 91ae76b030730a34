// SPDX-License-Identifier: MIT
// admin.js: the little the admin pages do with JavaScript. Everything
// else works without it: a Markdown preview on the post form, autosave
// of the post being edited (a revision that readers never see), a
// warning before leaving it with unsaved changes, and image upload on
// the media page (PUT /api/v1/media/{name} with the session's CSRF
// token).
"use strict";

function csrfOf(form) {
	const f = form && form.querySelector("input[name=csrf]");
	return f ? f.value : (form && form.dataset.csrf) || "";
}

function setupPreview() {
	const area = document.querySelector("textarea[data-preview]");
	if (!area) return;
	const out = document.getElementById(area.dataset.preview);
	const button = document.createElement("button");
	button.type = "button";
	button.textContent = "Preview";
	button.className = "preview-button";
	area.insertAdjacentElement("afterend", button);
	button.addEventListener("click", async () => {
		const body = new URLSearchParams();
		body.set("csrf", csrfOf(area.form));
		body.set("body_md", area.value);
		button.disabled = true;
		try {
			const res = await fetch("/admin/preview", {
				method: "POST", body, credentials: "same-origin",
			});
			if (!res.ok) throw new Error("the preview failed (" + res.status + ")");
			// The server's Markdown renderer escapes raw HTML: this is
			// the same HTML readers will get.
			out.innerHTML = await res.text();
			out.hidden = false;
		} catch (e) {
			out.textContent = String(e.message || e);
			out.hidden = false;
		} finally {
			button.disabled = false;
		}
	});
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
		status.textContent = "Uploading…";
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

document.addEventListener("DOMContentLoaded", () => {
	setupPreview();
	setupEditor();
	setupUpload();
});
