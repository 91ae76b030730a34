/* SPDX-License-Identifier: MIT */
/* fuzz-menu.c: libFuzzer target for the menu's JSON reader and rules. */
#include "config.h"

#include <string.h>

#include "lib/arena.h"
#include "content/menu.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena	*a;
	struct menu_item	*items, *back;
	const char		*why, *s;
	size_t			 n, m;

	if (a == NULL)
		a = arena_new(1 << 16);
	/* Invariants: strict or lenient, every item read passes the
	 * rules one by one, and the menu written out reads back the same. */
	for (int lenient = 0; lenient < 2; lenient++) {
		if (menu_parse(a, (const char *)data, size, lenient, &items,
		    &n, &why) != 0) {
			CHECK(why != NULL);
			continue;
		}
		CHECK(n <= MENU_ITEMS_MAX);
		for (size_t i = 0; i < n; i++) {
			CHECK(menu_label_problem(items[i].label) == NULL);
			CHECK(menu_url_problem(items[i].url) == NULL);
		}
		s = menu_json(a, items, n);
		CHECK(menu_parse(a, s, strlen(s), false, &back, &m,
		    &why) == 0);
		CHECK(m == n);
		for (size_t i = 0; i < n; i++)
			CHECK(strcmp(back[i].label, items[i].label) == 0 &&
			    strcmp(back[i].url, items[i].url) == 0);
	}
	/* The rules alone, on the raw bytes as one string. */
	{
		char *t = arena_alloc(a, size + 1);

		memcpy(t, data, size);
		t[size] = '\0';
		(void)menu_url_problem(t);
		(void)menu_label_problem(t);
	}
	arena_reset(a);
	return 0;
}
