/**
 * A package's own `ReadStream` and `WriteStream` (and `createReadStream`/`createWriteStream`): built on
 * `stream.Readable`/`Writable` and the package's checked `open`/`read`/`write`/`close`, never on Node's
 * `fs.ReadStream`, so neither `stream.constructor` nor any prototype of a stream reaches an unchecked
 * class. The path is checked when the stream is made (it throws `ERR_ACCESS_DENIED` at once) and again
 * by the checked `open` that opens it; an `fd` option must be one this package opened (or a FileHandle
 * it opened). They are function-style constructors, as Node's are (graceful-fs calls them with `apply`
 * and overrides `open`, which is honoured as Node honours it); the `fs` option is ignored.
 */
import { Readable, Writable } from 'node:stream';
// Not `import … from 'node:process'`: its ES module facade reads every getter, opening stdin.
const { nextTick } = globalThis.process;
import { openFlags, pathString } from './fs-paths.js';

type Callback<T = void> = (error: Error | null, value?: T) => void;

/** The checked callback-form functions streams use (captured when the package's fs is made). */
export interface StreamOps {
  open(path: unknown, flags: number, mode: number, cb: Callback<number>): void;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number | null, cb: Callback<number>): void;
  write(fd: number, buffer: Buffer, offset: number, length: number, position: number | null, cb: Callback<number>): void;
  close(fd: number, cb: Callback): void;
  /** Throws EBADF unless `fd` is one this package opened (or stdio). */
  owned(fd: unknown): void;
  /** Checks a path for a stream about to be made with `flags` (throws when denied). */
  check(path: unknown, flags: number, what: string): void;
  /** The checked file a guest FileHandle stands for, when `value` is one. */
  handleFile(value: unknown): HandleFile | undefined;
  readonly constants: Record<string, number>;
}

