/* SPDX-License-Identifier: MIT */
/*
 * session.c: who a request comes from, and the cookies that say so.
 *
 * A session token is 32 random bytes in base64url (43 characters); the
 * sessions table keys the session by its BLAKE2b-256 hash.  Every form a
 * signed-in user posts carries the session's CSRF token, and a change
 * must also not come from another site (Origin, Sec-Fetch-Site): the
 * SameSite=Lax cookie already keeps it out of most cross-site posts, the
 * token keeps it out of the rest.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/conf.h"
#include "db/db.h"
#include "db/principal.h"
#include "http/input.h"
#include "lib/log.h"
#include "lib/escape.h"
#include "http/out.h"
#include "http/req.h"
#include "auth/session.h"
#include "auth/token.h"
#include "lib/worker_state.h"

void
session_random(char out[SESSION_TOKEN_LEN + 1])
{
	unsigned char	 bin[32];

	randombytes_buf(bin, sizeof(bin));
	sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, bin, sizeof(bin),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof(bin));
}

bool
session_token_ok(const char *s)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) != SESSION_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

bool
session_token_eq(const char *a, const char *b)
{
	return session_token_ok(a) && session_token_ok(b) &&
	    sodium_memcmp(a, b, SESSION_TOKEN_LEN) == 0;
}

const char *
session_hash_hex(struct arena *a, const char *token)
{
	unsigned char	 h[32];
	char		*out = arena_alloc(a, 2 + 64 + 1);

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	out[0] = '\\';
	out[1] = 'x';
	sodium_bin2hex(out + 2, 65, h, sizeof(h));
	return out;
}

/*
 * Cookies are Secure when the client spoke TLS to nginx, and also when
 * the site's base_url is https: behind a load balancer that ends TLS,
 * nginx on the app host sees plain HTTP, yet the browser is on https and
 * the cookie must never travel without it.
 */
void
session_cookie(struct req *r, const char *name, const char *value,
    const char *path, int max_age, const char *samesite)
{
	bool	 secure = r->https ||
	    strncmp(r->w->conf->base_url, "https://", 8) == 0;

	out_header(r, "Set-Cookie", arena_printf(r->a,
	    "%s=%s; Path=%s; Max-Age=%d; HttpOnly; SameSite=%s%s", name,
	    value, path, max_age, samesite, secure ? "; Secure" : ""));
}

/* The host part of an Origin ("scheme://host[:port]"), or NULL. */
static const char *
origin_host(struct arena *a, const char *origin)
{
	const char	*p = strstr(origin, "://"), *e;

	if (p == NULL)
		return NULL;
	p += 3;
	if (*p == '[') {
		if ((e = strchr(p, ']')) == NULL)
			return NULL;
		e++;
	} else
		e = p + strcspn(p, ":/");
	return arena_strndup(a, p, (size_t)(e - p));
}

bool
session_same_site(struct req *r)
{
	const char	*h;

	if (r->sec_fetch_site != NULL &&
	    strcmp(r->sec_fetch_site, "same-origin") != 0 &&
	    strcmp(r->sec_fetch_site, "none") != 0)
		return false;
	if (r->origin == NULL)
		return true;	/* an old browser, or not a browser */
	if (r->host == NULL || (h = origin_host(r->a, r->origin)) == NULL)
		return false;
	return strcasecmp(h, r->host) == 0;
}

enum status
session_find(struct req *r, struct principal **out)
{
	const char	*tok = req_cookie(r, SESSION_COOKIE);
	struct principal *p;
	enum status	 st;

	*out = NULL;
	if (!session_token_ok(tok))
		return ST_UNAUTHORIZED;
	p = arena_alloc(r->a, sizeof(*p));
	st = db_session_get(r->w->db, r->a, session_hash_hex(r->a, tok), p);
	if (st == ST_NOTFOUND)
		return ST_UNAUTHORIZED;
	if (st == ST_OK)
		*out = p;
	return st;
}

static bool
safe_method(const struct req *r)
{
	return r->method == METHOD_GET || r->method == METHOD_HEAD ||
	    r->method == METHOD_OPTIONS;
}

enum status
session_require(struct req *r)
{
	struct principal *p;
	const struct kv	*f;
	const char	*sent;
	enum status	 st;

	if (r->authorization != NULL && r->api)
		return token_principal(r, r->authorization);
	if ((st = session_find(r, &p)) != ST_OK)
		return st;
	if (!safe_method(r)) {
		f = input_find(r->form, r->nform, "csrf");
		sent = f != NULL ? f->val : r->csrf_header;
		if (!session_same_site(r)) {
			log_msg(LOG_WARN, "refused a cross-site %s of %s by %s "
			    "(req_id %s)", r->method_name, r->path,
			    p->username, r->id);
			return ST_FORBIDDEN;
		}
		if (!session_token_eq(sent, p->csrf)) {
			log_msg(LOG_WARN, "refused a %s of %s by %s without its "
			    "CSRF token (req_id %s)", r->method_name, r->path,
			    p->username, r->id);
			return ST_FORBIDDEN;
		}
	}
	r->user = p;
	return ST_OK;
}

bool
session_login_redirect(struct req *r)
{
	struct buf	 b;

	if (r->api || r->method != METHOD_GET)
		return false;
	buf_init(&b, r->a, 128);
	buf_puts(&b, "/admin/login?next=");
	escape_url(&b, r->uri, strlen(r->uri));
	r->resp.status = 303;
	r->resp.cache = "no-store";
	out_header(r, "Location", b.p);
	return true;
}
