/**
 * What `cordon run` hands the application, besides its code: the permission engine (flags, the policy
 * file's `permissions`, prompts, the audit), the host bridge every package's builtins and globals come
 * from, Node's builtins as host modules, and the run's modes — `--fs=memory [--snapshot]` (every
 * package's `fs` in memory) and `--deterministic[=SEED]` (a virtual clock, timers in virtual time and
 * seeded randomness for every compartment). Made after `lockdown()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import tty from 'node:tty';
import { createRequire } from 'node:module';
import { nodeBuiltinModules } from './node-host.js';
import { CordonError } from '../index.js';
import { parsePolicyText } from '../policy.js';
import { defaultPolicyPath, packageRootOf } from './policy-files.js';
import {
  allowAllPermissionSet,
  makeDeterministicHost,
  makeHostBridge,
  makeMemoryFsHost,
  makePermissionEngine,
  parsePermissionFlags,
  permissionsFromPolicy,
  unitePermissionSets,
  type AccessRequest,
  type DeterministicHost,
  type HostBridgeInstance,
  type PermissionEngine,
  type PermissionFlags,
  type PolicyPermissions,
} from '../host.js';
import { makeTerminalPrompt, rememberGrant } from './prompt.js';

const require = createRequire(import.meta.url);

/** What of `cordon run`'s options the host is made from. */
export interface RunHostOptions {
  /** `cordon policy generate --audit`: everything allowed. */
  readonly audit?: unknown;
  /** With `audit`: told of every host resource a package used. */
  readonly hostAudit?: ((request: AccessRequest) => void) | undefined;
  /** The host-permission flags (deny by default). */
  readonly permissions?: PermissionFlags | undefined;
  /** Ask on the terminal about what no flag decides (default: when stdin and stderr are terminals). */
  readonly prompt?: boolean | undefined;
  /** `--fs=memory`: the packages' `fs` is in memory (`--snapshot FILE` loads it first and saves it at exit). */
  readonly fs?: 'real' | 'memory' | undefined;
  readonly snapshot?: string | undefined;
  /** `--deterministic[=SEED]`: a virtual clock, timers in virtual time, seeded randomness. */
  readonly deterministic?: string | undefined;
}

export interface RunHost {
  readonly engine: PermissionEngine;
  readonly rootName: string | undefined;
  readonly hostBridge: HostBridgeInstance;
  readonly modules: Record<string, object>;
  /** With `--fs=memory`: the packages' `fs` (a WASI program's too). */
  readonly fs: object | undefined;
  readonly deterministic: DeterministicHost | undefined;
}

/** The name of the package that holds the entry (`$root$` answers to it in PKG=RESOURCE). */
const rootNameOf = (entryPath: string): string | undefined => {
  try {
    const name = (JSON.parse(fs.readFileSync(path.join(packageRootOf(entryPath), 'package.json'), 'utf8')) as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
};

const makeEngine = (entryPath: string, options: RunHostOptions, policy: unknown, rootName: string | undefined): PermissionEngine => {
  const context = { cwd: process.cwd(), pathVariable: process.env.PATH };
  const overrideFile = path.join(path.dirname(defaultPolicyPath(entryPath)), 'policy-override.json');
  // Without a policy, the grants a prompt wrote (`a`lways) into policy-override.json still count.
  const granted = policy ?? (fs.existsSync(overrideFile) ? parsePolicyText(fs.readFileSync(overrideFile, 'utf8'), overrideFile) : undefined);
  // The policy file's grants are relative to the app's package; the flags' to the working directory.
  const fromPolicy = permissionsFromPolicy(granted as PolicyPermissions | undefined, { cwd: packageRootOf(entryPath), pathVariable: process.env.PATH });
  const set = options.audit ? allowAllPermissionSet() : unitePermissionSets(parsePermissionFlags(options.permissions ?? {}, context), fromPolicy);
  // tty.isatty, not process.stdin.isTTY: reading that opens stdin (a pipe stays an active handle).
  const prompting = options.prompt ?? (tty.isatty(0) && tty.isatty(2));
  const { hostAudit } = options;
  return makePermissionEngine(set, {
    rootName,
    ...(hostAudit ? { observe: (request: AccessRequest) => hostAudit(request) } : {}),
    ...(prompting && !options.audit ? { prompt: makeTerminalPrompt(rootName), remember: (request: AccessRequest) => rememberGrant(overrideFile, request, request.resource) } : {}),
  });
};

/** Node's builtins as host modules, with those the run's modes replace (`fs` in memory, deterministic `timers` …). */
const hostModules = (replacements: Readonly<Record<string, unknown>>): Record<string, object> => {
  const modules = nodeBuiltinModules();
  if (Object.keys(replacements).length === 0) return modules;
  const replaced: Record<string, object> = {};
  for (const [specifier, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(modules))) {
    const name = specifier.replace(/^node:/, '');
    if (Object.hasOwn(replacements, name)) Object.defineProperty(replaced, specifier, { value: replacements[name], enumerable: true });
    else Object.defineProperty(replaced, specifier, descriptor);
  }
  return replaced;
};

export const makeRunHost = (entryPath: string, options: RunHostOptions, policy: unknown): RunHost => {
  const rootName = rootNameOf(entryPath);
  const engine = makeEngine(entryPath, options, policy, rootName);
  const realBuiltin = (name: string): unknown => require(`node:${name}`) as unknown;
  if (options.snapshot !== undefined && options.fs !== 'memory') throw new CordonError('CORDON_INVALID_ARGUMENT', '--snapshot needs --fs=memory (the snapshot is the in-memory filesystem, loaded at start and saved at exit)');
  const memory = options.fs === 'memory' ? makeMemoryFsHost({ snapshot: options.snapshot, cwd: () => process.cwd(), fallback: realBuiltin, directories: [os.tmpdir()] }) : undefined;
  if (memory) {
    // Saved however the app ends: its own exit, Ctrl-C, a termination signal.
    process.on('exit', () => memory.flush());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => process.exit(128 + (os.constants.signals[signal] ?? 0)));
  }
  const deterministic = options.deterministic === undefined ? undefined : makeDeterministicHost({ seed: options.deterministic });
  const replacements: Record<string, unknown> = { ...(deterministic?.builtins ?? {}) };
  if (memory) {
    replacements.fs = memory.hostBuiltin('fs');
    replacements['fs/promises'] = memory.hostBuiltin('fs/promises');
  }
  const hostBuiltin = (name: string): unknown => (Object.hasOwn(replacements, name) ? replacements[name] : realBuiltin(name));
  return {
    engine,
    rootName,
    hostBridge: makeHostBridge({ engine, hostBuiltin, env: process.env, cwd: () => process.cwd() }),
    modules: hostModules(replacements),
    fs: memory ? (replacements.fs as object) : undefined,
    deterministic,
  };
};
