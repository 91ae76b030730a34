/* SPDX-License-Identifier: MIT */
/* conf.h: inkwell.conf (INI) with INKWELL_SECTION_KEY overrides. */
#ifndef INKWELL_CONF_H
#define INKWELL_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_DEFAULT_PATH	SYSCONFDIR "/inkwell/inkwell.conf"
/* The package's defaults: read first, changed only by upgrades. */
#define CONF_VENDOR_PATH	PKGDATADIR "/defaults.conf"
#define CONF_DROPIN_DIR		"conf.d"	/* beside the main file */
#define CONF_NKEYS		47		/* rows in conf.c's keys[] */

struct conf {
	/* [server] */
	char	*listen;		/* unix:PATH, HOST:PORT, [V6]:PORT, systemd */
	int64_t	 workers;
	int64_t	 socket_mode;
	char	*user;			/* drop to this user when started as root */
	int64_t	 shutdown_timeout;	/* seconds */
	int64_t	 max_body;		/* bytes */
	int64_t	 media_max_bytes;	/* bytes in one media upload */
	int64_t	 media_max_pixels;	/* width * height of an uploaded picture */
	int64_t	 media_max_side;	/* pixels, either side */
	int64_t	 media_timeout;		/* seconds inkwell-image may take */
	int64_t	 media_memory_mb;	/* inkwell-image's address space */
	char	*image_helper;		/* inkwell-image's path */
	char	*base_url;
	/* [database] */
	char	*db_primary;		/* libpq conninfo */
	char	*db_replica;		/* empty: read from the primary */
	int64_t	 db_statement_timeout;	/* milliseconds */
	int64_t	 db_connect_timeout;	/* seconds */
	/* [redis] */
	char	*redis_address;		/* unix:PATH or HOST:PORT; empty: off */
	char	*redis_password;	/* AUTH after connecting; empty: none */
	int64_t	 redis_timeout;		/* milliseconds, connect and command */
	int64_t	 redis_ttl;		/* seconds a cached page lives */
	int64_t	 redis_retry;		/* ms without Redis after a failure */
	int64_t	 redis_sync_interval;	/* ms between version checks */
	/* [cache] */
	int64_t	 cache_render_wait;	/* ms a miss waits for another
					 * worker's render; 0: no waiting */
	/* [paths] */
	char	*templates;
	char	*static_dir;
	char	*pages_dir;		/* page files for nginx; empty: off */
	char	*page_hits;		/* socket nginx reports page-file
					 * hits to; empty: not counted */
	int64_t	 pages_max_mb;		/* per generation, all workers */
	char	*stale_dir;		/* last complete rendering; empty: off */
	int64_t	 stale_max_mb;		/* bound on one rendering */
	int64_t	 stale_settle;		/* seconds without a change first */
	int64_t	 stale_every;		/* seconds between renderings, at least */
	/* [log] */
	char	*log_level;		/* debug, info, warn, error */
	/* [chaos]: fault injection, off unless enabled (serve/chaos.h) */
	bool	 chaos_enabled;
	char	*chaos_route;		/* a route pattern, or "*"; "": none */
	double	 chaos_ratio;		/* of eligible requests, 0..1 */
	int64_t	 chaos_latency_ms;	/* added delay; 0: none */
	int64_t	 chaos_error_status;	/* 500..599; 0: no error answers */
	bool	 chaos_crash;		/* the worker aborts */
	char	*chaos_header_secret;	/* "": every request is eligible */
	/* [trace] */
	char	*trace_endpoint;	/* OTLP/HTTP traces URL; empty: off */
	double	 trace_sample_ratio;	/* 0..1 of the traces we start */
	char	*trace_service;		/* service.name in the spans */
	int64_t	 trace_queue;		/* spans waiting per worker, at most */
	int64_t	 trace_batch;		/* spans in one export, at most */
	int64_t	 trace_timeout;		/* ms, connect and whole export */

	/* Where each key's value came from ("FILE:LINE", "environment
	 * VAR"; NULL: the compiled-in default), in keys[] order, and the
	 * files read, in order, one a line. */
	char	*origin[CONF_NKEYS];
	char	*files;
};

/*
 * Loads the layers, each overriding those before it: the compiled-in
 * defaults; the package's defaults file CONF_VENDOR_PATH, if it exists;
 * path (if not NULL); the drop-ins "*.conf" in the directory conf.d
 * beside path, in the C locale's order of their names; then INKWELL_*
 * variables from the environment.  A "<key>_file" secret is read where
 * it is set.  Returns 0 and fills *c, or -1 having written each
 * problem, with file and line, to err (one per line, NUL-terminated,
 * truncated at errlen).  A missing path is an error only when
 * must_exist.  The caller owns *c and frees it with conf_free() even on
 * failure.
 */
int	 conf_load(struct conf *c, const char *path, bool must_exist,
	    char *err, size_t errlen);

/* conf_load() with another defaults file (NULL: none), for tests. */
int	 conf_load_layers(struct conf *c, const char *vendor,
	    const char *path, bool must_exist, char *err, size_t errlen);

/* Parses from memory (for tests and the fuzzer); name labels errors.
 * Does not read the environment. */
int	 conf_parse_string(struct conf *c, const char *name, const char *text,
	    size_t len, char *err, size_t errlen);

/* Sets every key to its default. */
void	 conf_defaults(struct conf *c);

/* Frees the strings in *c; the struct itself is the caller's. */
void	 conf_free(struct conf *c);

/*
 * Where the value of [section] name in c came from, for messages about
 * it: "FILE:LINE", "environment VAR", or "built-in default" (also for a
 * key conf.c does not know).  The string belongs to c, valid until
 * conf_free().
 */
const char	*conf_origin(const struct conf *c, const char *section,
		    const char *name);

/* Writes the effective configuration, secrets masked, for check-config:
 * the files read, then every key, each set one after the comment naming
 * the file and line (or variable) that set it. */
void	 conf_dump(const struct conf *c, FILE *);

#endif
