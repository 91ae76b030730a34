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
#include "db/db.h"
#include "lib/log.h"
#include "lib/util.h"
#include "http/escape.h"
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