/** Reads and writes through a FileHandle (a stream whose `fd` option is one). */
export interface HandleFile {
  readonly fd: number;
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  write(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
  close(): Promise<void>;
}

type AnyStream = Record<string, any> & (Readable | Writable);

const optionsOf = (options: unknown): Record<string, any> => (typeof options === 'string' ? { encoding: options } : options !== null && typeof options === 'object' ? { ...(options as object) } : {});

export const makeStreamClasses = (ops: StreamOps) => {
  const handles = new WeakMap<object, HandleFile>();
  const io = (stream: AnyStream, fd: number = stream.fd) => {
    const handle = handles.get(stream);
    return {
      read: (buffer: Buffer, length: number, position: number | null, cb: Callback<number>) =>
        handle ? handle.read(buffer, 0, length, position).then(r => cb(null, r.bytesRead), cb) : ops.read(fd, buffer, 0, length, position, cb),
      write: (buffer: Buffer, offset: number, length: number, position: number | null, cb: Callback<number>) =>
        handle ? handle.write(buffer, offset, length, position).then(r => cb(null, r.bytesWritten), cb) : ops.write(fd, buffer, offset, length, position, cb),
      close: (cb: Callback) => (handle ? handle.close().then(() => cb(null), cb) : ops.close(fd, cb)),
    };
  };
  /** The fields both kinds share; checks the path now (the open checks it again). */
  const setUp = (stream: AnyStream, given: unknown, options: Record<string, any>, fallbackFlags: string, what: string): void => {
    const handle = ops.handleFile(options.fd);
    if (handle !== undefined) handles.set(stream, handle);
    stream.fd = handle ? handle.fd : options.fd ?? null;
    stream.flags = options.flags === undefined ? fallbackFlags : options.flags;
    stream.mode = options.mode === undefined ? 0o666 : options.mode;
    stream.autoClose = options.autoClose === undefined ? true : Boolean(options.autoClose);
    stream.start = options.start;
    stream.pos = options.start;
    if (handle !== undefined) return;
    if (stream.fd !== null) {
      // An fd the package opened (or stdio), else EBADF at once.
      ops.owned(stream.fd);
      stream.path = undefined;
      return;
    }
    stream.path = pathString(given);
    ops.check(stream.path, openFlags(stream.flags, fallbackFlags, ops.constants), what);
  };
  const construct = (stream: AnyStream, original: Function, cb: Callback): void => {
    if (stream.fd !== null && stream.fd !== undefined) return cb(null);
    if (stream.open !== original) {
      // An `open` a package put in (graceful-fs): it opens and emits 'open' or 'error', as Node expects.
      const emit = stream.emit;
      stream.emit = function (this: AnyStream, ...args: any[]) {
        if (args[0] === 'open') {
          this.emit = emit;
          cb(null);
          return Reflect.apply(emit, this, args);
        }
        if (args[0] === 'error') {
          this.emit = emit;
          cb(args[1]);
          return false;
        }
        return Reflect.apply(emit, this, args);
      };
      stream.open();
      return;
    }
    let flags: number;
    try {
      flags = openFlags(stream.flags, 'r', ops.constants);
    } catch (error) {
      return cb(error as Error);
    }
    ops.open(stream.path, flags, stream.mode, (error, fd) => {
      if (error) return cb(error);
      stream.fd = fd;
      cb(null);
      stream.emit('open', fd);
      stream.emit('ready');
    });
  };
  const destroy = (stream: AnyStream, error: Error | null, cb: Callback): void => {
    const fd = stream.fd;
    if (fd === null || fd === undefined || !stream.autoClose) return cb(error);
    stream.fd = null;
    io(stream, fd).close(closeError => cb(error ?? closeError ?? null));
  };

  function ReadStream(this: AnyStream, path: unknown, given?: unknown): any {
    if (!(this instanceof ReadStream)) return new (ReadStream as any)(path, given);
    const options = optionsOf(given);
    if (options.highWaterMark === undefined) options.highWaterMark = 64 * 1024;
    // Checked before Readable's constructor, which schedules the open.
    setUp(this, path, options, 'r', 'fs.createReadStream');
    Reflect.apply(Readable, this, [{ highWaterMark: options.highWaterMark, encoding: options.encoding, emitClose: options.emitClose ?? true, signal: options.signal, autoDestroy: true }]);
    this.end = options.end === undefined ? Infinity : options.end;
    this.bytesRead = 0;
  }
  Object.setPrototypeOf(ReadStream.prototype, Readable.prototype);
  Object.setPrototypeOf(ReadStream, Readable);
  const readOpen = function open(this: AnyStream) {
    construct(this, () => undefined, error => error && this.destroy(error));
  };
  Object.assign(ReadStream.prototype, {
    open: readOpen,
    _construct(this: AnyStream, cb: Callback) {
      construct(this, readOpen, cb);
    },
    _read(this: AnyStream, size: number) {
      const remaining = this.end === Infinity ? Infinity : this.end - (this.start ?? 0) + 1 - this.bytesRead;
      const length = Math.min(size, remaining);
      if (length <= 0) {
        this.push(null);
        return;
      }
      const buffer = Buffer.allocUnsafeSlow(length);
      io(this).read(buffer, length, this.pos === undefined ? null : this.pos, (error, bytesRead = 0) => {
        if (error) return void this.destroy(error);
        if (bytesRead === 0) return void this.push(null);
        if (this.pos !== undefined) this.pos += bytesRead;
        this.bytesRead += bytesRead;
        this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      });
    },
    _destroy(this: AnyStream, error: Error | null, cb: Callback) {
      destroy(this, error, cb);
    },
    close(this: AnyStream, cb?: () => void) {
      if (typeof cb === 'function') this.once('close', cb);
      this.destroy();
    },
  });
  Object.defineProperty(ReadStream.prototype, 'pending', { get(this: AnyStream) { return this.fd === null; }, configurable: true });

  function WriteStream(this: AnyStream, path: unknown, given?: unknown): any {
    if (!(this instanceof WriteStream)) return new (WriteStream as any)(path, given);
    const options = optionsOf(given);
    setUp(this, path, options, 'w', 'fs.createWriteStream');
    Reflect.apply(Writable, this, [{ highWaterMark: options.highWaterMark, decodeStrings: true, defaultEncoding: options.encoding ?? 'utf8', emitClose: options.emitClose ?? true, signal: options.signal, autoDestroy: true }]);
    this.bytesWritten = 0;
  }
  Object.setPrototypeOf(WriteStream.prototype, Writable.prototype);
  Object.setPrototypeOf(WriteStream, Writable);
  const writeOpen = function open(this: AnyStream) {
    construct(this, () => undefined, error => error && this.destroy(error));
  };
  const writeAll = (stream: AnyStream, buffer: Buffer, offset: number, cb: Callback): void => {
    const length = buffer.length - offset;
    if (length <= 0) return cb(null);
    io(stream).write(buffer, offset, length, stream.pos === undefined ? null : stream.pos, (error, written = 0) => {
      if (error) return cb(error);
      stream.bytesWritten += written;
      if (stream.pos !== undefined) stream.pos += written;
      writeAll(stream, buffer, offset + written, cb);
    });
  };
  Object.assign(WriteStream.prototype, {
    open: writeOpen,
    _construct(this: AnyStream, cb: Callback) {
      construct(this, writeOpen, cb);
    },
    _write(this: AnyStream, chunk: Buffer, _encoding: string, cb: Callback) {
      writeAll(this, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), 0, cb);
    },
    _writev(this: AnyStream, chunks: { chunk: Buffer }[], cb: Callback) {
      writeAll(this, Buffer.concat(chunks.map(entry => entry.chunk)), 0, cb);
    },
    _destroy(this: AnyStream, error: Error | null, cb: Callback) {
      destroy(this, error, cb);
    },
    close(this: AnyStream, cb?: (error?: Error | null) => void) {
      if (typeof cb === 'function') {
        if (this.closed) nextTick(cb);
        else this.once('close', cb);
      }
      if (!this.autoClose) this.once('finish', () => this.destroy());
      this.end();
    },
    destroySoon(this: AnyStream) {
      this.end();
    },
  });
  Object.defineProperty(WriteStream.prototype, 'pending', { get(this: AnyStream) { return this.fd === null; }, configurable: true });

  return {
    ReadStream: ReadStream as unknown as new (path: unknown, options?: unknown) => Readable,
    WriteStream: WriteStream as unknown as new (path: unknown, options?: unknown) => Writable,
    createReadStream: (path: unknown, options?: unknown) => new (ReadStream as any)(path, options) as Readable,
    createWriteStream: (path: unknown, options?: unknown) => new (WriteStream as any)(path, options) as Writable,
  };
};
