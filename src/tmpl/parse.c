/* SPDX-License-Identifier: MIT */
/*
 * parse.c: compiles Mustache templates into instruction arrays and keeps
 * them in linked template sets.
 *
 * One pass over the lexer's tokens appends instructions and keeps a stack
 * of open sections, blocks and parents; a close patches the jump of its
 * opener.  Everything that can be wrong with a template is found here or
 * in tmpl_link(), with the line to blame: the renderer fails only on
 * its depth and work limits.  A run of text is one instruction, except
 * inside a block passed to a parent, where each line is its own so the
 * indentation of the definition can be taken off (inheritance re-indents
 * a block where it is expanded).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "tmpl/tmpl_int.h"
#include "lib/util.h"

struct open {
	uint32_t	 at;		/* index of the opening instruction */
	uint8_t		 op;
	bool		 override;	/* BLOCK directly inside a PARENT */
	bool		 standalone;
	bool		 wsb;		/* only blanks before the tag */
	const char	*name;
	size_t		 namelen;
	unsigned	 line;
	const char	*ws;		/* those blanks */
	size_t		 wsn;
	const char	*first;		/* BLOCK: blanks opening its body */
	size_t		 firstn;
	uint32_t	 wstext;	/* PARENT: TEXT ending in ws, or NONE */
	uint32_t	 last;		/* PARENT: last override so far */
	const char	*strip;		/* indentation taken off inside */
	size_t		 stripn;
};

struct parser {
	struct tmpl	*t;
	int		 flags;
	struct lexer	 lx;
	struct open	 open[TMPL_MAX_NEST];
	size_t		 depth;
	uint32_t	 inscap;
	size_t		*segoff;
	uint32_t	 segcap;
	size_t		 keyn;
	size_t		 keycap;
	const char	*strip;		/* innermost override's indentation */
	size_t		 stripn;
	bool		 pending_bol;	/* a line's start was stripped away */
	char		*err;
	size_t		 errlen;
};

