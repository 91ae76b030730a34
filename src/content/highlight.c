/* SPDX-License-Identifier: MIT */
/*
 * highlight.c: a small table-driven lexer that marks up code blocks.
 *
 * Debian ships no C library for this, and a page must not need
 * JavaScript to show coloured code, so posts are highlighted once, at
 * save time, by a lexer that knows just enough of each language: its
 * comments, strings, numbers, keywords and types.  It is not a parser:
 * a wrong guess costs a colour, never text, since every byte of the
 * input goes out escaped and every span it opens it closes.
 *
 * Each step of the scan consumes at least one byte and looks ahead only
 * over bytes the same step then consumes, so the work is linear in the
 * input.  Unterminated strings and comments run to the end of the line
 * (strings) or of the block (block comments, multi-line strings).
 *
 * Classes: hl-k keyword, hl-s string, hl-c comment, hl-n number, hl-t
 * type or builtin, hl-p preprocessor or meta (C's #include, Python's
 * decorators, Rust's attributes, CSS's @rules, diff hunks), hl-a
 * attribute, key or tag name (JSON and YAML keys, HTML tags and
 * attributes, CSS properties).  In diffs added lines are hl-s, removed
 * lines hl-c and file headers hl-k.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/escape.h"
#include "content/highlight.h"

enum kind { K_CODE, K_MARKUP, K_CSS, K_DIFF, K_YAML };

enum {
	F_HASHCOM = 1 << 0,	/* # starts a comment */
	F_PREPROC = 1 << 1,	/* # at the start of a line: preprocessor */
	F_TRIPLE = 1 << 2,	/* """ and ''' strings (Python) */
	F_NOCASE = 1 << 3,	/* keywords in any case (SQL) */
	F_KEYS = 1 << 4,	/* "x": is a key (JSON) */
	F_DECOR = 1 << 5,	/* @name is meta (Python, Java-likes) */
	F_RUSTY = 1 << 6,	/* 'a is a lifetime; #[..] an attribute */
	F_DOLLAR = 1 << 7,	/* $ may start or be in a name (sh, JS) */
	F_DASHCOM = 1 << 8,	/* -- starts a comment (SQL) */
	F_SLASHCOM = 1 << 9,	/* // and / * * / comments */
	F_SHCOM = 1 << 10,	/* # comments only after a blank (sh) */
};

struct lang {
	const char		*names;	/* aliases, space-separated */
	enum kind		 kind;
	unsigned		 flags;
	const char		*quotes;	/* string delimiters */
	const char *const	*kw;
	const char *const	*ty;
};

static const char *const c_kw[] = { "auto", "break", "case", "const",
	"continue", "default", "do", "else", "enum", "extern", "for", "goto",
	"if", "inline", "register", "restrict", "return", "sizeof", "static",
	"struct", "switch", "typedef", "union", "volatile", "while",
	"_Alignas", "_Alignof", "_Atomic", "_Bool", "_Generic", "_Noreturn",
	"_Static_assert", "_Thread_local", "NULL", "true", "false", NULL };
static const char *const c_ty[] = { "char", "double", "float", "int",
	"long", "short", "signed", "unsigned", "void", "bool", "size_t",
	"ssize_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
	"uint16_t", "uint32_t", "uint64_t", "uintptr_t", "intptr_t",
	"ptrdiff_t", "off_t", "FILE", NULL };
static const char *const cpp_kw[] = { "auto", "break", "case", "catch",
	"class", "const", "constexpr", "const_cast", "continue", "decltype",
	"default", "delete", "do", "dynamic_cast", "else", "enum", "explicit",
	"export", "extern", "false", "final", "for", "friend", "goto", "if",
	"inline", "mutable", "namespace", "new", "noexcept", "nullptr",
	"operator", "override", "private", "protected", "public",
	"reinterpret_cast", "return", "sizeof", "static", "static_assert",
	"static_cast", "struct", "switch", "template", "this", "throw", "true",
	"try", "typedef", "typename", "union", "using", "virtual", "volatile",
	"while", "co_await", "co_return", "co_yield", "concept", "requires",
	NULL };
static const char *const cpp_ty[] = { "bool", "char", "char8_t",
	"char16_t", "char32_t", "double", "float", "int", "long", "short",
	"signed", "unsigned", "void", "wchar_t", "size_t", "std", "string",
	"vector", "map", "unique_ptr", "shared_ptr", NULL };
