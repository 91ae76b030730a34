/* SPDX-License-Identifier: MIT */
/* keeper.h: inkwelld's keeper process, which looks after the page files. */
#ifndef INKWELL_KEEPER_H
#define INKWELL_KEEPER_H

struct conf;

/* The keeper process (keeper.c): runs until SIGTERM; the exit status. */
int	 keeper_main(const struct conf *);

#endif
