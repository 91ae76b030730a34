/* SPDX-License-Identifier: MIT */
/* util.c: allocation that aborts on failure, UTF-8 check, clocks. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"

void
util_oom(size_t n)
{
	fprintf(stderr, "inkwell: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		util_oom(n);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if ((p = calloc(nmemb ? nmemb : 1, size ? size : 1)) == NULL)
		util_oom(nmemb * size);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p;

	if ((p = realloc(old, n ? n : 1)) == NULL)
		util_oom(n);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t	 n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

bool
util_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p;
		size_t	 len;
		uint32_t cp, min;

		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else
			return false;
		if ((size_t)(end - p) < len)
			return false;
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += len;
	}
	return true;
}

int
util_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
util_slug_ok(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		/* s[0] is not '-', so s[i - 1] exists. */
		if (c == '-' && s[i - 1] != '-')
			continue;
		return false;
	}
	return true;
}

bool
util_username_ok(const char *s, size_t n)
{
	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (i > 0 && (c == '_' || c == '-'))
			continue;
		return false;
	}
	return true;
}

double
util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t
util_lsn_parse(const char *s)
{
	uint64_t	 hi = 0, lo = 0;
	size_t		 n;
	int		 v;

	if (s == NULL)
		return 0;
	for (n = 0; (v = util_hexval((unsigned char)*s)) >= 0; s++, n++)
		hi = hi << 4 | (uint64_t)v;
	if (n == 0 || n > 8 || *s++ != '/')
		return 0;
	for (n = 0; (v = util_hexval((unsigned char)*s)) >= 0; s++, n++)
		lo = lo << 4 | (uint64_t)v;
	if (n == 0 || n > 8 || *s != '\0')
		return 0;
	return hi << 32 | lo;
}

bool
util_text_ok(const char *s, size_t min, size_t max, bool lines)
{
	size_t	 n, c = 0;

	if (s == NULL || !util_utf8_valid(s, n = strlen(s)))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 || ch == 0x7f) && !(lines && (ch == '\n' ||
		    ch == '\r' || ch == '\t')))
			return false;
		c += (ch & 0xc0) != 0x80;
	}
	return c >= min && c <= max;
}

/* s[0..n) are n digits whose value is in [lo, hi]; stops at a NUL. */
static bool
digits(const char *s, int n, int lo, int hi)
{
	int	 v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	return v >= lo && v <= hi;
}

bool
util_iso8601_ok(const char *s)
{
	const char	*p = s;
	int		 f;

	if (s == NULL || strlen(s) < 10 || !digits(p, 4, 1, 9999) || p[4] != '-' ||
	    !digits(p + 5, 2, 1, 12) || p[7] != '-' || !digits(p + 8, 2, 1, 31))
		return false;
	p += 10;
	if (*p == '\0')
		return true;
	if ((*p != 'T' && *p != ' ') || strlen(p) < 6 ||
	    !digits(p + 1, 2, 0, 23) || p[3] != ':' || !digits(p + 4, 2, 0, 59))
		return false;
	p += 6;
	if (*p == ':') {
		if (!digits(p + 1, 2, 0, 60))
			return false;
		p += 3;
		if (*p == '.') {
			for (f = 0; p[1 + f] >= '0' && p[1 + f] <= '9'; f++)
				;
			if (f < 1 || f > 6)
				return false;
			p += 1 + f;
		}
	}
	if (*p == '\0' || strcmp(p, "Z") == 0)
		return true;
	if (*p != '+' && *p != '-')
		return false;
	if (!digits(p + 1, 2, 0, 14))
		return false;
	p += 3;
	if (*p == ':')
		p++;
	return *p == '\0' || (digits(p, 2, 0, 59) && p[2] == '\0');
}

void
util_on_stop(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

void
report_add(struct report *e, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	e->count++;
	if (e->len == 0 || e->used + 1 >= e->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(e->p + e->used, e->len - e->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	e->used += (size_t)n;
	if (e->used >= e->len)
		e->used = e->len - 1;
	if (e->used + 1 < e->len) {
		e->p[e->used++] = '\n';
		e->p[e->used] = '\0';
	}
}