static const char *const sh_kw[] = { "if", "then", "else", "elif", "fi",
	"case", "esac", "for", "while", "until", "do", "done", "in",
	"function", "return", "exit", "local", "export", "readonly", "set",
	"unset", "shift", "break", "continue", "trap", "exec", "eval", NULL };
static const char *const sh_ty[] = { "echo", "printf", "cd", "test",
	"read", "source", "true", "false", "cat", "grep", "sed", "awk",
	"sudo", "apt-get", "make", NULL };
static const char *const py_kw[] = { "False", "None", "True", "and", "as",
	"assert", "async", "await", "break", "class", "continue", "def",
	"del", "elif", "else", "except", "finally", "for", "from", "global",
	"if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
	"raise", "return", "try", "while", "with", "yield", "match", "case",
	NULL };
static const char *const py_ty[] = { "int", "float", "str", "bytes",
	"bool", "list", "dict", "set", "tuple", "object", "type", "len",
	"print", "range", "open", "self", "super", "isinstance", "Exception",
	NULL };
static const char *const js_kw[] = { "async", "await", "break", "case",
	"catch", "class", "const", "continue", "debugger", "default",
	"delete", "do", "else", "export", "extends", "false", "finally",
	"for", "from", "function", "if", "import", "in", "instanceof", "let",
	"new", "null", "of", "return", "static", "super", "switch", "this",
	"throw", "true", "try", "typeof", "undefined", "var", "void", "while",
	"with", "yield", "as", "enum", "implements", "interface", "type",
	"namespace", "declare", "readonly", "private", "public", "protected",
	"abstract", "keyof", NULL };
static const char *const js_ty[] = { "Array", "Boolean", "Date", "Error",
	"JSON", "Map", "Math", "Number", "Object", "Promise", "RegExp", "Set",
	"String", "Symbol", "console", "document", "window", "string",
	"number", "boolean", "any", "unknown", "never", "bigint", NULL };
static const char *const json_kw[] = { "true", "false", "null", NULL };
static const char *const sql_kw[] = { "select", "from", "where", "insert",
	"into", "values", "update", "set", "delete", "create", "table",
	"index", "view", "drop", "alter", "add", "column", "primary", "key",
	"foreign", "references", "join", "left", "right", "inner", "outer",
	"on", "and", "or", "not", "null", "is", "in", "as", "order", "by",
	"group", "having", "limit", "offset", "distinct", "union", "all",
	"case", "when", "then", "else", "end", "begin", "commit", "rollback",
	"returning", "with", "default", "unique", "check", "constraint",
	"exists", "like", "between", "true", "false", "cascade", "conflict",
	"do", "nothing", "asc", "desc", "if", NULL };
static const char *const sql_ty[] = { "int", "integer", "bigint",
	"smallint", "serial", "bigserial", "text", "varchar", "char",
	"boolean", "bool", "timestamp", "timestamptz", "date", "time",
	"numeric", "decimal", "real", "float", "double", "bytea", "json",
	"jsonb", "uuid", "count", "sum", "min", "max", "avg", "coalesce",
	"now", NULL };
static const char *const go_kw[] = { "break", "case", "chan", "const",
	"continue", "default", "defer", "else", "fallthrough", "for", "func",
	"go", "goto", "if", "import", "interface", "map", "package", "range",
	"return", "select", "struct", "switch", "type", "var", "nil", "true",
	"false", "iota", NULL };
static const char *const go_ty[] = { "bool", "byte", "complex64",
	"complex128", "error", "float32", "float64", "int", "int8", "int16",
	"int32", "int64", "rune", "string", "uint", "uint8", "uint16",
	"uint32", "uint64", "uintptr", "any", "append", "cap", "close",
	"copy", "delete", "len", "make", "new", "panic", "print", "println",
	"recover", NULL };
static const char *const rs_kw[] = { "as", "async", "await", "break",
	"const", "continue", "crate", "dyn", "else", "enum", "extern",
	"false", "fn", "for", "if", "impl", "in", "let", "loop", "match",
	"mod", "move", "mut", "pub", "ref", "return", "self", "Self",
	"static", "struct", "super", "trait", "true", "type", "unsafe",
	"use", "where", "while", NULL };
