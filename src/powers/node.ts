/**
 * Powers over Node's own modules, which the caller passes in (`makeReadPowers({ fs, url, crypto, path })`,
 * as Endo's). The only file of the library that touches Node's host APIs.
 *
 * Reads are asked for concurrently (the incumbent serialises every read through one mutex) and each
 * is done synchronously (faster for source files than the threadpool); "not found" is decided by
 * `error.code`, never by the message.
 */
import { createRequire } from 'node:module';
import type { ReadNowPowers, ReadPowers, WritePowers } from './types.js';

interface NodeFs {
  promises: {
    readFile(path: string): Promise<Uint8Array>;
    realpath(path: string): Promise<string>;
    writeFile(path: string, bytes: Uint8Array): Promise<void>;
    rename?(from: string, to: string): Promise<void>;
    rm?(path: string, options?: { force?: boolean }): Promise<void>;
  };
  readFileSync(path: string): Uint8Array;
}
interface NodeUrl {
  fileURLToPath(location: string | URL): string;
  pathToFileURL(path: string): URL;
}
interface NodeCrypto {
  createHash(algorithm: string): { update(bytes: Uint8Array): { digest(encoding: 'hex'): string } };
}
interface NodePath {
  isAbsolute(path: string): boolean;
}

export interface NodePowersOptions {
  fs: NodeFs;
  url?: NodeUrl | undefined;
  crypto?: NodeCrypto | undefined;
  path?: NodePath | undefined;
}

/** Error codes that mean "there is nothing to read there". */
const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ERR_INVALID_FILE_URL_PATH']);
const isNotFound = (error: unknown): boolean => NOT_FOUND.has((error as { code?: string })?.code ?? '');

const fallbackUrl: NodeUrl = {
  fileURLToPath: location => {
    const url = new URL(location);
    if (url.protocol !== 'file:') throw Object.assign(new TypeError(`Not a file URL: ${url.href}`), { code: 'ERR_INVALID_URL_SCHEME' });
    return decodeURIComponent(url.pathname);
  },
  pathToFileURL: path => new URL(`file://${encodeURI(path)}`),
};

/*
 * Every host function is read once, here, and called as captured: a package that later replaces
 * `fs.readFileSync` on the host's module (possible when no policy gives it a copy of its own) cannot
 * change what Cordon's own loader reads.
 */
export const makeReadPowers = ({ fs, url = fallbackUrl, crypto, path }: NodePowersOptions): ReadPowers => {
  const { fileURLToPath, pathToFileURL } = url;
  const hostReadFileSync = fs.readFileSync;
  const hostPromises = fs.promises;
  const { realpath } = hostPromises;
  // A module file is read at once, synchronously, inside the async call: for the many small files of
  // an application that costs about a quarter less than the callback form (and half what
  // fs.promises.readFile does) — the threadpool round trip of each open/fstat/read/close is what
  // loading 640 modules waited on. The loader still asks for every file of a package concurrently.
  const readFile = (file: string) => Reflect.apply(hostReadFileSync, fs, [file]) as Uint8Array;
  const read = async (location: string): Promise<Uint8Array> => readFile(fileURLToPath(location));
  const maybeRead = async (location: string): Promise<Uint8Array | undefined> => {
    try {
      return await read(location);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  const canonical = async (location: string): Promise<string> => {
    try {
      const real = pathToFileURL((await Reflect.apply(realpath, hostPromises, [fileURLToPath(location)])) as string).href;
      return location.endsWith('/') && !real.endsWith('/') ? `${real}/` : real;
    } catch {
      return location;
    }
  };
  const requireResolve = (fromLocation: string, specifier: string, options?: { paths?: string[] }): string =>
    createRequire(fromLocation).resolve(specifier, options);
  const powers: ReadPowers = {
    read,
    maybeRead,
    canonical,
    fileURLToPath,
    pathToFileURL,
    requireResolve,
    isAbsolute: path ? (p: string) => path.isAbsolute(p) : () => false,
  };
  if (crypto) {
    const { createHash } = crypto;
    powers.computeSha512 = bytes => Reflect.apply(createHash, crypto, ['sha512']).update(bytes).digest('hex');
  }
  return powers;
};

export const makeReadNowPowers = (options: NodePowersOptions): ReadNowPowers => {
  const powers = makeReadPowers(options);
  const { fs } = options;
  const { readFileSync } = fs;
  const fileURLToPath = powers.fileURLToPath!;
  const maybeReadNow = (location: string): Uint8Array | undefined => {
    try {
      return Reflect.apply(readFileSync, fs, [fileURLToPath(location)]) as Uint8Array;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  return { ...powers, maybeReadNow, fileURLToPath, isAbsolute: powers.isAbsolute! };
};

/**
 * Writes atomically where the file system can rename: to a temporary file beside the target, then
 * renamed over it, so that a reader never sees half an archive and a failed write leaves the old file.
 */
export const makeWritePowers = ({ fs, url = fallbackUrl }: Pick<NodePowersOptions, 'fs' | 'url'>): WritePowers => {
  const promises = fs.promises;
  const { rename, rm, writeFile } = promises;
  const { fileURLToPath } = url;
  return {
    write: async (location, bytes) => {
      const target = fileURLToPath(location);
      if (!rename) return Reflect.apply(writeFile, promises, [target, bytes]);
      const temporary = `${target}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2)}.tmp`;
      try {
        await Reflect.apply(writeFile, promises, [temporary, bytes]);
        await Reflect.apply(rename, promises, [temporary, target]);
      } catch (error) {
        await rm?.call(promises, temporary, { force: true }).catch(() => {});
        throw error;
      }
    },
  };
};
