/* SPDX-License-Identifier: MIT */
/* log.h: JSON lines on stderr, one per event and one per request. */
#ifndef INKWELL_LOG_H
#define INKWELL_LOG_H

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_LEVEL__MAX
};

struct req;

/* Sets the lowest level written ("debug".."error"); unknown: info. */
void	 log_set_level(const char *);

/* Names the process in every line ("supervisor", "worker"). */
void	 log_set_role(const char *);

/* Writes {"time","level","role","pid","msg"} as one line, one write(2). */
void	 log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Writes the access line for a finished request. */
void	 log_request(const struct req *, size_t bytes, double seconds);

#endif
