/* SPDX-License-Identifier: MIT */
/* worker.h: one FastCGI worker process (its state: lib/worker_state.h). */
#ifndef INKWELL_WORKER_H
#define INKWELL_WORKER_H

#include "lib/worker_state.h"

struct conf;

/*
 * Runs a worker on listen_fd until SIGTERM (finishing the request in
 * flight first).  Writes one byte to ready_fd (then closes it) once it
 * can serve, so the supervisor can replace workers without a gap.
 * Returns the process exit status.
 */
int	 worker_main(const struct conf *, int listen_fd, int ready_fd);

#endif
