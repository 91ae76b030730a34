/* SPDX-License-Identifier: MIT */
/*
 * tmpl_int.h: the tokens, instructions and limits shared by the template
 * lexer (lex.c), compiler (parse.c) and renderer (exec.c).
 *
 * A template compiles to a flat array of instructions.  Sections, blocks
 * and parents point at their END instruction (jump) and the END back at
 * them, so the renderer never searches.  Names are split on dots at
 * compile time into NUL-terminated keys ready for json-c.  Partials are
 * resolved to pointers by tmpl_link(); a set is immutable afterwards, so
 * rendering needs nothing but the C stack and the output buffer.
 *
 * Indentation of standalone partials (and of inherited blocks) is applied
 * at render time, not by copying partials: every instruction that starts
 * a source line carries INS_BOL, and the renderer writes the indentation
 * in force before it, and after each newline inside a text run.
 */
#ifndef INKWELL_TMPL_INT_H
#define INKWELL_TMPL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmpl/tmpl.h"

#define TMPL_MAX_SIZE	(1024 * 1024)	/* bytes of text per template */
#define TMPL_MAX_NEST	100		/* open sections, blocks, parents */
#define TMPL_MAX_NAME	255		/* bytes in a tag name */
#define TMPL_MAX_DEPTH	64		/* partials and parents at render */
#define TMPL_MAX_DELIM	32		/* bytes in a {{= =}} delimiter */
#define TMPL_MAX_STEPS	(UINT64_C(1) << 26)	/* instructions per render */
#define TMPL_MAX_OUTPUT	((size_t)128 << 20)	/* bytes per render */

#define TMPL_NONE	UINT32_MAX	/* no instruction */

/* Tokens, from lex.c. */
enum tok {
	TOK_EOF,
	TOK_ERROR,
	TOK_TEXT,
	TOK_VAR,	/* {{x}} */
	TOK_RAW,	/* {{{x}}} {{&x}} */
	TOK_SECTION,	/* {{#x}} */
	TOK_INVERTED,	/* {{^x}} */
	TOK_CLOSE,	/* {{/x}} */
	TOK_PARTIAL,	/* {{>x}} */
	TOK_DYNAMIC,	/* {{>*x}} */
	TOK_BLOCK,	/* {{$x}} */
	TOK_PARENT,	/* {{<x}} */
	TOK_COMMENT,	/* {{!x}}, never handed out */
	TOK_DELIM,	/* {{=a b=}}, never handed out */
	TOK__MAX
};

/*
 * What the compiler tells the lexer about where it stands, because a few
 * standalone rules of template inheritance depend on it.
 */
#define LEX_IN_PARENT	0x01	/* the innermost open tag is a parent */
#define LEX_PARENT_WSB	0x02	/* ... whose tag began its line */
#define LEX_IN_OVERRIDE	0x04	/* the innermost open tag is a block
				 * directly inside a parent */

struct token {
	enum tok	 type;
	const char	*p;		/* TEXT: the bytes; tags: the name */
	size_t		 n;
	unsigned	 line;		/* where the token starts */
	bool		 bol;		/* starts a source line */
	bool		 standalone;	/* alone on its line, which is gone */
	bool		 wsb;		/* only blanks before it on its line */
	const char	*ws;		/* those blanks */
	size_t		 wsn;
	const char	*after;		/* blanks that start the next line, */
	size_t		 aftern;	/* when standalone ate the newline */
};

struct lexer {
	const char	*src;
	size_t		 len;
	size_t		 pos;		/* next byte to hand out */
	size_t		 text_end;	/* text before the pending tag */
	size_t		 resume;	/* where lexing goes on after it */
	bool		 pending;
	struct token	 tag;		/* the pending tag */
	size_t		 line_pos;	/* line is the line number here */
	unsigned	 line;
	char		 otag[TMPL_MAX_DELIM];
	size_t		 olen;
	char		 ctag[TMPL_MAX_DELIM + 1];	/* "}" then the
							 * closing delimiter */
	size_t		 clen;
	const char	*err;		/* TOK_ERROR: reason */
};

