/* SPDX-License-Identifier: MIT */
/* fuzz-i18n.c: libFuzzer target for the theme's language files. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/i18n.h"
#include "lib/sitetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct i18n	*s = i18n_new();
	char		 err[512], out[64], zone[80];
	struct tm	 tm;
	int		 rc;

	err[0] = '\0';
	rc = i18n_add(s, "en", "fuzz", (const char *)data, size, err,
	    sizeof(err));
	if (memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc != 0 && err[0] == '\0')
		abort();	/* a refusal must say why */
	if (rc == 0) {
		/* Every key formats, as a date pattern too, within out. */
		memset(&tm, 0, sizeof(tm));
		for (size_t i = 0; i < i18n_nkeys(s); i++) {
			if (i18n_get(s, NULL, i18n_key(s, i)) == NULL)
				abort();
			i18n_date(s, NULL, i18n_key(s, i), &tm, out,
			    sizeof(out));
			if (memchr(out, '\0', sizeof(out)) == NULL)
				abort();
		}
	}
	/* The same bytes as a zone name: never a path out of tzdata. */
	if (size < sizeof(zone)) {
		memcpy(zone, data, size);
		zone[size] = '\0';
		if (sitetime_zone_ok(zone) && (strstr(zone, "..") != NULL ||
		    zone[0] == '/'))
			abort();
	}
	i18n_free(s);
	return 0;
}
