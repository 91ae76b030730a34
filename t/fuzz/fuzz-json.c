/* SPDX-License-Identifier: MIT */
/*
 * fuzz-json.c: libFuzzer target for the write API's body parser
 * (input_json_object) and the session token syntax check.
 *
 * Checks that an accepted body is one JSON object whose depth is within
 * the limit and that re-serialises, and that a refusal always says why.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

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
