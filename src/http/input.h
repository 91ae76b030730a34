/* SPDX-License-Identifier: MIT */
/*
 * input.h: parsing and validating what the client sent.
 *
 * Two layers, after kcgi.  The parsers turn raw bytes (query string,
 * urlencoded body, Cookie header, percent-encoded path) into decoded
 * key/value pairs with hard limits; req_parse() (req.c) runs them on
 * the FastCGI parameters it reads.  The key table then runs one validator
 * per known query key and publishes typed values in req->in[KEY_X], NULL
 * unless the value validated; unknown keys are dropped.  Form fields and
 * JSON bodies are not in the table: handlers look fields up in the
 * decoded pairs with input_find() (r->form, r->qkv) or parse r->body
 * with input_json_object(), and check the values themselves.
 */
#ifndef INKWELL_INPUT_H
#define INKWELL_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/status.h"

struct arena;
struct req;

/* Hard limits; nginx enforces its own, smaller or equal, first. */
#define INPUT_MAX_PAIRS		256	/* pairs in one query string or form */
#define INPUT_MAX_COOKIES	64	/* pairs in the Cookie header */
#define INPUT_MAX_KEY		128	/* bytes in one decoded key */
#define INPUT_MAX_QUERY		8192	/* bytes of QUERY_STRING */
#define INPUT_MAX_URI		8192	/* bytes of REQUEST_URI */
#define INPUT_MAX_COOKIE_HDR	8192	/* bytes of the Cookie header */
#define INPUT_MAX_HEADER	8192	/* bytes in any one request header */
#define INPUT_MAX_HEADERS_TOTAL	32768	/* bytes of all request headers */
#define INPUT_MAX_HEADER_COUNT	100	/* request headers */
#define INPUT_MAX_VALUE		4194304	/* bytes of one form value */

/* One decoded pair.  Both strings are NUL-terminated and live in the arena;
 * the lengths allow embedded NULs to be detected (validators reject them). */
struct kv {
	char	*key;
	size_t	 keylen;
	char	*val;
	size_t	 vallen;
};

enum input_err {
	INPUT_OK,
	INPUT_MALFORMED,	/* bad percent-escape, empty key, bad syntax */
	INPUT_TOOMANY,		/* more pairs than allowed */
	INPUT_TOOLONG,		/* a key longer than INPUT_MAX_KEY */
	INPUT_ERR__MAX
};

extern const char *const input_err_names[];

/*
 * Parses application/x-www-form-urlencoded bytes (a query string or a
 * body): pairs split on '&', key and value on the first '=', '+' is a
 * space, %XX decoded.  "a" alone is key "a" with empty value; empty
 * segments ("a=1&&b=2") are skipped.  On INPUT_OK *out is an arena array
 * of *nout pairs (NULL when none).  Raises HTTP 400 through the caller on
 * INPUT_MALFORMED, 400 on INPUT_TOOMANY/INPUT_TOOLONG.
 */
enum input_err	 input_parse_urlencoded(struct arena *, const char *s,
		    size_t n, size_t maxpairs, struct kv **out, size_t *nout);

/*
 * Parses a Cookie header ("a=1; b=2").  Pairs that are malformed (no '=',
 * empty name, name with separators) are skipped, not fatal: one broken
 * cookie set by another application on the same host must not make the
 * site unusable.  Values are taken verbatim, with one pair of surrounding
 * double quotes removed; no percent-decoding.  INPUT_TOOMANY past
 * maxpairs well-formed pairs.
 */
enum input_err	 input_parse_cookies(struct arena *, const char *s, size_t n,
		    size_t maxpairs, struct kv **out, size_t *nout);

/*
 * Percent-decodes a URL path (no '+' translation).  Rejects (returns
 * false) a bad escape, an encoded or literal NUL, an encoded '/' (%2F, so
 * a segment can never smuggle a separator), and invalid UTF-8 after
 * decoding.  On success *out is a NUL-terminated arena string.
 */
bool		 input_decode_path(struct arena *, const char *s, size_t n,
		    char **out, size_t *outlen);

