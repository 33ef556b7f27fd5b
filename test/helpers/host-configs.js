// The host configurations Endo's users give `importLocation` on Node, to check that Cordon gives each
// package what Node gives it whichever way the host hands out builtins and globals. Every one runs
// under real lockdown with `nodeLockdownOptions` and grants Node's globals (`nodeGlobals`):
//   modules        builtins as a `modules` map (`nodeBuiltinModules()`), with `globalsFor` (what
//                  `cordon run` does);
//   importHook     no `modules`: an async `importHook` answers builtins with `{ namespace }`, the
//                  builtin's ES module namespace (`await import('node:fs')`), and nothing else;
//   importNowHook  no `modules`: a sync `importNowHook` answers builtins with `{ namespace: require(…) }`;
//   hooks          both hooks, no `modules`;
//   modules+hooks  the `modules` map and both hooks;
//   globals-only   `globals` and `modules` but no `globalsFor`: Cordon itself must give each compartment
//                  its own `Error` with V8's stack API, its own `Symbol`, and make
//                  `Function('return this')()` the compartment's global.
//   host-bridge    `modules` and the host bridge with everything allowed (`cordon run -A`);
//   host-bridge+policy+hooks  both hooks, the generated policy and the host bridge.
// Every configuration but globals-only also grants `globalsFor: nodeGlobalsFor`.
//
// Run as a program (`node test/helpers/host-configs.js CONFIG ENTRIES OUT.json`), it locks down, then
// imports `ENTRIES/<name>/import.mjs` (`import * as ns from 'name'`) and requires
// `ENTRIES/<name>/require.cjs` (`module.exports = require('name')`) for every package of the real-world list through
// `importLocation` in that configuration, and writes the sorted keys each gave (or its error).
import fs from 'node:fs';
import url from 'node:url';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire, isBuiltin } from 'node:module';

const require = createRequire(import.meta.url);

const prefixed = specifier => (specifier.startsWith('node:') ? specifier : `node:${specifier}`);

/** Async: a builtin's ES module namespace, as `import()` gives it. */
export const builtinImportHook = async specifier => (isBuiltin(specifier) ? { namespace: await import(prefixed(specifier)) } : undefined);

/** Sync: a builtin's CommonJS value, as `require()` gives it. */
export const builtinImportNowHook = specifier => (isBuiltin(specifier) ? { namespace: require(prefixed(specifier)) } : undefined);

/** Each configuration's options, made after lockdown from Cordon's Node host (`dist/cli/node-host.js`). */
export const HOST_CONFIGS = {
  modules: host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, modules: host.nodeBuiltinModules() }),
  importHook: host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, importHook: builtinImportHook }),
  importNowHook: host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, importNowHook: builtinImportNowHook }),
  hooks: host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, importHook: builtinImportHook, importNowHook: builtinImportNowHook }),
  'modules+hooks': host => ({
    globals: host.globals(),
    globalsFor: host.nodeGlobalsFor,
    modules: host.nodeBuiltinModules(),
    importHook: builtinImportHook,
    importNowHook: builtinImportNowHook,
  }),
  'globals-only': host => ({ globals: host.globals(), modules: host.nodeBuiltinModules() }),
  // `modules`, under the policy `cordon policy generate` writes for each entry (generatePolicy).
  'generated-policy': host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, modules: host.nodeBuiltinModules(), generatePolicy: true }),
  // The same, builtins through both hooks.
  'generated-policy+hooks': host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, importHook: builtinImportHook, importNowHook: builtinImportNowHook, generatePolicy: true }),
  // `modules`, every package's builtins and globals through the host bridge, everything allowed
  // (what `cordon run -A` does): the bridge-backed fs, net, child_process, process must not break a package.
  'host-bridge': host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, modules: host.nodeBuiltinModules(), hostBridge: true }),
  // The same with builtins through both hooks and under the generated policy (the policy's views over the bridge's).
  'host-bridge+policy+hooks': host => ({ globals: host.globals(), globalsFor: host.nodeGlobalsFor, importHook: builtinImportHook, importNowHook: builtinImportNowHook, generatePolicy: true, hostBridge: true }),
};

