/* SPDX-License-Identifier: MIT */
/*
 * menu-t.c: the menu's rules on good and hostile labels and links
 * (schemes that run, hosts in disguise, control characters, lengths),
 * the menu as JSON (exact fields, item count, strict and lenient), and
 * that what menu_json writes parses back the same.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "content/menu.h"
#include "tap.h"

static const char *const good_urls[] = {
	"/", "/archive", "/pages/about", "/tags/news?page=2", "/posts/a#b",
	"http://example.org", "https://example.org/a?b=1&c=2",
	"HTTPS://Example.org/", "/caf\xc3\xa9",
};

static const char *const bad_urls[] = {
	"", "javascript:alert(1)", "JavaScript:alert(1)",
	" javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:x",
	"data:text/html,<script>alert(1)</script>", "vbscript:x",
	"//evil.example/", "/\\evil.example", "\\\\evil.example",
	"https://", "http:///path", "https://?x", "ftp://example.org/",
	"mailto:a@example.org", "about", "pages/about", "/a b", "/a\x7f",
	"/a\x01", "/\xff\xfe", "https:evil.example", "http:/x",
};

int
main(void)
{
	struct arena	*a = arena_new(4096);
	struct menu_item *items, two[2];
	const char	*why, *s;
	char		 longer[MENU_URL_MAX + 2], label[200];
	size_t		 n;

	plan_lazy();
	for (size_t i = 0; i < sizeof(good_urls) / sizeof(*good_urls); i++)
		ok(menu_url_problem(good_urls[i]) == NULL, "url ok: %s",
		    good_urls[i]);
	for (size_t i = 0; i < sizeof(bad_urls) / sizeof(*bad_urls); i++)
		ok(menu_url_problem(bad_urls[i]) != NULL, "url refused: "
		    "bad_urls[%zu]", i);
	ok(menu_url_problem(NULL) != NULL, "url refused: NULL");
	memset(longer, 'a', sizeof(longer));
	longer[0] = '/';
	longer[MENU_URL_MAX] = '\0';
	ok(menu_url_problem(longer) == NULL, "a link of 500 bytes");
	longer[MENU_URL_MAX] = 'a';
	longer[MENU_URL_MAX + 1] = '\0';
	ok(menu_url_problem(longer) != NULL, "a link of 501 bytes");

	ok(menu_label_problem("About") == NULL, "label ok");
	ok(menu_label_problem("\xc3\x80 propos <b> & \"q\"") == NULL,
	    "label with markup characters ok (escaped where shown)");
	ok(menu_label_problem("") != NULL, "empty label refused");
	ok(menu_label_problem("   ") != NULL, "label of spaces refused");
	ok(menu_label_problem("a\x07") != NULL, "bell in label refused");
	ok(menu_label_problem("a\nb") != NULL, "newline in label refused");
	ok(menu_label_problem("\xc3") != NULL, "bad UTF-8 label refused");
	memset(label, 'x', 60);
	label[60] = '\0';
	ok(menu_label_problem(label) == NULL, "label of 60 characters");
	label[60] = 'x';
	label[61] = '\0';
	ok(menu_label_problem(label) != NULL, "label of 61 refused");
	/* 60 characters of two bytes each is still 60. */
	for (int i = 0; i < 60; i++)
		memcpy(label + 2 * i, "\xc3\xa9", 2);
	label[120] = '\0';
	ok(menu_label_problem(label) == NULL, "60 two-byte characters");

	s = "[{\"label\":\"Home\",\"url\":\"/\"},"
	    "{\"label\":\"Ext\",\"url\":\"https://example.org/\"}]";
	is_int(0, menu_parse(a, s, strlen(s), false, &items, &n, &why),
	    "a menu parses");
	is_int(2, (int64_t)n, "two items");
	is_string("Ext", items[1].label, "label kept");
	is_string(s, menu_json(a, items, n), "written back the same");
	s = "[{\"label\":\"Home\",\"url\":\"/\"},"
	    "{\"label\":\"x\",\"url\":\"javascript:alert(1)\"}]";
	is_int(-1, menu_parse(a, s, strlen(s), false, &items, &n, &why),
	    "a javascript: item refused");
	is_string("item 2: url: must be a path of this site starting with "
	    "\"/\" or an http(s) URL", why, "naming the item and the field");
	is_int(0, menu_parse(a, s, strlen(s), true, &items, &n, &why),
	    "leniently read");
	is_int(1, (int64_t)n, "the bad item left out");
	s = "[{\"label\":\"x\",\"url\":\"/\",\"title\":\"y\"}]";
	ok(menu_parse(a, s, strlen(s), false, &items, &n, &why) == -1,
	    "an unknown field refused");
	s = "[{\"label\":1,\"url\":\"/\"}]";
	ok(menu_parse(a, s, strlen(s), false, &items, &n, &why) == -1,
	    "a label that is not a string refused");
	s = "[{\"label\":\"a\\u0000b\",\"url\":\"/\"}]";
	ok(menu_parse(a, s, strlen(s), false, &items, &n, &why) == -1,
	    "a NUL in a label refused");
	s = "{\"label\":\"x\",\"url\":\"/\"}";
	ok(menu_parse(a, s, strlen(s), true, &items, &n, &why) == -1,
	    "not an array, even leniently");
	s = "[1,";
	ok(menu_parse(a, s, strlen(s), true, &items, &n, &why) == -1,
	    "not JSON");
	s = "[] x";
	ok(menu_parse(a, s, strlen(s), true, &items, &n, &why) == -1,
	    "something after the JSON");
	s = "[[[[[[[[[[]]]]]]]]]]";
	ok(menu_parse(a, s, strlen(s), true, &items, &n, &why) == -1,
	    "too deep");
	{
		struct json_object *arr = json_object_new_array();

		for (int i = 0; i <= MENU_ITEMS_MAX; i++) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "label",
			    json_object_new_string("L"));
			json_object_object_add(o, "url",
			    json_object_new_string("/"));
			json_object_array_add(arr, o);
		}
		ok(menu_from_json(a, arr, false, &items, &n, &why) == -1,
		    "31 items refused");
		is_int(0, menu_from_json(a, arr, true, &items, &n, &why),
		    "31 items read leniently");
		is_int(MENU_ITEMS_MAX, (int64_t)n, "as the first 30");
		json_object_put(arr);
	}
	two[0].label = "A \"q\" <b>";
	two[0].url = "/x/y";
	two[1].label = "\xc3\xa9";
	two[1].url = "https://e.example/?a=1&b=2";
	s = menu_json(a, two, 2);
	is_int(0, menu_parse(a, s, strlen(s), false, &items, &n, &why),
	    "menu_json parses back");
	ok(n == 2 && strcmp(items[0].label, two[0].label) == 0 &&
	    strcmp(items[1].url, two[1].url) == 0, "to the same items");
	arena_free(a);
	return done_testing();
}
