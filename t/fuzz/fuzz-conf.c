/* SPDX-License-Identifier: MIT */
/* fuzz-conf.c: libFuzzer target for the INI configuration parser. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	char		 err[512];
	int		 rc;

	memset(&c, 0, sizeof(c));
	rc = conf_parse_string(&c, "fuzz", (const char *)data, size, err,
	    sizeof(err));
	/* Invariants: error text is terminated; success means a usable
	 * configuration. */
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc == 0 && (c.listen == NULL || c.workers < 1 ||
	    c.workers > 256 || c.db_primary == NULL || *c.db_primary == '\0'))
		abort();
	/* [chaos]: a ratio is a fraction, an error a server error, and
	 * on means a route to inject into. */
	if (rc == 0 && (!(c.chaos_ratio >= 0.0 && c.chaos_ratio <= 1.0) ||
	    c.chaos_latency_ms < 0 || c.chaos_latency_ms > 60000 ||
	    (c.chaos_error_status != 0 && (c.chaos_error_status < 500 ||
	    c.chaos_error_status > 599)) ||
	    (c.chaos_enabled && *c.chaos_route == '\0')))
		abort();
	if (rc != 0 && err[0] == '\0')
		abort();	/* a refusal must say why */
	conf_free(&c);
	return 0;
}
