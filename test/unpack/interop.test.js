// Archives move both ways: an archive Cordon writes runs under @endo/compartment-mapper's
// importArchive, and one Endo writes runs under Cordon's, with the same namespace keys. Fixtures first,
// then the real-world list; every exception is listed with its reason.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import crypto from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import { importLocation, makeArchive, parseArchive } from 'cordon';
import { makeReadNowPowers } from 'cordon/node-powers.js';
import { nodeBuiltinModules, nodeGlobals, nodeGlobalsFor, nodeLockdownOptions } from '../../dist/cli/node-host.js';
import { LOCATIONS } from './locations.js';

lockdown(nodeLockdownOptions);

const endoArchive = await import('@endo/compartment-mapper/archive.js');
const endoImport = await import('@endo/compartment-mapper/import-archive.js');
const { makeReadPowers: makeEndoPowers } = await import('@endo/compartment-mapper/node-powers.js');

const powers = makeReadNowPowers({ fs, url, crypto, path });
const endoPowers = makeEndoPowers({ fs, url, crypto, path });
const hostFs = createRequire(import.meta.url)('node:fs');

const fixtureOptions = {
  modules: { fs: hostFs, 'node:fs': hostFs },
  importHook: async specifier => {
    if (specifier === 'host:thing') return { namespace: { default: 'host thing' } };
    if (specifier === 'host:lib') return { namespace: { default: 'from the host' } };
    return undefined;
  },
};

const project = async (namespace, keys) => {
  // Promises among the exports that are not compared must not reject unobserved.
  for (const key of Object.keys(namespace)) if (namespace[key] instanceof Promise) namespace[key].catch(() => {});
  const out = {};
  for (const key of keys) out[key] = JSON.parse(JSON.stringify(await namespace[key]) ?? 'null');
  return out;
};

// Keys whose values depend on where a module lives (the archive's paths differ by design).
const LOCATION_KEYS = ['metaUrlEndsWith', 'filenameEndsWith', 'dirnameEndsWith', 'resolved'];

// Where the other tool's own semantics give another answer, the keys it cannot match, and why.
const ENDO_RUNS_CORDON_ARCHIVE = {
  interop: {
    keys: ['greeting', 'named', 'json', 'esmFromCjs', 'esmDefault', 'dynamic', 'relativeDynamic', 'cycle', 'nested', 'internal', 'required'],
    reason: "Endo's archives offer no require.resolve (the fixture's cjs-dep calls it), so the app throws under Endo; the archive itself parses",
  },
  isolation: {
    keys: ['setter', 'seenByReader', 'sameInSetter'],
    reason: "Endo freezes every package's global object when there is no policy: `globalThis.secretFlag = …` throws",
  },
  exits: { keys: ['fsDefault', 'fsNamed', 'required', 'thing', 'viaHostExport', 'ponyfillSkipped'], reason: "Endo's `modules` give no default export unless the object has a `default` key: `import fs from 'fs'` fails to link" },
};
const CORDON_RUNS_ENDO_ARCHIVE = {
  interop: {
    keys: ['esmFromCjs', 'esmDefault', 'dynamic', 'relativeDynamic'],
    reason: "Endo's archive: require() of an ES module keeps Endo's answer (its default), and Endo leaves import() targets out of archives",
  },
  isolation: { keys: [], reason: '' },
  exits: { keys: [], reason: '' },
};

