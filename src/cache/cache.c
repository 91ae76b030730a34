/* SPDX-License-Identifier: MIT */
/*
 * cache.c: the page cache in Redis, with a circuit breaker.
 *
 * Keys (one hash slot, "{iw}"):
 *   {iw}:version  the content version the cache trusts
 *   {iw}:lsn      WAL position (decimal) after the write that made it
 *   {iw}:next     epoch seconds the next scheduled post goes live, or 0
 *   {iw}:live     epoch seconds the newest live post went live, or 0
 *   {iw}:p:<path>?<canonical query>   a page: header lines, then body
 *   {iw}:l:<version>:<the rest of a page key>   a render lock
 *                 (render coalescing, above cache_coalesce)
 *
 * PostgreSQL owns the version: triggers bump content_version on every
 * change a reader can see.  Writers push the new version to Redis after
 * committing and before answering, which retires every cached page at
 * once (an entry is served only when its version is the current one).
 * A lookup is a single MGET of the three state keys and the page.
 * Anything that bypasses the writers' push (psql, a writer that could not
 * reach Redis, a flushed or restarted Redis) is caught by each worker
 * comparing the two versions at most once per sync_interval, so a page is
 * never served stale for longer than that.
 *
 * Replicas: a miss is rendered from a replica only once the replica has
 * replayed up to {iw}:lsn (db_min_lsn); a lagging one is skipped for the
 * primary, so a page made after a write always contains it.
 *
 * Scheduled posts go live with no write at all: a page made before
 * {iw}:next is stale once that time has come, and one made before
 * {iw}:live is stale (the next sync moves next on and live up to it).
 *
 * Breaker: any failure (refused, timed out, garbage) frees the connection
 * and stops this worker from asking Redis for retry milliseconds; every
 * request is then served from PostgreSQL as if there were no cache.  The
 * first request after that reconnects (bounded by the timeout) and
 * compares versions before trusting anything in Redis.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "cache/cache.h"
#include "lib/conf.h"
#include "db/db.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "cache/pages.h"
#include "lib/util.h"

#define K_VERSION	"{iw}:version"
#define K_LSN		"{iw}:lsn"
#define K_NEXT		"{iw}:next"
#define K_LIVE		"{iw}:live"
#define K_PAGES		"{iw}:p:*"
#define K_PAGE		"{iw}:p:"
#define K_LOCK		"{iw}:l:"
/* Bytes of a render lock key; a page whose key makes a longer one is
 * rendered without coalescing. */
#define LOCK_MAX	1400

/*
 * Sets the state keys unless Redis already has a newer version.  Returns
 * -1 when it changed them, 0 when the version was the same (next and
 * live are refreshed: time moves on without writes), else the newer
 * version Redis holds.  ARGV[5] = "1" forces (PostgreSQL went back).
 */
static const char PUSH_LUA[] =
    "local cur = tonumber(redis.call('GET', KEYS[1]) or '-1')\n"
    "local new = tonumber(ARGV[1])\n"
    "if new > cur or ARGV[5] == '1' then\n"
    "  redis.call('MSET', KEYS[1], ARGV[1], KEYS[2], ARGV[2],"
    " KEYS[3], ARGV[3], KEYS[4], ARGV[4])\n"
    "  return -1\n"
    "end\n"
    "if new == cur then\n"
    "  redis.call('MSET', KEYS[3], ARGV[3], KEYS[4], ARGV[4])\n"
    "  return 0\n"
    "end\n"
    "return cur\n";

struct cache {
	redisContext	*rc;
	char		*path;		/* unix socket, or NULL for TCP */
	char		*host;
	int		 port;
	char		*password;	/* AUTH with it; NULL: none */
	bool		 off;		/* no address configured */
	struct timeval	 tv;
	int64_t		 ttl;
	double		 sync_interval;	/* seconds */
	double		 retry;		/* seconds the breaker stays open */
	double		 open_until;	/* util_now() before which: no Redis */
	double		 sync_at;	/* next version check */
	bool		 fill;		/* last lookup missed: may store */
	bool		 stored;	/* and cache_put() stored the page */
	bool		 hit;		/* last lookup was a hit */
	int64_t		 version;	/* the version that lookup saw */
	/* Render coalescing (cache_coalesce); render_wait 0: off. */
	double		 render_wait;	/* seconds */
	char		 lock[LOCK_MAX];	/* the lock held, or "" */
	char		 token[33];	/* its value, ours alone */
	double		 locked_at;	/* util_now() when taken */
	/* Page files (pages.h); pages NULL: off. */
	char		*pages;
	struct pages_gen gen;		/* current before the last lookup */
	bool		 have_gen;
	int64_t		 budget;	/* bytes this process may add a gen */
	int64_t		 spent;		/* bytes added to spent_gen */
	uint64_t	 spent_gen;
	int		 logged_errno;	/* last write failure logged */
	struct pages_next next;		/* cache_write_begin reserved */
	/* The keeper (cache_keep). */
	bool		 went_back;	/* sync saw PostgreSQL's version drop */
	double		 poll_at, gc_at;
};

/* How often the keeper reads the state keys, and removes old page
 * generations (and how old a generation must be to go). */
#define KEEP_POLL	0.1
#define KEEP_GC		10.0

