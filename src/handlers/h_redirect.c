/* SPDX-License-Identifier: MIT */
/*
 * h_redirect.c: the admin's redirects: the page /admin/redirects (list,
 * add, remove; a form that works without JavaScript) and the API
 * /api/v1/redirects.  Admins only.  Serving a redirect is the page
 * cache's (pagecache_redirect), as a page is.
 *
 * The from and the to are checked by content (redirect.c) before the
 * database sees them; a full URL is taken here because an admin typed
 * it.  Every refusal is a 400 that names the field and says why.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "handlers/admin.h"
#include "lib/arena.h"
#include "content/redirect.h"
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

/* The redirect the form or body describes, checked; false with every
 * failing field named in r->fails. */
static bool
fields(struct req *r, const char **from, const char **to, int *code,
    bool *prefix)
{
	const char	*c = input_str(&r->fin[RK_CODE]);
	const char	*m = input_str(&r->fin[RK_MATCH]);
	const char	*why;

	*from = input_str(&r->fin[RK_FROM]);
	*to = input_str(&r->fin[RK_TO]);
	if (!redirect_from_ok(*from, &why) &&
	    r->fin[RK_FROM].state != IS_INVALID)
		input_fail(&r->fails, "from_path", why);
	if (!redirect_to_ok(*to, true, &why) &&
	    r->fin[RK_TO].state != IS_INVALID)
		input_fail(&r->fails, "to_path", why);
	*code = 301;
	if (c != NULL && *c != '\0') {
		if (strcmp(c, "301") == 0 || strcmp(c, "302") == 0 ||
		    strcmp(c, "307") == 0 || strcmp(c, "308") == 0)
			*code = atoi(c);
		else if (r->fin[RK_CODE].state != IS_INVALID)
			input_fail(&r->fails, "code", "must be 301, 302, 307 "
			    "or 308");
	}
	*prefix = false;
	if (m != NULL && *m != '\0') {
		if (strcmp(m, "prefix") == 0)
			*prefix = true;
		else if (strcmp(m, "exact") != 0 &&
		    r->fin[RK_MATCH].state != IS_INVALID)
			input_fail(&r->fails, "match", "must be \"exact\" or "
			    "\"prefix\"");
	}
	return r->fails.n == 0;
}

/* Adds the redirect; ST_OK with the new row in *out. */
static enum status
add(struct req *r, struct json_object **out)
{
	const char	*from, *to;
	int		 code;
	bool		 prefix;
	enum status	 st;

	*out = NULL;
	if (!r->user->admin)
		return ST_FORBIDDEN;
	if (!fields(r, &from, &to, &code, &prefix)) {
		log_msg(LOG_INFO, "redirect refused: %s %s", r->fails.name[0],
		    r->fails.why[0]);
		return ST_INVALID;
	}
	st = db_redirect_add(r->w->db, r->a, from, to, code, prefix, out);
	if (st == ST_CONFLICT)
		input_fail(&r->fails, "from_path", "has a redirect already; "
		    "remove that one first");
	else if (st == ST_INVALID) {
		input_fail(&r->fails, "to_path", "would send readers round "
		    "in a circle (a loop of redirects)");
		log_msg(LOG_INFO, "redirect refused: %s -> %s is a loop",
		    from, to);
	} else if (st == ST_UNPROCESSABLE) {
		input_fail(&r->fails, "to_path", "is refused by the database");
		st = ST_INVALID;
	}
	if (st == ST_OK)
		r->changed = true;
	return st;
}

/* A row id from a path capture: 1 to 18 digits, else 0. */
static int64_t
id_of(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return 0;
	return strtoll(s, NULL, 10);
}

static enum status
remove_cap(struct req *r)
{
	int64_t		 id = id_of(r->cap[0]);
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if (id <= 0)
		return ST_NOTFOUND;
	if ((st = db_redirect_delete(r->w->db, r->a, id)) == ST_OK)
		r->changed = true;
	return st;
}

enum status
h_admin_redirects(struct req *r)
{
	struct json_object *view, *list;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = db_redirects(r->w->db, r->a, &list)) != ST_OK)
		return st;
	view = view_new(r);
	json_object_object_add(view, "redirects", list);
	return admin_render(r, view, "redirects.html", "Redirects");
}

enum status
h_admin_redirect_add(struct req *r)
{
	struct json_object *row;
	enum status	 st;

	if ((st = add(r, &row)) != ST_OK)
		return st;
	json_object_put(row);
	return admin_redirect(r, "/admin/redirects?done=redirect-added");
}

enum status
h_admin_redirect_delete(struct req *r)
{
	enum status	 st;

	if ((st = remove_cap(r)) != ST_OK)
		return st;
	return admin_redirect(r, "/admin/redirects?done=deleted");
}

enum status
h_api_redirects(struct req *r)
{
	struct json_object *root, *list;
	enum status	 st;

	if (!r->user->admin)
		return ST_FORBIDDEN;
	if ((st = db_redirects(r->w->db, r->a, &list)) != ST_OK)
		return st;
	root = view_new(r);
	json_object_object_add(root, "redirects", list);
	out_json(r, root);
	r->resp.status = 200;
	r->resp.cache = "no-store";
	return ST_OK;
}

enum status
h_api_redirect_create(struct req *r)
{
	struct json_object *root, *row;
	enum status	 st;

	if ((st = add(r, &row)) != ST_OK)
		return st;
	root = view_new(r);
	json_object_object_add(root, "redirect", row);
	out_json(r, root);
	r->resp.status = 201;
	r->resp.cache = "no-store";
	out_header(r, "Location", arena_printf(r->a, "/api/v1/redirects/%lld",
	    (long long)json_object_get_int64(json_object_object_get(row,
	    "id"))));
	return ST_OK;
}

enum status
h_api_redirect_delete(struct req *r)
{
	enum status	 st;

	if ((st = remove_cap(r)) != ST_OK)
		return st;
	r->resp.status = 204;
	r->resp.cache = "no-store";
	return ST_OK;
}
