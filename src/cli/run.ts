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
import { createRequire } from 'node:module';
import os from 'node:os';
import { nodeBuiltinModules, nodeGlobals, nodeGlobalsFor, nodeLockdownOptions } from './node-host.js';
import type { AuditedUse } from '../policy.js';
import { formatError, formatUncaught } from './report.js';
import { CordonError } from '../index.js';
import { defaultPolicyPath, packageRootOf, readPolicyFiles } from './policy-files.js';
import { allowAllPermissionSet, makeHostBridge, makeMemoryFsHost, makePermissionEngine, parsePermissionFlags, permissionsFromPolicy, unitePermissionSets, type AccessRequest, type PermissionFlags, type PolicyPermissions } from '../host.js';
import { makeTerminalPrompt, rememberGrant } from './prompt.js';
import { parsePolicyText } from '../policy.js';

export interface RunOptions {
  readonly entry: string;
  readonly args: readonly string[];
  readonly conditions: readonly string[];
  readonly dev: boolean;
  /** `--policy FILE`; else `lavamoat/node/policy.json` of the entry's package, if there is one. */
  readonly policy?: string | undefined;
  readonly policyOverride?: string | undefined;
  /** `cordon policy generate --audit`: run with everything allowed, reporting every use (no policy read). */
  readonly audit?: ((use: AuditedUse) => void) | undefined;
  /** With `audit`: told of every host resource a package used (everything is allowed). */
  readonly hostAudit?: ((request: AccessRequest) => void) | undefined;
  /** The host-permission flags (deny by default). */
  readonly permissions?: PermissionFlags | undefined;
  /** Ask on the terminal about what no flag decides (default: when stdin and stderr are terminals). */
  readonly prompt?: boolean | undefined;
  /** `--fs=memory`: the packages' `fs` is an in-memory filesystem (`--snapshot FILE` loads it first and saves it at exit). */
  readonly fs?: 'real' | 'memory' | undefined;
  readonly snapshot?: string | undefined;
}

interface SesGlobals {
  lockdown?: (options: object) => void;
  Compartment?: new (options?: object) => { globalThis: object };
}

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

const require = createRequire(import.meta.url);

/** The name of the package that holds the entry (`$root$` answers to it in PKG=RESOURCE). */
const rootNameOf = (entryPath: string): string | undefined => {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(packageRootOf(entryPath), 'package.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
};

/** The permission engine and the host bridge every package's builtins and globals come from. */
const makeBridge = (entryPath: string, options: RunOptions, policy: unknown) => {
  const rootName = rootNameOf(entryPath);
  const context = { cwd: process.cwd(), pathVariable: process.env.PATH };
  const overrideFile = path.join(path.dirname(defaultPolicyPath(entryPath)), 'policy-override.json');
  // Without a policy, the grants a prompt wrote (`a`lways) into policy-override.json still count.
  const granted = policy ?? (fs.existsSync(overrideFile) ? parsePolicyText(fs.readFileSync(overrideFile, 'utf8'), overrideFile) : undefined);
  // The policy file's grants are relative to the app's package; the flags' to the working directory.
  const fromPolicy = permissionsFromPolicy(granted as PolicyPermissions | undefined, { cwd: packageRootOf(entryPath), pathVariable: process.env.PATH });
  const set = options.audit ? allowAllPermissionSet() : unitePermissionSets(parsePermissionFlags(options.permissions ?? {}, context), fromPolicy);
  const prompting = options.prompt ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  const engine = makePermissionEngine(set, {
    rootName,
    ...(options.hostAudit ? { observe: (request: AccessRequest) => options.hostAudit!(request) } : {}),
    ...(prompting && !options.audit ? { prompt: makeTerminalPrompt(rootName), remember: (request: Parameters<typeof rememberGrant>[1]) => rememberGrant(overrideFile, request, request.resource) } : {}),
  });
  const realBuiltin = (name: string): unknown => require(`node:${name}`) as unknown;
  if (options.snapshot !== undefined && options.fs !== 'memory') throw new CordonError('CORDON_INVALID_ARGUMENT', '--snapshot needs --fs=memory (the snapshot is the in-memory filesystem, loaded at start and saved at exit)');
  const memory = options.fs === 'memory' ? makeMemoryFsHost({ snapshot: options.snapshot, cwd: () => process.cwd(), fallback: realBuiltin, directories: [os.tmpdir()] }) : undefined;
  if (memory) {
    // Saved however the app ends: its own exit, Ctrl-C, a termination signal.
    process.on('exit', () => memory.flush());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(128 + (os.constants.signals[signal] ?? 0)));
  }
  const hostBuiltin = memory ? memory.hostBuiltin : realBuiltin;
  return { hostBridge: makeHostBridge({ engine, hostBuiltin, env: process.env, cwd: () => process.cwd() }), modules: hostModules(memory ? memory.hostBuiltin : undefined) };
};

/** Node's builtins as host modules; with `--fs=memory`, `fs` and `fs/promises` are the in-memory ones. */
const hostModules = (memoryBuiltin: ((name: string) => unknown) | undefined): Record<string, object> => {
  const modules = nodeBuiltinModules();
  if (!memoryBuiltin) return modules;
  const replaced: Record<string, object> = {};
  for (const [specifier, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(modules))) {
    const name = specifier.replace(/^node:/, '');
    if (name === 'fs' || name === 'fs/promises') Object.defineProperty(replaced, specifier, { value: memoryBuiltin(name), enumerable: true });
    else Object.defineProperty(replaced, specifier, descriptor);
  }
  return replaced;
};

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
  if (policy === undefined && !options.audit) {
    process.stderr.write(`cordon: no policy (${path.relative(process.cwd(), defaultPolicyPath(entryPath)) || 'lavamoat/node/policy.json'} not found): every package may import every builtin and use every global; files, network, programs and environment stay denied unless --allow-* flags grant them; write a policy with: cordon policy generate ${options.entry}\n`);
  }
  let bridge;
  try {
    bridge = makeBridge(entryPath, options, policy);
  } catch (error) {
    process.stderr.write(formatError(error));
    return 2;
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
  const { importLocation, loadArchive } = await import('../index.js');
  const { makeReadNowPowers } = await import('../node-powers.js');
  const powers = makeReadNowPowers({ fs, url, crypto, path });
  const compartmentGlobals = new Set(Object.getOwnPropertyNames(new ses.Compartment!().globalThis));
  process.argv = [process.argv[0]!, entryPath, ...options.args];
  const host = { globals: nodeGlobals(compartmentGlobals), globalsFor: nodeGlobalsFor, modules: bridge.modules, ...(policy === undefined ? {} : { policy }), ...(options.audit ? { policyAudit: options.audit } : {}), hostBridge: bridge.hostBridge };
  try {
    if (isArchive(entryPath)) {
      // An archive runs like an entry: every module's hash is checked before any of it runs.
      const application = await loadArchive(powers, url.pathToFileURL(entryPath).href, host);
      await application.import();
    } else {
      await importLocation(powers, url.pathToFileURL(entryPath).href, { conditions: options.conditions, dev: options.dev, ...host, ...(policy === undefined ? {} : { log: warn }) });
    }
  } catch (error) {
    process.stderr.write(formatError(error));
    return 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
};
