/**
 * `makeNodeFs(driver)`: a Node-`fs`-shaped object over a filesystem driver — the sync, callback and
 * `promises` forms of the common API, virtual file descriptors, read and write streams, `constants`,
 * with Node's error shapes. With the in-memory driver it is what `cordon run --fs=memory` hands the
 * bridge as the host's `fs` (the permission-checking wrapper wraps it as it wraps `node:fs`).
 * Each call makes a fresh object; nothing of Node's own `fs` is changed.
 */
import nodeFs from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { argumentError } from './errors.js';
import { makeSyncFs } from './node-fs-sync.js';
import { bytesOf, describe, optionsOf } from './node-fs-shapes.js';
import type { FilesystemDriver } from './types.js';

export interface NodeFsOptions {
  /** The directory relative paths are taken from (default: the host's `process.cwd()`, read at each call). */
  readonly cwd?: () => string;
}

/** The callback form's names that call back `(error, result)` from their sync form. */
const PLAIN = [
  'readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'lstat', 'fstat', 'access', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink',
  'rename', 'copyFile', 'symlink', 'readlink', 'chmod', 'fchmod', 'chown', 'lchown', 'fchown', 'truncate', 'ftruncate', 'utimes',
  'futimes', 'open', 'close', 'fsync', 'fdatasync',
] as const;
/** The `promises` names (FileHandle-based `open` apart). */
const PROMISED = [
  'readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'lstat', 'access', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'rename',
  'copyFile', 'symlink', 'readlink', 'realpath', 'chmod', 'chown', 'lchown', 'truncate', 'utimes',
] as const;

type AnyFunction = (...args: any[]) => any;

/** Argument errors are thrown at once, as Node's are; everything else goes to the callback or promise. */
const isArgumentError = (error: unknown): boolean =>
  (error instanceof TypeError || error instanceof RangeError) && typeof (error as { code?: unknown }).code === 'string' && (error as unknown as { code: string }).code.startsWith('ERR_');

