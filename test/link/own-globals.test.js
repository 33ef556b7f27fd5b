// A package's own globals when the host grants only `globals` (Endo's way), nothing at all, or
// Cordon's per-package `globalsFor`: Symbol.metadata ??= works, Function('return this')() is the
// package's global, V8's Error API works per package, and require() of an ES module has Node's shape.
// Node's answer (in a child process, on the Node that runs the test) is the reference.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { importLocation } from 'cordon';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';
import { nodeGlobals, nodeGlobalsFor, nodeLockdownOptions } from '../../dist/cli/node-host.js';

const entry = fixtureUrl('own-globals', 'app/main.js');
const nodeAnswer = JSON.parse(
  execFileSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(entry)}).then(m => process.stdout.write(JSON.stringify(m.result)))`], { encoding: 'utf8' }),
);
lockdown(nodeLockdownOptions);
const globals = nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));

const configurations = {
  'only globals': { globals },
  'nothing granted': {},
  'globals and globalsFor': { globals, globalsFor: nodeGlobalsFor },
};

for (const [name, options] of Object.entries(configurations)) {
  test(`own globals with ${name}: as in Node`, async () => {
    const { namespace } = await importLocation(nodePowers(), entry, options);
    const { other, ...rest } = JSON.parse(JSON.stringify(namespace.result));
    const { other: nodeOther, ...nodeRest } = nodeAnswer;
    assert.deepEqual(rest, nodeRest);
    // Where Cordon departs from Node on purpose: one package's prepareStackTrace is not another's.
    assert.equal(nodeOther.prepare, 'function');
    assert.deepEqual(other, { prepare: 'undefined', stackIsString: true });
  });
}

test("one package's Symbol statics are its own", async () => {
  const { namespace } = await importLocation(nodePowers(), entry, { globals });
  assert.equal(namespace.result.sym.metadata, 'symbol');
  // The host's (shared, frozen) Symbol was not written.
  assert.equal(Object.isFrozen(Symbol), true);
  assert.equal(Object.hasOwn(Symbol, 'metadata') ? typeof Symbol.metadata : 'absent', Object.hasOwn(Symbol, 'metadata') ? 'symbol' : 'absent');
});
