// The cases where @endo/module-source (the incumbent) departs from ES module semantics, run on the same
// inputs as esm.test.js: these tests pin the incumbent's behaviour, so the claims Cordon's tests make
// about it stay true (if the incumbent is fixed, these fail and the comments must change).
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import { ModuleSource as EndoModuleSource } from '@endo/module-source';
import { importMemory } from '../helpers/memory-link.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const endo = { ModuleSource: EndoModuleSource };

test('incumbent: an exported function is not yet published when a cycle calls it', async () => {
  await assert.rejects(
    importMemory({
      './main.js': `import { fromB } from './b.js'; export function hello() { return 'hello'; } export { fromB };`,
      './b.js': `import { hello } from './main.js'; export const fromB = hello() + ' from b';`,
    }, './main.js', endo),
    /is not a function/,
  );
});

test('incumbent: an exported let read in a cycle before initialisation is undefined, not a ReferenceError', async () => {
  const ns = await importMemory({
    './main.js': `import { probe } from './b.js'; export let value = 1; export { probe };`,
    './b.js': `import { value } from './main.js'; let probe; try { probe = String(value); } catch (e) { probe = e.name; } export { probe };`,
  }, './main.js', endo);
  assert.equal(ns.probe, 'undefined');
});

test('incumbent: assigning to an imported binding silently succeeds', async () => {
  const ns = await importMemory({
    './main.js': `import { x } from './lib.js'; let outcome; try { x = 2; outcome = x; } catch (e) { outcome = e.name; } export { outcome };`,
    './lib.js': `export const x = 1;`,
  }, './main.js', endo);
  assert.equal(ns.outcome, 2);
});

test('incumbent: top-level await compiles and fails only when evaluated, with a bare SyntaxError', async () => {
  const record = new EndoModuleSource('const a = 1;\nexport const b = await a;\n');
  assert.equal(typeof record.__syncModuleProgram__, 'string');
  assert.throws(() => new Compartment().evaluate(record.__syncModuleProgram__), SyntaxError);
});