for (const scenario of ['interop', 'isolation', 'exits']) {
  const expected = JSON.parse(fs.readFileSync(new URL(`../fixtures/${scenario}/expected.json`, import.meta.url), 'utf8'));
  const entry = url.pathToFileURL(url.fileURLToPath(new URL(`../fixtures/${scenario}/${expected.entry}`, import.meta.url))).href;
  const conditions = new Set(expected.conditions ?? []);
  const keysFor = excluded => Object.keys(expected.namespace).filter(key => !LOCATION_KEYS.includes(key) && !excluded.includes(key));

  for (const { kind, location } of LOCATIONS) {
    test(`interop ${scenario}, archive at a ${kind}: a Cordon archive runs under Endo's importArchive${ENDO_RUNS_CORDON_ARCHIVE[scenario].reason ? ` (except: ${ENDO_RUNS_CORDON_ARCHIVE[scenario].reason})` : ''}`, async () => {
      const keys = keysFor(ENDO_RUNS_CORDON_ARCHIVE[scenario].keys);
      const bytes = await makeArchive(powers, entry, { ...fixtureOptions, conditions });
      // Without computeSha512: with it, Endo preloads statically and calls import() targets extraneous.
      const application = await endoImport.parseArchive(bytes, location, { modules: fixtureOptions.modules, importHook: fixtureOptions.importHook });
      if (keys.length === 0) return;
      const { namespace } = await application.import({ modules: fixtureOptions.modules, importHook: fixtureOptions.importHook });
      assert.deepEqual(await project(namespace, keys), Object.fromEntries(keys.map(key => [key, expected.namespace[key]])));
    });

    test(`interop ${scenario}, archive at a ${kind}: an Endo archive runs under Cordon's parseArchive${CORDON_RUNS_ENDO_ARCHIVE[scenario].reason ? ` (except: ${CORDON_RUNS_ENDO_ARCHIVE[scenario].reason})` : ''}`, async () => {
      const keys = keysFor(CORDON_RUNS_ENDO_ARCHIVE[scenario].keys);
      const bytes = await endoArchive.makeArchive(endoPowers, entry, { modules: fixtureOptions.modules, importHook: fixtureOptions.importHook, conditions });
      const application = await parseArchive(bytes, location, { computeSha512: powers.computeSha512 });
      const { namespace } = await application.import(fixtureOptions);
      assert.deepEqual(await project(namespace, keys), Object.fromEntries(keys.map(key => [key, expected.namespace[key]])));
    });
  }
}

// Packages that turn a module's import.meta.url into a path: at a location that is not a file: URL, that
// location is what they get (docs/locations.md), and Node's own functions refuse it.
const NEEDS_FILE_LOCATION = {
  yargs: { outcome: /^ERR_INVALID_ARG_VALUE: .*'filename' must be a file URL/, reason: 'yargs-parser calls createRequire(import.meta.url)' },
};

const REAL_WORLD = [
  'ajv', 'axios', 'body-parser', 'chalk', 'commander', 'date-fns', 'dayjs', 'debug', 'express', 'glob',
  'handlebars', 'immutable', 'js-yaml', 'jsonwebtoken', 'koa', 'lodash-es', 'marked', 'minimist', 'mocha',
  'moment', 'pino', 'qs', 'react', 'react-dom', 'rxjs', 'semver', 'uuid', 'winston', 'yaml', 'yargs', 'zod',
  'typescript', 'tslib',
];