export const makeNodeFs = (driver: FilesystemDriver, options: NodeFsOptions = {}): Record<string, any> => {
  const cwd = options.cwd ?? (() => process.cwd());
  const { sync, Stats, Dirent } = makeSyncFs(driver, cwd);
  const s = sync as unknown as Record<string, AnyFunction>;
  const later = process.nextTick;

  const callbackForm = (fn: AnyFunction, spread = false): AnyFunction => function (...args: unknown[]) {
    const callback = args.pop();
    if (typeof callback !== 'function') throw argumentError('ERR_INVALID_ARG_TYPE', `The "cb" argument must be of type function. Received ${describe(callback)}`);
    let result: unknown;
    try {
      result = fn(...args);
    } catch (error) {
      if (isArgumentError(error)) throw error;
      later(callback, error);
      return;
    }
    if (spread) later(callback, null, ...(result as unknown[]));
    else later(callback, null, result);
  };
  const promiseForm = (fn: AnyFunction): AnyFunction => async (...args: unknown[]) => fn(...args);

  const facade: Record<string, any> = { ...sync };
  for (const name of PLAIN) facade[name] = callbackForm(s[`${name}Sync`]!);
  facade.realpath = Object.assign(callbackForm(s.realpathSync!), { native: callbackForm(sync.realpathSync.native) });
  facade.exists = (file: unknown, callback: unknown) => {
    if (typeof callback !== 'function') throw argumentError('ERR_INVALID_ARG_TYPE', `The "cb" argument must be of type function. Received ${describe(callback)}`);
    const found = sync.existsSync(file);
    later(callback as AnyFunction, found);
  };
  facade.read = callbackForm((fd: unknown, buffer: unknown, ...rest: unknown[]) => [sync.readSync(fd, buffer, ...rest), buffer], true);
  facade.write = callbackForm((fd: unknown, data: unknown, ...rest: unknown[]) => [sync.writeSync(fd, data, ...rest), data], true);

  // ---- promises, with FileHandle ----
  class FileHandle {
    readonly fd: number;
    #closed = false;
    constructor(fd: number) {
      this.fd = fd;
    }
    async read(buffer?: Uint8Array | { buffer?: Uint8Array; offset?: number; length?: number; position?: number | null }, offset?: number, length?: number, position?: number | null) {
      const options = buffer !== undefined && !ArrayBuffer.isView(buffer) ? buffer : { buffer, offset, length, position };
      const target = options.buffer ?? Buffer.alloc(16384);
      const bytesRead = sync.readSync(this.fd, target, options.offset ?? 0, options.length ?? target.byteLength - (options.offset ?? 0), options.position ?? null);
      return { bytesRead, buffer: target };
    }
    async write(data: unknown, ...rest: unknown[]) {
      const bytesWritten = sync.writeSync(this.fd, data, ...rest);
      return typeof data === 'string' ? { bytesWritten, buffer: data } : { bytesWritten, buffer: data };
    }
    async readFile(options?: unknown) { return sync.readFileSync(this.fd, options); }
    async writeFile(data: unknown, options?: unknown) { return sync.writeFileSync(this.fd, data, options); }
    async appendFile(data: unknown, options?: unknown) { return sync.appendFileSync(this.fd, data, options); }
    async stat() { return sync.fstatSync(this.fd); }
    async truncate(length = 0) { return sync.ftruncateSync(this.fd, length); }
    async chmod(mode: unknown) { return sync.fchmodSync(this.fd, mode); }
    async utimes(atime: unknown, mtime: unknown) { return sync.futimesSync(this.fd, atime, mtime); }
    async sync() { return sync.fsyncSync(this.fd); }
    async datasync() { return sync.fdatasyncSync(this.fd); }
    async close() {
      if (this.#closed) return;
      this.#closed = true;
      sync.closeSync(this.fd);
    }
    async [Symbol.asyncDispose]() { return this.close(); }
  }
  const promises: Record<string, any> = {};
  for (const name of PROMISED) promises[name] = promiseForm(s[`${name}Sync`]!);
  promises.open = async (file: unknown, flags?: unknown, mode?: unknown) => new FileHandle(sync.openSync(file, flags, mode));
  promises.constants = Object.freeze({ ...nodeFs.constants });
  promises.FileHandle = FileHandle;
  facade.promises = Object.freeze(promises);

  // ---- streams ----
  /** A stream's fd, closed when it is destroyed (unless `autoClose: false`); one already closed is no error. */
  const closeOnDestroy = (fd: number | undefined, autoClose: boolean | undefined): void => {
    if (fd === undefined || autoClose === false) return;
    try {
      sync.closeSync(fd);
    } catch {
      // Already closed.
    }
  };
  facade.createReadStream = (file: unknown, given?: unknown) => {
    const { encoding, flags, fd: givenFd, start, end, highWaterMark, autoClose } = optionsOf<{ flags: string; fd: number; start: number; end: number; highWaterMark: number; autoClose: boolean }>(given);
    let fd: number | undefined = givenFd;
    let position = start ?? 0;
    const last = end ?? Infinity;
    const chunk = highWaterMark ?? 65536;
    const readChunk = (target: Readable): void => {
      if (target.destroyed) return;
      try {
        const want = Math.min(chunk, last - position + 1);
        if (want <= 0) return void target.push(null);
        const buffer = Buffer.alloc(want);
        const count = sync.readSync(fd, buffer, 0, want, position);
        position += count;
        (target as unknown as { bytesRead: number }).bytesRead += count;
        target.push(count === 0 ? null : buffer.subarray(0, count));
      } catch (error) {
        target.destroy(error as Error);
      }
    };
    const stream = new Readable({
      highWaterMark: chunk,
      ...(encoding !== undefined && encoding !== null && encoding !== 'buffer' ? { encoding } : {}),
      construct(callback) {
        try {
          if (fd === undefined) fd = sync.openSync(file, flags ?? 'r');
          Object.assign(stream, { fd, pending: false });
          callback();
          stream.emit('open', fd);
          stream.emit('ready');
        } catch (error) {
          callback(error as Error);
        }
      },
      read() {
        // Asynchronous, as Node's reads are: one chunk per read, the event loop runs between them.
        setImmediate(() => readChunk(this));
      },
      destroy(error, callback) {
        closeOnDestroy(fd, autoClose);
        callback(error);
      },
    });
    Object.assign(stream, { path: typeof file === 'string' ? file : String(file), bytesRead: 0, pending: true, fd: fd ?? null });
    return stream;
  };
  facade.createWriteStream = (file: unknown, given?: unknown) => {
    const { encoding, flags, fd: givenFd, start, mode, autoClose } = optionsOf<{ flags: string; fd: number; start: number; mode: number; autoClose: boolean }>(given);
    let fd: number | undefined = givenFd;
    let position: number | null = start ?? null;
    const stream = new Writable({
      decodeStrings: true,
      ...(encoding !== undefined && encoding !== null && encoding !== 'buffer' ? { defaultEncoding: encoding } : {}),
      construct(callback) {
        try {
          if (fd === undefined) fd = sync.openSync(file, flags ?? 'w', mode ?? 0o666);
          Object.assign(stream, { fd, pending: false });
          callback();
          stream.emit('open', fd);
          stream.emit('ready');
        } catch (error) {
          callback(error as Error);
        }
      },
      write(data: Buffer, _encoding, callback) {
        try {
          const count = sync.writeSync(fd, bytesOf(data, undefined), 0, data.byteLength, position);
          if (position !== null) position += count;
          (stream as unknown as { bytesWritten: number }).bytesWritten += count;
          callback();
        } catch (error) {
          callback(error as Error);
        }
      },
      destroy(error, callback) {
        closeOnDestroy(fd, autoClose);
        callback(error);
      },
    });
    Object.assign(stream, { path: typeof file === 'string' ? file : String(file), bytesWritten: 0, pending: true, fd: fd ?? null });
    (stream as unknown as { close(cb?: AnyFunction): void }).close = (callback?: AnyFunction) => {
      if (callback) stream.once('close', callback);
      stream.end();
    };
    return stream;
  };

  facade.constants = promises.constants;
  facade.Stats = Stats;
  facade.Dirent = Dirent;
  facade.F_OK = nodeFs.constants.F_OK;
  facade.R_OK = nodeFs.constants.R_OK;
  facade.W_OK = nodeFs.constants.W_OK;
  facade.X_OK = nodeFs.constants.X_OK;
  return Object.freeze(facade);
};
