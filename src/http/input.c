/* SPDX-License-Identifier: MIT */
/*
 * input.c: decodes and validates everything the client sends.
 *
 * The parsers never trust a terminating NUL: every input is a pointer and
 * a length, and every scan is bounded by that length.  Each parser walks
 * its input twice, once to count pairs (so a hostile request is refused
 * before anything is decoded) and once to decode; both walks are linear.
 * Decoded strings can hold NUL bytes; the lengths carry them so the
 * validators, not the parsers, decide what is acceptable.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "lib/arena.h"
#include "http/input.h"
#include "lib/util.h"

const char *const input_err_names[] = {
	"ok",				/* INPUT_OK */
	"malformed input",		/* INPUT_MALFORMED */
	"too many pairs",		/* INPUT_TOOMANY */
	"key too long",			/* INPUT_TOOLONG */
};

/*
 * The extern declaration fixes the array's size, so this only catches
 * excess rows; t/unit/input-t.c checks that no row was left empty.
 */
_Static_assert(NELEM(input_err_names) == INPUT_ERR__MAX,
    "input_err_names needs one row per enum input_err");

const struct input_key input_keys[] = {
	{ "page", input_valid_int, 6, 1, 100000 },	/* KEY_PAGE */
	{ "q", input_valid_text, 200, 0, 0 },		/* KEY_Q */
	{ "tag", input_valid_slug, 100, 0, 0 },		/* KEY_TAG */
	{ "author", input_valid_username, 40, 0, 0 },	/* KEY_AUTHOR */
	{ "per_page", input_valid_int, 3, 1, 100 },	/* KEY_PER_PAGE */
};

_Static_assert(NELEM(input_keys) == KEY__MAX,
    "input_keys needs one row per enum key");

/*
 * Caps in bytes, above content's limits in characters (a character is
 * at most 4 bytes): the caps stop what cannot be right before it is
 * copied; content says what is wrong with the rest.  A post's fields
 * are in enum post_key's order; the form and the JSON body differ only
 * in published_at and feature_image, which a body may set to null.
 */
#define POST_FIELDS(nullable) \
	{ "slug", IFT_TEXT, 800, 0 },		/* PK_SLUG */ \
	{ "title", IFT_TEXT, 4000, 0 },		/* PK_TITLE */ \
	{ "summary", IFT_TEXT, 20000, 0 },	/* PK_SUMMARY */ \
	{ "body_md", IFT_TEXT, 4194304, 0 },	/* PK_BODY_MD */ \
	{ "status", IFT_TEXT, 64, 0 },		/* PK_STATUS */ \
	{ "published_at", nullable, 64, 0 }, /* PK_PUBLISHED_AT */ \
	{ "tags", IFT_LIST, 100, 400 },		/* PK_TAGS */ \
	{ "feature_image", nullable, 800, 0 } /* PK_FEATURE_IMAGE */

static const struct input_field post_form_fields[] = {
	POST_FIELDS(IFT_TEXT)
};

static const struct input_field post_body_fields[] = {
	POST_FIELDS(IFT_TEXT_NULL)
};

static const struct input_field tag_body_fields[] = {
	{ "slug", IFT_TEXT, 400, 0 },		/* TK_SLUG */
	{ "name", IFT_TEXT, 400, 0 },		/* TK_NAME */
};

/* A redirect, in the API's body and the admin's form alike. */
static const struct input_field redirect_body_fields[] = {
	{ "from_path", IFT_TEXT, 8000, 0 },	/* RK_FROM */
	{ "to_path", IFT_TEXT, 8000, 0 },	/* RK_TO */
	{ "code", IFT_INT, 8, 0 },		/* RK_CODE */
	{ "match", IFT_TEXT, 16, 0 },		/* RK_MATCH */
};
static const struct input_field redirect_form_fields[] = {
	{ "from_path", IFT_TEXT, 8000, 0 },	/* RK_FROM */
	{ "to_path", IFT_TEXT, 8000, 0 },	/* RK_TO */
	{ "code", IFT_TEXT, 8, 0 },		/* RK_CODE */
	{ "match", IFT_TEXT, 16, 0 },		/* RK_MATCH */
};

