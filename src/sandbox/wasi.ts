/**
 * WebAssembly command modules (WASI preview 1) run through the host bridge: Cordon's own
 * `wasi_snapshot_preview1` imports (not `node:wasi`), every file call through a `fs`-shaped driver
 * and the package's permission check (`wasi-files.ts`), the environment filtered to the keys the
 * package may read, and the clock and randomness virtual and seeded in a deterministic run.
 *
 * Implemented: args_*, environ_*, clock_res_get, clock_time_get, random_get, proc_exit, sched_yield,
 * fd_write/fd_read/fd_pwrite/fd_pread (stdio and files), fd_close, fd_seek, fd_tell, fd_fdstat_get,
 * fd_fdstat_set_flags (no-op for 0), fd_filestat_get, fd_filestat_set_size, fd_sync, fd_datasync,
 * fd_prestat_get, fd_prestat_dir_name, fd_readdir, fd_renumber, fd_advise (no-op), path_open,
 * path_filestat_get, path_create_directory, path_unlink_file, path_remove_directory, path_rename.
 * Every other import (poll_oneoff, sockets, links, times, proc_raise …) returns ENOSYS (52).
 */
import fs from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { Buffer } from 'node:buffer';
import path from 'node:path';
import type { PackageAccess, PermissionEngine, PermissionSet } from '../host/permissions.js';
import { packageMatches } from '../host/permissions.js';
import type { DeterministicHost } from '../host/deterministic.js';
import { CLOCK, ERRNO, WasiError, errnoOf } from './wasi-constants.js';
import { makeWasiFiles, type WasiDirEntry, type WasiFsDriver, type WasiInput, type WasiOutput } from './wasi-files.js';

export { ERRNO as WASI_ERRNO } from './wasi-constants.js';

