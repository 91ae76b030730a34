/* SPDX-License-Identifier: MIT */
/*
 * lex.c: splits Mustache template text into text runs and tags.
 *
 * The lexer looks one tag ahead: it finds and classifies the next tag
 * before it hands out the text in front of it, because a standalone tag
 * (one alone on its line but for blanks) removes its whole line, blanks
 * before it included.  Whether a line holds only blanks is read from the
 * source itself, which is sound because delimiters never contain blanks.
 * Comments and delimiter changes are consumed here and never reach the
 * compiler.  Only the compiler knows whether the tag sits directly inside
 * a parent ({{<x}}), where inheritance relaxes the standalone rules, so it
 * says so with each call.
 */
#include "config.h"

#include <string.h>

#include "tmpl/tmpl_int.h"

static bool
isblank_(char c)
{
	return c == ' ' || c == '\t';
}

static bool
isspace_(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static bool
at_bol(const struct lexer *lx, size_t pos)
{
	return pos == 0 || lx->src[pos - 1] == '\n';
}

/* The line number of pos, which never moves backwards. */
static unsigned
line_at(struct lexer *lx, size_t pos)
{
	const char	*p = lx->src + lx->line_pos, *end = lx->src + pos;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lx->line++;
		p++;
	}
	lx->line_pos = pos;
	return lx->line;
}

static size_t
find(const struct lexer *lx, size_t from, const char *needle, size_t n)
{
	const char	*p;

	if (from > lx->len)
		return lx->len;
	p = memmem(lx->src + from, lx->len - from, needle, n);
	return p == NULL ? lx->len : (size_t)(p - lx->src);
}

void
tmpl_lex_init(struct lexer *lx, const char *src, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->line = 1;
	memcpy(lx->otag, "{{", 2);
	lx->olen = 2;
	memcpy(lx->ctag, "}}}", 3);
	lx->clen = 2;
}

static enum tok
fail(struct lexer *lx, const char *why)
{
	lx->err = why;
	return TOK_ERROR;
}

/* Applies "{{=<% %>=}}": in is what lies between the two '='. */
static enum tok
set_delims(struct lexer *lx, const char *in, size_t n)
{
	const char	*end = in + n, *o, *c;
	size_t		 on, cn;

	while (in < end && isspace_(*in))
		in++;
	for (o = in; in < end && !isspace_(*in); in++)
		;
	on = (size_t)(in - o);
	while (in < end && isspace_(*in))
		in++;
	for (c = in; in < end && !isspace_(*in); in++)
		;
	cn = (size_t)(in - c);
	while (in < end && isspace_(*in))
		in++;
	if (on == 0 || cn == 0 || in != end)
		return fail(lx, "bad delimiter change: want {{=open close=}}");
	if (on > TMPL_MAX_DELIM || cn > TMPL_MAX_DELIM)
		return fail(lx, "bad delimiter change: delimiter longer than "
		    "32 bytes");
	if (memchr(o, '=', on) != NULL || memchr(c, '=', cn) != NULL)
		return fail(lx, "bad delimiter change: '=' in a delimiter");
	memcpy(lx->otag, o, on);
	lx->olen = on;
	memcpy(lx->ctag + 1, c, cn);
	lx->clen = cn;
	return TOK_DELIM;
}