static const char *const rs_ty[] = { "bool", "char", "f32", "f64", "i8",
	"i16", "i32", "i64", "i128", "isize", "str", "u8", "u16", "u32",
	"u64", "u128", "usize", "String", "Vec", "Option", "Result", "Box",
	"Some", "None", "Ok", "Err", NULL };
static const char *const yaml_kw[] = { "true", "false", "null", "yes",
	"no", "on", "off", "True", "False", "Null", NULL };
static const char *const none[] = { NULL };

static const struct lang langs[] = {
	{ "c h", K_CODE, F_SLASHCOM | F_PREPROC, "\"'", c_kw, c_ty },
	{ "cpp c++ cc cxx hpp", K_CODE, F_SLASHCOM | F_PREPROC, "\"'",
	    cpp_kw, cpp_ty },
	{ "sh bash shell zsh console", K_CODE, F_SHCOM | F_DOLLAR, "\"'`",
	    sh_kw, sh_ty },
	{ "python py python3", K_CODE, F_HASHCOM | F_TRIPLE | F_DECOR, "\"'",
	    py_kw, py_ty },
	{ "javascript js mjs typescript ts jsx tsx", K_CODE,
	    F_SLASHCOM | F_DOLLAR | F_DECOR, "\"'`", js_kw, js_ty },
	{ "json jsonc", K_CODE, F_KEYS | F_SLASHCOM, "\"", json_kw, none },
	{ "sql psql postgresql pgsql", K_CODE, F_NOCASE | F_DASHCOM,
	    "'\"", sql_kw, sql_ty },
	{ "go golang", K_CODE, F_SLASHCOM, "\"'`", go_kw, go_ty },
	{ "rust rs", K_CODE, F_SLASHCOM | F_RUSTY, "\"'", rs_kw, rs_ty },
	{ "html xml svg xhtml", K_MARKUP, 0, "\"'", none, none },
	{ "css", K_CSS, 0, "\"'", none, none },
	{ "diff patch", K_DIFF, 0, "", none, none },
	{ "yaml yml", K_YAML, F_HASHCOM, "\"'", yaml_kw, none },
};

struct lex {
	const struct lang	*l;
	const char		*s;
	size_t			 n, i;
	struct buf		*out;
};

/* Emits s[from, to) in a span of class cls (plain when cls is NULL). */
static void
span(struct lex *x, const char *cls, size_t from, size_t to)
{
	if (to <= from)
		return;
	if (cls != NULL) {
		buf_puts(x->out, "<span class=\"hl-");
		buf_puts(x->out, cls);
		buf_puts(x->out, "\">");
	}
	escape_html(x->out, x->s + from, to - from);
	if (cls != NULL)
		buf_puts(x->out, "</span>");
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_word(const struct lex *x, char c)
{
	return is_alpha(c) || is_digit(c) ||
	    (c == '$' && (x->l->flags & F_DOLLAR)) ||
	    (c == '-' && x->l->kind != K_CODE);
}

static bool
at(const struct lex *x, const char *p)
{
	size_t	 k = strlen(p);

	return x->n - x->i >= k && memcmp(x->s + x->i, p, k) == 0;
}

/* True when only blanks stand between i and the start of its line.  It
 * looks back over at most 64 of them, which keeps the scan linear when
 * it is asked at every blank of a long run. */
static bool
line_start(const struct lex *x)
{
	size_t	 j = x->i, lim = x->i > 64 ? x->i - 64 : 0;

	while (j > lim && (x->s[j - 1] == ' ' || x->s[j - 1] == '\t'))
		j--;
	return j == 0 || x->s[j - 1] == '\n';
}

static size_t
to_eol(const struct lex *x, size_t j)
{
	const char	*nl = memchr(x->s + j, '\n', x->n - j);

	return nl == NULL ? x->n : (size_t)(nl - x->s);
}

static bool
in_list(const struct lex *x, const char *const *list, const char *w,
    size_t k)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == k && ((x->l->flags & F_NOCASE) ?
		    strncasecmp(*list, w, k) == 0 : memcmp(*list, w, k) == 0))
			return true;
	return false;
}

/* A block comment from i (opener ol bytes) to the closer or the end. */
static void
block_comment(struct lex *x, size_t ol, const char *close)
{
	size_t	 j = x->i + ol, cl = strlen(close);
	const char *e = memmem(x->s + j, x->n - j, close, cl);
	size_t	 end = e == NULL ? x->n : (size_t)(e - x->s) + cl;

	span(x, "c", x->i, end);
	x->i = end;
}