static int64_t
wall(void)
{
	return (int64_t)time(NULL);
}

/* Splits "unix:PATH", "HOST:PORT" or "[V6]:PORT"; -1 when malformed. */
static int
parse_address(struct cache *c, const char *a)
{
	const char	*colon;
	char		*end;
	long		 port;

	if (strncmp(a, "unix:", 5) == 0) {
		if (a[5] != '/')
			return -1;
		c->path = xstrdup(a + 5);
		return 0;
	}
	if (*a == '[') {
		const char *rb = strchr(a, ']');

		if (rb == NULL || rb[1] != ':')
			return -1;
		c->host = xstrdup(a + 1);
		c->host[rb - a - 1] = '\0';
		colon = rb + 1;
	} else {
		if ((colon = strrchr(a, ':')) == NULL || colon == a)
			return -1;
		c->host = xstrdup(a);
		c->host[colon - a] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port < 1 ||
	    port > 65535)
		return -1;
	c->port = (int)port;
	return 0;
}

struct cache *
cache_open(const struct conf *conf)
{
	struct cache	*c = xcalloc(1, sizeof(*c));

	c->ttl = conf->redis_ttl;
	c->sync_interval = (double)conf->redis_sync_interval / 1e3;
	c->retry = (double)conf->redis_retry / 1e3;
	c->render_wait = (double)conf->cache_render_wait / 1e3;
	c->tv.tv_sec = conf->redis_timeout / 1000;
	c->tv.tv_usec = (conf->redis_timeout % 1000) * 1000;
	if (conf->pages_dir[0] != '\0') {
		c->pages = xstrdup(conf->pages_dir);
		c->budget = conf->pages_max_mb * (1 << 20) /
		    (conf->workers > 0 ? conf->workers : 1);
	}
	if (conf->redis_password[0] != '\0')
		c->password = xstrdup(conf->redis_password);
	if (conf->redis_address[0] == '\0')
		c->off = true;
	else if (parse_address(c, conf->redis_address) != 0) {
		log_msg(LOG_ERROR, "redis: address \"%s\" is not unix:/PATH, "
		    "HOST:PORT or [V6]:PORT; caching is off",
		    conf->redis_address);
		c->off = true;
	}
	return c;
}

void
cache_close(struct cache *c)
{
	if (c == NULL)
		return;
	if (c->rc != NULL)
		redisFree(c->rc);
	free(c->path);
	free(c->host);
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	free(c->pages);
	free(c);
}

/* XORs a digest of each file's name and bytes into acc: the order
 * readdir() gives does not matter. */
static void
theme_hash(const char *dir, const char *rel, int depth,
    unsigned char acc[16])
{
	DIR		*d;
	struct dirent	*de;

	if (depth > 2 || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char		 path[4096], name[1024], chunk[8192];
		unsigned char	 h[16];
		crypto_generichash_state st;
		struct stat	 sb;
		ssize_t		 n;
		int		 fd;

		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) ||
		    snprintf(name, sizeof(name), "%s/%s", rel, de->d_name) >=
		    (int)sizeof(name) || stat(path, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			theme_hash(path, name, depth + 1, acc);
			continue;
		}
		if (!S_ISREG(sb.st_mode) ||
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		crypto_generichash_init(&st, NULL, 0, sizeof(h));
		crypto_generichash_update(&st, (const unsigned char *)name,
		    strlen(name) + 1);
		while ((n = read(fd, chunk, sizeof(chunk))) > 0)
			crypto_generichash_update(&st,
			    (const unsigned char *)chunk, (size_t)n);
		close(fd);
		crypto_generichash_final(&st, h, sizeof(h));
		for (size_t i = 0; i < sizeof(h); i++)
			acc[i] ^= h[i];
	}
	closedir(d);
}

void
cache_theme_id(const char *templates, const char *base_url, char out[17])
{
	unsigned char	 acc[16] = { 0 }, h[8];
	crypto_generichash_state st;

	theme_hash(templates, "", 0, acc);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, acc, sizeof(acc));
	crypto_generichash_update(&st, (const unsigned char *)base_url,
	    strlen(base_url));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 17, h, sizeof(h));
}

bool
cache_enabled(const struct cache *c)
{
	return c != NULL && !c->off && util_now() >= c->open_until;
}

/* Opens the breaker: logged when it was closed, counted always. */
static void
trip(struct cache *c, const char *what)
{
	const char *why = c->rc != NULL && c->rc->err ? c->rc->errstr :
	    "unexpected reply";

	metrics_count(METRIC_CACHE_ERRORS);
	if (c->open_until <= util_now()) {
		metrics_count(METRIC_CACHE_TRIPS);
		log_msg(LOG_WARN, "redis: %s failed (%s); serving without the "
		    "cache for %.0f ms", what, why, c->retry * 1e3);
	}
	if (c->rc != NULL) {
		redisFree(c->rc);
		c->rc = NULL;
	}
	c->open_until = util_now() + c->retry;
}

/* AUTH on a new connection; false (breaker tripped) when refused. A
 * Redis that wants no password refuses AUTH too: the configuration is
 * wrong either way, and a page cache anyone could write to is not used. */
