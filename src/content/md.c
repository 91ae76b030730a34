/* SPDX-License-Identifier: MIT */
/*
 * md.c: Markdown to safe HTML with cmark-gfm.
 *
 * cmark-gfm, not md4c, because writers asked for footnotes and md4c has
 * none.  The document is parsed to a tree, the tree is made safe and
 * dressed, and only then rendered, with cmark's own raw-HTML filter off
 * (CMARK_OPT_UNSAFE) because every node left that carries HTML is one
 * this file made:
 *
 *   - raw HTML (blocks and inline) becomes text, so it is shown escaped,
 *     never passed through nor silently dropped;
 *   - a link or image URL with a scheme other than http, https or mailto
 *     (or with anything but [A-Za-z0-9+.-] before its first ':')
 *     becomes "#"; the URL is checked after cmark decoded its entities
 *     and escapes, so java&#115;cript: is caught;
 *   - images become <img>, or <picture> with a srcset when the caller's
 *     lookup knows the picture; an image alone in its paragraph with a
 *     title becomes a <figure> with the title as its caption;
 *   - headings get an id (a slug of their text) and an anchor link;
 *   - code blocks become <pre class="code"> highlighted by highlight.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/escape.h"
#include "content/highlight.h"
#include "content/md.h"
#include "lib/util.h"

#define MD_PARSE	(CMARK_OPT_FOOTNOTES)
#define MD_RENDER	(CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES)

/* The sizes attribute of every srcset: the reading column is 44rem. */
#define MD_SIZES	"(max-width: 44rem) 100vw, 44rem"

/* Slugs: at most this many bytes, then cut at a character boundary. */
#define SLUG_MAX	64

/* All the highlighting of one document stops past this many bytes (the
 * markup can grow a block many times over). */
#define HL_BUDGET	(256 * 1024)

static const char *const extensions[] = {
	"table", "strikethrough", "autolink"
};

/*
 * cmark-gfm's tables take time quadratic in their columns: 1 MB of rows
 * 5000 columns wide takes seconds.  A line with more '|' than this turns
 * the table extension off for the document (it then shows as text);
 * 128 columns is no table a reader could read anyway.
 */
#define TABLE_PIPES_MAX	128

/* Past this the HTML is refused (the post "cannot be rendered"): a
 * thousand references to one footnote each add a back link to it. */
#define MD_OUT_MAX	(32 * 1024 * 1024)

/* Ids the reader templates use themselves: a heading never takes them
 * (nor cmark-gfm's footnote ids: see heading()). */
static const char *const reserved[] = {
	"main", "comments", "q", "c-body", "c-email", "c-name", "c-url",
	"c-website", "top", "content", NULL
};

struct md {
	struct arena		*a;
	const struct md_opts	*o;
	bool			 first_image;	/* none rendered yet */
	size_t			 hl_left;
	char			**slugs;
	size_t			 nslugs, capslugs;
	cmark_llist		*exts;		/* the parser's extensions */
};

/* True when a URL (decoded, as cmark holds it) is safe. */
static bool
url_ok(const char *v)
{
	size_t	 i, n = strlen(v);

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == ':')
			break;
		if (c == '/' || c == '?' || c == '#')
			return true;	/* relative: no scheme */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '-'))
			return false;	/* space, control, quote: refuse */
	}
	if (i == n)
		return true;		/* no ':' at all: relative */
	return (i == 4 && strncasecmp(v, "http", 4) == 0) ||
	    (i == 5 && strncasecmp(v, "https", 5) == 0) ||
	    (i == 6 && strncasecmp(v, "mailto", 6) == 0);
}

