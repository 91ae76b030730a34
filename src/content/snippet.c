/* SPDX-License-Identifier: MIT */
/*
 * snippet.c: search snippets made in the worker (see snippet.h).
 *
 * PostgreSQL's ts_headline() parses and stems every word it is given
 * at about a microsecond and a half a word; the Snowball stemmer it
 * uses is a Debian library (libstemmer), so the same stems cost a few
 * tens of nanoseconds here.  PostgreSQL still says which passages and
 * which lexemes: what matches is its decision, only the marking is ours.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libstemmer.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "content/snippet.h"

#define MARK_OPEN	"\xee\x80\x80"	/* U+E000 */
#define MARK_CLOSE	"\xee\x80\x81"	/* U+E001 */
#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

struct lexeme {
	const char	*p;
	size_t		 n;
};

/* A word of a passage: bytes [b, e), and the lexeme it matches or -1. */
struct tok {
	size_t		 b, e;
	int		 lex;
};

/* Made on first use, kept for the life of the process (one a worker). */
static struct sb_stemmer *stemmer;
static bool	 stemmer_tried;

/*
 * The character at s[0..n) (n > 0): its code point, and in *len how
 * many bytes it takes.  A byte that does not start a well-formed UTF-8
 * sequence is U+FFFD, one byte long.
 */
static uint32_t
utf8_get(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t	 c;
	size_t		 k, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		c = s[0] & 0x07;
	} else
		return 0xfffd;
	if (n < k)
		return 0xfffd;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0xfffd;
		c = (c << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and past U+10FFFF. */
	if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 ||
	    c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
		return 0xfffd;
	*len = k;
	return c;
}

static size_t
utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Whether c is part of a word: letters and digits, as near as a table
 * of the blocks of punctuation and symbols gets without the locale. */
static bool
word_char(uint32_t c)
{
	if (c < 0x80)
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z');
	if (c <= 0xbf || c == 0xd7 || c == 0xf7)
		return false;	/* C1 controls, Latin-1 punctuation */
	if ((c >= 0x2000 && c <= 0x2bff) ||	/* punctuation, symbols */
	    (c >= 0x3000 && c <= 0x303f) ||	/* CJK punctuation */
	    (c >= 0xe000 && c <= 0xf8ff) ||	/* private use */
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xfe50 && c <= 0xfe6f) ||
	    (c >= 0xff00 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	    (c >= 0xfff0 && c <= 0xffff) ||
	    (c >= 0x1f000 && c <= 0x1faff))	/* emoji, game symbols */
		return false;
	return true;
}

/* c in lower case, for the scripts whose case is a fixed offset. */
static uint32_t
lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xc0)
		return c;
	if (c <= 0xde && c != 0xd7)
		return c + 32;
	if ((c >= 0x100 && c <= 0x137 && c % 2 == 0) ||
	    (c >= 0x14a && c <= 0x177 && c % 2 == 0) ||
	    (c >= 0x139 && c <= 0x148 && c % 2 == 1) ||
	    (c >= 0x179 && c <= 0x17e && c % 2 == 1))
		return c + 1;
	if (c == 0x178)
		return 0xff;
	if ((c >= 0x391 && c <= 0x3a9 && c != 0x3a2) ||
	    (c >= 0x410 && c <= 0x42f))
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

/* The index of the lexeme word s[0..n) matches, or -1. */
static int
match(const char *s, size_t n, const struct lexeme *lx, int nlx)
{
	char		 low[SNIPPET_WORD_MAX + 4];
	const char	*key = low;
	size_t		 k = 0, len;
	bool		 digit = false;

	if (nlx == 0 || n > SNIPPET_WORD_MAX)
		return -1;
	for (size_t i = 0; i < n; i += len) {
		uint32_t c = utf8_get((const unsigned char *)s + i, n - i,
		    &len);

		if (c >= '0' && c <= '9')
			digit = true;
		if (k + 4 > SNIPPET_WORD_MAX)
			return -1;
		k += utf8_put(low + k, lower(c));
	}
	len = k;
	if (!digit) {
		if (!stemmer_tried) {
			stemmer = sb_stemmer_new("english", "UTF_8");
			stemmer_tried = true;
		}
		if (stemmer != NULL) {
			const sb_symbol *st = sb_stemmer_stem(stemmer,
			    (const sb_symbol *)low, (int)k);

			if (st != NULL) {
				key = (const char *)st;
				len = (size_t)sb_stemmer_length(stemmer);
			}
		}
	}
	for (int i = 0; i < nlx; i++)
		if (lx[i].n == len && memcmp(lx[i].p, key, len) == 0)
			return i;
	return -1;
}

