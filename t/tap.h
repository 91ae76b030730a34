/* SPDX-License-Identifier: MIT */
/*
 * tap.h: a small Test Anything Protocol producer for inkwell's C tests.
 *
 * Every test program includes this header, calls plan() (or plan_lazy()),
 * reports checks with ok()/is_int()/is_string(), and returns
 * done_testing(), whose value is the process exit status: 0 only when the
 * plan was met and no check failed.  Header-only on purpose: each test is
 * one translation unit and needs no library of its own.
 */
#ifndef INKWELL_TAP_H
#define INKWELL_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_planned = -1;	/* -1: lazy, print the plan at the end */
static int tap_run;
static int tap_failed;

static inline void tap_vline(const char *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
static inline bool tap_vok(bool, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
static inline void diag(const char *, ...)
    __attribute__((format(printf, 1, 2)));
static inline void skip_all(const char *, ...)
    __attribute__((format(printf, 1, 2)));
static inline void bail(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static inline bool ok(bool, const char *, ...)
    __attribute__((format(printf, 2, 3)));
static inline bool is_int(int64_t, int64_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));
static inline bool is_string(const char *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static inline void
tap_vline(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stdout);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Announces how many checks follow. */
static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* The plan will be printed by done_testing() from the number run. */
static inline void
plan_lazy(void)
{
	tap_planned = -1;
}

/* Writes a diagnostic line that TAP consumers show but do not count. */
static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fflush(stdout);
	fputs("# ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Skips the whole program, e.g. when a server it needs is not set up. */
static inline void
skip_all(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("1..0 # SKIP ", fmt, ap);
	va_end(ap);
	exit(0);
}

/* Aborts the run: the harness reports the program as failed. */
static inline void
bail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline("Bail out! ", fmt, ap);
	va_end(ap);
	exit(255);
}

static inline bool
tap_vok(bool cond, const char *fmt, va_list ap)
{
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

/* Reports one check; returns cond so callers can add diagnostics. */
static inline bool
ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

/* Passes when two integers are equal; shows both when they are not. */
static inline bool
is_int(int64_t expected, int64_t seen, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(expected == seen, fmt, ap);
	va_end(ap);
	if (!r)
		diag("expected %lld, seen %lld", (long long)expected,
		    (long long)seen);
	return r;
}

/* Passes when two strings are equal (NULL equals only NULL). */
static inline bool
is_string(const char *expected, const char *seen, const char *fmt, ...)
{
	va_list ap;
	bool same, r;

	if (expected == NULL || seen == NULL)
		same = expected == seen;
	else
		same = strcmp(expected, seen) == 0;
	va_start(ap, fmt);
	r = tap_vok(same, fmt, ap);
	va_end(ap);
	if (!r)
		diag("expected '%s', seen '%s'",
		    expected ? expected : "(null)", seen ? seen : "(null)");
	return r;
}

/* Records n skipped checks with a reason. */
static inline void
skip(int n, const char *reason)
{
	while (n-- > 0) {
		tap_run++;
		printf("ok %d # skip %s\n", tap_run, reason);
	}
	fflush(stdout);
}

/* Ends the run; the result is the exit status for main() to return. */
static inline int
done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run) {
		diag("planned %d checks but ran %d", tap_planned, tap_run);
		return 255;
	}
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