/* The text of a node's inlines, as an alt attribute or a slug needs it. */
static void
plain_text(cmark_node *node, struct buf *out)
{
	cmark_iter	*it = cmark_iter_new(node);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node	*n = cmark_iter_get_node(it);
		const char	*lit;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if ((lit = cmark_node_get_literal(n)) != NULL)
				buf_puts(out, lit);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(out, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* Replaces node by a new node of type t holding literal html. */
static cmark_node *
replace(cmark_node *node, cmark_node_type t, const char *html)
{
	cmark_node	*r = cmark_node_new(t);

	if (r == NULL)
		util_oom(0);
	cmark_node_set_literal(r, html);
	cmark_node_insert_before(node, r);
	cmark_node_unlink(node);
	cmark_node_free(node);
	return r;
}

/* Raw HTML becomes text, shown as written. */
static void
defuse(cmark_node *node)
{
	const char	*lit = cmark_node_get_literal(node);
	cmark_node	*t, *p;
	size_t		 n;
	char		*s;

	if (lit == NULL)
		lit = "";
	if (cmark_node_get_type(node) == CMARK_NODE_HTML_INLINE) {
		t = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(t, lit);
		cmark_node_insert_before(node, t);
	} else {
		/* A block: a paragraph of its text, without the final
		 * newline cmark keeps. */
		s = xstrdup(lit);
		n = strlen(s);
		while (n > 0 && s[n - 1] == '\n')
			s[--n] = '\0';
		p = cmark_node_new(CMARK_NODE_PARAGRAPH);
		t = cmark_node_new(CMARK_NODE_TEXT);
		cmark_node_set_literal(t, s);
		free(s);
		cmark_node_append_child(p, t);
		cmark_node_insert_before(node, p);
	}
	cmark_node_unlink(node);
	cmark_node_free(node);
}

static void
srcset(struct buf *b, const struct md_variant *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		escape_html(b, v[i].url, strlen(v[i].url));
		buf_printf(b, " %uw", v[i].width);
	}
}

static void
source(struct buf *b, const char *type, const struct md_variant *v,
    size_t n)
{
	if (n == 0)
		return;
	buf_printf(b, "<source type=\"%s\" srcset=\"", type);
	srcset(b, v, n);
	buf_puts(b, "\" sizes=\"" MD_SIZES "\">");
}

/* An image, as <picture> when the lookup knows it, else as <img>. */
static void
image(struct md *m, cmark_node *node)
{
	const char	*url = cmark_node_get_url(node);
	const char	*title = cmark_node_get_title(node);
	cmark_node	*par = cmark_node_parent(node);
	struct md_image	 img;
	struct buf	 b, alt;
	bool		 found = false, figure;

	if (url == NULL || !url_ok(url))
		url = "#";
	if (title == NULL)
		title = "";
	buf_init(&alt, m->a, 64);
	plain_text(node, &alt);
	memset(&img, 0, sizeof(img));
	if (m->o != NULL && m->o->image != NULL && strcmp(url, "#") != 0 &&
	    m->o->image(m->o->image_ctx, m->a, url, &img) == 0 &&
	    img.src != NULL)
		found = true;
	if (found && alt.n == 0 && img.alt != NULL)
		buf_puts(&alt, img.alt);
	figure = *title != '\0' && par != NULL &&
	    cmark_node_get_type(par) == CMARK_NODE_PARAGRAPH &&
	    cmark_node_first_child(par) == node &&
	    cmark_node_last_child(par) == node;

	buf_init(&b, m->a, 256);
	if (figure)
		buf_puts(&b, "<figure class=\"figure\">");
	if (found) {
		buf_puts(&b, "<picture>");
		source(&b, "image/avif", img.avif, img.navif);
		source(&b, "image/webp", img.webp, img.nwebp);
		buf_puts(&b, "<img src=\"");
		escape_html(&b, img.src, strlen(img.src));
		buf_puts(&b, "\"");
		if (img.nsame > 0) {
			buf_puts(&b, " srcset=\"");
			srcset(&b, img.same, img.nsame);
			buf_puts(&b, "\" sizes=\"" MD_SIZES "\"");
		}
		if (img.width > 0 && img.height > 0)
			buf_printf(&b, " width=\"%u\" height=\"%u\"",
			    img.width, img.height);
	} else {
		buf_puts(&b, "<img src=\"");
		escape_html(&b, url, strlen(url));
		buf_puts(&b, "\"");
	}
	buf_puts(&b, " alt=\"");
	escape_html(&b, alt.p, alt.n);
	buf_puts(&b, "\"");
	if (*title != '\0' && !figure) {
		buf_puts(&b, " title=\"");
		escape_html(&b, title, strlen(title));
		buf_puts(&b, "\"");
	}
	if (!m->first_image)
		buf_puts(&b, " loading=\"lazy\"");
	m->first_image = false;
	buf_puts(&b, " decoding=\"async\">");
	if (found)
		buf_puts(&b, "</picture>");
	if (figure) {
		buf_puts(&b, "<figcaption>");
		escape_html(&b, title, strlen(title));
		buf_puts(&b, "</figcaption></figure>");
		buf_putc(&b, '\0');
		replace(par, CMARK_NODE_HTML_BLOCK, b.p);
		return;
	}
	buf_putc(&b, '\0');
	replace(node, CMARK_NODE_HTML_INLINE, b.p);
}

static bool
slug_taken(const struct md *m, const char *s)
{
	size_t	 i;

	for (i = 0; reserved[i] != NULL; i++)
		if (strcmp(reserved[i], s) == 0)
			return true;
	for (i = 0; i < m->nslugs; i++)
		if (strcmp(m->slugs[i], s) == 0)
			return true;
	return false;
}

/*
 * The slug of a heading's text: ASCII letters lowercased, digits kept,
 * letters of other scripts kept as written (an id may hold any
 * character but a blank, and a browser matches #fragment to it), and
 * every other run (blanks, punctuation, symbols, emoji) one '-'.
 */
static void
slugify(const char *s, size_t n, struct buf *out)
{
	size_t	 i = 0, start = out->n;
	bool	 dash = false;

	while (i < n && out->n - start < SLUG_MAX) {
		unsigned char	 c = s[i];
		unsigned	 cp, len;

		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    (c >= 'A' && c <= 'Z')) {
				if (dash && out->n > start)
					buf_putc(out, '-');
				dash = false;
				buf_putc(out, c >= 'A' && c <= 'Z' ?
				    c - 'A' + 'a' : c);
			} else
				dash = true;
			i++;
			continue;
		}
		/* input is valid UTF-8: decode to tell letters from symbols */
		len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + len > n)
			break;
		cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) :
		    (c & 0x07u);
		for (unsigned k = 1; k < len; k++)
			cp = cp << 6 | ((unsigned char)s[i + k] & 0x3fu);
		if (cp < 0xc0 || cp == 0xd7 || cp == 0xf7 ||
		    (cp >= 0x2000 && cp < 0x2c00) ||
		    (cp >= 0x3000 && cp < 0x3040) ||
		    (cp >= 0xfe00 && cp < 0xfe70) ||
		    (cp >= 0xff00 && cp < 0xff21) || cp >= 0x1f000) {
			dash = true;
		} else {
			if (out->n - start + len > SLUG_MAX)
				break;
			if (dash && out->n > start)
				buf_putc(out, '-');
			dash = false;
			buf_put(out, s + i, len);
		}
		i += len;
	}
}