static bool
auth(struct cache *c)
{
	redisReply	*rep;
	bool		 good;

	rep = redisCommand(c->rc, "AUTH %s", c->password);
	if (rep == NULL) {
		trip(c, "auth");
		return false;
	}
	good = rep->type == REDIS_REPLY_STATUS && strcmp(rep->str, "OK") == 0;
	if (!good)
		log_msg(LOG_WARN, "redis: auth: %s", rep->type ==
		    REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	freeReplyObject(rep);
	if (!good)
		trip(c, "auth");
	return good;
}

/* The connection, made if needed; NULL when off or the breaker is open
 * (unless force: writers always try). */
static redisContext *
conn(struct cache *c, bool force)
{
	if (c->off)
		return NULL;
	if (c->rc != NULL)
		return c->rc;
	if (!force && util_now() < c->open_until)
		return NULL;
	c->rc = c->path != NULL ? redisConnectUnixWithTimeout(c->path, c->tv) :
	    redisConnectWithTimeout(c->host, c->port, c->tv);
	if (c->rc == NULL)
		util_oom(sizeof(redisContext));
	if (c->rc->err || redisSetTimeout(c->rc, c->tv) != REDIS_OK) {
		trip(c, "connect");
		return NULL;
	}
	if (c->password != NULL && !auth(c))
		return NULL;
	/* Trust nothing in Redis before comparing versions. */
	c->sync_at = 0;
	return c->rc;
}

/* Runs one command; NULL (breaker tripped) on any failure or error. */
static redisReply *
cmd(struct cache *c, const char *what, int argc, const char **argv,
    const size_t *lens)
{
	redisReply	*rep;

	if (c->rc == NULL)
		return NULL;
	rep = redisCommandArgv(c->rc, argc, argv, lens);
	if (rep == NULL) {
		trip(c, what);
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		log_msg(LOG_WARN, "redis: %s: %s", what, rep->str);
		freeReplyObject(rep);
		trip(c, what);
		return NULL;
	}
	return rep;
}

/* Strict decimal int64 (optional minus), whole string. */
static bool
parse_i64(const char *s, size_t n, int64_t *out)
{
	char	 tmp[24], *end;

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!(tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9')))
		return false;
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return errno == 0 && *end == '\0';
}

static bool
parse_u64(const char *s, size_t n, uint64_t *out)
{
	char	 tmp[24], *end;

	if (n == 0 || n >= sizeof(tmp) || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*out = strtoull(tmp, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Pushes s; returns as PUSH_LUA does, or LLONG_MIN on failure. */
static long long
push(struct cache *c, const struct db_content *s, bool force)
{
	char		 v[24], l[24], n[24], lv[24];
	const char	*argv[] = { "EVAL", PUSH_LUA, "4", K_VERSION, K_LSN,
	    K_NEXT, K_LIVE, v, l, n, lv, force ? "1" : "0" };
	redisReply	*rep;
	long long	 r;

	snprintf(v, sizeof(v), "%" PRId64, s->version);
	snprintf(l, sizeof(l), "%" PRIu64, s->lsn);
	snprintf(n, sizeof(n), "%" PRId64, s->next_live);
	snprintf(lv, sizeof(lv), "%" PRId64, s->last_live);
	if ((rep = cmd(c, "version push", (int)NELEM(argv), argv,
	    NULL)) == NULL)
		return LLONG_MIN;
	if (rep->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(rep);
		trip(c, "version push");
		return LLONG_MIN;
	}
	r = rep->integer;
	freeReplyObject(rep);
	if (r == -1)
		metrics_count(METRIC_CACHE_INVALIDATIONS);
	return r;
}

/* Deletes every page key; the count, or -1. */
static long long
flush_pages(struct cache *c)
{
	char		 cursor[32] = "0";
	long long	 total = 0;

	do {
		const char *argv[] = { "SCAN", cursor, "MATCH", K_PAGES,
		    "COUNT", "1000" };
		redisReply *rep, *keys, *del;

		if ((rep = cmd(c, "scan", (int)NELEM(argv), argv, NULL)) == NULL)
			return -1;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    rep->element[0]->len >= sizeof(cursor) ||
		    rep->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(rep);
			trip(c, "scan");
			return -1;
		}
		memcpy(cursor, rep->element[0]->str, rep->element[0]->len);
		cursor[rep->element[0]->len] = '\0';
		keys = rep->element[1];
		if (keys->elements > 0) {
			size_t		 nk = keys->elements + 1;
			const char	**kv = xcalloc(nk, sizeof(*kv));
			size_t		*kl = xcalloc(nk, sizeof(*kl));

			kv[0] = "UNLINK";
			kl[0] = 6;
			for (size_t i = 0; i < keys->elements; i++) {
				kv[i + 1] = keys->element[i]->str;
				kl[i + 1] = keys->element[i]->len;
			}
			del = cmd(c, "unlink", (int)nk, kv, kl);
			free(kv);
			free(kl);
			if (del == NULL) {
				freeReplyObject(rep);
				return -1;
			}
			if (del->type == REDIS_REPLY_INTEGER)
				total += del->integer;
			freeReplyObject(del);
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	return total;
}

/*
 * Makes Redis's state match PostgreSQL's.  When Redis holds a newer
 * version than we read, PostgreSQL is read again: another worker may
 * simply have pushed a write we had not seen, but if the primary still
 * says less, its version went back (restored or recreated database) and
 * PostgreSQL wins, with every page dropped.  0, or -1 when either side
 * failed (logged; Redis failures trip the breaker).
 */
static int
sync_state(struct cache *c, struct db *db, struct arena *a,
    struct db_content *out)
{
	struct db_content s;
	long long	 r;

	if (db_content_state(db, a, &s) != ST_OK)
		return -1;
	if ((r = push(c, &s, false)) == LLONG_MIN)
		return -1;
	if (r > 0) {
		if (db_content_state(db, a, &s) != ST_OK)
			return -1;
		if (s.version < r) {
			log_msg(LOG_WARN, "cache: PostgreSQL's content version "
			    "%" PRId64 " is behind Redis's %lld (database "
			    "restored or recreated?); dropping every cached "
			    "page", s.version, r);
			c->went_back = true;
			if (push(c, &s, true) == LLONG_MIN ||
			    flush_pages(c) < 0)
				return -1;
		} else if (push(c, &s, false) == LLONG_MIN)
			return -1;
	}
	if (out != NULL)
		*out = s;
	return 0;
}

/*
 * Entry: "IW1 <version> <created> <last_modified>\n<ctype>\n
 * <cache-control>\n<etag>\n<body>".
 */
#define MAGIC	"IW1 "

static bool
field_ok(const char *s, size_t n)
{
	if (n > CACHE_MAX_FIELD)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

char *
cache_encode(struct arena *a, const struct cache_entry *e, size_t *len)
{
	struct buf	 b;

	buf_init(&b, a, e->bodylen + 512);
	buf_printf(&b, MAGIC "%" PRId64 " %" PRId64 " %" PRId64 "\n%s\n%s\n%s\n",
	    e->version, e->created, e->last_modified, e->ctype,
	    e->cache_control, e->etag);
	buf_put(&b, e->body, e->bodylen);
	*len = b.n;
	return b.p;
}

/* Next token up to sep within [*p, end); advances past sep. */
static bool
token(const char **p, const char *end, char sep, const char **s, size_t *n)
{
	const char *q = memchr(*p, sep, (size_t)(end - *p));

	if (q == NULL)
		return false;
	*s = *p;
	*n = (size_t)(q - *p);
	*p = q + 1;
	return true;
}

/* Parses the header; body pointers into p itself. */
static int
decode(struct arena *a, const char *p, size_t n, struct cache_entry *e)
{
	const char	*end = p + n, *s;
	size_t		 sn;
	const char	**str[] = { &e->ctype, &e->cache_control, &e->etag };

	memset(e, 0, sizeof(*e));
	if (n < sizeof(MAGIC) - 1 || memcmp(p, MAGIC, sizeof(MAGIC) - 1) != 0)
		return -1;
	p += sizeof(MAGIC) - 1;
	if (!token(&p, end, ' ', &s, &sn) || !parse_i64(s, sn, &e->version) ||
	    !token(&p, end, ' ', &s, &sn) || !parse_i64(s, sn, &e->created) ||
	    !token(&p, end, '\n', &s, &sn) ||
	    !parse_i64(s, sn, &e->last_modified))
		return -1;
	for (size_t i = 0; i < NELEM(str); i++) {
		if (!token(&p, end, '\n', &s, &sn) || !field_ok(s, sn))
			return -1;
		*str[i] = arena_strndup(a, s, sn);
	}
	if (e->ctype[0] == '\0' || e->cache_control[0] == '\0' ||
	    e->last_modified < 0)
		return -1;
	e->body = p;
	e->bodylen = (size_t)(end - p);
	return 0;
}

int
cache_decode(struct arena *a, const char *p, size_t n, struct cache_entry *e)
{
	if (decode(a, p, n, e) != 0)
		return -1;
	e->body = arena_strndup(a, e->body, e->bodylen);
	return 0;
}

enum cache_result
cache_get(struct cache *c, struct db *db, struct arena *a, const char *key,
    struct buf *body, struct cache_entry *e)
{
	struct db_content s = { 0, 0, 0, 0 };
	const char	*argv[] = { "MGET", K_VERSION, K_LSN, K_NEXT, K_LIVE,
	    key };
	redisReply	*rep, **el;
	double		 now;
	int64_t		 t;
	enum cache_result res = CACHE_MISS;

	cache_render_end(c);	/* none is held: a caller that forgot */
	c->fill = false;
	c->stored = false;
	c->hit = false;
	c->have_gen = false;
	db_min_lsn(db, 0);
	if (conn(c, false) == NULL)
		return CACHE_BYPASS;
	/* Before the lookup: a page made from what the lookup allows may go
	 * into this generation, never into a newer one. */
	c->have_gen = c->pages != NULL && pages_current(c->pages, &c->gen) ==
	    0;
	now = util_now();
	if (now >= c->sync_at) {
		c->sync_at = now + c->sync_interval;
		(void)sync_state(c, db, a, NULL);
		if (c->rc == NULL)
			return CACHE_BYPASS;
	}
	if ((rep = cmd(c, "lookup", (int)NELEM(argv), argv, NULL)) == NULL)
		return CACHE_BYPASS;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 5) {
		freeReplyObject(rep);
		trip(c, "lookup");
		return CACHE_BYPASS;
	}
	el = rep->element;
	if (el[0]->type == REDIS_REPLY_NIL) {
		/* Flushed, restarted or evicted: put the state back first. */
		freeReplyObject(rep);
		if (sync_state(c, db, a, &s) != 0)
			return CACHE_BYPASS;
		goto miss;
	}
	if (el[0]->type != REDIS_REPLY_STRING ||
	    el[1]->type != REDIS_REPLY_STRING ||
	    el[2]->type != REDIS_REPLY_STRING ||
	    el[3]->type != REDIS_REPLY_STRING ||
	    !parse_i64(el[0]->str, el[0]->len, &s.version) ||
	    !parse_u64(el[1]->str, el[1]->len, &s.lsn) ||
	    !parse_i64(el[2]->str, el[2]->len, &s.next_live) ||
	    !parse_i64(el[3]->str, el[3]->len, &s.last_live)) {
		log_msg(LOG_WARN, "redis: the cache state keys hold garbage; "
		    "putting them right");
		freeReplyObject(rep);
		if (sync_state(c, db, a, &s) != 0)
			return CACHE_BYPASS;
		goto miss;
	}
	if (el[4]->type == REDIS_REPLY_STRING &&
	    decode(a, el[4]->str, el[4]->len, e) == 0) {
		t = wall();
		if (e->version == s.version && e->created >= s.last_live &&
		    !(s.next_live > 0 && s.next_live <= t &&
		    e->created < s.next_live)) {
			buf_put(body, e->body, e->bodylen);
			e->body = body->p;
			res = CACHE_HIT;
		} else
			metrics_count(METRIC_CACHE_STALE);
	}
	freeReplyObject(rep);
	if (res == CACHE_HIT) {
		c->hit = true;
		return res;
	}
miss:
	c->fill = true;
	c->version = s.version;
	db_min_lsn(db, s.lsn);
	return CACHE_MISS;
}

/*
 * Render coalescing.  A write retires every cached page at once, so the
 * readers of a busy page all miss together, and without this each of
 * them renders it: the same queries and the same template, at the same
 * moment, on every worker.  The first to miss takes a lock for that page
 * and the content version its lookup saw,
 *   {iw}:l:<version>:<the page key after {iw}:p:> = a random token
 * (SET NX PX render_wait_ms), renders, and stores the page and deletes
 * the lock in one script that deletes only its own token (a holder
 * whose lock expired must not delete its successor's).  The others poll
 * the page and the lock every millisecond or two until an entry of that
 * version appears, or of a newer one (a write came meanwhile: that page
 * is as good, and they asked before it), and answer it as a hit.
 *
 * Why wait rather than answer the previous version's page, which is
 * still in Redis: read-your-writes.  An author who saves and reloads
 * must see the change, and the page from before the write is exactly
 * what they must not get.  Waiting costs at most one render, and never
 * more than [cache] render_wait_ms; the lock lives that long too, so a
 * worker that dies holding it stalls no one for longer.
 *
 * A render that stores nothing (a 404, a 503 answered from the stale
 * rendering, a page too big) releases the lock with no page there: the
 * first waiter to see it gone takes it over and renders, the others go
 * on waiting.  Renders of one page and version thus stay one at a time,
 * at the price of 404s of one address made one after another.  Past the
 * bound a waiter renders anyway, as does one whose Redis failed (the
 * breaker then, as for any command); both are counted as overlapping,
 * and so is a holder whose render outlived its lock (another may have
 * taken it meanwhile).  Zero overlapping renders therefore means no two
 * renders of one page and version ran at once.  With render_wait_ms = 0
 * there is no lock, and nothing is known or counted as overlapping.
 */

/* Releases KEYS[1] if it still holds ARGV[1]: 1, else 0. */
static const char UNLOCK_LUA[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('DEL', KEYS[1])\n"
    "end\n"
    "return 0\n";

/* Stores the page KEYS[1] = ARGV[1] for ARGV[2] seconds and releases
 * the lock KEYS[2] if it still holds ARGV[3]: 1, else 0. */
static const char STORE_LUA[] =
    "redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"
    "if redis.call('GET', KEYS[2]) == ARGV[3] then\n"
    "  redis.call('DEL', KEYS[2])\n"
    "  return 1\n"
    "end\n"
    "return 0\n";

/* What one look at the page and its lock found. */
enum poll {
	POLL_WAIT,		/* neither the page nor a free lock yet */
	POLL_HIT,		/* the page: in body and e */
	POLL_FREE,		/* no page, and the lock is gone */
	POLL_FAILED,		/* Redis failed (breaker tripped) */
};

/* The render lock of key at the version the lookup saw, into out;
 * false when it would not fit. */
static bool
lock_key(const struct cache *c, const char *key, char *out, size_t len)
{
	int	 n;

	if (strncmp(key, K_PAGE, sizeof(K_PAGE) - 1) == 0)
		key += sizeof(K_PAGE) - 1;
	n = snprintf(out, len, K_LOCK "%" PRId64 ":%s", c->version, key);
	return n > 0 && (size_t)n < len;
}

/* SET NX PX: 1 taken (c->lock names it), 0 held by another, -1 Redis
 * failed (breaker tripped). */
static int
lock_take(struct cache *c, const char *lk)
{
	char		 px[24];
	const char	*argv[] = { "SET", lk, c->token, "NX", "PX", px };
	redisReply	*rep;
	int		 r = -1;

	snprintf(px, sizeof(px), "%lld", (long long)(c->render_wait * 1e3 +
	    0.5));
	c->locked_at = util_now();
	if ((rep = cmd(c, "render lock", (int)NELEM(argv), argv,
	    NULL)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STATUS)
		r = 1;
	else if (rep->type == REDIS_REPLY_NIL)
		r = 0;
	freeReplyObject(rep);
	if (r < 0)
		trip(c, "render lock");
	else if (r == 1)
		snprintf(c->lock, sizeof(c->lock), "%s", lk);
	return r;
}

/* The lock is released or lost: ours is 1 when Redis still held our
 * token, 0 when it did not (it expired during the render, and another
 * may have rendered meanwhile), -1 when Redis could not say (then the
 * render's length decides). */
static void
unlocked(struct cache *c, int ours)
{
	if (ours == 0 || (ours < 0 && util_now() - c->locked_at >=
	    c->render_wait))
		metrics_count(METRIC_CACHE_OVERLAPPING);
	c->lock[0] = '\0';
}

void
cache_render_end(struct cache *c)
{
	const char	*argv[5];
	redisReply	*rep;
	int		 ours = -1;

	if (c == NULL || c->lock[0] == '\0')
		return;
	argv[0] = "EVAL";
	argv[1] = UNLOCK_LUA;
	argv[2] = "1";
	argv[3] = c->lock;
	argv[4] = c->token;
	if ((rep = cmd(c, "render unlock", 5, argv, NULL)) != NULL) {
		if (rep->type == REDIS_REPLY_INTEGER)
			ours = rep->integer == 1;
		freeReplyObject(rep);
	}
	unlocked(c, ours);
}

/* The version of a stored entry, without decoding it: a waiter looks
 * at the old page many times before the new one comes. */
static bool
entry_version(const char *p, size_t n, int64_t *v)
{
	const char	*end = p + n, *s;
	size_t		 sn;

	if (n < sizeof(MAGIC) - 1 || memcmp(p, MAGIC, sizeof(MAGIC) - 1) != 0)
		return false;
	p += sizeof(MAGIC) - 1;
	return token(&p, end, ' ', &s, &sn) && parse_i64(s, sn, v);
}

/* The head of a page (enough for its version) and whether a lock is
 * there: a waiter looks many times at the previous version's page,
 * which may be large, before the new one comes. */
static const char PEEK_LUA[] =
    "return {redis.call('GETRANGE', KEYS[1], 0, 31),"
    " redis.call('EXISTS', KEYS[2])}\n";

/* The page once its head said it is new enough: POLL_HIT, or POLL_WAIT
 * when it changed meanwhile. */
static enum poll
fetch_page(struct cache *c, struct arena *a, const char *key,
    struct buf *body, struct cache_entry *e)
{
	const char	*argv[] = { "GET", key };
	redisReply	*rep;
	enum poll	 r = POLL_WAIT;
	int64_t		 v;

	if ((rep = cmd(c, "render wait", (int)NELEM(argv), argv,
	    NULL)) == NULL)
		return POLL_FAILED;
	if (rep->type == REDIS_REPLY_STRING &&
	    entry_version(rep->str, rep->len, &v) && v >= c->version &&
	    decode(a, rep->str, rep->len, e) == 0) {
		buf_put(body, e->body, e->bodylen);
		e->body = body->p;
		r = POLL_HIT;
	}
	freeReplyObject(rep);
	return r;
}

/* One look at the page key and the lock lk. */
static enum poll
poll_page(struct cache *c, struct arena *a, const char *key, const char *lk,
    struct buf *body, struct cache_entry *e)
{
	const char	*argv[] = { "EVAL", PEEK_LUA, "2", key, lk };
	redisReply	*rep, **el;
	enum poll	 r = POLL_WAIT;
	int64_t		 v;

	if ((rep = cmd(c, "render wait", (int)NELEM(argv), argv,
	    NULL)) == NULL)
		return POLL_FAILED;
	el = rep->element;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    el[0]->type != REDIS_REPLY_STRING ||
	    el[1]->type != REDIS_REPLY_INTEGER) {
		freeReplyObject(rep);
		trip(c, "render wait");
		return POLL_FAILED;
	}
	/* New enough: fetched whole.  Else, with no lock, it is free. */
	if (entry_version(el[0]->str, el[0]->len, &v) && v >= c->version)
		r = POLL_HIT;
	else if (el[1]->integer == 0)
		r = POLL_FREE;
	freeReplyObject(rep);
	return r == POLL_HIT ? fetch_page(c, a, key, body, e) : r;
}

/* Waits for the holder of lk to store key: CACHE_HIT, or CACHE_MISS to
 * render (the lock taken over, the bound passed, or Redis failed). */
static enum cache_result
wait_render(struct cache *c, struct arena *a, const char *key,
    const char *lk, struct buf *body, struct cache_entry *e)
{
	double		 until = util_now() + c->render_wait;
	enum poll	 p;
	int		 r;

	for (unsigned i = 0;; i++) {
		struct timespec ts = { 0, i < 10 ? 1000000 : 2000000 };

		nanosleep(&ts, NULL);
		if ((p = poll_page(c, a, key, lk, body, e)) == POLL_HIT) {
			metrics_count(METRIC_CACHE_WAIT_HIT);
			c->fill = false;
			c->hit = true;
			return CACHE_HIT;
		}
		r = p == POLL_FREE ? lock_take(c, lk) : 0;
		if (r == 1)
			return CACHE_MISS;
		if (p == POLL_FAILED || r < 0)
			break;
		if (util_now() >= until) {
			metrics_count(METRIC_CACHE_WAIT_TIMEOUT);
			break;
		}
	}
	metrics_count(METRIC_CACHE_OVERLAPPING);
	return CACHE_MISS;
}

enum cache_result
cache_coalesce(struct cache *c, struct arena *a, const char *key,
    struct buf *body, struct cache_entry *e)
{
	char		 lk[LOCK_MAX];
	unsigned char	 rnd[16];
	enum cache_result res = CACHE_MISS;
	int		 r;

	if (c->fill && c->rc != NULL && c->render_wait > 0 &&
	    lock_key(c, key, lk, sizeof(lk))) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(c->token, sizeof(c->token), rnd, sizeof(rnd));
		if ((r = lock_take(c, lk)) == 0)
			res = wait_render(c, a, key, lk, body, e);
		else if (r < 0)
			metrics_count(METRIC_CACHE_OVERLAPPING);
	}
	if (res == CACHE_MISS)
		metrics_count(METRIC_CACHE_RENDERS);
	return res;
}

bool
cache_put_file(struct cache *c, const char *file, const char *body,
    size_t n, int64_t *epoch)
{
	int	 r;

	if (c == NULL || file == NULL || !c->have_gen || !(c->hit ||
	    c->stored))
		return false;
	if (c->spent_gen != c->gen.id) {
		c->spent_gen = c->gen.id;
		c->spent = 0;
		c->logged_errno = 0;
	}
	if (c->spent + (int64_t)n > c->budget)
		return false;
	if ((r = pages_write(c->pages, &c->gen, file, body, n)) == 0) {
		c->spent += (int64_t)n;
		metrics_count(METRIC_PAGE_FILES);
	} else if (r < 0 && errno != ENOENT && errno != c->logged_errno) {
		/* Once per generation and cause: a full tmpfs would
		 * otherwise log every miss. */
		c->logged_errno = errno;
		log_msg(LOG_WARN, "pages: cannot write %s/%s/%s: %s",
		    c->pages, c->gen.name, file, strerror(errno));
	}
	*epoch = c->gen.epoch;
	return r >= 0;
}

void
cache_put(struct cache *c, struct arena *a, const char *key,
    const struct cache_entry *in)
{
	struct cache_entry e = *in;
	char		 ttl[24];
	const char	*argv[9];
	size_t		 lens[9], n;
	char		*val;
	redisReply	*rep;
	int		 argc = 0;

	if (!c->fill || c->rc == NULL)
		return;
	c->fill = false;
	if (!field_ok(e.ctype, strlen(e.ctype)) ||
	    !field_ok(e.cache_control, strlen(e.cache_control)) ||
	    !field_ok(e.etag, strlen(e.etag)) ||
	    e.bodylen > CACHE_MAX_ENTRY - 1024)
		return;
	e.version = c->version;
	e.created = wall();
	val = cache_encode(a, &e, &n);
	snprintf(ttl, sizeof(ttl), "%" PRId64, c->ttl);
#define ARG(s, l)	(argv[argc] = (s), lens[argc++] = (l))
	if (c->lock[0] != '\0') {
		/* Stored and unlocked at once: a waiter that sees the lock
		 * gone sees the page too. */
		ARG("EVAL", 4);
		ARG(STORE_LUA, sizeof(STORE_LUA) - 1);
		ARG("2", 1);
		ARG(key, strlen(key));
		ARG(c->lock, strlen(c->lock));
		ARG(val, n);
		ARG(ttl, strlen(ttl));
		ARG(c->token, strlen(c->token));
	} else {
		ARG("SET", 3);
		ARG(key, strlen(key));
		ARG(val, n);
		ARG("EX", 2);
		ARG(ttl, strlen(ttl));
	}
#undef ARG
	if ((rep = cmd(c, "store", argc, argv, lens)) == NULL)
		return;
	if (c->lock[0] != '\0')
		unlocked(c, rep->type == REDIS_REPLY_INTEGER ?
		    rep->integer == 1 : -1);
	freeReplyObject(rep);
	metrics_count(METRIC_CACHE_STORES);
	c->stored = true;
}

bool
cache_pages_on(const struct cache *c)
{
	return c != NULL && c->pages != NULL;
}

/* Are page files on, and has inkwelld made their directory here (an
 * inkwellctl on another host has none)? */
static bool
pages_here(const struct cache *c)
{
	struct stat	 st;

	return c->pages != NULL && stat(c->pages, &st) == 0;
}

/* After a commit: a new page generation for version (-1 unknown), or
 * the one reserved before it, or none at all (pages.h). */
static int
publish(struct cache *c, int64_t version)
{
	if (!pages_here(c)) {
		cache_write_abandon(c);
		return 0;
	}
	return pages_swap(c->pages, version, &c->next);
}

enum status
cache_write_begin(struct cache *c)
{
	if (c == NULL)
		return ST_OK;
	cache_write_abandon(c);
	if (!pages_here(c))
		return ST_OK;
	return pages_prepare(c->pages, &c->next) == 0 ? ST_OK :
	    ST_UNAVAILABLE;
}

void
cache_write_abandon(struct cache *c)
{
	if (c != NULL && c->pages != NULL && c->next.reserved)
		pages_abandon(c->pages, &c->next);
	else if (c != NULL)
		memset(&c->next, 0, sizeof(c->next));
}

enum status
cache_invalidate(struct cache *c, struct db *db, struct arena *a)
{
	struct db_content s = { -1, 0, 0, 0 };
	enum status	 st = ST_OK;

	if (c == NULL)
		return ST_OK;
	if (c->off)
		(void)db_content_state(db, a, &s);
	else if ((conn(c, true) == NULL ||
	    sync_state(c, db, a, &s) != 0)) {
		log_msg(LOG_WARN, "cache: could not push the new content "
		    "version to Redis; cached pages age out within %.0f ms",
		    c->sync_interval * 1e3);
		st = ST_UNAVAILABLE;
	}
	/* After Redis has the new version: a worker that sees the new
	 * generation then also sees the version (and the WAL position). */
	if (publish(c, s.version) != 0)
		st = ST_INTERNAL;
	return st;
}

long long
cache_flush(struct cache *c, struct db *db, struct arena *a)
{
	struct db_content s;
	long long	 n = 0;

	if (c == NULL)
		return 0;
	if (!c->off) {
		if (conn(c, true) == NULL)
			return -1;
		if (db_content_bump(db, a, &s) != ST_OK || push(c, &s, false) ==
		    LLONG_MIN)
			return -1;
		n = flush_pages(c);
	} else if (db_content_bump(db, a, &s) != ST_OK)
		return -1;
	if (publish(c, s.version) != 0)
		return -1;
	if (c->pages != NULL && access(c->pages, F_OK) == 0)
		(void)pages_clear(c->pages);
	return n;
}

/* Reads the state keys (the keeper's poll); 0, or -1. */
static int
read_state(struct cache *c, struct db_content *s)
{
	const char	*argv[] = { "MGET", K_VERSION, K_LSN, K_NEXT, K_LIVE };
	redisReply	*rep, **el;
	int		 rc = -1;

	if ((rep = cmd(c, "state", (int)NELEM(argv), argv, NULL)) == NULL)
		return -1;
	el = rep->element;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 4 &&
	    el[0]->type == REDIS_REPLY_STRING &&
	    el[1]->type == REDIS_REPLY_STRING &&
	    el[2]->type == REDIS_REPLY_STRING &&
	    el[3]->type == REDIS_REPLY_STRING &&
	    parse_i64(el[0]->str, el[0]->len, &s->version) &&
	    parse_u64(el[1]->str, el[1]->len, &s->lsn) &&
	    parse_i64(el[2]->str, el[2]->len, &s->next_live) &&
	    parse_i64(el[3]->str, el[3]->len, &s->last_live))
		rc = 0;
	freeReplyObject(rep);
	return rc;
}

double
cache_keep(struct cache *c, struct db *db, struct arena *a)
{
	struct db_content s;
	struct pages_gen g;
	double		 now = util_now();
	int64_t		 t = wall();
	bool		 have = false, need = false;
	const char	*why = NULL;

	if (c->pages == NULL)
		return 1.0;
	if (now >= c->sync_at) {
		/* PostgreSQL's state, pushed to Redis; PostgreSQL's alone
		 * while Redis is away. */
		c->sync_at = now + c->sync_interval;
		if (conn(c, false) != NULL && sync_state(c, db, a, &s) == 0)
			have = true;
		else if (db_content_state(db, a, &s) == ST_OK)
			have = true;
	}
	if (!have && now >= c->poll_at) {
		c->poll_at = now + KEEP_POLL;
		if (conn(c, false) != NULL && read_state(c, &s) == 0)
			have = true;
	}
	if (have) {
		if (pages_current(c->pages, &g) != 0)
			need = true, why = "none is current";
		else if (c->went_back)
			need = true, why = "the database went back";
		else if (s.version > g.version)
			need = true, why = "content changed";
		else if (s.next_live > 0 && s.next_live <= t &&
		    g.born < s.next_live * 1000)
			need = true, why = "a scheduled post went live";
		else if (s.last_live > 0 && g.born < s.last_live * 1000)
			need = true, why = "a post went live";
		/* Without room for a new generation the current one is
		 * retired; "none is current" then brings one back as soon
		 * as there is room. */
		if (need) {
			log_msg(LOG_DEBUG, "pages: new generation: %s", why);
			if (pages_swap(c->pages, s.version, NULL) == 0)
				c->went_back = false;
		}
	}
	if (now >= c->gc_at) {
		c->gc_at = now + KEEP_GC;
		(void)pages_gc(c->pages, KEEP_GC);
	}
	return KEEP_POLL;
}
