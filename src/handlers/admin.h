/* SPDX-License-Identifier: MIT */
/*
 * admin.h: what the admin pages share.  Their templates are compiled
 * into the program (view/admin_tmpl.h), so the admin looks and works
 * the same whatever theme the site has.
 */
#ifndef INKWELL_ADMIN_H
#define INKWELL_ADMIN_H

#include <stddef.h>

#include "lib/status.h"

struct json_object;
struct req;

/*
 * Renders admin page name (never cached, never indexed) with view, to
 * which it adds site (the settings), page.title, and for a signed-in
 * request user and csrf.
 */
enum status	 admin_render(struct req *, struct json_object *view,
		    const char *name, const char *title);

/* A 303 to path (an admin page), no body. */
enum status	 admin_redirect(struct req *, const char *path);

#endif
