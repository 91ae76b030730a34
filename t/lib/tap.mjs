// SPDX-License-Identifier: MIT
/*
 * t/lib/tap.mjs: the Test Anything Protocol for inkwell's tests written in
 * JavaScript (node), the same functions t/lib/tap.sh gives shell tests.
 * One test per process: the count lives in this module.
 *
 *   ok(cond, name[, {todo}])  passes when cond is truthy; returns cond
 *   is(got, want, name)       strict equality (===), diagnostics on failure
 *   like(got, regex, name)    regex match on String(got)
 *   diag(...text)             "# " lines on stderr (shown by prove)
 *   note(...text)             "# " lines on stdout
 *   skipAll(reason)           "1..0 # SKIP reason", exit 0
 *   bail(reason)              "Bail out! reason", exit 1
 *   done()                    prints the plan; exit 1 when anything failed
 *   failures()                how many checks failed so far
 *
 * {todo: 'why'} marks a check as expected to fail for now: it prints
 * "not ok N - name # TODO why" and is not counted as a failure; when it
 * passes, prove reports it as an unexpected success, the cue to drop the
 * todo.
 */

let count = 0;
let failed = 0;

function lines(text) {
	return text.map(String).join(' ').split('\n');
}

function clean(name) {
	// "#" starts a directive in TAP; a newline would end the line.
	return String(name).replace(/[\r\n]+/g, ' ').replace(/#/g, '\\#');
}

export function ok(cond, name, opts = {}) {
	count++;
	let line = `${cond ? 'ok' : 'not ok'} ${count} - ${clean(name)}`;
	if (opts.todo !== undefined)
		line += ` # TODO ${clean(opts.todo)}`;
	else if (!cond)
		failed++;
	process.stdout.write(line + '\n');
	return !!cond;
}

export function is(got, want, name, opts = {}) {
	const pass = ok(got === want, name, opts);
	if (!pass) {
		diag(`     got: ${JSON.stringify(got)}`);
		diag(`expected: ${JSON.stringify(want)}`);
	}
	return pass;
}

export function like(got, re, name, opts = {}) {
	const pass = ok(re.test(String(got)), name, opts);
	if (!pass) {
		diag(`                  ${JSON.stringify(String(got))}`);
		diag(`doesn't match     ${re}`);
	}
	return pass;
}

export function diag(...text) {
	for (const l of lines(text))
		process.stderr.write(`# ${l}\n`);
}

export function note(...text) {
	for (const l of lines(text))
		process.stdout.write(`# ${l}\n`);
}

export function skipAll(reason) {
	process.stdout.write(`1..0 # SKIP ${clean(reason)}\n`);
	process.exit(0);
}

export function bail(reason) {
	process.stdout.write(`Bail out! ${clean(reason)}\n`);
	process.exit(1);
}

export function failures() {
	return failed;
}

export function done() {
	process.stdout.write(`1..${count}\n`);
	if (failed)
		diag(`failed ${failed} of ${count}`);
	process.exit(failed ? 1 : 0);
}
