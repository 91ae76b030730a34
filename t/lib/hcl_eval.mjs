// SPDX-License-Identifier: MIT
/*
 * t/lib/hcl_eval.mjs: reads terraform/ the way Terraform would, for the
 * tests of a tree where no terraform binary runs (t/7101, t/7102).
 *
 * @cdktf/hcl2json parses the files: parse() turns each into JSON, with
 * every expression kept as its source text inside "${...}", and
 * getExpressionAst() turns such a text into a syntax tree. This module
 * evaluates those trees for the part of the language the modules in
 * terraform/modules use, so that a module's outputs (its cloud-init user
 * data) can be rendered from given inputs, and its variables' types and
 * validation blocks checked as Terraform checks them:
 *
 *   literals, strings with ${...} interpolation (not %{...} directives),
 *   tuples, objects, var./local./path.module references, attribute and
 *   index access, for expressions (list and object, with "if"), the
 *   conditional ?:, the operators == != && || ! < <= > >= + - * / %,
 *   and the functions in FUNCTIONS below (yamlencode, jsonencode, file,
 *   filebase64, templatefile, base64encode, join, merge, concat, range,
 *   cidrhost, ...).
 *
 * Anything else (resources, data sources, module outputs, splats,
 * heredocs inside expressions, template directives, other functions)
 * stops the evaluation with an EvalError naming the construct and where
 * it is: the modules must keep to this subset, and a test that renders
 * them says so when they do not.
 *
 *   const hcl = await loadHcl2json(dir)        the npm package, from dir
 *   const mod = await loadModule(hcl, path)    every *.tf of a directory
 *   const ev = new ModuleEval(hcl, mod, inputs)
 *   await ev.prepare()     inputs converted to the variables' types,
 *                          defaults applied; throws EvalError for a
 *                          missing or unknown input or a wrong type
 *   await ev.validate()    [{variable, message}] for failed validations
 *   await ev.output(name)  an output's value (also ev.local(name))
 *   yamlencode(value)      the YAML this evaluator's yamlencode() makes
 *
 * Values are plain JSON: strings, numbers, booleans, null, arrays and
 * objects. Sensitivity is not tracked.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, isAbsolute, join, resolve } from 'node:path';

export class EvalError extends Error {}

// loadHcl2json DIR: the package from DIR (a node_modules directory).
export async function loadHcl2json(modules) {
	const req = createRequire(join(modules, '..', 'package.json'));
	return req('@cdktf/hcl2json');
}

// loadModule: { dir, files: {name: json}, variables, locals, outputs,
// modules, resources, data, terraform } from every *.tf in dir. Throws
// EvalError naming the file when one does not parse.
export async function loadModule(hcl, dir) {
	const mod = {
		dir: resolve(dir), files: {}, variables: {}, locals: {},
		outputs: {}, modules: {}, resources: {}, data: {},
		providers: {}, terraform: [],
	};
	const names = readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
	for (const f of names) {
		let json;
		try {
			json = await hcl.parse(f, readFileSync(join(dir, f), 'utf8'));
		} catch (e) {
			throw new EvalError(`${join(dir, f)}: does not parse: ${e.message}`);
		}
		mod.files[f] = json;
		const once = (kind, map, name, body) => {
			if (name in map)
				throw new EvalError(`${f}: ${kind} "${name}" is declared twice`);
			map[name] = { ...body, _file: f };
		};
		for (const [name, blocks] of Object.entries(json.variable || {}))
			for (const b of blocks) once('variable', mod.variables, name, b);
		for (const [name, blocks] of Object.entries(json.output || {}))
			for (const b of blocks) once('output', mod.outputs, name, b);
		for (const [name, blocks] of Object.entries(json.module || {}))
			for (const b of blocks) once('module', mod.modules, name, b);
		for (const [name, blocks] of Object.entries(json.provider || {}))
			mod.providers[name] = (mod.providers[name] || []).concat(blocks);
		for (const block of json.locals || [])
			for (const [name, v] of Object.entries(block)) {
				if (name in mod.locals)
					throw new EvalError(`${f}: local "${name}" is declared twice`);
				mod.locals[name] = { value: v, _file: f };
			}
		for (const kind of ['resource', 'data'])
			for (const [type, byName] of Object.entries(json[kind] || {}))
				for (const [name, blocks] of Object.entries(byName))
					for (const b of blocks)
						(kind === 'resource' ? mod.resources : mod.data)[`${type}.${name}`] = { ...b, _file: f, _type: type };
		for (const t of json.terraform || [])
			mod.terraform.push({ ...t, _file: f });
	}
	return mod;
}

// --- templates as hcl2json writes them ---------------------------------------

/*
 * hcl2json gives a string attribute as its value with escapes decoded,
 * "$${" and "%%{" left as written, and each interpolation as its source
 * text; template files (templatefile()) have the same form. splitTemplate
 * cuts one into [{lit}] and [{expr}] parts. Where an interpolation ends
 * is found by scanning its source: braces nest, and quoted strings (with
 * their own escapes and interpolations) are skipped.
 */
