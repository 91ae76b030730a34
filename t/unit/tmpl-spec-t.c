/* SPDX-License-Identifier: MIT */
/*
 * tmpl-spec-t.c: runs every case of the Mustache spec suite through the
 * template engine.
 *
 * The suite lives in shared/conformance/mustache-spec/, found through
 * $INKWELL_SHARED or else $INKWELL_SRC/../shared (a fresh clone keeps
 * shared/ beside the repository); without it the test skips.  Each case
 * becomes a fresh set: its partials, the template as "spec", a link and a
 * render of its data, compared with its expected text.  The optional
 * ("~") files run too, but a failure there is a TAP TODO so it does not
 * fail the run; one diagnostic line per file gives the pass count.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "tap.h"
#include "tmpl/tmpl.h"

static const struct {
	const char	*file;
	bool		 optional;
} files[] = {
	{ "comments.json", false },
	{ "delimiters.json", false },
	{ "interpolation.json", false },
	{ "inverted.json", false },
	{ "partials.json", false },
	{ "sections.json", false },
	{ "~dynamic-names.json", true },
	{ "~inheritance.json", true },
};

/* Like ok(), but a failure is a TODO: reported, never counted. */
static void
todo_ok(bool pass, const char *file, const char *name)
{
	if (pass) {
		ok(true, "%s: %s", file, name);
		return;
	}
	tap_run++;
	printf("not ok %d - %s: %s # TODO optional\n", tap_run, file, name);
	fflush(stdout);
}

static const char *
spec_dir(char *buf, size_t len)
{
	const char	*shared = getenv("INKWELL_SHARED");
	const char	*src = getenv("INKWELL_SRC");
	struct stat	 st;

	if (shared != NULL && *shared != '\0')
		snprintf(buf, len, "%s/conformance/mustache-spec", shared);
	else if (src != NULL && *src != '\0')
		snprintf(buf, len, "%s/../shared/conformance/mustache-spec",
		    src);
	else
		return NULL;
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

/*
 * Runs one case: the rendered text (in a), or NULL with the reason in
 * why.  *expected is the text the case wants.
 */
static const char *
run_case(struct arena *a, struct json_object *tc, const char **expected,
    char *why, size_t whylen)
{
	struct json_object *tpl, *data = NULL, *partials, *exp;
	struct tmpl_set	*set = tmpl_new(0);
	struct buf	 b;
	char		 err[512];
	const char	*out = NULL;

	*expected = "";
	if (!json_object_object_get_ex(tc, "template", &tpl) ||
	    !json_object_object_get_ex(tc, "expected", &exp)) {
		snprintf(why, whylen, "case lacks template or expected");
		goto done;
	}
	*expected = json_object_get_string(exp);
	json_object_object_get_ex(tc, "data", &data);
	if (json_object_object_get_ex(tc, "partials", &partials)) {
		json_object_object_foreach(partials, pname, ptext) {
			if (tmpl_add(set, pname, true, TMPL_ESC_HTML,
			    json_object_get_string(ptext),
			    (size_t)json_object_get_string_len(ptext), err,
			    sizeof(err)) != 0) {
				snprintf(why, whylen, "partial: %s", err);
				goto done;
			}
		}
	}
	if (tmpl_add(set, "spec", false, TMPL_ESC_HTML,
	    json_object_get_string(tpl),
	    (size_t)json_object_get_string_len(tpl), err, sizeof(err)) != 0 ||
	    tmpl_link(set, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "%s", err);
		goto done;
	}
	buf_init(&b, a, 256);
	if (tmpl_render(set, "spec", data, &b) != 0)
		snprintf(why, whylen, "render failed");
	else
		out = b.p;
done:
	tmpl_free(set);
	return out;
}

int
main(void)
{
	struct arena	*a = arena_new(64 * 1024);
	char		 dir[4096], path[4200], why[4096];
	struct json_object *doc, *tests, *tc, *name;
	size_t		 ntests, npass;

	if (spec_dir(dir, sizeof(dir)) == NULL)
		skip_all("no mustache-spec: set INKWELL_SHARED (the shared/ "
		    "directory) or INKWELL_SRC");
	plan_lazy();
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[f].file);
		doc = json_object_from_file(path);
		if (doc == NULL ||
		    !json_object_object_get_ex(doc, "tests", &tests) ||
		    !json_object_is_type(tests, json_type_array)) {
			if (files[f].optional)
				todo_ok(false, files[f].file, "readable");
			else
				ok(false, "%s: readable", files[f].file);
			json_object_put(doc);
			continue;
		}
		ntests = json_object_array_length(tests);
		npass = 0;
		for (size_t i = 0; i < ntests; i++) {
			const char *tname, *seen, *want;
			bool pass;

			tc = json_object_array_get_idx(tests, i);
			tname = json_object_object_get_ex(tc, "name", &name) ?
			    json_object_get_string(name) : "(unnamed)";
			why[0] = '\0';
			seen = run_case(a, tc, &want, why, sizeof(why));
			pass = seen != NULL && strcmp(seen, want) == 0;
			npass += pass;
			if (!files[f].optional)
				is_string(want, seen, "%s: %s", files[f].file,
				    tname);
			else {
				todo_ok(pass, files[f].file, tname);
				if (!pass && seen != NULL)
					diag("expected '%s', seen '%s'", want,
					    seen);
			}
			if (why[0] != '\0')
				diag("%s", why);
			arena_reset(a);
		}
		diag("%s: %zu/%zu passed", files[f].file, npass, ntests);
		json_object_put(doc);
	}
	arena_free(a);
	return done_testing();
}
