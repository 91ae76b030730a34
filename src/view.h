/* SPDX-License-Identifier: MIT */
/* view.h: the json-c view model every page and API response is built from. */
#ifndef INKWELL_VIEW_H
#define INKWELL_VIEW_H

struct json_object;
struct req;

/*
 * Returns a new empty object that is released when the request ends:
 * the root of a view.  Children added with json_object_object_add() are
 * owned by it, so handlers never call json_object_put().
 */
struct json_object	*view_new(struct req *);

#endif
