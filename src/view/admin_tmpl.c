/* SPDX-License-Identifier: MIT */
/* admin_tmpl.c: compiles the admin pages' built-in templates. */
#include "config.h"

#include <string.h>

#include "tmpl/tmpl.h"
#include "view/admin_tmpl.h"

struct tmpl_set *
admin_load(char *err, size_t errlen)
{
	struct tmpl_set	*set = tmpl_new(TMPL_STRICT);

	for (size_t i = 0; i < admin_ntemplates; i++) {
		const struct admin_template *t = &admin_templates[i];

		if (tmpl_add(set, t->name, t->partial != 0, TMPL_ESC_HTML,
		    t->text, strlen(t->text), err, errlen) != 0) {
			tmpl_free(set);
			return NULL;
		}
	}
	if (tmpl_link(set, err, errlen) != 0) {
		tmpl_free(set);
		return NULL;
	}
	return set;
}
