/* SPDX-License-Identifier: MIT */
/*
 * html_md.c: turns imported HTML (a WordPress post body) into Markdown
 * that renders to the same structure and never to more.
 *
 * The walk writes through a small line machine.  Containers (blockquote,
 * list item) push a prefix segment: its first line gets "> " or "- ",
 * the following lines "> " or spaces.  Block elements request a break (a
 * newline, or an empty line) that is written only when the next content
 * arrives, so empty elements leave nothing behind; a break requested in a
 * container that has written nothing yet is dropped, since the container's
 * own start already is one.  Inline openers (*, **, [) are likewise held
 * until content follows and dropped when none does, so markup never
 * touches the whitespace it must not touch.  Inside inline elements block
 * elements only separate words.
 *
 * Text is escaped so that no character of it can become markup: the
 * always-special characters always, and those that are special only at
 * the start of a line (# > - + = and "1." / "1)") there.  Whitespace
 * collapses as in HTML, except that an empty line in text (WordPress
 * stores paragraphs that way) starts a new paragraph.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/html_md.h"

#define MAX_SEG		32	/* nested quotes and list items */
#define MAX_OPEN	16	/* pending inline openers */
#define MAX_DEPTH	200	/* deeper elements are dropped */
#define PARSE_OPTS	(HTML_PARSE_NONET | HTML_PARSE_NOERROR | \
			HTML_PARSE_NOWARNING)

struct seg {
	const char	*first;
	const char	*rest;
	bool		 used;
	bool		 item;		/* a list item (else a quote) */
};

struct conv {
	struct buf	*out;
	struct seg	 seg[MAX_SEG];
	int		 nseg;
	const char	*open[MAX_OPEN];
	int		 nopen;
	int		 brk;		/* pending: 1 newline, 2 empty line */
	bool		 hardbr;	/* the pending newline is a <br> */
	bool		 space;		/* pending collapsed whitespace */
	bool		 any;		/* something has been written */
	bool		 line_open;	/* this line's prefix is written */
	bool		 bol;		/* nothing after the prefix yet */
	bool		 digits;	/* the line so far is digits */
	int		 inl;		/* inside inline elements */
	int		 heading, em, strong, del, link;
	int		 depth;
	bool		 ordered;	/* innermost list */
	long		 number;	/* its next item number */
	bool		 in_list;
	bool		 alt;		/* its markers: "*" and ")" */
	size_t		 list_end;	/* output length when a list ended */
	bool		 list_end_alt;
};

static const char *const dropped[] = {
	"script", "style", "iframe", "frame", "frameset", "object", "embed",
	"applet", "noscript", "noembed", "noframes", "template", "head",
	"title", "meta", "link", "base", "svg", "math", "input", "button",
	"select", "textarea", "option", "canvas", "param", "source", "track",
};

static const char *const blocks[] = {
	"p", "div", "section", "article", "header", "footer", "main",
	"aside", "nav", "figure", "figcaption", "table", "thead", "tbody",
	"tfoot", "tr", "caption", "dl", "dt", "dd", "address", "details",
	"summary", "fieldset", "center", "body", "html",
};

static bool
is(const xmlNode *n, const char *name)
{
	return strcmp((const char *)n->name, name) == 0;
}

static bool
in(const xmlNode *n, const char *const *names, size_t nnames)
{
	for (size_t i = 0; i < nnames; i++)
		if (is(n, names[i]))
			return true;
	return false;
}

#define IN(n, list)	in((n), (list), sizeof(list) / sizeof((list)[0]))

static bool
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* --- the line machine --------------------------------------------------- */

static void
request_break(struct conv *c, int level)
{
	c->hardbr = false;
	if (c->inl > 0) {
		c->space = true;
		return;
	}
	if (!c->any || (c->nseg > 0 && !c->seg[c->nseg - 1].used))
		return;
	if (level > c->brk)
		c->brk = level;
}

