/**
 * The Node defaults of the bundle entries, as the incumbent's packages have them: `bundleSource` that
 * reads the file system when no powers are given (`cordon/bundle-source.js`), and `checkBundle(bundle,
 * name)`, `checkBundleBytes`, `checkBundleFile` with Node's SHA-512 (`cordon/check-bundle.js`).
 *
 * They live here because the layout lets only cli/, host/, sandbox/ and powers/node.ts touch Node's
 * modules, and the entry files only re-export (docs/ARCHITECTURE.md, "Bundles"); the library's own
 * forms, over given powers, are in pack/ and unpack/ (`bundle-lite.js`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import { bundleSource as bundleSourceWithPowers, checkBundle as checkBundleWith, type Bundle, type BundleModuleFormat, type BundleSourceOptions, type BundleSourcePowers, type SourceMapDetails } from '../bundle-lite.js';
import { makeReadPowers } from '../node-powers.js';
import { CordonError } from '../index.js';

/** Endo's bundleSource powers: read powers, plus where things are (`pathResolve`) and where the cache is (`userInfo`, `env`, `platform`). */
export interface NodeBundleSourcePowers extends Partial<BundleSourcePowers> {
  readonly userInfo?: (() => { homedir: string }) | undefined;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly platform?: string | undefined;
}

export const computeSha512 = (bytes: Uint8Array): string => crypto.createHash('sha512').update(bytes).digest('hex');

/** Endo's cache folder (`@endo/where`'s whereEndoCache). */
const endoCacheDirectory = (platform: string, env: Readonly<Record<string, string | undefined>>, home: string): string => {
  if (env.XDG_CACHE_HOME !== undefined) return path.join(env.XDG_CACHE_HOME, 'endo');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(env.USERPROFILE ?? home, 'AppData', 'Local'), 'Endo');
  if (platform === 'darwin') return path.join(env.HOME ?? home, 'Library', 'Caches', 'Endo');
  return path.join(env.HOME ?? home, '.cache', 'endo');
};

const isMissing = (error: unknown): boolean => (error as { code?: string })?.code === 'ENOENT';

/**
 * Endo's source-map cache: `source-map/<sha[0:2]>/<sha[2:]>.map.json`, and a tracker per module location
 * (`source-map-track/<sha512(location)>`) naming its current map, whose previous map is removed.
 */
const makeSourceMapCache = (directory: string) => {
  const maps = path.join(directory, 'source-map');
  const tracks = path.join(directory, 'source-map-track');
  const mapPath = (sha512: string) => path.join(maps, sha512.slice(0, 2), `${sha512.slice(2)}.map.json`);
  return async (sourceMap: string, { sha512, location }: SourceMapDetails): Promise<void> => {
    const locationSha512 = computeSha512(new TextEncoder().encode(location));
    const trackPath = path.join(tracks, locationSha512.slice(0, 2), locationSha512.slice(2));
    try {
      const previous = (await fs.promises.readFile(trackPath, 'utf8')).trim();
      if (previous !== sha512 && /^[0-9a-f]{128}$/.test(previous)) {
        await fs.promises.rm(mapPath(previous), { force: true });
        await fs.promises.rmdir(path.dirname(mapPath(previous))).catch(() => {});
      }
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const target = mapPath(sha512);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.writeFile(target, sourceMap);
    await fs.promises.mkdir(path.dirname(trackPath), { recursive: true });
    await fs.promises.writeFile(trackPath, sha512);
  };
};

/** `bundleSource(startFilename, formatOrOptions?, powers?)` with Node's file system unless the powers say otherwise. */
export const bundleSource = async (startFilename: string, formatOrOptions: BundleModuleFormat | BundleSourceOptions = {}, powers: NodeBundleSourcePowers = {}): Promise<Bundle> => {
  const { userInfo = os.userInfo, env = process.env, platform = process.platform, ...granted } = powers;
  const read = makeReadPowers({ fs, url, crypto, path });
  const merged = { ...read, pathResolve: path.resolve, ...granted } as BundleSourcePowers;
  const options = typeof formatOrOptions === 'string' ? { format: formatOrOptions } : formatOrOptions;
  const withCache: BundleSourcePowers =
    options?.cacheSourceMaps && !merged.cacheSourceMap ? { ...merged, cacheSourceMap: makeSourceMapCache(endoCacheDirectory(platform, env, userInfo().homedir)) } : merged;
  return bundleSourceWithPowers(startFilename, formatOrOptions, withCache);
};

/** Freezes what JSON.parse made, all the way down (it holds only plain objects, arrays and primitives). */
const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
};

/** `checkBundle(bundle, name?)` with Node's SHA-512 (`@endo/check-bundle`'s Node form). */
export const checkBundle = (bundle: unknown, name = '<unknown-bundle>'): Promise<void> => checkBundleWith(bundle, computeSha512, name);

/** Checks a bundle's JSON text (bytes, UTF-8). */
export const checkBundleBytes = async (bytes: Uint8Array, name = '<unknown-bundle>'): Promise<void> => {
  let bundle: unknown;
  try {
    bundle = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CordonError('CORDON_INVALID_BUNDLE', `checkBundle: bundle ${JSON.stringify(name)} is not JSON (${(error as Error).message})`, { file: name });
  }
  return checkBundleWith(deepFreeze(bundle), computeSha512, name);
};

/** Checks the bundle JSON file at `file`. */
export const checkBundleFile = async (file: string): Promise<void> => checkBundleBytes(await fs.promises.readFile(file), file);
