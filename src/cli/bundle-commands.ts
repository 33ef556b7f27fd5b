/**
 * `cordon bundle`, `cordon check-bundle`, and what `cordon run bundle.json` needs.
 *
 * The bundle cache: one entry per entry file and options (`<sha512 of them>.json` in the cache
 * folder), holding the bundle, the SHA-512 of its text, and every location the bundling read (the
 * sha512 of its bytes, or `null` where nothing was there) and every canonical location it was told.
 * An entry is used only when all of those still hold (content, not mtime); anything unreadable or
 * inconsistent in it is a miss, and the entry is written again. Writes are atomic (a temporary file
 * beside it, then a rename), so a reader never sees half an entry.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { BUNDLE_FORMATS, decodeBase64, validateBundle, type Bundle, type BundleModuleFormat, type BundleSourceOptions } from '../bundle-lite.js';
import { CordonError, parseArchive } from '../index.js';
import { makeReadPowers } from '../node-powers.js';
import { bundleSource, checkBundleFile, computeSha512 } from './node-bundles.js';
import type { RunHost } from './run-host.js';

const CACHE_FORMAT = 'cordon-bundle-cache-1';

const version = (): string => (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const sha512Text = (text: string): string => crypto.createHash('sha512').update(text).digest('hex');

/** Writes a file atomically: a temporary file beside the target, then a rename over it. */
const writeAtomic = async (file: string, text: string): Promise<void> => {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.promises.writeFile(temporary, text);
    await fs.promises.rename(temporary, file);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
};

export interface BundleCommandOptions {
  readonly entry: string;
  readonly format: string;
  readonly conditions: readonly string[];
  readonly dev: boolean;
  readonly noTransforms: boolean;
  readonly elideComments: boolean;
  readonly output?: string | undefined;
  /** The cache folder; `undefined`: no cache. */
  readonly cache?: string | undefined;
  readonly verbose: boolean;
}

/** The default cache folder: `$XDG_CACHE_HOME/cordon/bundles`, else `~/.cache/cordon/bundles`. */
export const defaultBundleCache = (): string => path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cordon', 'bundles');

interface CacheEntry {
  readonly format: typeof CACHE_FORMAT;
  readonly key: Record<string, unknown>;
  readonly reads: Record<string, string | null>;
  readonly canonical: Record<string, string>;
  readonly bundleSha512: string;
  readonly bundle: Bundle;
}

/** Powers over Node's file system that note every read and canonical answer. */
const recordingPowers = () => {
  const base = makeReadPowers({ fs, url, crypto, path });
  const reads = new Map<string, string | null>();
  const canonical = new Map<string, string>();
  const note = (location: string, bytes: Uint8Array | undefined) => void reads.set(location, bytes === undefined ? null : computeSha512(bytes));
  const powers = {
    ...base,
    read: async (location: string) => {
      const bytes = await base.read(location);
      note(location, bytes);
      return bytes;
    },
    maybeRead: async (location: string) => {
      const bytes = await base.maybeRead!(location);
      note(location, bytes);
      return bytes;
    },
    canonical: async (location: string) => {
      const answer = await base.canonical!(location);
      canonical.set(location, answer);
      return answer;
    },
  };
  return { powers, reads, canonical };
};

/** Why a cache entry cannot be used (`undefined`: it can). */
const staleness = async (entry: CacheEntry, key: Record<string, unknown>): Promise<string | undefined> => {
  const read = makeReadPowers({ fs, url, crypto, path });
  if (entry.format !== CACHE_FORMAT) return 'an older cache format';
  if (JSON.stringify(entry.key) !== JSON.stringify(key)) return 'other options';
  if (typeof entry.bundleSha512 !== 'string' || sha512Text(JSON.stringify(entry.bundle)) !== entry.bundleSha512) return 'its bundle does not match its recorded hash';
  validateBundle(entry.bundle, 'the cached bundle');
  if (entry.reads === null || typeof entry.reads !== 'object' || Object.keys(entry.reads).length === 0) return 'no recorded reads';
  for (const [location, expected] of Object.entries(entry.reads)) {
    const bytes = await read.maybeRead!(location);
    const actual = bytes === undefined ? null : computeSha512(bytes);
    if (actual !== expected) return `${url.fileURLToPath(location)} ${expected === null ? 'now exists' : actual === null ? 'is gone' : 'changed'}`;
  }
  for (const [location, expected] of Object.entries(entry.canonical ?? {})) {
    if ((await read.canonical!(location)) !== expected) return `${url.fileURLToPath(location)} now resolves elsewhere`;
  }
  return undefined;
};

