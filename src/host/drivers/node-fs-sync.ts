/**
 * The synchronous half of the Node-`fs`-shaped facade: `readFileSync` … `realpathSync(.native)`,
 * over a driver, failing with Node's error shapes (the path in an error is the path as the caller
 * wrote it, as Node's are). The callback and promise forms (`node-fs.ts`) are made from these.
 */
import nodeFs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { FsStat } from '../contract-types.js';
import { argumentError, fsError, hasCode } from './errors.js';
import { makeDescriptorTable, type DescriptorTable } from './node-fs-fd.js';
import { bytesOf, describe, encoded, makeShapes, optionsOf, pathArgument, type VirtualDirent, type VirtualStats } from './node-fs-shapes.js';
import { realpathOf } from './realpath.js';
import type { FilesystemDriver } from './types.js';

const C = nodeFs.constants;

type Encoding = BufferEncoding | null | 'buffer' | undefined;

const shown = (given: unknown): string =>
  typeof given === 'string' ? given : given instanceof URL ? fileURLToPath(given) : given instanceof Uint8Array ? Buffer.from(given).toString() : String(given);

/** A driver error re-made with the paths as the caller gave them. */
const restate = (error: unknown, pairs: ReadonlyArray<readonly [absolute: string, given: unknown]>): unknown => {
  if (typeof error !== 'object' || error === null) return error;
  const { code, syscall, path: at, dest } = error as { code?: unknown; syscall?: unknown; path?: unknown; dest?: unknown };
  if (typeof code !== 'string' || typeof syscall !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const swap = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    const pair = pairs.find(([absolute]) => absolute === value);
    return pair === undefined ? value : shown(pair[1]);
  };
  return fsError(code, syscall, swap(at), swap(dest));
};

const modeOf = (mode: unknown, fallback: number): number => {
  if (mode === undefined || mode === null) return fallback;
  if (typeof mode === 'number' && Number.isInteger(mode) && mode >= 0) return mode;
  if (typeof mode === 'string' && /^[0-7]+$/.test(mode)) return Number.parseInt(mode, 8);
  throw argumentError('ERR_INVALID_ARG_VALUE', `The argument 'mode' must be a 32-bit unsigned integer or an octal string. Received ${describe(mode)}`);
};

const timeOf = (value: unknown): number => {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  if (typeof value === 'string' && value !== '' && Number.isFinite(Number(value))) return Number(value) * 1000;
  throw argumentError('ERR_INVALID_ARG_TYPE', `The "time" argument must be of type number or an instance of Date. Received ${describe(value)}`);
};

const positionOf = (value: unknown): number | null => (typeof value === 'number' && value >= 0 ? value : typeof value === 'bigint' ? Number(value) : null);

export type SyncFs = ReturnType<typeof makeSyncFs>;

