/**
 * The in-memory filesystem driver: directories, files and symlinks with modes and times, POSIX-like
 * errors, and persistence (`flush()` → a `cordon-memfs-1` snapshot; `load(snapshot)`).
 */
import path from 'node:path';
import type { FilesystemSnapshot, FsDirEntry, FsEntryType, FsStat } from '../contract-types.js';
import { argumentError, fsError } from './errors.js';
import { freshMeta, walk, type MemoryDirectory, type MemoryFile, type MemoryNode, type WalkResult } from './memory-tree.js';
import { decodeSnapshot, encodeSnapshot, MEMFS_FORMAT } from './memory-snapshot.js';
import type { PersistentFilesystemDriver } from './types.js';

export interface MemoryDriverOptions {
  /** The clock for modification times (default `Date.now`); a fixed one makes snapshots reproducible. */
  readonly now?: () => number;
  /** Taken from the modes of new files and directories, as the host's is (default `0o022`). */
  readonly umask?: number;
}

const TYPE: Readonly<Record<MemoryNode['kind'], FsEntryType>> = Object.freeze({ file: 'file', directory: 'directory', symlink: 'symlink' });

const absolute = (given: string): string => {
  if (typeof given !== 'string') throw argumentError('ERR_INVALID_ARG_TYPE', 'The "path" argument must be of type string');
  if (given.includes('\u0000')) throw argumentError('ERR_INVALID_ARG_VALUE', 'The argument \'path\' must be a string without null bytes');
  return given.startsWith('/') ? given : path.posix.resolve('/', given);
};

