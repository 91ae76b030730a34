/* SPDX-License-Identifier: MIT */
/*
 * snippet-t.c: search snippets made in the worker: which words are
 * marked (stems as PostgreSQL's english configuration makes them, stop
 * words, numbers, letters past ASCII, hyphenated words), which 30 words
 * of a passage are kept, how passages are joined, and hostile input
 * (marks and invalid UTF-8 in the text, endless words, endless text,
 * too many lexemes).  Marks show as [ and ] here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/snippet.h"
#include "tap.h"

#define S	SNIPPET_SEP

/* s with U+E000 as "[" and U+E001 as "]". */
static const char *
shown(struct arena *a, const char *s)
{
	struct buf	 b;

	buf_init(&b, a, strlen(s) + 1);
	while (*s != '\0') {
		if (strncmp(s, "\xee\x80\x80", 3) == 0) {
			buf_putc(&b, '[');
			s += 3;
		} else if (strncmp(s, "\xee\x80\x81", 3) == 0) {
			buf_putc(&b, ']');
			s += 3;
		} else
			buf_putc(&b, *s++);
	}
	return b.p;
}

static const struct {
	const char	*src, *want, *what;
} cases[] = {
	{ "replic server" S "Replication of the server.",
	    "[Replication] of the [server].", "stems, any case" },
	{ "run" S "Running runs; the runner ran to run.",
	    "[Running] [runs]; the runner ran to [run].",
	    "the stemmer's English: runner and ran are other words" },
	{ "quick" S "the quick fox", "the [quick] fox",
	    "a stop word is not a lexeme, so never marked" },
	{ "2024 abc123" S "In 2024 ABC123 and 20245.",
	    "In [2024] [ABC123] and 20245.", "numbers and words with digits" },
	{ "run1" S "Run1 runs1", "[Run1] runs1",
	    "a word with a digit is not stemmed (PostgreSQL's numword)" },
	{ "café" S "Café au lait, CAFÉ.", "[Café] au lait, [CAFÉ].",
	    "letters past ASCII, lowered" },
	{ "москва" S "МОСКВА Москва", "[МОСКВА] [Москва]",
	    "Cyrillic is lowered (and English stemming leaves it whole)" },
	{ "well known" S "a well-known fact", "a [well]-[known] fact",
	    "a hyphenated word in its parts" },
	{ "server" S "a\n\n  server\t\tb", "a [server] b",
	    "white space runs become one space" },
	{ "server" S "(server) \"server\"", "([server]) \"[server]\"",
	    "punctuation around a word stays outside the mark" },
	{ "server" S "one server" S "two server",
	    "one [server] … two [server]", "passages are joined by …" },
	{ "server" S "" S "two server", "two [server]",
	    "an empty passage adds nothing, no …" },
	{ "server" S "   " S "two", "two", "a blank passage neither" },
	{ "server" S "!!! ---", "!!! ---", "a passage without words is shown" },
	{ "server" S "On servers. It runs a server well." S
	    "It runs a server well. Then the server sleeps.",
	    "On [servers]. It runs a [server] well. … Then the [server] "
	    "sleeps.", "a passage that runs on from the one before: only "
	    "its new words" },
	{ "server" S "It runs a server well. Then the server sleeps." S
	    "On servers. It runs a server well.",
	    "It runs a [server] well. Then the [server] sleeps. … On "
	    "[servers].", "a passage that runs into the one before: only "
	    "its other words" },
	{ "server" S "On servers. It runs a server well." S
	    "It runs a server well.", "On [servers]. It runs a [server] "
	    "well.", "a passage the one before holds whole: left out, no …" },
	{ "server" S "a b c server" S "b c server d",
	    "a b c [server] … b c [server] d",
	    "three words the same are not a repeat" },
	{ "server", "", "no passages: no snippet" },
	{ "", "", "nothing at all" },
	{ S "the server", "the server", "no lexemes: nothing marked" },
	{ "server" S "a \xee\x80\x80server\xee\x80\x81 b \xee\x80\x82",
	    "a \xef\xbf\xbd[server]\xef\xbf\xbd b",
	    "the text's own mark characters become U+FFFD (U+E002 splits)" },
	{ "server" S "bad \xff\xfe byte server",
	    "bad \xef\xbf\xbd\xef\xbf\xbd byte [server]",
	    "invalid UTF-8 becomes U+FFFD" },
	{ "server" S "cut\xe2\x80",
	    "cut\xef\xbf\xbd\xef\xbf\xbd", "a character cut off at the end" },
	{ "server" S "nbsp\xc2\xa0server\xe2\x80\x94" "dash",
	    "nbsp\xc2\xa0[server]\xe2\x80\x94" "dash",
	    "no-break space and dashes are not letters" },
};

