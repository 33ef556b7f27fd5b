// The workflow matrix as scripts and functors: every scenario of test/run/matrix.test.js made with
// makeScript (default, useEvaluate, format: 'cjs') and makeFunctor, run in this process's start
// compartment under lockdown, in a fresh vm realm after the lockdown bundle, and in a real XS worker;
// each agrees with importLocation (expected.json's namespace, with its `script` overrides).
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { importLocation } from 'cordon';
import { makeScript } from 'cordon/script.js';
import { makeFunctor } from 'cordon/functor.js';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';
import { runInVmRealm } from '../helpers/vm-realm.js';
import { runInXs } from '../helpers/xs.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const SCENARIOS = ['interop', 'isolation', 'undeclared', 'exits', 'dynamic-require', 'load-errors'];

// Host modules a bundle made with format: 'cjs' asks of its `require` — the same in every engine (XS has
// no Node builtins: an object with the member the fixture checks stands for fs).
const HOST_REQUIRE = `(() => {
  const fs = { readFileSync() { return ''; } };
  const table = { fs, 'node:fs': fs, 'host:thing': 'host thing', 'host:lib': 'from the host' };
  return specifier => {
    if (!(specifier in table)) throw new Error('no host module ' + specifier);
    return table[specifier];
  };
})()`;

/** Source that evaluates a script or functor, awaits the expected keys and completes with them as JSON. */
const program = (text, kind, keys) => `(async () => {
  const require = ${HOST_REQUIRE};
  globalThis.require = require;
  const namespace = ${kind === 'functor' ? `(${text})({ require })` : `(${text})`};
  const out = {};
  for (const key of ${JSON.stringify(keys)}) out[key] = await namespace[key];
  return JSON.stringify(out);
})()`;

const ENGINES = {
  'start compartment': async source => {
    const compartment = new Compartment({ globals: {}, __options__: true });
    return [await compartment.evaluate(source)];
  },
  'vm realm': async source => (await runInVmRealm([source])).results,
  XS: async source => (await runInXs([source])).results,
};

const WAYS = {
  'makeScript': { kind: 'script', options: {} },
  'makeScript { useEvaluate }': { kind: 'script', options: { useEvaluate: true } },
  "makeScript { format: 'cjs' }": { kind: 'script', options: { format: 'cjs' } },
  "makeScript { useEvaluate, format: 'cjs' }": { kind: 'script', options: { useEvaluate: true, format: 'cjs' } },
  "makeFunctor { format: 'cjs' }": { kind: 'functor', options: { format: 'cjs' } },
};

for (const scenario of SCENARIOS) {
  const expected = JSON.parse(fs.readFileSync(new URL(`../fixtures/${scenario}/expected.json`, import.meta.url), 'utf8'));
  const entry = fixtureUrl(scenario, expected.entry);
  const conditions = new Set(expected.conditions ?? []);
  test(`scripts matrix: ${scenario}`, async () => {
    const script = expected.script ?? {};
    if (typeof script === 'string') {
      // Not bundled, with the reason (a closed world cannot hold what only runs decide): the script is
      // made, and the computed require fails when it runs, with Node's message.
      assert.ok(script.length > 20, 'a reason is given');
      const text = await makeScript(nodePowers(), entry, { conditions, format: 'cjs' });
      await assert.rejects(ENGINES['start compartment'](program(text, 'script', [])), /Cannot find module 'plugin-alpha'/);
      return;
    }
    const keys = Object.keys(expected.namespace ?? {});
    // importLocation is the reference when the scenario runs.
    if (!expected.error) {
      const fsLike = { readFileSync() {} };
      const { namespace } = await importLocation(nodePowers(), entry, {
        conditions,
        modules: { fs: fsLike, 'node:fs': fsLike },
        importHook: async specifier => ({ namespace: { default: specifier === 'host:thing' ? 'host thing' : 'from the host' } }),
      });
      const reference = {};
      for (const key of keys) reference[key] = JSON.parse(JSON.stringify(await namespace[key]) ?? 'null');
      assert.deepEqual(reference, expected.namespace, 'importLocation');
    }
    for (const [way, { kind, options }] of Object.entries(WAYS)) {
      const wanted = script[way] ?? script.all ?? expected;
      const make = kind === 'functor' ? makeFunctor : makeScript;
      if (wanted.error) {
        await assert.rejects(make(nodePowers(), entry, { ...options, conditions }), error => {
          assert.equal(error.code, wanted.error, `${way}: ${error.message}`);
          return true;
        });
        continue;
      }
      const text = await make(nodePowers(), entry, { ...options, conditions });
      for (const [engine, run] of Object.entries(ENGINES)) {
        const [json] = await run(program(text, kind, keys));
        assert.deepEqual(JSON.parse(json), { ...expected.namespace, ...wanted.namespace }, `${way} in ${engine}`);
      }
    }
  });
}
