/* SPDX-License-Identifier: MIT */
/*
 * wxr.c: reads the posts out of a WordPress export (WXR), safely.
 *
 * An export is untrusted XML.  libxml2 is asked for no network
 * (XML_PARSE_NONET) and is not asked for entity substitution
 * (XML_PARSE_NOENT), DTD loading or validation, so external entities are
 * never fetched: the XXE attack reads nothing.  On top of that the
 * external entity loader is replaced, for the parse, by one that refuses
 * everything, and text is gathered only from text nodes: an entity
 * reference node, whatever it was declared as, adds nothing.  Internal
 * entities are parsed once each under libxml2's amplification limits
 * (XML_PARSE_HUGE is off), so a "billion laughs" costs little.  The
 * file's size is capped before it is read.
 *
 * Elements are matched by namespace URI, not prefix: WXR 1.0 to 1.2 use
 * different wp: URIs, all under http://wordpress.org/export/.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/content.h"
#include "content/html_md.h"
#include "lib/util.h"
#include "content/wxr.h"

#define XML_OPTS	(XML_PARSE_NONET | XML_PARSE_NOCDATA | \
			XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
			XML_PARSE_BIG_LINES)
#define NS_WP		"http://wordpress.org/export/"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define USER_MAX	40

enum ns { NS_NONE, NS_WPX, NS_EXCERPT, NS_CONTENTX, NS_DCX };

struct author {
	const char	*login;
	const char	*display;
};

struct wxr {
	struct arena	*a;
	const char	*path;
	FILE		*report;
	struct author	*authors;
	size_t		 nauthors;
};

static void	 errf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static xmlParserInputPtr
refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url, (void)id, (void)ctxt;
	return NULL;
}

/* Reads the whole file; -1 with err set. */
static int
slurp(struct arena *a, const char *path, char **text, size_t *n, char *err,
    size_t errlen)
{
	struct stat	 st;
	int		 fd, rc = -1;
	size_t		 got = 0;
	ssize_t		 r;
	char		*p;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > WXR_FILE_MAX) {
		errf(err, errlen, "%s: larger than %d bytes", path,
		    WXR_FILE_MAX);
		goto out;
	}
	p = arena_alloc(a, (size_t)st.st_size + 1);
	/* One byte more than the size: a file that grew is refused. */
	while ((r = read(fd, p + got, (size_t)st.st_size + 1 - got)) > 0)
		got += (size_t)r;
	if (r < 0 || got > (size_t)st.st_size) {
		errf(err, errlen, "%s: %s", path, r < 0 ? strerror(errno) :
		    "changed while being read");
		goto out;
	}
	*text = p;
	*n = got;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static enum ns
ns_of(const xmlNode *n)
{
	const char	*h;

	if (n->ns == NULL || n->ns->href == NULL)
		return NS_NONE;
	h = (const char *)n->ns->href;
	if (strncmp(h, NS_WP, strlen(NS_WP)) == 0)
		return strstr(h, "/excerpt") != NULL ? NS_EXCERPT : NS_WPX;
	if (strcmp(h, NS_CONTENT) == 0)
		return NS_CONTENTX;
	if (strcmp(h, NS_DC) == 0)
		return NS_DCX;
	return NS_NONE;
}

static bool
named(const xmlNode *n, enum ns ns, const char *local)
{
	return n->type == XML_ELEMENT_NODE && ns_of(n) == ns &&
	    strcmp((const char *)n->name, local) == 0;
}

/* The element's own text; entity references contribute nothing. */
static char *
text_of(struct arena *a, const xmlNode *n)
{
	struct buf	 b;

	buf_init(&b, a, 64);
	for (const xmlNode *k = n->children; k != NULL; k = k->next)
		if ((k->type == XML_TEXT_NODE ||
		    k->type == XML_CDATA_SECTION_NODE) && k->content != NULL)
			buf_puts(&b, (const char *)k->content);
	return b.p;
}