static int	 perr(struct parser *, unsigned, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	 seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Writes "label:line: reason" and returns -1. */
static int
perr(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (p->errlen == 0)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%u: ", p->t->label, line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static struct ins *
emit(struct parser *p, enum op op, uint8_t flags, unsigned line)
{
	struct tmpl	*t = p->t;
	struct ins	*ins;

	if (t->nins == p->inscap) {
		p->inscap = p->inscap ? p->inscap * 2 : 64;
		t->ins = xrealloc(t->ins, p->inscap * sizeof(*t->ins));
	}
	ins = &t->ins[t->nins++];
	memset(ins, 0, sizeof(*ins));
	ins->op = (uint8_t)op;
	ins->flags = flags;
	ins->line = line;
	ins->jump = ins->next = TMPL_NONE;
	if (p->pending_bol) {
		ins->flags |= INS_BOL;
		p->pending_bol = false;
	}
	return ins;
}

/* Stores name as keys for ins: split on dots when dotted, "." is none. */
static void
add_name(struct parser *p, struct ins *ins, const char *s, size_t n,
    bool dotted)
{
	struct tmpl	*t = p->t;
	const char	*dot;
	size_t		 len;

	ins->seg = t->nseg;
	ins->nseg = 0;
	if (dotted && n == 1 && s[0] == '.')
		return;
	do {
		dot = dotted ? memchr(s, '.', n) : NULL;
		len = dot != NULL ? (size_t)(dot - s) : n;
		if (t->nseg == p->segcap) {
			p->segcap = p->segcap ? p->segcap * 2 : 32;
			p->segoff = xrealloc(p->segoff,
			    p->segcap * sizeof(*p->segoff));
		}
		if (p->keycap - p->keyn < len + 1) {
			while (p->keycap - p->keyn < len + 1)
				p->keycap = p->keycap ? p->keycap * 2 : 256;
			t->keys = xrealloc(t->keys, p->keycap);
		}
		p->segoff[t->nseg++] = p->keyn;
		memcpy(t->keys + p->keyn, s, len);
		t->keys[p->keyn + len] = '\0';
		p->keyn += len + 1;
		ins->nseg++;
		if (dot != NULL) {
			n -= len + 1;
			s = dot + 1;
		}
	} while (dot != NULL);
}

/* Takes off as much of the current definition indentation as *s has. */
static void
unindent(const char *strip, size_t stripn, const char **s, size_t *n)
{
	size_t	 i = 0;

	while (i < stripn && i < *n && (*s)[i] == strip[i])
		i++;
	*s += i;
	*n -= i;
}

static void
add_text(struct parser *p, const struct token *tok)
{
	struct ins	*ins;
	const char	*s = tok->p, *end = tok->p + tok->n, *nl, *q;
	size_t		 qn;
	bool		 bol = tok->bol;

	if (p->stripn == 0) {
		ins = emit(p, OP_TEXT, bol ? INS_BOL : 0, tok->line);
		ins->p = tok->p;
		ins->n = tok->n;
		return;
	}
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		q = s;
		qn = (nl != NULL ? (size_t)(nl + 1 - s) : (size_t)(end - s));
		s += qn;
		if (bol)
			unindent(p->strip, p->stripn, &q, &qn);
		if (qn > 0) {
			ins = emit(p, OP_TEXT, bol ? INS_BOL : 0, tok->line);
			ins->p = q;
			ins->n = qn;
		} else if (bol)
			p->pending_bol = true;
		bol = true;
	}
}

static bool
ends_html(const char *s, size_t n)
{
	return n >= 5 && memcmp(s + n - 5, "_html", 5) == 0;
}

static int
var(struct parser *p, const struct token *tok)
{
	struct ins	*ins;

	if (tok->type == TOK_RAW && (p->flags & TMPL_STRICT) &&
	    !ends_html(tok->p, tok->n))
		return perr(p, tok->line, "unescaped \"%.*s\": {{{ }}} and "
		    "{{& }} are only for names ending in _html",
		    (int)tok->n, tok->p);
	ins = emit(p, tok->type == TOK_RAW ? OP_RAW : OP_VAR,
	    tok->bol ? INS_BOL : 0, tok->line);
	add_name(p, ins, tok->p, tok->n, true);
	return 0;
}

static void
partial(struct parser *p, const struct token *tok)
{
	struct ins	*ins;
	const char	*s = tok->ws;
	size_t		 n = tok->wsn;

	ins = emit(p, tok->type == TOK_DYNAMIC ? OP_DYNAMIC : OP_PARTIAL,
	    tok->bol ? INS_BOL : 0, tok->line);
	add_name(p, ins, tok->p, tok->n, tok->type == TOK_DYNAMIC);
	if (tok->standalone) {
		unindent(p->strip, p->stripn, &s, &n);
		ins->flags |= INS_STANDALONE;
		ins->p = s;
		ins->n = n;
	}
}

static unsigned
lex_ctx(const struct parser *p)
{
	const struct open *top;

	if (p->depth == 0)
		return 0;
	top = &p->open[p->depth - 1];
	if (top->op == OP_PARENT)
		return LEX_IN_PARENT | (top->wsb ? LEX_PARENT_WSB : 0);
	if (top->override)
		return LEX_IN_OVERRIDE;
	return 0;
}

static int
open_tag(struct parser *p, const struct token *tok)
{
	struct tmpl	*t = p->t;
	struct open	*o, *top;
	struct ins	*ins, *last;
	enum op		 op;
	uint32_t	 at = t->nins, wstext = TMPL_NONE;

	if (p->depth == TMPL_MAX_NEST)
		return perr(p, tok->line, "sections nested deeper than %d",
		    TMPL_MAX_NEST);
	switch (tok->type) {
	case TOK_SECTION:	op = OP_SECTION; break;
	case TOK_INVERTED:	op = OP_INVERTED; break;
	case TOK_BLOCK:		op = OP_BLOCK; break;
	default:		op = OP_PARENT; break;
	}
	last = at > 0 ? &t->ins[at - 1] : NULL;
	if (op == OP_PARENT && tok->wsb && tok->wsn > 0 && last != NULL &&
	    last->op == OP_TEXT && last->p + last->n == tok->ws + tok->wsn)
		wstext = at - 1;
	top = p->depth > 0 ? &p->open[p->depth - 1] : NULL;
	ins = emit(p, op, tok->bol ? INS_BOL : 0, tok->line);
	add_name(p, ins, tok->p, tok->n,
	    op == OP_SECTION || op == OP_INVERTED);

	o = &p->open[p->depth++];
	memset(o, 0, sizeof(*o));
	o->at = at;
	o->op = (uint8_t)op;
	o->standalone = tok->standalone;
	o->wsb = tok->wsb;
	o->name = tok->p;
	o->namelen = tok->n;
	o->line = tok->line;
	o->ws = tok->ws;
	o->wsn = tok->wsn;
	o->first = tok->after;
	o->firstn = tok->aftern;
	o->wstext = wstext;
	o->last = TMPL_NONE;
	o->strip = p->strip;
	o->stripn = p->stripn;
	if (op == OP_BLOCK && top != NULL && top->op == OP_PARENT) {
		/* An argument: chain it to its parent. */
		o->override = true;
		ins->flags |= INS_OVERRIDE;
		if (top->last == TMPL_NONE)
			t->ins[top->at].next = at;
		else
			t->ins[top->last].next = at;
		top->last = at;
		if (tok->standalone) {
			/* Its lines lose the first one's indentation. */
			o->strip = tok->after;
			o->stripn = tok->aftern;
		}
		p->strip = o->strip;
		p->stripn = o->stripn;
	}
	return 0;
}

/*
 * A block that may be overridden: decide the indentation an override
 * gets where this block stands.  Standing alone, that is the indentation
 * of its default body (or of the tag when the body is empty); inline
 * after blanks, it is those blanks, already written for the first line.
 */
static void
finish_block(struct open *o, struct ins *b, uint32_t end_at)
{
	const char	*s;
	size_t		 n;

	if (o->standalone) {
		if (end_at == o->at + 1 || o->first == NULL)
			s = o->ws, n = o->wsn;
		else
			s = o->first, n = o->firstn;
		b->flags |= INS_REINDENT;
	} else if (o->wsb) {
		s = o->ws, n = o->wsn;
		b->flags |= INS_REINDENT | INS_SKIP1;
	} else
		return;
	unindent(o->strip, o->stripn, &s, &n);
	b->p = s;
	b->n = n;
}

/*
 * A parent is standalone when its open tag begins a line and its close
 * ends one: the blanks before it become indentation.
 */
static void
finish_parent(struct parser *p, struct open *o, struct ins *pi)
{
	struct ins	*tx;
	const char	*s = o->ws;
	size_t		 n = o->wsn;

	pi->flags |= INS_STANDALONE;
	pi->flags &= (uint8_t)~INS_BOL;
	unindent(o->strip, o->stripn, &s, &n);
	pi->p = s;
	pi->n = n;
	if (o->wstext == TMPL_NONE)
		return;
	tx = &p->t->ins[o->wstext];
	if (tx->p >= o->ws) {
		tx->op = OP_NOP;
		tx->n = 0;
	} else
		tx->n = (size_t)(o->ws - tx->p);
}

static int
close_tag(struct parser *p, const struct token *tok)
{
	struct tmpl	*t = p->t;
	struct open	*o;
	struct ins	*end;
	uint32_t	 end_at = t->nins;

	if (p->depth == 0)
		return perr(p, tok->line, "stray close \"%.*s\" with no "
		    "open section", (int)tok->n, tok->p);
	o = &p->open[p->depth - 1];
	if (tok->n != o->namelen || memcmp(tok->p, o->name, tok->n) != 0)
		return perr(p, tok->line, "close \"%.*s\" does not match "
		    "\"%.*s\" opened on line %u", (int)tok->n, tok->p,
		    (int)o->namelen, o->name, o->line);
	end = emit(p, OP_END, tok->bol ? INS_BOL : 0, tok->line);
	end->jump = o->at;
	t->ins[o->at].jump = end_at;
	if (o->op == OP_BLOCK && !o->override)
		finish_block(o, &t->ins[o->at], end_at);
	else if (o->op == OP_PARENT && tok->standalone)
		finish_parent(p, o, &t->ins[o->at]);
	p->depth--;
	if (p->depth > 0) {
		p->strip = p->open[p->depth - 1].strip;
		p->stripn = p->open[p->depth - 1].stripn;
	} else {
		p->strip = NULL;
		p->stripn = 0;
	}
	return 0;
}

/*
 * The hash function json-c gives the key table of a new object (one per
 * process unless json_global_set_string_hash() changes it): keys are
 * hashed once here instead of at every lookup.  exec.c checks a table
 * uses it before it trusts these hashes.
 */
static tmpl_hash_fn
key_hash_fn(void)
{
	struct json_object *o = json_object_new_object();
	tmpl_hash_fn	 fn = json_object_get_object(o)->hash_fn;

	json_object_put(o);
	return fn;
}

int
tmpl_compile(struct tmpl *t, int flags, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct parser	*p;
	struct token	 tok;
	const struct open *o;
	int		 rc = -1;

	p = xcalloc(1, sizeof(*p));
	p->t = t;
	p->flags = flags;
	p->err = err;
	p->errlen = errlen;
	t->src = xmalloc(len + 1);
	memcpy(t->src, text, len);
	t->src[len] = '\0';
	t->len = len;
	tmpl_lex_init(&p->lx, t->src, len);
	for (;;) {
		switch (tmpl_lex_next(&p->lx, &tok, lex_ctx(p))) {
		case TOK_EOF:
			if (p->depth > 0) {
				o = &p->open[p->depth - 1];
				perr(p, o->line, "unclosed section \"%.*s\"",
				    (int)o->namelen, o->name);
				goto out;
			}
			rc = 0;
			goto out;
		case TOK_ERROR:
			perr(p, tok.line, "%s", p->lx.err);
			goto out;
		case TOK_TEXT:
			add_text(p, &tok);
			break;
		case TOK_VAR:
		case TOK_RAW:
			if (var(p, &tok) != 0)
				goto out;
			break;
		case TOK_SECTION:
		case TOK_INVERTED:
		case TOK_BLOCK:
		case TOK_PARENT:
			if (open_tag(p, &tok) != 0)
				goto out;
			break;
		case TOK_CLOSE:
			if (close_tag(p, &tok) != 0)
				goto out;
			break;
		case TOK_PARTIAL:
		case TOK_DYNAMIC:
			partial(p, &tok);
			break;
		default:
			perr(p, tok.line, "internal error: token %d",
			    (int)tok.type);
			goto out;
		}
	}
out:
	if (rc == 0) {
		t->seg = xmalloc((t->nseg ? t->nseg : 1) * sizeof(*t->seg));
		t->hash = xmalloc((t->nseg ? t->nseg : 1) * sizeof(*t->hash));
		t->hash_fn = key_hash_fn();
		for (uint32_t i = 0; i < t->nseg; i++) {
			t->seg[i] = t->keys + p->segoff[i];
			t->hash[i] = t->hash_fn(t->seg[i]);
		}
	}
	free(p->segoff);
	free(p);
	return rc;
}

/* --- sets ---------------------------------------------------------------- */

static void
tmpl_free_one(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->label);
	free(t->src);
	free(t->ins);
	free(t->seg);
	free(t->hash);
	free(t->keys);
	free(t);
}

