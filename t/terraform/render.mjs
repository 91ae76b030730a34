// SPDX-License-Identifier: MIT
/*
 * t/terraform/render.mjs: one output of a module under terraform/modules,
 * evaluated with t/lib/hcl_eval.mjs from the inputs in a JSON file.
 *
 *   node t/terraform/render.mjs MODULE_DIR INPUTS.json OUTPUT [INDEX]
 *
 * Prints the output (a string as it is, anything else as JSON; INDEX
 * picks one element of a list). The inputs must pass the module's types
 * and validation blocks, else it prints why on stderr and exits 1.
 * INKWELL_NODE_MODULES names the node_modules holding @cdktf/hcl2json.
 */
import { readFileSync } from 'node:fs';

import { EvalError, ModuleEval, loadHcl2json, loadModule } from '../lib/hcl_eval.mjs';

const [dir, inputs, output, index] = process.argv.slice(2);
if (!dir || !inputs || !output) {
	process.stderr.write('usage: render.mjs MODULE_DIR INPUTS.json OUTPUT [INDEX]\n');
	process.exit(2);
}
if (!process.env.INKWELL_NODE_MODULES) {
	process.stderr.write('render.mjs: INKWELL_NODE_MODULES is not set\n');
	process.exit(2);
}
try {
	const hcl = await loadHcl2json(process.env.INKWELL_NODE_MODULES);
	const mod = await loadModule(hcl, dir);
	const ev = new ModuleEval(hcl, mod, JSON.parse(readFileSync(inputs, 'utf8')));
	await ev.prepare();
	const bad = await ev.validate();
	if (bad.length) {
		for (const b of bad) process.stderr.write(`render.mjs: var.${b.variable}: ${b.message}\n`);
		process.exit(1);
	}
	let v = await ev.output(output);
	if (index !== undefined) v = v[Number(index)];
	process.stdout.write(typeof v === 'string' ? v : JSON.stringify(v, null, 2) + '\n');
} catch (e) {
	if (!(e instanceof EvalError)) throw e;
	process.stderr.write(`render.mjs: ${e.message}\n`);
	process.exit(1);
}
