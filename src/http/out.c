/* SPDX-License-Identifier: MIT */
/* out.c: response status, headers and body (escaping: escape.c). */
#include "config.h"

#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/escape.h"
#include "http/out.h"
#include "http/req.h"
#include "lib/util.h"

bool
out_header_ok(const char *v)
{
	return v != NULL && strpbrk(v, "\r\n") == NULL;
}

void
out_status(struct req *r, int status)
{
	r->resp.status = status;
}

void
out_ctype(struct req *r, const char *ctype)
{
	r->resp.ctype = ctype;
}

int
out_header(struct req *r, const char *name, const char *value)
{
	if (!out_header_ok(name) || !out_header_ok(value) ||
	    strchr(name, ':') != NULL || r->resp.nhdrs >= REQ_MAXHDRS)
		return -1;
	r->resp.hdrs[r->resp.nhdrs].name = name;
	r->resp.hdrs[r->resp.nhdrs].value = value;
	r->resp.nhdrs++;
	return 0;
}

void
out_put(struct req *r, const char *p, size_t n)
{
	buf_put(&r->resp.body, p, n);
}

void
out_puts(struct req *r, const char *s)
{
	buf_puts(&r->resp.body, s);
}

void
out_html(struct req *r, const char *s)
{
	escape_html(&r->resp.body, s, strlen(s));
}

#define JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* s (n bytes) as a JSON string, escaped as json-c escapes it. */
static void
json_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t		 from = 0;
	char		 u[6] = { '\\', 'u', '0', '0' };

	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_put(b, s + from, i - from);
		from = i + 1;
		switch (c) {
		case '"':	e = "\\\""; break;
		case '\\':	e = "\\\\"; break;
		case '\b':	e = "\\b"; break;
		case '\f':	e = "\\f"; break;
		case '\n':	e = "\\n"; break;
		case '\r':	e = "\\r"; break;
		case '\t':	e = "\\t"; break;
		default:
			u[4] = hex[c >> 4];
			u[5] = hex[c & 0xf];
			buf_put(b, u, sizeof(u));
			continue;
		}
		buf_put(b, e, 2);
	}
	buf_put(b, s + from, n - from);
	buf_putc(b, '"');
}

/*
 * Writes v as json_object_to_json_string_ext(v, JSON_FLAGS) would, but
 * straight into b: json-c builds the text in a buffer of its own, which
 * grows by copying and was then copied again into the body; for the
 * posts API that was a sixth of the worker's time.  What is not a
 * string, a whole number, a boolean, null, an object or an array (a
 * double, which keeps the text it was parsed from) is left to json-c.
 */
static void
json_write(struct buf *b, struct json_object *v)
{
	char		 tmp[24], *p;
	int64_t		 i;
	uint64_t	 u;
	size_t		 n, k;
	bool		 first = true;

	switch (json_object_get_type(v)) {
	case json_type_null:
		buf_put(b, "null", 4);
		return;
	case json_type_boolean:
		if (json_object_get_boolean(v))
			buf_put(b, "true", 4);
		else
			buf_put(b, "false", 5);
		return;
	case json_type_string:
		json_str(b, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		return;
	case json_type_int:
		/* INT64_MAX may stand for a larger unsigned value. */
		if ((i = json_object_get_int64(v)) == INT64_MAX)
			break;
		u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
		p = tmp + sizeof(tmp);
		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (i < 0)
			*--p = '-';
		buf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
		return;
	case json_type_object:
		buf_putc(b, '{');
		json_object_object_foreach(v, key, val) {
			if (!first)
				buf_putc(b, ',');
			first = false;
			json_str(b, key, strlen(key));
			buf_putc(b, ':');
			json_write(b, val);
		}
		buf_putc(b, '}');
		return;
	case json_type_array:
		buf_putc(b, '[');
		n = json_object_array_length(v);
		for (k = 0; k < n; k++) {
			if (k > 0)
				buf_putc(b, ',');
			json_write(b, json_object_array_get_idx(v, k));
		}
		buf_putc(b, ']');
		return;
	default:
		break;
	}
	buf_puts(b, json_object_to_json_string_ext(v, JSON_FLAGS));
}

void
out_json(struct req *r, struct json_object *obj)
{
	buf_reset(&r->resp.body);
	json_write(&r->resp.body, obj);
	buf_putc(&r->resp.body, '\n');
	r->resp.ctype = "application/json";
}

const char *
out_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

void
out_head(const struct req *r, struct buf *b)
{
	const struct resp *p = &r->resp;
	bool	 nobody = p->status == 204 || p->status == 304;

	buf_printf(b, "Status: %d %s\r\n", p->status, out_reason(p->status));
	if (!nobody && p->ctype != NULL)
		buf_printf(b, "Content-Type: %s\r\n", p->ctype);
	buf_printf(b, "Cache-Control: %s\r\n",
	    p->cache != NULL ? p->cache : "no-store");
	/* Sniffing a JSON or feed body as HTML is how XSS gets in. */
	buf_puts(b, "X-Content-Type-Options: nosniff\r\n");
	buf_printf(b, "X-Request-Id: %s\r\n", r->id);
	for (size_t i = 0; i < p->nhdrs; i++)
		buf_printf(b, "%s: %s\r\n", p->hdrs[i].name, p->hdrs[i].value);
	if (!nobody)
		buf_printf(b, "Content-Length: %zu\r\n", p->body.n);
	buf_puts(b, "\r\n");
}

/* True when an If-None-Match list names etag (or is "*"). */
static bool
etag_listed(const char *list, const char *etag)
{
	size_t	 n = strlen(etag);
	const char *p = list;

	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;		/* weak comparison, RFC 9110 13.1.2 */
		if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

const char *
out_etag(struct req *r)
{
	struct resp	*p = &r->resp;
	unsigned char	 h[16];
	char		 hex[33];

	if (p->etag_value == NULL) {
		crypto_generichash(h, sizeof(h), (const unsigned char *)p->body.p,
		    p->body.n, NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		p->etag_value = arena_printf(r->a, "\"%s\"", hex);
	}
	return p->etag_value;
}

void
out_conditional(struct req *r)
{
	struct resp	*p = &r->resp;
	const char	*etag = NULL;
	char		*lm = NULL;
	bool		 fresh = false;
	struct tm	 tm;
	time_t		 t;

	if (p->status != 200 ||
	    (r->method != METHOD_GET && r->method != METHOD_HEAD))
		return;
	if (p->etag) {
		etag = out_etag(r);
		out_header(r, "ETag", etag);
	}
	if (p->last_modified > 0) {
		t = (time_t)p->last_modified;
		gmtime_r(&t, &tm);
		lm = arena_alloc(r->a, 64);
		strftime(lm, 64, "%a, %d %b %Y %H:%M:%S GMT", &tm);
		out_header(r, "Last-Modified", lm);
	}
	/* If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
	if (r->if_none_match != NULL && etag != NULL)
		fresh = etag_listed(r->if_none_match, etag);
	else if (r->if_modified_since != NULL && lm != NULL) {
		memset(&tm, 0, sizeof(tm));
		if (strptime(r->if_modified_since, "%a, %d %b %Y %H:%M:%S GMT",
		    &tm) != NULL && timegm(&tm) >= (time_t)p->last_modified)
			fresh = true;
	}
	if (fresh) {
		p->status = 304;
		buf_reset(&p->body);
	}
}