/*
 * Parses a JSON request body that must be one object: strict JSON, UTF-8
 * checked, at most INPUT_MAX_JSON_DEPTH levels deep, nothing after it.
 * ST_OK with *out (owned by the caller); ST_UNSUPPORTED when ctype is
 * not application/json; ST_INVALID for anything else, with a short
 * reason in *why.
 */
#define INPUT_MAX_JSON_DEPTH	8
struct json_object;
enum status	 input_json_object(const char *ctype, const char *body,
		    size_t n, struct json_object **out, const char **why);

/* Looks up the first pair named key; NULL when absent. */
const struct kv	*input_find(const struct kv *, size_t, const char *key);

/*
 * The validated-key table.  Add a key here, give it a row in input.c
 * with a validator and a cap, and a handler can read req->in[KEY_X].
 */
enum key {
	KEY_PAGE,	/* ?page=N, 1..100000 */
	KEY_Q,		/* ?q=search text, UTF-8, up to 200 bytes */
	KEY_TAG,	/* ?tag=slug (API filter) */
	KEY_AUTHOR,	/* ?author=username (API filter) */
	KEY_PER_PAGE,	/* ?per_page=N, 1..100 (API) */
	KEY__MAX
};

/* A validated value: s always (decoded, NUL-terminated); i for integers. */
struct input_value {
	const char	*s;
	size_t		 n;
	int64_t		 i;
};

struct input_key;
typedef bool (*input_validator)(struct input_value *,
    const struct input_key *);

struct input_key {
	const char	*name;
	input_validator	 valid;
	size_t		 max_len;	/* capped before validation */
	int64_t		 min, max;	/* for integer validators */
};

extern const struct input_key input_keys[];

/* Validators, exported for the unit tests' tables of good and bad values. */
bool	input_valid_int(struct input_value *, const struct input_key *);
bool	input_valid_text(struct input_value *, const struct input_key *);
bool	input_valid_slug(struct input_value *, const struct input_key *);
bool	input_valid_username(struct input_value *, const struct input_key *);

/*
 * Runs every key's validator over the pairs (query string first, then
 * form body; the first occurrence wins) and fills in[], an array of
 * KEY__MAX pointers, with arena copies of the values that validated.
 * Invalid values are dropped, not fatal: a handler treats a missing
 * page number as page 1.
 */
void	input_validate(struct arena *, const struct kv *query, size_t nquery,
	    const struct kv *form, size_t nform, struct input_value **in);

/*
 * The same, and refused[] (KEY__MAX entries) says which keys were sent
 * but did not validate: a handler for which a bad filter is an error,
 * not "all", asks it instead of scanning the pairs again.
 */
void	input_validate_sent(struct arena *, const struct kv *query,
	    size_t nquery, const struct kv *form, size_t nform,
	    struct input_value **in, bool *refused);

/*
 * Forms and JSON bodies: one table of known fields per form or body
 * (struct input_form), checked before the handler runs, the way query
 * keys are.  Each field ends in one of four states, and a handler reads
 * it through input_str() only:
 *
 *	absent		not sent: input_str() gives NULL
 *	empty		sent with no value (or JSON null where allowed):
 *			"" (NULL for a JSON null)
 *	invalid		sent, but the wrong type, too long, not UTF-8, with
 *			a NUL, or sent twice: NULL, and the field is in the
 *			map of failed fields with why
 *	ok		the value, NUL-terminated, in the arena
 *
 * The map (struct input_fails) is what every error answer names: the
 * admin form shows it, the API puts it in "fields".  The checks here are
 * about shape and encoding; what a value means (a title's length in
 * characters, a status word) is content's to say, and its reasons go in
 * the same map.
 */
enum input_ftype {
	IFT_TEXT,	/* a string: UTF-8, no NUL, at most max bytes */
	IFT_TEXT_NULL,	/* the same, or JSON null (state empty, s NULL) */
	IFT_LIST,	/* JSON: an array of at most max IFT_TEXT strings;
			 * a form: one comma-separated IFT_TEXT value */
	IFT_INT,	/* JSON: an integer, s its decimal text (a form:
			 * IFT_TEXT, the handler checks the digits) */
	IFT__MAX
};

