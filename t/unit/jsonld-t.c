/* SPDX-License-Identifier: MIT */
/*
 * jsonld-t.c: escape_script_json(), the escaper of the JSON-LD inside
 * <script type="application/ld+json">, with hostile titles: nothing may
 * end the element, and the JSON must parse back to the same value.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/escape.h"
#include "tap.h"

static const char *
esc(struct arena *a, const char *s, size_t n)
{
	struct buf	 b;

	buf_init(&b, a, 16);
	escape_script_json(&b, s, n);
	return b.p;
}

#define ESC(s)	esc(a, s, strlen(s))

/*
 * Serialises {"headline": title} as page_jsonld() does, escapes it, and
 * checks the result: no '<', '>', '&' or raw U+2028/9 left, and the
 * JSON parses back to title.
 */
static void
round_trip(struct arena *a, const char *title, const char *name)
{
	struct json_object *o = json_object_new_object(), *back, *v;
	const char	*s, *e;
	size_t		 n;

	json_object_object_add(o, "headline", json_object_new_string(title));
	s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	e = esc(a, s, n);
	ok(strpbrk(e, "<>&") == NULL, "%s: no < > & left", name);
	ok(strstr(e, "\xe2\x80\xa8") == NULL && strstr(e, "\xe2\x80\xa9") ==
	    NULL, "%s: no raw U+2028/U+2029 left", name);
	back = json_tokener_parse(e);
	ok(back != NULL && json_object_object_get_ex(back, "headline", &v) &&
	    strcmp(json_object_get_string(v), title) == 0,
	    "%s: parses back to the same title", name);
	json_object_put(back);
	json_object_put(o);
}

int
main(void)
{
	struct arena	*a = arena_new(4096);

	plan_lazy();
	is_string("", ESC(""), "empty");
	is_string("{\"a\":\"b\"}", ESC("{\"a\":\"b\"}"), "nothing to escape");
	is_string("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
	    "\\u003c/script\\u003e",
	    ESC("</script><script>alert(1)</script>"), "a closing script tag");
	is_string("\\u003c!--", ESC("<!--"), "a comment opener");
	is_string("a \\u0026amp; b", ESC("a &amp; b"), "ampersand");
	is_string("x\\u2028y\\u2029z", ESC("x\xe2\x80\xa8y\xe2\x80\xa9z"),
	    "U+2028 and U+2029");
	is_string("\xe2\x80\xaa\xe2\x80\x94", ESC("\xe2\x80\xaa\xe2\x80\x94"),
	    "their neighbours (U+202A, an em dash) pass through");
	is_string("caf\xc3\xa9 \xe2\x80", ESC("caf\xc3\xa9 \xe2\x80"),
	    "a truncated sequence at the end passes through");
	is_string("\xe2", ESC("\xe2"), "a lone lead byte at the end");
	/* Embedded NUL: the length, not the terminator, bounds the input. */
	{
		struct buf	 b;

		buf_init(&b, a, 16);
		escape_script_json(&b, "a\0<", 3);
		ok(b.n == 8 && memcmp(b.p, "a\0\\u003c", 8) == 0,
		    "bytes past a NUL are escaped too");
	}

	round_trip(a, "</script><script>alert(1)</script>", "script breakout");
	round_trip(a, "<!-- <script> -->", "comment");
	round_trip(a, "Tom & Jerry's \"<b>\"", "quotes and markup");
	round_trip(a, "line\xe2\x80\xa8sep\xe2\x80\xa9para", "separators");
	round_trip(a, "\\u003c already escaped </SCRIPT >", "backslashes");

	arena_free(a);
	return done_testing();
}
