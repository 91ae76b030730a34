/* SPDX-License-Identifier: MIT */
/* view.c: json-c view-model roots tied to the request arena. */
#include "config.h"

#include <json-c/json.h>

#include "arena.h"
#include "req.h"
#include "view.h"

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
