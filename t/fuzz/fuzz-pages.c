/* SPDX-License-Identifier: MIT */
/*
 * fuzz-pages.c: libFuzzer target for the page file name (pages_path) and
 * the generation name parser.  The path and query come from requests;
 * a name must never leave its generation nor be shared by two requests
 * nginx tells apart.
 *
 * Input: path NUL query NUL ctype.  Checks that an accepted name has,
 * before its one '@', no segment that is empty or starts with a dot, no
 * leading "/", fits the limit, and that path and query read back.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "cache/pages.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *query, *ctype, *at, out[PAGES_MAX_PATH + 1];
	struct pages_gen g;

	if (size > 4096)
		return 0;
	s = calloc(1, size + 3);
	CHECK(s != NULL);
	memcpy(s, data, size);
	query = s + strlen(s) + 1;
	if (query > s + size)
		query = s + size + 1;
	ctype = query + strlen(query) + 1;
	if (ctype > s + size + 1)
		ctype = s + size + 2;

	if (pages_path(s, query, ctype, out, sizeof(out)) == 0) {
		CHECK(strlen(out) <= PAGES_MAX_PATH);
		CHECK(out[0] != '/');
		CHECK((at = strchr(out, '@')) != NULL);
		/* Before '@': no segment starts with a dot, none is empty
		 * (so no "..", no hidden name, no "//"). */
		*at = '\0';
		CHECK(out[0] != '.' && strstr(out, "/.") == NULL);
		CHECK(strstr(out, "//") == NULL);
		CHECK(at == out || at[-1] != '/');
		*at = '@';
		CHECK(strchr(at + 1, '@') == NULL);
		CHECK(strchr(at, '/') == NULL);
		/* Read back: the path up to '@', the query up to the last '.'. */
		CHECK((size_t)(at - out) == strlen(s) - 1);
		CHECK(memcmp(out, s + 1, (size_t)(at - out)) == 0);
		CHECK(strncmp(at + 1, query, strlen(query)) == 0);
		CHECK(at[1 + strlen(query)] == '.');
	}
	if (pages_gen_parse(s, &g) == 0) {
		CHECK(strcmp(g.name, s) == 0);
		CHECK(g.version >= -1 && g.epoch >= 0 && g.born >= 0);
		CHECK(strchr(s, '/') == NULL && strchr(s, '.') == NULL);
	}
	free(s);
	return 0;
}
