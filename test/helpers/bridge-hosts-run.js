// Run as a program: locks down, then runs test/fixtures/host-cli/app (package `reader` reads
// data/note.txt with fs) with the host bridge in every way Endo's users hand over builtins (`modules`,
// `importHook`, `importNowHook`, only `globals` and `modules`), and from an archive at a `memory:`
// location, a bare name and a `file:` URL; each once with reader granted ./data and once with nothing.
// Prints one JSON object: configuration → { granted, denied } (what reader's readFile gave or the error code).
import fs from 'node:fs';
import url from 'node:url';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire, isBuiltin } from 'node:module';

const require = createRequire(import.meta.url);
const [dir] = process.argv.slice(2);
await import('ses');
const nodeHost = await import('../../dist/cli/node-host.js');
lockdown(nodeHost.nodeLockdownOptions);
const { importLocation, makeArchive, parseArchive } = await import('cordon');
const { makeReadNowPowers } = await import('cordon/node-powers.js');
const { makeHostBridge, makePermissionEngine, parsePermissionFlags } = await import('cordon/host.js');
const powers = makeReadNowPowers({ fs, url, crypto, path });
const globals = nodeHost.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
const prefixed = s => (s.startsWith('node:') ? s : `node:${s}`);
const configs = {
  modules: () => ({ globals, globalsFor: nodeHost.nodeGlobalsFor, modules: nodeHost.nodeBuiltinModules() }),
  importHook: () => ({ globals, globalsFor: nodeHost.nodeGlobalsFor, importHook: async s => (isBuiltin(s) ? { namespace: await import(prefixed(s)) } : undefined) }),
  importNowHook: () => ({ globals, globalsFor: nodeHost.nodeGlobalsFor, importNowHook: s => (isBuiltin(s) ? { namespace: require(prefixed(s)) } : undefined) }),
  'globals-only': () => ({ globals, modules: nodeHost.nodeBuiltinModules() }),
};
const bridgeFor = flags => {
  const engine = makePermissionEngine(parsePermissionFlags(flags, { cwd: dir }));
  return makeHostBridge({ engine, hostBuiltin: name => require(`node:${name}`), env: process.env, cwd: () => dir });
};
const GRANTED = { allow: { read: ['reader=./data'] } };
const outcome = namespace => {
  try {
    return { ok: namespace.readFile(path.join(dir, 'data', 'note.txt')) };
  } catch (error) {
    return { code: error.code, package: error.package };
  }
};
// An entry that re-exports reader's function, so the test calls it after the import.
const entry = url.pathToFileURL(path.join(dir, 'probe.js')).href;
fs.writeFileSync(path.join(dir, 'probe.js'), "export { readFile } from 'reader';\n");
const results = {};
for (const [name, make] of Object.entries(configs)) {
  results[name] = {};
  for (const [label, flags] of [['granted', GRANTED], ['denied', {}]]) {
    const { namespace } = await importLocation(powers, entry, { ...make(), hostBridge: bridgeFor(flags) });
    results[name][label] = outcome(namespace);
  }
}
const bytes = await makeArchive(powers, entry);
for (const location of ['memory:app.zip', 'app.zip', url.pathToFileURL(path.join(dir, 'app.zip')).href]) {
  results[`archive ${location.startsWith('file:') ? 'file:' : location}`] = {};
  for (const [label, flags] of [['granted', GRANTED], ['denied', {}]]) {
    const application = await parseArchive(bytes, location, configs.modules());
    const { namespace } = await application.import({ ...configs.modules(), hostBridge: bridgeFor(flags) });
    results[`archive ${location.startsWith('file:') ? 'file:' : location}`][label] = outcome(namespace);
  }
}
process.stdout.write(JSON.stringify(results));