/** The part of the WebAssembly JS API used here (the project's `lib` has no DOM types), captured when loaded. */
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmModule { readonly __wasmModule?: never }
interface WasmApi {
  readonly Module: new (bytes: ArrayBuffer | ArrayBufferView) => WasmModule;
  readonly Memory: new (descriptor: { initial: number }) => WasmMemory;
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<{ readonly exports: Record<string, unknown> }>;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const { Module: WasmModuleClass, Memory: WasmMemoryClass } = Wasm;
const compile = Wasm.compile.bind(Wasm);
const instantiate = Wasm.instantiate.bind(Wasm);
export type { WasiFsDriver, WasiInput, WasiOutput } from './wasi-files.js';

export interface RunWasiOptions {
  /** The guest's arguments, `argv[0]` its program name. */
  readonly argv?: readonly string[] | undefined;
  /** The environment offered; the guest sees only the keys `access` may read (`--allow-env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Default: the host's process.stdout / process.stderr. */
  readonly stdout?: { write(chunk: Uint8Array): unknown } | undefined;
  readonly stderr?: { write(chunk: Uint8Array): unknown } | undefined;
  /**
   * What descriptor 0 reads: bytes or text (all of it), a host descriptor (`0` for the process's own
   * stdin, read synchronously as the guest asks), or an async iterable (a Readable: read to its end
   * before the guest starts). Default: empty.
   */
  readonly stdin?: Uint8Array | string | number | AsyncIterable<Uint8Array | string> | undefined;
  /** The package the guest runs as (`engine.forPackage('$root$')`): asked about every path. */
  readonly access: PackageAccess;
  /** The filesystem driver; default the host's `fs` (the checks are made here, on top of it). */
  readonly fs?: WasiFsDriver | undefined;
  /** Guest directory name → host directory, preopened from descriptor 3 on. Default: none. */
  readonly preopens?: Readonly<Record<string, string>> | readonly (readonly [string, string])[] | undefined;
  /** A deterministic run's host: clock_time_get on its virtual clock, random_get from its `wasi` stream. */
  readonly deterministic?: DeterministicHost | undefined;
}

/** The preopens a package's read and write grants imply: each granted directory under its own absolute name (`--allow-read` bare: `/`). */
export const preopensFromPermissions = (permissions: PermissionSet, canonicalName = '$root$', rootName?: string): [string, string][] => {
  const seen = new Set<string>();
  for (const kind of ['read', 'write'] as const) {
    for (const rule of permissions.allow[kind]) {
      if (packageMatches(rule.package, canonicalName, rootName, rule.exact)) seen.add(rule.resource ?? '/');
    }
  }
  return [...seen].sort().map(dir => [dir, dir]);
};

/** `proc_exit` unwinds the guest with this. */
class ProcExit {
  constructor(readonly code: number) {}
}

const collect = async (source: AsyncIterable<Uint8Array | string>): Promise<Uint8Array> => {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
};

const inputOf = async (given: RunWasiOptions['stdin'], driver: WasiFsDriver): Promise<WasiInput> => {
  if (typeof given === 'number') {
    return { read: length => { const buffer = Buffer.alloc(length); return buffer.subarray(0, driver.readSync(given, buffer, 0, length, null)); } };
  }
  const data = given === undefined ? new Uint8Array(0) : typeof given === 'string' ? Buffer.from(given) : given instanceof Uint8Array ? given : await collect(given);
  let offset = 0;
  return { read: length => { const chunk = data.subarray(offset, offset + length); offset += chunk.length; return chunk; } };
};

const outputOf = (stream: { write(chunk: Uint8Array): unknown }): WasiOutput => ({ write: bytes => { stream.write(Buffer.from(bytes)); } });

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs a WASI command module (`_start`) to its end; resolves with its exit code (`proc_exit`'s, or 0).
 * A trap rejects with the `WebAssembly.RuntimeError`; a module that is not a command rejects with a TypeError.
 */
export const runWasi = async (bytes: ArrayBuffer | ArrayBufferView | WasmModule, options: RunWasiOptions): Promise<number> => {
  const { access } = options;
  if (access === undefined || typeof access.check !== 'function') throw new TypeError('runWasi needs the package access the guest runs as (options.access)');
  const driver: WasiFsDriver = options.fs ?? fs;
  const argv = (options.argv ?? ['main.wasm']).map(arg => encoder.encode(`${arg}\u0000`));
  const env = Object.entries(options.env ?? {})
    .filter(([key, value]) => value !== undefined && access.allows('env', key))
    .map(([key, value]) => encoder.encode(`${key}=${value}\u0000`));
  const preopens = options.preopens === undefined ? [] : Array.isArray(options.preopens) ? options.preopens as readonly (readonly [string, string])[] : Object.entries(options.preopens);
  const files = makeWasiFiles({
    access, fs: driver, preopens,
    stdin: await inputOf(options.stdin, driver),
    stdout: outputOf(options.stdout ?? process.stdout),
    stderr: outputOf(options.stderr ?? process.stderr),
  });
  const deterministic = options.deterministic;
  const random = deterministic?.random('wasi');
  const startedAt = process.hrtime.bigint();

  let memory: WasmMemory | undefined;
  const view = (): DataView => new DataView(memory!.buffer);
  const u8 = (): Uint8Array => new Uint8Array(memory!.buffer);
  const text = (pointer: number, length: number): string => {
    try {
      return decoder.decode(u8().subarray(pointer, pointer + length));
    } catch {
      throw new WasiError(ERRNO.INVAL);
    }
  };
  /** The guest's iovec array as (pointer, length) pairs. */
  const iovecs = (pointer: number, count: number): [number, number][] => {
    const v = view();
    return Array.from({ length: count }, (_, i) => [v.getUint32(pointer + i * 8, true), v.getUint32(pointer + i * 8 + 4, true)] as [number, number]);
  };
  const putStrings = (list: Uint8Array[], pointers: number, buffer: number): void => {
    const v = view();
    let at = buffer;
    list.forEach((item, i) => {
      v.setUint32(pointers + i * 4, at, true);
      u8().set(item, at);
      at += item.length;
    });
  };
  const putSizes = (list: Uint8Array[], countAt: number, sizeAt: number): void => {
    view().setUint32(countAt, list.length, true);
    view().setUint32(sizeAt, list.reduce((sum, item) => sum + item.length, 0), true);
  };

  const nanoseconds = (clock: number): bigint => {
    if (clock === CLOCK.REALTIME) return deterministic ? BigInt(Math.round(deterministic.clock.epoch() * 1e6)) : BigInt(Date.now()) * 1_000_000n;
    if (clock === CLOCK.MONOTONIC) return deterministic ? BigInt(Math.round(deterministic.clock.monotonic() * 1e6)) : process.hrtime.bigint();
    if (clock === CLOCK.PROCESS_CPUTIME || clock === CLOCK.THREAD_CPUTIME) return deterministic ? BigInt(Math.round(deterministic.clock.monotonic() * 1e6)) : process.hrtime.bigint() - startedAt;
    throw new WasiError(ERRNO.INVAL);
  };

  const readInto = (fd: number, iovs: number, count: number, resultAt: number, position?: bigint): void => {
    let total = 0;
    let at = position === undefined ? undefined : Number(position);
    for (const [pointer, length] of iovecs(iovs, count)) {
      const chunk = files.read(fd, length, at);
      u8().set(chunk, pointer);
      total += chunk.length;
      if (at !== undefined) at += chunk.length;
      if (chunk.length < length) break;
    }
    view().setUint32(resultAt, total, true);
  };
  const writeFrom = (fd: number, iovs: number, count: number, resultAt: number, position?: bigint): void => {
    const parts = iovecs(iovs, count).map(([pointer, length]) => u8().slice(pointer, pointer + length));
    const written = files.write(fd, Buffer.concat(parts), position === undefined ? undefined : Number(position));
    view().setUint32(resultAt, written, true);
  };
  const putFilestat = (at: number, stat: ReturnType<typeof files.filestat>): void => {
    const v = view();
    v.setBigUint64(at, stat.dev, true);
    v.setBigUint64(at + 8, stat.ino, true);
    v.setUint8(at + 16, stat.filetype);
    v.setBigUint64(at + 24, stat.nlink, true);
    v.setBigUint64(at + 32, stat.size, true);
    v.setBigUint64(at + 40, stat.atim, true);
    v.setBigUint64(at + 48, stat.mtim, true);
    v.setBigUint64(at + 56, stat.ctim, true);
  };
  /** Dirents from `cookie` on, as many bytes as fit (the last one cut, as the specification says). */
  const putDirents = (entries: WasiDirEntry[], buffer: number, length: number, cookie: bigint, usedAt: number): void => {
    const out = Buffer.alloc(length);
    let used = 0;
    for (let i = Number(cookie); i < entries.length && used < length; i += 1) {
      const item = entries[i]!;
      const name = encoder.encode(item.name);
      const record = Buffer.alloc(24 + name.length);
      record.writeBigUInt64LE(BigInt(i + 1), 0);
      record.writeBigUInt64LE(item.ino, 8);
      record.writeUInt32LE(name.length, 16);
      record.writeUInt8(item.type, 20);
      record.set(name, 24);
      const fits = Math.min(record.length, length - used);
      record.copy(out, used, 0, fits);
      used += fits;
    }
    u8().set(out.subarray(0, used), buffer);
    view().setUint32(usedAt, used, true);
  };

  /** Each host function: errno 0, or the errno its failure maps to. */
  const call = (run: () => void): number => {
    try {
      run();
      return ERRNO.SUCCESS;
    } catch (error) {
      if (error instanceof ProcExit) throw error;
      if (error instanceof WasiError) return error.errno;
      if (error instanceof RangeError) return ERRNO.FAULT;
      return errnoOf(error);
    }
  };

  const functions: Record<string, (...args: any[]) => number | void> = {
    args_sizes_get: (countAt: number, sizeAt: number) => call(() => putSizes(argv, countAt, sizeAt)),
    args_get: (pointers: number, buffer: number) => call(() => putStrings(argv, pointers, buffer)),
    environ_sizes_get: (countAt: number, sizeAt: number) => call(() => putSizes(env, countAt, sizeAt)),
    environ_get: (pointers: number, buffer: number) => call(() => putStrings(env, pointers, buffer)),
    clock_res_get: (clock: number, resultAt: number) => call(() => {
      if (clock < 0 || clock > 3) throw new WasiError(ERRNO.INVAL);
      view().setBigUint64(resultAt, deterministic ? 1_000_000n : 1_000n, true);
    }),
    clock_time_get: (clock: number, _precision: bigint, resultAt: number) => call(() => view().setBigUint64(resultAt, nanoseconds(clock), true)),
    random_get: (buffer: number, length: number) => call(() => {
      const target = u8().subarray(buffer, buffer + length);
      if (target.length !== length) throw new WasiError(ERRNO.FAULT);
      if (random) random.fill(target);
      else randomFillSync(target);
    }),
    proc_exit: (code: number) => { throw new ProcExit(code >>> 0); },
    sched_yield: () => ERRNO.SUCCESS,
    fd_write: (fd: number, iovs: number, count: number, resultAt: number) => call(() => writeFrom(fd, iovs, count, resultAt)),
    fd_pwrite: (fd: number, iovs: number, count: number, offset: bigint, resultAt: number) => call(() => writeFrom(fd, iovs, count, resultAt, offset)),
    fd_read: (fd: number, iovs: number, count: number, resultAt: number) => call(() => readInto(fd, iovs, count, resultAt)),
    fd_pread: (fd: number, iovs: number, count: number, offset: bigint, resultAt: number) => call(() => readInto(fd, iovs, count, resultAt, offset)),
    fd_close: (fd: number) => call(() => files.close(fd)),
    fd_renumber: (from: number, to: number) => call(() => files.renumber(from, to)),
    fd_seek: (fd: number, offset: bigint, whence: number, resultAt: number) => call(() => view().setBigUint64(resultAt, files.seek(fd, offset, whence), true)),
    fd_tell: (fd: number, resultAt: number) => call(() => view().setBigUint64(resultAt, files.seek(fd, 0n, 1), true)),
    fd_advise: (fd: number) => call(() => { files.fdstat(fd); }),
    fd_fdstat_get: (fd: number, at: number) => call(() => {
      const stat = files.fdstat(fd);
      const v = view();
      v.setUint8(at, stat.filetype);
      v.setUint16(at + 2, stat.flags, true);
      v.setBigUint64(at + 8, stat.rightsBase, true);
      v.setBigUint64(at + 16, stat.rightsInheriting, true);
    }),
    fd_fdstat_set_flags: (fd: number, flags: number) => call(() => {
      files.fdstat(fd);
      if (flags !== 0) throw new WasiError(ERRNO.NOSYS);
    }),
    fd_filestat_get: (fd: number, at: number) => call(() => putFilestat(at, files.filestat(fd))),
    fd_filestat_set_size: (fd: number, size: bigint) => call(() => files.truncate(fd, size)),
    fd_sync: (fd: number) => call(() => files.sync(fd, false)),
    fd_datasync: (fd: number) => call(() => files.sync(fd, true)),
    fd_prestat_get: (fd: number, at: number) => call(() => {
      const name = encoder.encode(files.prestatName(fd));
      view().setUint8(at, 0);
      view().setUint32(at + 4, name.length, true);
    }),
    fd_prestat_dir_name: (fd: number, pointer: number, length: number) => call(() => {
      const name = encoder.encode(files.prestatName(fd));
      if (length < name.length) throw new WasiError(ERRNO.NAMETOOLONG);
      u8().set(name, pointer);
    }),
    fd_readdir: (fd: number, buffer: number, length: number, cookie: bigint, usedAt: number) => call(() => putDirents(files.readdir(fd), buffer, length, cookie, usedAt)),
    path_open: (dirfd: number, lookup: number, pointer: number, length: number, oflags: number, rightsBase: bigint, _inheriting: bigint, fdflags: number, resultAt: number) =>
      call(() => view().setUint32(resultAt, files.open(dirfd, lookup, text(pointer, length), oflags, BigInt.asUintN(64, rightsBase), fdflags), true)),
    path_filestat_get: (dirfd: number, lookup: number, pointer: number, length: number, at: number) => call(() => putFilestat(at, files.pathFilestat(dirfd, lookup, text(pointer, length)))),
    path_create_directory: (dirfd: number, pointer: number, length: number) => call(() => files.mkdir(dirfd, text(pointer, length))),
    path_unlink_file: (dirfd: number, pointer: number, length: number) => call(() => files.unlink(dirfd, text(pointer, length))),
    path_remove_directory: (dirfd: number, pointer: number, length: number) => call(() => files.rmdir(dirfd, text(pointer, length))),
    path_rename: (fromFd: number, fromPointer: number, fromLength: number, toFd: number, toPointer: number, toLength: number) =>
      call(() => files.rename(fromFd, text(fromPointer, fromLength), toFd, text(toPointer, toLength))),
  };
  const nosys = (): number => ERRNO.NOSYS;
  // Any other preview 1 import the module names is there, and answers ENOSYS.
  const namespace = new Proxy(functions, { get: (target, name) => (typeof name === 'string' && Object.hasOwn(target, name) ? target[name] : nosys) });

  const module = bytes instanceof WasmModuleClass ? bytes : await compile(bytes as ArrayBuffer | ArrayBufferView);
  const instance = await instantiate(module, { wasi_snapshot_preview1: namespace });
  const exported = instance.exports;
  if (!(exported.memory instanceof WasmMemoryClass)) throw new TypeError('the WebAssembly module exports no memory');
  if (typeof exported._start !== 'function') throw new TypeError('the WebAssembly module is not a WASI command (no _start export)');
  memory = exported.memory;
  try {
    (exported._start as () => void)();
    return 0;
  } catch (error) {
    if (error instanceof ProcExit) return error.code;
    throw error;
  } finally {
    files.closeAll();
  }
};

export interface RunWasiFileOptions {
  /** The program's arguments after its name. */
  readonly args?: readonly string[] | undefined;
  /** The run's permission engine: the guest runs as `$root$`, its preopens are `$root$`'s read and write grants. */
  readonly engine: PermissionEngine;
  /** The app's package name (`$root$` answers to it in PKG=RESOURCE rules). */
  readonly rootName?: string | undefined;
  /** Default: the host's environment (filtered by `--allow-env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Default: the host's `fs` (with `--fs=memory`: the memory host's `fs`). */
  readonly fs?: WasiFsDriver | undefined;
  readonly deterministic?: DeterministicHost | undefined;
  /** Default: descriptor 0 (the process's stdin, read as the guest asks). */
  readonly stdin?: RunWasiOptions['stdin'];
}

/** `cordon run prog.wasm …`: the program file read by Cordon (as a JavaScript entry is), then run as `$root$`. */
export const runWasiFile = async (file: string, options: RunWasiFileOptions): Promise<number> => {
  const bytes = fs.readFileSync(file);
  return runWasi(bytes, {
    argv: [path.basename(file), ...(options.args ?? [])],
    env: options.env ?? process.env,
    access: options.engine.forPackage('$root$'),
    preopens: preopensFromPermissions(options.engine.permissions, '$root$', options.rootName),
    stdin: options.stdin ?? 0,
    fs: options.fs,
    deterministic: options.deterministic,
  });
};
