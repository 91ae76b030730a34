/* SPDX-License-Identifier: MIT */
/*
 * unit.h: helpers more than one unit test reads inkwell's output with.
 * Header-only like tap.h; each is static inline, so a test that uses
 * one of them does not warn about the other.
 */
#ifndef INKWELL_UNIT_H
#define INKWELL_UNIT_H

#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/metrics.h"
#include "http/req.h"

/* The /metrics text as a worker would send it, NUL-terminated, in a. */
static inline const char *
unit_metrics(struct arena *a)
{
	struct buf	 b;

	buf_init(&b, a, 8192);
	metrics_render(&b);
	buf_putc(&b, '\0');
	return b.p;
}

/* The value of response header name set on r, NULL when none is. */
static inline const char *
unit_header(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->resp.nhdrs; i++)
		if (strcmp(r->resp.hdrs[i].name, name) == 0)
			return r->resp.hdrs[i].value;
	return NULL;
}

#endif