_Static_assert(NELEM(redirect_body_fields) == RK__MAX &&
    NELEM(redirect_form_fields) == RK__MAX,
    "the redirect's field tables need one row per enum redirect_key");
_Static_assert(NELEM(post_form_fields) == PK__MAX &&
    NELEM(post_body_fields) == PK__MAX,
    "the post's field tables need one row per enum post_key");
_Static_assert(NELEM(tag_body_fields) == TK__MAX,
    "tag_body_fields needs one row per enum tag_key");

const struct input_form input_post_form = {
	"a post", false, post_form_fields, PK__MAX
};
const struct input_form input_post_body = {
	"a post", true, post_body_fields, PK__MAX
};
const struct input_form input_tag_body = {
	"a tag", true, tag_body_fields, TK__MAX
};
const struct input_form input_redirect_body = {
	"a redirect", true, redirect_body_fields, RK__MAX
};
const struct input_form input_redirect_form = {
	"a redirect", false, redirect_form_fields, RK__MAX
};

/* Decoding modes for pct_decode(). */
#define DEC_PLUS	0x01	/* '+' is a space (urlencoded) */
#define DEC_PATH	0x02	/* refuse NUL and an encoded '/' */

/*
 * Percent-decodes s[0..n) into dst, which has room for n + 1 bytes (the
 * output is never longer than the input), and NUL-terminates it.  Returns
 * false on an escape that is truncated or not two hex digits, and in
 * DEC_PATH mode on any NUL or an encoded '/'.
 */
static bool
pct_decode(const char *s, size_t n, int flags, char *dst, size_t *dlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	unsigned char		*d = (unsigned char *)dst;
	size_t			 i, j;
	int			 hi, lo;

	for (i = j = 0; i < n; i++) {
		if (p[i] == '%') {
			/* Both hex digits must lie inside s[0..n). */
			if (n - i < 3 ||
			    (hi = util_hexval((unsigned char)p[i + 1])) < 0 ||
			    (lo = util_hexval((unsigned char)p[i + 2])) < 0)
				return false;
			d[j] = (unsigned char)(hi << 4 | lo);
			if ((flags & DEC_PATH) && d[j] == '/')
				return false;
			i += 2;
		} else if ((flags & DEC_PLUS) && p[i] == '+')
			d[j] = ' ';
		else
			d[j] = p[i];
		if ((flags & DEC_PATH) && d[j] == '\0')
			return false;
		j++;
	}
	d[j] = '\0';
	*dlen = j;
	return true;
}

/*
 * Decodes one urlencoded segment (non-empty, no '&') into kv, its strings
 * in the arena.
 */
static enum input_err
urlencoded_pair(struct arena *a, const char *s, size_t n, struct kv *kv)
{
	const char	*eq, *vp;
	size_t		 klen, vlen;

	if ((eq = memchr(s, '=', n)) == NULL) {
		klen = n;
		vp = s + n;
		vlen = 0;
	} else {
		klen = (size_t)(eq - s);
		vp = eq + 1;
		vlen = n - klen - 1;
	}
	if (klen == 0)
		return INPUT_MALFORMED;

	kv->key = arena_alloc(a, klen + 1);
	if (!pct_decode(s, klen, DEC_PLUS, kv->key, &kv->keylen))
		return INPUT_MALFORMED;
	if (kv->keylen > INPUT_MAX_KEY)
		return INPUT_TOOLONG;

	kv->val = arena_alloc(a, vlen + 1);
	if (!pct_decode(vp, vlen, DEC_PLUS, kv->val, &kv->vallen))
		return INPUT_MALFORMED;
	return INPUT_OK;
}

/*
 * Returns the length of the segment starting at s (up to but not including
 * sep, or the n bytes left).
 */
static size_t
seglen(const char *s, size_t n, int sep)
{
	const char	*e;

	e = memchr(s, sep, n);
	return e == NULL ? n : (size_t)(e - s);
}