/** The synchronous functions of a facade over `driver`; relative paths are taken from `cwd()`. */
export const makeSyncFs = (driver: FilesystemDriver, cwd: () => string) => {
  const { Stats, Dirent } = makeShapes();
  const fds: DescriptorTable = makeDescriptorTable(driver);
  const abs = (given: unknown, name?: string): string => pathArgument(given, cwd, name);
  /** Runs `body` with `given` made absolute; errors name `given` as written. */
  const at = <T>(given: unknown, body: (p: string) => T): T => {
    const p = abs(given);
    try {
      return body(p);
    } catch (error) {
      throw restate(error, [[p, given]]);
    }
  };
  const at2 = <T>(from: unknown, to: unknown, body: (a: string, b: string) => T, names: [string, string] = ['oldPath', 'newPath']): T => {
    const a = abs(from, names[0]);
    const b = abs(to, names[1]);
    try {
      return body(a, b);
    } catch (error) {
      throw restate(error, [[a, from], [b, to]]);
    }
  };
  const lstatOrUndefined = (p: string): FsStat | undefined => {
    try {
      return driver.lstat(p);
    } catch (error) {
      if (hasCode(error, 'ENOENT') || hasCode(error, 'ENOTDIR')) return undefined;
      throw error;
    }
  };
  const removeTree = (p: string): void => {
    const stat = driver.lstat(p);
    if (stat.type === 'directory') {
      for (const entry of driver.readdir(p)) removeTree(path.posix.join(p, entry.name));
      driver.removeDir(p);
    } else {
      driver.removeFile(p);
    }
  };
  const writeAll = (file: unknown, data: Uint8Array, flag: unknown, mode: number): void => {
    if (fds.isOpen(file)) {
      fds.write(file, data, null);
      return;
    }
    if (flag === undefined || flag === 'w') {
      at(file, p => driver.writeFile(p, data, mode));
      return;
    }
    const fd = at(file, p => fds.open(p, flag, mode));
    try {
      fds.write(fd, data, null);
    } finally {
      fds.close(fd);
    }
  };

  const sync = {
    readFileSync(file: unknown, options?: unknown): Buffer | string {
      const { encoding, flag } = optionsOf<{ flag: string }>(options);
      if (fds.isOpen(file)) return encoded(fds.readRest(file), encoding);
      if (flag === undefined || flag === 'r') return encoded(at(file, p => driver.readFile(p)), encoding);
      const fd = at(file, p => fds.open(p, flag));
      try {
        return encoded(fds.readRest(fd), encoding);
      } finally {
        fds.close(fd);
      }
    },
    writeFileSync(file: unknown, data: unknown, options?: unknown): void {
      const { encoding, flag, mode } = optionsOf<{ flag: string; mode: number }>(options);
      writeAll(file, bytesOf(data, encoding), flag, modeOf(mode, 0o666));
    },
    appendFileSync(file: unknown, data: unknown, options?: unknown): void {
      const { encoding, flag, mode } = optionsOf<{ flag: string; mode: number }>(options);
      writeAll(file, bytesOf(data, encoding), flag ?? 'a', modeOf(mode, 0o666));
    },
    readdirSync(dir: unknown, options?: unknown): Array<string | Buffer | VirtualDirent> {
      const { encoding, withFileTypes, recursive } = optionsOf<{ withFileTypes: boolean; recursive: boolean }>(options);
      const root = shown(dir);
      return at(dir, p => {
        const out: Array<string | Buffer | VirtualDirent> = [];
        const queue: Array<[string, string]> = [[p, '']];
        while (queue.length > 0) {
          const [directory, prefix] = queue.shift()!;
          for (const entry of driver.readdir(directory)) {
            const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
            if (withFileTypes === true) out.push(new Dirent(entry.name, entry.type, prefix === '' ? root : path.join(root, prefix)));
            else out.push(encoding === 'buffer' ? Buffer.from(relative) : relative);
            if (recursive === true && entry.type === 'directory') queue.push([path.posix.join(directory, entry.name), relative]);
          }
        }
        return out;
      });
    },
    statSync(file: unknown, options?: { throwIfNoEntry?: boolean }): VirtualStats | undefined {
      try {
        return new Stats(at(file, p => driver.stat(p)));
      } catch (error) {
        if (options?.throwIfNoEntry === false && hasCode(error, 'ENOENT')) return undefined;
        throw error;
      }
    },
    lstatSync(file: unknown, options?: { throwIfNoEntry?: boolean }): VirtualStats | undefined {
      try {
        return new Stats(at(file, p => driver.lstat(p)));
      } catch (error) {
        if (options?.throwIfNoEntry === false && hasCode(error, 'ENOENT')) return undefined;
        throw error;
      }
    },
    fstatSync: (fd: unknown): VirtualStats => new Stats(fds.stat(fd)),
    existsSync(file: unknown): boolean {
      try {
        return driver.exists(abs(file));
      } catch {
        return false;
      }
    },
    accessSync(file: unknown, mode: number = C.F_OK): void {
      at(file, p => {
        let stat: FsStat;
        try {
          stat = driver.stat(p);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw typeof code === 'string' ? fsError(code, 'access', p) : error;
        }
        const missing = ((mode & C.R_OK) && !(stat.mode & 0o400)) || ((mode & C.W_OK) && !(stat.mode & 0o200)) || ((mode & C.X_OK) && !(stat.mode & 0o100));
        if (missing) throw fsError('EACCES', 'access', p);
      });
    },
    mkdirSync(dir: unknown, options?: unknown): string | undefined {
      const given = typeof options === 'number' || typeof options === 'string' ? { mode: options } : optionsOf<{ recursive: boolean; mode: number | string }>(options);
      const mode = modeOf(given.mode, 0o777);
      return at(dir, p => {
        if (given.recursive !== true) {
          driver.mkdir(p, false, mode);
          return undefined;
        }
        let first: string | undefined;
        for (let up = p; lstatOrUndefined(up) === undefined && up !== path.posix.dirname(up); up = path.posix.dirname(up)) first = up;
        driver.mkdir(p, true, mode);
        return first;
      });
    },
    mkdtempSync(prefix: unknown, options?: unknown): string | Buffer {
      const { encoding } = optionsOf(options);
      if (typeof prefix !== 'string') throw argumentError('ERR_INVALID_ARG_TYPE', `The "prefix" argument must be of type string. Received ${describe(prefix)}`);
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const name = `${prefix}${randomBytes(6).toString('base64url').slice(0, 6)}`;
        try {
          at(name, p => driver.mkdir(p, false, 0o700));
          return encoding === 'buffer' ? Buffer.from(name) : name;
        } catch (error) {
          if (!hasCode(error, 'EEXIST')) throw error;
        }
      }
      throw fsError('EEXIST', 'mkdtemp', `${prefix}XXXXXX`);
    },
    rmSync(file: unknown, options?: { recursive?: boolean; force?: boolean }): void {
      at(file, p => {
        const stat = lstatOrUndefined(p);
        if (stat === undefined) {
          if (options?.force === true) return;
          driver.lstat(p);
          throw fsError('ENOENT', 'lstat', p);
        }
        if (stat.type === 'directory' && options?.recursive !== true) {
          const error = new Error(`Path is a directory: rm returned EISDIR (is a directory) ${shown(file)}`) as Error & Record<string, unknown>;
          Object.assign(error, { name: 'SystemError', code: 'ERR_FS_EISDIR', errno: 21, syscall: 'rm', path: shown(file) });
          error.info = { code: 'EISDIR', message: 'is a directory', path: shown(file), syscall: 'rm', errno: 21 };
          throw error;
        }
        removeTree(p);
      });
    },
    rmdirSync(dir: unknown, options?: { recursive?: boolean }): void {
      at(dir, p => (options?.recursive === true ? removeTree(p) : driver.removeDir(p)));
    },
    unlinkSync: (file: unknown): void => at(file, p => driver.removeFile(p)),
    renameSync: (from: unknown, to: unknown): void => at2(from, to, (a, b) => driver.rename(a, b)),
    copyFileSync(from: unknown, to: unknown, mode = 0): void {
      at2(from, to, (a, b) => {
        try {
          const source = driver.stat(a);
          if (source.type === 'directory') throw fsError('EISDIR', 'copyfile', a, b);
          if ((mode & C.COPYFILE_EXCL) !== 0 && lstatOrUndefined(b) !== undefined) throw fsError('EEXIST', 'copyfile', a, b);
          const target = lstatOrUndefined(b);
          if (target?.type === 'directory') throw fsError('EISDIR', 'copyfile', a, b);
          driver.writeFile(b, driver.readFile(a), source.mode);
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          throw typeof code === 'string' && /^E[A-Z]+$/.test(code) ? fsError(code, 'copyfile', a, b) : error;
        }
      }, ['src', 'dest']);
    },
    symlinkSync(target: unknown, file: unknown): void {
      const text = typeof target === 'string' ? target : target instanceof URL ? fileURLToPath(target) : target instanceof Uint8Array ? Buffer.from(target).toString() : undefined;
      if (text === undefined) throw argumentError('ERR_INVALID_ARG_TYPE', `The "target" argument must be of type string or an instance of Buffer or URL. Received ${describe(target)}`);
      const p = abs(file);
      try {
        driver.symlink(text, p);
      } catch (error) {
        throw restate(error, [[p, file]]);
      }
    },
    readlinkSync(file: unknown, options?: unknown): string | Buffer {
      const { encoding } = optionsOf(options);
      const target = at(file, p => driver.readlink(p));
      return encoding === 'buffer' ? Buffer.from(target) : target;
    },
    chmodSync: (file: unknown, mode: unknown): void => at(file, p => driver.chmod(p, modeOf(mode, 0))),
    fchmodSync: (fd: unknown, mode: unknown): void => driver.chmod(fds.pathOf(fd), modeOf(mode, 0)),
    chownSync: (file: unknown): void => void at(file, p => driver.stat(p)),
    lchownSync: (file: unknown): void => void at(file, p => driver.lstat(p)),
    fchownSync: (fd: unknown): void => void fds.stat(fd),
    truncateSync(file: unknown, length = 0): void {
      if (fds.isOpen(file)) return fds.truncate(file, length);
      at(file, p => driver.truncate(p, length));
    },
    ftruncateSync: (fd: unknown, length = 0): void => fds.truncate(fd, length),
    utimesSync: (file: unknown, atime: unknown, mtime: unknown): void => at(file, p => driver.utimes(p, timeOf(atime), timeOf(mtime))),
    futimesSync: (fd: unknown, atime: unknown, mtime: unknown): void => driver.utimes(fds.pathOf(fd), timeOf(atime), timeOf(mtime)),
    realpathSync: Object.assign(
      (file: unknown, options?: unknown): string | Buffer => {
        const { encoding } = optionsOf(options);
        // Node's JavaScript realpath folds `..` first (its native one does not).
        const real = at(file, p => realpathOf(driver, path.resolve(p), 'lstat'));
        return encoding === 'buffer' ? Buffer.from(real) : real;
      },
      {
        native: (file: unknown, options?: unknown): string | Buffer => {
          const { encoding } = optionsOf(options);
          const real = at(file, p => realpathOf(driver, p, 'realpath'));
          return encoding === 'buffer' ? Buffer.from(real) : real;
        },
      },
    ),
    openSync: (file: unknown, flags?: unknown, mode?: unknown): number => at(file, p => fds.open(p, flags ?? 'r', modeOf(mode, 0o666))),
    closeSync: (fd: unknown): void => fds.close(fd),
    fsyncSync: (fd: unknown): void => void fds.pathOf(fd),
    fdatasyncSync: (fd: unknown): void => void fds.pathOf(fd),
    readSync(fd: unknown, buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): number {
      if (!ArrayBuffer.isView(buffer)) throw argumentError('ERR_INVALID_ARG_TYPE', `The "buffer" argument must be an instance of Buffer, TypedArray, or DataView. Received ${describe(buffer)}`);
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const options = typeof offsetOrOptions === 'object' && offsetOrOptions !== null ? offsetOrOptions as { offset?: number; length?: number; position?: unknown } : { offset: offsetOrOptions as number | undefined, length: length as number | undefined, position };
      const offset = options.offset ?? 0;
      return fds.read(fd, bytes, offset, options.length ?? bytes.byteLength - offset, positionOf(options.position));
    },
    writeSync(fd: unknown, data: unknown, offsetOrPosition?: unknown, lengthOrEncoding?: unknown, position?: unknown): number {
      if (typeof data === 'string') {
        return fds.write(fd, Buffer.from(data, typeof lengthOrEncoding === 'string' ? lengthOrEncoding as BufferEncoding : 'utf8'), positionOf(offsetOrPosition));
      }
      const bytes = bytesOf(data, undefined, 'buffer');
      if (typeof offsetOrPosition === 'object' && offsetOrPosition !== null) {
        const options = offsetOrPosition as { offset?: number; length?: number; position?: unknown };
        const offset = options.offset ?? 0;
        return fds.write(fd, bytes.subarray(offset, offset + (options.length ?? bytes.byteLength - offset)), positionOf(options.position));
      }
      const offset = typeof offsetOrPosition === 'number' ? offsetOrPosition : 0;
      const count = typeof lengthOrEncoding === 'number' ? lengthOrEncoding : bytes.byteLength - offset;
      if (offset < 0 || count < 0 || offset + count > bytes.byteLength) throw argumentError('ERR_OUT_OF_RANGE', `The value of "length" is out of range. Received ${count}`, RangeError);
      return fds.write(fd, bytes.subarray(offset, offset + count), positionOf(position));
    },
  };
  return { sync, Stats, Dirent, fds };
};

export type { Encoding };
