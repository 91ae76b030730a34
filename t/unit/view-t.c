/* SPDX-License-Identifier: MIT */
/* view-t.c: the trusted-HTML producers of the view: snippets and the gate. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "view/view.h"
#include "tap.h"

#define O	"\xee\x80\x80"
#define C	"\xee\x80\x81"

int
main(void)
{
	struct arena	*a = arena_new(4096);
	struct json_object *o;

	plan_lazy();
	is_string("a <mark>word</mark> here",
	    view_snippet_html(a, "a " O "word" C " here"), "marks become <mark>");
	is_string("&lt;script&gt;<mark>x</mark>&lt;/script&gt;",
	    view_snippet_html(a, "<script>" O "x" C "</script>"),
	    "text around marks is escaped");
	is_string("<mark>&lt;b&gt;</mark>", view_snippet_html(a, O "<b>" C),
	    "text inside marks is escaped");
	is_string("<mark>open</mark>", view_snippet_html(a, O "open"),
	    "an unclosed mark is closed");
	is_string("stray", view_snippet_html(a, C "stray"),
	    "a stray close marker is dropped");
	is_string("<mark>ab</mark>", view_snippet_html(a, O "a" O "b" C C),
	    "nested opens do not nest marks");
	is_string("&quot;&#39;&amp;", view_snippet_html(a, "\"'&"),
	    "quotes and ampersand escaped");
	is_string("\xee\x80\x82 kept", view_snippet_html(a, "\xee\x80\x82 kept"),
	    "other characters of the block pass through");
	is_string("cut \xee\x80", view_snippet_html(a, "cut \xee\x80"),
	    "a truncated sequence at the end does not overrun");
	is_string("", view_snippet_html(a, ""), "empty");

	o = json_object_new_object();
	view_set_html(o, "body_html", "<p>x</p>");
	is_string("<p>x</p>", json_object_get_string(json_object_object_get(o,
	    "body_html")), "view_set_html stores under an _html key");
	json_object_put(o);
	arena_free(a);
	return done_testing();
}