/* A string from i: to the unescaped closing quote, else to the end of
 * the line (or of the block for multi-line kinds). */
static size_t
string_end(const struct lex *x, size_t j, char q, size_t ql, bool multi,
    bool escapes)
{
	j += ql;
	while (j < x->n) {
		char	 c = x->s[j];

		if (c == '\\' && escapes) {
			j += j + 1 < x->n ? 2 : 1;
			continue;
		}
		if (c == '\n' && !multi)
			return j;
		if (c == q && (ql == 1 || (x->n - j >= 3 && x->s[j + 1] == q &&
		    x->s[j + 2] == q)))
			return j + ql;
		j++;
	}
	return x->n;
}

static void
string(struct lex *x)
{
	char	 q = x->s[x->i];
	size_t	 ql = 1, end, j;
	bool	 multi = q == '`', esc = true;
	const char *cls = "s";

	if ((x->l->flags & F_TRIPLE) && x->n - x->i >= 3 &&
	    x->s[x->i + 1] == q && x->s[x->i + 2] == q) {
		ql = 3;
		multi = true;
	}
	if (q == '\'' && (x->l->flags & (F_SHCOM | F_NOCASE)))
		esc = false;		/* sh and SQL: no escapes in '...' */
	if (x->l->kind == K_MARKUP || x->l->kind == K_YAML ||
	    (x->l->flags & (F_SHCOM | F_NOCASE)))
		multi = true;
	end = string_end(x, x->i, q, ql, multi, esc);
	if (x->l->flags & F_KEYS) {
		for (j = end; j < x->n && (x->s[j] == ' ' ||
		    x->s[j] == '\t'); j++)
			;
		if (j < x->n && x->s[j] == ':')
			cls = "a";
	}
	span(x, cls, x->i, end);
	x->i = end;
}

static void
number(struct lex *x)
{
	size_t	 j = x->i;

	while (j < x->n && (is_alpha(x->s[j]) || is_digit(x->s[j]) ||
	    x->s[j] == '.' || (x->s[j] == '\'' && x->l->kind == K_CODE &&
	    !(x->l->flags & F_RUSTY) && j + 1 < x->n && is_digit(x->s[j + 1]))))
		j++;
	span(x, "n", x->i, j);
	x->i = j;
}

static void
word(struct lex *x, const char *cls_plain)
{
	size_t	 j = x->i;
	const char *cls = cls_plain;

	while (j < x->n && is_word(x, x->s[j]))
		j++;
	if (in_list(x, x->l->kw, x->s + x->i, j - x->i))
		cls = "k";
	else if (in_list(x, x->l->ty, x->s + x->i, j - x->i))
		cls = "t";
	span(x, cls, x->i, j);
	x->i = j;
}

/* One step of a programming language; consumes at least one byte. */
static void
step_code(struct lex *x)
{
	unsigned f = x->l->flags;
	char	 c = x->s[x->i];
	bool	 prev_word = x->i > 0 && is_word(x, x->s[x->i - 1]);

	if ((f & F_SLASHCOM) && at(x, "//")) {
		size_t e = to_eol(x, x->i);
		span(x, "c", x->i, e);
		x->i = e;
	} else if ((f & F_SLASHCOM) && at(x, "/*")) {
		block_comment(x, 2, "*/");
	} else if ((f & F_NOCASE) && at(x, "/*")) {
		block_comment(x, 2, "*/");
	} else if ((f & F_DASHCOM) && at(x, "--")) {
		size_t e = to_eol(x, x->i);
		span(x, "c", x->i, e);
		x->i = e;
	} else if (c == '#' && (f & F_PREPROC) && line_start(x)) {
		size_t e = to_eol(x, x->i);
		span(x, "p", x->i, e);
		x->i = e;
	} else if (c == '#' && (f & F_RUSTY) && at(x, "#[")) {
		const char *e = memchr(x->s + x->i, ']', to_eol(x, x->i) - x->i);
		size_t end = e == NULL ? to_eol(x, x->i) : (size_t)(e - x->s) + 1;
		span(x, "p", x->i, end);
		x->i = end;
	} else if (c == '#' && ((f & F_HASHCOM) || ((f & F_SHCOM) &&
	    (x->i == 0 || x->s[x->i - 1] == ' ' || x->s[x->i - 1] == '\t' ||
	    x->s[x->i - 1] == '\n')))) {
		size_t e = to_eol(x, x->i);
		span(x, "c", x->i, e);
		x->i = e;
	} else if (c == '@' && (f & F_DECOR) && x->i + 1 < x->n &&
	    is_alpha(x->s[x->i + 1])) {
		size_t j = x->i + 1;
		while (j < x->n && (is_word(x, x->s[j]) || x->s[j] == '.'))
			j++;
		span(x, "p", x->i, j);
		x->i = j;
	} else if (c == '\'' && (f & F_RUSTY) && !(x->n - x->i >= 3 &&
	    (x->s[x->i + 1] == '\\' || x->s[x->i + 2] == '\''))) {
		span(x, NULL, x->i, x->i + 1);	/* a lifetime */
		x->i++;
	} else if (strchr(x->l->quotes, c) != NULL && c != '\0') {
		string(x);
	} else if (is_digit(c) && !prev_word) {
		number(x);
	} else if ((is_alpha(c) || (c == '$' && (f & F_DOLLAR))) &&
	    !prev_word) {
		word(x, NULL);
	} else {
		span(x, NULL, x->i, x->i + 1);
		x->i++;
	}
}

