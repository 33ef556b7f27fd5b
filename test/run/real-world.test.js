// Cordon's real-world list: popular npm packages (devDependencies: CommonJS, ESM, dual, deep trees,
// builtins), each imported through importLocation under lockdown with Node's globals and builtins,
// compared with Node's own import() of the same package. At least 90% must give Node's export names;
// the rest are listed with the reason.
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { importLocation } from 'cordon';
import { makeReadNowPowers } from 'cordon/node-powers.js';
import crypto from 'node:crypto';
import { nodeBuiltinModules, nodeGlobals, nodeGlobalsFor, nodeLockdownOptions } from '../../dist/cli/node-host.js';

export const REAL_WORLD = [
  'ajv', 'axios', 'body-parser', 'chalk', 'commander', 'date-fns', 'dayjs', 'debug', 'express', 'glob',
  'handlebars', 'immutable', 'js-yaml', 'jsonwebtoken', 'koa', 'lodash-es', 'marked', 'minimist', 'mocha',
  'moment', 'pino', 'qs', 'react', 'react-dom', 'rxjs', 'semver', 'uuid', 'winston', 'yaml', 'yargs', 'zod',
  'typescript', 'tslib',
];

// Where Cordon cannot give Node's answer, and why. Each entry must still fail (else remove it).
const KNOWN = {
  koa: 'http-assert → deep-equal@1 assigns a property to Object.keys (`exports.shim = …` with `exports === Object.keys`); SES freezes the shared intrinsics, so the assignment throws',
};

// Node's own answer, from a clean process (no lockdown there).
const nodeKeys = JSON.parse(
  execFileSync(process.execPath, ['--input-type=module', '-e', `
    const out = {};
    for (const name of ${JSON.stringify(REAL_WORLD)}) out[name] = Object.keys(await import(name)).sort();
    process.stdout.write(JSON.stringify(out));
  `], { encoding: 'utf8', cwd: url.fileURLToPath(new URL('../../', import.meta.url)) }),
);

lockdown(nodeLockdownOptions);

const entries = url.fileURLToPath(new URL('./.entries/', import.meta.url));
fs.mkdirSync(entries, { recursive: true });
const powers = makeReadNowPowers({ fs, url, crypto, path });
const options = {
  dev: true,
  globals: nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis))),
  globalsFor: nodeGlobalsFor,
  modules: nodeBuiltinModules(),
};

test(`real-world list: ${REAL_WORLD.length} packages through importLocation give Node's export names`, async () => {
  const same = [];
  const different = {};
  for (const name of REAL_WORLD) {
    const entry = path.join(entries, `${name}.mjs`);
    fs.writeFileSync(entry, `import * as ns from '${name}';\nexport { ns };\n`);
    try {
      const { namespace } = await importLocation(powers, url.pathToFileURL(entry).href, options);
      const keys = Object.keys(namespace.ns).sort();
      if (JSON.stringify(keys) === JSON.stringify(nodeKeys[name])) same.push(name);
      else different[name] = `export names differ: ${keys.filter(k => !nodeKeys[name].includes(k))} / ${nodeKeys[name].filter(k => !keys.includes(k))}`;
    } catch (error) {
      different[name] = error.message;
    }
  }
  assert.ok(REAL_WORLD.length >= 30);
  assert.deepEqual(Object.keys(different).sort(), Object.keys(KNOWN).sort(), JSON.stringify(different, null, 2));
  assert.ok(same.length / REAL_WORLD.length >= 0.9, `${same.length}/${REAL_WORLD.length}`);
});
