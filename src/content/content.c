/* SPDX-License-Identifier: MIT */
/*
 * content.c: the rulebook of posts and tags: limits, slugs, tag lists
 * and the check of a whole post.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "lib/arena.h"
#include "content/content.h"
#include "lib/util.h"

const char *const content_post_fields[] = {
	"slug",		/* PF_SLUG */
	"title",	/* PF_TITLE */
	"summary",	/* PF_SUMMARY */
	"body_md",	/* PF_BODY_MD */
	"status",	/* PF_STATUS */
	"published_at",	/* PF_PUBLISHED_AT */
	"updated_at",	/* PF_UPDATED_AT */
	"author",	/* PF_AUTHOR */
	"tags",		/* PF_TAGS */
};

_Static_assert(NELEM(content_post_fields) == PF__MAX,
    "content_post_fields needs one row per enum post_field");

long
content_chars(const char *s, size_t n)
{
	long	 c = 0;

	if (!util_utf8_valid(s, n))
		return -1;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static bool
alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

char *
content_slugify(struct arena *a, const char *s, size_t max)
{
	char	*out = arena_alloc(a, strlen(s) + 1);
	size_t	 n = 0, cut = 0;
	bool	 gap = false;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	    p++) {
		if (!alnum(*p)) {
			gap = n > 0;
			continue;
		}
		if (gap) {
			/* A word ended: the slug could stop here. */
			if (n > max)
				break;
			cut = n;
			out[n++] = '-';
			gap = false;
		}
		out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	if (n > max)
		n = cut > 0 ? cut : max;
	out[n] = '\0';
	return n == 0 ? NULL : out;
}

void
content_tags_init(struct content_tags *t, struct arena *a)
{
	t->slugs = arena_array(a, CONTENT_TAGS_MAX, sizeof(*t->slugs));
	t->names = arena_array(a, CONTENT_TAGS_MAX, sizeof(*t->names));
	t->n = 0;
}

int
content_tag_add(struct content_tags *t, struct arena *a, const char *name,
    const char *slug, const char **why)
{
	if (slug == NULL || !util_slug_ok(slug, strlen(slug),
	    CONTENT_TAG_SLUG_MAX))
		slug = content_slugify(a, name, CONTENT_TAG_SLUG_MAX);
	if (slug == NULL) {
		*why = "a tag needs letters or digits";
		return -1;
	}
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->slugs[i], slug) == 0)
			return 0;
	if (t->n == CONTENT_TAGS_MAX) {
		*why = "at most 100 tags";
		return -1;
	}
	t->slugs[t->n] = slug;
	t->names[t->n++] = name;
	return 0;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

int
content_tags_parse(struct content_tags *t, struct arena *a,
    const char *text, const char **why)
{
	const char	*p = text, *e;

	while (*p != '\0') {
		size_t	 n;

		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		while (p < e && blank(*p))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && blank(p[n - 1]))
			n--;
		if (n > 0 && content_tag_add(t, a, arena_strndup(a, p, n),
		    NULL, why) != 0)
			return -1;
		p = *e == ',' ? e + 1 : e;
	}
	return 0;
}

/* Characters in NUL-terminated s; -1 for invalid UTF-8. */
static long
chars(const char *s)
{
	return content_chars(s, strlen(s));
}

static const char *
tags_problem(const struct post_in *p)
{
	long	 n;

	if (p->ntags > CONTENT_TAGS_MAX)
		return "more than 100";
	for (size_t i = 0; i < p->ntags; i++) {
		const char *t = p->tag_slugs[i];
		const char *name = p->tag_names ? p->tag_names[i] : NULL;

		if (!util_slug_ok(t, strlen(t), CONTENT_TAG_SLUG_MAX))
			return "a tag slug is lower-case letters and digits "
			    "joined by single '-', at most 100";
		if (name != NULL && ((n = chars(name)) < 1 ||
		    n > CONTENT_TAG_NAME_MAX))
			return "a tag name must be 1 to 100 characters of "
			    "UTF-8";
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->tag_slugs[j], t) == 0)
				return "a tag is listed twice";
	}
	return NULL;
}

size_t
content_post_check(const struct post_in *p, bool by_user,
    const char *why[PF__MAX])
{
	const char	*slug = p->slug != NULL ? p->slug : "";
	bool		 status_ok;
	size_t		 bad = 0;
	long		 n;

	for (size_t f = 0; f < PF__MAX; f++)
		why[f] = NULL;
	if (!util_slug_ok(slug, strlen(slug), CONTENT_SLUG_MAX))
		why[PF_SLUG] = "must be lower-case letters and digits joined "
		    "by single '-', at most 200";
	if (p->title == NULL || (n = chars(p->title)) < 1 ||
	    n > CONTENT_TITLE_MAX)
		why[PF_TITLE] = "must be 1 to 1000 characters of UTF-8";
	if (p->summary != NULL && ((n = chars(p->summary)) < 0 ||
	    n > CONTENT_SUMMARY_MAX))
		why[PF_SUMMARY] = "must be at most 5000 characters of UTF-8";
	if (p->body_md != NULL && ((n = chars(p->body_md)) < 0 ||
	    n > CONTENT_BODY_MAX))
		why[PF_BODY_MD] = "must be at most 1048576 characters of "
		    "UTF-8";
	status_ok = p->status != NULL && (strcmp(p->status, "draft") == 0 ||
	    strcmp(p->status, "published") == 0 ||
	    strcmp(p->status, "scheduled") == 0);
	if (!status_ok)
		why[PF_STATUS] = "must be draft, published or scheduled";
	if (p->published_at != NULL && !util_iso8601_ok(p->published_at))
		why[PF_PUBLISHED_AT] = "not an ISO 8601 timestamp";
	else if (p->published_at == NULL && status_ok &&
	    strcmp(p->status, "scheduled") == 0)
		why[PF_PUBLISHED_AT] = "needed when the post is scheduled";
	if (p->updated_at != NULL && !util_iso8601_ok(p->updated_at))
		why[PF_UPDATED_AT] = "not an ISO 8601 timestamp";
	if (!by_user && (p->author == NULL ||
	    !util_username_ok(p->author, strlen(p->author))))
		why[PF_AUTHOR] = "not a username";
	why[PF_TAGS] = tags_problem(p);
	for (size_t f = 0; f < PF__MAX; f++)
		bad += why[f] != NULL;
	return bad;
}
