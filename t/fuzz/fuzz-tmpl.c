/* SPDX-License-Identifier: MIT */
/*
 * fuzz-tmpl.c: libFuzzer target for the template compiler and renderer.
 *
 * The input is compiled as page "page", strict and not, next to a few
 * fixed partials (a recursive one, a parent with blocks); what compiles is
 * rendered against a fixed view of hostile values.  The input is never a
 * partial itself, and the render budget is lowered, so one input cannot
 * run for long however it recurses.  A copy with the high bit cleared
 * runs too, so invalid UTF-8 does not hide the compiler behind the
 * encoding check.  Invariants: failures say "page:LINE: reason", and a
 * set that compiled renders or fails cleanly.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "tmpl/tmpl.h"
#include "tmpl/tmpl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char VIEW[] =
    "{\"title\":\"<script>alert('x')</script>\",\"n\":-42,\"d\":1.21,"
    "\"t\":true,\"f\":false,\"z\":null,\"e\":\"\",\"zero\":0,"
    "\"body_html\":\"<p>ok</p>\",\"a\":{\"b\":{\"c\":\"abc\"}},"
    "\"list\":[\"x\",\"\\\"y\\\"\",3],\"empty\":[],\"one\":[{\"n\":1}],"
    "\"which\":\"p\",\"bad\":\"\\u0001\\u00ff\",\"tree\":{\"name\":\"r\","
    "\"kids\":[{\"name\":\"k\",\"kids\":[]}]},\"which2\":\"nope\"}";

static const char *const PARTIALS[][2] = {
	{ "p", "[{{title}}|{{{body_html}}}]\n" },
	{ "node", "{{name}}<{{#kids}}\n  {{>node}}\n{{/kids}}>" },
	{ "self", "{{>self}}" },
	{ "base", "<{{$head}}H{{/head}}>\n  {{$body}}\n  B\n  {{/body}}\n" },
};

/* An error must read "page:LINE: reason". */
static void
check_err(const char *err)
{
	const char	*p = err + 5;

	if (strncmp(err, "page:", 5) != 0 || *p < '0' || *p > '9')
		abort();
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] != ':' || p[1] != ' ' || p[2] == '\0')
		abort();
}

static void
one(const char *text, size_t len, int flags, struct json_object *view,
    struct arena *a)
{
	struct tmpl_set	*set = tmpl_new(flags);
	struct buf	 b;
	char		 err[512];
	enum tmpl_escape esc = (flags & TMPL_STRICT) ? TMPL_ESC_XML :
	    TMPL_ESC_HTML;

	set->max_steps = 100000;
	set->max_output = 1 << 20;
	for (size_t i = 0; i < sizeof(PARTIALS) / sizeof(PARTIALS[0]); i++)
		if (tmpl_add(set, PARTIALS[i][0], true, TMPL_ESC_HTML,
		    PARTIALS[i][1], strlen(PARTIALS[i][1]), err,
		    sizeof(err)) != 0)
			abort();
	err[0] = '\0';
	if (tmpl_add(set, "page", false, esc, text, len, err,
	    sizeof(err)) != 0) {
		check_err(err);
		goto out;
	}
	if (tmpl_link(set, err, sizeof(err)) != 0) {
		if (!(flags & TMPL_STRICT))
			abort();	/* only strict links can fail */
		check_err(err);
		goto out;
	}
	if (!tmpl_has(set, "page"))
		abort();
	buf_init(&b, a, 256);
	(void)tmpl_render(set, "page", view, &b);
	if (b.p[b.n] != '\0')
		abort();
	arena_reset(a);
out:
	tmpl_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_object *view;
	static struct arena *a;
	char		*ascii;
	bool		 high = false;

	if (view == NULL) {
		view = json_tokener_parse(VIEW);
		a = arena_new(64 * 1024);
		if (view == NULL)
			abort();
	}
	one((const char *)data, size, 0, view, a);
	one((const char *)data, size, TMPL_STRICT, view, a);
	ascii = malloc(size + 1);
	for (size_t i = 0; i < size; i++) {
		ascii[i] = (char)(data[i] & 0x7f);
		high |= data[i] >= 0x80;
	}
	if (high)
		one(ascii, size, 0, view, a);
	free(ascii);
	return 0;
}
