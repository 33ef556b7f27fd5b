/**
 * Virtual file descriptors over a driver: `openSync`, `readSync`, `writeSync`, `closeSync`,
 * `fstatSync`, `ftruncateSync` … A descriptor names the file's real path when it was opened (the
 * driver works on paths: a file renamed or removed while open is not followed) and keeps its own
 * position; writes are applied to the driver at once (no buffering: nothing is lost at exit).
 */
import { argumentError, fsError, hasCode } from './errors.js';
import { parseFlags, type OpenFlags } from './node-fs-shapes.js';
import { realpathOf } from './realpath.js';
import type { FilesystemDriver } from './types.js';
import type { FsStat } from '../contract-types.js';

interface Descriptor {
  readonly path: string;
  readonly flags: OpenFlags;
  position: number;
}

/** The descriptor numbers the facade hands out start here (clear of the host's own small numbers). */
const FIRST_FD = 1000;
const MAX_OPEN = 4096;

export interface DescriptorTable {
  open(path: string, flags?: unknown, mode?: number): number;
  close(fd: unknown): void;
  /** Reads into `buffer[offset…offset+length)` from `position` (or the descriptor's own, advanced). */
  read(fd: unknown, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  /** Writes `data` at `position` (or the descriptor's own, advanced; at the end for append). */
  write(fd: unknown, data: Uint8Array, position: number | null): number;
  stat(fd: unknown): FsStat;
  truncate(fd: unknown, length: number): void;
  /** The real path a descriptor was opened on (`EBADF` if it is not open). */
  pathOf(fd: unknown): string;
  /** Whether `value` is an open descriptor of this table. */
  isOpen(value: unknown): boolean;
  /** Reads the rest of the file from the descriptor's position (advancing it). */
  readRest(fd: unknown): Uint8Array;
}

export const makeDescriptorTable = (driver: FilesystemDriver): DescriptorTable => {
  const open = new Map<number, Descriptor>();
  let next = FIRST_FD;
  const get = (fd: unknown, syscall: string, needs?: 'read' | 'write'): Descriptor => {
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) throw argumentError('ERR_INVALID_ARG_TYPE', `The "fd" argument must be of type number. Received ${String(fd)}`);
    const descriptor = open.get(fd);
    if (descriptor === undefined) throw fsError('EBADF', syscall);
    if (needs !== undefined && !descriptor.flags[needs]) throw fsError('EBADF', syscall);
    return descriptor;
  };
  const table: DescriptorTable = {
    open(path, flags = 'r', mode = 0o666) {
      const parsed = parseFlags(flags);
      if (open.size >= MAX_OPEN) throw fsError('EMFILE', 'open', path);
      let exists = true;
      try {
        driver.lstat(path);
      } catch (error) {
        if (!hasCode(error, 'ENOENT')) throw error;
        exists = false;
      }
      if (exists && parsed.create && parsed.exclusive) throw fsError('EEXIST', 'open', path);
      let stat: FsStat | undefined;
      try {
        stat = driver.stat(path);
      } catch (error) {
        if (!hasCode(error, 'ENOENT')) throw error;
      }
      if (stat === undefined) {
        if (!parsed.create) throw fsError('ENOENT', 'open', path);
        driver.writeFile(path, new Uint8Array(0), mode);
      } else if (stat.type === 'directory') {
        if (parsed.write) throw fsError('EISDIR', 'open', path);
      } else if (parsed.truncate && parsed.write) {
        driver.truncate(path, 0);
      }
      const fd = next;
      next += 1;
      open.set(fd, { path: realpathOf(driver, path), flags: parsed, position: 0 });
      return fd;
    },
    close(fd) {
      get(fd, 'close');
      open.delete(fd as number);
    },
    read(fd, buffer, offset, length, position) {
      const descriptor = get(fd, 'read', 'read');
      if (offset < 0 || length < 0 || offset + length > buffer.byteLength) throw argumentError('ERR_OUT_OF_RANGE', `The value of "length" is out of range. It must be <= ${buffer.byteLength - offset}. Received ${length}`, RangeError);
      const data = driver.readFile(descriptor.path);
      const from = position === null || position < 0 ? descriptor.position : position;
      const count = Math.max(0, Math.min(length, data.byteLength - from));
      buffer.set(data.subarray(from, from + count), offset);
      if (position === null || position < 0) descriptor.position = from + count;
      return count;
    },
    write(fd, data, position) {
      const descriptor = get(fd, 'write', 'write');
      const current = driver.readFile(descriptor.path);
      const at = descriptor.flags.append ? current.byteLength : position === null || position < 0 ? descriptor.position : position;
      const out = new Uint8Array(Math.max(current.byteLength, at + data.byteLength));
      out.set(current);
      out.set(data, at);
      driver.writeFile(descriptor.path, out);
      if (descriptor.flags.append || position === null || position < 0) descriptor.position = at + data.byteLength;
      return data.byteLength;
    },
    stat: fd => driver.stat(get(fd, 'fstat').path),
    truncate(fd, length) {
      const descriptor = get(fd, 'ftruncate', 'write');
      driver.truncate(descriptor.path, length);
    },
    pathOf: fd => get(fd, 'fstat').path,
    isOpen: value => typeof value === 'number' && open.has(value),
    readRest(fd) {
      const descriptor = get(fd, 'read', 'read');
      const data = driver.readFile(descriptor.path).slice(descriptor.position);
      descriptor.position += data.byteLength;
      return data;
    },
  };
  return Object.freeze(table);
};
