/* SPDX-License-Identifier: MIT */
/*
 * h_api_user.c: the signed-in user's own API (RF_USER routes): who the
 * credential belongs to, so a client can check a token before using it.
 */
#include "config.h"

#include <json-c/json.h>

#include "db/principal.h"
#include "handlers/handlers.h"
#include "http/out.h"
#include "http/req.h"
#include "view/view.h"

enum status
h_api_me(struct req *r)
{
	struct json_object *view = view_new(r), *u = json_object_new_object();

	json_object_object_add(u, "username",
	    json_object_new_string(r->user->username));
	json_object_object_add(u, "display_name",
	    json_object_new_string(r->user->display_name));
	json_object_object_add(u, "role",
	    json_object_new_string(r->user->admin ? "admin" : "author"));
	json_object_object_add(view, "user", u);
	out_json(r, view);
	return ST_OK;
}