/* The words of p[0..n), at most SNIPPET_TOKENS of them, into t. */
static size_t
tokens(const char *p, size_t n, const struct lexeme *lx, int nlx,
    struct tok *t)
{
	size_t	 nt = 0, i = 0, len;

	while (i < n && nt < SNIPPET_TOKENS) {
		size_t b;

		while (i < n && !word_char(utf8_get((const unsigned char *)p +
		    i, n - i, &len)))
			i += len;
		if (i >= n)
			break;
		b = i;
		while (i < n && word_char(utf8_get((const unsigned char *)p +
		    i, n - i, &len)))
			i += len;
		t[nt].b = b;
		t[nt].e = i;
		t[nt].lex = match(p + b, i - b, lx, nlx);
		nt++;
	}
	return nt;
}

static bool
space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

/*
 * Puts p[from, to) on b: white space runs as one space, our marks'
 * characters (and invalid UTF-8) as U+FFFD, the words of t[0..nt) that
 * match between marks; stops at SNIPPET_FRAGMENT_MAX bytes with "…".
 */
static void
emit(struct buf *b, const char *p, size_t from, size_t to,
    const struct tok *t, size_t nt)
{
	size_t	 i = from, k = 0, len, used = 0;
	bool	 sp = false;

	while (k < nt && t[k].b < from)
		k++;
	while (i < to) {
		if (used >= SNIPPET_FRAGMENT_MAX) {
			buf_puts(b, "\xe2\x80\xa6");	/* … */
			return;
		}
		if (space((unsigned char)p[i])) {
			if (!sp)
				buf_putc(b, ' ');
			sp = true;
			i++;
			used++;
			continue;
		}
		sp = false;
		if (k < nt && t[k].b == i) {
			if (t[k].lex >= 0 && t[k].e <= to) {
				buf_puts(b, MARK_OPEN);
				buf_put(b, p + i, t[k].e - i);
				buf_puts(b, MARK_CLOSE);
				used += t[k].e - i;
				i = t[k].e;
				k++;
				continue;
			}
			k++;
		}
		{
			uint32_t c = utf8_get((const unsigned char *)p + i,
			    to - i, &len);

			if (c == 0xfffd || (c >= 0xe000 && c <= 0xe002))
				buf_puts(b, REPLACEMENT);
			else
				buf_put(b, p + i, len);
			i += len;
			used += len;
		}
	}
}

/* Whether the k words of p at t and of q at u are the same bytes. */
static bool
same_words(const char *p, const struct tok *t, const char *q,
    const struct tok *u, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (t[i].e - t[i].b != u[i].e - u[i].b ||
		    memcmp(p + t[i].b, q + u[i].b, t[i].e - t[i].b) != 0)
			return false;
	return true;
}

/*
 * How many words at the start of passage q (u[0..nu)) repeat the last
 * words of passage p (t[0..nt)): 0 unless at least SNIPPET_OVERLAP_MIN,
 * at most SNIPPET_OVERLAP_MAX are looked at.
 */
static size_t
overlap(const char *p, const struct tok *t, size_t nt, const char *q,
    const struct tok *u, size_t nu)
{
	size_t	 k = nt < nu ? nt : nu;

	if (k > SNIPPET_OVERLAP_MAX)
		k = SNIPPET_OVERLAP_MAX;
	for (; k >= SNIPPET_OVERLAP_MIN; k--)
		if (same_words(p, t + nt - k, q, u, k))
			return k;
	return 0;
}

/*
 * The fragment of passage p[0..n), whose words are t[0..nt), on b,
 * from words lo to hi only (the others repeat the passage before);
 * false when it has nothing.
 */