static void
step_markup(struct lex *x)
{
	char	 c = x->s[x->i];
	size_t	 j;

	if (at(x, "<!--")) {
		block_comment(x, 4, "-->");
		return;
	}
	if (c != '<' || x->i + 1 >= x->n || !(is_alpha(x->s[x->i + 1]) ||
	    x->s[x->i + 1] == '/' || x->s[x->i + 1] == '!' ||
	    x->s[x->i + 1] == '?')) {
		span(x, NULL, x->i, x->i + 1);
		x->i++;
		return;
	}
	if (x->s[x->i + 1] == '!' || x->s[x->i + 1] == '?') {
		const char *e = memchr(x->s + x->i, '>', x->n - x->i);
		size_t end = e == NULL ? x->n : (size_t)(e - x->s) + 1;
		span(x, "p", x->i, end);
		x->i = end;
		return;
	}
	/* <name or </name, then attributes up to '>' */
	j = x->i + 1 + (x->s[x->i + 1] == '/');
	span(x, NULL, x->i, j);
	x->i = j;
	while (j < x->n && (is_word(x, x->s[j]) || x->s[j] == ':' ||
	    x->s[j] == '.'))
		j++;
	span(x, "a", x->i, j);
	x->i = j;
	while (x->i < x->n && x->s[x->i] != '>' && x->s[x->i] != '<') {
		c = x->s[x->i];
		if (c == '"' || c == '\'') {
			string(x);
		} else if (is_alpha(c)) {
			j = x->i;
			while (j < x->n && (is_word(x, x->s[j]) ||
			    x->s[j] == ':'))
				j++;
			span(x, "a", x->i, j);
			x->i = j;
		} else {
			span(x, NULL, x->i, x->i + 1);
			x->i++;
		}
	}
	if (x->i < x->n && x->s[x->i] == '>') {
		span(x, NULL, x->i, x->i + 1);
		x->i++;
	}
}

static void
step_css(struct lex *x, int *depth)
{
	char	 c = x->s[x->i];
	size_t	 j;

	if (at(x, "/*")) {
		block_comment(x, 2, "*/");
	} else if (c == '"' || c == '\'') {
		string(x);
	} else if (c == '@' && x->i + 1 < x->n && is_alpha(x->s[x->i + 1])) {
		for (j = x->i + 1; j < x->n && is_word(x, x->s[j]); j++)
			;
		span(x, "p", x->i, j);
		x->i = j;
	} else if (c == '{' || c == '}') {
		*depth += c == '{' ? 1 : (*depth > 0 ? -1 : 0);
		span(x, NULL, x->i, x->i + 1);
		x->i++;
	} else if ((is_digit(c) || (c == '#' && *depth > 0)) &&
	    !(x->i > 0 && is_word(x, x->s[x->i - 1]))) {
		j = x->i + 1;
		while (j < x->n && (is_word(x, x->s[j]) || x->s[j] == '.' ||
		    x->s[j] == '%'))
			j++;
		span(x, "n", x->i, j);
		x->i = j;
	} else if ((is_alpha(c) || c == '-') && *depth > 0 &&
	    !(x->i > 0 && is_word(x, x->s[x->i - 1]))) {
		size_t k;

		for (j = x->i; j < x->n && is_word(x, x->s[j]); j++)
			;
		for (k = j; k < x->n && (x->s[k] == ' ' || x->s[k] == '\t');
		    k++)
			;
		span(x, k < x->n && x->s[k] == ':' ? "a" : NULL, x->i, j);
		x->i = j;
	} else {
		span(x, NULL, x->i, x->i + 1);
		x->i++;
	}
}

