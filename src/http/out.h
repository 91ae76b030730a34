/* SPDX-License-Identifier: MIT */
/*
 * out.h: building the response.  Text goes into it escaped by the
 * functions of escape.h, the same ones the template renderer uses.
 */
#ifndef INKWELL_OUT_H
#define INKWELL_OUT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct req;
struct json_object;

/* True when a header value is safe to send: no CR, LF or NUL. */
bool	 out_header_ok(const char *);

/* Sets the status (default 200). */
void	 out_status(struct req *, int);

/* Sets the Content-Type. */
void	 out_ctype(struct req *, const char *);

/*
 * Adds a response header; the strings must live as long as the request.
 * Returns -1 (and adds nothing) when the value holds CR, LF or NUL or the
 * table is full: a header can never split the response.
 */
int	 out_header(struct req *, const char *name, const char *value);

/* Appends raw bytes to the body (trusted output only). */
void	 out_put(struct req *, const char *, size_t);
void	 out_puts(struct req *, const char *);

/* Appends text, HTML-escaped. */
void	 out_html(struct req *, const char *);

/*
 * Replaces the body with the serialised json-c object (the only way JSON
 * is produced) and sets Content-Type application/json.  Does not take
 * ownership of obj.
 */
void	 out_json(struct req *, struct json_object *obj);

/*
 * For a 200 answer to GET or HEAD: adds ETag (a hash of the body) when
 * the handler asked for one and Last-Modified when it set a time, and
 * turns the answer into 304 Not Modified with no body when the client's
 * If-None-Match or If-Modified-Since shows it already has it.
 */
void	 out_conditional(struct req *);

/* The response's ETag (quoted hash of the body), computed once and kept
 * in resp.etag_value.  Arena string. */
const char *out_etag(struct req *);

/* Returns the text for an HTTP status code ("Not Found"). */
const char *out_reason(int);

/*
 * Serialises status line and headers (CGI style, "Status: 200 OK") into
 * b, ending with the blank line.  The body follows separately; head
 * suppresses nothing here (worker omits the body for HEAD).
 */
void	 out_head(const struct req *, struct buf *b);

#endif
