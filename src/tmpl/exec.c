/* SPDX-License-Identifier: MIT */
/*
 * exec.c: renders a compiled template with a json-c view into a buffer.
 *
 * The renderer walks the instruction array.  A section renders its body by
 * recursion with one more context frame on the C stack, so the context
 * stack is a chain of frames and nothing is allocated: the only memory
 * touched is the output buffer.  Recursion is bounded by the compiler's
 * nesting limit per template times TMPL_MAX_DEPTH partials, and the work
 * of one render by set->max_steps instructions and set->max_output bytes
 * (a template that recurses through a partial twice doubles at every
 * level; nested sections multiply): a runaway template fails its render
 * instead of the worker.
 *
 * Values: strings as they are; integers in decimal; doubles in the
 * shortest form that reads back the same (1.21, not 1.2099999999999999),
 * whole ones below 1e15 as integers (3, not 3.0); booleans as true and
 * false; null, objects and arrays as nothing.
 * Falsey, per the spec's "!!data": null or missing, false, "", 0, 0.0
 * and [].  {{x}} escapes with the escaper of the template named in
 * tmpl_render(), in its partials too: a feed that includes a partial
 * escapes it for XML.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/buf.h"
#include "lib/escape.h"
#include "tmpl/tmpl_int.h"
#include "lib/trace.h"
#include "lib/util.h"

typedef void (*escape_fn)(struct buf *, const char *, size_t);

static const escape_fn escapers[] = {
	escape_html,		/* TMPL_ESC_HTML */
	escape_xml,		/* TMPL_ESC_XML */
};
_Static_assert(NELEM(escapers) == TMPL_ESC__MAX, "one escaper per kind");

/* Indentation pieces in force at once: one per partial or parent level,
 * and one per re-indented block override (never more than the parents). */
#define MAX_IND		(2 * TMPL_MAX_DEPTH + 2)

/* One frame of the context stack. */
struct ctx {
	struct json_object	*v;
	const struct ctx	*up;
};

/* The blocks a parent passes in, and the ones passed to whoever used it. */
struct args {
	const struct tmpl	*t;
	const struct ins	*parent;
	const struct args	*outer;
};

struct rstate {
	struct buf		*out;
	escape_fn		 esc;
	const struct tmpl_set	*set;
	const struct args	*args;
	uint64_t		 steps;		/* instructions left */
	size_t			 outmax;	/* fail once out->n passes it */
	unsigned		 depth;		/* partials and parents open */
	unsigned		 nind;
	struct str		 ind[MAX_IND];
};

static int	 run(struct rstate *, const struct tmpl *, uint32_t, uint32_t,
		    const struct ctx *, unsigned, bool);

/*
 * Looks key k of t up in object o.  Lookups are the largest cost of a
 * render, and json_object_object_get_ex() hashes the key every time: the
 * hash computed at compile time, given to json-c's own
 * lh_table_lookup_entry_w_hash(), makes a whole page about 20% faster.
 * It is valid while o's table hashes with the function that made it,
 * which holds unless json_global_set_string_hash() is called after
 * templates are compiled; then the slow path still gives the same answer.
 */
static bool
get(struct json_object *o, const struct tmpl *t, uint32_t k,
    struct json_object **v)
{
	struct lh_table	*tab;
	struct lh_entry	*e;

	if (!json_object_is_type(o, json_type_object))
		return false;
	tab = json_object_get_object(o);
	if (tab->hash_fn != t->hash_fn)
		return json_object_object_get_ex(o, t->seg[k], v);
	if ((e = lh_table_lookup_entry_w_hash(tab, t->seg[k],
	    t->hash[k])) == NULL)
		return false;
	*v = (struct json_object *)lh_entry_v(e);
	return true;
}

static struct json_object *
lookup(const struct tmpl *t, const struct ins *in, const struct ctx *cx)
{
	struct json_object *v;

	if (in->nseg == 0)
		return cx->v;
	for (; cx != NULL; cx = cx->up)
		if (get(cx->v, t, in->seg, &v))
			break;
	if (cx == NULL)
		return NULL;
	for (uint32_t i = 1; i < in->nseg; i++)
		if (!get(v, t, in->seg + i, &v))
			return NULL;
	return v;
}

static bool
truthy(struct json_object *v)
{
	double	 d;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return false;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		d = json_object_get_double(v);
		return d != 0 && !isnan(d);
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
	default:
		return true;
	}
}

