/* SPDX-License-Identifier: MIT */
/*
 * admin_tmpl.h: the admin pages' templates, compiled into the program
 * (build-aux/embed-templates writes the table), so the admin looks and
 * works the same whatever theme the site has.  The worker loads them
 * once at start; the admin handlers render them (handlers/admin.h).
 */
#ifndef INKWELL_ADMIN_TMPL_H
#define INKWELL_ADMIN_TMPL_H

#include <stddef.h>

struct tmpl_set;

struct admin_template {
	const char	*name;		/* "login.html", or a partial's name */
	int		 partial;
	const char	*text;
};
extern const struct admin_template admin_templates[];
extern const size_t admin_ntemplates;

/* Compiles the admin templates (TMPL_STRICT); NULL with err on failure. */
struct tmpl_set	*admin_load(char *err, size_t errlen);

#endif
