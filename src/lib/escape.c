/* SPDX-License-Identifier: MIT */
/*
 * escape.c: the escapers for HTML, XML and URLs.  They live here and only
 * here, in the lowest layer: the Markdown renderer and the highlighter,
 * the template renderer, the response writer and every handler use these
 * same functions.
 */
#include "config.h"

#include "lib/buf.h"
#include "lib/escape.h"

void
escape_html(struct buf *b, const char *s, size_t n)
{
	size_t	 start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep;

		switch (s[i]) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '"':	rep = "&quot;"; break;
		case '\'':	rep = "&#39;"; break;
		default:	continue;
		}
		buf_put(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_put(b, s + start, n - start);
}

void
escape_xml(struct buf *b, const char *s, size_t n)
{
	size_t	 start = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep;

		switch (c) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '"':	rep = "&quot;"; break;
		case '\'':	rep = "&apos;"; break;
		case '\t': case '\n': case '\r':
			continue;
		default:
			if (c >= 0x20)
				continue;
			rep = "";	/* not allowed in XML 1.0 at all */
			break;
		}
		buf_put(b, s + start, i - start);
		buf_puts(b, rep);
		start = i + 1;
	}
	buf_put(b, s + start, n - start);
}

void
escape_url(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

void
escape_script_json(struct buf *b, const char *s, size_t n)
{
	size_t	 start = 0;

	for (size_t i = 0; i < n; i++) {
		const char	*rep;
		size_t		 len = 1;

		switch ((unsigned char)s[i]) {
		case '<':	rep = "\\u003c"; break;
		case '>':	rep = "\\u003e"; break;
		case '&':	rep = "\\u0026"; break;
		case 0xe2:
			/* U+2028 and U+2029: E2 80 A8 and E2 80 A9. */
			if (i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] == 0xa8 ||
			    (unsigned char)s[i + 2] == 0xa9)) {
				rep = (unsigned char)s[i + 2] == 0xa8 ?
				    "\\u2028" : "\\u2029";
				len = 3;
				break;
			}
			continue;
		default:	continue;
		}
		buf_put(b, s + start, i - start);
		buf_puts(b, rep);
		i += len - 1;
		start = i + 1;
	}
	buf_put(b, s + start, n - start);
}