/* Starts lexing src[0..len) with the default delimiters; src must
 * outlive the tokens, which point into it. */
void		 tmpl_lex_init(struct lexer *, const char *, size_t);

/*
 * Hands out the next token; ctx is LEX_* for where the compiler stands.
 * TOK_ERROR leaves the reason in lexer.err and the line in token.line;
 * after TOK_EOF or TOK_ERROR the lexer must not be called again.
 */
enum tok	 tmpl_lex_next(struct lexer *, struct token *, unsigned ctx);

/* json-c's string hash (lh_hash_fn), for keys hashed once at compile. */
typedef unsigned long (*tmpl_hash_fn)(const void *);

/* Instructions, from parse.c for exec.c. */
enum op {
	OP_NOP,
	OP_TEXT,	/* p, n: bytes to write */
	OP_VAR,		/* escaped value of seg */
	OP_RAW,		/* unescaped value of seg */
	OP_SECTION,	/* body up to jump per element / once if truthy */
	OP_INVERTED,	/* body up to jump if falsey */
	OP_END,		/* closes the section, block or parent at jump */
	OP_PARTIAL,	/* renders to; standalone: p, n is indentation */
	OP_DYNAMIC,	/* renders the partial named by the value of seg */
	OP_BLOCK,	/* an override or the default body up to jump */
	OP_PARENT,	/* renders to with the blocks chained from next */
	OP__MAX
};

#define INS_BOL		0x01	/* begins a source line */
#define INS_STANDALONE	0x02	/* PARTIAL, DYNAMIC, PARENT: p, n is the
				 * indentation of every line inside */
#define INS_OVERRIDE	0x04	/* BLOCK directly inside a PARENT */
#define INS_REINDENT	0x08	/* BLOCK: p, n indents an override */
#define INS_SKIP1	0x10	/* BLOCK: an override's first line follows
				 * indentation already written */

struct ins {
	uint8_t		 op;
	uint8_t		 flags;
	uint16_t	 nseg;		/* name segments, 0 for "." */
	uint32_t	 seg;		/* first one in tmpl.seg */
	uint32_t	 jump;		/* matching OP_END or opener */
	uint32_t	 next;		/* PARENT: first override; override
					 * BLOCK: the next one */
	uint32_t	 line;
	const char	*p;		/* see enum op */
	size_t		 n;
	const struct tmpl *to;		/* PARTIAL, PARENT: by tmpl_link() */
};

struct tmpl {
	char		*name;
	char		*label;		/* name, or file path, for messages */
	bool		 partial;
	enum tmpl_escape esc;
	char		*src;		/* copy of the text; TEXT points in */
	size_t		 len;
	struct ins	*ins;
	uint32_t	 nins;
	const char	**seg;		/* keys, NUL-terminated, in keys */
	unsigned long	*hash;		/* json-c's hash of each key */
	uint32_t	 nseg;
	char		*keys;
	tmpl_hash_fn	 hash_fn;	/* the one that made hash */
};

struct tmpl_set {
	int		 flags;
	bool		 linked;
	uint64_t	 max_steps;	/* tests and fuzzing lower these */
	size_t		 max_output;
	struct tmpl	**v;
	size_t		 n;
	size_t		 cap;
	struct tmpl	**tab;		/* open addressing, by tmpl_link() */
	size_t		 tabmask;
};

/* Compiles text into t (whose name, label, partial and esc are set). */
int		 tmpl_compile(struct tmpl *, int flags, const char *text,
		    size_t len, char *err, size_t errlen);

/* Finds a template (or partial) by name; NULL if there is none. */
const struct tmpl *tmpl_find(const struct tmpl_set *, const char *name,
		    size_t len, bool partial);

#endif
