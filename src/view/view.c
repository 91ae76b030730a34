/* SPDX-License-Identifier: MIT */
/* view.c: json-c view-model roots, the raw-HTML gate, site settings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "content/menu.h"
#include "lib/i18n.h"
#include "lib/sitetime.h"
#include "db/db.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/escape.h"
#include "http/out.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

static void
put(void *p)
{
	json_object_put(p);
}

struct json_object *
view_new(struct req *r)
{
	struct json_object *o = json_object_new_object();

	arena_defer(r->a, put, o);
	return o;
}

void
view_set_html(struct json_object *o, const char *key, const char *html)
{
	size_t	 n = strlen(key);

	if (n < 5 || strcmp(key + n - 5, "_html") != 0)
		abort();
	json_object_object_add(o, key, json_object_new_string(html));
}

#define MARK_OPEN	"\xee\x80\x80"	/* U+E000 */
#define MARK_CLOSE	"\xee\x80\x81"	/* U+E001 */

const char *
view_snippet_html(struct arena *a, const char *s)
{
	struct buf	 b;
	bool		 open = false;
	const char	*p = s, *m;

	buf_init(&b, a, strlen(s) + 64);
	while ((m = strstr(p, "\xee\x80")) != NULL) {
		size_t	 n = m[2] != '\0' ? 3 : 2;	/* truncated at the end */

		escape_html(&b, p, (size_t)(m - p));
		if (strncmp(m, MARK_OPEN, 3) == 0 && !open) {
			buf_puts(&b, "<mark>");
			open = true;
		} else if (strncmp(m, MARK_CLOSE, 3) == 0 && open) {
			buf_puts(&b, "</mark>");
			open = false;
		} else if (strncmp(m, MARK_OPEN, 3) != 0 &&
		    strncmp(m, MARK_CLOSE, 3) != 0) {
			/* Another character of that block: keep it. */
			escape_html(&b, m, n);
		}
		p = m + n;
	}
	escape_html(&b, p, strlen(p));
	if (open)
		buf_puts(&b, "</mark>");
	return b.p;
}

enum status
view_site(struct req *r, struct json_object *view)
{
	struct json_object *site;
	enum status	 st;

	if ((st = db_settings(r->w->db, r->a, &site)) != ST_OK)
		return st == ST_NOTFOUND ? ST_INTERNAL : st;
	view_site_add(r, view, site);
	return ST_OK;
}

/*
 * site.menu, the stored text, becomes the array of links the theme
 * shows, checked again: a row written past the application (psql) that
 * would not pass is left out, never shown.  No menu setting at all (a
 * database before 0008's seed) shows the links the theme always had.
 */
static void
site_menu(struct req *r, struct json_object *site)
{
	static const struct menu_item dflt[] = {
		{ "Home", "/" }, { "Archive", "/archive" },
		{ "Feed", "/feed.atom" },
	};
	struct json_object *v;
	struct menu_item *items;
	const char	*why, *s;
	size_t		 n;

	if (!json_object_object_get_ex(site, "menu", &v)) {
		json_object_object_add(site, "menu",
		    menu_array(dflt, NELEM(dflt)));
		json_object_object_add(site, "has_menu",
		    json_object_new_boolean(true));
		return;
	}
	s = json_object_get_string(v);
	if (menu_parse(r->a, s, strlen(s), true, &items, &n, &why) != 0) {
		log_msg(LOG_WARN, "the menu setting is not shown: %s", why);
		n = 0;
	}
	json_object_object_add(site, "menu", menu_array(items, n));
	json_object_object_add(site, "has_menu", json_object_new_boolean(n > 0));
}

void
view_site_add(struct req *r, struct json_object *view,
    struct json_object *site)
{
	char		 year[16];
	time_t		 now = time(NULL);
	struct tm	 tm;

	json_object_object_add(view, "site", site);
	/* No trailing slash, so templates write {{site.base_url}}{{url}}. */
	{
		const char *base = r->w->conf->base_url;
		size_t	 n = strlen(base);

		while (n > 0 && base[n - 1] == '/')
			n--;
		json_object_object_add(site, "base_url",
		    json_object_new_string_len(base, (int)n));
	}
	gmtime_r(&now, &tm);
	snprintf(year, sizeof(year), "%d", tm.tm_year + 1900);
	json_object_object_add(site, "year", json_object_new_string(year));
	site_menu(r, site);
}

int
view_site_int(struct json_object *view, const char *key, int def, int min,
    int max)
{
	struct json_object *site, *v;
	const char	*s;
	char		*end;
	long		 n;

	if (!json_object_object_get_ex(view, "site", &site) ||
	    !json_object_object_get_ex(site, key, &v) ||
	    (s = json_object_get_string(v)) == NULL)
		return def;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		return def;
	return n < min ? min : n > max ? max : (int)n;
}