export function splitTemplate(s, where) {
	const parts = [];
	let lit = '';
	let i = 0;
	while (i < s.length) {
		if (s.startsWith('$${', i) || s.startsWith('%%{', i)) {
			lit += s[i + 1] + '{';
			i += 3;
		} else if (s.startsWith('%{', i)) {
			throw new EvalError(`${where}: template directives (%{ ... }) are not supported: ${JSON.stringify(s.slice(i, i + 30))}`);
		} else if (s.startsWith('${', i)) {
			const end = scanExpr(s, i + 2, where);
			let src = s.slice(i + 2, end);
			if (src.startsWith('~') || src.endsWith('~'))
				throw new EvalError(`${where}: strip markers (\${~ ... ~}) are not supported`);
			if (lit) parts.push({ lit });
			lit = '';
			parts.push({ expr: src.trim() });
			i = end + 1;
		} else {
			lit += s[i++];
		}
	}
	if (lit || parts.length === 0) parts.push({ lit });
	return parts;
}

// scanExpr S I: the index of the "}" that closes the interpolation whose
// source starts at I.
function scanExpr(s, i, where) {
	let depth = 0;
	while (i < s.length) {
		const c = s[i];
		if (c === '"') {
			i = scanString(s, i + 1, where);
		} else if (c === '<' && s[i + 1] === '<') {
			throw new EvalError(`${where}: a heredoc inside an expression is not supported (use file() or templatefile())`);
		} else if (c === '{') {
			depth++;
			i++;
		} else if (c === '}') {
			if (depth === 0) return i;
			depth--;
			i++;
		} else {
			i++;
		}
	}
	throw new EvalError(`${where}: an interpolation \${ is never closed`);
}

// scanString S I: the index after the quote that ends the string whose
// text starts at I.
function scanString(s, i, where) {
	while (i < s.length) {
		const c = s[i];
		if (c === '\\') i += 2;
		else if (c === '"') return i + 1;
		else if (s.startsWith('$${', i)) i += 3;
		else if (s.startsWith('${', i)) i = scanExpr(s, i + 2, where) + 1;
		else i++;
	}
	throw new EvalError(`${where}: a quoted string is never closed`);
}

// A literal of a quoted template inside an expression, as the syntax tree
// gives it: its source text, escapes not yet decoded.
function decodeQuoted(raw, where) {
	let out = '';
	for (let i = 0; i < raw.length; i++) {
		const c = raw[i];
		if (raw.startsWith('$${', i) || raw.startsWith('%%{', i)) {
			out += raw[i + 1] + '{';
			i += 2;
		} else if (c !== '\\') {
			out += c;
		} else {
			const n = raw[++i];
			const simple = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
			if (n in simple) {
				out += simple[n];
			} else if (n === 'u' || n === 'U') {
				const len = n === 'u' ? 4 : 8;
				const hex = raw.slice(i + 1, i + 1 + len);
				if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len)
					throw new EvalError(`${where}: bad escape \\${n}${hex}`);
				out += String.fromCodePoint(parseInt(hex, 16));
				i += len;
			} else {
				throw new EvalError(`${where}: unknown escape \\${n}`);
			}
		}
	}
	return out;
}

// --- types --------------------------------------------------------------------

function typeName(v) {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'list';
	return typeof v === 'object' ? 'object' : typeof v;
}

// convert V to the type whose syntax tree is T (a variable's "type").
function convert(v, t, where, src) {
	if (v === null) return null;
	const fail = (want) => {
		throw new EvalError(`${where}: ${want} required, got ${typeName(v)} ${JSON.stringify(v).slice(0, 60)}`);
	};
	if (t.type === 'scopeTraversal' && t.meta.traversal.length === 1) {
		const name = t.meta.traversal[0].segment;
		switch (name) {
		case 'any':
			return v;
		case 'string':
			if (typeof v === 'string') return v;
			if (typeof v === 'number' || typeof v === 'boolean') return String(v);
			return fail('a string');
		case 'number':
			if (typeof v === 'number') return v;
			if (typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(v)) return Number(v);
			return fail('a number');
		case 'bool':
			if (typeof v === 'boolean') return v;
			if (v === 'true' || v === 'false') return v === 'true';
			return fail('a bool');
		}
	}
	if (t.type === 'function') {
		const name = t.meta.name;
		const args = t.children;
		if (['list', 'set'].includes(name) && args.length === 1) {
			if (!Array.isArray(v)) fail(`a ${name}`);
			return v.map((x, i) => convert(x, args[0], `${where}[${i}]`, src));
		}
		if (name === 'map' && args.length === 1) {
			if (typeName(v) !== 'object') fail('a map');
			return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x, args[0], `${where}["${k}"]`, src)]));
		}
		if (name === 'object' && args.length === 1 && args[0].type === 'object') {
			if (typeName(v) !== 'object') fail('an object');
			const out = {};
			for (const [k, at] of objectTypeAttrs(args[0], src, where)) {
				const opt = at.type === 'function' && at.meta.name === 'optional';
				if (k in v && v[k] !== null) {
					out[k] = convert(v[k], opt ? at.children[0] : at, `${where}.${k}`, src);
				} else if (opt) {
					out[k] = at.children.length > 1
						? convert(literalOf(at.children[1], `${where}.${k}`), at.children[0], `${where}.${k}`, src)
						: null;
				} else if (k in v) {
					out[k] = null;
				} else {
					throw new EvalError(`${where}: attribute "${k}" is required`);
				}
			}
			// Terraform drops attributes the type does not name.
			return out;
		}
	}
	throw new EvalError(`${where}: type ${t.meta?.value ?? t.type} is not supported by this evaluator`);
}

