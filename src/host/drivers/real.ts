/**
 * The real filesystem driver: the contract's filesystem group over the host's `node:fs` (the
 * functions captured when the driver is made, so a later change to the shared `fs` module cannot
 * change what the driver calls). Errors are Node's own.
 */
import nodeFs from 'node:fs';
import type { FsDirEntry, FsEntryType, FsStat } from '../contract-types.js';
import type { FilesystemDriver } from './types.js';

type Fs = typeof nodeFs;

const typeOf = (entry: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FsEntryType | undefined =>
  entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'symlink' : undefined;

/** A driver over the host's files (`fs` defaults to `node:fs`; a test may hand another of its shape). */
export const makeRealDriver = (fs: Fs = nodeFs): FilesystemDriver => {
  const { readFileSync, writeFileSync, statSync, lstatSync, readdirSync, mkdirSync, unlinkSync, rmdirSync, renameSync, symlinkSync, readlinkSync, chmodSync, truncateSync, utimesSync, existsSync } = fs;
  const statOf = (stats: nodeFs.Stats): FsStat => ({
    // Sockets, FIFOs and devices are reported as files: the contract knows three kinds.
    type: typeOf(stats) ?? 'file',
    mode: stats.mode & 0o7777,
    size: stats.size,
    atimeMs: stats.atimeMs,
    mtimeMs: stats.mtimeMs,
    ctimeMs: stats.ctimeMs,
    birthtimeMs: stats.birthtimeMs,
    ino: stats.ino,
    nlink: stats.nlink,
  });
  const driver: FilesystemDriver = {
    kind: 'real',
    readFile: path => {
      const data = readFileSync(path);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    },
    writeFile: (path, data, mode = 0o666) => writeFileSync(path, data, { mode }),
    stat: path => statOf(statSync(path)),
    lstat: path => statOf(lstatSync(path)),
    readdir: path => readdirSync(path, { withFileTypes: true })
      .map((entry): FsDirEntry => ({ name: entry.name, type: typeOf(entry) ?? 'file' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    mkdir: (path, recursive = false, mode = 0o777) => {
      mkdirSync(path, { recursive, mode });
    },
    removeFile: path => unlinkSync(path),
    removeDir: path => rmdirSync(path),
    rename: (from, to) => renameSync(from, to),
    symlink: (target, path) => symlinkSync(target, path),
    readlink: path => readlinkSync(path, 'utf8'),
    chmod: (path, mode) => chmodSync(path, mode),
    truncate: (path, length) => truncateSync(path, length),
    utimes: (path, atimeMs, mtimeMs) => utimesSync(path, atimeMs / 1000, mtimeMs / 1000),
    exists: path => existsSync(path),
  };
  return Object.freeze(driver);
};
