/* SPDX-License-Identifier: MIT */
/* util.h: allocation that aborts on failure, length-carrying strings. */
#ifndef INKWELL_UTIL_H
#define INKWELL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte string that carries its length; p need not be NUL-terminated. */
struct str {
	const char	*p;
	size_t		 n;
};

#define STR_LIT(s)	((struct str){ (s), sizeof(s) - 1 })
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Allocation wrappers.  On failure they print the size asked for and
 * abort(): the supervisor restarts the worker and only the request in
 * flight fails.  Callers never check for NULL.  The caller owns the
 * result and releases it with free().
 */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
void	 util_oom(size_t) __attribute__((noreturn));

/* True when p[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool	 util_utf8_valid(const char *, size_t);

/*
 * A form's text field: s is valid UTF-8 of min to max characters (code
 * points) with no control character, but newline, carriage return and
 * tab when lines.  False for NULL.
 */
bool	 util_text_ok(const char *s, size_t min, size_t max, bool lines);

/* Value of a hex digit, or -1. */
int	 util_hexval(unsigned char);

/* A slug as the schema checks it: ^[a-z0-9]+(-[a-z0-9]+)*$, 1..max bytes. */
bool	 util_slug_ok(const char *, size_t n, size_t max);

/* A username as the schema checks it: ^[a-z0-9][a-z0-9_-]{0,39}$. */
bool	 util_username_ok(const char *, size_t n);

/*
 * A timestamp as posts take it: YYYY-MM-DD, optionally [T ]HH:MM[:SS[.f
 * up to 6 digits]] and then Z or +-HH[:MM]; false for anything else,
 * NULL included. Impossible dates (February 30) pass: PostgreSQL refuses
 * them as a data exception.
 */
bool	 util_iso8601_ok(const char *);

/* Parses a PostgreSQL WAL position ("16/B374D848"); 0 when malformed. */
uint64_t util_lsn_parse(const char *);

/* Monotonic clock in seconds, for durations. */
double	 util_now(void);

/*
 * For a process that runs until told to stop: SIGTERM, SIGINT and SIGHUP
 * call handler (which should only set a flag), and SIGPIPE is ignored,
 * so a write to a closed socket fails with EPIPE instead of killing it.
 */
void	 util_on_stop(void (*handler)(int));

/*
 * A report of problems, one line each, written into a caller's buffer p
 * of len bytes (kept NUL-terminated): what does not fit is cut, and count
 * still counts every line. Start with { buf, sizeof buf, 0, 0 }.
 */
struct report {
	char	*p;
	size_t	 len, used;
	int	 count;
};

void	 report_add(struct report *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

#endif