// The attributes of an object type's { name = type, ... }.
function objectTypeAttrs(node, src, where) {
	const out = [];
	const kids = node.children;
	for (let i = 0; i + 1 < kids.length; i += 2) {
		const key = kids[i];
		if (key.children.length)
			throw new EvalError(`${where}: object type attributes must be plain names`);
		out.push([sliceRange(src, key.range), kids[i + 1]]);
	}
	return out;
}

// A constant default of optional(): literals, tuples, objects of them.
function literalOf(node, where) {
	if (node.type === 'literalValue') return literal(node, where);
	if (node.type === 'template' && node.children.length === 1 && node.children[0].type === 'literalValue')
		return decodeQuoted(node.children[0].meta.value, where);
	if (node.type === 'tuple') return node.children.map((c) => literalOf(c, where));
	throw new EvalError(`${where}: an optional() default must be a literal here`);
}

function literal(node, where) {
	const { type, value } = node.meta;
	if (type === 'number') return Number(value);
	if (type === 'bool') return value === 'true';
	if (type === 'dynamic' && value === 'null') return null;
	if (type === 'string') return value;
	throw new EvalError(`${where}: literal of type ${type} is not supported`);
}

function sliceRange(src, range) {
	return Buffer.from(src, 'utf8').subarray(range.start.byte, range.end.byte).toString('utf8');
}

// --- YAML -------------------------------------------------------------------

// A double-quoted YAML scalar: printable characters as they are, the rest
// escaped (a YAML parser refuses raw control characters).
function yamlString(s) {
	let out = '"';
	for (const ch of s) {
		const cp = ch.codePointAt(0);
		if (ch === '"') out += '\\"';
		else if (ch === '\\') out += '\\\\';
		else if (ch === '\n') out += '\\n';
		else if (ch === '\t') out += '\\t';
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0xfeff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff)
			out += '\\u' + cp.toString(16).padStart(4, '0');
		else out += ch;
	}
	return out + '"';
}

function yamlScalar(v) {
	if (v === null) return 'null';
	if (typeof v === 'boolean') return v ? 'true' : 'false';
	if (typeof v === 'number') {
		if (!Number.isFinite(v)) throw new EvalError(`yamlencode: ${v} is not a number YAML can hold`);
		// YAML 1.1 (PyYAML, so cloud-init) reads 1e+21 as a string: whole
		// numbers in full, and a mantissa with a point otherwise.
		if (Number.isInteger(v)) return BigInt(v).toString();
		return String(v).replace(/^(-?[0-9]+)e/, '$1.0e');
	}
	return yamlString(v);
}

