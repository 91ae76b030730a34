/* SPDX-License-Identifier: MIT */
/*
 * snippet.h: a search result's snippet, made in the worker from the
 * passages the search query picked (post_passages, migration 0015) and
 * the query's lexemes, with each word that matches one between U+E000
 * and U+E001 (view_snippet_html turns those into <mark>).
 *
 * A word matches when its stem is one of the lexemes: words are runs of
 * letters and digits (any character past ASCII counts as a letter but
 * for spaces, punctuation and the private use area), lowered, and stemmed
 * by Snowball's English stemmer, as PostgreSQL's english configuration
 * does; a word with a digit is not stemmed, as PostgreSQL's numword.
 * Stop words never match: PostgreSQL leaves them out of the lexemes.
 * Tokens PostgreSQL's parser sees whole (URLs, host names, file paths)
 * are words here in parts, so such a query term may go unmarked.
 */
#ifndef INKWELL_SNIPPET_H
#define INKWELL_SNIPPET_H

#include <stddef.h>

struct arena;

/* Separates the lexemes and the passages in the search's column. */
#define SNIPPET_SEP	"\xee\x80\x82"	/* U+E002 */

/* At most this many words of a passage are shown. */
#define SNIPPET_WORDS	30

/*
 * The snippet of src, "LEXEME LEXEME ...", then for each passage
 * SNIPPET_SEP and its text.  From each passage (at most
 * SNIPPET_PASSAGES) the SNIPPET_WORDS consecutive words with the most
 * different lexemes matched, then the most matches, the first such; the
 * fragments joined by " … ".  Runs of white space become one space;
 * U+E000 and U+E001 in the text become U+FFFD, so only our marks mark.
 * Bounded whatever src is: at most SNIPPET_LEXEMES lexemes of at most
 * SNIPPET_WORD_MAX bytes count, a passage's first SNIPPET_TOKENS words
 * are looked at, and a fragment holds at most SNIPPET_FRAGMENT_MAX
 * bytes of the text (cut at a character, then "…").  Never NULL.
 */
#define SNIPPET_PASSAGES	4
/*
 * A passage's first words that repeat the previous passage's last ones
 * (or its last words that repeat the previous passage's first ones),
 * SNIPPET_OVERLAP_MIN of them or more, are not shown again; at most
 * SNIPPET_OVERLAP_MAX are compared.
 */
#define SNIPPET_OVERLAP_MIN	4
#define SNIPPET_OVERLAP_MAX	64
#define SNIPPET_LEXEMES		64
#define SNIPPET_WORD_MAX	255
#define SNIPPET_TOKENS		512
#define SNIPPET_FRAGMENT_MAX	1000
const char	*snippet_make(struct arena *, const char *src);

#endif