static const xmlNode *
child(const xmlNode *n, enum ns ns, const char *local)
{
	for (const xmlNode *k = n->children; k != NULL; k = k->next)
		if (named(k, ns, local))
			return k;
	return NULL;
}

static char *
child_text(struct arena *a, const xmlNode *n, enum ns ns, const char *local)
{
	const xmlNode *k = child(n, ns, local);

	return k != NULL ? text_of(a, k) : arena_strdup(a, "");
}

/* One line of text: controls to spaces, blanks trimmed, at most max
 * characters. */
static char *
one_line(struct arena *a, const char *s, size_t max)
{
	struct buf	 b;
	size_t		 chars = 0;

	buf_init(&b, a, strlen(s) + 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) != 0x80 && chars++ == max)
			break;
		buf_putc(&b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	while (b.n > 0 && b.p[b.n - 1] == ' ')
		b.p[--b.n] = '\0';
	for (s = b.p; *s == ' '; s++)
		;
	return (char *)s;
}

/* s with WordPress's percent-escapes (of non-ASCII slugs) decoded. */
static char *
unescape(struct arena *a, const char *s)
{
	char	*out = arena_alloc(a, strlen(s) + 1), *o = out;
	int	 hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '%' && (hi = util_hexval((unsigned char)s[1])) >= 0 &&
		    (lo = util_hexval((unsigned char)s[2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* The slug of s by the content rules (content_slugify), after the
 * escapes are decoded; "" when nothing is left. */
static const char *
slug_of(struct arena *a, const char *s, size_t max)
{
	const char	*slug = content_slugify(a, unescape(a, s), max);

	return slug != NULL ? slug : "";
}

/*
 * A username from an author's login: lower-case letters and digits, '_'
 * inside, joined by single '-', at most max bytes.  Not a slug (slugs
 * have no '_'), so not content_slugify.
 */
static char *
login_of(struct arena *a, const char *s, size_t max)
{
	struct buf	 b;
	bool		 dash = false;

	s = unescape(a, s);
	buf_init(&b, a, strlen(s) + 1);
	for (; *s != '\0'; s++) {
		char	 c = *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '_' && b.n > 0)) {
			if (b.n >= max)
				break;
			if (dash && b.n > 0) {
				if (b.n + 1 >= max)
					break;
				buf_putc(&b, '-');
			}
			dash = false;
			buf_putc(&b, c);
		} else
			dash = true;
	}
	while (b.n > 0 && (b.p[b.n - 1] == '-' || b.p[b.n - 1] == '_'))
		b.p[--b.n] = '\0';
	return b.p;
}

/* "YYYY-MM-DD HH:MM:SS" to ISO 8601 with zone z ("Z" or ""); NULL for
 * WordPress's zero date or anything else. */
static const char *
wp_date(struct arena *a, const char *s, const char *z)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' :
		    s[i] != shape[i])
			return NULL;
	if (strncmp(s, "0000", 4) == 0)
		return NULL;
	return arena_printf(a, "%.10sT%.8s%s", s, s + 11, z);
}

static void
read_authors(struct wxr *w, const xmlNode *channel)
{
	size_t	 n = 0;

	for (const xmlNode *k = channel->children; k != NULL; k = k->next)
		n += named(k, NS_WPX, "author");
	w->authors = arena_array(w->a, n + 1, sizeof(*w->authors));
	for (const xmlNode *k = channel->children; k != NULL; k = k->next) {
		if (!named(k, NS_WPX, "author"))
			continue;
		w->authors[w->nauthors].login = one_line(w->a,
		    child_text(w->a, k, NS_WPX, "author_login"), USER_MAX * 4);
		w->authors[w->nauthors].display = one_line(w->a,
		    child_text(w->a, k, NS_WPX, "author_display_name"),
		    CONTENT_DISPLAY_MAX);
		w->nauthors++;
	}
}