/* n words "wN" (N from 1) with the given words at positions p. */
static char *
words(struct arena *a, int n, int p1, const char *w1, int p2,
    const char *w2)
{
	struct buf	 b;

	buf_init(&b, a, 256);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			buf_putc(&b, ' ');
		if (i == p1)
			buf_puts(&b, w1);
		else if (i == p2)
			buf_puts(&b, w2);
		else
			buf_printf(&b, "w%d", i);
	}
	return b.p;
}

static int
count_words(const char *s)
{
	int	 n = 0;
	bool	 in = false;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			in = false;
		else if (!in) {
			in = true;
			n++;
		}
	}
	return n;
}

int
main(void)
{
	struct arena	*a = arena_new(1 << 16);
	const char	*out;
	char		*big, *src;
	size_t		 n;

	plan_lazy();
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		is_string(cases[i].want, shown(a, snippet_make(a,
		    cases[i].src)), "%s", cases[i].what);

	/* Which 30 words. */
	out = shown(a, snippet_make(a, arena_printf(a, "server" S "%s",
	    words(a, 64, 50, "server", 0, NULL))));
	is_int(30, count_words(out), "a long passage: 30 words shown");
	ok(strstr(out, "[server]") != NULL, "and they hold the match: %s",
	    out);
	is_string("w21", strtok(arena_strdup(a, out), " "),
	    "the first window that holds it: w21 to [server] at 50");
	out = shown(a, snippet_make(a, arena_printf(a, "memori server" S
	    "%s", words(a, 64, 3, "server", 0, NULL))));
	is_string("w1", strtok(arena_strdup(a, out), " "),
	    "one match near the start: the window starts at the start");
	out = shown(a, snippet_make(a, arena_printf(a, "memori server" S
	    "server %s", words(a, 63, 45, "server", 50, "memory"))));
	ok(strstr(out, "[server] w46 w47 w48 w49 [memory]") != NULL,
	    "two different words beat one word twice: %s", out);
	ok(strncmp(out, "[server]", 8) != 0, "so the first server is left");

	/* Hostile input. */
	n = 200000;
	big = malloc(n + 64);
	memcpy(big, "server" S, 9);
	memset(big + 9, 'a', n);
	big[9 + n] = '\0';
	out = snippet_make(a, big);
	ok(strlen(out) <= SNIPPET_FRAGMENT_MAX + 8,
	    "one word of 200,000 letters: a bounded snippet (%zu bytes)",
	    strlen(out));
	for (size_t i = 9; i + 7 <= 9 + n; i += 7)
		memcpy(big + i, "server ", 7);
	out = snippet_make(a, big);
	is_int(30, count_words(shown(a, out)),
	    "28,000 matching words: still 30 shown");
	for (size_t i = 9; i + 2 <= 9 + n; i += 2)
		memcpy(big + i, "\xee\x80", 2);
	out = snippet_make(a, big);
	ok(strlen(out) <= 3 * SNIPPET_FRAGMENT_MAX + 8,
	    "100,000 cut-off characters: bounded (%zu bytes)", strlen(out));
	ok(strstr(out, "\xee\x80\x80") == NULL, "and no mark comes of them");
	/* 1,000 lexemes: the first SNIPPET_LEXEMES count. */
	src = malloc(1000 * 8 + 64);
	src[0] = '\0';
	for (int i = 0; i < 1000; i++)
		sprintf(src + strlen(src), "x%04d ", i);
	strcat(src, "zzz" S "x0001 x0063 x0064 x0999 zzz");
	is_string("[x0001] [x0063] x0064 x0999 zzz", shown(a, snippet_make(a,
	    src)), "1,000 lexemes: the first 64 count");
	memset(big, 'l', 300);
	memcpy(big + 300, " server" S, 10);
	memset(big + 310, 'l', 300);
	memcpy(big + 610, " server", 8);
	is_string(arena_printf(a, "%.300s [server]", big + 310),
	    shown(a, snippet_make(a, big)),
	    "a lexeme longer than 255 bytes never matches");
	/* More passages than SNIPPET_PASSAGES. */
	out = shown(a, snippet_make(a, "a" S "1" S "2" S "3" S "4" S "5" S
	    "6"));
	is_string("1 … 2 … 3 … 4", out, "at most 4 passages");
	free(src);
	free(big);
	arena_free(a);
	return done_testing();
}