/** A fresh, empty in-memory filesystem (just `/`). */
export const makeMemoryDriver = (options: MemoryDriverOptions = {}): PersistentFilesystemDriver => {
  const now = options.now ?? Date.now;
  const umask = options.umask ?? 0o022;
  let nextIno = 1;
  const ino = (): number => nextIno++;
  let root: MemoryDirectory = { kind: 'directory', entries: new Map(), ...freshMeta(0o755, now(), ino()) };

  const find = (given: string, follow: boolean, syscall: string): WalkResult & { node: MemoryNode } => {
    const where = walk(root, absolute(given), follow, syscall);
    if (where.node === undefined) throw fsError('ENOENT', syscall, given);
    return where as WalkResult & { node: MemoryNode };
  };
  const touch = (node: MemoryNode): void => {
    node.mtimeMs = now();
    node.ctimeMs = node.mtimeMs;
  };
  const statOf = (node: MemoryNode): FsStat => ({
    type: TYPE[node.kind],
    mode: node.mode,
    size: node.kind === 'file' ? node.data.byteLength : node.kind === 'symlink' ? Buffer.byteLength(node.target) : 0,
    atimeMs: node.atimeMs,
    mtimeMs: node.mtimeMs,
    ctimeMs: node.ctimeMs,
    birthtimeMs: node.birthtimeMs,
    ino: node.ino,
    nlink: node.kind === 'directory' ? 2 + [...node.entries.values()].filter(child => child.kind === 'directory').length : 1,
  });
  const add = (where: WalkResult, node: MemoryNode): void => {
    where.parent.entries.set(where.name, node);
    touch(where.parent);
  };

  const mkdirOne = (given: string, mode: number): void => {
    const where = walk(root, absolute(given), false, 'mkdir');
    if (where.node !== undefined || where.name === '') throw fsError('EEXIST', 'mkdir', given);
    add(where, { kind: 'directory', entries: new Map(), ...freshMeta(mode & 0o7777 & ~umask, now(), ino()) });
  };

  const driver: PersistentFilesystemDriver = {
    kind: 'memory',
    readFile(given) {
      const { node } = find(given, true, 'open');
      if (node.kind === 'directory') throw fsError('EISDIR', 'read');
      return (node as MemoryFile).data.slice();
    },
    writeFile(given, data, mode = 0o666) {
      if (!(data instanceof Uint8Array)) throw argumentError('ERR_INVALID_ARG_TYPE', 'The "data" argument must be a Uint8Array');
      const where = walk(root, absolute(given), true, 'open');
      if (where.node === undefined) {
        if (where.name === '') throw fsError('EISDIR', 'open', given);
        add(where, { kind: 'file', data: data.slice(), ...freshMeta(mode & 0o7777 & ~umask, now(), ino()) });
        return;
      }
      if (where.node.kind === 'directory') throw fsError('EISDIR', 'open', given);
      const file = where.node as MemoryFile;
      file.data = data.slice();
      touch(file);
    },
    stat: given => statOf(find(given, true, 'stat').node),
    lstat: given => statOf(find(given, false, 'lstat').node),
    readdir(given) {
      const { node } = find(given, true, 'scandir');
      if (node.kind !== 'directory') throw fsError('ENOTDIR', 'scandir', given);
      return [...node.entries.keys()].sort().map((name): FsDirEntry => ({ name, type: TYPE[node.entries.get(name)!.kind] }));
    },
    mkdir(given, recursive = false, mode = 0o777) {
      if (!recursive) return mkdirOne(given, mode);
      const target = absolute(given);
      const missing: string[] = [];
      for (let at = path.posix.resolve(target); ; at = path.posix.dirname(at)) {
        let where: WalkResult;
        try {
          where = walk(root, at, true, 'mkdir');
        } catch (error) {
          if ((error as { code?: string }).code !== 'ENOENT') throw error;
          missing.push(at);
          continue;
        }
        if (where.node === undefined) {
          missing.push(at);
          continue;
        }
        if (where.node.kind !== 'directory') throw fsError(missing.length === 0 ? 'EEXIST' : 'ENOTDIR', 'mkdir', given);
        break;
      }
      for (const at of missing.reverse()) mkdirOne(at, mode);
    },
    removeFile(given) {
      const where = find(given, false, 'unlink');
      if (where.node.kind === 'directory') throw fsError('EISDIR', 'unlink', given);
      where.parent.entries.delete(where.name);
      touch(where.parent);
    },
    removeDir(given) {
      const where = find(given, false, 'rmdir');
      if (where.node.kind !== 'directory') throw fsError('ENOTDIR', 'rmdir', given);
      if (where.name === '') throw fsError('EBUSY', 'rmdir', given);
      if (where.node.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', given);
      where.parent.entries.delete(where.name);
      touch(where.parent);
    },
    rename(from, to) {
      const source = walk(root, absolute(from), false, 'rename');
      if (source.node === undefined) throw fsError('ENOENT', 'rename', from, to);
      const target = walk(root, absolute(to), false, 'rename');
      if (source.name === '' || target.name === '') throw fsError('EBUSY', 'rename', from, to);
      const moving = source.node;
      if (target.node === moving) return;
      if (moving.kind === 'directory' && (target.chain.includes(moving) || target.parent === moving)) throw fsError('EINVAL', 'rename', from, to);
      if (target.node !== undefined) {
        if (moving.kind === 'directory' && target.node.kind !== 'directory') throw fsError('ENOTDIR', 'rename', from, to);
        if (moving.kind !== 'directory' && target.node.kind === 'directory') throw fsError('EISDIR', 'rename', from, to);
        if (target.node.kind === 'directory' && target.node.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', from, to);
      }
      source.parent.entries.delete(source.name);
      touch(source.parent);
      add(target, moving);
      moving.ctimeMs = now();
    },
    symlink(linkTarget, given) {
      if (typeof linkTarget !== 'string' || linkTarget === '') throw fsError('ENOENT', 'symlink', linkTarget, given);
      const where = walk(root, absolute(given), false, 'symlink');
      if (where.node !== undefined || where.name === '') throw fsError('EEXIST', 'symlink', linkTarget, given);
      add(where, { kind: 'symlink', target: linkTarget, ...freshMeta(0o777, now(), ino()) });
    },
    readlink(given) {
      const { node } = find(given, false, 'readlink');
      if (node.kind !== 'symlink') throw fsError('EINVAL', 'readlink', given);
      return node.target;
    },
    chmod(given, mode) {
      const { node } = find(given, true, 'chmod');
      node.mode = mode & 0o7777;
      node.ctimeMs = now();
    },
    truncate(given, length) {
      const { node } = find(given, true, 'open');
      if (node.kind === 'directory') throw fsError('EISDIR', 'open', given);
      if (!Number.isSafeInteger(length) || length < 0) throw fsError('EINVAL', 'ftruncate');
      const file = node as MemoryFile;
      const data = new Uint8Array(length);
      data.set(file.data.subarray(0, Math.min(length, file.data.byteLength)));
      file.data = data;
      touch(file);
    },
    utimes(given, atimeMs, mtimeMs) {
      const { node } = find(given, true, 'utime');
      node.atimeMs = atimeMs;
      node.mtimeMs = mtimeMs;
      node.ctimeMs = now();
    },
    exists(given) {
      try {
        return walk(root, absolute(given), true, 'access').node !== undefined;
      } catch {
        return false;
      }
    },
    flush: (): FilesystemSnapshot => ({ format: MEMFS_FORMAT, bytes: encodeSnapshot(root) }),
    load(snapshot) {
      if (snapshot === null || typeof snapshot !== 'object' || snapshot.format !== MEMFS_FORMAT) {
        throw new Error(`Cannot load a filesystem snapshot of format ${JSON.stringify((snapshot as { format?: unknown } | null)?.format)}: the in-memory driver reads ${MEMFS_FORMAT}`);
      }
      const loaded = decodeSnapshot(snapshot.bytes, ino);
      root = loaded;
    },
  };
  return Object.freeze(driver);
};