static uint32_t
hash(const char *s, size_t n, bool partial)
{
	uint32_t h = partial ? 2166136261u : 2166136262u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

const struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name, size_t len,
    bool partial)
{
	const struct tmpl *t;
	size_t		 i;

	if (set->tab == NULL) {
		for (i = 0; i < set->n; i++) {
			t = set->v[i];
			if (t->partial == partial && strlen(t->name) == len &&
			    memcmp(t->name, name, len) == 0)
				return t;
		}
		return NULL;
	}
	for (i = hash(name, len, partial) & set->tabmask;
	    (t = set->tab[i]) != NULL; i = (i + 1) & set->tabmask)
		if (t->partial == partial && strlen(t->name) == len &&
		    memcmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

struct tmpl_set *
tmpl_new(int flags)
{
	struct tmpl_set	*set = xcalloc(1, sizeof(*set));

	set->flags = flags;
	set->max_steps = TMPL_MAX_STEPS;
	set->max_output = TMPL_MAX_OUTPUT;
	return set;
}

void
tmpl_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		tmpl_free_one(set->v[i]);
	free(set->v);
	free(set->tab);
	free(set);
}

/* The line of the first byte that is not well-formed UTF-8, or 0. */
static unsigned
bad_utf8_line(const char *s, size_t n)
{
	const char	*end = s + n, *nl;
	unsigned	 line = 1;

	if (util_utf8_valid(s, n))
		return 0;
	for (; s < end; s = nl + 1, line++) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (!util_utf8_valid(s, (size_t)(nl - s)))
			return line;
	}
	return line;
}

