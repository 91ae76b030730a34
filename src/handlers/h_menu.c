/* SPDX-License-Identifier: MIT */
/*
 * h_menu.c: the navigation menu, changed by admins in /admin/menu and
 * through PUT /api/v1/menu (read by anyone with GET, h_api.c).
 *
 * The menu is the 'menu' setting (0008), checked by content/menu.c
 * before it is written: a label or a link that would not pass is a 400
 * that says which item and why, and nothing is saved.  The admin form
 * works without JavaScript: each row has a position number, a label, a
 * link and a box to remove it, and a few empty rows add links; rows
 * are shown by position, ties in the order they came.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "handlers/admin.h"
#include "lib/arena.h"
#include "content/menu.h"
#include "db/db.h"
#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/input.h"
#include "lib/log.h"
#include "http/out.h"
#include "http/req.h"
#include "lib/util.h"
#include "view/view.h"
#include "lib/worker_state.h"

/* Empty rows the form offers for new links. */
#define MENU_BLANK_ROWS	3

static void
put(void *o)
{
	json_object_put(o);
}

/* Stores the menu; the settings trigger moves the content version. */
static enum status
save(struct req *r, const struct menu_item *items, size_t n)
{
	const char	*kv[2] = { "menu", menu_json(r->a, items, n) };
	enum status	 st;

	if ((st = db_settings_save(r->w->db, r->a, kv, 1)) != ST_OK)
		return st;
	r->changed = true;
	log_msg(LOG_INFO, "%s changed the menu (%zu links)",
	    r->user->username, n);
	return ST_OK;
}

/* The menu the site shows now, as a json-c array owned by the caller. */
static enum status
current(struct req *r, struct json_object **menu)
{
	struct json_object *view = view_new(r);
	enum status	 st;

	*menu = NULL;
	if ((st = view_site(r, view)) != ST_OK)
		return st;
	*menu = json_object_get(json_object_object_get(json_object_object_get(
	    view, "site"), "menu"));
	return *menu != NULL ? ST_OK : ST_INTERNAL;
}

enum status
h_api_menu_put(struct req *r)
{
	struct json_object *body, *arr, *root;
	struct menu_item *items;
	const char	*why;
	size_t		 n;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = input_json_object(r->ctype_in, r->body, r->bodylen, &body,
	    &why)) != ST_OK) {
		r->resp.detail = why;
		return st;
	}
	arena_defer(r->a, put, body);
	if (!json_object_object_get_ex(body, "menu", &arr) ||
	    json_object_object_length(body) != 1) {
		r->resp.detail = "the body must be {\"menu\": [{\"label\": "
		    "..., \"url\": ...}, ...]} and nothing else";
		return ST_INVALID;
	}
	if (menu_from_json(r->a, arr, false, &items, &n, &why) != 0) {
		log_msg(LOG_WARN, "%s: menu refused: %s", r->user->username,
		    why);
		r->resp.detail = why;
		return ST_INVALID;
	}
	if ((st = save(r, items, n)) != ST_OK)
		return st;
	root = view_new(r);
	json_object_object_add(root, "menu", menu_array(items, n));
	out_json(r, root);
	r->resp.cache = "no-store";
	return ST_OK;
}

/* The form's rows: the menu's links, then MENU_BLANK_ROWS empty ones. */
static struct json_object *
form_rows(struct req *r, struct json_object *menu)
{
	struct json_object *rows = json_object_new_array(), *o, *it;
	size_t		 n = json_object_array_length(menu);

	for (size_t i = 0; i < n + MENU_BLANK_ROWS; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "n", json_object_new_int((int)i + 1));
		json_object_object_add(o, "pos",
		    json_object_new_int((int)(i + 1) * 10));
		if (i < n) {
			it = json_object_array_get_idx(menu, i);
			json_object_object_add(o, "label", json_object_get(
			    json_object_object_get(it, "label")));
			json_object_object_add(o, "url", json_object_get(
			    json_object_object_get(it, "url")));
			json_object_object_add(o, "saved",
			    json_object_new_boolean(true));
		}
		json_object_array_add(rows, o);
	}
	(void)r;
	return rows;
}