static void
put_prefix(struct conv *c, bool empty_line)
{
	size_t	 start = c->out->n;

	for (int i = 0; i < c->nseg; i++) {
		struct seg *s = &c->seg[i];

		if (empty_line) {
			if (s->used)
				buf_puts(c->out, s->rest);
			continue;
		}
		buf_puts(c->out, s->used ? s->rest : s->first);
		s->used = true;
	}
	if (empty_line) {
		while (c->out->n > start && c->out->p[c->out->n - 1] == ' ')
			c->out->n--;
		c->out->p[c->out->n] = '\0';
	}
}

/* Gets the line ready for content: breaks, prefix, space, openers. */
static void
flush(struct conv *c)
{
	if (c->brk > 0 && c->any) {
		if (c->brk == 1 && c->hardbr)
			buf_putc(c->out, '\\');
		buf_putc(c->out, '\n');
		if (c->brk == 2) {
			put_prefix(c, true);
			buf_putc(c->out, '\n');
		}
		c->line_open = false;
	}
	c->brk = 0;
	c->hardbr = false;
	if (!c->line_open) {
		put_prefix(c, false);
		c->line_open = true;
		c->bol = true;
		c->digits = false;
		c->space = false;
	}
	c->any = true;
	if (c->space && !c->bol)
		buf_putc(c->out, ' ');
	c->space = false;
	for (int i = 0; i < c->nopen; i++) {
		/* "!" then "[" would make an image of a link. */
		if (c->open[i][0] == '[' && c->out->n > 0 &&
		    c->out->p[c->out->n - 1] == '!') {
			c->out->n--;
			buf_puts(c->out, "\\!");
		}
		buf_puts(c->out, c->open[i]);
		c->bol = false;
	}
	c->nopen = 0;
}

/* Holds an opener; returns its slot for close_inline(). */
static int
open_inline(struct conv *c, const char *s)
{
	if (c->nopen == MAX_OPEN)
		flush(c);
	c->open[c->nopen] = s;
	return c->nopen++;
}

/* Writes the closer, or drops the opener if nothing came after it. */
static void
close_inline(struct conv *c, int slot, const char *s)
{
	if (slot < c->nopen) {
		c->nopen = slot;
		return;
	}
	buf_puts(c->out, s);
}

/* Writes one character of text, escaped; returns bytes consumed. */
static size_t
put_char(struct conv *c, const char *s, size_t n)
{
	char	 ch = s[0];
	bool	 esc = false, bol = c->bol;

	switch (ch) {
	case '\\': case '`': case '*': case '_': case '[': case ']':
	case '<': case '|': case '~':
		esc = true;
		break;
	case '&':
		esc = n > 1 && ((s[1] >= 'a' && s[1] <= 'z') ||
		    (s[1] >= 'A' && s[1] <= 'Z') ||
		    (s[1] >= '0' && s[1] <= '9') || s[1] == '#');
		break;
	case '#':
		esc = bol || c->heading > 0;
		break;
	case '>': case '-': case '+': case '=':
		esc = bol;
		break;
	case '.': case ')':
		esc = c->digits;
		break;
	default:
		break;
	}
	c->digits = (ch >= '0' && ch <= '9') && (bol || c->digits);
	c->bol = false;
	if (esc)
		buf_putc(c->out, '\\');
	buf_putc(c->out, ch);
	return 1;
}

static void
text(struct conv *c, const char *s, size_t n)
{
	size_t	 i = 0;

	while (i < n) {
		if (ws(s[i])) {
			int	 nl = 0;

			for (; i < n && ws(s[i]); i++)
				nl += s[i] == '\n';
			if (nl >= 2 && c->inl == 0)
				request_break(c, 2);
			else
				c->space = true;
			continue;
		}
		flush(c);
		i += put_char(c, s + i, n - i);
	}
}

/* --- URLs --------------------------------------------------------------- */

