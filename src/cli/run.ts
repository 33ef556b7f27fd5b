/**
 * `cordon run [flags] <entry|archive> [-- args…]`: run a Node application confined, each package in
 * its own compartment, with Node's globals and builtins as the policy grants them (without one, every
 * package may import every builtin, and a one-line notice says so), every host power — files, network,
 * programs, environment — denied unless the permission flags allow it to the package that asks
 * (`--allow-read=reader=./data`), `process.argv` as `node <entry> args…` would give it, and the app's
 * exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { nodeGlobals, nodeGlobalsFor, nodeLockdownOptions } from './node-host.js';
import type { AuditedUse } from '../policy.js';
import { formatError, formatUncaught } from './report.js';
import { defaultPolicyPath, readPolicyFiles } from './policy-files.js';
import { makeRunHost, type RunHostOptions } from './run-host.js';
import { runWasiFile } from '../sandbox.js';

/** What `cordon run` is given: the entry, its arguments and mapping options, the policy, and the host's (`RunHostOptions`). */
export interface RunOptions extends RunHostOptions {
  readonly entry: string;
  readonly args: readonly string[];
  readonly conditions: readonly string[];
  readonly dev: boolean;
  /** `--policy FILE`; else `lavamoat/node/policy.json` of the entry's package, if there is one. */
  readonly policy?: string | undefined;
  readonly policyOverride?: string | undefined;
  /** `--cache DIR` (the compile cache's folder), `false` for `--no-cache`; default: the app's node_modules/.cache/cordon. */
  readonly cache?: string | false | undefined;
  /** `cordon policy generate --audit`: run with everything allowed, reporting every use (no policy read). */
  readonly audit?: ((use: AuditedUse) => void) | undefined;
}

interface SesGlobals {
  lockdown?: (options: object) => void;
  Compartment?: new (options?: object) => { globalThis: object };
}

/** `node_modules/.cache/cordon` of the entry's package: the nearest folder above it with a package.json. */
const defaultCompileCacheDir = (entryPath: string): string => {
  for (let dir = path.dirname(path.resolve(entryPath)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'node_modules', '.cache', 'cordon');
    if (path.dirname(dir) === dir) return path.join(path.dirname(path.resolve(entryPath)), 'node_modules', '.cache', 'cordon');
  }
};

/** A zip archive (by its signature, whatever its name). */
const isArchive = (file: string): boolean => {
  const handle = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(handle, head, 0, 4, 0);
    return head.readUInt32LE(0) === 0x04034b50 || file.endsWith('.zip');
  } finally {
    fs.closeSync(handle);
  }
};

const warn = (...args: unknown[]): void => void process.stderr.write(`cordon: ${args.map(String).join(' ')}\n`);

export const runApplication = async (options: RunOptions): Promise<number> => {
  const entryPath = path.resolve(options.entry);
  if (!fs.existsSync(entryPath)) {
    process.stderr.write(`cordon: no such file: ${options.entry}\n`);
    return 2;
  }
  let policy: unknown;
  try {
    policy = options.audit ? undefined : await readPolicyFiles(entryPath, options.policy, options.policyOverride);
  } catch (error) {
    process.stderr.write(formatError(error));
    return 2;
  }
  if (policy === undefined && !options.audit && !entryPath.endsWith('.wasm')) {
    process.stderr.write(`cordon: no policy (${path.relative(process.cwd(), defaultPolicyPath(entryPath)) || 'lavamoat/node/policy.json'} not found): every package may import every builtin and use every global; files, network, programs and environment stay denied unless --allow-* flags grant them; write a policy with: cordon policy generate ${options.entry}\n`);
  }
  // As under node: an uncaught error ends the app with its message and exit code 1, unless the app
  // listens for it itself (then it is the app's to handle).
  for (const origin of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(origin, (error: unknown) => {
      if (process.listenerCount(origin) > 1) return;
      process.stderr.write(formatUncaught(error, origin));
      process.exit(1);
    });
  }
  await import('ses');
  const ses = globalThis as unknown as SesGlobals;
  // Once per process (`cordon policy generate --audit` has locked down to capture the app first).
  if (!Object.isFrozen(Array.prototype)) ses.lockdown!(nodeLockdownOptions);
  let bridge;
  try {
    bridge = makeRunHost(entryPath, options, policy);
  } catch (error) {
    process.stderr.write(formatError(error));
    return 2;
  }
  // A WebAssembly command runs under WASI, through the same permissions (as the app's own package).
  if (entryPath.endsWith('.wasm')) return runWasiFile(entryPath, { engine: bridge.engine, rootName: bridge.rootName, args: options.args, env: process.env, fs: bridge.fs as Parameters<typeof runWasiFile>[1]['fs'], deterministic: bridge.deterministic });
  const { importLocation, loadArchive } = await import('../index.js');
  const { makeReadNowPowers, makeNodeCompileCache } = await import('../node-powers.js');
  const powers = makeReadNowPowers({ fs, url, crypto, path });
  // The compile cache: compiled modules kept in the app's node_modules/.cache/cordon (or --cache DIR).
  const cacheDir = options.cache === false ? undefined : (options.cache ?? defaultCompileCacheDir(entryPath));
  const compileCache = cacheDir === undefined ? undefined : makeNodeCompileCache({ fs, crypto, directory: path.resolve(cacheDir) });
  const compartmentGlobals = new Set(Object.getOwnPropertyNames(new ses.Compartment!().globalThis));
  process.argv = [process.argv[0]!, entryPath, ...options.args];
  const globals = nodeGlobals(compartmentGlobals);
  // --deterministic: one virtual clock, scheduler and seeded randomness for every compartment.
  if (bridge.deterministic) Object.assign(globals, bridge.deterministic.globals);
  const host = { globals, globalsFor: nodeGlobalsFor, modules: bridge.modules, ...(policy === undefined ? {} : { policy }), ...(options.audit ? { policyAudit: options.audit } : {}), hostBridge: bridge.hostBridge };
  try {
    // A bundle is a .json file (bundle-commands.ts and what it needs load only for one).
    const bundles = entryPath.endsWith('.json') ? await import('./bundle-commands.js') : undefined;
    const bundle = bundles?.readBundleFile(entryPath);
    if (bundles && bundle) {
      await bundles.runBundle(bundle, entryPath, { host, bridge });
    } else if (isArchive(entryPath)) {
      // An archive runs like an entry: every module's hash is checked before any of it runs.
      const application = await loadArchive(powers, url.pathToFileURL(entryPath).href, host);
      await application.import();
    } else {
      await importLocation(powers, url.pathToFileURL(entryPath).href, { conditions: options.conditions, dev: options.dev, ...host, ...(compileCache ? { compileCache } : {}), ...(policy === undefined ? {} : { log: warn }) });
    }
  } catch (error) {
    process.stderr.write(formatError(error));
    return 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
};