/* A whole line of a diff. */
static void
step_diff(struct lex *x)
{
	size_t	 e = to_eol(x, x->i);
	const char *cls = NULL;

	if (at(x, "+++") || at(x, "---") || at(x, "diff ") ||
	    at(x, "index "))
		cls = "k";
	else if (at(x, "@@"))
		cls = "p";
	else if (x->s[x->i] == '+')
		cls = "s";
	else if (x->s[x->i] == '-')
		cls = "c";
	span(x, cls, x->i, e);
	x->i = e < x->n ? e + 1 : e;
	if (e < x->n)
		buf_putc(x->out, '\n');
}

/* Where a YAML key may start: a line's first non-blank, or the first
 * after a list item's "- ". */
static bool
key_start(struct lex *x)
{
	bool	 r;

	if (line_start(x))
		return true;
	if (x->i < 2 || x->s[x->i - 1] != ' ' || x->s[x->i - 2] != '-')
		return false;
	x->i -= 2;
	r = line_start(x);
	x->i += 2;
	return r;
}

static void
step_yaml(struct lex *x)
{
	size_t	 j;

	if (x->s[x->i] == ' ' || x->s[x->i] == '\t') {
		span(x, NULL, x->i, x->i + 1);
		x->i++;
		return;
	}
	if (line_start(x) && (at(x, "---") || at(x, "..."))) {
		span(x, "p", x->i, x->i + 3);
		x->i += 3;
		return;
	}
	if (key_start(x) && x->s[x->i] != '#' && x->s[x->i] != '"' &&
	    x->s[x->i] != '\'' && x->s[x->i] != '\n' && x->s[x->i] != '-') {
		/* key: a run without ': ' or '#' up to ':' then a blank */
		for (j = x->i; j < x->n && x->s[j] != '\n' && x->s[j] != '#' &&
		    !(x->s[j] == ':' && (j + 1 == x->n || x->s[j + 1] == ' ' ||
		    x->s[j + 1] == '\n')); j++)
			;
		if (j > x->i && j < x->n && x->s[j] == ':') {
			span(x, "a", x->i, j);
			x->i = j;
			return;
		}
	}
	if (x->s[x->i] == '-' && line_start(x) && x->i + 1 < x->n &&
	    x->s[x->i + 1] == ' ') {
		/* a list item: what follows may be a key again */
		span(x, NULL, x->i, x->i + 2);
		x->i += 2;
		return;
	}
	step_code(x);
}

static const struct lang *
find(const char *lang, size_t len)
{
	size_t	 k;

	if (len == 0 || len > 32)
		return NULL;
	for (k = 0; k < sizeof(langs) / sizeof(langs[0]); k++) {
		const char *p = langs[k].names;

		while (*p != '\0') {
			size_t w = strcspn(p, " ");

			if (w == len && strncasecmp(p, lang, len) == 0)
				return &langs[k];
			p += w;
			p += *p == ' ';
		}
	}
	return NULL;
}

bool
hl_known(const char *lang, size_t langlen)
{
	return find(lang, langlen) != NULL;
}

bool
hl_render(const char *lang, size_t langlen, const char *code, size_t n,
    struct buf *out)
{
	struct lex	 x = { find(lang, langlen), code, n, 0, out };
	int		 depth = 0;

	if (x.l == NULL || n > HL_MAX) {
		escape_html(out, code, n);
		return x.l != NULL;
	}
	while (x.i < x.n) {
		switch (x.l->kind) {
		case K_MARKUP:
			step_markup(&x);
			break;
		case K_CSS:
			step_css(&x, &depth);
			break;
		case K_DIFF:
			step_diff(&x);
			break;
		case K_YAML:
			step_yaml(&x);
			break;
		default:
			step_code(&x);
			break;
		}
	}
	return true;
}