enum input_err
input_parse_urlencoded(struct arena *a, const char *s, size_t n,
    size_t maxpairs, struct kv **out, size_t *nout)
{
	struct kv	*kv = NULL;
	size_t		 i, len, count = 0;
	enum input_err	 rc = INPUT_OK;

	/* First walk: count the non-empty segments. */
	for (i = 0; i < n; i += len + 1) {
		len = seglen(s + i, n - i, '&');
		if (len > 0 && ++count > maxpairs) {
			rc = INPUT_TOOMANY;
			goto out;
		}
	}
	if (count == 0)
		goto out;

	kv = arena_array(a, count, sizeof(*kv));
	count = 0;
	for (i = 0; i < n; i += len + 1) {
		len = seglen(s + i, n - i, '&');
		if (len == 0)
			continue;
		if ((rc = urlencoded_pair(a, s + i, len, &kv[count])) !=
		    INPUT_OK)
			goto out;
		count++;
	}
out:
	if (rc != INPUT_OK) {
		kv = NULL;
		count = 0;
	}
	*out = kv;
	*nout = count;
	return rc;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6265 cookie-name: an RFC 2616 token (no CTLs, separators, spaces). */
static bool
is_token(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f)
			return false;
		if (strchr("()<>@,;:\\\"/[]?={}", c) != NULL)
			return false;
	}
	return true;
}

/*
 * Splits one Cookie segment (no ';') into trimmed name and value, with one
 * pair of surrounding double quotes removed from the value.  Returns false
 * when the segment is not a well-formed pair, which the caller skips.
 */
static bool
cookie_pair(const char *s, size_t n, struct str *name, struct str *val)
{
	const char	*eq;
	size_t		 nb, ne, vb, ve;

	if ((eq = memchr(s, '=', n)) == NULL)
		return false;
	nb = 0;
	ne = (size_t)(eq - s);
	while (nb < ne && is_ws(s[nb]))
		nb++;
	while (ne > nb && is_ws(s[ne - 1]))
		ne--;
	if (!is_token(s + nb, ne - nb))
		return false;

	vb = (size_t)(eq - s) + 1;
	ve = n;
	while (vb < ve && is_ws(s[vb]))
		vb++;
	while (ve > vb && is_ws(s[ve - 1]))
		ve--;
	if (ve - vb >= 2 && s[vb] == '"' && s[ve - 1] == '"') {
		vb++;
		ve--;
	}

	name->p = s + nb;
	name->n = ne - nb;
	val->p = s + vb;
	val->n = ve - vb;
	return true;
}

enum input_err
input_parse_cookies(struct arena *a, const char *s, size_t n, size_t maxpairs,
    struct kv **out, size_t *nout)
{
	struct kv	*kv = NULL;
	struct str	 name, val;
	size_t		 i, len, count = 0;
	enum input_err	 rc = INPUT_OK;

	/* First walk: count the well-formed pairs. */
	for (i = 0; i < n; i += len + 1) {
		len = seglen(s + i, n - i, ';');
		if (cookie_pair(s + i, len, &name, &val) &&
		    ++count > maxpairs) {
			rc = INPUT_TOOMANY;
			goto out;
		}
	}
	if (count == 0)
		goto out;

	kv = arena_array(a, count, sizeof(*kv));
	count = 0;
	for (i = 0; i < n; i += len + 1) {
		len = seglen(s + i, n - i, ';');
		if (!cookie_pair(s + i, len, &name, &val))
			continue;
		kv[count].key = arena_strndup(a, name.p, name.n);
		kv[count].keylen = name.n;
		kv[count].val = arena_strndup(a, val.p, val.n);
		kv[count].vallen = val.n;
		count++;
	}
out:
	if (rc != INPUT_OK) {
		kv = NULL;
		count = 0;
	}
	*out = kv;
	*nout = count;
	return rc;
}

bool
input_decode_path(struct arena *a, const char *s, size_t n, char **out,
    size_t *outlen)
{
	char	*d;
	size_t	 dlen;

	*out = NULL;
	*outlen = 0;
	d = arena_alloc(a, n + 1);
	if (!pct_decode(s, n, DEC_PATH, d, &dlen))
		return false;
	if (!util_utf8_valid(d, dlen))
		return false;
	*out = d;
	*outlen = dlen;
	return true;
}