/* tmpl_add() with label, the name messages give (a file's path). */
static int
add(struct tmpl_set *set, const char *name, const char *label,
    bool is_partial, enum tmpl_escape esc, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct tmpl	*t;
	unsigned	 line;

	if (name == NULL || *name == '\0')
		return seterr(err, errlen, "%s:1: empty template name", label);
	if ((unsigned)esc >= TMPL_ESC__MAX)
		return seterr(err, errlen, "%s:1: unknown escaper %d", label,
		    (int)esc);
	if (len > TMPL_MAX_SIZE)
		return seterr(err, errlen, "%s:1: template larger than %d "
		    "bytes", label, TMPL_MAX_SIZE);
	if ((line = bad_utf8_line(text, len)) != 0)
		return seterr(err, errlen, "%s:%u: not valid UTF-8", label,
		    line);
	if (tmpl_find(set, name, strlen(name), is_partial) != NULL)
		return seterr(err, errlen, "%s:1: duplicate %s \"%s\"", label,
		    is_partial ? "partial" : "template", name);
	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->label = xstrdup(label);
	t->partial = is_partial;
	t->esc = esc;
	if (tmpl_compile(t, set->flags, text, len, err, errlen) != 0)
		goto fail;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n++] = t;
	/* A new template invalidates links and the name table. */
	set->linked = false;
	free(set->tab);
	set->tab = NULL;
	return 0;
