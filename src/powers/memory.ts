/**
 * The same powers over an in-memory file tree, for tests and for users who hold an application in
 * memory. Files are keyed by absolute POSIX path (`/app/main.js`) or `file:` URL; symbolic links map a
 * directory path to its target (`{ '/app/node_modules/ws': '/work/ws' }`).
 */
import { fileUrlOfPath, pathOfFileUrl } from '../model/index.js';
import type { ReadNowPowers } from './types.js';

export interface MemoryFiles {
  readonly [pathOrUrl: string]: string | Uint8Array;
}

export interface MemoryPowersOptions {
  readonly symlinks?: Readonly<Record<string, string>> | undefined;
  readonly computeSha512?: ((bytes: Uint8Array) => string) | undefined;
}

const encoder = new TextEncoder();

const notFound = (location: string): Error => Object.assign(new Error(`ENOENT: no such file, open '${location}'`), { code: 'ENOENT' });
const isDirectory = (location: string): Error => Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${location}'`), { code: 'EISDIR' });

export const makeMemoryPowers = (files: MemoryFiles, options: MemoryPowersOptions = {}): ReadNowPowers => {
  const table = new Map<string, Uint8Array>();
  for (const [key, value] of Object.entries(files)) {
    const path = key.startsWith('file:') ? pathOfFileUrl(key)! : key;
    table.set(path, typeof value === 'string' ? encoder.encode(value) : value);
  }
  const links = Object.entries(options.symlinks ?? {}).map(([from, to]) => [from.replace(/\/+$/, ''), to.replace(/\/+$/, '')] as const);
  // Longest link first, applied until no link matches (links may lead through links).
  links.sort((a, b) => b[0].length - a[0].length);
  const realPath = (path: string): string => {
    let current = path;
    for (let hops = 0; hops < 32; hops += 1) {
      const link = links.find(([from]) => current === from || current.startsWith(`${from}/`));
      if (!link) return current;
      current = link[1] + current.slice(link[0].length);
    }
    return current;
  };
  const toPath = (location: string): string => {
    const path = location.startsWith('file:') ? pathOfFileUrl(location) : location;
    if (path === undefined) throw Object.assign(new TypeError(`Not a file URL: ${location}`), { code: 'ERR_INVALID_URL_SCHEME' });
    return path;
  };
  const maybeReadNow = (location: string): Uint8Array | undefined => table.get(realPath(toPath(location)));
  const directories = new Set<string>();
  for (const path of table.keys()) {
    for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) directories.add(path.slice(0, cut));
  }
  for (const [from] of links) directories.add(from);
  return {
    read: async location => {
      const bytes = maybeReadNow(location);
      if (bytes !== undefined) return bytes;
      if (directories.has(realPath(toPath(location)).replace(/\/+$/, '')) || directories.has(toPath(location).replace(/\/+$/, ''))) throw isDirectory(location);
      throw notFound(location);
    },
    maybeRead: async location => maybeReadNow(location),
    maybeReadNow,
    canonical: async location => {
      const real = fileUrlOfPath(realPath(toPath(location)).replace(/\/+$/, '') || '/');
      return location.endsWith('/') && !real.endsWith('/') ? `${real}/` : real;
    },
    fileURLToPath: location => toPath(String(location)),
    pathToFileURL: path => new URL(fileUrlOfPath(path)),
    isAbsolute: path => path.startsWith('/'),
    ...(options.computeSha512 ? { computeSha512: options.computeSha512 } : {}),
  };
};