static void
heading(struct md *m, cmark_node *node)
{
	struct buf	 text, slug;
	cmark_node	*par, *ch;
	int		 level = cmark_node_get_heading_level(node);
	size_t		 base, n;
	unsigned	 k;
	char		*s, *inner, *body, *html;

	buf_init(&text, m->a, 64);
	plain_text(node, &text);
	buf_init(&slug, m->a, 64);
	slugify(text.p, text.n, &slug);
	if (slug.n == 0)
		buf_puts(&slug, "section");
	/* cmark-gfm's footnotes are fn-LABEL and fnref-LABEL */
	if ((slug.n >= 3 && memcmp(slug.p, "fn-", 3) == 0) ||
	    (slug.n >= 6 && memcmp(slug.p, "fnref-", 6) == 0)) {
		buf_init(&text, m->a, slug.n + 8);
		buf_puts(&text, "h-");
		buf_put(&text, slug.p, slug.n);
		slug = text;
	}
	buf_putc(&slug, '\0');
	base = slug.n - 1;
	for (k = 2; slug_taken(m, slug.p); k++) {
		slug.n = base;
		buf_printf(&slug, "-%u", k);
		buf_putc(&slug, '\0');
	}
	s = arena_strdup(m->a, slug.p);
	if (m->nslugs == m->capslugs) {
		char **ns;

		m->capslugs = m->capslugs ? 2 * m->capslugs : 16;
		ns = arena_array(m->a, m->capslugs, sizeof(*ns));
		if (m->nslugs > 0)
			memcpy(ns, m->slugs, m->nslugs * sizeof(*ns));
		m->slugs = ns;
	}
	m->slugs[m->nslugs++] = s;

	/* The slug holds no blank, quote or '<' and is valid UTF-8, so it
	 * can go into the attribute as it is; escape it anyway. */
	buf_init(&text, m->a, 64);
	escape_html(&text, s, strlen(s));
	buf_putc(&text, '\0');
	/* The heading's inlines, rendered as a paragraph's, then put
	 * between tags that carry the id (a custom block would wrap its
	 * children in newlines). */
	par = cmark_node_new(CMARK_NODE_PARAGRAPH);
	while ((ch = cmark_node_first_child(node)) != NULL)
		if (!cmark_node_append_child(par, ch))
			break;
	cmark_node_insert_before(node, par);
	cmark_node_unlink(node);
	cmark_node_free(node);
	inner = cmark_render_html(par, MD_RENDER, m->exts);
	if (inner == NULL)
		util_oom(0);
	n = strlen(inner);
	if (n >= 8 && strncmp(inner, "<p>", 3) == 0 &&
	    strcmp(inner + n - 5, "</p>\n") == 0) {
		inner[n - 5] = '\0';
		body = inner + 3;
	} else
		body = inner;		/* never: a paragraph renders so */
	html = arena_printf(m->a, "<h%d id=\"%s\">%s <a class=\"anchor\""
	    " href=\"#%s\" aria-label=\"Link to this section\">#</a></h%d>",
	    level, text.p, body, text.p, level);
	free(inner);
	replace(par, CMARK_NODE_HTML_BLOCK, html);
}

