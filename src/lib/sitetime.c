/* SPDX-License-Identifier: MIT */
/*
 * sitetime.c: the site's time zone.  Names are checked against the
 * system's tzdata, the same files PostgreSQL reads on Debian, so a zone
 * accepted here means the same in C and in SQL (AT TIME ZONE).
 * Conversions go through the C library with TZ set to the zone; the
 * setting changes rarely, so tzset() runs only when it does.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/sitetime.h"

static bool
part_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
}

/* The strict name rule of sitetime_zone_ok(), without the file. */
static bool
name_ok(const char *s)
{
	size_t	 n, i, parts = 1, len = 0;

	if (s == NULL || (n = strlen(s)) == 0 || n > SITETIME_NAME_MAX ||
	    s[0] < 'A' || s[0] > 'Z')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '/') {
			/* No empty part; each starts with a letter. */
			if (len == 0 || ++parts > 3 || i + 1 == n)
				return false;
			len = 0;
			continue;
		}
		if (!part_char(s[i]))
			return false;
		if (len == 0 && !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
		len++;
	}
	return true;
}

bool
sitetime_zone_ok(const char *name)
{
	const char	*dir = getenv("TZDIR");
	char		 path[512], magic[4];
	struct stat	 sb;
	int		 fd;
	bool		 ok = false;

	if (!name_ok(name))
		return false;
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return false;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		/* Debian links some zones (UTC, Etc/...): allow a link. */
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return false;
	}
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", 4) == 0)
		ok = true;
	close(fd);
	return ok;
}

/* Sets TZ to zone (UTC for a bad name) when it is not that already. */
static void
use_zone(const char *zone)
{
	static char	 cur[SITETIME_NAME_MAX + 2];
	char		 want[SITETIME_NAME_MAX + 2];

	if (zone == NULL || !name_ok(zone))
		zone = "UTC";
	snprintf(want, sizeof(want), ":%s", zone);
	if (strcmp(want, cur) == 0)
		return;
	setenv("TZ", want, 1);
	tzset();
	memcpy(cur, want, sizeof(cur));
}

void
sitetime_local(time_t t, const char *zone, struct tm *tm)
{
	use_zone(zone);
	localtime_r(&t, tm);
}

/* n digits at s as a number in [min, max], or -1. */
static int
num(const char *s, int n, int min, int max)
{
	int	 v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < min || v > max ? -1 : v;
}

/* Days in month m (1-12) of year y. */
static int
days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return d[m - 1];
}

int
sitetime_from_local(const char *s, const char *zone, time_t *out)
{
	struct tm	 tm;
	size_t		 n;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || ((n = strlen(s)) != 16 && n != 19) ||
	    s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || (n == 19 && s[16] != ':'))
		return -1;
	if ((tm.tm_year = num(s, 4, 1, 9999)) < 0 ||
	    (tm.tm_mon = num(s + 5, 2, 1, 12)) < 0 ||
	    (tm.tm_mday = num(s + 8, 2, 1, 31)) < 0 ||
	    (tm.tm_hour = num(s + 11, 2, 0, 23)) < 0 ||
	    (tm.tm_min = num(s + 14, 2, 0, 59)) < 0 ||
	    (n == 19 && (tm.tm_sec = num(s + 17, 2, 0, 59)) < 0))
		return -1;
	/* 31 February is no date, not 3 March. */
	if (tm.tm_mday > days_in(tm.tm_year, tm.tm_mon))
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	use_zone(zone);
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

void
sitetime_utc_iso(time_t t, char *out, size_t outlen)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
sitetime_parse_utc(const char *s, time_t *out)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strlen(s) != 20 || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	if ((tm.tm_year = num(s, 4, 0, 9999)) < 0 ||
	    (tm.tm_mon = num(s + 5, 2, 1, 12)) < 0 ||
	    (tm.tm_mday = num(s + 8, 2, 1, 31)) < 0 ||
	    (tm.tm_hour = num(s + 11, 2, 0, 23)) < 0 ||
	    (tm.tm_min = num(s + 14, 2, 0, 59)) < 0 ||
	    (tm.tm_sec = num(s + 17, 2, 0, 60)) < 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return 0;
}
