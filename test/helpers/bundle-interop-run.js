// Run as a program (`node test/helpers/bundle-interop-run.js ENTRIES OUT.json [names]`): for every package
// of the real-world list, its `require.cjs` entry (`module.exports = require('name')`) bundled in the
// endoZipBase64 format by one side and imported by the other, under real lockdown:
//   cordon→endo  Cordon's bundleSource, @endo/import-bundle's importBundle;
//   endo→cordon  @endo/bundle-source's bundleSource, Cordon's importBundle.
// Both importers get Node's globals as endowments and Node's builtins through `importHook` (the
// builtin's CommonJS value, as `require` gives it). Writes the sorted keys of each namespace's default
// (or the error) per package and direction.
import fs from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import crypto from 'node:crypto';
import { REAL_WORLD, keysOf } from './real-world-list.js';
import { entryFiles, writeEntries } from './host-configs.js';

const require = createRequire(import.meta.url);
const [entries, out, only] = process.argv.slice(2);
const names = only ? only.split(',') : REAL_WORLD;
writeEntries(entries, names);

await import('ses');
const nodeHost = await import('../../dist/cli/node-host.js');
lockdown(nodeHost.nodeLockdownOptions);
const { bundleSource } = await import('cordon/bundle-source.js');
const { importBundle } = await import('cordon/import-bundle.js');
const { default: endoBundleSource } = await import('@endo/bundle-source');
const { importBundle: endoImportBundle } = await import('@endo/import-bundle');

const globals = nodeHost.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
const namespaces = new Map();
const importHook = async specifier => {
  if (!isBuiltin(specifier)) return undefined;
  if (!namespaces.has(specifier)) {
    const value = require(specifier.startsWith('node:') ? specifier : `node:${specifier}`);
    namespaces.set(specifier, { namespace: { ...value, default: value } });
  }
  return namespaces.get(specifier);
};
const computeSha512 = bytes => crypto.createHash('sha512').update(bytes).digest('hex');

let current = '';
const late = [];
const keepLate = error => late.push(`${current}: ${String(error?.message ?? error).split('\n')[0]}`);
process.on('uncaughtException', keepLate);
process.on('unhandledRejection', keepLate);

const DIRECTIONS = {
  'cordon→endo': async entry => {
    const bundle = await bundleSource(entry, { format: 'endoZipBase64', importHook });
    return endoImportBundle(bundle, { endowments: globals, importHook, bundleUrl: 'memory:bundle.zip' }, { computeSha512 });
  },
  'endo→cordon': async entry => {
    const bundle = await endoBundleSource(entry, { format: 'endoZipBase64', importHook });
    return importBundle(bundle, { endowments: globals, importHook, bundleUrl: 'file:///bundle.zip' }, { computeSha512 });
  },
};
// For diagnosis only (CORDON_ENDO_BOTH=1): the incumbent on both sides.
if (process.env.CORDON_ENDO_BOTH) {
  DIRECTIONS['endo→endo'] = async entry => {
    const bundle = await endoBundleSource(entry, { format: 'endoZipBase64', importHook });
    return endoImportBundle(bundle, { endowments: globals, importHook, bundleUrl: 'memory:bundle.zip' }, { computeSha512 });
  };
}

// CORDON_ONLY_DIRECTION: run one direction only (the test runs ramda only Cordon → Endo).
if (process.env.CORDON_ONLY_DIRECTION) for (const key of Object.keys(DIRECTIONS)) if (key !== process.env.CORDON_ONLY_DIRECTION) delete DIRECTIONS[key];

const results = {};
const started = Date.now();
for (const name of names) {
  results[name] = {};
  const entry = entryFiles(entries, name).require.file;
  for (const [direction, run] of Object.entries(DIRECTIONS)) {
    current = `${name} (${direction})`;
    const start = Date.now();
    try {
      const namespace = await run(entry);
      results[name][direction] = { keys: keysOf(namespace.default) };
    } catch (error) {
      results[name][direction] = { error: String(error?.message ?? error).split('\n').slice(0, 2).join(' ') };
      if (process.env.CORDON_PROGRESS) process.stderr.write(String(error?.stack ?? error).split('\n').slice(0, 6).join('\n') + '\n');
    }
    results[name][direction].ms = Date.now() - start;
    if (process.env.CORDON_PROGRESS) process.stderr.write(`${current} ${results[name][direction].ms} ms ${results[name][direction].error ? "error" : ""}\n`);
  }
}
fs.writeFileSync(out, JSON.stringify({ node: process.version, ms: Date.now() - started, late, results }));
process.exit(0);