/* http, https, mailto or no scheme at all. */
static bool
url_ok(const char *u)
{
	size_t	 i;

	for (i = 0; u[i] != '\0' && u[i] != ':'; i++) {
		char ch = u[i];

		if (ch == '/' || ch == '?' || ch == '#')
			return true;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '+' || ch == '.' ||
		    ch == '-'))
			return false;
	}
	if (u[i] == '\0')
		return i > 0;
	return (i == 4 && strncasecmp(u, "http", 4) == 0) ||
	    (i == 5 && strncasecmp(u, "https", 5) == 0) ||
	    (i == 6 && strncasecmp(u, "mailto", 6) == 0);
}

/* The attribute trimmed, or NULL; the caller frees. */
static char *
attr(const xmlNode *n, const char *name)
{
	xmlChar		*v = xmlGetProp(n, (const xmlChar *)name);
	char		*s, *e;

	if (v == NULL)
		return NULL;
	for (s = (char *)v; ws(*s); s++)
		;
	for (e = s + strlen(s); e > s && ws(e[-1]); e--)
		;
	*e = '\0';
	memmove(v, s, (size_t)(e - s) + 1);
	return (char *)v;
}

/* A link destination that Markdown reads back as exactly u. */
static void
put_url(struct buf *b, const char *u)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *u != '\0'; u++) {
		unsigned char ch = (unsigned char)*u;

		if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>' ||
		    ch == '(' || ch == ')' || ch == '\\' || ch == '`') {
			buf_putc(b, '%');
			buf_putc(b, hex[ch >> 4]);
			buf_putc(b, hex[ch & 15]);
		} else {
			if (ch == '&')
				buf_putc(b, '\\');
			buf_putc(b, (char)ch);
		}
	}
}

/* --- the walk ----------------------------------------------------------- */

/* Text of n's subtree as it is (pre) or with whitespace collapsed. */
static void
collect(const xmlNode *n, struct buf *b, bool pre, int depth)
{
	for (const xmlNode *k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_TEXT_NODE ||
		    k->type == XML_CDATA_SECTION_NODE) {
			for (const char *s = (const char *)k->content;
			    s != NULL && *s != '\0'; s++) {
				if (pre && *s == '\r') {
					if (s[1] != '\n')
						buf_putc(b, '\n');
				} else if (!pre && ws(*s)) {
					if (b->n == 0 || b->p[b->n - 1] != ' ')
						buf_putc(b, ' ');
				} else
					buf_putc(b, *s);
			}
		} else if (k->type == XML_ELEMENT_NODE && depth < MAX_DEPTH &&
		    !IN(k, dropped)) {
			bool sep = !pre && (IN(k, blocks) || is(k, "li") ||
			    is(k, "td") || is(k, "th") || (k->name[0] == 'h' &&
			    k->name[1] >= '1' && k->name[1] <= '6'));

			if (is(k, "br"))
				buf_putc(b, pre ? '\n' : ' ');
			else {
				if (sep && b->n > 0 && b->p[b->n - 1] != ' ')
					buf_putc(b, ' ');
				collect(k, b, pre, depth + 1);
				if (sep && b->n > 0 && b->p[b->n - 1] != ' ')
					buf_putc(b, ' ');
			}
		}
	}
}