#define ANCHOR_HEAD	" <a class=\"anchor\" href=\"#"
#define ANCHOR_TAIL	"\" aria-label=\"Link to this section\">#</a></h"

void
md_strip_anchors(const char *html, size_t n, struct buf *out)
{
	const size_t	 hl = sizeof(ANCHOR_HEAD) - 1;
	const size_t	 tl = sizeof(ANCHOR_TAIL) - 1;
	size_t		 i = 0, start = 0;

	while (i + hl + tl <= n) {
		const char	*h = memmem(html + i, n - i, ANCHOR_HEAD, hl);
		size_t		 at, slug;

		if (h == NULL)
			break;
		at = (size_t)(h - html);
		/* The slug: up to the tail, with no quote or bracket (the
		 * renderer's slugs have none). */
		slug = at + hl;
		while (slug < n && html[slug] != '"' && html[slug] != '<' &&
		    html[slug] != '>')
			slug++;
		if (slug > at + hl && n - slug >= tl &&
		    memcmp(html + slug, ANCHOR_TAIL, tl) == 0) {
			buf_put(out, html + start, at - start);
			/* Keep the heading's closing "</h". */
			start = i = slug + tl - 3;
		} else
			i = at + 1;
	}
	buf_put(out, html + start, n - start);
}

/* The language of a fence's info string: its first word, if it is made
 * of the characters a language name uses. */
static size_t
fence_lang(const char *info, const char **lang)
{
	size_t	 n, i;

	while (*info == ' ' || *info == '\t')
		info++;
	n = strcspn(info, " \t{");
	if (n > 32)
		return 0;
	for (i = 0; i < n; i++) {
		char c = info[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		    c == '_' || c == '#' || c == '.'))
			return 0;
	}
	*lang = info;
	return n;
}

