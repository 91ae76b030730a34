/* SPDX-License-Identifier: MIT */
/*
 * cache-t.c: the page cache's entry codec with hostile values, the WAL
 * position parser, the cache key, and the breaker with no Redis at all.
 * The cache against a real Redis is tested end to end (t/4008, t/4007).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "cache/cache.h"
#include "lib/conf.h"
#include "db/db.h"
#include "http/input.h"
#include "http/req.h"
#include "cache/pagecache.h"
#include "tap.h"
#include "lib/util.h"

static int
dec(struct arena *a, const char *s, struct cache_entry *e)
{
	return cache_decode(a, s, strlen(s), e);
}

static void
codec(struct arena *a)
{
	struct cache_entry in = { 42, 1700000000, 1690000000,
	    "text/html; charset=utf-8", "no-cache", "\"abc\"",
	    "<p>body\n\0with NUL</p>", 22 }, out;
	char		*p;
	size_t		 n;

	p = cache_encode(a, &in, &n);
	ok(cache_decode(a, p, n, &out) == 0, "round trip decodes");
	is_int(42, out.version, "version kept");
	is_int(1700000000, out.created, "created kept");
	is_int(1690000000, out.last_modified, "last_modified kept");
	is_string(in.ctype, out.ctype, "content type kept");
	is_string(in.cache_control, out.cache_control, "cache-control kept");
	is_string(in.etag, out.etag, "etag kept");
	ok(out.bodylen == in.bodylen && memcmp(out.body, in.body,
	    in.bodylen) == 0, "body kept byte for byte, NUL and all");

	in.etag = "";
	in.bodylen = 0;
	p = cache_encode(a, &in, &n);
	ok(cache_decode(a, p, n, &out) == 0 && out.bodylen == 0 &&
	    out.etag[0] == '\0', "empty body and no etag");

	/* Truncation at every byte must be refused or decode to less. */
	in.etag = "\"e\"";
	in.body = "x";
	in.bodylen = 1;
	p = cache_encode(a, &in, &n);
	for (size_t i = 0; i < n - 1; i++)
		if (cache_decode(a, p, i, &out) == 0 && out.bodylen != 0) {
			ok(0, "truncated at %zu decodes with a body", i);
			break;
		}
	ok(1, "truncated entries never decode with the body");

	ok(dec(a, "", &out) != 0, "empty: refused");
	ok(dec(a, "IW2 1 2 3\nt\nc\ne\nb", &out) != 0, "other magic: refused");
	ok(dec(a, "IW1 1 2 3\nt\nc\ne\nbody", &out) == 0, "minimal entry");
	ok(dec(a, "IW1 x 2 3\nt\nc\ne\n", &out) != 0, "version not a number");
	ok(dec(a, "IW1 1 2x 3\nt\nc\ne\n", &out) != 0, "created not a number");
	ok(dec(a, "IW1 1 2 -3\nt\nc\ne\n", &out) != 0, "negative last_modified");
	ok(dec(a, "IW1 99999999999999999999 2 3\nt\nc\ne\n", &out) != 0,
	    "version out of range");
	ok(dec(a, "IW1  2 3\nt\nc\ne\n", &out) != 0, "empty number");
	ok(dec(a, "IW1 1 2 3\n\nc\ne\n", &out) != 0, "empty content type");
	ok(dec(a, "IW1 1 2 3\nt\n\ne\n", &out) != 0, "empty cache-control");
	ok(dec(a, "IW1 1 2 3\nt\rX-Evil: 1\nc\ne\n", &out) != 0,
	    "CR in a header value: refused (no header injection)");
	ok(dec(a, "IW1 1 2 3\nt\nc\ne\x01\n", &out) != 0,
	    "control byte in a header value: refused");
	ok(dec(a, "IW1 1 2 3\nt\nc\ne", &out) != 0, "header not ended");
	{
		struct buf b;

		buf_init(&b, a, 512);
		buf_puts(&b, "IW1 1 2 3\n");
		for (int i = 0; i < CACHE_MAX_FIELD + 1; i++)
			buf_putc(&b, 't');
		buf_puts(&b, "\nc\ne\n");
		ok(cache_decode(a, b.p, b.n, &out) != 0,
		    "header value over %d bytes: refused", CACHE_MAX_FIELD);
	}
}

static void
lsn(void)
{
	ok(util_lsn_parse("0/0") == 0, "lsn 0/0");
	ok(util_lsn_parse("16/B374D848") == ((uint64_t)0x16 << 32 |
	    0xB374D848u), "lsn 16/B374D848");
	ok(util_lsn_parse("FFFFFFFF/FFFFFFFF") == UINT64_MAX, "lsn max");
	ok(util_lsn_parse("1/") == 0, "lsn without low half: 0");
	ok(util_lsn_parse("/1") == 0, "lsn without high half: 0");
	ok(util_lsn_parse("1/2/3") == 0, "lsn with two slashes: 0");
	ok(util_lsn_parse("123456789/1") == 0, "lsn half too long: 0");
	ok(util_lsn_parse("g/1") == 0, "lsn not hex: 0");
	ok(util_lsn_parse(NULL) == 0, "lsn NULL: 0");
}

