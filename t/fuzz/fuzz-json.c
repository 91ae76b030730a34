/* SPDX-License-Identifier: MIT */
/*
 * fuzz-json.c: libFuzzer target for the write API's body parser
 * (input_json_object), the post and tag field tables run over what it
 * accepts (input_form_json), and the session token syntax check.
 *
 * Checks that an accepted body is one JSON object whose depth is within
 * the limit and that re-serialises, that a refusal always says why, and
 * that every field a table reads is in one consistent state: a value
 * only when ok or empty, within its cap, with no NUL; a failed one
 * named in the map, and the map never longer than its cap.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "http/input.h"
#include "auth/session.h"
#include "fuzz/fuzz.h"

static int
depth(struct json_object *o)
{
	int	 d = 0, k;

	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			if ((k = depth(v)) > d)
				d = k;
		}
		return d + 1;
	}
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if ((k = depth(json_object_array_get_idx(o, i))) > d)
				d = k;
		return d + 1;
	}
	return 0;
}

static void
fields(struct json_object *o, const struct input_form *f)
{
	struct arena	*a = arena_new(4096);
	struct input_got *got = arena_array(a, f->nfields, sizeof(*got));
	struct input_fails m;
	size_t		 bad;

	memset(&m, 0, sizeof(m));
	bad = input_form_json(a, f, o, got, &m);
	CHECK(m.n <= INPUT_MAX_FAILS && m.n <= bad);
	CHECK((bad == 0) == (m.n == 0));
	for (size_t i = 0; i < f->nfields; i++) {
		const struct input_got *g = &got[i];
		const char *v = input_str(g);

		CHECK(g->state < IS__MAX);
		if (g->state == IS_INVALID) {
			CHECK(v == NULL);
			CHECK(m.n == INPUT_MAX_FAILS ||
			    input_failed(&m, f->fields[i].name) != NULL);
		}
		if (g->state == IS_ABSENT)
			CHECK(v == NULL && g->list == NULL);
		if (v != NULL) {
			CHECK(g->state == IS_OK || g->state == IS_EMPTY);
			CHECK(strlen(v) == g->n && g->n <= f->fields[i].max);
		}
		if (g->list != NULL) {
			CHECK(g->n <= f->fields[i].max);
			for (size_t j = 0; j < g->n; j++)
				CHECK(strlen(g->list[j]) <=
				    f->fields[i].item_max);
		}
	}
	arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *o;
	const char	*why;
	char		*s = malloc(size + 1);
	enum status	 st;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	st = input_json_object("application/json", s, size, &o, &why);
	if (st == ST_OK) {
		CHECK(o != NULL && why == NULL);
		CHECK(json_object_is_type(o, json_type_object));
		CHECK(depth(o) <= INPUT_MAX_JSON_DEPTH);
		CHECK(json_object_to_json_string(o) != NULL);
		fields(o, &input_post_body);
		fields(o, &input_tag_body);
		json_object_put(o);
	} else {
		CHECK(st == ST_INVALID && o == NULL && why != NULL);
	}
	CHECK(input_json_object("text/plain", s, size, &o, &why) ==
	    ST_UNSUPPORTED && o == NULL);
	if (session_token_ok(s))
		CHECK(strlen(s) == SESSION_TOKEN_LEN &&
		    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") == SESSION_TOKEN_LEN);
	free(s);
	return 0;
}
