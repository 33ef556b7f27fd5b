// The workflow matrix: every fixture (test/fixtures/<scenario>/expected.json) through importLocation,
// loadLocation().import() and mapNodeModules + importFromMap, under lockdown; the three agree with
// each other and with expected.json.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { CordonError, importFromMap, importLocation, loadLocation, mapNodeModules } from 'cordon';
import { fixtureUrl, nodePowers } from '../helpers/fixtures.js';

const require = createRequire(import.meta.url);
const hostFs = require('node:fs');

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const SCENARIOS = ['interop', 'isolation', 'undeclared', 'exits', 'dynamic-require', 'load-errors'];

// What the host offers, for the fixtures that reach for it.
const hostOptions = {
  modules: { fs: hostFs, 'node:fs': hostFs },
  importHook: async specifier => {
    if (specifier === 'host:thing') return { namespace: { default: 'host thing' } };
    if (specifier === 'host:lib') return { namespace: { default: 'from the host' } };
    return undefined;
  },
};

const ways = {
  importLocation: (powers, entry, options) => importLocation(powers, entry, options),
  'loadLocation().import()': async (powers, entry, options) => {
    const { modules, importHook, ...loadOptions } = options;
    const application = await loadLocation(powers, entry, loadOptions);
    return application.import({ modules, importHook });
  },
  'mapNodeModules + importFromMap': async (powers, entry, options) => {
    const { conditions, dev, ...rest } = options;
    const map = await mapNodeModules(powers, entry, { conditions, dev });
    return importFromMap(powers, map, rest);
  },
};

/** The expected keys of a namespace, with promises awaited, as plain JSON. */
const project = async (namespace, keys) => {
  const out = {};
  for (const key of keys) out[key] = JSON.parse(JSON.stringify(await namespace[key]) ?? 'null');
  return out;
};

for (const scenario of SCENARIOS) {
  const expected = JSON.parse(fs.readFileSync(new URL(`../fixtures/${scenario}/expected.json`, import.meta.url), 'utf8'));
  test(`matrix: ${scenario} — ${expected.description}`, async () => {
    const entry = fixtureUrl(scenario, expected.entry);
    const options = { ...hostOptions, conditions: new Set(expected.conditions ?? []) };
    const results = {};
    for (const [way, run] of Object.entries(ways)) {
      if (expected.error) {
        await assert.rejects(run(nodePowers(), entry, options), error => {
          assert.ok(error instanceof CordonError, `${way}: ${error.stack}`);
          assert.equal(error.code, expected.error, `${way}: ${error.message}`);
          for (const word of expected.errorMentions ?? []) assert.match(error.message, new RegExp(word), way);
          if (expected.errorCodes) {
            assert.deepEqual(error.errors.map(e => e.code).sort(), [...expected.errorCodes].sort(), `${way}: ${error.message}`);
            for (const e of error.errors) {
              assert.equal(e.package, expected.errorPackage, `${way}: package of ${e.message}`);
              assert.equal(typeof e.specifier, 'string');
              assert.equal(typeof e.file, 'string');
            }
          }
          results[way] = error.message;
          return true;
        });
      } else {
        const { namespace } = await run(nodePowers(), entry, options);
        results[way] = await project(namespace, Object.keys(expected.namespace));
        assert.deepEqual(results[way], expected.namespace, way);
      }
    }
    const [first, ...rest] = Object.values(results);
    for (const other of rest) assert.deepEqual(other, first);
  });
}