const struct kv *
input_find(const struct kv *kv, size_t n, const char *key)
{
	size_t	 i, len = strlen(key);

	for (i = 0; i < n; i++)
		if (kv[i].keylen == len && memcmp(kv[i].key, key, len) == 0)
			return &kv[i];
	return NULL;
}

bool
input_valid_int(struct input_value *v, const struct input_key *k)
{
	const char	*p = v->s, *end = v->s + v->n;
	uint64_t	 lim, mag = 0;
	int64_t		 i;
	bool		 neg = false;

	if (v->n == 0 || v->n > k->max_len)
		return false;
	if (*p == '-' && k->min < 0) {
		neg = true;
		p++;
	}
	if (p == end)
		return false;
	/* INT64_MIN's magnitude is one more than INT64_MAX's. */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (mag > (lim - (uint64_t)(*p - '0')) / 10)
			return false;
		mag = mag * 10 + (uint64_t)(*p - '0');
	}
	if (!neg)
		i = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1)
		i = INT64_MIN;
	else
		i = -(int64_t)mag;
	if (i < k->min || i > k->max)
		return false;
	v->i = i;
	return true;
}

bool
input_valid_text(struct input_value *v, const struct input_key *k)
{
	size_t	 i;

	if (v->n > k->max_len)
		return false;
	for (i = 0; i < v->n; i++) {
		unsigned char c = (unsigned char)v->s[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c < 0x20 || c == 0x7f)
			return false;
	}
	return util_utf8_valid(v->s, v->n);
}

bool
input_valid_slug(struct input_value *v, const struct input_key *k)
{
	return util_slug_ok(v->s, v->n, k->max_len);
}

/* A username: ^[a-z0-9][a-z0-9_-]*$, as the users table checks. */
bool
input_valid_username(struct input_value *v, const struct input_key *k)
{
	return v->n <= k->max_len && util_username_ok(v->s, v->n);
}

/*
 * Only the first occurrence of a key is considered: when it fails, the key
 * is absent even if a later duplicate would validate.  Picking the first
 * valid one would let "?page=x&page=2" mean something different here than
 * in a cache or proxy that reads the first value.
 */
void
input_validate(struct arena *a, const struct kv *query, size_t nquery,
    const struct kv *form, size_t nform, struct input_value **in)
{
	input_validate_sent(a, query, nquery, form, nform, in, NULL);
}

void
input_validate_sent(struct arena *a, const struct kv *query, size_t nquery,
    const struct kv *form, size_t nform, struct input_value **in,
    bool *refused)
{
	const struct input_key	*k;
	const struct kv		*kv;
	struct input_value	 v;
	size_t			 i;

	for (i = 0; i < KEY__MAX; i++) {
		k = &input_keys[i];
		in[i] = NULL;
		if (refused != NULL)
			refused[i] = false;
		if ((kv = input_find(query, nquery, k->name)) == NULL &&
		    (kv = input_find(form, nform, k->name)) == NULL)
			continue;
		if (refused != NULL)
			refused[i] = true;
		/* The cap comes first: an oversized value is never parsed. */
		if (kv->vallen > k->max_len)
			continue;
		v.s = kv->val;
		v.n = kv->vallen;
		v.i = 0;
		if (!k->valid(&v, k))
			continue;
		if (refused != NULL)
			refused[i] = false;
		in[i] = arena_alloc(a, sizeof(*in[i]));
		in[i]->s = arena_strndup(a, kv->val, kv->vallen);
		in[i]->n = kv->vallen;
		in[i]->i = v.i;
	}
}

/*
 * json-c takes more than JSON even in strict mode (single-quoted strings,
 * NaN and Infinity): outside double-quoted strings, only JSON's own
 * characters and words may appear.
 */