struct input_field {
	const char	*name;
	enum input_ftype type;
	size_t		 max;		/* bytes (a list: items) */
	size_t		 item_max;	/* IFT_LIST: bytes of one item */
};

struct input_form {
	const char		 *what;	/* "a post": for "is not a field of" */
	bool			  json;	/* a JSON body, else urlencoded */
	const struct input_field *fields;
	size_t			  nfields;
};

/*
 * The fields of a post, in the admin form (input_post_form) and in the
 * API's body (input_post_body): one order, so r->fin[PK_X] is the same
 * field in both.  A form's tags are the names typed, comma-separated;
 * the API's, an array of tag slugs.  And a tag in the API's body.
 */
enum post_key {
	PK_SLUG,
	PK_TITLE,
	PK_SUMMARY,
	PK_BODY_MD,
	PK_STATUS,
	PK_PUBLISHED_AT,
	PK_TAGS,
	PK_FEATURE_IMAGE,
	PK__MAX
};

enum tag_key {
	TK_SLUG,
	TK_NAME,
	TK__MAX
};

extern const struct input_form input_post_form;
extern const struct input_form input_post_body;
extern const struct input_form input_tag_body;

/* A redirect: the API's body and the admin's form (enum redirect_key). */
enum redirect_key {
	RK_FROM,
	RK_TO,
	RK_CODE,
	RK_MATCH,
	RK__MAX
};

extern const struct input_form input_redirect_body;
extern const struct input_form input_redirect_form;

enum input_state {
	IS_ABSENT,
	IS_EMPTY,
	IS_INVALID,
	IS_OK,
	IS__MAX
};

/* One field as sent; every pointer in the arena. */
struct input_got {
	enum input_state  state;
	const char	 *s;		/* IFT_TEXT(_NULL), a form's IFT_LIST */
	size_t		  n;		/* bytes of s; items of list */
	const char	**list;		/* IFT_LIST from JSON */
};

#define INPUT_MAX_FAILS	16

/* The fields that were sent but failed, in the order found; a field is
 * named once (its first reason).  Strings are static or in the arena. */
struct input_fails {
	size_t		 n;
	const char	*name[INPUT_MAX_FAILS];
	const char	*why[INPUT_MAX_FAILS];
};

/* Adds name with why to the map unless it is there (or the map is full:
 * the first INPUT_MAX_FAILS are enough to show). */
void		 input_fail(struct input_fails *, const char *name,
		    const char *why);

/* why for name in the map, or NULL. */
const char	*input_failed(const struct input_fails *, const char *name);

/*
 * Checks urlencoded pairs against form f: got[] (f->nfields entries,
 * in table order) gets each field's state, and fails every field sent
 * but invalid.  Pairs the table does not name are left alone (the CSRF
 * token, a submit button).  Returns how many fields failed.
 */
size_t		 input_form_pairs(struct arena *, const struct input_form *f,
		    const struct kv *, size_t, struct input_got *got,
		    struct input_fails *);

/*
 * The same for a JSON object (input_json_object's): a key the table
 * does not name fails as "is not a field of <f->what>".  Returns how
 * many fields failed.
 */
size_t		 input_form_json(struct arena *, const struct input_form *f,
		    struct json_object *, struct input_got *got,
		    struct input_fails *);

/* The one accessor: the value of a field that is ok or empty, else
 * NULL (absent, invalid, or JSON null). */
const char	*input_str(const struct input_got *);

/*
 * The same contract for a form that has no table yet (login, comment,
 * the admin's tag and settings forms): the pair named key in kv as one
 * IFT_TEXT field of at most max bytes.  *st (when not NULL) says which
 * state; the value as input_str() gives it.
 */
const char	*input_pair(const struct kv *, size_t, const char *key,
		    size_t max, enum input_state *st);

#endif
