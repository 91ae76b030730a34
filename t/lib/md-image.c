/* SPDX-License-Identifier: MIT */
/*
 * md-image.c: t/5023's window on db_md_image, the picture lookup the
 * Markdown renderer is given: md-image CONF URL... prints, for each URL,
 * what the renderer would learn of it, one line:
 *
 *	URL SRC WIDTHxHEIGHT alt=ALT same=U:W,... webp=... avif=...
 *
 * or "URL -" when the lookup fails.  A test tool, never installed.
 */
#include "config.h"

#include <stdio.h>

#include "lib/arena.h"
#include "lib/conf.h"
#include "content/md.h"
#include "db/db.h"

static void
list(const char *name, const struct md_variant *v, size_t n)
{
	printf(" %s=", name);
	for (size_t i = 0; i < n; i++)
		printf("%s%s:%u", i ? "," : "", v[i].url, v[i].width);
}

int
main(int argc, char *argv[])
{
	struct conf	 c;
	struct db	*db;
	struct arena	*a;
	char		 err[1024];

	if (argc < 3) {
		fprintf(stderr, "usage: md-image CONF URL...\n");
		return 2;
	}
	if (conf_load(&c, argv[1], true, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s", err);
		return 1;
	}
	db = db_open(&c);
	a = arena_new(4096);
	for (int i = 2; i < argc; i++) {
		struct md_image	 img;

		if (db_md_image(db, a, argv[i], &img) != 0) {
			printf("%s -\n", argv[i]);
			continue;
		}
		printf("%s %s %ux%u alt=%s", argv[i], img.src, img.width,
		    img.height, img.alt);
		list("same", img.same, img.nsame);
		list("webp", img.webp, img.nwebp);
		list("avif", img.avif, img.navif);
		printf("\n");
	}
	arena_free(a);
	db_close(db);
	conf_free(&c);
	return 0;
}
