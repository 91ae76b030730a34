/* SPDX-License-Identifier: MIT */
/*
 * tmpl.h: Mustache templates compiled once into instruction arrays and
 * rendered from a json-c view into a buffer.
 *
 * A template set is every *.mustache file of a directory (pages) plus its
 * partials/ subdirectory ({{> name}}).  The escaper is chosen by the
 * template's declared output type, from its file name, never by the call
 * site: NAME.xml.mustache escapes for XML, everything else for HTML.
 */
#ifndef INKWELL_TMPL_H
#define INKWELL_TMPL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct json_object;
struct tmpl_set;

/* Compile flags. */
#define TMPL_STRICT	0x01	/* {{{x}}} and {{& x}} only for names ending
				 * in "_html" (the theme); the spec suite
				 * compiles without it */

enum tmpl_escape {
	TMPL_ESC_HTML,
	TMPL_ESC_XML,
	TMPL_ESC__MAX
};

/*
 * Compiles every template under dir (and dir/partials).  Returns the set,
 * owned by the caller until tmpl_free(), or NULL with the first problem
 * written to err as "path:line: reason" (unclosed or mismatched section,
 * bad delimiter change, unknown partial, triple-stash on a non-_html name
 * under TMPL_STRICT, file too large).
 */
struct tmpl_set	*tmpl_load_dir(const char *dir, int flags, char *err,
		    size_t errlen);

/* An empty set to which templates are added from memory (tests, spec). */
struct tmpl_set	*tmpl_new(int flags);

/*
 * Compiles text as template name (a partial when is_partial) into set.
 * Returns 0, or -1 with "name:line: reason" in err.  Partials may be added
 * in any order; references are resolved by tmpl_link().
 */
int		 tmpl_add(struct tmpl_set *, const char *name, bool is_partial,
		    enum tmpl_escape, const char *text, size_t len, char *err,
		    size_t errlen);

/* Checks every partial reference resolves; 0 or -1 with err. */
int		 tmpl_link(struct tmpl_set *, char *err, size_t errlen);

void		 tmpl_free(struct tmpl_set *);

/* True when the set has a (non-partial) template of that name. */
bool		 tmpl_has(const struct tmpl_set *, const char *name);

/*
 * Renders template name with view appended to out.  Returns 0, or -1 when
 * there is no such template or partial recursion passes 64 levels.  Never
 * allocates except by growing out.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    struct json_object *view, struct buf *out);

#endif
