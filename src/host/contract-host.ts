/**
 * Host-side implementations of the bridge contract's groups: the filesystem group over a driver, the
 * permission group over the permission engine (one package's view), persistence over a snapshot file,
 * and the clock, timer and random-bytes methods. (Module loading is `contract-modules.ts`; events and
 * execution are the embedding runtime's.)
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BridgeMethods } from './contract.js';
import type { FilesystemSnapshot, PermissionDecision } from './contract-types.js';
import type { FilesystemDriver } from './drivers/types.js';
import type { PermissionEngine, PermissionName } from './permissions.js';
import { normalizeHostPort, resolvePath, resolveProgram } from './resources.js';

type Keys<Prefix extends string> = Extract<keyof BridgeMethods, `${Prefix}${string}`>;
export type FilesystemBridge = Pick<BridgeMethods, Keys<'_fs'>>;
export type PermissionBridge = Pick<BridgeMethods, Keys<'_permission'>>;
export type PersistenceBridge = Pick<BridgeMethods, Keys<'_persistence'>>;
export type ClockBridge = Pick<BridgeMethods, Keys<'_clock'> | Keys<'_timer'> | '_randomBytes'>;

/** The contract's filesystem group over `driver`. */
export const makeFilesystemBridge = (driver: FilesystemDriver): FilesystemBridge => {
  const d = driver;
  return Object.freeze({
    _fsReadFile: (p: string) => d.readFile(p),
    _fsWriteFile: (p: string, data: Uint8Array, mode?: number) => d.writeFile(p, data, mode),
    _fsStat: (p: string) => d.stat(p),
    _fsLstat: (p: string) => d.lstat(p),
    _fsReaddir: (p: string) => d.readdir(p),
    _fsMkdir: (p: string, recursive?: boolean, mode?: number) => d.mkdir(p, recursive, mode),
    _fsRemoveFile: (p: string) => d.removeFile(p),
    _fsRemoveDir: (p: string) => d.removeDir(p),
    _fsRename: (from: string, to: string) => d.rename(from, to),
    _fsSymlink: (target: string, p: string) => d.symlink(target, p),
    _fsReadlink: (p: string) => d.readlink(p),
    _fsChmod: (p: string, mode: number) => d.chmod(p, mode),
    _fsTruncate: (p: string, length: number) => d.truncate(p, length),
    _fsUtimes: (p: string, atimeMs: number, mtimeMs: number) => d.utimes(p, atimeMs, mtimeMs),
    _fsExists: (p: string) => d.exists(p),
  });
};

export interface PermissionBridgeOptions {
  readonly engine: PermissionEngine;
  /** The package the guest runs as (`$root$` for the application). */
  readonly canonicalName: string;
  readonly cwd: () => string;
  readonly pathVariable?: string | undefined;
}

/** The contract's permission group: one package's decisions, resources normalized as the engine's rules are. */
export const makePermissionBridge = (options: PermissionBridgeOptions): PermissionBridge => {
  const { engine, canonicalName, cwd } = options;
  const decide = (permission: PermissionName, resource: string): PermissionDecision => {
    const verdict = engine.decide(canonicalName, permission, resource);
    return verdict === 'allow' ? { verdict } : { verdict, reason: `${permission} ${resource}: ${verdict === 'deny' ? 'no rule allows it, or a rule denies it' : 'no rule decides it'}` };
  };
  const invalid = (what: string): PermissionDecision => ({ verdict: 'deny', reason: `invalid ${what} request` });
  return Object.freeze({
    _permissionFilesystem: request => (typeof request?.path === 'string' && (request.operation === 'read' || request.operation === 'write')
      ? decide(request.operation, resolvePath(request.path, cwd())) : invalid('filesystem')),
    _permissionNetwork: request => {
      if (typeof request?.host !== 'string') return invalid('network');
      try {
        return decide('net', normalizeHostPort(request.port === undefined ? request.host : `${request.host.includes(':') && !request.host.startsWith('[') ? `[${request.host}]` : request.host}:${request.port}`));
      } catch {
        return invalid('network');
      }
    },
    _permissionCommand: request => (typeof request?.command === 'string'
      ? decide('run', resolveProgram(request.command, request.cwd ?? cwd(), options.pathVariable)) : invalid('command')),
    _permissionEnvironment: request => (typeof request?.key === 'string' ? decide('env', request.key) : invalid('environment')),
  });
};

/**
 * The contract's persistence group over one snapshot file: `_persistenceLoad` reads it (`null` if
 * there is none yet), `_persistenceFlush` replaces it atomically (written beside it, then renamed).
 * The file holds the format's name on its first line, then the snapshot's bytes.
 */
export const makeSnapshotFileStore = (file: string): PersistenceBridge & { loadSync(): FilesystemSnapshot | null; flushSync(snapshot: FilesystemSnapshot): void } => {
  const { readFileSync, writeFileSync, renameSync, existsSync } = fs;
  const loadSync = (): FilesystemSnapshot | null => {
    if (!existsSync(file)) return null;
    const content = readFileSync(file);
    const newline = content.indexOf(0x0a);
    if (newline < 1 || newline > 128) throw new Error(`${file} is not a Cordon filesystem snapshot (no format line)`);
    const format = content.subarray(0, newline).toString('latin1');
    if (!/^[a-z0-9-]+$/.test(format)) throw new Error(`${file} is not a Cordon filesystem snapshot (format line ${JSON.stringify(format)})`);
    return { format, bytes: new Uint8Array(content.subarray(newline + 1)) };
  };
  const flushSync = (snapshot: FilesystemSnapshot): void => {
    if (!/^[a-z0-9-]+$/.test(snapshot.format)) throw new TypeError(`invalid snapshot format ${JSON.stringify(snapshot.format)}`);
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    writeFileSync(temporary, Buffer.concat([Buffer.from(`${snapshot.format}\n`, 'latin1'), snapshot.bytes]));
    renameSync(temporary, file);
  };
  return Object.freeze({
    _persistenceLoad: async () => loadSync(),
    _persistenceFlush: async (snapshot: FilesystemSnapshot) => flushSync(snapshot),
    loadSync,
    flushSync,
  });
};

/** The contract's clock, timer and random-bytes methods. */
export const makeClockBridge = (): ClockBridge => {
  const timers = new Map<number, { handle: ReturnType<typeof setTimeout>; settle: (fired: boolean) => void }>();
  const now = performance.now.bind(performance);
  const clear = (id: number): void => {
    const timer = timers.get(id);
    if (timer === undefined) return;
    clearTimeout(timer.handle);
    timers.delete(id);
    timer.settle(false);
  };
  return Object.freeze({
    _clockWall: () => Date.now(),
    _clockMonotonic: () => now(),
    _timerStart: (id: number, delayMs: number) => new Promise<boolean>(settle => {
      clear(id);
      const handle = setTimeout(() => {
        timers.delete(id);
        settle(true);
      }, Math.max(0, Number(delayMs) || 0));
      timers.set(id, { handle, settle });
    }),
    _timerClear: clear,
    _randomBytes: (length: number) => {
      if (!Number.isSafeInteger(length) || length < 0 || length > 65536) throw new RangeError(`_randomBytes: length must be an integer from 0 to 65536, not ${length}`);
      return new Uint8Array(randomBytes(length));
    },
  });
};
