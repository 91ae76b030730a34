/* SPDX-License-Identifier: MIT */
/* sitetime-t.c: zone names against tzdata, hostile ones, conversions. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sitetime.h"
#include "tap.h"

int
main(void)
{
	static const char *const good[] = { "UTC", "Europe/Berlin",
	    "Pacific/Auckland", "America/Los_Angeles",
	    "America/Argentina/Buenos_Aires", "Etc/GMT+5" };
	static const char *const bad[] = { "", "Mars/Olympus",
	    "../etc/passwd", "UTC; DROP", "Europe/../../etc/passwd",
	    "/etc/passwd", "Europe//Berlin", "Europe/Berlin/", "utc",
	    "posix/Europe/Berlin", "right/UTC", "localtime", "Europe",
	    "Europe/Berlin\n", "Europe/Ber lin", "A/B/C/D",
	    "Europe/.Berlin", "Etc/-5" };
	char		 iso[32], longname[200];
	struct tm	 tm;
	time_t		 t;

	plan_lazy();
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(sitetime_zone_ok(good[i]), "zone %s is accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!sitetime_zone_ok(bad[i]), "zone \"%s\" is refused", bad[i]);
	ok(!sitetime_zone_ok(NULL), "NULL is refused");
	memset(longname, 'A', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(!sitetime_zone_ok(longname), "a 199-byte name is refused");

	ok(sitetime_parse_utc("2026-01-31T20:00:00Z", &t) == 0 &&
	    t == 1769889600, "a UTC stamp parses");
	ok(sitetime_parse_utc("2026-01-31T20:00:00", &t) != 0,
	    "a stamp without Z is refused");
	sitetime_local(1769889600, "Pacific/Auckland", &tm);
	ok(tm.tm_mday == 1 && tm.tm_mon == 1 && tm.tm_hour == 9,
	    "20:00Z on 31 January is 09:00 on 1 February in Auckland");
	sitetime_local(1769914800, "America/Los_Angeles", &tm);
	ok(tm.tm_mday == 31 && tm.tm_mon == 0 && tm.tm_hour == 19,
	    "03:00Z on 1 February is 19:00 on 31 January in Los Angeles");
	sitetime_local(1769889600, "Nowhere/Zone", &tm);
	ok(tm.tm_hour == 20, "a bad name is taken as UTC");

	ok(sitetime_from_local("2026-02-01T09:00", "Pacific/Auckland",
	    &t) == 0 && t == 1769889600, "a wall clock in Auckland");
	sitetime_utc_iso(t, iso, sizeof(iso));
	is_string("2026-01-31T20:00:00Z", iso, "back to UTC");
	ok(sitetime_from_local("2026-07-01T12:30:15", "Europe/Berlin",
	    &t) == 0 && t == 1782901815, "seconds, summer time in Berlin");
	ok(sitetime_from_local("2026-02-31T09:00", "UTC", &t) != 0,
	    "31 February is refused");
	ok(sitetime_from_local("2026-02-01T24:00", "UTC", &t) != 0,
	    "hour 24 is refused");
	ok(sitetime_from_local("2026-02-01T09:00Z", "UTC", &t) != 0,
	    "a value with a zone is not a wall clock");
	ok(sitetime_from_local("2026-2-1T9:00", "UTC", &t) != 0,
	    "short fields are refused");
	ok(sitetime_from_local(NULL, "UTC", &t) != 0, "NULL is refused");
	return done_testing();
}
