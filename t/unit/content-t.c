/* SPDX-License-Identifier: MIT */
/*
 * content-t.c: the content rulebook: slugs from titles and tag names
 * (long ones cut after a whole word), typed tag lists, and the check of
 * a whole post, which names every field that fails.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "content/content.h"
#include "tap.h"

static struct arena *a;

static const char *
slug(const char *s, size_t max)
{
	const char *r = content_slugify(a, s, max);

	return r != NULL ? r : "(null)";
}

static void
slugs(void)
{
	char	*long_word, *many;

	is_string("hello-world", slug("Hello, World!", 200), "words joined");
	is_string("a-b", slug("  --a  ..  b--  ", 200), "ends trimmed");
	is_string("caf-na-ve", slug("Caf\xc3\xa9 na\xc3\xafve", 200),
	    "non-ASCII falls away");
	is_string("(null)", slug("\xc3\xa9\xc3\xa9 !!", 200),
	    "nothing left: NULL");
	is_string("(null)", slug("", 200), "empty: NULL");
	is_string("one-two", slug("one two three", 8),
	    "too long: cut after the last whole word");
	is_string("one-two", slug("one two three", 7),
	    "a word that ends exactly at the limit stays");
	is_string("one", slug("one two three", 6), "one byte short: back a word");
	is_string("abcde", slug("abcdefgh ij", 5),
	    "a first word longer than the limit is cut at it");
	is_string("abc", slug("abc", 3), "exactly the limit");

	/* A 300-byte title of 9-letter words: 20 words fit in 200 bytes
	 * (20 * 9 + 19 dashes = 199). */
	many = calloc(301, 1);
	for (size_t i = 0; i < 30; i++)
		memcpy(many + i * 10, "abcdefghi ", 10);
	is_int(199, (int64_t)strlen(slug(many, CONTENT_SLUG_MAX)),
	    "a long title: 199 bytes of whole words");
	ok(slug(many, CONTENT_SLUG_MAX)[198] == 'i', "ends with a whole word");
	long_word = calloc(301, 1);
	memset(long_word, 'x', 300);
	is_int(CONTENT_SLUG_MAX, (int64_t)strlen(slug(long_word,
	    CONTENT_SLUG_MAX)), "one 300-letter word: cut at 200");
	free(many);
	free(long_word);
}

static void
tags(void)
{
	struct content_tags t;
	const char	*why = NULL;
	char		*text;

	content_tags_init(&t, a);
	is_int(0, content_tags_parse(&t, a, " Rust , C,, unix ,rust", &why),
	    "a typed list parses");
	is_int(3, (int64_t)t.n, "three tags; the repeated one once");
	is_string("rust", t.slugs[0], "slug");
	is_string("Rust", t.names[0], "the first name typed wins");
	is_string("unix", t.names[2], "trimmed");

	content_tags_init(&t, a);
	is_int(-1, content_tags_parse(&t, a, "ok, \xc3\xa9\xc3\xa9", &why),
	    "a tag with no letter or digit is refused");
	is_string("a tag needs letters or digits", why, "and why");

	text = calloc(101 * 5 + 1, 1);
	for (size_t i = 0; i < 101; i++)
		sprintf(text + i * 5, "t%03zu,", i);
	content_tags_init(&t, a);
	is_int(-1, content_tags_parse(&t, a, text, &why), "101 tags refused");
	is_string("at most 100 tags", why, "and why");
	text[100 * 5] = '\0';
	content_tags_init(&t, a);
	is_int(0, content_tags_parse(&t, a, text, &why), "100 tags pass");
	free(text);

	content_tags_init(&t, a);
	is_int(0, content_tag_add(&t, a, "Some Name", "given-slug", &why),
	    "a slug given is kept");
	is_int(0, content_tag_add(&t, a, "Given Slug", NULL, &why),
	    "the same slug from the name");
	is_int(1, (int64_t)t.n, "is one tag");
}

static void
post(void)
{
	struct post_in	 p;
	const char	*why[PF__MAX];
	const char	*ts[] = { "a", "a" }, *bad_slug[] = { "Not A Slug" };

	memset(&p, 0, sizeof(p));
	p.slug = "hello";
	p.title = "Hello";
	p.status = "draft";
	is_int(0, (int64_t)content_post_check(&p, true, why), "a good post");
	is_int(1, (int64_t)content_post_check(&p, false, why),
	    "import needs an author");
	ok(why[PF_AUTHOR] != NULL, "author named");

	p.slug = "Bad Slug";
	p.title = "";
	p.status = "gone";
	p.summary = "\xff";
	p.body_md = "\xc3";
	p.published_at = "yesterday";
	is_int(6, (int64_t)content_post_check(&p, true, why),
	    "six fields fail, every one is named");
	ok(why[PF_SLUG] && why[PF_TITLE] && why[PF_STATUS] &&
	    why[PF_SUMMARY] && why[PF_BODY_MD] && why[PF_PUBLISHED_AT],
	    "slug, title, status, summary, body_md, published_at");
	ok(why[PF_TAGS] == NULL && why[PF_AUTHOR] == NULL,
	    "and no other");

	memset(&p, 0, sizeof(p));
	p.slug = "s";
	p.title = "T";
	p.status = "scheduled";
	is_int(1, (int64_t)content_post_check(&p, true, why),
	    "scheduled without a date");
	is_string("needed when the post is scheduled", why[PF_PUBLISHED_AT],
	    "says so");
	p.status = "published";
	p.tag_slugs = ts;
	p.ntags = 2;
	is_int(1, (int64_t)content_post_check(&p, true, why),
	    "a tag listed twice");
	is_string("a tag is listed twice", why[PF_TAGS], "says so");
	p.tag_slugs = bad_slug;
	p.ntags = 1;
	is_int(1, (int64_t)content_post_check(&p, true, why), "a bad tag slug");
	p.ntags = CONTENT_TAGS_MAX + 1;
	is_string("more than 100", (content_post_check(&p, true, why),
	    why[PF_TAGS]), "too many tags");

	for (size_t f = 0; f < PF__MAX; f++)
		ok(content_post_fields[f] != NULL &&
		    content_post_fields[f][0] != '\0', "field %zu has a name", f);
}

int
main(void)
{
	plan_lazy();
	a = arena_new(4096);
	slugs();
	tags();
	post();
	arena_free(a);
	return done_testing();
}