static size_t
longest_run(const char *s, char ch)
{
	size_t	 best = 0, run = 0;

	for (; *s != '\0'; s++) {
		run = *s == ch ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static void
code_span(struct conv *c, const xmlNode *n)
{
	struct buf	 t;
	size_t		 fence, lo, hi;

	buf_init(&t, c->out->a, 64);
	collect(n, &t, false, c->depth);
	for (lo = 0; lo < t.n && t.p[lo] == ' '; lo++)
		;
	for (hi = t.n; hi > lo && t.p[hi - 1] == ' '; hi--)
		;
	if (lo > 0)
		c->space = true;
	if (hi > lo) {
		t.p[hi] = '\0';
		fence = longest_run(t.p + lo, '`') + 1;
		flush(c);
		for (size_t i = 0; i < fence; i++)
			buf_putc(c->out, '`');
		if (t.p[lo] == '`' || t.p[hi - 1] == '`')
			buf_putc(c->out, ' ');
		buf_put(c->out, t.p + lo, hi - lo);
		if (t.p[lo] == '`' || t.p[hi - 1] == '`')
			buf_putc(c->out, ' ');
		for (size_t i = 0; i < fence; i++)
			buf_putc(c->out, '`');
		c->bol = false;
		c->digits = false;
	}
	if (hi < t.n)
		c->space = true;
}

/* The language of <pre><code class="language-x">, or NULL. */
static char *
language(const xmlNode *pre)
{
	const xmlNode	*k;
	char		*cls, *l, *e;

	for (k = pre->children; k != NULL && k->type != XML_ELEMENT_NODE;
	    k = k->next)
		;
	if (k == NULL || !is(k, "code") || (cls = attr(k, "class")) == NULL)
		return NULL;
	if ((l = strstr(cls, "language-")) != NULL)
		l += strlen("language-");
	else if ((l = strstr(cls, "lang-")) != NULL)
		l += strlen("lang-");
	if (l != NULL) {
		for (e = l; (*e >= 'a' && *e <= 'z') || (*e >= 'A' &&
		    *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '_' ||
		    *e == '+' || *e == '-' || *e == '.'; e++)
			;
		if (e > l && e - l <= 30) {
			memmove(cls, l, (size_t)(e - l));
			cls[e - l] = '\0';
			return cls;
		}
	}
	xmlFree(cls);
	return NULL;
}

static void
code_block(struct conv *c, const xmlNode *n)
{
	struct buf	 t;
	size_t		 fence;
	char		*lang;
	const char	*p, *nl;

	buf_init(&t, c->out->a, 256);
	collect(n, &t, true, c->depth);
	if (t.n > 0 && t.p[t.n - 1] == '\n')
		t.p[--t.n] = '\0';
	fence = longest_run(t.p, '`') + 1;
	if (fence < 3)
		fence = 3;
	request_break(c, 2);
	flush(c);
	for (size_t i = 0; i < fence; i++)
		buf_putc(c->out, '`');
	if ((lang = language(n)) != NULL) {
		buf_puts(c->out, lang);
		xmlFree(lang);
	}
	for (p = t.p; t.n > 0; p = nl + 1) {
		size_t	 len;

		nl = memchr(p, '\n', (size_t)(t.p + t.n - p));
		len = nl != NULL ? (size_t)(nl - p) : (size_t)(t.p + t.n - p);
		buf_putc(c->out, '\n');
		put_prefix(c, len == 0);
		buf_put(c->out, p, len);
		if (nl == NULL)
			break;
	}
	buf_putc(c->out, '\n');
	put_prefix(c, false);
	for (size_t i = 0; i < fence; i++)
		buf_putc(c->out, '`');
	c->bol = false;
	request_break(c, 2);
}

static void	 walk(struct conv *, const xmlNode *);

static void
children(struct conv *c, const xmlNode *n)
{
	if (c->depth >= MAX_DEPTH)
		return;
	c->depth++;
	for (const xmlNode *k = n->children; k != NULL; k = k->next)
		walk(c, k);
	c->depth--;
}

static void
inline_markup(struct conv *c, const xmlNode *n, int *count,
    const char *mark)
{
	int	 slot;

	if ((*count)++ > 0) {
		children(c, n);
	} else {
		slot = open_inline(c, mark);
		c->inl++;
		children(c, n);
		c->inl--;
		close_inline(c, slot, mark);
	}
	(*count)--;
}

static void
link(struct conv *c, const xmlNode *n)
{
	char	*href = attr(n, "href");
	int	 slot;

	if (c->link > 0 || href == NULL || !url_ok(href)) {
		children(c, n);
	} else {
		slot = open_inline(c, "[");
		c->inl++, c->link++;
		children(c, n);
		c->inl--, c->link--;
		if (slot < c->nopen)
			c->nopen = slot;	/* no text: no link */
		else {
			buf_puts(c->out, "](");
			put_url(c->out, href);
			buf_putc(c->out, ')');
		}
	}
	xmlFree(href);
}

static void
image(struct conv *c, const xmlNode *n)
{
	char		*src = attr(n, "src"), *alt = attr(n, "alt");
	struct conv	 sub;
	struct buf	 t;

	if (src != NULL && url_ok(src)) {
		/* The alt text is escaped by a machine of its own. */
		buf_init(&t, c->out->a, 64);
		memset(&sub, 0, sizeof(sub));
		sub.out = &t;
		sub.inl = 1;
		sub.line_open = true;
		sub.any = true;
		if (alt != NULL)
			text(&sub, alt, strlen(alt));
		flush(c);
		if (c->out->n > 0 && c->out->p[c->out->n - 1] == '!') {
			c->out->n--;
			buf_puts(c->out, "\\!");
		}
		buf_puts(c->out, "![");
		buf_put(c->out, t.p, t.n);
		buf_puts(c->out, "](");
		put_url(c->out, src);
		buf_putc(c->out, ')');
		c->bol = false;
		c->digits = false;
	} else if (alt != NULL)
		text(c, alt, strlen(alt));
	xmlFree(src);
	xmlFree(alt);
}

/* Pushes a container; when MAX_SEG are open it is flattened instead. */
static bool
push_seg(struct conv *c, const char *first, const char *rest, bool item)
{
	if (c->nseg == MAX_SEG)
		return false;
	c->seg[c->nseg++] = (struct seg){ first, rest, false, item };
	return true;
}

static bool
in_item(const struct conv *c)
{
	return c->nseg > 0 && c->seg[c->nseg - 1].item;
}

static void
list(struct conv *c, const xmlNode *n)
{
	bool	 was_ordered = c->ordered, was_in = c->in_list;
	bool	 was_alt = c->alt;
	long	 was_number = c->number;
	char	*start = is(n, "ol") ? attr(n, "start") : NULL;
	int	 lvl = in_item(c) ? 1 : 2;

	c->ordered = is(n, "ol");
	c->number = start != NULL ? strtol(start, NULL, 10) : 1;
	if (c->number < 0 || c->number > 999999999)
		c->number = 1;
	c->in_list = true;
	/* A list right after another would continue it: change markers. */
	c->alt = c->any && c->out->n == c->list_end && !c->list_end_alt;
	request_break(c, lvl);
	children(c, n);
	request_break(c, lvl);
	c->list_end = c->out->n;
	c->list_end_alt = c->alt;
	c->alt = was_alt;
	c->ordered = was_ordered;
	c->number = was_number;
	c->in_list = was_in;
	xmlFree(start);
}

static void
item(struct conv *c, const xmlNode *n)
{
	char		*marker, *spaces;
	size_t		 w;
	bool		 pushed;

	if (c->in_list && c->ordered)
		marker = arena_printf(c->out->a, "%ld%c ", c->number++,
		    c->alt ? ')' : '.');
	else
		marker = arena_strdup(c->out->a, c->alt ? "* " : "- ");
	w = strlen(marker);
	spaces = arena_alloc(c->out->a, w + 1);
	memset(spaces, ' ', w);
	spaces[w] = '\0';
	request_break(c, 1);
	pushed = push_seg(c, marker, spaces, true);
	children(c, n);
	if (pushed)
		c->nseg--;
}

static void
element(struct conv *c, const xmlNode *n)
{
	static const char *const hashes[] = { "# ", "## ", "### ",
	    "#### ", "##### ", "###### " };
	const char	*name = (const char *)n->name;
	int		 slot;
	bool		 pushed;

	if (IN(n, dropped))
		return;
	if (is(n, "em") || is(n, "i") || is(n, "cite") || is(n, "dfn"))
		inline_markup(c, n, &c->em, "*");
	else if (is(n, "strong") || is(n, "b"))
		inline_markup(c, n, &c->strong, "**");
	else if (is(n, "del") || is(n, "s") || is(n, "strike"))
		inline_markup(c, n, &c->del, "~~");
	else if (is(n, "a"))
		link(c, n);
	else if (is(n, "img"))
		image(c, n);
	else if (is(n, "code") || is(n, "kbd") || is(n, "samp") ||
	    is(n, "tt") || (c->inl > 0 && is(n, "pre")))
		code_span(c, n);
	else if (is(n, "br")) {
		if (c->inl > 0)
			c->space = true;
		else if (c->line_open && !c->bol && c->brk == 0) {
			c->brk = 1;
			c->hardbr = true;
		}
	} else if (is(n, "td") || is(n, "th")) {
		c->space = true;
		children(c, n);
		c->space = true;
	} else if (c->inl > 0) {
		/* Blocks inside inline elements only separate words. */
		c->space = true;
		children(c, n);
		c->space = true;
	} else if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' &&
	    name[2] == '\0') {
		request_break(c, 2);
		slot = open_inline(c, hashes[name[1] - '1']);
		c->inl++, c->heading++;
		children(c, n);
		c->inl--, c->heading--;
		close_inline(c, slot, "");
		request_break(c, 2);
	} else if (is(n, "pre"))
		code_block(c, n);
	else if (is(n, "hr")) {
		request_break(c, 2);
		flush(c);
		buf_puts(c->out, "***");
		c->bol = false;
		request_break(c, 2);
	} else if (is(n, "blockquote")) {
		request_break(c, 2);
		pushed = push_seg(c, "> ", "> ", false);
		children(c, n);
		if (pushed)
			c->nseg--;
		request_break(c, 2);
	} else if (is(n, "ul") || is(n, "ol") || is(n, "menu"))
		list(c, n);
	else if (is(n, "li"))
		item(c, n);
	else if (IN(n, blocks)) {
		request_break(c, 2);
		children(c, n);
		request_break(c, 2);
	} else
		children(c, n);
}

static void
walk(struct conv *c, const xmlNode *n)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			text(c, (const char *)n->content,
			    strlen((const char *)n->content));
	} else if (n->type == XML_ELEMENT_NODE)
		element(c, n);
}

