/**
 * The object shapes of Node's `fs` the facade hands out: `Stats`-like and `Dirent`-like objects, and
 * the argument conversions (paths as strings, Buffers or `file:` URLs; encodings; open flags).
 * Each facade makes its own classes (nothing here changes Node's own `fs.Stats` or `fs.Dirent`).
 */
import nodeFs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FsEntryType, FsStat } from '../contract-types.js';
import { argumentError } from './errors.js';

const TYPE_BITS: Readonly<Record<FsEntryType, number>> = Object.freeze({ file: 0o100000, directory: 0o040000, symlink: 0o120000 });

/** What a facade's `Stats` objects offer (Node's `fs.Stats` without the BigInt form). */
export interface VirtualStats {
  dev: number; ino: number; mode: number; nlink: number; uid: number; gid: number; rdev: number;
  size: number; blksize: number; blocks: number;
  atimeMs: number; mtimeMs: number; ctimeMs: number; birthtimeMs: number;
  atime: Date; mtime: Date; ctime: Date; birthtime: Date;
  isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean;
  isBlockDevice(): boolean; isCharacterDevice(): boolean; isFIFO(): boolean; isSocket(): boolean;
}

export interface VirtualDirent {
  name: string;
  parentPath: string;
  path: string;
  isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean;
  isBlockDevice(): boolean; isCharacterDevice(): boolean; isFIFO(): boolean; isSocket(): boolean;
}

/** A fresh pair of classes for one facade. */
export const makeShapes = (): { Stats: new (stat: FsStat) => VirtualStats; Dirent: new (name: string, type: FsEntryType, parentPath: string) => VirtualDirent } => {
  const kind = Symbol('type');
  /** What Stats and Dirent both answer: the entry's type. */
  class TypedEntry {
    declare [kind]: FsEntryType;
    isFile(): boolean { return this[kind] === 'file'; }
    isDirectory(): boolean { return this[kind] === 'directory'; }
    isSymbolicLink(): boolean { return this[kind] === 'symlink'; }
    isBlockDevice(): boolean { return false; }
    isCharacterDevice(): boolean { return false; }
    isFIFO(): boolean { return false; }
    isSocket(): boolean { return false; }
  }
  class Stats extends TypedEntry {
    dev = 0; ino: number; mode: number; nlink: number; uid: number; gid: number; rdev = 0;
    size: number; blksize = 4096; blocks: number;
    atimeMs: number; mtimeMs: number; ctimeMs: number; birthtimeMs: number;
    atime: Date; mtime: Date; ctime: Date; birthtime: Date;
    declare [kind]: FsEntryType;
    constructor(stat: FsStat) {
      super();
      Object.defineProperty(this, kind, { value: stat.type });
      this.ino = stat.ino;
      this.mode = TYPE_BITS[stat.type] | stat.mode;
      this.nlink = stat.nlink;
      this.uid = typeof process.getuid === 'function' ? process.getuid() : 0;
      this.gid = typeof process.getgid === 'function' ? process.getgid() : 0;
      this.size = stat.size;
      this.blocks = Math.ceil(stat.size / 512);
      this.atimeMs = stat.atimeMs; this.mtimeMs = stat.mtimeMs; this.ctimeMs = stat.ctimeMs; this.birthtimeMs = stat.birthtimeMs;
      this.atime = new Date(stat.atimeMs); this.mtime = new Date(stat.mtimeMs); this.ctime = new Date(stat.ctimeMs); this.birthtime = new Date(stat.birthtimeMs);
    }
  }
  class Dirent extends TypedEntry {
    name: string; parentPath: string; path: string;
    declare [kind]: FsEntryType;
    constructor(name: string, type: FsEntryType, parentPath: string) {
      super();
      Object.defineProperty(this, kind, { value: type });
      this.name = name; this.parentPath = parentPath; this.path = parentPath;
    }
  }
  return { Stats, Dirent };
};

