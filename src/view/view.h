/* SPDX-License-Identifier: MIT */
/* view.h: the json-c view model every page and API response is built from. */
#ifndef INKWELL_VIEW_H
#define INKWELL_VIEW_H

#include <stddef.h>

#include "lib/status.h"

struct arena;
struct i18n_lang;
struct json_object;
struct req;

/*
 * Returns a new empty object that is released when the request ends:
 * the root of a view.  Children added with json_object_object_add() are
 * owned by it and go with it; an object a handler makes and does not
 * add to a view (a list it only reads, a view it gave up on) is the
 * handler's to json_object_put().
 */
struct json_object	*view_new(struct req *);

/*
 * The only way raw HTML enters a view: key must end in "_html" (the
 * templates' {{{x_html}}} slots) and html must come from md_render() or
 * view_snippet_html(), never from input.  Aborts on a key without the
 * suffix: that is a programming error, not a runtime condition.
 */
void			 view_set_html(struct json_object *, const char *key,
			    const char *html);

/*
 * Turns a search snippet whose matches PostgreSQL marked with U+E000 ...
 * U+E001 into HTML: the text is escaped first, then the markers become
 * balanced <mark> elements (stray or unbalanced markers are dropped).
 * The result lives in the arena.
 */
const char		*view_snippet_html(struct arena *, const char *marked);

/*
 * Adds "site" (settings, base_url, year) to the view.  ST_UNAVAILABLE
 * when PostgreSQL cannot be reached.
 */
enum status		 view_site(struct req *, struct json_object *view);

/*
 * view_site() with the settings already read (db_settings_posts): site
 * becomes view.site, owned by the view from then on.
 */
void			 view_site_add(struct req *, struct json_object *view,
			    struct json_object *site);

/*
 * The reader language view.site.language names, or the reference
 * (English) when it is unset or not shipped; owned by the worker.
 */
const struct i18n_lang	*view_lang(struct req *, struct json_object *view);

/* The zone view.site.timezone names ("UTC" when unset); owned by view. */
const char		*view_zone(struct json_object *view);

/*
 * Readies a view for a reader template: "lang" (the language's code),
 * "t" (every string of the theme in that language, English for a key
 * it lacks) and the dates readers see, in the site's zone and language:
 * published_human of view.post and view.posts[], created_human of
 * view.comments[], label of view.months[].  The machine-readable
 * published_at / created_at stay UTC.
 */
void			 view_localize(struct req *, struct json_object *view);

/* Frees what view_localize() kept in w (the strings of each language);
 * for a worker that stops. */
struct worker;
void			 view_strings_free(struct worker *);

/* Reads an integer setting from view.site, or def when absent or bad;
 * clamped to [min, max]. */
int			 view_site_int(struct json_object *view,
			    const char *key, int def, int min, int max);

#endif