test('interop, real-world list: Cordon archives under Endo, Endo archives under Cordon', async () => {
  const entries = url.fileURLToPath(new URL('../run/.entries/', import.meta.url));
  fs.mkdirSync(entries, { recursive: true });
  const globals = nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
  const modules = nodeBuiltinModules();
  const outcome = { cordonToEndo: {}, endoToCordon: {} };
  for (const name of REAL_WORLD) {
    const file = path.join(entries, `${name}.mjs`);
    fs.writeFileSync(file, `import * as ns from '${name}';\nexport { ns };\n`);
    const entry = url.pathToFileURL(file).href;
    const ours = Object.keys((await importLocation(powers, entry, { dev: true, globals, globalsFor: nodeGlobalsFor, modules }).catch(() => ({ namespace: { ns: {} } }))).namespace.ns).sort();
    const judge = keys => (JSON.stringify(keys.sort()) === JSON.stringify(ours) ? 'same' : `different export names (${keys.length} against ${ours.length})`);
    // Each direction at every kind of location; the outcome must not depend on it.
    const atEach = async (run, cordonReads) => {
      const locations = LOCATIONS.map(({ location }) => location.replace('app.zip', `${name}.zip`));
      const results = [];
      for (const location of locations) results.push(await run(location));
      const normalized = results.map((result, i) => result.replaceAll(locations[i], '<location>'));
      LOCATIONS.forEach(({ isFile }, i) => {
        if (cordonReads && !isFile && NEEDS_FILE_LOCATION[name]) assert.match(normalized[i], NEEDS_FILE_LOCATION[name].outcome, `${name} at ${locations[i]}`);
        else assert.equal(normalized[i], normalized[0], `${name} at ${locations[i]}: ${results.join(' | ')}`);
      });
      return normalized[0];
    };
    let cordonBytes;
    outcome.cordonToEndo[name] = await atEach(async location => {
      try {
        cordonBytes ??= await makeArchive(powers, entry, { dev: true, modules });
        const application = await endoImport.parseArchive(cordonBytes, location, { modules });
        return judge(Object.keys((await application.import({ globals, modules })).namespace.ns));
      } catch (error) {
        return String(error.message).split('\n')[0];
      }
    }, false);
    let endoBytes;
    outcome.endoToCordon[name] = await atEach(async location => {
      try {
        endoBytes ??= await endoArchive.makeArchive(endoPowers, entry, { dev: true, modules });
        const application = await parseArchive(endoBytes, location);
        return judge(Object.keys((await application.import({ globals, globalsFor: nodeGlobalsFor, modules })).namespace.ns));
      } catch (error) {
        return `${error.code ? `${error.code}: ` : ''}${String(error.message).split('\n')[0]}`;
      }
    }, true);
  }
  const report = direction => Object.entries(outcome[direction]).filter(([, result]) => result !== 'same');
  // Printed so that the exceptions and their reasons are in the test log.
  console.log(JSON.stringify({ cordonToEndoExceptions: report('cordonToEndo'), endoToCordonExceptions: report('endoToCordon') }, null, 2));
  const same = direction => Object.keys(outcome[direction]).filter(name => outcome[direction][name] === 'same').sort();
  assert.deepEqual(same('cordonToEndo'), CORDON_TO_ENDO);
  assert.deepEqual(same('endoToCordon'), ENDO_TO_CORDON);
});

// Measured. Every other package is an exception, printed with its reason by the test. The kinds:
// Cordon → Endo: Endo's runtime cannot run the app (no V8 stack API for depd, hence express, koa,
//   body-parser; tamed Date and Math in compartments: lodash-es, mocha; frozen globals: zod, handlebars;
//   no default export for host modules: axios, glob; no FinalizationRegistry: pino; no require.resolve:
//   yargs, winston), or its namespace for CommonJS lists every runtime key of module.exports where Node
//   lists what cjs-module-lexer finds (chalk, dayjs, debug, jsonwebtoken, moment, semver).
// Endo → Cordon: Endo's archive holds another program than Node would run: CommonJS files compiled as
//   ES modules (axios, body-parser, express, qs via async-function), `module` before `main` (immutable,
//   rxjs, yargs), export-star names SES drops (date-fns), or Endo cannot make the archive
//   (koa, yaml, winston, mocha). (Names re-exported through `module.exports = require(…)`, which Endo's
//   archives do not list, Cordon's reader finds itself: debug, react,
//   react-dom.)
const CORDON_TO_ENDO = ['ajv', 'commander', 'date-fns', 'immutable', 'js-yaml', 'marked', 'minimist', 'qs', 'react', 'react-dom', 'rxjs', 'tslib', 'typescript', 'uuid', 'yaml'];
const ENDO_TO_CORDON = ['ajv', 'chalk', 'commander', 'dayjs', 'debug', 'glob', 'handlebars', 'js-yaml', 'jsonwebtoken', 'lodash-es', 'marked', 'minimist', 'moment', 'pino', 'react', 'react-dom', 'semver', 'tslib', 'typescript', 'uuid', 'zod'];
