/* SPDX-License-Identifier: MIT */
/* sitetime.h: the site's time zone: checking a name, local <-> instant. */
#ifndef INKWELL_SITETIME_H
#define INKWELL_SITETIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The longest zone name accepted (tzdata's longest is 32). */
#define SITETIME_NAME_MAX	64

/*
 * Whether name is a zone of the system's tzdata, which PostgreSQL on
 * Debian reads too: a strict name (letters, digits, '_', '+', '-'
 * parts joined by '/', at most three, the first starting with a capital,
 * so "posix/..." and "localtime" are out) naming a regular TZif file
 * under $TZDIR or /usr/share/zoneinfo.  Never follows ".." anywhere.
 */
bool	 sitetime_zone_ok(const char *name);

/*
 * Breaks t down in zone (a name sitetime_zone_ok() accepted; anything
 * else is taken as UTC).  Sets TZ for the process: a worker serves one
 * request at a time and nothing else in it reads local time.
 */
void	 sitetime_local(time_t t, const char *zone, struct tm *tm);

/*
 * The instant a wall-clock time "YYYY-MM-DDTHH:MM[:SS]" (a
 * datetime-local value) names in zone; -1 when s is not one.  In the
 * hour a clock goes back, the earlier of the two; in the hour it skips,
 * the time as if the clock had not.
 */
int	 sitetime_from_local(const char *s, const char *zone, time_t *out);

/* "YYYY-MM-DDTHH:MM:SSZ" of t, into out (at least 21 bytes). */
void	 sitetime_utc_iso(time_t t, char *out, size_t outlen);

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (as the queries give); -1 if not. */
int	 sitetime_parse_utc(const char *s, time_t *out);

#endif