static void
skipped(struct wxr *w, int line, const char *title, const char *why)
{
	if (w->report != NULL)
		fprintf(w->report, "%s:%d: item \"%.60s\" skipped: %s\n",
		    w->path, line, title, why);
}

static void
read_tags(struct wxr *w, const xmlNode *item, struct post_in *p)
{
	struct content_tags t;
	const char	*why;

	content_tags_init(&t, w->a);
	for (const xmlNode *k = item->children; k != NULL; k = k->next) {
		xmlChar		*dom, *nice;
		const char	*slug = NULL, *name;
		bool		 want;

		if (!named(k, NS_NONE, "category"))
			continue;
		dom = xmlGetProp(k, (const xmlChar *)"domain");
		want = dom != NULL &&
		    (strcmp((const char *)dom, "post_tag") == 0 ||
		    strcmp((const char *)dom, "category") == 0);
		xmlFree(dom);
		if (!want)
			continue;
		name = one_line(w->a, text_of(w->a, k), CONTENT_TAG_NAME_MAX);
		if ((nice = xmlGetProp(k, (const xmlChar *)"nicename")) !=
		    NULL) {
			slug = slug_of(w->a, (const char *)nice,
			    CONTENT_TAG_SLUG_MAX);
			xmlFree(nice);
		}
		if (slug == NULL || slug[0] == '\0')
			slug = slug_of(w->a, name, CONTENT_TAG_SLUG_MAX);
		/* One with no letters, or past the limit, is left out. */
		if (slug[0] != '\0')
			(void)content_tag_add(&t, w->a,
			    name[0] != '\0' ? name : slug, slug, &why);
	}
	p->tag_slugs = t.slugs;
	p->tag_names = t.names;
	p->ntags = t.n;
}

/* One item; false when it is not a post or is skipped. */
static bool
read_item(struct wxr *w, const xmlNode *item, size_t index,
    struct post_out *out)
{
	struct post_in	*p = &out->in;
	const char	*type, *status, *title, *creator, *id, *html;
	struct buf	 b;
	int		 line = (int)xmlGetLineNo(item);

	type = one_line(w->a, child_text(w->a, item, NS_WPX, "post_type"),
	    64);
	if (strcmp(type, "post") != 0)
		return false;
	title = one_line(w->a, child_text(w->a, item, NS_NONE, "title"),
	    CONTENT_TITLE_MAX);
	status = one_line(w->a, child_text(w->a, item, NS_WPX, "status"), 64);
	if (strcmp(status, "publish") == 0)
		p->status = "published";
	else if (strcmp(status, "future") == 0)
		p->status = "scheduled";
	else if (strcmp(status, "draft") == 0 ||
	    strcmp(status, "pending") == 0 || strcmp(status, "private") == 0)
		p->status = "draft";
	else {
		skipped(w, line, title, "status is not publish, future, "
		    "draft, pending or private");
		return false;
	}
	p->title = title[0] != '\0' ? title : "Untitled";

	p->slug = slug_of(w->a, child_text(w->a, item, NS_WPX, "post_name"),
	    CONTENT_SLUG_MAX);
	if (p->slug[0] == '\0')
		p->slug = slug_of(w->a, title, CONTENT_SLUG_MAX);
	if (p->slug[0] == '\0') {
		id = slug_of(w->a, child_text(w->a, item, NS_WPX, "post_id"),
		    20);
		p->slug = id[0] != '\0' ? arena_printf(w->a, "post-%s", id) :
		    arena_printf(w->a, "post-%zu", index + 1);
	}

	creator = one_line(w->a, child_text(w->a, item, NS_DCX, "creator"),
	    CONTENT_DISPLAY_MAX);
	p->author = login_of(w->a, creator, USER_MAX);
	out->author_name = creator;
	for (size_t i = 0; i < w->nauthors; i++)
		if (strcmp(w->authors[i].login, creator) == 0 &&
		    w->authors[i].display[0] != '\0')
			out->author_name = w->authors[i].display;
	if (p->author[0] == '\0') {
		p->author = "admin";
		out->author_name = "admin";
	} else if (out->author_name[0] == '\0')
		out->author_name = p->author;