static htmlDocPtr
parse(const char *html, size_t n)
{
	if (n == 0 || n > INT32_MAX)
		return NULL;
	return htmlReadMemory(html, (int)n, "content.html", "UTF-8",
	    PARSE_OPTS);
}

int
html_md_convert(const char *html, size_t n, struct buf *out)
{
	htmlDocPtr	 doc;
	struct conv	 c;
	struct buf	 md;

	if (n == 0)
		return 0;
	if ((doc = parse(html, n)) == NULL)
		return -1;
	buf_init(&md, out->a, n + 64);
	memset(&c, 0, sizeof(c));
	c.out = &md;
	for (const xmlNode *k = doc->children; k != NULL; k = k->next)
		walk(&c, k);
	xmlFreeDoc(doc);
	if (md.n > 0) {
		buf_put(out, md.p, md.n);
		buf_putc(out, '\n');
	}
	return 0;
}

int
html_md_text(const char *html, size_t n, struct buf *out)
{
	htmlDocPtr	 doc;
	struct buf	 t;
	size_t		 lo, hi;

	if (n == 0)
		return 0;
	if ((doc = parse(html, n)) == NULL)
		return -1;
	buf_init(&t, out->a, n + 1);
	for (const xmlNode *k = doc->children; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE) {
			if (!IN(k, dropped))
				collect(k, &t, false, 0);
		} else if (k->type == XML_TEXT_NODE && k->content != NULL)
			buf_puts(&t, (const char *)k->content);
	xmlFreeDoc(doc);
	for (lo = 0; lo < t.n && ws(t.p[lo]); lo++)
		;
	for (hi = t.n; hi > lo && ws(t.p[hi - 1]); hi--)
		;
	buf_put(out, t.p + lo, hi - lo);
	return 0;
}
