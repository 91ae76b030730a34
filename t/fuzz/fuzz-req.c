/* SPDX-License-Identifier: MIT */
/*
 * fuzz-req.c: libFuzzer target for req_parse, the request layer as a whole.
 *
 * The input is split at the first "\n\n": before it, NAME=VALUE lines are
 * the FastCGI parameters; after it, the body.  Invariants: the parse never
 * reads past what it was given, a refused request still has a printable
 * method and path for the log, and an accepted one has a decoded path that
 * starts with '/' and validated inputs within their caps.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "http/input.h"
#include "http/req.h"
#include "serve/route.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define MAXENV	128

struct src {
	char		*env[MAXENV + 1];
	const char	*body;
	size_t		 bodylen, pos;
};

static const char *
get(void *ctx, const char *name)
{
	struct src	*s = ctx;
	size_t		 n = strlen(name);

	for (char **e = s->env; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static long
rd(void *ctx, char *p, size_t n)
{
	struct src	*s = ctx;
	size_t		 left = s->bodylen - s->pos;

	if (n > left)
		n = left;
	memcpy(p, s->body + s->pos, n);
	s->pos += n;
	return (long)n;
}

/* As the worker's: uploads (the real route table says which) may send
 * more. */
static size_t
limit(const struct req *r)
{
	return route_upload(r) ? 8192 : 4096;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	struct src	 s;
	struct req	 r;
	char		*text, *sep, *line, *save = NULL;
	size_t		 n = 0;
	enum status	 st;

	if (a == NULL)
		a = arena_new(65536);
	arena_reset(a);
	memset(&s, 0, sizeof(s));
	text = arena_strndup(a, (const char *)data, size);
	if ((sep = strstr(text, "\n\n")) != NULL) {
		*sep = '\0';
		s.body = sep + 2;
		s.bodylen = size - (size_t)(s.body - text);
	}
	for (line = strtok_r(text, "\n", &save); line != NULL && n < MAXENV;
	    line = strtok_r(NULL, "\n", &save))
		if (strchr(line, '=') != NULL)
			s.env[n++] = line;
	s.env[n] = NULL;

	memset(&r, 0, sizeof(r));
	r.a = a;
	st = req_parse(&r, get, &s, s.env, rd, &s, limit);
	if (r.method_name == NULL || r.path == NULL || strlen(r.id) != 32)
		abort();
	if (st == ST_OK) {
		if (r.path[0] != '/' || r.method >= METHOD__MAX)
			abort();
		if (!util_utf8_valid(r.path, strlen(r.path)))
			abort();
		if (r.bodylen > 8192 || (r.bodylen > 4096 &&
		    !route_upload(&r)) || r.nqkv > INPUT_MAX_PAIRS ||
		    r.nform > INPUT_MAX_PAIRS || r.ncookies > INPUT_MAX_COOKIES)
			abort();
		for (int k = 0; k < KEY__MAX; k++)
			if (r.in[k] != NULL && r.in[k]->n > input_keys[k].max_len)
				abort();
		if (r.in[KEY_PAGE] != NULL && (r.in[KEY_PAGE]->i < 1 ||
		    r.in[KEY_PAGE]->i > 100000))
			abort();
	}
	return 0;
}