const readCacheEntry = async (file: string, key: Record<string, unknown>, say: (line: string) => void): Promise<Bundle | undefined> => {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    say(`cache miss: no entry (${file})`);
    return undefined;
  }
  try {
    const entry = JSON.parse(text) as CacheEntry;
    const why = await staleness(entry, key);
    if (why === undefined) {
      say(`cache hit: ${file} (${Object.keys(entry.reads).length} files unchanged)`);
      return Object.freeze({ ...entry.bundle }) as Bundle;
    }
    say(`cache miss: ${why}; rebuilding`);
  } catch (error) {
    say(`cache entry ${file} is corrupt (${(error as Error).message.split('\n')[0]}); rebuilding`);
  }
  return undefined;
};

/** `cordon bundle`: bundles an entry (through the cache unless told not to), to a file or stdout. */
export const bundleCommand = async (options: BundleCommandOptions): Promise<number> => {
  const say = (line: string): void => {
    if (options.verbose) process.stderr.write(`cordon: ${line}\n`);
  };
  if (!(BUNDLE_FORMATS as readonly string[]).includes(options.format)) {
    process.stderr.write(`cordon: unknown bundle format ${JSON.stringify(options.format)} (${BUNDLE_FORMATS.join(', ')})\n`);
    return 2;
  }
  const entryPath = path.resolve(options.entry);
  if (!fs.existsSync(entryPath)) {
    process.stderr.write(`cordon: no such file: ${options.entry}\n`);
    return 2;
  }
  const bundleOptions: BundleSourceOptions = {
    format: options.format as BundleModuleFormat,
    conditions: [...options.conditions].sort(),
    dev: options.dev,
    ...(options.noTransforms ? { noTransforms: true } : {}),
    ...(options.elideComments ? { elideComments: true } : {}),
  };
  const key = { cordon: version(), node: process.versions.node, entry: fs.realpathSync(entryPath), ...bundleOptions };
  const cacheFile = options.cache === undefined ? undefined : path.join(path.resolve(options.cache), `${sha512Text(JSON.stringify(key)).slice(0, 64)}.json`);
  let bundle = cacheFile === undefined ? undefined : await readCacheEntry(cacheFile, key, say);
  if (bundle === undefined) {
    await ensureLockdown();
    const { powers, reads, canonical } = recordingPowers();
    bundle = await bundleSource(entryPath, bundleOptions, powers);
    if (cacheFile !== undefined) {
      const entry: CacheEntry = {
        format: CACHE_FORMAT,
        key,
        reads: Object.fromEntries([...reads].sort(([a], [b]) => (a < b ? -1 : 1))),
        canonical: Object.fromEntries([...canonical].sort(([a], [b]) => (a < b ? -1 : 1))),
        bundleSha512: sha512Text(JSON.stringify(bundle)),
        bundle,
      };
      await writeAtomic(cacheFile, `${JSON.stringify(entry)}\n`);
      say(`cache: wrote ${cacheFile} (${reads.size} files recorded)`);
    }
  }
  const text = `${JSON.stringify(bundle)}\n`;
  if (options.output === undefined) process.stdout.write(text);
  else {
    await writeAtomic(path.resolve(options.output), text);
    say(`wrote ${options.output} (${bundle.moduleFormat}, ${text.length} bytes)`);
  }
  return 0;
};

const ensureLockdown = async (): Promise<void> => {
  await import('ses');
  if (Object.isFrozen(Array.prototype)) return;
  const { nodeLockdownOptions } = await import('./node-host.js');
  (globalThis as unknown as { lockdown(options: object): void }).lockdown(nodeLockdownOptions);
};

/** `cordon check-bundle <bundle.json>`: 0 when the bundle passes its own checks, 1 with the reason. */
export const checkBundleCommand = async (file: string): Promise<number> => {
  await ensureLockdown();
  await checkBundleFile(file);
  process.stderr.write(`cordon: ${file} is a sound bundle\n`);
  return 0;
};