static void
code_block(struct md *m, cmark_node *node)
{
	const char	*info = cmark_node_get_fence_info(node);
	const char	*code = cmark_node_get_literal(node);
	const char	*lang = NULL;
	size_t		 ll = 0, n, i;
	struct buf	 b;

	if (code == NULL)
		code = "";
	n = strlen(code);
	if (info != NULL)
		ll = fence_lang(info, &lang);
	buf_init(&b, m->a, n + n / 2 + 64);
	buf_puts(&b, "<pre class=\"code\"><code");
	if (ll > 0) {
		buf_puts(&b, " class=\"language-");
		for (i = 0; i < ll; i++) {
			char c = lang[i];

			buf_putc(&b, c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		buf_puts(&b, "\"");
	}
	buf_puts(&b, ">");
	if (ll > 0 && n <= m->hl_left && hl_known(lang, ll)) {
		m->hl_left -= n;
		hl_render(lang, ll, code, n, &b);
	} else
		escape_html(&b, code, n);
	buf_puts(&b, "</code></pre>");
	buf_putc(&b, '\0');
	replace(node, CMARK_NODE_HTML_BLOCK, b.p);
}

/* The nodes to rework, in document order, gathered before any changes
 * (an iterator must not see its tree change). */
struct todo {
	cmark_node	**v;
	size_t		  n, cap;
};

static void
todo_add(struct md *m, struct todo *t, cmark_node *node)
{
	if (t->n == t->cap) {
		cmark_node **nv;

		t->cap = t->cap ? 2 * t->cap : 64;
		nv = arena_array(m->a, t->cap, sizeof(*nv));
		if (t->n > 0)
			memcpy(nv, t->v, t->n * sizeof(*nv));
		t->v = nv;
	}
	t->v[t->n++] = node;
}

static void
dress(struct md *m, cmark_node *doc)
{
	cmark_iter	*it = cmark_iter_new(doc);
	cmark_event_type ev;
	struct todo	 raw = { 0 }, nodes = { 0 };
	size_t		 i, in_image = 0;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node	*n = cmark_iter_get_node(it);
		const char	*url;

		/* An image in an image's alt text goes with it: only the
		 * outer one is on the list (freeing it frees the inner). */
		if (cmark_node_get_type(n) == CMARK_NODE_IMAGE) {
			if (ev == CMARK_EVENT_EXIT) {
				in_image--;
				continue;
			}
			if (in_image++ > 0)
				continue;
		}
		if (ev != CMARK_EVENT_ENTER)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			todo_add(m, &raw, n);
			break;
		case CMARK_NODE_LINK:
			url = cmark_node_get_url(n);
			if (url != NULL && !url_ok(url))
				cmark_node_set_url(n, "#");
			break;
		case CMARK_NODE_IMAGE:
		case CMARK_NODE_HEADING:
		case CMARK_NODE_CODE_BLOCK:
			todo_add(m, &nodes, n);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);

	/* Raw HTML first, so headings and alt texts see it as text. */
	for (i = 0; i < raw.n; i++)
		defuse(raw.v[i]);
	/* Images before headings: a heading moves its children, images
	 * replace themselves; neither frees a node still on the list. */
	for (i = 0; i < nodes.n; i++)
		if (cmark_node_get_type(nodes.v[i]) == CMARK_NODE_IMAGE)
			image(m, nodes.v[i]);
	for (i = 0; i < nodes.n; i++)
		if (cmark_node_get_type(nodes.v[i]) == CMARK_NODE_HEADING)
			heading(m, nodes.v[i]);
		else if (cmark_node_get_type(nodes.v[i]) ==
		    CMARK_NODE_CODE_BLOCK)
			code_block(m, nodes.v[i]);
}

/* True when a line holds more than TABLE_PIPES_MAX '|'. */
static bool
too_wide(const char *s, size_t n)
{
	size_t	 i, pipes = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			pipes = 0;
		else if (s[i] == '|' && ++pipes > TABLE_PIPES_MAX)
			return true;
	}
	return false;
}

int
md_render(const char *md, size_t n, struct buf *out)
{
	return md_render_opts(md, n, NULL, out);
}

int
md_render_opts(const char *md, size_t n, const struct md_opts *o,
    struct buf *out)
{
	struct md	 m;
	cmark_parser	*p;
	cmark_node	*doc;
	char		*html;
	size_t		 i;

	if (!util_utf8_valid(md, n))
		return -1;
	cmark_gfm_core_extensions_ensure_registered();
	if ((p = cmark_parser_new(MD_PARSE)) == NULL)
		util_oom(0);
	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		cmark_syntax_extension *e =
		    cmark_find_syntax_extension(extensions[i]);

		if (i == 0 && too_wide(md, n))
			continue;

		if (e == NULL || !cmark_parser_attach_syntax_extension(p, e)) {
			cmark_parser_free(p);
			return -1;
		}
	}
	cmark_parser_feed(p, md, n);
	if ((doc = cmark_parser_finish(p)) == NULL) {
		cmark_parser_free(p);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.a = out->a;
	m.o = o;
	m.first_image = true;
	m.hl_left = HL_BUDGET;
	m.exts = cmark_parser_get_syntax_extensions(p);
	dress(&m, doc);
	html = cmark_render_html(doc, MD_RENDER,
	    cmark_parser_get_syntax_extensions(p));
	cmark_node_free(doc);
	cmark_parser_free(p);
	if (html == NULL)
		return -1;
	if (strlen(html) > MD_OUT_MAX) {
		free(html);
		return -1;
	}
	buf_puts(out, html);
	free(html);
	return 0;
}
