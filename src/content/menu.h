/* SPDX-License-Identifier: MIT */
/*
 * menu.h: the navigation menu's rules: what a label and a link may be,
 * and the menu as JSON (the 'menu' setting, the API's body).
 */
#ifndef INKWELL_MENU_H
#define INKWELL_MENU_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct json_object;

#define MENU_ITEMS_MAX	30	/* links in the menu */
#define MENU_LABEL_MAX	60	/* characters of a label */
#define MENU_URL_MAX	500	/* bytes of a link */
#define MENU_JSON_MAX	65536	/* bytes of the stored menu (settings) */

struct menu_item {
	const char	*label;
	const char	*url;
};

/*
 * Why label cannot be a menu label (NULL when it can): 1 to
 * MENU_LABEL_MAX characters of UTF-8, no control character, not only
 * spaces.  The reason is a static string.
 */
const char	*menu_label_problem(const char *label);

/*
 * Why url cannot be a menu link (NULL when it can): a path of this site
 * ("/", "/pages/about"; not "//host", which a browser takes for another
 * site, nor "/\"), or an absolute http or https URL with a host; at most
 * MENU_URL_MAX bytes, no space, control character or backslash, valid
 * UTF-8.  So javascript:, data: and every other scheme are refused.
 */
const char	*menu_url_problem(const char *url);

/*
 * The menu in a JSON array of objects with exactly "label" and "url",
 * each checked as above, at most MENU_ITEMS_MAX of them.  On success 0,
 * *items (from a, with strings from a) and *n.  On refusal -1 and *why,
 * a reason from a naming the item ("item 3: url: ...").  With lenient,
 * an item that fails is skipped instead (for a stored menu a reader
 * shows: one bad row written by hand must not break every page), and
 * only a value that is not an array fails.
 */
int		 menu_from_json(struct arena *a, struct json_object *arr,
		    bool lenient, struct menu_item **items, size_t *n,
		    const char **why);

/* The same from JSON text s[0..len) (at most MENU_JSON_MAX bytes). */
int		 menu_parse(struct arena *a, const char *s, size_t len,
		    bool lenient, struct menu_item **items, size_t *n,
		    const char **why);

/*
 * The menu as JSON text, as stored in the 'menu' setting; from a.  It
 * parses back (menu_parse) to the same items.
 */
const char	*menu_json(struct arena *a, const struct menu_item *items,
		    size_t n);

/* The items as a new json-c array of {label, url}; owned by the caller. */
struct json_object *menu_array(const struct menu_item *items, size_t n);

#endif
