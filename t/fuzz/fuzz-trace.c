/* SPDX-License-Identifier: MIT */
/*
 * fuzz-trace.c: libFuzzer target for trace_parse, the parser of the
 * traceparent header any client may send, and of the trace id nginx
 * passes on.
 *
 * Checks that a value is taken only when it has exactly the version 00
 * shape in lowercase hex with non-zero ids, that the ids read are the
 * hex digits written, that the answer does not depend on anything past
 * the length given, and that a request opened with any value has a
 * 32-hex trace id.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/trace.h"
#include "fuzz/fuzz.h"

static bool
lowhex(const char *s, size_t n, bool *nonzero)
{
	*nonzero = false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
		if (s[i] != '0')
			*nonzero = true;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool	 init;
	char		*s = malloc(size + 1);
	struct trace_parent p;
	bool		 got, shape, nz1 = false, nz2 = false, nz3;
	const char	*tid, *sid;

	if (!init) {
		CHECK(sodium_init() >= 0);
		init = true;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	got = trace_parse(s, size, &p) == 0;
	shape = size == 55 && s[0] == '0' && s[1] == '0' && s[2] == '-' &&
	    s[35] == '-' && s[52] == '-' && lowhex(s + 3, 32, &nz1) &&
	    lowhex(s + 36, 16, &nz2) && lowhex(s + 53, 2, &nz3) && nz1 &&
	    nz2;
	CHECK(got == shape);
	if (got) {
		char	 hex[3];

		for (int i = 0; i < 16; i++) {
			snprintf(hex, sizeof(hex), "%02x", p.trace_id[i]);
			CHECK(memcmp(hex, s + 3 + 2 * i, 2) == 0);
		}
		for (int i = 0; i < 8; i++) {
			snprintf(hex, sizeof(hex), "%02x", p.span_id[i]);
			CHECK(memcmp(hex, s + 36 + 2 * i, 2) == 0);
		}
	}
	/* Whatever comes in, as a header or as nginx's id, the request
	 * gets a well-formed trace. */
	trace_request_begin(s, s);
	CHECK(trace_current(&tid, &sid));
	CHECK(strlen(tid) == 32 && strspn(tid, "0123456789abcdef") == 32);
	CHECK(strlen(sid) == 16 && strspn(sid, "0123456789abcdef") == 16);
	if (got)
		CHECK(memcmp(tid, s + 3, 32) == 0);
	trace_request_end("GET", NULL, 200);
	free(s);
	return 0;
}