/* view.site's key as a string, or NULL. */
static const char *
site_get(struct json_object *view, const char *key)
{
	struct json_object *site, *v;

	if (!json_object_object_get_ex(view, "site", &site) ||
	    !json_object_object_get_ex(site, key, &v))
		return NULL;
	return json_object_get_string(v);
}

const struct i18n_lang *
view_lang(struct req *r, struct json_object *view)
{
	const struct i18n_lang *l;

	if ((l = i18n_find(r->w->i18n, site_get(view, "language"))) == NULL)
		l = i18n_ref(r->w->i18n);
	return l;
}

const char *
view_zone(struct json_object *view)
{
	const char	*z = site_get(view, "timezone");

	return z != NULL && *z != '\0' ? z : "UTC";
}

/* Sets o[human] to the date of o[iso] by pattern, if o has iso. */
static void
local_date(struct req *r, const struct i18n_lang *l, const char *zone,
    struct json_object *o, const char *iso, const char *human,
    const char *pattern)
{
	struct json_object *v;
	struct tm	 tm;
	time_t		 t;
	char		 s[256];

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, iso, &v) ||
	    sitetime_parse_utc(json_object_get_string(v), &t) != 0)
		return;
	sitetime_local(t, zone, &tm);
	i18n_date(r->w->i18n, l, pattern, &tm, s, sizeof(s));
	json_object_object_add(o, human, json_object_new_string(s));
}

/* local_date() for each object of view[key], an array. */
static void
local_dates(struct req *r, const struct i18n_lang *l, const char *zone,
    struct json_object *view, const char *key, const char *iso,
    const char *human, const char *pattern)
{
	struct json_object *a;

	if (!json_object_object_get_ex(view, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		local_date(r, l, zone, json_object_array_get_idx(a, i), iso,
		    human, pattern);
}

/*
 * view.t for language l: a new reference to the worker's object, made
 * the first time l is asked for.  The strings come from the theme's
 * files, read once when the worker starts, so the object never goes
 * stale; building it for every page (some sixty keys, each looked up
 * by a linear search, and an object to free after) was a tenth of an
 * uncached page's time in the worker.  Shared: nothing may change it.
 */
static struct json_object *
strings(struct worker *w, const struct i18n_lang *l)
{
	const struct i18n *set = w->i18n;
	struct json_object *t;
	size_t		 k;

	/* No language at all (a set i18n_check() refused): not kept. */
	for (k = 0; l != NULL && k < i18n_nlangs(set) &&
	    k < NELEM(w->strings); k++)
		if (strcmp(i18n_lang_code(set, k), i18n_code(l)) == 0)
			break;
	if (l == NULL)
		k = NELEM(w->strings);
	if (k < NELEM(w->strings) && w->strings[k] != NULL)
		return json_object_get(w->strings[k]);
	t = json_object_new_object();
	for (size_t i = 0; i < i18n_nkeys(set); i++)
		json_object_object_add(t, i18n_key(set, i),
		    json_object_new_string(i18n_get(set, l, i18n_key(set, i))));
	if (k < NELEM(w->strings) && k < i18n_nlangs(set))
		w->strings[k] = json_object_get(t);
	return t;
}

void
view_strings_free(struct worker *w)
{
	for (size_t k = 0; k < NELEM(w->strings); k++) {
		if (w->strings[k] != NULL)
			json_object_put(w->strings[k]);
		w->strings[k] = NULL;
	}
}

void
view_localize(struct req *r, struct json_object *view)
{
	const struct i18n *set = r->w->i18n;
	const struct i18n_lang *l;
	struct json_object *v, *months;
	const char	*zone = view_zone(view);

	if (set == NULL)
		return;
	l = view_lang(r, view);
	json_object_object_add(view, "t", strings(r->w, l));
	json_object_object_add(view, "lang",
	    json_object_new_string(i18n_code(l)));
	if (json_object_object_get_ex(view, "post", &v))
		local_date(r, l, zone, v, "published_at", "published_human",
		    "date");
	local_dates(r, l, zone, view, "posts", "published_at",
	    "published_human", "date");
	local_dates(r, l, zone, view, "comments", "created_at",
	    "created_human", "datetime");
	if (json_object_object_get_ex(view, "months", &months) &&
	    json_object_is_type(months, json_type_array))
		for (size_t i = 0; i < json_object_array_length(months); i++) {
			struct json_object *m, *y, *mo;
			struct tm	 tm;
			char		 s[256];

			m = json_object_array_get_idx(months, i);
			if (!json_object_object_get_ex(m, "year", &y) ||
			    !json_object_object_get_ex(m, "month", &mo))
				continue;
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = json_object_get_int(y) - 1900;
			tm.tm_mon = json_object_get_int(mo) - 1;
			tm.tm_mday = 1;
			i18n_date(set, l, "month_year", &tm, s, sizeof(s));
			json_object_object_add(m, "label",
			    json_object_new_string(s));
		}
}