/* Checks a name for variables and sections: "." or dot-separated parts. */
static bool
dotted_ok(const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return true;
	if (s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return false;
	return true;
}

/* Trims and checks the name in content; fills tok->p, tok->n. */
static enum tok
take_name(struct lexer *lx, struct token *tok, const char *s, size_t n,
    bool dotted)
{
	while (n > 0 && isspace_(*s))
		s++, n--;
	while (n > 0 && isspace_(s[n - 1]))
		n--;
	if (n == 0)
		return fail(lx, "empty tag name");
	if (n > TMPL_MAX_NAME)
		return fail(lx, "tag name longer than 255 bytes");
	for (size_t i = 0; i < n; i++)
		if (isspace_(s[i]) || s[i] == '\0')
			return fail(lx, "blank or NUL inside a tag name");
	if (dotted && !dotted_ok(s, n))
		return fail(lx, "bad dotted name");
	tok->p = s;
	tok->n = n;
	return tok->type;
}

/*
 * Parses the tag whose opening delimiter is at o into lx->tag, and where
 * the text before it ends and lexing resumes after it.
 */
static enum tok
scan_tag(struct lexer *lx, size_t o, unsigned ctx)
{
	struct token	*tok = &lx->tag;
	const char	*src = lx->src, *c;
	size_t		 start = o + lx->olen, cend, end, ls, le, nl;
	bool		 wsa, sa;
	char		 sigil;

	memset(tok, 0, sizeof(*tok));
	tok->line = line_at(lx, o);
	if (start < lx->len && src[start] == '{') {
		/* Triple mustache: "{" name "}" plus the closing delimiter. */
		cend = find(lx, start + 1, lx->ctag, lx->clen + 1);
		if (cend == lx->len)
			return fail(lx, "unclosed tag");
		end = cend + 1 + lx->clen;
		tok->type = TOK_RAW;
		if (take_name(lx, tok, src + start + 1, cend - start - 1,
		    true) == TOK_ERROR)
			return TOK_ERROR;
		sigil = '{';
	} else {
		cend = find(lx, start, lx->ctag + 1, lx->clen);
		if (cend == lx->len)
			return fail(lx, "unclosed tag");
		end = cend + lx->clen;
		sigil = start < cend ? src[start] : '\0';
		c = src + start + 1;
		switch (sigil) {
		case '!':
			tok->type = TOK_COMMENT;
			break;
		case '=':
			if (cend - start < 2 || src[cend - 1] != '=')
				return fail(lx, "bad delimiter change: want "
				    "{{=open close=}}");
			if (set_delims(lx, c, cend - start - 2) == TOK_ERROR)
				return TOK_ERROR;
			tok->type = TOK_DELIM;
			break;
		case '#':
		case '^':
		case '/':
		case '&':
			tok->type = sigil == '#' ? TOK_SECTION :
			    sigil == '^' ? TOK_INVERTED :
			    sigil == '/' ? TOK_CLOSE : TOK_RAW;
			if (take_name(lx, tok, c, cend - start - 1,
			    true) == TOK_ERROR)
				return TOK_ERROR;
			break;
		case '>':
			tok->type = TOK_PARTIAL;
			while (c < src + cend && isspace_(*c))
				c++;
			if (c < src + cend && *c == '*') {
				tok->type = TOK_DYNAMIC;
				c++;
			}
			if (take_name(lx, tok, c, (size_t)(src + cend - c),
			    tok->type == TOK_DYNAMIC) == TOK_ERROR)
				return TOK_ERROR;
			break;
		case '$':
		case '<':
			tok->type = sigil == '$' ? TOK_BLOCK : TOK_PARENT;
			if (take_name(lx, tok, c, cend - start - 1,
			    false) == TOK_ERROR)
				return TOK_ERROR;
			break;
		default:
			tok->type = TOK_VAR;
			if (take_name(lx, tok, src + start, cend - start,
			    true) == TOK_ERROR)
				return TOK_ERROR;
			break;
		}
	}

	/* Blanks before the tag back to the start of its line? */
	for (ls = o; ls > 0 && isblank_(src[ls - 1]); ls--)
		;
	tok->wsb = at_bol(lx, ls);
	tok->ws = src + ls;
	tok->wsn = o - ls;
	tok->bol = at_bol(lx, o);
	/* And blanks after it up to the end of the line? */
	for (le = end; le < lx->len && isblank_(src[le]); le++)
		;
	nl = le;
	if (le == lx->len)
		wsa = true;
	else if (src[le] == '\n')
		wsa = true, nl = le + 1;
	else if (src[le] == '\r' && le + 1 < lx->len && src[le + 1] == '\n')
		wsa = true, nl = le + 2;
	else
		wsa = false;

	switch (tok->type) {
	case TOK_VAR:
	case TOK_RAW:
		sa = false;
		break;
	case TOK_PARENT:
		/* Decided at its close, by the compiler. */
		sa = false;
		break;
	case TOK_BLOCK:
		/* Text before an argument inside a parent is ignored. */
		sa = (ctx & LEX_IN_PARENT) ? wsa : tok->wsb && wsa;
		break;
	case TOK_CLOSE:
		if (ctx & LEX_IN_PARENT)
			sa = wsa && (ctx & LEX_PARENT_WSB);
		else if (ctx & LEX_IN_OVERRIDE)
			sa = tok->wsb;
		else
			sa = tok->wsb && wsa;
		break;
	default:
		sa = tok->wsb && wsa;
		break;
	}
	tok->standalone = sa;
	lx->text_end = sa && tok->wsb ? ls : o;
	lx->resume = sa && wsa ? nl : end;
	if (sa) {
		tok->bol = false;
		if (wsa) {
			for (le = nl; le < lx->len && isblank_(src[le]); le++)
				;
			tok->after = src + nl;
			tok->aftern = le - nl;
		}
	}
	lx->pending = true;
	return tok->type;
}

enum tok
tmpl_lex_next(struct lexer *lx, struct token *tok, unsigned ctx)
{
	size_t	 o;

	for (;;) {
		if (lx->pos < lx->text_end) {
			memset(tok, 0, sizeof(*tok));
			tok->type = TOK_TEXT;
			tok->p = lx->src + lx->pos;
			tok->n = lx->text_end - lx->pos;
			tok->bol = at_bol(lx, lx->pos);
			lx->pos = lx->text_end;
			return TOK_TEXT;
		}
		if (lx->pending) {
			lx->pending = false;
			lx->pos = lx->text_end = lx->resume;
			if (lx->tag.type == TOK_COMMENT ||
			    lx->tag.type == TOK_DELIM)
				continue;
			*tok = lx->tag;
			return tok->type;
		}
		if (lx->pos >= lx->len)
			return TOK_EOF;
		o = find(lx, lx->pos, lx->otag, lx->olen);
		if (o == lx->len) {
			lx->text_end = lx->len;
			continue;
		}
		if (scan_tag(lx, o, ctx) == TOK_ERROR) {
			tok->type = TOK_ERROR;
			tok->line = lx->tag.line;
			return TOK_ERROR;
		}
	}
}