fail:
	tmpl_free_one(t);
	return -1;
}

int
tmpl_add(struct tmpl_set *set, const char *name, bool is_partial,
    enum tmpl_escape esc, const char *text, size_t len, char *err,
    size_t errlen)
{
	return add(set, name, name != NULL ? name : "", is_partial, esc,
	    text, len, err, errlen);
}

int
tmpl_link(struct tmpl_set *set, char *err, size_t errlen)
{
	struct tmpl	*t;
	struct ins	*in;
	size_t		 size, i;

	free(set->tab);
	set->tab = NULL;
	for (i = 0; i < set->n; i++) {
		t = set->v[i];
		for (uint32_t k = 0; k < t->nins; k++) {
			in = &t->ins[k];
			if (in->op != OP_PARTIAL && in->op != OP_PARENT)
				continue;
			in->to = tmpl_find(set, t->seg[in->seg],
			    strlen(t->seg[in->seg]), true);
			if (in->to == NULL && (set->flags & TMPL_STRICT))
				return seterr(err, errlen, "%s:%u: unknown "
				    "partial \"%s\"", t->label, in->line,
				    t->seg[in->seg]);
		}
	}
	for (size = 16; size < set->n * 2; size *= 2)
		;
	set->tab = xcalloc(size, sizeof(*set->tab));
	set->tabmask = size - 1;
	for (i = 0; i < set->n; i++) {
		t = set->v[i];
		size_t h = hash(t->name, strlen(t->name), t->partial) &
		    set->tabmask;

		while (set->tab[h] != NULL)
			h = (h + 1) & set->tabmask;
		set->tab[h] = t;
	}
	set->linked = true;
	return 0;
}