static enum status
render_form(struct req *r, struct json_object *menu, const char *error)
{
	struct json_object *view = view_new(r);

	json_object_object_add(view, "rows", form_rows(r, menu));
	json_object_object_add(view, "max_items",
	    json_object_new_int(MENU_ITEMS_MAX));
	if (error != NULL)
		json_object_object_add(view, "error",
		    json_object_new_string(error));
	return admin_render(r, view, "menu.html", "Menu");
}

enum status
h_admin_menu(struct req *r)
{
	struct json_object *menu;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = current(r, &menu)) != ST_OK)
		return st;
	arena_defer(r->a, put, menu);
	return render_form(r, menu, NULL);
}

struct row {
	long		 pos;
	size_t		 order;
	struct menu_item it;
};

static int
by_pos(const void *x, const void *y)
{
	const struct row *a = x, *b = y;

	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* A position: an integer from -9999 to 9999, else 0 (first). */
static long
position(const char *s)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || strlen(s) > 5)
		return 0;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= -9999 && v <= 9999 ? v : 0;
}

/* Reads rows label_N, url_N, pos_N, remove_N for N from 1 while a
 * label_N or url_N is sent; an empty row or a removed one is left out. */
enum status
h_admin_menu_save(struct req *r)
{
	struct row	*rows;
	struct menu_item *items;
	struct json_object *arr;
	const char	*label, *url, *bad, *error = NULL;
	size_t		 n = 0, cap = MENU_ITEMS_MAX + MENU_BLANK_ROWS + 8;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	rows = arena_array(r->a, cap, sizeof(*rows));
	for (size_t i = 1; error == NULL; i++) {
		const char *k = arena_printf(r->a, "%zu", i);
		enum input_state ls, us;

		label = input_pair(r->form, r->nform, arena_printf(r->a,
		    "label_%s", k), 4 * MENU_LABEL_MAX, &ls);
		url = input_pair(r->form, r->nform, arena_printf(r->a,
		    "url_%s", k), MENU_URL_MAX, &us);
		if (ls == IS_ABSENT && us == IS_ABSENT)
			break;
		if (input_find(r->form, r->nform, arena_printf(r->a,
		    "remove_%s", k)) != NULL)
			continue;
		if (ls == IS_INVALID || us == IS_INVALID) {
			error = arena_printf(r->a, "Row %zu: the %s is too "
			    "long or not text.", i, ls == IS_INVALID ?
			    "label" : "link");
			break;
		}
		if ((label == NULL || *label == '\0') &&
		    (url == NULL || *url == '\0'))
			continue;
		if (n == MENU_ITEMS_MAX || i >= cap) {
			error = "The menu may hold at most 30 links.";
			break;
		}
		if ((bad = menu_label_problem(label)) != NULL)
			error = arena_printf(r->a, "Row %zu: the label %s.",
			    i, bad);
		else if ((bad = menu_url_problem(url)) != NULL)
			error = arena_printf(r->a, "Row %zu: the link %s.",
			    i, bad);
		rows[n].pos = position(input_pair(r->form, r->nform,
		    arena_printf(r->a, "pos_%s", k), 16, NULL));
		rows[n].order = i;
		rows[n].it.label = label != NULL ? label : "";
		rows[n].it.url = url != NULL ? url : "";
		n++;
	}
	qsort(rows, n, sizeof(*rows), by_pos);
	items = arena_array(r->a, n + 1, sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = rows[i].it;
	if (error != NULL) {
		log_msg(LOG_WARN, "%s: menu refused: %s", r->user->username,
		    error);
		/* What was typed comes back, checked or not: the template
		 * escapes it like any text. */
		arr = menu_array(items, n);
		arena_defer(r->a, put, arr);
		r->resp.status = 400;
		return render_form(r, arr, arena_printf(r->a,
		    "Not saved: %s", error));
	}
	if ((st = save(r, items, n)) != ST_OK)
		return st;
	return admin_redirect(r, "/admin/menu?done=saved");
}
