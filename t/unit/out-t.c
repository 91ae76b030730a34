/* SPDX-License-Identifier: MIT */
/* out-t.c: escapers and header safety, with hostile strings. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/escape.h"
#include "http/out.h"
#include "http/req.h"
#include "tap.h"

static const char *
esc(struct arena *a, void (*fn)(struct buf *, const char *, size_t),
    const char *s, size_t n)
{
	struct buf	 b;

	buf_init(&b, a, 16);
	fn(&b, s, n);
	return b.p;
}

#define ESC(fn, s)	esc(a, fn, s, strlen(s))

/* out_json(v) is json-c's own text of v and a newline. */
static void
json_same(struct arena *a, struct json_object *v, const char *what)
{
	struct req	 r;
	const char	*want;

	memset(&r, 0, sizeof(r));
	r.a = a;
	buf_init(&r.resp.body, a, 16);
	want = arena_printf(a, "%s\n", json_object_to_json_string_ext(v,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	out_json(&r, v);
	is_string(want, r.resp.body.p, "%s", what);
	json_object_put(v);
}

/* out_json writes what json-c would, byte for byte (an ETag hashes it). */
static void
json_agrees(struct arena *a)
{
	struct json_object *o, *arr, *in;
	char		 all[256];

	for (int i = 0; i < 256; i++)
		all[i] = (char)(255 - i);
	json_same(a, json_object_new_string_len(all, 256),
	    "json: every byte in a string");
	json_same(a, json_object_new_string("a/b \"q\" \\ \u00e9\x7f"),
	    "json: slash, quotes, backslash, UTF-8, DEL");
	json_same(a, json_object_new_string(""), "json: empty string");
	json_same(a, json_object_new_int64(INT64_MIN), "json: INT64_MIN");
	json_same(a, json_object_new_int64(INT64_MAX), "json: INT64_MAX");
	json_same(a, json_object_new_uint64(UINT64_MAX), "json: UINT64_MAX");
	json_same(a, json_object_new_int(0), "json: zero");
	json_same(a, json_object_new_double(1.5), "json: a double");
	json_same(a, json_object_new_object(), "json: empty object");
	json_same(a, json_object_new_array(), "json: empty array");
	o = json_object_new_object();
	json_object_object_add(o, "k\n\"ey", json_object_new_boolean(1));
	json_object_object_add(o, "f", json_object_new_boolean(0));
	json_object_object_add(o, "n", NULL);
	arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_int(-42));
	json_object_array_add(arr, NULL);
	json_object_array_add(arr, json_object_new_string("x\ty"));
	in = json_object_new_object();
	json_object_object_add(in, "deep", json_object_new_array());
	json_object_array_add(arr, in);
	json_object_object_add(o, "list", arr);
	json_same(a, o, "json: nested objects and arrays, keys escaped");
	json_same(a, json_tokener_parse("{\"d\":1.10,\"e\":2e3,"
	    "\"i\":-7,\"s\":\"\\u0001\"}"),
	    "json: parsed numbers keep their text");
}

int
main(void)
{
	struct arena	*a = arena_new(4096);
	struct req	 r;
	struct buf	 head;

	plan_lazy();
	is_string("", ESC(escape_html, ""), "html: empty");
	is_string("plain text", ESC(escape_html, "plain text"),
	    "html: nothing to escape");
	is_string("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
	    ESC(escape_html, "<script>alert('x')</script>"),
	    "html: script tag");
	is_string("&quot; onmouseover=&quot;x", ESC(escape_html,
	    "\" onmouseover=\"x"), "html: attribute breakout");
	is_string("a &amp;amp; b", ESC(escape_html, "a &amp; b"),
	    "html: ampersand escaped even before an entity");
	is_string("caf\xc3\xa9", ESC(escape_html, "caf\xc3\xa9"),
	    "html: UTF-8 passes through");
	is_string("&lt;&lt;&lt;", ESC(escape_html, "<<<"),
	    "html: runs of specials");

	is_string("a&amp;b&lt;c&gt;&quot;&apos;", ESC(escape_xml,
	    "a&b<c>\"'"), "xml: the five entities");
	is_string("ab\tc\nd", ESC(escape_xml, "a\x01" "b\tc\nd\x1f"),
	    "xml: C0 controls dropped, tab and newline kept");

	is_string("a%20b%2Fc%3F%26%3D~-._", ESC(escape_url, "a b/c?&=~-._"),
	    "url: reserved encoded, unreserved kept");
	is_string("%C3%A9%00", esc(a, escape_url, "\xc3\xa9\0", 3),
	    "url: UTF-8 and NUL encoded");

	ok(out_header_ok("fine value"), "header: plain value ok");
	ok(!out_header_ok("x\r\nSet-Cookie: evil=1"), "header: CRLF refused");
	ok(!out_header_ok("x\nb"), "header: LF refused");
	ok(!out_header_ok("x\rb"), "header: CR refused");

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.resp.status = 200;
	strcpy(r.id, "0123456789abcdef0123456789abcdef");
	buf_init(&r.resp.body, a, 64);
	is_int(-1, out_header(&r, "X-Evil", "a\r\nb"), "out_header refuses CRLF");
	is_int(-1, out_header(&r, "X-Ev:il", "a"), "out_header refuses ':' in name");
	is_int(0, out_header(&r, "X-Ok", "yes"), "out_header accepts a clean one");
	for (int i = 0; i < REQ_MAXHDRS + 3; i++)
		out_header(&r, "X-Many", "1");
	is_int(REQ_MAXHDRS, (int64_t)r.resp.nhdrs, "header table is bounded");
	out_ctype(&r, "text/plain");
	out_html(&r, "<b>");
	buf_init(&head, a, 16);
	out_head(&r, &head);
	ok(strncmp(head.p, "Status: 200 OK\r\n", 16) == 0, "head: status line");
	ok(strstr(head.p, "Content-Length: 9\r\n") != NULL,
	    "head: length of the escaped body");
	ok(strstr(head.p, "X-Content-Type-Options: nosniff\r\n") != NULL,
	    "head: nosniff always");
	ok(strstr(head.p, "\r\nX-Evil") == NULL, "head: refused header absent");
	ok(head.n >= 4 && strcmp(head.p + head.n - 4, "\r\n\r\n") == 0,
	    "head: ends with a blank line");
	r.resp.status = 304;
	buf_init(&head, a, 16);
	out_head(&r, &head);
	ok(strstr(head.p, "\r\nContent-Length:") == NULL &&
	    strstr(head.p, "\r\nContent-Type:") == NULL, "304: no body headers");
	is_string("Not Found", out_reason(404), "reason 404");
	is_string("Request Header Fields Too Large", out_reason(431),
	    "reason 431");
	json_agrees(a);
	arena_free(a);
	return done_testing();
}
