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
#include <strings.h>
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
	struct wxr_export *x;
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

/* An email address as the schema takes it: one line, at most 254 bytes,
 * an '@' between something and something, no blanks; else "". */
static const char *
email_of(struct arena *a, const char *s)
{
	const char	*e = one_line(a, s, 254), *at = strchr(e, '@');

	if (strlen(e) > 254 || at == NULL || at == e || at[1] == '\0' ||
	    strpbrk(e, " <>\"") != NULL)
		return "";
	return e;
}

/* An http(s) URL without blanks, quotes or angle brackets, at most
 * WXR_PATH_MAX bytes; else "". */
static const char *
url_of(struct arena *a, const char *s)
{
	const char	*u = one_line(a, s, WXR_PATH_MAX);

	if (strlen(u) > WXR_PATH_MAX || strpbrk(u, " <>\"'`\\") != NULL ||
	    (strncasecmp(u, "http://", 7) != 0 &&
	    strncasecmp(u, "https://", 8) != 0) || u[u[4] == ':' ? 7 : 8] ==
	    '\0')
		return "";
	return u;
}

static void
read_authors(struct wxr *w, const xmlNode *channel)
{
	struct wxr_export *x = w->x;
	size_t	 n = 0;

	for (const xmlNode *k = channel->children; k != NULL; k = k->next)
		n += named(k, NS_WPX, "author");
	w->authors = arena_array(w->a, n + 1, sizeof(*w->authors));
	x->authors = arena_array(w->a, n + 1, sizeof(*x->authors));
	for (const xmlNode *k = channel->children; k != NULL; k = k->next) {
		struct wxr_author *u = &x->authors[x->nauthors];
		const char	*email;

		if (!named(k, NS_WPX, "author"))
			continue;
		w->authors[w->nauthors].login = one_line(w->a,
		    child_text(w->a, k, NS_WPX, "author_login"), USER_MAX * 4);
		w->authors[w->nauthors].display = one_line(w->a,
		    child_text(w->a, k, NS_WPX, "author_display_name"),
		    CONTENT_DISPLAY_MAX);
		u->username = login_of(w->a, w->authors[w->nauthors].login,
		    USER_MAX);
		u->display_name = w->authors[w->nauthors].display;
		if (u->display_name[0] == '\0')
			u->display_name = u->username;
		email = email_of(w->a, child_text(w->a, k, NS_WPX,
		    "author_email"));
		u->email = email[0] != '\0' ? email : NULL;
		w->nauthors++;
		/* Two logins may make one username: the first one wins. */
		if (u->username[0] == '\0')
			continue;
		for (size_t i = 0; i < x->nauthors; i++)
			if (strcmp(x->authors[i].username, u->username) == 0)
				goto next;
		x->nauthors++;
next:		;
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

/* A comment's text: lines kept (CR LF as LF), other controls as
 * spaces, blanks trimmed; NULL when empty or past the schema's 10000
 * characters. */
static const char *
comment_body(struct arena *a, const char *s)
{
	struct buf	 b;
	long		 n;
	const char	*t;

	buf_init(&b, a, strlen(s) + 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r' && s[1] == '\n')
			continue;
		buf_putc(&b, c == '\n' || c == '\r' ? '\n' :
		    c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	while (b.n > 0 && (b.p[b.n - 1] == ' ' || b.p[b.n - 1] == '\n'))
		b.p[--b.n] = '\0';
	for (t = b.p; *t == ' ' || *t == '\n'; t++)
		;
	n = content_chars(t, strlen(t));
	return n >= 1 && n <= 10000 ? t : NULL;
}

/* A WordPress id: the decimal number, or 0 for none or nonsense. */
static unsigned long long
wp_id(struct arena *a, const xmlNode *n, const char *local)
{
	const char		*s = one_line(a, child_text(a, n, NS_WPX,
				    local), 40);
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? 0 : v;
}

struct cid {
	unsigned long long id;
	size_t		 i;
};

static int
by_cid(const void *x, const void *y)
{
	const struct cid *p = x, *q = y;

	if (p->id != q->id)
		return p->id < q->id ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/*
 * The comments of item into post: fields made to fit the schema, the
 * threads resolved, parents first.  What is left out is counted.
 */
static void
read_comments(struct wxr *w, const xmlNode *item, struct wxr_post *post)
{
	struct wxr_skips *sk = &w->x->skips;
	struct wxr_comment *c, *out;
	unsigned long long *par;
	struct cid	*ids;
	size_t		 n = 0, kept = 0, seen = 0, k;
	size_t		*at;
	int		*depth;

	for (const xmlNode *e = item->children; e != NULL; e = e->next)
		n += named(e, NS_WPX, "comment");
	if (n == 0)
		return;
	if (n > WXR_COMMENTS_MAX)
		n = WXR_COMMENTS_MAX;
	c = arena_array(w->a, n, sizeof(*c));
	par = arena_array(w->a, n, sizeof(*par));
	ids = arena_array(w->a, n, sizeof(*ids));
	for (const xmlNode *e = item->children; e != NULL; e = e->next) {
		const char	*type, *state, *name, *body, *date;
		struct wxr_comment *m = &c[kept];

		if (!named(e, NS_WPX, "comment"))
			continue;
		if (seen++ >= WXR_COMMENTS_MAX) {
			sk->limit++;
			continue;
		}
		type = one_line(w->a, child_text(w->a, e, NS_WPX,
		    "comment_type"), 64);
		if (strcmp(type, "pingback") == 0 ||
		    strcmp(type, "trackback") == 0) {
			sk->pings++;
			continue;
		}
		state = one_line(w->a, child_text(w->a, e, NS_WPX,
		    "comment_approved"), 64);
		if (strcmp(state, "1") == 0)
			m->status = "approved";
		else if (strcmp(state, "0") == 0)
			m->status = "pending";
		else if (strcmp(state, "spam") == 0)
			m->status = "spam";
		body = comment_body(w->a, child_text(w->a, e, NS_WPX,
		    "comment_content"));
		if ((type[0] != '\0' && strcmp(type, "comment") != 0) ||
		    m->status == NULL || body == NULL) {
			m->status = NULL;
			sk->comments++;
			continue;
		}
		m->body = body;
		name = one_line(w->a, child_text(w->a, e, NS_WPX,
		    "comment_author"), 100);
		m->author_name = name[0] != '\0' ? name : "Anonymous";
		m->author_email = email_of(w->a, child_text(w->a, e, NS_WPX,
		    "comment_author_email"));
		m->author_url = url_of(w->a, child_text(w->a, e, NS_WPX,
		    "comment_author_url"));
		date = wp_date(w->a, child_text(w->a, e, NS_WPX,
		    "comment_date_gmt"), "Z");
		if (date == NULL)
			date = wp_date(w->a, child_text(w->a, e, NS_WPX,
			    "comment_date"), "");
		m->created_at = date;
		ids[kept].id = wp_id(w->a, e, "comment_id");
		ids[kept].i = kept;
		par[kept] = wp_id(w->a, e, "comment_parent");
		kept++;
	}
	if (kept == 0)
		return;

	/* Parents by id: the first comment of an id, if there are two. */
	qsort(ids, kept, sizeof(*ids), by_cid);
	for (size_t i = 0; i < kept; i++) {
		size_t	 lo = 0, hi = kept;

		c[i].parent = -1;
		if (par[i] == 0)
			continue;
		while (lo < hi) {
			size_t	 mid = lo + (hi - lo) / 2;

			if (ids[mid].id < par[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < kept && ids[lo].id == par[i] && ids[lo].i != i)
			c[i].parent = (long)ids[lo].i;
	}
	/* Depth by walking up, at most WXR_DEPTH_MAX + 1 steps: a circle
	 * never reaches the top, so it counts as too deep. */
	depth = arena_array(w->a, kept, sizeof(*depth));
	for (size_t i = 0; i < kept; i++) {
		long	 p = c[i].parent;
		int	 d = 0;

		while (p >= 0 && d <= WXR_DEPTH_MAX) {
			d++;
			p = c[p].parent;
		}
		depth[i] = d;
		if (d > WXR_DEPTH_MAX)
			sk->threads++;
	}
	/* Parents before replies: by depth, in file order within one. */
	at = arena_array(w->a, kept, sizeof(*at));
	out = arena_array(w->a, kept, sizeof(*out));
	k = 0;
	for (int d = 0; d <= WXR_DEPTH_MAX; d++)
		for (size_t i = 0; i < kept; i++)
			if (depth[i] == d) {
				at[i] = k;
				out[k] = c[i];
				out[k].depth = d;
				out[k].parent = c[i].parent < 0 ? -1 :
				    (long)at[c[i].parent];
				k++;
			}
	post->comments = out;
	post->ncomments = k;
}

/* The path of an item's <link> when it is one a redirect can have: no
 * query (a "?p=11" link names no path), fragment dropped, not "/". */
static const char *
old_path_of(struct arena *a, const char *link)
{
	const char	*s = one_line(a, link, WXR_PATH_MAX + 16), *p;
	char		*q;

	if (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0) {
		s += s[4] == ':' ? 7 : 8;
		if ((p = strchr(s, '/')) == NULL)
			return NULL;
		s = p;
	}
	if (s[0] != '/')
		return NULL;
	q = arena_strdup(a, s);
	q[strcspn(q, "#")] = '\0';
	if (strcmp(q, "/") == 0 || strlen(q) > WXR_PATH_MAX ||
	    strpbrk(q, "? \t\\") != NULL)
		return NULL;
	return q;
}

/* s[0..n) decoded; NULL when it holds %00. */
static const char *
decode_part(struct arena *a, const char *s, size_t n)
{
	char	*t = arena_strndup(a, s, n);

	if (strstr(t, "%00") != NULL)
		return NULL;
	return unescape(a, t);
}

static void
read_attachment(struct wxr *w, const xmlNode *item, int line)
{
	struct wxr_export *x = w->x;
	struct wxr_attachment *m;
	const char	*url, *path, *u;
	size_t		 end;
	static const char uploads[] = "/wp-content/uploads/";

	if (x->nattachments >= WXR_ATTACHMENTS_MAX) {
		x->skips.limit++;
		return;
	}
	url = url_of(w->a, child_text(w->a, item, NS_WPX, "attachment_url"));
	if (url[0] == '\0') {
		skipped(w, line, one_line(w->a, child_text(w->a, item,
		    NS_NONE, "title"), 60), "no http(s) attachment URL");
		return;
	}
	m = &x->attachments[x->nattachments++];
	m->url = url;
	m->line = line;
	m->author = login_of(w->a, one_line(w->a, child_text(w->a, item,
	    NS_DCX, "creator"), CONTENT_DISPLAY_MAX), USER_MAX);
	if (m->author[0] == '\0')
		m->author = "admin";
	u = url + (url[4] == ':' ? 7 : 8);
	path = strchr(u, '/');
	if (path == NULL)
		return;
	end = strcspn(path, "?#");
	if ((u = strstr(path, uploads)) != NULL &&
	    (size_t)(u - path) < end)
		m->rel = decode_part(w->a, u + sizeof(uploads) - 1,
		    end - (size_t)(u - path) - (sizeof(uploads) - 1));
	for (u = path + end; u > path && u[-1] != '/'; u--)
		;
	if (u < path + end)
		m->base = decode_part(w->a, u, (size_t)(path + end - u));
}

/* One item; false when it is not a post or is skipped. */
static bool
read_item(struct wxr *w, const xmlNode *item, size_t index,
    struct wxr_post *post)
{
	struct post_out	*out = &post->out;
	struct post_in	*p = &out->in;
	const char	*type, *status, *title, *creator, *id, *html;
	struct buf	 b;
	int		 line = (int)xmlGetLineNo(item);

	type = one_line(w->a, child_text(w->a, item, NS_WPX, "post_type"),
	    64);
	if (strcmp(type, "attachment") == 0)
		read_attachment(w, item, line);
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
	post->html = html;
	post->old_path = old_path_of(w->a, child_text(w->a, item, NS_NONE,
	    "link"));
	read_tags(w, item, p);
	read_comments(w, item, post);
	return true;
}

int
wxr_parse(struct arena *a, const char *path, const char *text, size_t len,
    struct wxr_export *x, FILE *report, char *err, size_t errlen)
{
	struct wxr			 w = { .a = a, .path = path,
					    .report = report, .x = x };
	xmlParserCtxtPtr		 ctxt = NULL;
	xmlDocPtr			 doc = NULL;
	xmlExternalEntityLoader		 old;
	const xmlNode			*root, *channel = NULL;
	const xmlError			*e;
	size_t				 items = 0;
	char				*msg;
	int				 rc = -1;

	memset(x, 0, sizeof(*x));
	if (len > WXR_FILE_MAX) {
		errf(err, errlen, "%s: larger than %d bytes", path,
		    WXR_FILE_MAX);
		goto out;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
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
	x->posts = arena_array(a, items + 1, sizeof(*x->posts));
	x->attachments = arena_array(a, (items < WXR_ATTACHMENTS_MAX ?
	    items : WXR_ATTACHMENTS_MAX) + 1, sizeof(*x->attachments));
	items = 0;
	for (const xmlNode *k = channel->children; k != NULL; k = k->next) {
		if (!named(k, NS_NONE, "item"))
			continue;
		if (read_item(&w, k, items++, &x->posts[x->nposts]))
			x->nposts++;
		else
			memset(&x->posts[x->nposts], 0,
			    sizeof(x->posts[x->nposts]));
	}
	rc = 0;
out:
	if (rc != 0)
		memset(x, 0, sizeof(*x));
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (ctxt != NULL)
		xmlFreeParserCtxt(ctxt);
	return rc;
}

int
wxr_read(struct arena *a, const char *path, struct wxr_export *x,
    FILE *report, char *err, size_t errlen)
{
	char	*text;
	size_t	 len;

	memset(x, 0, sizeof(*x));
	if (slurp(a, path, &text, &len, err, errlen) < 0)
		return -1;
	return wxr_parse(a, path, text, len, x, report, err, errlen);
}

/* Whether c may go on in an URL (so a match ending before it is cut). */
static bool
url_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~%/+", c) != NULL;
}

char *
wxr_rewrite(struct arena *a, const char *html, const struct wxr_map *map,
    size_t n, int *changed)
{
	struct buf	 b;
	const char	*s = html;

	*changed = 0;
	buf_init(&b, a, strlen(html) + 64);
	while (*s != '\0') {
		size_t	 len = 0;
		const char *to = NULL;

		if (strncasecmp(s, "http", 4) == 0 && (s[4] == ':' ||
		    ((s[4] == 's' || s[4] == 'S') && s[5] == ':'))) {
			const char *ss = s + (s[4] == ':' ? 4 : 5);

			/* Past the scheme, http and https match alike. */
			for (size_t i = 0; i < n && to == NULL; i++) {
				const char *sf = strstr(map[i].from, "://");

				if (sf == NULL)
					continue;
				len = strlen(sf);
				if (strncmp(ss, sf, len) == 0 &&
				    !url_char((unsigned char)ss[len])) {
					to = map[i].to;
					len += (size_t)(ss - s);
				}
			}
		}
		if (to != NULL) {
			buf_puts(&b, to);
			s += len;
			*changed = 1;
		} else
			buf_putc(&b, *s++);
	}
	return b.p;
}

int
wxr_rel_ok(const char *rel)
{
	size_t	 n = strlen(rel);

	if (n == 0 || n > WXR_PATH_MAX || rel[0] == '/' ||
	    strchr(rel, '\\') != NULL)
		return 0;
	for (const char *s = rel; ; ) {
		size_t	 k = strcspn(s, "/");

		if (k == 0 || (k == 1 && s[0] == '.') ||
		    (k == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (s[k] == '\0')
			return 1;
		s += k + 1;
	}
}
