/* SPDX-License-Identifier: MIT */
/*
 * fuzz-export.c: libFuzzer target for the readers of a complete export:
 * the first byte picks a file (or the manifest), the rest is its text.
 * Invariants: never a crash or a read past the input; an error is
 * terminated and the line reader's values honour their field's type.
 */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "content/export.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	struct exp_manifest	 m;
	struct exp_row		 row;
	char			 err[256];
	const char		*p;
	size_t			 n;
	unsigned		 pick;

	if (size < 1)
		return 0;
	if (a == NULL)
		a = arena_new(1 << 16);
	pick = data[0] % (EX__MAX + 1);
	/* A copy of exactly the input: ASan sees any read past its end. */
	n = size - 1;
	p = arena_strndup(a, (const char *)data + 1, n);
	memcpy((char *)p, data + 1, n);
	if (pick == EX__MAX) {
		if (exp_manifest_parse(a, p, n, &m, err, sizeof(err)) != 0)
			CHECK(memchr(err, '\0', sizeof(err)) != NULL &&
			    strncmp(err, EXP_MANIFEST, 14) == 0);
		else
			for (size_t i = 0; i < m.n; i++) {
				CHECK(exp_name_ok(m.e[i].file));
				CHECK(strlen(m.e[i].sha256) == 64);
				CHECK(i == 0 ||
				    strcmp(m.e[i - 1].file, m.e[i].file) < 0);
			}
	} else if (exp_line_parse(a, (enum exp_file)pick, p, n, &row, err,
	    sizeof(err)) != 0) {
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	} else {
		for (size_t k = 0; k < exp_nfields[pick]; k++) {
			const struct exp_field *f = &exp_fields[pick][k];

			if (row.v[k] == NULL) {
				CHECK(f->type != XT_ID && f->type != XT_INT &&
				    f->type != XT_STR && f->type != XT_TIME &&
				    f->type != XT_HEX);
				continue;
			}
			if (f->type == XT_TIME || f->type == XT_TIMEN)
				CHECK(exp_time_ok(row.v[k]));
			if (f->type == XT_ID || f->type == XT_IDN)
				CHECK(row.num[k] >= 1);
			if (f->type == XT_STR || f->type == XT_STRN ||
			    f->type == XT_SECRET)
				CHECK(strlen(row.v[k]) <= f->max);
		}
	}
	arena_reset(a);
	return 0;
}
