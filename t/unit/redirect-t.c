/* SPDX-License-Identifier: MIT */
/*
 * redirect-t.c: what a redirect's from and to may be (redirect.c), on
 * good values and on hostile ones: other sites spelled as paths,
 * control characters, backslashes, spaces, over-long values, inkwell's
 * own addresses; and the Location a matched redirect answers with.
 */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "content/redirect.h"
#include "tap.h"

static const char *const good_from[] = {
	"/old", "/old-blog/", "/2019/05/hello-world/", "/a.b/c_d~e",
	"/~user/page", "/caf\xc3\xa9", "/posts/old-slug", "/tags/x",
	"/adminx", "/apiary", "/mediaeval",
};

static const char *const bad_from[] = {
	"", "old", "//evil.example", "/\\evil.example", "/a b", "/a\tb",
	"/a\r\nLocation: x", "/a\x7f", "/a\x01", "/q?x=1", "/f#top",
	"/a//b", "/a/./b", "/a/../b", "/..", "/", "/admin", "/admin/posts",
	"/ADMIN", "/api/v1/posts", "/static/style.css", "/media/x.png",
	"/healthz", "/metrics", "/.well-known/acme-challenge/x",
	"/feed.atom", "/robots.txt", "/sitemap.xml", "/search",
	"/bad\xff\xfe", "/over\xc3", "/p/%20x", "/%2e%2e/admin",
	"http://example.org/", "https://example.org/x",
};

static const char *const good_to_path[] = {
	"/", "/posts/new", "/posts/?x=1", "/a#frag", "/caf\xc3\xa9",
	"/p/%20x",
};

static const char *const bad_to_any[] = {
	"", "//evil.example", "//evil.example/x", "/\\evil.example",
	"/a b", "/a\r\nSet-Cookie: x", "\t/a", "/a/../b", "/x\x7f",
	"javascript:alert(1)", "data:text/html,x", "ftp://example.org/",
	"http://", "https://", "http:///x", "https://.example",
	"https://ex ample.org", "https://example.org\\@evil",
	"https://a@b.example/", "mailto:x@example.org", "example.org",
	"HTTP//example.org", "/bad\xff",
};

static const char *const good_url[] = {
	"https://example.org", "https://example.org/", "http://example.org:8080/x?y=1",
	"HTTPS://Example.Org/a#b",
};

int
main(void)
{
	struct arena	*a = arena_new(4096);
	char		 longp[REDIRECT_PATH_MAX + 2];
	const char	*why, *loc;

	plan_lazy();
	for (size_t i = 0; i < sizeof(good_from) / sizeof(*good_from); i++)
		ok(redirect_from_ok(good_from[i], NULL), "from ok: %s",
		    good_from[i]);
	for (size_t i = 0; i < sizeof(bad_from) / sizeof(*bad_from); i++) {
		why = NULL;
		ok(!redirect_from_ok(bad_from[i], &why) && why != NULL,
		    "from refused with a reason: #%zu", i);
	}
	ok(!redirect_from_ok(NULL, &why), "from NULL refused");
	for (size_t i = 0; i < sizeof(good_to_path) / sizeof(*good_to_path);
	    i++) {
		ok(redirect_to_ok(good_to_path[i], false, NULL),
		    "path target ok without URLs: %s", good_to_path[i]);
		ok(redirect_to_ok(good_to_path[i], true, NULL),
		    "path target ok with URLs: %s", good_to_path[i]);
	}
	for (size_t i = 0; i < sizeof(bad_to_any) / sizeof(*bad_to_any);
	    i++) {
		why = NULL;
		ok(!redirect_to_ok(bad_to_any[i], true, &why) && why != NULL,
		    "target refused even from an admin: #%zu", i);
		ok(!redirect_to_ok(bad_to_any[i], false, NULL),
		    "target refused for a made redirect: #%zu", i);
	}
	for (size_t i = 0; i < sizeof(good_url) / sizeof(*good_url); i++) {
		ok(redirect_to_ok(good_url[i], true, NULL),
		    "an admin's full URL ok: %s", good_url[i]);
		why = NULL;
		ok(!redirect_to_ok(good_url[i], false, &why) && why != NULL,
		    "a full URL refused where only paths may be: %s",
		    good_url[i]);
	}

	/* The limit, exactly. */
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[REDIRECT_PATH_MAX] = '\0';
	ok(redirect_from_ok(longp, NULL), "from of 2000 bytes ok");
	ok(redirect_to_ok(longp, false, NULL), "to of 2000 bytes ok");
	longp[REDIRECT_PATH_MAX] = 'a';
	longp[REDIRECT_PATH_MAX + 1] = '\0';
	ok(!redirect_from_ok(longp, &why), "from of 2001 bytes refused");
	ok(!redirect_to_ok(longp, true, &why), "to of 2001 bytes refused");
	is_string("must be at most 2000 bytes", why, "and says why");
	ok(!redirect_from_ok("/admin/x", &why) &&
	    strstr(why, "inkwell answers itself") != NULL,
	    "a reserved from says so");

	/* Locations. */
	loc = redirect_location(a, "/posts/new", "/posts/old", 0, false, "");
	is_string("/posts/new", loc, "exact, no query");
	loc = redirect_location(a, "/posts/new", "/posts/old", 0, false,
	    "page=2&x=y");
	is_string("/posts/new?page=2&x=y", loc, "the query is kept");
	loc = redirect_location(a, "/s?a=1", "/x", 0, false, "b=2");
	is_string("/s?a=1&b=2", loc, "joined with & when to has a query");
	loc = redirect_location(a, "https://example.org/", "/x", 0, false,
	    "b=2");
	is_string("https://example.org/", loc, "no query on a full URL");
	loc = redirect_location(a, "/posts/", "/old-blog/hello/world", 10,
	    true, "q=1");
	is_string("/posts/hello/world?q=1", loc, "prefix: the rest appended");
	loc = redirect_location(a, "/posts/", "/old-blog/a b\r\n\"<>", 10,
	    true, NULL);
	is_string("/posts/a%20b%0D%0A%22%3C%3E", loc,
	    "the rest is percent-encoded (no header injection)");
	loc = redirect_location(a, "/posts/", "/old-blog/caf\xc3\xa9", 10,
	    true, NULL);
	is_string("/posts/caf%C3%A9", loc, "UTF-8 in the rest encoded");
	loc = redirect_location(a, "/n", "/o", 0, false, "a=1\r\nX: y");
	is_string("/n", loc, "a query with control characters is dropped");
	loc = redirect_location(a, "/n", "/o", 0, false, "a=1#x");
	is_string("/n", loc, "a query with '#' is dropped");
	loc = redirect_location(a, "/n", "/o", 0, false, "\"zz");
	is_string("/n", loc, "a query with '\"' is dropped");
	loc = redirect_location(a, "/n", "/o", 0, false, "a=\xc3\xa9");
	is_string("/n", loc, "a query with raw UTF-8 is dropped");
	{
		static char big[7000];

		memset(big, ' ', sizeof(big) - 1);
		big[0] = '/';
		ok(redirect_location(a, "/posts/", big, 1, true, NULL) ==
		    NULL, "a Location over 8000 bytes (encoded) is refused");
	}
	arena_free(a);
	return done_testing();
}