/** A path argument as an absolute path: strings, Buffers and `file:` URLs, as Node accepts them. */
export const pathArgument = (given: unknown, cwd: () => string, name = 'path'): string => {
  let text: string;
  if (typeof given === 'string') text = given;
  else if (given instanceof Uint8Array) text = Buffer.from(given.buffer, given.byteOffset, given.byteLength).toString('utf8');
  else if (given instanceof URL) {
    if (given.protocol !== 'file:') throw argumentError('ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file');
    text = fileURLToPath(given);
  } else {
    throw argumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type string or an instance of Buffer or URL. Received ${describe(given)}`);
  }
  if (text.includes('\u0000')) throw argumentError('ERR_INVALID_ARG_VALUE', `The argument '${name}' must be a string, Uint8Array, or URL without null bytes. Received ${JSON.stringify(text)}`);
  // As Node hands a path to the system: `..` is left for the walk (after symlinks), not folded here.
  return text.startsWith('/') ? text : `${cwd().replace(/\/+$/, '')}/${text}`;
};

export const describe = (value: unknown): string =>
  value === null ? 'null' : value === undefined ? 'undefined' : typeof value === 'object' ? `an instance of ${(value as object).constructor?.name ?? 'Object'}` : `type ${typeof value} (${String(value)})`;

/** `options` given as an encoding string or an object. */
export const optionsOf = <T extends object>(options: unknown): Partial<T> & { encoding?: BufferEncoding | null | 'buffer' } => {
  if (options === undefined || options === null || typeof options === 'function') return {};
  if (typeof options === 'string') return { encoding: options as BufferEncoding } as Partial<T> & { encoding?: BufferEncoding };
  if (typeof options !== 'object') throw argumentError('ERR_INVALID_ARG_TYPE', `The "options" argument must be of type object. Received ${describe(options)}`);
  return options as Partial<T> & { encoding?: BufferEncoding | null };
};

/** Bytes as the caller asked for them: a Buffer, or a string in `encoding`. */
export const encoded = (bytes: Uint8Array, encoding: BufferEncoding | null | 'buffer' | undefined): Buffer | string => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === undefined || encoding === null || encoding === 'buffer' ? buffer : buffer.toString(encoding);
};

/** Data to write, as bytes. */
export const bytesOf = (data: unknown, encoding: BufferEncoding | null | 'buffer' | undefined, name = 'data'): Uint8Array => {
  if (typeof data === 'string') return Buffer.from(data, encoding === null || encoding === undefined || encoding === 'buffer' ? 'utf8' : encoding);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw argumentError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${describe(data)}`);
};

export interface OpenFlags { readonly read: boolean; readonly write: boolean; readonly append: boolean; readonly create: boolean; readonly exclusive: boolean; readonly truncate: boolean }

const C = nodeFs.constants;
const STRING_FLAGS: Readonly<Record<string, number>> = Object.freeze({
  r: C.O_RDONLY, rs: C.O_RDONLY | C.O_SYNC, sr: C.O_RDONLY | C.O_SYNC, 'r+': C.O_RDWR, 'rs+': C.O_RDWR | C.O_SYNC, 'sr+': C.O_RDWR | C.O_SYNC,
  w: C.O_TRUNC | C.O_CREAT | C.O_WRONLY, wx: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL, xw: C.O_TRUNC | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  'w+': C.O_TRUNC | C.O_CREAT | C.O_RDWR, 'wx+': C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL, 'xw+': C.O_TRUNC | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  a: C.O_APPEND | C.O_CREAT | C.O_WRONLY, ax: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL, xa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_EXCL,
  as: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC, sa: C.O_APPEND | C.O_CREAT | C.O_WRONLY | C.O_SYNC,
  'a+': C.O_APPEND | C.O_CREAT | C.O_RDWR, 'ax+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL, 'xa+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_EXCL,
  'as+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC, 'sa+': C.O_APPEND | C.O_CREAT | C.O_RDWR | C.O_SYNC,
});

/** Open flags (`'r'`, `'wx'`, `O_…` numbers) in parts. */
export const parseFlags = (flags: unknown = 'r'): OpenFlags => {
  const bits = typeof flags === 'number' ? flags : typeof flags === 'string' ? STRING_FLAGS[flags] : undefined;
  if (bits === undefined) throw argumentError('ERR_INVALID_ARG_VALUE', `The argument 'flags' is invalid. Received ${describe(flags)}`);
  const access = bits & 3;
  return {
    read: access === C.O_RDONLY || access === C.O_RDWR,
    write: access === C.O_WRONLY || access === C.O_RDWR,
    append: (bits & C.O_APPEND) !== 0,
    create: (bits & C.O_CREAT) !== 0,
    exclusive: (bits & C.O_EXCL) !== 0,
    truncate: (bits & C.O_TRUNC) !== 0,
  };
};
