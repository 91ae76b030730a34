/* SPDX-License-Identifier: MIT */
/* render.h: the renderer process (render.c), started by inkwelld. */
#ifndef INKWELL_RENDER_H
#define INKWELL_RENDER_H

struct conf;

/*
 * Keeps [paths] stale's last complete rendering of the site up to date
 * until SIGTERM.  Returns the process exit status.
 */
int	 render_main(const struct conf *);

#endif
