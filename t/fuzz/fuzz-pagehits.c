/* SPDX-License-Identifier: MIT */
/*
 * fuzz-pagehits.c: libFuzzer target for the page-hit datagram parser.
 * Anyone on the host may send the socket anything: the parser must
 * refuse or name a kind that exists, and accept only what nginx's
 * syslog writer would make (the shape pagehits.h gives).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "cache/pagehits.h"
#include "fuzz/fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum metric_page kind = METRIC_PAGE__MAX;
	const char	*s = (const char *)data;
	const char	*sp;
	size_t		 n = size, kl;

	if (pagehits_parse(s, size, &kind) != 0) {
		CHECK(kind == METRIC_PAGE__MAX);
		return 0;
	}
	CHECK(kind < METRIC_PAGE__MAX);
	CHECK(size <= PAGEHITS_MAX && s[0] == '<');
	if (s[n - 1] == '\n')
		n--;
	kl = strlen(metric_page_names[kind]);
	/* The kind's name ends the line, after "page-hit ". */
	CHECK(n > kl + 9 && memcmp(s + n - kl, metric_page_names[kind],
	    kl) == 0 && memcmp(s + n - kl - 9, "page-hit ", 9) == 0);
	/* No control byte and no NUL in what was accepted. */
	for (size_t i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
	sp = memchr(s, '>', n);
	CHECK(sp != NULL && sp - s <= 4);
	return 0;
}