static bool
json_lexically_ok(const char *s, size_t n)
{
	size_t	 i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (i >= n)
				return false;
			i++;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			size_t	 j = i;

			while (j < n && ((s[j] >= 'a' && s[j] <= 'z') ||
			    (s[j] >= 'A' && s[j] <= 'Z')))
				j++;
			if (!((j - i == 4 && (memcmp(s + i, "true", 4) == 0 ||
			    memcmp(s + i, "null", 4) == 0)) ||
			    (j - i == 5 && memcmp(s + i, "false", 5) == 0) ||
			    (j - i == 1 && (c == 'e' || c == 'E') && i > 0 &&
			    s[i - 1] >= '0' && s[i - 1] <= '9')))
				return false;
			i = j;
		} else if (strchr("{}[]:,-+.0123456789 \t\r\n", c) == NULL ||
		    c == '\0')
			return false;
		else
			i++;
	}
	return true;
}

enum status
input_json_object(const char *ctype, const char *body, size_t n,
    struct json_object **out, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t		 ct = strlen("application/json"), end;

	*out = NULL;
	*why = NULL;
	if (ctype == NULL || strncasecmp(ctype, "application/json", ct) != 0 ||
	    (ctype[ct] != '\0' && ctype[ct] != ';' && ctype[ct] != ' ')) {
		*why = "the body must be application/json";
		return ST_UNSUPPORTED;
	}
	if (body == NULL || n == 0 || n > INT32_MAX) {
		*why = "the body is empty";
		return ST_INVALID;
	}
	if (!json_lexically_ok(body, n)) {
		*why = "the body is not valid JSON";
		return ST_INVALID;
	}
	if ((tok = json_tokener_new_ex(INPUT_MAX_JSON_DEPTH)) == NULL) {
		*why = "out of memory";
		return ST_INVALID;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, body, (int)n);
	end = json_tokener_get_parse_end(tok);
	while (o != NULL && end < n && (body[end] == ' ' ||
	    body[end] == '\t' || body[end] == '\n' || body[end] == '\r'))
		end++;
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    end != n) {
		*why = o == NULL && json_tokener_get_error(tok) ==
		    json_tokener_error_depth ? "the JSON is nested too deeply" :
		    "the body is not valid JSON";
		json_object_put(o);
		json_tokener_free(tok);
		return ST_INVALID;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*why = "the body must be a JSON object";
		return ST_INVALID;
	}
	*out = o;
	return ST_OK;
}

void
input_fail(struct input_fails *m, const char *name, const char *why)
{
	if (m->n == INPUT_MAX_FAILS || input_failed(m, name) != NULL)
		return;
	m->name[m->n] = name;
	m->why[m->n++] = why;
}

const char *
input_failed(const struct input_fails *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->name[i], name) == 0)
			return m->why[i];
	return NULL;
}

/* Why s[0..n) cannot be text of at most max bytes, or NULL. */
static const char *
text_problem(const char *s, size_t n, size_t max)
{
	if (n > max)
		return "is too long";
	if (memchr(s, '\0', n) != NULL)
		return "must not contain NUL";
	if (!util_utf8_valid(s, n))
		return "must be UTF-8";
	return NULL;
}

/* Marks g invalid and names the field. */
static size_t
refuse_field(struct input_got *g, struct input_fails *m, const char *name,
    const char *why)
{
	g->state = IS_INVALID;
	g->s = NULL;
	g->list = NULL;
	input_fail(m, name, why);
	return 1;
}

size_t
input_form_pairs(struct arena *a, const struct input_form *f,
    const struct kv *kv, size_t n, struct input_got *got,
    struct input_fails *m)
{
	size_t	 bad = 0;