	p->published_at = wp_date(w->a, child_text(w->a, item, NS_WPX,
	    "post_date_gmt"), "Z");
	if (p->published_at == NULL && strcmp(p->status, "draft") != 0)
		/* No GMT date: the site's local time, taken as UTC. */
		p->published_at = wp_date(w->a, child_text(w->a, item,
		    NS_WPX, "post_date"), "");
	p->updated_at = wp_date(w->a, child_text(w->a, item, NS_WPX,
	    "post_modified_gmt"), "Z");
	if (p->updated_at == NULL)
		p->updated_at = p->published_at;

	buf_init(&b, w->a, 256);
	html = child_text(w->a, item, NS_EXCERPT, "encoded");
	if (html_md_text(html, strlen(html), &b) != 0) {
		skipped(w, line, title, "the excerpt cannot be parsed");
		return false;
	}
	p->summary = b.p;
	buf_init(&b, w->a, 1024);
	html = child_text(w->a, item, NS_CONTENTX, "encoded");
	if (html_md_convert(html, strlen(html), &b) != 0) {
		skipped(w, line, title, "the content cannot be parsed");
		return false;
	}
	p->body_md = b.p;
	read_tags(w, item, p);
	return true;
}

int
wxr_read(struct arena *a, const char *path, struct post_out **posts,
    size_t *n, FILE *report, char *err, size_t errlen)
{
	struct wxr			 w = { .a = a, .path = path,
					    .report = report };
	xmlParserCtxtPtr		 ctxt = NULL;
	xmlDocPtr			 doc = NULL;
	xmlExternalEntityLoader		 old;
	const xmlNode			*root, *channel = NULL;
	const xmlError			*e;
	struct post_out			*out;
	size_t				 len, items = 0;
	char				*text, *msg;
	int				 rc = -1;

	*posts = NULL;
	*n = 0;
	if (slurp(a, path, &text, &len, err, errlen) < 0)
		goto out;
	if (len > INT32_MAX || (ctxt = xmlNewParserCtxt()) == NULL) {
		errf(err, errlen, "%s: cannot set up the XML parser", path);
		goto out;
	}
	old = xmlGetExternalEntityLoader();
	xmlSetExternalEntityLoader(refuse_entity);
	doc = xmlCtxtReadMemory(ctxt, text, (int)len, path, NULL, XML_OPTS);
	xmlSetExternalEntityLoader(old);
	if (doc == NULL || !ctxt->wellFormed) {
		e = xmlCtxtGetLastError(ctxt);
		msg = arena_strdup(a, e != NULL && e->message != NULL ?
		    e->message : "unknown error");
		msg[strcspn(msg, "\n")] = '\0';
		errf(err, errlen, "%s:%d: not well-formed XML, nothing "
		    "imported: %s", path, e != NULL ? e->line : 0, msg);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root != NULL && named(root, NS_NONE, "rss"))
		channel = child(root, NS_NONE, "channel");
	if (channel == NULL) {
		errf(err, errlen, "%s:%d: not a WordPress export (no "
		    "<rss><channel>)", path, root ? (int)xmlGetLineNo(root) :
		    1);
		goto out;
	}
	read_authors(&w, channel);
	for (const xmlNode *k = channel->children; k != NULL; k = k->next)
		items += named(k, NS_NONE, "item");
	out = arena_array(a, items + 1, sizeof(*out));
	items = 0;
	for (const xmlNode *k = channel->children; k != NULL; k = k->next) {
		if (!named(k, NS_NONE, "item"))
			continue;
		memset(&out[*n], 0, sizeof(out[*n]));
		if (read_item(&w, k, items++, &out[*n]))
			(*n)++;
	}
	*posts = out;
	rc = 0;
out:
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	return rc;
}