static bool
fragment(struct buf *b, const char *p, size_t n, const struct tok *t,
    size_t nt, size_t lo, size_t hi)
{
	size_t	 s = 0, e, from, to, best_s = lo;
	int	 best_d = -1, best_m = -1;

	if (nt > 0 && lo >= hi)
		return false;
	if (nt == 0) {
		from = 0;
		while (from < n && space((unsigned char)p[from]))
			from++;
		to = n;
		while (to > from && space((unsigned char)p[to - 1]))
			to--;
		if (from == to)
			return false;
		emit(b, p, from, to, t, 0);
		return true;
	}
	for (s = lo; s == lo || s + SNIPPET_WORDS <= hi; s++) {
		uint64_t seen = 0;
		int	 m = 0, d;

		e = s + SNIPPET_WORDS < hi ? s + SNIPPET_WORDS : hi;
		for (size_t j = s; j < e; j++)
			if (t[j].lex >= 0) {
				seen |= (uint64_t)1 << t[j].lex;
				m++;
			}
		d = __builtin_popcountll(seen);
		if (d > best_d || (d == best_d && m > best_m)) {
			best_d = d;
			best_m = m;
			best_s = s;
		}
	}
	s = best_s;
	e = s + SNIPPET_WORDS < hi ? s + SNIPPET_WORDS : hi;
	/* From the space before the first word (opening punctuation
	 * comes along) to the space after the last (closing punctuation),
	 * never into the words either side. */
	from = t[s].b;
	while (from > (s > 0 ? t[s - 1].e : 0) &&
	    !space((unsigned char)p[from - 1]))
		from--;
	to = t[e - 1].e;
	while (to < (e < nt ? t[e].b : n) && !space((unsigned char)p[to]))
		to++;
	emit(b, p, from, to, t, nt);
	return true;
}

const char *
snippet_make(struct arena *a, const char *src)
{
	struct lexeme	 lx[SNIPPET_LEXEMES];
	struct tok	*t, *prev_t;
	struct buf	 b;
	const char	*p, *end, *sep, *prev = NULL;
	int		 nlx = 0, np = 0;
	size_t		 n, prev_nt = 0;

	sep = strstr(src, SNIPPET_SEP);
	end = sep != NULL ? sep : src + strlen(src);
	for (p = src; p < end && nlx < SNIPPET_LEXEMES; ) {
		const char *q = p;

		while (q < end && *q != ' ')
			q++;
		if (q > p && (size_t)(q - p) <= SNIPPET_WORD_MAX) {
			lx[nlx].p = p;
			lx[nlx].n = (size_t)(q - p);
			nlx++;
		}
		p = q < end ? q + 1 : q;
	}
	buf_init(&b, a, 256);
	if (sep == NULL)
		return b.p;
	t = arena_array(a, SNIPPET_TOKENS, sizeof(*t));
	prev_t = arena_array(a, SNIPPET_TOKENS, sizeof(*prev_t));
	for (p = sep + strlen(SNIPPET_SEP); np < SNIPPET_PASSAGES; np++) {
		size_t	 at = b.n, nt, lo = 0, hi;
		struct tok *swap;

		sep = strstr(p, SNIPPET_SEP);
		n = sep != NULL ? (size_t)(sep - p) : strlen(p);
		nt = tokens(p, n, lx, nlx, t);
		hi = nt;
		/*
		 * A passage picked after another may run on from it or into
		 * it (a summary that is the body's first sentences is both
		 * the head passage's end and the body's first passage's
		 * start): its fragment comes from the words the other does
		 * not have, and it has none when it has no others.
		 */
		if (prev != NULL) {
			lo = overlap(prev, prev_t, prev_nt, p, t, nt);
			hi = nt - overlap(p, t, nt, prev, prev_t, prev_nt);
		}
		if (at > 0)
			buf_puts(&b, " \xe2\x80\xa6 ");	/* " … " */
		if (!fragment(&b, p, n, t, nt, lo, hi)) {
			b.n = at;	/* an empty passage: no " … " either */
			b.p[at] = '\0';
		}
		prev = p;
		prev_nt = nt;
		swap = prev_t;
		prev_t = t;
		t = swap;
		if (sep == NULL)
			break;
		p = sep + strlen(SNIPPET_SEP);
	}
	return b.p;
}
