/* SPDX-License-Identifier: MIT */
/*
 * menu.c: the navigation menu's rules: a label and a link checked one
 * by one, and the menu read from and written as JSON.
 *
 * A link goes into an href of every page, so it is held to what cannot
 * run or leave the site unexpectedly: a site path, or http(s) with a
 * host.  A browser reads "//x" and "/\x" as another host, and drops
 * tabs and newlines from a URL before it looks at the scheme
 * ("java\tscript:"), so control characters, spaces and backslashes are
 * refused anywhere in it.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "content/menu.h"

const char *
menu_label_problem(const char *label)
{
	if (label == NULL || *label == '\0')
		return "is required";
	if (!util_utf8_valid(label, strlen(label)))
		return "is not valid UTF-8";
	if (!util_text_ok(label, 1, MENU_LABEL_MAX, false))
		return "must be at most 60 characters, with no control "
		    "characters";
	if (strspn(label, " ") == strlen(label))
		return "is only spaces";
	return NULL;
}

const char *
menu_url_problem(const char *url)
{
	size_t	 n, host;

	if (url == NULL || *url == '\0')
		return "is required";
	n = strlen(url);
	if (n > MENU_URL_MAX)
		return "is longer than 500 bytes";
	if (!util_utf8_valid(url, n))
		return "is not valid UTF-8";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c <= 0x20 || c == 0x7f)
			return "may not hold spaces or control characters";
		if (c == '\\')
			return "may not hold a backslash";
	}
	if (url[0] == '/') {
		if (url[1] == '/')
			return "must be a path of this site (\"/...\", not "
			    "\"//...\") or an http(s) URL";
		return NULL;
	}
	if (strncasecmp(url, "http://", 7) == 0)
		host = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = 8;
	else
		return "must be a path of this site starting with \"/\" or "
		    "an http(s) URL";
	if (url[host] == '\0' || url[host] == '/' || url[host] == '?' ||
	    url[host] == '#')
		return "has no host";
	return NULL;
}

/* Exactly "label" and "url", both strings; NULL when so, else why. */
static const char *
item_of(struct json_object *o, const char **label, const char **url)
{
	struct json_object *l, *u;

	if (!json_object_is_type(o, json_type_object))
		return "is not an object";
	if (!json_object_object_get_ex(o, "label", &l) ||
	    !json_object_is_type(l, json_type_string))
		return "label: is required, as a string";
	if (!json_object_object_get_ex(o, "url", &u) ||
	    !json_object_is_type(u, json_type_string))
		return "url: is required, as a string";
	if (json_object_object_length(o) != 2)
		return "has a field other than label and url";
	*label = json_object_get_string(l);
	*url = json_object_get_string(u);
	/* A NUL inside the string would hide what follows it. */
	if (strlen(*label) != (size_t)json_object_get_string_len(l))
		return "label: holds a NUL";
	if (strlen(*url) != (size_t)json_object_get_string_len(u))
		return "url: holds a NUL";
	return NULL;
}

int
menu_from_json(struct arena *a, struct json_object *arr, bool lenient,
    struct menu_item **items, size_t *n, const char **why)
{
	size_t		 len, k = 0;
	const char	*label, *url, *bad, *field;

	*items = NULL;
	*n = 0;
	*why = NULL;
	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		*why = "the menu must be an array of {label, url}";
		return -1;
	}
	len = json_object_array_length(arr);
	if (len > MENU_ITEMS_MAX && !lenient) {
		*why = "the menu may hold at most 30 links";
		return -1;
	}
	*items = arena_array(a, len + 1, sizeof(**items));
	for (size_t i = 0; i < len && k < MENU_ITEMS_MAX; i++) {
		field = "";
		if ((bad = item_of(json_object_array_get_idx(arr, i), &label,
		    &url)) == NULL) {
			field = "label: ";
			if ((bad = menu_label_problem(label)) == NULL) {
				field = "url: ";
				bad = menu_url_problem(url);
			}
		}
		if (bad != NULL) {
			if (lenient)
				continue;
			*why = arena_printf(a, "item %zu: %s%s", i + 1, field,
			    bad);
			*items = NULL;
			return -1;
		}
		(*items)[k].label = arena_strdup(a, label);
		(*items)[k].url = arena_strdup(a, url);
		k++;
	}
	*n = k;
	return 0;
}

int
menu_parse(struct arena *a, const char *s, size_t len, bool lenient,
    struct menu_item **items, size_t *n, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	int		 rc;

	*items = NULL;
	*n = 0;
	if (len > MENU_JSON_MAX || !util_utf8_valid(s, len)) {
		*why = "the menu is too long or not UTF-8";
		return -1;
	}
	tok = json_tokener_new_ex(4);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		json_tokener_free(tok);
		*why = "the menu is not JSON";
		return -1;
	}
	json_tokener_free(tok);
	rc = menu_from_json(a, o, lenient, items, n, why);
	json_object_put(o);
	return rc;
}

struct json_object *
menu_array(const struct menu_item *items, size_t n)
{
	struct json_object *arr = json_object_new_array(), *o;

	for (size_t i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "label",
		    json_object_new_string(items[i].label));
		json_object_object_add(o, "url",
		    json_object_new_string(items[i].url));
		json_object_array_add(arr, o);
	}
	return arr;
}

const char *
menu_json(struct arena *a, const struct menu_item *items, size_t n)
{
	struct json_object *arr = menu_array(items, n);
	const char	*s;

	s = arena_strdup(a, json_object_to_json_string_ext(arr,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return s;
}
