/* SPDX-License-Identifier: MIT */
/*
 * h_health.c: /healthz, /livez, /readyz and /version for operators and
 * load balancers.  None of them is cached; /readyz is the only one that
 * touches PostgreSQL.
 */
#include "config.h"
#include "buildinfo.h"

#include <json-c/json.h>

#include "db/db.h"
#include "handlers/handlers.h"
#include "lib/metrics.h"
#include "http/out.h"
#include "http/req.h"
#include "view/view.h"
#include "lib/worker_state.h"

/* Serialises the view as the response. */
static enum status
reply(struct req *r, int status, struct json_object *obj)
{
	out_status(r, status);
	out_json(r, obj);
	return ST_OK;
}

enum status
h_healthz(struct req *r)
{
	struct json_object *o = view_new(r);

	json_object_object_add(o, "status", json_object_new_string("ok"));
	return reply(r, 200, o);
}

enum status
h_livez(struct req *r)
{
	out_ctype(r, "text/plain; charset=utf-8");
	out_puts(r, "ok\n");
	return ST_OK;
}

enum status
h_readyz(struct req *r)
{
	struct json_object *o = view_new(r);
	int		 have, want = db_schema_expected();
	enum status	 st;

	st = db_schema_version(r->w->db, &have);
	if (st != ST_OK) {
		json_object_object_add(o, "status",
		    json_object_new_string("unavailable"));
		json_object_object_add(o, "database",
		    json_object_new_string("unreachable"));
		out_header(r, "Retry-After", "5");
		return reply(r, 503, o);
	}
	json_object_object_add(o, "status", json_object_new_string(
	    have == want ? "ready" : "migrations pending"));
	json_object_object_add(o, "database", json_object_new_string("ok"));
	json_object_object_add(o, "schema", json_object_new_int(have));
	json_object_object_add(o, "expected", json_object_new_int(want));
	return reply(r, have == want ? 200 : 503, o);
}

enum status
h_version(struct req *r)
{
	struct json_object *o = view_new(r);

	json_object_object_add(o, "version",
	    json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "commit",
	    json_object_new_string(INKWELL_COMMIT));
	json_object_object_add(o, "build_date",
	    json_object_new_string(INKWELL_BUILD_DATE));
	json_object_object_add(o, "schema",
	    json_object_new_int(db_schema_expected()));
	return reply(r, 200, o);
}

enum status
h_metrics(struct req *r)
{
	out_ctype(r, "text/plain; version=0.0.4; charset=utf-8");
	metrics_render(&r->resp.body);
	return ST_OK;
}
