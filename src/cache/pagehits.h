/* SPDX-License-Identifier: MIT */
/*
 * pagehits.h: counts the pages nginx answers from page files, which no
 * worker sees.
 *
 * nginx sends one syslog datagram per such request (the access_log
 * "syslog:" target in nginx/inkwell.conf) to a unix datagram socket that
 * inkwelld's page-hits process binds ([paths] page_hits); that process
 * checks each datagram and adds it to inkwell_page_file_hits_total.  One
 * datagram, exactly as nginx's syslog writer makes it with "nohostname"
 * and "tag=inkwell", the log format being "page-hit $inkwell_page_ext":
 *
 *	<PRI>Mmm dd hh:mm:ss inkwell: page-hit TYPE
 *
 * PRI is 0..191, the time is syslog's (day padded with a space), TYPE
 * one of metric_page_names[]; one final newline is allowed.  Anything
 * else is refused whole.
 */
#ifndef INKWELL_PAGEHITS_H
#define INKWELL_PAGEHITS_H

#include <stddef.h>

#include "lib/metrics.h"

struct conf;

/* Longest datagram accepted; a longer one is refused unread. */
#define PAGEHITS_MAX	128
/* Milliseconds the page-hits process naps between reads under load. */
#define PAGEHITS_NAP_MS	2

/*
 * Reads one datagram (p, n bytes; need not be NUL-terminated).  0 with
 * *kind set when it is a page-hit line, -1 (and *kind untouched) when
 * it is anything else.
 */
int	 pagehits_parse(const char *p, size_t n, enum metric_page *kind);

/*
 * The page-hits process: binds conf's page_hits socket (mode 0666: see
 * pagehits.c), counts until SIGTERM, removes the socket.  The exit
 * status: 0 after SIGTERM, 1 when the socket cannot be had.
 */
int	 pagehits_main(const struct conf *);

#endif
