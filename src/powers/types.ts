/**
 * Capabilities the library receives instead of reaching for the host: Endo's names and fields, so
 * that powers made for one work with the other. Locations are `file:` URL strings (any URL a power
 * understands, for memory powers).
 */

/** Reading, the minimum: `read` throws when the location cannot be read. */
export interface ReadFn {
  (location: string): Promise<Uint8Array>;
}

export interface ReadPowers {
  read: ReadFn;
  /** Like `read`, but `undefined` when nothing is there (decided by error code, not message). */
  maybeRead?: (location: string) => Promise<Uint8Array | undefined>;
  /** The location with symbolic links resolved (a directory keeps its trailing `/`). */
  canonical?: (location: string) => Promise<string>;
  /** SHA-512 of bytes, lowercase hex. */
  computeSha512?: (bytes: Uint8Array) => string;
  fileURLToPath?: (location: string | URL) => string;
  pathToFileURL?: (path: string) => URL;
  /** Host resolution for `require.resolve` (Node's `createRequire(from).resolve`). */
  requireResolve?: (fromLocation: string, specifier: string, options?: { paths?: string[] }) => string;
  isAbsolute?: (path: string) => boolean;
}

/** Reading now: what dynamic `require` needs. */
export interface ReadNowPowers extends ReadPowers {
  maybeReadNow: (location: string) => Uint8Array | undefined;
  fileURLToPath: (location: string | URL) => string;
  isAbsolute: (path: string) => boolean;
}

export interface WritePowers {
  write: (location: string, bytes: Uint8Array) => Promise<void>;
}

/** `read` alone, or a powers object (Endo accepts both). */
export type ReadFnOrPowers = ReadFn | ReadPowers;