export const CONFIG_NAMES = Object.keys(HOST_CONFIGS);

/**
 * The files a package is reached through: a small application of its own that depends on that package
 * alone (so that each import maps only that package's tree, found in this repository's node_modules as
 * Node finds it), with one entry per kind.
 */
export const entryFiles = (entries, name) => {
  const dir = path.join(entries, name.replace(/[/@]/g, '_'));
  return {
    dir,
    manifest: { file: path.join(dir, 'package.json'), text: `${JSON.stringify({ name: `real-world-${name.replace(/[/@]/g, '_')}`, private: true, dependencies: { [name]: '*' } })}\n` },
    import: { file: path.join(dir, 'import.mjs'), text: `import * as ns from '${name}';\nexport { ns };\n` },
    require: { file: path.join(dir, 'require.cjs'), text: `module.exports = require('${name}');\n` },
  };
};

/** Writes every package's entry files (before the configurations run, which only read them). */
export const writeEntries = (entries, names) => {
  for (const name of names) {
    const files = entryFiles(entries, name);
    fs.mkdirSync(files.dir, { recursive: true });
    for (const { file, text } of [files.manifest, files.import, files.require]) fs.writeFileSync(file, text);
  }
};

if (process.argv[1] && url.pathToFileURL(process.argv[1]).href === import.meta.url) {
  const [config, entries, out] = process.argv.slice(2);
  const { REAL_WORLD, KINDS, keysOf } = await import('./real-world-list.js');
  await import('ses');
  const nodeHost = await import('../../dist/cli/node-host.js');
  const { importLocation } = await import('cordon');
  const { makeReadNowPowers } = await import('cordon/node-powers.js');
  lockdown(nodeHost.nodeLockdownOptions);
  const compartmentNames = new Set(Object.getOwnPropertyNames(new Compartment().globalThis));
  const host = { ...nodeHost, globals: () => nodeHost.nodeGlobals(compartmentNames) };
  const { generatePolicy: generating, hostBridge: bridged, ...options } = HOST_CONFIGS[config](host);
  if (bridged) {
    const { makeHostBridge, makePermissionEngine, allowAllPermissionSet } = await import('cordon/host.js');
    const engine = makePermissionEngine(allowAllPermissionSet());
    options.hostBridge = makeHostBridge({ engine, hostBuiltin: name => require(`node:${name}`), env: process.env, cwd: () => process.cwd() });
  }
  const { generatePolicy } = await import('cordon/policy.js');
  const powers = makeReadNowPowers({ fs, url, crypto, path });

  // A package's timers or promises may fail after its import returned: kept, not fatal.
  let current = '';
  const late = [];
  const keepLate = error => late.push(`${current}: ${String(error?.message ?? error).split('\n')[0]}`);
  process.on('uncaughtException', keepLate);
  process.on('unhandledRejection', keepLate);

  const results = {};
  const started = Date.now();
  for (const name of REAL_WORLD) {
    results[name] = {};
    const files = entryFiles(entries, name);
    for (const kind of KINDS) {
      current = `${name} (${kind})`;
      const start = Date.now();
      try {
        const entry = url.pathToFileURL(files[kind].file).href;
        const policy = generating ? (await generatePolicy(powers, entry)).policy : undefined;
        const { namespace } = await importLocation(powers, entry, policy ? { ...options, policy } : options);
        results[name][kind] = { keys: keysOf(kind === 'import' ? namespace.ns : namespace.default) };
      } catch (error) {
        results[name][kind] = { error: String(error?.message ?? error) };
      }
      results[name][kind].ms = Date.now() - start;
    }
  }
  const cpu = process.cpuUsage();
  fs.writeFileSync(out, JSON.stringify({ config, node: process.version, ms: Date.now() - started, cpuMs: Math.round((cpu.user + cpu.system) / 1000), late, results }));
  process.exit(0);
}