	(void)a;
	for (size_t i = 0; i < f->nfields; i++) {
		const struct input_field *fd = &f->fields[i];
		struct input_got *g = &got[i];
		const char	*why;
		size_t		 max = fd->type == IFT_LIST ?
		    fd->max * (fd->item_max + 2) : fd->max;

		memset(g, 0, sizeof(*g));
		for (size_t j = 0; j < n; j++) {
			if (strcmp(kv[j].key, fd->name) != 0)
				continue;
			/* Two values for one field: which one the author
			 * meant is a guess, so neither is taken. */
			if (g->state != IS_ABSENT) {
				bad += g->state != IS_INVALID;
				refuse_field(g, m, fd->name, "is sent twice");
				continue;
			}
			if ((why = text_problem(kv[j].val, kv[j].vallen, max)) !=
			    NULL) {
				bad += refuse_field(g, m, fd->name, why);
				continue;
			}
			g->state = kv[j].vallen == 0 ? IS_EMPTY : IS_OK;
			g->s = kv[j].val;
			g->n = kv[j].vallen;
		}
	}
	return bad;
}

/* One JSON value for field fd into g; false with *why. */
static bool
json_value(struct arena *a, const struct input_field *fd,
    struct json_object *v, struct input_got *g, const char **why)
{
	size_t	 n;

	if (fd->type == IFT_TEXT_NULL && json_object_is_type(v, json_type_null)) {
		g->state = IS_EMPTY;
		return true;
	}
	if (fd->type == IFT_INT) {
		if (!json_object_is_type(v, json_type_int)) {
			*why = "must be an integer";
			return false;
		}
		g->s = arena_printf(a, "%lld",
		    (long long)json_object_get_int64(v));
		g->state = IS_OK;
		return true;
	}
	if (fd->type == IFT_LIST) {
		if (!json_object_is_type(v, json_type_array)) {
			*why = "must be an array of strings";
			return false;
		}
		if ((n = json_object_array_length(v)) > fd->max) {
			*why = "has too many items";
			return false;
		}
		g->list = arena_array(a, n + 1, sizeof(*g->list));
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string)) {
				*why = "must be an array of strings";
				return false;
			}
			if ((*why = text_problem(json_object_get_string(e),
			    (size_t)json_object_get_string_len(e),
			    fd->item_max)) != NULL)
				return false;
			g->list[i] = arena_strdup(a, json_object_get_string(e));
		}
		g->n = n;
		g->state = n == 0 ? IS_EMPTY : IS_OK;
		return true;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*why = fd->type == IFT_TEXT_NULL ? "must be a string or null" :
		    "must be a string";
		return false;
	}
	n = (size_t)json_object_get_string_len(v);
	if ((*why = text_problem(json_object_get_string(v), n, fd->max)) !=
	    NULL)
		return false;
	g->s = arena_strndup(a, json_object_get_string(v), n);
	g->n = n;
	g->state = n == 0 ? IS_EMPTY : IS_OK;
	return true;
}

size_t
input_form_json(struct arena *a, const struct input_form *f,
    struct json_object *o, struct input_got *got, struct input_fails *m)
{
	size_t		 bad = 0, i;
	const char	*why;

	for (i = 0; i < f->nfields; i++)
		memset(&got[i], 0, sizeof(got[i]));
	json_object_object_foreach(o, key, v) {
		for (i = 0; i < f->nfields; i++)
			if (strcmp(key, f->fields[i].name) == 0)
				break;
		if (i == f->nfields) {
			bad++;
			input_fail(m, arena_strdup(a, key), arena_printf(a,
			    "is not a field of %s", f->what));
			continue;
		}
		/* json-c keeps the last of two equal keys: one value. */
		if (!json_value(a, &f->fields[i], v, &got[i], &why))
			bad += refuse_field(&got[i], m, f->fields[i].name, why);
	}
	return bad;
}

const char *
input_str(const struct input_got *g)
{
	return g->state == IS_OK || g->state == IS_EMPTY ? g->s : NULL;
}

const char *
input_pair(const struct kv *kv, size_t n, const char *key, size_t max,
    enum input_state *st)
{
	static const struct input_field one = { NULL, IFT_TEXT, 0, 0 };
	struct input_field fd = one;
	struct input_form f = { "a form", false, &fd, 1 };
	struct input_fails m;
	struct input_got g;

	fd.name = key;
	fd.max = max;
	m.n = 0;
	(void)input_form_pairs(NULL, &f, kv, n, &g, &m);
	if (st != NULL)
		*st = g.state;
	return input_str(&g);
}
