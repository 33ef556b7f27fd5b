// The workflow matrix: every fixture (test/fixtures/<scenario>/expected.json) through importLocation,
// loadLocation().import() and mapNodeModules + importFromMap, under lockdown; the three agree with
// each other and with expected.json.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { CordonError, importArchive, importFromMap, importLocation, loadLocation, makeArchive, mapNodeModules, parseArchive, writeArchive } from 'cordon';
import { makeWritePowers } from 'cordon/node-powers.js';
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

const archiveLocation = 'file:///archive/app.zip';
const archiveOptions = options => ({ modules: options.modules, importHook: options.importHook, conditions: options.conditions });
const importOptions = options => ({ modules: options.modules, importHook: options.importHook });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-matrix-'));

const archiveWays = {
  'makeArchive → parseArchive → import': async (powers, entry, options) => {
    const bytes = await makeArchive(powers, entry, archiveOptions(options));
    const application = await parseArchive(bytes, archiveLocation, { computeSha512: powers.computeSha512 });
    return application.import(importOptions(options));
  },
  'writeArchive → importArchive': async (powers, entry, options) => {
    const file = url.pathToFileURL(path.join(tmp, `app-${Math.random().toString(36).slice(2)}.zip`)).href;
    await writeArchive(makeWritePowers({ fs, url }), powers, file, entry, archiveOptions(options));
    // Read back under the archive location the expectations name, whatever the temporary file.
    return importArchive({ ...powers, read: location => powers.read(location === archiveLocation ? file : location) }, archiveLocation, importOptions(options));
  },
  'makeArchive → parseArchive, with a prefix': async (powers, entry, options) => {
    const bytes = await makeArchive(powers, entry, archiveOptions(options));
    const prefixed = new Uint8Array(bytes.length + 37);
    prefixed.set(new TextEncoder().encode('#!/usr/bin/env cordon run\n'), 0);
    prefixed.set(bytes, 37);
    const application = await parseArchive(prefixed, archiveLocation);
    return application.import(importOptions(options));
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
    const archiveResults = {};
    const allWays = { ...ways, ...(typeof expected.archive === 'string' ? {} : archiveWays) };
    for (const [way, run] of Object.entries(allWays)) {
      const isArchive = way in archiveWays;
      const wanted = isArchive ? { ...expected.namespace, ...expected.archive } : expected.namespace;
      if (expected.error) {
        await assert.rejects(run(nodePowers(), entry, options), error => {
          assert.ok(error instanceof CordonError, `${way}: ${error.stack}`);
          assert.equal(error.code, expected.error, `${way}: ${error.message}`);
          for (const word of expected.errorMentions ?? []) assert.match(error.message, new RegExp(word), way);
          if (expected.errorCodes) {
            // An archive is made by loading: the load errors come out of makeArchive.
            assert.deepEqual(error.errors.map(e => e.code).sort(), [...expected.errorCodes].sort(), `${way}: ${error.message}`);
            for (const e of error.errors) {
              assert.equal(e.package, expected.errorPackage, `${way}: package of ${e.message}`);
              assert.equal(typeof e.specifier, 'string');
              assert.equal(typeof e.file, 'string');
            }
          }
          (isArchive ? archiveResults : results)[way] = error.errors?.map(e => e.code) ?? error.code;
          return true;
        });
      } else {
        const { namespace } = await run(nodePowers(), entry, options);
        (isArchive ? archiveResults : results)[way] = await project(namespace, Object.keys(wanted));
        assert.deepEqual((isArchive ? archiveResults : results)[way], wanted, way);
      }
    }
    for (const group of [results, archiveResults]) {
      const [first, ...rest] = Object.values(group);
      for (const other of rest) assert.deepEqual(other, first);
    }
  });
}