function yamlLines(v, indent) {
	const pad = ' '.repeat(indent);
	if (Array.isArray(v)) {
		if (v.length === 0) return null;
		const out = [];
		for (const x of v) {
			const inner = yamlLines(x, indent + 2);
			if (inner === null) out.push(`${pad}- ${yamlScalarOrEmpty(x)}`);
			else out.push(`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1));
		}
		return out;
	}
	if (v !== null && typeof v === 'object') {
		const keys = Object.keys(v).sort();
		if (keys.length === 0) return null;
		const out = [];
		for (const k of keys) {
			const inner = yamlLines(v[k], indent + 2);
			if (inner === null) out.push(`${pad}${yamlString(k)}: ${yamlScalarOrEmpty(v[k])}`);
			else out.push(`${pad}${yamlString(k)}:`, ...inner);
		}
		return out;
	}
	return null;
}

function yamlScalarOrEmpty(v) {
	if (Array.isArray(v)) return '[]';
	if (v !== null && typeof v === 'object') return '{}';
	return yamlScalar(v);
}

// yamlencode V: block style, every string double-quoted, object keys in
// lexical order (as Terraform's cty objects hold them).
export function yamlencode(v) {
	const lines = yamlLines(v, 0);
	return (lines === null ? yamlScalarOrEmpty(v) : lines.join('\n')) + '\n';
}

// --- functions -----------------------------------------------------------------

function need(cond, fn, msg) {
	if (!cond) throw new EvalError(`${fn}(): ${msg}`);
}

function str(v, fn) {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	throw new EvalError(`${fn}(): a string is required, got ${typeName(v)}`);
}

function readText(path, fn) {
	let buf;
	try {
		buf = readFileSync(path);
	} catch (e) {
		throw new EvalError(`${fn}(): cannot read ${path}: ${e.code || e.message}`);
	}
	const text = buf.toString('utf8');
	need(Buffer.from(text, 'utf8').equals(buf), fn, `${path} is not UTF-8 text`);
	return text;
}

/*
 * Each takes (evaluator, args, where) with the arguments evaluated, except
 * can(), which gets its argument's syntax tree (it catches the error the
 * evaluation throws).
 */
const FUNCTIONS = {
	yamlencode: (ev, [v]) => yamlencode(v),
	jsonencode: (ev, [v]) => JSON.stringify(v),
	base64encode: (ev, [v]) => Buffer.from(str(v, 'base64encode'), 'utf8').toString('base64'),
	file: (ev, [p]) => readText(ev.path(str(p, 'file')), 'file'),
	filebase64: (ev, [p]) => {
		const path = ev.path(str(p, 'filebase64'));
		try {
			return readFileSync(path).toString('base64');
		} catch (e) {
			throw new EvalError(`filebase64(): cannot read ${path}: ${e.code || e.message}`);
		}
	},
	templatefile: async (ev, [p, vars], where) => {
		const path = ev.path(str(p, 'templatefile'));
		need(typeName(vars) === 'object', 'templatefile', 'the variables must be an object');
		for (const k of Object.keys(vars))
			need(/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k), 'templatefile', `"${k}" is not a name a template can use`);
		const text = readText(path, 'templatefile');
		return ev.template(text, { names: vars, where: basename(path), isolated: true });
	},
	join: (ev, [sep, list]) => {
		need(Array.isArray(list), 'join', 'the second argument must be a list');
		return list.map((x) => str(x, 'join')).join(str(sep, 'join'));
	},
	concat: (ev, lists) => {
		for (const l of lists) need(Array.isArray(l), 'concat', 'every argument must be a list');
		return [].concat(...lists);
	},
	merge: (ev, objs) => {
		const out = {};
		for (const o of objs) {
			if (o === null) continue;
			need(typeName(o) === 'object', 'merge', 'every argument must be an object or map');
			Object.assign(out, o);
		}
		return out;
	},
	length: (ev, [v]) => {
		if (typeof v === 'string') return [...v].length;
		if (Array.isArray(v)) return v.length;
		if (typeName(v) === 'object') return Object.keys(v).length;
		throw new EvalError(`length(): a string, list or map is required, got ${typeName(v)}`);
	},
	regex: (ev, [pat, s]) => {
		let re;
		try {
			re = new RegExp(str(pat, 'regex'));
		} catch (e) {
			throw new EvalError(`regex(): bad pattern: ${e.message}`);
		}
		const m = re.exec(str(s, 'regex'));
		need(m !== null, 'regex', 'the pattern does not match');
		return m.length > 1 ? m.slice(1) : m[0];
	},
	alltrue: (ev, [l]) => {
		need(Array.isArray(l), 'alltrue', 'a list is required');
		return l.every((x) => x === true);
	},
	anytrue: (ev, [l]) => {
		need(Array.isArray(l), 'anytrue', 'a list is required');
		return l.some((x) => x === true);
	},
	contains: (ev, [l, v]) => {
		need(Array.isArray(l), 'contains', 'a list is required');
		return l.some((x) => JSON.stringify(x) === JSON.stringify(v));
	},
	floor: (ev, [n]) => {
		need(typeof n === 'number', 'floor', 'a number is required');
		return Math.floor(n);
	},
	split: (ev, [sep, s]) => {
		const d = str(sep, 'split');
		need(d !== '', 'split', 'the separator must not be empty');
		return str(s, 'split').split(d);
	},
	tonumber: (ev, [v]) => {
		if (v === null || typeof v === 'number') return v;
		need(typeof v === 'string' && /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(v), 'tonumber', `cannot make a number of ${JSON.stringify(v)}`);
		return Number(v);
	},
	keys: (ev, [m]) => {
		need(typeName(m) === 'object', 'keys', 'a map or object is required');
		return Object.keys(m).sort();
	},
	values: (ev, [m]) => {
		need(typeName(m) === 'object', 'values', 'a map or object is required');
		return Object.keys(m).sort().map((k) => m[k]);
	},
	// IPv4 only: the environments' networks are.
	cidrhost: (ev, [prefix, num]) => {
		const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/([0-9]{1,2})$/.exec(str(prefix, 'cidrhost'));
		need(m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32, 'cidrhost', `${JSON.stringify(prefix)} is not an IPv4 prefix (only IPv4 is supported here)`);
		need(typeof num === 'number' && Number.isInteger(num), 'cidrhost', 'the host number must be a whole number');
		const bits = Number(m[5]);
		const size = 2 ** (32 - bits);
		need(num >= -size && num < size, 'cidrhost', `prefix ${prefix} has no host ${num}`);
		const base = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
		const net = base - (base % size);
		const addr = net + (num < 0 ? size + num : num);
		return [24, 16, 8, 0].map((sh) => Math.floor(addr / 2 ** sh) % 256).join('.');
	},
	// range(limit), range(start, limit), range(start, limit, step), as
	// Terraform's: the numbers from start up to (not including) limit.
	range: (ev, args) => {
		for (const a of args) need(typeof a === 'number', 'range', 'every argument must be a number');
		const [start, limit, step] = args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? (args[0] <= args[1] ? 1 : -1)];
		need(step !== 0, 'range', 'the step must not be 0');
		need((step > 0) === (start <= limit) || start === limit, 'range', 'the step must go from start towards limit');
		const out = [];
		for (let x = start; step > 0 ? x < limit : x > limit; x += step) {
			need(out.length < 1024, 'range', 'more than 1024 numbers');
			out.push(x);
		}
		return out;
	},
	lower: (ev, [s]) => str(s, 'lower').toLowerCase(),
	upper: (ev, [s]) => str(s, 'upper').toUpperCase(),
	tostring: (ev, [v]) => (v === null ? null : str(v, 'tostring')),
};

const ARITY = {
	yamlencode: [1, 1], jsonencode: [1, 1], base64encode: [1, 1], file: [1, 1],
	filebase64: [1, 1], templatefile: [2, 2], join: [2, 2], concat: [1, Infinity],
	merge: [0, Infinity], length: [1, 1], regex: [2, 2], alltrue: [1, 1],
	anytrue: [1, 1], contains: [2, 2], floor: [1, 1], lower: [1, 1], upper: [1, 1],
	tostring: [1, 1], can: [1, 1], split: [2, 2], tonumber: [1, 1], keys: [1, 1],
	values: [1, 1], cidrhost: [2, 2], range: [1, 3],
};

export const SUPPORTED_FUNCTIONS = Object.keys(ARITY).sort();

// --- the evaluator --------------------------------------------------------------

const ARITH = { add: (a, b) => a + b, subtract: (a, b) => a - b, multiply: (a, b) => a * b, divide: (a, b) => a / b, modulo: (a, b) => a % b };
const COMPARE = { lessThan: (a, b) => a < b, lessThanOrEqual: (a, b) => a <= b, greaterThan: (a, b) => a > b, greaterThanOrEqual: (a, b) => a >= b };

export class ModuleEval {
	/*
	 * inputs: {variable: value}; opts.cwd: where relative paths of file()
	 * point (Terraform's working directory; default the module's).
	 */
	constructor(hcl, mod, inputs = {}, opts = {}) {
		this.hcl = hcl;
		this.mod = mod;
		this.inputs = inputs;
		this.cwd = opts.cwd || mod.dir;
		this.vars = null;
		this.localValues = {};
		this.evaluating = new Set();
		this.astCache = new Map();
	}

	path(p) {
		return isAbsolute(p) ? p : resolve(this.cwd, p);
	}

	async ast(src, where) {
		if (!this.astCache.has(src)) {
			let tree;
			try {
				tree = await this.hcl.getExpressionAst(where, src);
			} catch (e) {
				throw new EvalError(`${where}: does not parse: ${String(e.message).replace(/^getExpressionAst errors on input string /, '')}`);
			}
			if (!tree) throw new EvalError(`${where}: an empty expression`);
			this.astCache.set(src, tree);
		}
		return this.astCache.get(src);
	}

	// The syntax tree of a "${...}" type or expression attribute.
	async attrAst(v, where) {
		if (typeof v !== 'string') throw new EvalError(`${where}: an expression is required`);
		const parts = splitTemplate(v, where);
		if (parts.length !== 1 || !('expr' in parts[0]))
			throw new EvalError(`${where}: a single expression is required`);
		return { tree: await this.ast(parts[0].expr, where), src: parts[0].expr };
	}

	async prepare() {
		const vars = {};
		for (const name of Object.keys(this.inputs))
			if (!(name in this.mod.variables))
				throw new EvalError(`input "${name}": the module ${this.mod.dir} declares no such variable`);
		for (const [name, decl] of Object.entries(this.mod.variables)) {
			const where = `${decl._file}: variable "${name}"`;
			let v;
			if (name in this.inputs) v = this.inputs[name];
			else if ('default' in decl) v = await this.value(decl.default, { where: `${where} default` });
			else throw new EvalError(`${where}: required, and no value was given`);
			if (decl.type !== undefined) {
				const { tree, src } = await this.attrAst(decl.type, `${where} type`);
				v = convert(v, tree, `variable "${name}"`, src);
			}
			vars[name] = v;
		}
		this.vars = vars;
		return vars;
	}

	// [{variable, message}] of each validation block whose condition is false.
	async validate() {
		if (!this.vars) await this.prepare();
		const failed = [];
		for (const [name, decl] of Object.entries(this.mod.variables))
			for (const [i, val] of (decl.validation || []).entries()) {
				const where = `${decl._file}: variable "${name}" validation ${i + 1}`;
				const ok = await this.value(val.condition, { where });
				if (typeof ok !== 'boolean')
					throw new EvalError(`${where}: the condition is ${typeName(ok)}, not a bool`);
				if (!ok) failed.push({ variable: name, message: val.error_message });
			}
		return failed;
	}

	async local(name) {
		if (name in this.localValues) return this.localValues[name];
		const decl = this.mod.locals[name];
		if (!decl) throw new EvalError(`local.${name}: no such local value`);
		if (this.evaluating.has(name))
			throw new EvalError(`local.${name}: refers to itself (${[...this.evaluating].join(' -> ')} -> ${name})`);
		this.evaluating.add(name);
		try {
			this.localValues[name] = await this.value(decl.value, { where: `${decl._file}: local.${name}` });
		} finally {
			this.evaluating.delete(name);
		}
		return this.localValues[name];
	}

	async output(name) {
		if (!this.vars) await this.prepare();
		const decl = this.mod.outputs[name];
		if (!decl) throw new EvalError(`output "${name}": no such output`);
		return this.value(decl.value, { where: `${decl._file}: output "${name}"` });
	}

	// A value as parse() gives it: strings are templates, the rest JSON.
	async value(v, ctx) {
		if (typeof v === 'string') return this.template(v, ctx);
		if (Array.isArray(v)) {
			const out = [];
			for (const [i, x] of v.entries()) out.push(await this.value(x, { ...ctx, where: `${ctx.where}[${i}]` }));
			return out;
		}
		if (v !== null && typeof v === 'object') {
			// parse() writes a key that is an expression, (var.k), as
			// "${(var.k)}": a template like any other string.
			const out = {};
			for (const [k, x] of Object.entries(v)) {
				const key = k.includes('${') || k.includes('%{') ? await this.template(k, ctx) : k;
				if (typeof key !== 'string')
					throw new EvalError(`${ctx.where}: an object key must be a string, got ${typeName(key)}`);
				if (Object.hasOwn(out, key)) throw new EvalError(`${ctx.where}: the key "${key}" is given twice`);
				out[key] = await this.value(x, { ...ctx, where: `${ctx.where}.${key}` });
			}
			return out;
		}
		return v;
	}

	// A template: one interpolation alone gives its value as it is (as in
	// HCL); otherwise the parts are joined as strings.
	async template(s, ctx) {
		const parts = splitTemplate(s, ctx.where);
		if (parts.length === 1 && 'expr' in parts[0])
			return this.expr(parts[0].expr, ctx);
		let out = '';
		for (const p of parts)
			out += 'lit' in p ? p.lit : interpolate(await this.expr(p.expr, ctx), ctx.where);
		return out;
	}

	async expr(src, ctx) {
		const tree = await this.ast(src, ctx.where);
		return this.node(tree, { ...ctx, src });
	}

	async node(n, ctx) {
		const where = ctx.where;
		switch (n.type) {
		case 'literalValue':
			return literal(n, where);
		case '':
			if (n.children.length === 1) return this.node(n.children[0], ctx);
			break;
		case 'templateWrap':
			return this.node(n.children[0], ctx);
		case 'template': {
			const heredoc = String(n.meta.value).startsWith('<<');
			if (heredoc) throw new EvalError(`${where}: a heredoc inside an expression is not supported (use file() or templatefile())`);
			let out = '';
			for (const c of n.children) {
				if (c.type === 'literalValue' && c.meta.type === 'string') out += decodeQuoted(c.meta.value, where);
				else if (['conditional', 'for'].includes(c.type) && String(c.meta.value).startsWith('%{'))
					throw new EvalError(`${where}: template directives (%{ ... }) are not supported`);
				else out += interpolate(await this.node(c, ctx), where);
			}
			return out;
		}
		case 'tuple': {
			const out = [];
			for (const c of n.children) out.push(await this.node(c, ctx));
			return out;
		}
		case 'object': {
			const out = {};
			const kids = n.children;
			for (let i = 0; i + 1 < kids.length; i += 2) {
				const k = kids[i];
				let key;
				if (k.children.length === 0) key = sliceRange(ctx.src, k.range);
				else key = await this.node(k.children.length === 1 ? k.children[0] : k, ctx);
				if (typeof key !== 'string')
					throw new EvalError(`${where}: an object key must be a string, got ${typeName(key)}`);
				if (key in out) throw new EvalError(`${where}: the key "${key}" is given twice`);
				out[key] = await this.node(kids[i + 1], { ...ctx, where: `${where}.${key}` });
			}
			return out;
		}
		case 'scopeTraversal':
			return this.traverse(this.root(n.meta.traversal, ctx), n.meta.traversal.slice(this.rootLength(n.meta.traversal)), n.meta.value, ctx);
		case 'relativeTraversal':
			return this.traverse(await this.node(n.children[0], ctx), n.meta.traversal, n.meta.value, ctx);
		case 'index': {
			const coll = await this.node(n.children[0], ctx);
			const key = await this.node(n.children[1], ctx);
			return index(coll, key, n.meta.value, where);
		}
		case 'function':
			return this.call(n, ctx);
		case 'conditional': {
			if (String(n.meta.value).startsWith('%{'))
				throw new EvalError(`${where}: template directives (%{ ... }) are not supported`);
			const cond = await this.node(n.children[0], ctx);
			if (typeof cond !== 'boolean')
				throw new EvalError(`${where}: the condition of "${n.meta.value}" is ${typeName(cond)}, not a bool`);
			return this.node(n.children[cond ? 1 : 2], ctx);
		}
		case 'unaryOp': {
			const v = await this.node(n.children[0], ctx);
			if (n.meta.operator === 'logicalNot' && typeof v === 'boolean') return !v;
			if (n.meta.operator === 'negate' && typeof v === 'number') return -v;
			throw new EvalError(`${where}: ${n.meta.operator} of ${typeName(v)} in "${n.meta.value}"`);
		}
		case 'binaryOp':
			return this.binary(n, ctx);
		case 'for':
			return this.forExpr(n, ctx);
		case 'splat':
			throw new EvalError(`${where}: splat expressions ([*]) are not supported: ${n.meta.value}`);
		}
		throw new EvalError(`${where}: ${n.type || 'this'} expression is not supported: ${n.meta?.value ?? ''}`);
	}

	rootLength(tr) {
		return ['var', 'local', 'path'].includes(tr[0].segment) && tr[0].type === 'nameTraversal' ? 2 : 1;
	}

	root(tr, ctx) {
		const where = ctx.where;
		const head = tr[0].segment;
		if (ctx.names && !ctx.isolated && Object.hasOwn(ctx.names, head) && !['var', 'local', 'path'].includes(head))
			return ctx.names[head];
		if (ctx.isolated) {
			if (Object.hasOwn(ctx.names, head)) return ctx.names[head];
			throw new EvalError(`${where}: "${head}" is not one of the template's variables (${Object.keys(ctx.names).join(', ')})`);
		}
		if (tr.length < 2 && ['var', 'local', 'path'].includes(head))
			throw new EvalError(`${where}: "${head}" alone is not a value`);
		const name = tr[1]?.segment;
		switch (head) {
		case 'var':
			if (!this.vars) throw new EvalError(`${where}: variables are not prepared`);
			if (!Object.hasOwn(this.vars, name)) throw new EvalError(`${where}: var.${name}: no such variable`);
			return this.vars[name];
		case 'local':
			return this.local(name);
		case 'path':
			if (name === 'module') return this.mod.dir;
			throw new EvalError(`${where}: path.${name} is not supported (path.module is)`);
		case 'module':
		case 'data':
		case 'each':
		case 'count':
		case 'self':
		case 'terraform':
			throw new EvalError(`${where}: ${tr.map((t) => t.segment).join('.')}: references to ${head} are not supported`);
		}
		throw new EvalError(`${where}: ${tr.map((t) => t.segment).join('.')}: unknown name "${head}" (resources are not supported)`);
	}

	async traverse(base, parts, text, ctx) {
		let v = await base;
		for (const p of parts) {
			if (p.type === 'nameTraversal') {
				if (typeName(v) !== 'object' || !Object.hasOwn(v, p.segment))
					throw new EvalError(`${ctx.where}: ${text}: ${typeName(v)} has no attribute "${p.segment}"`);
				v = v[p.segment];
			} else {
				let key = p.segment;
				if (/^"/.test(key)) key = decodeQuoted(key.slice(1, -1), ctx.where);
				else if (/^[0-9]+$/.test(key)) key = Number(key);
				v = index(v, key, text, ctx.where);
			}
		}
		return v;
	}

	async binary(n, ctx) {
		const op = n.meta.operator;
		const a = await this.node(n.children[0], ctx);
		if (op === 'logicalAnd' || op === 'logicalOr') {
			if (typeof a !== 'boolean') throw new EvalError(`${ctx.where}: ${op} of ${typeName(a)} in "${n.meta.value}"`);
			// HCL evaluates both sides; so does this.
			const b = await this.node(n.children[1], ctx);
			if (typeof b !== 'boolean') throw new EvalError(`${ctx.where}: ${op} of ${typeName(b)} in "${n.meta.value}"`);
			return op === 'logicalAnd' ? a && b : a || b;
		}
		const b = await this.node(n.children[1], ctx);
		if (op === 'equal' || op === 'notEqual') {
			const eq = JSON.stringify(a) === JSON.stringify(b);
			return op === 'equal' ? eq : !eq;
		}
		if (op in ARITH || op in COMPARE) {
			if (typeof a !== 'number' || typeof b !== 'number')
				throw new EvalError(`${ctx.where}: ${op} needs numbers, got ${typeName(a)} and ${typeName(b)} in "${n.meta.value}"`);
			return (ARITH[op] || COMPARE[op])(a, b);
		}
		throw new EvalError(`${ctx.where}: the operator ${op} is not supported`);
	}

	async forExpr(n, ctx) {
		const m = n.meta;
		if (m.groupedValue) throw new EvalError(`${ctx.where}: grouping (...) in for expressions is not supported`);
		const isObject = m.openRangeValue === '{';
		const kids = n.children.slice();
		const collNode = kids.shift();
		const keyNode = isObject ? kids.shift() : null;
		const valNode = kids.shift();
		const condNode = m.conditionalExpression ? kids.shift() : null;
		const coll = await this.node(collNode, ctx);
		let entries;
		if (Array.isArray(coll)) entries = coll.map((v, i) => [i, v]);
		else if (typeName(coll) === 'object') entries = Object.keys(coll).sort().map((k) => [k, coll[k]]);
		else throw new EvalError(`${ctx.where}: a for expression needs a list or map, got ${typeName(coll)}`);
		const out = isObject ? {} : [];
		for (const [k, v] of entries) {
			const names = { ...(ctx.names || {}), [m.valVar]: v };
			if (m.keyVar) names[m.keyVar] = k;
			const inner = { ...ctx, names };
			if (condNode) {
				const c = await this.node(condNode, inner);
				if (typeof c !== 'boolean') throw new EvalError(`${ctx.where}: the "if" of a for expression is ${typeName(c)}, not a bool`);
				if (!c) continue;
			}
			const val = await this.node(valNode, inner);
			if (isObject) {
				const key = await this.node(keyNode, inner);
				if (typeof key !== 'string') throw new EvalError(`${ctx.where}: a for expression's key must be a string`);
				if (Object.hasOwn(out, key)) throw new EvalError(`${ctx.where}: the key "${key}" comes twice in a for expression`);
				out[key] = val;
			} else {
				out.push(val);
			}
		}
		return out;
	}

	async call(n, ctx) {
		const name = n.meta.name;
		const where = ctx.where;
		if (!Object.hasOwn(ARITY, name))
			throw new EvalError(`${where}: the function ${name}() is not supported by this evaluator (supported: ${SUPPORTED_FUNCTIONS.join(', ')})`);
		const [min, max] = ARITY[name];
		if (n.children.length < min || n.children.length > max)
			throw new EvalError(`${where}: ${name}() takes ${min === max ? min : `${min} to ${max}`} arguments, got ${n.children.length}`);
		if (name === 'can') {
			try {
				await this.node(n.children[0], ctx);
				return true;
			} catch (e) {
				if (e instanceof EvalError && !/is not supported|does not parse|no such/.test(e.message)) return false;
				throw e;
			}
		}
		let args = [];
		for (const c of n.children) args.push(await this.node(c, ctx));
		if (n.meta.expandedFinalArgument) {
			const last = args.pop();
			if (!Array.isArray(last)) throw new EvalError(`${where}: ${name}(...): the expanded argument is not a list`);
			args = args.concat(last);
		}
		try {
			return await FUNCTIONS[name](this, args, where);
		} catch (e) {
			if (e instanceof EvalError && !e.message.startsWith(where)) e.message = `${where}: ${e.message}`;
			throw e;
		}
	}
}

function index(coll, key, text, where) {
	if (Array.isArray(coll)) {
		if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= coll.length)
			throw new EvalError(`${where}: ${text}: index ${JSON.stringify(key)} is out of range (${coll.length} elements)`);
		return coll[key];
	}
	if (typeName(coll) === 'object') {
		const k = String(key);
		if (!Object.hasOwn(coll, k)) throw new EvalError(`${where}: ${text}: no key ${JSON.stringify(k)}`);
		return coll[k];
	}
	throw new EvalError(`${where}: ${text}: cannot index ${typeName(coll)}`);
}

// A value as a template shows it: strings, numbers and bools only.
function interpolate(v, where) {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	throw new EvalError(`${where}: cannot put ${typeName(v)} into a string template`);
}