/* Writes n in decimal ending at end; returns where it starts. */
static char *
fmt_u64(char *end, uint64_t n)
{
	do {
		*--end = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	return end;
}

static void
put_value(struct rstate *st, struct json_object *v, bool raw)
{
	char		 tmp[32], *s;
	int64_t		 i;
	double		 d;
	int		 n = 0;

	switch (json_object_get_type(v)) {
	case json_type_string:
		if (raw)
			buf_put(st->out, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		else
			st->esc(st->out, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v));
		return;
	case json_type_int:
		/* Numbers need no escaping in HTML or XML. */
		i = json_object_get_int64(v);
		if (i == INT64_MAX)
			s = fmt_u64(tmp + sizeof(tmp),
			    json_object_get_uint64(v));
		else if (i < 0) {
			s = fmt_u64(tmp + sizeof(tmp), 0 - (uint64_t)i);
			*--s = '-';
		} else
			s = fmt_u64(tmp + sizeof(tmp), (uint64_t)i);
		buf_put(st->out, s, (size_t)(tmp + sizeof(tmp) - s));
		return;
	case json_type_double:
		d = json_object_get_double(v);
		if (d > -1e15 && d < 1e15 && d == (double)(int64_t)d) {
			/* Whole numbers print as integers, without printf. */
			i = (int64_t)d;
			s = fmt_u64(tmp + sizeof(tmp),
			    i < 0 ? 0 - (uint64_t)i : (uint64_t)i);
			if (i < 0)
				*--s = '-';
			buf_put(st->out, s, (size_t)(tmp + sizeof(tmp) - s));
			return;
		}
		/* Else the shortest of 15 to 17 digits that reads back. */
		for (int prec = 15; prec <= 17; prec++) {
			n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
		if (n > 0 && (size_t)n < sizeof(tmp))
			buf_put(st->out, tmp, (size_t)n);
		return;
	case json_type_boolean:
		if (json_object_get_boolean(v))
			buf_put(st->out, "true", 4);
		else
			buf_put(st->out, "false", 5);
		return;
	default:
		return;
	}
}

static void
indent(struct rstate *st, unsigned base)
{
	for (unsigned i = base; i < st->nind; i++)
		buf_put(st->out, st->ind[i].p, st->ind[i].n);
}

/* Text with indentation after every newline that more text follows. */
static void
put_indented(struct rstate *st, const char *p, size_t n, unsigned base)
{
	const char	*nl;

	while ((nl = memchr(p, '\n', n)) != NULL && nl + 1 < p + n) {
		buf_put(st->out, p, (size_t)(nl + 1 - p));
		indent(st, base);
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	buf_put(st->out, p, n);
}

static bool
push_ind(struct rstate *st, const char *p, size_t n)
{
	if (n == 0)
		return true;
	if (st->nind == MAX_IND)
		return false;
	st->ind[st->nind].p = p;
	st->ind[st->nind].n = n;
	st->nind++;
	return true;
}

/*
 * Renders partial (or parent) to for the instruction in.  Standing alone,
 * its lines get the indentation in force plus its own; inline, none.
 */
static int
include(struct rstate *st, const struct tmpl *to, const struct ins *in,
    const struct ctx *cx, unsigned base)
{
	unsigned	 saved = st->nind;
	int		 rc;

	if (to == NULL)
		return 0;
	if (st->depth >= TMPL_MAX_DEPTH)
		return -1;
	if (in->flags & INS_STANDALONE) {
		if (!push_ind(st, in->p, in->n))
			return -1;
	} else
		base = st->nind;
	st->depth++;
	rc = run(st, to, 0, to->nins, cx, base, false);
	st->depth--;
	st->nind = saved;
	return rc;
}

/*
 * The override of block in for t, from the outermost parent that passes
 * one: a child's argument beats its parent's.  *from is the frame.
 */
static const struct ins *
override(const struct rstate *st, const struct tmpl *t,
    const struct ins *in, const struct args **from)
{
	const char	*name = t->seg[in->seg];
	const struct ins *found = NULL, *b;
	const struct args *a;

	for (a = st->args; a != NULL; a = a->outer)
		for (uint32_t i = a->parent->next; i != TMPL_NONE;
		    i = b->next) {
			b = &a->t->ins[i];
			if (strcmp(a->t->seg[b->seg], name) == 0) {
				found = b;
				*from = a;
				break;
			}
		}
	return found;
}

static int
block(struct rstate *st, const struct tmpl *t, const struct ins *in,
    const struct ctx *cx, unsigned base, bool *done)
{
	const struct args *a = NULL, *saved = st->args;
	const struct ins *ov;
	unsigned	 nind = st->nind;
	uint32_t	 from;
	int		 rc;

	*done = false;
	if (st->args == NULL || (ov = override(st, t, in, &a)) == NULL)
		return 0;
	*done = true;
	if ((in->flags & INS_REINDENT) && !push_ind(st, in->p, in->n))
		return -1;
	/* Blocks inside the override are the overriding template's own. */
	st->args = a->outer;
	from = (uint32_t)(ov - a->t->ins);
	rc = run(st, a->t, from + 1, ov->jump + 1, cx, base,
	    (in->flags & INS_SKIP1) != 0);
	st->args = saved;
	st->nind = nind;
	return rc;
}

static int
section(struct rstate *st, const struct tmpl *t, uint32_t pc,
    const struct ctx *cx, unsigned base)
{
	const struct ins *in = &t->ins[pc];
	struct json_object *v = lookup(t, in, cx);
	struct ctx	 c = { v, cx };
	size_t		 n;

	if (in->op == OP_INVERTED)
		return truthy(v) ? 0 :
		    run(st, t, pc + 1, in->jump + 1, cx, base, false);
	if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++) {
			c.v = json_object_array_get_idx(v, i);
			if (run(st, t, pc + 1, in->jump + 1, &c, base,
			    false) != 0)
				return -1;
		}
		return 0;
	}
	return truthy(v) ? run(st, t, pc + 1, in->jump + 1, &c, base, false) :
	    0;
}

/* Renders instructions [pc, end) of t; base: the first indentation piece
 * that applies; skip1: the first one's line is already indented. */
static int
run(struct rstate *st, const struct tmpl *t, uint32_t pc, uint32_t end,
    const struct ctx *cx, unsigned base, bool skip1)
{
	const struct ins *in;
	const struct tmpl *to;
	struct json_object *v;
	struct args	 a;
	uint32_t	 first = pc;
	bool		 done;

	for (; pc < end; pc++) {
		in = &t->ins[pc];
		if (st->steps-- == 0 || st->out->n > st->outmax)
			return -1;
		if ((in->flags & INS_BOL) && st->nind > base &&
		    !(skip1 && pc == first))
			indent(st, base);
		switch (in->op) {
		case OP_TEXT:
			if (st->nind > base)
				put_indented(st, in->p, in->n, base);
			else
				buf_put(st->out, in->p, in->n);
			break;
		case OP_VAR:
		case OP_RAW:
			put_value(st, lookup(t, in, cx), in->op == OP_RAW);
			break;
		case OP_SECTION:
		case OP_INVERTED:
			if (section(st, t, pc, cx, base) != 0)
				return -1;
			pc = in->jump;
			break;
		case OP_PARTIAL:
			if (include(st, in->to, in, cx, base) != 0)
				return -1;
			break;
		case OP_DYNAMIC:
			v = lookup(t, in, cx);
			if (!json_object_is_type(v, json_type_string))
				break;
			to = tmpl_find(st->set, json_object_get_string(v),
			    (size_t)json_object_get_string_len(v), true);
			if (include(st, to, in, cx, base) != 0)
				return -1;
			break;
		case OP_BLOCK:
			if (block(st, t, in, cx, base, &done) != 0)
				return -1;
			if (done)
				pc = in->jump;
			/* Otherwise the default body follows in place. */
			break;
		case OP_PARENT:
			a.t = t;
			a.parent = in;
			a.outer = st->args;
			st->args = &a;
			if (include(st, in->to, in, cx, base) != 0)
				return -1;
			st->args = a.outer;
			pc = in->jump;
			break;
		default:	/* OP_NOP, OP_END */
			break;
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *name,
    struct json_object *view, struct buf *out)
{
	const struct tmpl *t;
	struct rstate	 st;
	struct ctx	 root = { view, NULL };
	int		 rc, sp;

	if (!set->linked ||
	    (t = tmpl_find(set, name, strlen(name), false)) == NULL)
		return -1;
	sp = trace_span_begin("render template", TRACE_INTERNAL);
	trace_attr_str(sp, "inkwell.template", name);
	st.out = out;
	st.esc = escapers[t->esc];
	st.set = set;
	st.args = NULL;
	st.steps = set->max_steps;
	st.outmax = out->n + set->max_output < out->n ? SIZE_MAX :
	    out->n + set->max_output;
	st.depth = 0;
	st.nind = 0;
	rc = run(&st, t, 0, t->nins, &root, 0, false);
	trace_attr_int(sp, "inkwell.template.bytes", (int64_t)out->n);
	trace_span_end(sp, rc != 0);
	return rc;
}
