/* SPDX-License-Identifier: MIT */
/*
 * fuzz-highlight.c: libFuzzer target for the code highlighter.  The
 * first byte picks the language; the invariants: every tag is a span
 * the highlighter writes, spans balance and never nest, and taking the
 * tags away and decoding the entities gives back the input exactly (no
 * byte of it unescaped, none lost).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/highlight.h"
#include "fuzz.h"

static const char *const langs[] = { "c", "cpp", "sh", "python", "js",
	"ts", "json", "sql", "html", "xml", "css", "go", "rust", "diff",
	"yaml", "nosuch" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	const char		*lang, *s;
	struct buf		 out, back;
	size_t			 i, n;
	int			 open = 0;

	if (size == 0)
		return 0;
	if (a == NULL)
		a = arena_new(1 << 16);
	lang = langs[data[0] % (sizeof(langs) / sizeof(langs[0]))];
	s = (const char *)data + 1;
	n = size - 1;
	buf_init(&out, a, 2 * n + 16);
	hl_render(lang, strlen(lang), s, n, &out);
	buf_init(&back, a, n + 1);
	for (i = 0; i < out.n; ) {
		const char *p = out.p + i;
		size_t left = out.n - i;

		CHECK(*p != '>' && *p != '"' && *p != '\'');
		if (*p == '<') {
			if (left >= 7 && memcmp(p, "</span>", 7) == 0) {
				CHECK(open == 1);
				open = 0;
				i += 7;
				continue;
			}
			CHECK(left >= 20 && memcmp(p, "<span class=\"hl-", 16) ==
			    0 && strchr("ksncptaq", p[16]) != NULL &&
			    memcmp(p + 17, "\">", 2) == 0);
			CHECK(open == 0);
			open = 1;
			i += 19;
			continue;
		}
		if (*p == '&') {
			static const char *const ent[] = { "&amp;", "&lt;",
			    "&gt;", "&quot;", "&#39;" };
			static const char dec[] = "&<>\"'";
			size_t k;

			for (k = 0; k < 5; k++)
				if (left >= strlen(ent[k]) &&
				    memcmp(p, ent[k], strlen(ent[k])) == 0)
					break;
			CHECK(k < 5);
			buf_putc(&back, dec[k]);
			i += strlen(ent[k]);
			continue;
		}
		buf_putc(&back, *p);
		i++;
	}
	CHECK(open == 0);
	CHECK(back.n == n && memcmp(back.p, s, n) == 0);
	arena_reset(a);
	return 0;
}