/* A request for path?query as req_parse would leave it. */
static struct req *
mkreq(struct arena *a, const char *path, const char *query)
{
	struct req	*r = arena_alloc(a, sizeof(*r));

	memset(r, 0, sizeof(*r));
	r->a = a;
	r->path = path;
	if (input_parse_urlencoded(a, query, strlen(query), INPUT_MAX_PAIRS,
	    &r->qkv, &r->nqkv) != INPUT_OK)
		bail("cannot parse %s", query);
	input_validate(a, r->qkv, r->nqkv, NULL, 0, r->in);
	return r;
}

static void
keys(struct arena *a)
{
	const char	*k;
	char		 big[1200];

	is_string("{iw}:p:/?", pagecache_key(mkreq(a, "/", "")),
	    "key: bare path");
	is_string("{iw}:p:/?&page=2", pagecache_key(mkreq(a, "/",
	    "page=2")), "key: page");
	k = pagecache_key(mkreq(a, "/api/v1/posts", "tag=go&page=2"));
	is_string(k, pagecache_key(mkreq(a, "/api/v1/posts",
	    "page=2&tag=go")), "key: order of the query does not matter");
	is_string("{iw}:p:/search?&q=a%20b%26c%3D", pagecache_key(
	    mkreq(a, "/search", "q=a+b%26c%3D")),
	    "key: values are escaped, so & and = cannot forge another key");
	ok(pagecache_key(mkreq(a, "/", "utm=1")) == NULL,
	    "key: unknown query key: not cached");
	ok(pagecache_key(mkreq(a, "/api/v1/posts", "page=abc")) == NULL,
	    "key: invalid value: not cached (the handler answers 400)");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(pagecache_key(mkreq(a, big, "")) == NULL,
	    "key: over the length limit: not cached");
}

static void
breaker(struct arena *a)
{
	struct conf	 c;
	struct cache	*cache;
	struct db	*db;
	struct buf	 body;
	struct cache_entry e;
	double		 t0;

	conf_defaults(&c);
	free(c.redis_address);
	c.redis_address = xstrdup("");
	cache = cache_open(&c);
	ok(!cache_enabled(cache), "empty address: caching off");
	cache_close(cache);

	free(c.redis_address);
	c.redis_address = xstrdup("nonsense");
	cache = cache_open(&c);
	ok(!cache_enabled(cache), "malformed address: caching off");
	cache_close(cache);

	/* Port 1 on loopback: nothing listens there. */
	free(c.redis_address);
	c.redis_address = xstrdup("127.0.0.1:1");
	free(c.db_primary);
	c.db_primary = xstrdup("host=/nonexistent dbname=x");
	cache = cache_open(&c);
	db = db_open(&c);
	buf_init(&body, a, 64);
	ok(cache_enabled(cache), "before any failure the breaker is closed");
	t0 = util_now();
	is_int(CACHE_BYPASS, cache_get(cache, db, a, "{iw}:p:/?", &body, &e),
	    "Redis refusing: bypass");
	ok(util_now() - t0 < 1.0, "and at once");
	ok(!cache_enabled(cache), "the breaker is open after the failure");
	is_int(CACHE_BYPASS, cache_get(cache, db, a, "{iw}:p:/?", &body, &e),
	    "while open: bypass without trying");
	ok(body.n == 0, "nothing was written to the body");
	cache_close(cache);
	db_close(db);
	conf_free(&c);
}

static void
theme(void)
{
	char	 tmpl[] = "/tmp/inkwell-cache-t.XXXXXX", f[128], id1[17];
	char	 id2[17], id3[17], id4[17];
	char	*dir = mkdtemp(tmpl);
	FILE	*fp;

	if (dir == NULL)
		bail("mkdtemp failed");
	snprintf(f, sizeof(f), "%s/partials", dir);
	ok(mkdir(f, 0755) == 0, "a theme directory with a partials/");
	snprintf(f, sizeof(f), "%s/partials/head.mustache", dir);
	if ((fp = fopen(f, "w")) == NULL)
		bail("cannot write %s", f);
	fputs("<head>one</head>\n", fp);
	fclose(fp);
	cache_theme_id(dir, "http://a.example", id1);
	ok(strlen(id1) == 16 && strspn(id1, "0123456789abcdef") == 16,
	    "the theme id is 16 hex digits (%s)", id1);
	cache_theme_id(dir, "http://a.example", id2);
	is_string(id1, id2, "the same theme gives the same id");
	cache_theme_id(dir, "http://b.example", id3);
	ok(strcmp(id1, id3) != 0, "another base URL, another id");
	if ((fp = fopen(f, "w")) == NULL)
		bail("cannot write %s", f);
	fputs("<head>two</head>\n", fp);
	fclose(fp);
	cache_theme_id(dir, "http://a.example", id4);
	ok(strcmp(id1, id4) != 0, "a partial edited, another id");
	unlink(f);
	snprintf(f, sizeof(f), "%s/partials", dir);
	rmdir(f);
	rmdir(dir);
}

int
main(void)
{
	struct arena	*a = arena_new(4096);

	plan_lazy();
	codec(a);
	lsn();
	keys(a);
	breaker(a);
	theme();
	arena_free(a);
	return done_testing();
}
