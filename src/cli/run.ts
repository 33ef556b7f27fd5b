/**
 * `cordon run [--policy F] [--policy-override F] <entry> [-- args…]`: run a Node application confined,
 * each package in its own compartment, with Node's globals and builtins as the policy grants them
 * (without one, every package gets all of them, and a one-line notice says so), `process.argv` as
 * `node <entry> args…` would give it, and the app's exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { nodeBuiltinModules, nodeGlobals, nodeGlobalsFor, nodeLockdownOptions } from './node-host.js';
import type { AuditedUse } from '../policy.js';
import { formatError } from './report.js';
import { defaultPolicyPath, readPolicyFiles } from './policy-files.js';

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
    process.stderr.write(`cordon: no policy (${path.relative(process.cwd(), defaultPolicyPath(entryPath)) || 'lavamoat/node/policy.json'} not found): nothing is restricted, every package may use every builtin and global; write one with: cordon policy generate ${options.entry}\n`);
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
  const host = { globals: nodeGlobals(compartmentGlobals), globalsFor: nodeGlobalsFor, modules: nodeBuiltinModules(), ...(policy === undefined ? {} : { policy }), ...(options.audit ? { policyAudit: options.audit } : {}) };
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