/** The bundle a `.json` entry holds, or `undefined` when it is not one (any JSON without a known moduleFormat). */
export const readBundleFile = (file: string): Bundle | undefined => {
  if (!file.endsWith('.json')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || !('moduleFormat' in value)) return undefined;
  return validateBundle(value, file);
};

export interface RunBundleContext {
  readonly host: { globals: Record<string, unknown>; globalsFor?: unknown; modules: Record<string, object>; policy?: unknown; hostBridge: RunHost['hostBridge'] };
  readonly bridge: RunHost;
}

/**
 * Runs a bundle as `cordon run` runs an archive: an endoZipBase64 bundle's archive is checked (every
 * module, and its map against the bundle's own hash) and imported with the run's host (globals, host
 * modules, policy, permissions per package). A script bundle runs in one compartment as the entry's
 * package, `require` giving it the run's host modules (`$root$`'s permissions); a policy, being per
 * package, cannot apply to it, so a script bundle is refused under one.
 */
export const runBundle = async (bundle: Bundle, file: string, { host, bridge }: RunBundleContext): Promise<void> => {
  const location = url.pathToFileURL(file).href;
  if (bundle.moduleFormat === 'endoZipBase64') {
    const application = await parseArchive(decodeBase64(bundle.endoZipBase64, file), location, { computeSha512, ...(host as object) });
    if (application.sha512 !== bundle.endoZipBase64Sha512) {
      throw new CordonError('CORDON_BUNDLE_HASH_MISMATCH', `Bundle ${file}: its compartment map has sha512 ${application.sha512}, not the endoZipBase64Sha512 it carries`, { file });
    }
    await application.import();
    return;
  }
  if (host.policy !== undefined) {
    throw new CordonError('CORDON_INVALID_ARGUMENT', `${file} is a ${bundle.moduleFormat} bundle: it runs in one compartment, so a per-package policy cannot apply; bundle the app with the endoZipBase64 format to run it under the policy`, { file });
  }
  const root = '$root$';
  bridge.hostBridge.packages?.([root], bridge.rootName);
  const modules = host.modules;
  const require = (specifier: string): unknown => {
    if (typeof specifier !== 'string' || !Object.hasOwn(modules, specifier)) {
      throw Object.assign(new Error(`Cannot find module '${String(specifier)}' (a ${bundle.moduleFormat} bundle reaches only the host's builtins)`), { code: 'MODULE_NOT_FOUND' });
    }
    return bridge.hostBridge.module(root, specifier, modules[specifier]);
  };
  // As a run's compartments (and unlike importBundle, which hardens the bundle's global object with
  // everything on it, here Node's own process and the rest): the globals as descriptors (lazy ones
  // stay lazy), \`global\` and the host's Error, nothing hardened that the host still uses.
  const SesCompartment = (globalThis as unknown as { Compartment: new (options: object) => { globalThis: Record<PropertyKey, unknown>; evaluate(source: string): unknown } }).Compartment;
  const compartment = new SesCompartment({ __options__: true, name: root });
  const own = compartment.globalThis;
  Object.defineProperties(own, bridge.hostBridge.globals(root, Object.getOwnPropertyDescriptors(host.globals)));
  if (typeof host.globalsFor === 'function') Object.assign(own, (host.globalsFor as (g: object, label: string) => object)(own, root));
  Object.defineProperty(own, 'require', { value: require, writable: true, enumerable: false, configurable: true });
  if (bundle.moduleFormat === 'nestedEvaluate') Object.defineProperty(own, 'nestedEvaluate', { value: (text: string) => compartment.evaluate(text), writable: true, enumerable: false, configurable: true });
  if (bundle.moduleFormat === 'endoScript') {
    compartment.evaluate(bundle.source);
    return;
  }
  const functor = compartment.evaluate(`(${bundle.source})\n${bundle.sourceMap ?? ''}`) as (prefix: string) => unknown;
  // nestedEvaluate: each module's sourceURL is <bundle location>/<package>/<path>, as an archive's modules are named.
  functor(`${location}/`);
};