bool
tmpl_has(const struct tmpl_set *set, const char *name)
{
	return tmpl_find(set, name, strlen(name), false) != NULL;
}

/* --- loading a directory ------------------------------------------------- */

static const char SUFFIX[] = ".mustache";
#define SUFFIXLEN	(sizeof(SUFFIX) - 1)

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole regular file of at most TMPL_MAX_SIZE bytes. */
static int
slurp(const char *path, char **textp, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 r;
	int		 fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return seterr(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "%s: cannot stat: %s", path,
		    strerror(errno));
		goto out;
	}
	if (st.st_size > TMPL_MAX_SIZE) {
		seterr(err, errlen, "%s:1: template larger than %d bytes",
		    path, TMPL_MAX_SIZE);
		goto out;
	}
	/* One byte more than the limit shows a file that grew meanwhile. */
	text = xmalloc(TMPL_MAX_SIZE + 1);
	while (len <= TMPL_MAX_SIZE) {
		r = read(fd, text + len, TMPL_MAX_SIZE + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			seterr(err, errlen, "%s: cannot read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > TMPL_MAX_SIZE) {
		seterr(err, errlen, "%s:1: template larger than %d bytes",
		    path, TMPL_MAX_SIZE);
		goto out;
	}
	*textp = text;
	*lenp = len;
	text = NULL;
	rc = 0;
out:
	free(text);
	close(fd);
	return rc;
}

/*
 * Adds every DIR/NAME.mustache (regular files, sorted, dotfiles skipped:
 * editors leave lock and swap files there) as template or partial NAME.
 * A missing partials directory is no error.
 */
static int
load_files(struct tmpl_set *set, const char *dir, bool partials,
    char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**names = NULL, *path = NULL, *name = NULL;
	char		*text = NULL;
	size_t		 n = 0, cap = 0, len = 0, nl;
	enum tmpl_escape esc;
	int		 rc = -1;

	if ((d = opendir(dir)) == NULL) {
		if (partials && errno == ENOENT)
			return 0;
		return seterr(err, errlen, "%s: cannot open directory: %s",
		    dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (de->d_name[0] == '.' || nl <= SUFFIXLEN ||
		    strcmp(de->d_name + nl - SUFFIXLEN, SUFFIX) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmpstr);
	for (size_t i = 0; i < n; i++) {
		free(path);
		free(name);
		path = xmalloc(strlen(dir) + strlen(names[i]) + 2);
		sprintf(path, "%s/%s", dir, names[i]);
		nl = strlen(names[i]) - SUFFIXLEN;
		name = xmalloc(nl + 1);
		memcpy(name, names[i], nl);
		name[nl] = '\0';
		if (stat(path, &st) == -1) {
			seterr(err, errlen, "%s: cannot stat: %s", path,
			    strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (slurp(path, &text, &len, err, errlen) != 0)
			goto out;
		esc = TMPL_ESC_HTML;
		if (!partials && nl > 4 && strcmp(name + nl - 4, ".xml") == 0)
			esc = TMPL_ESC_XML;
		if (add(set, name, path, partials, esc, text, len, err,
		    errlen) != 0) {
			free(text);
			goto out;
		}
		free(text);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(path);
	free(name);
	return rc;
}

struct tmpl_set *
tmpl_load_dir(const char *dir, int flags, char *err, size_t errlen)
{
	struct tmpl_set	*set = tmpl_new(flags);
	char		*pdir;
	int		 rc;

	if (errlen > 0)
		err[0] = '\0';
	if (load_files(set, dir, false, err, errlen) != 0)
		goto fail;
	pdir = xmalloc(strlen(dir) + sizeof("/partials"));
	sprintf(pdir, "%s/partials", dir);
	rc = load_files(set, pdir, true, err, errlen);
	free(pdir);
	if (rc != 0 || tmpl_link(set, err, errlen) != 0)
		goto fail;
	return set;
fail:
	tmpl_free(set);
	return NULL;
}
