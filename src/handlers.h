/* SPDX-License-Identifier: MIT */
/* handlers.h: every handler the route table names, one file per family. */
#ifndef INKWELL_HANDLERS_H
#define INKWELL_HANDLERS_H

#include "status.h"

struct req;

/* h_health.c: operations endpoints.  Never cached. */
enum status	 h_healthz(struct req *);
enum status	 h_livez(struct req *);
enum status	 h_readyz(struct req *);	/* 503 when the DB is not ready */
enum status	 h_version(struct req *);

#endif
