/* SPDX-License-Identifier: MIT */
/* chaos.h: fault injection ([chaos] in inkwell.conf), off by default. */
#ifndef INKWELL_CHAOS_H
#define INKWELL_CHAOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct req;

/* What one request gets, as bits: a delay, then an error answer or a
 * crash (a crash wins: there is no answer after it). */
#define CHAOS_LATENCY	(1u << 0)
#define CHAOS_ERROR	(1u << 1)
#define CHAOS_CRASH	(1u << 2)

/* The request header that carries the secret, and that marks an
 * answer a fault was injected into. */
#define CHAOS_HEADER	"X-Inkwell-Chaos"

/* The [chaos] settings as the worker uses them; strings borrowed from
 * the conf they were made from, which outlives the worker. */
struct chaos {
	bool		 on;		/* enabled and something to inject */
	const char	*route;		/* pattern, or "*" */
	uint64_t	 below;		/* a 32-bit draw under it: inject */
	int64_t		 latency_ms;
	int		 error_status;	/* 0: none */
	bool		 crash;
	const char	*secret;	/* NULL: no header needed */
	size_t		 secretlen;
};

/* True in a worker whose [chaos] is on (chaos_setup): the one test a
 * request pays for when fault injection is off. */
extern bool	 chaos_live;

/* Fills *ch from c; off unless [chaos] enabled names something to
 * inject at a ratio above 0. */
void		 chaos_from_conf(struct chaos *ch, const struct conf *c);

/* chaos_from_conf() into this worker's settings, and sets chaos_live. */
void		 chaos_setup(const struct conf *c);

/*
 * The decision, kept apart from randomness so that it can be tested:
 * the CHAOS_* bits to inject into a request on route (its pattern)
 * carrying header (the X-Inkwell-Chaos value, or NULL) for which draw
 * is a uniform 32-bit random number; 0 for none.  "*" matches every
 * route but the operators' endpoints (/metrics, /livez, /healthz,
 * /readyz), so the faults stay observable and health checks truthful
 * unless they are named.  The secret is compared in constant time.
 */
unsigned	 chaos_decide(const struct chaos *ch, const char *route,
		    const char *header, uint32_t draw);

/*
 * For a request whose route has just been matched: decides, with a
 * random draw, and injects.  Each injection is logged (warn, with the
 * request id and route) and counted.  Latency sleeps here; a crash
 * aborts the process and does not return; an error writes the error
 * answer (HTML, or JSON under /api/, with "X-Inkwell-Chaos: injected")
 * and returns true: the caller must then not run the handler.  false
 * otherwise (an added delay also sets the header).
 */
bool		 chaos_inject(struct req *r);

/* Logs, as a warning, what c injects when [chaos] is enabled (at start
 * and at each reload); nothing otherwise. */
void		 chaos_announce(const struct conf *c);

/*
 * 0 when c's [chaos] route is "*" or a pattern known(pattern) says is a
 * route (route_known(), passed in so that the router may include this
 * file), or [chaos] is off; else -1 with why in err (NUL-terminated,
 * truncated at errlen).  A pattern that names no route would inject
 * nothing and look like a test passed, so inkwelld refuses it.
 */
int		 chaos_check_route(const struct conf *c,
		    bool (*known)(const char *pattern), char *err,
		    size_t errlen);

#endif
