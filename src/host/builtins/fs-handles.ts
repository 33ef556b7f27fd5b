/**
 * The package's own `FileHandle`s (what its `fsPromises.open` gives): each wraps a host FileHandle opened
 * through the checks, which the package never holds (the host one's `chmod`, `createReadStream`,
 * `readLines` … would act unchecked or hand out Node's stream classes). `chmod`/`chown`/`utimes` need
 * write on the file, as the path forms do; streams are the package's own checked ones; the fd is the
 * package's for as long as the handle lives or until `close()` is asked.
 */
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import type { PackageAccess } from '../permissions.js';
import type { FdTable } from './fs-fds.js';
import type { HandleFile } from './fs-streams.js';

type RealHandle = Record<string, any> & { fd: number };

export interface HandleDeps {
  readonly access: PackageAccess;
  readonly fds: FdTable;
  readonly createReadStream: (path: unknown, options?: unknown) => unknown;
  readonly createWriteStream: (path: unknown, options?: unknown) => unknown;
}

/** What `makeFileHandles` gives. */
export interface FileHandles {
  readonly FileHandle: Function;
  wrap(real: RealHandle, path: string): object;
  realOf(value: unknown): object | undefined;
  fileOf(value: unknown): HandleFile | undefined;
}

export const makeFileHandles = (deps: HandleDeps): FileHandles => {
  const { access, fds } = deps;
  const reals = new WeakMap<object, { real: RealHandle; path: string; file: HandleFile }>();
  const token = Symbol('FileHandle');
  const stateOf = (handle: unknown) => {
    const state = typeof handle === 'object' && handle !== null ? reals.get(handle) : undefined;
    if (state === undefined) throw new TypeError('Illegal invocation: not a FileHandle');
    return state;
  };
  const pass = (name: string) =>
    function (this: unknown, ...args: unknown[]) {
      const { real } = stateOf(this);
      return Reflect.apply(real[name] as Function, real, args);
    };
  const needsWrite = (name: string) =>
    async function (this: unknown, ...args: unknown[]) {
      const { real, path } = stateOf(this);
      access.check('write', path, `filehandle.${name}`);
      return Reflect.apply(real[name] as Function, real, args);
    };

  class FileHandle extends EventEmitter {
    constructor(given: symbol, real: RealHandle, path: string) {
      if (given !== token) throw new TypeError('Illegal constructor');
      super();
      const file: HandleFile = {
        fd: real.fd,
        read: (buffer, offset, length, position) => real.read(buffer, offset, length, position),
        write: (buffer, offset, length, position) => real.write(buffer, offset, length, position),
        close: () => this.close(),
      };
      reals.set(this, { real, path, file });
      fds.add(real.fd, path, this);
      real.on?.('close', () => this.emit('close'));
    }
    get fd(): number {
      return stateOf(this).real.fd;
    }
    close(): Promise<void> {
      const { real } = stateOf(this);
      if (real.fd !== -1) fds.forget(real.fd);
      return real.close();
    }
    async [Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose')](): Promise<void> {
      return this.close();
    }
    createReadStream(options?: Record<string, unknown>): unknown {
      return deps.createReadStream(undefined, { ...options, fd: this });
    }
    createWriteStream(options?: Record<string, unknown>): unknown {
      return deps.createWriteStream(undefined, { ...options, fd: this });
    }
    readLines(options?: Record<string, unknown>): unknown {
      return createInterface({ input: this.createReadStream(options) as NodeJS.ReadableStream, crlfDelay: Infinity });
    }
  }
  for (const name of ['appendFile', 'datasync', 'read', 'readv', 'readFile', 'readableWebStream', 'stat', 'sync', 'truncate', 'write', 'writev', 'writeFile']) {
    Object.defineProperty(FileHandle.prototype, name, { value: pass(name), writable: true, configurable: true });
  }
  for (const name of ['chmod', 'chown', 'utimes']) {
    Object.defineProperty(FileHandle.prototype, name, { value: needsWrite(name), writable: true, configurable: true });
  }

  return {
    FileHandle,
    /** The package's handle for a host one just opened (checked) as `path`. */
    wrap: (real: RealHandle, path: string): object => new FileHandle(token, real, path),
    /** The host handle behind one of the package's (for `fsPromises.readFile(handle)` …). */
    realOf: (value: unknown): object | undefined => (typeof value === 'object' && value !== null ? reals.get(value)?.real : undefined),
    /** What a stream whose `fd` option is a handle reads and writes through. */
    fileOf: (value: unknown): HandleFile | undefined => (typeof value === 'object' && value !== null ? reals.get(value)?.file : undefined),
  };
};
